// The officer's Release queue in the browser, against a real `mmhs serve` (loopback, ephemeral
// ports, demo PKI) with the real wasm core in the extension: alice's drafts wait for release
// (the demo release policy), the queue is worked highest precedence first, then longest waiting
// (profile §6.1 item 5, RFC 6710; docs/server.md "Release queue"), and each draft shows its
// submission time and its deadline (DELIVERBY, RFC 2852 §4, from compose's latest delivery time).
// Fails with the reason when `mmhs serve` or a wasm function is missing — never skipped.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { By } from "selenium-webdriver";
import { buildExtension, scenarioPreamble, serveAvailable, tempDir } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { enterFrame, fillCompose, launchDemoUsers, quitAll, shot, waitOutcome } from "../lib/ui.mjs";
import { Api, USERS } from "../lib/webmail.mjs";

const P12_PASSWORD = "e2e-key-password";

const probeDir = buildExtension(null);
const preamble = scenarioPreamble("queue", probeDir, { exports: ["verify", "compose", "release", "importPkcs12"] });

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const iso = (unixSeconds) => new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("release queue by precedence then waiting time (chromium + extension + mmhs serve)", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let browsers = {};
  const tmp = tempDir("mmhs-e2e-queue-");
  const stamp = Date.now();
  const subjects = { routineOld: `Routine first ${stamp}`, routineNew: `Routine second ${stamp}`, flash: `Flash last ${stamp}` };

  before(async () => {
    assert.equal(serveAvailable(), null);
    server = await startServer();
    ({ browsers } = await launchDemoUsers(server, P12_PASSWORD, tmp));
  });

  after(async () => {
    await quitAll(browsers);
    await server?.stop();
  });

  /** alice composes and sends through the extension; `latestInMinutes` sets a DELIVERBY deadline. */
  async function submit(subject, precedence, latestInMinutes) {
    const a = browsers.alice;
    await a.get(`${server.origin}/compose`);
    await enterFrame(a, "compose");
    await fillCompose(a, { to: USERS.bob.address, precedence, classification: "3", subject, body: `Queue order test: ${subject}.`, password: P12_PASSWORD });
    let deadline = null;
    if (latestInMinutes !== undefined) {
      // datetime-local takes the browser's local time; the core turns it into RFC 3339 UTC.
      deadline = await a.executeScript(
        `const d = new Date(Date.now() + arguments[0] * 60000); d.setSeconds(0, 0);
         const p = (n) => String(n).padStart(2, "0");
         document.getElementById("latest").value = d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes());
         return d.toISOString().replace(/\\.\\d{3}Z$/, "Z");`,
        latestInMinutes,
      );
    }
    await a.findElement(By.id("send")).click();
    await waitOutcome(a, "#send-done");
    return deadline;
  }

  test("alice's ROUTINE, ROUTINE, FLASH drafts: the officer's queue lists FLASH first, then the ROUTINE by waiting time, with submission time and deadline", async () => {
    const deadline = await submit(subjects.routineOld, "1", 120);
    assert.match(deadline, RFC3339);
    // distinct submission seconds: the older ROUTINE has waited longer
    await new Promise((r) => setTimeout(r, 1100));
    await submit(subjects.routineNew, "1");
    await new Promise((r) => setTimeout(r, 1100));
    await submit(subjects.flash, "4");

    // The webmail's listing (what the extension is given).
    const officer = await Api.login(server.origin, USERS.officer);
    await officer.waitFor("Release", (m) => m.subject === subjects.flash);
    const ours = new Set(Object.values(subjects));
    const listed = (await officer.list("Release")).filter((m) => ours.has(m.subject));
    const bySubject = Object.fromEntries(listed.map((m) => [m.subject, m]));
    const expected = [subjects.flash, subjects.routineOld, subjects.routineNew];
    assert.deepEqual(listed.map((m) => m.subject), expected, "the API lists precedence first, then waiting time");
    assert.ok(bySubject[subjects.routineOld].receivedAt < bySubject[subjects.routineNew].receivedAt);
    assert.ok(bySubject[subjects.routineNew].receivedAt < bySubject[subjects.flash].receivedAt, "FLASH was submitted last");
    // BY is relative (RFC 2852 §4) and handed over in whole seconds rounded down (never more time
    // than the originator allowed): the queue's deadline is the compose deadline or up to 2 s before.
    const queued = bySubject[subjects.routineOld].deadline;
    assert.match(queued, RFC3339);
    assert.ok(Date.parse(queued) <= Date.parse(deadline) && Date.parse(queued) >= Date.parse(deadline) - 2000, `${queued} vs ${deadline}`);

    const o = browsers.officer;
    await o.get(`${server.origin}/folder/Release`);
    // The reference webmail's own table: the same order, Submitted and Deadline columns.
    const rows = await o.findElements(By.css("#message-list tbody tr"));
    const rowIds = [];
    for (const r of rows) rowIds.push(await r.getAttribute("data-id"));
    assert.deepEqual(rowIds.filter((id) => listed.some((m) => String(m.id) === id)), expected.map((s) => String(bySubject[s].id)));

    // The extension's release page: each draft verified and summarised, in the webmail's order.
    await enterFrame(o, "release");
    await o.wait(async () => (await o.findElements(By.css(".queue-item .q-times"))).length >= expected.length, 60000);
    const items = await o.findElements(By.css("li.queue-item"));
    const seen = [];
    for (const li of items) {
      const id = await li.getAttribute("data-id");
      const m = listed.find((x) => String(x.id) === id);
      if (!m) continue;
      seen.push(m.subject);
      const prec = await li.findElement(By.css(".prec"));
      assert.equal(await prec.getText(), m.subject === subjects.flash ? "FLASH" : "ROUTINE");
      assert.equal(await prec.getAttribute("data-verified"), "true");
      assert.equal(await li.findElement(By.css(".q-subject")).getText(), m.subject);
      const submitted = await li.findElement(By.css(".q-submitted time"));
      assert.equal(await submitted.getAttribute("datetime"), iso(m.receivedAt));
      assert.equal(await submitted.getText(), iso(m.receivedAt));
      const dl = await li.findElement(By.css(".q-deadline"));
      assert.equal(await dl.getAttribute("data-passed"), "false");
      if (m.subject === subjects.routineOld) {
        const t = await dl.findElement(By.css("time"));
        assert.equal(await t.getAttribute("datetime"), m.deadline);
        assert.equal(await dl.getText(), `Deadline ${m.deadline}`);
      } else {
        assert.equal((await dl.findElements(By.css("time"))).length, 0);
        assert.equal(await dl.getText(), "Deadline none");
      }
    }
    assert.deepEqual(seen, expected, "the release page keeps the queue order: FLASH, then the ROUTINE that waited longest");
    assert.equal(await o.findElement(By.css("#app h2")).getText(), `Release queue (${listed.length} waiting)`);
    await shot(o, "86-queue-order");
  });
});
