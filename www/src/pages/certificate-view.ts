/**
 * The certificate detail view, shared by the reader's signature table and Settings →
 * Correspondents' certificates: what the core says of a certificate now (wasm
 * `certificateStatus`: subject, issuer, serial, validity, SHA-256 fingerprint, e-mail
 * addresses, whether it validates against the user's trust anchors and the path to the
 * anchor). Decides nothing: "trusted" only when the core says so with no problem.
 */
import type { CertificateInfo } from "../core/wasm.js";
import type { CertificateStatus } from "../../../src/wasm/api.js";
import { h } from "../shared/dom.js";
import { describeProblem } from "../shared/problems.js";
import { problemList } from "../shared/problem-ui.js";
import { badge } from "./common.js";

/** One certificate's facts as a definition list. */
function facts(c: CertificateInfo, cls: string): HTMLElement {
  const row = (term: string, value: string, key: string): HTMLElement[] => [h("dt", {}, term), h("dd", { "data-field": key }, value)];
  return h(
    "dl",
    { class: cls, "data-sha256": c.sha256Fingerprint },
    ...row("Subject", c.subject, "subject"),
    ...row("Issuer", c.issuer, "issuer"),
    ...row("Serial number", c.serialNumber, "serial"),
    ...row("Valid from", c.notBefore, "not-before"),
    ...row("Valid until", c.notAfter, "not-after"),
    ...row("E-mail addresses", c.emailAddresses.join(", ") || "(none)", "emails"),
    ...row("SHA-256 fingerprint", c.sha256Fingerprint, "sha256"),
  );
}

/** The verdict line: trusted only with `trusted: true` and no problem (fail closed). */
export function statusBadge(s: CertificateStatus): HTMLElement {
  const trusted = s.trusted && s.problems.length === 0;
  if (trusted) return badge(`valid, chains to your trust anchor (at ${s.at})`, "ok");
  const expired = s.problems.some((p) => p.code === "cert-expired");
  return badge(expired ? "EXPIRED: not used for encryption" : `not trusted: ${describeProblem(s.problems[0] ?? { code: "cert-untrusted", message: "" }).text}`, "bad");
}

/** The detail view of one certificate (`section.certificate-detail`). */
export function certificateDetail(s: CertificateStatus, title: string): HTMLElement {
  const trusted = s.trusted && s.problems.length === 0;
  const chain = s.chain.map((c, i) =>
    h(
      "li",
      { "data-sha256": c.sha256Fingerprint, "data-anchor": String(i === s.chain.length - 1) },
      h("span", { class: "chain-subject" }, c.subject),
      i === s.chain.length - 1 ? badge("trust anchor", "info") : null,
      h("br", {}),
      h("code", {}, `SHA-256 ${c.sha256Fingerprint}`),
    ),
  );
  return h(
    "section",
    { class: "certificate-detail", "data-trusted": String(trusted), "aria-label": title },
    h("h3", {}, title),
    h("p", { class: "certificate-status" }, statusBadge(s)),
    facts(s.certificate, "certificate-facts"),
    s.problems.length > 0 ? problemList(s.problems.map(describeProblem)) : null,
    h("h4", {}, "Chain to the trust anchor"),
    chain.length > 0
      ? h("ol", { class: "certificate-chain" }, ...chain)
      : h("p", { class: "certificate-chain-none" }, trusted ? "The certificate is itself one of your trust anchors." : "No path to one of your trust anchors."),
  );
}
