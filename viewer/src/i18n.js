// Interface strings in Russian and English; the choice is kept in localStorage.
const STRINGS = {
  ru: {
    searchPlaceholder: "Кадастровый номер, квартал или адрес", theme: "Раскраска", themeNone: "нет",
    themeHeight: "по высоте", themeUse: "по назначению", themeYear: "по году постройки",
    themeAuction: "по статусу торгов", loadingTiles: "Загрузка 3D-модели…",
    tilesUnreachable: "3D-модель недоступна: соберите её (`citymodel tiles build`)",
    apiUnreachable: "Сервер недоступен", loading: "Загрузка…", building: "Здание", parcel: "Участок",
    address: "Адрес", height: "Высота, м", floors: "Этажей", use: "Назначение", year: "Год постройки",
    declaredArea: "Площадь (декларированная), м²", computedArea: "Площадь (вычисленная), м²",
    permittedUse: "Разрешённое использование", rights: "Права и обременения", auctions: "Торги",
    privateHolder: "физическое лицо", noParcel: "Участок не найден", nothingFound: "Ничего не найдено",
    signIn: "Войти", signOut: "Выйти", apiKey: "Ключ API должностного лица", signInFailed: "Неверный ключ",
  },
  en: {
    searchPlaceholder: "Cadastral number, quarter or address", theme: "Colour by", themeNone: "none",
    themeHeight: "height", themeUse: "use", themeYear: "year built", themeAuction: "auction status",
    loadingTiles: "Loading the 3D model…",
    tilesUnreachable: "The 3D model is unavailable: build it (`citymodel tiles build`)",
    apiUnreachable: "The server cannot be reached", loading: "Loading…", building: "Building",
    parcel: "Parcel", address: "Address", height: "Height, m", floors: "Floors", use: "Use",
    year: "Year built", declaredArea: "Declared area, m²", computedArea: "Computed area, m²",
    permittedUse: "Permitted use", rights: "Rights and encumbrances", auctions: "Auctions",
    privateHolder: "a private individual", noParcel: "No parcel here", nothingFound: "Nothing found",
    signIn: "Sign in", signOut: "Sign out", apiKey: "An official's API key", signInFailed: "Wrong key",
  },
};

let current = localStorage.getItem("citymodel-language") || (navigator.language.startsWith("ru") ? "ru" : "en");

export function language() { return current; }
export function setLanguage(value) { current = value; localStorage.setItem("citymodel-language", value); }
export function t(key) { return (STRINGS[current] || STRINGS.en)[key] ?? key; }
