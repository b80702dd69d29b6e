/** Settings page: personal key (PKCS#12 import), trust anchors, label catalogue, release policy. */
import { certificateInfo, certificateStatus, coreFunctions, importPkcs12, invoke, useFullCore } from "../core/wasm.js";
import { certificateDetail, statusBadge } from "./certificate-view.js";
import { auditSection, autoReceiptSection } from "./options-audit.js";
import { settingsSection as section } from "./common.js";
import { byId, clear, field, h } from "../shared/dom.js";
import { validateCatalogue } from "../shared/labels.js";
import { UNLOCK_MINUTES, unlockMinutes } from "../shared/key-lock-period.js";
import { originOfScriptId, webmailOrigin, type WebmailOrigin } from "../shared/origins.js";
import { errorBox } from "../shared/problem-ui.js";
import { CodedError, EXTENSION_CODES } from "../shared/problems.js";
import {
  anchorChange,
  authservIds,
  DEFAULT_TRUSTED_AUTHSERV_IDS,
  identityFromImport,
  loadSettings,
  saveSettings,
  saveTrustAnchors,
  updateCorrespondents,
  type AnchorChange,
  type Correspondent,
  type AnchorInfo,
  type Settings,
} from "../shared/settings.js";

const root = byId("app");

/** On each click of `btn`: clear `out`, run `action`, show its error in `out` under `failed`. */
function onClick(btn: HTMLElement, out: HTMLElement, failed: string, action: () => Promise<void>): void {
  btn.addEventListener("click", () => {
    void (async () => {
      clear(out);
      try {
        await action();
      } catch (err) {
        out.append(errorBox(err, failed));
      }
    })();
  });
}


function keySection(s: Settings): HTMLElement {
  const file = h("input", { type: "file", id: "p12-file", accept: ".p12,.pfx,application/x-pkcs12" });
  const pw = h("input", { type: "password", id: "p12-password", autocomplete: "off" });
  const out = h("div", { id: "key-result", "aria-live": "polite" });
  const current = s.identity
    ? h("p", { id: "key-current" }, `Key imported for ${s.identity.address || "(no address in certificate)"} on ${s.identity.importedAt}; stored only as password-encrypted PKCS#8.`)
    : h("p", { id: "key-current" }, "No personal key imported.");
  const btn = h("button", { type: "button", id: "p12-import" }, "Import");
  onClick(btn, out, "Import failed", async () => {
    const f = file.files?.[0];
    if (!f) throw new CodedError(EXTENSION_CODES.formInvalid, "Choose a .p12 / .pfx file.");
    if (pw.value === "") throw new CodedError(EXTENSION_CODES.keyPasswordMissing);
    const bytes = new Uint8Array(await f.arrayBuffer());
    const password = pw.value;
    const result = await importPkcs12(bytes, password);
    const identity = identityFromImport(result, new Date());
    await saveSettings({ identity });
    pw.value = "";
    out.append(h("p", { role: "status", class: "ok" }, `Imported the key of ${identity.address || "(no address)"}. The same password unlocks it when you sign.`));
  });
  return section(
    "Personal key",
    "key",
    current,
    field("PKCS#12 file (.p12 / .pfx)", file),
    field("PKCS#12 password", pw, "The key is re-encrypted with this password (PKCS#8 PBES2) and never stored in the clear."),
    btn,
    out,
  );
}

function anchorList(id: string, title: string, items: readonly AnchorInfo[]): HTMLElement | null {
  if (items.length === 0) return null;
  return h(
    "div",
    {},
    h("h3", {}, title),
    h("ul", { id }, ...items.map((a) => h("li", { "data-sha256": a.sha256 }, h("span", { class: "anchor-subject" }, a.subject), h("br", {}), h("code", { class: "anchor-fingerprint" }, `SHA-256 ${a.sha256}`)))),
  );
}

/**
 * The confirmation of a trust-anchor change: every added and removed anchor by subject and
 * SHA-256 fingerprint; nothing is stored until the user confirms.
 */
