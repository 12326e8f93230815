// The 30-day trend chart: new cases per day by category for the top-level region, read from InfluxDB through
// /api/v1/regions/{id}/trends. Aggregates only; refreshed every 5 minutes; says so plainly when InfluxDB is off.
import { categoryName } from "./names.js";

const colors = ["#3fc1ff", "#ffb13f", "#4cd98b", "#ff5a5a", "#b08cff", "#7d8fb8"];
const svgNs = "http://www.w3.org/2000/svg";
const chart = document.getElementById("trend-chart");
const note = document.getElementById("trend-note");

function el(name, attrs, text) {
  const e = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  return e;
}

// Size in the chart's own units; a guess from the font size where the browser cannot lay the text out (a hidden chart).
function measure(text) {
  let box = null;
  try { box = text.getBBox(); } catch { }
  return box && box.width ? { width: box.width, ascent: -box.y } : { width: 0.6 * 15 * text.textContent.length, ascent: 15 };
}

function render(trend) {
  const W = 600, H = 240, right = 150, bottom = 24; // right: room for "婚姻家庭 12345"
  const series = trend.series.slice(0, 5);
  const days = series.length ? series[0].points.map((p) => p.day) : [];
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.value)));
  // The axis values decide the margins: fixed ones cut "1234" and wider off at the chart's left edge, and the top of
  // the highest value (CJK fonts reach higher above the baseline than 10 units).
  const yLabels = [String(max), "0"].map((text) => el("text", { "text-anchor": "end", fill: "#7d8fb8", "font-size": 15 }, text));
  chart.replaceChildren(...yLabels);
  const sizes = yLabels.map(measure);
  const left = 12 + Math.ceil(Math.max(...sizes.map((s) => s.width)));
  const top = Math.max(10, Math.ceil(sizes[0].ascent) - 2); // the label's baseline is 4 below its line
  const x = (i) => left + (W - left - right) * (days.length <= 1 ? 0 : i / (days.length - 1));
  const y = (v) => top + (H - top - bottom) * (1 - v / max);
  yLabels.forEach((t, i) => { t.setAttribute("x", left - 6); t.setAttribute("y", (i === 0 ? y(max) : y(0)) + 4); });
  const nodes = [el("line", { x1: left, y1: y(0), x2: W - right, y2: y(0), stroke: "#1d3260" }), ...yLabels];
  if (days.length) {
    nodes.push(el("text", { x: left, y: H - 6, fill: "#7d8fb8", "font-size": 15 }, days[0].slice(5)));
    nodes.push(el("text", { x: W - right, y: H - 6, "text-anchor": "end", fill: "#7d8fb8", "font-size": 15 }, days[days.length - 1].slice(5)));
  }
  series.forEach((s, i) => {
    const color = colors[i % colors.length];
    nodes.push(el("polyline", { points: s.points.map((p, j) => `${x(j).toFixed(1)},${y(p.value).toFixed(1)}`).join(" "), fill: "none", stroke: color, "stroke-width": 2 }));
    const label = el("text", { x: W - right + 8, y: top + 16 + i * 24, fill: color, "font-size": 17 });
    label.textContent = `${categoryName(s.key)} ${s.total}`;
    nodes.push(label);
  });
  chart.replaceChildren(...nodes);
  chart.dataset.series = String(series.length);
  note.textContent = series.length ? "" : "近30天暂无新增案件";
}

async function load() {
  try {
    const status = await (await fetch("/api/v1/trends/status")).json();
    if (!status.enabled) { note.textContent = "未接入时序库 (InfluxDB)"; return; }
    const roots = await (await fetch("/api/v1/regions")).json();
    if (!roots.length) return;
    const response = await fetch(`/api/v1/regions/${encodeURIComponent(roots[0].id)}/trends?days=30&by=category`);
    if (!response.ok) { note.textContent = "趋势数据暂不可用"; chart.replaceChildren(); return; }
    render(await response.json());
  } catch {
    note.textContent = "趋势数据暂不可用";
  }
}
load();
setInterval(load, 5 * 60 * 1000);
