// citymodel viewer: CesiumJS (served by the API from node_modules, no ion, no CDN) showing the
// buildings' 3D Tiles, with parcel cards, search, thematic colours, the parcels, zones,
// services and networks layers, the auctions panel, shadows, a measuring tool and a shareable
// URL. This module wires them.
import { api, signIn, signOut, signedInAs } from "./api.js";
import { AuctionsPanel } from "./auctions.js";
import { ProcurementPanel } from "./procurement.js";
import { ParcelCard } from "./card.js";
import { watchChanges } from "./changes.js";
import { createViewer, flyHome, pickGround } from "./globe.js";
import { escape } from "./html.js";
import { language, setLanguage, t, translatePage } from "./i18n.js";
import { createParcelsLayer } from "./parcels-layer.js";
import { BuildableLayer, LINE_COLOUR, SERVICE_STYLES, ServicesLayer, ZONE_STYLES, createNetworksLayers, createZonesLayer } from "./planning-layers.js";
import { ScenariosPanel } from "./scenarios.js";
import { setUpSearch } from "./search.js";
import { THEMES, buildingStyle, liveAuctionStatuses, setOpenStatuses, surfaceShader } from "./themes.js";
import { MeasureTool, cityNoon, cityTime, setShadows } from "./tools.js";
import { cameraView, readState, setCameraView, writeState } from "./url-state.js";

const Cesium = window.Cesium;
const $ = (id) => document.getElementById(id);
const status = $("status");

function say(message, error = false) {
  status.textContent = message || "";
  status.classList.toggle("error", error);
}

// the panels start below the tool bar, however many rows it wraps into
new ResizeObserver(() => document.body.style.setProperty("--bar-height", `${$("bar").offsetHeight}px`)).observe($("bar"));

const state = readState();
let config = { imagery: null, terrain: null, home: null, timezone: "Europe/Moscow", refresh_seconds: 30 };
try {
  const response = await fetch("/viewer/config.json");
  if (!response.ok) throw new Error(`${response.status}`);
  config = await response.json();
  if (config.open_lot_statuses) setOpenStatuses(config.open_lot_statuses);
} catch (error) {
  say(t("apiUnreachable"), true);
}

const viewer = createViewer("globe", config);
window.citymodel = { viewer, state, flying: false };
// a camera flight: window.citymodel.flying until it lands or is cut short (tests and
// screenshots wait for it)
function fly(options) {
  window.citymodel.flying = true;
  const landed = () => { window.citymodel.flying = false; };
  viewer.camera.flyTo({ ...options, complete: landed, cancel: landed });
}
// resolves once the next frame has been drawn
window.citymodel.nextFrame = () => new Promise((resolve) => {
  const off = viewer.scene.postRender.addEventListener(() => { off(); resolve(); });
  viewer.scene.requestRender();
});
const save = () => writeState(state);
viewer.camera.moveEnd.addEventListener(() => { state.view = cameraView(viewer.camera); save(); });

// --- the parcel card and choosing a parcel -------------------------------------------------
const card = new ParcelCard(viewer, $("panel"), (number) => {
  state.parcel = number;
  save();
  document.body.classList.toggle("card-open", !$("panel").hidden);  // on a tablet, the card goes over the list
});
window.citymodel.card = card;

async function choose(number, flyThere = true) {
  if (flyThere) window.citymodel.flying = true;  // from now until the camera is there
  let parcel = null;
  try {
    parcel = await card.open(`/parcels/${encodeURIComponent(number)}`);
  } finally {
    if (flyThere && parcel && parcel.bbox) {
      const [w, s, e, n] = parcel.bbox;
      const pad = 0.002;
      fly({ destination: Cesium.Rectangle.fromDegrees(w - pad, s - pad, e + pad, n + pad), duration: 1.2 });
    } else if (flyThere) {
      window.citymodel.flying = false;  // nowhere to fly to
    }
  }
  return parcel;
}