function confirmAnchors(change: AnchorChange, out: HTMLElement, done: (saved: Settings) => void): HTMLElement {
  const confirm = h("button", { type: "button", id: "anchors-confirm" }, "Confirm trust anchor change");
  const cancel = h("button", { type: "button", id: "anchors-cancel" }, "Cancel");
  const panel = h(
    "div",
    { id: "anchors-confirmation", role: "alertdialog", "aria-labelledby": "anchors-confirmation-h" },
    h("h3", { id: "anchors-confirmation-h" }, "Confirm the trust anchor change"),
    h("p", {}, "Messages signed under a trust anchor are shown as trusted. Compare each fingerprint with one obtained from its authority by another channel."),
    anchorList("anchors-added", `Add (${change.added.length})`, change.added),
    anchorList("anchors-removed", `Remove (${change.removed.length})`, change.removed),
    confirm,
    cancel,
  );
  onClick(confirm, out, "Not saved", async () => {
    const saved = await saveTrustAnchors(change, certificateInfo);
    out.append(h("p", { role: "status", class: "ok" }, `${saved.trustAnchors.length} trust anchor(s) saved.`));
    done(saved);
  });
  cancel.addEventListener("click", () => {
    clear(out);
    out.append(h("p", { role: "status" }, "Trust anchors unchanged."));
  });
  return panel;
}

function anchorsSection(s: Settings): HTMLElement {
  const ta = h("textarea", { id: "trust-anchors", rows: 8, spellcheck: false });
  ta.value = s.trustAnchors.join("\n");
  let stored = s.trustAnchors;
  const out = h("div", { "aria-live": "polite" });
  const btn = h("button", { type: "button", id: "anchors-save" }, "Review trust anchor change");
  onClick(btn, out, "Not saved", async () => {
    // the core reads the certificates (subject, fingerprint, canonical PEM)
    const change = await anchorChange(stored, ta.value, certificateInfo);
    if (change.added.length === 0 && change.removed.length === 0) {
      out.append(h("p", { role: "status" }, "No change to the trust anchors."));
      return;
    }
    out.append(confirmAnchors(change, out, (saved) => { stored = saved.trustAnchors; }));
  });
  return section("Trust anchors", "anchors", field("Root certificates (PEM, one or more)", ta), btn, out);
}

/**
 * One correspondent's row: its addresses, where it came from, the core's status now (an
 * expired or untrusted certificate is shown so and is not used for encryption), Details
 * (the certificate detail view with its chain) and Remove.
 */
function correspondentRow(c: Correspondent, s: Settings, removed: () => void): HTMLElement {
  const detail = h("div", { class: "correspondent-detail" });
  const status = h("span", { class: "correspondent-status" }, "…");
  const details = h("button", { type: "button", class: "correspondent-details" }, "Details");
  const remove = h("button", { type: "button", class: "correspondent-remove", "aria-label": `Remove the certificate of ${c.emails.join(", ")}` }, "Remove");
  const li = h(
    "li",
    { class: "correspondent", "data-source": c.source, "data-emails": c.emails.join(" ") },
    h("strong", {}, c.emails.join(", ") || "(no e-mail address: cannot be used)"),
    " ",
    h("span", { class: "correspondent-source" }, c.source === "collected" ? `collected from a verified message${c.collectedAt ? ` on ${c.collectedAt}` : ""}` : "added by you"),
    " ",
    status,
    " ",
    details,
    " ",
    remove,
    detail,
  );
  const request = { certificate: c.certificate, certificates: [...c.chain], trustAnchors: [...s.trustAnchors], purpose: "encryption" as const };
  const statusOf = certificateStatus(request);
  statusOf.then(
    (st) => { li.setAttribute("data-trusted", String(st.trusted && st.problems.length === 0)); li.setAttribute("data-sha256", st.certificate.sha256Fingerprint); status.replaceChildren(statusBadge(st)); },
    (err: unknown) => { li.setAttribute("data-trusted", "false"); status.replaceChildren(errorBox(err, "Certificate")); },
  );
  details.addEventListener("click", () => {
    clear(detail);
    statusOf.then((st) => { detail.append(certificateDetail(st, `Certificate of ${c.emails.join(", ")}`)); }, (err: unknown) => { detail.append(errorBox(err, "Certificate")); });
  });
  remove.addEventListener("click", () => {
    updateCorrespondents(async (current) => Promise.resolve({ next: current.filter((x) => !(x.certificate === c.certificate && x.source === c.source)), result: null })).then(
      () => { li.remove(); removed(); },
      (err: unknown) => { detail.replaceChildren(errorBox(err, "Not removed")); },
    );
  });
  return li;
}

