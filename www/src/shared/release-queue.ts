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
