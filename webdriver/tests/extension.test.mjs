// Real-browser checks of the extension itself (no webmail needed): it loads in Debian's
// chromium, its pages render accessibly, and missing backends are reported, never faked.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, fullScreenshot, By } from "../lib/browser.mjs";
import { SCREENSHOTS, buildExtension, coreExports } from "../lib/env.mjs";

let driver;
let base;
let extDir;

before(async () => {
  extDir = buildExtension(null);
  const b = await launch(extDir);
  driver = b.driver;
  base = `chrome-extension://${b.extensionId}`;
});

after(async () => {
  await driver?.quit();
});

async function open(page) {
  await driver.get(`${base}/${page}`);
  await driver.wait(async () => (await driver.findElement(By.id("app")).getText()).length > 0, 10000);
  await driver.sleep(300);
}

/** Every visible form control has an accessible name (label for=, aria-label or aria-labelledby). */
async function unlabelledControls() {
  return driver.executeScript(`
    return Array.from(document.querySelectorAll("input, select, textarea, button"))
      .filter((el) => el.type !== "hidden")
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby") && !(el.tagName === "BUTTON" && el.textContent.trim()))
      .map((el) => el.outerHTML.slice(0, 120));`);
}

test("the unpacked extension loads and its settings page renders", async () => {
  await open("options.html");
  const text = await driver.findElement(By.css("body")).getText();
  for (const s of ["Personal key", "Trust anchors", "Label catalogue", "Release policy", "MMHS core"]) assert.match(text, new RegExp(s));
  const exports = coreExports(extDir);
  if (exports) assert.match(await driver.findElement(By.css("#core-h + *")).getText(), /WebAssembly core loaded|core-/);
  else assert.match(text, /core-unavailable/, "without a built core the page must say so");
  assert.deepEqual(await unlabelledControls(), []);
  await fullScreenshot(driver, SCREENSHOTS, "00-settings");
});

test("the compose panel offers every element of service, all labelled", async () => {
  await open("compose.html#user=alice%40army.example");
  for (const id of ["from", "primary-precedence", "copy-precedence", "message-type", "label-policy", "label-classification", "label-privacy", "sio-label", "subject", "body", "expires", "deferred", "latest", "obsoletes", "references", "opt-sign", "opt-encrypt", "opt-protect", "opt-compress", "key-password"]) {
    assert.ok(await driver.findElement(By.id(id)), id);
  }
  const prec = await driver.findElement(By.id("primary-precedence")).getText();
  for (const p of ["DEFERRED", "ROUTINE", "PRIORITY", "IMMEDIATE", "FLASH", "OVERRIDE"]) assert.match(prec, new RegExp(p));
  assert.equal(await driver.findElement(By.id("from")).getAttribute("value"), "alice@army.example");
  assert.deepEqual(await unlabelledControls(), []);
  await fullScreenshot(driver, SCREENSHOTS, "01-compose-panel");
});

test("compose: no silent default classification, a live label banner, refusal at the label field", async () => {
  await open("compose.html#user=alice%40army.example");
  const banner = () => driver.findElement(By.id("compose-label-banner"));
  assert.equal(await driver.findElement(By.id("label-classification")).getAttribute("value"), "", "no classification is preselected");
  assert.equal(await (await banner()).getAttribute("data-classification"), "unchosen");
  await driver.findElement(By.css(".rcpt-address")).sendKeys("bob@navy.example");
  await driver.findElement(By.id("subject")).sendKeys("Unlabelled by mistake");
  await driver.findElement(By.id("send")).click();
  const err = await driver.wait(async () => {
    const e = await driver.findElement(By.id("label-classification-error"));
    return (await e.isDisplayed()) ? e : null;
  }, 5000);
  assert.match(await err.getText(), /Choose a classification/);
  assert.equal(await driver.findElement(By.id("label-classification")).getAttribute("aria-invalid"), "true");
  assert.equal(await driver.findElement(By.id("subject")).getAttribute("value"), "Unlabelled by mistake", "the form keeps what was typed");
  await driver.findElement(By.css("#label-classification option[value='4']")).click();
  assert.equal(await (await banner()).getAttribute("data-classification"), "SECRET");
  assert.match(await (await banner()).getText(), /SECRET/);
  assert.match(await (await banner()).getAttribute("class"), /\bhigh\b/);
  await driver.findElement(By.css(".label-cat[value='0']")).click();
  assert.match(await (await banner()).getText(), /SECRET — REL NATO/);
  await fullScreenshot(driver, SCREENSHOTS, "01b-compose-label-banner");
  await driver.findElement(By.id("label-on")).click();
  assert.equal(await (await banner()).getAttribute("data-classification"), "none");
  assert.match(await (await banner()).getText(), /NO SECURITY LABEL/);
});

// A security policy file (docs/security.md, "Security policy files"): navy.example is cleared up to
// RESTRICTED (2).
const ARMY_POLICY = JSON.stringify({
  policy: "1.3.6.1.4.1.55555.1",
  name: "ARMY (test)",
  local: true,
  classifications: [
    { value: 1, name: "unclassified", marking: "ARMY UNCLASSIFIED", fgcolor: "black", bgcolor: "lime" },
    { value: 2, name: "restricted", marking: "ARMY RESTRICTED", fgcolor: "black", bgcolor: "yellow" },
    { value: 4, name: "secret", marking: "ARMY SECRET", fgcolor: "white", bgcolor: "red" },
  ],
  clearances: { "alice@army.example": 4, "navy.example": 2 },
  defaultClearance: 1,
});

