// The everyday states of the extension in the reference webmail, against a real `mmhs serve`
// (loopback, ephemeral ports, demo PKI) with the real wasm core (docs/extension.md "Everyday
// states"): one compose form at a time with a confirmed "send without MMHS"; errors at their
// fields with what was typed kept; whether *this* message went to the release queue (the
// submission agent's answer); the officer's open queue refreshing itself; the drafter's Sent view
// going from awaiting to released / returned; FLASH and SECRET with text markers; the reader
// hiding the webmail's unverified text behind a confirmed switch.
// Fails with the reason when `mmhs serve` or a wasm function is missing — never skipped.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { buildExtension, scenarioPreamble, serveAvailable, tempDir } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { enterFrame, launchDemoUsers, openQueueItem, quitAll, shot, unlockInPopup, waitOutcome } from "../lib/ui.mjs";
import { Api, USERS } from "../lib/webmail.mjs";

const P12_PASSWORD = "e2e-key-password";

const probeDir = buildExtension(null);
const preamble = scenarioPreamble("webux", probeDir, { exports: ["verify", "compose", "sign", "release", "importPkcs12"] });

/** The error line an input points at with aria-describedby (the field error), or null. */
async function describedError(driver, input) {
  const ids = ((await input.getAttribute("aria-describedby")) ?? "").split(" ").filter((x) => x.endsWith("-error"));
  if (ids.length === 0) return null;
  return driver.findElement(By.id(ids[0]));
}

/** Click the switch above a panel; answer its confirmation with `accept` (true / false). */
async function switchOwnUi(driver, kind, accept) {
  await driver.switchTo().defaultContent();
  await driver.findElement(By.css(`button[data-mmhs-own-ui="${kind}"]`)).click();
  const ask = await driver.wait(until.alertIsPresent(), 5000);
  const text = await ask.getText();
  if (accept) await ask.accept();
  else await ask.dismiss();
  return text;
}

