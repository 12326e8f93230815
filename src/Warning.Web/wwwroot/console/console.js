// The console: who is signed in and where their role may go; for roles that may see alerts, the duty desk below.
import { get, send } from "./api.js";
import { t, applyTo, toggle, lang } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const links = {
  commander: [["/screen/", "大屏 Big screen"], ["/meetings/", "研判会材料 Meeting packs"], ["/api/v1/cases", "案件 Cases (JSON)"], ["/api/v1/risk/model", "模型 Risk model"]],
  duty_officer: [["/screen/", "大屏 Big screen"], ["/api/v1/cases", "案件 Cases (JSON)"]],
  analyst: [["/screen/", "大屏 Big screen"], ["/meetings/", "研判会材料 Meeting packs"], ["/api/v1/spikes", "异常聚集 Spikes (JSON)"], ["/api/v1/risk/models", "模型 Models"]],
  grid_supervisor: [["/screen/", "大屏 Big screen"], ["/api/v1/cases", "案件 Cases (JSON)"]],
  auditor: [["/api/v1/audit/verify", "审计链校验 Verify the audit chain"], ["/api/v1/audit", "审计日志 Audit log"]],
  operator: [["/orleans", "Orleans"], ["/readyz", "就绪 Readiness"], ["/api/v1/risk/models", "模型 Models"]],
  admin: [["/meetings/", "研判会材料 Meeting packs"], ["/api/v1/users", "用户 Users"], ["/api/v1/apikeys", "接口密钥 API keys"], ["/api/v1/screens", "大屏令牌 Screen tokens"]],
};

const langButton = () => { $("lang").textContent = lang === "en" ? "中文" : "EN"; };
$("lang").addEventListener("click", () => {
  toggle();
  langButton();
  document.dispatchEvent(new Event("warning:lang"));
});
applyTo();
langButton();

const me = (await get("/api/v1/auth/me")).body;
$("who").textContent = me.userName;
$("role").textContent = me.role;
$("region").textContent = me.regionName || me.regionId;
$("links").replaceChildren(...(links[me.role] || []).concat([["/scalar", "接口文档 API reference"]]).map(([href, text]) => {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}));

$("logout").addEventListener("click", async () => {
  await send("POST", "/api/v1/auth/logout");
  location.assign("/login");
});

// The service decides who may work the alerts (and in which region); a role it turns away keeps the landing page alone.
// Silences are the desk's alone: analysts may read the alert list, but only the notices meant for them.
const probe = await get("/api/v1/silences");
if (probe.status === 200) {
  const { openDesk } = await import("./desk.js");
  await openDesk(me);
}
document.body.dataset.ready = "true";
