import { test } from "node:test";
import assert from "node:assert/strict";
import { queueTimes } from "../src/shared/release-queue.js";

const now = Date.parse("2026-12-05T03:30:00Z");

test("queue times: submission as RFC 3339 UTC seconds, the deadline as the webmail gives it", () => {
  const t = queueTimes({ receivedAt: Date.parse("2026-12-05T03:20:07.250Z"), deadline: "2026-12-05T05:00:00Z" }, now);
  assert.deepEqual(t, { submitted: "2026-12-05T03:20:07Z", deadline: "2026-12-05T05:00:00Z", passed: false });
});

test("queue times: a passed deadline is marked; none and unknown are null", () => {
  assert.equal(queueTimes({ receivedAt: now, deadline: "2026-12-05T03:29:59Z" }, now).passed, true);
  assert.deepEqual(queueTimes({ receivedAt: null, deadline: null }, now), { submitted: null, deadline: null, passed: false });
  assert.deepEqual(queueTimes({}, now), { submitted: null, deadline: null, passed: false });
  // a deadline that is not a time is shown as given and never claimed passed; a bad time is unknown
  assert.deepEqual(queueTimes({ receivedAt: Number.NaN, deadline: "soon" }, now), { submitted: null, deadline: "soon", passed: false });
  assert.equal(queueTimes({ receivedAt: 1e20, deadline: "" }, now).submitted, null);
  assert.equal(queueTimes({ receivedAt: 0, deadline: "" }, now).deadline, null);
});

import { DIVERTED_FOR_RELEASE, copyReleaseText, queueDiff, repliedDiverted, sendSummary } from "../src/shared/release-queue.js";
import type { QueueItem } from "../src/shared/messages.js";

test("the submission agent's reply says whether this message went to the release queue", () => {
  assert.equal(repliedDiverted(`250 2.0.0 Queued as t-1${DIVERTED_FOR_RELEASE}`), true);
  assert.equal(repliedDiverted("250 2.0.0 Queued as t-1 for release authorisation\r\n"), true);
  assert.equal(repliedDiverted("250 2.0.0 Queued as t-1"), false);
  assert.equal(repliedDiverted("250 2.0.0 Queued as t-1; held for future release"), false, "FUTURERELEASE is not the release queue");
  // a refusal or a temporary failure that happens to end with the words is not a diversion
  assert.equal(repliedDiverted("550 5.7.1 Refused: text for release authorisation"), undefined);
  assert.equal(repliedDiverted("451 4.7.0 try again for release authorisation"), undefined);
  // the words in the middle (e.g. a Queued-as id crafted by a relay) do not count
  assert.equal(repliedDiverted("250 2.0.0 Queued as for release authorisation-x"), false);
  assert.equal(repliedDiverted(undefined), undefined);
  assert.equal(repliedDiverted(250), undefined);
  assert.equal(repliedDiverted(""), undefined);
});

test("after sending: held, sent, mixed, or unknown when any copy was not reported", () => {
  assert.equal(sendSummary([true]).state, "held");
  assert.match(sendSummary([true]).text, /this message waits in the release officers' queue/);
  assert.equal(sendSummary([true, true]).state, "held");
  assert.equal(sendSummary([false]).state, "sent");
  assert.equal(sendSummary([true, false]).state, "mixed");
  assert.equal(sendSummary([true, undefined]).state, "unknown", "never claims a copy went out or waits without being told");
  assert.equal(sendSummary([undefined]).state, "unknown");
  assert.equal(sendSummary([]).state, "unknown");
  assert.match(copyReleaseText(true), /waits for release/);
  assert.match(copyReleaseText(false), /accepted for delivery/);
  assert.match(copyReleaseText(undefined), /not reported/);
});

test("live queue refresh: new drafts in the webmail's order, handled ones removed", () => {
  const item = (id: string): QueueItem => ({ id, from: "a@x", subject: id, date: null, precedence: null, sioLabel: null, envelope: null });
  const d = queueDiff(new Set(["1", "2"]), [item("3"), item("1")]);
  assert.deepEqual(d.added.map((i) => i.id), ["3"]);
  assert.deepEqual(d.removed, ["2"]);
  assert.deepEqual(queueDiff(new Set(), []), { added: [], removed: [] });
});
