// 1. Innehåll: every topic with its state, Swedish title, review status per language and local
// versions; filters; "Nytt ämne".
import { api } from "./api.js";
import {
  $, AREA_NAMES, STATE_NAMES, announce, areaLabel, contentKeys, debounce, el, fillSelect, langLabel, libName,
  srOnly, statusChip, store,
} from "./common.js";
import { newTopic } from "./topicdialog.js";

export const SECTION = "view-entries";
export const TITLE = "Innehåll";

let filled = false;

function fillFilters() {
  if (filled) return;
  fillSelect($("f-area"), store.meta.areas.map((a) => [a, areaLabel(a)]), { keep: 1 });
  fillSelect($("f-review"), contentKeys().map((k) => [k, langLabel(k)]), { keep: 1 });
  fillSelect($("f-library"), Object.values(store.libraries).sort((a, b) => a.name.localeCompare(b.name, "sv"))
    .map((l) => [l.id, l.name]), { keep: 2 });
  filled = true;
}

function matches(t) {
  const text = $("f-text").value.trim().toLowerCase();
  const area = $("f-area").value, state = $("f-state").value, review = $("f-review").value, lib = $("f-library").value;
  if (area && t.area !== area) return false;
  if (state && t.state !== state) return false;
  if (review && t.languages[review] !== "draft") return false;
  if (lib === "*" && !t.local_versions.length) return false;
  if (lib && lib !== "*" && !t.local_versions.some((v) => v.library === lib)) return false;
  if (text && ![t.topic, t.title, t.question].some((s) => (s || "").toLowerCase().includes(text))) return false;
  return true;
}

function summaryOf(t) {
  const counts = { reviewed: 0, draft: 0, missing: 0 };
  for (const s of Object.values(t.languages)) counts[s] = (counts[s] || 0) + 1;
  return `${counts.reviewed} granskade, ${counts.draft} utkast, ${counts.missing} saknas`;
}

function card(t) {
  const link = el("a", { href: `#/entries/${encodeURIComponent(t.topic)}` }, t.title || t.topic);
  const head = el("h3", {}, link);
  const state = el("span", { className: `state state-${t.state}` }, STATE_NAMES[t.state] || t.state);
  const info = el("p", { className: "card-meta" },
    el("code", {}, t.topic), " · ", AREA_NAMES[t.area] || t.area, " · ", state, t.custom ? " · eget ämne" : "");
  const chips = el("p", { className: "lang-chips" }, srOnly(`Granskning per språk (${summaryOf(t)}): `));
  for (const key of contentKeys()) chips.append(statusChip(key, t.languages[key]), " ");
  const locals = t.local_versions.length
    ? el("p", { className: "locals" }, "Lokala versioner: ",
      t.local_versions.map((v, i) => [i ? ", " : "", `${libName(v.library)} (${(STATE_NAMES[v.state] || v.state).toLowerCase()}; ${v.languages.join(", ")})`]))
    : null;
  return el("li", { className: "card", dataset: { topic: t.topic } }, head, info, chips, locals);
}

function render() {
  const list = $("entries-list");
  const shown = store.topics.filter(matches);
  list.replaceChildren(...shown.map(card));
  $("entries-count").textContent = shown.length === store.topics.length
    ? `${shown.length} ämnen`
    : `Visar ${shown.length} av ${store.topics.length} ämnen`;
  if (!shown.length) list.append(el("li", { className: "empty" }, "Inga ämnen matchar filtret."));
}

export async function loadTopics() {
  store.topics = await api("/api/curation/entries");
  return store.topics;
}

export async function show(_args, params) {
  fillFilters();
  for (const [name, id] of [["area", "f-area"], ["state", "f-state"], ["review", "f-review"], ["library", "f-library"], ["q", "f-text"]]) {
    if (params.has(name)) $(id).value = params.get(name);
  }
  $("entries-count").textContent = "Hämtar ämnena …";
  await loadTopics();
  render();
  return TITLE;
}

for (const id of ["f-area", "f-state", "f-review", "f-library"]) $(id).addEventListener("change", render);
$("f-text").addEventListener("input", debounce(render, 150));
$("entries-filters").addEventListener("submit", (e) => { e.preventDefault(); render(); });
$("new-topic").addEventListener("click", () => newTopic((detail) => {
  announce(`Ämnet ${detail.topic} är skapat som utkast. Skriv svaren och publicera det.`);
  location.hash = `#/entries/${encodeURIComponent(detail.topic)}`;
}));