describe("everyday states in the reference webmail (chromium + extension + mmhs serve)", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let browsers = {};
  let base = {};
  const tmp = tempDir("mmhs-e2e-webux-");
  const stamp = Date.now();
  const flash = `FLASH secret orders ${stamp}`;
  const routine = `Routine to be returned ${stamp}`;

  before(async () => {
    assert.equal(serveAvailable(), null);
    server = await startServer();
    ({ browsers, base } = await launchDemoUsers(server, P12_PASSWORD, tmp));
  });

  after(async () => {
    await quitAll(browsers);
    await server?.stop();
  });

  test("compose: the webmail's own form is hidden behind a confirmed switch; errors sit at their fields and what was typed stays", async () => {
    const a = browsers.alice;
    await a.get(`${server.origin}/compose`);
    // One form at a time: the webmail's own compose form (and its Send) is hidden.
    const own = await a.findElement(By.css("form#compose-form"));
    await enterFrame(a, "compose");
    await a.switchTo().defaultContent();
    assert.equal(await own.isDisplayed(), false, "the webmail's own compose form is hidden while the panel is shown");
    const button = await a.findElement(By.css('button[data-mmhs-own-ui="compose"]'));
    assert.equal(await button.getAttribute("data-showing"), "panel");
    assert.match(await button.getText(), /send without MMHS/);

    await enterFrame(a, "compose");
    await a.findElement(By.css(".rcpt-address")).sendKeys("bob at navy");
    await a.findElement(By.css("#primary-precedence option[value='4']")).click();
    await a.findElement(By.css("#label-classification option[value='4']")).click();
    await a.findElement(By.id("subject")).sendKeys(flash);
    await a.findElement(By.id("body")).sendKeys("Move at 0600. Kept through every error.");
    await a.findElement(By.id("send")).click();
    // The bad address is marked at its row, the message linked to it, the focus on it.
    const rcpt = await a.findElement(By.css(".rcpt-address"));
    await a.wait(async () => (await rcpt.getAttribute("aria-invalid")) === "true", 5000);
    const err = await describedError(a, rcpt);
    assert.ok(err, "aria-describedby names the error line");
    assert.match(await err.getText(), /Not an e-mail address: bob at navy/);
    assert.equal(await a.executeScript("return document.activeElement.classList.contains('rcpt-address')"), true, "the focus moves to the first input in error");
    assert.equal(await a.findElement(By.id("subject")).getAttribute("aria-invalid"), null, "only the input in error is marked");
    assert.equal(await a.findElement(By.id("subject")).getAttribute("value"), flash, "the subject stays");
    assert.equal(await a.findElement(By.id("body")).getAttribute("value"), "Move at 0600. Kept through every error.", "the text stays");
    await shot(a, "90-webux-error-at-field");

    // Fixed: the mark goes; the missing key password is shown at the password field.
    await enterFrame(a, "compose");
    await rcpt.clear();
    await rcpt.sendKeys(USERS.bob.address);
    await a.findElement(By.id("send")).click();
    const pw = await a.findElement(By.id("key-password"));
    await a.wait(async () => (await pw.getAttribute("aria-invalid")) === "true", 10000);
    assert.match(await (await describedError(a, pw)).getText(), /password/i);
    assert.equal(await rcpt.getAttribute("aria-invalid"), null, "the corrected address is no longer marked");
    assert.equal(await rcpt.getAttribute("value"), USERS.bob.address);

    // "Send without MMHS": declining keeps the panel; accepting shows the webmail's form alone.
    assert.match(await switchOwnUi(a, "compose", false), /no signature, no security label, no precedence, and no release/);
    assert.equal(await own.isDisplayed(), false, "declined: the panel stays");
    assert.equal(await a.findElement(By.css('iframe[data-mmhs-frame="compose"]')).isDisplayed(), true);
    await switchOwnUi(a, "compose", true);
    assert.equal(await own.isDisplayed(), true, "the webmail's own form on request");
    assert.equal(await a.findElement(By.css('iframe[data-mmhs-frame="compose"]')).isDisplayed(), false, "one compose form at a time");
    await shot(a, "91-webux-send-without-mmhs");
    await a.findElement(By.css('button[data-mmhs-own-ui="compose"]')).click(); // back: no confirmation
    assert.equal(await own.isDisplayed(), false);
    await enterFrame(a, "compose");
    assert.equal(await a.findElement(By.id("subject")).getAttribute("value"), flash, "the panel kept what was typed");
  });

  test("the officer's open queue shows alice's new draft without a reload; she is told it waits for release; FLASH and SECRET are marked", async () => {
    const o = browsers.officer;
    await o.get(`${server.origin}/folder/Release`);
    await enterFrame(o, "release");
    assert.match(await o.findElement(By.id("app")).getAttribute("data-live-refresh"), /^[0-9]+$/);
    const before = (await o.findElements(By.css("li.queue-item"))).length;

    const a = browsers.alice;
    await enterFrame(a, "compose");
    await a.findElement(By.id("key-password")).sendKeys(P12_PASSWORD);
    await a.findElement(By.id("send")).click();
    const done = await waitOutcome(a, "#send-done");
    assert.equal(await done.getAttribute("data-release-queue"), "held", await done.getText());
    assert.match(await done.getText(), /waits in the release officers' queue/);
    assert.equal(await a.findElement(By.css("li[data-release-queue]")).getAttribute("data-release-queue"), "true");
    assert.match(await a.findElement(By.css("li[data-release-queue] .release-queue")).getText(), /waits for release by an officer/);
    await shot(a, "92-webux-sent-to-release-queue");

    // The officer did not reload: the page asked the webmail again and shows the new draft.
    const item = await o.wait(async () => {
      for (const li of await o.findElements(By.css("li.queue-item"))) {
        if ((await li.getText()).includes(flash) && (await li.findElements(By.css(".q-times"))).length > 0) return li;
      }
      return null;
    }, 45000, "the new draft appears in the open queue");
    assert.equal((await o.findElements(By.css("li.queue-item"))).length, before + 1);
    assert.match(await item.getAttribute("class"), /\bnew\b/);
    assert.match(await o.findElement(By.id("queue-live")).getText(), /1 new draft/);
    // FLASH and SECRET: a text marker each (not colour alone) and their own shapes.
    assert.equal(await item.findElement(By.css('.mark[data-mark="urgent"]')).getText(), "⚡ URGENT");
    assert.equal(await item.findElement(By.css('.mark[data-mark="high"]')).getText(), "▲ HIGH CLASSIFICATION");
    assert.match(await item.getAttribute("class"), /\burgent\b/);
    assert.match(await item.getAttribute("class"), /\bhigh\b/);
    await shot(o, "93-webux-live-queue");

    // Reloaded, the webmail's own (unverified) queue table is hidden behind the switch too.
    await o.get(`${server.origin}/folder/Release`);
    await enterFrame(o, "release");
    await o.switchTo().defaultContent();
    assert.equal(await o.findElement(By.id("message-list")).isDisplayed(), false, "the webmail's queue table is hidden");
    assert.match(await switchOwnUi(o, "release-queue", true), /without verifying them/);
    assert.equal(await o.findElement(By.id("message-list")).isDisplayed(), true);
  });

  test("alice's Sent view: awaiting release, then released or returned by the officer", async () => {
    const a = browsers.alice;
    // A second draft, returned by the officer below.
    await a.get(`${server.origin}/compose`);
    await enterFrame(a, "compose");
    await a.findElement(By.css(".rcpt-address")).sendKeys(USERS.bob.address);
    await a.findElement(By.css("#primary-precedence option[value='1']")).click();
    await a.findElement(By.css("#label-classification option[value='3']")).click();
    await a.findElement(By.id("subject")).sendKeys(routine);
    await a.findElement(By.id("body")).sendKeys("Please return this one.");
    await a.findElement(By.id("key-password")).sendKeys(P12_PASSWORD);
    await a.findElement(By.id("send")).click();
    assert.equal(await (await waitOutcome(a, "#send-done")).getAttribute("data-release-queue"), "held");

    const statuses = async () => {
      await a.get(`${server.origin}/folder/Sent`);
      await enterFrame(a, "sent");
      await a.wait(until.elementLocated(By.css(".sent-release-item, #no-diverted")), 15000);
      const out = {};
      for (const li of await a.findElements(By.css("li.sent-release-item"))) {
        const text = await li.getText();
        for (const s of [flash, routine]) if (text.includes(s)) out[s] = await li.getAttribute("data-release-status");
      }
      return out;
    };
    assert.deepEqual(await statuses(), { [flash]: "awaiting", [routine]: "awaiting" });
    await shot(a, "94-webux-sent-awaiting");

    const officerApi = await Api.login(server.origin, USERS.officer);
    const o = browsers.officer;
    const f = await officerApi.waitFor("Release", (m) => m.subject === flash);
    // The officer unlocks his key once in the toolbar popup: approving then asks no password
    // (the release is signed by the unlocked, non-extractable CryptoKey: wasm releaseAsync).
    await unlockInPopup(o, base.officer, P12_PASSWORD);
    await openQueueItem(o, server.origin, f.id, "");
    await o.findElement(By.id("approve")).click();
    assert.equal(await (await waitOutcome(o, "#release-done")).getAttribute("data-outcome"), "released");
    const r = await officerApi.waitFor("Release", (m) => m.subject === routine);
    await openQueueItem(o, server.origin, r.id, P12_PASSWORD);
    await o.findElement(By.id("return-reason")).sendKeys("Wrong route.");
    await o.findElement(By.id("return")).click();
    await waitOutcome(o, "#release-done");

    assert.deepEqual(await statuses(), { [flash]: "released", [routine]: "returned" });
    assert.match(await a.findElement(By.css('li.sent-release-item[data-release-status="returned"]')).getText(), /returned to you by an officer/);
    // The webmail's own Sent table says the same.
    await a.switchTo().defaultContent();
    const cells = await a.findElements(By.css("#message-list td[data-release-status]"));
    const seen = [];
    for (const c of cells) seen.push(await c.getAttribute("data-release-status"));
    assert.deepEqual(seen.sort(), ["released", "returned"]);
    await shot(a, "95-webux-sent-released-returned");
  });

  test("bob reads the released FLASH SECRET message: text markers; the webmail's unverified text hidden behind a confirmed switch", async () => {
    const bobApi = await Api.login(server.origin, USERS.bob);
    const got = await bobApi.waitFor("Inbox", (m) => m.subject === flash);
    const b = browsers.bob;
    await b.get(`${server.origin}/message/${got.id}`);
    await enterFrame(b, "reader", 20000);
    await waitOutcome(b, "[data-verdict]");
    assert.equal(await b.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await b.findElement(By.id("app")).getText());
    assert.equal(await b.findElement(By.css('.precedence .mark[data-mark="urgent"]')).getText(), "⚡ URGENT");
    assert.equal(await b.findElement(By.css('.label-banner.high .mark[data-mark="high"]')).getText(), "▲ HIGH CLASSIFICATION");
    await shot(b, "96-webux-reader-marks");
    await b.switchTo().defaultContent();
    assert.equal(await b.findElement(By.id("message-body")).isDisplayed(), false, "the webmail's unverified text is hidden");
    assert.match(await switchOwnUi(b, "read", true), /NOT verified/);
    assert.equal(await b.findElement(By.id("message-body")).isDisplayed(), true);
    assert.equal(await b.findElement(By.css('iframe[data-mmhs-frame="reader"]')).isDisplayed(), false);
  });
});
