/**
 * Release queue frame (release officers): drafts waiting for authorisation, each verified and
 * shown as the recipients will see it; Approve = wasm `release` (verify originator, review,
 * countersign, add to MMHS-Authorizing-Users) then submit via the webmail; Return = wasm
 * `release` with a reject decision, whose notice goes back to the originator.
 */
import { envelopeForCore, envelopeForWebmail } from "../adapters/adapter.js";
import { attachmentBytes, interpretRelease, readContent, release, releaseAsync, releaseOutcomeText, useFullCore, verify, type VerifyReport } from "../core/wasm.js";
import { currentLock } from "../shared/key-lock.js";
import { byId, clear, field, h } from "../shared/dom.js";
import { b64ToBytes, bytesToB64, type QueueItem } from "../shared/messages.js";
import { errorBox, problemList } from "../shared/problem-ui.js";
import { CodedError, EXTENSION_CODES, describeProblem } from "../shared/problems.js";
import { viewReport } from "../shared/report.js";
import { send } from "../shared/runtime.js";
import { audit, reportFields } from "../shared/audit.js";
import { loadSettings, localArea, type Settings } from "../shared/settings.js";
import { QUEUE_POLL_MAX, QUEUE_POLL_MS, queueDiff, queueTimes } from "../shared/release-queue.js";
import { mark, nowRfc3339, reportHeight, statusLine } from "./common.js";
import * as R from "./render-report.js";

const root = byId("app");

// This page needs the full core module (shared/core-modules.ts): one module, not two.
useFullCore();

async function main(): Promise<void> {
  reportHeight();
  const settings = await loadSettings();
  root.append(h("h2", {}, "Release queue"), statusLine("Loading the queue…"));
  const items = await listQueue();
  clear(root);
  const heading = h("h2", {}, "");
  const announce = h("p", { id: "queue-live", class: "status", role: "status", "aria-live": "polite" });
  const empty = h("p", { class: "empty" }, "No drafts are waiting for release.");
  const list = h("ul", { class: "queue", role: "list" });
  const detail = h("div", { id: "queue-detail" });
  root.append(heading);
  if (!settings.identity) root.append(errorBox(new CodedError(EXTENSION_CODES.noKey), "Releasing"));
  root.append(announce, empty, list, detail);
  const shown = new Map<string, HTMLElement>();
  const render = (now: readonly QueueItem[], fresh: boolean): void => {
    const { added, removed } = queueDiff(new Set(shown.keys()), now);
    for (const id of removed) {
      shown.get(id)?.remove();
      shown.delete(id);
    }
    // the webmail's order (precedence, then waiting time): each new draft goes before the
    // first shown draft that comes after it in the list
    for (const item of added) {
      const li = h("li", { class: `queue-item${fresh ? " new" : ""}`, "data-id": item.id }, h("span", {}, "Loading…"));
      const next = now.slice(now.indexOf(item) + 1).find((i) => shown.has(i.id));
      list.insertBefore(li, next ? (shown.get(next.id) ?? null) : null);
      shown.set(item.id, li);
      void describeItem(item, li, detail, settings);
    }
    heading.textContent = `Release queue (${shown.size} waiting)`;
    empty.hidden = shown.size > 0;
    if (fresh && added.length > 0) announce.textContent = `${added.length} new draft(s) arrived at ${new Date().toLocaleTimeString()}.`;
  };
  render(items, false);
  livePoll(render, announce);
}

async function listQueue(): Promise<readonly QueueItem[]> {
  const res = await send("webmail", { op: "listReleaseQueue" });
  return res.op === "listReleaseQueue" ? res.items : [];
}

/**
 * Ask the webmail for the queue again every QUEUE_POLL_MS while the page is visible, one
 * request at a time, QUEUE_POLL_MAX times at most (shared/release-queue.ts); a failed poll is
 * reported and the next one tries again.
 */
function livePoll(render: (items: readonly QueueItem[], fresh: boolean) => void, announce: HTMLElement): void {
  let polls = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || document.hidden) return;
    if (++polls > QUEUE_POLL_MAX) {
      clearInterval(timer);
      announce.textContent = "Live refresh stopped after an hour: reload the page to see new drafts.";
      return;
    }
    busy = true;
    listQueue().then(
      (items) => { render(items, true); },
      (err: unknown) => { announce.textContent = `The queue could not be refreshed (${(err as { code?: string }).code ?? "error"}); trying again.`; },
    ).finally(() => { busy = false; });
  }, QUEUE_POLL_MS);
  root.setAttribute("data-live-refresh", String(QUEUE_POLL_MS));
}

