// The duty desk: the live queue, the selected alert with its case, commands and timeline, silences and the on-call
// view. Everything shown comes from the feed's alert set, so a push, a resync and a command's answer all look the same.
import { get, send, problemText } from "./api.js";
import { AlertFeed } from "./feed.js";
import { t, name, names, both, applyTo, lang } from "./i18n.js";
import { Beeper } from "./sound.js";

const $ = (id) => document.getElementById(id);
const SeverityRank = { critical: 4, high: 3, warning: 2, info: 1 };
const Unacknowledged = new Set(["pending", "firing", "suppressed"]);

const feed = new AlertFeed();
const beeper = new Beeper();
const items = new Map();
const firstRendered = new Map();
const subjectRendered = new Map();
/**
 * When a subject was first on screen (unix ms), or null: what bench/alerts.sh measures against the report's 202; and
 * when the service made the change that brought it, sent its push, and when the push arrived (null if a read brought it).
 */
window.warningConsole = Object.freeze({
  renderedAt: (subjectId) => subjectRendered.get(subjectId)?.at ?? null,
  changedAt: (subjectId) => subjectRendered.get(subjectId)?.changedAt ?? null,
  sentAt: (subjectId) => subjectRendered.get(subjectId)?.sentAt ?? null,
  receivedAt: (subjectId) => subjectRendered.get(subjectId)?.receivedAt ?? null,
  pushes: () => feed.pushes,
  /** How long each queue render took (ms, the last 2,000): the render's share of the page's time. */
  renderTimes: () => [...renderTimes],
});
const renderTimes = [];
let selectedId = null;
let me = null;
let renderQueued = false;
let placed = [];
// Rows on the page: the top of the queue, in pages. Every alert held still counts in the filters and the total; a night
// of 1,400 open alerts kept the page's main thread busy 69 % of the time laying them all out, and pushes waited behind it.
// A link may ask for another page size (?rows=30 for a small screen).
const QueuePage = Math.max(1, Number.parseInt(new URLSearchParams(location.search).get("rows") ?? "", 10) || 100);
let queueLimit = QueuePage;
// The filters' choices, learnt as alerts arrive: a render rebuilt them from every alert held (2,500 on a busy night), at
// each frame. Areas get an option each as they come (addChoice); rules, few and named in two languages, a redraw.
const areaChoices = new Set();
const ruleChoices = new Set();
let choicesChanged = true;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null) continue;
    if (k === "dataset") Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  e.append(...children.filter((c) => c != null));
  return e;
}

const fmtTime = (iso) => (iso ? new Date(iso).toLocaleString(lang === "en" ? "en-GB" : "zh-CN", { hour12: false }) : "");

