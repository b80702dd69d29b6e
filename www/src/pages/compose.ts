/**
 * Compose panel frame: the formal-message form. Sending = wasm `compose(request)`, then per copy
 * wasm `sign` (ESS label, originator signature type, wrapped header protection; the
 * password-encrypted key from settings is opened inside the core) and wasm `encrypt` when asked
 * → each resulting message + envelope handed to the webmail's send API through the adapter.
 */
import { envelopeForWebmail } from "../adapters/adapter.js";
import { compose, encrypt, invoke, mmhsVocabulary, sign, signAsync, useFullCore, verify, type MmhsVocabulary, type StoredKeyUse } from "../core/wasm.js";
import { currentLock, type AsyncKey } from "../shared/key-lock.js";
import type { ReceiptRequestOptions } from "../../../src/wasm/api.js";
import { audit, sentFields } from "../shared/audit.js";
import { elementsRequest, fieldOfError, precedenceRole } from "../shared/elements.js";
import { receiptRequestOption, updateReceipts, withTracked } from "../shared/receipts.js";
import { elementsPart, receiptPart, type ElementsPart } from "./compose-elements.js";
import { encryptionLookup, encryptionPart } from "./compose-encryption.js";
import { securityPlan, toComposeRequest, validateForm, type ComposeForm, type FileData, type FormField, type NotifyKind, type RecipientForm } from "../shared/compose.js";
import { byId, clear, field, fieldError, h, nextId, type FieldError } from "../shared/dom.js";
import { bannerModel, labelRefusal, type BannerModel } from "../shared/label-banner.js";
import { applyRestriction, pickerRestriction, type PickerRestriction } from "../shared/label-policy.js";
import type { PolicyDef } from "../shared/labels.js";
import { bytesToB64 } from "../shared/messages.js";
import { CLASSIFICATIONS, MARKS } from "../shared/mmhs.js";
import { errorBox, problemList } from "../shared/problem-ui.js";
import { CodedError, describeProblem, EXTENSION_CODES } from "../shared/problems.js";
import { copyReleaseText, sendSummary } from "../shared/release-queue.js";
import { send } from "../shared/runtime.js";
import { loadSettings, localArea, type Settings } from "../shared/settings.js";
import { hashParams, mark, nowRfc3339, reportHeight } from "./common.js";

const root = byId("app");

function select(id: string, options: readonly { value: string; label: string }[], selected?: string): HTMLSelectElement {
  const s = h("select", { id, name: id });
  for (const o of options) s.append(h("option", { value: o.value, selected: o.value === selected }, o.label));
  return s;
}

/** The core's standard values (wasm `mmhsVocabulary`) as select options: `FLASH (4)`. */
function vocabularyOptions(entries: MmhsVocabulary["precedences"] | MmhsVocabulary["messageTypes"], upper: boolean): { value: string; label: string }[] {
  return [{ value: "", label: "(none)" }, ...entries.map((e) => ({ value: String(e.value), label: `${upper ? e.name.toUpperCase() : e.name} (${e.value})` }))];
}

const NOTIFY: readonly NotifyKind[] = ["SUCCESS", "FAILURE", "DELAY"];

