// The Scenarios panel: a planner's proposals in the 3D city. List and create scenarios, draw
// a building's footprint on the ground and give it a height and a use, mark buildings for
// demolition (they disappear from the view), run the checks and read the report (a click on
// a line highlights what it is about), compare scenarios, publish one, share its link.
// Proposals are drawn from the scenario's own 3D Tiles tileset (the API builds it on
// request, with the city tileset's metadata); a click on one, or its ✎, edits it: drag its
// corners on the ground, change its height or use.
import { api, authHeaders, signedInAs } from "./api.js";
import { groundPoint, pickGround } from "./globe.js";
import { escape } from "./html.js";
import { t } from "./i18n.js";

const Cesium = window.Cesium;
const PROPOSED = Cesium.Color.fromCssColorString("#00b7c7");
const HIGHLIGHT = Cesium.Color.RED;
const STATUS_ORDER = ["violation", "warning", "no_data", "ok", "not_applicable"];
const USES = ["residential", "office", "retail", "hotel", "school", "kindergarten", "clinic", "hospital",
  "culture", "sport", "industrial", "garage"];
const TOTALS = ["floor_area_m2", "residents", "max_height_m", "coverage_pct", "density", "violations", "warnings",
  "demolished_floor_area_m2"];

export class ScenariosPanel {
  constructor(viewer, panel, { onHidden, say, onOpen, onSun }) {
    this.viewer = viewer;
    this.panel = panel;
    this.onHidden = onHidden;  // (set of demolished building ids) → restyle the tileset
    this.onOpen = onOpen;  // (scenario id or null) → the shareable URL
    this.say = say;
    this.onSun = onSun;  // shadows at the insolation norm's date and time
    this.proposals = null;  // the scenario's tileset of proposed buildings
    this.proposalIds = new Map();  // the report's subject ("building Корпус Б") → proposal id
    this.loading = 0;  // which load of the proposals is the newest
    this.highlight = new Cesium.CustomDataSource("scenario-highlight");
    viewer.dataSources.add(this.highlight);
    this.scenario = null;  // the open one
    this.report = null;
    this.mode = null;  // "draw" | "demolish" | "form" (the new building's form) | "edit" | null
    this.editing = null;  // the proposal being edited
    this.dragging = null;  // the index of the corner being dragged
    this.points = [];
    this.holes = [];  // of the polygon being edited
    this.sketch = null;
    this.highlighted = null;  // index of the report line shown
    this.flying = false;
    this.hidden = new Set();
    panel.addEventListener("click", (event) => this.clicked(event));
    panel.addEventListener("submit", (event) => this.submitted(event));
    panel.addEventListener("change", (event) => { if (event.target.name === "upload") this.upload(event.target); });
    // dragging a corner of the proposal being edited
    const drag = new Cesium.ScreenSpaceEventHandler(viewer.scene.canvas);
    drag.setInputAction((e) => this.pressed(e.position), Cesium.ScreenSpaceEventType.LEFT_DOWN);
    drag.setInputAction((e) => this.moved(e.endPosition), Cesium.ScreenSpaceEventType.MOUSE_MOVE);
    drag.setInputAction(() => this.released(), Cesium.ScreenSpaceEventType.LEFT_UP);
  }

  toggle(show = this.panel.hidden) {
    this.panel.hidden = !show;
    if (show) this.list();
  }

  // --- the list ---------------------------------------------------------------------------
  async list() {
    this.scenario = null;
    this.setMode(null);
    let found;
    try {
      found = await api("/scenarios");
    } catch (error) {
      this.body(`<p class="error">${t("apiUnreachable")}</p>`);
      return;
    }
    const items = found.scenarios.map((s) => `<li data-scenario="${s.id}"><label><input type="checkbox" `
      + `name="compare" value="${s.id}"></label> <a href="#" data-open="${s.id}">${escape(s.name)}</a> `
      + `<small>${escape(s.owner)}${s.published ? ` · ${t("published")}` : ""}</small></li>`).join("");
    this.body(`<form class="new-scenario"><input name="name" required maxlength="200" placeholder="${t("scenarioName")}">`
      + `<button type="submit">${t("create")}</button></form>`
      + `<ol class="scenario-list">${items || `<li>${t("noScenarios")}</li>`}</ol>`
      + `<button type="button" data-action="compare">${t("compare")}</button><div class="comparison"></div>`);
  }

