// A side panel of filters and a list of what they find (the auctions and procurement
// panels): the form reloads the list on every change; choosing an item that names a parcel
// flies there and opens its card. Subclasses say what to fetch (url) and how to show it (render).
import { api } from "./api.js";
import { t } from "./i18n.js";

export class FilterPanel {
  constructor(panel, choose) {
    this.panel = panel;
    this.form = panel.querySelector("form");
    this.list = panel.querySelector("ol");
    this.count = panel.querySelector(".count");
    this.choose = choose;  // (cadastral number) → fly there and open the card
    this.request = 0;
    this.form.addEventListener("change", (event) => this.changed(event));
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.load(); });
    this.list.addEventListener("click", (event) => {
      const item = event.target.closest("li[data-parcel]");
      if (item) this.choose(item.dataset.parcel);
    });
  }

  changed() { this.load(); }

  toggle(show = this.panel.hidden) {
    this.panel.hidden = !show;
    if (show) this.load();
  }

  // Fetch what the filters ask for and show it, unless a newer filter was chosen meanwhile;
  // the list's data-query says what it shows (tests wait for it).
  async load() {
    const request = ++this.request;
    delete this.list.dataset.query;
    this.count.textContent = t("loading");
    const query = this.query().toString();
    let page;
    try {
      page = await api(this.url(query));
    } catch (error) {
      if (request === this.request) this.count.textContent = error.status === 400 || error.status === 422 ? t("badFilter") : t("apiUnreachable");
      return;
    }
    if (request !== this.request) return;
    this.render(page);
    this.list.dataset.query = query;
  }
}
