/**
 * MMHS vocabulary shown in the UI: how a precedence of the core's report is shown (RFC 6477
 * §3.8/3.9; the lists of standard precedences and message types are the core's, wasm
 * `mmhsVocabulary`), ESS classifications (RFC 2634 §5.4.4.4 ESSSecurityLabel `SecurityClassification`) and their
 * display colours. Pure data + helpers; no DOM, no chrome.* — unit-tested under node.
 */

export interface Precedence {
  readonly value: number;
  readonly name: string;
  /** true for FLASH and OVERRIDE: the reader must make these impossible to miss. */
  readonly urgent: boolean;
}

/**
 * A precedence as the core reports it: `PrecedenceView` of src/fields/inspect.rs, `{ value,
 * name?, national? }` (the report's `mmhs.primaryPrecedence`, `mmhs.copyPrecedence`,
 * `mmhs.readerPrecedence.precedence`). The core parses the header field (RFC 6477 §3.8/§4:
 * names, numbers, comments); this only chooses what is shown: the core's name, upper-cased, or
 * for a value without a standard name (6–15 reserved for NATO, 16–31 national use) the number,
 * never a guessed name. Anything else — a bare string or number a report never carries — is null.
 */
export function precedenceView(input: unknown): Precedence | null {
  if (typeof input !== "object" || input === null) return null;
  const o = input as Record<string, unknown>;
  const value = o["value"];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 255) return null;
  const name = typeof o["name"] === "string" && o["name"] !== "" ? o["name"].toUpperCase() : `PRECEDENCE ${value}`;
  // FLASH (4) and OVERRIDE (5): the reader must make these impossible to miss
  return { value, name, urgent: value === 4 || value === 5 };
}

/**
 * The two markings a reader must not miss, each with a text marker besides its colours (WCAG
 * 2.1 §1.4.1 "Use of Color"): FLASH and above (`Precedence.urgent`) and SECRET and above
 * (`HIGH_CLASSIFICATION`). The words are the same on every page (reader, release queue, compose).
 */
export const MARKS = {
  urgent: { text: "URGENT", title: "FLASH or higher precedence: act on it now" },
  high: { text: "HIGH CLASSIFICATION", title: "SECRET or higher classification: handle at this marking" },
} as const;

/** ESS `secret` (RFC 2634 §5.4.4.4): this value and above get the high-classification style and mark. */
export const HIGH_CLASSIFICATION = 4;

/** An ESS classification value at SECRET or above. */
export function isHighClassification(value: number | null | undefined): boolean {
  return typeof value === "number" && value >= HIGH_CLASSIFICATION;
}

export interface Classification {
  readonly value: number;
  readonly name: string;
  readonly fg: string;
  readonly bg: string;
}

/**
 * ESS classifications (RFC 2634 §5.4.4.4) with the usual banner colours. Colours chosen for
 * WCAG AA contrast (≥ 4.5:1) between fg and bg; see test/mmhs.test.ts.
 */
export const CLASSIFICATIONS: readonly Classification[] = [
  { value: 0, name: "UNMARKED", fg: "#000000", bg: "#e0e0e0" },
  { value: 1, name: "UNCLASSIFIED", fg: "#ffffff", bg: "#006b2d" },
  { value: 2, name: "RESTRICTED", fg: "#000000", bg: "#f5b800" },
  { value: 3, name: "CONFIDENTIAL", fg: "#ffffff", bg: "#0033a0" },
  { value: 4, name: "SECRET", fg: "#ffffff", bg: "#b00020" },
  { value: 5, name: "TOP SECRET", fg: "#000000", bg: "#ff8c00" },
];

export function classificationByValue(value: number): Classification {
  return (
    CLASSIFICATIONS.find((c) => c.value === value) ?? {
      value,
      name: `CLASSIFICATION ${value}`,
      fg: "#ffffff",
      bg: "#4a4a4a",
    }
  );
}

/** Relative luminance per WCAG 2.1 for "#rrggbb". */
export function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return 0;
  const channel = (h: string | undefined): number => {
    const c = parseInt(h ?? "0", 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(m[1]) + 0.7152 * channel(m[2]) + 0.0722 * channel(m[3]);
}

export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  const [hi, lo] = la > lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}

/** RFC 7444 named colours → hex, for SIO-Label fgcolor/bgcolor. */
export const SIO_NAMED_COLOURS: Readonly<Record<string, string>> = {
  aqua: "#00ffff", black: "#000000", blue: "#0000ff", fuschia: "#ff00ff", fuchsia: "#ff00ff",
  gray: "#808080", green: "#008000", lime: "#00ff00", maroon: "#800000", navy: "#000080",
  olive: "#808000", purple: "#800080", red: "#ff0000", silver: "#c0c0c0", teal: "#008080",
  white: "#ffffff", yellow: "#ffff00", orange: "#ffa500",
};

export function sioColour(input: string | undefined | null): string | null {
  if (!input) return null;
  const v = input.trim().toLowerCase();
  if (/^#[0-9a-f]{6}$/.test(v)) return v;
  return SIO_NAMED_COLOURS[v] ?? null;
}