// --- picking: a building, or the parcel under the cursor; in measure mode, a point ------------
const measure = new MeasureTool(viewer, $("measure-output"));
window.citymodel.measure = measure;
let highlighted;
function highlight(feature) {
  if (highlighted) highlighted.feature.color = highlighted.color;
  highlighted = feature ? { feature, color: Cesium.Color.clone(feature.color) } : undefined;
  if (feature) feature.color = Cesium.Color.YELLOW;
}
// A new style colours every building again, the highlighted one too: once it has been
// applied (in the next frame), highlight that building again over its new colour — once,
// however many styles were set in that frame.
let rehighlight;
function highlightAfterRestyle() {
  rehighlight ??= viewer.scene.postRender.addEventListener(() => {
    rehighlight();
    rehighlight = undefined;
    if (!highlighted) return;
    highlighted.color = Cesium.Color.clone(highlighted.feature.color);
    highlighted.feature.color = Cesium.Color.YELLOW;
  });
}
const handler = viewer.screenSpaceEventHandler;
handler.removeInputAction(Cesium.ScreenSpaceEventType.LEFT_DOUBLE_CLICK);  // no entity tracking
handler.setInputAction(() => { measure.finish(); scenarios.finishDrawing(); }, Cesium.ScreenSpaceEventType.LEFT_DOUBLE_CLICK);
handler.setInputAction(async (click) => {
  if (measure.active) {
    measure.click(click.position);
    return;
  }
  const picked = viewer.scene.pick(click.position);
  if (scenarios.active) {
    await scenarios.mapClick(click.position, picked);
    return;
  }
  const proposal = scenarios.proposalOf(picked);
  if (proposal != null) {
    highlight(undefined);
    scenarios.clickedProposal(proposal);
    return;
  }
  const buildableParcel = layers.buildable.parcelOf(picked);
  if (buildableParcel) {
    highlight(undefined);
    await choose(buildableParcel, false);
    return;
  }
  const service = services.serviceOf(picked);
  if (service) {
    highlight(undefined);
    card.openService(service);
    return;
  }
  if (picked instanceof Cesium.Cesium3DTileFeature) {
    highlight(picked);
    const building = {};  // every property the tileset's schema gives the building (tiles/gltf.py)
    for (const name of picked.getPropertyIds()) building[name] = picked.getProperty(name);
    const parcel = picked.getProperty("parcel");
    await card.open(parcel ? `/parcels/${encodeURIComponent(parcel)}` : null, building);
    return;
  }
  highlight(undefined);
  const point = pickGround(viewer, click.position);
  if (!point) return;
  const where = Cesium.Cartographic.fromCartesian(point);
  await card.open(`/parcels/at?lon=${Cesium.Math.toDegrees(where.longitude).toFixed(7)}&lat=${Cesium.Math.toDegrees(where.latitude).toFixed(7)}`);
}, Cesium.ScreenSpaceEventType.LEFT_CLICK);
$("close").addEventListener("click", () => highlight(undefined));

// --- search and the auctions panel ---------------------------------------------------------
setUpSearch($("search"), choose, (feature) => {
  const [lon, lat] = feature.geometry.coordinates;
  fly({ destination: Cesium.Cartesian3.fromDegrees(lon, lat, 600), duration: 1.2 });
  showLayer("services", true);
  card.openService(feature);
}, say);
const auctions = new AuctionsPanel($("auctions"), choose);
window.citymodel.auctions = auctions;
const pressed = (button, on) => button.setAttribute("aria-pressed", String(on));
$("auctions-toggle").addEventListener("click", () => { auctions.toggle(); pressed($("auctions-toggle"), !auctions.panel.hidden); });
$("auctions").querySelector(".close").addEventListener("click", () => { auctions.toggle(false); pressed($("auctions-toggle"), false); });
const procurement = new ProcurementPanel($("procurement"), choose);
procurement.setChoices(config.procurement_kinds || [], config.procurement_statuses || []);
window.citymodel.procurement = procurement;
procurement.onPeriod = () => { if (state.theme === "procurement") applyStyle(); };
$("procurement-toggle").addEventListener("click", () => { procurement.toggle(); pressed($("procurement-toggle"), !procurement.panel.hidden); });
$("procurement").querySelector(".close").addEventListener("click", () => { procurement.toggle(false); pressed($("procurement-toggle"), false); });

// --- development scenarios ----------------------------------------------------------------
const scenarios = new ScenariosPanel(viewer, $("scenarios"), {
  onHidden: () => applyStyle(),  // demolished buildings leave the view
  onOpen: (id) => { state.scenario = id; save(); },
  say,
  // the calculation day of the insolation norm at Moscow's latitude (22 April), at noon
  onSun: () => showShadows(`${new Date().getFullYear()}-04-22T12:00`),
});
window.citymodel.scenarios = scenarios;
$("scenarios-toggle").addEventListener("click", () => { scenarios.toggle(); pressed($("scenarios-toggle"), !scenarios.panel.hidden); });
$("scenarios").querySelector(".close").addEventListener("click", () => {
  scenarios.setMode(null);
  scenarios.toggle(false);
  pressed($("scenarios-toggle"), false);
});

