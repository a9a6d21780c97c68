// Text from the API goes into the page escaped, always.
export const escape = (value) => String(value ?? "—").replace(/[&<>"']/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// an amount of money: rounded to the unit, in roubles unless the currency says otherwise
export const money = (value, currency) => (value == null ? "—"
  : `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 0 })} ${currency === "RUB" || !currency ? "₽" : currency}`);
