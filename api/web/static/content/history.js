// The history of content: one item per change (who, when, what), a readable word diff (<del> and
// <ins> with their meaning written out for screen readers) and a Revert button that asks first.
import { api } from "./api.js";
import { REVIEW_NAMES, STATE_NAMES, announce, apiMessage, el, langAttrs, langLabel, srOnly, versionLabel, when } from "./common.js";
import { confirmDialog } from "./dialog.js";

const ACTIONS = {
  created: "Skapad", edited: "Ändrad", reviewed: "Granskad", deleted: "Borttagen", state: "Status ändrad",
  imported: "Importerad", reverted: "Återställd",
};
const FIELDS = {
  title: "Titel", answer: "Svar", sms: "Sms-form", questions: "Frågevarianter", status: "Granskning",
  reviewed_by: "Granskad av", state: "Status", text: "Text",
};
const SKIP = new Set(["reviewed_at"]);
const VALUE_NAMES = { ...Object.fromEntries(Object.entries(REVIEW_NAMES)), ...Object.fromEntries(Object.entries(STATE_NAMES).map(([k, v]) => [k, v.toLowerCase()])) };
const LONG = 180;  // unchanged runs longer than this are shortened in the middle

function what(c) {
  if (c.target === "text") return `Bottext ${c.key}${c.language ? ", " + langLabel(c.language, { capital: false }) : ""}`;
  const version = versionLabel(c.library, { lower: true });
  if (c.target === "entry") return `Ämnets status (${version})`;
  return `${langLabel(c.language)}, ${version}`;
}

export function describeChange(c) {
  const action = ACTIONS[c.action] || c.action;
  return `Ändring ${c.id}: ${action}${c.revert_of ? ` (ångrar ändring ${c.revert_of})` : ""}, ${what(c)}, av ${c.author}, ${when(c.at)}`;
}

function sameRun(text, first, last) {
  if (text.length <= LONG) return text;
  const head = first ? "" : text.slice(0, 70);
  const tail = last ? "" : text.slice(-70);
  return `${head} … ${tail}`.trim();
}

function words(parts) {
  const out = el("span", { className: "words" });
  parts.forEach((p, i) => {
    if (p.op === "same") out.append(sameRun(p.text, i === 0, i === parts.length - 1));
    else if (p.op === "removed") out.append(el("del", {}, srOnly("[borttaget: "), p.text, srOnly("]")));
    else out.append(el("ins", {}, srOnly("[tillagt: "), p.text, srOnly("]")));
  });
  return out;
}

function fieldDiff(f, langKey) {
  if (SKIP.has(f.field)) return null;
  const label = FIELDS[f.field] || f.field;
  const textLang = ["title", "answer", "sms", "questions", "text"].includes(f.field) && langKey ? langAttrs(langKey) : {};
  if ("added" in f) {
    if (!f.added.length && !f.removed.length) return null;
    const list = el("ul", { className: "q-diff", ...textLang });
    for (const q of f.added) list.append(el("li", {}, el("ins", {}, srOnly("[tillagd: "), q, srOnly("]"))));
    for (const q of f.removed) list.append(el("li", {}, el("del", {}, srOnly("[borttagen: "), q, srOnly("]"))));
    return [el("dt", {}, label), el("dd", {}, list)];
  }
  if (["status", "state", "reviewed_by"].includes(f.field)) {
    const name = (v) => (v === null || v === undefined || v === "" ? "–" : VALUE_NAMES[v] || String(v));
    return [el("dt", {}, label), el("dd", {}, `${name(f.before)} → ${name(f.after)}`)];
  }
  if (!f.words || !f.words.length) return null;
  return [el("dt", {}, label), el("dd", { className: "diff-text", ...textLang }, words(f.words))];
}

/** A list of changes into `list` (an <ol>). `onReverted()` runs after a successful revert.
 * `link(c)` may return a node that leads to what changed (the recent-changes view). */
export function renderChanges(list, changes, { onReverted, link, empty = "Inga ändringar ännu." } = {}) {
  list.replaceChildren();
  if (!changes.length) { list.append(el("li", { className: "empty" }, empty)); return; }
  for (const c of changes) {
    const id = `change-${c.id}-${Math.random().toString(36).slice(2, 7)}`;
    const head = el("p", { className: "change-head", id },
      el("strong", {}, `${ACTIONS[c.action] || c.action}`),
      c.revert_of ? ` (ångrar ändring ${c.revert_of})` : "",
      " · ", what(c), " · ", c.author, " · ", el("time", { datetime: c.at }, when(c.at)),
      el("span", { className: "change-id" }, ` · ändring ${c.id}`));
    const dl = el("dl", { className: "diff" });
    for (const f of c.diff || []) {
      const nodes = fieldDiff(f, c.language);
      if (nodes) dl.append(...nodes);
    }
    const error = el("p", { className: "error", role: "alert" });
    const button = el("button", { type: "button", className: "secondary revert", "aria-describedby": id, dataset: { change: c.id } },
      `Ångra ändring ${c.id}`);
    button.addEventListener("click", () => revert(c, button, error, onReverted));
    list.append(el("li", { className: "change", dataset: { change: c.id } },
      head, link ? link(c) : null, dl.childElementCount ? dl : null, el("div", { className: "actions" }, button), error));
  }
}

async function revert(c, button, error, onReverted) {
  const ok = await confirmDialog({
    title: `Ångra ändring ${c.id}?`,
    text: `${describeChange(c)}. Det som fanns före ändringen skrivs tillbaka. Det blir en ny ändring i historiken, så även den kan ångras.`,
    yes: "Ja, ångra ändringen",
  });
  if (!ok) return;
  error.textContent = "";
  button.disabled = true;
  try {
    await api(`/api/curation/changes/${c.id}/revert`, { method: "POST" });
    announce(`Ändring ${c.id} är ångrad.`);
    if (onReverted) await onReverted(c);
  } catch (err) {
    error.replaceChildren(apiMessage(`Ändring ${c.id} kunde inte ångras:`, err));
    button.disabled = false;
    button.focus();
  }
}
