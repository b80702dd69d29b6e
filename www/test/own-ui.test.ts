import { test } from "node:test";
import assert from "node:assert/strict";
import { ownUiText } from "../src/adapters/own-ui.js";
import { parseSendReply, parseSentList } from "../src/adapters/reference.js";

test("the switch to the webmail's own form, view or queue says what is given up, and asks first", () => {
  const c = ownUiText("compose");
  assert.ok(c);
  assert.match(c.toOwn, /send without MMHS/);
  assert.match(c.confirm, /no signature, no security label, no precedence, and no release/);
  assert.match(ownUiText("read")?.confirm ?? "", /NOT verified/);
  assert.match(ownUiText("release-queue")?.toOwn ?? "", /not verified by MMHS/);
  // nothing is hidden in a plain folder list
  assert.equal(ownUiText("list"), null);
  assert.equal(ownUiText("other"), null);
});

test("reference webmail: /api/send's releaseQueue is taken only when it is a boolean", () => {
  assert.deepEqual(parseSendReply({ ok: true, sentId: 12, releaseQueue: true, rejected: [] }), { id: "12", rejected: [], releaseQueue: true });
  assert.equal(parseSendReply({ ok: true, sentId: 12, releaseQueue: false }).releaseQueue, false);
  assert.equal("releaseQueue" in parseSendReply({ ok: true, releaseQueue: "true" }), false, "a string is not an answer");
  assert.equal("releaseQueue" in parseSendReply(null), false);
  assert.deepEqual(parseSendReply({ rejected: [{ address: "x@y", reply: "550" }, { reply: "no address" }, "z"] }).rejected, ["x@y"]);
});

test("reference webmail: the Sent list's release status is one of three words, else none", () => {
  const items = parseSentList({
    folder: "Sent",
    messages: [
      { id: 3, subject: "a", messageId: "a@army.example", date: "2026-12-05T07:00:00Z", releaseStatus: "awaiting" },
      { id: 2, subject: "b", messageId: "b@army.example", releaseStatus: "released" },
      { id: 1, subject: "c", releaseStatus: "returned" },
      { id: 4, subject: "d", releaseStatus: "RELEASED" },
      { id: 5, subject: "e", releaseStatus: { status: "released" } },
      { id: 6, subject: "f" },
      { subject: "no id", releaseStatus: "released" },
    ],
  });
  assert.deepEqual(items.map((i) => [i.id, i.releaseStatus]), [["3", "awaiting"], ["2", "released"], ["1", "returned"], ["4", null], ["5", null], ["6", null]]);
  assert.equal(items[0]?.messageId, "a@army.example");
  assert.throws(() => parseSentList({ folder: "Sent" }), (e: { code?: string }) => e.code === "webmail-http-error");
});
