/**
 * What the officer's Release queue shows of each waiting draft besides its verified summary:
 * when it was submitted and its deadline (the earlier of the DELIVERBY deadline, RFC 2852 §4,
 * and `Expires:`, profile §3.4.17), as the webmail lists them. The order is the webmail's
 * (precedence, then waiting time: docs/server.md); the page does not re-sort it.
 */
import type { QueueItem } from "./messages.js";

export interface QueueTimes {
  /** RFC 3339 UTC (seconds) of the submission, or null when the webmail does not say. */
  readonly submitted: string | null;
  /** The deadline as the webmail gives it, or null for none. */
  readonly deadline: string | null;
  /** The deadline is a time and has passed at `nowMs`. */
  readonly passed: boolean;
}

function rfc3339(ms: number): string | null {
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function queueTimes(item: Pick<QueueItem, "receivedAt" | "deadline">, nowMs: number): QueueTimes {
  const submitted = typeof item.receivedAt === "number" ? rfc3339(item.receivedAt) : null;
  const deadline = typeof item.deadline === "string" && item.deadline !== "" ? item.deadline : null;
  const at = deadline === null ? Number.NaN : Date.parse(deadline);
  return { submitted, deadline, passed: Number.isFinite(at) && at < nowMs };
}

/**
 * How `mmhs serve`'s submission agent ends its 250 reply to a message it diverted to a Release
 * queue instead of sending it on (docs/server.md, "core decision `releaseQueue`"; the constant
 * `DIVERTED_FOR_RELEASE` of src/server/agent.rs, which tests/server_release.rs checks against
 * this one). A webmail that passes the SMTP server's final reply on (the Roundcube plugin's
 * `reply`) lets the compose panel say whether *this* message waits for an officer.
 */
export const DIVERTED_FOR_RELEASE = " for release authorisation";

/**
 * The SMTP server's reply to the message data → diverted to a Release queue (true), accepted
 * to go on (false), or unknown (undefined: no reply text, or not a 2xx reply).
 */
export function repliedDiverted(reply: unknown): boolean | undefined {
  if (typeof reply !== "string") return undefined;
  const text = reply.trim();
  if (!/^2[0-9][0-9](?:[ -]|$)/.test(text)) return undefined;
  return text.endsWith(DIVERTED_FOR_RELEASE);
}

/** Where the copies of one send went, as the compose panel says it after sending. */
export interface SendSummary {
  /** `held`: every copy waits for release; `sent`: none does; `mixed`: some do; `unknown`: the webmail did not say for some copy. */
  readonly state: "held" | "sent" | "mixed" | "unknown";
  readonly text: string;
}

/**
 * The per-copy `releaseQueue` answers (SendOutcome) → the one line shown after sending. A copy
 * the webmail said nothing about makes the whole answer `unknown`: the panel never claims a
 * message went to its recipients, or to an officer, without being told. Pure.
 */
export function sendSummary(diverted: readonly (boolean | undefined)[]): SendSummary {
  const n = diverted.length;
  const held = diverted.filter((d) => d === true).length;
  if (n === 0) return { state: "unknown", text: "Nothing was sent." };
  if (diverted.some((d) => d === undefined)) {
    return { state: "unknown", text: `Submitted ${n} message(s). The webmail did not say whether they wait for release: messages that need release authorisation wait in the release officers' queue.` };
  }
  if (held === n) {
    return { state: "held", text: `Not yet sent to the recipients: ${n === 1 ? "this message waits" : `these ${n} messages wait`} in the release officers' queue. ${n === 1 ? "It goes" : "They go"} out when an officer releases ${n === 1 ? "it" : "them"}; your Sent folder shows the release status.` };
  }
  if (held === 0) return { state: "sent", text: `Sent: the submission agent accepted ${n === 1 ? "the message" : `the ${n} messages`} for delivery (no release needed).` };
  return { state: "mixed", text: `${held} of ${n} messages wait in the release officers' queue (marked below); the others were accepted for delivery.` };
}

/** The per-copy line of the compose panel's result list. */
export function copyReleaseText(diverted: boolean | undefined): string {
  return diverted === true ? "waits for release by an officer" : diverted === false ? "accepted for delivery" : "release status not reported by the webmail";
}

/**
 * Live refresh of the officer's queue: the list is asked again every `QUEUE_POLL_MS` while the
 * page is visible, one request at a time, at most `QUEUE_POLL_MAX` times (an hour), after which
 * the page says so and a reload starts again. Only the list is fetched; a draft is fetched and
 * verified once, when it first appears.
 */
export const QUEUE_POLL_MS = 5_000;
export const QUEUE_POLL_MAX = 720;

/** The queue now vs the ids shown: drafts to add (in the webmail's order) and ids gone. Pure. */
export function queueDiff(shown: ReadonlySet<string>, now: readonly QueueItem[]): { added: QueueItem[]; removed: string[] } {
  const ids = new Set(now.map((i) => i.id));
  return { added: now.filter((i) => !shown.has(i.id)), removed: [...shown].filter((id) => !ids.has(id)) };
}
