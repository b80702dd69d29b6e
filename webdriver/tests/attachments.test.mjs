// A large signed message with attachments in the reader, against a real `mmhs serve`: alice's
// signed message (header protection, signed by `mmhs sign` with her demo key) carries a 10 MiB
// attachment, an HTML file and an SVG file that both try to run script. Bob's reader verifies
// it in the core worker (progress shown, the page keeps running: its animation-frame and timer
// ticks during verification are counted), lists the attachments from the core's content view
// (names, media types, sizes), downloads the large one as application/octet-stream with the
// exact bytes, and opens the HTML and SVG ones as plain text — no script runs. Fails with the
// reason when `mmhs serve` or the wasm core's readContent / attachmentBytes is missing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { By, until } from "selenium-webdriver";
import { launch } from "../lib/browser.mjs";
import { MMHS_BIN, buildExtension, scenarioPreamble, tempDir } from "../lib/env.mjs";
import { startServer } from "../lib/server.mjs";
import { configureExtension, enterFrame, shot, waitOutcome, webmailLogin } from "../lib/ui.mjs";
import { Api, USERS, caPem, makePkcs12 } from "../lib/webmail.mjs";

const preamble = scenarioPreamble("attachments", buildExtension(null), { exports: ["verify", "readContent", "attachmentBytes"] });

const BIG = 10 * 1024 * 1024;
const HTML = "<!doctype html><html><body><script>document.title='pwned';try{parent.postMessage('pwned','*')}catch(e){}</script>html attachment</body></html>";
const SVG = "<svg xmlns='http://www.w3.org/2000/svg' onload=\"document.title='pwned'\"><script>parent.postMessage('pwned','*')</script></svg>";

