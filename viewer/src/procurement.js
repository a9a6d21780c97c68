// The procurement panel: notices and contracts from /procurement filtered by ОКПД2 code,
// kind, status and period, with their totals; choosing one flies to its first parcel or
// building and opens the card. Its period also sets what the "money contracted" theme
// colours buildings by.
import { escape, money } from "./html.js";
import { t } from "./i18n.js";
import { FilterPanel } from "./panel.js";


export class ProcurementPanel extends FilterPanel {
  constructor(panel, choose) {
    super(panel, choose);
    this.totals = panel.querySelector(".totals");
    this.onPeriod = () => {};  // the period or codes changed: recolour, when the theme is on
  }

  // the kinds and statuses to filter by, as the API names them (/viewer/config.json)
  setChoices(kinds, statuses) {
    const fill = (name, values, label) => {
      const select = this.form.elements[name];
      for (const value of values) {
        const option = document.createElement("option");
        option.value = value;
        option.dataset.i18n = label(value);
        option.textContent = t(label(value));
        select.append(option);
      }
    };
    fill("kind", kinds, (k) => `procurement_${k}`);
    fill("status", statuses, (s) => `procurementStatus_${s}`);
  }

  changed(event) {
    this.load();
    if (["from", "to", "okpd2"].includes(event.target.name)) this.onPeriod();
  }

  // the filters as a query: all of them, or only those of the period and the codes
  query(periodOnly = false) {
    const data = new FormData(this.form);
    const params = new URLSearchParams(periodOnly ? {} : { limit: "200" });
    for (const name of periodOnly ? ["okpd2", "from", "to"] : ["okpd2", "kind", "status", "from", "to"]) {
      const value = String(data.get(name) || "").trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  url(query) { return `/procurement?${query}`; }

  render(page) {
    const totals = page.totals;
    this.count.textContent = `${t("procurementFound")}: ${totals.count}`;
    this.totals.innerHTML = `${t("contracted")}: <b>${money(totals.contracted)}</b> (${totals.contracts})`
      + (totals.by_year.length ? "<br>" + totals.by_year.map((y) => `${y.year}: ${money(y.amount)}`).join(" · ") : "");
    this.list.innerHTML = page.procurements.map((p) => {
      const first = p.objects.find((o) => o.parcel) || null;
      const url = p.source_url && p.source_url.startsWith("https://") ? p.source_url : null;
      return `<li ${first ? `data-parcel="${escape(first.parcel)}" tabindex="0"` : ""} data-procurement="${p.id}">
        <b>${escape(t(`procurement_${p.kind}`))} ${escape(p.registry_number || p.purchase_number)}</b>
        <span class="status">${escape(t(`procurementStatus_${p.status}`))}</span><br>
        ${escape(p.subject || "")}<br>
        <small>${money(p.price, p.currency)} · ${escape(p.signed_on || p.published_on || "")} · ${escape(p.customer_name || "")}
        ${p.objects.length ? "" : ` · ${t("procurementUnlinked")}`}
        ${url ? ` · <a href="${escape(url)}" target="_blank" rel="noopener">${t("procurementSource")}</a>` : ""}</small></li>`;
    }).join("") || `<li>${t("nothingFound")}</li>`;
  }
}

// A card's procurement entries (a parcel's or a building's card: /parcels/…, /buildings/…),
// those for the building ``building`` marked
export function procurementEntriesHtml(entries, building) {
  return entries.map((p) => {
    const url = p.source_url && p.source_url.startsWith("https://") ? p.source_url : null;
    return `<div class="procurement-entry${p.building_id === building ? " this-building" : ""}" data-procurement="${p.id}">`
      + `<b>${escape(t(`procurement_${p.kind}`))}</b> ${escape(p.subject || "")}<br>`
      + `<small>${money(p.price, p.currency)} · ${escape(t(`procurementStatus_${p.status}`))} · ${escape(p.signed_on || p.published_on || "")}`
      + ` · ${escape(t(`linkedBy_${p.method}`))}${p.confidence < 1 ? ` (${Math.round(p.confidence * 100)}%)` : ""}`
      + (url ? ` · <a href="${escape(url)}" target="_blank" rel="noopener">${t("procurementSource")}</a>` : "") + "</small></div>";
  }).join("");
}

// The card's sections: the procurement of the parcel and its buildings (the clicked
// building's first), and the parcel's history as one timeline.
export function procurementHtml(parcel, building) {
  const entries = [...parcel.procurement].sort((a, b) => (b.building_id === building) - (a.building_id === building));
  let html = `<h3>${t("procurementPanel")}</h3>`;
  html += entries.length ? `<div class="procurement">${procurementEntriesHtml(entries, building)}</div>` : "<p>—</p>";
  html += `<h3>${t("timeline")}</h3>`;
  html += parcel.timeline.length ? `<ol class="timeline">${parcel.timeline.map((e) =>
    `<li data-kind="${escape(e.kind)}" data-date="${escape(e.date || "")}"><time>${escape(e.date || "?")}</time> `
    + `<b>${escape(t(`timeline_${e.kind}`))}</b> ${escape(e.title || "")}${e.amount != null ? ` — ${money(e.amount)}` : ""}</li>`).join("")}</ol>` : "<p>—</p>";
  return html;
}
