// The side panel: a building's attributes and the card of its parcel (areas, permitted use,
// rights and encumbrances, auction history with links to the source notices, its zones and
// the nearest services), and the parcel's outline on the ground; or a city service's card.
import { procurementEntriesHtml, procurementHtml } from "./procurement.js";
import { api } from "./api.js";
import { escape, money } from "./html.js";
import { t } from "./i18n.js";

const Cesium = window.Cesium;

const rows = (pairs) =>
  `<table>${pairs.map(([k, v]) => `<tr><td>${escape(k)}</td><td>${v && v.html ? v.html : escape(v)}</td></tr>`).join("")}</table>`;
const number = (value, digits = 0) => (value == null ? null : Number(value).toLocaleString(undefined, { maximumFractionDigits: digits }));
const safeUrl = (url) => (/^https?:\/\//i.test(url || "") ? url : null);

export class ParcelCard {
  constructor(viewer, panel, onChange) {
    this.viewer = viewer;
    this.panel = panel;
    this.body = panel.querySelector("#card");
    this.onChange = onChange;  // (cadastral number or null) → the shareable URL
    this.path = null;
    this.building = null;
    this.parcel = null;
    this.outline = undefined;
    panel.querySelector("#close").addEventListener("click", () => this.close());
    this.volume = undefined;
    this.body.addEventListener("click", (event) => {
      const button = event.target.closest(".envelope-toggle");
      if (button) this.toggleEnvelope(button.dataset.number);
    });
  }

  // path: /parcels/{number} or /parcels/at?…; building: the picked building's properties,
  // whose own card (/buildings/{id}: the procurement for it) is fetched alongside
  async open(path, building) {
    const opened = this.opened = (this.opened || 0) + 1;
    this.path = path;
    this.building = building;
    this.buildingCard = null;
    this.panel.hidden = false;
    const own = building && building.building_id != null
      ? api(`/buildings/${encodeURIComponent(building.building_id)}`).catch(() => null) : null;
    this.body.innerHTML = (building ? this.buildingHtml(building) : "") + `<p class="loading">${t("loading")}</p>`;
    let parcel = null, failure = null;
    if (path) {
      try {
        parcel = await api(path);
      } catch (error) {
        failure = error;
      }
    }
    const card = own ? await own : null;
    if (opened !== this.opened) return null;  // another card was opened meanwhile
    this.buildingCard = card;
    const head = building ? this.buildingHtml(building, card) : "";
    if (!path || (failure && failure.status === 404)) {
      this.show(null, head + `<p>${t("noParcel")}</p>`);
      return null;
    }
    if (failure) {
      this.show(null, head + `<p class="error">${t("apiUnreachable")}</p>`);
      return null;
    }
    this.show(parcel, head + this.parcelHtml(parcel));
    return parcel;
  }

  refresh() {  // after signing in or out: what this user may see
    if (this.path && !this.panel.hidden) this.open(this.path, this.building);
  }

  async update() {  // the data changed: show the open card's new state, if it has one
    const path = this.path;
    if (!path || this.panel.hidden || !this.parcel) return;
    let parcel;
    try {
      parcel = await api(path);
    } catch (error) {
      return;  // gone, or the API is away: the card keeps what it showed
    }
    if (this.path !== path || JSON.stringify(parcel) === JSON.stringify(this.parcel)) return;
    const head = this.building ? this.buildingHtml(this.building, this.buildingCard) : "";
    this.show(parcel, head + this.parcelHtml(parcel));
  }

  close() {
    this.opened = (this.opened || 0) + 1;  // a card still loading is not shown
    this.panel.hidden = true;
    this.path = null;
    this.show(null, "");
  }

  show(parcel, html) {
    if (this.volume) {
      this.volume.forEach((e) => this.viewer.entities.remove(e));
      this.volume = undefined;
    }
    this.parcel = parcel;
    this.body.innerHTML = html;
    this.drawOutline(parcel);
    this.onChange(parcel ? parcel.cadastral_number : null);
  }

  // the picked building's attributes; with its card, the procurement for it
  buildingHtml(b, card) {
    let html = `<h2 data-building="${escape(b.building_id)}">${t("building")} ${escape(b.building_id)}</h2>` + rows([
      [t("address"), b.address], [t("height"), number(b.height, 1)], [t("floors"), b.floors],
      [t("use"), b.use], [t("year"), b.year_built]]);
    if (card && card.procurement.length) {
      html += `<h3>${t("buildingProcurement")}</h3><div class="building-procurement">`
        + `<p>${t("contracted")}: <b>${money(card.contracted)}</b></p>${procurementEntriesHtml(card.procurement, card.id)}</div>`;
    }
    return html;
  }

  parcelHtml(p) {
    let html = `<h2 data-cadastral-number="${escape(p.cadastral_number)}">${t("parcel")} ${escape(p.cadastral_number)}</h2>` + rows([
      [t("address"), p.address], [t("declaredArea"), number(p.declared_area_m2)], [t("computedArea"), number(p.computed_area_m2, 2)],
      [t("permittedUse"), p.permitted_use_text || p.permitted_use], [t("landCategory"), p.land_category]]);
    html += `<h3>${t("rights")}</h3>`;
    html += p.rights.length ? `<div class="rights">${rows(p.rights.map((r) => [r.type_name || r.type_code,
      r.holder_name ?? (r.holder_kind === "individual" ? t("privateHolder") : "—")]))}</div>` : "<p>—</p>";
    html += `<h3>${t("auctions")}</h3>`;
    html += p.auctions.length ? `<div class="auction-history">${rows(p.auctions.map((a) => {
      const url = safeUrl(a.source_url);
      const name = `${a.notice_number} / ${a.lot_number}`;
      const status = escape(a.status ? t(`status_${a.status}`) : "—");
      return [name, { html: url ? `${status} · <a href="${escape(url)}" target="_blank" rel="noopener">${t("notice")}</a>` : status }];
    }))}</div>` : "<p>—</p>";
    html += procurementHtml(p, this.building ? this.building.building_id : null);
    return html + this.planningHtml(p);
  }

  // What the city's planning data say of the parcel: its territorial zone with the zone's
  // parameters, the restriction and heritage zones on it, the nearest services.
  planningHtml(p) {
    const limit = (zone, name, digits = 1) => (zone[name] != null ? number(zone[name], digits)
      : zone.limits_text && zone.limits_text[name] ? t(`limit_${zone.limits_text[name]}`) : "—");
    let html = `<h3>${t("territorialZone")}</h3>`;
    const z = p.territorial_zone;
    html += z ? `<div class="territorial-zone" data-zone="${escape(z.zone_code)}">` + rows([
      [z.zone_code || "—", z.name], [t("maxHeight"), limit(z, "max_height_m")], [t("maxFloors"), limit(z, "max_floors", 0)],
      [t("maxCoverage"), limit(z, "max_coverage_pct")], [t("maxDensity"), limit(z, "max_density")],
      [t("minSetback"), limit(z, "min_setback_m")], [t("permittedUses"), (z.permitted_uses || []).join(", ") || "—"],
      [t("shareOfParcel"), number(z.share_of_parcel_pct, 1)]]) + "</div>" : "<p>—</p>";
    html += `<h3>${t("restrictionZones")}</h3>`;
    html += p.restriction_zones && p.restriction_zones.length ? `<div class="restriction-zones">${p.restriction_zones.map((r) =>
      `<div class="zone-${escape(r.kind)}" data-zone="${escape(r.registry_number || r.zone_code)}"><b>${escape(t(`zone_${r.kind}`))}</b> `
      + `${escape(r.registry_number || r.zone_code || "")} — ${escape(r.name || "")}. ${t("overlap")}: ${escape(number(r.overlap_m2, 1))}`
      + (r.restrictions ? `<p class="restrictions">${escape(r.restrictions)}</p>` : "") + "</div>").join("")}</div>` : "<p>—</p>";
    html += `<h3>${t("envelope")}</h3><p><button type="button" class="envelope-toggle" `
      + `data-number="${escape(p.cadastral_number)}">${t("showEnvelope")}</button></p><div class="envelope"></div>`;
    html += `<h3>${t("nearestServices")}</h3>`;
    html += p.nearest_services && p.nearest_services.length ? `<div class="nearest-services">${rows(p.nearest_services.map((n) =>
      [t(`category_${n.category}`), `${n.name || n.kind} — ${number(n.distance_m)} ${t("distanceM")}`]))}</div>` : "<p>—</p>";
    return html;
  }

  // A city service (a GeoJSON feature of /collections/services/items or /services)
  openService(feature) {
    this.opened = (this.opened || 0) + 1;
    this.path = null;
    this.building = null;
    this.panel.hidden = false;
    const s = feature.properties;
    const capacity = s.capacity != null ? `${number(s.capacity)} ${s.capacity_unit ? t(s.capacity_unit) : ""}` : null;
    this.show(null, `<h2 class="service-card" data-service="${escape(feature.id)}">${escape(s.name || t("service"))}</h2>` + rows([
      [t("category"), t(`category_${s.category}`)], [t("kind"), s.kind], [t("address"), s.address],
      [t("capacity"), capacity], [t("openingHours"), s.opening_hours]]));
  }

  // What the rules allow on the parcel: figures in the card, a translucent volume on the map.
  async toggleEnvelope(cadastral) {
    const entities = this.viewer.entities;
    if (this.volume) {
      this.volume.forEach((e) => entities.remove(e));
      this.volume = undefined;
      this.body.querySelector(".envelope").innerHTML = "";
      return;
    }
    let found;
    try {
      found = await api(`/parcels/${encodeURIComponent(cadastral)}/envelope`);
    } catch (error) {
      this.body.querySelector(".envelope").innerHTML = `<p class="error">${escape(error.message)}</p>`;
      return;
    }
    const e = found.properties;
    this.body.querySelector(".envelope").innerHTML = rows([
      [t("envelopeFootprint"), number(e.footprint_m2)], [t("height"), e.height_m ?? "—"], [t("floors"), e.floors ?? "—"],
      [t("envelopeFloorArea"), number(e.max_floor_area_m2)], [t("envelopeLeft"), number(e.floor_area_left_m2)],
      [t("envelopeBinding"), t(`binding_${e.binding}`)]]);
    if (!found.geometry) return;
    const polygons = found.geometry.type === "Polygon" ? [found.geometry.coordinates] : found.geometry.coordinates;
    const positions = (ring) => Cesium.Cartesian3.fromDegreesArray(ring.flat());
    this.volume = polygons.map((rings) => entities.add({
      polygon: { hierarchy: new Cesium.PolygonHierarchy(positions(rings[0]), rings.slice(1).map((r) => new Cesium.PolygonHierarchy(positions(r)))),
        height: 0, extrudedHeight: e.height_m ?? 100, material: Cesium.Color.fromCssColorString("#2ca02c").withAlpha(0.3),
        outline: true, outlineColor: Cesium.Color.fromCssColorString("#2ca02c") },
    }));
  }

  // The parcel's boundary: a yellow line and a light fill on the ground.
  drawOutline(parcel) {
    const entities = this.viewer.entities;
    if (this.outline) this.outline.forEach((entity) => entities.remove(entity));
    this.outline = undefined;
    if (!parcel || !parcel.geometry) return;
    const polygons = parcel.geometry.type === "Polygon" ? [parcel.geometry.coordinates] : parcel.geometry.coordinates;
    this.outline = [];
    for (const rings of polygons) {
      const positions = (ring) => Cesium.Cartesian3.fromDegreesArray(ring.flatMap(([x, y]) => [x, y]));
      this.outline.push(entities.add({
        polygon: { hierarchy: new Cesium.PolygonHierarchy(positions(rings[0]), rings.slice(1).map((r) => new Cesium.PolygonHierarchy(positions(r)))),
          material: Cesium.Color.YELLOW.withAlpha(0.3), classificationType: Cesium.ClassificationType.TERRAIN },
      }));
      this.outline.push(entities.add({
        polyline: { positions: positions(rings[0]), width: 3, material: Cesium.Color.YELLOW, clampToGround: true },
      }));
    }
  }
}
