// 2. Bottexter: the assistant's own texts, grouped, each with its status per language; edit one
// language at a time (PUT with the version), placeholders checked by the API (its 422 message is
// shown next to the field), history and revert per text.
import { api } from "./api.js";
import {
  $, announce, apiMessage, debounce, el, fieldError, fillSelect, langAttrs, langLabel, langName, mayReview,
  statusChip, store, updateCounter, when,
} from "./common.js";
import { renderChanges } from "./history.js";

export const SECTION = "view-texts";
export const TITLE = "Bottexter";
const TEXT_MAX = 1000;

let data = null;        // GET /api/curation/texts
const items = new Map(); // key -> the item's parts

const row = (key, lang = $("texts-lang").value) => data.texts[key]?.languages?.[lang] || null;

function statusText(r) {
  if (!r) return "Ingen text på det här språket ännu.";
  let t = r.status === "reviewed" ? `Granskad${r.reviewed_by ? ` av ${r.reviewed_by}` : " (enligt innehållsfilen)"}${r.reviewed_at ? ", " + when(r.reviewed_at) : ""}.` : "Utkast, inte granskad.";
  if (r.edited_by) t += ` Senast sparad av ${r.edited_by}, ${when(r.updated_at)}.`;
  return t;
}

function chips(key) {
  const p = el("p", { className: "lang-chips" }, el("span", { className: "sr-only" }, "Status per språk: "));
  for (const code of Object.keys(store.languages)) p.append(statusChip(code, data.texts[key].languages[code]?.status), " ");
  return p;
}

function item(key, description) {
  const lang = $("texts-lang").value, attrs = langAttrs(lang), r = row(key, lang), info = data.texts[key];
  const base = `text-${key}`;
  const textarea = el("textarea", { id: `${base}-input`, rows: 3, ...attrs, "aria-describedby": `${base}-ph ${base}-count ${base}-error` });
  textarea.value = r?.text || "";
  const count = el("p", { className: "counter", id: `${base}-count` });
  const error = el("p", { className: "field-error", id: `${base}-error` });
  const reviewed = el("input", { type: "checkbox", id: `${base}-reviewed`, "aria-describedby": `${base}-reviewed-hint` });
  reviewed.checked = r?.status === "reviewed";
  reviewed.disabled = !mayReview(lang);
  const reviewHint = el("p", { className: "hint", id: `${base}-reviewed-hint` }, mayReview(lang)
    ? "Ändrar du texten tas krysset bort tills du har kontrollerat den nya."
    : `Bara den som talar ${langName(lang)} kan markera texten som granskad; din ändring sparas som utkast.`);
  const status = el("p", { className: "review-status" }, statusText(r));
  const save = el("button", { type: "submit" }, "Spara");
  const toggle = el("button", { type: "button", className: "secondary", "aria-expanded": "false", "aria-controls": `${base}-history` }, "Visa historik");
  const history = el("ol", { className: "changes", id: `${base}-history`, hidden: true });
  const conflictBox = el("div", { className: "error-box", hidden: true });
  const reference = lang !== "en" && info.languages.en
    ? el("div", { className: "reference" }, el("span", { className: "ref-label" }, "Engelsk förlaga: "), el("span", { lang: "en" }, info.languages.en.text))
    : null;
  const form = el("form", { className: "text-form", novalidate: true },
    el("label", { htmlFor: textarea.id }, `Text på ${langName(lang)} (${lang})`), textarea, count, error,
    el("p", { className: "hint", id: `${base}-ph` }, info.placeholders.length
      ? ["Platshållare som måste finnas kvar: ", ...info.placeholders.map((p, i) => [i ? ", " : "", el("code", {}, `{${p}}`)]).flat()]
      : "Inga platshållare."),
    el("div", { className: "check" }, reviewed, el("label", { htmlFor: reviewed.id }, "Granskad: jag talar språket och har kontrollerat texten")),
    reviewHint, status, conflictBox, el("div", { className: "actions" }, save, toggle));
  const li = el("li", { className: "text-item", dataset: { key } },
    el("h4", { id: `${base}-title` }, el("code", {}, key)), description ? el("p", { className: "muted" }, description) : null,
    chips(key), reference, form, el("div", {}, history));
  const parts = { li, textarea, count, error, reviewed, status, history, toggle, conflictBox, lang, loaded: textarea.value, autoUnchecked: false };
  items.set(key, parts);
  updateCounter(textarea, count, TEXT_MAX);
  textarea.addEventListener("input", () => {
    updateCounter(textarea, count, TEXT_MAX);
    if (reviewed.checked && textarea.value.trim() !== parts.loaded.trim() && !parts.autoUnchecked) {
      reviewed.checked = false; parts.autoUnchecked = true;
      announce("Texten är ändrad: krysset Granskad är borttaget tills texten har kontrollerats.");
    }
  });
  form.addEventListener("submit", (e) => { e.preventDefault(); saveText(key); });
  toggle.addEventListener("click", async () => {
    const open = toggle.getAttribute("aria-expanded") === "true";
    if (open) { history.hidden = true; toggle.setAttribute("aria-expanded", "false"); toggle.textContent = "Visa historik"; return; }
    await loadHistory(key);
    history.hidden = false; toggle.setAttribute("aria-expanded", "true"); toggle.textContent = "Dölj historik";
  });
  return li;
}

async function loadHistory(key) {
  const p = items.get(key);
  const changes = await api(`/api/curation/texts/${encodeURIComponent(key)}/history`);
  renderChanges(p.history, changes, {
    empty: "Texten har inte ändrats här ännu.",
    onReverted: async () => { await refreshKey(key); await loadHistory(key); items.get(key).textarea.focus(); },
  });
}

