// Browser-side steps: the extension's settings, the webmail login, and the extension frames.
import { By, until } from "selenium-webdriver";
import { fullScreenshot, launch } from "./browser.mjs";
import { SCREENSHOTS, buildExtension } from "./env.mjs";
import { USERS, caPem, makePkcs12 } from "./webmail.mjs";

/**
 * One browser per demo user with the extension built for `server`'s origin: each imports its
 * PKCS#12 (made with the openssl CLI from the demo PKI) and the demo CA through the settings
 * page, then logs in to the webmail. Returns `{ browsers, base }` (drivers and extension base
 * URLs by user name); `quitAll(browsers)` ends them.
 */
export async function launchDemoUsers(server, password, tmp) {
  const browsers = {};
  const base = {};
  const ext = buildExtension(server.origin);
  const ca = caPem(server.data);
  for (const [name, user] of Object.entries(USERS)) {
    const b = await launch(ext);
    browsers[name] = b.driver;
    base[name] = `chrome-extension://${b.extensionId}`;
    await configureExtension(b.driver, base[name], makePkcs12(server.data, user.address, password, tmp), password, ca);
    await webmailLogin(b.driver, server.origin, user);
  }
  return { browsers, base };
}

export async function quitAll(browsers) {
  for (const d of Object.values(browsers)) await d.quit().catch(() => {});
}

export async function shot(driver, name) {
  await driver.switchTo().defaultContent();
  return fullScreenshot(driver, SCREENSHOTS, name);
}

/** Import the user's PKCS#12 and the trust anchor through the settings page. */
export async function configureExtension(driver, base, p12Path, p12Password, caPem) {
  await driver.get(`${base}/options.html`);
  await driver.wait(until.elementLocated(By.id("p12-file")), 10000);
  await driver.findElement(By.id("trust-anchors")).sendKeys(caPem);
  await driver.findElement(By.id("anchors-save")).click();
  // The change is shown (subject, SHA-256 fingerprint) and stored only when confirmed.
  await driver.wait(until.elementLocated(By.id("anchors-confirm")), 10000);
  await driver.findElement(By.id("anchors-confirm")).click();
  await driver.wait(until.elementLocated(By.xpath("//*[contains(text(),'trust anchor(s) saved')]")), 10000);
  await importPkcs12(driver, base, p12Path, p12Password, { onPage: true });
}

/** Import a PKCS#12 as the user's key through the settings page (replacing the one there). */
export async function importPkcs12(driver, base, p12Path, p12Password, { onPage = false } = {}) {
  if (!onPage) {
    await driver.get(`${base}/options.html`);
    await driver.wait(until.elementLocated(By.id("p12-file")), 10000);
  }
  await driver.findElement(By.id("p12-file")).sendKeys(p12Path);
  await driver.findElement(By.id("p12-password")).sendKeys(p12Password);
  await driver.findElement(By.id("p12-import")).click();
  const out = await driver.wait(async () => {
    const t = await driver.findElement(By.id("key-result")).getText();
    return t.length > 0 ? t : null;
  }, 30000);
  if (!/Imported the key/.test(out)) throw new Error(`PKCS#12 import failed: ${out}`);
}

export async function webmailLogin(driver, origin, user) {
  await driver.get(`${origin}/login`);
  await driver.findElement(By.id("address")).sendKeys(user.address);
  await driver.findElement(By.id("password")).sendKeys(user.password);
  await driver.findElement(By.css("#login-form [type=submit]")).click();
  await driver.wait(until.elementLocated(By.css(`#mmhs-webmail[data-user="${user.address}"]`)), 10000);
}

/** Switch into the extension frame the content script mounted (reader / compose / release). */
export async function enterFrame(driver, kind, timeout = 15000) {
  await driver.switchTo().defaultContent();
  const frame = await driver.wait(until.elementLocated(By.css(`iframe[data-mmhs-frame="${kind}"]`)), timeout);
  await driver.switchTo().frame(frame);
  await driver.wait(until.elementLocated(By.css("#app > *")), timeout);
}

