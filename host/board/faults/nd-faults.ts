// Faults that break the rules the nd and slaac suites check (RFC 4861, RFC
// 4862, RFC 6775 §5): each makes the device break one rule, so the tests that
// check it can be shown to fail. A fault that makes the device ACCEPT what it
// must discard rewrites the packet into one the device takes (a lax device); one
// that makes it IGNORE something drops or neuters it; one that makes it SEND
// wrongly rewrites what it sends. The device's own code is never touched.
import { ipv6PseudoHeaderChecksum } from '../../packet/checksum.js';
import type { ParsedMacFrame } from '../../packet/ieee802154-parse.js';
import { linkLocalFromLinkAddress } from '../../packet/link-address.js';
import { encodeNdOption, ND_FIXED_LEN } from '../../packet/ndp.js';
import {
  fixIcmpChecksum, icmpType, inboundFault, ndOption, outboundFault, packetRewriter, reencode, type FaultEnv, type FaultFactory,
  type PacketRewrite,
} from './rewrite.js';

// ------------------------------------------------------------ packet surgery
// Packets here are ND messages without extension headers (the ICMPv6 header at 40).

const ND_RS = 133;
const ND_RA = 134;
const ND_NS = 135;
const ND_NA = 136;
const ND_REDIRECT = 137;
const OPT_SLLAO = 1;
const OPT_PIO = 3;
const OPT_MTU = 5;
const OPT_ARO = 33;

const isNd = (p: Uint8Array) => icmpType(p) >= ND_RS && icmpType(p) <= ND_REDIRECT;
const isMulticast = (a: Uint8Array) => a[0] === 0xff;
const isLinkLocal = (a: Uint8Array) => a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
const isUnspecified = (a: Uint8Array) => a.every((b) => b === 0);
const src = (p: Uint8Array) => p.subarray(8, 24);
const dst = (p: Uint8Array) => p.subarray(24, 40);
/** The Target Address of an NS or NA. */
const target = (p: Uint8Array) => p.subarray(48, 64);
const ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
const NA_S = 0x40;
const NA_O = 0x20;

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function key(a: Uint8Array): string {
  return Buffer.from(a).toString('hex');
}

/** Offsets of the options of an ND message (RFC 4861 §4.6), up to the first malformed one. */
function options(p: Uint8Array): number[] {
  const out: number[] = [];
  for (let o = 40 + (ND_FIXED_LEN[icmpType(p)] ?? 0); o + 2 <= p.length && p[o + 1] > 0; o += p[o + 1] * 8) out.push(o);
  return out;
}

function setPayloadLength(p: Uint8Array): Uint8Array {
  p[4] = (p.length - 40) >> 8;
  p[5] = (p.length - 40) & 0xff;
  return p;
}

/** The packet without the octets [at, at + n), lengths and checksum mended. */
function cut(p: Uint8Array, at: number, n: number): Uint8Array {
  if (at + n > p.length) return p; // an option running past the packet: the device's own validation deals with it
  const q = new Uint8Array(p.length - n);
  q.set(p.subarray(0, at));
  q.set(p.subarray(at + n), at);
  return fixIcmpChecksum(setPayloadLength(q));
}

/** The packet with `option` appended, lengths and checksum mended. */
function append(p: Uint8Array, option: Uint8Array): Uint8Array {
  const q = new Uint8Array(p.length + option.length);
  q.set(p);
  q.set(option, p.length);
  return fixIcmpChecksum(setPayloadLength(q));
}

/** A copy with its ICMPv6 checksum checked: whether it was right as received. */
function checksumOk(p: Uint8Array): boolean {
  const q = Uint8Array.from(p);
  q[42] = 0;
  q[43] = 0;
  const sum = ipv6PseudoHeaderChecksum(q.subarray(8, 24), q.subarray(24, 40), q.length - 40, 58, q.subarray(40));
  return ((sum >> 8) & 0xff) === p[42] && (sum & 0xff) === p[43];
}

