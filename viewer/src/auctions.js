// The auctions panel: lots from /auctions filtered by status, deal type, bidding type,
// publication dates and start price; choosing one flies to its parcel and opens its card.
import { escape, money } from "./html.js";
import { t } from "./i18n.js";
import { FilterPanel } from "./panel.js";

const STATUS_GROUPS = {
  open: "PUBLISHED,APPLICATIONS_SUBMISSION", DETERMINING_WINNER: "DETERMINING_WINNER",
  COMPLETED: "COMPLETED", CANCELED: "CANCELED",
};

export class AuctionsPanel extends FilterPanel {
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

  url(query) { return `/auctions?${query}`; }

  render(page) {
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
    this.list.innerHTML = page.features.map((f) => {
      const p = f.properties;
      const parcel = (p.parcels || [])[0];
      return `<li ${parcel ? `data-parcel="${escape(parcel)}" tabindex="0"` : ""} data-lot="${escape(p.notice_number)}/${p.lot_number}">
        <b>${escape(p.notice_number)} / ${p.lot_number}</b> <span class="status s-${escape(p.status)}">${escape(t(`status_${p.status}`))}</span><br>
        ${escape(p.address || p.name)}<br>
        <small>${escape(t(p.deal_type === "lease" ? "dealLease" : "dealSale"))} · ${escape(p.bidding_type)} · ${money(p.start_price, p.currency)}
        · ${escape((p.published_at || "").slice(0, 10))}${parcel ? "" : ` · ${t("noParcelGeometry")}`}</small></li>`;
    }).join("") || `<li>${t("nothingFound")}</li>`;
  }
}