function recipientRow(list: HTMLElement, address = "", kind: RecipientForm["kind"] = "to"): void {
  const n = list.children.length + 1;
  const row = h("fieldset", { class: "recipient" }, h("legend", {}, `Recipient ${n}`));
  const addr = h("input", { type: "email", class: "rcpt-address", value: address, "aria-label": `Recipient ${n} address`, required: true });
  const k = select(`rcpt-kind-${n}`, [{ value: "to", label: "To" }, { value: "cc", label: "Cc" }, { value: "bcc", label: "Bcc" }], kind);
  k.classList.add("rcpt-kind");
  k.setAttribute("aria-label", `Recipient ${n} kind`);
  const notify = NOTIFY.map((x) => h("label", { class: "inline" }, h("input", { type: "checkbox", class: "rcpt-notify", value: x, checked: x === "FAILURE" }), ` ${x.toLowerCase()}`));
  const receipt = h("label", { class: "inline" }, h("input", { type: "checkbox", class: "rcpt-receipt" }), " receipt notification");
  const remove = h("button", { type: "button", class: "link", "aria-label": `Remove recipient ${n}`, onclick: () => { row.remove(); } }, "remove");
  // Profile §3.5.1 / §3.5.2: To ("action") recipients act on the primary precedence, Cc and
  // Bcc ("information") recipients on the copy precedence.
  const role = h("span", { class: "rcpt-role", "aria-live": "polite" });
  const showRole = () => {
    const r = precedenceRole(k.value as RecipientForm["kind"]);
    role.textContent = ` ${r.role} recipient: ${r.precedence} precedence${k.value === "bcc" ? "; blind copy (its own copy, Bcc shown only to it)" : ""}`;
    role.setAttribute("data-role", r.role);
  };
  k.addEventListener("change", showRole);
  showRole();
  row.append(addr, k, role, h("span", { class: "notify-group", role: "group", "aria-label": `Delivery notifications for recipient ${n}` }, "DSN: ", ...notify), receipt, remove);
  list.append(row);
}

function readRecipients(list: HTMLElement): RecipientForm[] {
  return Array.from(list.querySelectorAll<HTMLFieldSetElement>("fieldset.recipient")).flatMap((row) => {
    const address = row.querySelector<HTMLInputElement>(".rcpt-address")?.value.trim() ?? "";
    if (address === "") return [];
    const kind = (row.querySelector<HTMLSelectElement>(".rcpt-kind")?.value ?? "to") as RecipientForm["kind"];
    const notify = Array.from(row.querySelectorAll<HTMLInputElement>(".rcpt-notify:checked")).map((c) => c.value as NotifyKind);
    const receipt = row.querySelector<HTMLInputElement>(".rcpt-receipt")?.checked ?? false;
    return [{ address, kind, notify, receipt }];
  });
}