// --- the tileset, themes and filters -------------------------------------------------------
let tileset;
let styleRequest = 0;
async function applyStyle() {
  const request = ++styleRequest;
  state.theme = $("theme").value;
  state.filter = $("filter").value;
  save();
  let statuses = null;
  if (state.theme === "auction" || state.filter !== "all") {
    try {
      statuses = await liveAuctionStatuses();
    } catch (error) {
      say(t("apiUnreachable"), true);
      statuses = new Map();
    }
  }
  let amounts = null;
  if (state.theme === "procurement") {
    try {
      amounts = (await api(`/procurement/amounts?${procurement.query(true)}`)).buildings;
    } catch (error) {
      say(t("apiUnreachable"), true);
      amounts = {};
    }
  }
  if (request !== styleRequest) return;  // another choice was made meanwhile
  if (tileset) {
    tileset.style = buildingStyle(state.theme, state.filter, statuses, scenarios.hidden, amounts);
    if ((state.theme === "surfaces") !== Boolean(tileset.customShader)) {
      tileset.customShader = state.theme === "surfaces" ? surfaceShader(config.surface_classes || ["roof", "wall", "ground", "other"]) : undefined;
    }
    highlightAfterRestyle();
  }
  showLegend();
}

function showLegend() {
  const legend = $("legend");
  const sections = [];
  const theme = THEMES[state.theme];
  if (theme) sections.push([t("theme"), theme.legend]);
  if (state.parcels && state.theme !== "auction") sections.push([t("parcelsLayer"), THEMES.auction.legend]);
  const kinds = config.zone_kinds || Object.keys(ZONE_STYLES);
  if (state.zones) sections.push([t("zonesLayer"), kinds.map((k) => [ZONE_STYLES[k].colour, ZONE_STYLES[k].label, ZONE_STYLES[k].hatch])]);
  const categories = config.service_categories || Object.keys(SERVICE_STYLES);
  if (state.services) sections.push([t("servicesLayer"), categories.map((c) => [SERVICE_STYLES[c].colour, `category_${c}`])]);
  if (state.networks) sections.push([t("networksLayer"), [[LINE_COLOUR, "networkLine"]]]);
  if (state.buildable) sections.push([t("buildableLayer"), [["#1a9850", "buildableLegend"]]]);
  legend.hidden = !sections.length;
  legend.innerHTML = sections.map(([title, items]) => `<h4>${escape(title)}</h4>`
    + items.map(([c, label, hatched]) => `<div><i class="${hatched ? "hatched" : ""}" style="--c:${c};background-color:${c}"></i>${escape(t(label))}</div>`).join("")).join("");
}
$("theme").addEventListener("change", applyStyle);
$("filter").addEventListener("change", applyStyle);

// again: a new build replaced the one shown (or the first appeared): swap it in quietly
async function loadTileset(again = false) {
  if (!again) say(t("loadingTiles"));
  let fresh;
  try {
    fresh = await Cesium.Cesium3DTileset.fromUrl("/3dtiles/tileset.json", { maximumScreenSpaceError: 8 });
  } catch (error) {
    if (again) return;  // e.g. the build was removed: keep what is shown
    say(t("tilesUnreachable"), true);
    window.citymodel.ready = true;  // nothing more will load
    return;
  }
  const old = tileset;
  tileset = fresh;
  window.citymodel.tileset = tileset;
  if (old) {
    highlighted = undefined;  // its building belongs to the old build
    viewer.scene.primitives.remove(old);  // and destroys it
  }
  viewer.scene.primitives.add(tileset);
  if (!state.view && !config.home && !again) await viewer.zoomTo(tileset, new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-35), 0));
  tileset.allTilesLoaded.addEventListener(() => say(""));
  await applyStyle();
  // ready once the tiles for this view have arrived (tests and screenshots wait for it)
  if (window.citymodel.ready) return;
  fresh.allTilesLoaded.addEventListener(function ready() {
    fresh.allTilesLoaded.removeEventListener(ready);
    window.citymodel.ready = true;
  });
}
// everything for the current view drawn: buildings, ground imagery (the parcels layer), outlines
window.citymodel.settled = () => Boolean((!tileset || tileset.tilesLoaded) && viewer.scene.globe.tilesLoaded
  && viewer.dataSourceDisplay.ready);

// --- the parcels layer ---------------------------------------------------------------------
const parcels = createParcelsLayer(viewer, () => say(t("parcelsUnreachable"), true));
window.citymodel.parcels = parcels;
function showParcels(on) {
  state.parcels = on;
  parcels.layer.show = on;
  pressed($("parcels-toggle"), on);
  showLegend();
  save();
}
$("parcels-toggle").addEventListener("click", () => showParcels(!state.parcels));

