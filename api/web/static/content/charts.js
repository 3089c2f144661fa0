// Small bar charts as inline SVG (no library): each is a <figure> with a heading, an SVG with
// role="img" named by the heading and described by a written summary, and the same numbers as a
// real <table> under "Visa som tabell". Bars are a dark blue (7:1 against white) with their values
// written beside them, so colour never carries the meaning alone. Drawn at the width they get
// (redrawn when it changes), so the text stays readable at 320 px and at 200% zoom.
import { el } from "./common.js";

const NS = "http://www.w3.org/2000/svg";
const BAR = "#005a9c", GRID = "#767676", INK = "#1b1b1b";
const FONT = 13;

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (n) => Number(n).toLocaleString("sv-SE");

function niceMax(max) {
  if (max <= 5) return Math.max(1, max);
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Vertical bars: rows [{label, short, value}], e.g. per day. */
function drawColumns(box, rows, width, valueName) {
  const height = 220, left = 44, right = 8, top = 20, bottom = 34;
  const plotW = Math.max(40, width - left - right), plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const s = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, focusable: "false", "aria-hidden": "true" });
  for (const f of [0, 0.5, 1]) {
    const y = top + plotH - f * plotH;
    s.append(svg("line", { x1: left, x2: left + plotW, y1: y, y2: y, stroke: GRID, "stroke-width": f === 0 ? 1.5 : 0.75, "stroke-dasharray": f === 0 ? "" : "3 3" }));
    s.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", "font-size": FONT, fill: INK }, fmt(Math.round(max * f * 10) / 10)));
  }
  const step = plotW / Math.max(1, rows.length), barW = Math.max(2, Math.min(48, step * 0.7));
  const labelEvery = Math.max(1, Math.ceil((rows.length * 44) / plotW));
  const showValues = step >= 22;
  rows.forEach((r, i) => {
    const h = max ? (r.value / max) * plotH : 0;
    const x = left + i * step + (step - barW) / 2, y = top + plotH - h;
    if (r.value > 0) {
      const rect = svg("rect", { x, y, width: barW, height: Math.max(h, 1), fill: BAR });
      rect.append(svg("title", {}, `${r.label}: ${fmt(r.value)} ${valueName}`));
      s.append(rect);
    }
    if (showValues && r.value > 0) s.append(svg("text", { x: x + barW / 2, y: y - 4, "text-anchor": "middle", "font-size": FONT, fill: INK }, fmt(r.value)));
    if (i % labelEvery === 0) s.append(svg("text", { x: x + barW / 2, y: height - bottom + 16, "text-anchor": "middle", "font-size": FONT, fill: INK }, r.short || r.label));
  });
  box.replaceChildren(s);
}

/** Horizontal bars, the label above each bar: rows [{label, value, note}]. */
function drawBars(box, rows, width) {
  const rowH = 44, top = 4;
  const height = top + rows.length * rowH;
  const max = Math.max(1, ...rows.map((r) => r.value));
  const s = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, focusable: "false", "aria-hidden": "true" });
  const valueSpace = 64;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const fit = Math.max(8, Math.floor(width / 7.2));
    const label = r.label.length > fit ? r.label.slice(0, fit - 1) + "…" : r.label;
    s.append(svg("text", { x: 0, y: y + 14, "font-size": FONT, fill: INK }, label));
    const w = Math.max(r.value > 0 ? 2 : 0, ((width - valueSpace) * r.value) / max);
    const rect = svg("rect", { x: 0, y: y + 20, width: w, height: 16, fill: BAR });
    rect.append(svg("title", {}, `${r.label}: ${r.note || fmt(r.value)}`));
    s.append(rect);
    s.append(svg("text", { x: w + 6, y: y + 33, "font-size": FONT, fill: INK }, fmt(r.value)));
  });
  box.replaceChildren(s);
}

/**
 * chart({id, title, summary, kind: "columns"|"bars", rows, valueName, empty, table: {columns, rows}})
 * table.columns: [{label, numeric}], table.rows: [{id, cells: [...]}] (the first cell is the row header).
 */
export function chart({ id, title, summary, kind = "bars", rows, valueName = "", empty, table }) {
  const titleId = `${id}-title`, descId = `${id}-desc`;
  const fig = el("figure", { className: "chart", id, "aria-labelledby": titleId });
  fig.append(el("h3", { id: titleId }, title));
  const hasData = rows.some((r) => r.value > 0);
  if (!hasData) {
    fig.append(el("p", { className: "empty chart-empty" }, empty || "Inga data för perioden."));
    return fig;
  }
  const box = el("div", { className: "chart-box", role: "img", "aria-labelledby": titleId, "aria-describedby": descId });
  fig.append(box, el("p", { className: "chart-summary", id: descId }, summary));
  const draw = () => {
    const width = Math.floor(box.clientWidth || fig.clientWidth || 600);
    if (String(width) === box.dataset.width) return;
    box.dataset.width = width;
    if (kind === "columns") drawColumns(box, rows, width, valueName);
    else drawBars(box, rows, width);
  };
  new ResizeObserver(() => draw()).observe(box);
  requestAnimationFrame(draw);

  const t = el("table", { className: "data" });
  t.append(el("caption", {}, title));
  t.append(el("thead", {}, el("tr", {}, table.columns.map((c) => el("th", { scope: "col", className: c.numeric ? "num" : "" }, c.label)))));
  const body = el("tbody");
  for (const r of table.rows) {
    body.append(el("tr", { dataset: { id: r.id ?? "" } }, r.cells.map((cell, i) => (i === 0
      ? el("th", { scope: "row" }, String(cell))
      : el("td", { className: table.columns[i].numeric ? "num" : "" }, typeof cell === "number" ? fmt(cell) : String(cell))))));
  }
  t.append(body);
  fig.append(el("details", { className: "as-table" }, el("summary", {}, `Visa som tabell: ${title.toLowerCase()}`),
    el("div", { className: "table-wrap", role: "region", "aria-label": `Tabell: ${title}`, tabIndex: 0 }, t)));
  return fig;
}
