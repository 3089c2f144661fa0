// 5. Statistik: key figures and charts for a period and a library, from GET /api/insights.
import { api } from "./api.js";
import { $, CHANNEL_NAMES, announce, apiMessage, el, fillSelect, isoDay, langLabel, libName, store } from "./common.js";
import { chart } from "./charts.js";

export const SECTION = "view-insights";
export const TITLE = "Statistik";

const BUCKETS = { "5m": "Inom 5 min", "15m": "5–15 min", "1h": "15–60 min", "4h": "1–4 timmar", "24h": "4–24 timmar", more: "Över 24 timmar" };
let filled = false;
let loads = 0;  // only the newest request's answer is shown

const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)} %`);
const fmt = (n) => Number(n).toLocaleString("sv-SE");
const dayLong = new Intl.DateTimeFormat("sv-SE", { day: "numeric", month: "long" });
const dayShort = new Intl.DateTimeFormat("sv-SE", { day: "numeric", month: "short" });
const asDate = (iso) => new Date(`${iso}T12:00:00`);

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600), m = Math.round((seconds % 3600) / 60);
  return `${h} h ${m} min`;
}

function fill() {
  if (filled) return;
  fillSelect($("ins-library"), Object.values(store.libraries).sort((a, b) => a.name.localeCompare(b.name, "sv"))
    .map((l) => [l.id, l.name]), { keep: 1 });
  const today = new Date(), start = new Date();
  start.setDate(today.getDate() - 29);
  $("ins-start").value = isoDay(start);
  $("ins-end").value = isoDay(today);
  filled = true;
}

function kpis(r) {
  const t = r.totals, fr = r.first_reply;
  const items = [
    ["Samtal", fmt(t.conversations), "samtal med minst en fråga", "kpi-conversations"],
    ["Besvarade av assistenten", pct(t.share_bot), "av samtalen gick aldrig till personal", "kpi-share-bot"],
    ["Till personal", pct(t.share_staff), `${fmt(t.handoffs)} överlämningar`, "kpi-share-staff"],
    ["Svar från assistenten", fmt(t.answered), `frågade tillbaka: ${fmt(t.clarify)}, utanför ämnet: ${fmt(t.out_of_scope)}`, "kpi-answered"],
    ["Tummen upp", fmt(t.feedback_up), "nöjda med svaret", "kpi-up"],
    ["Tummen ner", fmt(t.feedback_down), "missnöjda med svaret", "kpi-down"],
    ["Personalens tid till första svar", duration(fr.mean_seconds), fr.count ? `i snitt, ${fmt(fr.count)} ärenden` : "inga svar från personal", "kpi-first-reply"],
  ];
  $("ins-kpis").replaceChildren(...items.map(([k, v, note, id]) => el("div", { className: "kpi", id },
    el("dt", {}, k), el("dd", { className: "kpi-value" }, v), el("dd", { className: "kpi-note" }, note))));
}

function breakdownChart(id, title, rows, nameOf, what) {
  const list = rows.map((r) => ({ label: nameOf(r), value: r.conversations, id: r.id }));
  const total = list.reduce((a, r) => a + r.value, 0);
  const top = [...list].sort((a, b) => b.value - a.value).slice(0, 3).filter((r) => r.value > 0);
  return chart({
    id, title, kind: "bars", rows: list,
    summary: `${fmt(total)} samtal fördelade på ${list.filter((r) => r.value).length} ${what}. Flest: ${top.map((r) => `${r.label} ${fmt(r.value)}`).join(", ")}.`,
    empty: "Inga samtal under perioden.",
    table: {
      columns: [{ label: title.split(" per ")[1] ? cap(title.split(" per ")[1]) : "Namn" }, { label: "Samtal", numeric: true },
        { label: "Svar från assistenten", numeric: true }, { label: "Till personal", numeric: true }],
      rows: rows.map((r) => ({ id: r.id, cells: [nameOf(r), r.conversations, r.answered, r.handoffs] })),
    },
  });
}
const cap = (s) => s[0].toUpperCase() + s.slice(1);

function render(r) {
  kpis(r);
  const box = $("ins-charts");
  const t = r.totals;
  const days = r.per_day;
  const busiest = days.reduce((best, d) => (d.conversation > (best?.conversation ?? -1) ? d : best), null);
  const handed = t.conversations ? Math.round(t.share_staff * t.conversations) : 0;
  const charts = [
    chart({
      id: "chart-per-day", title: "Samtal per dag", kind: "columns", valueName: "samtal",
      rows: days.map((d) => ({ label: dayLong.format(asDate(d.day)), short: dayShort.format(asDate(d.day)), value: d.conversation })),
      summary: `${fmt(t.conversations)} samtal på ${days.length} dagar, ${dayLong.format(asDate(days[0].day))}–${dayLong.format(asDate(days[days.length - 1].day))}. `
        + (busiest && busiest.conversation ? `Flest den ${dayLong.format(asDate(busiest.day))}: ${fmt(busiest.conversation)}.` : ""),
      empty: "Inga samtal under perioden.",
      table: {
        columns: [{ label: "Dag" }, { label: "Samtal", numeric: true }, { label: "Svar", numeric: true }, { label: "Frågade tillbaka", numeric: true },
          { label: "Utanför ämnet", numeric: true }, { label: "Till personal", numeric: true }],
        rows: days.map((d) => ({ id: d.day, cells: [d.day, d.conversation, d.answered, d.clarify, d.out_of_scope, d.handoff] })),
      },
    }),
    chart({
      id: "chart-who", title: "Vem svarade", kind: "bars",
      rows: [{ label: "Bara assistenten", value: t.conversations - handed }, { label: "Gick till personal", value: handed }],
      summary: `Assistenten klarade ${pct(t.share_bot)} av samtalen själv, ${pct(t.share_staff)} gick till personal.`,
      empty: "Inga samtal under perioden.",
      table: {
        columns: [{ label: "Vem" }, { label: "Samtal", numeric: true }, { label: "Andel" }],
        rows: [{ id: "bot", cells: ["Bara assistenten", t.conversations - handed, pct(t.share_bot)] },
          { id: "staff", cells: ["Gick till personal", handed, pct(t.share_staff)] }],
      },
    }),
    breakdownChart("chart-library", "Samtal per bibliotek", r.by_library, (x) => (x.id ? libName(x.id) : "Inget bibliotek"), "bibliotek"),
    breakdownChart("chart-language", "Samtal per språk", r.by_language, (x) => (x.id ? langLabel(x.id) : "Okänt språk"), "språk"),
    breakdownChart("chart-channel", "Samtal per kanal", r.by_channel, (x) => CHANNEL_NAMES[x.id] || x.name || x.id, "kanaler"),
    chart({
      id: "chart-topics", title: "Vanligaste ämnena", kind: "bars",
      rows: r.top_topics.map((x) => ({ label: `${x.title} (${x.topic})`, value: x.answered, id: x.topic,
        note: `${fmt(x.answered)} svar, ${fmt(x.feedback_up)} tummen upp, ${fmt(x.feedback_down)} tummen ner` })),
      summary: r.top_topics.length
        ? `De ${r.top_topics.length} ämnen som besvarades oftast. Flest: ${r.top_topics.slice(0, 3).map((x) => `${x.title} ${fmt(x.answered)} svar`).join(", ")}. Tummen upp och ner finns i tabellen.`
        : "",
      empty: "Inga besvarade frågor under perioden.",
      table: {
        columns: [{ label: "Ämne" }, { label: "Svar", numeric: true }, { label: "Tummen upp", numeric: true },
          { label: "Tummen ner", numeric: true }, { label: "Till personal", numeric: true }],
        rows: r.top_topics.map((x) => ({ id: x.topic, cells: [`${x.title} (${x.topic})`, x.answered, x.feedback_up, x.feedback_down, x.handoffs] })),
      },
    }),
    chart({
      id: "chart-first-reply", title: "Personalens tid till första svar", kind: "columns", valueName: "ärenden",
      rows: r.first_reply.buckets.map((b) => ({ label: BUCKETS[b.within] || b.within, value: b.count })),
      summary: `${fmt(r.first_reply.count)} ärenden fick ett första svar från personal, i snitt efter ${duration(r.first_reply.mean_seconds)}. `
        + r.first_reply.buckets.filter((b) => b.count).map((b) => `${BUCKETS[b.within] || b.within}: ${fmt(b.count)}`).join(", ") + ".",
      empty: "Personalen har inte svarat på några ärenden under perioden.",
      table: {
        columns: [{ label: "Första svaret" }, { label: "Ärenden", numeric: true }],
        rows: r.first_reply.buckets.map((b) => ({ id: b.within, cells: [BUCKETS[b.within] || b.within, b.count] })),
      },
    }),
  ];
  box.replaceChildren(...charts);
}

async function load() {
  const start = $("ins-start"), end = $("ins-end"), error = $("ins-error");
  error.textContent = "";
  for (const f of [start, end]) f.removeAttribute("aria-invalid");
  if (!start.value || !end.value || start.value > end.value) {
    error.textContent = !start.value || !end.value ? "Välj både från- och tilldatum." : "Perioden börjar efter att den slutar.";
    const bad = !start.value ? start : end;
    bad.setAttribute("aria-invalid", "true");
    bad.focus();
    return false;
  }
  const q = new URLSearchParams({ start: start.value, end: end.value });
  if ($("ins-library").value) q.set("library", $("ins-library").value);
  $("ins-period").textContent = "Hämtar statistiken …";
  const mine = ++loads;
  try {
    const r = await api("/api/insights?" + q);
    if (mine !== loads) return false;
    render(r);
    $("ins-period").textContent = `${r.period.from} – ${r.period.to}, ${r.library ? libName(r.library) : "alla bibliotek"}: ${fmt(r.totals.conversations)} samtal.`;
    return true;
  } catch (err) {
    $("ins-period").textContent = "";
    error.replaceChildren(apiMessage("Statistiken kunde inte hämtas:", err));
    return false;
  }
}

export async function show(_args, params) {
  fill();
  for (const [name, id] of [["start", "ins-start"], ["end", "ins-end"], ["library", "ins-library"]]) {
    if (params.has(name)) $(id).value = params.get(name);
  }
  await load();
  return TITLE;
}

$("insights-filters").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (await load()) announce($("ins-period").textContent);
});
