// The big screen: one SignalR connection that never gives up, numbers updated in place, nothing personal shown.
// `?regionId=` shows one county or township as the whole screen; `?carousel=seconds` (or Screen:CarouselInterval) cycles
// a city's counties, one page load each, as a Grafana playlist does.
import { categoryName, categoryNames } from "./names.js";
import { RiskMap, legend } from "./map.js";
import { renderTrend, renderSituationCharts, trendUnavailable } from "./charts.js";

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n ?? 0).toLocaleString("zh-CN");
const pad = (n) => String(n).padStart(2, "0");

// Where this screen is in the service's feed. A restarted service is another feed (epoch) and numbers afresh. Each type
// keeps its own last number: a resume answers with the latest of each type, which may be older than what a push brought.
let epoch = 0;
let lastSeq = 0;
const lastSeqByType = new Map();
// The service's civil time (Clock:UtcOffset), where "today" is cut: the clock and the times follow it, not the browser's zone.
let utcOffsetMinutes = null;
// The situation comes at least every Live:RefreshInterval; silence for a few of those while connected means stale data.
let staleAfterMs = 45_000;
let dataAt = performance.now();
let asOf = null;

let spikingVillages = [];
let lastAreas = [];
// The view's firing and acknowledged alerts by id, as the wall may show them (a unit, never an officer's name).
const alerts = new Map();
let alertsPushedMeanwhile = null;

const params = new URLSearchParams(location.search);
const regionId = params.get("regionId");
const map = new RiskMap($("map"));
legend($("map-legend"));
let mapLoaded = null;
let view = regionId;
let path = [];
let carouselStarted = false;

const connection = new signalR.HubConnectionBuilder()
  .withUrl(regionId ? `/hubs/screen?regionId=${encodeURIComponent(regionId)}` : "/hubs/screen")
  // Forever: a null here would end reconnecting, and onclose starts again from scratch anyway.
  .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(30000, 1000 * 2 ** Math.min(ctx.previousRetryCount, 5)) })
  .build();

function civil(ms) {
  const d = new Date(ms + utcOffsetMinutes * 60_000);
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const m = Math.abs(utcOffsetMinutes);
  return { day, time, iso: `${day}T${time}${utcOffsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(m / 60))}:${pad(m % 60)}` };
}

function setState(state, text) {
  const c = $("connection");
  if (c.dataset.state === state) return;
  c.dataset.state = state;
  c.textContent = text;
}

function tick() {
  // Blank until the service has told its offset (its first answer, a moment after loading): never the browser's zone.
  if (utcOffsetMinutes != null) {
    const now = civil(Date.now());
    $("clock").textContent = `${now.day} ${now.time}`;
    $("clock").dateTime = now.iso;
    if (asOf != null) {
      const at = civil(asOf);
      $("as-of").textContent = `数据截至 ${at.day === now.day ? at.time : `${at.day} ${at.time}`}`;
      $("as-of").dateTime = at.iso;
    }
  }
  // "实时" only while data keeps coming: a connection that is up and brings nothing (the freeze of issue 9) says so.
  if (connection.state === signalR.HubConnectionState.Connected) {
    if (performance.now() - dataAt > staleAfterMs) setState("stale", "数据停滞");
    else setState("live", "实时");
  }
}
setInterval(() => { tick(); tickDemo(); }, 1000);

