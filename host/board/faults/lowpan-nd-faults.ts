// Faults that break the rules the lowpan-nd suite checks (RFC 6775, RFC 8505):
// each makes the device break one rule, so the tests that check it can be
// shown to fail. They act on the ND messages going into or out of the device
// (parsed and rebuilt with the tester's own library) and on how its frames
// are compressed; where a defect changes what the device sends, the answers
// it gets are changed back, so that only the one rule is broken.
import { buildDataFrame } from '../../packet/ieee802154.js';
import type { ParsedMacFrame } from '../../packet/ieee802154-parse.js';
import { parseIeee802154 } from '../../packet/ieee802154-parse.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../../packet/link-address.js';
import { decodeLowpan, encodeLowpan, type LowpanContexts, type LowpanEncoding } from '../../packet/lowpan.js';
import { buildNdPacket, parseNd, solicitedNodeAddress, type NdMessage, type NdOption, type ParsedNdPacket } from '../../packet/ndp.js';
import { fixIcmpChecksum, icmpType, inboundFault, ndOption, outboundFault, packetRewriter, type FaultEnv, type FaultFactory, type PacketRewrite } from './rewrite.js';

type Aro = Extract<NdOption, { kind: 'aro' }>;
type NdChange = { src?: Uint8Array; dst?: Uint8Array; message?: NdMessage };

const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
const isLinkLocal = (a: Uint8Array) => a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
const isMulticast = (a: Uint8Array) => a[0] === 0xff;
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const BROADCAST: LinkAddress = { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };

/**
 * A rewrite of the ND messages of ICMPv6 `type`: `edit` sees the parsed
 * message and returns what to change (the packet is rebuilt with hop limit,
 * code and a right checksum), null to drop it, undefined to leave it.
 */
function ndEdit(type: number, edit: (nd: ParsedNdPacket, mac: ParsedMacFrame) => NdChange | null | undefined): PacketRewrite {
  return (p, mac) => {
    if (icmpType(p) !== type) return undefined;
    let nd: ParsedNdPacket;
    try {
      nd = parseNd(p);
    } catch {
      return undefined;
    }
    const c = edit(nd, mac);
    if (c === undefined || c === null) return c;
    return buildNdPacket({ src: c.src ?? nd.header.src, dst: c.dst ?? nd.header.dst, hopLimit: nd.header.hopLimit, code: nd.code, message: c.message ?? nd.message });
  };
}

const aroIn = (nd: ParsedNdPacket) => nd.message.options.find((o): o is Aro => o.kind === 'aro');
const targetIn = (nd: ParsedNdPacket) => (nd.message.kind === 'ns' || nd.message.kind === 'na' ? nd.message.target : new Uint8Array(16));
const without = (m: NdMessage, drop: (o: NdOption) => boolean): NdMessage => ({ ...m, options: m.options.filter((o) => !drop(o)) });
const withAro = (m: NdMessage, f: (a: Aro) => Aro): NdMessage => ({ ...m, options: m.options.map((o) => (o.kind === 'aro' ? f(o) : o)) });

/** Registration NSes the device sends (NS carrying an (E)ARO, RFC 6775 §5.5.1): `edit` changes them. */
const registrations = (edit: (nd: ParsedNdPacket, aro: Aro, mac: ParsedMacFrame) => NdChange | null | undefined) =>
  ndEdit(135, (nd, mac) => {
    const aro = aroIn(nd);
    return aro ? edit(nd, aro, mac) : undefined;
  });

/** Registration answers the device receives (NA carrying an (E)ARO): `edit` changes them. */
const answers = (edit: (nd: ParsedNdPacket, aro: Aro) => NdChange | null | undefined) =>
  ndEdit(136, (nd) => {
    const aro = aroIn(nd);
    return aro ? edit(nd, aro) : undefined;
  });

/** A fault with both directions, whose state the two share. */
function twoWay(name: string, description: string, make: () => { out: PacketRewrite; in: PacketRewrite }): FaultFactory {
  return (env) => {
    const r = make();
    return { name, description, outbound: packetRewriter(env, r.out), inbound: packetRewriter(env, r.in, false) };
  };
}