/** Wait for one of the selectors inside the current frame; an error box fails with its text. */
export async function waitOutcome(driver, okCss, timeout = 60000) {
  return driver.wait(async () => {
    const ok = await driver.findElements(By.css(okCss));
    if (ok.length > 0) return ok[0];
    const errs = await driver.findElements(By.css(".error-box[role=alert]"));
    for (const e of errs) {
      const code = await e.getAttribute("data-code");
      if (code !== "no-trust-anchors") throw new Error(`extension error [${code}]: ${await e.getText()}`);
    }
    return null;
  }, timeout);
}

/** The toolbar popup's key status text, or "" while the popup (re)draws the row. */
async function keyStatus(driver) {
  try {
    return await driver.findElement(By.id("status-key")).getText();
  } catch (e) {
    if (e.name === "StaleElementReferenceError" || e.name === "NoSuchElementError") return "";
    throw e;
  }
}

/** Unlock the user's key once in the extension's toolbar popup (wasm unlockKey). */
export async function unlockInPopup(driver, base, password) {
  await driver.get(`${base}/popup.html`);
  await driver.wait(until.elementLocated(By.id("unlock-password")), 10000);
  await driver.findElement(By.id("unlock-password")).sendKeys(password);
  await driver.findElement(By.id("unlock-key")).click();
  await driver.wait(async () => /unlocked until/.test(await keyStatus(driver)), 60000);
}

/** Lock the user's key in the toolbar popup (the popup may redraw the button: click until one lands). */
export async function lockInPopup(driver, base) {
  await driver.get(`${base}/popup.html`);
  await driver.wait(async () => {
    try {
      await driver.findElement(By.id("lock-key")).click();
      return true;
    } catch (e) {
      if (e.name === "StaleElementReferenceError" || e.name === "NoSuchElementError") return false;
      throw e;
    }
  }, 10000);
  await driver.wait(async () => /— locked/.test(await keyStatus(driver)), 10000);
}

/** The officer's Release queue in the reference webmail: open draft `id`, type the key password. */
export async function openQueueItem(driver, origin, id, password) {
  await driver.get(`${origin}/folder/Release`);
  await enterFrame(driver, "release");
  const item = await driver.wait(until.elementLocated(By.css(`.queue-item[data-id="${id}"] .queue-open`)), 30000);
  await item.click();
  await driver.wait(until.elementLocated(By.id("approve")), 10000);
  await driver.findElement(By.id("officer-password")).sendKeys(password);
}

export async function fillCompose(driver, m) {
  // The panel may still be drawing (settings load asynchronously): type into the field that is
  // there now, and type again if a re-render replaced or refilled it, until it holds exactly m.to.
  await driver.wait(async () => {
    try {
      const rcpt = await driver.findElement(By.css(".rcpt-address"));
      if ((await rcpt.getAttribute("value")) === m.to) return true;
      await rcpt.clear();
      await rcpt.sendKeys(m.to);
      return (await rcpt.getAttribute("value")) === m.to;
    } catch (e) {
      if (e.name === "StaleElementReferenceError" || e.name === "NoSuchElementError") return false;
      throw e;
    }
  }, 10000, `the recipient field does not hold ${m.to}`);
  if (m.notifySuccess) await driver.findElement(By.css(".rcpt-notify[value=SUCCESS]")).click();
  if (m.receipt) await driver.findElement(By.css(".rcpt-receipt")).click();
  await driver.findElement(By.css("#primary-precedence option[value='" + m.precedence + "']")).click();
  if (m.classification !== undefined) await driver.findElement(By.css(`#label-classification option[value='${m.classification}']`)).click();
  else await driver.findElement(By.id("label-on")).click();
  await driver.findElement(By.id("subject")).sendKeys(m.subject);
  await driver.findElement(By.id("body")).sendKeys(m.body);
  if (m.forwardFile) await driver.findElement(By.id("forward")).sendKeys(m.forwardFile);
  await driver.findElement(By.id("key-password")).sendKeys(m.password);
}
