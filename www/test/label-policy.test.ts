import { test } from "node:test";
import assert from "node:assert/strict";
import { applyRestriction, equivalentLabels, equivalentsText, pickerRestriction, reportLabel, type LabelCore } from "../src/shared/label-policy.js";

/** A fake of the typed core binding: `answer` gives what the core would return. */
function fakeCore(answer: (name: string, request: unknown) => unknown): LabelCore {
  return (async (name: string, request: unknown) => answer(name, request)) as LabelCore;
}

const receivable = [
  { classification: { value: 1, name: "u", marking: "ARMY UNCLASSIFIED" }, allowed: true, refused: [] },
  { classification: { value: 4, name: "s", marking: "ARMY SECRET" }, allowed: false, refused: [{ address: "bob@navy.example", code: "label-not-cleared", reason: "cleared up to 2" }], why: "bob@navy.example: cleared up to 2" },
];

function fakeSelect(values: string[], selected: string): HTMLSelectElement {
  const options = values.map((value) => ({ value, disabled: false, title: "" }));
  return { options, value: selected } as unknown as HTMLSelectElement;
}

test("the picker offers only what every recipient may receive", async () => {
  const calls: unknown[] = [];
  const core = fakeCore(async (name, req) => { calls.push([name, req]); return receivable; });
  const r = await pickerRestriction(core, ["{}"], "1.3.6.1.4.1.55555.1", ["bob@navy.example"]);
  assert.deepEqual(calls, [["labelReceivable", { policies: ["{}"], recipients: ["bob@navy.example"], policy: "1.3.6.1.4.1.55555.1" }]]);
  assert.ok(r && r.allowed.has(1) && !r.allowed.has(4));
  const sel = fakeSelect(["1", "4"], "4");
  applyRestriction(sel, r);
  const opts = Array.from(sel.options);
  assert.equal(opts[1]?.disabled, true);
  assert.match(opts[1]?.title ?? "", /bob@navy.example: cleared up to 2/);
  assert.equal(sel.value, "4", "a refused selection is never silently moved to another classification");
  assert.equal(r?.classes.get(4)?.marking, "ARMY SECRET");
  const withPlaceholder = fakeSelect(["", "1", "4"], "");
  applyRestriction(withPlaceholder, r);
  assert.equal(Array.from(withPlaceholder.options)[0]?.disabled, false, "the empty choice is not a classification value 0");
});

test("fail closed: a core error or an unknown policy offers nothing; no policies restrict nothing", async () => {
  const broken = fakeCore(async () => { throw new Error("label-policy-invalid"); });
  const r = await pickerRestriction(broken, ["{"], "1.2", ["a@b"]);
  assert.equal(r?.allowed.size, 0);
  const sel = fakeSelect(["1", "4"], "1");
  applyRestriction(sel, r);
  assert.ok(Array.from(sel.options).every((o) => o.disabled));
  assert.equal(sel.value, "1", "kept as chosen; refused before sending (labelRefusal)");
  const empty = fakeCore(async () => []);
  assert.match((await pickerRestriction(empty, ["{}"], "1.2", []))?.error ?? "", /do not define/);
  assert.equal(await pickerRestriction(broken, [], "1.2", ["a@b"]), null);
  const open = fakeSelect(["1", "4"], "4");
  applyRestriction(open, null);
  assert.ok(Array.from(open.options).every((o) => !o.disabled));
});

test("equivalent labels are shown by marking", async () => {
  const core = fakeCore(async () => [
    { label: { policy: "1.2", classification: 30, categories: [] }, marking: "NAVY CONFIDENTIAL" },
    { label: { policy: "1.3", classification: 7, categories: [] }, marking: null },
  ]);
  const eqs = await equivalentLabels(core, ["{}"], { policy: "1.1", classification: 3, privacyMark: null, categories: [] });
  assert.deepEqual(equivalentsText(eqs), ["NAVY CONFIDENTIAL", "policy 1.3, classification 7"]);
  const broken = fakeCore(async () => { throw new Error("x"); });
  assert.deepEqual(await equivalentLabels(broken, ["{}"], { policy: "1.1", classification: null, privacyMark: null, categories: [] }), []);
});

test("the reader asks for equivalents of the signed label only", () => {
  const label = { policy: "1.1", classification: 3, privacyMark: null, categories: [] };
  assert.deepEqual(reportLabel({ securityLabel: label }), label);
  assert.equal(reportLabel({ securityLabel: null }), null);
  assert.equal(reportLabel(null), null);
});

test("the picker shows the core's explanation of a refusal, and fails closed without one", async () => {
  const core = fakeCore(async () => [
    { classification: { value: 4, name: "s", marking: "ARMY SECRET" }, allowed: false, refused: [{ address: "bob@navy.example", reason: "bob@navy.example is not cleared for ARMY SECRET" }], why: "bob@navy.example is not cleared for ARMY SECRET" },
    { classification: { value: 5, name: "ts", marking: "ARMY TOP SECRET" }, allowed: false, refused: [] },
  ]);
  const r = await pickerRestriction(core, ["{}"], "1.2", ["bob@navy.example"]);
  assert.equal(r?.why.get(4), "bob@navy.example is not cleared for ARMY SECRET");
  assert.equal(r?.why.get(5), "not receivable by every recipient");
  assert.ok(r && !r.allowed.has(4) && !r.allowed.has(5));
});
