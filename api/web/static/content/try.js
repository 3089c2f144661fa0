// 3. Testa en fråga: what the assistant would do (the reply policy's decision), in which language,
// from which version, Rasa's intents, and the closest topics with their confidence and scores.
import { api } from "./api.js";
import { $, announce, apiMessage, el, fillSelect, langAttrs, langLabel, libName, store } from "./common.js";

export const SECTION = "view-try";
export const TITLE = "Testa en fråga";

// The reply policy's decisions (actions/reply_policy.py), in plain Swedish.
const DECISIONS = {
  faq: "Svarar direkt med ämnet som troligast svarar på frågan.",
  clarify: "Frågar tillbaka: invånaren får välja bland de troligaste ämnena eller be om en person.",
  not_covered: "Inget svar: inget ämne täcker frågan. Assistenten säger det ärligt och erbjuder en person.",
  handoff: "Lämnar över till personal: invånaren ber om en person och får en plats i kön.",
  out_of_scope: "Utanför bibliotekets område: assistenten säger vad den kan hjälpa till med.",
  smalltalk: "Småprat: assistenten hälsar, tackar eller säger hej då.",
  language: "Byter språk: invånaren ber att få svar på ett annat språk.",
};
// Rasa's intents, in plain Swedish.
const INTENTS = {
  ask_question: "En fråga om biblioteket",
  request_human: "Vill prata med en person",
  out_of_scope: "Utanför bibliotekets område",
  greet: "Hälsning",
  thanks: "Tack",
  goodbye: "Hej då",
  choose_language: "Vill byta språk",
  nlu_fallback: "Oklart",
};
const SMALL_TALK = { greet: "hälsning", thanks: "tack", goodbye: "hej då" };
let filled = false;

function fill() {
  if (filled) return;
  const libs = Object.values(store.libraries).sort((a, b) => a.name.localeCompare(b.name, "sv"));
  fillSelect($("try-library"), libs.map((l) => [l.id, l.name]), { keep: 1 });
  $("try-library").value = store.meta.me.library || "";
  fillSelect($("try-language"), Object.values(store.languages).map((l) => [l.code, langLabel(l.code)]), { keep: 1 });
  filled = true;
}

const fmt = (n) => (typeof n === "number" ? n.toLocaleString("sv-SE", { minimumFractionDigits: 3, maximumFractionDigits: 3 }) : "–");
/** 0.8731 -> "87 %" (a probability as a percentage). */
const pct = (p) => (typeof p === "number" ? `${Math.round(p * 100).toLocaleString("sv-SE")} %` : "–");
const decisionText = (d) => DECISIONS[d.kind] || d.kind;
const intentLabel = (name) => INTENTS[name] || name;

function decisionDetail(d) {
  if (d.kind === "faq" && d.topic) return ` Ämne ${d.topic}, säkerhet ${pct(d.confidence)}.`;
  if (d.kind === "clarify" && d.options?.length) return ` Förslag: ${d.options.join(", ")}.`;
  if (d.kind === "smalltalk" && d.intent) return ` (${SMALL_TALK[d.intent] || d.intent}, säkerhet ${pct(d.confidence)})`;
  if (["handoff", "out_of_scope", "language", "not_covered"].includes(d.kind)) return ` Säkerhet ${pct(d.confidence)}.`;
  return "";
}

