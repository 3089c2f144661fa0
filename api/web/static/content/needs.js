// 4. Invånarnas behov: questions the assistant could not answer (or that went to staff, or were
// rated down), grouped by meaning across languages. From a group: draft a new topic, add the
// wordings as question variants of an existing topic, or dismiss the group.
import { api } from "./api.js";
import {
  $, CHANNEL_NAMES, REASON_NAMES, announce, apiMessage, el, fillSelect, langAttrs, langLabel, libName, store, when,
} from "./common.js";
import { loadTopics } from "./entries.js";
import { openTopicDialog, slug } from "./topicdialog.js";

export const SECTION = "view-needs";
export const TITLE = "Invånarnas behov";

let filled = false;
let loads = 0;  // only the newest request's answer is shown (filters can change while one is on its way)

function fill() {
  if (filled) return;
  fillSelect($("needs-reason"), Object.entries(REASON_NAMES), { keep: 1 });
  fillSelect($("needs-library"), Object.values(store.libraries).sort((a, b) => a.name.localeCompare(b.name, "sv"))
    .map((l) => [l.id, l.name]), { keep: 1 });
  filled = true;
}

function query() {
  const q = new URLSearchParams({ state: $("needs-state").value });
  if ($("needs-reason").value) q.append("reason", $("needs-reason").value);
  if ($("needs-library").value) q.set("library", $("needs-library").value);
  if ($("needs-start").value) q.set("start", $("needs-start").value);
  if ($("needs-end").value) q.set("end", $("needs-end").value);
  return q;
}

const counted = (obj, name) => Object.entries(obj).map(([k, n]) => `${name(k)} ${n}`).join(", ");
const topicTitle = (id) => store.topics.find((t) => t.topic === id)?.title || id;
const swedishOf = (g) => g.questions.find((q) => q.language === "sv")?.text;

function draft(g) {
  const nearestArea = g.nearest && store.topics.find((t) => t.topic === g.nearest.topic)?.area;
  const area = store.meta.areas.includes(nearestArea) ? nearestArea : store.meta.areas[0];
  const sv = swedishOf(g);
  const max = store.meta.limits.title;
  let title = (sv || g.lead).replace(/[?!.]+$/, "").trim();
  if (title.length > max) title = title.slice(0, max + 1).replace(/\s+\S*$/, "").trim() || title.slice(0, max);
  const languages = Object.keys(g.languages).filter((l) => l !== "?");
  openTopicDialog({
    heading: "Skapa nytt ämne från gruppen",
    submitLabel: "Skapa utkast",
    description: "Ett nytt ämne skapas som utkast. Invånarnas egna formuleringar blir frågevarianter på sina språk; skriv sedan svaren och publicera.",
    extra: `${g.size} ${g.size === 1 ? "fråga" : "frågor"} blir frågevarianter (${languages.map((l) => langLabel(l, { capital: false })).join(", ") || "inga språk som stöds"}).`,
    values: { topic: `${area}.${slug(title) || "ny_fraga"}`, area, question: sv || g.lead, title },
    send: (v) => api("/api/needs/draft", { method: "POST", json: { ids: g.questions.map((q) => q.id), ...v } }),
    done: async (detail) => {
      await loadTopics().catch(() => {});
      announce(`Utkastet ${detail.topic} är skapat med invånarnas formuleringar. Skriv svaren och publicera.`);
      location.hash = `#/entries/${encodeURIComponent(detail.topic)}`;
    },
  });
}

async function act(g, path, body, message, status) {
  status.textContent = "";
  try {
    const out = await api(path, { method: "POST", json: { ids: g.questions.map((q) => q.id), ...body } });
    announce(typeof message === "function" ? message(out) : message);
    await load({ focusList: true });
  } catch (err) {
    status.replaceChildren(apiMessage("Det gick inte:", err));
  }
}

