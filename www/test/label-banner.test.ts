import { test } from "node:test";
import assert from "node:assert/strict";
import { bannerModel, labelRefusal } from "../src/shared/label-banner.js";
import { pickerRestriction, type LabelCore } from "../src/shared/label-policy.js";
import { DEFAULT_CATALOGUE } from "../src/shared/labels.js";
import { fieldError, h } from "../src/shared/dom.js";
import { fake, installFakeDom } from "./fake-dom.js";
import { CLASSIFICATIONS, contrastRatio } from "../src/shared/mmhs.js";

/** A fake of the typed core binding: `answer` gives what the core would return. */
function fakeCore(answer: (name: string, request: unknown) => unknown): LabelCore {
  return (async (name: string, request: unknown) => answer(name, request)) as LabelCore;
}

const policy = DEFAULT_CATALOGUE.policies[0];
const cats = policy?.categories ?? [];
const base = { labelOn: true, policy, privacyMark: "", categories: [] as typeof cats };

// The answer of the core's `labelReceivable` for the army policy file of src/server/labels.rs,
// with bob cleared up to RESTRICTED.
const receivable = [
  { classification: { value: 1, name: "unclassified", marking: "ARMY UNCLASSIFIED", fgcolor: "black", bgcolor: "lime" }, allowed: true, refused: [] },
  { classification: { value: 3, name: "confidential", marking: "ARMY CONFIDENTIAL", fgcolor: "white", bgcolor: "blue" }, allowed: false, refused: [{ address: "bob@navy.example", code: "label-not-cleared", reason: "cleared up to 2" }], why: "bob@navy.example: cleared up to 2" },
  { classification: { value: 4, name: "secret", marking: "ARMY SECRET" }, allowed: false, refused: [{ address: "bob@navy.example", code: "label-not-cleared", reason: "cleared up to 2" }, { address: "carol@airforce.example", code: "label-not-cleared", reason: "no clearance for policy" }], why: "bob@navy.example: cleared up to 2; carol@airforce.example: no clearance for policy" },
];

test("no label is an explicit choice, shown as NO SECURITY LABEL", () => {
  const m = bannerModel({ ...base, labelOn: false, classification: 4 });
  assert.equal(m.kind, "none");
  assert.equal(m.text, "NO SECURITY LABEL");
  assert.equal(m.high, false);
});

test("no silent default: a label without a chosen classification is shown and refused", () => {
  const m = bannerModel({ ...base, classification: null });
  assert.equal(m.kind, "unchosen");
  assert.doesNotMatch(m.text, /UNCLASSIFIED|CONFIDENTIAL|SECRET|UNMARKED/);
  assert.match(labelRefusal(true, null, null) ?? "", /Choose a classification/);
  assert.equal(labelRefusal(false, null, null), null, "unticking the label is the choice of no label");
});

test("catalogue marking and fixed colours per level; SECRET and above are high", () => {
  const conf = bannerModel({ ...base, classification: 3, privacyMark: "IN CONFIDENCE", categories: cats });
  assert.equal(conf.text, "CONFIDENTIAL — IN CONFIDENCE — REL NATO / ATOMAL");
  assert.equal(conf.source, "catalogue");
  assert.equal(conf.classification, "CONFIDENTIAL");
  assert.equal(conf.high, false);
  const secret = bannerModel({ ...base, classification: 4 });
  const top = bannerModel({ ...base, classification: 5 });
  assert.ok(secret.high && top.high);
  const styles = new Set(CLASSIFICATIONS.map((c) => bannerModel({ ...base, classification: c.value })).map((m) => `${m.fg}/${m.bg}`));
  assert.equal(styles.size, CLASSIFICATIONS.length, "every level has its own colours");
  for (const c of CLASSIFICATIONS) {
    const m = bannerModel({ ...base, classification: c.value });
    assert.ok(contrastRatio(m.fg, m.bg) >= 4.5, c.name);
  }
  assert.equal(bannerModel({ ...base, classification: 42 }).text, "CLASSIFICATION 42");
});

