// The search box: a cadastral number in any real spelling, a quarter's number or address
// words (the API's /search ranks parcels), and the names of city services (/services?q=);
// choosing a parcel flies to it, choosing a service flies to it and opens its card.
import { api } from "./api.js";
import { escape } from "./html.js";
import { t } from "./i18n.js";

export function setUpSearch(form, choose, chooseService, say) {
  const input = form.querySelector("#q");
  const list = form.querySelector("#results");
  let services = [];
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    let found;
    try {
      const [parcels, named] = await Promise.all([
        api(`/search?q=${encodeURIComponent(q)}&limit=20`),
        api(`/services?q=${encodeURIComponent(q)}&limit=10`).catch(() => ({ features: [] })),
      ]);
      found = parcels;
      services = named.features;
    } catch (error) {
      say(error.status === 400 ? error.message : t("apiUnreachable"), true);
      return;
    }
    const parcelItems = found.results.map((r) =>
      `<li tabindex="0" data-number="${escape(r.cadastral_number)}">${escape(r.cadastral_number)} — ${escape(r.address)}</li>`);
    const serviceItems = services.map((s, i) =>
      `<li tabindex="0" class="service" data-service="${i}">${escape(s.properties.name)} — ${escape(s.properties.address || t(`category_${s.properties.category}`))}</li>`);
    const both = parcelItems.length && serviceItems.length;
    list.innerHTML = [
      ...(both ? [`<li class="heading">${t("parcelsFound")}</li>`] : []), ...parcelItems,
      ...(both ? [`<li class="heading">${t("servicesFound")}</li>`] : []), ...serviceItems,
    ].join("") || `<li>${t("nothingFound")}</li>`;
    list.hidden = false;
    if (found.results.length === 1 && !services.length) pick(found.results[0].cadastral_number);
    else if (services.length === 1 && !found.results.length) pickService(0);
  });
  const pick = (number) => {
    list.hidden = true;
    choose(number);
  };
  const pickService = (i) => {
    list.hidden = true;
    chooseService(services[i]);
  };
  const activate = (item) => {
    if (item.dataset.number) pick(item.dataset.number);
    else if (item.dataset.service) pickService(Number(item.dataset.service));
  };
  list.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-number], li[data-service]");
    if (item) activate(item);
  });
  list.addEventListener("keydown", (event) => {
    const item = event.target.closest("li[data-number], li[data-service]");
    if (item && event.key === "Enter") activate(item);
  });
}
