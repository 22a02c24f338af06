// RFC 6282 lets a compressor choose; sixlab's must choose the most compact
// legal IPHC encoding (catalogue LOWPAN-42). An independent oracle, written
// here from RFC 6282 §3.1.1 and §3.2.2, computes the fewest in-line octets for
// each random packet; the core's choice must match it. The same sample shows
// that the random cases reach every IPHC and NHC mode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LinkAddress } from '../../host/core/sixlab-core.js';
import type { ContextEntry } from '../../host/packet/arbitraries.js';
import { interfaceIdFromLinkAddress } from '../../host/packet/link-address.js';
import { arbLinkCase, coreWith } from './round-trip.js';

const LINK_LOCAL = Uint8Array.of(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** §3.1.1: the address a unicast mode yields: inline bits, then the prefix laid over. */
function rebuild(mode: number, addr: Uint8Array, iid: Uint8Array, prefix: Uint8Array, bits: number): Uint8Array {
  const a = new Uint8Array(16);
  if (mode === 1) a.set(addr.subarray(8), 8);
  if (mode === 2) a.set([0, 0, 0, 0xff, 0xfe, 0, addr[14], addr[15]], 8);
  if (mode === 3) a.set(iid, 8);
  for (let i = 0; i < 16; i++) {
    const n = Math.max(0, Math.min(8, bits - 8 * i));
    const mask = (0xff00 >> n) & 0xff;
    a[i] = (a[i] & ~mask) | (prefix[i] & mask);
  }
  return a;
}

const same = (a: Uint8Array, b: Uint8Array) => a.every((x, i) => x === b[i]);
const MODE_COST = [16, 8, 2, 0];

/** Fewest in-line octets for a unicast address: [without a CID octet, with any context]. */
function unicastCost(addr: Uint8Array, link: LinkAddress, contexts: ContextEntry[], source: boolean): [number, number, number] {
  if (source && addr.every((b) => b === 0)) return [0, 0, 0];
  const iid = interfaceIdFromLinkAddress(link);
  const best = (prefix: Uint8Array, bits: number) => {
    for (const m of [3, 2, 1]) if (same(rebuild(m, addr, iid, prefix, bits), addr)) return MODE_COST[m];
    return 16;
  };
  const stateless = best(LINK_LOCAL, 64);
  let ctx0 = 16;
  let any = stateless;
  let anyId = -1;
  for (const c of contexts.filter((x) => x.compress)) {
    const k = best(c.prefix, c.length);
    if (c.id === 0) ctx0 = Math.min(ctx0, k);
    if (k < any) [any, anyId] = [k, c.id];
  }
  return [Math.min(stateless, ctx0), any, anyId];
}

function multicastCost(a: Uint8Array, contexts: ContextEntry[]): [number, number, number] {
  const zero = (from: number, to: number) => a.subarray(from, to).every((b) => b === 0);
  let cost = 16;
  if (zero(2, 11)) cost = 6;
  if (zero(2, 13)) cost = 4;
  if (a[1] === 2 && zero(2, 15)) cost = 1;
  let ctx0 = cost;
  let any = cost;
  let anyId = -1;
  for (const c of contexts.filter((x) => x.compress && x.length <= 64)) {
    if (a[3] !== c.length || !same(a.subarray(4, 12), c.prefix.subarray(0, 8)) || 6 >= any) continue;
    if (c.id === 0) ctx0 = Math.min(ctx0, 6);
    [any, anyId] = [6, c.id];
  }
  return [ctx0, any, anyId];
}

function oracleAddressOctets(packet: Uint8Array, src: LinkAddress, dst: LinkAddress, contexts: ContextEntry[]): number {
  const s = unicastCost(packet.subarray(8, 24), src, contexts, true);
  const d = packet[24] === 0xff ? multicastCost(packet.subarray(24, 40), contexts) : unicastCost(packet.subarray(24, 40), dst, contexts, false);
  const cid = s[2] > 0 || d[2] > 0 ? 1 : 0;
  return Math.min(s[0] + d[0], s[1] + d[1] + cid);
}

/** In-line address octets (and CID octet) of an IPHC header, from its bits. */
function coreAddressOctets(iphc: number): number {
  const sac = (iphc >> 6) & 1, sam = (iphc >> 4) & 3, m = (iphc >> 3) & 1, dac = (iphc >> 2) & 1, dam = iphc & 3;
  const src = sac && sam === 0 ? 0 : MODE_COST[sam];
  const dst = m ? (dac ? 6 : [16, 6, 4, 1][dam]) : MODE_COST[dam];
  return src + dst + ((iphc >> 7) & 1);
}

describe('IPHC compactness', () => {
  it('the core spends no more address octets than the oracle says are needed, and reaches every mode', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbLinkCase(400), (c) => {
        const frames = coreWith(c.contexts).compress(c.packet, c.tx);
        const r = coreWith(c.contexts).decode(frames[0], 0);
        const iphc = r.info.lowpan.iphc!;
        expect(coreAddressOctets(iphc)).toBe(oracleAddressOctets(c.packet, c.tx.src, c.tx.dst, c.contexts));
        const f = (k: string, v: number) => seen.add(`${k}=${v}`);
        f('TF', (iphc >> 11) & 3); f('NH', (iphc >> 10) & 1); f('HLIM', (iphc >> 8) & 3); f('CID', (iphc >> 7) & 1);
        f('SAC.SAM', ((iphc >> 6) & 1) * 10 + ((iphc >> 4) & 3));
        f('M.DAC.DAM', ((iphc >> 3) & 1) * 100 + ((iphc >> 2) & 1) * 10 + (iphc & 3));
        for (const n of r.info.lowpan.nhc) f(n >= 0xf0 ? 'UDP.CP' : 'EXT', n >= 0xf0 ? n & 7 : (n >> 1) & 7);
      }),
      { numRuns: 4000 },
    );
    const want = [
      'TF=0', 'TF=1', 'TF=2', 'TF=3', 'NH=0', 'NH=1', 'HLIM=0', 'HLIM=1', 'HLIM=2', 'HLIM=3', 'CID=0', 'CID=1',
      'SAC.SAM=0', 'SAC.SAM=1', 'SAC.SAM=2', 'SAC.SAM=3', 'SAC.SAM=10', 'SAC.SAM=11', 'SAC.SAM=12', 'SAC.SAM=13',
      'M.DAC.DAM=0', 'M.DAC.DAM=1', 'M.DAC.DAM=2', 'M.DAC.DAM=3', 'M.DAC.DAM=11', 'M.DAC.DAM=12', 'M.DAC.DAM=13',
      'M.DAC.DAM=100', 'M.DAC.DAM=101', 'M.DAC.DAM=102', 'M.DAC.DAM=103',
      'UDP.CP=0', 'UDP.CP=1', 'UDP.CP=2', 'UDP.CP=3', 'UDP.CP=4', 'UDP.CP=7', 'EXT=0', 'EXT=1', 'EXT=2', 'EXT=3',
    ];
    expect(want.filter((w) => !seen.has(w))).toEqual([]);
  });
});