function correspondentsSection(s: Settings): HTMLElement {
  const ta = h("textarea", { id: "correspondents", rows: 8, spellcheck: false });
  ta.value = s.correspondents.filter((c) => c.source === "manual").map((c) => c.certificate).join("\n");
  const out = h("div", { "aria-live": "polite" });
  const list = h("ul", { id: "correspondents-list" });
  let settings = s;
  const refresh = (): void => {
    clear(list);
    list.append(...settings.correspondents.map((c) => correspondentRow(c, settings, () => { void loadSettings().then((n) => { settings = n; }); })));
  };
  refresh();
  const btn = h("button", { type: "button", id: "correspondents-save" }, "Save the certificates you added");
  onClick(btn, out, "Not saved", async () => {
    // the core reads each certificate's e-mail addresses (RFC 8550 §3): the lookup key when encrypting
    const infos = ta.value.trim() === "" ? [] : await certificateInfo(ta.value);
    const manual: Correspondent[] = infos.map((c) => ({ certificate: c.pem, emails: [...c.emailAddresses], chain: [], source: "manual", collectedAt: null }));
    await updateCorrespondents(async (current) => Promise.resolve({ next: [...current.filter((c) => c.source === "collected"), ...manual], result: null }));
    settings = await loadSettings();
    refresh();
    out.append(h("p", { role: "status", class: "ok" }, `${manual.length} certificate(s) saved.`));
  });
  return section(
    "Correspondents' certificates",
    "correspondents",
    h("p", {}, "Certificates of the people you write to, used to encrypt. The certificate of a sender is collected automatically from a message that verifies against your trust anchors, under the address it was bound to; an expired or untrusted one is not used."),
    list,
    field("Add recipients' certificates (PEM, one or more)", ta, "Found by the e-mail address in each certificate; the core validates them when encrypting."),
    btn,
    out,
  );
}

function jsonSection(title: string, id: string, value: unknown, save: (v: unknown) => Promise<void>): HTMLElement {
  const ta = h("textarea", { id, rows: 12, spellcheck: false });
  ta.value = JSON.stringify(value, null, 2);
  const out = h("div", { "aria-live": "polite" });
  const btn = h("button", { type: "button", id: `${id}-save` }, `Save ${title.toLowerCase()}`);
  onClick(btn, out, "Not saved", async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(ta.value);
    } catch (e) {
      throw new CodedError(id === "label-catalogue" ? EXTENSION_CODES.labelCatalogueInvalid : EXTENSION_CODES.policyInvalid, e instanceof Error ? e.message : String(e));
    }
    await save(parsed);
    out.append(h("p", { role: "status", class: "ok" }, "Saved."));
  });
  return section(title, id, field(`${title} (JSON)`, ta), btn, out);
}

async function coreSection(): Promise<HTMLElement> {
  try {
    const fns = await coreFunctions();
    return section("MMHS core", "core", h("p", { id: "core-functions" }, `WebAssembly core loaded; functions: ${fns.join(", ") || "(none)"}.`));
  } catch (err) {
    return section("MMHS core", "core", errorBox(err, "Core"));
  }
}

/**
 * Webmail origins the extension runs on besides the reference webmail: the browser asks the
 * user for the host permission (optional_host_permissions), then the content script is
 * registered for that origin only — in its frames too, for a webmail's preview pane of the same
 * origin (Roundcube's `_action=preview`); Remove unregisters it and gives the permission back.
 */
async function originsSection(): Promise<HTMLElement> {
  const input = h("input", { id: "webmail-url", type: "url", placeholder: "https://mail.example.org/", autocomplete: "off" });
  const out = h("div", { id: "webmail-origins-result", role: "status" });
  const list = h("ul", { id: "webmail-origins" });
  const refresh = async (): Promise<void> => {
    clear(list);
    const scripts = await chrome.scripting.getRegisteredContentScripts();
    for (const s of scripts) {
      const origin = originOfScriptId(s.id);
      if (!origin) continue;
      const remove = h("button", { type: "button", class: "origin-remove", "aria-label": `Remove ${origin}` }, "Remove");
      remove.addEventListener("click", () => {
        void (async () => {
          await chrome.scripting.unregisterContentScripts({ ids: [s.id] });
          await chrome.permissions.remove({ origins: [`${origin}/*`] });
          await refresh();
        })().catch((err: unknown) => { clear(out); out.append(errorBox(err, "Not removed")); });
      });
      list.append(h("li", { "data-origin": origin }, h("code", {}, origin), " ", remove));
    }
  };
  const add = h("button", { id: "webmail-add", type: "button" }, "Allow the extension on this webmail");
  add.addEventListener("click", () => {
    clear(out);
    let o: WebmailOrigin;
    try {
      o = webmailOrigin(input.value);
    } catch (err) {
      out.append(errorBox(err, "Not added"));
      return;
    }
    // permissions.request must run in the click's user gesture: no await before it.
    chrome.permissions.request({ origins: [o.pattern] }).then(async (granted) => {
      if (!granted) throw new CodedError(EXTENSION_CODES.permissionDenied, o.origin);
      const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [o.scriptId] });
      if (existing.length === 0) {
        await chrome.scripting.registerContentScripts([{ id: o.scriptId, matches: [o.pattern], js: ["content.js"], runAt: "document_idle", allFrames: true, persistAcrossSessions: true }]);
      }
      out.append(h("p", { class: "ok" }, `The extension now runs on ${o.origin} (reload its open pages).`));
      await refresh();
    }).catch((err: unknown) => { out.append(errorBox(err, "Not added")); });
  });
  await refresh();
  return section(
    "Webmail origins",
    "webmail-origins",
    h("p", {}, "The reference webmail (127.0.0.1:8025) is always on. Add another webmail (Roundcube with the mmhs plugin) by its address; the browser asks you to allow access to that site only."),
    field("Webmail address", input),
    add,
    out,
    list,
  );
}