async function describeItem(item: QueueItem, li: HTMLElement, detail: HTMLElement, settings: Settings): Promise<void> {
  const r = await send("webmail", { op: "fetchRaw", id: item.id });
  if (r.op !== "fetchRaw") return;
  const raw = b64ToBytes(r.rawB64);
  let summary: HTMLElement[];
  let report: VerifyReport | null = null;
  let content: Uint8Array | null = null;
  try {
    const out = await verify(raw, { trustAnchors: settings.trustAnchors, at: nowRfc3339() });
    // the core's MMHS view is read from the header section the recipient is meant to see
    // (the protected one under header protection): src/verify/verdict.rs
    report = out.report;
    content = out.content;
    const v = viewReport(report);
    const prec = v.primaryPrecedence ?? v.copyPrecedence;
    const precVerified = v.primaryPrecedence ? v.primaryPrecedenceVerified : v.copyPrecedenceVerified;
    summary = [
      v.urgent ? mark("urgent") : null,
      h("span", { class: `prec ${v.urgent ? "urgent" : ""}`, "data-verified": String(precVerified) }, prec ? `${prec.name}${precVerified ? "" : " (unverified)"}` : "—"),
      v.label?.high ? mark("high") : null,
      v.label
        ? h("span", { class: `mini-label${v.label.high ? " high" : ""}`, style: `color:${v.label.fg};background:${v.label.bg}`, "data-verified": String(v.label.verified) }, `${v.label.classification}${v.label.verified ? "" : " (unverified)"}`)
        : h("span", { class: "mini-label none" }, "NO LABEL"),
    ].filter((x): x is HTMLElement => x !== null);
    li.classList.toggle("urgent", v.urgent);
    li.classList.toggle("high", v.label?.high ?? false);
  } catch (err) {
    summary = [h("span", { class: "badge bad" }, `not verified (${describeProblem({ code: (err as { code?: string }).code ?? "core-failed" }).code})`)];
  }
  clear(li);
  li.append(
    h("button", { type: "button", class: "queue-open", "aria-controls": "queue-detail", onclick: () => { open(item, raw, report, content, detail, settings); } }, ...summary, h("span", { class: "q-subject" }, item.subject || "(no subject)"), h("span", { class: "q-from" }, item.from)),
    timesLine(item),
  );
}

/** Submission time and deadline of a waiting draft (a passed deadline is marked). */
function timesLine(item: QueueItem): HTMLElement {
  const t = queueTimes(item, Date.now());
  return h(
    "p",
    { class: "q-times" },
    h("span", { class: "q-submitted" }, "Submitted ", t.submitted ? h("time", { datetime: t.submitted }, t.submitted) : "unknown"),
    " · ",
    h(
      "span",
      { class: `q-deadline${t.passed ? " passed" : ""}`, "data-passed": String(t.passed) },
      "Deadline ",
      t.deadline ? h("time", { datetime: t.deadline }, t.deadline) : "none",
      t.passed ? " (passed)" : "",
    ),
  );
}

function open(item: QueueItem, raw: Uint8Array, report: unknown, innermost: Uint8Array | null, detail: HTMLElement, settings: Settings): void {
  clear(detail);
  detail.append(h("h3", {}, `Draft: ${item.subject || "(no subject)"} — from ${item.from}`));
  if (report !== null && innermost !== null) {
    const v = viewReport(report);
    const scheme = v.headerProtection.scheme;
    const request = { headerProtection: scheme === "wrapped" || scheme === "injected" ? scheme : "none" } as const;
    const shown = h("div", { class: "draft-content" }, statusLine("Reading the content…"));
    detail.append(h("h4", {}, "As the recipients will see it"), ...R.reportSections(v), shown);
    // the core reads the content (wasm readContent, in the core worker)
    void readContent(innermost, request).then(
      (c) => { clear(shown); shown.append(R.messageContent(c, (index) => attachmentBytes(innermost, index, request))); },
      (err: unknown) => { clear(shown); shown.append(errorBox(err, "The content could not be read")); },
    );
  } else {
    detail.append(errorBox(new CodedError(EXTENSION_CODES.coreFunctionUnavailable, "verify is not available: the draft cannot be reviewed."), "Review"));
  }
  const findings = h("section", { id: "findings", "aria-label": "Review findings" }, h("h4", {}, "Review findings"));
  const password = h("input", { type: "password", id: "officer-password", autocomplete: "current-password" });
  const reason = h("textarea", { id: "return-reason", rows: 2 });
  const out = h("div", { id: "release-result", "aria-live": "polite" });
  const approve = h("button", { type: "button", id: "approve", class: "primary" }, "Approve and release");
  const ret = h("button", { type: "button", id: "return" }, "Return to originator");
  approve.addEventListener("click", () => void decide(item, raw, settings, { kind: "approve" }, password.value, out, findings));
  const review = h("button", { type: "button", id: "review" }, "Run the review");
  review.addEventListener("click", () => void decide(item, raw, settings, { kind: "review" }, password.value, out, findings));
  ret.addEventListener("click", () => {
    if (reason.value.trim() === "") {
      clear(out);
      out.append(errorBox(new CodedError(EXTENSION_CODES.formInvalid, "Give the reason for returning the message."), "Return"));
      reason.focus();
      return;
    }
    void decide(item, raw, settings, { kind: "reject", reason: reason.value.trim() }, password.value, out, findings);
  });
  detail.append(findings, field("Your key password (not needed while your key is unlocked)", password), field("Reason (for Return)", reason), h("div", { class: "actions" }, review, " ", approve, " ", ret), out);
}

