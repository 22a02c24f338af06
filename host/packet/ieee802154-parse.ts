// Parser for IEEE 802.15.4 PSDUs (FCS included) of frame versions 2003, 2006
// and 2015 (IEEE 802.15.4-2015 §7.2), for the tester's own view of what a
// device sent. Addresses come back as LinkAddress in written order (the air
// carries them little-endian, i.e. reversed). Secured frames and the 2015
// multipurpose / fragment / extended frame types are refused.
import { PacketError, needBytes } from './errors.js';
import { fcs16 } from './ieee802154.js';
import type { LinkAddress } from './link-address.js';

/** A PacketError with a machine-readable reason (names follow sixlab's reason codes). */
export class MacFrameError extends PacketError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** §7.2.2.2 Frame Type values. */
export const FrameType = { Beacon: 0, Data: 1, Ack: 2, MacCommand: 3 } as const;

export interface ParsedMacFrame {
  frameType: number; // 0 beacon, 1 data, 2 ack, 3 MAC command
  version: number; // 0 = 2003, 1 = 2006, 2 = 2015
  seq?: number; // absent when suppressed (2015)
  ackRequest: boolean;
  framePending: boolean;
  panIdCompression: boolean;
  /** PAN IDs as present in the frame (an elided source PAN is not filled in). */
  dstPan?: number;
  srcPan?: number;
  dst?: LinkAddress;
  src?: LinkAddress;
  /** MAC payload: after the header (and any header/payload IEs), before the FCS. */
  payload: Uint8Array;
  fcsOk: boolean;
}

const FCS_LEN = 2;
const ADDR_LEN = [0, -1, 2, 8]; // by addressing mode: none, reserved, short, extended

const le16 = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);

/** Parses one PSDU whose last two octets are the FCS (§7.2.10, CRC-16/KERMIT, little-endian). */
export function parseIeee802154(psdu: Uint8Array): ParsedMacFrame {
  if (psdu.length < 2 + FCS_LEN) {
    throw new MacFrameError('FrameTooShort', `802.15.4 frame: ${psdu.length} octets, need at least 4 (FCF + FCS)`);
  }
  const body = psdu.subarray(0, psdu.length - FCS_LEN);
  const fcsOk = fcs16(body) === le16(psdu, psdu.length - FCS_LEN);
  const fcf = le16(body, 0);
  // §7.2.2: frame control field bit positions
  const frameType = fcf & 7;
  const security = (fcf >> 3) & 1;
  const framePending = ((fcf >> 4) & 1) === 1;
  const ackRequest = ((fcf >> 5) & 1) === 1;
  const panIdCompression = ((fcf >> 6) & 1) === 1;
  const seqSuppressed = (fcf >> 8) & 1;
  const iePresent = (fcf >> 9) & 1;
  const dstMode = (fcf >> 10) & 3;
  const version = (fcf >> 12) & 3;
  const srcMode = (fcf >> 14) & 3;

  if (frameType > 3) {
    throw new MacFrameError('FrameTypeUnsupported', `802.15.4 frame type ${frameType} is not beacon/data/ack/command`);
  }
  if (version === 3) throw new MacFrameError('FrameVersionReserved', '802.15.4 frame version 3 is reserved');
  if (security) throw new MacFrameError('SecurityUnsupported', '802.15.4 security enabled: auxiliary security header not supported');
  if (dstMode === 1 || srcMode === 1) {
    throw new MacFrameError('AddrModeReserved', `802.15.4 addressing mode 1 is reserved (dst ${dstMode}, src ${srcMode})`);
  }
  // Before 2015 the sequence number is always present and bits 8-9 are reserved.
  const hasSeq = version < 2 || !seqSuppressed;
  const hasIes = version === 2 && iePresent === 1;
  const { dstPan: hasDstPan, srcPan: hasSrcPan } = panIdPresence(version, dstMode, srcMode, panIdCompression);

  let at = 2;
  const take = (n: number, what: string): Uint8Array => {
    if (body.length - at < n) {
      throw new MacFrameError('MacHeaderTruncated', `802.15.4 header: ${what} needs ${n} octets at offset ${at}, have ${body.length - at}`);
    }
    const out = body.subarray(at, at + n);
    at += n;
    return out;
  };
  const out: ParsedMacFrame = { frameType, version, ackRequest, framePending, panIdCompression, payload: new Uint8Array(0), fcsOk };
  if (hasSeq) out.seq = take(1, 'sequence number')[0];
  if (hasDstPan) out.dstPan = le16(take(2, 'destination PAN ID'), 0);
  if (dstMode) out.dst = linkAddress(take(ADDR_LEN[dstMode], 'destination address'));
  if (hasSrcPan) out.srcPan = le16(take(2, 'source PAN ID'), 0);
  if (srcMode) out.src = linkAddress(take(ADDR_LEN[srcMode], 'source address'));
  if (hasIes) at = skipInformationElements(body, at);
  out.payload = body.slice(at);
  return out;
}

