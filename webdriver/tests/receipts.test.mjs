// Signed receipts and the elements of service in the browser, against a real `mmhs serve`
// (loopback, ephemeral ports, demo PKI) with the real wasm core in the extension:
//  - alice asks for signed receipts (MMHS profile §4.1.7, RFC 2634 §2), the officer releases,
//    bob's reader shows the request and returns a signed receipt through the webmail, alice's
//    reader verifies it against her Sent copy and her Sent view shows
//    "receipt from bob@navy.example: verified at …"; the audit log has the records (§5.2);
//  - bob composes with every element of service of §3.5 / §3.6 and alice's reader shows each,
//    verified, with the precedence that applies to her (action recipient → primary);
//  - bob unlocks his key once in the toolbar popup: the officer's encrypted, signed message with
//    a signed-receipt request opens without a password (wasm verifyAsync with the unlocked
//    CryptoKeys), the receipt is signed with the unlocked key (makeReceiptAsync), an automatic
//    signed receipt (Settings) goes out without a prompt; once he locks the key, the password is
//    asked again;
//  - a message encrypted by OpenSSL with its default RSAES-PKCS1-v1_5 key transport (not in
//    WebCrypto): with the key unlocked, bob's reader says the unlocked key cannot open it and
//    asks the password, which opens it.
// Fails with the reason when `mmhs serve` or a wasm function is missing — never skipped.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import { buildExtension, scenarioPreamble, serveAvailable, tempDir } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { enterFrame, fillCompose, importPkcs12, launchDemoUsers, lockInPopup, openQueueItem, quitAll, shot, unlockInPopup, waitOutcome } from "../lib/ui.mjs";
import { Api, USERS } from "../lib/webmail.mjs";

const P12_PASSWORD = "e2e-key-password";

const probeDir = buildExtension(null);
const preamble = scenarioPreamble("receipts", probeDir, {
  exports: ["verify", "compose", "release", "importPkcs12", "makeReceipt", "verifyReceipt", "unlockKey", "verifyAsync", "makeReceiptAsync", "encryptAsync"],
});

