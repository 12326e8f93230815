// The live alert set. Pushes, resumes and full reads may bring the same alert in any order; keeping the highest version
// per id makes that safe, so nothing is shown stale or twice. The connection never gives up: it backs off, reconnects and
// asks for what it missed (ResumeFrom), and reads everything again when the service cannot tell (a restart, a gap).
import { get } from "./api.js";

const OpenStates = new Set(["pending", "firing", "acknowledged", "suppressed"]);
const PageSize = 500;
// A full read stops here: a duty room with more open alerts than this has a bigger problem than a short queue.
const MaxAlerts = 5000;
// Even with pushes flowing, ask now and then whether anything was missed (a push lost between nodes, a silent socket).
const CheckEvery = 30_000;

export const retryDelay = (attempt) => Math.min(15_000, 500 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() / 2);

export class AlertFeed extends EventTarget {
  alerts = new Map();
  #epoch = 0;
  #lastSeq = 0;
  #pendingSeq = new Map();
  #connection;
  #resuming = null;
  lastUpdate = null;
  state = "connecting";

  constructor() {
    super();
    this.#connection = new signalR.HubConnectionBuilder()
      .withUrl("/hubs/alerts")
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => retryDelay(ctx.previousRetryCount) })
      .build();
    this.#connection.on("message", (m) => this.#handle(m));
    this.#connection.onreconnecting(() => this.#setState("reconnecting"));
    // After a reconnect, also read everything once: the service may have restarted and lost the tail of its numbering
    // (a kill -9 before it saved it), and then numbers it hands out again look like ones this console already saw.
    this.#connection.onreconnected(() => this.#resume(true));
    this.#connection.onclose(() => { this.#setState("down"); this.#start(0); });
    setInterval(() => { if (this.#connected()) this.#resume(); }, CheckEvery);
  }

  start() { this.#start(0); }

  /** Takes an alert from any source (a push, a read, a command's answer); false if one at least as new is already held. */
  upsert(alert) {
    if (!alert?.id) return false;
    const held = this.alerts.get(alert.id);
    if (held && held.version >= alert.version) return false;
    this.alerts.set(alert.id, alert);
    this.dispatchEvent(new CustomEvent("alert", { detail: { alert, previous: held ?? null } }));
    return true;
  }

  #connected() { return this.#connection.state === signalR.HubConnectionState.Connected; }

  #setState(state) {
    this.state = state;
    this.dispatchEvent(new Event("state"));
  }

  #touch() {
    this.lastUpdate = Date.now();
    this.dispatchEvent(new Event("state"));
  }

  async #start(attempt) {
    try {
      await this.#connection.start();
    } catch {
      this.#setState("down");
      setTimeout(() => this.#start(attempt + 1), retryDelay(attempt));
      return;
    }
    await this.#resume(true);
  }

  /**
   * When the service made each pushed alert version, when it sent the push, and when this page had it ("id@version" →
   * unix ms): with the render time, the service's, the push's and the render's shares of the latency.
   */
  changedAt = new Map();
  sentAt = new Map();
  receivedAt = new Map();
  /** Alert pushes heard since the page opened. */
  pushes = 0;

  #handle(message) {
    if (message.type !== "alert") return;
    this.pushes++;
    if (this.changedAt.size > 10_000) { this.changedAt.clear(); this.sentAt.clear(); this.receivedAt.clear(); }
    const version = `${message.data.id}@${message.data.version}`;
    this.changedAt.set(version, Date.parse(message.at));
    if (message.sentAt) this.sentAt.set(version, Date.parse(message.sentAt));
    this.receivedAt.set(version, Date.now());
    if (message.epoch === this.#epoch) this.#lastSeq = Math.max(this.#lastSeq, message.seq);
    else this.#pendingSeq.set(message.epoch, Math.max(this.#pendingSeq.get(message.epoch) ?? 0, message.seq));
    this.upsert(message.data);
    this.#touch();
  }

  /** One resume at a time; a second asked for while one runs waits for it and runs after, so nothing asked is skipped. */
  #resume(readAll = false) {
    const run = async () => {
      try {
        await this.#resumeOnce(readAll);
        this.#setState("live");
        this.#touch();
      } catch {
        // Lost again: onreconnected or onclose follow and resume. Still connected: the service failed the call, so ask again.
        if (this.#connected()) setTimeout(() => this.#resume(readAll), retryDelay(1));
      }
    };
    this.#resuming = (this.#resuming ?? Promise.resolve()).then(run);
    return this.#resuming;
  }

  async #resumeOnce(readAll) {
    const feed = await this.#connection.invoke("ResumeFrom", this.#epoch, this.#lastSeq);
    // Another epoch (the board's numbering began again) or an incomplete answer (what was missed is no longer kept):
    // only a full read can tell what changed meanwhile.
    const gap = feed.epoch !== this.#epoch || !feed.complete;
    const messages = feed.messages.filter((m) => m.type === "alert");
    for (const m of messages) this.upsert(m.data);
    const last = Math.max(0, ...feed.messages.map((m) => m.seq), feed.epoch === this.#epoch ? this.#lastSeq : this.#pendingSeq.get(feed.epoch) ?? 0);
    this.#epoch = feed.epoch;
    this.#lastSeq = last;
    this.#pendingSeq.clear();
    if (gap || readAll) await this.readAll();
  }

  /** Every open alert, page by page; then each held open alert the read did not return, which changed while unseen. */
  async readAll(state = "open") {
    const seen = new Set();
    let cursor = null;
    do {
      const query = new URLSearchParams({ state, limit: String(PageSize) });
      if (cursor) query.set("cursor", cursor);
      const { status, body } = await get(`/api/v1/alerts?${query}`);
      if (status !== 200) throw new Error(`alerts: ${status}`);
      for (const a of body.alerts) {
        seen.add(a.id);
        this.upsert(a);
      }
      cursor = body.nextCursor;
    } while (cursor && seen.size < MaxAlerts);
    if (state !== "open") return;
    const missing = [...this.alerts.values()].filter((a) => OpenStates.has(a.state) && !seen.has(a.id));
    await Promise.all(missing.map((a) => this.refresh(a.id)));
  }

  /** The alert as the service holds it now, with its timeline; null if it is gone (or out of the caller's region). */
  async refresh(id) {
    const { status, body } = await get(`/api/v1/alerts/${encodeURIComponent(id)}`);
    if (status === 404) {
      if (this.alerts.delete(id)) this.dispatchEvent(new CustomEvent("alert", { detail: { alert: null, previous: { id } } }));
      return null;
    }
    if (status !== 200) throw new Error(`alert ${id}: ${status}`);
    this.upsert(body);
    return body;
  }
}
