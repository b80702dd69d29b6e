import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePrecedence, CLASSIFICATIONS, contrastRatio, sioColour } from "../src/shared/mmhs.js";
import { validateCatalogue, DEFAULT_CATALOGUE } from "../src/shared/labels.js";

test("precedence parsing: numbers, names, comments (RFC 6477 §3.8)", () => {
  assert.equal(parsePrecedence("FLASH")?.value, 4);
  assert.equal(parsePrecedence("flash")?.urgent, true);
  assert.equal(parsePrecedence("5")?.name, "OVERRIDE");
  assert.equal(parsePrecedence("0 (Deferred)")?.name, "DEFERRED");
  assert.equal(parsePrecedence(2)?.name, "PRIORITY");
  assert.equal(parsePrecedence({ value: 3, name: "immediate" })?.name, "IMMEDIATE");
  assert.equal(parsePrecedence("17")?.name, "PRECEDENCE 17");
  assert.equal(parsePrecedence("urgent!"), null);
  assert.equal(parsePrecedence(-1), null);
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
