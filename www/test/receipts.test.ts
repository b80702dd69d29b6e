// Signed receipts in the extension (MMHS profile §4.1.7, RFC 2634 §2): the compose option, when
// a receipt may go out without a click, the drafter's record of receipts, and how the reader
// shows a request and a received receipt — verified only when checked against the sent copy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { autoReceiptAllowed, findTracked, parseStore, receiptRequestOption, recipientLines, updateReceipts, withReceipt, withTracked, MAX_TRACKED, type TrackedSent } from "../src/shared/receipts.js";
import { viewReport, type CoreReport } from "../src/shared/report.js";
import { signedReceipt } from "../src/pages/render-report.js";
import { fake, installFakeDom } from "./fake-dom.js";
import { recordingArea } from "./recording-area.js";

installFakeDom();

test("the compose option: receiptsTo defaults to the sender; list needs addresses", () => {
  assert.deepEqual(receiptRequestOption({ on: false, from: "all", list: "", to: "" }, "alice@army.example"), { option: null, errors: [] });
  assert.deepEqual(receiptRequestOption({ on: true, from: "all", list: "", to: "" }, "alice@army.example").option, { receiptsFrom: { kind: "all" }, receiptsTo: ["alice@army.example"] });
  assert.deepEqual(receiptRequestOption({ on: true, from: "firstTier", list: "", to: "ops@army.example, log@army.example" }, "a@x.example").option, { receiptsFrom: { kind: "firstTier" }, receiptsTo: ["ops@army.example", "log@army.example"] });
  assert.deepEqual(receiptRequestOption({ on: true, from: "list", list: "bob@navy.example\ncarol@airforce.example", to: "" }, "a@x.example").option, {
    receiptsFrom: { kind: "list", recipients: [["bob@navy.example"], ["carol@airforce.example"]] },
    receiptsTo: ["a@x.example"],
  });
  assert.equal(receiptRequestOption({ on: true, from: "list", list: "", to: "" }, "a@x.example").errors.length, 1);
  // a name that is not an address (e.g. a URI smuggled in) is refused, never sent as GeneralNames
  assert.ok(receiptRequestOption({ on: true, from: "all", list: "", to: "uri:https://evil.example/" }, "a@x.example").errors.length > 0);
  assert.ok(receiptRequestOption({ on: true, from: "all", list: "", to: Array.from({ length: 17 }, (_, i) => `r${String(i)}@x.example`).join(" ") }, "a@x.example").errors.length > 0);
});

const sig = { signer: "alice@army.example", valid: true, trusted: true, addressMatch: true, signatureType: "originator", countersignatures: [], problems: [] };
const request = { identifier: "9f0c".repeat(16), receiptsFrom: { kind: "all" }, receiptsTo: [["alice@army.example"], ["uri:https://evil.example/"]], signer: "alice@army.example" };
const FIELDS = ["To", "MMHS-Primary-Precedence", "MMHS-Copy-Precedence"];
const base = (over: Partial<CoreReport> = {}): CoreReport => ({
  valid: true, layers: ["signed"], signatures: [sig], headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [] },
  mmhs: { primaryPrecedence: { value: 4, name: "flash" }, readerPrecedence: { reader: "bob@navy.example", role: "action", field: "To", precedence: { value: 4, name: "flash" } } },
  fieldCoverage: FIELDS.map((field) => ({ field, covered: true })), from: ["alice@army.example"], sender: [], problems: [], notes: [], receiptRequest: request, ...over,
});

test("a request is shown with only addresses as destinations; binding only in a valid report", () => {
  const v = viewReport(base());
  assert.equal(v.signedReceiptRequest?.receiptsFrom, "all");
  assert.deepEqual(v.signedReceiptRequest?.receiptsTo, ["alice@army.example"], "a uri: GeneralName is no place to send a receipt");
  assert.equal(v.signedReceiptRequest?.verified, true);
  const invalid = viewReport(base({ valid: false, problems: [{ code: "message-digest-mismatch" }] }));
  assert.equal(invalid.signedReceiptRequest?.verified, false);
});

