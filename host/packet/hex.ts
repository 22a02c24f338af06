// Hex text <-> bytes, for test vectors and log output.
import { PacketError } from './errors.js';

const HEX_DIGIT = /^[0-9a-fA-F]$/;

/**
 * Parses hex text such as "0x41 d8 01" into bytes. Whitespace anywhere and one
 * leading "0x" are ignored. Throws PacketError naming the offending position
 * (0-based index into the original text).
 */
export function parseHex(text: string): Uint8Array {
  const start = /^\s*0[xX]/.test(text) ? text.indexOf('0') + 2 : 0;
  const digits: string[] = [];
  let lastPos = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (/\s/.test(c)) continue;
    if (!HEX_DIGIT.test(c)) {
      throw new PacketError(`parseHex: non-hex character ${JSON.stringify(c)} at position ${i}`);
    }
    digits.push(c);
    lastPos = i;
  }
  if (digits.length % 2 !== 0) {
    throw new PacketError(
      `parseHex: odd number of hex digits (${digits.length}); unpaired digit at position ${lastPos}`,
    );
  }
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits[2 * i] + digits[2 * i + 1], 16);
  return out;
}

/** Lowercase hex, no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
