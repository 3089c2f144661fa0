// 1b. One entry (#/entries/<topic>?version=<regional|library>&lang=<key>): a version picker, a
// language picker with each language's status, the form for one translation (version number
// sent with every save, 409 shown without losing the typed text), state actions, the history.
import { api } from "./api.js";
import {
  $, STATE_NAMES, announce, apiMessage, areaLabel, contentKeys, el, fieldError, langAttrs, langLabel, langName,
  libName, mayReview, REVIEW_ICONS, store, updateCounter, versionLabel, when,
} from "./common.js";
import { confirmDialog } from "./dialog.js";
import { renderChanges } from "./history.js";

export const SECTION = "view-entry";
export const TITLE = "Ämne";

const FORM_FIELDS = ["title", "answer", "sms", "questions"];
const VISIBLE = ["title", "answer", "sms"];  // what residents read: editing it makes the text a draft
const field = (name) => $(`tr-${name}`);

const s = {
  topic: null, detail: null, version: "regional", lang: "sv",
  loaded: null,      // the values the form was filled with (to tell what the coordinator changed)
  expected: 0,       // the version number of the text being edited (0: it does not exist yet)
  autoUnchecked: false,
};

// ---- reading the entry -----------------------------------------------------------------------

const versionData = (v = s.version) => (v === "regional" ? s.detail.regional : s.detail.locals.find((l) => l.library === v) || null);
const translation = (v = s.version, key = s.lang) => versionData(v)?.translations?.[key] || null;
const editable = (v = s.version) => v === "regional" || store.meta.editable_libraries.includes(v);
const swedishTitle = () => s.detail.regional?.translations?.sv?.title || s.detail.topic;

function langStatus(key) {
  const tr = translation(s.version, key);
  if (tr) return tr.status;
  return "missing";
}

function values() {
  return {
    title: field("title").value, answer: field("answer").value, sms: field("sms").value,
    questions: field("questions").value,
  };
}
const norm = (name, v) => (name === "questions" ? v.split("\n").map((q) => q.trim()).filter(Boolean).join("\n") : v.trim());
const changed = (names = FORM_FIELDS) => s.loaded && names.some((n) => norm(n, values()[n]) !== norm(n, s.loaded[n]));
export const isDirty = () => Boolean(changed());