test("automatic return: only valid, verified, for a listed precedence that is the reader's own and covered", () => {
  assert.equal(autoReceiptAllowed(viewReport(base()), []), false, "default: never automatic");
  assert.equal(autoReceiptAllowed(viewReport(base()), [4]), true);
  assert.equal(autoReceiptAllowed(viewReport(base()), [1, 5]), false, "another precedence");
  // attack: a tampered message with the same request
  assert.equal(autoReceiptAllowed(viewReport(base({ valid: false, problems: [{ code: "signature-invalid" }] })), [4]), false);
  // attack: MMHS-Primary-Precedence: 4 prepended outside the signature
  assert.equal(autoReceiptAllowed(viewReport(base({ fieldCoverage: [{ field: "To", covered: true }, { field: "MMHS-Primary-Precedence", covered: false }] })), [4]), false);
  // an information recipient of a FLASH/ROUTINE message acts on the copy precedence
  const info = base({ mmhs: { readerPrecedence: { reader: "c@x", role: "information", field: "Cc", precedence: { value: 1, name: "routine" } } }, fieldCoverage: ["Cc", ...FIELDS].map((field) => ({ field, covered: true })) });
  assert.equal(autoReceiptAllowed(viewReport(info), [4]), false);
  assert.equal(autoReceiptAllowed(viewReport(info), [1]), true);
  assert.equal(autoReceiptAllowed(viewReport(base({ mmhs: { readerPrecedence: { reader: "e@x", role: "notListed" } } })), [4]), false);
});

test("a received receipt is verified only when checked against the original in a valid report", () => {
  const receipt = { identifier: request.identifier, contentType: "1.2.840.113549.1.7.1", signer: "bob@navy.example", from: ["bob@navy.example"], signingTime: "2030-01-01T00:00:00Z", originalChecked: true, verified: true, problems: [] };
  const ok = viewReport(base({ receiptRequest: undefined, receipt }));
  assert.equal(ok.signedReceipt?.verified, true);
  assert.match(fake(signedReceipt(ok)).textContent, /Signed receipt from bob@navy\.example: verified/);
  const unchecked = viewReport(base({ receiptRequest: undefined, receipt: { ...receipt, originalChecked: false, verified: false }, problems: [{ code: "receipt-sent-copy-unknown" }], valid: false }));
  assert.equal(unchecked.signedReceipt?.verified, false);
  assert.equal(unchecked.signedReceipt?.tone, "neutral");
  assert.doesNotMatch(fake(signedReceipt(unchecked)).textContent, /✔/);
  // attack: the core says verified but lists a problem (a receipt for another message)
  const other = viewReport(base({ receiptRequest: undefined, receipt, problems: [{ code: "receipt-not-for-original" }] }));
  assert.equal(other.signedReceipt?.verified, false);
  assert.equal(other.signedReceipt?.tone, "bad");
});

const tracked = (id: string, rcpts = ["bob@navy.example", "carol@airforce.example"]): TrackedSent => ({ identifier: id, messageId: `${id}@army.example`, subject: "s", sentId: "7", recipients: rcpts, sentAt: "2030-01-01T00:00:00Z", receipts: [] });

test("the Sent view: per recipient, a verified receipt or none yet; receipts of unknown copies are not recorded", () => {
  let s = withTracked({ sent: [] }, tracked("aa"));
  s = withReceipt(s, "aa", { from: "bob@navy.example", verifiedAt: "2030-01-01T01:00:00Z", signedAt: null }) ?? s;
  const lines = recipientLines(findTracked(s, "aa") as TrackedSent);
  assert.deepEqual(lines.map((l) => [l.recipient, l.verified]), [["bob@navy.example", true], ["carol@airforce.example", false]]);
  assert.equal(lines[0]?.text, "receipt from bob@navy.example: verified at 2030-01-01T01:00:00Z");
  assert.equal(withReceipt(s, "bb", { from: "x@y.example", verifiedAt: "t", signedAt: null }), null);
  // bounded
  let big = { sent: [] as TrackedSent[] } as { sent: readonly TrackedSent[] };
  for (let i = 0; i < MAX_TRACKED + 5; i++) big = withTracked(big, tracked(i.toString(16).padStart(4, "0")));
  assert.equal(big.sent.length, MAX_TRACKED);
  // a stored entry with a non-hex identifier or no receipts array is dropped or repaired, never trusted blindly
  assert.deepEqual(parseStore({ sent: [{ identifier: "<script>", receipts: [] }, { identifier: "ab", receipts: "x" }] }).sent.map((t) => [t.identifier, t.receipts.length]), [["ab", 0]]);
});

test("the store is restricted to the extension's pages before every read and write", async () => {
  const area = recordingArea();
  await updateReceipts(area, (s) => withTracked(s, tracked("cc")));
  assert.deepEqual(area.calls, ["protect", "get", "protect", "set"]);
  await assert.rejects(updateReceipts(area.refusing(), (s) => s), (e: { code?: string }) => e.code === "settings-unprotected");
});
