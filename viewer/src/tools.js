// Shadows of the buildings at a chosen date and time, and a tool measuring distances
// along points picked on buildings or on the ground.
import { pickPoint } from "./globe.js";
import { t } from "./i18n.js";

const Cesium = window.Cesium;

// Shadow times are wall-clock times in the city (its time zone comes from the API), whatever
// the browser's zone: "2026-06-21T15:00" → the instant it is 15:00 there.
export function cityTime(local, timeZone) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local || "")) return null;
  const asUtc = new Date(`${local}:00Z`);
  if (Number.isNaN(asUtc.getTime())) return null;
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).formatToParts(asUtc).map((p) => [p.type, p.value]));
  const shown = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
  return new Date(asUtc.getTime() - (shown - asUtc.getTime()));
}

// Today at noon in the city, as a datetime-local value.
export function cityNoon(timeZone) {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  return `${today}T12:00`;
}

// Shadows on at a city wall-clock time, or off (the sun then stays at that day's noon, so
// the buildings are lit as by day whenever the page is opened).
export function setShadows(viewer, when, timeZone) {
  viewer.shadows = Boolean(when);
  viewer.clock.shouldAnimate = false;
  viewer.clock.currentTime = Cesium.JulianDate.fromDate(cityTime(when || cityNoon(timeZone), timeZone));
  viewer.shadowMap.softShadows = true;
  viewer.shadowMap.maximumDistance = 5000;
}

const geodesicLength = (a, b) => {
  const geodesic = new Cesium.EllipsoidGeodesic(Cesium.Cartographic.fromCartesian(a), Cesium.Cartographic.fromCartesian(b));
  return geodesic.surfaceDistance;
};

export function formatDistance(metres) {
  return metres >= 1000 ? `${(metres / 1000).toLocaleString(undefined, { maximumFractionDigits: 3 })} ${t("km")}`
    : `${metres.toLocaleString(undefined, { maximumFractionDigits: 1 })} ${t("m")}`;
}

// Click points; the line and the distance along it (over the ellipsoid, as on a map) are
// drawn; a double click or Escape ends the line, a new click starts another.
export class MeasureTool {
  constructor(viewer, output) {
    this.viewer = viewer;
    this.output = output;
    this.active = false;
    this.points = [];
    this.finished = false;
    this.entities = [];
    document.addEventListener("keydown", (event) => { if (event.key === "Escape") this.finish(); });
  }

  toggle(active = !this.active) {
    this.active = active;
    this.clear();
    this.output.hidden = !active;
    this.output.textContent = active ? t("measureHint") : "";
    this.viewer.scene.canvas.style.cursor = active ? "crosshair" : "";
  }

  clear() {
    this.entities.forEach((entity) => this.viewer.entities.remove(entity));
    this.entities = [];
    this.points = [];
    this.finished = false;
  }

  click(position) {
    const point = pickPoint(this.viewer, position);
    if (!point) return;
    if (this.finished) this.clear();
    this.points.push(point);
    this.entities.push(this.viewer.entities.add({
      position: point, point: { pixelSize: 8, color: Cesium.Color.ORANGE, disableDepthTestDistance: Number.POSITIVE_INFINITY } }));
    if (this.points.length === 2) {
      this.entities.push(this.viewer.entities.add({ polyline: {
        positions: new Cesium.CallbackProperty(() => this.points, false), width: 3,
        material: Cesium.Color.ORANGE, depthFailMaterial: Cesium.Color.ORANGE.withAlpha(0.5) } }));
    }
    this.report();
  }

  finish() {
    if (this.active && this.points.length) this.finished = true;
  }

  get distance() {
    let total = 0;
    for (let i = 1; i < this.points.length; i++) total += geodesicLength(this.points[i - 1], this.points[i]);
    return total;
  }

  // the points as [lon, lat, height] in degrees and metres (for the URL and tests)
  get coordinates() {
    return this.points.map((p) => {
      const c = Cesium.Cartographic.fromCartesian(p);
      return [Cesium.Math.toDegrees(c.longitude), Cesium.Math.toDegrees(c.latitude), c.height];
    });
  }

  report() {
    this.output.textContent = this.points.length < 2 ? t("measureHint") : `${t("distance")}: ${formatDistance(this.distance)}`;
    this.output.dataset.metres = this.points.length < 2 ? "" : this.distance.toFixed(3);
  }
}
