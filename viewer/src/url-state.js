// A shareable URL: the camera, theme, filter, layers, shadows and the open parcel are kept
// in the address's fragment (#view=…&theme=…), so a copied link opens the same view.
const Cesium = window.Cesium;
const round = (value, digits) => Number(value.toFixed(digits));

export function readState(hash = location.hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = {
    theme: params.get("theme"), filter: params.get("filter"), parcel: params.get("parcel"),
    parcels: params.get("parcels") === "1", shadows: params.get("shadows"), view: null,
    zones: params.get("zones") === "1", services: params.get("services") === "1",
    networks: params.get("networks") === "1", buildable: params.get("buildable") === "1",
    scenario: params.get("scenario"),
  };
  const view = (params.get("view") || "").split(",").map(Number);
  if (view.length === 5 && view.every(Number.isFinite) && Math.abs(view[1]) <= 90) {
    const [lon, lat, height, heading, pitch] = view;
    state.view = { lon, lat, height, heading, pitch };
  }
  return state;
}

export function cameraView(camera) {
  const c = camera.positionCartographic;
  return { lon: round(Cesium.Math.toDegrees(c.longitude), 6), lat: round(Cesium.Math.toDegrees(c.latitude), 6),
    height: round(c.height, 1), heading: round(Cesium.Math.toDegrees(camera.heading), 1),
    pitch: round(Cesium.Math.toDegrees(camera.pitch), 1) };
}

export function setCameraView(camera, view) {
  camera.setView({
    destination: Cesium.Cartesian3.fromDegrees(view.lon, view.lat, view.height),
    orientation: { heading: Cesium.Math.toRadians(view.heading), pitch: Cesium.Math.toRadians(view.pitch), roll: 0 },
  });
}

export function writeState(state) {
  const params = new URLSearchParams();
  if (state.view) {
    const v = state.view;
    params.set("view", [v.lon, v.lat, v.height, v.heading, v.pitch].join(","));
  }
  if (state.theme && state.theme !== "none") params.set("theme", state.theme);
  if (state.filter && state.filter !== "all") params.set("filter", state.filter);
  for (const layer of ["parcels", "zones", "services", "networks", "buildable"]) if (state[layer]) params.set(layer, "1");
  if (state.shadows) params.set("shadows", state.shadows);
  if (state.parcel) params.set("parcel", state.parcel);
  if (state.scenario) params.set("scenario", state.scenario);
  const hash = `#${params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":")}`;
  if (hash !== location.hash) history.replaceState(null, "", hash);
}
