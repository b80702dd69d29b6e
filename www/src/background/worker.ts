/**
 * MV3 service worker: routes the typed catalogue. Holds no state in memory that matters — the
 * stash of raw messages handed from the content script to the frames lives in
 * chrome.storage.session (trusted contexts only, survives the worker being stopped). The
 * settings in chrome.storage.local are restricted to trusted contexts too, at every start
 * (content scripts run in the webmail page's renderer: they neither read nor write them).
 */
import { fail, ok, parseMessage, type AnyMessage, type Result, type StashEntry, type WebmailResult } from "../shared/messages.js";
import { EXTENSION_CODES } from "../shared/problems.js";
import { lockKey } from "../shared/key-lock.js";
import { loadSettings, protectSettingsStorage } from "../shared/settings.js";
import { handleStash, isExtensionPage, pruneStash } from "./stash.js";

const startedAt = Date.now();

function protectStorage(): void {
  void chrome.storage.session.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" });
  // A browser that cannot: every page refuses to use the settings (`settings-unprotected`).
  protectSettingsStorage(chrome.storage.local).catch(() => undefined);
}

chrome.runtime.onInstalled.addListener(protectStorage);
protectStorage();

// The unlocked personal key (shared/key-lock.ts) does not outlive the browser session: wiped at
// start-up (its session marker is gone anyway), and when the machine locks or stays idle for
// the whole unlock period.
chrome.runtime.onStartup.addListener(() => { lockKey().catch(() => undefined); });
loadSettings()
  .then((s) => { chrome.idle.setDetectionInterval(Math.max(15, s.unlockMinutes * 60)); })
  .catch(() => { chrome.idle.setDetectionInterval(60); });
chrome.idle.onStateChanged.addListener((state) => {
  if (state !== "active") lockKey().catch(() => undefined);
});

chrome.runtime.onMessage.addListener((raw: unknown, sender, sendResponse: (r: Result<unknown>) => void) => {
  if (sender.id !== chrome.runtime.id) return false;
  const msg = parseMessage(raw);
  if (!msg) {
    sendResponse(fail(EXTENSION_CODES.badMessage, "Unrecognised message."));
    return false;
  }
  route(msg, sender).then(sendResponse, (err: unknown) => {
    const e = err as { code?: unknown; message?: unknown };
    sendResponse(fail(typeof e.code === "string" ? e.code : EXTENSION_CODES.coreFailed, typeof e.message === "string" ? e.message : String(err)));
  });
  return true; // async reply
});

async function route(msg: AnyMessage, sender: chrome.runtime.MessageSender): Promise<Result<unknown>> {
  const fromPage = isExtensionPage(sender.url ?? "", chrome.runtime.getURL(""));
  switch (msg.type) {
    case "stash.put": {
      // Only the content script (a tab, not an extension page) hands messages in.
      if (fromPage || !sender.tab) return fail(EXTENSION_CODES.badMessage, "stash.put is for the content script.");
      await pruneStash(chrome.storage.session, Date.now());
      const id = await handleStash.put(chrome.storage.session, { ...msg.body, createdAt: Date.now() }, crypto.getRandomValues(new Uint8Array(16)));
      return ok({ id });
    }
    case "stash.get": {
      if (!fromPage) return fail(EXTENSION_CODES.badMessage, "stash.get is for extension frames.");
      const entry: StashEntry | null = await handleStash.get(chrome.storage.session, msg.body.id);
      return entry ? ok(entry) : fail(EXTENSION_CODES.stashMissing, "The message for this panel is no longer available.");
    }
    case "webmail": {
      if (!fromPage) return fail(EXTENSION_CODES.badMessage, "webmail requests come from extension frames.");
      const tabId = sender.tab?.id;
      if (tabId === undefined) return fail(EXTENSION_CODES.adapterNoTab, "This panel is not inside a webmail tab.");
      let reply: unknown;
      try {
        reply = await chrome.tabs.sendMessage(tabId, { type: "adapter", body: msg.body }, { frameId: 0 });
      } catch (err) {
        return fail(EXTENSION_CODES.adapterNoTab, `This panel is not inside a supported webmail page (${err instanceof Error ? err.message : String(err)}).`);
      }
      if (typeof reply !== "object" || reply === null || !("ok" in reply)) {
        return fail(EXTENSION_CODES.adapterNoTab, "The webmail page did not answer; reload it.");
      }
      return reply as Result<WebmailResult>;
    }
    case "adapter":
      return fail(EXTENSION_CODES.badMessage, "adapter messages go to content scripts.");
    case "worker.ping":
      return ok({ startedAt });
  }
}
