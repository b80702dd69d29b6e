/**
 * The e-mail addresses of an X.509 certificate (RFC 5280 §4.2.1.6 subjectAltName rfc822Name,
 * then the legacy emailAddress attribute of the subject, RFC 5280 §4.1.2.6), read from its PEM
 * for the correspondents' certificate list. Only a lookup key: the core validates every
 * certificate it uses. A small bounded DER walk (no recursion beyond the certificate's depth).
 *
 *   SubjectAltName ::= GeneralNames ::= SEQUENCE OF GeneralName
 *   GeneralName ::= CHOICE { ..., rfc822Name [1] IA5String, ... }
 */

interface Tlv {
  readonly tag: number;
  readonly start: number; // first content octet
  readonly end: number; // one past the last content octet
}

function readTlv(b: Uint8Array, at: number, limit: number): Tlv | null {
  if (at + 2 > limit) return null;
  const tag = b[at] ?? 0;
  let len = b[at + 1] ?? 0;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | (b[p + i] ?? 0);
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, start: p, end: p + len };
}

function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.start;
  while (p < t.end && out.length < 4096) {
    const c = readTlv(b, p, t.end);
    if (!c) break;
    out.push(c);
    p = c.end;
  }
  return out;
}

const OID_SAN = [0x55, 0x1d, 0x11];
const OID_EMAIL = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01];

function isOid(b: Uint8Array, t: Tlv | undefined, oid: readonly number[]): boolean {
  if (!t || t.tag !== 0x06 || t.end - t.start !== oid.length) return false;
  return oid.every((x, i) => b[t.start + i] === x);
}

function ascii(b: Uint8Array, t: Tlv): string {
  let s = "";
  for (let i = t.start; i < t.end; i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

export function pemToDer(pem: string): Uint8Array | null {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m?.[1]) return null;
  try {
    return Uint8Array.from(atob(m[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** E-mail addresses of the certificate in `pem` (lower-cased, de-duplicated); [] when unreadable. */
export function certificateEmails(pem: string): string[] {
  const b = pemToDer(pem);
  if (!b) return [];
  const cert = readTlv(b, 0, b.length);
  if (cert?.tag !== 0x30) return [];
  const tbs = children(b, cert)[0];
  if (tbs?.tag !== 0x30) return [];
  const f = children(b, tbs);
  const hasVersion = f[0]?.tag === 0xa0;
  const subject = f[hasVersion ? 5 : 4];
  const out: string[] = [];
  for (const ext of f.filter((x) => x.tag === 0xa3)) {
    const seq = children(b, ext)[0];
    if (!seq) continue;
    for (const e of children(b, seq)) {
      const parts = children(b, e);
      if (!isOid(b, parts[0], OID_SAN)) continue;
      const octets = parts[parts.length - 1];
      if (octets?.tag !== 0x04) continue;
      const names = readTlv(b, octets.start, octets.end);
      if (names?.tag !== 0x30) continue;
      for (const gn of children(b, names)) if (gn.tag === 0x81) out.push(ascii(b, gn));
    }
  }
  if (subject?.tag === 0x30) {
    for (const rdn of children(b, subject)) {
      for (const atv of children(b, rdn)) {
        const [oid, val] = children(b, atv);
        if (isOid(b, oid, OID_EMAIL) && val) out.push(ascii(b, val));
      }
    }
  }
  return [...new Set(out.map((e) => e.trim().toLowerCase()).filter((e) => e.includes("@")))];
}

/** RFC 4519 short names of the subject attributes shown (OID value octets → name). */
const NAMES: readonly (readonly [readonly number[], string])[] = [
  [[0x55, 0x04, 0x03], "CN"],
  [[0x55, 0x04, 0x05], "serialNumber"],
  [[0x55, 0x04, 0x06], "C"],
  [[0x55, 0x04, 0x07], "L"],
  [[0x55, 0x04, 0x08], "ST"],
  [[0x55, 0x04, 0x0a], "O"],
  [[0x55, 0x04, 0x0b], "OU"],
  [OID_EMAIL, "emailAddress"],
];

/** An attribute value as text: UTF8String (0x0c) decoded as UTF-8, the string types as Latin-1. */
function valueText(b: Uint8Array, t: Tlv): string {
  if (t.tag === 0x0c) return new TextDecoder("utf-8", { fatal: false }).decode(b.subarray(t.start, t.end));
  return ascii(b, t);
}

/** RFC 4514 §2.4 escaping of an attribute value. */
function escapeValue(v: string): string {
  let out = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith(" ") || out.startsWith("#")) out = `\\${out}`;
  if (out.endsWith(" ")) out = `${out.slice(0, -1)}\\ `;
  let shown = "";
  for (const c of out) {
    const code = c.charCodeAt(0);
    shown += code < 0x20 || code === 0x7f ? `\\${code.toString(16).padStart(2, "0")}` : c;
  }
  return shown;
}

/**
 * The subject of the certificate in `pem` as an RFC 4514 string (most specific RDN first,
 * e.g. `CN=Test Root,O=MMHS Test`); attributes other than those of {@link NAMES} as dotted
 * OIDs are skipped. `null` when the certificate cannot be read. Shown to the user to confirm a
 * trust anchor, beside its fingerprint (which is what identifies it).
 */
export function certificateSubject(pem: string): string | null {
  const b = pemToDer(pem);
  if (!b) return null;
  const cert = readTlv(b, 0, b.length);
  if (cert?.tag !== 0x30) return null;
  const tbs = children(b, cert)[0];
  if (tbs?.tag !== 0x30) return null;
  const f = children(b, tbs);
  const subject = f[f[0]?.tag === 0xa0 ? 5 : 4];
  if (subject?.tag !== 0x30) return null;
  const rdns: string[] = [];
  for (const rdn of children(b, subject)) {
    const parts: string[] = [];
    for (const atv of children(b, rdn)) {
      const [oid, val] = children(b, atv);
      const name = NAMES.find(([o]) => isOid(b, oid, o))?.[1];
      if (name && val) parts.push(`${name}=${escapeValue(valueText(b, val))}`);
    }
    if (parts.length > 0) rdns.push(parts.join("+"));
  }
  return rdns.reverse().join(",");
}

/** SHA-256 of the certificate's DER as colon-separated upper-case hex (`AB:CD:…`); null when unreadable. */
export async function certificateFingerprint(pem: string): Promise<string | null> {
  const der = pemToDer(pem);
  if (!der) return null;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(der)));
  return Array.from(digest, (x) => x.toString(16).padStart(2, "0").toUpperCase()).join(":");
}
