/**
 * Configurable label catalogue (Settings → Label catalogue): security policies, each with the
 * classifications, privacy marks and categories a user may pick in the compose panel.
 * Stored as JSON in chrome.storage.local; validated here (pure, unit-tested).
 */
import { CodedError, EXTENSION_CODES } from "./problems.js";

export interface CategoryDef {
  /** Category type OID (e.g. RFC 7906 / NATO category type); value is a printable string. */
  readonly type: string;
  readonly value: string;
  readonly name: string;
}

export interface PolicyDef {
  readonly name: string;
  /** Security policy OID (ESSSecurityLabel security-policy-identifier). */
  readonly oid: string;
  readonly classifications: readonly number[];
  readonly privacyMarks: readonly string[];
  readonly categories: readonly CategoryDef[];
}

export interface LabelCatalogue {
  readonly policies: readonly PolicyDef[];
}

/**
 * Demo catalogue. 1.3.26.1.10.1 is an illustrative arc, not a registered national policy —
 * replace it with your organisation's policy in Settings.
 */
export const DEFAULT_CATALOGUE: LabelCatalogue = {
  policies: [
    {
      name: "Demo policy",
      oid: "1.3.26.1.10.1",
      classifications: [0, 1, 2, 3, 4, 5],
      privacyMarks: ["", "EXERCISE", "CLEAR", "IN CONFIDENCE"],
      categories: [
        { type: "2.16.840.1.101.2.1.8.3.1", value: "RELEASABLE TO NATO", name: "REL NATO" },
        { type: "2.16.840.1.101.2.1.8.3.1", value: "ATOMAL", name: "ATOMAL" },
      ],
    },
  ],
};

const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

export function validateCatalogue(input: unknown): LabelCatalogue {
  const fail = (why: string): never => {
    throw new CodedError(EXTENSION_CODES.labelCatalogueInvalid, `Label catalogue: ${why}`);
  };
  if (typeof input !== "object" || input === null) return fail("must be an object");
  const policies = (input as Record<string, unknown>)["policies"];
  if (!Array.isArray(policies) || policies.length === 0) return fail("needs a non-empty \"policies\" array");
  const out: PolicyDef[] = policies.map((p: unknown, i) => {
    if (typeof p !== "object" || p === null) return fail(`policy ${i} must be an object`);
    const o = p as Record<string, unknown>;
    const name = o["name"];
    const oid = o["oid"];
    if (typeof name !== "string" || name === "") return fail(`policy ${i} needs a name`);
    if (typeof oid !== "string" || !OID.test(oid)) return fail(`policy "${name}" needs a dotted OID`);
    const classifications = o["classifications"];
    if (!Array.isArray(classifications) || !classifications.every((c) => Number.isInteger(c) && (c as number) >= 0 && (c as number) <= 256)) {
      return fail(`policy "${name}": classifications must be integers 0–256`);
    }
    const marks = o["privacyMarks"] ?? [];
    if (!Array.isArray(marks) || !marks.every((m) => typeof m === "string" && !/[\r\n]/.test(m))) {
      return fail(`policy "${name}": privacyMarks must be single-line strings`);
    }
    const cats = o["categories"] ?? [];
    if (!Array.isArray(cats)) return fail(`policy "${name}": categories must be an array`);
    const categories = cats.map((c: unknown, j): CategoryDef => {
      if (typeof c !== "object" || c === null) return fail(`policy "${name}" category ${j} must be an object`);
      const co = c as Record<string, unknown>;
      const type = co["type"];
      const value = co["value"];
      if (typeof type !== "string" || !OID.test(type) || typeof value !== "string" || value === "") {
        return fail(`policy "${name}" category ${j} needs an OID "type" and a "value"`);
      }
      return { type, value, name: typeof co["name"] === "string" ? co["name"] : value };
    });
    return { name, oid, classifications: classifications as number[], privacyMarks: marks as string[], categories };
  });
  return { policies: out };
}
