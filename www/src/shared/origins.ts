/**
 * Webmail origins chosen by the user at run time (Settings → Webmail origins): the URL typed →
 * the host-permission match pattern requested with `chrome.permissions.request` and the id of
 * the content script registered for it with `chrome.scripting.registerContentScripts`. Pure
 * (unit-tested); the chrome.* calls are in the settings page. The reference webmail's origins
 * stay in the manifest (the default).
 */
import { CodedError, EXTENSION_CODES } from "./problems.js";

/** Prefix of the ids of content scripts registered for user-chosen webmail origins. */
export const ORIGIN_SCRIPT_PREFIX = "webmail:";

export interface WebmailOrigin {
  /** `scheme://host[:port]` */
  readonly origin: string;
  /** Match pattern for host permissions and content-script matches: `scheme://host[:port]/*`. */
  readonly pattern: string;
  /** Registered content-script id. */
  readonly scriptId: string;
}

/**
 * A webmail URL → its origin. Only http(s), a concrete host (no wildcard, no user:password@);
 * the path is dropped (a permission is per origin). Plain http only for loopback hosts: the
 * webmail session and the messages must not cross the network in clear.
 */
export function webmailOrigin(input: string): WebmailOrigin {
  const bad = (why: string) => new CodedError(EXTENSION_CODES.originInvalid, `${input.slice(0, 200)}: ${why}`);
  let u: URL;
  try {
    u = new URL(input.trim());
  } catch {
    throw bad("not a URL");
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw bad("only http(s) webmails");
  if (u.username !== "" || u.password !== "") throw bad("no user name or password in the address");
  if (u.hostname === "" || /[*]/.test(input)) throw bad("a concrete host name, no wildcard");
  const loopback = u.hostname === "127.0.0.1" || u.hostname === "localhost" || u.hostname === "[::1]";
  if (u.protocol === "http:" && !loopback) throw bad("plain http only on this machine (127.0.0.1 / localhost); use https");
  const origin = u.origin;
  return { origin, pattern: `${origin}/*`, scriptId: `${ORIGIN_SCRIPT_PREFIX}${origin}` };
}

/** The origin of a registered content script id (ours), or null. */
export function originOfScriptId(id: string): string | null {
  return id.startsWith(ORIGIN_SCRIPT_PREFIX) ? id.slice(ORIGIN_SCRIPT_PREFIX.length) : null;
}
