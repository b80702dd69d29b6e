import { test } from "node:test";
import assert from "node:assert/strict";
import { precedenceView, CLASSIFICATIONS, contrastRatio, sioColour } from "../src/shared/mmhs.js";
import { validateCatalogue, DEFAULT_CATALOGUE } from "../src/shared/labels.js";

test("precedences are read from the core's view, never parsed here (RFC 6477 §3.8 is src/mmhs/precedence.rs)", () => {
  assert.deepEqual(precedenceView({ value: 4, name: "flash" }), { value: 4, name: "FLASH", urgent: true });
  assert.equal(precedenceView({ value: 5, name: "override" })?.urgent, true);
  assert.equal(precedenceView({ value: 3, name: "immediate" })?.urgent, false);
  // a value without a standard name shows the number, never a guessed name
  assert.deepEqual(precedenceView({ value: 17, national: true }), { value: 17, name: "PRECEDENCE 17", urgent: false });
  // what a report never carries is nothing: a header text, a bare number, a broken value
  for (const x of ["FLASH", "4 (flash)", 4, null, undefined, { name: "flash" }, { value: -1 }, { value: 4.5 }, { value: 256 }, { value: "4" }]) {
    assert.equal(precedenceView(x), null, JSON.stringify(x));
  }
});

test("classification colours meet WCAG AA contrast", () => {
  for (const c of CLASSIFICATIONS) assert.ok(contrastRatio(c.fg, c.bg) >= 4.5, `${c.name}: ${contrastRatio(c.fg, c.bg)}`);
});

test("SIO-Label colours (RFC 7444)", () => {
  assert.equal(sioColour("red"), "#ff0000");
  assert.equal(sioColour("#00FF00"), "#00ff00");
  assert.equal(sioColour("fuschia"), "#ff00ff");
  assert.equal(sioColour("rgb(1,2,3)"), null);
});

test("label catalogue validation", () => {
  assert.deepEqual(validateCatalogue(JSON.parse(JSON.stringify(DEFAULT_CATALOGUE))), DEFAULT_CATALOGUE);
  assert.throws(() => validateCatalogue({ policies: [] }), /policies/);
  assert.throws(() => validateCatalogue({ policies: [{ name: "x", oid: "not.an.oid", classifications: [] }] }), /OID/);
  assert.throws(() => validateCatalogue({ policies: [{ name: "x", oid: "1.2.3", classifications: [1], privacyMarks: ["a\r\nb"] }] }), /single-line/);
  assert.throws(() => validateCatalogue({ policies: [{ name: "x", oid: "1.2.3", classifications: [1], categories: [{ type: "1.2", value: "" }] }] }), /category/);
});
