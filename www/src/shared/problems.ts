/**
 * Problem / error code catalogue: stable kebab-case codes (from the core's `Problem { code }`,
 * the core's typed errors and this extension's own errors) → human text for the UI.
 * Unknown codes fall back to the core's own message plus the code, never to silence.
 * Extension-side codes are documented in docs/extension.md, the core's in docs/report.md,
 * docs/compose.md and docs/release.md. One `"code": e("text")` entry per line.
 */

export interface ProblemLike {
  readonly code: string;
  readonly message?: string | undefined;
}

export type Severity = "error" | "warning" | "info";

interface Entry {
  readonly text: string;
  readonly severity: Severity;
}

const e = (text: string, severity: Severity = "error"): Entry => ({ text, severity });

/** Codes produced by this extension itself (not by the wasm core). */
export const EXTENSION_CODES = {
  coreUnavailable: "core-unavailable",
  coreFunctionUnavailable: "core-function-unavailable",
  coreFailed: "core-failed",
  adapterHttp: "webmail-http-error",
  adapterUnsupported: "webmail-unsupported",
  adapterNoTab: "webmail-no-tab",
  noKey: "no-signing-key",
  noTrustAnchors: "no-trust-anchors",
  keyPasswordMissing: "key-password-missing",
  plaintextKeyRefused: "plaintext-key-refused",
  badMessage: "bad-extension-message",
  stashMissing: "stash-missing",
  formInvalid: "compose-form-invalid",
  labelCatalogueInvalid: "label-catalogue-invalid",
  policyInvalid: "release-policy-invalid",
  paramNotCarried: "webmail-parameter-not-carried",
  recipientRefused: "webmail-recipient-refused",
  originInvalid: "webmail-origin-invalid",
  permissionDenied: "webmail-permission-denied",
  settingsUnprotected: "settings-unprotected",
  trustAnchorsUnconfirmed: "trust-anchors-unconfirmed",
  auditLogDamaged: "audit-log-damaged",
  receiptSentCopyUnknown: "receipt-sent-copy-unknown",
} as const;