function build(settings: Settings, vocabulary: MmhsVocabulary): void {
  const user = hashParams().get("user") ?? settings.identity?.address ?? "";
  const policies: readonly PolicyDef[] = settings.labelCatalogue.policies;
  const firstPolicy = policies[0];

  const from = h("input", { type: "email", id: "from", value: user, required: true, autocomplete: "email" });
  const rcpts = h("div", { id: "recipients" });
  recipientRow(rcpts);
  const subject = h("input", { type: "text", id: "subject", required: true });
  const body = h("textarea", { id: "body", rows: 8 });
  const primary = select("primary-precedence", vocabularyOptions(vocabulary.precedences, true), "1");
  const copy = select("copy-precedence", vocabularyOptions(vocabulary.precedences, true), "");
  const mtype = select("message-type", vocabularyOptions(vocabulary.messageTypes, false));
  const mtypeId = h("input", { type: "text", id: "message-type-id", maxlength: 69 });

  const labelOn = h("input", { type: "checkbox", id: "label-on", checked: true });
  const policy = select("label-policy", policies.map((p, i) => ({ value: String(i), label: `${p.name} (${p.oid})` })));
  const classification = h("select", { id: "label-classification" });
  const privacy = h("select", { id: "label-privacy" });
  const cats = h("div", { id: "label-categories", role: "group", "aria-label": "Security categories" });
  const sio = h("input", { type: "checkbox", id: "sio-label", checked: true });
  const banner = h("div", { id: "compose-label-banner", class: "label-banner", role: "status", "aria-live": "polite" });
  const currentPolicy = () => policies[Number(policy.value)] ?? firstPolicy;
  const chosenClassification = (): number | null => (classification.value === "" ? null : Number(classification.value));
  const chosenCategories = () => {
    const p = currentPolicy();
    return Array.from(cats.querySelectorAll<HTMLInputElement>(".label-cat:checked")).flatMap((c) => {
      const def = p?.categories[Number(c.value)];
      return def ? [def] : [];
    });
  };
  // No silent default: the classification starts unchosen (docs/extension.md, compose).
  const fillPolicy = () => {
    const p = currentPolicy();
    clear(classification);
    clear(privacy);
    clear(cats);
    if (!p) return;
    classification.append(h("option", { value: "", selected: true }, "choose a classification…"));
    for (const c of p.classifications) {
      classification.append(h("option", { value: String(c) }, CLASSIFICATIONS.find((x) => x.value === c)?.name ?? `classification ${c}`));
    }
    for (const m of p.privacyMarks) privacy.append(h("option", { value: m }, m === "" ? "(no privacy mark)" : m));
    p.categories.forEach((c, i) => { cats.append(h("label", { class: "inline" }, h("input", { type: "checkbox", class: "label-cat", value: String(i) }), ` ${c.name}`)); });
  };
  const labelError = fieldError(classification);
  const classificationField = field("Classification", classification);
  classificationField.append(labelError.element);
  // The core's answer for the current policy and recipients; `asked` orders the answers.
  let restriction: { oid: string; r: PickerRestriction | null } | null = null;
  let asked = 0;
  const showLabel = () => {
    const p = currentPolicy();
    const r = restriction && p && restriction.oid === p.oid ? restriction.r : null;
    const c = chosenClassification();
    renderBanner(banner, bannerModel({ labelOn: labelOn.checked, policy: p, classification: c, privacyMark: privacy.value, categories: chosenCategories(), policyClass: c === null ? undefined : r?.classes.get(c) }));
    // A refused recipient is named at the field as soon as it is known; "not chosen" waits for Send.
    const refusal = c === null ? null : labelRefusal(labelOn.checked, c, r);
    if (refusal) labelError.show(refusal);
    else labelError.clear();
  };
  // No classification the recipients cannot receive (docs/security.md).
  const askCore = async (): Promise<PickerRestriction | null> => {
    const p = currentPolicy();
    if (!p) return null;
    const n = ++asked;
    const r = await pickerRestriction(invoke, settings.labelPolicies, p.oid, readRecipients(rcpts).map((x) => x.address));
    if (n === asked) {
      restriction = { oid: p.oid, r };
      applyRestriction(classification, r);
      showLabel();
    }
    return r;
  };
  const restrict = () => { void askCore(); };
  policy.addEventListener("change", () => { fillPolicy(); restrict(); });
  rcpts.addEventListener("change", restrict);
  for (const el of [labelOn, classification, privacy, cats]) el.addEventListener("change", showLabel);
  fillPolicy();
  showLabel();
  restrict();

  const expires = h("input", { type: "datetime-local", id: "expires" });
  const deferred = h("input", { type: "datetime-local", id: "deferred" });
  const latest = h("input", { type: "datetime-local", id: "latest" });
  const obsoletes = h("input", { type: "text", id: "obsoletes", placeholder: "<id@host> …" });
  const references = h("input", { type: "text", id: "references", placeholder: "<id@host> …" });
  const sign = h("input", { type: "checkbox", id: "opt-sign", checked: true });
  const encrypt = h("input", { type: "checkbox", id: "opt-encrypt" });
  const protect = select("opt-protect", [{ value: "wrapped", label: "wrapped (message/rfc822, forwarded=no — MMHS profile)" }, { value: "none", label: "none" }], "wrapped");
  const compress = h("input", { type: "checkbox", id: "opt-compress" });
  const domainEnc = h("input", { type: "checkbox", id: "opt-domain-encryption" });
  const password = h("input", { type: "password", id: "key-password", autocomplete: "current-password" });
  const attach = h("input", { type: "file", id: "attachments", multiple: true });
  const forward = h("input", { type: "file", id: "forward", multiple: true, accept: ".eml,message/rfc822" });
  const out = h("div", { id: "result", "aria-live": "polite" });
  const sendBtn = h("button", { type: "submit", id: "send", class: "primary" }, "Sign and send");
  const elements = elementsPart();
  const receipts = receiptPart();
  // Which certificate each recipient will be encrypted to (the core's choice), or that it has none.
  const encryptionBox = encryptionPart(settings);
  const refreshEncryption = (): void => { encryptionBox.refresh(encrypt.checked, readRecipients(rcpts).map((r) => r.address), domainEnc.checked); };
  for (const el of [encrypt, domainEnc, rcpts]) el.addEventListener("change", refreshEncryption);

  const form = h(
    "form",
    { id: "compose-form", "aria-label": "MMHS compose", novalidate: true },
    h("h2", {}, "MMHS formal message"),
    settings.identity ? null : errorBox(new CodedError(EXTENSION_CODES.noKey), "Signing"),
    field("From", from),
    h("fieldset", {}, h("legend", {}, "Recipients"), rcpts, h("button", { type: "button", class: "link", id: "add-recipient", onclick: () => { recipientRow(rcpts); } }, "+ add recipient")),
    h("div", { class: "row" }, field("Primary precedence", primary, "Required with To recipients"), field("Copy precedence", copy, "Required with Cc/Bcc recipients"), field("Message type", mtype), field("Exercise/operation identifier", mtypeId)),
    h(
      "fieldset",
      { class: "label-fieldset" },
      h("legend", {}, "Security label"),
      h("label", { class: "inline" }, labelOn, " Apply a security label"),
      h("div", { class: "row" }, field("Policy", policy), classificationField, field("Privacy mark", privacy)),
      cats,
      h("label", { class: "inline" }, sio, " Also write the SIO-Label header (RFC 7444)"),
    ),
    field("Subject", subject),
    field("Text", body),
    h("div", { class: "row" }, field("Attachments", attach), field("Forward messages (.eml, sent as forwarded=yes)", forward)),
    elements.element,
    h("details", {}, h("summary", {}, "Delivery and message references"), h("div", { class: "row" }, field("Expires", expires), field("Deferred delivery (hold until)", deferred), field("Latest delivery time", latest)), field("Obsoletes message ids", obsoletes), field("Related / referenced message ids", references)),
    h(
      "fieldset",
      {},
      h("legend", {}, "Security"),
      h("label", { class: "inline" }, sign, " Sign"),
      h("label", { class: "inline" }, encrypt, " Encrypt"),
      h("label", { class: "inline" }, compress, " Compress"),
      h("label", { class: "inline", title: "A recipient without a certificate of its own is encrypted to its domain's confidentiality authority or S/MIME gateway certificate (Settings → Correspondents' certificates)" }, domainEnc, " Encrypt to the recipient's domain when it has no certificate"),
      field("Protect headers", protect),
      encryptionBox.element,
    ),
    receipts.element,
    field("Key password", password, "Unlocks your password-encrypted key inside the extension; never sent to the webmail."),
    sendBtn,
    out,
  );

  // The input each form error belongs to (validateForm's `field`); a recipient row by its address.
  const formControl = (fieldName: FormField, address?: string): HTMLElement => {
    const inputs = Array.from(rcpts.querySelectorAll<HTMLInputElement>(".rcpt-address"));
    switch (fieldName) {
      case "from": return from;
      case "recipients": return inputs[0] ?? rcpts;
      case "recipient": return inputs.find((i) => i.value.trim() === address) ?? inputs[0] ?? rcpts;
      case "primary-precedence": return primary;
      case "copy-precedence": return copy;
      case "subject": return subject;
      case "opt-sign": return sign;
    }
  };
  const formErrors = fieldErrors();
  const passwordError = fieldError(password);
  password.insertAdjacentElement("afterend", passwordError.element);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clear(out);
    const p = policies[Number(policy.value)];
    const chosen = chosenClassification();
    const f: ComposeForm = {
      from: from.value.trim(),
      recipients: readRecipients(rcpts),
      subject: subject.value,
      body: body.value,
      primaryPrecedence: primary.value === "" ? null : Number(primary.value),
      copyPrecedence: copy.value === "" ? null : Number(copy.value),
      messageType: mtype.value === "" ? null : Number(mtype.value),
      messageTypeIdentifier: mtypeId.value.trim() || undefined,
      label: labelOn.checked && p && chosen !== null ? { policy: p.oid, classification: chosen, privacyMark: privacy.value, categories: chosenCategories() } : null,
      sioLabel: sio.checked,
      expires: expires.value,
      deferredDelivery: deferred.value,
      latestDelivery: latest.value,
      obsoletes: obsoletes.value,
      references: references.value,
      sign: sign.checked,
      encrypt: encrypt.checked,
      protectHeaders: protect.value as ComposeForm["protectHeaders"],
      compress: compress.checked,
      domainEncryption: domainEnc.checked,
    };
    elements.clearErrors();
    const el = elementsRequest(elements.read());
    for (const e of el.errors) elements.showError(e.member, e.message);
    const rr = receiptRequestOption(receipts.read(), f.from);
    if (rr.option && !f.sign) rr.errors.push("A signed-receipt request is a signed attribute: tick Sign.");
    labelError.clear();
    const unchosen = labelRefusal(labelOn.checked && p !== undefined, chosen, null);
    if (unchosen) labelError.show(unchosen);
    formErrors.clear();
    const formErrs = validateForm(f);
    for (const e of formErrs) formErrors.show(formControl(e.field, e.address), e.message);
    const errs = [...formErrs.map((e) => e.message), ...(unchosen ? [unchosen] : []), ...el.errors.map((e) => e.message), ...rr.errors];
    if (errs.length > 0) {
      out.append(errorBox(new CodedError(EXTENSION_CODES.formInvalid, errs.join(" ")), "Cannot send"));
      // what was typed stays; the first input in error takes the focus
      form.querySelector<HTMLElement>("[aria-invalid='true']")?.focus();
      return;
    }
    sendBtn.disabled = true;
    void (async () => {
      // The recipients as they are now, judged by the core before anything is signed.
      if (f.label) {
        const refused = labelRefusal(true, f.label.classification, await askCore());
        if (refused) {
          labelError.show(refused);
          out.append(errorBox(new CodedError(EXTENSION_CODES.formInvalid, refused), "Cannot send"));
          return;
        }
      }
      const withFiles: ComposeForm = { ...f, attachments: await readFiles(attach), forwarded: await readFiles(forward) };
      passwordError.clear();
      await doSend(withFiles, settings, password.value, out, { elements: el.members, receiptRequest: rr.option, elementsPart: elements, passwordError });
    })().finally(() => { sendBtn.disabled = false; });
  });

  root.append(banner, form);
}

