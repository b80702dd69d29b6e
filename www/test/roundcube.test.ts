import { test } from "node:test";
import assert from "node:assert/strict";
import { messageKey, parseMessageKey, parseSendReply, roundcubeEndpoints, roundcubeViewFromUrl } from "../src/adapters/roundcube.js";
import { adapterFor } from "../src/adapters/registry.js";
import { originOfScriptId, webmailOrigin } from "../src/shared/origins.js";

const base = new URL("https://mail.example.org/roundcube/?_task=mail&_mbox=INBOX");

test("Roundcube views from URLs (elastic skin)", () => {
  const v = (q: string) => roundcubeViewFromUrl(new URL(`https://mail.example.org/roundcube/${q}`));
  assert.deepEqual(v("?_task=mail&_action=compose&_id=123abc"), { kind: "compose" });
  assert.deepEqual(v("?_task=mail&_mbox=INBOX&_uid=17&_action=show"), { kind: "read", messageId: "INBOX/17", folder: "INBOX" });
  assert.deepEqual(v("?_task=mail&_mbox=Lists%2Fmmhs&_uid=3&_action=show"), { kind: "read", messageId: "Lists/mmhs/3", folder: "Lists/mmhs" });
  assert.deepEqual(v("?_task=mail&_mbox=Sent"), { kind: "list", folder: "Sent" });
  assert.deepEqual(v("?_task=mail&_uid=1%2C2&_action=show"), { kind: "other" }, "a UID list is not one message");
  assert.deepEqual(v("?_task=mail&_uid=abc&_action=show"), { kind: "other" });
  assert.deepEqual(v("?_task=settings"), { kind: "other" });
  assert.deepEqual(v("?_task=login"), { kind: "other" });
});

test("Roundcube message keys round-trip; only MBOX/UID with a numeric UID", () => {
  assert.deepEqual(parseMessageKey(messageKey("INBOX", "42")), { mbox: "INBOX", uid: "42" });
  assert.deepEqual(parseMessageKey("a/b/7"), { mbox: "a/b", uid: "7" });
  assert.equal(parseMessageKey("INBOX/1:*"), null);
  assert.equal(parseMessageKey("INBOX/"), null);
  assert.equal(parseMessageKey("42"), null);
});

test("Roundcube endpoints: exact source with _save=1 and the token; send is the plugin action", () => {
  const e = roundcubeEndpoints(base, "tok123456");
  const raw = new URL(e.raw("INBOX/17"));
  assert.equal(raw.origin + raw.pathname, "https://mail.example.org/roundcube/");
  assert.deepEqual(Object.fromEntries(raw.searchParams), { _task: "mail", _action: "viewsource", _uid: "17", _mbox: "INBOX", _save: "1", _token: "tok123456" });
  assert.equal(e.send, "https://mail.example.org/roundcube/?_task=mail&_action=plugin.mmhs-send");
  // a mailbox name cannot smuggle parameters
  const odd = new URL(e.raw("A&_action=delete/5"));
  assert.equal(odd.searchParams.get("_action"), "viewsource");
  assert.equal(odd.searchParams.get("_mbox"), "A&_action=delete");
  assert.throws(() => e.raw("INBOX/1,2"), /Not a Roundcube message id/);
});

test("the plugin's send reply: only ok:true with HTTP 200 is sent; dropped parameters are reported", () => {
  assert.deepEqual(parseSendReply(200, { ok: true, accepted: ["b@navy.example"], rejected: [], sentId: "Sent/4", dropped: ["MT-PRIORITY", "<b>x</b>", 7] }), { id: "Sent/4", notCarried: ["MT-PRIORITY"], rejected: [] });
  assert.deepEqual(parseSendReply(200, { ok: true, rejected: [{ address: "c@x.example", reply: "550" }] }), { id: null, notCarried: [], rejected: ["c@x.example"] });
  // the SMTP server's reply to the data: mmhs serve's submission agent says when it diverted the message
  assert.equal(parseSendReply(200, { ok: true, reply: "250 2.0.0 Queued as t-17 for release authorisation" }).releaseQueue, true);
  assert.equal(parseSendReply(200, { ok: true, reply: "250 2.0.0 Ok: queued as 4Xz" }).releaseQueue, false);
  assert.equal("releaseQueue" in parseSendReply(200, { ok: true }), false, "no reply → not said, never assumed");
  assert.throws(() => parseSendReply(200, { accepted: ["b@navy.example"] }), (e: { code?: string }) => e.code === "webmail-http-error", "no ok member → not sent");
  assert.throws(() => parseSendReply(200, { ok: "true" }), (e: { code?: string }) => e.code === "webmail-http-error");
  assert.throws(() => parseSendReply(200, null), (e: { code?: string }) => e.code === "webmail-http-error", "a login page (not JSON) → not sent");
  assert.throws(() => parseSendReply(422, { ok: true }), (e: { code?: string }) => e.code === "webmail-http-error");
  assert.throws(() => parseSendReply(403, { ok: false, code: "csrf-token-invalid", message: "The request token is missing or wrong." }), /csrf-token-invalid/);
});

test("no Roundcube adapter without the plugin's page marker", () => {
  assert.equal(adapterFor(new URL("https://mail.example.org/")), null);
  assert.equal(adapterFor(new URL("https://mail.example.org/"), null), null);
});

test("webmail origins chosen at run time: concrete http(s) origins only", () => {
  assert.deepEqual(webmailOrigin("https://mail.example.org/roundcube/?_task=mail"), { origin: "https://mail.example.org", pattern: "https://mail.example.org/*", scriptId: "webmail:https://mail.example.org" });
  assert.equal(webmailOrigin("http://127.0.0.1:8080/").pattern, "http://127.0.0.1:8080/*");
  assert.equal(originOfScriptId(webmailOrigin("https://a.example:8443/x").scriptId), "https://a.example:8443");
  assert.equal(originOfScriptId("other-script"), null);
  for (const bad of ["", "mail.example.org", "*://*/*", "https://*.example.org/", "https://*/", "javascript:alert(1)", "file:///etc/passwd", "ftp://mail.example.org/", "https://user:pw@mail.example.org/", "http://mail.example.org/", "chrome-extension://abc/"]) {
    assert.throws(() => webmailOrigin(bad), (e: { code?: string }) => e.code === "webmail-origin-invalid", bad);
  }
});
