// The decode engine behind `sixlab decode`: frames go straight into the core's
// input buffer (hex parsed in place, capture frames copied there), the core
// decodes them, and the results stay in its memory for the reports to read.
// What the core does not know about is handled here, around it: frames
// captured without an FCS, 32-bit FCSs, sniffer metadata in the FCS octets
// (--ignore-fcs), frames longer than a PSDU, and a fragment whose
// datagram_size differs from a held datagram with the same tag.
import { Capacity, Info, MacFlag } from '../../firmware/abi/layout.js';
import { Reason } from '../../firmware/abi/reason.js';
import { SixlabCore } from '../core/sixlab-core.js';

/** How the last octets of a frame are to be read. */
export const FCS_16 = 0; // a 16-bit FCS (CRC-16/KERMIT): what the core checks
export const FCS_NONE = 1; // no FCS was captured (LINKTYPE 230, TAP FCS type 0)
export const FCS_32 = 2; // a 32-bit FCS (IEEE 802.15.4-2015 §7.2.10, TAP FCS type 2)
export const FCS_METADATA = 3; // two octets of radio metadata (RSSI, LQI) where the FCS would be
export type FcsKind = typeof FCS_16 | typeof FCS_NONE | typeof FCS_32 | typeof FCS_METADATA;

/** How much of the MAC header the core read before it stopped (see macLevel()). */
export const MAC_NONE = 0; // too short or too long: nothing parsed
export const MAC_FCF = 1; // the frame control field only
export const MAC_ADDRESSED = 2; // sequence number, PAN IDs and addresses too
export const MAC_FULL = 3; // the whole header: lengths known

const CRC16 = new Uint16Array(256);
const CRC32 = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
  CRC16[i] = c;
  let d = i;
  for (let k = 0; k < 8; k++) d = d & 1 ? (d >>> 1) ^ 0xedb88320 : d >>> 1;
  CRC32[i] = d;
}

/** CRC-16/KERMIT (the 802.15.4 FCS) of m[from, to). */
export function crc16(m: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = (c >>> 8) ^ CRC16[(c ^ m[i]) & 0xff];
  return c;
}

/** The 802.15.4 32-bit FCS (ITU-T CRC-32, as Ethernet's) of m[from, to). */
export function crc32(m: Uint8Array, from: number, to: number): number {
  let c = -1;
  for (let i = from; i < to; i++) c = (c >>> 8) ^ CRC32[(c ^ m[i]) & 0xff];
  return (c ^ -1) >>> 0;
}

const EARLY_MAC_REASONS = new Set<number>([
  Reason.FrameVersionReserved, Reason.FrameTypeUnsupported, Reason.SecurityUnsupported,
  Reason.AddrModeReserved, Reason.MacHeaderTruncated, Reason.BadFcs,
]);

export class FrameDecoder extends SixlabCore {
  /** The core's linear memory (one fixed page: the views stay valid), as bytes and as a Buffer. */
  readonly m: Uint8Array;
  readonly mb: Buffer;
  readonly mv: DataView;
  /** Where frames go: the core's input buffer. */
  readonly input: number;
  /** The core's Info record of the last decode. */
  readonly info: number;
  /** Decode frames whose FCS does not check (sniffers that put RSSI/LQI there). */
  ignoreFcs = false;

  /** Result of the last decode: packet length (> 0), 0 (nothing complete yet) or -Reason. */
  result = 0;
  /** Octets of the last frame as given (FCS or metadata included). */
  length = 0;
  fcsKind: FcsKind = FCS_16;
  /** The FCS as received (16 or 32 bits), when there is one. */
  fcs = 0;
  fcsOk = false;
  /** The FCS did not check and the frame was decoded anyway. */
  fcsIgnored = false;
  /** A held datagram with this fragment's source, destination and tag but
   *  another size was dropped, and this fragment started a new one. */
  replacedDatagram = false;

  constructor(options: { seed?: number; path?: string } = {}) {
    super(options);
    this.m = this.mem;
    this.mb = Buffer.from(this.mem.buffer, this.mem.byteOffset, this.mem.byteLength);
    this.mv = new DataView(this.mem.buffer, this.mem.byteOffset, this.mem.byteLength);
    this.input = this.inPtr;
    this.info = this.x.info();
  }

