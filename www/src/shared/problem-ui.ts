/** Rendering of problems and errors (DOM), shared by every page. */
import { h } from "./dom.js";
import { describeProblem, toProblem, type ProblemView } from "./problems.js";

export function problemItem(p: ProblemView): HTMLElement {
  return h(
    "li",
    { class: `problem ${p.severity}`, "data-code": p.code },
    h("span", { class: "problem-text" }, p.text),
    p.detail ? h("span", { class: "problem-detail" }, ` ${p.detail}`) : null,
    h("code", { class: "problem-code" }, p.code),
  );
}

export function problemList(problems: readonly ProblemView[]): HTMLElement {
  return h("ul", { class: "problems" }, problems.map(problemItem));
}

/** An error box (role=alert) for anything thrown. */
export function errorBox(err: unknown, title = "Error"): HTMLElement {
  const view = describeProblem(toProblem(err));
  return h(
    "div",
    { class: `error-box ${view.severity}`, role: "alert", "data-code": view.code },
    h("strong", {}, `${title}: `),
    h("span", { class: "problem-text" }, view.text),
    view.detail ? h("span", { class: "problem-detail" }, ` ${view.detail}`) : null,
    h("code", { class: "problem-code" }, view.code),
  );
}
