/** chrome.runtime wrappers for the typed catalogue (extension contexts only). */
import type { MsgType, Req, Res, Result } from "./messages.js";
import { CodedError, EXTENSION_CODES } from "./problems.js";

/** Send a catalogue message to the service worker and unwrap the Result (throws CodedError). */
export async function send<K extends MsgType>(type: K, body: Req<K>): Promise<Res<K>> {
  let reply: unknown;
  try {
    reply = await chrome.runtime.sendMessage({ type, body });
  } catch (err) {
    throw new CodedError(EXTENSION_CODES.adapterNoTab, err instanceof Error ? err.message : String(err));
  }
  return unwrap<Res<K>>(reply);
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the reply type of its catalogue entry
export function unwrap<T>(reply: unknown): T {
  if (typeof reply !== "object" || reply === null || !("ok" in reply)) {
    throw new CodedError(EXTENSION_CODES.badMessage, "No reply from the extension service worker.");
  }
  const r = reply as Result<T>;
  if (r.ok) return r.value;
  throw new CodedError(r.error.code, r.error.message);
}
