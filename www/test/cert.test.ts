import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { certificateEmails } from "../src/shared/cert.js";

// RFC 9216 sample certificates (tests/vectors/rfc9216-certs, see its PROVENANCE.md)
const dir = new URL("../../tests/vectors/rfc9216-certs/", import.meta.url);

test("certificate e-mail addresses from subjectAltName", () => {
  assert.deepEqual(certificateEmails(readFileSync(new URL("bob@smime.example.enc.pem", dir), "utf8")), ["bob@smime.example"]);
  assert.deepEqual(certificateEmails(readFileSync(new URL("alice@smime.example.sig.pem", dir), "utf8")), ["alice@smime.example"]);
  assert.deepEqual(certificateEmails(readFileSync(new URL("Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem", dir), "utf8")), []);
});

test("garbage is no certificate", () => {
  assert.deepEqual(certificateEmails("nothing"), []);
  assert.deepEqual(certificateEmails("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), []);
  assert.deepEqual(certificateEmails("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"), []);
});