/** 10 MiB of deterministic, incompressible-looking bytes. */
function bigBytes() {
  const out = Buffer.alloc(BIG);
  let block = createHash("sha256").update("mmhs-attachment").digest();
  for (let i = 0; i < BIG; i += 32) {
    block.copy(out, i);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}

function base64Lines(buf) {
  return buf.toString("base64").replace(/.{76}/g, "$&\r\n");
}

function unsignedMessage(subject, big) {
  const b = "mixed-boundary-1";
  return [
    "From: Alice Originator <alice@army.example>",
    "To: bob@navy.example",
    `Subject: ${subject}`,
    "Date: Mon, 23 Nov 2026 12:00:00 +0000",
    `Message-ID: <${Date.now()}.big@army.example>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed; boundary="${b}"`,
    "",
    `--${b}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Gr=C3=BC=C3=9Fe: the plan is attached.",
    `--${b}`,
    "Content-Type: application/octet-stream",
    // RFC 2231 name in UTF-8 with a path the reader must strip
    "Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fpl%C3%A4n.bin",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(big),
    `--${b}`,
    'Content-Type: text/html; charset=utf-8; name="page.html"',
    'Content-Disposition: attachment; filename="page.html"',
    "",
    HTML,
    `--${b}`,
    "Content-Type: image/svg+xml",
    'Content-Disposition: attachment; filename="=?utf-8?q?dr=C3=B6wing.svg?="',
    "",
    SVG,
    `--${b}--`,
    "",
  ].join("\r\n");
}

describe("large signed message with attachments in the reader", { skip: preamble.skip, concurrency: 1 }, () => {
  before(preamble.check);
  let server;
  let bob;
  let tmp;
  let id;
  let big;
  const subject = `Large signed message ${Date.now()}`;

  before(async () => {
    tmp = tempDir("mmhs-att-");
    server = await startServer();
    big = bigBytes();
    const eml = join(tmp, "big.eml");
    writeFileSync(eml, unsignedMessage(subject, big));
    const pki = join(server.data, "pki");
    const signed = spawnSync(MMHS_BIN, ["sign", eml, "--key", join(pki, "alice@army.example.key.pem"), "--cert", join(pki, "alice@army.example.cert.pem"), "--protect-headers", "--signature-type", "originator"], { maxBuffer: 64 * 1024 * 1024, timeout: 120000 });
    assert.equal(signed.status, 0, `mmhs sign: ${signed.stderr}`);
    assert.ok(signed.stdout.length > BIG, "the signed message is larger than its attachment");
    const api = await Api.login(server.origin, USERS.alice);
    const r = await fetch(`${server.origin}/api/send`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${api.token}` },
      body: JSON.stringify({ raw: signed.stdout.toString("base64"), encoding: "base64", envelope: { mailFrom: USERS.alice.address, rcpts: [{ address: USERS.bob.address }] } }),
    });
    assert.equal(r.status, 200, await r.text());
    const bobApi = await Api.login(server.origin, USERS.bob);
    id = (await bobApi.waitFor("Inbox", (m) => m.subject === subject, 60000)).id;
    const ext = buildExtension(server.origin);
    const b = await launch(ext);
    bob = b.driver;
    await configureExtension(bob, `chrome-extension://${b.extensionId}`, makePkcs12(server.data, USERS.bob.address, "bob-p12", tmp), "bob-p12", caPem(server.data));
    await webmailLogin(bob, server.origin, USERS.bob);
  });

  after(async () => {
    await bob?.quit().catch(() => {});
    await server?.stop();
  });

  test("the reader verifies the 13 MiB message in the core worker, shows progress and stays responsive", async () => {
    await bob.get(`${server.origin}/message/${id}`);
    await enterFrame(bob, "reader", 60000);
    // progress while the worker runs (the status line is replaced by the report afterwards)
    const seen = await bob.wait(async () => {
      const status = await bob.findElements(By.css(".status[data-state=verifying]"));
      if (status.length > 0) return (await status[0].getText().catch(() => "")) || null;
      return (await bob.findElements(By.css("[data-verdict]"))).length > 0 ? "done" : null;
    }, 60000);
    if (seen !== "done") assert.match(seen, /Verifying… 1[34]\.\d MiB/);
    const verdict = await waitOutcome(bob, "[data-verdict]", 180000);
    assert.equal(await verdict.getAttribute("data-verdict"), "valid", await verdict.getText());
    // the page ran animation frames and timers while the worker verified: not frozen
    const ticks = Number(await bob.findElement(By.id("app")).getAttribute("data-ui-ticks"));
    assert.ok(ticks > 1, `the page ticked ${ticks} time(s) during verification`);
    await shot(bob, "90-large-message-verified");
  });

  test("the attachments come from the core: safe decoded names, media types, decoded sizes", async () => {
    await enterFrame(bob, "reader");
    const rows = await bob.wait(until.elementsLocated(By.css("li.attachment")), 30000);
    assert.equal(rows.length, 3);
    const read = async (r) => ({
      name: await r.findElement(By.css(".attachment-name")).getText(),
      type: await r.getAttribute("data-media-type"),
      size: Number(await r.getAttribute("data-size")),
    });
    const got = [];
    for (const r of rows) got.push(await read(r));
    assert.deepEqual(got[0], { name: "plän.bin", type: "application/octet-stream", size: BIG });
    assert.deepEqual(got[1], { name: "page.html", type: "text/html", size: Buffer.byteLength(HTML) });
    assert.deepEqual(got[2], { name: "dröwing.svg", type: "image/svg+xml", size: Buffer.byteLength(SVG) });
    const body = await bob.findElement(By.css("section.content pre.body")).getText();
    assert.match(body, /Grüße: the plan is attached\./);
  });

  test("Download gives the exact bytes as application/octet-stream", async () => {
    await enterFrame(bob, "reader");
    const row = await bob.findElement(By.css('li.attachment[data-attachment-index="0"]'));
    await row.findElement(By.css(".attachment-download")).click();
    const link = await bob.wait(until.elementLocated(By.css('li.attachment[data-attachment-index="0"] a.attachment-saved')), 60000);
    assert.equal(await link.getAttribute("download"), "plän.bin");
    // read the Blob behind the link inside the frame: its type and a digest of its bytes
    const got = await bob.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       fetch(arguments[0]).then(async (r) => {
         const b = await r.blob();
         const d = await crypto.subtle.digest("SHA-256", await b.arrayBuffer());
         done({ type: b.type, size: b.size, sha: Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, "0")).join("") });
       }, (e) => done({ error: String(e) }));`,
      await link.getAttribute("href"),
    );
    assert.deepEqual(got, { type: "application/octet-stream", size: BIG, sha: createHash("sha256").update(big).digest("hex") });
  });

  test("Open shows HTML and SVG attachments as text: no script runs in the extension's origin", async () => {
    await enterFrame(bob, "reader");
    await bob.executeScript("window.__pwned = 0; window.addEventListener('message', (e) => { if (e.data === 'pwned') window.__pwned++; });");
    for (const index of [1, 2]) {
      const row = await bob.findElement(By.css(`li.attachment[data-attachment-index="${index}"]`));
      await row.findElement(By.css(".attachment-open")).click();
      const pre = await bob.wait(until.elementLocated(By.css(`li.attachment[data-attachment-index="${index}"] pre[data-preview=text]`)), 30000);
      assert.equal(await pre.getText(), index === 1 ? HTML : SVG);
    }
    await bob.sleep(500); // give any script that could have run the chance to post
    const state = await bob.executeScript("return { title: document.title, pwned: window.__pwned, frames: document.querySelectorAll('iframe, object, embed, svg, img').length };");
    assert.deepEqual(state, { title: "MMHS reader", pwned: 0, frames: 0 });
    await shot(bob, "91-attachments-opened-as-text");
    await bob.switchTo().defaultContent();
    assert.notEqual(await bob.getTitle(), "pwned");
  });
});