/**
 * Which PAN ID fields are present. 2003/2006 (§7.2.1.5 of 2006): a PAN ID
 * accompanies each present address, except that PAN ID compression drops the
 * source PAN ID when both addresses are present. 2015: Table 7-2.
 */
export function panIdPresence(
  version: number,
  dstMode: number,
  srcMode: number,
  panIdCompression: boolean,
): { dstPan: boolean; srcPan: boolean } {
  if (version < 2) {
    return { dstPan: dstMode !== 0, srcPan: srcMode !== 0 && !(panIdCompression && dstMode !== 0) };
  }
  const c = panIdCompression;
  if (dstMode === 0 && srcMode === 0) return { dstPan: c, srcPan: false }; // rows 1-2
  if (srcMode === 0) return { dstPan: !c, srcPan: false }; // rows 3-4
  if (dstMode === 0) return { dstPan: false, srcPan: !c }; // rows 5-6
  if (dstMode === 3 && srcMode === 3) return { dstPan: !c, srcPan: false }; // rows 7-8
  return { dstPan: true, srcPan: !c }; // rows 9-14: a short address on either side
}

// On air little-endian: reverse into written order.
function linkAddress(air: Uint8Array): LinkAddress {
  return { mode: air.length === 2 ? 'short' : 'extended', bytes: Uint8Array.from(air).reverse() };
}

/**
 * Skips Header IEs (§7.4.2: 7-bit length, 8-bit element ID, type 0) up to a
 * Header Termination IE (HT1 0x7e: Payload IEs follow; HT2 0x7f: payload
 * follows) or the end of the frame, then any Payload IEs (§7.4.3: 11-bit
 * length, 4-bit group ID, type 1) up to the Payload Termination IE (group 0xf).
 * Returns the offset of the MAC payload.
 */
function skipInformationElements(body: Uint8Array, start: number): number {
  let at = start;
  let payloadIes = false;
  while (at < body.length) {
    needIe(body, at, 2, 'header IE descriptor');
    const d = le16(body, at);
    const length = d & 0x7f;
    const id = (d >> 7) & 0xff;
    if (d >> 15) throw new MacFrameError('HeaderIeMalformed', `802.15.4 header IE at offset ${at} has type 1 (payload IE)`);
    needIe(body, at + 2, length, `header IE 0x${id.toString(16)} content`);
    at += 2 + length;
    if (id === 0x7e) payloadIes = true;
    if (id === 0x7e || id === 0x7f) break;
  }
  while (payloadIes && at < body.length) {
    needIe(body, at, 2, 'payload IE descriptor');
    const d = le16(body, at);
    const length = d & 0x7ff;
    const group = (d >> 11) & 0xf;
    if (!(d >> 15)) throw new MacFrameError('HeaderIeMalformed', `802.15.4 payload IE at offset ${at} has type 0`);
    needIe(body, at + 2, length, `payload IE group 0x${group.toString(16)} content`);
    at += 2 + length;
    if (group === 0xf) break;
  }
  return at;
}

function needIe(b: Uint8Array, at: number, n: number, what: string): void {
  try {
    needBytes(b, at, n, `802.15.4 ${what}`);
  } catch (e) {
    throw new MacFrameError('HeaderIeMalformed', (e as Error).message);
  }
}
