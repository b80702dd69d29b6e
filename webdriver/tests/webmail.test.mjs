// The extension attached to the real reference webmail (`mmhs serve`): the content-script
// adapter finds the views, mounts the extension frames, lists the release queue through the
// webmail's API, and the raw-message hand-over survives the MV3 service worker being stopped.
// Needs `mmhs serve` and the wasm core in the extension; fails with the reason when either is
// missing — never skipped.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { By, until } from "selenium-webdriver";
import { launch } from "../lib/browser.mjs";
import { buildExtension, coreExports, scenarioPreamble } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { enterFrame, shot, webmailLogin } from "../lib/ui.mjs";
import { Api, USERS } from "../lib/webmail.mjs";

const preamble = scenarioPreamble("webmail", buildExtension(null), { exports: ["verify"] });

function rawMilitary(subject) {
  return [
    "From: Alice Originator <alice@army.example>",
    "To: bob@navy.example",
    `Subject: ${subject}`,
    "Date: Mon, 23 Nov 2026 12:00:00 +0000",
    `Message-ID: <${Date.now()}.${Math.random().toString(16).slice(2)}@army.example>`,
    "MMHS-Primary-Precedence: flash",
    "MMHS-Extended-Authorisation-Info: Mon, 23 Nov 2026 12:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Unsigned draft: must wait for release.",
    "",
  ].join("\r\n");
}

describe("extension on the reference webmail", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let alice;
  let officer;
  let extDir;
  const subject = `Unsigned FLASH draft ${Date.now()}`;

  before(async () => {
    server = await startServer();
    extDir = buildExtension(server.origin);
    alice = (await launch(extDir)).driver;
    officer = (await launch(extDir)).driver;
    await webmailLogin(alice, server.origin, USERS.alice);
    await webmailLogin(officer, server.origin, USERS.officer);
  });

  after(async () => {
    await alice?.quit().catch(() => {});
    await officer?.quit().catch(() => {});
    await server?.stop();
  });

  test("the compose view gets the extension's compose panel, prefilled with the webmail user", async () => {
    await alice.get(`${server.origin}/compose`);
    await enterFrame(alice, "compose");
    assert.equal(await alice.findElement(By.id("from")).getAttribute("value"), USERS.alice.address);
    await shot(alice, "60-webmail-compose-panel");
  });

  test("a military draft submitted through the webmail API is diverted to the officer's queue, which the release frame lists", async () => {
    const api = await Api.login(server.origin, USERS.alice);
    const r = await fetch(`${server.origin}/api/send`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${api.token}` },
      body: JSON.stringify({ raw: rawMilitary(subject), envelope: { mailFrom: USERS.alice.address, rcpts: [{ address: USERS.bob.address }] } }),
    });
    assert.equal(r.status, 200, await r.text());
    const off = await Api.login(server.origin, USERS.officer);
    const queued = await off.waitFor("Release", (m) => m.subject === subject);
    await officer.get(`${server.origin}/folder/Release`);
    await enterFrame(officer, "release");
    const item = await officer.wait(until.elementLocated(By.css(`.queue-item[data-id="${queued.id}"] .queue-open`)), 20000);
    assert.match(await item.getText(), new RegExp(subject));
    const exports = coreExports(extDir);
    if (!exports?.has("verify")) assert.match(await item.getText(), /not verified \((core-unavailable|core-function-unavailable)\)/);
    await shot(officer, "61-webmail-release-queue");
  });

  test("the reader frame gets the raw message even after the MV3 service worker is stopped, and never renders it unverified", async () => {
    const off = await Api.login(server.origin, USERS.officer);
    const queued = await off.waitFor("Release", (m) => m.subject === subject);
    await officer.get(`${server.origin}/message/${queued.id}`);
    await enterFrame(officer, "reader");
    await officer.switchTo().defaultContent();
    const src = await officer.findElement(By.css('iframe[data-mmhs-frame="reader"]')).getAttribute("src");
    assert.match(src, /#stash=[0-9a-f]{32}/);
    // Stop every service worker (the extension's included), then reload the frame alone.
    await officer.sendAndGetDevToolsCommand("ServiceWorker.enable", {});
    await officer.sendAndGetDevToolsCommand("ServiceWorker.stopAllWorkers", {});
    await officer.get(src);
    await officer.wait(until.elementLocated(By.css("#app > *")), 15000);
    const text = await officer.findElement(By.id("app")).getText();
    assert.doesNotMatch(text, /stash-missing/, "the stash lives in chrome.storage.session, not in worker memory");
    const exports = coreExports(extDir);
    if (!exports?.has("verify")) {
      assert.match(text, /core-unavailable|core-function-unavailable/);
      assert.doesNotMatch(text, /Unsigned draft: must wait/, "no content without verification");
    } else {
      // verified first: an unsigned draft is rendered only as NOT VERIFIED
      const verdict = await officer.wait(until.elementLocated(By.css("[data-verdict]")), 30000);
      assert.equal(await verdict.getAttribute("data-verdict"), "invalid");
      assert.match(await verdict.getText(), /NOT VERIFIED/);
    }
    await shot(officer, "62-webmail-reader-after-worker-stop");
  });
});