/**
 * A rewrite of the ND messages of the given types only (copied first; the
 * rest untouched). A message that came with a wrong checksum keeps a wrong
 * one (`keepBadChecksum`): each fault overlooks one thing, not the checksum too.
 */
function onNd(
  types: number[], rewrite: (q: Uint8Array, mac: ParsedMacFrame) => Uint8Array | null | undefined, keepBadChecksum = true,
): PacketRewrite {
  return safe((p, mac) => {
    if (!isNd(p) || !types.includes(icmpType(p)) || p.length < 40 + (ND_FIXED_LEN[icmpType(p)] ?? 0)) return undefined;
    const out = rewrite(Uint8Array.from(p), mac);
    if (out && keepBadChecksum && !checksumOk(p) && checksumOk(out)) out[43] ^= 0xa5;
    return out;
  });
}

/** A rewrite that leaves alone a packet it cannot make sense of (malformed
 *  input is the robustness suite's business: a fault must never throw). */
function safe(rewrite: PacketRewrite): PacketRewrite {
  return (p, mac) => {
    try {
      return rewrite(p, mac);
    } catch {
      return undefined;
    }
  };
}

const ALL_ND = [ND_RS, ND_RA, ND_NS, ND_NA, ND_REDIRECT];

/** Every Prefix Information option of an RA, rewritten in place by `edit` (true: changed). */
function eachPio(edit: (q: Uint8Array, o: number) => boolean): PacketRewrite {
  return onNd([ND_RA], (q) => {
    let changed = false;
    for (const o of options(q)) if (q[o] === OPT_PIO && q[o + 1] === 4 && edit(q, o)) changed = true;
    return changed ? fixIcmpChecksum(q) : undefined;
  });
}

const rd32 = (q: Uint8Array, at: number) => ((q[at] << 24) | (q[at + 1] << 16) | (q[at + 2] << 8) | q[at + 3]) >>> 0;
function wr32(q: Uint8Array, at: number, v: number): void {
  q[at] = v >>> 24;
  q[at + 1] = (v >>> 16) & 0xff;
  q[at + 2] = (v >>> 8) & 0xff;
  q[at + 3] = v & 0xff;
}

/** A fault acting on both directions, its two halves sharing what they learn. */
function twoWay(name: string, description: string, make: () => { inbound?: PacketRewrite; outbound?: PacketRewrite }): FaultFactory {
  return (env: FaultEnv) => {
    const h = make();
    return {
      name, description,
      inbound: h.inbound ? packetRewriter(env, safe(h.inbound), false) : undefined,
      outbound: h.outbound ? packetRewriter(env, safe(h.outbound)) : undefined,
    };
  };
}

/** Sends the packets `which` picks twice, back to back: the second copy
 *  under another MAC sequence number, so that no receiver takes it for a
 *  MAC retransmission (IEEE 802.15.4 duplicate rejection). */
function sentTwice(name: string, description: string, which: (p: Uint8Array) => boolean): FaultFactory {
  return (env) => {
    let again: Uint8Array[] = [];
    let tag = 0x4e00;
    const look = packetRewriter(env, safe((p, mac) => {
      if (which(p)) again = reencode(p, { ...mac, seq: ((mac.seq ?? 0) + 0x80) & 0xff }, env.contexts, tag++ & 0xffff);
      return undefined;
    }));
    return {
      name, description,
      outbound: (psdu, at) => {
        again = [];
        const frames = look(psdu, at);
        return [...frames, ...again];
      },
    };
  };
}

// ------------------------------------------------------------ the nd suite