type Decision = { kind: "approve" } | { kind: "reject"; reason: string } | { kind: "review" };

async function decide(item: QueueItem, raw: Uint8Array, settings: Settings, d: Decision, password: string, out: HTMLElement, findings: HTMLElement): Promise<void> {
  clear(out);
  try {
    if (!settings.identity) throw new CodedError(EXTENSION_CODES.noKey);
    // An unlocked key (shared/key-lock.ts) signs the release without the password; else the
    // password opens the stored key in the core.
    const unlocked = (await currentLock(settings.identity)).key;
    if (!unlocked && password === "") throw new CodedError(EXTENSION_CODES.keyPasswordMissing);
    out.append(statusLine(d.kind === "approve" ? "Releasing…" : d.kind === "reject" ? "Returning…" : "Reviewing…"));
    const options = {
      trustAnchors: settings.trustAnchors,
      policy: settings.releasePolicy,
      decision: d.kind === "reject" ? { action: "reject" as const, reason: d.reason } : { action: d.kind },
      envelope: envelopeForCore(item.envelope, item.receivedAt ?? null) ?? undefined,
      at: nowRfc3339(),
    };
    const result = unlocked
      ? await releaseAsync(raw, options, unlocked)
      : await release(raw, {
          ...options,
          officer: { encryptedPkcs8: settings.identity.encryptedPkcs8, password, certificate: settings.identity.certificate, chain: settings.identity.chain },
        });
    const r = interpretRelease(result, d.kind);
    clear(findings);
    findings.append(h("h4", {}, "Review findings"));
    if (r.findings.length > 0) findings.append(problemList(r.findings.map((x) => describeProblem(x))));
    else findings.append(h("p", {}, "No findings."));
    clear(out);
    if (d.kind === "review" && r.outcome === "reviewed") {
      out.append(h("p", { role: "status", class: "ok", id: "review-done" }, "Reviewed: nothing was signed or sent. Approve or return the draft."));
      return;
    }
    if (r.messages.length === 0) {
      // refused, blocked, an outcome that does not match the decision, or none: nothing is sent
      throw new CodedError(r.problems[0]?.code ?? EXTENSION_CODES.coreFailed, `${releaseOutcomeText(r.outcome)}${r.problems.length > 0 ? `: ${r.problems.map((p) => p.message ?? p.code).join("; ")}` : "."}`);
    }
    for (const m of r.messages) await send("webmail", { op: "send", rawB64: bytesToB64(m.raw), envelope: envelopeForWebmail(m.envelope, Date.now()) });
    await send("webmail", { op: "removeFromQueue", id: item.id });
    // Profile §5.2: the release is audited with the draft's identifiers (the core's report of it).
    if (r.released) await audit(localArea(), reportFields("released", r.report, `${r.outcome} by ${settings.identity.address}`));
    out.append(
      h(
        "p",
        { role: "status", class: r.released ? "ok" : "warn", id: "release-done", "data-outcome": r.outcome },
        releaseOutcomeText(r.outcome),
      ),
    );
  } catch (err) {
    clear(out);
    out.append(errorBox(err, d.kind === "approve" ? "Not released" : d.kind === "reject" ? "Not returned" : "Not reviewed"));
  }
}

main().catch((err: unknown) => { root.append(errorBox(err, "Release queue")); });
