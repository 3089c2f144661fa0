// 6. Import och export: download links; import a file (read with FileReader) after a dry run
// that shows what would change; a refused file lists every problem.
import { api } from "./api.js";
import { $, announce, el, langLabel, libName } from "./common.js";
import { confirmDialog } from "./dialog.js";

export const SECTION = "view-import";
export const TITLE = "Import och export";

let file = null;      // {name, text}
let checked = null;   // the text that passed a dry run

// What a change leaves: reviewed (by the importer) or a draft.
const STATUS = { reviewed: "granskad av dig", draft: "utkast" };
const status = (c) => (STATUS[c.status] ? ` (${STATUS[c.status]})` : "");
const faqName = (c) => `${c.topic}, ${langLabel(c.language, { capital: false })}, ${c.library ? "lokal version för " + libName(c.library) : "regional"}`;
const textName = (c) => `bottext ${c.key}, ${langLabel(c.language, { capital: false })}`;

const WHAT = {
  faq: (c) => `${c.action === "created" ? "Ny text" : "Ändrad text"}: ${faqName(c)}${status(c)}`,
  state: (c) => `Ny status för ${c.topic} (${c.library ? libName(c.library) : "regional"}): ${c.state}`,
  text: (c) => `${c.action === "created" ? "Ny bottext" : "Ändrad bottext"}: ${c.key}, ${langLabel(c.language, { capital: false })}${status(c)}`,
  topic: (c) => `${c.action === "created" ? "Nytt eget ämne" : "Ändrat eget ämne"}: ${c.topic}`,
};

/** Rows the file marks reviewed that are (or stay) drafts: the importer does not speak their language. */
function showNotReviewed(report) {
  const box = $("import-not-reviewed");
  const rows = report.review_refused || [];
  if (!rows.length) { box.hidden = true; box.replaceChildren(); return ""; }
  const n = rows.length;
  const lead = `${n} ${n === 1 ? "text är markerad" : "texter är markerade"} som granskade i filen, men importen ${report.dry_run ? "markerar" : "markerade"} dem inte som granskade: du talar inte språket enligt ditt konto. De är utkast tills en kollega som talar språket granskar dem i redigeraren.`;
  box.replaceChildren(
    el("p", {}, lead),
    el("ul", { id: "import-not-reviewed-list" }, rows.slice(0, 200).map((r) => el("li", {}, r.what === "text" ? textName(r) : faqName(r)))),
    ...(n > 200 ? [el("p", {}, `… och ${n - 200} till.`)] : []));
  box.hidden = false;
  return lead;
}

function applyState() {
  $("import-apply").disabled = !file || checked !== file.text;
}

function showErrors(lead, err) {
  const box = $("import-errors");
  const items = err.errors && err.errors.length ? err.errors : [err.message];
  box.replaceChildren(
    el("p", {}, `${lead} ${items.length === 1 ? "1 problem" : `${items.length} problem`}; ingenting har ändrats.`),
    el("ul", { id: "import-error-list" }, items.map((e) => el("li", { lang: "en" }, e))));
  box.hidden = false;
  $("import-file").setAttribute("aria-invalid", "true");
}

function showReport(report) {
  const section = $("import-result");
  $("import-result-title").textContent = report.dry_run ? "Kontrollen: det här skulle ändras" : "Importerat";
  $("import-summary").textContent = report.dry_run
    ? `${report.changed} ${report.changed === 1 ? "ändring" : "ändringar"} skulle göras; ${report.unchanged} rader är redan som i filen. Ingenting är sparat ännu.`
    : `${report.changed} ${report.changed === 1 ? "ändring" : "ändringar"} är sparade; ${report.unchanged} rader var redan som i filen.`;
  $("import-summary").dataset.changed = report.changed;
  $("import-review").textContent = `Granskare: texter som filen anger som granskade blir granskade av dig (${report.reviewer}) i de språk du talar. Granskarnamn och datum i filen används inte.`;
  $("import-summary").dataset.notReviewed = showNotReviewed(report);
  const list = $("import-changes");
  list.replaceChildren(...report.changes.slice(0, 500).map((c) => el("li", {}, (WHAT[c.what] || ((x) => JSON.stringify(x)))(c))));
  if (report.changes.length > 500) list.append(el("li", {}, `… och ${report.changes.length - 500} till.`));
  section.hidden = false;
}

async function run(dryRun) {
  $("import-errors").hidden = true;
  $("import-file").removeAttribute("aria-invalid");
  if (!file) {
    showErrors("Välj en fil först:", { message: "Ingen fil är vald.", errors: [] });
    $("import-error-list").firstChild.lang = "sv";
    $("import-file").focus();
    return;
  }
  const format = $("import-format").value;
  const busy = dryRun ? $("import-check") : $("import-apply");
  busy.disabled = true;
  try {
    const report = await api(`/api/curation/import?format=${format}&dry_run=${dryRun}`, { method: "POST", text: file.text });
    if (dryRun) checked = file.text;
    else checked = null;
    showReport(report);
    announce(`${$("import-summary").textContent} ${$("import-summary").dataset.notReviewed}`.trim());
    $("import-result-title").focus();
  } catch (err) {
    checked = null;
    $("import-result").hidden = true;
    showErrors(dryRun ? "Filen kan inte importeras:" : "Importen avbröts:", err);
    announce(`Filen har fel: ${err.errors?.length || 1} problem. Ingenting har ändrats.`);
    $("import-file").focus();
  } finally {
    busy.disabled = false;
    applyState();
  }
}

$("import-file").addEventListener("change", () => {
  const input = $("import-file");
  file = null; checked = null;
  $("import-result").hidden = true;
  $("import-errors").hidden = true;
  applyState();
  const chosen = input.files && input.files[0];
  if (!chosen) { $("import-file-info").textContent = ""; return; }
  if (/\.csv$/i.test(chosen.name)) $("import-format").value = "csv";
  else if (/\.ya?ml$/i.test(chosen.name)) $("import-format").value = "yaml";
  const reader = new FileReader();
  reader.addEventListener("load", () => {
    file = { name: chosen.name, text: String(reader.result) };
    $("import-file-info").textContent = `${chosen.name}, ${Math.ceil(chosen.size / 1024)} kB, läses som ${$("import-format").value.toUpperCase()}. Välj Kontrollera.`;
    applyState();
  });
  reader.addEventListener("error", () => { $("import-file-info").textContent = "Filen kunde inte läsas."; });
  reader.readAsText(chosen, "utf-8");
});
$("import-format").addEventListener("change", () => { checked = null; applyState(); });
$("import-form").addEventListener("submit", (e) => { e.preventDefault(); run(true); });
$("import-apply").addEventListener("click", async () => {
  const n = $("import-summary").dataset.changed;
  const ok = await confirmDialog({
    title: "Importera filen?",
    text: `${file.name}: ${n} ${n === "1" ? "ändring" : "ändringar"} sparas och gäller från nästa fråga. Varje ändring hamnar i historiken och kan ångras där.`,
    yes: "Ja, importera",
  });
  if (ok) run(false);
});

export async function show() {
  applyState();
  return TITLE;
}
