// 3. Testa en fråga: what the assistant would answer, in which language, from which version,
// and the closest topics with their scores.
import { api } from "./api.js";
import { $, announce, apiMessage, el, fillSelect, langAttrs, langLabel, libName, store } from "./common.js";

export const SECTION = "view-try";
export const TITLE = "Testa en fråga";

const DECISIONS = {
  answer: "Svarar direkt med ämnet som ligger närmast.",
  clarify: "Frågar tillbaka: invånaren får välja bland de troligaste ämnena eller be om en person.",
  none: "Inget svar: assistenten förstår inte frågan och erbjuder en person.",
};
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

function render(out) {
  const summary = $("try-summary");
  const detected = out.detected_language ? langLabel(out.detected_language) + (out.detected_supported ? "" : " (stöds inte)") : "okänt";
  summary.replaceChildren();
  const decision = el("dd", { id: "try-decision", dataset: { decision: out.decision } }, DECISIONS[out.decision] || out.decision);
  for (const [k, v] of [["Upptäckt språk", detected], ["Svarar på", langLabel(out.reply_language)],
    ["Bibliotek", out.library ? libName(out.library) : "inget (bara regionalt innehåll)"]]) {
    summary.append(el("dt", {}, k), el("dd", {}, v));
  }
  summary.append(el("dt", {}, "Beslut"), decision);
  if (out.margin !== null && out.margin !== undefined) summary.append(el("dt", {}, "Marginal till nästa ämne"), el("dd", {}, fmt(out.margin)));

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
    box.append(el("p", { className: "muted" }, out.decision === "answer"
      ? "Ämnet har ingen publicerad text att svara med."
      : "Inget färdigt svar: se beslutet ovan och de närmaste ämnena nedan."));
  }

  const body = $("try-candidates").tBodies[0];
  body.replaceChildren();
  out.candidates.forEach((c, i) => {
    body.append(el("tr", {},
      el("td", {}, String(i + 1)),
      el("td", {}, el("a", { href: `#/entries/${encodeURIComponent(c.topic)}` }, c.topic)),
      el("td", {}, c.title || "–"),
      el("td", { className: "num" }, fmt(c.score)),
      el("td", { className: "num" }, fmt(c.dense)),
      el("td", { className: "num" }, fmt(c.lexical)),
      el("td", { className: "num" }, fmt(c.classifier))));
  });
  if (!out.candidates.length) body.append(el("tr", {}, el("td", { colspan: 7 }, "Inga ämnen alls.")));
  const t = out.thresholds;
  $("try-thresholds").textContent = `Gränser: svarar direkt från poäng ${fmt(t.confident)} (med marginal ${fmt(t.margin)} till nästa), frågar tillbaka från ${fmt(t.weak)}.`;
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
    announce(`${DECISIONS[out.decision]}${a ? ` Ämne ${a.topic}, ${a.version === "regional" ? "regional version" : "lokal version för " + libName(a.version)}.` : ""}`);
    $("try-result-title").focus();
  } catch (err) {
    error.replaceChildren(apiMessage("Frågan kunde inte testas:", err));
  } finally {
    $("try-submit").disabled = false;
  }
});
