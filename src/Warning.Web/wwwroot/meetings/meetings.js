// The meeting page: pick an area and a period, preview the pack, download its PDF and CSV, and see the stored packs.
// The pack's HTML comes from the service, already escaped; it is parsed, and only its body's nodes are shown here.
const $ = (id) => document.getElementById(id);
const kinds = { monthly: "县月度 County monthly", quarterly: "市季度 City quarterly", intensive: "敏感期 Intensive", on_demand: "按需 On demand", bulletin: "专报 Bulletin" };

async function json(url, options) {
  const response = await fetch(url, { credentials: "same-origin", ...options });
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(body?.detail || body?.title || response.statusText);
  return body;
}

async function token() {
  return (await json("/api/v1/auth/antiforgery")).token;
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

function query(format) {
  const p = new URLSearchParams({ regionId: $("region").value, from: $("from").value, to: $("to").value, format, lang: $("lang").value });
  return `/api/v1/reports/briefing?${p}`;
}

function refreshLinks() {
  const ready = $("region").value && $("from").value && $("to").value;
  for (const [id, format] of [["pdf", "pdf"], ["csv", "csv"]]) {
    $(id).href = ready ? query(format) : "#";
    $(id).setAttribute("aria-disabled", ready ? "false" : "true");
  }
}

async function loadRegions() {
  const roots = await json("/api/v1/regions");
  const options = [];
  for (const root of roots.regions ?? roots) {
    options.push([root.id, root.name]);
    const children = await json(`/api/v1/regions/${encodeURIComponent(root.id)}/children`);
    for (const child of children.children ?? children) options.push([child.id, `— ${child.name}`]);
  }
  $("region").replaceChildren(...options.map(([id, name]) => new Option(name, id)));
}

function defaultPeriod() {
  // Last calendar month, as a county's monthly meeting reviews it.
  const now = new Date();
  const first = new Date(now.getFullYear(), now.getMonth() - 1, 1);
  const last = new Date(now.getFullYear(), now.getMonth(), 0);
  const day = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  $("from").value = day(first);
  $("to").value = day(last);
}

async function preview(event) {
  event.preventDefault();
  status("生成预览… Preparing the preview");
  const response = await fetch(query("html"), { credentials: "same-origin" });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    status(problem.detail || response.statusText, true);
    return;
  }
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  $("preview").replaceChildren(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
  status("预览已更新 Preview ready");
}

async function loadPacks() {
  const list = await json(`/api/v1/reports?regionId=${encodeURIComponent($("region").value)}`);
  $("packs").tBodies[0].replaceChildren(...list.packs.map((p) => {
    const row = document.createElement("tr");
    row.dataset.pack = p.id;
    for (const text of [p.regionName, kinds[p.kind] ?? p.kind, `${p.from} — ${p.to}`, `v${p.version}`, p.createdAt.slice(0, 16).replace("T", " ")]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    const files = document.createElement("td");
    for (const [format, href] of Object.entries(p.links)) {
      if (!href) continue;
      const a = document.createElement("a");
      a.href = href;
      a.textContent = format.toUpperCase();
      if (format !== "html") a.download = "";
      files.append(a);
    }
    row.append(files);
    return row;
  }));
}

// The info notices a finished pack raised for this reader's area (alert rule pack_ready): open (pending its group wait,
// then firing) until they expire.
async function loadNotices() {
  const { alerts } = await json("/api/v1/alerts?rule=pack_ready&state=open&limit=20");
  $("notices-section").hidden = alerts.length === 0;
  $("notices").replaceChildren(...alerts.map((alert) => {
    const packId = alert.subject.id;
    const li = document.createElement("li");
    li.dataset.pack = packId;
    const link = document.createElement("a");
    link.href = `/api/v1/reports/${encodeURIComponent(packId)}?format=html`;
    link.textContent = alert.title.zh;
    li.append(link, ` · ${alert.lastSeenAt.slice(0, 16).replace("T", " ")}`);
    return li;
  }));
}

async function generate() {
  status("排队生成… Queued");
  try {
    const job = await json("/api/v1/reports/packs", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-XSRF-TOKEN": await token() },
      body: JSON.stringify({ regionId: $("region").value, from: $("from").value, to: $("to").value }),
    });
    let state = job;
    while (state.state === "queued" || state.state === "running") {
      status(`${state.percent}% ${state.step}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      state = await json(`/api/v1/reports/jobs/${encodeURIComponent(job.jobId)}`);
    }
    if (state.state !== "succeeded") throw new Error(state.error || state.state);
    status(`已保存 Stored: ${state.packId}`);
    await loadPacks();
    await loadNotices().catch(() => {});
  } catch (error) {
    status(error.message, true);
  }
}

defaultPeriod();
await loadRegions();
refreshLinks();
for (const id of ["region", "from", "to", "lang"]) $(id).addEventListener("change", refreshLinks);
$("region").addEventListener("change", () => loadPacks().catch((e) => status(e.message, true)));
$("pick").addEventListener("submit", (e) => preview(e).catch((error) => status(error.message, true)));
$("generate").addEventListener("click", generate);
await loadPacks();
await loadNotices().catch(() => {});
document.body.dataset.ready = "true";