/** The live banner of the label being composed (`bannerModel`). */
function renderBanner(el: HTMLElement, m: BannerModel): void {
  clear(el);
  el.className = `label-banner ${m.kind}${m.high ? " high" : ""}`;
  el.setAttribute("data-classification", m.classification);
  el.setAttribute("data-source", m.source ?? "none");
  if (m.kind === "none") el.removeAttribute("style");
  else el.setAttribute("style", `color:${m.fg};background:${m.bg}`);
  el.setAttribute("aria-label", `Security label preview: ${m.text}${m.high ? ` (${MARKS.high.text})` : ""}`);
  el.append(m.high ? mark("high") : "", h("span", { class: "label-text" }, m.text), h("span", { class: "label-detail" }, m.detail));
}

async function readFiles(input: HTMLInputElement): Promise<FileData[]> {
  const files = Array.from(input.files ?? []);
  return Promise.all(files.map(async (f) => ({ filename: f.name, contentType: f.type, data: bytesToB64(new Uint8Array(await f.arrayBuffer())) })));
}

interface Extras {
  /** Members of the compose request for the elements of service (`elementsRequest`). */
  readonly elements: Record<string, unknown>;
  /** The `receiptRequest` sign option, or null. */
  readonly receiptRequest: ReceiptRequestOptions | null;
  readonly elementsPart: ElementsPart;
  /** The key password's error line (a missing or wrong password is shown at the field). */
  readonly passwordError: FieldError;
}