const CATALOGUE: Readonly<Record<string, Entry>> = {
  // --- this extension ---
  "settings-unprotected": e("The browser cannot restrict the extension's settings to the extension's own pages (chrome.storage.local access level): the trust anchors, keys and policies are not used. Update Chromium."),
  "trust-anchors-unconfirmed": e("Trust anchors change only through Settings, after you confirm each added or removed certificate (subject and SHA-256 fingerprint)."),
  "core-unavailable": e("The MMHS core (WebAssembly) is not available in this build of the extension. Build it with wasm-pack and rebuild the extension."),
  "core-function-unavailable": e("This function is not available yet in the MMHS core built into the extension."),
  "core-failed": e("The MMHS core failed while processing this message."),
  "webmail-http-error": e("The webmail refused the request."),
  "webmail-unsupported": e("This page is not a supported webmail view."),
  "webmail-no-tab": e("The webmail tab for this panel is gone; reload the webmail page."),
  "no-signing-key": e("No personal key is imported. Open the extension settings and import your PKCS#12 file."),
  "no-trust-anchors": e("No trust anchors are configured, so no signer can be trusted. Add your root certificates in the settings.", "warning"),
  "key-password-missing": e("Enter the password of your personal key."),
  "plaintext-key-refused": e("The core returned an unencrypted private key; it was not stored. Keys are kept only as password-encrypted PKCS#8."),
  "bad-extension-message": e("An internal message between extension parts was malformed and was dropped."),
  "stash-missing": e("The message handed to this panel has expired; reopen the message."),
  "compose-form-invalid": e("The compose form is incomplete."),
  "label-catalogue-invalid": e("The label catalogue is not valid JSON of the expected shape."),
  "release-policy-invalid": e("The release policy is not valid JSON."),
  "webmail-parameter-not-carried": e("The webmail's SMTP server does not offer these envelope parameters; they were left out (the message's own header fields still carry precedence and label):", "warning"),
  "webmail-recipient-refused": e("The webmail's SMTP server refused these recipients; the message was not sent to them:"),
  "webmail-origin-invalid": e("Enter the webmail's address as http(s)://host[:port]/ (no user name, no wildcard)."),
  "webmail-permission-denied": e("The browser did not grant access to that webmail; the extension does not run there."),
  "audit-log-damaged": e("The extension's audit log is unreadable or its hash chain is broken: records were changed, inserted or removed outside the extension."),
  "receipt-sent-copy-unknown": e("This signed receipt answers a message this extension has no record of sending, so it cannot be checked against your sent copy: it is not verified.", "warning"),

  // --- signatures and certificates (core report problems) ---
  "signature-invalid": e("A signature does not verify: the message was changed after it was signed, or the signature is forged."),
  "message-digest-mismatch": e("The signed content does not match its signature (message digest mismatch): the message was altered."),
  "certificate-missing": e("The signer's certificate is not in the message and is not known."),
  "domain-naming-mismatch": e("A domain signature is made by an agent that does not serve the sender's domain (or an ascendant of it)."),
  "signature-type-inconsistent": e("The signers of one signature layer declare different signature types."),
  "signature-type-not-encapsulating": e("A domain, review or additional-attributes signature does not wrap another signature."),
  "signer-address-mismatch": e("The signer's certificate address does not match the From/Sender of the message."),

  // --- authorizing users (RFC 7912 / seed) ---
  "authorizing-user-not-countersigned": e("An authorizing user is listed without a countersignature: the release is not proven."),
  "authorizing-user-untrusted": e("An authorizing user's countersignature is not trusted."),
  "authorizing-users-duplicate": e("MMHS-Authorizing-Users appears more than once."),

  // --- labels ---
  "sio-label-mismatch": e("The signed ESS security label and the SIO-Label header disagree."),
  "sio-label-invalid": e("The SIO-Label header is malformed."),
  "label-invalid": e("The security label is malformed."),

  // --- MMHS fields (inspect) ---
  "precedence-invalid": e("A precedence field is malformed."),
  "primary-precedence-missing": e("The message has To recipients but no primary precedence.", "warning"),
  "copy-precedence-missing": e("The message has Cc recipients but no copy precedence.", "warning"),
  "message-type-invalid": e("The message type field is malformed."),
  "duplicate-field": e("A header field that may appear only once appears several times."),
  "header-crlf": e("A header value contains CR or LF."),

  // --- crypto layers ---
  "decrypt-failed": e("The message could not be decrypted with your key."),
  "input-too-large": e("The message is larger than the allowed limit."),
  "unsupported-algorithm": e("The message uses an algorithm this client does not support."),
  "provider-unsupported": e("This message uses an algorithm the browser's WebCrypto does not provide, and the extension's full core could not check it either. It is not shown as verified."),
  "key-provider-unsupported": e("Your unlocked key cannot open this message's encryption (its key transport, such as RSAES-PKCS1-v1_5, is not in the browser's WebCrypto). Enter your key password to decrypt it."),

  // --- release ---
  "authorizing-user-countersignature-invalid": e("An authorizing user's countersignature does not verify."),
  "countersigner-not-listed": e("A countersignature is present from someone not listed in MMHS-Authorizing-Users.", "warning"),
  "authorizing-users-malformed": e("MMHS-Authorizing-Users is not a valid address list."),
  "authorizing-user-not-officer": e("A listed authorizing user is not a release officer under the policy."),
  "authorizing-user-unverified": e("A listed authorization is not protected by a valid countersignature."),
  "gate-no-originator": e("The message has neither Sender nor From."),
  "gate-unparsable": e("The message could not be parsed by the submission gate."),
  "gate-header-mismatch": e("The protected header differs from the outer one in a military, From or Sender field: the gate judges the fields the recipient will act on."),
  "gate-from-not-owned": e("The From or Sender address does not belong to the authenticated submitter."),
  "gate-unauthenticated": e("Military messages may be submitted without authentication only to release officers."),
  "gate-content-opaque": e("The content is encrypted where the submission gate cannot inspect it: a draft must be signed outside the encryption and encrypted to the officers too."),
  "gate-report-invalid": e("A countersignature verifies but the message does not: an authorisation counts only on a valid message."),
  "review-keyword": e("Review: a policy keyword matched.", "warning"),
  "review-policy-bad-regex": e("Review: a policy pattern is not a valid regular expression.", "warning"),
  "review-recipient-not-cleared": e("Review: the classification exceeds a recipient's clearance."),
  "review-recipient-clearance-unknown": e("Review: a recipient's clearance is unknown.", "warning"),
  "review-missing-field": e("Review: a field required by the policy is missing."),
  "review-content-unread": e("Review: part of the message was not read (too many parts, too deep, or a header section too large), so the keyword rules could not search all of it."),

  // --- core codes (docs/report.md, docs/release.md; src/smime, keys, trust, protect, mmhs, release) ---
  "not-signed": e("The message is not signed."),
  "no-signers": e("The signed layer has no signer."),
  "signed-attr-malformed": e("A signature's signed attributes are malformed."),
  "signed-attr-missing": e("A signature lacks a required signed attribute (content type or message digest)."),
  "attr-must-be-signed": e("An attribute that must be signed appears unsigned."),
  "content-type-mismatch": e("The signed content-type attribute does not match the content."),
  "content-missing": e("The signed content is missing."),
  "content-ambiguous": e("The signed content is ambiguous."),
  "signing-certificate-mismatch": e("The signing-certificate attribute does not match the signer's certificate."),
  "signer-cert-not-found": e("The signer's certificate is not in the message and is not known."),
  "signature-limit": e("The message carries more signatures than are checked (64): the rest were not verified."),
  "signer-cert-ambiguous": e("Several certificates match the signer's identifier: the signer cannot be identified."),
  "originator-field-duplicate": e("The message has more than one From or Sender field, or a From with several addresses and no Sender: the originator is ambiguous."),
  "countersignature-orphaned": e("A countersignature is on a signature that is not a valid originator signature of this content: it authorises nothing."),
  "path-budget-exhausted": e("Building the signer's certificate path needed more work than allowed and was stopped: the certificate is not trusted."),
  "empty-signature-layer": e("The message carries an empty signature layer (a signed wrapper without signers), as domain signing adds.", "info"),
  "encrypted-for-domain": e("The message was encrypted for a domain's confidentiality authority or S/MIME gateway: that domain can read it.", "info"),
  "ml-expanded": e("Mailing lists expanded this message (their expansion history is signed).", "info"),
  "gateway-decrypted": e("An S/MIME gateway of your domain decrypted this message before delivery: it was not encrypted to you end to end.", "warning"),
  "ml-expansion-loop": e("This mailing list already expanded the message: expanding it again would loop (RFC 2634 §4.1.1)."),
  "ml-history-limit": e("The message has been expanded by too many mailing lists (RFC 2634 §4.4)."),
  "ml-history-invalid": e("The message's mailing-list expansion history is malformed or inconsistent."),
  "ml-expansion-refused": e("The mailing list refuses the message: its signatures could not all be verified."),
  "dca-not-recipient": e("The message is encrypted, but not for this domain's confidentiality authority."),
  "no-recipient-certificate": e("No certificate to encrypt to: neither the recipient's own nor its domain's confidentiality authority or gateway."),
  "gateway-mixed-recipients": e("Some recipients can be reached encrypted and others not; the gateway policy forbids sending to both."),
  "field-not-covered": e("A security-relevant header field is not covered by any signature: it is shown as unverified.", "warning"),
  "signature-type-invalid": e("That combination of signature types is not allowed (draft-melnikov-smime-msa-to-mda §3.2)."),
  "agent-naming-invalid": e("The certificate does not name an agent of the sender's domain: it cannot make this signature."),
  "domain-signature-refused": e("A domain signature cannot be added: the originator is not authenticated or a signature is not valid."),
  "signer-key-invalid": e("The signer's public key is invalid."),
  "weak-algorithm": e("The message uses a weak algorithm (SHA-1, DSA, 3DES, RC2 or PKCS#1 v1.5 key transport): it is not accepted."),
  "weak-algorithm-accepted": e("A weak algorithm or key was accepted because legacy messages are allowed: the protection is weaker than required.", "warning"),
  "cms-malformed": e("The S/MIME (CMS) structure is malformed."),
  "smime-malformed": e("The S/MIME structure of the message is malformed."),
  "mime-malformed": e("The MIME structure of the message is malformed."),
  "not-a-message": e("The input is not an e-mail message."),
  "depth-limit": e("The message nests too many security layers; it was not processed further."),
  "unsupported-protocol": e("The message uses an S/MIME protocol this client does not support."),
  "cert-untrusted": e("A certificate does not chain to any of your trust anchors."),
  "cert-expired": e("A certificate has expired."),
  "cert-not-yet-valid": e("A certificate is not yet valid."),
  "cert-revoked": e("A certificate has been revoked."),
  "cert-revocation-unknown": e("A certificate's revocation status is unknown.", "warning"),
  "cert-bad-signature": e("A certificate's signature is invalid."),
  "cert-not-ca": e("A certificate in the chain is not a CA."),
  "cert-key-usage": e("A certificate is not allowed for this use (keyUsage)."),
  "cert-eku": e("A certificate is not allowed for e-mail protection (extendedKeyUsage)."),
  "cert-policy": e("A certificate policy check failed."),
  "cert-name-constraints": e("A certificate violates name constraints."),
  "cert-unknown-critical-extension": e("A certificate has an unknown critical extension."),
  "cert-malformed": e("A certificate is malformed."),
  "cert-weak-key": e("A certificate in the signer's path has an RSA key shorter than 2048 bits: it is not accepted."),
  "certificate-malformed": e("A certificate is malformed."),
  "path-too-long": e("The certificate chain is too long."),
  "validation-time-unknown": e("The validation time is unknown.", "warning"),
  "security-label-invalid": e("The ESS security label is malformed."),
  "security-label-inconsistent": e("The security labels of the signers disagree."),
  "receipt-malformed": e("The signed receipt's Receipt content cannot be read."),
  "receipt-request-misplaced": e("A signed-receipt request is carried by a signature other than the originator's."),
  "receipt-request-inconsistent": e("The signatures of this message ask for signed receipts differently."),
  "receipt-request-in-receipt": e("A signed receipt asks for a receipt itself."),
  "receipt-original-unknown": e("This is a signed receipt; it can only be checked against the sent message it answers.", "warning"),
  "receipt-not-for-original": e("This signed receipt is for another message."),
  "receipt-msg-sig-digest-mismatch": e("This signed receipt does not acknowledge the signed content of the sent message."),
  "receipt-content-type-mismatch": e("This signed receipt names another content type than the sent message."),
  "receipt-not-requested": e("The sent message did not ask for a signed receipt."),
  "receipt-identifier-mismatch": e("This signed receipt names another request identifier than the sent message."),
  "receipt-signer-not-requested": e("This signed receipt is signed by someone the sent message did not ask for a receipt."),
  "ess-label-invalid": e("The ESS security label is malformed."),
  "mmhs-sio-label-mismatch": e("The signed ESS security label and the SIO-Label header disagree."),
  "sio-label-duplicate": e("The message carries more than one SIO-Label."),
  "label-missing": e("The security policy refuses a military message without a security label."),
  "label-undefined": e("The security label uses a classification or category its policy does not define."),
  "label-policy-unknown": e("The security label's policy is not known here and no known policy maps it."),
  "label-not-cleared": e("A recipient or next hop is not cleared for the message's security label."),
  "label-no-clearance": e("A recipient or next hop has no clearance in any known security policy."),
  "sio-label-history-invalid": e("The SIO-Label-History header is malformed.", "warning"),
  "hp-header-mismatch": e("A visible header differs from the signed (protected) header; the protected value is shown."),
  "hp-from-mismatch": e("The visible From differs from the signed (protected) From."),
  "hp-no-from": e("The protected header section has no From."),
  "hp-invalid": e("The header protection is malformed."),
  "hp-unreadable": e("The protected headers cannot be read."),
  "hp-forwarded": e("The signed content carries a forwarded message (message/rfc822 with forwarded=yes or without forwarded): its header is the forwarded message's, not a protected header of this message.", "info"),
  "hp-legacy-display": e("The message carries a legacy display element for protected headers.", "info"),
  "hp-cipher-unencrypted": e("Headers marked confidential (hp=cipher) were sent unencrypted."),
  "authorizing-users-outer-only": e("MMHS-Authorizing-Users is only in the outer header, as release requires; every listed officer's countersignature was checked.", "info"),
  "sender-outer-only": e("The Sender added at release names the originator whose signature was verified.", "info"),
  "release-time-outer": e("The release time (MMHS-Extended-Authorisation-Info) is the time the releasing officer signed.", "info"),
  "compressed-twice": e("The message is compressed more than once (the profile allows it at most once, innermost)."),
  "from-display-name-address": e("The From display name looks like a different e-mail address: possible spoofing."),
  "mmhs-header-too-large": e("The header section is too large to analyse."),
  "mmhs-header-too-many-fields": e("The header section has too many fields to analyse."),
  "mmhs-input-too-large": e("The message is too large to analyse."),
  "mmhs-not-a-message": e("The input is not an Internet message."),
  "decrypt-no-recipient": e("The message is not encrypted to your key."),
  "decrypt-auth-failed": e("The encrypted content failed its integrity check (altered)."),
  "no-decryption-key": e("The message is encrypted and no decryption key was given."),
  "decompress-failed": e("The compressed content could not be decompressed."),
  "decompress-limit": e("The compressed content is larger than the allowed limit."),
  "verification-cancelled": e("Verification was stopped before it finished (time budget); try again."),
  "header-too-large": e("A header section of the message is larger than the reader reads (1 MiB): the message is not verified."),
  "header-too-many-fields": e("A header section of the message has more fields than the reader reads (10 000): the message is not verified."),
  "pkcs12-bad-password": e("The PKCS#12 password is wrong."),
  "pkcs12-malformed": e("The file is not a valid PKCS#12 (.p12/.pfx) file."),
  "pkcs12-no-key": e("The PKCS#12 file contains no private key."),
  "pkcs12-no-certificate": e("The PKCS#12 file contains no certificate matching its key."),
  "keys-unsupported-algorithm": e("The key uses an unsupported algorithm."),
  "keys-malformed": e("The key is malformed."),
  "key-bad-password": e("The key password is wrong."),
  "key-export-failed": e("The key could not be exported encrypted."),
  "mmhs-duplicate-field": e("An MMHS header field appears more than once."),
  "mmhs-malformed": e("An MMHS header field is malformed."),
  "mmhs-header-defect": e("The header section has a defect."),
  "mmhs-primary-precedence-missing": e("The message has To recipients but no primary precedence.", "warning"),
  "mmhs-copy-precedence-missing": e("The message has Cc recipients but no copy precedence.", "warning"),
  "mmhs-primary-precedence-unexpected": e("A primary precedence is given but there are no To recipients.", "warning"),
  "mmhs-copy-precedence-unexpected": e("A copy precedence is given but there are no Cc recipients.", "warning"),
  "mmhs-precedence-unallocated": e("The precedence value is not allocated.", "warning"),
  "mmhs-message-type-unallocated": e("The message type value is not allocated.", "warning"),
  "mmhs-mt-priority-missing": e("The MT-Priority field is missing.", "warning"),
  "mmhs-mt-priority-mismatch": e("MT-Priority does not match the precedence.", "warning"),
  "mmhs-message-id-missing": e("The message has no Message-ID.", "warning"),
  "mmhs-authorisation-info-missing": e("MMHS-Extended-Authorisation-Info is missing.", "warning"),
  "mmhs-authorizing-users-without-sender": e("MMHS-Authorizing-Users is present without a Sender.", "warning"),
  "mmhs-sic-too-many": e("More than eight subject indicator codes.", "warning"),
  "mmhs-received-date-invalid": e("A Received date is malformed.", "warning"),
  "mmhs-not-military": e("This is not a military message.", "info"),
  "no-originator-signature": e("The draft has no originator signature; it cannot be released."),
  "release-originator-unverified": e("The originator's signature could not be authenticated; the message is not released."),
  "release-blocked-by-review": e("The review found a blocking problem; the message is not released."),
  "release-authorisation-unverified": e("MMHS-Authorizing-Users lists an authorisation that cannot be verified; the message is returned to the originator, not released (RFC 7912)."),
  "mixer-no-from": e("The message has no From: it cannot be mapped to MIXER."),
  "mixer-no-originator": e("The message names no originator: it cannot be mapped to MIXER."),
  "mixer-sender-missing": e("MMHS-Authorizing-Users without a Sender: it cannot be mapped to MIXER."),
  "audit-chain-broken": e("The audit trail's hash chain is broken."),
  "audit-head-mismatch": e("The audit trail's head does not match its records."),
  "audit-record-altered": e("An audit record was altered."),
  "audit-retention-violated": e("Audit records were removed before their retention period ended."),
  "audit-sequence-gap": e("The audit trail has a gap in its sequence."),
  "release-malformed": e("The release request is malformed."),
  "encrypt-no-recipient": e("No recipient certificate to encrypt to."),
  "encrypt-recipient-invalid": e("A recipient certificate cannot be used for encryption."),
  "encrypt-failed": e("Encryption failed."),

  // --- compose (docs/compose.md) ---
  "request-invalid": e("The request was refused by the core (a member it does not understand, or a wrong type)."),
  "request-too-large": e("The request (with its message and attachments) is too large."),
  "header-control-char": e("A header value contains a control character."),
  "header-too-long": e("A header value is too long."),
  "address-invalid": e("An e-mail address is not valid."),
  "from-missing": e("The message has no From address."),
  "sender-required": e("Several From addresses need a Sender."),
  "no-recipients": e("The message has no recipients."),
  "recipient-duplicate": e("A recipient is listed twice."),
  "too-many-recipients": e("Too many recipients."),
  "primary-precedence-without-to": e("A primary precedence is given but there are no To recipients."),
  "copy-precedence-without-cc": e("A copy precedence is given but there are no Cc/Bcc recipients."),
  "message-id-invalid": e("A message id is malformed (expected <id@host>)."),
  "message-id-domain-invalid": e("The Message-ID domain is not usable."),
  "notify-invalid": e("The delivery notification choice is invalid."),
  "envid-invalid": e("The envelope id is invalid."),
  "time-in-past": e("Expiry, deferred delivery and latest delivery times must be in the future."),
  "time-out-of-range": e("A time is out of range."),
  "delivery-times-conflict": e("The latest delivery time must be after the deferred delivery time."),
  "message-too-large": e("The message is too large."),
  "header-nul": e("A header contains a NUL character."),
  "military-string-invalid": e("A value is not a valid military string."),
  "sic-invalid": e("A subject indicator code is malformed."),
  "field-value-invalid": e("An MMHS field value is outside its grammar."),
  "language-tag-invalid": e("A language tag is malformed."),
  "content-type-invalid": e("An attachment content type is invalid."),
  "base64-invalid": e("Attachment or forwarded data is not valid base64."),
  "filename-invalid": e("An attachment file name is invalid."),
  "content-too-large": e("The message is too large to display."),
  "attachment-not-found": e("The message has no such attachment."),
  "attachment-undecodable": e("The attachment's transfer encoding cannot be decoded."),
  "forwarded-invalid": e("A forwarded message is not a valid message."),
  "too-many-attachments": e("Too many attachments."),
  "signer-missing": e("Signing was asked for without a key and certificate."),
  "certificate-invalid": e("A certificate cannot be read."),
  "sender-certificate-missing": e("Encryption needs your own certificate, and none was given."),
  "recipient-certificate-missing": e("A recipient has no certificate to encrypt to."),
  "security-option-conflict": e("The security options do not go together."),
  "cms-encode": e("The S/MIME structure could not be encoded."),
  "protect-already-protected": e("The message already has protected headers."),
  "protect-line-too-long": e("A header line is too long to protect."),
};

