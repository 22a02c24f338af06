// Byte-level writers for `sixlab decode`'s output: ASCII into a buffer at a
// position, returning the next position. No strings are built on the way and
// no library formats addresses: these run for every field of every frame.
// Fixed text is stored as 32-bit words and written four octets at a time
// through a DataView; a writer may leave up to 3 octets of garbage past the
// position it returns, which the next write covers (the output keeps room).

/** Fixed text (UTF-8), as little-endian 32-bit words. */
export interface Text {
  w: Uint32Array;
  n: number;
}

export function text(s: string): Text {
  const bytes = Buffer.from(s, 'utf8');
  const w = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < bytes.length; i++) w[i >> 2] |= bytes[i] << (8 * (i & 3));
  return { w, n: bytes.length };
}

export function put(v: DataView, p: number, t: Text): number {
  const w = t.w;
  for (let i = 0; i < w.length; i++) v.setUint32(p + 4 * i, w[i], true);
  return p + t.n;
}

const HEXCHARS = '0123456789abcdef';
/** Two hex digits of an octet, as a little-endian 16-bit word. */
const HEX2 = new Uint16Array(256);
for (let i = 0; i < 256; i++) HEX2[i] = HEXCHARS.charCodeAt(i >> 4) | (HEXCHARS.charCodeAt(i & 15) << 8);

/** Decimal digits of 0..9999 (NUM4, NUM4_LEN) and zero-padded to four (PAD4). */
const NUM4 = new Uint32Array(10000);
const NUM4_LEN = new Uint8Array(10000);
const PAD4 = new Uint32Array(10000);
for (let n = 0; n < 10000; n++) {
  const s = String(n);
  const z = s.padStart(4, '0');
  NUM4_LEN[n] = s.length;
  for (let i = 0; i < 4; i++) {
    if (i < s.length) NUM4[n] |= s.charCodeAt(i) << (8 * i);
    PAD4[n] |= z.charCodeAt(i) << (8 * i);
  }
}

/** A non-negative integer in decimal. */
export function putNum(v: DataView, p: number, n: number): number {
  if (n < 10000) {
    v.setUint32(p, NUM4[n], true);
    return p + NUM4_LEN[n];
  }
  if (n < 1e8) {
    const hi = Math.floor(n / 10000);
    v.setUint32(p, NUM4[hi], true);
    p += NUM4_LEN[hi];
    v.setUint32(p, PAD4[n - hi * 10000], true);
    return p + 4;
  }
  const s = String(n);
  for (let i = 0; i < s.length; i++) v.setUint8(p + i, s.charCodeAt(i));
  return p + s.length;
}

/** m[from, to) as lowercase hex, no separators. */
export function putHex(v: DataView, p: number, m: Uint8Array, from: number, to: number): number {
  let i = from;
  for (; i + 1 < to; i += 2) {
    v.setUint32(p, HEX2[m[i]] | (HEX2[m[i + 1]] << 16), true);
    p += 4;
  }
  if (i < to) {
    v.setUint16(p, HEX2[m[i]], true);
    p += 2;
  }
  return p;
}

/** A link address as sixlab prints it, "0x1a2b" (short) or "00:12:4b:…" (extended),
 *  from its octets in written order. */
export function putLinkAddress(v: DataView, p: number, m: Uint8Array, at: number, extended: boolean): number {
  if (!extended) {
    v.setUint32(p, 0x7830 | (HEX2[m[at]] << 16), true); // "0x" and the first octet
    v.setUint16(p + 4, HEX2[m[at + 1]], true);
    return p + 6;
  }
  for (let i = 0; i < 7; i++) v.setUint32(p + 3 * i, HEX2[m[at + i]] | (58 << 16), true); // "xx:"
  v.setUint16(p + 21, HEX2[m[at + 7]], true);
  return p + 23;
}

/** One 16-bit group without leading zeros. */
function putGroup(v: DataView, p: number, g: number): number {
  const chars = HEX2[g >> 8] | (HEX2[g & 0xff] << 16);
  const lead = g >= 0x1000 ? 0 : g >= 0x100 ? 1 : g >= 0x10 ? 2 : 3;
  v.setUint32(p, chars >>> (8 * lead), true);
  return p + 4 - lead;
}

/** The IPv6 address at m[at, at + 16) in RFC 5952 text: lowercase, no leading
 *  zeros, the longest run of two or more zero groups (the first of equals) as "::". */
export function putIpv6(v: DataView, p: number, m: Uint8Array, at: number): number {
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if ((m[at + 2 * i] | m[at + 2 * i + 1]) === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLen) {
        bestLen = i - runStart + 1;
        bestStart = runStart;
      }
    } else {
      runStart = -1;
    }
  }
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      v.setUint16(p, 0x3a3a, true); // "::"
      p += 2;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== bestStart + bestLen) v.setUint8(p++, 58);
    p = putGroup(v, p, (m[at + 2 * i] << 8) | m[at + 2 * i + 1]);
  }
  return p;
}

/** An octet in the ASCII view inside a JSON string: itself if printable, '"'
 *  and '\' escaped (two octets, little-endian), "." otherwise. */
const ASCII_JSON = new Uint16Array(256);
for (let c = 0; c < 256; c++) ASCII_JSON[c] = c >= 0x20 && c < 0x7f ? (c === 34 || c === 92 ? 92 | (c << 8) : c) : 46;

/** The octets as ASCII in a JSON string: printable characters as they are (escaped as JSON needs), others as ".". */
export function putAsciiJson(v: DataView, p: number, m: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const x = ASCII_JSON[m[i]];
    v.setUint16(p, x, true);
    p += x > 0xff ? 2 : 1;
  }
  return p;
}

// --- the same as strings (text output, frameReport) ---------------------------------

const scratch = new Uint8Array(64);
const scratchView = new DataView(scratch.buffer);
const latin1 = new TextDecoder('latin1');

function scratchText(len: number): string {
  return latin1.decode(scratch.subarray(0, len));
}

export function ipv6Text(m: Uint8Array, at = 0): string {
  return scratchText(putIpv6(scratchView, 0, m, at));
}

export function linkAddressText(m: Uint8Array, at: number, extended: boolean): string {
  return scratchText(putLinkAddress(scratchView, 0, m, at, extended));
}

export function hexText(m: Uint8Array, from = 0, to = m.length): string {
  return Buffer.from(m.buffer, m.byteOffset + from, to - from).toString('hex');
}

/** The octets as ASCII: printable characters as they are, others as ".". */
export function asciiText(m: Uint8Array, from = 0, to = m.length): string {
  let s = '';
  for (let i = from; i < to; i++) {
    const c = m[i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
  }
  return s;
}
