import { test } from "node:test";
import assert from "node:assert/strict";
import { viewReport, derStringB64, derStringFromB64, passwordNeeded } from "../src/shared/report.js";

const released = {
  valid: true,
  layers: ["signed"],
  signatures: [
    {
      layer: 0, index: 0, signer: "alice@army.example", subject: "CN=Alice", emails: ["alice@army.example"], valid: true, trusted: true, addressMatch: true,
      signatureType: "originator", securityLabel: null, signingTime: "2026-11-23T12:00:00Z", digestAlgorithm: "sha-256", signatureAlgorithm: "ecdsa-with-sha256",
      countersignatures: [{ signer: "officer@army.example", subject: null, emails: [], valid: true, trusted: true, signatureType: "review", signingTime: null, countersignatures: [], problems: [] }],
      problems: [],
    },
  ],
  securityLabel: { policy: "1.3.26.1.10.1", classification: 4, privacyMark: "CLEAR", categories: [{ type: "2.16.840.1.101.2.1.8.3.1", value: derStringB64("REL NATO") }] },
  headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [] },
  mmhs: { primaryPrecedence: { value: 4, name: "flash" }, copyPrecedence: { value: 1, name: "routine" }, messageType: { value: 0, name: "exercise", identifier: "CANDLE FISH" }, expires: { at: "2026-12-01T00:00:00Z", expired: false }, supersedes: ["<old@x>"], notifications: { dispositionNotificationTo: [{ address: "alice@army.example", name: "Alice" }], dispositionNotificationOptions: "signed-receipt-protocol=optional,pkcs7-signature" }  },
  problems: [],
  authorizingUsers: [{ address: "officer@army.example", status: "countersigned" }],
};

test("a released FLASH message: urgent, labelled, CLEAR warning, intact protection, valid", () => {
  const v = viewReport(released);
  assert.equal(v.overall, "valid");
  assert.equal(v.primaryPrecedence?.name, "FLASH");
  assert.equal(v.copyPrecedence?.name, "ROUTINE");
  assert.equal(v.urgent, true);
  assert.equal(v.label?.classification, "SECRET");
  assert.deepEqual(v.label?.categories, ["REL NATO"]);
  assert.equal(v.clearService, true);
  assert.equal(v.headerProtection.presentation, "real-message");
  assert.equal(v.headerProtection.intact, true);
  assert.equal(v.signatures[0]?.status, "valid");
  assert.equal(v.signatures[0]?.countersignatures[0]?.signer, "officer@army.example");
  assert.equal(v.authorizingUsers[0]?.tone, "ok");
  assert.equal(v.expiry?.expired, false);
  assert.deepEqual(v.obsoletes, ["<old@x>"]);
  assert.equal(v.receiptRequest?.to, "alice@army.example");
  assert.equal(v.messageType, "exercise (CANDLE FISH)");
});

test("an altered message is invalid and every problem and mismatch is visible", () => {
  const v = viewReport({
    ...released,
    valid: false,
    signatures: [{ ...released.signatures[0], valid: false, addressMatch: false }],
    headerProtection: { scheme: "wrapped", forwarded: "no", mismatches: [{ field: "Subject", outer: "Pay now", inner: null }] },
    problems: [{ code: "message-digest-mismatch", message: "x" }, { code: "never-seen-before", message: "Detail from the core" }],
    authorizingUsers: [{ address: "mallory@army.example", status: "notCountersigned" }],
  });
  assert.equal(v.overall, "invalid");
  // the headline is the report's first problem
  assert.equal(v.summaryCode, "message-digest-mismatch");
  assert.match(v.summary, /^NOT VERIFIED: .*altered/);
  assert.equal(v.signatures[0]?.addressMatch, false);
  assert.equal(v.headerProtection.intact, false);
  assert.equal(v.headerProtection.mismatches[0]?.inner, null);
  assert.equal(v.problems.length, 2);
  assert.equal(v.problems[1]?.text, "Detail from the core");
  assert.equal(v.authorizingUsers[0]?.tone, "bad");
  // wrapped headers without mismatches are still not "intact" when the signature fails
  const t = viewReport({ ...released, valid: false, signatures: [{ ...released.signatures[0], valid: false }], problems: [{ code: "message-digest-mismatch", message: "x" }] });
  assert.equal(t.headerProtection.mismatches.length, 0);
  assert.equal(t.headerProtection.intact, false);
});

