/**
 * The only way this extension builds DOM: createElement + textContent + setAttribute.
 * No HTML strings anywhere (enforced by scripts/check-sinks.mjs and ESLint).
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") {
      el.addEventListener(k.replace(/^on/, "").toLowerCase(), v);
    } else if (k === "class") {
      el.className = String(v);
    } else if (k === "style") {
      el.setAttribute("style", String(v));
    } else if (v === true) {
      el.setAttribute(k, "");
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children) {
    if (Array.isArray(c)) append(el, c);
    else if (c === null || c === undefined || c === false) continue;
    else if (typeof c === "string") el.appendChild(document.createTextNode(c));
    else el.appendChild(c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing element #${id}`);
  return el;
}

let uid = 0;
export function nextId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** A labelled form control (label for=, accessible). */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || nextId("f");
  control.id = id;
  const hintEl = hint ? h("small", { id: `${id}-hint`, class: "hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hintEl);
}

/** An error line of a form control, shown at the control (`aria-invalid`, linked by `aria-describedby`). */
export interface FieldError {
  readonly element: HTMLElement;
  show(message: string): void;
  clear(): void;
}

/** The error line of `control` (which has an id): hidden until `show`. */
export function fieldError(control: HTMLElement): FieldError {
  const element = h("p", { id: `${control.id}-error`, class: "field-error", role: "alert", hidden: true });
  const others = () => (control.getAttribute("aria-describedby") ?? "").split(" ").filter((x) => x !== "" && x !== element.id);
  return {
    element,
    show: (message) => {
      element.hidden = false;
      element.textContent = message;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", [...others(), element.id].join(" "));
    },
    clear: () => {
      element.hidden = true;
      clear(element);
      control.removeAttribute("aria-invalid");
      const rest = others();
      if (rest.length > 0) control.setAttribute("aria-describedby", rest.join(" "));
      else control.removeAttribute("aria-describedby");
    },
  };
}
