// Thematic colours of the buildings and the filter by auction: Cesium 3D Tiles styles over
// the tileset's per-building properties, and auction statuses read live from the API.
import { api } from "./api.js";

const Cesium = window.Cesium;

export const AUCTION_COLOURS = {
  PUBLISHED: "#1a9850", APPLICATIONS_SUBMISSION: "#1a9850", DETERMINING_WINNER: "#fee08b",
  COMPLETED: "#4575b4", CANCELED: "#d73027",
};
// open for applications: the API's list (citymodel.records) replaces this default at start
export const OPEN_STATUSES = new Set(["PUBLISHED", "APPLICATIONS_SUBMISSION"]);
export function setOpenStatuses(statuses) {
  OPEN_STATUSES.clear();
  for (const status of statuses) OPEN_STATUSES.add(status);
}
const NO_AUCTION = "rgba(255,255,255,.35)";

export const THEMES = {
  none: null,
  height: { color: { conditions: [["${height} >= 75", "color('#b30000')"], ["${height} >= 40", "color('#e34a33')"],
    ["${height} >= 20", "color('#fc8d59')"], ["${height} >= 10", "color('#fdcc8a')"], ["true", "color('#fef0d9')"]] },
    legend: [["#b30000", "≥ 75 m"], ["#e34a33", "40–75 m"], ["#fc8d59", "20–40 m"], ["#fdcc8a", "10–20 m"], ["#fef0d9", "< 10 m"]] },
  use: { color: { conditions: [["${use} === 'residential' || ${use} === 'apartments'", "color('#4575b4')"],
    ["${use} === 'office' || ${use} === 'commercial' || ${use} === 'retail'", "color('#d73027')"],
    ["${use} === 'industrial'", "color('#984ea3')"], ["true", "color('#cccccc')"]] },
    legend: [["#4575b4", "useResidential"], ["#d73027", "useCommercial"], ["#984ea3", "useIndustrial"], ["#cccccc", "useOther"]] },
  year: { color: { conditions: [["${year_built} === undefined || ${year_built} === null", "color('#cccccc')"],
    ["${year_built} < 1917", "color('#8c510a')"], ["${year_built} < 1960", "color('#d8b365')"],
    ["${year_built} < 1991", "color('#5ab4ac')"], ["true", "color('#01665e')"]] },
    legend: [["#8c510a", "< 1917"], ["#d8b365", "1917–1960"], ["#5ab4ac", "1960–1991"], ["#01665e", "≥ 1991"], ["#cccccc", "?"]] },
  surfaces: {  // roofs, walls and ground apart: a custom shader over each vertex's surface class
    colours: { roof: "#b5533c", wall: "#e8e2d4", ground: "#5a5a5a", other: "#9e9e9e" },
    legend: [["#b5533c", "surfaceRoof"], ["#e8e2d4", "surfaceWall"], ["#5a5a5a", "surfaceGround"]] },
  procurement: {  // the money contracted for each building in the procurement panel's period
    classes: [[1e8, "#7a0177"], [1e7, "#c51b8a"], [1e6, "#f768a1"], [0, "#fbb4b9"]],
    legend: [["#7a0177", "≥ 100 млн ₽"], ["#c51b8a", "10–100 млн ₽"], ["#f768a1", "1–10 млн ₽"],
      ["#fbb4b9", "< 1 млн ₽"], ["rgba(255,255,255,.35)", "procurementNone"]] },
  auction: {  // coloured from live statuses: see buildingStyle
    legend: [["#1a9850", "statusOpen"], ["#fee08b", "statusDetermining"], ["#4575b4", "statusCompleted"],
      ["#d73027", "statusCanceled"], [NO_AUCTION, "statusNone"]] },
};

// The shader of the "surfaces" theme: the tiles carry each vertex's surface class (the
// _SURFACE_CLASS attribute, tiles/gltf.py), indexing the API's list of classes.
export function surfaceShader(classes) {
  const linear = (css) => {
    const c = Cesium.Color.fromCssColorString(css);
    return `vec3(${[c.red, c.green, c.blue].map((v) => Math.pow(v, 2.2).toFixed(4)).join(", ")})`;
  };
  const colours = THEMES.surfaces.colours;
  const cases = classes.map((name, i) => `if (abs(surface - ${i}.0) < 0.5) material.diffuse = ${linear(colours[name] || colours.other)};`);
  return new Cesium.CustomShader({
    fragmentShaderText: `void fragmentMain(FragmentInput fsInput, inout czm_modelMaterial material) {
  float surface = fsInput.attributes.surface_class;
  ${cases.join("\n  else ")}
}`,
  });
}

// Auction statuses change between tile builds: read them from the API (each parcel with a
// lot, and its newest lot's status), keyed by cadastral number.
export async function liveAuctionStatuses() {
  const statuses = new Map();
  let next = "/collections/parcels/items?limit=10000&properties=cadastral_number,auction_status&filter="
    + encodeURIComponent("auction_status IS NOT NULL");
  while (next) {
    const page = await api(next);
    for (const f of page.features) statuses.set(f.properties.cadastral_number, f.properties.auction_status);
    const link = page.links.find((l) => l.rel === "next" && l.type === "application/geo+json");
    next = link ? link.href : null;
  }
  return statuses;
}

// The style for a theme and a filter ("all", "open": parcels with an open auction, "any":
// parcels with any auction); statuses are needed for the auction theme and the filters.
// hidden: ids of buildings not to draw (those a scenario demolishes).
export function buildingStyle(name, filter, statuses, hidden = new Set(), amounts = null) {
  const theme = THEMES[name];
  const statusOf = (feature) => statuses?.get(feature.getProperty("parcel")) ?? feature.getProperty("auction_status");
  if (!theme && filter === "all" && !hidden.size) return undefined;
  const style = new Cesium.Cesium3DTileStyle(theme && theme.color ? { color: theme.color } : {});
  if (name === "procurement" && amounts) {
    const classes = THEMES.procurement.classes.map(([low, css]) => [low, Cesium.Color.fromCssColorString(css)]);
    const none = Cesium.Color.fromCssColorString(NO_AUCTION);
    style.color = { evaluateColor: (feature, result) => {
      const amount = amounts[feature.getProperty("building_id")];
      const found = amount == null ? null : classes.find(([low]) => amount >= low);
      return Cesium.Color.clone(found ? found[1] : none, result);
    } };
  }
  if (name === "auction") {
    const colours = Object.fromEntries(Object.entries(AUCTION_COLOURS).map(([k, v]) => [k, Cesium.Color.fromCssColorString(v)]));
    const none = Cesium.Color.fromCssColorString(NO_AUCTION);
    style.color = { evaluateColor: (feature, result) => Cesium.Color.clone(colours[statusOf(feature)] ?? none, result) };
  }
  const shown = filter === "open" ? (feature) => OPEN_STATUSES.has(statusOf(feature))
    : filter === "any" ? (feature) => Boolean(statusOf(feature)) : () => true;
  if (filter !== "all" || hidden.size) {
    style.show = { evaluate: (feature) => !hidden.has(feature.getProperty("building_id")) && shown(feature) };
  }
  return style;
}