function group(g, index) {
  const id = `need-${g.id}`;
  const leadAttrs = langAttrs(g.questions[0]?.language);
  const heading = el("h3", { id: `${id}-title`, tabIndex: -1 },
    `Grupp ${index + 1}: `, el("q", { ...langAttrs(g.questions.find((q) => q.text === g.lead)?.language || leadAttrs.lang) }, g.lead));
  const meta = el("dl", { className: "meta" },
    el("dt", {}, "Frågor"), el("dd", { className: "group-size" }, String(g.size)),
    el("dt", {}, "Språk"), el("dd", {}, counted(g.languages, (k) => (k === "?" ? "okänt" : langLabel(k, { capital: false })))),
    el("dt", {}, "Bibliotek"), el("dd", {}, counted(g.libraries, (k) => (k ? libName(k) : "inget bibliotek"))),
    el("dt", {}, "Orsaker"), el("dd", {}, counted(g.reasons, (k) => REASON_NAMES[k] || k)),
    el("dt", {}, "Närmaste ämne"), el("dd", {}, g.nearest
      ? [el("a", { href: `#/entries/${encodeURIComponent(g.nearest.topic)}` }, `${g.nearest.title} (${g.nearest.topic})`), ` – poäng ${g.nearest.score.toLocaleString("sv-SE")}`]
      : "inget"),
    el("dt", {}, "Senast"), el("dd", {}, when(g.last_at)));
  const questions = el("ul", { className: "questions" });
  for (const q of g.questions) {
    questions.append(el("li", { dataset: { need: q.id } },
      el("span", { className: "q-text", ...langAttrs(q.language) }, q.text),
      el("span", { className: "q-meta" }, [langLabel(q.language, { capital: false }), libName(q.library),
        CHANNEL_NAMES[q.channel] || q.channel, REASON_NAMES[q.reason] || q.reason, when(q.at)].join(" · "))));
  }
  const status = el("p", { className: "error", role: "alert" });
  const actions = el("div", { className: "actions", role: "group", "aria-labelledby": `${id}-title` });
  const state = $("needs-state").value;
  if (state === "open") {
    const newBtn = el("button", { type: "button", className: "act-draft" }, "Skapa nytt ämne");
    newBtn.addEventListener("click", () => draft(g));
    const selectId = `${id}-topic`;
    const select = el("select", { id: selectId, className: "add-topic" });
    for (const t of store.topics.filter((x) => x.state !== "retired" && x.state !== "missing")) select.append(el("option", { value: t.topic }, `${t.title} (${t.topic})`));
    if (g.nearest) select.value = g.nearest.topic;
    const addBtn = el("button", { type: "button", className: "secondary act-add" });
    const label = () => { addBtn.textContent = `Lägg till som frågevarianter till ${topicTitle(select.value)}`; };
    label();
    select.addEventListener("change", label);
    addBtn.addEventListener("click", () => act(g, "/api/needs/add", { topic: select.value },
      (out) => {
        const n = Object.values(out.added).reduce((a, b) => a + b, 0);
        return n ? `${n} frågevarianter lades till i ${topicTitle(out.topic)} (${Object.keys(out.added).join(", ")}). De gäller från nästa fråga.`
          : `Inga nya frågevarianter: ${topicTitle(out.topic)} har redan formuleringarna eller saknar språken. Gruppen är klar.`;
      }, status));
    const dismissBtn = el("button", { type: "button", className: "secondary act-dismiss" }, "Avfärda");
    dismissBtn.addEventListener("click", () => act(g, "/api/needs/dismiss", {}, `Gruppen "${g.lead}" är avfärdad.`, status));
    actions.append(newBtn,
      el("div", { className: "add-row" }, el("label", { htmlFor: selectId }, "Ämne att lägga till i"), select, addBtn),
      dismissBtn);
  } else if (state === "dismissed") {
    const restoreBtn = el("button", { type: "button", className: "secondary act-restore" }, "Återställ till inkorgen");
    restoreBtn.addEventListener("click", () => act(g, "/api/needs/restore", {}, "Gruppen är tillbaka i inkorgen.", status));
    actions.append(restoreBtn);
  }
  return el("li", { className: "group", id, dataset: { group: g.id }, "aria-labelledby": `${id}-title` },
    heading, meta, el("h4", {}, "Invånarnas frågor"), questions, actions.childElementCount ? actions : null, status);
}

async function load({ focusList = false } = {}) {
  const list = $("needs-groups");
  $("needs-count").textContent = "Hämtar frågorna …";
  const mine = ++loads;
  let out;
  try {
    out = await api("/api/needs?" + query());
  } catch (err) {
    if (mine === loads) $("needs-count").replaceChildren(apiMessage("Frågorna kunde inte hämtas:", err));
    return;
  }
  if (mine !== loads) return;
  list.replaceChildren(...out.groups.map(group));
  $("needs-count").textContent = out.total
    ? `${out.total} ${out.total === 1 ? "fråga" : "frågor"} i ${out.groups.length} ${out.groups.length === 1 ? "grupp" : "grupper"}.`
    : "Inga frågor med de här filtren.";
  if (!out.groups.length) list.append(el("li", { className: "empty" }, "Inga frågor att visa."));
  if (focusList) $("needs-title").focus();
}

export async function show() {
  fill();
  if (!store.topics.length) await loadTopics();
  await load();
  return TITLE;
}

for (const id of ["needs-state", "needs-reason", "needs-library", "needs-start", "needs-end"]) {
  $(id).addEventListener("change", () => load());
}
$("needs-filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
