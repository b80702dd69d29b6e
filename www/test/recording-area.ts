// A storage area in memory (the `SettingsArea` of src/shared/settings.ts) that records every
// call in order — `protect` (setAccessLevel), `get`, `set` — so a test can assert the area is
// restricted before each read and write; `refusing()` fails setAccessLevel like a browser
// that cannot restrict it.
import type { SettingsArea } from "../src/shared/settings.js";

export interface RecordingArea extends SettingsArea {
  readonly calls: string[];
  readonly data: Record<string, unknown>;
  /** The same data, but setAccessLevel fails. */
  refusing(): SettingsArea;
}

export function recordingArea(): RecordingArea {
  const calls: string[] = [];
  const data: Record<string, unknown> = {};
  const a: RecordingArea = {
    calls,
    data,
    get: (k) => { calls.push("get"); return Promise.resolve(k in data ? { [k]: structuredClone(data[k]) } : {}); },
    set: (items) => { calls.push("set"); Object.assign(data, structuredClone(items)); return Promise.resolve(); },
    setAccessLevel: () => { calls.push("protect"); return Promise.resolve(); },
    refusing: () => ({ ...a, setAccessLevel: () => Promise.reject(new Error("This StorageArea does not support setAccessLevel")) }),
  };
  return a;
}
