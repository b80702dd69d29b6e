/**
 * Label-based access control in the extension (docs/security.md, "Label-based access
 * control"): the security policy files (Settings → Security policies, the same JSON files as
 * the submission agent's `label-policies/` directory) read by the wasm core — which
 * classifications the recipients may receive (the compose label picker offers no other), and
 * the equivalent labels of a received label (the reader shows them). The core decides; this
 * module only asks it (`labelReceivable`, `labelEquivalents`) and renders the answer.
 * Fail closed: when the core cannot judge (a policy file it refuses, a policy it does not
 * hold), no classification is offered.
 */

import type { Classification, CoreApi, Equivalent, ReceivableClass, SecurityLabel, VerifyReport } from "../core/wasm.js";
import { h } from "./dom.js";

export type { Equivalent, ReceivableClass };

/** The typed core binding (`invoke` of core/wasm.ts), injected so this module stays testable. */
export type LabelCore = <K extends "labelReceivable" | "labelEquivalents">(name: K, ...args: Parameters<CoreApi[K]>) => Promise<ReturnType<CoreApi[K]>>;

/** A classification as a security policy file defines it (the core's `Classification`). */
export type PolicyClassification = Classification;

/** A signed label as the core reports it (`VerifyReport.securityLabel`). */
export type LabelJson = SecurityLabel;

/** What the picker may offer for `policy`: `null` = no security policies configured (no
 * restriction); otherwise, per classification value, whether it is allowed and why not. */
export interface PickerRestriction {
  readonly allowed: ReadonlySet<number>;
  readonly why: ReadonlyMap<number, string>;
  /** The policy file's definition of each classification (display marking, RFC 7444 colours). */
  readonly classes: ReadonlyMap<number, PolicyClassification>;
  /** Set when the core could not judge: nothing is allowed. */
  readonly error?: string;
}

/** Ask the core which classifications of `policy` every recipient may receive; the core
 * decides (`allowed`) and explains (`why`), this only indexes its answer. */
export async function pickerRestriction(core: LabelCore, policies: readonly string[], policy: string, recipients: readonly string[]): Promise<PickerRestriction | null> {
  if (policies.length === 0) return null;
  const fail = (error: string): PickerRestriction => ({ allowed: new Set(), why: new Map(), classes: new Map(), error });
  let out: ReceivableClass[];
  try {
    out = await core("labelReceivable", { policies, recipients, policy });
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (!Array.isArray(out)) return fail("unexpected answer from the core");
  if (out.length === 0) return fail(`the security policies do not define ${policy}`);
  const allowed = new Set<number>();
  const why = new Map<number, string>();
  const classes = new Map<number, PolicyClassification>();
  for (const c of out) {
    classes.set(c.classification.value, c.classification);
    if (c.allowed) allowed.add(c.classification.value);
    else why.set(c.classification.value, c.why ?? "not receivable by every recipient");
  }
  return { allowed, why, classes };
}

/** Apply a restriction to the classification `<select>`: options not allowed are disabled
 * with the reason as their title. The empty "choose a classification" option stays enabled, and
 * a selection that became refused stays as the user chose it — never silently moved to another
 * classification — to be refused before sending (`labelRefusal`). */
export function applyRestriction(select: HTMLSelectElement, r: PickerRestriction | null): void {
  const options = Array.from(select.options);
  for (const o of options) {
    if (o.value === "") continue;
    const v = Number(o.value);
    const ok = r === null || r.allowed.has(v);
    o.disabled = !ok;
    o.title = ok ? "" : (r?.error ?? r?.why.get(v) ?? "not receivable by every recipient");
  }
}

/** The equivalents of a received label in the other configured policies (empty on error:
 * they are informative only). */
export async function equivalentLabels(core: LabelCore, policies: readonly string[], label: LabelJson): Promise<Equivalent[]> {
  if (policies.length === 0) return [];
  try {
    const out = await core("labelEquivalents", { policies, label });
    return Array.isArray(out) ? out : [];
  } catch {
    return [];
  }
}

/** One line per equivalent label: its marking, else policy and classification. */
export function equivalentsText(eqs: readonly Equivalent[]): string[] {
  return eqs.map((e) => e.marking ?? `policy ${e.label.policy}, classification ${e.label.classification ?? "none"}`);
}

/** The reader's note of a received label's equivalents (RFC 2634 §3.4), or nothing. */
export function equivalentsNote(eqs: readonly Equivalent[]): HTMLElement | null {
  if (eqs.length === 0) return null;
  return h("p", { class: "label-equivalents", role: "note" }, `Equivalent labels: ${equivalentsText(eqs).join(" · ")}`);
}

/** The signed label of a core verification report (`securityLabel`), if any. */
export function reportLabel(report: Pick<VerifyReport, "securityLabel"> | null): LabelJson | null {
  return report?.securityLabel ?? null;
}