  body(html) {
    this.panel.querySelector(".content").innerHTML = html;
  }

  // --- one scenario -----------------------------------------------------------------------
  async open(id) {
    let scenario;
    try {
      scenario = await api(`/scenarios/${id}`);
    } catch (error) {
      this.say(error.status === 404 ? t("noScenario") : t("apiUnreachable"), true);
      return null;
    }
    this.scenario = scenario;
    this.panel.hidden = false;
    this.onOpen(scenario.id);
    this.drawProposals();
    this.hidden = new Set(scenario.demolitions);
    this.onHidden(this.hidden);
    this.report = null;
    try {
      this.report = await api(`/scenarios/${id}/report`);
    } catch (error) { /* not checked yet */ }
    this.show();
    return scenario;
  }

  // the scenarios changed on the server (another tab, another planner): show them again,
  // unless the user is drawing or filling in a building
  async refresh() {
    if (this.panel.hidden || this.mode) return;
    if (this.scenario) await this.open(this.scenario.id);
    else await this.list();
  }

  close() {
    this.scenario = null;
    this.report = null;
    this.setMode(null);
    this.loading += 1;
    this.showProposals(null);
    this.highlight.entities.removeAll();
    this.hidden = new Set();
    this.onHidden(this.hidden);
    this.onOpen(null);
    this.list();
  }

  show() {
    const s = this.scenario;
    const buildings = s.buildings.features.map((f) => `<li data-building="${f.id}">${escape(f.properties.name || `#${f.id}`)}: `
      + `${escape(t(`use_${f.properties.use}`))}, ${f.properties.height} ${t("m")}`
      + (this.mine ? ` <button type="button" data-edit="${f.id}" title="${t("edit")}">✎</button>` : " ")
      + `<button type="button" data-remove="${f.id}" title="${t("remove")}">×</button></li>`).join("");
    const demolished = s.demolitions.map((id) => `<li data-demolished="${id}">${t("building")} ${id}`
      + ` <button type="button" data-keep="${id}" title="${t("keep")}">↺</button></li>`).join("");
    let html = `<p><a href="#" data-action="back">← ${t("scenariosPanel")}</a></p>`
      + `<h3 data-scenario-open="${s.id}">${escape(s.name)}</h3><p><small>${escape(s.owner)}</small></p>`
      + `<label><input type="checkbox" data-action="publish" ${s.published ? "checked" : ""}> ${t("published")}</label>`
      + `<div class="tools"><button type="button" data-action="draw">${t("drawBuilding")}</button>`
      + `<label class="upload button">${t("uploadGeoJSON")}<input type="file" name="upload" accept=".geojson,.json,application/geo+json"></label>`
      + `<button type="button" data-action="demolish">${t("demolish")}</button>`
      + `<button type="button" data-action="check">${t("runChecks")}</button>`
      + `<button type="button" data-action="share">${t("share")}</button>`
      + `<button type="button" data-action="sun">${t("normSun")}</button></div>`
      + `<div class="proposal-form"></div>`
      + `<h4>${t("proposed")}</h4><ul class="proposed">${buildings || "<li>—</li>"}</ul>`
      + `<h4>${t("demolished")}</h4><ul class="demolished">${demolished || "<li>—</li>"}</ul>`;
    if (this.report) html += this.reportHtml(this.report);
    this.body(html);
  }

  reportHtml(report) {
    const order = (f) => STATUS_ORDER.indexOf(f.status);
    const lines = report.findings.map((f, i) => [f, i]).sort((a, b) => order(a[0]) - order(b[0]));
    return `<h4>${t("report")}: <span class="status s-${report.status}">${t(`st_${report.status}`)}</span></h4>`
      + (report.stale ? `<p class="stale">${t("staleReport")}</p>` : "")
      + `<p><a href="/scenarios/${this.scenario.id}/report?f=html" target="_blank" rel="noopener">${t("printable")}</a></p>`
      + `<ol class="findings">${lines.map(([f, i]) => `<li tabindex="0" data-finding="${i}" data-rule="${f.rule}" `
        + `data-status="${f.status}" class="f-${f.status}${f.geometry ? " has-geometry" : ""}">`
        + `<b>${escape(t(`rule_${f.rule}`))}</b> · ${escape(t(`st_${f.status}`))}: ${escape(f.message)}`
        + (f.source ? ` <small>(${escape(f.source)})</small>` : "") + "</li>").join("")}</ol>`
      + `<p><small>${escape(report.note || "")}</small></p>`;
  }