function syncHash() {
  const q = new URLSearchParams();
  if (s.version !== "regional") q.set("version", s.version);
  if (s.lang !== "sv") q.set("lang", s.lang);
  const hash = `#/entries/${encodeURIComponent(s.topic)}${q.toString() ? "?" + q : ""}`;
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

// ---- rendering -------------------------------------------------------------------------------

function renderMeta() {
  const d = s.detail;
  $("entry-title").textContent = `${swedishTitle()} (${d.topic})`;
  const rows = [["Ämnes-id", d.topic], ["Område", areaLabel(d.area)], ["Frågan ämnet svarar på", d.question],
    ["Typ", d.custom ? "Eget ämne (tillagt av samordnare)" : "Gemensamt ämne i regionen"]];
  const meta = $("entry-meta");
  meta.replaceChildren();
  for (const [k, v] of rows) {
    const dd = el("dd", {}, v);
    if (k === "Frågan ämnet svarar på" && !d.custom) dd.lang = "en";
    meta.append(el("dt", {}, k), dd);
  }
}

function renderVersionSelect() {
  const select = $("version-select");
  select.replaceChildren();
  const r = s.detail.regional;
  select.append(el("option", { value: "regional" }, `Regional version (${(STATE_NAMES[r?.state] || "saknas").toLowerCase()})`));
  for (const l of s.detail.locals) {
    select.append(el("option", { value: l.library },
      `Lokal version för ${libName(l.library)} (${(STATE_NAMES[l.state] || l.state).toLowerCase()})`));
  }
  for (const lib of store.meta.editable_libraries) {
    if (!s.detail.locals.some((l) => l.library === lib)) {
      select.append(el("option", { value: lib }, `Skapa en lokal version för ${libName(lib)}`));
    }
  }
  if (![...select.options].some((o) => o.value === s.version)) {
    select.append(el("option", { value: s.version }, `Lokal version för ${libName(s.version)} (finns inte)`));
  }
  select.value = s.version;
  const v = versionData();
  let hint;
  if (s.version === "regional") hint = "Gäller alla bibliotek. Ett biblioteks lokala version går före den regionala för bibliotekets invånare.";
  else if (!v) hint = `Den lokala versionen för ${libName(s.version)} skapas när du sparar den första texten. Språk som du inte skriver får den regionala texten.`;
  else hint = `Invånare i ${libName(s.version)} får den lokala texten där den finns, annars den regionala. Andra bibliotek ser den aldrig.`;
  if (!editable()) hint += ` Du kan läsa men inte ändra den: bara ${libName(s.version)}s samordnare eller en administratör kan det.`;
  $("version-hint").textContent = hint;
}

const STATE_ACTIONS = [
  ["live", "Publicera", "Versionen är publicerad och svarar invånarna från nästa fråga."],
  ["draft", "Tillbaka till utkast", "Versionen är ett utkast och svarar inte invånarna."],
  ["retired", "Dra tillbaka", "Versionen är tillbakadragen och svarar inte invånarna. Den finns kvar med sin historik."],
];
const STATE_MEANING = {
  live: "svarar invånarna", draft: "svarar ingen ännu", retired: "svarar inte längre, finns kvar med sin historik",
};

function renderState() {
  const v = versionData();
  const now = $("state-now");
  now.tabIndex = -1;
  now.textContent = v
    ? `Status: ${STATE_NAMES[v.state] || v.state} (${STATE_MEANING[v.state] || ""}).`
    : "Den lokala versionen finns inte ännu.";
  const box = $("state-actions");
  box.replaceChildren();
  for (const [state, label] of STATE_ACTIONS) {
    const b = el("button", { type: "button", className: state === "live" ? "" : "secondary", dataset: { state } },
      v && v.state === "retired" && state === "live" ? "Publicera igen" : label);
    b.disabled = !v || v.state === state || !editable();
    b.addEventListener("click", () => setState(state));
    box.append(b);
  }
}

function renderPicker() {
  const list = $("lang-picker");
  list.replaceChildren();
  const local = s.version !== "regional";
  for (const key of contentKeys()) {
    const st = langStatus(key);
    const words = st === "missing" ? (local ? "saknas, regional text används" : "saknas") : st === "reviewed" ? "granskad" : "utkast";
    const b = el("button", { type: "button", className: `lang-button ${st}`, dataset: { lang: key } },
      el("span", { className: "lang-name" }, langLabel(key)),
      el("span", { className: "lang-state" }, el("span", { "aria-hidden": "true" }, REVIEW_ICONS[st] + " "), words));
    if (key === s.lang) b.setAttribute("aria-current", "true");
    b.addEventListener("click", () => pick({ lang: key }));
    list.append(el("li", {}, b));
  }
}

function fill() {
  const tr = translation();
  const regional = translation("regional");
  const prefill = !tr && s.version !== "regional" && regional;  // a new local text starts from the regional one
  const src = tr || (prefill ? regional : null);
  const attrs = langAttrs(s.lang);
  for (const name of FORM_FIELDS) {
    const f = field(name);
    f.lang = attrs.lang; f.dir = attrs.dir;
    f.value = src ? (name === "questions" ? (prefill ? "" : src.questions.join("\n")) : src[name] || "") : "";
    f.disabled = !editable();
    fieldError(f, $(`tr-${name}-error`), "");
  }
  s.loaded = values();
  s.expected = tr ? tr.version : 0;
  s.autoUnchecked = false;

  $("tr-legend").textContent = `${langLabel(s.lang)} – ${versionLabel(s.version, { lower: true })}`;
  const note = $("tr-note");
  note.hidden = Boolean(tr);
  if (prefill) note.textContent = `Det finns ingen lokal text på ${langName(s.lang)} ännu. Formuläret är förifyllt med den regionala texten: ändra det som skiljer sig hos ${libName(s.version)} och spara.`;
  else if (!tr) note.textContent = `Det finns ingen text på ${langName(s.lang)} ännu. Invånare som skriver på ${langName(s.lang)} får under tiden svaret på engelska eller svenska.`;

  const status = $("tr-status");
  if (!tr) status.textContent = "Granskning: ny text, sparas som utkast.";
  else if (tr.status === "reviewed") status.textContent = `Granskning: granskad${tr.reviewed_by ? ` av ${tr.reviewed_by}` : " (enligt innehållsfilen)"}${tr.reviewed_at ? ", " + when(tr.reviewed_at) : ""}.`;
  else status.textContent = "Granskning: utkast, inte granskad av någon som talar språket.";
  if (tr?.edited_by) status.textContent += ` Senast sparad av ${tr.edited_by}${tr.updated_at ? ", " + when(tr.updated_at) : ""} (version ${tr.version}).`;

  const box = field("reviewed"), hint = $("tr-reviewed-hint");
  box.checked = tr?.status === "reviewed";
  const may = mayReview(s.lang);
  box.disabled = !may || !editable();
  if (!may) {
    hint.textContent = `Rutan går inte att kryssa i: bara den som talar ${langName(s.lang === "sv-easy" ? "sv" : s.lang)} kan markera texten som granskad, och ditt konto har språken ${store.meta.me.languages.map(langName).join(", ") || "inga"}. Ändrar du titel, svar eller sms-form sparas texten som utkast.`;
  } else {
    hint.textContent = "Kryssa i när du har läst texten som invånarna får. Ändrar du titel, svar eller sms-form tas krysset bort tills du har kontrollerat den nya texten.";
  }
  $("tr-delete").disabled = !tr || !editable();
  $("tr-save").disabled = !editable();
  hideError();
  counters();
  $("view-entry").dataset.editing = `${s.version}/${s.lang}`;  // what the form shows (tests wait for it)
}

function counters() {
  const lim = store.meta.limits;
  updateCounter(field("title"), $("tr-title-count"), lim.title);
  updateCounter(field("answer"), $("tr-answer-count"), lim.answer);
  updateCounter(field("sms"), $("tr-sms-count"), lim.sms);
}

function renderAll() {
  renderMeta();
  renderVersionSelect();
  renderState();
  renderPicker();
  fill();
}

async function loadHistory() {
  const list = $("history-list");
  $("history-title").textContent = `Historik: ${versionLabel(s.version, { lower: true })}`;
  const topic = s.topic, version = s.version;
  const changes = await api(`/api/curation/entries/${encodeURIComponent(topic)}/history?version=${encodeURIComponent(version)}`);
  if (topic !== s.topic || version !== s.version) return;  // the coordinator picked another meanwhile
  list.dataset.version = version;
  renderChanges(list, changes, {
    empty: "Inga ändringar av den här versionen ännu.",
    onReverted: async () => {
      await reload({ keepForm: false });
      $("history-title").focus();
    },
  });
}

async function reload({ keepForm = false } = {}) {
  const typed = keepForm ? values() : null;
  s.detail = await api(`/api/curation/entries/${encodeURIComponent(s.topic)}`);
  renderMeta(); renderVersionSelect(); renderState(); renderPicker();
  if (!keepForm) fill();
  else for (const name of FORM_FIELDS) field(name).value = typed[name];
  await loadHistory();
}

// ---- picking a version or a language ---------------------------------------------------------

async function pick({ version = s.version, lang = s.lang }) {
  if (version === s.version && lang === s.lang) return;
  if (isDirty()) {
    const ok = await confirmDialog({
      title: "Osparade ändringar",
      text: `Du har ändrat texten på ${langName(s.lang)} utan att spara. Byter du nu försvinner ändringarna.`,
      yes: "Byt utan att spara", no: "Stanna kvar",
    });
    if (!ok) { $("version-select").value = s.version; return; }
  }
  const versionChanged = version !== s.version;
  s.version = version; s.lang = lang;
  syncHash();
  renderVersionSelect(); renderState(); renderPicker(); fill();
  announce(`${langLabel(lang)}, ${versionLabel(version, { lower: true })}: ${langStatusWords()}.`);
  if (versionChanged) await loadHistory();
}
const langStatusWords = () => ({ reviewed: "granskad", draft: "utkast", missing: "ingen text ännu" }[langStatus(s.lang)]);

$("version-select").addEventListener("change", (e) => pick({ version: e.target.value }));

// ---- editing ---------------------------------------------------------------------------------

const LIMITED = { title: ["Titeln", "title"], sms: ["Sms-formen", "sms"], answer: ["Svaret", "answer"] };
const overLimit = {};

for (const name of FORM_FIELDS) {
  field(name).addEventListener("input", () => {
    counters();
    if (LIMITED[name]) {  // said once when a field goes over its limit (the counter is its description)
      const [label, key] = LIMITED[name], max = store.meta.limits[key], n = field(name).value.trim().length;
      if (n > max && !overLimit[name]) announce(`${label} är ${n} tecken, högst ${max}.`);
      overLimit[name] = n > max;
    }
    if (VISIBLE.includes(name) && field("reviewed").checked && changed(VISIBLE) && !s.autoUnchecked) {
      field("reviewed").checked = false;
      s.autoUnchecked = true;
      announce(mayReview(s.lang)
        ? "Texten är ändrad: krysset Granskad är borttaget. Kryssa i igen när du har kontrollerat den nya texten."
        : "Texten är ändrad: den sparas som utkast tills någon som talar språket har granskat den.");
    }
  });
}

function showError(lead, err, extra = []) {
  const box = $("tr-error");
  box.replaceChildren(el("p", {}, apiMessage(lead, err)), ...extra);
  box.hidden = false;
}
function hideError() { $("tr-error").hidden = true; $("tr-error").replaceChildren(); }

function validate() {
  const lim = store.meta.limits, v = values(), problems = [];
  if (!v.title.trim()) problems.push(["title", "Skriv en titel."]);
  else if (v.title.trim().length > lim.title) problems.push(["title", `Titeln är ${v.title.trim().length} tecken, högst ${lim.title}.`]);
  if (v.answer.trim().length > lim.answer) problems.push(["answer", `Svaret är för långt (högst ${lim.answer} tecken).`]);
  if (v.sms.trim().length > lim.sms) problems.push(["sms", `Sms-formen är ${v.sms.trim().length} tecken, högst ${lim.sms}.`]);
  const longQ = v.questions.split("\n").find((q) => q.trim().length > lim.question);
  if (longQ) problems.push(["questions", `En frågevariant är över ${lim.question} tecken.`]);
  for (const name of FORM_FIELDS) fieldError(field(name), $(`tr-${name}-error`), "");
  for (const [name, msg] of problems) fieldError(field(name), $(`tr-${name}-error`), msg);
  return problems;
}

const FIELD_OF_MESSAGE = [[/title/i, "title"], [/SMS/, "sms"], [/question variant/i, "questions"], [/answer/i, "answer"]];

async function save({ expected = s.expected } = {}) {
  hideError();
  const problems = validate();
  if (problems.length) {
    showError("Texten kan inte sparas:", { message: problems.map((p) => p[1]).join(" ") });
    field(problems[0][0]).focus();
    return;
  }
  const v = values();
  const body = {
    title: v.title.trim(), answer: v.answer.trim(), sms: v.sms.trim(),
    questions: v.questions.split("\n").map((q) => q.trim()).filter(Boolean),
    version: expected,
  };
  if (mayReview(s.lang)) body.status = field("reviewed").checked ? "reviewed" : "draft";
  const where = `${langLabel(s.lang)}, ${versionLabel(s.version, { lower: true })}`;
  $("tr-save").disabled = true;
  try {
    const saved = await api(`/api/curation/entries/${encodeURIComponent(s.topic)}/${encodeURIComponent(s.version)}/${encodeURIComponent(s.lang)}`,
      { method: "PUT", json: body });
    await reload();
    const stateNote = versionData()?.state === "live" ? " Gäller från invånarnas nästa fråga." : " Versionen är inte publicerad, så invånarna ser den inte ännu.";
    announce(`Sparat: ${where} (version ${saved.version}, ${saved.status === "reviewed" ? "granskad" : "utkast"}).${stateNote}`);
  } catch (err) {
    if (err.status === 409) await conflict(err);
    else {
      const target = err.status === 422 ? FIELD_OF_MESSAGE.find(([re]) => re.test(err.message))?.[1] : null;
      if (target) {
        const fe = $(`tr-${target}-error`);
        fe.replaceChildren(el("span", { lang: "en" }, err.message));
        field(target).setAttribute("aria-invalid", "true");
      }
      showError(err.status === 403 ? "Du får inte spara den här texten:" : "Texten kunde inte sparas:", err);
      (target ? field(target) : $("tr-save")).focus();
    }
  } finally {
    $("tr-save").disabled = !editable();
  }
}

/** Someone else saved in between: keep the typed text, show theirs, let the coordinator choose. */
async function conflict(err) {
  let theirs = null;
  try {
    const fresh = await api(`/api/curation/entries/${encodeURIComponent(s.topic)}`);
    const v = fresh.regional && s.version === "regional" ? fresh.regional : fresh.locals.find((l) => l.library === s.version);
    theirs = v?.translations?.[s.lang] || null;
  } catch { /* shown without their text */ }
  const extra = [el("p", {}, "Någon annan har sparat en nyare version medan du skrev. Din text finns kvar i formuläret och är inte sparad.")];
  if (theirs) {
    const attrs = langAttrs(s.lang);
    extra.push(el("details", { open: true },
      el("summary", {}, `Den sparade versionen ${theirs.version}${theirs.edited_by ? ` av ${theirs.edited_by}` : ""}`),
      el("dl", { className: "meta" },
        el("dt", {}, "Titel"), el("dd", attrs, theirs.title),
        el("dt", {}, "Svar"), el("dd", { ...attrs, className: "pre" }, theirs.answer),
        el("dt", {}, "Sms-form"), el("dd", { ...attrs, className: "pre" }, theirs.sms || "–"))));
    const overwrite = el("button", { type: "button", id: "tr-overwrite" }, "Spara min text över den nya versionen");
    overwrite.addEventListener("click", () => save({ expected: theirs.version }));
    const useTheirs = el("button", { type: "button", className: "secondary", id: "tr-use-theirs" }, "Använd den sparade texten (min försvinner)");
    useTheirs.addEventListener("click", async () => { await reload(); field("answer").focus(); announce("Den sparade texten är inläst."); });
    extra.push(el("div", { className: "actions" }, overwrite, useTheirs));
  }
  showError("Texten sparades inte (konflikt):", err, extra);
  ($("tr-overwrite") || $("tr-save")).focus();
}

$("tr-form").addEventListener("submit", (e) => { e.preventDefault(); save(); });

$("tr-delete").addEventListener("click", async () => {
  const where = `${langLabel(s.lang)} i ${versionLabel(s.version, { lower: true })}`;
  const ok = await confirmDialog({
    title: "Ta bort översättningen?",
    text: `Texten på ${where} tas bort. Invånarna får då ${s.version === "regional" ? "svaret på engelska eller svenska" : "den regionala texten"}. Borttagningen kan ångras i historiken.`,
    yes: "Ja, ta bort",
  });
  if (!ok) return;
  hideError();
  try {
    await api(`/api/curation/entries/${encodeURIComponent(s.topic)}/${encodeURIComponent(s.version)}/${encodeURIComponent(s.lang)}?expected=${s.expected}`, { method: "DELETE" });
    await reload();
    announce(`Texten på ${where} är borttagen.`);
    $("tr-legend").closest("form").querySelector("#tr-title").focus();
  } catch (err) {
    showError("Texten kunde inte tas bort:", err);
    $("tr-delete").focus();
  }
});

async function setState(state) {
  const error = $("state-error");
  error.textContent = "";
  try {
    await api(`/api/curation/entries/${encodeURIComponent(s.topic)}/${encodeURIComponent(s.version)}/state`, { method: "POST", json: { state } });
    await reload({ keepForm: true });
    announce(STATE_ACTIONS.find((a) => a[0] === state)[2]);
    $("state-now").focus();
  } catch (err) {
    error.replaceChildren(apiMessage(state === "live" ? "Versionen kan inte publiceras:" : "Statusen kunde inte ändras:", err));
  }
}

// ---- the view --------------------------------------------------------------------------------

export async function show([topic], params) {
  s.topic = topic;
  s.loaded = null;
  try {
    s.detail = await api(`/api/curation/entries/${encodeURIComponent(topic)}`);
  } catch (err) {
    $("entry-title").textContent = err.status === 404 ? `Ämnet ${topic} finns inte` : `Ämnet ${topic} kunde inte hämtas`;
    for (const c of $("view-entry").querySelectorAll(".editor-grid, .history, #entry-meta")) c.hidden = true;
    announce(err.message);
    return $("entry-title").textContent;
  }
  for (const c of $("view-entry").querySelectorAll(".editor-grid, .history, #entry-meta")) c.hidden = false;
  const version = params.get("version") || "regional";
  s.version = version === "regional" || s.detail.locals.some((l) => l.library === version) || store.meta.editable_libraries.includes(version)
    ? version : "regional";
  const lang = params.get("lang") || "sv";
  s.lang = contentKeys().includes(lang) ? lang : "sv";
  renderAll();
  syncHash();
  await loadHistory();
  return `${swedishTitle()} (${topic})`;
}

window.addEventListener("beforeunload", (e) => {
  if (!$("view-entry").hidden && isDirty()) { e.preventDefault(); e.returnValue = ""; }
});