describe("signed receipts and elements of service (chromium + extension + mmhs serve)", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let browsers = {};
  let base = {};
  const tmp = tempDir("mmhs-e2e-rct-");
  const subjects = { receipt: `Receipt wanted ${Date.now()}`, elements: `All elements ${Date.now()}`, sealed: `Sealed receipt wanted ${Date.now()}`, v15: `Sealed by OpenSSL ${Date.now()}`, noattr: `Signed without attributes ${Date.now()}` };

  before(async () => {
    assert.equal(serveAvailable(), null);
    server = await startServer();
    ({ browsers, base } = await launchDemoUsers(server, P12_PASSWORD, tmp));
  });

  after(async () => {
    await quitAll(browsers);
    await server?.stop();
  });

  test("alice requests signed receipts, bob returns one, alice's Sent shows it verified", async () => {
    const a = browsers.alice;
    await a.get(`${server.origin}/compose`);
    await enterFrame(a, "compose");
    await fillCompose(a, { to: USERS.bob.address, precedence: "3", classification: "3", subject: subjects.receipt, body: "Acknowledge with a signed receipt.", password: P12_PASSWORD });
    await a.findElement(By.id("receipt-request")).click();
    await shot(a, "80-rct-compose");
    await enterFrame(a, "compose");
    await a.findElement(By.id("send")).click();
    await waitOutcome(a, "#send-done");
    assert.equal((await a.findElements(By.css("li[data-receipt-identifier]"))).length, 1, "the sent copy is tracked for receipts");

    // Draft & Release: the officer releases alice's draft.
    const officer = await Api.login(server.origin, USERS.officer);
    const queued = await officer.waitFor("Release", (m) => m.subject === subjects.receipt);
    const o = browsers.officer;
    await openQueueItem(o, server.origin, queued.id, P12_PASSWORD);
    await o.findElement(By.id("approve")).click();
    await waitOutcome(o, "#release-done");

    // bob: the request is shown; the button is enabled (valid report); the receipt goes out.
    const bobApi = await Api.login(server.origin, USERS.bob);
    const got = await bobApi.waitFor("Inbox", (m) => m.subject === subjects.receipt);
    const b = browsers.bob;
    await b.get(`${server.origin}/message/${got.id}`);
    await enterFrame(b, "reader");
    const req = await waitOutcome(b, "section.signed-receipt-request");
    assert.equal(await b.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await b.findElement(By.id("app")).getText());
    assert.equal(await req.getAttribute("data-allowed"), "true");
    assert.match(await req.getText(), /every recipient.*alice@army\.example/s);
    assert.equal(await b.findElement(By.id("signed-receipt-send")).getAttribute("disabled"), null);
    // the precedence for bob: an action recipient (To) → the primary precedence
    assert.equal(await b.findElement(By.css("section.reader-precedence")).getAttribute("data-role"), "action");
    await b.findElement(By.id("signed-receipt-password")).sendKeys(P12_PASSWORD);
    await b.findElement(By.id("signed-receipt-send")).click();
    await waitOutcome(b, "section.signed-receipt-request[data-signed-receipt=sent]");
    await shot(b, "81-rct-bob-returned");

    // alice: the receipt is verified against her Sent copy, then her Sent view shows it.
    const aliceApi = await Api.login(server.origin, USERS.alice);
    const rct = await aliceApi.waitFor("Inbox", (m) => m.subject === "Signed receipt");
    await a.get(`${server.origin}/message/${rct.id}`);
    await enterFrame(a, "reader");
    const sr = await waitOutcome(a, "section.signed-receipt");
    assert.equal(await sr.getAttribute("data-receipt-verified"), "true", await a.findElement(By.id("app")).getText());
    assert.equal(await a.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid");
    await shot(a, "82-rct-alice-receipt");
    await a.get(`${server.origin}/folder/Sent`);
    await enterFrame(a, "sent");
    const line = await a.wait(until.elementLocated(By.css(`li[data-recipient="${USERS.bob.address}"][data-receipt-verified="true"]`)), 15000);
    assert.match(await line.getText(), /receipt from bob@navy\.example: verified at \d{4}-\d\d-\d\dT/);
    await shot(a, "83-rct-alice-sent");

    // The MUA audit log (profile §5.2) on alice's settings page: sent and receipt-received, chain intact.
    await a.get(`${base.alice}/options.html`);
    await a.wait(until.elementLocated(By.id("audit-table")), 15000);
    assert.equal(await a.findElement(By.id("audit-chain")).getAttribute("data-intact"), "true");
    assert.ok((await a.findElements(By.css("#audit-table tr[data-event=sent]"))).length >= 1);
    assert.ok((await a.findElements(By.css("#audit-table tr[data-event=receipt-received]"))).length === 1);
    const bo = browsers.bob;
    await bo.get(`${base.bob}/options.html`);
    await bo.wait(until.elementLocated(By.id("audit-table")), 15000);
    assert.ok((await bo.findElements(By.css("#audit-table tr[data-event=receipt-sent]"))).length === 1);
    assert.ok((await bo.findElements(By.css("#audit-table tr[data-event=received]"))).length >= 1);
  });

  test("bob composes with every element of service; alice's reader shows each, verified", async () => {
    const b = browsers.bob;
    await b.get(`${server.origin}/compose`);
    await enterFrame(b, "compose");
    await fillCompose(b, { to: USERS.alice.address, precedence: "4", classification: "3", subject: subjects.elements, body: "Every element of service.", password: P12_PASSWORD });
    await b.findElement(By.css("#elements-of-service summary")).click();
    const values = {
      handlingInstructions: "RXFPA ZOV MINDEF",
      messageInstructions: "MINIMIZE CONSIDERED\nNO DISTRIBUTION",
      subjectIndicatorCodes: "SDM KKZ BRL",
      otherRecipientsIndicatorTo: "UK SHL COS",
      otherRecipientsIndicatorCc: "UK SHL LEGAD",
      originatorReference: "IMSCOM-JIC-612-78",
      codressMessageIndicator: "23",
      originatorPlad: "SACLANT",
      acp127MessageIdentifier: "RPDLE 1234 0341215",
      exemptedAddresses: "exempt@navy.example",
    };
    // a Codress that is not a number is refused at its field first
    await b.findElement(By.id("el-codressMessageIndicator")).sendKeys("2x");
    await b.findElement(By.id("send")).click();
    await b.wait(until.elementLocated(By.css("#el-codressMessageIndicator[aria-invalid=true]")), 10000);
    assert.match(await b.findElement(By.id("el-codressMessageIndicator-error")).getText(), /not a whole number/);
    await b.findElement(By.id("el-codressMessageIndicator")).clear();
    for (const [k, v] of Object.entries(values)) await b.findElement(By.id(`el-${k}`)).sendKeys(v);
    await shot(b, "84-elements-compose");
    await enterFrame(b, "compose");
    await b.findElement(By.id("send")).click();
    await waitOutcome(b, "#send-done");

    const aliceApi = await Api.login(server.origin, USERS.alice);
    const msg = await aliceApi.waitFor("Inbox", (m) => m.subject === subjects.elements);
    const a = browsers.alice;
    await a.get(`${server.origin}/message/${msg.id}`);
    await enterFrame(a, "reader");
    await waitOutcome(a, "section.elements");
    assert.equal(await a.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await a.findElement(By.id("app")).getText());
    const shown = await a.findElement(By.css("section.elements")).getText();
    for (const v of Object.values(values)) for (const part of v.split("\n")) assert.ok(shown.includes(part.split(" ")[0] ?? part), `${part} shown`);
    const rows = await a.findElements(By.css("section.elements dd[data-element]"));
    assert.ok(rows.length >= 10);
    for (const r of rows) assert.equal(await r.getAttribute("data-verified"), "true", await r.getText());
    const rp = await a.findElement(By.css("section.reader-precedence"));
    assert.equal(await rp.getAttribute("data-role"), "action");
    assert.equal(await rp.getAttribute("data-precedence"), "FLASH");
    assert.equal(await rp.getAttribute("data-verified"), "true");
    await shot(a, "85-elements-reader");
  });

  test("bob's unlocked key opens an encrypted message and signs its receipt; locked, the password is asked", async () => {
    // The officer (exempt from release) encrypts to bob with bob's certificate and asks for a receipt.
    const o = browsers.officer;
    await o.get(`${base.officer}/options.html`);
    await o.wait(until.elementLocated(By.id("correspondents")), 10000);
    await o.findElement(By.id("correspondents")).sendKeys(readFileSync(join(server.data, "pki", `${USERS.bob.address}.cert.pem`), "utf8"));
    await o.findElement(By.id("correspondents-save")).click();
    await o.wait(until.elementLocated(By.xpath("//*[contains(text(),'certificate(s) saved')]")), 10000);
    await o.get(`${server.origin}/compose`);
    await enterFrame(o, "compose");
    await fillCompose(o, { to: USERS.bob.address, precedence: "2", classification: "3", subject: subjects.sealed, body: "Sealed: acknowledge grid 4711.", password: P12_PASSWORD });
    await o.findElement(By.id("receipt-request")).click();
    await o.findElement(By.id("opt-encrypt")).click();
    await o.findElement(By.id("send")).click();
    await waitOutcome(o, "#send-done");
    const bobApi = await Api.login(server.origin, USERS.bob);
    const got = await bobApi.waitFor("Inbox", (m) => m.subject === subjects.sealed);
    assert.doesNotMatch((await bobApi.raw(got.id)).toString("latin1"), /grid 4711/, "the store holds ciphertext only");

    // bob unlocks once in the toolbar popup.
    const b = browsers.bob;
    await unlockInPopup(b, base.bob, P12_PASSWORD);
    await b.get(`${server.origin}/message/${got.id}`);
    await enterFrame(b, "reader");
    await waitOutcome(b, "section.signed-receipt-request");
    assert.equal((await b.findElements(By.id("key-password"))).length, 0, "no password is asked while the key is unlocked");
    assert.equal(await b.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await b.findElement(By.id("app")).getText());
    const app = await b.findElement(By.id("app")).getText();
    assert.match(app, /enveloped/i);
    assert.match(app, /acknowledge grid 4711/);
    // The receipt: no password field, signed with the unlocked key.
    assert.equal(await b.findElement(By.id("signed-receipt-password")).isDisplayed(), false);
    await shot(b, "86-unlocked-reader");
    await enterFrame(b, "reader");
    await b.findElement(By.id("signed-receipt-send")).click();
    await waitOutcome(b, "section.signed-receipt-request[data-signed-receipt=sent]");
    const officerApi = await Api.login(server.origin, USERS.officer);
    const rct = await officerApi.waitFor("Inbox", (m) => m.subject === "Signed receipt");
    assert.match((await officerApi.raw(rct.id)).toString("latin1"), /smime-type=signed-receipt/);

    // Automatic signed receipts (Settings) go out without a prompt while the key is unlocked.
    await b.get(`${base.bob}/options.html`);
    await b.wait(until.elementLocated(By.id("auto-receipt-3")), 15000);
    await b.findElement(By.id("auto-receipt-3")).click();
    await b.findElement(By.id("auto-receipt-save")).click();
    await b.wait(until.elementLocated(By.xpath("//section[@aria-labelledby='auto-receipt-h']//*[contains(text(),'Saved.')]")), 10000);
    await o.get(`${server.origin}/compose`);
    await enterFrame(o, "compose");
    await fillCompose(o, { to: USERS.bob.address, precedence: "3", classification: "3", subject: `${subjects.sealed} auto`, body: "Sealed: acknowledge grid 4712.", password: P12_PASSWORD });
    await o.findElement(By.id("receipt-request")).click();
    await o.findElement(By.id("opt-encrypt")).click();
    await o.findElement(By.id("send")).click();
    await waitOutcome(o, "#send-done");
    const auto = await bobApi.waitFor("Inbox", (m) => m.subject === `${subjects.sealed} auto`);
    await b.get(`${server.origin}/message/${auto.id}`);
    await enterFrame(b, "reader");
    const autoBox = await waitOutcome(b, "section.signed-receipt-request[data-signed-receipt=sent]");
    assert.equal(await autoBox.getAttribute("data-auto"), "true");
    assert.match(await b.findElement(By.id("app")).getText(), /acknowledge grid 4712/);
    await officerApi.waitFor("Inbox", (m) => m.subject === "Signed receipt" && m.id !== rct.id);

    // Locked again: the same message asks the password, and opens with it.
    await lockInPopup(b, base.bob);
    await b.get(`${server.origin}/message/${got.id}`);
    await enterFrame(b, "reader");
    await b.wait(until.elementLocated(By.id("key-password")), 15000);
    assert.doesNotMatch(await b.findElement(By.id("app")).getText(), /grid 4711/);
    await shot(b, "87-locked-reader");
    await enterFrame(b, "reader");
    await b.findElement(By.id("key-password")).sendKeys(P12_PASSWORD);
    await b.findElement(By.css("form.unlock [type=submit]")).click();
    await waitOutcome(b, "[data-verdict]");
    assert.match(await b.findElement(By.id("app")).getText(), /acknowledge grid 4711/);
  });

  test("a message the unlocked key cannot open (RSAES-PKCS1-v1_5 key transport) asks the password and opens with it", async () => {
    // bob's key becomes an RSA one (the demo PKI's keys are P-256, whose ECDH WebCrypto has):
    // OpenSSL's default key transport to an RSA recipient is RSAES-PKCS1-v1_5 (RFC 3370 §4.2.1).
    const ossl = (...a) => execFileSync("openssl", a, { cwd: tmp, stdio: ["pipe", "pipe", "pipe"] });
    writeFileSync(join(tmp, "rsa.cnf"), `[req]\ndistinguished_name=dn\nx509_extensions=x\n[dn]\n[x]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:${USERS.bob.address}\n`);
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "bob-rsa.key", "-out", "bob-rsa.pem", "-subj", "/O=MMHS Test/CN=bob", "-days", "3650", "-config", "rsa.cnf");
    ossl("pkcs12", "-export", "-inkey", "bob-rsa.key", "-in", "bob-rsa.pem", "-out", "bob-rsa.p12", "-passout", `pass:${P12_PASSWORD}`,
      "-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC", "-macalg", "sha256");
    const b = browsers.bob;
    await importPkcs12(b, base.bob, join(tmp, "bob-rsa.p12"), P12_PASSWORD);
    writeFileSync(join(tmp, "v15.txt"), "Content-Type: text/plain; charset=us-ascii\r\n\r\nSealed: hold grid 4713.\r\n");
    const enc = ossl("cms", "-encrypt", "-in", "v15.txt", "-aes256", "-from", USERS.officer.address, "-to", USERS.bob.address, "-subject", subjects.v15, "bob-rsa.pem");
    assert.match(execFileSync("openssl", ["cms", "-cmsout", "-print"], { input: enc }).toString("latin1"), /rsaEncryption/, "the key transport is RSAES-PKCS1-v1_5");
    const message = Buffer.concat([Buffer.from(`Date: ${new Date().toUTCString()}\r\nMessage-ID: <v15-${Date.now()}@army.example>\r\n`), Buffer.from(enc.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1")]);
    const officerApi = await Api.login(server.origin, USERS.officer);
    await officerApi.send(message, { mailFrom: USERS.officer.address, rcpts: [{ address: USERS.bob.address }] });
    const bobApi = await Api.login(server.origin, USERS.bob);
    const got = await bobApi.waitFor("Inbox", (m) => m.subject === subjects.v15);

    await unlockInPopup(b, base.bob, P12_PASSWORD);
    await b.get(`${server.origin}/message/${got.id}`);
    await enterFrame(b, "reader");
    await b.wait(until.elementLocated(By.id("key-password")), 15000);
    const asked = await b.findElement(By.id("app")).getText();
    assert.match(asked, /unlocked key cannot open this message/);
    assert.doesNotMatch(asked, /grid 4713/);
    await shot(b, "88-unlocked-v15-reader");
    await enterFrame(b, "reader");
    await b.findElement(By.id("key-password")).sendKeys(P12_PASSWORD);
    await b.findElement(By.css("form.unlock [type=submit]")).click();
    await waitOutcome(b, "[data-verdict]");
    const opened = await b.findElement(By.id("app")).getText();
    assert.match(opened, /hold grid 4713/);
    assert.match(opened, /enveloped/i);
    await lockInPopup(b, base.bob);
  });

  test("a signature the reader's WebCrypto module is not asked to check is verified by the extension's full core", async () => {
    // A SignerInfo without signed attributes (OpenSSL's -noattr) over a 76 KiB entity: its
    // signature is over the whole content, which the read module does not hand to WebCrypto
    // (provider-unsupported there, never valid); the full module, asked the same call, decides.
    const ossl = (...a) => execFileSync("openssl", a, { cwd: tmp, stdio: ["pipe", "pipe", "pipe"] });
    const pki = join(server.data, "pki");
    writeFileSync(join(tmp, "noattr.txt"), "Content-Type: text/plain; charset=us-ascii\r\n\r\nHold grid 4714.\r\n" + `${"w".repeat(76)}\r\n`.repeat(1000));
    const signed = ossl("cms", "-sign", "-noattr", "-md", "sha256", "-in", "noattr.txt",
      "-signer", join(pki, `${USERS.officer.address}.cert.pem`), "-inkey", join(pki, `${USERS.officer.address}.key.pem`),
      "-from", USERS.officer.address, "-to", USERS.bob.address, "-subject", subjects.noattr);
    assert.match(execFileSync("openssl", ["cms", "-cmsout", "-print"], { input: signed }).toString("latin1"), /signedAttrs:\s*<ABSENT>/, "no signed attributes");
    const message = Buffer.concat([Buffer.from(`Date: ${new Date().toUTCString()}\r\nMessage-ID: <noattr-${Date.now()}@army.example>\r\n`), Buffer.from(signed.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1")]);
    const officerApi = await Api.login(server.origin, USERS.officer);
    await officerApi.send(message, { mailFrom: USERS.officer.address, rcpts: [{ address: USERS.bob.address }] });
    const bobApi = await Api.login(server.origin, USERS.bob);
    const got = await bobApi.waitFor("Inbox", (m) => m.subject === subjects.noattr);
    const b = browsers.bob;
    await b.get(`${server.origin}/message/${got.id}`);
    await enterFrame(b, "reader");
    await waitOutcome(b, "[data-verdict]");
    const verdict = await b.findElement(By.css("[data-verdict]"));
    assert.equal(await verdict.getAttribute("data-verdict"), "valid", await b.findElement(By.id("app")).getText());
    assert.match(await b.findElement(By.id("app")).getText(), /Hold grid 4714/);
    await shot(b, "89-full-core-decides");
  });
});
