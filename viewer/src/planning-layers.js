// The city's planning data on the globe: zones (vector tiles draped on the ground, coloured
// by kind — restriction and heritage zones hatched, so they stand out over everything),
// linear objects of the register (pipes, cables: lines on the ground, their points as dots)
// and city services (a pin per service with its category's symbol; a click opens its card).
import { api } from "./api.js";
import { createVectorLayer, tracePath } from "./vector-layer.js";

const Cesium = window.Cesium;

export const ZONE_STYLES = {
  territorial: { colour: "#3b78d8", fill: 0.12, hatch: false, label: "zone_territorial" },
  restriction: { colour: "#d62728", fill: 0.18, hatch: true, label: "zone_restriction" },
  heritage: { colour: "#8e44ad", fill: 0.18, hatch: true, label: "zone_heritage" },
  other: { colour: "#7f7f7f", fill: 0.12, hatch: false, label: "zone_other" },
};
export const SERVICE_STYLES = {  // a Maki icon shipped with CesiumJS, a colour
  education: { icon: "school", colour: "#1f77b4" },
  health: { icon: "hospital", colour: "#d62728" },
  culture: { icon: "museum", colour: "#9467bd" },
  sport: { icon: "pitch", colour: "#2ca02c" },
  tourism: { icon: "star", colour: "#ff7f0e" },
  social: { icon: "heart", colour: "#e377c2" },
};
export const LINE_COLOUR = "#ff7f0e";

function hatch(context, colour) {
  const tile = document.createElement("canvas");
  tile.width = tile.height = 8;
  const c = tile.getContext("2d");
  c.strokeStyle = colour;
  c.lineWidth = 1.5;
  c.beginPath();
  c.moveTo(0, 8);
  c.lineTo(8, 0);
  c.stroke();
  return context.createPattern(tile, "repeat");
}

export function createZonesLayer(viewer, onProblem) {
  return createVectorLayer(viewer, "zones", (context, feature, scale) => {
    if (feature.type !== 3) return undefined;
    const style = ZONE_STYLES[feature.properties.kind] || ZONE_STYLES.other;
    const colour = Cesium.Color.fromCssColorString(style.colour);
    tracePath(context, feature, scale);
    context.fillStyle = colour.withAlpha(style.fill).toCssColorString();
    context.fill("evenodd");
    if (style.hatch) {
      context.fillStyle = hatch(context, colour.withAlpha(0.7).toCssColorString());
      context.fill("evenodd");
    }
    context.setLineDash(style.hatch ? [6, 3] : []);
    context.lineWidth = style.hatch ? 2 : 1.5;
    context.strokeStyle = style.colour;
    context.stroke();
    context.setLineDash([]);
    return [feature.properties.registry_number || feature.properties.zone_code, feature.properties.kind];
  }, onProblem);
}

// The register's linear objects (lines) and point objects (dots), shown and hidden together.
export function createNetworksLayers(viewer, onProblem) {
  const lines = createVectorLayer(viewer, "linear_objects", (context, feature, scale, level) => {
    if (feature.type !== 2) return undefined;
    tracePath(context, feature, scale);
    context.lineWidth = level >= 16 ? 4 : 2.5;
    context.lineCap = context.lineJoin = "round";
    context.strokeStyle = LINE_COLOUR;
    context.stroke();
    return [feature.properties.cadastral_number, "line"];
  }, onProblem);
  const points = createVectorLayer(viewer, "point_objects", (context, feature, scale) => {
    if (feature.type !== 1) return undefined;
    context.fillStyle = LINE_COLOUR;
    context.strokeStyle = "#333";
    for (const part of feature.loadGeometry()) {
      for (const p of part) {
        context.beginPath();
        context.arc(p.x * scale, p.y * scale, 4, 0, 2 * Math.PI);
        context.fill();
        context.stroke();
      }
    }
    return [feature.properties.cadastral_number, "point"];
  }, onProblem);
  return {
    drawn: lines.drawn, points: points.drawn,
    get show() { return lines.layer.show; },
    set show(on) { lines.layer.show = on; points.layer.show = on; },
    refresh() { lines.refresh(); points.refresh(); },
  };
}

// Entities of the API's data for the view, loaded again as the camera comes to rest.
class ViewLayer {
  constructor(viewer, name, onProblem) {
    this.viewer = viewer;
    this.onProblem = onProblem;
    this.source = new Cesium.CustomDataSource(name);
    this.source.show = false;
    viewer.dataSources.add(this.source);
    this.request = 0;
    viewer.camera.moveEnd.addEventListener(() => { if (this.show) this.load(); });
  }

  get show() { return this.source.show; }

  set show(on) {
    this.source.show = on;
    if (on) this.load();
  }
}

