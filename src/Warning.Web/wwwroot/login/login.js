// Sign-in: password (and TOTP code where the role needs one), then whatever the sign-in still asks for: the change of a
// one-time password, the enrolment of an authenticator. Every POST carries the antiforgery token of the current session.
const $ = (id) => document.getElementById(id);
const message = (text) => { $("message").textContent = text || ""; };
const returnUrl = (() => {
  const url = new URLSearchParams(location.search).get("returnUrl") || "/console/";
  return url.startsWith("/") && !url.startsWith("//") ? url : "/console/";
})();

async function token() {
  const response = await fetch("/api/v1/auth/antiforgery", { credentials: "same-origin" });
  return (await response.json()).token;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-XSRF-TOKEN": await token() },
    body: JSON.stringify(body || {}),
  });
  const problem = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, problem, data: problem };
}

const show = (form) => ["login", "change", "enrol"].forEach((id) => { $(id).hidden = id !== form; });

async function next() {
  const response = await fetch("/api/v1/auth/me", { credentials: "same-origin" });
  if (!response.ok) { show("login"); return; }
  const me = await response.json();
  if (me.mustChangePassword) { show("change"); message(); return; }
  if (me.totpRequired && !me.totpEnrolled) {
    const enrolment = await post("/api/v1/auth/totp");
    if (!enrolment.ok) { message(enrolment.problem?.detail); return; }
    $("totp-key").textContent = enrolment.data.key;
    $("totp-uri").textContent = enrolment.data.uri;
    show("enrol");
    message();
    return;
  }
  location.assign(returnUrl);
}

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  const result = await post("/api/v1/auth/login", { userName: $("userName").value, password: $("password").value, totp: $("totp").value || null });
  if (result.ok) { await next(); return; }
  const field = result.problem?.errors?.[0]?.field;
  if (field === "totp") $("totp-row").hidden = false;
  message(result.problem?.detail || `sign-in failed (${result.status})`);
});

$("change").addEventListener("submit", async (e) => {
  e.preventDefault();
  const result = await post("/api/v1/auth/password", { current: $("password").value, new: $("new-password").value });
  if (!result.ok) { message(result.problem?.detail); return; }
  $("password").value = $("new-password").value;
  await next();
});

$("enrol").addEventListener("submit", async (e) => {
  e.preventDefault();
  const result = await post("/api/v1/auth/totp/confirm", { code: $("enrol-code").value });
  if (!result.ok) { message(result.problem?.detail); return; }
  await next();
});

if (new URLSearchParams(location.search).get("error") === "screen-token") message("大屏令牌无效或已撤销 The screen token is unknown or revoked.");
next();
