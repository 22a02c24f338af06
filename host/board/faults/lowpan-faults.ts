// Faults that break the rules the lowpan suite checks: each makes the device
// break one rule of IEEE 802.15.4 framing, RFC 4944 (dispatch, fragmentation)
// or RFC 6282 (IPHC, NHC), so the tests that check it can be shown to fail.
// They act on the frames going into or out of the device (read with the
// tester's own library); the device's code stays as it is. Each is narrow:
// it fires only on the encoding or situation its defect is about.
import { concat } from '../../packet/bytes.js';
import { buildDataFrame, fcs16 } from '../../packet/ieee802154.js';
import { parseIeee802154, type ParsedMacFrame } from '../../packet/ieee802154-parse.js';
import {
  Reassembler, decodeLowpan, lowpanPayloads, type LowpanContexts, type LowpanDecoded, type LowpanEncodeOptions, type LowpanEncoding,
  type LowpanFragment,
} from '../../packet/lowpan.js';
import { fixIcmpChecksum, icmpType, inboundFault, outboundFault, type Fault, type FaultEnv, type FaultFactory } from './rewrite.js';

// ---------------------------------------------------------------- reading a frame

/** A data frame as a fault sees it: MAC header, where the 6LoWPAN dispatch is, and what it decodes to. */
interface Frame {
  mac: ParsedMacFrame;
  /** Octets of MAC header (the payload follows). */
  header: number;
  /** Offset in the MAC payload of the dispatch after mesh / BC0 / fragment headers (-1 in a FRAGN). */
  dispatch: number;
  /** The tester's decoding, when it decodes. */
  decoded?: LowpanDecoded;
}

function read(psdu: Uint8Array, contexts: LowpanContexts): Frame | undefined {
  let mac: ParsedMacFrame;
  try {
    mac = parseIeee802154(psdu);
  } catch {
    return undefined;
  }
  if (mac.frameType !== 1 || !mac.fcsOk || mac.payload.length === 0) return undefined;
  const p = mac.payload;
  let at = 0;
  // RFC 4944 §5: mesh (10xxxxxx), BC0 (0x50), FRAG1 (11000xxx) / FRAGN (11100xxx), then the dispatch.
  if (at < p.length && (p[at] & 0xc0) === 0x80) {
    const b = p[at];
    at += 1 + ((b & 0xf) === 0xf ? 1 : 0) + (b & 0x20 ? 2 : 8) + (b & 0x10 ? 2 : 8);
  }
  if (at < p.length && p[at] === 0x50) at += 2;
  if (at < p.length && (p[at] & 0xf8) === 0xc0) at += 4;
  else if (at < p.length && (p[at] & 0xf8) === 0xe0) at = -1;
  let decoded: LowpanDecoded | undefined;
  try {
    decoded = decodeLowpan(p, { src: mac.src, dst: mac.dst }, contexts);
  } catch {
    decoded = undefined;
  }
  return { mac, header: psdu.length - 2 - p.length, dispatch: at < p.length ? at : -1, decoded };
}

/** The IPHC fields and NHC chain of a whole frame or a FRAG1, when it decodes. */
function iphcOf(f: Frame): Iphc | undefined {
  const e = f.decoded?.encoding;
  return e?.dispatch === 'iphc' ? e : undefined;
}

function fragmentOf(f: Frame): LowpanFragment | undefined {
  return f.decoded && f.decoded.kind !== 'ipv6' ? f.decoded : undefined;
}

/** The frame with another MAC payload (or header bytes patched), FCS recomputed. */
function rebuild(psdu: Uint8Array, header: number, payload: Uint8Array, patch?: (h: Uint8Array) => void): Uint8Array {
  const body = concat([psdu.slice(0, header), payload]);
  patch?.(body);
  const c = fcs16(body);
  return concat([body, Uint8Array.of(c & 0xff, c >> 8)]);
}

const addrKey = (a?: { mode: string; bytes: Uint8Array }) => (a ? `${a.mode}:${Buffer.from(a.bytes).toString('hex')}` : '-');

/** A fault that drops the frames the device receives when `when` says so (the device cannot decode them). */
function dropInbound(name: string, description: string, when: (f: Frame) => boolean): FaultFactory {
  return (env) => ({
    name, description,
    inbound: (psdu) => {
      const f = read(psdu, env.contexts);
      return f && when(f) ? [] : [psdu];
    },
  });
}

