// IEEE 802.15.4 data frames for the tester (IEEE 802.15.4-2015 §7.2), built
// with every field under the caller's control, including a wrong FCS.
import { concat } from './bytes.js';
import type { LinkAddress } from './link-address.js';

export interface MacFrameSpec {
  src: LinkAddress;
  dst: LinkAddress;
  pan: number;
  seq: number;
  /** 0 = 2003, 1 = 2006, 2 = 2015 (default 1). */
  version?: number;
  ackRequest?: boolean;
  /** Override the computed FCS (to send a corrupt frame). */
  fcs?: number;
}

/** CRC-16/KERMIT, the 802.15.4 FCS (§7.2.10). */
export function fcs16(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  }
  return c;
}

const modeBits = (a: LinkAddress) => (a.mode === 'short' ? 2 : 3);
const onAir = (a: LinkAddress) => Uint8Array.from(a.bytes).reverse();
const le16 = (v: number) => Uint8Array.of(v & 0xff, v >> 8);

/** A data frame with PAN ID compression (one PAN), payload, and FCS. */
export function buildDataFrame(spec: MacFrameSpec, payload: Uint8Array): Uint8Array {
  const version = spec.version ?? 1;
  // 2015 Table 7-2: ext/ext with PAN ID compression 0 carries the destination PAN only.
  const extExt = spec.src.mode === 'extended' && spec.dst.mode === 'extended';
  const panComp = !(version === 2 && extExt);
  const fcf = 1 | (spec.ackRequest ? 0x20 : 0) | (panComp ? 0x40 : 0)
    | (modeBits(spec.dst) << 10) | (version << 12) | (modeBits(spec.src) << 14);
  const header = concat([le16(fcf), Uint8Array.of(spec.seq & 0xff), le16(spec.pan), onAir(spec.dst), onAir(spec.src)]);
  const body = concat([header, payload]);
  return concat([body, le16(spec.fcs ?? fcs16(body))]);
}
