// The extension in a real webmail: Roundcube (Debian package, elastic skin) with the repository's
// mmhs plugin, Dovecot and Postfix, all on loopback and started by this test
// (webdriver/lib/roundcube.mjs). alice composes a signed, labelled FLASH message in Roundcube with
// the extension's panel and sends it through the plugin (Roundcube's own SMTP connection); bob
// opens it in Roundcube and the extension's reader shows the verdict. The webmail origin is added
// at run time in Settings → Webmail origins (registered content script), not compiled in.
// Then the release-queue round trip with `mmhs serve`'s submission agent as Roundcube's SMTP
// server: alice's FLASH message from Roundcube waits in the Release queue, the officer releases
// it in the reference webmail, bob receives it.
// Without the Debian stack it is skipped with the reason outside scripts/test.sh and fails under
// it; without the mmhs binary (demo PKI) or the wasm core it fails — never passed on a stand-in.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import { launch } from "../lib/browser.mjs";
import { REPO, buildExtension, scenarioPreamble, tempDir } from "../lib/env.mjs";
import { RoundcubeSession, roundcubeStackMissing, startRoundcube } from "../lib/roundcube.mjs";
import { startServer } from "../lib/server.mjs";
import { configureExtension, enterFrame, fillCompose, openQueueItem, shot, waitOutcome, webmailLogin } from "../lib/ui.mjs";
import { Api, USERS as DEMO, caPem, makePkcs12, verifyReport } from "../lib/webmail.mjs";

const P12_PASSWORD = "e2e-key-password";
// Mailbox users of this stack; their addresses are those of the demo PKI of `mmhs serve`.
const USERS = {
  alice: { address: "alice@army.example", password: "alice-rc-pw" },
  bob: { address: "bob@navy.example", password: "bob-rc-pw" },
};