/** The signed-receipt identifier of a signed copy: the core's own report of it (docs/report.md `receiptRequest`). */
async function receiptIdentifier(signed: Uint8Array, settings: Settings): Promise<string | null> {
  const out = await verify(signed, { trustAnchors: settings.trustAnchors, at: nowRfc3339() });
  return out.report.receiptRequest?.identifier ?? null;
}

async function doSend(f: ComposeForm, settings: Settings, password: string, out: HTMLElement, extras: Extras): Promise<void> {
  try {
    const request = { ...toComposeRequest(f), ...extras.elements };
    const plan = securityPlan(f);
    let key: StoredKeyUse | null = null;
    let unlocked: AsyncKey | null = null;
    if (plan.sign || plan.encrypt) {
      if (!settings.identity) throw new CodedError(EXTENSION_CODES.noKey);
      // An unlocked key (shared/key-lock.ts) signs without the password; else the password.
      unlocked = (await currentLock(settings.identity)).key;
      if (!unlocked && password === "") throw new CodedError(EXTENSION_CODES.keyPasswordMissing);
      key = { encryptedPkcs8: settings.identity.encryptedPkcs8, password, certificate: settings.identity.certificate, chain: settings.identity.chain };
    }
    out.append(h("p", { role: "status" }, "Composing…"));
    let composed;
    try {
      composed = await compose(request);
    } catch (err) {
      // The core names the member or header field it refused: show it at that input.
      const member = fieldOfError(err instanceof Error ? err.message : String(err));
      if (member) extras.elementsPart.showError(member, err instanceof Error ? err.message : String(err));
      throw err;
    }
    const messages = [];
    for (const m of composed) {
      let raw = m.raw;
      let identifier: string | null = null;
      const signOptions = { ...plan.sign, ...(extras.receiptRequest ? { receiptRequest: extras.receiptRequest } : {}) };
      if (plan.sign && unlocked) raw = await signAsync(raw, unlocked, signOptions);
      else if (plan.sign && key) raw = await sign(raw, key, signOptions);
      if (extras.receiptRequest) identifier = await receiptIdentifier(raw, settings);
      if (plan.encrypt && key) {
        const env = envelopeForWebmail(m.envelope, Date.now());
        // The core finds each recipient's certificate among the correspondents' (by its
        // address; or its domain's DCA / gateway certificate with domain encryption) and
        // refuses a recipient it finds none for (`no-recipient-certificate`) — the same
        // choice the "Encrypted to" box showed (compose-encryption.ts).
        // Only a certificate valid now under the user's trust anchors is chosen (never an expired one).
        raw = await encrypt(raw, [key.certificate], { ...plan.encrypt, rcpt: env.rcpts.map((r) => r.address), ...encryptionLookup(settings) });
      }
      messages.push({ raw, envelope: m.envelope, identifier, messageId: m.messageId });
    }
    clear(out);
    const list = h("ol", { class: "sent-list" });
    out.append(h("p", { role: "status", class: "ok" }, `Composed ${messages.length} message(s)${plan.sign ? ", signed" : ""}${plan.encrypt ? ", encrypted" : ""}; handing them to the webmail…`), list);
    const diverted: (boolean | undefined)[] = [];
    for (const m of messages) {
      const env = envelopeForWebmail(m.envelope, Date.now());
      const r = await send("webmail", { op: "send", rawB64: bytesToB64(m.raw), envelope: env });
      const held = r.op === "send" ? r.releaseQueue : undefined;
      diverted.push(held);
      const item = h(
        "li",
        { "data-release-queue": held === undefined ? "unknown" : String(held) },
        `Submitted to ${env.rcpts.map((x) => x.address).join(", ")}${r.op === "send" && r.id ? ` (id ${r.id})` : ""}: `,
        h("strong", { class: `release-queue ${held === true ? "held" : held === false ? "sent" : "unknown"}` }, copyReleaseText(held)),
      );
      if (r.op === "send") item.append(...sendWarnings(r.notCarried ?? [], r.rejected ?? []));
      list.append(item);
      const sentId = r.op === "send" ? r.id : null;
      const rcpts = env.rcpts.map((x) => x.address);
      await recordSent(request, m, rcpts, sentId, plan.sign?.securityLabel ?? null, f.subject, item);
    }
    const summary = sendSummary(diverted);
    out.append(h("p", { role: "status", class: summary.state === "held" ? "held" : "ok", id: "send-done", "data-release-queue": summary.state }, summary.text));
  } catch (err) {
    clear(out);
    const code = (err as { code?: unknown }).code;
    if (code === EXTENSION_CODES.keyPasswordMissing || code === "key-bad-password") {
      extras.passwordError.show(describeProblem({ code, message: err instanceof Error ? err.message : String(err) }).text);
    }
    out.append(errorBox(err, "Not sent"));
  }
}

