// What every view shares: building elements (text only ever through textContent), the polite
// status line, the lookups loaded at login (meta, languages, libraries) and Swedish names.

export const store = {
  meta: null,        // GET /api/curation/meta
  languages: {},     // code -> {code, name, english, dir}
  libraries: {},     // id -> {id, name}
  topics: [],        // GET /api/curation/entries (kept fresh by the list)
};

export const $ = (id) => document.getElementById(id);

/** el("p", {className: "x"}, "text", child, ...): children are nodes or strings (as text). */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "className") e.className = v;
    else if (k === "dataset") Object.assign(e.dataset, v);
    else if (k === "lang" || k === "dir" || k === "id" || k === "type" || k === "value" || k === "href" || k === "htmlFor"
      || k === "disabled" || k === "checked" || k === "hidden" || k === "tabIndex" || k === "title") e[k] = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  append(e, children);
  return e;
}

export function append(parent, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    parent.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return parent;
}

/** Text for screen readers only (e.g. "borttaget:" inside a <del>). */
export const srOnly = (text) => el("span", { className: "sr-only" }, text);

let statusTimer = null;
/** Say it in the polite status line (a fresh text, so the same words are announced again). */
export function announce(text) {
  const status = $("status");
  status.textContent = "";
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { status.textContent = text; }, 60);
}

// ---- names ------------------------------------------------------------------------------------

const SV_LANGUAGE_NAMES = {
  sv: "svenska", "sv-easy": "lättläst svenska", en: "engelska", ar: "arabiska", fa: "persiska", fi: "finska",
  so: "somaliska", ti: "tigrinja", pl: "polska", es: "spanska", uk: "ukrainska", ru: "ryska", tr: "turkiska",
};
export const AREA_NAMES = {
  about: "Om biblioteket", access: "Tillgänglighet", borrowing: "Lån och lånekort", digital: "Digital hjälp",
  emedia: "E-medier", visit: "Besöka biblioteket",
};
export const STATE_NAMES = { live: "Publicerad", draft: "Utkast", retired: "Tillbakadragen", missing: "Saknas" };
export const REVIEW_NAMES = { reviewed: "granskad", draft: "utkast", missing: "saknas" };
export const REVIEW_ICONS = { reviewed: "✓", draft: "✎", missing: "–" };
export const REASON_NAMES = {
  unanswered: "Assistenten frågade tillbaka", out_of_scope: "Utanför ämnet", handoff: "Gick till personal",
  rated_down: "Tummen ner på svaret",
};
export const CHANNEL_NAMES = { web: "Webbchatt", sms: "Sms" };

const cap = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** "Somaliska (so)" */
export function langLabel(key, { capital = true } = {}) {
  if (!key) return "okänt språk";
  const name = SV_LANGUAGE_NAMES[key] || store.languages[key]?.name || key;
  return `${capital ? cap(name) : name} (${key})`;
}
export const langName = (key) => SV_LANGUAGE_NAMES[key] || store.languages[key]?.name || key;

/** The HTML lang and dir of a content key (sv-easy is Swedish). */
export function langAttrs(key) {
  const code = key === "sv-easy" ? "sv" : key;
  const dir = store.languages[code]?.dir || "ltr";
  return { lang: code || "", dir: code ? dir : "auto" };
}

export const libName = (id) => (id ? store.libraries[id]?.name || id : "inget bibliotek");
export const areaLabel = (a) => (AREA_NAMES[a] ? `${AREA_NAMES[a]} (${a})` : a);
/** "Regional version" / "Lokal version för Solna stadsbibliotek" ("regional" counts as none). */
export function versionLabel(library, { lower = false } = {}) {
  const local = library && library !== "regional";
  const text = local ? `Lokal version för ${libName(library)}` : "Regional version";
  return lower ? text[0].toLowerCase() + text.slice(1) : text;
}

export function mayReview(key) {
  return Boolean(store.meta?.languages.find((l) => l.key === key)?.may_review);
}
export const contentKeys = () => (store.meta ? store.meta.languages.map((l) => l.key) : []);

const dateTime = new Intl.DateTimeFormat("sv-SE", { dateStyle: "medium", timeStyle: "short" });
export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
export function isoDay(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A small "sv ✓" chip: the status is written (and read) in words, never by colour alone. */
export function statusChip(key, status, { prefix } = {}) {
  const s = status || "missing";
  return el("span", { className: `lang-chip ${s}` },
    el("span", { "aria-hidden": "true" }, REVIEW_ICONS[s] || "?"), " ", prefix || key,
    srOnly(`: ${REVIEW_NAMES[s] || s}`));
}

/** An error from the API: a Swedish lead-in, then the API's own words (in English). */
export function apiMessage(lead, err) {
  const frag = document.createDocumentFragment();
  frag.append(document.createTextNode(lead + " "));
  if (err && err.message) frag.append(el("span", { lang: err.status ? "en" : "sv" }, err.message));
  return frag;
}

/** Set or clear a field's error (the field refers to it with aria-describedby). */
export function fieldError(input, errorEl, message) {
  errorEl.textContent = message || "";
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

/** A character counter: "12 av 40 tecken", marked when over. Returns true when within. */
export function updateCounter(input, counter, max) {
  const n = input.value.trim().length;
  const over = n > max;
  counter.textContent = over ? `${n} av högst ${max} tecken: ${n - max} för många` : `${n} av högst ${max} tecken`;
  counter.classList.toggle("over", over);
  return !over;
}

/** Options for a <select>: [[value, label, props], ...] */
export function fillSelect(select, options, { keep = 0 } = {}) {
  while (select.options.length > keep) select.remove(keep);
  for (const [value, label, props] of options) select.append(el("option", { value, ...(props || {}) }, label));
}

export function debounce(fn, ms = 200) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}