function duration(ms) {
  const m = Math.max(0, Math.round(ms / 60_000));
  return m < 60 ? `${m} min` : m < 1440 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 1440)} d ${Math.floor((m % 1440) / 60)} h`;
}

/** The alert's area path as names, whatever shape the service sends: names, { id, name } objects, or one string. */
function areaPath(a) {
  const path = a.areaPath ?? a.areaNames ?? a.area ?? a.path ?? [];
  if (typeof path === "string") return [path];
  return path.map((p) => (typeof p === "string" ? p : p.name ?? p.id));
}

const title = (a) => both(a.title) || (lang === "en" ? a.titleEn : a.titleZh) || a.key;
const detailText = (a) => both(a.detail) || (lang === "en" ? a.detailEn : a.detailZh) || "";
// Parsed once per alert version (an alert object is replaced, never changed): the sort asks for it n log n times a frame.
const times = new WeakMap();
function time(a) {
  let t = times.get(a);
  if (t === undefined) times.set(a, (t = Date.parse(a.lastSeenAt ?? a.firstSeenAt ?? 0) || 0));
  return t;
}

// ---- the queue --------------------------------------------------------------------------------------------------

/** The view and filters as chosen now: read once a render, not once an alert. */
function filters() {
  return { view: $("view").value, area: $("filter-area").value, rule: $("filter-rule").value, state: $("filter-state").value };
}

function visible(a, f) {
  if (f.view === "open" && a.state === "resolved") return false;
  if (f.view === "unacked" && !Unacknowledged.has(a.state)) return false;
  if (f.area && !areaPath(a).includes(f.area)) return false;
  if (f.rule && a.rule !== f.rule) return false;
  if (f.state && a.state !== f.state) return false;
  return true;
}

/** Newest first within severity, as the API lists them. */
const order = (x, y) => (SeverityRank[y.severity] ?? 0) - (SeverityRank[x.severity] ?? 0) || time(y) - time(x) || (x.id < y.id ? -1 : 1);

/** The first index in [low, high) whose element does not come before the sought one (both lists below are sorted). */
function lowerBound(low, high, comesBefore) {
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comesBefore(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}

// Every alert held, in the queue's order, kept in order as each push comes: a render sorted all of them (2,500 on a
// busy night) at each frame. A resync brings hundreds at once; then the next render sorts once instead.
let ordered = [];
let reorder = true;
let moves = 0;

function reposition(alert, previous) {
  if (reorder) return;
  if (++moves > 200) {
    reorder = true;
    return;
  }
  if (previous) {
    const at = ordered.indexOf(previous);
    if (at < 0) {
      reorder = true;
      return;
    }
    ordered.splice(at, 1);
  }
  if (alert) ordered.splice(lowerBound(0, ordered.length, (i) => order(ordered[i], alert) < 0), 0, alert);
}

// What each row shows, kept beside it: a render compares these, and touches the DOM only for rows that changed.
const shownAs = new WeakMap();

function item(a) {
  const li = items.get(a.id) ?? el("li", { tabIndex: -1 });
  items.set(a.id, li);
  let shown = shownAs.get(li);
  if (!shown) shownAs.set(li, (shown = {}));
  const selected = a.id === selectedId;
  if (shown.selected !== selected) li.classList.toggle("selected", (shown.selected = selected));
  // Rebuilt only when the alert changed: a busy night brings a push every few milliseconds.
  if (shown.version === a.version && shown.lang === lang) return li;
  shown.version = a.version;
  shown.lang = lang;
  li.dataset.id = a.id;
  li.dataset.key = a.key ?? "";
  // Cases, grids, villages and feeds by id; a key individual's id is personal data and stays off the page.
  li.dataset.subjects = a.subject?.kind === "person" ? "" : [a.subject?.id, ...(a.subjects ?? [])].join(" ");
  li.dataset.version = a.version;
  li.dataset.state = a.state;
  li.dataset.severity = a.severity;
  li.dataset.testid = "alert";
  const badges = [el("span", { className: `sev sev-${a.severity}` }, name("severity", a.severity)), el("span", { className: `state state-${a.state}` }, name("state", a.state))];
  if (a.silencedBy) badges.push(el("span", { className: "state state-suppressed" }, t("silencedBy")));
  if (a.inhibitedBy) badges.push(el("span", { className: "state state-suppressed" }, t("inhibitedBy")));
  li.replaceChildren(
    el("div", { className: "badges" }, ...badges),
    el("strong", { className: "alert-title" }, title(a)),
    el("small", {}, `${name("rule", a.rule)} · ${areaPath(a).join(" / ")} · ${fmtTime(a.lastSeenAt)}${a.count > 1 ? ` · ×${a.count}` : ""}`),
  );
  return li;
}

/** Options for a select's values in the current language, keeping the choice; rebuilt only when values or language change. */
function fillChoices(select, values, label, any = true) {
  const signature = [...values].sort().join("\n") + lang;
  if (select.dataset.signature === signature) return;
  select.dataset.signature = signature;
  const keep = select.value;
  const options = [...values].sort().map((v) => el("option", { value: v }, label(v)));
  select.replaceChildren(...(any ? [el("option", { value: "", dataset: { i18n: "any" } }, t("any"))] : []), ...options);
  if (values.has(keep) || any) select.value = values.has(keep) ? keep : "";
}

/**
 * One value's option, in the place a full fill would give it (or relabelled if it is there): a new area came with most
 * pushes on a busy night, and rebuilding a select of 2,000 villages each time kept the page's main thread busy.
 */
function addChoice(select, value, text) {
  const options = select.options;
  const low = lowerBound(options[0]?.value === "" ? 1 : 0, options.length, (i) => options[i].value < value);
  if (options[low]?.value === value) options[low].textContent = text;
  else select.add(el("option", { value }, text), options[low] ?? null);
}

function renderQueue() {
  const started = performance.now();
  renderQueued = false;
  if (reorder) {
    ordered = [...feed.alerts.values()].sort(order);
    reorder = false;
  }
  moves = 0;
  if (choicesChanged) {
    choicesChanged = false;
    fillChoices($("filter-rule"), new Set([...ruleChoices, ...names("rule")]), (v) => name("rule", v));
    fillChoices($("filter-state"), new Set(["pending", "firing", "acknowledged", "suppressed", "resolved"]), (v) => name("state", v));
  }
  const f = filters();
  const shown = ordered.filter((a) => visible(a, f));
  const list = shown.slice(0, queueLimit).map(item);
  // Move only what moved: replacing every node would lose focus and scroll position at each push. The rows' order is
  // mirrored here, so a render compares in JS and touches the DOM only for the few rows a push moved.
  const queue = $("queue");
  const dom = placed.length === queue.children.length ? placed.slice() : [...queue.children];
  for (let i = 0; i < list.length; i++) {
    if (dom[i] === list[i]) continue;
    queue.insertBefore(list[i], dom[i] ?? null);
    const was = dom.indexOf(list[i], i + 1);
    if (was >= 0) dom.splice(was, 1);
    dom.splice(i, 0, list[i]);
  }
  while (dom.length > list.length) {
    // Off the page: its row is built again if it comes back, and the rows of a night's alerts are not all kept.
    const li = dom.pop();
    li.remove();
    if (items.get(li.dataset.id) === li) items.delete(li.dataset.id);
  }
  placed = list;
  $("queue-empty").hidden = list.length > 0;
  $("queue-more").hidden = shown.length <= list.length;
  if (shown.length > list.length) setText($("queue-more-text"), t("shownOf", list.length, shown.length));
  // When each alert was first on screen (unix ms): what the tests and bench/alerts.sh measure against the report's 202.
  // A subject (a case) may join an alert already on screen, so it is timed on its own too.
  const now = Date.now();
  for (const li of list) {
    // Timed when a version is first on screen; the rest of the queue has nothing new (and its attributes stay untouched).
    const row = shownAs.get(li);
    if (row.timed === row.version) continue;
    row.timed = row.version;
    if (!firstRendered.has(li.dataset.id)) firstRendered.set(li.dataset.id, now);
    li.dataset.renderedAt = firstRendered.get(li.dataset.id);
    for (const subject of li.dataset.subjects.split(" "))
      if (subject && !subjectRendered.has(subject)) {
        const version = `${li.dataset.id}@${li.dataset.version}`;
        subjectRendered.set(subject, {
          at: now, changedAt: feed.changedAt.get(version) ?? null, sentAt: feed.sentAt.get(version) ?? null, receivedAt: feed.receivedAt.get(version) ?? null,
        });
      }
  }
  if (selectedId) renderDetail();
  if (renderTimes.push(performance.now() - started) > 2000) renderTimes.shift();
}

// Once per frame: a burst of pushes (a wave of reports, a resync) is filtered, sorted and placed once, not once per
// alert (each push is a task of its own, so a microtask coalesced nothing). A hidden page gets no frames: a timer instead.
function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  if (document.hidden) setTimeout(renderQueue, 250);
  else requestAnimationFrame(renderQueue);
}

// ---- the selected alert -----------------------------------------------------------------------------------------

const forms = ["ack-form", "assign-form", "resolve-form", "comment-form"];

function select(id) {
  if (selectedId !== id) {
    for (const f of forms) delete $(f).dataset.version;
    $("conflict").hidden = true;
    $("command-error").hidden = true;
  }
  selectedId = id;
  for (const [k, li] of items) li.classList.toggle("selected", k === id);
  $("detail").hidden = !id;
  if (!id) return;
  items.get(id)?.scrollIntoView({ block: "nearest" });
  renderDetail();
  loadTimeline(id);
  loadCase(feed.alerts.get(id));
  loadOnCall(feed.alerts.get(id)?.regionId);
}

function fact(label, value) {
  return value == null || value === "" ? [] : [el("dt", {}, label), el("dd", {}, String(value))];
}

function renderDetail() {
  const a = feed.alerts.get(selectedId);
  if (!a) return;
  const detail = $("detail");
  detail.dataset.id = a.id;
  detail.dataset.version = a.version;
  detail.dataset.state = a.state;
  $("detail-title").textContent = title(a);
  $("detail-text").textContent = detailText(a);
  const assigned = a.assignedTo ? `${name("department", a.assignedTo.department)} · ${fmtTime(a.assignedTo.deadline)}` : null;
  $("detail-facts").replaceChildren(
    ...fact(t("state"), name("state", a.state)), ...fact(t("rule"), name("rule", a.rule)), ...fact(t("area"), areaPath(a).join(" / ")),
    ...fact(t("count"), a.count), ...fact(t("firstSeen"), fmtTime(a.firstSeenAt)), ...fact(t("lastSeen"), fmtTime(a.lastSeenAt)),
    ...fact(t("escalation"), a.escalationLevel), ...fact(t("acknowledgedBy"), a.acknowledgedBy && `${a.acknowledgedBy} · ${fmtTime(a.acknowledgedAt)}`),
    ...fact(t("assignedTo"), assigned), ...fact(t("silencedBy"), a.silencedBy), ...fact(t("inhibitedBy"), a.inhibitedBy),
  );
  $("ack-submit").disabled = !Unacknowledged.has(a.state);
  $("unack").disabled = a.state !== "acknowledged";
}

async function loadTimeline(id) {
  const { status, body } = await get(`/api/v1/alerts/${encodeURIComponent(id)}`);
  if (status !== 200 || selectedId !== id) return;
  feed.upsert(body);
  $("timeline").replaceChildren(...(body.timeline ?? []).map((e) => {
    const change = e.before != null || e.after != null
      ? `${describe(e.before)}${e.versionBefore != null ? ` v${e.versionBefore}` : ""} → ${describe(e.after)}${e.versionAfter != null ? ` v${e.versionAfter}` : ""}` : "";
    return el("li", { dataset: { kind: e.kind ?? "" } },
      el("time", {}, fmtTime(e.at)), " ", el("strong", {}, e.kind ?? ""), e.actor ? ` · ${e.actor}` : "",
      e.comment ? el("q", {}, e.comment) : null, change || e.detail ? el("small", {}, [change, e.detail].filter(Boolean).join(" · ")) : null);
  }));
}

const describe = (state) => (state == null ? "–" : name("state", state));

async function loadCase(a) {
  // A wave of cases from one village is one alert listing them (subjects); each opens with its reasons.
  const ids = a?.subject?.kind === "case" ? [...new Set([a.subject.id, ...(a.subjects ?? [])])] : [];
  $("case").hidden = ids.length === 0;
  $("case-list").replaceChildren(...ids.map((id) => el("li", {}, el("button", { type: "button", dataset: { caseId: id } }, id))));
  if (ids.length) showCase(ids[0]);
}

async function showCase(id) {
  const { status, body } = await get(`/api/v1/cases/${encodeURIComponent(id)}`);
  for (const b of $("case-list").querySelectorAll("button")) b.classList.toggle("selected", b.dataset.caseId === id);
  if (status !== 200) {
    $("case-facts").replaceChildren(el("dd", {}, problemText({ status, body })));
    $("case-reasons").replaceChildren();
    return;
  }
  // The case without its people: counts only, as the reading API gives it.
  const s = body.score;
  $("case-facts").replaceChildren(
    ...fact(t("category"), name("category", body.category)), ...fact(t("status"), body.status),
    ...fact(t("people"), body.peopleInvolved), ...fact(t("attempts"), body.mediationAttempts), ...fact(t("keyIndividuals"), body.keyIndividuals),
    ...fact(t("probability"), s && `${(s.probability * 100).toFixed(1)}%`), ...fact(t("level"), s?.level),
  );
  $("case-reasons").replaceChildren(...(s?.contributions ?? []).map((c) => el("li", { dataset: { feature: c.feature } }, lang === "en" ? c.en : c.zh)));
}

// ---- commands ---------------------------------------------------------------------------------------------------

/** The version the officer saw when they began this command: a change meanwhile makes the service answer 409. */
function seen(form) {
  const a = feed.alerts.get(selectedId);
  if (a && form.dataset.version === undefined) form.dataset.version = a.version;
}

async function command(form, verb, fields) {
  const a = feed.alerts.get(selectedId);
  if (!a) return false;
  seen(form);
  $("conflict").hidden = true;
  $("command-error").hidden = true;
  const result = await send("POST", `/api/v1/alerts/${encodeURIComponent(a.id)}/${verb}`, { version: Number(form.dataset.version), ...fields });
  delete form.dataset.version;
  if (result.status === 409) {
    // Someone else acted first: show what they did, keep what this officer typed, never overwrite theirs.
    const current = result.body?.alert ?? result.body?.current ?? result.body;
    if (current?.id) feed.upsert(current);
    $("conflict").textContent = t("conflict", current?.version ?? "?");
    $("conflict").hidden = false;
    loadTimeline(a.id);
    return false;
  }
  if (result.status >= 400) {
    $("command-error").textContent = `${t("failed")}: ${problemText(result)}`;
    $("command-error").hidden = false;
    return false;
  }
  const updated = result.body?.alert ?? result.body;
  if (updated?.id) feed.upsert(updated);
  loadTimeline(a.id);
  return true;
}

function onSubmit(id, handler) {
  $(id).addEventListener("focusin", () => seen($(id)));
  $(id).addEventListener("submit", async (e) => {
    e.preventDefault();
    await handler();
  });
}

function wireCommands() {
  onSubmit("ack-form", async () => {
    if (await command($("ack-form"), "ack", { comment: $("ack-comment").value.trim() })) $("ack-comment").value = "";
  });
  $("unack").addEventListener("click", () => command($("ack-form"), "unack", { comment: $("ack-comment").value.trim() }));
  $("ack-comment").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      $("ack-form").requestSubmit();
    }
  });
  onSubmit("assign-form", () => command($("assign-form"), "assign", {
    department: $("assign-department").value,
    deadline: new Date($("assign-deadline").value).toISOString(),
    comment: $("assign-comment").value.trim(),
  }));
  onSubmit("resolve-form", async () => {
    if (await command($("resolve-form"), "resolve", { comment: $("resolve-comment").value.trim() })) $("resolve-comment").value = "";
  });
  onSubmit("comment-form", async () => {
    if (await command($("comment-form"), "comment", { comment: $("comment-text").value.trim() })) $("comment-text").value = "";
  });
  fillChoices($("assign-department"), new Set(names("department")), (d) => name("department", d), false);
  $("assign-deadline").value = localInput(Date.now() + 2 * 3600_000);
  $("case-list").addEventListener("click", (e) => { if (e.target.dataset.caseId) showCase(e.target.dataset.caseId); });
}

/** A datetime-local input's value for a moment, in the browser's zone. */
function localInput(ms) {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

// ---- keyboard ---------------------------------------------------------------------------------------------------

/** The queue's next page, drawn now (a key or the button waits on it). */
function showMore() {
  queueLimit += QueuePage;
  renderQueue();
}

function wireKeys() {
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      document.activeElement?.blur();
      select(null);
      return;
    }
    if (e.target.closest?.("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const list = [...$("queue").children];
    const at = list.findIndex((li) => li.dataset.id === selectedId);
    if ((e.key === "j" || e.key === "ArrowDown") && at === list.length - 1 && !$("queue-more").hidden) {
      // Past the last row on the page: the next page comes, and the next row is selected once it is drawn.
      showMore();
      select($("queue").children[at + 1]?.dataset.id ?? selectedId);
    } else if (e.key === "j" || e.key === "ArrowDown") select(list[Math.min(list.length - 1, at + 1)]?.dataset.id ?? null);
    else if (e.key === "k" || e.key === "ArrowUp") select(list[Math.max(0, at - 1)]?.dataset.id ?? null);
    else if (e.key === "a" || e.key === "A") {
      if (!selectedId && list[0]) select(list[0].dataset.id);
      if (!selectedId) return;
      e.preventDefault();
      $("ack-comment").focus();
    } else return;
    e.preventDefault();
  });
  $("show-more").addEventListener("click", showMore);
  $("queue").addEventListener("click", (e) => {
    const li = e.target.closest("li[data-id]");
    if (li) select(li.dataset.id);
  });
}

// ---- silences and on-call ----------------------------------------------------------------------------------------

async function loadSilences() {
  const { status, body } = await get("/api/v1/silences");
  if (status !== 200) return;
  // Active ones by age, oldest first: a silence that has held for days is the one to question.
  const active = body.filter((s) => s.active).sort((x, y) => y.ageSeconds - x.ageSeconds);
  $("silence-list").replaceChildren(...(active.length ? active.map((s) => {
    const m = s.matchers;
    const what = [m.regionId && regionName(m.regionId), m.rule && name("rule", m.rule), m.category && name("category", m.category)].filter(Boolean).join(" · ");
    return el("li", { dataset: { id: s.id } }, el("strong", {}, what), el("q", {}, s.reason),
      el("small", {}, `${t("by")} ${s.createdBy} · ${t("age")} ${duration(s.ageSeconds * 1000)} · ${t("endsAt")} ${fmtTime(s.endsAt)}`),
      el("button", { type: "button", dataset: { silenceId: s.id } }, t("expire")));
  }) : [el("li", { className: "empty" }, t("noSilences"))]));
}

const regionNames = new Map();
const regionName = (id) => regionNames.get(id) ?? id;

function labelSilenceChoices() {
  fillChoices($("silence-region"), new Set(regionNames.keys()), regionName);
  fillChoices($("silence-rule"), new Set(names("rule")), (v) => name("rule", v));
  fillChoices($("silence-category"), new Set(names("category")), (v) => name("category", v));
  fillChoices($("assign-department"), new Set(names("department")), (d) => name("department", d), false);
}

/** An alert's area, its path's names and its rule, for the filters: a new area gets its option, a new rule a redraw. */
function learnChoices(a) {
  const path = areaPath(a);
  learnArea(a.regionId, path.at(-1));
  for (const area of path) {
    if (areaChoices.has(area)) continue;
    areaChoices.add(area);
    addChoice($("filter-area"), area, area);
  }
  if (!ruleChoices.has(a.rule)) {
    ruleChoices.add(a.rule);
    choicesChanged = true;
  }
}

/** The areas a silence may name: those of the alerts in view and of the on-call chains shown, all within the caller's region. */
function learnArea(id, name) {
  if (!id || regionNames.get(id) === name) return;
  regionNames.set(id, name);
  addChoice($("silence-region"), id, regionName(id));
}

function wireSilences() {
  labelSilenceChoices();
  $("silence-ends").value = localInput(Date.now() + 3600_000);
  $("silence-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const matchers = Object.fromEntries([["regionId", $("silence-region").value], ["rule", $("silence-rule").value], ["category", $("silence-category").value]].filter(([, v]) => v));
    const result = await send("POST", "/api/v1/silences", { matchers, reason: $("silence-reason").value.trim(), endsAt: new Date($("silence-ends").value).toISOString() });
    $("silence-error").hidden = result.status < 400;
    $("silence-error").textContent = result.status < 400 ? "" : problemText(result);
    if (result.status < 400) $("silence-reason").value = "";
    loadSilences();
  });
  $("silence-list").addEventListener("click", async (e) => {
    const id = e.target.dataset.silenceId;
    if (!id) return;
    const result = await send("DELETE", `/api/v1/silences/${encodeURIComponent(id)}`);
    $("silence-error").hidden = result.status < 400;
    $("silence-error").textContent = result.status < 400 ? "" : problemText(result);
    loadSilences();
  });
}

async function loadOnCall(regionId) {
  const query = new URLSearchParams({ at: new Date().toISOString() });
  if (regionId) query.set("regionId", regionId);
  const { status, body } = await get(`/api/v1/oncall?${query}`);
  if (status !== 200) {
    $("oncall").replaceChildren(el("p", { className: "error" }, problemText({ status, body })));
    return;
  }
  // Level 0 is the township's duty desk, then the county's command center, then the city: where an unacknowledged alert climbs.
  for (const l of body.chain) learnArea(l.regionId, l.regionName);
  $("oncall").replaceChildren(el("ol", { className: "chain" }, ...body.chain.map((l, i) => {
    const delay = body.escalationDelaysSeconds[i];
    return el("li", { dataset: { level: l.level } }, el("strong", {}, `${l.regionName}${l.desk ? ` · ${l.desk}` : ""}`),
      el("span", {}, ` ${t("onDuty")}: ${l.onDuty ?? t("noOnCall")}`),
      delay != null && i < body.chain.length - 1 ? el("small", {}, `${t("climbsAfter")} ${duration(delay * 1000)}`) : null);
  })));
}

// ---- the connection indicator ------------------------------------------------------------------------------------

/** Sets a text only when it differs: a push a frame would otherwise have the page restyle the header each time. */
function setText(e, text) {
  if (e.textContent !== text) e.textContent = text;
}

function renderStatus() {
  const c = $("connection");
  if (c.dataset.state !== feed.state) c.dataset.state = feed.state;
  setText(c, t(feed.state));
  setText($("last-update"), feed.lastUpdate == null ? t("never") : t("lastUpdate", Math.floor((Date.now() - feed.lastUpdate) / 1000)));
  setText($("mute"), beeper.muted ? t("muted") : t("unmuted"));
  $("mute").setAttribute("aria-pressed", String(beeper.muted));
}

// ---- start ------------------------------------------------------------------------------------------------------

export async function openDesk(who) {
  me = who;
  $("desk").hidden = false;
  $("status").hidden = false;
  wireCommands();
  wireKeys();
  wireSilences();
  for (const id of ["view", "filter-area", "filter-rule", "filter-state"]) $(id).addEventListener("change", () => {
    queueLimit = QueuePage;
    queueRender();
  });
  $("view").addEventListener("change", () => { if ($("view").value === "all") feed.readAll("resolved").catch(() => {}); });
  $("mute").addEventListener("click", () => { beeper.toggle(); renderStatus(); });
  feed.addEventListener("alert", (e) => {
    const { alert, previous } = e.detail;
    reposition(alert, previous);
    if (alert) learnChoices(alert);
    if (!alert) items.get(previous.id)?.remove();
    // A new critical alert (or one firing again) is heard, unless muted.
    else if (alert.severity === "critical" && alert.state === "firing" && previous?.state !== "firing") beeper.beep();
    // Someone else acted on the alert on screen: its timeline says what they did.
    if (alert && previous && alert.id === selectedId && !alert.timeline) loadTimeline(alert.id);
    queueRender();
  });
  // Every push touches the feed's state ("last update"): the indicator is redrawn once a frame, not once a push.
  let statusQueued = false;
  feed.addEventListener("state", () => {
    if (statusQueued) return;
    statusQueued = true;
    requestAnimationFrame(() => { statusQueued = false; renderStatus(); });
  });
  document.addEventListener("warning:lang", () => {
    choicesChanged = true;
    labelSilenceChoices();
    renderQueue();
    renderStatus();
    loadSilences();
    if (selectedId) select(selectedId);
  });
  setInterval(renderStatus, 1000);
  setInterval(loadSilences, 30_000);
  renderStatus();
  applyTo();
  feed.start();
  loadSilences();
  loadOnCall(me.regionId || null);
}
