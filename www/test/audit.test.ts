// The MUA audit log (draft-melnikov-mmhs-profile-09 §5.2): the profile's identifiers, a hash
// chain that shows any edit, insertion or removal, retention of at least ten days, bounded
// size, and storage only extension pages reach.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendRecord, audit, canonicalJson, exportAudit, loadAudit, parseLog, prune, reportFields, sentFields, verifyChain, MAX_RECORDS, type AuditLog } from "../src/shared/audit.js";
import { recordingArea } from "./recording-area.js";

const T0 = new Date("2030-01-01T00:00:00Z");
const empty: AuditLog = { anchor: "", records: [], dropped: 0 };

const request = {
  from: "alice@army.example", to: [{ address: "bob@navy.example", notify: ["success", "failure"], receiptNotification: true }], cc: ["carol@airforce.example"],
  bcc: ["dave@army.example"], primaryPrecedence: 4, copyPrecedence: 1, messageType: { type: 0, identifier: "CANDLE FISH" }, authorizingUsers: ["officer@army.example"],
};

test("a submitted message's record carries the §5.2 identifiers: Message-ID as MM Identification, ENVID as Message Identification", () => {
  const f = sentFields(request, "abc@army.example", { mailFrom: "alice@army.example", mailParams: { envid: "QQ314159" }, rcpts: [] }, "9f0c", { policy: "1.2.3", classification: 4 });
  assert.equal(f.mmIdentification, "abc@army.example");
  assert.equal(f.messageIdentification, "QQ314159");
  assert.deepEqual(f.recipients, { to: ["bob@navy.example"], cc: ["carol@airforce.example"], bcc: ["dave@army.example"] });
  assert.deepEqual(f.deliveryNotification, { "bob@navy.example": "success,failure", "carol@airforce.example": "failure", "dave@army.example": "failure" });
  assert.deepEqual(f.receiptNotificationRequest, ["bob@navy.example"]);
  assert.deepEqual(f.authorizingUsers, ["officer@army.example"]);
  assert.equal(f.signedReceiptRequest, "9f0c");
  assert.equal(f.primaryPrecedence, "4");
  assert.equal(f.messageType, "0 (CANDLE FISH)");
  assert.equal(f.securityLabel, "policy 1.2.3, classification 4");
});

test("a received message's record: from the core's report; no ENVID (not delivered to recipients)", () => {
  const f = reportFields("received", {
    valid: true, problems: [], from: ["alice@army.example"], sender: [], securityLabel: { policy: "1.2.3", classification: 3 },
    mmhs: { messageId: "m1@army.example", primaryPrecedence: { value: 4, name: "flash" }, extendedAuthorisationInfo: "2030-01-01T00:00:00Z", deliveryTime: "2030-01-01T00:00:05Z", messageType: { value: 0, name: "exercise" } },
    authorizingUsers: [{ address: "officer@army.example", status: "countersigned" }],
  });
  assert.equal(f.mmIdentification, "m1@army.example");
  assert.equal(f.messageIdentification, null);
  assert.equal(f.primaryPrecedence, "flash");
  assert.equal(f.deliveryTime, "2030-01-01T00:00:05Z");
  assert.deepEqual(f.authorizingUsers, ["officer@army.example (countersigned)"]);
  assert.equal(f.verdict, "valid");
  // valid:true beside a problem is recorded as invalid
  assert.equal(reportFields("received", { valid: true, problems: [{ code: "x-y" }] }).verdict, "invalid");
});

test("hash chain: intact as written; an edited, removed or inserted record is found", async () => {
  let log = empty;
  for (const [i, ev] of (["sent", "received", "released", "receipt-sent", "receipt-received"] as const).entries()) {
    log = await appendRecord(log, { event: ev, mmIdentification: `m${String(i)}@x` }, new Date(T0.getTime() + i * 1000));
  }
  assert.deepEqual(log.records.map((r) => r.seq), [1, 2, 3, 4, 5]);
  assert.equal(await verifyChain(log), null);
  const edited = { ...log, records: log.records.map((r) => (r.seq === 3 ? { ...r, mmIdentification: "forged@x" } : r)) };
  assert.equal(await verifyChain(edited), 3);
  const removed = { ...log, records: log.records.filter((r) => r.seq !== 2) };
  assert.equal(await verifyChain(removed), 3);
  const rehashedAlone = { ...log, records: log.records.map((r) => (r.seq === 1 ? { ...r, hash: "00".repeat(32) } : r)) };
  assert.equal(await verifyChain(rehashedAlone), 1);
  // canonical JSON: key order does not matter, values do
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  const exported = JSON.parse(await exportAudit(edited, T0)) as { chainIntact: boolean; brokenAt: number };
  assert.deepEqual([exported.chainIntact, exported.brokenAt], [false, 3]);
  await assert.rejects(appendRecord(log, { event: "deleted" as "sent", mmIdentification: null }, T0));
});

test("retention: at least ten days kept; pruned records leave an anchor the chain still verifies from; bounded", async () => {
  let log = empty;
  for (let d = 0; d < 20; d++) log = await appendRecord(log, { event: "sent", mmIdentification: `d${String(d)}` }, new Date(T0.getTime() + d * 86_400_000), 1);
  // retention asked: 1 day, but never under 10: records of the last 10 days stay
  assert.deepEqual(log.records.map((r) => r.mmIdentification), Array.from({ length: 11 }, (_, i) => `d${String(i + 9)}`));
  assert.notEqual(log.anchor, "");
  assert.equal(await verifyChain(log), null);
  const big: AuditLog = { anchor: "", records: Array.from({ length: MAX_RECORDS + 3 }, (_, i) => ({ event: "sent" as const, mmIdentification: null, seq: i + 1, at: T0.toISOString(), prev: "", hash: String(i) })), dropped: 0 };
  const pruned = prune(big, T0);
  assert.equal(pruned.records.length, MAX_RECORDS);
  assert.equal(pruned.dropped, 3);
});

test("stored log: restricted area before every read and write; a damaged log is reported, not replaced", async () => {
  const area = recordingArea();
  await audit(area, { event: "sent", mmIdentification: "a@x" }, T0);
  await audit(area, { event: "received", mmIdentification: "b@x" }, T0);
  assert.deepEqual(area.calls, ["protect", "get", "protect", "set", "protect", "get", "protect", "set"]);
  const log = await loadAudit(area);
  assert.equal(log.records.length, 2);
  assert.equal(await verifyChain(log), null);
  assert.throws(() => parseLog({ anchor: "", records: [{ seq: 1 }], dropped: 0 }), (e: { code?: string }) => e.code === "audit-log-damaged");
  assert.throws(() => parseLog([]), (e: { code?: string }) => e.code === "audit-log-damaged");
  await assert.rejects(audit(area.refusing(), { event: "sent", mmIdentification: null }, T0), (e: { code?: string }) => e.code === "settings-unprotected");
});