test("the policy file's marking and RFC 7444 colours win over the catalogue's", async () => {
  const core = fakeCore(async () => receivable);
  const r = await pickerRestriction(core, ["{}"], "1.3.26.1.10.1", ["bob@navy.example"]);
  const conf = bannerModel({ ...base, classification: 3, categories: cats.slice(0, 1), policyClass: r?.classes.get(3) });
  assert.equal(conf.text, "ARMY CONFIDENTIAL — REL NATO");
  assert.equal(conf.source, "policy-file");
  assert.deepEqual([conf.fg, conf.bg], ["#ffffff", "#0000ff"]);
  // A marking without both colours keeps the fixed colours of its level.
  const secret = bannerModel({ ...base, classification: 4, policyClass: r?.classes.get(4) });
  assert.equal(secret.text, "ARMY SECRET");
  assert.deepEqual([secret.fg, secret.bg], ["#ffffff", "#b00020"]);
  // A definition of another classification is not borrowed.
  assert.equal(bannerModel({ ...base, classification: 5, policyClass: r?.classes.get(4) }).text, "TOP SECRET");
  // Colours that are not RFC 7444 colours are not written into the page.
  const odd = bannerModel({ ...base, classification: 1, policyClass: { value: 1, name: "u", marking: "  ", fgcolor: "red;position:fixed", bgcolor: "url(x)" } });
  assert.equal(odd.text, "UNCLASSIFIED");
  assert.deepEqual([odd.fg, odd.bg], [CLASSIFICATIONS[1]?.fg, CLASSIFICATIONS[1]?.bg]);
});

test("a recipient not cleared for the classification is refused by name before sending", async () => {
  const calls: unknown[] = [];
  const core = fakeCore(async (name, req) => { calls.push([name, req]); return receivable; });
  const r = await pickerRestriction(core, ["{\"policy\":1}"], "1.3.26.1.10.1", ["bob@navy.example", "carol@airforce.example"]);
  assert.deepEqual(calls, [["labelReceivable", { policies: ["{\"policy\":1}"], recipients: ["bob@navy.example", "carol@airforce.example"], policy: "1.3.26.1.10.1" }]]);
  assert.equal(labelRefusal(true, 1, r), null);
  const conf = labelRefusal(true, 3, r) ?? "";
  assert.match(conf, /ARMY CONFIDENTIAL/);
  assert.match(conf, /bob@navy\.example: cleared up to 2/);
  const secret = labelRefusal(true, 4, r) ?? "";
  assert.match(secret, /bob@navy\.example/);
  assert.match(secret, /carol@airforce\.example: no clearance for policy/);
  assert.match(labelRefusal(true, 5, r) ?? "", /not defined by the security policy/, "a classification the policy file does not define is refused");
  assert.equal(labelRefusal(false, 4, r), null);
});

test("fail closed: a core that cannot judge refuses every label", async () => {
  const broken = fakeCore(async () => { throw new Error("label-policy-invalid: bad JSON"); });
  const r = await pickerRestriction(broken, ["{"], "1.3.26.1.10.1", ["bob@navy.example"]);
  assert.match(labelRefusal(true, 1, r) ?? "", /cannot judge.*label-policy-invalid/);
  const odd = fakeCore(async () => ({ allowed: true }));
  assert.match(labelRefusal(true, 1, await pickerRestriction(odd, ["{}"], "1.2", ["a@b"])) ?? "", /cannot judge/);
  assert.equal(labelRefusal(true, 4, await pickerRestriction(broken, [], "1.2", ["a@b"])), null, "no security policies: nothing to restrict");
});

test("the label error is shown at the field and cleared without losing other descriptions", () => {
  installFakeDom();
  const select = h("select", { id: "label-classification", "aria-describedby": "label-classification-hint" });
  const e = fieldError(select);
  assert.equal(fake(e.element).hidden, true);
  e.show("Not every recipient may receive ARMY SECRET: bob@navy.example: cleared up to 2");
  assert.equal(fake(e.element).hidden, false);
  assert.match(fake(e.element).textContent, /bob@navy\.example/);
  assert.equal(fake(e.element).getAttribute("role"), "alert");
  assert.equal(select.getAttribute("aria-invalid"), "true");
  assert.equal(select.getAttribute("aria-describedby"), "label-classification-hint label-classification-error");
  e.show("again");
  assert.equal(select.getAttribute("aria-describedby"), "label-classification-hint label-classification-error", "not linked twice");
  e.clear();
  assert.equal(fake(e.element).hidden, true);
  assert.equal(fake(e.element).textContent, "");
  assert.equal(select.getAttribute("aria-invalid"), null);
  assert.equal(select.getAttribute("aria-describedby"), "label-classification-hint");
});
