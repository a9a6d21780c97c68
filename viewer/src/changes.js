// A page left open notices what changed on the server: the data versions (bumped in the same
// transaction as any change to parcels, buildings, auctions or rights, whoever made it) and the
// current tileset build, asked for every few seconds while the page is visible and at once
// when it becomes visible again. onChange gets the names of what changed.
export function watchChanges(seconds, onChange) {
  let last = null;
  let busy = false;
  async function check() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch("/viewer/versions.json", { cache: "no-store" });
      if (!response.ok) return;
      const versions = await response.json();
      const changed = last ? Object.keys(versions).filter((name) => versions[name] !== last[name]) : [];
      last = versions;
      if (changed.length) await onChange(new Set(changed));
    } catch (error) {
      // the API is away: the next question the user asks says so; look again later
    } finally {
      busy = false;
    }
  }
  check();
  setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", check);
}
