// The search box: a cadastral number in any real spelling, a quarter's number or address
// words (the API's /search ranks them); choosing a match flies to the parcel.
import { api } from "./api.js";
import { escape } from "./html.js";
import { t } from "./i18n.js";

export function setUpSearch(form, choose, say) {
  const input = form.querySelector("#q");
  const list = form.querySelector("#results");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    let found;
    try {
      found = await api(`/search?q=${encodeURIComponent(q)}&limit=20`);
    } catch (error) {
      say(error.status === 400 ? error.message : t("apiUnreachable"), true);
      return;
    }
    list.innerHTML = found.results.map((r) =>
      `<li tabindex="0" data-number="${escape(r.cadastral_number)}">${escape(r.cadastral_number)} — ${escape(r.address)}</li>`,
    ).join("") || `<li>${t("nothingFound")}</li>`;
    list.hidden = false;
    if (found.results.length === 1) pick(found.results[0].cadastral_number);
  });
  const pick = (number) => {
    list.hidden = true;
    choose(number);
  };
  list.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-number]");
    if (item) pick(item.dataset.number);
  });
  list.addEventListener("keydown", (event) => {
    const item = event.target.closest("li[data-number]");
    if (item && event.key === "Enter") pick(item.dataset.number);
  });
}
