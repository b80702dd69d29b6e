// A minimal stand-in for the DOM calls of src/shared/dom.ts (createElement, createTextNode,
// setAttribute, appendChild, addEventListener), so the rendering of a report can be checked in
// node:test without a browser.

export class FakeText {
  constructor(readonly data: string) {}
  get textContent(): string {
    return this.data;
  }
}

export class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly childNodes: (FakeElement | FakeText)[] = [];
  constructor(readonly tagName: string) {}
  set className(v: string) {
    this.attributes.set("class", v);
  }
  get className(): string {
    return this.attributes.get("class") ?? "";
  }
  get classList(): string[] {
    return this.className.split(/\s+/).filter((c) => c !== "");
  }
  setAttribute(k: string, v: string): void {
    this.attributes.set(k, v);
  }
  getAttribute(k: string): string | null {
    return this.attributes.get(k) ?? null;
  }
  removeAttribute(k: string): void {
    this.attributes.delete(k);
  }
  get id(): string {
    return this.attributes.get("id") ?? "";
  }
  set id(v: string) {
    this.attributes.set("id", v);
  }
  get hidden(): boolean {
    return this.attributes.has("hidden");
  }
  set hidden(v: boolean) {
    if (v) this.attributes.set("hidden", "");
    else this.attributes.delete("hidden");
  }
  appendChild<T extends FakeElement | FakeText>(c: T): T {
    this.childNodes.push(c);
    return c;
  }
  append(...cs: (FakeElement | FakeText | string)[]): void {
    for (const c of cs) this.childNodes.push(typeof c === "string" ? new FakeText(c) : c);
  }
  readonly listeners = new Map<string, ((ev: unknown) => void)[]>();
  addEventListener(type: string, listener: (ev: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  /** Runs the element's click listeners (no default action). */
  click(): void {
    for (const l of this.listeners.get("click") ?? []) l({ type: "click", preventDefault() {} });
  }
  get firstChild(): FakeElement | FakeText | null {
    return this.childNodes[0] ?? null;
  }
  removeChild(c: FakeElement | FakeText): void {
    this.childNodes.splice(this.childNodes.indexOf(c), 1);
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join("");
  }
  set textContent(v: string) {
    this.childNodes.splice(0, this.childNodes.length, new FakeText(v));
  }
  /** This element and every element below it, in document order. */
  *all(): Generator<FakeElement> {
    yield this;
    for (const c of this.childNodes) if (c instanceof FakeElement) yield* c.all();
  }
}

/** Installs the fake `document` (idempotent). */
export function installFakeDom(): void {
  (globalThis as unknown as { document: unknown }).document = {
    createElement: (tag: string) => new FakeElement(tag),
    createTextNode: (data: string) => new FakeText(data),
  };
}

/** A rendered element (typed as the DOM's) as the fake it is. */
export const fake = (el: unknown): FakeElement => el as FakeElement;
