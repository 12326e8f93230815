// The screen's charts in ECharts: the 30-day trend by category (read from InfluxDB through /trends, every 5 minutes),
// categories on the rise against their own baseline, resolution rate by area and screening compliance by township
// (both from the pushed situation). Aggregates only.
import { categoryName } from "./names.js";

const palette = ["#3fc1ff", "#ffb13f", "#4cd98b", "#ff5a5a", "#b08cff", "#7d8fb8"];
const unit = () => Math.min(innerWidth / 100, innerHeight * 16 / 9 / 100);
const axisText = () => ({ color: "#7d8fb8", fontSize: Math.round(unit() * 0.7) });
const grid = () => ({ left: unit() * 0.6, right: unit() * 1.2, top: unit() * 1.6, bottom: unit() * 0.4, containLabel: true });

function chartOn(id) {
  const element = document.getElementById(id);
  // SVG: a few dozen shapes each, and their labels are text a test can read and measure.
  const chart = echarts.init(element, null, { renderer: "svg" });
  new ResizeObserver(() => chart.resize()).observe(element);
  return chart;
}

const trendChart = chartOn("trend-chart");
const risingChart = chartOn("rising-chart");
const resolutionChart = chartOn("resolution-chart");
const complianceChart = chartOn("compliance-chart");

/**
 * Completed days as stacked areas; today, still filling up, as a pale bar of its own beside them: a partial day drawn
 * on the line would read as a collapse at the right edge.
 */
let lastTrend;
export function renderTrend(trend, todayLabel) {
  const key = JSON.stringify(trend.series);
  if (key === lastTrend) return;
  lastTrend = key;
  const series = trend.series.slice(0, 6);
  const days = series.length ? series[0].points.map((p) => p.day) : [];
  const last = days.length - 1;
  // A few dates, and always today's label: the partial day must say that it is one.
  const step = Math.max(1, Math.ceil(days.length / 5));
  const areas = series.map((s, i) => ({
    name: categoryName(s.key), type: "line", stack: "done", areaStyle: { opacity: 0.35 }, symbol: "none", smooth: false,
    lineStyle: { width: Math.max(1, unit() * 0.08) }, color: palette[i % palette.length],
    data: s.points.map((p, j) => (j === last ? null : p.value)),
  }));
  const partial = series.map((s, i) => ({
    name: categoryName(s.key), type: "bar", stack: "today", color: palette[i % palette.length], itemStyle: { opacity: 0.45 },
    barWidth: "60%", data: s.points.map((p, j) => (j === last ? p.value : null)),
  }));
  trendChart.setOption({
    animation: false, grid: { ...grid(), top: unit() * 2.2, right: unit() * 2.2 },
    legend: { top: 0, textStyle: axisText(), itemWidth: unit() * 0.9, itemHeight: unit() * 0.5, data: series.map((s) => categoryName(s.key)),
      formatter: (name) => `${name} ${series.find((s) => categoryName(s.key) === name)?.total ?? ""}` },
    xAxis: { type: "category", data: days.map((d, j) => (j === last ? `${todayLabel}` : d.slice(5))), axisLabel: { ...axisText(), interval: (i) => i === last || (i % step === 0 && last - i >= step / 2) },
      axisLine: { lineStyle: { color: "#1d3260" } } },
    yAxis: { type: "value", axisLabel: axisText(), splitLine: { lineStyle: { color: "#1d3260" } } },
    series: [...areas, ...partial],
  }, { notMerge: true });
  trendChart.getDom().dataset.series = String(series.length);
  trendChart.getDom().dataset.partialDay = days[last] ?? "";
  risingFromTrend(trend);
}

