// Text from the API goes into the page escaped, always.
export const escape = (value) => String(value ?? "—").replace(/[&<>"']/g,
  (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