test("valid:true is never assumed from a malformed report", () => {
  assert.equal(viewReport(null).overall, "invalid");
  assert.equal(viewReport("valid").overall, "invalid");
  assert.equal(viewReport({ valid: "true" }).overall, "invalid");
  assert.equal(viewReport({}).headerProtection.scheme, "none");
});

test("forwarded=yes is presented as a forwarded message", () => {
  const v = viewReport({ ...released, headerProtection: { scheme: "wrapped", forwarded: "yes", mismatches: [] } });
  assert.equal(v.headerProtection.presentation, "forwarded-message");
});

test("DER string helpers", () => {
  assert.equal(derStringFromB64(derStringB64("ATOMAL")), "ATOMAL");
  assert.equal(derStringFromB64(derStringB64("Ünïcode")), "Ünïcode");
  assert.equal(derStringFromB64("AQID"), null);
  assert.equal(derStringFromB64("!!"), null);
});

test("the MMHS view is read from the core's real inspect output (tests/vectors/mmhs golden JSON)", async () => {
  const { readFileSync } = await import("node:fs");
  const dir = new URL("../../tests/vectors/mmhs/", import.meta.url);
  const all = JSON.parse(readFileSync(new URL("rfc6477-all-fields.json", dir), "utf8")) as Record<string, unknown>;
  const v = viewReport({ valid: false, layers: [], signatures: [], securityLabel: null, headerProtection: { scheme: "none", forwarded: "absent", mismatches: [] }, mmhs: all, authorizingUsers: [], problems: [{ code: "not-signed", message: "m" }] });
  assert.equal(v.primaryPrecedence?.name, "FLASH");
  assert.equal(v.copyPrecedence?.name, "DEFERRED");
  assert.equal(v.urgent, true);
  assert.equal(v.messageType, "exercise (CANDLE FISH)");
  assert.deepEqual(v.expiry, { at: "2010-08-10T15:27:40+01:00", expired: true, verified: false });
  assert.deepEqual(v.obsoletes, ["20100808101010.9@hq.example.mil"]);
  // no ESS label from a signature: the SIO-Label's own marking and colours are shown
  assert.equal(v.label?.source, "sio");
  assert.equal(v.label?.text, "EXAMPLE CONFIDENTIAL");
  assert.equal(v.label?.classification, "CONFIDENTIAL");
  assert.equal(v.overall, "invalid");
  const notif = JSON.parse(readFileSync(new URL("rfc2156-fields.json", dir), "utf8")) as Record<string, unknown>;
  const r = viewReport({ valid: false, layers: [], signatures: [], mmhs: notif, problems: [] });
  assert.equal(r.receiptRequest?.to, "gw-ops@hq.example.mil");
  assert.match(r.receiptRequest?.options ?? "", /signed-receipt-protocol/);
});

test("the password is asked for an encrypted layer without a key, or one the unlocked key cannot open", () => {
  const p = (...codes: string[]) => ({ problems: codes.map((code) => ({ code, message: code })) });
  assert.equal(passwordNeeded(p("no-decryption-key", "not-signed")), "no-key");
  assert.equal(passwordNeeded(p("not-signed", "key-provider-unsupported")), "key-provider");
  // no password helps these: a key that is not a recipient, a modified ciphertext, an algorithm the core lacks
  for (const code of ["decrypt-no-recipient", "decrypt-failed", "decrypt-auth-failed", "unsupported-algorithm", "signature-invalid"]) {
    assert.equal(passwordNeeded(p(code)), null, code);
  }
  assert.equal(passwordNeeded(p()), null);
});
