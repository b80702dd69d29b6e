/**
 * The elements of service of draft-melnikov-mmhs-profile-09 §3.2 that the compose panel offers
 * beyond recipients, precedences, message type, label, expiry and delivery times (those are in
 * `compose.ts`): the RFC 6477 fields of §3.5 and the ACP 127 transition fields of §3.6, and
 * Extended Authorisation Info (§3.5.5). Pure: form values → members of the core's compose
 * request (docs/compose.md "Request schema"), and a core error → the form field it is about.
 *
 * The grammars (military strings, SICs, addresses, the Codress range) are the core's
 * (`crate::fields` types through `compose`); this module only splits the form's text into the
 * request's shapes and refuses what cannot be put in them (a Codress that is not a number).
 * The core's error names the request member or the header field it refused
 * (`compose::Error::Field`, "subjectIndicatorCodes: …" / "MMHS-Handling-Instructions: …"),
 * and `fieldOfError` ties it to the input.
 *
 * Not offered because the profile does not support them (§3.2 "N/A"): Reply Request
 * Indication with its reply-by time (§3.4.36), ACP 127 Notification Request / Response
 * (§3.6.7, §3.6.8), Pilot Forwarded and Corrections (§3.6.2, §3.6.3).
 */

/** The raw text of each element's input (one value per line for the sequences). */
export interface ElementsForm {
  readonly handlingInstructions: string;
  readonly messageInstructions: string;
  readonly subjectIndicatorCodes: string;
  readonly otherRecipientsIndicatorTo: string;
  readonly otherRecipientsIndicatorCc: string;
  readonly originatorReference: string;
  readonly codressMessageIndicator: string;
  readonly originatorPlad: string;
  readonly acp127MessageIdentifier: string;
  readonly exemptedAddresses: string;
  /** datetime-local, "" for the default (the core writes the composition time). */
  readonly extendedAuthorisationInfo: string;
}

/** One element: the request member, the header field it becomes, its label and profile §. */
export interface ElementDef {
  readonly member: keyof ElementsForm;
  readonly header: string;
  readonly label: string;
  readonly section: string;
  /** `lines`: one value per line; `text`: one value; `number`; `time` (datetime-local). */
  readonly kind: "lines" | "text" | "number" | "time";
  readonly hint: string;
}

export const ELEMENTS: readonly ElementDef[] = [
  { member: "handlingInstructions", header: "MMHS-Handling-Instructions", label: "Handling instructions", section: "§3.6.1", kind: "lines", hint: "One per line (ACP 127 interworking)." },
  { member: "messageInstructions", header: "MMHS-Message-Instructions", label: "Message instructions", section: "§3.5.7", kind: "lines", hint: "One per line." },
  { member: "subjectIndicatorCodes", header: "MMHS-Subject-Indicator-Codes", label: "Subject indicator codes (distribution codes)", section: "§3.5.6", kind: "lines", hint: "One per line or separated by spaces; 3–8 letters each, at most 8." },
  { member: "otherRecipientsIndicatorTo", header: "MMHS-Other-Recipients-Indicator-To", label: "Other action recipients (not on this system)", section: "§3.5.9", kind: "lines", hint: "One per line." },
  { member: "otherRecipientsIndicatorCc", header: "MMHS-Other-Recipients-Indicator-CC", label: "Other information recipients (not on this system)", section: "§3.5.9", kind: "lines", hint: "One per line." },
  { member: "originatorReference", header: "MMHS-Originator-Reference", label: "Originator reference", section: "§3.5.10", kind: "text", hint: "" },
  { member: "codressMessageIndicator", header: "MMHS-Codress-Message-Indicator", label: "Codress message indicator", section: "§3.6.6", kind: "number", hint: "A whole number." },
  { member: "originatorPlad", header: "MMHS-Originator-PLAD", label: "Originator PLAD", section: "§3.6.5", kind: "text", hint: "Plain language address designator." },
  { member: "acp127MessageIdentifier", header: "MMHS-Acp127-Message-Identifier", label: "ACP 127 message identifier", section: "§3.6.4", kind: "text", hint: "" },
  { member: "exemptedAddresses", header: "MMHS-Exempted-Address", label: "Exempted addresses", section: "§3.5.4", kind: "lines", hint: "One address per line: members of an address list this message is not for." },
  { member: "extendedAuthorisationInfo", header: "MMHS-Extended-Authorisation-Info", label: "Extended authorisation info (time of authorisation)", section: "§3.5.5", kind: "time", hint: "Empty: the time of composition." },
];

