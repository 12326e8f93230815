// Calls to the service with the session cookie; every state-changing call carries the antiforgery token.
let antiforgery = null;

async function token() {
  antiforgery ??= fetch("/api/v1/auth/antiforgery", { credentials: "same-origin" }).then((r) => r.json()).then((b) => b.token);
  try {
    return await antiforgery;
  } catch (e) {
    antiforgery = null;
    throw e;
  }
}

async function body(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}

export async function get(path) {
  const response = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
  return { status: response.status, body: await body(response) };
}

/** POST or DELETE; a rejected token (the service restarted with a new key ring, or the session changed) is fetched again once. */
export async function send(method, path, payload) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-XSRF-TOKEN": await token() },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const result = { status: response.status, body: await body(response) };
    if (response.status === 400 && attempt === 0 && /antiforgery/i.test(result.body?.title ?? "")) {
      antiforgery = null;
      continue;
    }
    return result;
  }
}

/** The sentence a problem+json body gives; its detail names the field and the rule. */
export function problemText(result) {
  const b = result.body ?? {};
  return [b.title, b.detail].filter(Boolean).join(" — ") || `HTTP ${result.status}`;
}