function renderSituation(snapshot) {
  const regions = snapshot.regions || [];
  const sum = (f) => regions.reduce((acc, r) => acc + (f(r.counts) || 0), 0);
  $("kpi-today").textContent = fmt(sum((c) => c.today));
  $("kpi-resolved").textContent = fmt(sum((c) => c.resolvedToday));
  $("kpi-open").textContent = fmt(sum((c) => c.open));
  const rate = regions.length === 1 ? regions[0].counts.resolutionRate : null;
  $("kpi-rate").textContent = rate == null ? "–" : (rate * 100).toFixed(1) + "%";
  const screening = regions.length === 1 ? regions[0].counts.screening : null;
  $("kpi-screening").textContent = screening && screening.rate != null ? (screening.rate * 100).toFixed(1) + "%" : "–";
  $("kpi-screening-note").textContent = screening ? `${fmt(screening.compliant)} / ${fmt(screening.grids)} 个网格` : "";

  // Every category always has its row (zeros until it has cases): the table keeps its shape on the wall for days.
  const byCategory = new Map(Object.keys(categoryNames).map((c) => [c, { open: 0, today: 0, last30Days: 0 }]));
  for (const r of regions) for (const c of r.counts.byCategory) {
    const acc = byCategory.get(c.category) || { open: 0, today: 0, last30Days: 0 };
    acc.open += c.open; acc.today += c.today; acc.last30Days += c.last30Days;
    byCategory.set(c.category, acc);
  }
  const rows = [...byCategory.entries()].sort((a, b) => b[1].open - a[1].open || b[1].last30Days - a[1].last30Days);
  const max = Math.max(1, ...rows.map(([, v]) => v.open));
  const body = document.querySelector("#categories tbody");
  body.replaceChildren(...rows.map(([category, v]) => {
    const tr = document.createElement("tr");
    tr.dataset.category = category;
    tr.innerHTML = `<td>${categoryName(category)}</td><td class="bar"><div></div></td>` +
      `<td class="num" data-field="open">${fmt(v.open)}</td><td class="num" data-field="today">${fmt(v.today)}</td><td class="num">${fmt(v.last30Days)}</td>`;
    // Set through the DOM, not a style attribute: the page's CSP allows no inline style.
    tr.querySelector("td.bar div").style.width = `${(100 * v.open / max).toFixed(1)}%`;
    return tr;
  }));
  fitCategories();
  const risk = (c) => (c.risk && c.risk.highRiskOpenCases) || 0;
  $("kpi-high-risk").textContent = fmt(sum(risk));
  const maxRisk = Math.max(0, ...regions.map((r) => (r.counts.risk && r.counts.risk.maxProbability) || 0));
  $("kpi-high-risk-note").textContent = maxRisk > 0 ? `件 (高/极高) · 最高 ${(maxRisk * 100).toFixed(0)}%` : "件 (高/极高)";
  lastAreas = snapshot.areas || regions;
  renderAreas();
  path = snapshot.path || [];
  $("view-path").textContent = path.length ? path.map((step) => step.name).join(" › ") : regions.map((r) => r.name).join("、");
  const childLevel = path.length ? ({ city: "区县", county: "乡镇(街道)", township: "村(社区)" })[path[path.length - 1].level] || "下级区域"
    : regions.length === 1 ? "区县" : "区域";
  renderSituationCharts(snapshot, childLevel);
  $("kpi-high-risk").dataset.view = view ?? "";
  renderDemo(snapshot.demo);
}

// The accelerated demo packs many simulated days into the service's one civil "today": say so next to the figures and
// show the simulated clock, so that nobody walking past takes a demo's "today" for a real day's.
let demo = null;
function renderDemo(situation) {
  demo = situation ? { ...situation, receivedAt: Date.now(), simulatedAt: Date.parse(situation.simulatedNow) } : null;
  $("simulated").hidden = !demo;
  document.querySelectorAll("[data-demo-note]").forEach((e) => e.remove());
  if (!demo) return;
  const note = document.createElement("small");
  note.dataset.demoNote = "";
  note.className = "demo-note";
  note.textContent = ` · 演示: 含约 ${demo.simulatedDaysToday} 个模拟日`;
  for (const id of ["kpi-today", "kpi-resolved"]) $(id).parentElement.querySelector("small").append(note.cloneNode(true));
  tickDemo();
}

function tickDemo() {
  if (!demo || utcOffsetMinutes == null) return;
  const at = civil(demo.simulatedAt + (Date.now() - demo.receivedAt) * demo.speed);
  $("simulated").textContent = `演示数据 · 时间加速 ×${demo.speed} · 模拟时钟 ${at.day} ${at.time.slice(0, 5)}`;
  $("simulated").dataset.day = at.day;
}

