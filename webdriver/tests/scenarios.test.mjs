// The browser scenarios of Draft & Release and reading, against a real `mmhs serve` on loopback (ephemeral
// ports, fresh data dir, demo PKI) with the real wasm core in the extension. When a piece of
// the build is missing the whole suite fails with the reason — never skipped, never passed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import { buildExtension, composeLabelsMissing, tempDir, scenarioPreamble, serveAvailable } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { enterFrame, fillCompose, launchDemoUsers, openQueueItem, quitAll, shot, waitOutcome } from "../lib/ui.mjs";
import { Api, USERS, tamperStored, verifyReport } from "../lib/webmail.mjs";

const P12_PASSWORD = "e2e-key-password";

// Decide up front (synchronously) whether the scenarios can run at all.
const probeDir = buildExtension(null);
const preamble = scenarioPreamble("scenarios", probeDir, { exports: ["verify", "compose", "release", "importPkcs12"] });
if (preamble.missing.length === 0) {
  const labels = await composeLabelsMissing(probeDir);
  if (labels) preamble.missing.push(labels);
}

describe("MMHS end to end (chromium + extension + mmhs serve)", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let browsers = {};
  let base = {};
  const tmp = tempDir("mmhs-e2e-");
  const subjects = { s1: `FLASH e2e ${Date.now()}`, s3: `Return me ${Date.now()}`, s5: `Forwarding ${Date.now()}`, s6: `Sealed ${Date.now()}` };
  let released; // bob's copy of the released S1 message

  before(async () => {
    assert.equal(serveAvailable(), null);
    server = await startServer();
    ({ browsers, base } = await launchDemoUsers(server, P12_PASSWORD, tmp));
  });

  after(async () => {
    await quitAll(browsers);
    await server?.stop();
  });

  test("1: a FLASH, labelled, signed, header-protected message with DSN request lands in the Release queue, not with the recipient", async () => {
    const d = browsers.alice;
    await d.get(`${server.origin}/compose`);
    await enterFrame(d, "compose");
    await fillCompose(d, { to: USERS.bob.address, notifySuccess: true, precedence: "4", classification: "4", subject: subjects.s1, body: "Move at 0600. ATTACK AT DAWN.", password: P12_PASSWORD });
    await shot(d, "10-s1-compose-filled");
    await enterFrame(d, "compose");
    await d.findElement(By.id("send")).click();
    await waitOutcome(d, "#send-done");
    await shot(d, "11-s1-sent");

    const officer = await Api.login(server.origin, USERS.officer);
    const queued = await officer.waitFor("Release", (m) => m.subject === subjects.s1);
    assert.match(String(queued.primaryPrecedence), /flash|4/i);
    const bob = await Api.login(server.origin, USERS.bob);
    assert.equal((await bob.list("Inbox")).find((m) => m.subject === subjects.s1), undefined, "the recipient must not have it before release");

    const o = browsers.officer;
    await o.get(`${server.origin}/folder/Release`);
    await enterFrame(o, "release");
    await o.wait(until.elementLocated(By.css(`.queue-item[data-id="${queued.id}"] .queue-open`)), 30000);
    await shot(o, "12-s1-release-queue");
  });

  test("2: the officer approves; the recipient sees FLASH, label, intact header protection, valid signature and countersignature; the originator gets the DSN", async () => {
    const o = browsers.officer;
    const officer = await Api.login(server.origin, USERS.officer);
    const queued = (await officer.list("Release")).find((m) => m.subject === subjects.s1);
    assert.ok(queued, "S1 still in the queue");
    await openQueueItem(o, server.origin, queued.id, P12_PASSWORD);
    await o.findElement(By.id("review")).click();
    await waitOutcome(o, "#review-done");
    assert.match(await o.findElement(By.id("findings")).getText(), /Review findings/);
    await shot(o, "20-s2-review");
    await enterFrame(o, "release");
    await o.findElement(By.id("approve")).click();
    await waitOutcome(o, "#release-done");
    await shot(o, "21-s2-released");

    const bobApi = await Api.login(server.origin, USERS.bob);
    released = await bobApi.waitFor("Inbox", (m) => m.subject === subjects.s1);
    const b = browsers.bob;
    await b.get(`${server.origin}/message/${released.id}`);
    await enterFrame(b, "reader");
    await waitOutcome(b, "[data-verdict]");
    assert.equal(await b.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await b.findElement(By.id("app")).getText());
    assert.equal(await b.findElement(By.css(".precedence")).getAttribute("data-precedence"), "FLASH");
    assert.equal(await b.findElement(By.css(".label-banner")).getAttribute("data-classification"), "SECRET");
    const hp = await b.findElement(By.css(".header-protection"));
    assert.equal(await hp.getAttribute("data-scheme"), "wrapped");
    assert.equal(await hp.getAttribute("data-forwarded"), "no");
    assert.match(await hp.getText(), /intact/);
    assert.equal((await b.findElements(By.css("tr.sig.valid"))).length >= 1, true);
    assert.equal((await b.findElements(By.css("tr.countersig.valid"))).length >= 1, true);
    assert.match(await b.findElement(By.css("table.signatures")).getText(), /officer@army\.example/);
    await shot(b, "22-s2-recipient-reader");

    const aliceApi = await Api.login(server.origin, USERS.alice);
    const dsn = await aliceApi.waitFor("Inbox", (m) => /deliver|status|notification/i.test(m.subject ?? ""));
    const a = browsers.alice;
    await a.get(`${server.origin}/message/${dsn.id}`);
    await enterFrame(a, "reader");
    const report = await waitOutcome(a, "section.dsn[data-report=delivery-status]");
    assert.match(await report.getText(), /bob@navy\.example/);
    assert.match(await report.getText(), /delivered/);
    await shot(a, "23-s2-originator-dsn");
  });

  test("3: a message returned with a reason reaches the originator as a notice", async () => {
    const a = browsers.alice;
    await a.get(`${server.origin}/compose`);
    await enterFrame(a, "compose");
    await fillCompose(a, { to: USERS.bob.address, precedence: "3", classification: "3", subject: subjects.s3, body: "Please release.", password: P12_PASSWORD });
    await a.findElement(By.id("send")).click();
    await waitOutcome(a, "#send-done");

    const officer = await Api.login(server.origin, USERS.officer);
    const queued = await officer.waitFor("Release", (m) => m.subject === subjects.s3);
    const o = browsers.officer;
    await o.get(`${server.origin}/folder/Release`);
    await enterFrame(o, "release");
    await (await o.wait(until.elementLocated(By.css(`.queue-item[data-id="${queued.id}"] .queue-open`)), 30000)).click();
    await o.findElement(By.id("officer-password")).sendKeys(P12_PASSWORD);
    await o.findElement(By.id("return-reason")).sendKeys("Classification too high for this recipient");
    await o.findElement(By.id("return")).click();
    await waitOutcome(o, "#release-done");
    await shot(o, "30-s3-returned");

    const aliceApi = await Api.login(server.origin, USERS.alice);
    const raw = async (m) => (await aliceApi.raw(m.id)).toString("latin1");
    const end = Date.now() + 30000;
    let notice = null;
    while (!notice && Date.now() < end) {
      for (const m of await aliceApi.list("Inbox")) if ((await raw(m)).includes("Classification too high")) notice = m;
      if (!notice) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(notice, "the originator received the return notice");
    await a.get(`${server.origin}/message/${notice.id}`);
    await enterFrame(a, "reader");
    const rep = await waitOutcome(a, "section.dsn");
    assert.match(await a.findElement(By.id("app")).getText(), /Classification too high/);
    assert.match(await rep.getText(), /failed/);
    await shot(a, "31-s3-originator-notice");
  });

  test("4: a message altered in the store after delivery shows as invalid", async () => {
    assert.ok(released, "needs scenario 2");
    tamperStored(server.data, released.id, "ATTACK AT DAWN", "ATTACK AT DUSK");
    const b = browsers.bob;
    await b.get(`${server.origin}/message/${released.id}`);
    await enterFrame(b, "reader");
    await waitOutcome(b, "[data-verdict]");
    const verdict = await b.findElement(By.css("[data-verdict]"));
    assert.equal(await verdict.getAttribute("data-verdict"), "invalid");
    assert.match(await verdict.getText(), /NOT VERIFIED/);
    // the headline and the first problem listed are the report's first problem (its cause)
    const bobApi = await Api.login(server.origin, USERS.bob);
    const report = verifyReport(server.data, await bobApi.raw(released.id), tmp);
    assert.equal(report.valid, false);
    const first = report.problems[0]?.code;
    assert.ok(first, "the core reports why the message is not valid");
    assert.equal(await verdict.getAttribute("data-code"), first);
    const shown = await b.findElements(By.css(".problems-section li.problem"));
    assert.equal(await shown[0]?.getAttribute("data-code"), first);
    const codes = await Promise.all(shown.map((e) => e.getAttribute("data-code")));
    assert.deepEqual(codes.slice(0, report.problems.length), report.problems.map((p) => p.code), "problems in the report's order");
    // nothing is styled or worded as success beside the invalid verdict — not even the officer's
    // countersignature, which is over the (unchanged) signature value and still verifies
    const app = b.findElement(By.id("app"));
    assert.deepEqual(await Promise.all((await app.findElements(By.css(".ok, .valid, .badge.ok, [data-verdict=valid]"))).map((e) => e.getAttribute("outerHTML"))), []);
    const text = await app.getText();
    for (const w of [/✔/, /\bintact\b/, /countersignature valid/, /valid, trusted/]) assert.doesNotMatch(text, w);
    await shot(b, "40-s4-tampered");
  });

  test("5: a forwarded=yes attachment and a forwarded=no wrapper are rendered differently", async () => {
    // Forward an intact copy: the released message as the officer submitted it (officer's Sent).
    const officer = await Api.login(server.origin, USERS.officer);
    const sent = (await officer.list("Sent")).find((m) => m.subject === subjects.s1);
    assert.ok(sent, "officer's sent copy of the released message");
    const eml = join(tmp, "released.eml");
    writeFileSync(eml, await officer.raw(sent.id));
    const b = browsers.bob;
    await b.get(`${server.origin}/compose`);
    await enterFrame(b, "compose");
    await fillCompose(b, { to: USERS.alice.address, precedence: "1", classification: "1", subject: subjects.s5, body: "Forwarding the released order.", forwardFile: eml, receipt: true, password: P12_PASSWORD });
    await b.findElement(By.id("send")).click();
    await waitOutcome(b, "#send-done");

    const aliceApi = await Api.login(server.origin, USERS.alice);
    const bobApi = await Api.login(server.origin, USERS.bob);
    const fwd = await aliceApi.waitFor("Inbox", (m) => m.subject === subjects.s5);
    const a = browsers.alice;
    await a.get(`${server.origin}/message/${fwd.id}`);
    await enterFrame(a, "reader");
    await waitOutcome(a, "[data-verdict]");
    const art = await a.findElement(By.css("article.forwarded"));
    assert.equal(await art.getAttribute("data-forwarded"), "yes");
    assert.equal(await a.findElement(By.css("section.content")).getAttribute("data-header-source"), "protected-inner");
    await shot(a, "50-s5-forwarded-yes");

    // The forwarded=no wrapper: the released S1 as the officer submitted it (his Sent copy, intact)
    // is shown as the message itself (its protected inner header), not as an attachment.
    const o = browsers.officer;
    await o.get(`${server.origin}/message/${sent.id}`);
    await enterFrame(o, "reader");
    await waitOutcome(o, "[data-verdict]");
    assert.equal(await o.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await o.findElement(By.id("app")).getText());
    assert.equal(await o.findElement(By.css(".header-protection")).getAttribute("data-forwarded"), "no");
    assert.equal(await o.findElement(By.css("section.content")).getAttribute("data-header-source"), "protected-inner");
    assert.equal((await o.findElements(By.css("article.forwarded"))).length, 0);
    await shot(o, "51-s5-forwarded-no");

    // The receipt request of the forwarding message: alice honours it; bob gets the MDN.
    await a.get(`${server.origin}/message/${fwd.id}`);
    await enterFrame(a, "reader");
    await waitOutcome(a, "section.receipt");
    await a.findElement(By.id("receipt-send")).click();
    await waitOutcome(a, "section.receipt[data-receipt=sent]");
    await shot(a, "52-s5-receipt-sent");
    const mdn = await bobApi.waitFor("Inbox", (m) => /^Disposition notification/.test(m.subject ?? ""));
    await b.get(`${server.origin}/message/${mdn.id}`);
    await enterFrame(b, "reader");
    const dn = await waitOutcome(b, "section.dsn[data-report=disposition-notification]");
    assert.match(await dn.getText(), /displayed/);
    await shot(b, "53-s5-mdn-received");
  });

  test("6 (beyond the five): an encrypted message is decrypted and verified only inside the extension", async () => {
    // bob (not subject to release) encrypts to alice with her certificate from his settings
    const b = browsers.bob;
    await b.get(`${base.bob}/options.html`);
    await b.wait(until.elementLocated(By.id("correspondents")), 10000);
    await b.findElement(By.id("correspondents")).sendKeys(readFileSync(join(server.data, "pki", "alice@army.example.cert.pem"), "utf8"));
    await b.findElement(By.id("correspondents-save")).click();
    await b.wait(until.elementLocated(By.xpath("//*[contains(text(),'certificate(s) saved')]")), 10000);
    assert.match(await b.findElement(By.id("correspondents-list")).getText(), /alice@army\.example/);
    await b.get(`${server.origin}/compose`);
    await enterFrame(b, "compose");
    await fillCompose(b, { to: USERS.alice.address, precedence: "2", classification: "3", subject: subjects.s6, body: "Sealed orders: rendezvous at grid 1234.", password: P12_PASSWORD });
    await b.findElement(By.id("opt-encrypt")).click();
    await b.findElement(By.id("send")).click();
    await waitOutcome(b, "#send-done");

    const aliceApi = await Api.login(server.origin, USERS.alice);
    const msg = await aliceApi.waitFor("Inbox", (m) => m.subject === subjects.s6);
    assert.doesNotMatch((await aliceApi.raw(msg.id)).toString("latin1"), /rendezvous/, "the store holds ciphertext only");
    const a = browsers.alice;
    await a.get(`${server.origin}/message/${msg.id}`);
    await enterFrame(a, "reader");
    await a.wait(until.elementLocated(By.id("key-password")), 15000);
    await shot(a, "54-s6-encrypted-unlock");
    await enterFrame(a, "reader");
    await a.findElement(By.id("key-password")).sendKeys(P12_PASSWORD);
    await a.findElement(By.css("form.unlock [type=submit]")).click();
    await waitOutcome(a, "[data-verdict]");
    assert.equal(await a.findElement(By.css("[data-verdict]")).getAttribute("data-verdict"), "valid", await a.findElement(By.id("app")).getText());
    const app = await a.findElement(By.id("app")).getText();
    assert.match(app, /enveloped/i);
    assert.match(app, /rendezvous at grid 1234/);
    assert.equal(await a.findElement(By.css(".label-banner")).getAttribute("data-classification"), "CONFIDENTIAL");
    await shot(a, "55-s6-decrypted");
  });
});
