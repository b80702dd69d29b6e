// Correspondents' certificates in the browser (docs/extension.md, "Correspondents'
// certificates"), against a real `mmhs serve` with the real wasm core: a verified message from
// bob stores bob's certificate in alice's extension (detail view with the chain to her anchor);
// a message under a root she does not trust, and one signed with another person's certificate
// in bob's name, store nothing; the webmail page cannot write one; Settings lists it with
// Details and Remove; compose shows which certificate encrypts to bob and refuses a recipient
// without one.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import { launch } from "../lib/browser.mjs";
import { attachToPage, evaluateIn, isolatedWorlds } from "../lib/cdp.mjs";
import { MMHS_BIN, buildExtension, scenarioPreamble, tempDir } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { configureExtension, enterFrame, fillCompose, shot, waitOutcome, webmailLogin } from "../lib/ui.mjs";
import { Api, USERS, caPem, makePkcs12 } from "../lib/webmail.mjs";

const P12_PASSWORD = "e2e-key-password";
const KEY = "mmhs.settings.v1";

const probeDir = buildExtension(null);
const preamble = scenarioPreamble("certificates", probeDir, { exports: ["verify", "compose", "certificateInfo", "certificateStatus", "encryptionRecipients"] });

/** The DER of the first CERTIFICATE block, base64 without line breaks: compares PEM texts. */
const der = (pem) => (/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? "").replace(/\s+/g, "");

