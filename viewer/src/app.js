// citymodel viewer: CesiumJS (served by the API from node_modules, no ion, no CDN), the
// buildings' 3D Tiles, picking, parcel cards, search and thematic colours.
import { t, setLanguage, language } from "./i18n.js";

const Cesium = window.Cesium;
const status = document.getElementById("status");
const panel = document.getElementById("panel");
const card = document.getElementById("card");

function say(message, error = false) {
  status.textContent = message || "";
  status.classList.toggle("error", error);
}

async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem("citymodel-token");
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { headers });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const error = new Error(body.description || `${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// --- the globe: imagery bundled with Cesium, a plain ellipsoid, our own tileset -------------
Cesium.Ion.defaultAccessToken = "";
const viewer = new Cesium.Viewer("globe", {
  baseLayer: Cesium.ImageryLayer.fromProviderAsync(
    Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"))),
  baseLayerPicker: false, geocoder: false, timeline: false, animation: false,
  sceneModePicker: false, navigationHelpButton: false, fullscreenButton: false,
  infoBox: false, selectionIndicator: false, homeButton: false,
  contextOptions: { webgl: { preserveDrawingBuffer: true } },  // screenshots
});
viewer.scene.globe.depthTestAgainstTerrain = false;
window.citymodel = { viewer };

let tileset;
async function loadTileset() {
  say(t("loadingTiles"));
  try {
    tileset = await Cesium.Cesium3DTileset.fromUrl("/3dtiles/tileset.json", { maximumScreenSpaceError: 8 });
  } catch (error) {
    say(t("tilesUnreachable"), true);
    return;
  }
  viewer.scene.primitives.add(tileset);
  window.citymodel.tileset = tileset;
  tileset.allTilesLoaded.addEventListener(() => say(""));
  await viewer.zoomTo(tileset, new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-35), 0));
  applyTheme(document.getElementById("theme").value);
  // ready once the tiles for this view have arrived (tests and screenshots wait for it)
  tileset.allTilesLoaded.addEventListener(function ready() {
    tileset.allTilesLoaded.removeEventListener(ready);
    window.citymodel.ready = true;
  });
}

// --- picking -------------------------------------------------------------------------------
let highlighted;
function highlight(feature) {
  if (highlighted) highlighted.feature.color = highlighted.color;
  highlighted = feature ? { feature, color: Cesium.Color.clone(feature.color) } : undefined;
  if (feature) feature.color = Cesium.Color.YELLOW;
}

viewer.screenSpaceEventHandler.setInputAction(async (click) => {
  const picked = viewer.scene.pick(click.position);
  if (picked instanceof Cesium.Cesium3DTileFeature) {
    highlight(picked);
    const parcel = picked.getProperty("parcel");
    const building = {};
    for (const name of ["building_id", "height", "floors", "use", "year_built", "address", "cadastral_number"]) {
      building[name] = picked.getProperty(name);
    }
    await openParcel(parcel ? `/parcels/${encodeURIComponent(parcel)}` : null, building);
    return;
  }
  highlight(undefined);
  const point = viewer.camera.pickEllipsoid(click.position);
  if (!point) return;
  const where = Cesium.Cartographic.fromCartesian(point);
  await openParcel(`/parcels/at?lon=${Cesium.Math.toDegrees(where.longitude)}&lat=${Cesium.Math.toDegrees(where.latitude)}`);
}, Cesium.ScreenSpaceEventType.LEFT_CLICK);

// --- the parcel card -----------------------------------------------------------------------
const escape = (value) => String(value ?? "—").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const rows = (pairs) => `<table>${pairs.map(([k, v]) => `<tr><td>${escape(k)}</td><td>${escape(v)}</td></tr>`).join("")}</table>`;

async function openParcel(path, building) {
  let html = "";
  if (building) {
    html += `<h2>${t("building")} ${escape(building.building_id)}</h2>` + rows([
      [t("address"), building.address], [t("height"), building.height], [t("floors"), building.floors],
      [t("use"), building.use], [t("year"), building.year_built]]);
  }
  panel.hidden = false;
  if (!path) {
    card.innerHTML = html + `<p>${t("noParcel")}</p>`;
    return;
  }
  card.innerHTML = html + `<p>${t("loading")}</p>`;
  lastCard = path;
  try {
    const parcel = await api(path);
    card.innerHTML = html + parcelHtml(parcel);
    showOutline(parcel);
    return parcel;
  } catch (error) {
    card.innerHTML = html + `<p class="error">${error.status === 404 ? t("noParcel") : t("apiUnreachable")}</p>`;
  }
}

function parcelHtml(p) {
  let html = `<h2 data-cadastral-number="${escape(p.cadastral_number)}">${t("parcel")} ${escape(p.cadastral_number)}</h2>` + rows([
    [t("address"), p.address], [t("declaredArea"), p.declared_area_m2], [t("computedArea"), p.computed_area_m2],
    [t("permittedUse"), p.permitted_use_text || p.permitted_use]]);
  html += `<h3>${t("rights")}</h3>`;
  html += p.rights.length ? `<div class="rights">${rows(p.rights.map((r) => [r.type_name || r.type_code,
    r.holder_name ?? (r.holder_kind === "individual" ? t("privateHolder") : "—")]))}</div>` : `<p>—</p>`;
  html += `<h3>${t("auctions")}</h3>`;
  html += p.auctions.length ? rows(p.auctions.map((a) => [`${a.notice_number} / ${a.lot_number}`,
    `${a.status || "—"}${a.source_url ? "" : ""}`])) : `<p>—</p>`;
  return html;
}

let outline;
async function showOutline(parcel) {
  if (outline) viewer.dataSources.remove(outline, true);
  outline = undefined;
  if (!parcel.geometry) return;
  outline = await Cesium.GeoJsonDataSource.load(parcel.geometry, {
    stroke: Cesium.Color.YELLOW, fill: Cesium.Color.YELLOW.withAlpha(0.25), strokeWidth: 3, clampToGround: true });
  viewer.dataSources.add(outline);
}

document.getElementById("close").addEventListener("click", () => { panel.hidden = true; highlight(undefined); });

// --- search --------------------------------------------------------------------------------
const results = document.getElementById("results");
document.getElementById("search").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = document.getElementById("q").value.trim();
  if (!q) return;
  try {
    const found = await api(`/search?q=${encodeURIComponent(q)}`);
    results.innerHTML = found.results.map((r) =>
      `<li tabindex="0" data-number="${escape(r.cadastral_number)}">${escape(r.cadastral_number)} — ${escape(r.address)}</li>`
    ).join("") || `<li>${t("nothingFound")}</li>`;
    results.hidden = false;
    if (found.results.length === 1) choose(found.results[0].cadastral_number);
  } catch (error) {
    say(t("apiUnreachable"), true);
  }
});
results.addEventListener("click", (event) => {
  const item = event.target.closest("li[data-number]");
  if (item) choose(item.dataset.number);
});

async function choose(number) {
  results.hidden = true;
  const parcel = await openParcel(`/parcels/${encodeURIComponent(number)}`);
  if (parcel && parcel.bbox) {
    const [w, s, e, n] = parcel.bbox;
    const pad = 0.002;
    viewer.camera.flyTo({ destination: Cesium.Rectangle.fromDegrees(w - pad, s - pad, e + pad, n + pad), duration: 1.2 });
  }
}

// --- thematic colours ----------------------------------------------------------------------
const THEMES = {
  none: null,
  height: { color: { conditions: [["${height} >= 75", "color('#b30000')"], ["${height} >= 40", "color('#e34a33')"],
    ["${height} >= 20", "color('#fc8d59')"], ["${height} >= 10", "color('#fdcc8a')"], ["true", "color('#fef0d9')"]] },
    legend: [["#b30000", "≥ 75 m"], ["#e34a33", "40–75 m"], ["#fc8d59", "20–40 m"], ["#fdcc8a", "10–20 m"], ["#fef0d9", "< 10 m"]] },
  use: { color: { conditions: [["${use} === 'residential' || ${use} === 'apartments'", "color('#4575b4')"],
    ["${use} === 'office' || ${use} === 'commercial' || ${use} === 'retail'", "color('#d73027')"],
    ["${use} === 'industrial'", "color('#984ea3')"], ["true", "color('#cccccc')"]] },
    legend: [["#4575b4", "residential"], ["#d73027", "office / commercial"], ["#984ea3", "industrial"], ["#cccccc", "other"]] },
  year: { color: { conditions: [["${year_built} === undefined || ${year_built} === null", "color('#cccccc')"],
    ["${year_built} < 1917", "color('#8c510a')"], ["${year_built} < 1960", "color('#d8b365')"],
    ["${year_built} < 1991", "color('#5ab4ac')"], ["true", "color('#01665e')"]] },
    legend: [["#8c510a", "< 1917"], ["#d8b365", "1917–1960"], ["#5ab4ac", "1960–1991"], ["#01665e", "≥ 1991"], ["#cccccc", "?"]] },
  auction: {  // coloured from live statuses: see applyTheme
    legend: [["#1a9850", "open"], ["#fee08b", "determining winner"], ["#4575b4", "completed"], ["#d73027", "canceled"], ["rgba(255,255,255,.35)", "no auction"]] },
};

// Auction statuses change between tile builds: the auction theme reads them live from the
// API (parcels with a lot, and their newest lot's status) and colours by the building's parcel.
const AUCTION_COLOURS = {
  PUBLISHED: "#1a9850", APPLICATIONS_SUBMISSION: "#1a9850", DETERMINING_WINNER: "#fee08b",
  COMPLETED: "#4575b4", CANCELED: "#d73027",
};
async function liveAuctionStatuses() {
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

let themeRequest = 0;
async function applyTheme(name) {
  const request = ++themeRequest;
  const theme = THEMES[name];
  const legend = document.getElementById("legend");
  let style;
  if (name === "auction") {
    let statuses;
    try {
      statuses = await liveAuctionStatuses();
    } catch (error) {
      say(t("apiUnreachable"), true);
      statuses = new Map();
    }
    if (request !== themeRequest) return;  // another theme was chosen meanwhile
    const colours = Object.fromEntries(Object.entries(AUCTION_COLOURS).map(([k, v]) => [k, Cesium.Color.fromCssColorString(v)]));
    const none = Cesium.Color.WHITE.withAlpha(0.35);
    style = new Cesium.Cesium3DTileStyle();
    style.color = {
      evaluateColor(feature, result) {
        const status = statuses.get(feature.getProperty("parcel")) ?? feature.getProperty("auction_status");
        return Cesium.Color.clone(colours[status] ?? none, result);
      },
    };
  } else if (theme) {
    style = new Cesium.Cesium3DTileStyle({ color: theme.color });
  }
  if (tileset) tileset.style = style;
  legend.hidden = !theme;
  legend.innerHTML = theme ? theme.legend.map(([c, label]) => `<div><i style="background:${c}"></i>${escape(label)}</div>`).join("") : "";
}
document.getElementById("theme").addEventListener("change", (event) => applyTheme(event.target.value));

// --- sign-in for officials: an API key exchanged for a bearer token (kept for the tab) ------
const signin = document.getElementById("signin");
const signinForm = document.getElementById("signin-form");
let lastCard = null;
function showSignedIn() {
  const name = sessionStorage.getItem("citymodel-user");
  signin.textContent = name ? `${t("signOut")} (${name})` : t("signIn");
}
signin.addEventListener("click", () => {
  if (sessionStorage.getItem("citymodel-token")) {
    sessionStorage.removeItem("citymodel-token");
    sessionStorage.removeItem("citymodel-user");
    showSignedIn();
    if (lastCard) openParcel(lastCard);
    return;
  }
  signinForm.hidden = !signinForm.hidden;
});
signinForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = new URLSearchParams({ grant_type: "client_credentials", client_secret: document.getElementById("key").value });
  const response = await fetch("/auth/token", { method: "POST", body });
  if (!response.ok) {
    say(t("signInFailed"), true);
    return;
  }
  const token = await response.json();
  sessionStorage.setItem("citymodel-token", token.access_token);
  sessionStorage.setItem("citymodel-user", token.name);
  document.getElementById("key").value = "";
  signinForm.hidden = true;
  say("");
  showSignedIn();
  if (lastCard) openParcel(lastCard);  // now with what officials may see
});

// --- language ------------------------------------------------------------------------------
function translate() {
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  document.documentElement.lang = language();
  document.getElementById("lang").textContent = language() === "ru" ? "EN" : "RU";
  showSignedIn();
}
document.getElementById("lang").addEventListener("click", () => { setLanguage(language() === "ru" ? "en" : "ru"); translate(); });
translate();

loadTileset();
