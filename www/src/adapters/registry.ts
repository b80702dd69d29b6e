/**
 * Which adapter drives a page. The content script runs on the reference webmail's origins
 * (manifest) and on the webmail origins the user granted at run time (Settings → Webmail
 * origins, `chrome.scripting.registerContentScripts`); on those, the page itself says which
 * webmail it is. Adding a webmail = one adapter file + one line here.
 */
import type { WebmailAdapter } from "./adapter.js";
import { REFERENCE_ORIGINS, ReferenceWebmail } from "./reference.js";
import { isRoundcubePage, RoundcubeWebmail } from "./roundcube.js";

export function adapterFor(url: URL, doc: Document | null = null): WebmailAdapter | null {
  if (REFERENCE_ORIGINS.includes(url.origin)) return new ReferenceWebmail(url.origin);
  if (doc && isRoundcubePage(doc)) return new RoundcubeWebmail(url, doc);
  return null;
}
