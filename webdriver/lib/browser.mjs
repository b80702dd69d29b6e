// Debian chromium through Debian chromedriver, with the unpacked MMHS extension loaded.
// Never downloads a browser or a driver (paths are fixed; Selenium Manager is not consulted).
import { Builder, By, until } from "selenium-webdriver";
import chrome from "selenium-webdriver/chrome.js";
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./env.mjs";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMEDRIVER = process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver";

/** Chromium's id for an unpacked extension: sha256 of its absolute path, first 32 hex → a–p. */
export function extensionIdForPath(dir) {
  const hex = createHash("sha256").update(realpathSync(dir)).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode("a".charCodeAt(0) + parseInt(c, 16))).join("");
}

export async function launch(extensionDir, { width = 1280, height = 1000 } = {}) {
  const profile = tempDir("mmhs-chromium-");
  const options = new chrome.Options()
    .setChromeBinaryPath(CHROMIUM)
    .addArguments(
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--no-default-browser-check",
      `--user-data-dir=${profile}`,
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      "--disable-features=DisableLoadExtensionCommandLineSwitch",
      `--window-size=${width},${height}`,
    );
  const service = new chrome.ServiceBuilder(CHROMEDRIVER);
  const driver = await new Builder().forBrowser("chrome").setChromeOptions(options).setChromeService(service).build();
  return { driver, profile, extensionId: extensionIdForPath(extensionDir) };
}

export async function screenshot(driver, dir, name) {
  mkdirSync(dir, { recursive: true });
  const png = await driver.takeScreenshot();
  const file = join(dir, `${name}.png`);
  writeFileSync(file, Buffer.from(png, "base64"));
  return file;
}

/**
 * Full-page screenshot: the window is made as tall as the page (at most 5000 px), so that the
 * extension's cross-origin frames are laid out and painted normally (CDP's captureBeyondViewport
 * re-lays out the page during capture and paints out-of-process frames blank), then restored.
 */
export async function fullScreenshot(driver, dir, name) {
  mkdirSync(dir, { recursive: true });
  const rect = await driver.manage().window().getRect();
  const height = await driver.executeScript("return Math.ceil(document.documentElement.scrollHeight)");
  const target = Math.min(Math.max(height + 140, rect.height), 5000);
  if (target !== rect.height) {
    await driver.manage().window().setRect({ width: rect.width, height: target });
    await driver.sleep(400); // frames re-measure their height and repaint
  }
  const png = await driver.takeScreenshot();
  if (target !== rect.height) await driver.manage().window().setRect({ width: rect.width, height: rect.height });
  const file = join(dir, `${name}.png`);
  writeFileSync(file, Buffer.from(png, "base64"));
  return file;
}

export { By, until };