/** Mean of the last 7 complete days against the mean of the complete days before them, per category; rising ones only. */
function risingFromTrend(trend) {
  const rows = [];
  for (const s of trend.series) {
    const done = s.points.slice(0, -1).map((p) => p.value);
    if (done.length < 14) continue;
    const recent = done.slice(-7), base = done.slice(0, -7);
    const recentMean = recent.reduce((a, b) => a + b, 0) / recent.length;
    const baseMean = base.reduce((a, b) => a + b, 0) / base.length;
    // A category with almost no history would "rise" by any single case: at least a case a week in the baseline.
    if (baseMean * 7 < 1 || recentMean <= baseMean) continue;
    rows.push({ key: s.key, ratio: recentMean / baseMean, recentMean, baseMean });
  }
  rows.sort((a, b) => b.ratio - a.ratio);
  const shown = rows.slice(0, 6).reverse();
  risingChart.setOption({
    animation: false, grid: grid(),
    title: shown.length ? undefined : { text: "暂无上升类别", left: "center", top: "middle", textStyle: { color: "#7d8fb8", fontSize: Math.round(unit() * 0.9), fontWeight: "normal" } },
    xAxis: { type: "value", axisLabel: { ...axisText(), formatter: (v) => `${v.toFixed(1)}×` }, splitLine: { lineStyle: { color: "#1d3260" } }, min: 1 },
    yAxis: { type: "category", data: shown.map((r) => categoryName(r.key)), axisLabel: axisText() },
    series: [{ type: "bar", data: shown.map((r) => +r.ratio.toFixed(2)), color: "#ffb13f",
      label: { show: true, position: "right", color: "#d8e4ff", fontSize: Math.round(unit() * 0.7),
        formatter: (p) => `${shown[p.dataIndex].recentMean.toFixed(1)}/日 (基线 ${shown[p.dataIndex].baseMean.toFixed(1)})` } }],
  }, { notMerge: true });
  risingChart.getDom().dataset.rising = String(shown.length);
}

export function trendUnavailable(text) {
  lastTrend = undefined;
  trendChart.clear();
  risingChart.clear();
  document.getElementById("trend-note").textContent = text;
}

// Built once, then only the data merged in, and only when it changed: a full setOption on every push (five a second
// when reports pour in) grew the page's heap without end (ScreenSoakTests).
function bars(chart, rows, color) {
  const key = JSON.stringify(rows);
  if (chart.lastKey === key) return;
  const labels = rows.map((r) => r.name);
  const values = rows.map((r) => (r.value == null ? null : +(r.value * 100).toFixed(1)));
  if (chart.lastKey === undefined) {
    chart.setOption({
      animation: false, grid: grid(),
      xAxis: { type: "value", max: 100, axisLabel: { ...axisText(), formatter: "{value}%" }, splitLine: { lineStyle: { color: "#1d3260" } } },
      yAxis: { type: "category", data: labels, axisLabel: { ...axisText(), width: unit() * 7, overflow: "truncate" } },
      series: [{ type: "bar", data: values, itemStyle: { color },
        label: { show: true, position: "right", color: "#d8e4ff", fontSize: Math.round(unit() * 0.7), formatter: (p) => (p.value == null ? "–" : `${p.value}%`) } }],
    });
  } else {
    chart.setOption({ yAxis: { data: labels }, series: [{ data: values }] });
  }
  chart.lastKey = key;
  chart.getDom().dataset.bars = String(rows.length);
}

/** Resolution rate (30 days) of the areas side by side; compliance of the view's townships, the lowest first. */
export function renderSituationCharts(snapshot, childLevelName) {
  document.getElementById("resolution-title").textContent = `化解率 (30天) · 按${childLevelName}`;
  const areas = (snapshot.areas || []).slice(0, 12).map((a) => ({ name: a.name, value: a.counts.resolutionRate })).reverse();
  bars(resolutionChart, areas, "#4cd98b");
  const townships = (snapshot.townships || []).map((t) => ({ name: t.name, value: t.counts.screening?.rate }))
    .filter((t) => t.value != null).sort((a, b) => a.value - b.value).slice(0, 10).reverse();
  bars(complianceChart, townships, "#3fc1ff");
}
