// Keys: unlock once (docs/extension.md). In Debian's chromium: a PKCS#12 key imported through the
// settings page is locked; the toolbar popup unlocks it with the password once (wasm unlockKey →
// non-extractable CryptoKeys), shows until when, refuses a wrong password, and locks on demand.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, fullScreenshot, By } from "../lib/browser.mjs";
import { SCREENSHOTS, buildExtension, coreExports, tempDir } from "../lib/env.mjs";
import { configureExtension } from "../lib/ui.mjs";

const PASSWORD = "unlock pw 1";
const extDir = buildExtension(null);
let driver;
let base;
let tmp;

before(async () => {
  tmp = tempDir("mmhs-unlock-");
  const ossl = (...a) => execFileSync("openssl", a, { cwd: tmp, stdio: ["ignore", "pipe", "pipe"] });
  writeFileSync(join(tmp, "ext.cnf"), "[req]\ndistinguished_name=dn\nx509_extensions=x\n[dn]\n[x]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature,keyAgreement\nsubjectAltName=email:alice@army.example\n");
  ossl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "a.key", "-out", "a.pem",
    "-subj", "/O=MMHS Test/CN=alice", "-days", "3650", "-config", "ext.cnf");
  ossl("pkcs12", "-export", "-inkey", "a.key", "-in", "a.pem", "-out", "a.p12", "-passout", `pass:${PASSWORD}`,
    "-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC", "-macalg", "sha256");
  const b = await launch(extDir);
  driver = b.driver;
  base = `chrome-extension://${b.extensionId}`;
});

after(async () => {
  await driver?.quit();
});

/** The key status row's text, or "" while the popup (re)draws. */
async function keyStatus() {
  const rows = await driver.findElements(By.id("status-key"));
  if (rows.length === 0) return "";
  try {
    return await rows[0].getText();
  } catch (e) {
    // A re-render replaced the row between finding and reading it: read again next poll.
    if (e.name === "StaleElementReferenceError") return "";
    throw e;
  }
}

async function popup() {
  await driver.get(`${base}/popup.html`);
  await driver.wait(async () => (await driver.findElements(By.id("status-key"))).length > 0, 10000);
  return driver.findElement(By.id("status-key")).getText();
}

test("the popup unlocks the key once, shows until when, and locks it", async () => {
  assert.ok(coreExports(extDir)?.has("unlockKey"), "the extension carries a wasm core with unlockKey (scripts/test.sh pkg builds it)");
  await configureExtension(driver, base, join(tmp, "a.p12"), PASSWORD, readFileSync(join(tmp, "a.pem"), "utf8"));
  assert.match(await popup(), /locked/);
  // A wrong password: refused with its code, still locked.
  await driver.findElement(By.id("unlock-password")).sendKeys("wrong");
  await driver.findElement(By.id("unlock-key")).click();
  const alert = await driver.wait(async () => (await driver.findElements(By.css("#lock-out [role=alert]")))[0], 60000);
  assert.equal(await alert.getAttribute("data-code"), "key-bad-password");
  assert.match(await keyStatus(), /locked/);
  // The right one: unlocked until a time.
  await driver.findElement(By.id("unlock-password")).sendKeys(PASSWORD);
  await driver.findElement(By.id("unlock-key")).click();
  await driver.wait(async () => /unlocked until/.test(await keyStatus()), 60000).catch(async (e) => {
    throw new Error(`${e.message}: ${await driver.findElement(By.css("body")).getText()}`);
  });
  await fullScreenshot(driver, SCREENSHOTS, "unlock-01-unlocked");
  // The stored CryptoKeys are not extractable.
  const extractable = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    const r = indexedDB.open("mmhs-keys");
    r.onsuccess = () => {
      const g = r.result.transaction("unlocked").objectStore("unlocked").get("identity");
      g.onsuccess = () => done(Object.values(g.result.key.cryptoKeys).map((k) => k.extractable));
    };`);
  assert.ok(extractable.length > 0 && extractable.every((e) => e === false), JSON.stringify(extractable));
  assert.match(await popup(), /unlocked until/, "still unlocked when the popup opens again");
  // The popup renders its status asynchronously and may replace the button between finding and
  // clicking it: find it again until one click lands.
  await driver.wait(async () => {
    try {
      await driver.findElement(By.id("lock-key")).click();
      return true;
    } catch (e) {
      if (e.name === "StaleElementReferenceError") return false;
      throw e;
    }
  }, 10000);
  await driver.wait(async () => /— locked/.test(await keyStatus()), 10000);
  await fullScreenshot(driver, SCREENSHOTS, "unlock-02-locked");
});
