// The "new topic" dialog: from the topic list (POST /api/curation/entries) or from a group of
// residents' questions (POST /api/needs/draft, the residents' wordings become question variants).
import { api } from "./api.js";
import { $, AREA_NAMES, el, fieldError, fillSelect, store, updateCounter } from "./common.js";
import { openDialog } from "./dialog.js";

const F = () => ({
  dialog: $("topic-dialog"), form: $("topic-form"), id: $("topic-id"), area: $("topic-area"),
  question: $("topic-question"), title: $("topic-title"), error: $("topic-error"), submit: $("topic-submit"),
});
const FIELD_OF = [  // which field an API message is about
  [/^topic\b|topic id|exists already/i, "id"], [/area/i, "area"], [/^title\b|title/i, "title"], [/question/i, "question"],
];

let pending = null;  // {send(values) -> Promise<detail>, done(detail)}
let close = () => {};

/** A topic id from free text: "Får jag ta med hunden?" -> "far_jag_ta_med_hunden". */
export function slug(text) {
  return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "").split("_").slice(0, 4).join("_").slice(0, 40);
}

function clearErrors(f) {
  for (const k of ["id", "area", "question", "title"]) fieldError(f[k], $(`topic-${k === "id" ? "id" : k}-error`), "");
  f.error.textContent = "";
}

/** Open the dialog. `values` prefills it; `send(values)` does the request; `done(result)` after. */
export function openTopicDialog({ heading, submitLabel, description, extra, values = {}, send, done }) {
  const f = F();
  fillSelect(f.area, store.meta.areas.map((a) => [a, AREA_NAMES[a] ? `${AREA_NAMES[a]} (${a})` : a]));
  $("topic-dialog-title").textContent = heading;
  $("topic-dialog-desc").textContent = description
    || "Ämnet skapas som utkast. Skriv svar på svenska och engelska och publicera det sedan.";
  $("topic-extra").hidden = !extra;
  $("topic-extra").textContent = extra || "";
  f.submit.textContent = submitLabel;
  f.id.value = values.topic || "";
  f.area.value = store.meta.areas.includes(values.area) ? values.area : store.meta.areas[0];
  f.question.value = values.question || "";
  f.title.value = values.title || "";
  clearErrors(f);
  updateCounter(f.title, $("topic-title-count"), store.meta.limits.title);
  pending = { send, done };
  close = openDialog(f.dialog, f.id);
}

function validate(f) {
  clearErrors(f);
  const problems = [];
  const v = { topic: f.id.value.trim(), area: f.area.value, question: f.question.value.trim(), title: f.title.value.trim() };
  if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(v.topic)) {
    problems.push(["id", "Skriv id:t som område.namn med små bokstäver a–z, siffror och _, till exempel visit.pets."]);
  }
  if (!v.question) problems.push(["question", "Beskriv frågan som ämnet svarar på."]);
  if (!v.title) problems.push(["title", "Ge ämnet en svensk titel."]);
  else if (v.title.length > store.meta.limits.title) problems.push(["title", `Titeln får vara högst ${store.meta.limits.title} tecken.`]);
  for (const [k, msg] of problems) fieldError(f[k], $(`topic-${k}-error`), msg);
  return problems.length ? (f[problems[0][0]].focus(), null) : v;
}

function init() {
  const f = F();
  f.title.addEventListener("input", () => updateCounter(f.title, $("topic-title-count"), store.meta.limits.title));
  $("topic-cancel").addEventListener("click", () => close());
  f.form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = validate(f);
    if (!values || !pending) return;
    f.submit.disabled = true;
    try {
      const result = await pending.send(values);
      const done = pending.done;
      pending = null;
      close();
      done(result, values);
    } catch (err) {
      const field = FIELD_OF.find(([re]) => re.test(err.message))?.[1];
      if (field && err.status === 422) {
        fieldError(f[field], $(`topic-${field}-error`), "");
        $(`topic-${field}-error`).replaceChildren(el("span", { lang: "en" }, err.message));
        f[field].setAttribute("aria-invalid", "true");
        f[field].focus();
      }
      f.error.replaceChildren(document.createTextNode("Ämnet kunde inte skapas: "), el("span", { lang: "en" }, err.message));
    } finally {
      f.submit.disabled = false;
    }
  });
}
init();

/** The list's "Nytt ämne". */
export function newTopic(onCreated) {
  openTopicDialog({
    heading: "Nytt ämne",
    submitLabel: "Skapa ämnet",
    send: (v) => api("/api/curation/entries", { method: "POST", json: v }),
    done: onCreated,
  });
}