export const EMPTY_ELEMENTS: ElementsForm = {
  handlingInstructions: "",
  messageInstructions: "",
  subjectIndicatorCodes: "",
  otherRecipientsIndicatorTo: "",
  otherRecipientsIndicatorCc: "",
  originatorReference: "",
  codressMessageIndicator: "",
  originatorPlad: "",
  acp127MessageIdentifier: "",
  exemptedAddresses: "",
  extendedAuthorisationInfo: "",
};

/** An error tied to one element's input. */
export interface FieldError {
  readonly member: keyof ElementsForm;
  readonly message: string;
}

const lines = (s: string): string[] =>
  s
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter((x) => x !== "");

/** SICs may also be typed on one line, separated by spaces, commas or semicolons. */
const codes = (s: string): string[] =>
  s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter((x) => x !== "");

/** datetime-local → RFC 3339 UTC; `empty`, or `invalid` when not a time. */
function localTime(v: string): { time: string } | "empty" | "invalid" {
  if (v.trim() === "") return "empty";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return "invalid";
  return { time: d.toISOString().replace(/\.\d{3}Z$/, "Z") };
}

/**
 * The request members for the elements filled in, and the errors of inputs that cannot become
 * a member at all. Values are passed as typed (trimmed): their grammar is checked by the core.
 */
export function elementsRequest(f: ElementsForm): { members: Record<string, unknown>; errors: FieldError[] } {
  const members: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const d of ELEMENTS) {
    const raw = f[d.member];
    if (raw.trim() === "") continue;
    if (/[\r\n]/.test(raw) && d.kind !== "lines") {
      errors.push({ member: d.member, message: `${d.label}: one line only.` });
      continue;
    }
    switch (d.kind) {
      case "lines": {
        const list = d.member === "subjectIndicatorCodes" ? codes(raw) : lines(raw);
        members[d.member] = list;
        break;
      }
      case "text":
        members[d.member] = raw.trim();
        break;
      case "number": {
        const t = raw.trim();
        if (!/^[0-9]{1,15}$/.test(t)) errors.push({ member: d.member, message: `${d.label}: not a whole number (${t}).` });
        else members[d.member] = Number(t);
        break;
      }
      case "time": {
        const t = localTime(raw);
        if (t === "invalid") errors.push({ member: d.member, message: `${d.label}: not a date/time.` });
        else if (t !== "empty") members[d.member] = t.time;
        break;
      }
    }
  }
  return { members, errors };
}

/**
 * The element a core compose error is about, from the name it starts with (the request
 * member, e.g. `subjectIndicatorCodes: …`, or the header field, e.g.
 * `MMHS-Handling-Instructions: …`); null when it names none of them.
 */
export function fieldOfError(message: string): keyof ElementsForm | null {
  const head = /^\s*([A-Za-z0-9.-]+)\s*:/.exec(message)?.[1];
  if (!head) return null;
  const name = head.split(".")[0]?.toLowerCase() ?? "";
  const hit = ELEMENTS.find((d) => d.member.toLowerCase() === name || d.header.toLowerCase() === name);
  return hit ? hit.member : null;
}

/**
 * Which precedence each recipient kind acts on (profile §3.5.1, §3.5.2): To recipients the
 * primary precedence ("action"), Cc and Bcc recipients the copy precedence ("information").
 */
export function precedenceRole(kind: "to" | "cc" | "bcc"): { role: "action" | "information"; precedence: "primary" | "copy" } {
  return kind === "to" ? { role: "action", precedence: "primary" } : { role: "information", precedence: "copy" };
}
