/** Stash of raw messages for frames, in a chrome.storage area (session). Pure over the area. */
import type { StashEntry } from "../shared/messages.js";

export const STASH_TTL_MS = 30 * 60 * 1000;
const PREFIX = "stash:";

export interface StorageAreaLike {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export function isExtensionPage(senderUrl: string, extensionBase: string): boolean {
  return senderUrl.startsWith(extensionBase);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export const handleStash = {
  async put(area: StorageAreaLike, entry: StashEntry, random: Uint8Array): Promise<string> {
    const id = hex(random);
    await area.set({ [PREFIX + id]: entry });
    return id;
  },
  async get(area: StorageAreaLike, id: string): Promise<StashEntry | null> {
    const got = await area.get(PREFIX + id);
    const v = got[PREFIX + id];
    return typeof v === "object" && v !== null ? (v as StashEntry) : null;
  },
};

export async function pruneStash(area: StorageAreaLike, now: number): Promise<number> {
  const all = await area.get(null);
  const stale = Object.entries(all)
    .filter(([k, v]) => k.startsWith(PREFIX) && (typeof v !== "object" || v === null || now - ((v as StashEntry).createdAt || 0) > STASH_TTL_MS))
    .map(([k]) => k);
  if (stale.length > 0) await area.remove(stale);
  return stale.length;
}