  // the scenario's proposals from its tileset; a newer call (the scenario changed again
  // meanwhile) wins
  async drawProposals() {
    const s = this.scenario;
    const load = ++this.loading;
    this.proposalIds = new Map(s.buildings.features.map((f) => [`building ${f.properties.name || f.id}`, f.id]));
    let fresh = null;
    if (s.buildings.features.length) {
      try {
        fresh = await Cesium.Cesium3DTileset.fromUrl(new Cesium.Resource({
          url: `/scenarios/${s.id}/tileset.json?v=${encodeURIComponent(s.updated_at)}`, headers: authHeaders() }));
      } catch (error) {
        this.say(t("apiUnreachable"), true);
      }
    }
    if (load !== this.loading) {
      if (fresh) fresh.destroy();
      return;
    }
    this.showProposals(fresh);
  }

  showProposals(tileset) {
    if (this.proposals) this.viewer.scene.primitives.remove(this.proposals);  // and destroys it
    this.proposals = tileset;
    if (!tileset) return;
    this.viewer.scene.primitives.add(tileset);
    this.styleProposals(this.highlightedProposal);
  }

  // proposals in their colour, the one a report line is about in red
  styleProposals(chosen = null) {
    this.highlightedProposal = chosen;
    if (!this.proposals) return;
    const conditions = [["true", `color('${PROPOSED.toCssHexString()}', 0.8)`]];
    if (chosen != null) conditions.unshift([`\${building_id} === ${Number(chosen)}`, "color('red', 0.9)"]);
    this.proposals.style = new Cesium.Cesium3DTileStyle({ color: { conditions } });
  }

  get mine() { return Boolean(this.scenario) && this.scenario.owner === signedInAs(); }

  // a click on a proposal in the 3D view: its owner edits it, others see it chosen in the list
  clickedProposal(id) {
    if (this.mine) {
      this.edit(id);
      return;
    }
    for (const li of this.panel.querySelectorAll("li[data-building]")) li.classList.toggle("chosen", Number(li.dataset.building) === id);
  }

  // the proposal a picked feature is, if it is one (its id), else null
  proposalOf(picked) {
    if (!(picked instanceof Cesium.Cesium3DTileFeature) || !this.proposals || picked.tileset !== this.proposals) return null;
    return picked.getProperty("building_id");
  }

  // --- clicks in the panel ----------------------------------------------------------------
  async clicked(event) {
    const target = event.target;
    const open = target.closest("[data-open]");
    if (open) {
      event.preventDefault();
      await this.open(open.dataset.open);
      return;
    }
    const finding = target.closest("li[data-finding]");
    if (finding) {
      this.showFinding(Number(finding.dataset.finding));
      return;
    }
    const action = target.closest("[data-action]")?.dataset.action;
    const s = this.scenario;
    try {
      if (action === "back") { event.preventDefault(); this.close(); }
      if (action === "compare") await this.compare();
      if (action === "draw") this.setMode(this.mode === "draw" ? null : "draw");
      if (action === "demolish") this.setMode(this.mode === "demolish" ? null : "demolish");
      if (action === "check") {
        this.say(t("checking"));
        this.report = await api(`/scenarios/${s.id}/check`, "POST");
        this.say("");
        this.show();
      }
      if (action === "publish") {
        await api(`/scenarios/${s.id}`, "PATCH", { published: target.checked });
        s.published = target.checked;
      }
      if (action === "share") await this.share();
      if (action === "sun") this.onSun();
      const edit = target.closest("[data-edit]")?.dataset.edit;
      if (edit) this.edit(Number(edit));
      if (action === "cancel-edit") this.setMode(null);
      const remove = target.closest("[data-remove]")?.dataset.remove;
      if (remove) await this.change(() => api(`/scenarios/${s.id}/buildings/${remove}`, "DELETE"));
      const keep = target.closest("[data-keep]")?.dataset.keep;
      if (keep) await this.change(() => api(`/scenarios/${s.id}/demolitions/${keep}`, "DELETE"));
    } catch (error) {
      this.say(error.message || t("apiUnreachable"), true);
    }
  }

