/**
 * Every element of service the core's MMHS view (`report.mmhs`, `src/fields/inspect.rs`
 * `MmhsView`) carries, as the reader lists it (draft-melnikov-mmhs-profile-09 §3.2, §5.1 item
 * 3: an MUA parses, processes and displays the RFC 6477 fields). Pure; each value is marked
 * verified only when `verified(headerField)` says a valid signature covers that field
 * (docs/report.md "Field coverage") — never by default.
 */
import { precedenceView, type Precedence } from "./mmhs.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export interface ElementView {
  /** The header field (what `fieldCoverage` names). */
  readonly field: string;
  readonly label: string;
  readonly value: string;
  readonly verified: boolean;
}

/** Address list of the view (`[{ address, name? }]`) → text. */
function addressText(v: unknown): string | null {
  if (!Array.isArray(v)) return null;
  const out = v.filter(isObj).map((m) => {
    const a = typeof m["address"] === "string" ? m["address"] : "?";
    return typeof m["name"] === "string" && m["name"] !== "" ? `${m["name"]} <${a}>` : a;
  });
  return out.length > 0 ? out.join(", ") : null;
}

function listText(v: unknown, sep: string): string | null {
  if (typeof v === "string") return v;
  if (!Array.isArray(v)) return null;
  const out = v.filter((x): x is string | number => typeof x === "string" || typeof x === "number").map(String);
  return out.length > 0 ? out.join(sep) : null;
}

function scalarText(v: unknown): string | null {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
}

/** [view member, header field, label, how to print it]. */
const ROWS: readonly [string, string, string, (v: unknown) => string | null][] = [
  ["handlingInstructions", "MMHS-Handling-Instructions", "Handling instructions", (v) => listText(v, "; ")],
  ["messageInstructions", "MMHS-Message-Instructions", "Message instructions", (v) => listText(v, "; ")],
  ["subjectIndicatorCodes", "MMHS-Subject-Indicator-Codes", "Subject indicator codes", (v) => listText(v, " ")],
  ["otherRecipientsIndicatorTo", "MMHS-Other-Recipients-Indicator-To", "Other action recipients", (v) => listText(v, "; ")],
  ["otherRecipientsIndicatorCc", "MMHS-Other-Recipients-Indicator-CC", "Other information recipients", (v) => listText(v, "; ")],
  ["originatorReference", "MMHS-Originator-Reference", "Originator reference", scalarText],
  ["codressMessageIndicator", "MMHS-Codress-Message-Indicator", "Codress message indicator", scalarText],
  ["originatorPlad", "MMHS-Originator-PLAD", "Originator PLAD", scalarText],
  ["acp127MessageIdentifier", "MMHS-Acp127-Message-Identifier", "ACP 127 message identifier", scalarText],
  ["exemptedAddresses", "MMHS-Exempted-Address", "Exempted addresses", addressText],
  ["extendedAuthorisationInfo", "MMHS-Extended-Authorisation-Info", "Extended authorisation info", scalarText],
  ["authorizingUsers", "MMHS-Authorizing-Users", "Authorizing users (as listed)", addressText],
];

/** The elements present in `mmhs`, in the order of profile §3.5 / §3.6. */
export function elementRows(mmhs: Obj | null, verified: (field: string) => boolean): ElementView[] {
  if (!mmhs) return [];
  return ROWS.flatMap(([member, field, label, text]) => {
    const value = text(mmhs[member]);
    return value === null ? [] : [{ field, label, value, verified: verified(field) }];
  });
}

/**
 * `mmhs.readerPrecedence` (the core's `ReaderPrecedence`): the precedence this reader acts on
 * — the primary one for a To ("action") recipient, the copy one for a Cc / Bcc ("information")
 * recipient (profile §3.5.1, §3.5.2). Verified only with the covering of its precedence field.
 */
export interface ReaderPrecedenceView {
  readonly role: "action" | "information" | "notListed";
  /** `To`, `Cc` or `Bcc`; null when not listed. */
  readonly field: string | null;
  readonly precedence: Precedence | null;
  readonly verified: boolean;
  readonly text: string;
}

export function readerPrecedence(mmhs: Obj | null, verified: (field: string) => boolean): ReaderPrecedenceView | null {
  const r = mmhs ? mmhs["readerPrecedence"] : undefined;
  if (!isObj(r)) return null;
  const role = r["role"] === "action" || r["role"] === "information" ? r["role"] : "notListed";
  const field = typeof r["field"] === "string" ? r["field"] : null;
  const precedence = precedenceView(r["precedence"]);
  const header = role === "action" ? "MMHS-Primary-Precedence" : "MMHS-Copy-Precedence";
  // The role comes from the recipient field too: both must be covered.
  const ok = role !== "notListed" && precedence !== null && verified(header) && field !== null && verified(field);
  const text =
    role === "notListed"
      ? "You are not listed in To, Cc or Bcc: which precedence applies to you is not known."
      : precedence === null
        ? `You are an ${role} recipient (${field ?? "?"}), but the message carries no ${role === "action" ? "primary" : "copy"} precedence.`
        : `Your precedence: ${precedence.name} — you are an ${role} recipient (${field ?? "?"}), so the ${role === "action" ? "primary" : "copy"} precedence applies.`;
  return { role, field, precedence, verified: ok, text };
}

/** A blind copy: the header read carries a Bcc field (profile §3.4.5). */
export function blindCopy(mmhs: Obj | null): boolean {
  const r = mmhs ? mmhs["recipients"] : undefined;
  return isObj(r) && r["bccField"] === true;
}