const NEIGHBOR_DISCOVERY: Record<string, FaultFactory> = {
  // RFC 4861 §6.1.2, §7.1.1, §7.1.2, §8.1: the validity checks every ND message must pass.
  'nd-hop-limit-unchecked': inboundFault('nd-hop-limit-unchecked',
    'accepts ND messages whose IP hop limit is not 255 (RFC 4861 §6.1.2, §7.1.1, §7.1.2, §8.1: they may have been forwarded)',
    onNd(ALL_ND, (q) => {
      if (q[7] === 255) return undefined;
      q[7] = 255;
      return q;
    })),
  'nd-code-unchecked': inboundFault('nd-code-unchecked',
    'accepts ND messages whose ICMP Code is not 0 (RFC 4861 §6.1.2, §7.1.1, §7.1.2, §8.1)',
    onNd(ALL_ND, (q) => {
      if (q[41] === 0) return undefined;
      q[41] = 0;
      return fixIcmpChecksum(q);
    })),
  'nd-checksum-unchecked': inboundFault('nd-checksum-unchecked',
    'accepts ND messages whose ICMPv6 checksum is wrong (RFC 4861 §6.1.2, §7.1.1, §7.1.2, §8.1)',
    onNd(ALL_ND, (q) => (checksumOk(q) ? undefined : fixIcmpChecksum(q)), false)),
  'nd-zero-length-option-accepted': inboundFault('nd-zero-length-option-accepted',
    'takes an option of length 0 for the end of the options and keeps the ND message (RFC 4861 §4.6: such a message is discarded)',
    onNd(ALL_ND, (q) => {
      const opts = options(q);
      const end = opts.length ? opts[opts.length - 1] + q[opts[opts.length - 1] + 1] * 8 : 40 + ND_FIXED_LEN[icmpType(q)];
      if (end + 2 > q.length || q[end + 1] !== 0) return undefined;
      return cut(q, end, q.length - end);
    })),
  'na-solicited-multicast-accepted': inboundFault('na-solicited-multicast-accepted',
    'accepts an NA sent to a multicast address with the Solicited flag set (RFC 4861 §7.1.2), as if S were 0',
    onNd([ND_NA], (q) => {
      if (!isMulticast(dst(q)) || !(q[44] & NA_S)) return undefined;
      q[44] &= ~NA_S;
      return fixIcmpChecksum(q);
    })),
  'ns-multicast-target-accepted': twoWay('ns-multicast-target-accepted',
    'answers an NS whose target is a multicast address, as if it asked for its own address (RFC 4861 §7.1.1)', () => {
      let ll: Uint8Array | undefined; // the device's link-local address, learnt from what it sends
      return {
        outbound: (p, mac) => {
          if (mac.src) ll = linkLocalFromLinkAddress(mac.src);
          return undefined;
        },
        inbound: onNd([ND_NS], (q) => {
          if (!isMulticast(target(q))) return undefined;
          const mine = isMulticast(dst(q)) ? ll : dst(q);
          if (!mine) return undefined;
          q.set(mine, 48);
          return fixIcmpChecksum(q);
        }),
      };
    }),
  'host-processes-rs': twoWay('host-processes-rs',
    'a host that takes a Router Solicitation for a neighbor\'s solicitation: it records the SLLAO and answers (RFC 4861 §6.1.1, §6.2.6: hosts MUST silently discard RS)', () => {
      let ll: Uint8Array | undefined;
      return {
        outbound: (p, mac) => {
          if (mac.src) ll = linkLocalFromLinkAddress(mac.src);
          return undefined;
        },
        inbound: onNd([ND_RS], (q) => {
          if (!ll || isUnspecified(src(q))) return undefined;
          // RS (8 octets fixed) -> NS (24): type 135, the device's address as target and destination.
          const ns = new Uint8Array(q.length + 16);
          ns.set(q.subarray(0, 48));
          ns[40] = ND_NS;
          ns.set(ll, 24);
          ns.set(ll, 48);
          ns.set(q.subarray(48), 64);
          return fixIcmpChecksum(setPayloadLength(ns));
        }),
      };
    }),

  // RFC 4861 §7.2.4: the NA that answers an NS.
  'na-not-solicited': outboundFault('na-not-solicited',
    'answers a unicast-sourced NS with an NA whose Solicited flag is clear (RFC 4861 §7.2.4: it MUST be set)',
    onNd([ND_NA], (q) => {
      if (isMulticast(dst(q)) || !(q[44] & NA_S)) return undefined;
      q[44] &= ~NA_S;
      return fixIcmpChecksum(q);
    })),
  'na-without-override': outboundFault('na-without-override',
    'sends its NAs with the Override flag clear, TLLAO or not (RFC 4861 §7.2.4: SHOULD be set for its own address with a TLLAO)',
    onNd([ND_NA], (q) => {
      if (!(q[44] & NA_O)) return undefined;
      q[44] &= ~NA_O;
      return fixIcmpChecksum(q);
    })),
  'dad-answer-solicited': outboundFault('dad-answer-solicited',
    'answers an NS from the unspecified address with a multicast NA whose Solicited flag is set (RFC 4861 §7.2.4: MUST be 0)',
    onNd([ND_NA], (q) => {
      if (!isMulticast(dst(q)) || q[44] & NA_S) return undefined;
      q[44] |= NA_S;
      return fixIcmpChecksum(q);
    })),

  // RFC 4861 §7.2.3, §7.3.3: the neighbor cache and NUD.
  'ns-sllao-ignored': inboundFault('ns-sllao-ignored',
    'ignores the SLLAO of a received NS: no neighbor cache entry (RFC 4861 §7.2.3: it SHOULD create one, STALE)',
    onNd([ND_NS], (q) => {
      if (isUnspecified(src(q))) return undefined;
      const o = ndOption(q, OPT_SLLAO);
      return o < 0 ? undefined : cut(q, o, q[o + 1] * 8);
    })),
  'nud-no-probe': outboundFault('nud-no-probe',
    'never sends the unicast NS probes of Neighbor Unreachability Detection (RFC 4861 §7.3.3, PROBE state)',
    onNd([ND_NS], (q) => (!isMulticast(dst(q)) && !isUnspecified(src(q)) && ndOption(q, OPT_ARO) < 0 ? null : undefined))),
  'ns-sent-twice': sentTwice('ns-sent-twice',
    'sends every address-resolution and NUD solicitation twice, back to back (RFC 4861 §7.2.2, §7.3.3: at most one NS per neighbor every RetransTimer)',
    (p) => icmpType(p) === ND_NS && !isUnspecified(src(p)) && p.length >= 64 && ndOption(p, OPT_ARO) < 0),
  'resolution-ns-to-all-nodes': outboundFault('resolution-ns-to-all-nodes',
    'sends address-resolution NS to all nodes (ff02::1) instead of the target\'s solicited-node group (RFC 4861 §7.2.2)',
    onNd([ND_NS], (q) => {
      if (isUnspecified(src(q)) || !isMulticast(dst(q)) || same(dst(q), ALL_NODES)) return undefined;
      q.set(ALL_NODES, 24);
      return fixIcmpChecksum(q);
    })),
  'na-override-ignored': inboundFault('na-override-ignored',
    'takes the link address of an NA whose Override flag is clear as if it were set (RFC 4861 §7.2.5)',
    onNd([ND_NA], (q) => {
      if (q[44] & NA_O || ndOption(q, 2) < 0) return undefined;
      q[44] |= NA_O;
      return fixIcmpChecksum(q);
    })),
  'na-override-not-honoured': inboundFault('na-override-not-honoured',
    'keeps its cached link address when an unsolicited NA with the Override flag set brings another (RFC 4861 §7.2.5)',
    onNd([ND_NA], (q) => {
      if (!(q[44] & NA_O) || q[44] & NA_S || ndOption(q, 2) < 0) return undefined;
      q[44] &= ~NA_O;
      return fixIcmpChecksum(q);
    })),

  // RFC 4861 §6.3.7, RFC 6775 §5.3: Router Solicitations.
  'rs-to-all-nodes': outboundFault('rs-to-all-nodes',
    'sends its Router Solicitations to all nodes (ff02::1) instead of all routers (RFC 4861 §6.3.7)',
    onNd([ND_RS], (q) => {
      q.set(ALL_NODES, 24);
      return fixIcmpChecksum(q);
    })),
  'rs-sent-twice': sentTwice('rs-sent-twice',
    'sends every Router Solicitation twice, back to back (RFC 4861 §6.3.7, RFC 6775 §5.3: RTR_SOLICITATION_INTERVAL apart, at most MAX_RTR_SOLICITATIONS)',
    (p) => icmpType(p) === ND_RS),
  'rs-continues-after-ra': (env) => {
    // Its last RS is sent again after each later packet once a valid RA came in.
    let lastRs: Uint8Array[] = [];
    let heardRa = false;
    let isRs = false;
    const look = packetRewriter(env, safe((p) => {
      isRs = icmpType(p) === ND_RS;
      return undefined;
    }));
    return {
      name: 'rs-continues-after-ra',
      description: 'goes on soliciting after a valid RA: its last RS goes out again after each later packet (RFC 4861 §6.3.7: it MUST desist)',
      inbound: packetRewriter(env, safe((p) => {
        if (icmpType(p) === ND_RA && p[7] === 255 && (p[46] | p[47]) !== 0) heardRa = true;
        return undefined;
      }), false),
      outbound: (psdu, at) => {
        isRs = false;
        const frames = look(psdu, at);
        if (isRs) lastRs = frames; // broadcast frames: no MAC duplicate rejection
        else if (heardRa && frames.length && lastRs.length) return [...frames, ...lastRs];
        return frames;
      },
    };
  },
  'rs-sllao-from-unspecified': outboundFault('rs-sllao-from-unspecified',
    'puts an SLLAO in a Router Solicitation sent from the unspecified address (RFC 4861 §4.1: MUST NOT)',
    onNd([ND_RS], (q, mac) => {
      if (!isUnspecified(src(q)) || ndOption(q, OPT_SLLAO, 8) >= 0 || !mac.src) return undefined;
      return append(q, encodeNdOption({ kind: 'sllao', addr: mac.src }));
    })),
  'rs-without-sllao': outboundFault('rs-without-sllao',
    'sends its Router Solicitations without an SLLAO (RFC 6775 §5.3: MUST be included)',
    onNd([ND_RS], (q) => {
      const o = ndOption(q, OPT_SLLAO, 8);
      return o < 0 ? undefined : cut(q, o, q[o + 1] * 8);
    })),

  // RFC 4861 §6.3.4: what an RA teaches.
  'router-lifetime-ignored': inboundFault('router-lifetime-ignored',
    'takes every advertising router as a default router for 18 hours, whatever its Router Lifetime, 0 included (RFC 4861 §6.3.4)',
    onNd([ND_RA], (q) => {
      if (q[46] === 0xff && q[47] === 0xff) return undefined;
      q[46] = 0xff;
      q[47] = 0xff;
      return fixIcmpChecksum(q);
    })),
  'ra-mtu-below-minimum-accepted': twoWay('ra-mtu-below-minimum-accepted',
    'takes an RA\'s MTU below the IPv6 minimum of 1280 as its link MTU and drops the packets above it (RFC 4861 §6.3.4, RFC 8200 §5)', () => {
      let mtu = Infinity;
      return {
        inbound: onNd([ND_RA], (q) => {
          for (const o of options(q)) if (q[o] === OPT_MTU && q[o + 1] === 1 && rd32(q, o + 4) < 1280) mtu = rd32(q, o + 4);
          return undefined;
        }),
        outbound: (p) => (p.length > mtu ? null : undefined),
      };
    }),
  'ra-timers-ignored': inboundFault('ra-timers-ignored',
    'ignores the Reachable Time and Retrans Timer of RAs, keeping the defaults (RFC 4861 §6.3.4)',
    onNd([ND_RA], (q) => {
      if (q.subarray(48, 56).every((b) => b === 0)) return undefined;
      q.fill(0, 48, 56);
      return fixIcmpChecksum(q);
    })),
  'ra-any-source-accepted': inboundFault('ra-any-source-accepted',
    'accepts RAs whose source is not a link-local address, taking fe80:: with the same interface identifier (RFC 4861 §6.1.2)',
    onNd([ND_RA], (q) => {
      if (isLinkLocal(src(q))) return undefined;
      q.set(Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0), 8);
      return fixIcmpChecksum(q);
    })),
  'pio-on-link-flag-ignored': inboundFault('pio-on-link-flag-ignored',
    'ignores the on-link (L) flag of Prefix Information options: every prefix is off-link (RFC 4861 §6.3.4)',
    eachPio((q, o) => {
      if (!(q[o + 3] & 0x80)) return false;
      q[o + 3] &= 0x7f;
      return true;
    })),

  // RFC 4861 §8.1, §8.3: Redirect.
  'redirect-ignored': inboundFault('redirect-ignored',
    'ignores valid Redirects: traffic keeps going to the router (RFC 4861 §8.3)',
    onNd([ND_REDIRECT], () => null)),
  'redirect-from-any-router': twoWay('redirect-from-any-router',
    'accepts a Redirect from a router that is not the first hop for its destination (RFC 4861 §8.1)', () => {
      let router: Uint8Array | undefined; // the source of the last RA the device heard
      return {
        inbound: (p, mac) => {
          if (icmpType(p) === ND_RA && p[7] === 255 && checksumOk(p)) router = Uint8Array.from(src(p));
          return onNd([ND_REDIRECT], (q) => {
            if (!router || same(src(q), router)) return undefined;
            q.set(router, 8);
            return fixIcmpChecksum(q);
          })(p, mac);
        },
      };
    }),
};