// Counties (or the roots) side by side; a spiking village counts for every area on its path.
function renderAreas() {
  $("regions").replaceChildren(...lastAreas.map((r) => {
    const spikes = spikingVillages.filter((v) => v.path.includes(r.id)).length;
    const li = document.createElement("li");
    li.dataset.area = r.id;
    const high = (r.counts.risk && r.counts.risk.highRiskOpenCases) || 0;
    const unacked = [...alerts.values()].filter((a) => a.state === "firing" && a.areaIds.includes(r.id)).length;
    for (const [text, cls, field] of [[r.name, ""], [fmt(r.counts.open), ""], [fmt(r.counts.today), ""], [fmt(high), high ? "hot" : ""],
      [spikes ? `${spikes} 村` : "–", spikes ? "hot" : ""], [unacked ? `${fmt(unacked)} 条` : "–", unacked ? "hot" : "", "unacked"]]) {
      const span = document.createElement("span");
      span.textContent = text;
      if (cls) span.className = cls;
      if (field) span.dataset.field = field;
      li.append(span);
    }
    return li;
  }));
  fitAreas();
}

// A wall display cannot scroll: with many rows (Dingxi's seven counties, twelve categories) the rows shrink until every
// one is in view of its panel. Sizes in the screen's unit (screen.css: --u), so every wall size shrinks alike.
function fit(element, start) {
  const panel = element.closest(".panel");
  const unit = Math.min(innerWidth / 100, innerHeight * 16 / 9 / 100);
  const overflows = () => panel.scrollHeight > panel.clientHeight + 1 || element.scrollHeight > element.clientHeight + 1
    || element.getBoundingClientRect().bottom > panel.getBoundingClientRect().bottom + 1;
  let size = start;
  element.style.fontSize = `${size * unit}px`;
  while (overflows() && size > 0.35) {
    size -= 0.05;
    element.style.fontSize = `${size * unit}px`;
  }
}
const fitAreas = () => fit($("regions"), 0.95);
const fitCategories = () => fit($("categories"), 0.9);
window.addEventListener("resize", () => { fitAreas(); fitCategories(); });

function renderSpikes(data) {
  spikingVillages = data.villages || [];
  const described = spikingVillages.slice(0, 8).map((v) => {
    const s = v.active[0];
    const what = s.category ? categoryName(s.category) : "总量";
    return `${v.name} ${what} ${s.observed}件/常态${Number(s.expected).toFixed(1)}`;
  });
  $("spikes").textContent = spikingVillages.length
    ? `异常升高 (${data.day}) · ${spikingVillages.length} 村：${described.join("　")}${spikingVillages.length > 8 ? " …" : ""}`
    : "";
  renderAreas();
  map.setSpikes(spikingVillages.map((v) => v.villageId));
}

const severityRank = { critical: 4, high: 3, warning: 2, info: 1 };
const severityName = { critical: "极高", high: "高", warning: "警告", info: "提示" };

// An alert's new version: kept while firing or acknowledged, dropped when it resolves, waits, or is silenced. A critical
// alert newly firing flashes its village on the map.
function applyAlert(alert) {
  const before = alerts.get(alert.id);
  if (before && before.version > alert.version) return;
  if (alert.state === "firing" && !alert.suppressed) {
    alerts.set(alert.id, alert);
    if (alert.severity === "critical" && before?.state !== "firing") map.alerted(alert.regionId);
  } else if (alert.state === "acknowledged" && !alert.suppressed) alerts.set(alert.id, alert);
  else alerts.delete(alert.id);
}

// Unacknowledged first, by severity, newest first; as many lines as the panel holds, then how many more there are.
// From a list, not a push: what was already firing when the screen came does not flash.
function applyAlertQuietly(alert) {
  if ((alert.state === "firing" || alert.state === "acknowledged") && !alert.suppressed) alerts.set(alert.id, alert);
}