  /** Copies `frame` into the input buffer and decodes it. */
  decodeBytes(frame: Uint8Array, nowMs: number, kind: FcsKind = FCS_16): number {
    if (frame.length <= Capacity.Psdu) this.m.set(frame, this.input);
    return this.decodeInput(frame.length, nowMs, kind);
  }

  /** Decodes the frame of `len` octets already in the input buffer (a frame
   *  longer than a PSDU need not be there: it is only measured). */
  decodeInput(len: number, nowMs: number, kind: FcsKind = FCS_16): number {
    const m = this.m;
    const at = this.input;
    this.length = len;
    this.fcsKind = kind;
    this.fcsIgnored = false;
    this.replacedDatagram = false;
    // On the air the frame had its FCS; captured without one, it had 2 more octets.
    if ((kind === FCS_NONE ? len + 2 : len) > Capacity.Psdu) {
      this.result = -Reason.FrameTooLong;
      return this.result;
    }
    let n = len; // what the core is given: the frame with a 16-bit FCS
    if (kind === FCS_NONE) {
      const c = crc16(m, at, at + len);
      m[at + len] = c & 0xff;
      m[at + len + 1] = c >>> 8;
      n = len + 2;
    } else if (kind === FCS_32) {
      if (len < 6) {
        n = Math.min(len, 3); // shorter than a frame control field and FCS
      } else {
        const end = at + len - 4;
        this.fcs = (m[end] | (m[end + 1] << 8) | (m[end + 2] << 16) | (m[end + 3] << 24)) >>> 0;
        this.fcsOk = crc32(m, at, end) === this.fcs;
        this.fcsIgnored = !this.fcsOk && this.ignoreFcs;
        // A 16-bit FCS the core checks as the 32-bit one was checked.
        const c = crc16(m, at, end) ^ (this.fcsOk || this.ignoreFcs ? 0 : 0xffff);
        m[end] = c & 0xff;
        m[end + 1] = c >>> 8;
        n = len - 2;
      }
    } else if (len >= 4 && (kind === FCS_METADATA || this.ignoreFcs)) {
      const end = at + len - 2;
      const c = crc16(m, at, end);
      this.fcs = m[end] | (m[end + 1] << 8);
      this.fcsOk = c === this.fcs;
      if (!this.fcsOk) {
        this.fcsIgnored = kind === FCS_16;
        m[end] = c & 0xff;
        m[end + 1] = c >>> 8;
      }
    }
    const now = nowMs >>> 0;
    let r = this.x.decode(n, now);
    if (r === -Reason.FragSizeMismatch) {
      // RFC 4944 §5.3: fragments are told apart by source, destination, size
      // and tag, so a new size is a new datagram. The core has dropped the
      // held one; given the fragment again, it opens the new datagram.
      r = this.x.decode(n, now);
      this.replacedDatagram = true;
    }
    this.result = r;
    return r;
  }

  /** How much of the MAC header of the last frame is known (MAC_* above). */
  macLevel(): number {
    const r = this.result;
    if (r === -Reason.FrameTooShort || r === -Reason.FrameTooLong) return MAC_NONE;
    if (this.m[this.info + Info.MacHeaderLen] > 0) return MAC_FULL;
    if (r === -Reason.HeaderIeMalformed) return MAC_ADDRESSED;
    return EARLY_MAC_REASONS.has(-r) ? MAC_FCF : MAC_FULL;
  }

  /** The FCS as the report shows it: the received value, unless none was received. */
  reportedFcs(): { fcs?: number; fcsOk?: boolean } {
    if (this.fcsKind === FCS_NONE || this.fcsKind === FCS_METADATA) return {};
    if (this.fcsKind === FCS_32 || this.fcsIgnored) return { fcs: this.fcs, fcsOk: this.fcsOk };
    const m = this.m;
    const i = this.info;
    return { fcs: m[i + Info.Fcs] | (m[i + Info.Fcs + 1] << 8), fcsOk: (m[i + Info.MacFlags] & MacFlag.FcsOk) !== 0 };
  }

  /** Start of the completed packet in memory (valid when result > 0). */
  packetAt(): number {
    return this.x.packet();
  }

  lowpanFlags(): number {
    return this.m[this.info + Info.LowpanFlags] | (this.m[this.info + Info.LowpanFlags + 1] << 8);
  }
}
