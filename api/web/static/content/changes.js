// 7. Senaste ändringar: every content change, newest first, with its diff and a Revert button.
import { api } from "./api.js";
import { $, el } from "./common.js";
import { renderChanges } from "./history.js";

export const SECTION = "view-changes";
export const TITLE = "Senaste ändringar";
let loads = 0;  // only the newest request's answer is shown

function link(c) {
  if (c.target === "text") {
    return el("p", { className: "change-link" }, el("a", { href: `#/texts?lang=${encodeURIComponent(c.language || "sv")}` }, `Till bottexterna (${c.key})`));
  }
  if (!c.topic) return null;
  const q = new URLSearchParams();
  if (c.library) q.set("version", c.library);
  if (c.language) q.set("lang", c.language);
  return el("p", { className: "change-link" },
    el("a", { href: `#/entries/${encodeURIComponent(c.topic)}${q.toString() ? "?" + q : ""}` }, `Öppna ${c.topic}`));
}

async function load({ focus = false } = {}) {
  $("changes-count").textContent = "Hämtar ändringarna …";
  const mine = ++loads;
  const changes = await api(`/api/curation/changes?limit=${$("changes-limit").value}`);
  if (mine !== loads) return;
  renderChanges($("changes-list"), changes, { link, onReverted: () => load({ focus: true }) });
  $("changes-count").textContent = `${changes.length} ${changes.length === 1 ? "ändring" : "ändringar"}, den senaste först.`;
  if (focus) $("changes-title").focus();
}

export async function show() {
  await load();
  return TITLE;
}

$("changes-limit").addEventListener("change", () => load());
$("changes-filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
