/**
 * The compose panel's live label banner and the label field's refusals (pure, unit-tested; the
 * page only renders the model). The banner shows the display marking of the label being
 * composed: the security policy file's marking of the classification when one defines it
 * (wasm `labelReceivable`, `label-policy.ts`), else the catalogue's classification name (RFC 2634
 * §5.4.4.4 ESS values), with the privacy mark (RFC 2634 §5.4.4.5) and the categories.
 * Colours: the policy's RFC 7444 `fgcolor`/`bgcolor` pair when it gives both, else the fixed
 * colours of the classification (`CLASSIFICATIONS`); SECRET and above are also marked `high`.
 */
import type { CategoryDef, PolicyDef } from "./labels.js";
import type { PickerRestriction, PolicyClassification } from "./label-policy.js";
import { classificationByValue, isHighClassification, sioColour } from "./mmhs.js";

export interface BannerInput {
  /** "Apply a security label" ticked. */
  readonly labelOn: boolean;
  readonly policy: PolicyDef | undefined;
  /** The chosen classification, or null when none is chosen yet. */
  readonly classification: number | null;
  readonly privacyMark: string;
  readonly categories: readonly CategoryDef[];
  /** The security policy file's definition of the chosen classification, when one defines it. */
  readonly policyClass?: PolicyClassification | undefined;
}

export interface BannerModel {
  /** `none`: no label (explicit); `unchosen`: a label without a classification yet; `label`. */
  readonly kind: "none" | "unchosen" | "label";
  readonly text: string;
  readonly detail: string;
  readonly fg: string;
  readonly bg: string;
  /** The catalogue name of the classification (the `data-classification` of the reader's banner). */
  readonly classification: string;
  readonly high: boolean;
  /** Where the marking and colours come from. */
  readonly source: "policy-file" | "catalogue" | null;
}

const NONE: BannerModel = { kind: "none", text: "NO SECURITY LABEL", detail: "This message will carry no security label.", fg: "#333333", bg: "#e0e0e0", classification: "none", high: false, source: null };

function text(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
}

/** The banner for the label as composed so far. */
export function bannerModel(i: BannerInput): BannerModel {
  if (!i.labelOn) return NONE;
  const policyText = i.policy ? `Policy ${i.policy.name} (${i.policy.oid})` : "No policy in the label catalogue";
  if (i.classification === null) {
    return { kind: "unchosen", text: "CLASSIFICATION NOT CHOSEN", detail: `Choose a classification, or untick "Apply a security label". ${policyText}`, fg: "#b00020", bg: "#ffffff", classification: "unchosen", high: false, source: null };
  }
  const cls = classificationByValue(i.classification);
  const fromPolicy = i.policyClass?.value === i.classification ? i.policyClass : undefined;
  const marking = text(fromPolicy?.marking);
  const fg = sioColour(text(fromPolicy?.fgcolor));
  const bg = sioColour(text(fromPolicy?.bgcolor));
  const colours = fg && bg ? { fg, bg } : { fg: cls.fg, bg: cls.bg };
  const parts = [marking ?? cls.name, text(i.privacyMark), i.categories.length > 0 ? i.categories.map((c) => c.name).join(" / ") : null];
  return {
    kind: "label",
    text: parts.filter((p): p is string => p !== null).join(" — "),
    detail: `${policyText} · preview of the label this message will carry`,
    ...colours,
    classification: cls.name,
    high: isHighClassification(i.classification),
    source: marking ? "policy-file" : "catalogue",
  };
}

/**
 * Why the label field cannot be sent as it stands, or null: a label with no classification
 * chosen (no silent default), a classification a recipient is not cleared for (named, from the
 * core's `labelReceivable`), or a core that could not judge (fail closed).
 */
export function labelRefusal(labelOn: boolean, classification: number | null, restriction: PickerRestriction | null): string | null {
  if (!labelOn) return null;
  if (classification === null) return "Choose a classification, or untick \"Apply a security label\" to send without a label.";
  if (restriction === null) return null;
  const name = text(restriction.classes.get(classification)?.marking) ?? classificationByValue(classification).name;
  if (restriction.error !== undefined) return `The security policies cannot judge this label, so it is refused: ${restriction.error}`;
  if (restriction.allowed.has(classification)) return null;
  const why = restriction.why.get(classification);
  return why ? `Not every recipient may receive ${name}: ${why}` : `${name} is not defined by the security policy; choose another classification.`;
}