/**
 * The device's packets re-compressed with other contexts than the ones it
 * was given: `pick` returns the contexts to compress a packet with (undefined
 * leaves it as it was). The device's frames are still read with the real ones.
 */
function recompressed(name: string, description: string, pick: (p: Uint8Array, contexts: LowpanContexts) => LowpanContexts | undefined): FaultFactory {
  return (env) => {
    let encodeWith: LowpanContexts | undefined;
    // packetRewriter reads env.contexts to decode, then again to re-encode what the rewrite returned.
    const view: FaultEnv = { get contexts() { return encodeWith ?? env.contexts; } };
    const inner = packetRewriter(view, (p) => {
      const c = pick(p, env.contexts);
      if (!c) return undefined;
      encodeWith = c;
      return Uint8Array.from(p);
    });
    return {
      name, description,
      outbound: (psdu, at) => {
        encodeWith = undefined;
        return inner(psdu, at);
      },
    };
  };
}

/** Whether a context of `contexts` accepted by `use` covers the source or destination of `p` (RFC 6282 §3.1.2). */
function contextCovers(p: Uint8Array, contexts: LowpanContexts, use: (compress: boolean) => boolean): boolean {
  const covers = (a: Uint8Array, prefix: Uint8Array, bits: number) => {
    for (let i = 0; i < bits; i++) if (((a[i >> 3] ^ prefix[i >> 3]) >> (7 - (i & 7))) & 1) return false;
    return true;
  };
  return [...contexts.values()].some((c) => use(c.compress !== false) && (covers(p.subarray(8, 24), c.prefix, Math.min(c.length, 64)) || covers(p.subarray(24, 40), c.prefix, Math.min(c.length, 64))));
}

/** The context numbers an IPHC header used (RFC 6282 §3.1.1). */
function contextsUsed(e: LowpanEncoding | undefined): number[] {
  if (!e || e.dispatch !== 'iphc') return [];
  const out: number[] = [];
  if (e.sac === 1 && e.sam !== 0) out.push(e.cid ? e.sci : 0);
  if (e.dac === 1) out.push(e.cid ? e.dci : 0);
  return out;
}

/** 6COs of the RAs the device receives, changed by `edit` (null drops the option). */
const contextOptions = (edit: (o: Extract<NdOption, { kind: '6co' }>) => NdOption | null) =>
  ndEdit(134, (nd) => {
    if (!nd.message.options.some((o) => o.kind === '6co')) return undefined;
    const options = nd.message.options.flatMap((o) => (o.kind === '6co' ? [edit(o)].filter((x): x is NdOption => x !== null) : [o]));
    return { message: { ...nd.message, options } };
  });