// --- zones, services and networks ------------------------------------------------------------
const layers = {
  zones: createZonesLayer(viewer, () => say(t("zonesUnreachable"), true)),
  services: new ServicesLayer(viewer, () => say(t("servicesUnreachable"), true)),
  networks: createNetworksLayers(viewer, () => say(t("networksUnreachable"), true)),
  buildable: new BuildableLayer(viewer, () => say(t("apiUnreachable"), true), () => say(t("buildableCentre"))),
};
const services = layers.services;
Object.assign(window.citymodel, layers);
function showLayer(name, on) {
  state[name] = on;
  const layer = layers[name];
  if (layer.layer) layer.layer.show = on;
  else layer.show = on;
  pressed($(`${name}-toggle`), on);
  showLegend();
  save();
}
for (const name of Object.keys(layers)) {
  $(`${name}-toggle`).addEventListener("click", () => showLayer(name, !state[name]));
}

// --- shadows and measuring -----------------------------------------------------------------
function showShadows(when) {
  if (when && !cityTime(when, config.timezone)) when = null;  // not a date and time
  state.shadows = when || null;
  setShadows(viewer, when, config.timezone);
  pressed($("shadows-toggle"), Boolean(when));
  $("shadow-controls").hidden = !when;
  if (when) $("shadow-time").value = when;
  save();
}
$("shadows-toggle").addEventListener("click", () => {
  showShadows(state.shadows ? null : cityNoon(config.timezone));
});
$("shadow-time").addEventListener("change", (event) => { if (event.target.value) showShadows(event.target.value); });
$("measure-toggle").addEventListener("click", () => { measure.toggle(); pressed($("measure-toggle"), measure.active); });
$("share").addEventListener("click", async () => {
  save();
  try {
    await navigator.clipboard.writeText(location.href);
    say(t("linkCopied"));
  } catch (error) {
    say(location.href);  // no clipboard here: show the link to copy by hand
  }
  setTimeout(() => { if (status.textContent) say(""); }, 4000);
});

// --- sign-in for officials: an API key exchanged for a bearer token (kept for the tab) ------
const signin = $("signin");
const signinForm = $("signin-form");
function showSignedIn() {
  const name = signedInAs();
  signin.textContent = name ? `${t("signOut")} (${name})` : t("signIn");
}
signin.addEventListener("click", () => {
  if (signedInAs()) {
    signOut();
    showSignedIn();
    card.refresh();
    return;
  }
  signinForm.hidden = !signinForm.hidden;
  if (!signinForm.hidden) $("key").focus();
});
signinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!(await signIn($("key").value))) {
    say(t("signInFailed"), true);
    return;
  }
  $("key").value = "";
  signinForm.hidden = true;
  say("");
  showSignedIn();
  card.refresh();  // now with what officials may see
});

// --- language ------------------------------------------------------------------------------
function translate() {
  translatePage();
  $("lang").textContent = language() === "ru" ? "EN" : "RU";
  showSignedIn();
  showLegend();
  card.refresh();
  if (!auctions.panel.hidden) auctions.load();
  if (!procurement.panel.hidden) procurement.load();
}
$("lang").addEventListener("click", () => { setLanguage(language() === "ru" ? "en" : "ru"); translate(); });
translatePage();
$("lang").textContent = language() === "ru" ? "EN" : "RU";
showSignedIn();

// --- start: the view from the URL, else the busiest part of the city ------------------------
if (THEMES[state.theme] !== undefined) $("theme").value = state.theme;
if (["all", "open", "any"].includes(state.filter)) $("filter").value = state.filter;
if (state.view) setCameraView(viewer.camera, state.view);
else if (config.home) flyHome(viewer, config);
else say(t("noHome"));
if (state.parcels) showParcels(true);
for (const name of Object.keys(layers)) if (state[name]) showLayer(name, true);
showShadows(state.shadows);
if (state.parcel) choose(state.parcel, false);
if (state.scenario) scenarios.open(state.scenario).then((s) => pressed($("scenarios-toggle"), Boolean(s)));
loadTileset();

// --- a page left open follows the data: auction statuses, parcels, a new tileset or terrain -----
watchChanges(config.refresh_seconds || 30, async (changed) => {
  if (changed.has("tileset")) await loadTileset(true);
  if (changed.has("parcels") || changed.has("auctions")) {
    parcels.refresh();
    if (state.theme === "auction" || state.filter !== "all") await applyStyle();
    if (!auctions.panel.hidden) auctions.load();
  }
  if (changed.has("procurement")) {
    if (state.theme === "procurement") await applyStyle();
    if (!procurement.panel.hidden) procurement.load();
  }
  if (changed.has("zones")) layers.zones.refresh();
  if (changed.has("services")) layers.services.refresh();
  if (changed.has("buildings")) layers.networks.refresh();
  if (changed.has("scenarios")) await scenarios.refresh();
  if (changed.has("terrain") && !config.terrain_configured) {  // a new terrain import: its new tiles
    viewer.scene.setTerrain(new Cesium.Terrain(Cesium.CesiumTerrainProvider.fromUrl("/terrain/", { requestVertexNormals: true })));
  }
  await card.update();
});