test("compose: a recipient not cleared for the classification is named at the label field and refused", async () => {
  await open("compose.html#user=alice%40army.example");
  const stored = await driver.executeAsyncScript(`const done = arguments[arguments.length - 1];
    chrome.storage.local.set({ "mmhs.settings.v1": {
      labelCatalogue: { policies: [{ name: "ARMY (test)", oid: "1.3.6.1.4.1.55555.1", classifications: [1, 2, 4], privacyMarks: [""], categories: [] }] },
      labelPolicies: [arguments[0]] } }).then(() => done(null), (e) => done(String(e)));`, ARMY_POLICY);
  assert.equal(stored, null);
  try {
    await driver.navigate().refresh();
    await driver.wait(async () => (await driver.findElement(By.id("app")).getText()).length > 0, 10000);
    assert.match(await driver.findElement(By.id("label-policy")).getText(), /ARMY \(test\)/);
    const err = () => driver.findElement(By.id("label-classification-error"));
    const banner = () => driver.findElement(By.id("compose-label-banner"));
    if (!coreExports(extDir)) {
      // Without the core nothing can judge the label: every label is refused (fail closed).
      await driver.wait(async () => (await driver.findElement(By.css("#label-classification option[value='1']")).getAttribute("disabled")) !== null, 5000);
      return;
    }
    await driver.wait(async () => (await driver.findElement(By.css("#label-classification option[value='4']")).getAttribute("disabled")) === null, 5000);
    await driver.findElement(By.css("#label-classification option[value='4']")).click();
    await driver.wait(async () => /ARMY SECRET/.test(await (await banner()).getText()), 5000);
    assert.match(await (await banner()).getAttribute("style"), /background:\s*(#ff0000|rgb\(255, 0, 0\))/);
    await driver.findElement(By.css(".rcpt-address")).sendKeys("bob@navy.example");
    await driver.findElement(By.id("subject")).click();
    await driver.wait(async () => (await err()).isDisplayed(), 5000);
    assert.match(await (await err()).getText(), /bob@navy\.example/);
    assert.equal(await driver.findElement(By.id("label-classification")).getAttribute("value"), "4", "never moved silently to another classification");
    await driver.findElement(By.id("subject")).sendKeys("Not for the navy");
    await driver.findElement(By.id("send")).click();
    const box = await driver.wait(async () => (await driver.findElements(By.css("#result [role=alert]")))[0], 5000);
    assert.equal(await box.getAttribute("data-code"), "compose-form-invalid");
    assert.match(await box.getText(), /bob@navy\.example/);
    await fullScreenshot(driver, SCREENSHOTS, "01c-compose-label-not-cleared");
    await driver.findElement(By.css("#label-classification option[value='2']")).click();
    assert.equal(await (await err()).isDisplayed(), false);
    assert.match(await (await banner()).getText(), /ARMY RESTRICTED/);
  } finally {
    await driver.executeAsyncScript("const done = arguments[arguments.length - 1]; chrome.storage.local.remove(\"mmhs.settings.v1\").then(() => done());");
  }
});

test("sending without a key or recipients gives clear, coded errors", async () => {
  await open("compose.html");
  await driver.findElement(By.id("send")).click();
  const box = await driver.wait(async () => (await driver.findElements(By.css("#result [role=alert]")))[0], 5000);
  assert.equal(await box.getAttribute("data-code"), "compose-form-invalid");
  assert.match(await box.getText(), /From must be an e-mail address/);
  await driver.findElement(By.id("from")).sendKeys("alice@army.example");
  await driver.findElement(By.css(".rcpt-address")).sendKeys("bob@navy.example");
  await driver.findElement(By.id("subject")).sendKeys("Test");
  await driver.findElement(By.css("#label-classification option[value='1']")).click();
  await driver.findElement(By.id("send")).click();
  await driver.wait(async () => (await driver.findElement(By.css("#result [role=alert]")).getAttribute("data-code")) === "no-signing-key", 5000);
  await fullScreenshot(driver, SCREENSHOTS, "02-compose-errors");
});

test("the reader refuses to render without a verified message and says why", async () => {
  await open("reader.html");
  const alert = await driver.findElement(By.css("[role=alert]"));
  assert.equal(await alert.getAttribute("data-code"), "stash-missing");
  await open("reader.html#stash=00000000000000000000000000000000");
  await driver.wait(async () => (await driver.findElements(By.css("[role=alert]"))).length > 0, 5000);
  assert.equal(await driver.findElement(By.css("[role=alert]")).getAttribute("data-code"), "stash-missing");
});

test("the release queue outside a webmail tab reports that, not an empty queue", async () => {
  await open("release.html");
  await driver.wait(async () => (await driver.findElements(By.css("[role=alert]"))).length > 0, 5000);
  assert.equal(await driver.findElement(By.css("[role=alert]")).getAttribute("data-code"), "webmail-no-tab");
  await fullScreenshot(driver, SCREENSHOTS, "03-release-outside-webmail");
});

test("settings validate input: a bad label catalogue is refused with its code", async () => {
  await open("options.html");
  const ta = await driver.findElement(By.id("label-catalogue"));
  await ta.clear();
  await ta.sendKeys('{"policies": []}');
  await driver.findElement(By.id("label-catalogue-save")).click();
  const alert = await driver.wait(async () => (await driver.findElements(By.css("[role=alert][data-code=label-catalogue-invalid]")))[0], 5000);
  assert.match(await alert.getText(), /policies/);
  const anchors = await driver.findElement(By.id("trust-anchors"));
  await anchors.sendKeys("not a certificate");
  await driver.findElement(By.id("anchors-save")).click();
  // the core reads the certificates (wasm certificateInfo): no CERTIFICATE block is its certificate-missing
  await driver.wait(async () => (await driver.findElements(By.css("[role=alert][data-code=certificate-missing]"))).length > 0, 5000);
});