// ------------------------------------------------------------ the slaac suite (RFC 4862)

/** A fault that drops the ND messages `drop` picks about an address the device
 *  is still checking: one whose DAD probe (an NS from ::, RFC 4862 §5.4.2) it
 *  sent less than RetransTimer (1 s) and a margin ago. */
function duringDad(name: string, description: string, drop: (q: Uint8Array) => boolean): FaultFactory {
  return (env) => {
    const probed = new Map<string, number>();
    let now = 0;
    const out = packetRewriter(env, safe((p) => {
      if (icmpType(p) === ND_NS && isUnspecified(src(p)) && p.length >= 64) probed.set(key(target(p)), now);
      return undefined;
    }));
    const into = packetRewriter(env, safe((p) => {
      if (!isNd(p) || p.length < 64 || !drop(p)) return undefined;
      const at = probed.get(key(target(p)));
      return at !== undefined && now - at <= 1500 ? null : undefined;
    }), false);
    return {
      name, description,
      outbound: (psdu, at) => {
        now = at;
        return out(psdu, at);
      },
      inbound: (psdu, at) => {
        now = at;
        return into(psdu, at);
      },
    };
  };
}

const SLAAC: Record<string, FaultFactory> = {
  'rs-from-tentative-address': outboundFault('rs-from-tentative-address',
    'uses its link-local address before DAD has finished: its early Router Solicitations come from it (RFC 4862 §5.4: a tentative address is not assigned)',
    onNd([ND_RS], (q, mac) => {
      if (!isUnspecified(src(q)) || !mac.src) return undefined;
      q.set(linkLocalFromLinkAddress(mac.src), 8);
      return ndOption(q, OPT_SLLAO, 8) >= 0 ? fixIcmpChecksum(q) : append(q, encodeNdOption({ kind: 'sllao', addr: mac.src }));
    })),
  'dad-ns-to-all-nodes': outboundFault('dad-ns-to-all-nodes',
    'sends its DAD probes to all nodes (ff02::1) instead of the tentative address\'s solicited-node group (RFC 4862 §5.4.2)',
    onNd([ND_NS], (q) => {
      if (!isUnspecified(src(q)) || same(dst(q), ALL_NODES)) return undefined;
      q.set(ALL_NODES, 24);
      return fixIcmpChecksum(q);
    })),
  'dad-ignores-na': duringDad('dad-ignores-na',
    'ignores an NA for an address it is still checking: the duplicate goes unnoticed (RFC 4862 §5.4.4)',
    (q) => icmpType(q) === ND_NA),
  'dad-ignores-ns': duringDad('dad-ignores-ns',
    'ignores another node\'s DAD probe for an address it is still checking (RFC 4862 §5.4.3)',
    (q) => icmpType(q) === ND_NS && isUnspecified(src(q))),
  'pio-autonomous-flag-ignored': inboundFault('pio-autonomous-flag-ignored',
    'forms addresses from Prefix Information options whose Autonomous flag is clear (RFC 4862 §5.5.3 a)',
    eachPio((q, o) => {
      if (q[o + 3] & 0x40) return false;
      q[o + 3] |= 0x40;
      return true;
    })),
  'pio-any-prefix-length': inboundFault('pio-any-prefix-length',
    'forms a 64-bit-prefix address from a Prefix Information option of any prefix length (RFC 4862 §5.5.3 d: MUST be ignored)',
    eachPio((q, o) => {
      if (!(q[o + 3] & 0x40) || q[o + 2] === 64 || q[o + 2] > 128) return false;
      q[o + 2] = 64;
      return true;
    })),
  'pio-lifetime-order-ignored': inboundFault('pio-lifetime-order-ignored',
    'takes a Prefix Information option whose preferred lifetime exceeds its valid lifetime (RFC 4862 §5.5.3 c: silently ignored)',
    eachPio((q, o) => {
      if (rd32(q, o + 8) <= rd32(q, o + 4)) return false;
      wr32(q, o + 8, rd32(q, o + 4));
      return true;
    })),
  'address-removed-when-deprecated': inboundFault('address-removed-when-deprecated',
    'removes an address when its preferred lifetime ends, instead of keeping it, deprecated, until its valid lifetime ends (RFC 4862 §5.5.4)',
    eachPio((q, o) => {
      if (rd32(q, o + 8) >= rd32(q, o + 4)) return false;
      wr32(q, o + 4, rd32(q, o + 8));
      return true;
    })),
  'pio-valid-lifetime-ignored': inboundFault('pio-valid-lifetime-ignored',
    'keeps addresses formed from a prefix forever, whatever the valid lifetime (RFC 4862 §5.5.4: an expired address is invalid)',
    eachPio((q, o) => {
      const v = rd32(q, o + 4);
      if (v === 0 || v === 0xffffffff || rd32(q, o + 8) > v) return false; // an inconsistent PIO is still refused (§5.5.3 c)
      wr32(q, o + 4, 0xffffffff);
      return true;
    })),
  'no-two-hour-rule': (env) => {
    // Emulates a device that takes a shortened valid lifetime at once: once
    // the short lifetime has run out, packets to the prefix's addresses no
    // longer reach it (the address is gone), as if RFC 4862 §5.5.3 e were not there.
    const expiry = new Map<string, number>();
    const cutoff = new Map<string, number>();
    let now = 0;
    const learn = eachPio((q, o) => {
      const p = key(q.subarray(o + 16, o + 24));
      const v = rd32(q, o + 4);
      const until = v === 0xffffffff ? Infinity : now + v * 1000;
      const held = expiry.get(p);
      if (held !== undefined && v <= 7200 && until < held) cutoff.set(p, until);
      else cutoff.delete(p);
      expiry.set(p, until);
      return false;
    });
    const rewrite: PacketRewrite = (p, mac) => {
      learn(p, mac);
      const c = cutoff.get(key(dst(p).subarray(0, 8)));
      return c !== undefined && now >= c ? null : undefined;
    };
    const inbound = packetRewriter(env, safe(rewrite), false);
    return {
      name: 'no-two-hour-rule',
      description: 'applies a shortened Prefix Information valid lifetime at once, without the two-hour rule (RFC 4862 §5.5.3 e)',
      inbound: (psdu, at) => {
        now = at;
        return inbound(psdu, at);
      },
    };
  },
};

/** Every fault of this file: the nd suite's, then the slaac suite's (registered in ../faults.ts). */
export const ND_FAULTS: Record<string, FaultFactory> = { ...NEIGHBOR_DISCOVERY, ...SLAAC };