// City services in the view, loaded again as the camera moves (the OGC API's bbox).
export class ServicesLayer extends ViewLayer {
  constructor(viewer, onProblem) {
    super(viewer, "services", onProblem);
    this.pins = new Map();  // category → canvas (a promise while it is drawn)
    this.loaded = new Map();  // id → the service's GeoJSON feature
  }

  pin(category) {
    if (!this.pins.has(category)) {
      const style = SERVICE_STYLES[category] || { icon: "marker", colour: "#555" };
      this.pins.set(category, new Cesium.PinBuilder().fromMakiIconId(
        style.icon, Cesium.Color.fromCssColorString(style.colour), 40));
    }
    return this.pins.get(category);
  }

  async load() {
    const request = ++this.request;
    const view = this.viewer.camera.computeViewRectangle();
    if (!view) return;
    const box = [view.west, view.south, view.east, view.north].map((r) => Cesium.Math.toDegrees(r).toFixed(6));
    let found;
    try {
      found = await api(`/collections/services/items?bbox=${box.join(",")}&limit=1000`);
    } catch (error) {
      this.onProblem();
      return;
    }
    if (request !== this.request) return;  // the camera moved on meanwhile
    const seen = new Set();
    for (const feature of found.features) {
      seen.add(feature.id);
      this.loaded.set(feature.id, feature);
      const id = `service-${feature.id}`;
      const [lon, lat] = feature.geometry.coordinates;
      const existing = this.source.entities.getById(id);
      if (existing) {
        existing.position = Cesium.Cartesian3.fromDegrees(lon, lat);
        existing.service = feature;
        continue;
      }
      const entity = this.source.entities.add({
        id, position: Cesium.Cartesian3.fromDegrees(lon, lat),
        billboard: { image: await this.pin(feature.properties.category), verticalOrigin: Cesium.VerticalOrigin.BOTTOM,
          heightReference: Cesium.HeightReference.CLAMP_TO_GROUND, disableDepthTestDistance: Number.POSITIVE_INFINITY },
      });
      entity.service = feature;
    }
    for (const entity of [...this.source.entities.values]) {
      if (!seen.has(entity.service.id)) {
        this.source.entities.remove(entity);
        this.loaded.delete(entity.service.id);
      }
    }
  }

  refresh() {  // the data changed
    for (const entity of [...this.source.entities.values]) this.source.entities.remove(entity);
    this.loaded.clear();
    if (this.show) this.load();
  }

  // the service at a picked object, if it is one of ours
  serviceOf(picked) {
    const entity = picked && picked.id;
    return entity instanceof Cesium.Entity && entity.service && this.source.entities.contains(entity)
      ? entity.service : null;
  }
}

// The investment map: parcels only the city owns, unencumbered, with floor area left under
// their envelope (/parcels?buildable=true), green by how much is left; loaded for the view.
export class BuildableLayer extends ViewLayer {
  constructor(viewer, onProblem, onTooWide) {
    super(viewer, "buildable", onProblem);
    this.onTooWide = onTooWide;
    this.found = [];
  }

  async load() {
    const request = ++this.request;
    const view = this.viewer.camera.computeViewRectangle();
    if (!view) return;
    let [w, s, e, n] = [view.west, view.south, view.east, view.north].map(Cesium.Math.toDegrees);
    if ((e - w) * (n - s) > 0.05) {  // the API's limit: about 25 km² around the centre
      const [cx, cy, half] = [(w + e) / 2, (s + n) / 2, Math.sqrt(0.05) / 2 * 0.99];
      [w, s, e, n] = [cx - half, cy - half, cx + half, cy + half];
      this.onTooWide();
    }
    let found;
    try {
      found = await api(`/parcels?buildable=true&bbox=${[w, s, e, n].map((v) => v.toFixed(6)).join(",")}&limit=500`);
    } catch (error) {
      this.onProblem();
      return;
    }
    if (request !== this.request) return;
    this.source.entities.removeAll();
    this.found = found.features;
    const most = Math.max(1, ...found.features.map((f) => f.properties.floor_area_left_m2));
    for (const feature of found.features) {
      const g = feature.geometry;
      if (!g) continue;
      const share = feature.properties.floor_area_left_m2 / most;
      const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      for (const rings of polygons) {
        const entity = this.source.entities.add({ polygon: {
          hierarchy: new Cesium.PolygonHierarchy(Cesium.Cartesian3.fromDegreesArray(rings[0].flat())),
          material: Cesium.Color.fromCssColorString("#1a9850").withAlpha(0.25 + 0.5 * share),
          classificationType: Cesium.ClassificationType.TERRAIN } });
        entity.buildable = feature;
      }
    }
  }

  parcelOf(picked) {
    const entity = picked && picked.id;
    return entity instanceof Cesium.Entity && entity.buildable && this.source.entities.contains(entity)
      ? entity.buildable.properties.cadastral_number : null;
  }
}
