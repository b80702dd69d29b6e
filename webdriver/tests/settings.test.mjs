// Settings the webmail page cannot rewrite (docs/extension.md, "Settings"; docs/security.md,
// threat model): the trust anchors are set through the settings page only after the user
// confirmed each by subject and SHA-256 fingerprint, and the extension's own content script —
// code running in the webmail page's renderer, attacked here through DevTools exactly as a
// compromised renderer could run it — can neither read nor change them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { launch, fullScreenshot, By } from "../lib/browser.mjs";
import { attachToPage, evaluateIn, isolatedWorlds } from "../lib/cdp.mjs";
import { REPO, SCREENSHOTS, buildExtension, freePort } from "../lib/env.mjs";

// RFC 9216 sample certificates (tests/vectors/rfc9216-certs, see its PROVENANCE.md)
const vectors = join(REPO, "tests", "vectors", "rfc9216-certs");
const ANCHOR = readFileSync(join(vectors, "Sample_LAMPS_RSA_Certification_Authority.selfsigned.pem"), "utf8").trim();
// What is stored: the certificate as the core re-encodes it (wasm certificateInfo `pem`: one
// PEM block, 64 columns, LF line ends, a final line end).
const STORED = `${ANCHOR}\n`;
const ROGUE = readFileSync(join(vectors, "Sample_LAMPS_Ed25519_Certification_Authority.selfsigned.pem"), "utf8");
const FINGERPRINT = "6C:F3:0F:FD:F2:9B:E9:01:35:BB:5E:2D:0A:A8:B4:F2:D7:B0:96:0E:94:18:6C:F6:51:13:B3:89:2A:30:F7:C1";
const KEY = "mmhs.settings.v1";

let driver;
let base;
let extensionId;
let server;
let origin;

before(async () => {
  // A stand-in webmail page on a loopback port: the content script is injected into it.
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>webmail</title><p>Inbox</p>");
  });
  await new Promise((res) => server.listen(port, "127.0.0.1", res));
  const b = await launch(buildExtension(origin));
  driver = b.driver;
  extensionId = b.extensionId;
  base = `chrome-extension://${extensionId}`;
});

after(async () => {
  await driver?.quit();
  server?.close();
});

/** The stored trust anchors, read in an extension page (a trusted context). */
async function storedAnchors() {
  await driver.get(`${base}/options.html`);
  await driver.wait(async () => (await driver.findElement(By.id("app")).getText()).length > 0, 10000);
  return driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
    chrome.storage.local.get(${JSON.stringify(KEY)}).then((g) => done((g[${JSON.stringify(KEY)}] || {}).trustAnchors || []), (e) => done("error: " + e));`);
}

test("a trust anchor is stored only after the user confirms its subject and fingerprint", async () => {
  await driver.get(`${base}/options.html`);
  await driver.wait(async () => (await driver.findElements(By.id("trust-anchors"))).length > 0, 10000);
  const ta = await driver.findElement(By.id("trust-anchors"));
  await driver.executeScript("arguments[0].value = arguments[1];", ta, ANCHOR);
  await driver.findElement(By.id("anchors-save")).click();
  const item = await driver.wait(async () => (await driver.findElements(By.css("#anchors-added li")))[0], 5000);
  const text = await item.getText();
  assert.match(text, /CN=Sample LAMPS RSA Certification Authority,OU=LAMPS WG,O=IETF/);
  assert.match(text, new RegExp(`SHA-256 ${FINGERPRINT}`));
  await fullScreenshot(driver, SCREENSHOTS, "07-trust-anchor-confirmation");
  // Not stored before the confirmation.
  const before = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
    chrome.storage.local.get(${JSON.stringify(KEY)}).then((g) => done((g[${JSON.stringify(KEY)}] || {}).trustAnchors || []));`);
  assert.deepEqual(before, []);
  await driver.findElement(By.id("anchors-confirm")).click();
  await driver.wait(async () => /1 trust anchor\(s\) saved/.test(await driver.findElement(By.css("#anchors-h ~ div[aria-live]")).getText()), 5000);
  assert.deepEqual(await storedAnchors(), [STORED]);
});

test("the content script (the webmail page's renderer) can neither change nor read the trust anchors", async () => {
  await driver.get(`${origin}/`);
  const session = await attachToPage(driver, origin);
  try {
    const worlds = await isolatedWorlds(session);
    // The extension's content script world, identified from inside: chrome.runtime.id is ours.
    let world = null;
    for (const w of worlds) {
      const id = await evaluateIn(session, w.id, "typeof chrome === 'object' && chrome.runtime ? chrome.runtime.id : null").catch(() => null);
      if (id === extensionId) world = w;
    }
    assert.ok(world, `the content script's isolated world (worlds: ${JSON.stringify(worlds.map((w) => w.name))})`);
    const attack = await evaluateIn(
      session,
      world.id,
      `(async () => {
        const out = {};
        try {
          await chrome.storage.local.set({ ${JSON.stringify(KEY)}: { trustAnchors: [${JSON.stringify(ROGUE)}] } });
          out.set = "written";
        } catch (e) { out.set = String(e && e.message || e); }
        try {
          const g = await chrome.storage.local.get(null);
          out.get = JSON.stringify(g).length > 2 ? "read" : "empty";
        } catch (e) { out.get = String(e && e.message || e); }
        try {
          await chrome.storage.local.setAccessLevel({ accessLevel: "TRUSTED_AND_UNTRUSTED_CONTEXTS" });
          out.level = "reopened";
        } catch (e) { out.level = String(e && e.message || e); }
        return out;
      })()`,
    );
    assert.match(attack.set, /not allowed from this context/, JSON.stringify(attack));
    assert.match(attack.get, /not allowed from this context/, JSON.stringify(attack));
    assert.notEqual(attack.level, "reopened", JSON.stringify(attack));
  } finally {
    session.close();
  }
  assert.deepEqual(await storedAnchors(), [STORED], "the stored trust anchors are unchanged");
  // And the settings page still shows exactly that anchor.
  const shown = await driver.findElement(By.id("trust-anchors")).getAttribute("value");
  assert.equal(shown.trim(), ANCHOR.trim());
});