/**
 * Error lines at the inputs they belong to (`fieldError`: `aria-invalid`, `aria-describedby`),
 * made on first use and inserted after the input; `clear` empties every one. The form is never
 * reset on an error: what the user typed stays.
 */
function fieldErrors(): { show(control: HTMLElement, message: string): void; clear(): void } {
  const made = new Map<HTMLElement, FieldError>();
  return {
    show: (control, message) => {
      if (!control.id) control.id = nextId("input");
      let e = made.get(control);
      if (!e) {
        e = fieldError(control);
        made.set(control, e);
        control.insertAdjacentElement("afterend", e.element);
      }
      // several errors at one input (two bad rows with the same text) are shown together
      e.show(e.element.hidden ? message : `${e.element.textContent ?? ""} ${message}`);
    },
    clear: () => { made.forEach((e) => { e.clear(); }); },
  };
}

/**
 * After a copy went out: its audit record (profile §5.2) and, with a signed-receipt request,
 * the record the Sent view correlates returning receipts with. A failure here is shown beside
 * the copy (the message is already sent).
 */
async function recordSent(
  request: Record<string, unknown>,
  m: { readonly envelope: unknown; readonly identifier: string | null; readonly messageId: string | null },
  rcpts: readonly string[],
  sentId: string | null,
  label: unknown,
  subject: string,
  item: HTMLElement,
): Promise<void> {
  try {
    await audit(localArea(), sentFields(request, m.messageId, m.envelope, m.identifier, label));
    const identifier = m.identifier;
    if (identifier) {
      await updateReceipts(localArea(), (s) => withTracked(s, { identifier, messageId: m.messageId, subject, sentId, recipients: rcpts, sentAt: nowRfc3339(), receipts: [] }));
      item.setAttribute("data-receipt-identifier", identifier);
      item.append(h("span", { class: "receipt-tracked" }, " · signed receipts requested"));
    }
  } catch (err) {
    item.append(errorBox(err, "Not recorded"));
  }
}

/**
 * What the webmail's SMTP path did not do as asked: envelope parameters its server does not
 * offer (the message's own MMHS header fields still travel) and refused recipients.
 */
function sendWarnings(notCarried: readonly string[], rejected: readonly string[]): HTMLElement[] {
  const found = [
    ...(notCarried.length > 0 ? [describeProblem({ code: EXTENSION_CODES.paramNotCarried, message: notCarried.join(", ") })] : []),
    ...(rejected.length > 0 ? [describeProblem({ code: EXTENSION_CODES.recipientRefused, message: rejected.join(", ") })] : []),
  ];
  return found.length > 0 ? [problemList(found)] : [];
}

// This page needs the full core module (shared/core-modules.ts): one module, not two.
useFullCore();

async function main(): Promise<void> {
  reportHeight();
  build(await loadSettings(), await mmhsVocabulary());
}

main().catch((err: unknown) => { root.append(errorBox(err, "Compose")); });