function render(out) {
  const summary = $("try-summary");
  const detected = out.detected_language ? langLabel(out.detected_language) + (out.detected_supported ? "" : " (stöds inte)") : "okänt";
  summary.replaceChildren();
  const d = out.decision;
  const decision = el("dd", { id: "try-decision", dataset: { decision: d.kind } }, decisionText(d) + decisionDetail(d));
  for (const [k, v] of [["Upptäckt språk", detected], ["Svarar på", langLabel(out.reply_language)],
    ["Bibliotek", out.library ? libName(out.library) : "inget (bara regionalt innehåll)"]]) {
    summary.append(el("dt", {}, k), el("dd", {}, v));
  }
  summary.append(el("dt", {}, "Beslut"), decision);

  const note = $("try-rasa-note");
  note.hidden = out.rasa;
  note.textContent = out.rasa ? "" : "Rasa kunde inte tillfrågas just nu, så beslutet bygger bara på vanliga frågor "
    + "(som i chatten när Rasa inte svarar). Hälsningar, önskemål om en person och frågor utanför bibliotekets område känns inte igen.";
  const intents = Object.entries(out.intents || {});
  $("try-intents-box").hidden = !out.rasa;
  const intentRows = $("try-intents").tBodies[0];
  intentRows.replaceChildren();
  for (const [name, p] of intents) {
    intentRows.append(el("tr", { dataset: { intent: name } },
      el("td", {}, intentLabel(name)), el("td", { className: "num" }, pct(p))));
  }
  if (out.rasa && !intents.length) intentRows.append(el("tr", {}, el("td", { colspan: 2 }, "Rasa gav inga sannolikheter.")));

  const box = $("try-answer");
  box.replaceChildren();
  const a = out.answer;
  if (a) {
    const attrs = langAttrs(a.language);
    box.append(
      el("h4", {}, "Svaret invånaren skulle få"),
      el("p", { className: "answer-title", ...attrs }, a.title),
      el("p", { className: "answer-text pre", id: "try-answer-text", ...attrs }, a.text),
      el("dl", { className: "meta", id: "try-answer-meta" },
        el("dt", {}, "Ämne"), el("dd", {}, el("a", { href: `#/entries/${encodeURIComponent(a.topic)}${a.version !== "regional" ? `?version=${encodeURIComponent(a.version)}` : ""}` }, a.topic)),
        el("dt", {}, "Språk"), el("dd", {}, langLabel(a.language) + (a.fallback ? " (reservspråk: det finns ingen text på det valda språket)" : "")),
        el("dt", {}, "Version"), el("dd", { id: "try-answer-version", dataset: { version: a.version } },
          a.version === "regional" ? "Regional version" : `Lokal version för ${libName(a.version)}`),
        el("dt", {}, "Granskning"), el("dd", {}, a.status === "reviewed" ? "Granskad" : "Utkast (inte granskad)"),
        a.sms ? [el("dt", {}, "Sms-form"), el("dd", { ...attrs, className: "pre" }, a.sms)] : null),
    );
  } else {
    box.append(el("p", { className: "muted" }, d.kind === "faq"
      ? "Ämnet har ingen publicerad text att svara med."
      : "Inget färdigt svar: se beslutet ovan och de närmaste ämnena nedan."));
  }

  const body = $("try-candidates").tBodies[0];
  body.replaceChildren();
  out.candidates.forEach((c, i) => {
    body.append(el("tr", {},
      el("td", {}, String(i + 1)),
      el("td", {}, el("a", { href: `#/entries/${encodeURIComponent(c.topic)}` }, c.topic)),
      el("td", langAttrs(out.reply_language), c.title || "–"),
      el("td", { className: "num" }, pct(c.confidence)),
      el("td", { className: "num" }, fmt(c.score)),
      el("td", { className: "num" }, fmt(c.dense)),
      el("td", { className: "num" }, fmt(c.lexical))));
  });
  if (!out.candidates.length) body.append(el("tr", {}, el("td", { colspan: 7 }, "Inga ämnen alls.")));
  const t = out.limits;
  $("try-thresholds").textContent = `Gränser: lämnar över till personal när sannolikheten att invånaren vill prata med en person är minst ${pct(t.person)}; `
    + `utanför bibliotekets område från ${pct(t.off_topic)}; småprat från ${pct(t.small_talk)}; `
    + `svarar direkt när ett ämne har minst ${pct(t.answer)} säkerhet (ett meddelande på högst ${t.short_words} ord bara om ämnet är minst ${t.short_lead} gånger så säkert som nästa); `
    + `frågar tillbaka om ämnen med minst ${pct(t.offer)}; `
    + "annars säger assistenten att den inte har något svar.";
}

export async function show() {
  fill();
  return TITLE;
}

$("try-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("try-text").value.trim(), error = $("try-error");
  error.textContent = "";
  $("try-text").removeAttribute("aria-invalid");
  if (!text) {
    error.textContent = "Skriv en fråga att testa.";
    $("try-text").setAttribute("aria-invalid", "true");
    $("try-text").focus();
    return;
  }
  const body = { text, library: $("try-library").value || null, easy_read: $("try-easy").checked };
  if ($("try-language").value) body.language = $("try-language").value;
  $("try-submit").disabled = true;
  try {
    const out = await api("/api/curation/try", { method: "POST", json: body });
    render(out);
    $("try-result").hidden = false;
    const a = out.answer;
    announce(`${decisionText(out.decision)}${a ? ` Ämne ${a.topic}, ${a.version === "regional" ? "regional version" : "lokal version för " + libName(a.version)}.` : ""}${out.rasa ? "" : " Rasa kunde inte tillfrågas."}`);
    $("try-result-title").focus();
  } catch (err) {
    error.replaceChildren(apiMessage("Frågan kunde inte testas:", err));
  } finally {
    $("try-submit").disabled = false;
  }
});