/** A fault on the raw frames the device receives, with state of its own. */
function rawInbound(name: string, description: string, make: (env: FaultEnv) => (psdu: Uint8Array, at: number) => Uint8Array[]): FaultFactory {
  return (env) => ({ name, description, inbound: make(env) });
}

type Iphc = Extract<LowpanEncoding, { dispatch: 'iphc' }>;
type Nhc = Iphc['nhc'][number];

const iphcWhen = (pred: (e: Iphc, f: Frame) => boolean) => (f: Frame) => {
  const e = iphcOf(f);
  return e !== undefined && pred(e, f);
};

const nhcHas = (e: Iphc, pred: (n: Nhc) => boolean): boolean => e.nhc.some(pred);

// ---------------------------------------------------------------- address rewrites

/** Rewrites the decoded addresses of an unfragmented IPHC packet (what a wrong decoder would see); null drops. */
function addressFault(name: string, description: string, rewrite: (p: Uint8Array, e: Iphc, mac: ParsedMacFrame, env: FaultEnv) => Uint8Array | null | undefined): FaultFactory {
  return (env) => {
    const inner = inboundFault(name, description, (packet, mac) => {
      let d: LowpanDecoded;
      try {
        d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
      } catch {
        return undefined;
      }
      if (d.kind !== 'ipv6' || d.encoding.dispatch !== 'iphc') return undefined;
      return rewrite(packet, d.encoding, mac, env);
    })(env);
    return inner;
  };
}

/** The IID a 16-bit short address gives (RFC 6282 §3.2.2), with its two octets swapped: on-air (little-endian) order. */
function swapShortIid(p: Uint8Array, at: number, link?: { mode: string; bytes: Uint8Array }): boolean {
  if (link?.mode !== 'short' || (link.bytes[0] === 0xff && link.bytes[1] === 0xff) || link.bytes[0] === link.bytes[1]) return false;
  [p[at + 14], p[at + 15]] = [p[at + 15], p[at + 14]];
  return true;
}

/** Replaces the first 64 bits of the address at `at` with `prefix` (a context's, or fe80::/64). */
function setPrefix(p: Uint8Array, at: number, prefix: Uint8Array | undefined): boolean {
  if (!prefix) return false;
  p.set(prefix.subarray(0, 8), at);
  return true;
}

const LINK_LOCAL = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0);

// ---------------------------------------------------------------- fragments

type FragKey = (f: LowpanFragment, mac: ParsedMacFrame) => string;
const fullKey: FragKey = (f, mac) => `${addrKey(f.origin ?? mac.src)}|${addrKey(f.final ?? mac.dst)}|${f.size}|${f.tag}`;
const REASSEMBLY_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------- the device's own frames

/**
 * The device's packets that `when` picks, re-encoded with `options` (its
 * fragments held until the datagram is whole), e.g. every IPHC field in line
 * and no NHC (`hcMode: 'inline'`): legal RFC 6282, but not the most compact.
 */
function reencoder(env: FaultEnv, options: LowpanEncodeOptions, when: (packet: Uint8Array) => boolean = () => true): (psdu: Uint8Array, at: number) => Uint8Array[] {
  const reassembler = new Reassembler();
  let held: Uint8Array[] = [];
  let tag = 0x6c00;
  return (psdu, at) => {
    const f = read(psdu, env.contexts);
    if (!f?.decoded || !f.mac.src || !f.mac.dst) return [psdu];
    let packet: Uint8Array | undefined;
    if (f.decoded.kind === 'ipv6') packet = f.decoded.packet;
    else {
      held.push(psdu);
      try {
        packet = reassembler.accept(f.decoded, at);
      } catch {
        packet = undefined;
      }
      if (!packet) return [];
    }
    const frames = f.decoded.kind === 'ipv6' ? [psdu] : held;
    held = [];
    if (!when(packet)) return frames;
    const src = f.mac.src;
    const dst = f.mac.dst;
    const room = 127 - 2 - (3 + 2 + src.bytes.length + dst.bytes.length);
    const payloads = lowpanPayloads(packet, { src, dst }, env.contexts, options, room, tag++ & 0xffff);
    // MAC sequence numbers: the original frames' where there are as many, then numbers half the
    // space away, since a receiver's radio drops a frame with the same number as the last one
    // from its source (IEEE 802.15.4-2015 §6.7.3 duplicate rejection), and the device's next frame
    // takes the number after its last.
    const seqs = frames.map((x) => parseIeee802154(x).seq ?? 0);
    const last = seqs[seqs.length - 1];
    return payloads.map((p, i) => buildDataFrame({
      src, dst, pan: f.mac.dstPan ?? f.mac.srcPan ?? 0xffff, seq: i < seqs.length ? seqs[i] : (last + 128 + i) & 0xff,
      version: f.mac.version, ackRequest: f.mac.ackRequest,
    }, p));
  };
}