function parseOrText(t: string): unknown {
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return t;
  }
}

/** How long the key stays unlocked after the password was given once (shared/key-lock.ts). */
function unlockSection(s: Settings): HTMLElement {
  const input = h("input", { type: "number", id: "unlock-minutes", min: String(UNLOCK_MINUTES.min), max: String(UNLOCK_MINUTES.max), value: String(s.unlockMinutes) });
  const save = h("button", { type: "button", id: "save-unlock-minutes" }, "Save");
  const out = h("div", {});
  save.addEventListener("click", () => {
    const minutes = unlockMinutes(Number(input.value));
    saveSettings({ unlockMinutes: minutes }).then(
      () => { input.value = String(minutes); out.replaceChildren(h("p", { role: "status", class: "ok" }, `The key stays unlocked ${String(minutes)} min after you unlock it (toolbar button); closing the browser or locking the screen locks it.`)); },
      (err: unknown) => { out.replaceChildren(errorBox(err, "Not saved")); },
    );
  });
  return h("section", {}, h("h2", {}, "Key unlock period"), field("Minutes", input), save, out);
}

/** Whose `Authentication-Results` (DKIM) the reader shows beside the verdict (RFC 8601 §5). */
function authservSection(s: Settings): HTMLElement {
  const input = h("input", { type: "text", id: "trusted-authserv-ids", value: s.trustedAuthservIds.join(" "), autocomplete: "off" });
  const save = h("button", { type: "button", id: "save-trusted-authserv-ids" }, "Save");
  const out = h("div", {});
  save.addEventListener("click", () => {
    const ids = authservIds(input.value);
    saveSettings({ trustedAuthservIds: ids }).then(
      () => { input.value = ids.join(" "); out.replaceChildren(h("p", { role: "status", class: "ok" }, ids.length ? `DKIM results of ${ids.join(", ")} are shown beside the verdict.` : "No DKIM result is shown.")); },
      (err: unknown) => { out.replaceChildren(errorBox(err, "Not saved")); },
    );
  });
  return h(
    "section",
    {},
    h("h2", {}, "Trusted authserv-id(s)"),
    h("p", {}, `The host name of your receiving mail agent (the reference webmail's: ${DEFAULT_TRUSTED_AUTHSERV_IDS.join(", ")}). Its DKIM result is shown beside the S/MIME verdict, never instead of it; only the agent's own topmost Authentication-Results field is read.`),
    field("Authserv-id(s), space-separated", input),
    save,
    out,
  );
}

// This page needs the full core module (shared/core-modules.ts): one module, not two.
useFullCore();

async function main(): Promise<void> {
  const s = await loadSettings();
  root.append(
    h("h1", {}, "MMHS extension settings"),
    keySection(s),
    unlockSection(s),
    anchorsSection(s),
    correspondentsSection(s),
    jsonSection("Label catalogue", "label-catalogue", s.labelCatalogue, async (v) => { await saveSettings({ labelCatalogue: validateCatalogue(v) }); }),
    jsonSection("Security policies", "label-policies", s.labelPolicies.map(parseOrText), async (v) => {
      if (!Array.isArray(v)) throw new CodedError(EXTENSION_CODES.policyInvalid, "The security policies must be a JSON array of policy objects.");
      const texts = v.map((p) => JSON.stringify(p));
      // The core checks them (the same rules as the submission agent's policy directory).
      await invoke("labelReceivable", { policies: texts, recipients: [] });
      await saveSettings({ labelPolicies: texts });
    }),
    jsonSection("Release policy", "release-policy", s.releasePolicy, async (v) => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new CodedError(EXTENSION_CODES.policyInvalid, "The release policy must be a JSON object.");
      await saveSettings({ releasePolicy: v as Record<string, unknown> });
    }),
    await autoReceiptSection(s),
    authservSection(s),
    await originsSection(),
    await auditSection(),
    await coreSection(),
  );
}

main().catch((err: unknown) => { root.append(errorBox(err, "Settings")); });
