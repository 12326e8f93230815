// The console's front page: who is signed in, and where their role may go.
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

const me = await (await fetch("/api/v1/auth/me", { credentials: "same-origin" })).json();
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
  const token = (await (await fetch("/api/v1/auth/antiforgery", { credentials: "same-origin" })).json()).token;
  await fetch("/api/v1/auth/logout", { method: "POST", credentials: "same-origin", headers: { "X-XSRF-TOKEN": token } });
  location.assign("/login");
});
