// Interface strings in Russian and English; the choice is kept in localStorage.
const STRINGS = {
  ru: {
    searchPlaceholder: "Кадастровый номер, квартал или адрес", theme: "Раскраска", themeNone: "нет",
    themeHeight: "по высоте", themeUse: "по назначению", themeYear: "по году постройки",
    themeAuction: "по статусу торгов", show: "Здания", filterAll: "все",
    filterOpen: "открытые торги", filterAny: "любые торги",
    parcelsLayer: "Участки", auctionsPanel: "Торги", shadows: "Тени", measure: "Линейка", share: "Ссылка",
    linkCopied: "Ссылка на этот вид скопирована", shadowTime: "Дата и время (в городе)",
    loadingTiles: "Загрузка 3D-модели…",
    tilesUnreachable: "3D-модель недоступна: соберите её (`citymodel tiles build`)",
    parcelsUnreachable: "Слой участков недоступен", noHome: "В базе пока нет зданий",
    apiUnreachable: "Сервер недоступен", loading: "Загрузка…", building: "Здание", parcel: "Участок",
    address: "Адрес", height: "Высота, м", floors: "Этажей", use: "Назначение", year: "Год постройки",
    declaredArea: "Площадь (декларированная), м²", computedArea: "Площадь (вычисленная), м²",
    permittedUse: "Разрешённое использование", landCategory: "Категория земель",
    rights: "Права и обременения", auctions: "Торги", notice: "извещение",
    privateHolder: "физическое лицо", noParcel: "Участок не найден", nothingFound: "Ничего не найдено",
    signIn: "Войти", signOut: "Выйти", apiKey: "Ключ API должностного лица", signInFailed: "Неверный ключ",
    status: "Статус", any: "любой", statusOpen: "приём заявок", statusDetermining: "определение победителя",
    statusCompleted: "завершены", statusCanceled: "отменены", statusNone: "нет торгов",
    status_PUBLISHED: "опубликован", status_APPLICATIONS_SUBMISSION: "приём заявок",
    status_DETERMINING_WINNER: "определение победителя", status_COMPLETED: "завершён", status_CANCELED: "отменён",
    dealType: "Сделка", dealSale: "продажа", dealLease: "аренда", biddingType: "Вид торгов",
    publishedFrom: "Опубликованы с", publishedTo: "по", priceMin: "Цена от, ₽", priceMax: "до, ₽",
    lotsFound: "Лотов", badFilter: "Проверьте фильтр", noParcelGeometry: "без участка на карте",
    useResidential: "жилое", useCommercial: "офисы и торговля", useIndustrial: "производство", useOther: "прочее",
    measureHint: "Щёлкайте по точкам; двойной щелчок или Esc — конец линии", distance: "Расстояние",
    m: "м", km: "км", close: "Закрыть",
  },
  en: {
    searchPlaceholder: "Cadastral number, quarter or address", theme: "Colour by", themeNone: "none",
    themeHeight: "height", themeUse: "use", themeYear: "year built", themeAuction: "auction status",
    show: "Buildings", filterAll: "all", filterOpen: "open auctions",
    filterAny: "any auction", parcelsLayer: "Parcels", auctionsPanel: "Auctions",
    shadows: "Shadows", measure: "Measure", share: "Link", linkCopied: "A link to this view was copied",
    shadowTime: "Date and time (in the city)", loadingTiles: "Loading the 3D model…",
    tilesUnreachable: "The 3D model is unavailable: build it (`citymodel tiles build`)",
    parcelsUnreachable: "The parcels layer is unavailable", noHome: "There are no buildings in the database yet",
    apiUnreachable: "The server cannot be reached", loading: "Loading…", building: "Building",
    parcel: "Parcel", address: "Address", height: "Height, m", floors: "Floors", use: "Use",
    year: "Year built", declaredArea: "Declared area, m²", computedArea: "Computed area, m²",
    permittedUse: "Permitted use", landCategory: "Land category", rights: "Rights and encumbrances",
    auctions: "Auctions", notice: "notice",
    privateHolder: "a private individual", noParcel: "No parcel here", nothingFound: "Nothing found",
    signIn: "Sign in", signOut: "Sign out", apiKey: "An official's API key", signInFailed: "Wrong key",
    status: "Status", any: "any", statusOpen: "open", statusDetermining: "determining winner",
    statusCompleted: "completed", statusCanceled: "canceled", statusNone: "no auction",
    status_PUBLISHED: "published", status_APPLICATIONS_SUBMISSION: "taking applications",
    status_DETERMINING_WINNER: "determining winner", status_COMPLETED: "completed", status_CANCELED: "canceled",
    dealType: "Deal", dealSale: "sale", dealLease: "lease", biddingType: "Bidding type",
    publishedFrom: "Published from", publishedTo: "to", priceMin: "Price from, ₽", priceMax: "to, ₽",
    lotsFound: "Lots", badFilter: "Check the filter", noParcelGeometry: "no parcel on the map",
    useResidential: "residential", useCommercial: "office / commercial", useIndustrial: "industrial", useOther: "other",
    measureHint: "Click points; double-click or Esc ends the line", distance: "Distance",
    m: "m", km: "km", close: "Close",
  },
};

let current = localStorage.getItem("citymodel-language") || (navigator.language.startsWith("ru") ? "ru" : "en");

export function language() { return current; }
export function setLanguage(value) { current = value; localStorage.setItem("citymodel-language", value); }
export function t(key) { return (STRINGS[current] || STRINGS.en)[key] ?? key; }

// Elements carrying data-i18n (text), data-i18n-placeholder or data-i18n-title.
export function translatePage() {
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of document.querySelectorAll("[data-i18n-placeholder]")) element.placeholder = t(element.dataset.i18nPlaceholder);
  for (const element of document.querySelectorAll("[data-i18n-title]")) element.title = t(element.dataset.i18nTitle);
  document.documentElement.lang = current;
}