function renderAlerts() {
  const all = [...alerts.values()];
  const firing = all.filter((a) => a.state === "firing");
  const bySeverity = ["critical", "high", "warning", "info"].map((s) => [s, firing.filter((a) => a.severity === s).length]).filter(([, n]) => n);
  const counts = $("alert-counts");
  counts.replaceChildren();
  if (!firing.length) counts.textContent = "无未签收预警";
  else {
    counts.append(`未签收 ${fmt(firing.length)} 条：`);
    for (const [severity, n] of bySeverity) {
      const span = document.createElement("span");
      span.dataset.severity = severity;
      span.textContent = `${severityName[severity]} ${fmt(n)} `;
      counts.append(span);
    }
  }
  const signed = all.length - firing.length;
  if (signed) counts.append(` · 已签收 ${fmt(signed)} 条`);
  counts.dataset.unacked = String(firing.length);

  const sorted = all.sort((a, b) => (a.state === "firing" ? 0 : 1) - (b.state === "firing" ? 0 : 1)
    || severityRank[b.severity] - severityRank[a.severity] || Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt));
  const list = $("alerts");
  list.replaceChildren(...sorted.slice(0, 40).map((a) => {
    const li = document.createElement("li");
    li.dataset.id = a.id;
    li.dataset.state = a.state;
    li.dataset.severity = a.severity;
    const sev = document.createElement("span");
    sev.className = "sev";
    sev.dataset.severity = a.severity;
    sev.textContent = severityName[a.severity] ?? a.severity;
    const title = document.createElement("span");
    title.className = "title";
    title.textContent = a.count > 1 ? `${a.title.zh} ×${a.count}` : a.title.zh;
    const age = document.createElement("time");
    age.className = "age";
    if (utcOffsetMinutes != null) age.textContent = civil(Date.parse(a.lastSeenAt)).time.slice(0, 5);
    li.append(sev, title, age);
    if (a.state === "acknowledged") {
      // 已签收 by the unit (its region), never by the officer: the wall is seen by everyone passing.
      const badge = document.createElement("span");
      badge.className = "signed";
      badge.dataset.testid = "signed";
      badge.textContent = a.acknowledgedBy ? `已签收 · ${a.acknowledgedBy}` : "已签收";
      li.append(badge);
    }
    return li;
  }));
  const overflows = () => list.scrollHeight > list.clientHeight + 1;
  let hidden = Math.max(0, sorted.length - 40);
  while (list.children.length > 1 && overflows()) { list.lastElementChild.remove(); hidden++; }
  if (hidden) {
    const more = document.createElement("li");
    more.className = "more";
    more.textContent = `… 另 ${fmt(hidden)} 条`;
    list.append(more);
    if (overflows() && list.children.length > 2) { list.children[list.children.length - 2].remove(); more.textContent = `… 另 ${fmt(hidden + 1)} 条`; }
  }
  renderAreas();
}
window.addEventListener("resize", renderAlerts);

function handle(message) {
  // Pushes stopped for a while although the connection stayed up (in cluster mode: the Redis backplane was away), and
  // now one came: ask for what was missed meanwhile. resume() marks the data fresh before it hands its messages here.
  if (performance.now() - dataAt > staleAfterMs && connection.state === signalR.HubConnectionState.Connected) resume();
  if (message.epoch !== epoch) forget(message.epoch);
  if (message.seq <= (lastSeqByType.get(message.type) ?? 0)) return;
  lastSeqByType.set(message.type, message.seq);
  lastSeq = Math.max(lastSeq, message.seq);
  dataAt = performance.now();
  asOf = Math.max(asOf ?? 0, Date.parse(message.at));
  if (message.type === "situation") renderSituation(message.data);
  else if (message.type === "spikes") renderSpikes(message.data);
  else if (message.type === "villages") map.update(message.data.villages);
  else if (message.type === "alert") { alertsPushedMeanwhile?.push(message.data); applyAlert(message.data); renderAlerts(); }
  tick();
}

function forget(newEpoch) {
  epoch = newEpoch;
  lastSeq = 0;
  lastSeqByType.clear();
}

async function resume() {
  let feed;
  try {
    feed = await connection.invoke("ResumeFrom", epoch, lastSeq);
  } catch (error) {
    // Lost again: onreconnected or onclose follow and resume. Still connected: the service failed the call, so ask again.
    console.warn("resume failed:", error?.message ?? error);
    if (connection.state === signalR.HubConnectionState.Connected) setTimeout(resume, 5000);
    return;
  }
  if (feed.epoch !== epoch) forget(feed.epoch);
  utcOffsetMinutes = feed.utcOffsetMinutes;
  staleAfterMs = Math.max(10_000, 3000 * feed.refreshSeconds);
  view = feed.view;
  // Caught up: as of now nothing is missing, even if nothing new came.
  dataAt = performance.now();
  for (const message of feed.messages) {
    // One message that cannot be drawn must not keep the others (or the map) from being caught up.
    try { handle(message); } catch (error) { console.warn(`${message.type} not shown:`, error?.message ?? error); }
  }
  tick();
  startCarousel(feed.carouselSeconds);
  await catchUpDetails(!feed.complete);
}