/** A message signed by `mmhs sign` with a key and certificate, appended to `api`'s Inbox. */
async function appendSigned(api, tmp, name, { from, subject, key, cert }) {
  const eml = join(tmp, `${name}.eml`);
  writeFileSync(eml, `From: ${from}\r\nTo: ${USERS.alice.address}\r\nSubject: ${subject}\r\nDate: ${new Date().toUTCString().replace("GMT", "+0000")}\r\nMessage-ID: <${name}-${Date.now()}@navy.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nStatus report.\r\n`);
  const signed = execFileSync(MMHS_BIN, ["sign", eml, "--key", key, "--cert", cert]);
  const r = await fetch(`${api.origin}/api/folders/Inbox/messages`, {
    method: "POST",
    headers: { Authorization: `Bearer ${api.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ raw: signed.toString("base64"), encoding: "base64" }),
  });
  if (!r.ok) throw new Error(`append: HTTP ${r.status} ${await r.text()}`);
  return api.waitFor("Inbox", (m) => m.subject === subject);
}

/** A root and a certificate for bob@navy.example under it, made with the openssl CLI. */
function roguePki(tmp) {
  const o = (...args) => execFileSync("openssl", args, { cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
  o("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "rogue-ca.key", "-out", "rogue-ca.pem", "-subj", "/CN=Demo Root/O=Rogue", "-days", "30", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
  o("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "rogue-bob.key", "-out", "rogue-bob.csr", "-subj", "/CN=Bob/O=Navy");
  writeFileSync(join(tmp, "rogue-bob.ext"), "basicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=emailProtection\nsubjectAltName=email:bob@navy.example\n");
  o("x509", "-req", "-in", "rogue-bob.csr", "-CA", "rogue-ca.pem", "-CAkey", "rogue-ca.key", "-set_serial", "2", "-days", "30", "-extfile", "rogue-bob.ext", "-out", "rogue-bob.pem");
  return { key: join(tmp, "rogue-bob.key"), cert: join(tmp, "rogue-bob.pem") };
}

describe("correspondents' certificates (chromium + extension + mmhs serve)", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let alice;
  let bob;
  let aliceBase;
  let extensionId;
  const tmp = tempDir("mmhs-certs-");
  const subject = `Certificates ${Date.now()}`;

  before(async () => {
    server = await startServer();
    const ext = buildExtension(server.origin);
    const ca = caPem(server.data);
    const a = await launch(ext);
    alice = a.driver;
    extensionId = a.extensionId;
    aliceBase = `chrome-extension://${a.extensionId}`;
    await configureExtension(alice, aliceBase, makePkcs12(server.data, USERS.alice.address, P12_PASSWORD, tmp), P12_PASSWORD, ca);
    await webmailLogin(alice, server.origin, USERS.alice);
    const b = await launch(ext);
    bob = b.driver;
    await configureExtension(bob, `chrome-extension://${b.extensionId}`, makePkcs12(server.data, USERS.bob.address, P12_PASSWORD, tmp), P12_PASSWORD, ca);
    await webmailLogin(bob, server.origin, USERS.bob);
  });

  after(async () => {
    await alice?.quit().catch(() => {});
    await bob?.quit().catch(() => {});
    await server?.stop();
  });

  /** The correspondents stored in alice's extension, read in an extension page. */
  async function stored() {
    await alice.get(`${aliceBase}/options.html`);
    await alice.wait(until.elementLocated(By.id("correspondents-list")), 10000);
    return alice.executeAsyncScript(`const done = arguments[arguments.length - 1];
      chrome.storage.local.get(${JSON.stringify(KEY)}).then((g) => done((g[${JSON.stringify(KEY)}] || {}).correspondents || []), (e) => done("error: " + e));`);
  }

  async function openInReader(id) {
    await alice.get(`${server.origin}/message/${id}`);
    await enterFrame(alice, "reader");
    await waitOutcome(alice, "[data-verdict]");
  }

  test("a message under a root alice does not trust, and one in bob's name with another certificate, store nothing", async () => {
    const api = await Api.login(server.origin, USERS.alice);
    const rogue = roguePki(tmp);
    const untrusted = await appendSigned(api, tmp, "rogue", { from: USERS.bob.address, subject: `Rogue ${subject}`, ...rogue });
    await openInReader(untrusted.id);
    assert.notEqual(await alice.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid");
    assert.equal((await alice.findElements(By.css("tr.sig[data-status=untrusted]"))).length, 1, "the signature verifies, its chain is not trusted");
    assert.equal((await alice.findElements(By.css("section.collected"))).length, 0);
    await shot(alice, "90-certs-untrusted-not-collected");
    // The officer's certificate in a message From: bob (mallory's move).
    const pki = join(server.data, "pki");
    const impostor = await appendSigned(api, tmp, "impostor", { from: USERS.bob.address, subject: `Impostor ${subject}`, key: join(pki, `${USERS.officer.address}.key.pem`), cert: join(pki, `${USERS.officer.address}.cert.pem`) });
    await openInReader(impostor.id);
    assert.notEqual(await alice.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid");
    assert.equal((await alice.findElements(By.css("section.collected"))).length, 0);
    assert.deepEqual(await stored(), []);
  });

  test("bob's verified message stores his certificate; the detail view shows it and the chain to alice's anchor", async () => {
    await bob.get(`${server.origin}/compose`);
    await enterFrame(bob, "compose");
    await fillCompose(bob, { to: USERS.alice.address, precedence: "2", classification: "1", subject, body: "Signed status.", password: P12_PASSWORD });
    await bob.findElement(By.id("send")).click();
    await waitOutcome(bob, "#send-done");
    const msg = await (await Api.login(server.origin, USERS.alice)).waitFor("Inbox", (m) => m.subject === subject);
    await openInReader(msg.id);
    assert.equal(await alice.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await alice.findElement(By.id("app")).getText());
    const item = await waitOutcome(alice, `section.collected li[data-address="${USERS.bob.address}"]`);
    assert.equal(await item.getAttribute("data-outcome"), "added");
    await alice.findElement(By.css("button.cert-details")).click();
    const detail = await waitOutcome(alice, "section.certificate-detail");
    assert.equal(await detail.getAttribute("data-trusted"), "true");
    const text = await detail.getText();
    assert.match(text, /bob@navy\.example/);
    assert.match(text, /SHA-256 fingerprint/);
    assert.match(text, /Valid until/);
    assert.equal((await alice.findElements(By.css("ol.certificate-chain li[data-anchor=true]"))).length, 1, "the chain ends at the anchor");
    await shot(alice, "91-certs-collected-detail");
    // Reading it again: already saved, nothing added.
    await openInReader(msg.id);
    assert.equal(await (await waitOutcome(alice, "section.collected li")).getAttribute("data-outcome"), "known");
    const list = await stored();
    assert.equal(list.length, 1);
    assert.deepEqual(list[0].emails, [USERS.bob.address]);
    assert.equal(list[0].source, "collected");
    assert.equal(der(list[0].certificate), der(readFileSync(join(server.data, "pki", `${USERS.bob.address}.cert.pem`), "utf8")), "bob's own certificate");
  });

  test("the webmail page (the content script's world) cannot write a correspondent's certificate", async () => {
    const rogue = readFileSync(join(tmp, "rogue-bob.pem"), "utf8");
    await alice.get(`${server.origin}/`);
    const session = await attachToPage(alice, server.origin);
    try {
      let world = null;
      for (const w of await isolatedWorlds(session)) {
        const id = await evaluateIn(session, w.id, "typeof chrome === 'object' && chrome.runtime ? chrome.runtime.id : null").catch(() => null);
        if (id === extensionId) world = w;
      }
      assert.ok(world, "the content script's isolated world");
      const attack = await evaluateIn(
        session,
        world.id,
        `(async () => {
          try {
            await chrome.storage.local.set({ ${JSON.stringify(KEY)}: { correspondents: [{ emails: ["bob@navy.example"], certificate: ${JSON.stringify(rogue)}, chain: [], source: "collected", collectedAt: null }] } });
            return "written";
          } catch (e) { return String(e && e.message || e); }
        })()`,
      );
      assert.match(attack, /not allowed from this context/);
    } finally {
      session.close();
    }
    const list = await stored();
    assert.equal(list.length, 1);
    assert.notEqual(der(list[0].certificate), der(rogue), "the stored certificate is still bob's");
  });

  test("compose shows the certificate that encrypts to bob and refuses a recipient without one", async () => {
    await alice.get(`${server.origin}/compose`);
    await enterFrame(alice, "compose");
    await fillCompose(alice, { to: USERS.bob.address, precedence: "2", classification: "1", subject: `Sealed ${subject}`, body: "For bob only.", password: P12_PASSWORD });
    await alice.findElement(By.id("add-recipient")).click();
    const rows = await alice.findElements(By.css(".rcpt-address"));
    await rows[1].sendKeys("carol@navy.example");
    await alice.findElement(By.id("opt-encrypt")).click();
    const bobItem = await waitOutcome(alice, `#encryption-recipients li[data-address="${USERS.bob.address}"]`);
    assert.equal(await bobItem.getAttribute("data-has-certificate"), "true");
    assert.match(await bobItem.getText(), /SHA-256/);
    const carol = await alice.findElement(By.css('#encryption-recipients li[data-address="carol@navy.example"]'));
    assert.equal(await carol.getAttribute("data-has-certificate"), "false");
    assert.match(await carol.getText(), /NO CERTIFICATE/);
    await shot(alice, "92-certs-compose-encrypted-to");
    await enterFrame(alice, "compose");
    await alice.findElement(By.id("send")).click();
    const refused = await alice.wait(until.elementLocated(By.css("#result .error-box[data-code=no-recipient-certificate]")), 60000);
    assert.match(await refused.getText(), /No certificate to encrypt to/);
    const officer = await Api.login(server.origin, USERS.officer);
    assert.equal((await officer.list("Release")).find((m) => m.subject === `Sealed ${subject}`), undefined, "nothing was sent");
  });

  test("Settings lists the collected certificate with Details and Remove", async () => {
    await alice.get(`${aliceBase}/options.html`);
    const row = await alice.wait(until.elementLocated(By.css(`#correspondents-list li.correspondent[data-source=collected]`)), 10000);
    assert.equal(await row.getAttribute("data-emails"), USERS.bob.address);
    await alice.wait(async () => (await row.getAttribute("data-trusted")) === "true", 10000);
    await row.findElement(By.css("button.correspondent-details")).click();
    await alice.wait(until.elementLocated(By.css("#correspondents-list section.certificate-detail")), 10000);
    await shot(alice, "93-certs-settings");
    await row.findElement(By.css("button.correspondent-remove")).click();
    await alice.wait(async () => (await alice.findElements(By.css("#correspondents-list li.correspondent"))).length === 0, 10000);
    assert.deepEqual(await stored(), []);
  });
});