export interface ProblemView {
  readonly code: string;
  readonly text: string;
  readonly detail: string | null;
  readonly severity: Severity;
  readonly known: boolean;
}

/** Human text for a problem: catalogue text, the core's message as detail, the code always kept. */
export function describeProblem(p: ProblemLike): ProblemView {
  const entry = CATALOGUE[p.code];
  const detail = p.message && p.message.trim() !== "" ? p.message : null;
  if (entry) {
    return { code: p.code, text: entry.text, detail: detail === entry.text ? null : detail, severity: entry.severity, known: true };
  }
  return {
    code: p.code,
    text: detail ?? `Problem reported by the MMHS core (code ${p.code}).`,
    detail: null,
    severity: "error",
    known: false,
  };
}

export function knownCodes(): string[] {
  return Object.keys(CATALOGUE);
}

/** An error carrying a stable code, used throughout the extension. */
export class CodedError extends Error {
  readonly code: string;
  constructor(code: string, message?: string) {
    super(message ?? CATALOGUE[code]?.text ?? code);
    this.code = code;
    this.name = "CodedError";
  }
}

/** Normalise anything thrown (core JS Error with `.code`, CodedError, string) to a ProblemLike. */
export function toProblem(err: unknown): ProblemLike {
  if (err instanceof CodedError) return { code: err.code, message: err.message };
  if (typeof err === "object" && err !== null) {
    const o = err as Record<string, unknown>;
    const code = typeof o["code"] === "string" ? o["code"] : EXTENSION_CODES.coreFailed;
    const message = typeof o["message"] === "string" ? o["message"] : JSON.stringify(err);
    return { code, message };
  }
  return { code: EXTENSION_CODES.coreFailed, message: String(err) };
}