// The map and the alerts, read whole after a gap. Retried on their own: a failure here says nothing of whether the
// numbers are current, so it must not mark them fresh again and again (which would hide a stale screen).
async function catchUpDetails(gap) {
  try {
    // Village changes are pushed one by one; after a gap (a restart, too long away) the map is read whole again.
    // The map once per page; a failed load (the service went away meanwhile) is tried again.
    mapLoaded ??= map.load(regionId).then(loadTrend, (error) => { mapLoaded = null; throw error; });
    await mapLoaded;
    if (gap) map.setAll(await connection.invoke("Villages"));
    // The alerts whole every time: a resume brings only the latest alert message, and any may have changed meanwhile.
    // A push may overtake the list's answer: what came meanwhile is applied again over the list (newer versions win).
    alertsPushedMeanwhile = [];
    try {
      const current = await connection.invoke("Alerts");
      alerts.clear();
      current.forEach(applyAlertQuietly);
      alertsPushedMeanwhile.forEach(applyAlert);
    } finally {
      alertsPushedMeanwhile = null;
    }
    renderAlerts();
  } catch (error) {
    console.warn("map or alerts not caught up:", error?.message ?? error);
    if (connection.state === signalR.HubConnectionState.Connected) setTimeout(() => catchUpDetails(gap), 5000);
  }
}

// A city screen's playlist: after the interval, the next county of the city (a fresh page: nothing piles up over days).
// A failed step (the service busy or away) is tried again after the same interval: a wall has nobody to reload it.
function startCarousel(configured) {
  if (carouselStarted) return;
  const seconds = Number(params.get("carousel") ?? configured ?? 0);
  if (!(seconds >= 5)) return;
  carouselStarted = true;
  const next = async () => {
    try {
      const parent = path.length > 1 && path[path.length - 1].level === "county" ? path[path.length - 2].id : path.length ? path[path.length - 1].id : null;
      const json = async (url) => {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return response.json();
      };
      const city = parent ?? (await json("/api/v1/regions"))[0]?.id;
      const ids = (await json(`/api/v1/regions/${encodeURIComponent(city)}/children`)).map((c) => c.id);
      location.replace(`/screen/?regionId=${encodeURIComponent(ids[(ids.indexOf(regionId) + 1) % ids.length])}&carousel=${seconds}`);
    } catch (error) {
      console.warn("carousel:", error?.message ?? error);
      setTimeout(next, seconds * 1000);
    }
  };
  setTimeout(next, seconds * 1000);
}

async function loadTrend() {
  try {
    const status = await (await fetch("/api/v1/trends/status")).json();
    if (!status.enabled) { trendUnavailable("未接入时序库 (InfluxDB)"); return; }
    const region = view ?? (await (await fetch("/api/v1/regions")).json())[0]?.id;
    if (!region) return;
    const response = await fetch(`/api/v1/regions/${encodeURIComponent(region)}/trends?days=30&by=category`);
    if (!response.ok) { trendUnavailable("趋势数据暂不可用"); return; }
    $("trend-note").textContent = "";
    renderTrend(await response.json(), "今日\n(进行中)");
  } catch {
    trendUnavailable("趋势数据暂不可用");
  }
}
setInterval(loadTrend, 5 * 60 * 1000);

// For tests and benches: what the map has drawn, read from the chart's own shapes.
window.screenMap = { shapes: () => map.shapes(), fillOf: (id) => map.fillOf(id), villageIds: () => map.villageIds, timings: () => map.timings, ready: () => map.ready, flashes: () => [...map.flashes] };

connection.on("message", handle);
connection.onreconnecting(() => setState("reconnecting", "重连中"));
connection.onreconnected(resume);
connection.onclose(() => { setState("down", "已断开"); setTimeout(start, 5000); });

async function start() {
  try {
    await connection.start();
  } catch {
    setState("down", "已断开");
    setTimeout(start, 5000);
    return;
  }
  await resume();
}
start();
