// The auctions panel: lots from /auctions filtered by status, deal type, bidding type,
// publication dates and start price; choosing one flies to its parcel and opens its card.
import { api } from "./api.js";
import { escape } from "./html.js";
import { t } from "./i18n.js";

const STATUS_GROUPS = {
  open: "PUBLISHED,APPLICATIONS_SUBMISSION", DETERMINING_WINNER: "DETERMINING_WINNER",
  COMPLETED: "COMPLETED", CANCELED: "CANCELED",
};
const price = (value, currency) => (value == null ? "—"
  : `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 })} ${currency === "RUB" || !currency ? "₽" : currency}`);

export class AuctionsPanel {
  constructor(panel, choose) {
    this.panel = panel;
    this.form = panel.querySelector("form");
    this.list = panel.querySelector("ol");
    this.count = panel.querySelector(".count");
    this.choose = choose;  // (cadastral number) → fly there and open the card
    this.request = 0;
    this.form.addEventListener("change", () => this.load());
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.load(); });
    this.list.addEventListener("click", (event) => {
      const item = event.target.closest("li[data-parcel]");
      if (item) this.choose(item.dataset.parcel);
    });
  }

  toggle(show = this.panel.hidden) {
    this.panel.hidden = !show;
    if (show) this.load();
  }

  query() {
    const data = new FormData(this.form);
    const params = new URLSearchParams({ limit: "200" });
    const status = STATUS_GROUPS[data.get("status")];
    if (status) params.set("status", status);
    for (const name of ["deal_type", "bidding_type", "published_from", "published_to", "price_min", "price_max"]) {
      const value = String(data.get(name) || "").trim();
      if (value) params.set(name, value);
    }
    return params;
  }

  async load() {
    const request = ++this.request;
    delete this.list.dataset.query;
    this.count.textContent = t("loading");
    const query = this.query().toString();
    let page;
    try {
      page = await api(`/auctions?${query}`);
    } catch (error) {
      if (request === this.request) this.count.textContent = error.status === 400 || error.status === 422 ? t("badFilter") : t("apiUnreachable");
      return;
    }
    if (request !== this.request) return;  // a newer filter is loading
    const types = this.form.querySelector("datalist");
    const known = new Set([...types.options].map((o) => o.value));
    for (const f of page.features) {
      const type = f.properties.bidding_type;
      if (type && !known.has(type)) {
        known.add(type);
        types.append(new Option(type));
      }
    }
    const more = page.links.some((l) => l.rel === "next");
    this.count.textContent = `${t("lotsFound")}: ${page.numberReturned}${more ? "+" : ""}`;
    this.list.dataset.query = query;  // what the list shows (tests wait for it)
    this.list.innerHTML = page.features.map((f) => {
      const p = f.properties;
      const parcel = (p.parcels || [])[0];
      return `<li ${parcel ? `data-parcel="${escape(parcel)}" tabindex="0"` : ""} data-lot="${escape(p.notice_number)}/${p.lot_number}">
        <b>${escape(p.notice_number)} / ${p.lot_number}</b> <span class="status s-${escape(p.status)}">${escape(t(`status_${p.status}`))}</span><br>
        ${escape(p.address || p.name)}<br>
        <small>${escape(t(p.deal_type === "lease" ? "dealLease" : "dealSale"))} · ${escape(p.bidding_type)} · ${price(p.start_price, p.currency)}
        · ${escape((p.published_at || "").slice(0, 10))}${parcel ? "" : ` · ${t("noParcelGeometry")}`}</small></li>`;
    }).join("") || `<li>${t("nothingFound")}</li>`;
  }
}
