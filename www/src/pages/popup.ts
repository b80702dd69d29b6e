/**
 * Toolbar popup: the state a user needs at a glance — personal key (locked, or unlocked until a
 * time: shared/key-lock.ts; unlock with the password once, lock at any time), how many trust anchors, whether the active tab is a
 * webmail the extension is connected to (its content script answers `whoami`) — and a link to
 * the settings. It decides nothing and sends nothing to the webmail.
 */
import { byId, h } from "../shared/dom.js";
import { parseMessage, type Result, type WebmailResult } from "../shared/messages.js";
import { errorBox } from "../shared/problem-ui.js";
import { currentLock, lockKey, unlockIdentity } from "../shared/key-lock.js";
import { loadSettings, type Settings } from "../shared/settings.js";

const root = byId("app");

function row(label: string, value: string, state: "ok" | "warn" | "neutral", id: string): HTMLElement {
  return h("div", { class: `status-row ${state}`, id, "data-state": state }, h("dt", {}, label), h("dd", {}, value));
}

/** The active tab's content script, asked who is logged in (null: not a connected webmail). */
async function connectedWebmail(): Promise<string | null | undefined> {
  const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
  if (tab?.id === undefined) return undefined;
  const request = { type: "adapter", body: { op: "whoami" } };
  if (!parseMessage(request)) return undefined;
  try {
    const reply = await chrome.tabs.sendMessage<typeof request, Result<WebmailResult> | undefined>(tab.id, request, { frameId: 0 });
    if (reply?.ok && reply.value.op === "whoami") return reply.value.user;
    return undefined;
  } catch {
    return undefined; // no content script of ours in that tab
  }
}

async function main(): Promise<void> {
  const s = await loadSettings();
  const webmail = await connectedWebmail();
  const settings = h("a", { href: chrome.runtime.getURL("options.html"), id: "open-settings", target: "_blank", rel: "noopener" }, "Settings");
  settings.addEventListener("click", (ev) => {
    ev.preventDefault();
    void chrome.runtime.openOptionsPage();
  });
  root.append(
    h("h1", {}, "MMHS"),
    h(
      "dl",
      { class: "status" },
      s.identity ? await keyRow(s) : row("Personal key", "none imported", "warn", "status-key"),
      row("Trust anchors", s.trustAnchors.length > 0 ? `${String(s.trustAnchors.length)} configured` : "none — no signer can be trusted", s.trustAnchors.length > 0 ? "ok" : "warn", "status-anchors"),
      webmail === undefined
        ? row("Webmail", "this tab is not a connected webmail", "neutral", "status-webmail")
        : row("Webmail", webmail ? `connected as ${webmail}` : "connected (not logged in)", "ok", "status-webmail"),
    ),
    settings,
  );
  if (s.identity) root.append(await lockControls(s));
}

async function keyRow(s: Settings): Promise<HTMLElement> {
  const { state } = await currentLock(s.identity);
  const who = s.identity?.address ?? "";
  return state.state === "unlocked"
    ? row("Personal key", `${who} — unlocked until ${new Date(state.expiresAt).toLocaleTimeString()}`, "ok", "status-key")
    : row("Personal key", `${who} — locked (unlock once to sign and decrypt for ${String(s.unlockMinutes)} min)`, "neutral", "status-key");
}

/** Unlock (the password once) or Lock now; the popup is redrawn after either. */
async function lockControls(s: Settings): Promise<HTMLElement> {
  const out = h("div", { id: "lock-out" });
  const { state } = await currentLock(s.identity);
  if (state.state === "unlocked") {
    const lock = h("button", { type: "button", id: "lock-key" }, "Lock now");
    lock.addEventListener("click", () => void lockKey().then(redraw, (err: unknown) => { out.append(errorBox(err, "Lock")); }));
    return h("div", { class: "lock" }, lock, out);
  }
  const pw = h("input", { type: "password", id: "unlock-password", autocomplete: "current-password" });
  const unlock = h("button", { type: "submit", id: "unlock-key" }, "Unlock");
  const form = h("form", { class: "lock" }, h("label", { for: "unlock-password" }, "Key password"), pw, unlock, out);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const identity = s.identity;
    if (!identity) return;
    unlockIdentity(identity, pw.value, s.unlockMinutes).then(redraw, (err: unknown) => {
      pw.value = "";
      out.replaceChildren(errorBox(err, "Not unlocked"));
    });
  });
  return form;
}

function redraw(): void {
  root.replaceChildren();
  main().catch((err: unknown) => { root.append(errorBox(err, "MMHS")); });
}

main().catch((err: unknown) => { root.append(errorBox(err, "MMHS")); });
