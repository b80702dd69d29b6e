/** The unlock period of the personal key (shared/key-lock.ts), minutes. */
export const UNLOCK_MINUTES = { default: 15, min: 1, max: 480 } as const;

/** A period in minutes, clamped to the allowed range (non-numbers give the default). Pure. */
export function unlockMinutes(v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) return UNLOCK_MINUTES.default;
  return Math.min(UNLOCK_MINUTES.max, Math.max(UNLOCK_MINUTES.min, Math.round(v)));
}
