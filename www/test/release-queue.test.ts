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