  async submitted(event) {
    event.preventDefault();
    const form = event.target;
    try {
      if (form.classList.contains("new-scenario")) {
        const created = await api("/scenarios", "POST", { name: form.elements.name.value });
        await this.open(created.id);
      } else if (form.classList.contains("proposal")) {
        const value = (name) => form.elements[name].value;
        const properties = { height: Number(value("height")), use: value("use") };
        if (value("floors")) properties.floors = Number(value("floors"));
        if (value("min_height")) properties.min_height = Number(value("min_height"));
        if (value("residential_share")) properties.residential_share = Number(value("residential_share")) / 100;
        if (value("name")) properties.name = value("name");
        const editing = this.scenario.buildings.features.find((f) => f.id === this.editing);
        let geometry = { type: "Polygon", coordinates: [[...this.points, this.points[0]], ...this.holes] };
        if (editing && !this.points.length) geometry = editing.geometry;  // several polygons: kept as they are
        const feature = { type: "Feature", geometry, properties };
        if (editing) await this.change(() => api(`/scenarios/${this.scenario.id}/buildings/${editing.id}`, "PUT", feature));
        else await this.change(() => api(`/scenarios/${this.scenario.id}/buildings`, "POST", feature));
        this.setMode(null);
      }
    } catch (error) {
      this.say(error.message || t("apiUnreachable"), true);
    }
  }

  // proposals from a GeoJSON file (a Feature or a FeatureCollection, in longitude/latitude):
  // the API adds them all or, naming the feature and the field, none
  async upload(input) {
    const file = input.files[0];
    input.value = "";
    if (!file) return;
    let body;
    try {
      body = JSON.parse(await file.text());
    } catch (error) {
      this.say(`${file.name}: ${t("notGeoJSON")}`, true);
      return;
    }
    try {
      await this.change(() => api(`/scenarios/${this.scenario.id}/buildings`, "POST", body));
      this.say("");
    } catch (error) {
      this.say(`${file.name}: ${error.message}`, true);
    }
  }

  async change(request) {  // a change to the open scenario, then show it again
    await request();
    await this.open(this.scenario.id);
  }

  async share() {
    const url = `${location.origin}${location.pathname}#scenario=${this.scenario.id}`;
    try {
      await navigator.clipboard.writeText(url);
      this.say(t("linkCopied"));
    } catch (error) {
      this.say(url);
    }
  }

  async compare() {
    const ids = [...this.panel.querySelectorAll("input[name=compare]:checked")].map((i) => i.value);
    const box = this.panel.querySelector(".comparison");
    if (ids.length < 2) {
      box.innerHTML = `<p>${t("pickTwo")}</p>`;
      return;
    }
    const found = await api(`/scenarios/compare?ids=${ids.join(",")}`);
    const number = (v) => (v == null ? "—" : Number(v).toLocaleString(undefined, { maximumFractionDigits: 1 }));
    box.innerHTML = `<table class="compared"><tr><th></th>${found.scenarios.map((s) => `<th>${escape(s.name)}</th>`).join("")}</tr>`
      + `<tr><td>${t("status")}</td>${found.scenarios.map((s) => `<td class="s-${s.status}">${t(`st_${s.status}`)}</td>`).join("")}</tr>`
      + TOTALS.map((k) => `<tr data-total="${k}"><td>${t(`total_${k}`)}</td>${found.scenarios.map((s) => `<td>${number(s.totals[k])}</td>`).join("")}</tr>`).join("")
      + "</table>";
  }