// ---------------------------------------------------------------- the faults

export const LOWPAN_FAULTS: Record<string, FaultFactory> = {
  // ---- dispatch (RFC 4944 §5.1, RFC 8066 §3.1)
  'dispatch-ipv6-dropped': dropInbound('dispatch-ipv6-dropped',
    'does not take the uncompressed IPv6 dispatch 0x41 and drops such frames (RFC 4944 §5.1: the IPv6 dispatch)',
    (f) => f.dispatch >= 0 && f.mac.payload[f.dispatch] === 0x41),
  'nalp-skipped': rawInbound('nalp-skipped',
    'skips a NALP octet (00xxxxxx) and decodes what follows instead of discarding the frame (RFC 4944 §5.1)', (env) => (psdu) => {
      const f = read(psdu, env.contexts);
      if (!f || f.dispatch !== 0 || (f.mac.payload[0] & 0xc0) !== 0) return [psdu];
      return [rebuild(psdu, f.header, f.mac.payload.subarray(1))];
    }),
  'unknown-dispatch-skipped': rawInbound('unknown-dispatch-skipped',
    'skips an ESC dispatch with an extension type it does not know, or a reserved dispatch value, and decodes what follows instead of dropping the frame (RFC 8066 §3.1, RFC 4944 §5.1)', (env) => (psdu) => {
      const f = read(psdu, env.contexts);
      if (!f || f.dispatch < 0) return [psdu];
      const p = f.mac.payload;
      const d = p[f.dispatch];
      const skip = d === 0x40 ? 2 : (d >= 0x43 && d <= 0x4f) || (d >= 0x51 && d <= 0x5f) ? 1 : 0;
      if (!skip) return [psdu];
      return [rebuild(psdu, f.header, concat([p.subarray(0, f.dispatch), p.subarray(f.dispatch + skip)]))];
    }),

  // ---- IPHC traffic class and flow label (RFC 6282 §3.1.1, §3.2.1)
  'iphc-tf-00-unsupported': dropInbound('iphc-tf-00-unsupported',
    'does not decode IPHC TF=00 (ECN, DSCP and flow label in line, 4 octets) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => e.tf === 0)),
  'iphc-tf-01-unsupported': dropInbound('iphc-tf-01-unsupported',
    'does not decode IPHC TF=01 (ECN and flow label in line, 3 octets) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => e.tf === 1)),
  'iphc-tf-10-unsupported': dropInbound('iphc-tf-10-unsupported',
    'does not decode IPHC TF=10 (ECN and DSCP in line, 1 octet) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => e.tf === 2)),

  // ---- IPHC hop limit (RFC 6282 §3.1.1)
  'iphc-hlim-inline-unsupported': dropInbound('iphc-hlim-inline-unsupported',
    'does not read an in-line Hop Limit (IPHC HLIM=00) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => e.hlim === 0)),
  'iphc-hlim-01-unsupported': dropInbound('iphc-hlim-01-unsupported',
    'does not decode IPHC HLIM=01 (hop limit 1) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => e.hlim === 1)),

  // ---- IPHC stateless addresses (RFC 6282 §3.1.1, §3.2.2; RFC 4944 §6)
  'iphc-link-local-inline-unsupported': dropInbound('iphc-link-local-inline-unsupported',
    'drops frames carrying a link-local address in full (stateless SAM/DAM=00), as if fe80::/64 were always elided (RFC 6282 §3.1.1: mode 00 carries any address)',
    iphcWhen((e, f) => {
      const p = f.decoded?.kind === 'ipv6' ? f.decoded.packet : f.decoded?.kind === 'frag1' ? f.decoded.data : undefined;
      if (!p || p.length < 40) return false;
      const linkLocal = (at: number) => p[at] === 0xfe && (p[at + 1] & 0xc0) === 0x80;
      return (e.sac === 0 && e.sam === 0 && linkLocal(8)) || (e.m === 0 && e.dac === 0 && e.dam === 0 && linkLocal(24));
    })),
  'iphc-iid-64-inline-unsupported': dropInbound('iphc-iid-64-inline-unsupported',
    'does not decode stateless SAM=01 / DAM=01 (link-local prefix elided, 64-bit IID in line) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => (e.sac === 0 && e.sam === 1) || (e.m === 0 && e.dac === 0 && e.dam === 1))),
  'iphc-iid-16-inline-unsupported': dropInbound('iphc-iid-16-inline-unsupported',
    'does not decode stateless SAM=10 / DAM=10 (fe80::ff:fe00:XXXX, 16 bits in line) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => (e.sac === 0 && e.sam === 2) || (e.m === 0 && e.dac === 0 && e.dam === 2))),
  'iid-ul-bit-set': addressFault('iid-ul-bit-set',
    'forms the IID of an elided address (SAM/DAM=11) from an EUI-64 by setting the U/L bit instead of inverting it, so locally administered addresses come out wrong (RFC 4944 §6, RFC 2464 §4)',
    (packet, e, mac) => {
      const p = Uint8Array.from(packet);
      let changed = false;
      if (e.sam === 3 && mac.src?.mode === 'extended' && mac.src.bytes[0] & 0x02) {
        p[8 + 8] = mac.src.bytes[0] | 0x02;
        changed = true;
      }
      if (e.m === 0 && e.dam === 3 && mac.dst?.mode === 'extended' && mac.dst.bytes[0] & 0x02) {
        p[24 + 8] = mac.dst.bytes[0] | 0x02;
        changed = true;
      }
      return changed ? p : undefined;
    }),
  'short-iid-byte-swapped': addressFault('short-iid-byte-swapped',
    'forms the IID 0000:00ff:fe00:XXXX of a 16-bit MAC address with its two octets in on-air (little-endian) order when the address is elided (SAM/DAM=11) (RFC 6282 §3.2.2, RFC 4944 §6)',
    (packet, e, mac) => {
      const p = Uint8Array.from(packet);
      const a = e.sam === 3 && swapShortIid(p, 8, mac.src);
      const b = e.m === 0 && e.dam === 3 && swapShortIid(p, 24, mac.dst);
      return a || b ? p : undefined;
    }),
  'short-mac-source-dropped': dropInbound('short-mac-source-dropped',
    'drops data frames from a 16-bit short source address (RFC 4944 §3: 16-bit and 64-bit addresses are both supported)',
    (f) => f.mac.src?.mode === 'short'),
  'short-mac-destination-ignored': dropInbound('short-mac-destination-ignored',
    'does not take unicast frames addressed to its own 16-bit short address, only to its EUI-64 (RFC 4944 §3, IEEE 802.15.4-2015 §6.7.2)',
    (f) => f.mac.dst?.mode === 'short' && !(f.mac.dst.bytes[0] === 0xff && f.mac.dst.bytes[1] === 0xff)),

  // ---- IPHC stateful addresses (RFC 6282 §3.1.1, §3.1.2)
  'iphc-context-0-as-link-local': addressFault('iphc-context-0-as-link-local',
    'decodes SAC=1 / DAC=1 with context 0 as if stateless: the prefix comes out fe80::/64 instead of context 0\'s (RFC 6282 §3.1.1)',
    (packet, e) => {
      const p = Uint8Array.from(packet);
      const a = e.sac === 1 && e.sam !== 0 && e.sci === 0 && setPrefix(p, 8, LINK_LOCAL);
      const b = e.m === 0 && e.dac === 1 && e.dci === 0 && setPrefix(p, 24, LINK_LOCAL);
      return a || b ? p : undefined;
    }),
  'iphc-cid-ignored': addressFault('iphc-cid-ignored',
    'skips the CID octet and decodes every stateful address with context 0 instead of SCI / DCI (RFC 6282 §3.1.2)',
    (packet, e, _mac, env) => {
      if (!e.cid) return undefined;
      const ctx0 = env.contexts.get(0)?.prefix;
      const p = Uint8Array.from(packet);
      const src = e.sac === 1 && e.sam !== 0 && e.sci !== 0;
      const dst = e.m === 0 && e.dac === 1 && e.dci !== 0;
      if (!src && !dst) return undefined;
      if (!ctx0) return null; // no context 0: the decoder gives up
      if (src) setPrefix(p, 8, ctx0);
      if (dst) setPrefix(p, 24, ctx0);
      return p;
    }),
  'iphc-unspecified-source-misdecoded': addressFault('iphc-unspecified-source-misdecoded',
    'decodes SAC=1 SAM=00 as a link-local address from the MAC source instead of the unspecified address :: (RFC 6282 §3.1.1)',
    (packet, e, mac) => {
      if (e.sac !== 1 || e.sam !== 0 || !mac.src) return undefined;
      const p = Uint8Array.from(packet);
      p.set(LINK_LOCAL, 8);
      const iid = mac.src.mode === 'short' ? Uint8Array.of(0, 0, 0, 0xff, 0xfe, 0, ...mac.src.bytes) : Uint8Array.from(mac.src.bytes);
      if (mac.src.mode === 'extended') iid[0] ^= 0x02;
      p.set(iid, 16);
      return p; // the checksum was computed with ::, as a decoder that got the source wrong would find

    }),
  'iphc-reserved-dac-accepted': rawInbound('iphc-reserved-dac-accepted',
    'ignores the DAC bit where RFC 6282 §3.1.1 reserves the combination (M=1 DAC=1 DAM!=00, M=0 DAC=1 DAM=00) and decodes the address as stateless instead of dropping the frame', (env) => (psdu) => {
      const f = read(psdu, env.contexts);
      if (!f || f.dispatch < 0) return [psdu];
      const p = f.mac.payload;
      const at = f.dispatch;
      if ((p[at] & 0xe0) !== 0x60 || at + 1 >= p.length) return [psdu];
      const b1 = p[at + 1];
      const m = (b1 >> 3) & 1;
      const dac = (b1 >> 2) & 1;
      const dam = b1 & 3;
      if (!dac || (m ? dam === 0 : dam !== 0)) return [psdu];
      const q = Uint8Array.from(p);
      q[at + 1] = b1 & ~0x04;
      return [rebuild(psdu, f.header, q)];
    }),

  // ---- IPHC multicast destinations (RFC 6282 §3.1.1)
  'iphc-mcast-128-unsupported': dropInbound('iphc-mcast-128-unsupported',
    'does not decode a multicast destination carried in full (M=1 DAM=00) and drops such frames (RFC 6282 §3.1.1)',
    iphcWhen((e) => e.m === 1 && e.dac === 0 && e.dam === 0)),
  'iphc-mcast-32-misplaced': addressFault('iphc-mcast-32-misplaced',
    'decodes M=1 DAM=10 (ffXX::00XX:XXXX) with the 24 in-line group bits one octet too early, at octets 12..14 (RFC 6282 §3.1.1)',
    (packet, e) => {
      if (e.m !== 1 || e.dac !== 0 || e.dam !== 2) return undefined;
      const p = Uint8Array.from(packet);
      p.copyWithin(24 + 12, 24 + 13, 24 + 16);
      p[24 + 15] = 0;
      return p;
    }),

  // ---- NHC UDP (RFC 6282 §4.3)
  'nhc-udp-8bit-ports-swapped': dropInbound('nhc-udp-8bit-ports-swapped',
    'reads LOWPAN_NHC UDP P=01 and P=10 the wrong way round (the 8-bit field taken for the other port), so such datagrams fail their checksum and are dropped (RFC 6282 §4.3.3)',
    iphcWhen((e) => nhcHas(e, (n) => n.type === 'udp' && (n.ports === 1 || n.ports === 2)))),
  'nhc-udp-4bit-ports-wrong-base': dropInbound('nhc-udp-4bit-ports-wrong-base',
    'expands LOWPAN_NHC UDP 4-bit ports (P=11) from 0xF000 instead of 0xF0B0, so such datagrams fail their checksum and are dropped (RFC 6282 §4.3.3)',
    iphcWhen((e) => nhcHas(e, (n) => n.type === 'udp' && n.ports === 3))),
  'accept-elided-udp-checksum': (env) => ({
    name: 'accept-elided-udp-checksum',
    description: 'accepts a UDP datagram whose checksum was elided (NHC UDP C=1) without an integrity check it can verify, computing the checksum itself (RFC 6282 §4.3.2: MUST drop)',
    inbound: packetsInbound(env, (packet, e) => (nhcHas(e, (n) => n.type === 'udp' && n.checksumElided) ? packet : undefined)),
  }),

  // ---- NHC extension headers and IPv6 (RFC 6282 §4.2)
  'nhc-ext-padding-not-restored': dropInbound('nhc-ext-padding-not-restored',
    'does not restore the Pad1/PadN elided from a LOWPAN_NHC hop-by-hop or destination options header, so the header is misaligned and the packet dropped (RFC 6282 §4.2)',
    iphcWhen((e) => nhcHas(e, (n) => n.type === 'ext' && n.padding > 0))),
  'nhc-fragment-header-unsupported': dropInbound('nhc-fragment-header-unsupported',
    'does not decode a LOWPAN_NHC IPv6 Fragment header (EID 2) and drops such frames (RFC 6282 §4.2)',
    iphcWhen((e) => nhcHas(e, (n) => n.type === 'ext' && n.eid === 2))),
  'nhc-ipv6-unsupported': dropInbound('nhc-ipv6-unsupported',
    'does not decode a LOWPAN_NHC IPv6 header (EID 7, IPv6 in IPv6) and drops such frames (RFC 6282 §4.2)',
    iphcWhen((e) => nhcHas(e, (n) => n.type === 'ipv6'))),
  'param-problem-pointer-compressed': outboundFault('param-problem-pointer-compressed',
    'points an ICMPv6 Parameter Problem about an unrecognized Next Header at the field\'s offset in the compressed IPHC header (2) instead of the uncompressed packet (6) (RFC 8200 §4, RFC 4443 §3.4)',
    (p) => {
      if (icmpType(p) !== 4 || p[41] !== 1 || p.length < 48 || p[47] !== 6 || p[44] | p[45] | p[46]) return undefined;
      const q = Uint8Array.from(p);
      q[47] = 2;
      return fixIcmpChecksum(q);
    }),

  // ---- IEEE 802.15.4 (IEEE 802.15.4-2015 §6.7.2, §7.2)
  'mac-frame-2003-dropped': dropInbound('mac-frame-2003-dropped',
    'drops data frames of frame version 0 (IEEE 802.15.4-2003) instead of taking them (IEEE 802.15.4-2015 §7.2.2.10)',
    (f) => f.mac.version === 0),
  'mac-frame-2015-dropped': dropInbound('mac-frame-2015-dropped',
    'drops data frames of frame version 2 (IEEE 802.15.4-2015) instead of taking them (IEEE 802.15.4-2015 §7.2.2.10)',
    (f) => f.mac.version === 2),
  'mac-pan-id-compression-required': dropInbound('mac-pan-id-compression-required',
    'drops 2003/2006 frames without PAN ID compression (both PAN IDs present) (IEEE 802.15.4-2006 §7.2.1.1.5)',
    (f) => f.mac.version < 2 && !f.mac.panIdCompression && f.mac.src !== undefined && f.mac.dst !== undefined),
  'mac-pan-filter-off': () => {
    // The device's PAN, from the frames it sends (RS / DAD at boot).
    let pan: number | undefined;
    return {
      name: 'mac-pan-filter-off',
      description: 'takes frames addressed to it in another PAN (no PAN ID filtering, IEEE 802.15.4-2015 §6.7.2)',
      outbound: (psdu) => {
        try {
          pan = parseIeee802154(psdu).dstPan ?? pan;
        } catch {
          // not ours to judge
        }
        return [psdu];
      },
      inbound: (psdu) => {
        let mac: ParsedMacFrame;
        try {
          mac = parseIeee802154(psdu);
        } catch {
          return [psdu];
        }
        if (pan === undefined || mac.frameType !== 1 || mac.version === 2 || !mac.fcsOk) return [psdu];
        if (mac.dstPan === undefined || mac.dstPan === 0xffff || mac.dstPan === pan) return [psdu];
        // 2003/2006: FCF, sequence number, then the destination PAN (little-endian).
        return [rebuild(psdu, psdu.length - 2 - mac.payload.length, mac.payload, (h) => {
          h[3] = pan! & 0xff;
          h[4] = pan! >> 8;
        })];
      },
    } satisfies Fault;
  },
  'mac-address-filter-off': (env) => {
    // The device's EUI-64, from the frames it sends.
    let own: Uint8Array | undefined;
    return {
      name: 'mac-address-filter-off',
      description: 'takes unicast frames addressed to another station\'s EUI-64 (no address filtering, IEEE 802.15.4-2015 §6.7.2)',
      outbound: (psdu) => {
        try {
          const mac = parseIeee802154(psdu);
          if (mac.src?.mode === 'extended') own = mac.src.bytes;
        } catch {
          // not ours to judge
        }
        return [psdu];
      },
      inbound: (psdu) => {
        const f = read(psdu, env.contexts);
        if (!f || !own || f.mac.version === 2 || f.mac.dst?.mode !== 'extended' || sameBytes(f.mac.dst.bytes, own)) return [psdu];
        // 2003/2006: FCF, sequence number, destination PAN, then the destination address (on air: reversed).
        return [rebuild(psdu, f.header, f.mac.payload, (h) => h.set(Uint8Array.from(own!).reverse(), 5))];
      },
    } satisfies Fault;
  },

  // ---- reassembly (RFC 4944 §5.3)
  'fragn-offset-in-octets': rawInbound('fragn-offset-in-octets',
    'takes a FRAGN\'s datagram_offset in octets instead of 8-octet units, so its fragments land in the wrong place and never complete a datagram (RFC 4944 §5.3)', (env) => (psdu) => {
      const f = read(psdu, env.contexts);
      const g = f && fragmentOf(f);
      if (!f || !g || g.kind !== 'fragn' || g.mesh || g.bc0 !== undefined) return [psdu];
      const q = Uint8Array.from(f.mac.payload);
      q[4] = q[4] >> 3; // the offset in octets, as the device reads it, re-expressed in the units it is placed by
      return [rebuild(psdu, f.header, q)];
    }),
  'frag-out-of-order-dropped': rawInbound('frag-out-of-order-dropped',
    'drops a FRAGN that arrives before its datagram\'s FRAG1, so a datagram sent out of order never completes (RFC 4944 §5.3: datagram_size is in every fragment so that any order works)', (env) => {
      const first = new Map<string, number>();
      return (psdu, at) => {
        const f = read(psdu, env.contexts);
        const g = f && fragmentOf(f);
        if (!f || !g) return [psdu];
        const key = fullKey(g, f.mac);
        if (g.kind === 'frag1') {
          first.set(key, at);
          return [psdu];
        }
        const t = first.get(key);
        return t !== undefined && at - t <= REASSEMBLY_TIMEOUT_MS ? [psdu] : [];
      };
    }),
  'frag-duplicate-discards': rawInbound('frag-duplicate-discards',
    'treats an exact duplicate of a fragment as an overlap and discards the datagram (RFC 4944 §5.3 discards only when the offset or size differs)', (env) => {
      const held = new Map<string, { start: number; ranges: string[]; dead: boolean; received: number }>();
      return (psdu, at) => {
        const f = read(psdu, env.contexts);
        const g = f && fragmentOf(f);
        if (!f || !g) return [psdu];
        const key = fullKey(g, f.mac);
        let h = held.get(key);
        if (!h || at - h.start > REASSEMBLY_TIMEOUT_MS) held.set(key, (h = { start: at, ranges: [], dead: false, received: 0 }));
        const range = `${g.offset}+${g.data.length}`;
        if (h.dead) return [];
        if (h.ranges.includes(range)) {
          h.dead = true; // the datagram is gone: this and its later fragments come to nothing
          return [];
        }
        h.ranges.push(range);
        h.received += g.data.length;
        if (h.received >= g.size) held.delete(key);
        return [psdu];
      };
    }),
  'frag-size-mismatch-ignored': rawInbound('frag-size-mismatch-ignored',
    'reassembles by sender and datagram_tag only: a fragment whose datagram_size disagrees joins the datagram with that tag instead of not belonging to it (RFC 4944 §5.3)', (env) => {
      const sizes = new Map<string, { size: number; start: number }>();
      return (psdu, at) => {
        const f = read(psdu, env.contexts);
        const g = f && fragmentOf(f);
        if (!f || !g || g.mesh || g.bc0 !== undefined) return [psdu];
        const key = `${addrKey(f.mac.src)}|${addrKey(f.mac.dst)}|${g.tag}`;
        const s = sizes.get(key);
        if (!s || at - s.start > REASSEMBLY_TIMEOUT_MS) {
          sizes.set(key, { size: g.size, start: at });
          return [psdu];
        }
        if (s.size === g.size) return [psdu];
        const q = Uint8Array.from(f.mac.payload);
        q[0] = (q[0] & 0xf8) | ((s.size >> 8) & 7);
        q[1] = s.size & 0xff;
        return [rebuild(psdu, f.header, q)];
      };
    }),
  'frag-no-timeout': rawInbound('frag-no-timeout',
    'never discards an incomplete datagram: fragments held past the 60 s reassembly timeout still complete it (RFC 4944 §5.3)', (env) => {
      // The device does discard them; to show what a device without the timer
      // does, the held fragments are given to it again ahead of a late one.
      const held = new Map<string, { start: number; frames: Uint8Array[]; received: number; size: number }>();
      return (psdu, at) => {
        const f = read(psdu, env.contexts);
        const g = f && fragmentOf(f);
        if (!f || !g) return [psdu];
        const key = fullKey(g, f.mac);
        const h = held.get(key) ?? { start: at, frames: [], received: 0, size: g.size };
        held.set(key, h);
        const late = at - h.start > REASSEMBLY_TIMEOUT_MS ? h.frames.map((x) => x) : [];
        if (late.length) h.start = at;
        h.frames.push(psdu);
        h.received += g.data.length;
        if (h.received >= h.size) held.delete(key);
        return [...late, psdu];
      };
    }),
  'frag-key-ignores-source': rawInbound('frag-key-ignores-source',
    'keys reassembly by datagram_size and datagram_tag only, not by the sender\'s address: two senders\' datagrams with one tag are mixed up and discarded (RFC 4944 §5.3)', (env) => {
      const pending = new Map<string, { src: string; start: number; received: number; dead: boolean }>();
      return (psdu, at) => {
        const f = read(psdu, env.contexts);
        const g = f && fragmentOf(f);
        if (!f || !g) return [psdu];
        const key = `${g.size}|${g.tag}`;
        const src = addrKey(g.origin ?? f.mac.src);
        let p = pending.get(key);
        if (!p || at - p.start > REASSEMBLY_TIMEOUT_MS) pending.set(key, (p = { src, start: at, received: 0, dead: false }));
        if (p.dead) return [];
        if (p.src !== src) {
          p.dead = true; // the overlap with different contents discards both
          return [];
        }
        p.received += g.data.length;
        if (p.received >= g.size) pending.delete(key);
        return [psdu];
      };
    }),

  // ---- the device's own fragments and compression
  'frag-tag-varies': (env) => ({
    name: 'frag-tag-varies',
    description: 'gives every FRAGN of a datagram a datagram_tag one higher than its FRAG1\'s, so the datagram cannot be reassembled (RFC 4944 §5.3: one tag for all fragments of a datagram)',
    outbound: (psdu) => {
      const f = read(psdu, env.contexts);
      const g = f && fragmentOf(f);
      if (!f || !g || g.kind !== 'fragn' || g.mesh || g.bc0 !== undefined) return [psdu];
      const q = Uint8Array.from(f.mac.payload);
      const tag = (g.tag + 1) & 0xffff;
      q[2] = tag >> 8;
      q[3] = tag & 0xff;
      return [rebuild(psdu, f.header, q)];
    },
  }),
  'compress-inline-only': (env) => ({
    name: 'compress-inline-only',
    description: 'sends IPHC with every field in line (TF=00, next header and hop limit in line, SAM/DAM=00) and no LOWPAN_NHC: legal, but not the compression RFC 6282 §3 is for',
    outbound: reencoder(env, { hcMode: 'inline' }),
  }),
  'elide-own-udp-checksum': (env) => ({
    name: 'elide-own-udp-checksum',
    description: 'elides the UDP checksum of the datagrams it sends (LOWPAN_NHC C=1) with no upper-layer authorization (RFC 6282 §4.3.2: MUST NOT)',
    outbound: reencoder(env, { udpChecksum: 'elided' }, (p) => p[6] === 17),
  }),
};

/** Rewrites whole packets the device receives (unfragmented IPHC frames), re-encoded with the device's contexts. */
function packetsInbound(env: FaultEnv, rewrite: (packet: Uint8Array, e: Iphc) => Uint8Array | undefined): (psdu: Uint8Array, at: number) => Uint8Array[] {
  let tag = 0x6d00;
  return (psdu) => {
    const f = read(psdu, env.contexts);
    const e = f && iphcOf(f);
    if (!f || !e || f.decoded?.kind !== 'ipv6' || !f.mac.src || !f.mac.dst) return [psdu];
    const out = rewrite(f.decoded.packet, e);
    if (!out) return [psdu];
    const src = f.mac.src;
    const dst = f.mac.dst;
    const room = 127 - 2 - (3 + 2 + src.bytes.length + dst.bytes.length);
    const payloads = lowpanPayloads(out, { src, dst }, env.contexts, {}, room, tag++ & 0xffff);
    return payloads.map((p, i) => buildDataFrame({
      src, dst, pan: f.mac.dstPan ?? f.mac.srcPan ?? 0xffff, seq: ((f.mac.seq ?? 0) + i) & 0xff, version: f.mac.version, ackRequest: f.mac.ackRequest,
    }, p));
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