const php = spawnSync("php", ["-v"]).status === 0 ? null : "php (scripts/setup.sh)";
const phpPreamble = scenarioPreamble("the plugin's envelope checks", null, { serve: false, machine: [php] });
test("the plugin's envelope checks (php roundcube/plugins/mmhs/tests/envelope_test.php)", { skip: phpPreamble.skip }, () => {
  const r = spawnSync("php", [join(REPO, "roundcube/plugins/mmhs/tests/envelope_test.php")], { encoding: "utf8", timeout: 30000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
});

const preamble = scenarioPreamble("Roundcube e2e", buildExtension(null), {
  exports: ["verify", "compose", "sign", "importPkcs12"],
  machine: [roundcubeStackMissing()],
});

async function roundcubeLogin(d, origin, user) {
  await d.get(`${origin}/?_task=login`);
  await d.wait(until.elementLocated(By.id("rcmloginuser")), 15000);
  await d.findElement(By.id("rcmloginuser")).sendKeys(user.address);
  await d.findElement(By.id("rcmloginpwd")).sendKeys(user.password);
  await d.findElement(By.id("rcmloginsubmit")).click();
  await d.wait(until.elementLocated(By.css("body.task-mail #messagelist")), 20000);
}

/** Settings → Webmail origins: allow the extension on the Roundcube origin (run-time registration). */
async function addWebmailOrigin(d, base, origin) {
  await d.get(`${base}/options.html`);
  const url = await d.wait(until.elementLocated(By.id("webmail-url")), 10000);
  await url.sendKeys(`${origin}/?_task=mail`);
  await d.findElement(By.id("webmail-add")).click();
  await d.wait(until.elementLocated(By.css(`#webmail-origins li[data-origin="${origin}"]`)), 10000);
}

describe("Roundcube (Debian) with the mmhs plugin, Dovecot and Postfix on loopback", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let stack; // Roundcube → Postfix
  let viaAgent; // Roundcube → mmhs serve's submission agent (AUTH as the Roundcube user)
  let server; // mmhs serve: the demo PKI, the submission agent, the officer's reference webmail
  const browsers = {};
  const base = {};
  let pkiDir;
  const tmp = tempDir("mmhs-rc-e2e-");
  const subject = `FLASH via Roundcube ${Date.now()}`;

  before(async () => {
    server = await startServer();
    pkiDir = server.data;
    stack = await startRoundcube(Object.values(USERS));
    // Same mailbox users, with the passwords of `mmhs serve`'s demo users (Roundcube logs in to
    // Dovecot and authenticates to the submission agent with the same credentials).
    viaAgent = await startRoundcube([DEMO.alice], { smtpHost: `127.0.0.1:${server.smtpPort}`, smtpAuth: true });
    const ext = buildExtension(server.origin, { grant: [stack.origin, viaAgent.origin] });
    const ca = caPem(pkiDir);
    for (const [name, user] of [["alice", USERS.alice], ["bob", USERS.bob], ["officer", DEMO.officer]]) {
      const b = await launch(ext);
      browsers[name] = b.driver;
      base[name] = `chrome-extension://${b.extensionId}`;
      await configureExtension(b.driver, base[name], makePkcs12(pkiDir, user.address, P12_PASSWORD, tmp), P12_PASSWORD, ca);
    }
    await addWebmailOrigin(browsers.alice, base.alice, viaAgent.origin);
    await addWebmailOrigin(browsers.alice, base.alice, stack.origin);
    await addWebmailOrigin(browsers.bob, base.bob, stack.origin);
    await shot(browsers.alice, "70-rc-settings-webmail-origin");
  });

  after(async () => {
    for (const d of Object.values(browsers)) await d.quit().catch(() => {});
    await stack?.stop();
    await viaAgent?.stop();
    await server?.stop();
  });

  test("the plugin refuses what it must (CSRF token, method, type, size, envelope, reverse-path, bytes SMTP would change)", async () => {
    const s = await new RoundcubeSession(stack.origin).login(USERS.alice);
    const good = "From: alice@army.example\r\nTo: bob@navy.example\r\nSubject: probe\r\n\r\nbody\r\n";
    const b64 = (t) => Buffer.from(t).toString("base64");
    const env = { mailFrom: USERS.alice.address, rcpts: [{ address: USERS.bob.address }] };
    const before = stack.inboxFiles(USERS.bob.address).length;
    const cases = [
      ["no token", () => s.send({ raw: b64(good), envelope: env }, { token: null }), 403, "csrf-token-invalid"],
      ["wrong token", () => s.send({ raw: b64(good), envelope: env }, { token: "x".repeat(32) }), 403, "csrf-token-invalid"],
      ["GET", () => s.send(undefined, { method: "GET" }), 405, "method-not-allowed"],
      ["form post", () => s.send(`raw=${b64(good)}`, { contentType: "application/x-www-form-urlencoded" }), 415, "bad-request"],
      ["SMTP injection in a recipient", () => s.send({ raw: b64(good), envelope: { ...env, rcpts: [{ address: "bob@navy.example>\r\nRCPT TO:<eve@navy.example" }] } }), 400, "envelope-invalid"],
      ["SMTP injection in a parameter", () => s.send({ raw: b64(good), envelope: { ...env, mailParams: { envid: "x\r\nRSET" } } }), 400, "envelope-invalid"],
      ["someone else's reverse-path", () => s.send({ raw: b64(good), envelope: { ...env, mailFrom: USERS.bob.address } }), 403, "envelope-sender-not-own"],
      ["bare LF (SMTP would rewrite it)", () => s.send({ raw: b64(good.replaceAll("\r\n", "\n")), envelope: env }), 400, "raw-invalid"],
      ["more recipients than Roundcube's max_recipients (20)", () => s.send({ raw: b64(good), envelope: { ...env, rcpts: Array.from({ length: 21 }, (_, i) => ({ address: `r${i}@navy.example` })) } }), 400, "envelope-invalid"],
      ["not base64", () => s.send({ raw: "%%%", envelope: env }), 400, "raw-invalid"],
      ["latest delivery time on a server without DELIVERBY", () => s.send({ raw: b64(good), envelope: { ...env, mailParams: { by: "3600;R" } } }), 422, "envelope-param-unsupported"],
      ["larger than mmhs_max_message_size", () => s.send({ raw: "A".repeat(15 * 1024 * 1024), envelope: env }), 413, "message-too-large"],
    ];
    for (const [what, call, status, code] of cases) {
      const r = await call();
      assert.equal(r.status, status, `${what}: ${r.text.slice(0, 300)}`);
      assert.equal(r.json?.code, code, `${what}: ${r.text.slice(0, 300)}`);
    }
    // A session-less request gets Roundcube's login answer, never a submission.
    const anon = new RoundcubeSession(stack.origin);
    anon.token = s.token;
    const r = await anon.send({ raw: b64(good), envelope: env });
    assert.notEqual(r.json?.ok, true, r.text.slice(0, 200));
    await new Promise((res) => setTimeout(res, 1000));
    assert.equal(stack.inboxFiles(USERS.bob.address).length, before, "nothing refused was delivered");
  });

  test("alice composes a signed, labelled FLASH message in Roundcube; it goes out unchanged through Roundcube's SMTP", async () => {
    const d = browsers.alice;
    await roundcubeLogin(d, stack.origin, USERS.alice);
    await shot(d, "71-rc-alice-inbox");
    await d.get(`${stack.origin}/?_task=mail&_action=compose`);
    await enterFrame(d, "compose", 20000);
    await fillCompose(d, { to: USERS.bob.address, notifySuccess: true, precedence: "4", classification: "4", subject, body: "Move at 0600.\n.A line that starts with a dot.\nATTACK AT DAWN.", password: P12_PASSWORD });
    await shot(d, "72-rc-compose-filled");
    await enterFrame(d, "compose");
    await d.findElement(By.id("send")).click();
    const done = await waitOutcome(d, "#send-done");
    await d.executeScript("arguments[0].scrollIntoView({ block: 'end' })", done); // Roundcube's compose view scrolls inside
    // Postfix's 250 is not the release agent's: the panel says the message was accepted for delivery.
    assert.equal(await done.getAttribute("data-release-queue"), "sent", await done.getText());
    // Postfix offers DSN but not MT-PRIORITY (RFC 6710): the panel says what was left out.
    const warn = await d.findElement(By.css('[data-code="webmail-parameter-not-carried"]'));
    assert.match(await warn.getText(), /MT-PRIORITY/);
    await shot(d, "73-rc-sent");
    // Roundcube's own form and Send button are hidden while the panel owns the view; the way
    // back is explicit.
    await d.switchTo().defaultContent();
    assert.equal(await d.findElement(By.id("compose-content")).isDisplayed(), false, "Roundcube's compose form hidden");
    // and its compose toolbar (#messagetoolbar, which the elastic skin turns into #toolbar-menu)
    const toolbars = await d.findElements(By.css("#messagetoolbar, #toolbar-menu"));
    assert.ok(toolbars.length > 0);
    for (const t of toolbars) assert.equal(await t.isDisplayed(), false, "Roundcube's compose toolbar hidden");
    // Leaving the panel asks first; declining keeps it.
    await d.findElement(By.css('button[data-mmhs-own-ui="compose"]')).click();
    const ask = await d.wait(until.alertIsPresent(), 5000);
    assert.match(await ask.getText(), /Send without MMHS\?/);
    await ask.dismiss();
    assert.equal(await d.findElement(By.id("compose-content")).isDisplayed(), false, "declined: still hidden");
    await d.findElement(By.css('button[data-mmhs-own-ui="compose"]')).click();
    await (await d.wait(until.alertIsPresent(), 5000)).accept();
    assert.equal(await d.findElement(By.id("compose-content")).isDisplayed(), true, "shown on request");
    assert.equal(await d.findElement(By.css('iframe[data-mmhs-frame="compose"]')).isDisplayed(), false, "one compose form at a time");
    assert.ok((await d.executeScript("return document.getElementById('compose-content').getBoundingClientRect().height")) > 100, "Roundcube's form has room");
    await shot(d, "73b-rc-send-without-mmhs");
    await d.findElement(By.css('button[data-mmhs-own-ui="compose"]')).click();
    assert.equal(await d.findElement(By.id("compose-content")).isDisplayed(), false, "back to the panel");

    // Delivered to bob's Maildir by Postfix; the copy in alice's Sent (IMAP APPEND) is the same bytes.
    const end = Date.now() + 20000;
    let file;
    while (!(file = stack.inboxFiles(USERS.bob.address).find((f) => readFileSync(f, "latin1").includes(subject)))) {
      assert.ok(Date.now() < end, `not delivered to bob:\n${stack.log()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
    const delivered = readFileSync(file);
    const sent = stack.sentFiles(USERS.alice.address).map((f) => readFileSync(f)).find((b) => b.includes(subject));
    assert.ok(sent, "a copy in alice's Sent folder");
    assert.ok(delivered.subarray(delivered.length - sent.length).equals(sent), "the delivered message ends with exactly the bytes sent (Postfix only prepends trace fields)");
    assert.match(sent.toString("latin1"), /^MMHS-Primary-Precedence:\s*flash\s*$/mi);
    assert.match(sent.toString("latin1"), /application\/(pkcs7|x-pkcs7)-signature|smime-type=signed-data/i);
    // The envelope's DSN request went over SMTP; MT-PRIORITY did not (not offered by Postfix).
    const smtp = readFileSync(join(stack.dir, "rc/logs/smtp.log"), "utf8");
    assert.match(smtp, /RCPT TO:<bob@navy\.example> NOTIFY=SUCCESS/);
    assert.doesNotMatch(smtp, /MT-PRIORITY=/);
    // The core's own verdict on what bob received (independent of the browser).
    const report = verifyReport(pkiDir, sent, tmp);
    assert.equal(report.valid, true, JSON.stringify(report.problems));
  });

  test("bob opens it in Roundcube; the extension's reader shows FLASH, the label and a valid signature", async () => {
    const d = browsers.bob;
    await roundcubeLogin(d, stack.origin, USERS.bob);
    const row = await d.wait(until.elementLocated(By.xpath(`//table[@id="messagelist"]//tr[.//*[contains(text(), "${subject}")]]`)), 20000);
    // Roundcube's row id is "rcmrow" + the UID in unpadded base64 (rcube_utils::html_identifier)
    const rowId = await row.getAttribute("id");
    const uid = Buffer.from(rowId.replace(/^rcmrow/, ""), "base64").toString("latin1");
    assert.match(uid, /^[0-9]+$/);
    await shot(d, "74-rc-bob-inbox");
    await d.get(`${stack.origin}/?_task=mail&_mbox=INBOX&_uid=${uid}&_action=show`);
    await enterFrame(d, "reader", 20000);
    await waitOutcome(d, "[data-verdict]");
    assert.equal(await d.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await d.findElement(By.id("app")).getText());
    assert.equal(await d.findElement(By.css(".precedence")).getAttribute("data-precedence"), "FLASH");
    assert.equal(await d.findElement(By.css(".label-banner")).getAttribute("data-classification"), "SECRET");
    assert.match(await d.findElement(By.css("table.signatures")).getText(), /alice@army\.example/);
    await shot(d, "75-rc-bob-reader");
    await d.switchTo().defaultContent();
    assert.equal(await d.findElement(By.id("messagebody")).isDisplayed(), false, "Roundcube's unverified rendering hidden");
    assert.equal((await d.findElements(By.css('button[data-mmhs-own-ui="read"]'))).length, 1);

    // The same message in the list's preview pane (a same-origin frame of Roundcube).
    await d.switchTo().defaultContent();
    await d.get(`${stack.origin}/?_task=mail&_mbox=INBOX`);
    await (await d.wait(until.elementLocated(By.id(rowId)), 20000)).click();
    await d.switchTo().frame(await d.wait(until.elementLocated(By.id("messagecontframe")), 10000));
    await d.switchTo().frame(await d.wait(until.elementLocated(By.css('iframe[data-mmhs-frame="reader"]')), 20000));
    await waitOutcome(d, "[data-verdict]");
    assert.equal(await d.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid");
    await shot(d, "75b-rc-bob-preview-pane");
  });

  test("release queue round trip: Roundcube submits to mmhs serve's agent, which carries the whole envelope and holds FLASH for the officer", async () => {
    const rtSubject = `FLASH for release via Roundcube ${Date.now()}`;
    const d = browsers.alice;
    await roundcubeLogin(d, viaAgent.origin, DEMO.alice);
    await d.get(`${viaAgent.origin}/?_task=mail&_action=compose`);
    await enterFrame(d, "compose", 20000);
    await fillCompose(d, { to: DEMO.bob.address, notifySuccess: true, precedence: "4", classification: "4", subject: rtSubject, body: "Hold the bridge.", password: P12_PASSWORD });
    await enterFrame(d, "compose");
    await d.findElement(By.id("send")).click();
    const done = await waitOutcome(d, "#send-done");
    await d.executeScript("arguments[0].scrollIntoView({ block: 'end' })", done);
    // The agent's reply, passed on by the plugin, says that this message waits for release.
    assert.equal(await done.getAttribute("data-release-queue"), "held", await done.getText());
    assert.equal(await d.findElement(By.css("li[data-release-queue]")).getAttribute("data-release-queue"), "true");
    // The agent offers DSN and MT-PRIORITY: nothing of the envelope is left out.
    assert.equal((await d.findElements(By.css('[data-code="webmail-parameter-not-carried"]'))).length, 0);
    await shot(d, "77-rc-sent-to-agent");
    const smtp = readFileSync(join(viaAgent.dir, "rc/logs/smtp.log"), "utf8");
    assert.match(smtp, /MAIL FROM:<alice@army\.example>[^\n]*MT-PRIORITY=4/);
    assert.match(smtp, /RCPT TO:<bob@navy\.example> NOTIFY=SUCCESS/);

    const officer = await Api.login(server.origin, DEMO.officer);
    const queued = await officer.waitFor("Release", (m) => m.subject === rtSubject);
    const bobApi = await Api.login(server.origin, DEMO.bob);
    assert.equal((await bobApi.list("Inbox")).find((m) => m.subject === rtSubject), undefined, "not delivered before release");
    assert.ok(viaAgent.sentFiles(DEMO.alice.address).some((f) => readFileSync(f, "latin1").includes(rtSubject)), "the copy in alice's Sent (Roundcube's IMAP)");
    // Roundcube's Sent folder: the extension's Sent view says Roundcube does not report release status (never guessed).
    await d.switchTo().defaultContent();
    await d.get(`${viaAgent.origin}/?_task=mail&_mbox=Sent`);
    await enterFrame(d, "sent", 20000);
    await d.wait(until.elementLocated(By.id("release-status-unknown")), 15000);
    assert.equal((await d.findElements(By.css("[data-release-status]"))).length, 0);

    const o = browsers.officer;
    await webmailLogin(o, server.origin, DEMO.officer);
    await openQueueItem(o, server.origin, queued.id, P12_PASSWORD);
    await o.findElement(By.id("approve")).click();
    await waitOutcome(o, "#release-done");
    await shot(o, "78-rc-released-by-officer");
    const got = await bobApi.waitFor("Inbox", (m) => m.subject === rtSubject);
    const report = verifyReport(pkiDir, await bobApi.raw(got.id), tmp);
    assert.equal(report.valid, true, JSON.stringify(report.problems));
  });

  test("the toolbar popup shows the key, the trust anchors and the settings link", async () => {
    const d = browsers.bob;
    await d.get(`${base.bob}/popup.html`);
    const key = await d.wait(until.elementLocated(By.id("status-key")), 10000);
    // a stored key, locked until the user unlocks it once (docs/extension.md, "Keys: unlock once")
    assert.equal(await key.getAttribute("data-state"), "neutral");
    assert.match(await key.getText(), /bob@navy\.example.*locked/s);
    assert.match(await d.findElement(By.id("status-anchors")).getText(), /1 configured/);
    // opened as a tab, the active tab is the popup itself: no webmail there
    assert.match(await d.findElement(By.id("status-webmail")).getText(), /not a connected webmail/);
    assert.ok(await d.findElement(By.id("open-settings")).isDisplayed());
    await shot(d, "76-rc-popup");
  });
});
