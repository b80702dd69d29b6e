/**
 * Compose panel parts for the elements of service of profile §3.5 / §3.6 (`shared/elements.ts`)
 * and the signed-receipt request (§4.1.7, `shared/receipts.ts`): inputs, reading them back, and
 * errors shown at the input they are about (`aria-invalid`, an error line linked by
 * `aria-describedby`).
 */
import { field, fieldError, h, type FieldError } from "../shared/dom.js";
import { ELEMENTS, EMPTY_ELEMENTS, type ElementsForm } from "../shared/elements.js";
import type { ReceiptRequestForm, ReceiptsFromKind } from "../shared/receipts.js";

export interface ElementsPart {
  readonly element: HTMLElement;
  read(): ElementsForm;
  /** Show `message` at the input of `member`. */
  showError(member: keyof ElementsForm, message: string): void;
  clearErrors(): void;
}

export function elementsPart(): ElementsPart {
  const inputs = new Map<keyof ElementsForm, HTMLInputElement | HTMLTextAreaElement>();
  const errors = new Map<keyof ElementsForm, FieldError>();
  const rows = ELEMENTS.map((d) => {
    const id = `el-${d.member}`;
    const input =
      d.kind === "lines"
        ? h("textarea", { id, name: d.member, rows: 2, "data-element": d.header })
        : h("input", { id, name: d.member, type: d.kind === "time" ? "datetime-local" : d.kind === "number" ? "text" : "text", inputmode: d.kind === "number" ? "numeric" : null, "data-element": d.header });
    inputs.set(d.member, input);
    const wrap = field(`${d.label} (${d.section})`, input, d.hint || undefined);
    const err = fieldError(input);
    errors.set(d.member, err);
    wrap.append(err.element);
    return wrap;
  });
  const element = h(
    "details",
    { class: "elements", id: "elements-of-service" },
    h("summary", {}, "Elements of service (MMHS profile §3.5, §3.6)"),
    h("p", { class: "hint" }, "Reply request with a reply-by time and ACP 127 notification request/response are not supported by the MMHS profile (§3.4.36, §3.6.7, §3.6.8)."),
    h("div", { class: "row" }, ...rows),
  );
  const clearErrors = () => {
    for (const e of errors.values()) e.clear();
  };
  return {
    element,
    read: () => {
      const out: Record<string, string> = { ...EMPTY_ELEMENTS };
      for (const [m, input] of inputs) out[m] = input.value;
      return out as unknown as ElementsForm;
    },
    showError: (member, message) => {
      const e = errors.get(member);
      if (!e) return;
      e.show(message);
      element.open = true;
    },
    clearErrors,
  };
}

export interface ReceiptPart {
  readonly element: HTMLElement;
  read(): ReceiptRequestForm;
}

/** "Request signed receipts" (RFC 2634 §2.2): from all / first tier / a list, to (default: you). */
export function receiptPart(): ReceiptPart {
  const on = h("input", { type: "checkbox", id: "receipt-request" });
  const from = h("select", { id: "receipt-from", name: "receipt-from" });
  for (const [v, label] of [["all", "all recipients"], ["firstTier", "first-tier recipients (not through a mailing list)"], ["list", "only these recipients:"]] as const) from.append(h("option", { value: v }, label));
  const list = h("input", { type: "text", id: "receipt-list", placeholder: "bob@navy.example carol@airforce.example" });
  const to = h("input", { type: "text", id: "receipt-to", placeholder: "your own address (From)" });
  const element = h(
    "fieldset",
    { class: "receipt-request" },
    h("legend", {}, "Signed receipts (non-repudiation of receipt)"),
    h("label", { class: "inline" }, on, " Request signed receipts"),
    h("div", { class: "row" }, field("Receipts from", from), field("Recipients to ask", list, "Only with \"only these recipients\"."), field("Return receipts to", to, "Empty: your own address.")),
  );
  return {
    element,
    read: () => ({ on: on.checked, from: from.value as ReceiptsFromKind, list: list.value, to: to.value }),
  };
}