export const LOWPAN_ND_FAULTS: Record<string, FaultFactory> = {
  // -------------------------------------------------------------- RS (RFC 6775 §5.3, RFC 8505 §6.1)
  'rs-without-sllao': outboundFault('rs-without-sllao',
    'sends Router Solicitations without an SLLAO (RFC 6775 §5.3: an SLLAO MUST be included)',
    ndEdit(133, (nd) => ({ message: without(nd.message, (o) => o.kind === 'sllao') }))),
  'rs-without-6cio': outboundFault('rs-without-6cio',
    'sends Router Solicitations without the 6CIO that announces EARO support (RFC 8505 §6.1)',
    ndEdit(133, (nd) => (nd.message.options.some((o) => o.kind === 'raw' && o.type === 36) ? { message: without(nd.message, (o) => o.kind === 'raw' && o.type === 36) } : undefined))),

  // -------------------------------------------------------------- next hops (RFC 6775 §5.1, §5.6)
  'multicast-ns-resolution': (env) => {
    // A 6LoWPAN-ND host (it registers with an ARO) that still resolves a link-local neighbor it has
    // not heard from with a multicast NS before its first packet to it, like a classic host.
    let lowpanNd = false;
    const known = new Set<string>();
    const packetOf = (psdu: Uint8Array) => {
      try {
        const mac = parseIeee802154(psdu);
        const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
        return d.kind === 'ipv6' && mac.src ? { mac, p: d.packet, src: mac.src } : undefined;
      } catch {
        return undefined;
      }
    };
    return {
      name: 'multicast-ns-resolution',
      description: 'multicasts an NS to resolve a link-local neighbor before talking to it (RFC 6775 §5.1: a host MUST NOT multicast an NS)',
      inbound: (psdu) => {
        const r = packetOf(psdu);
        if (r && isLinkLocal(r.p.subarray(8, 24))) known.add(hex(r.p.subarray(8, 24)));
        return [psdu];
      },
      outbound: (psdu) => {
        const r = packetOf(psdu);
        if (!r) return [psdu];
        const { mac, p, src } = r;
        const type = icmpType(p);
        if (type === 135 && ndOption(p, 33) >= 0) lowpanNd = true;
        const dst = p.subarray(24, 40);
        if (!lowpanNd || (type >= 133 && type <= 137) || !isLinkLocal(dst) || known.has(hex(dst))) return [psdu];
        known.add(hex(dst));
        const ns = buildNdPacket({ src: p.slice(8, 24), dst: solicitedNodeAddress(dst), message: { kind: 'ns', target: dst.slice(), options: [{ kind: 'sllao', addr: src }] } });
        // Another sequence number than the packet's: a receiver takes a repeated one for a MAC retransmission.
        const seq = ((mac.seq ?? 0) + 255) & 0xff;
        const frame = buildDataFrame({ src, dst: BROADCAST, pan: mac.dstPan ?? mac.srcPan ?? 0xffff, seq, version: mac.version }, encodeLowpan(ns, { src, dst: BROADCAST }, env.contexts));
        return [frame, psdu];
      },
    };
  },

  // -------------------------------------------------------------- contexts (RFC 6775 §4.2, §5.4.2, §5.4.3)
  'no-context-compression': recompressed('no-context-compression',
    'never compresses with the contexts 6COs give it: addresses in line or stateless only (RFC 6775 §5.4.2)',
    (p, contexts) => (contextCovers(p, contexts, (c) => c) ? new Map() : undefined)),
  'compress-with-c0-context': recompressed('compress-with-c0-context',
    'installs 6CO contexts with C=0 for compression too (RFC 6775 §5.4.2: MUST NOT be used for compression)',
    (p, contexts) => (contextCovers(p, contexts, (c) => !c) ? new Map([...contexts].map(([id, c]) => [id, { ...c, compress: true }])) : undefined)),
  'c0-context-not-decompressed': (env) => ({
    name: 'c0-context-not-decompressed',
    description: 'drops what a peer compressed with a context whose 6CO had C=0 (RFC 6775 §4.2: it SHOULD be used in decompression)',
    inbound: (psdu) => {
      try {
        const mac = parseIeee802154(psdu);
        const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
        return contextsUsed(d.encoding).some((id) => env.contexts.get(id)?.compress === false) ? [] : [psdu];
      } catch {
        return [psdu];
      }
    },
  }),
  'context-lifetime-ignored': inboundFault('context-lifetime-ignored',
    'treats every 6CO valid lifetime as infinite: expired contexts stay in use for compression (RFC 6775 §5.4.3)',
    contextOptions((o) => (o.validLifetime === 0 ? o : { ...o, validLifetime: 0xffff }))),
  'context-removal-ignored': inboundFault('context-removal-ignored',
    'keeps a context whose 6CO says valid lifetime 0 (RFC 6775 §4.2: the entry MUST be removed immediately)',
    contextOptions((o) => (o.validLifetime === 0 ? null : o))),

  // -------------------------------------------------------------- ABRO (RFC 6775 §4.3, §8.1.3)
  'abro-ignored': inboundFault('abro-ignored',
    'ignores the ABRO: an RA with an older version number replaces newer prefixes and contexts (RFC 6775 §8.1.3)',
    ndEdit(134, (nd) => (nd.message.options.some((o) => o.kind === 'abro') ? { message: without(nd.message, (o) => o.kind === 'abro') } : undefined))),
  'abro-newer-version-ignored': (env) => {
    const first = new Map<string, number>();
    return {
      name: 'abro-newer-version-ignored',
      description: 'keeps the information of the first ABRO version it saw: RAs with a newer version are ignored (RFC 6775 §8.1.3)',
      inbound: packetRewriter(env, ndEdit(134, (nd) => {
        const abro = nd.message.options.find((o) => o.kind === 'abro');
        if (!abro || abro.kind !== 'abro') return undefined;
        const key = hex(abro.address);
        if (!first.has(key)) first.set(key, abro.version);
        return abro.version > first.get(key)! ? null : undefined;
      }), false),
    };
  },

  // -------------------------------------------------------------- registration (RFC 6775 §5.5, RFC 8505 §5)
  'registration-without-sllao': outboundFault('registration-without-sllao',
    'registers without an SLLAO in the NS (RFC 6775 §5.5.1: such an NS MUST include an SLLAO)',
    registrations((nd) => ({ message: without(nd.message, (o) => o.kind === 'sllao') }))),
  'registers-one-global-address': (env) => {
    let first: string | undefined;
    return {
      name: 'registers-one-global-address',
      description: 'registers only the first global address it forms; those of other prefixes are never registered (RFC 6775 §5.4.1)',
      outbound: packetRewriter(env, registrations((nd) => {
        const target = targetIn(nd);
        if (isLinkLocal(target)) return undefined;
        first ??= hex(target);
        return first === hex(target) ? undefined : null;
      })),
    };
  },
  'cache-full-retries-same-router': inboundFault('cache-full-retries-same-router',
    'treats ARO status 2 (neighbor cache full) like 9: retries the same router later instead of another one (RFC 6775 §5.5.3)',
    (p) => {
      const aro = icmpType(p) === 136 ? ndOption(p, 33) : -1;
      if (aro < 0 || p[aro + 2] !== 2) return undefined;
      const q = Uint8Array.from(p);
      q[aro + 2] = 9;
      return fixIcmpChecksum(q);
    }),
  'no-re-registration': twoWay('no-re-registration',
    'never renews a registration: no new NS before the registration lifetime ends (RFC 6775 §5.5.1)', () => {
      // What the router accepted, by target, with the TID of that registration. Retransmissions and a
      // restart (the TID lollipop starts again at the same value) go through; a renewal (a newer TID) does not.
      const accepted = new Map<string, number>();
      return {
        out: registrations((nd, aro) => {
          const tid = accepted.get(hex(targetIn(nd)));
          return aro.t && tid !== undefined && tid !== aro.tid ? null : undefined;
        }),
        in: answers((nd, aro) => {
          if (aro.status === 0 && aro.t) accepted.set(hex(targetIn(nd)), aro.tid ?? 0);
          return undefined;
        }),
      };
    }),
  'ignore-ns-for-global': inboundFault('ignore-ns-for-global',
    "ignores unicast NSes for its global addresses: a router's NUD probe goes unanswered (RFC 4861 §7.2.3, RFC 6775 §5.5)",
    ndEdit(135, (nd) => (!isMulticast(nd.header.dst) && !isLinkLocal(targetIn(nd)) && !aroIn(nd) ? null : undefined))),

  // -------------------------------------------------------------- EARO fields (RFC 8505 §4.1, §5.1-§5.3)
  'earo-r-flag-clear': outboundFault('earo-r-flag-clear',
    'registers as a host without the R flag of the EARO (RFC 8505 §5.1: a 6LN acting only as a host MUST set it)',
    registrations((nd, aro) => (aro.r ? { message: withAro(nd.message, (a) => ({ ...a, r: false })) } : undefined))),
  'aro-without-t-flag': twoWay('aro-without-t-flag',
    'registers with a plain RFC 6775 ARO (T flag clear, no TID) (RFC 8505 §6: an updated 6LN MUST always use the EARO)', () => {
      const tids = new Map<string, number>();
      return {
        out: registrations((nd, aro) => {
          if (!aro.t) return undefined;
          tids.set(hex(targetIn(nd)), aro.tid ?? 0);
          return { message: withAro(nd.message, (a) => ({ ...a, t: false, tid: 0 })) };
        }),
        // The answer echoes the plain ARO: it is given back to the device as the EARO answer it expects.
        in: answers((nd, aro) => {
          const tid = tids.get(hex(targetIn(nd)));
          return !aro.t && tid !== undefined ? { message: withAro(nd.message, (a) => ({ ...a, t: true, tid })) } : undefined;
        }),
      };
    }),
  'earo-tid-constant': twoWay('earo-tid-constant',
    'registers with a TID that never changes (RFC 8505 §5.2: the TID is incremented with each re-registration)', () => {
      let constant: number | undefined;
      const tids = new Map<string, number>();
      return {
        out: registrations((nd, aro) => {
          if (!aro.t) return undefined;
          constant ??= aro.tid ?? 0;
          tids.set(hex(targetIn(nd)), aro.tid ?? 0);
          return { message: withAro(nd.message, (a) => ({ ...a, tid: constant })) };
        }),
        in: answers((nd, aro) => {
          const tid = tids.get(hex(targetIn(nd)));
          return aro.t && tid !== undefined && tid !== aro.tid ? { message: withAro(nd.message, (a) => ({ ...a, tid })) } : undefined;
        }),
      };
    }),
  'rovr-128-bit': twoWay('rovr-128-bit',
    'registers with a 128-bit ROVR whatever the router (RFC 8505 §6.3: 64 bits with an RFC 6775-only 6LR)', () => ({
      out: registrations((nd, aro) => (aro.rovr.length === 8 ? { message: withAro(nd.message, (a) => ({ ...a, rovr: Uint8Array.from([...a.rovr, ...a.rovr]) })) } : undefined)),
      in: answers((nd, aro) => (aro.rovr.length === 16 ? { message: withAro(nd.message, (a) => ({ ...a, rovr: a.rovr.slice(0, 8) })) } : undefined)),
    })),
  'rovr-not-checked': twoWay('rovr-not-checked',
    'takes registration answers meant for another ROVR as its own (RFC 6775 §5.5.2: such an ARO is silently ignored)', () => {
      let rovr: Uint8Array | undefined;
      return {
        out: registrations((_, aro) => {
          rovr = aro.rovr;
          return undefined;
        }),
        in: answers((nd, aro) => (rovr && aro.rovr.length === rovr.length && !same(aro.rovr, rovr) ? { message: withAro(nd.message, (a) => ({ ...a, rovr: rovr! })) } : undefined)),
      };
    }),

  // -------------------------------------------------------------- registration source (RFC 8505 §5.6, §6; RFC 6775 §4.1)
  'registers-from-global-source': twoWay('registers-from-global-source',
    'registers a global address from that address even with an RFC 8505 router (RFC 8505 §5.6: the source MUST be a link-local address)', () => {
      const ll = new Map<string, Uint8Array>();
      return {
        out: registrations((nd) => {
          const target = targetIn(nd);
          if (isLinkLocal(target) || !isLinkLocal(nd.header.src)) return undefined;
          ll.set(hex(target), nd.header.src);
          return { src: target };
        }),
        in: answers((nd) => {
          const back = ll.get(hex(nd.header.dst));
          return back ? { dst: back } : undefined;
        }),
      };
    }),
  'registers-from-link-local-source': twoWay('registers-from-link-local-source',
    'registers every address from its link-local address, also with an RFC 6775-only router, which registers the NS source instead (RFC 8505 §6, RFC 6775 §4.1)', () => {
      const global = new Map<string, Uint8Array>();
      return {
        out: registrations((nd, _, mac) => {
          const target = targetIn(nd);
          if (isLinkLocal(nd.header.src) || !mac.src) return undefined;
          const src = linkLocalFromLinkAddress(mac.src);
          global.set(hex(src) + hex(target), nd.header.src);
          return { src };
        }),
        in: answers((nd) => {
          const back = global.get(hex(nd.header.dst) + hex(targetIn(nd)));
          return back ? { dst: back } : undefined;
        }),
      };
    }),
};