  // --- a report line on the map -------------------------------------------------------------
  showFinding(index) {
    this.highlight.entities.removeAll();
    this.highlighted = index;
    for (const li of this.panel.querySelectorAll("li[data-finding]")) li.classList.toggle("chosen", Number(li.dataset.finding) === index);
    const finding = this.report.findings[index];
    // a proposed building the line is about turns red itself
    this.styleProposals(this.proposalIds.get(finding?.subject) ?? null);
    if (!finding || !finding.geometry) return;
    const g = finding.geometry;
    const parts = g.type === "GeometryCollection" ? g.geometries : [g];
    const positions = (ring) => Cesium.Cartesian3.fromDegreesArray(ring.flat());
    for (const part of parts) {
      const polygons = part.type === "Polygon" ? [part.coordinates] : part.type === "MultiPolygon" ? part.coordinates : [];
      for (const rings of polygons) {
        this.highlight.entities.add({ polygon: { hierarchy: new Cesium.PolygonHierarchy(positions(rings[0]),
          rings.slice(1).map((r) => new Cesium.PolygonHierarchy(positions(r)))), material: HIGHLIGHT.withAlpha(0.55),
          classificationType: Cesium.ClassificationType.BOTH } });
        this.highlight.entities.add({ polyline: { positions: positions(rings[0]), width: 3, material: HIGHLIGHT, clampToGround: true } });
      }
      const lines = part.type === "LineString" ? [part.coordinates] : part.type === "MultiLineString" ? part.coordinates : [];
      for (const line of lines) this.highlight.entities.add({ polyline: { positions: positions(line), width: 4, material: HIGHLIGHT, clampToGround: true } });
      const points = part.type === "Point" ? [part.coordinates] : part.type === "MultiPoint" ? part.coordinates : [];
      for (const [x, y] of points) {
        this.highlight.entities.add({ position: Cesium.Cartesian3.fromDegrees(x, y, 2), point: { pixelSize: 9, color: HIGHLIGHT,
          outlineColor: Cesium.Color.WHITE, outlineWidth: 1, heightReference: Cesium.HeightReference.CLAMP_TO_GROUND,
          disableDepthTestDistance: Number.POSITIVE_INFINITY } });
      }
    }
    const all = [];
    const collect = (c) => (typeof c[0] === "number" ? all.push(groundPoint(this.viewer, c[0], c[1])) : c.forEach(collect));
    parts.forEach((part) => collect(part.coordinates));
    const sphere = Cesium.BoundingSphere.fromPoints(all);
    this.flying = true;  // until the camera arrives (tests and screenshots wait for it)
    const landed = () => { this.flying = false; };
    this.viewer.camera.flyToBoundingSphere(sphere, { duration: 1.0, complete: landed, cancel: landed,
      offset: new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-60), Math.max(300, sphere.radius * 4)) });
  }

  // --- drawing and demolishing on the map -------------------------------------------------
  setMode(mode) {
    if (this.dragging != null) this.released();
    this.mode = mode;
    if (mode !== "edit") this.editing = null;
    if (mode !== "draw") this.clearSketch();
    for (const name of ["draw", "demolish"]) {
      this.panel.querySelector(`[data-action=${name}]`)?.setAttribute("aria-pressed", String(mode === name));
    }
    if (mode === "draw") this.say(t("drawHint"));
    else if (mode === "demolish") this.say(t("demolishHint"));
    else this.say("");
  }

  get active() { return Boolean(this.mode); }

  // a click on the globe while drawing or demolishing; picked: what is under it
  async mapClick(position, picked) {
    if (this.mode !== "draw" && this.mode !== "demolish") return;
    if (this.mode === "demolish") {
      if (this.proposalOf(picked) != null) return;  // a proposal is removed with its ×, not demolished
      if (picked instanceof Cesium.Cesium3DTileFeature) {
        const id = picked.getProperty("building_id");
        try {
          await this.change(() => api(`/scenarios/${this.scenario.id}/demolitions/${id}`, "PUT"));
        } catch (error) {
          this.say(error.message, true);
        }
      }
      return;
    }
    const point = pickGround(this.viewer, position);
    if (!point) return;
    const c = Cesium.Cartographic.fromCartesian(point);
    const corner = [Number(Cesium.Math.toDegrees(c.longitude).toFixed(8)), Number(Cesium.Math.toDegrees(c.latitude).toFixed(8))];
    const last = this.points[this.points.length - 1];
    if (last && Math.hypot(last[0] - corner[0], last[1] - corner[1]) < 2e-6) return;  // a double click's first click
    this.points.push(corner);
    this.drawSketch();
  }

  finishDrawing() {
    if (this.mode !== "draw" || this.points.length < 3) return;
    this.mode = "form";
    this.say("");
    this.showForm({ height: 30, floors: 10 }, t("addBuilding"));
  }

  // the form of a building's properties, filled with ``values``
  showForm(values, submit, cancel = false) {
    const v = (name) => (values[name] == null ? "" : escape(String(values[name])));
    const share = values.residential_share == null ? "" : Math.round(values.residential_share * 100);
    this.panel.querySelector(".proposal-form").innerHTML = `<form class="proposal">`
      + `<label>${t("name")} <input name="name" maxlength="200" value="${v("name")}"></label>`
      + `<label>${t("height")} <input name="height" type="number" min="1" max="1000" step="0.1" value="${v("height")}" required></label>`
      + `<label>${t("floors")} <input name="floors" type="number" min="1" max="300" step="1" value="${v("floors")}"></label>`
      + `<label>${t("minHeight")} <input name="min_height" type="number" min="0" max="999" step="0.1" value="${v("min_height")}"></label>`
      + `<label>${t("use")} <select name="use">${USES.map((u) => `<option value="${u}"${u === values.use ? " selected" : ""}>`
        + `${t(`use_${u}`)}</option>`).join("")}</select></label>`
      + `<label>${t("residentialShare")} <input name="residential_share" type="number" min="0" max="100" step="1" value="${share}"></label>`
      + `<button type="submit">${submit}</button>`
      + (cancel ? ` <button type="button" data-action="cancel-edit">${t("cancel")}</button>` : "") + "</form>";
  }

  // edit a proposal: its corners become handles to drag on the ground, its properties a form
  edit(id) {
    const feature = this.scenario?.buildings.features.find((f) => f.id === id);
    if (!feature) return;
    this.setMode("edit");
    this.editing = id;
    const g = feature.geometry;
    const polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    if (polygons.length === 1) {  // one polygon: its outer corners are handles, its holes stay
      this.points = polygons[0][0].slice(0, -1).map(([x, y]) => [x, y]);
      this.holes = polygons[0].slice(1);
      this.drawSketch();
      this.say(t("editHint"));
    }
    const p = feature.properties;
    this.showForm({ ...p, min_height: p.min_height || null }, t("save"), true);
    for (const li of this.panel.querySelectorAll("li[data-building]")) li.classList.toggle("chosen", Number(li.dataset.building) === id);
  }

  drawSketch() {
    this.removeSketch();
    const ring = [...this.points, this.points[0]];
    this.sketch = [this.viewer.entities.add({ polyline: { positions: Cesium.Cartesian3.fromDegreesArray(ring.flat()),
      width: 3, material: PROPOSED, clampToGround: true } })];
    this.points.forEach(([x, y], i) => {
      const corner = this.viewer.entities.add({ position: Cesium.Cartesian3.fromDegrees(x, y, 0),
        point: { pixelSize: this.mode === "edit" ? 12 : 7, color: Cesium.Color.WHITE, outlineColor: PROPOSED, outlineWidth: 2,
          heightReference: Cesium.HeightReference.CLAMP_TO_TERRAIN, disableDepthTestDistance: Number.POSITIVE_INFINITY } });
      corner.corner = i;
      this.sketch.push(corner);
    });
  }

  removeSketch() {
    for (const entity of this.sketch || []) this.viewer.entities.remove(entity);
    this.sketch = null;
  }

  clearSketch() {
    this.removeSketch();
    this.points = [];
    this.holes = [];
    const form = this.panel.querySelector(".proposal-form");
    if (form) form.innerHTML = "";
    if (this.mode === "form") this.mode = null;
  }

  // --- dragging a corner while editing ------------------------------------------------------
  pressed(position) {
    if (this.mode !== "edit") return;
    const picked = this.viewer.scene.pick(position);
    const corner = picked?.id?.corner;
    if (corner === undefined) return;
    this.dragging = corner;
    this.viewer.scene.screenSpaceCameraController.enableInputs = false;  // the map stays put
  }

  moved(position) {
    if (this.dragging == null || !position) return;
    const point = pickGround(this.viewer, position);
    if (!point) return;
    const c = Cesium.Cartographic.fromCartesian(point);
    this.points[this.dragging] = [Number(Cesium.Math.toDegrees(c.longitude).toFixed(8)),
      Number(Cesium.Math.toDegrees(c.latitude).toFixed(8))];
    this.drawSketch();
  }

  released() {
    if (this.dragging == null) return;
    this.dragging = null;
    this.viewer.scene.screenSpaceCameraController.enableInputs = true;
  }
}
