/**
 * The words of the switch between an extension panel and the webmail's own elements it
 * replaces (`WebmailAdapter.ownUi`): the same for every webmail, so they live here, apart from
 * the content script (pure; unit-tested). `confirm` is asked before leaving the panel: it names
 * what the webmail's own view does not do — sign, label, check release, verify.
 */
import type { WebmailView } from "./adapter.js";

export interface OwnUiText {
  /** The button while the panel is shown. */
  readonly toOwn: string;
  /** The button while the webmail's own elements are shown. */
  readonly toPanel: string;
  /** Asked before the webmail's own elements are shown. */
  readonly confirm: string;
}

export function ownUiText(kind: WebmailView["kind"]): OwnUiText | null {
  switch (kind) {
    case "compose":
      return {
        toOwn: "Use the webmail's own compose form (send without MMHS)",
        toPanel: "Back to the MMHS compose panel",
        confirm:
          "Send without MMHS?\n\nThe webmail's own form sends an ordinary message: no signature, no security label, no precedence, and no release by an officer. What you typed in the MMHS panel is kept; you can come back to it.",
      };
    case "read":
      return {
        toOwn: "Show the webmail's own view of this message (not verified by MMHS)",
        toPanel: "Back to the MMHS reader",
        confirm:
          "Show the webmail's own view of this message?\n\nIt is NOT verified: its sender, text, precedence and security label may have been altered or forged.",
      };
    case "release-queue":
      return {
        toOwn: "Show the webmail's own queue table (drafts not verified by MMHS)",
        toPanel: "Back to the MMHS release queue",
        confirm:
          "Show the webmail's own queue table?\n\nIt lists the drafts as their header fields claim, without verifying them; release them from the MMHS release queue.",
      };
    case "list":
    case "other":
      return null;
  }
}