/** Fetch the listing again and redraw one item in place (the rest of the page keeps its typing). */
async function refreshKey(key) {
  const fresh = await api("/api/curation/texts");
  data.texts[key] = fresh.texts[key];
  const old = items.get(key);
  const wasOpen = old.toggle.getAttribute("aria-expanded") === "true";
  const description = old.li.querySelector("p.muted")?.textContent;
  const replacement = item(key, description);
  old.li.replaceWith(replacement);
  if (wasOpen) {
    const p = items.get(key);
    await loadHistory(key);
    p.history.hidden = false; p.toggle.setAttribute("aria-expanded", "true"); p.toggle.textContent = "Dölj historik";
  }
}

async function saveText(key, { force = null } = {}) {
  const p = items.get(key);
  const r = row(key, p.lang);
  p.conflictBox.hidden = true;
  p.conflictBox.replaceChildren();
  fieldError(p.textarea, p.error, "");
  const text = p.textarea.value.trim();
  if (!text) { fieldError(p.textarea, p.error, "Skriv en text."); p.textarea.focus(); return; }
  if (text.length > TEXT_MAX) { fieldError(p.textarea, p.error, `Texten är för lång (högst ${TEXT_MAX} tecken).`); p.textarea.focus(); return; }
  const body = { text, version: force ?? (r ? r.version : 0) };
  if (mayReview(p.lang)) body.status = p.reviewed.checked ? "reviewed" : "draft";
  try {
    const saved = await api(`/api/curation/texts/${encodeURIComponent(key)}/${encodeURIComponent(p.lang)}`, { method: "PUT", json: body });
    data.texts[key].languages[p.lang] = { ...(r || {}), ...saved, updated_at: new Date().toISOString() };
    p.loaded = saved.text; p.autoUnchecked = false;
    p.status.textContent = statusText(data.texts[key].languages[p.lang]);
    p.reviewed.checked = saved.status === "reviewed";
    p.li.querySelector(".lang-chips").replaceWith(chips(key));
    if (p.toggle.getAttribute("aria-expanded") === "true") await loadHistory(key);
    announce(`Sparat: ${key} på ${langName(p.lang)} (${saved.status === "reviewed" ? "granskad" : "utkast"}). Gäller från nästa fråga.`);
  } catch (err) {
    if (err.status === 422) {
      p.error.replaceChildren(apiMessage("Texten kan inte sparas:", err));
      p.textarea.setAttribute("aria-invalid", "true");
      announce("Texten kunde inte sparas: " + err.message);
      p.textarea.focus();
    } else if (err.status === 409) {
      const overwrite = el("button", { type: "button" }, "Spara min text ändå");
      const reload = el("button", { type: "button", className: "secondary" }, "Hämta den sparade texten (min försvinner)");
      p.conflictBox.replaceChildren(el("p", { role: "alert" }, apiMessage("Någon annan har sparat texten medan du skrev. Din text finns kvar.", err)),
        el("div", { className: "actions" }, overwrite, reload));
      p.conflictBox.hidden = false;
      overwrite.addEventListener("click", async () => {
        const fresh = await api("/api/curation/texts");
        data.texts[key] = fresh.texts[key];
        saveText(key, { force: fresh.texts[key].languages[p.lang]?.version ?? 0 });
      });
      reload.addEventListener("click", async () => { await refreshKey(key); items.get(key).textarea.focus(); });
      overwrite.focus();
    } else {
      p.error.replaceChildren(apiMessage("Texten kunde inte sparas:", err));
      p.textarea.setAttribute("aria-invalid", "true");
      p.textarea.focus();
    }
  }
}

function render() {
  const q = $("texts-search").value.trim().toLowerCase();
  const lang = $("texts-lang").value;
  const box = $("texts-groups");
  items.clear();
  box.replaceChildren();
  let shown = 0;
  for (const g of data.groups) {
    const keys = g.texts.filter((t) => !q || t.key.includes(q) || (t.description || "").toLowerCase().includes(q)
      || Object.values(data.texts[t.key].languages).some((r) => (r.text || "").toLowerCase().includes(q)));
    if (!keys.length) continue;
    shown += keys.length;
    const id = `group-${box.childElementCount}`;
    box.append(el("section", { className: "text-group", "aria-labelledby": id },
      el("h3", { id }, g.name), el("ul", { className: "text-list" }, keys.map((t) => item(t.key, t.description)))));
  }
  const total = Object.keys(data.texts).length;
  $("texts-count").textContent = `${shown === total ? `${total} texter` : `Visar ${shown} av ${total} texter`} på ${langLabel(lang, { capital: false })}.`;
  if (!shown) box.append(el("p", { className: "empty" }, "Inga texter matchar sökningen."));
}

export async function show(_args, params) {
  const select = $("texts-lang");
  if (!select.options.length) {
    fillSelect(select, Object.values(store.languages).map((l) => [l.code, langLabel(l.code)]));
    select.value = store.meta.me.languages.find((l) => store.languages[l]) || "sv";
  }
  if (params.get("lang") && store.languages[params.get("lang")]) select.value = params.get("lang");
  $("texts-count").textContent = "Hämtar texterna …";
  data = await api("/api/curation/texts");
  render();
  return TITLE;
}

$("texts-lang").addEventListener("change", () => {
  if (data) { render(); announce($("texts-count").textContent); }
});
$("texts-search").addEventListener("input", debounce(() => data && render(), 200));
$("texts-filters").addEventListener("submit", (e) => e.preventDefault());
