// Debian chromium through Debian chromedriver, with the unpacked MMHS extension loaded.
// Never downloads a browser or a driver (paths are fixed; Selenium Manager is not consulted).
import { Builder, By, until } from "selenium-webdriver";
import chrome from "selenium-webdriver/chrome.js";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMEDRIVER = process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver";

/** Chromium's id for an unpacked extension: sha256 of its absolute path, first 32 hex → a–p. */
export function extensionIdForPath(dir) {
  const hex = createHash("sha256").update(realpathSync(dir)).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode("a".charCodeAt(0) + parseInt(c, 16))).join("");
}

export async function launch(extensionDir, { width = 1280, height = 1000 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "mmhs-chromium-"));
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

/** Full-page screenshot through CDP (taller than the window). */
export async function fullScreenshot(driver, dir, name) {
  mkdirSync(dir, { recursive: true });
  const metrics = await driver.sendAndGetDevToolsCommand("Page.getLayoutMetrics", {});
  const h = Math.min(Math.ceil(metrics.cssContentSize?.height ?? metrics.contentSize.height), 6000);
  const w = Math.ceil(metrics.cssContentSize?.width ?? metrics.contentSize.width);
  const shot = await driver.sendAndGetDevToolsCommand("Page.captureScreenshot", { format: "png", captureBeyondViewport: true, clip: { x: 0, y: 0, width: w, height: h, scale: 1 } });
  const file = join(dir, `${name}.png`);
  writeFileSync(file, Buffer.from(shot.data, "base64"));
  return file;
}

export { By, until };
