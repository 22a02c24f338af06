// RFC 4944 §5.3 reassembly rules, each as a test that fails if the rule is
// broken: order, duplicates, overlap, size mismatch, the 60 s timeout, the key
// (source, destination, size, tag) and what happens when every buffer is busy.
import { describe, expect, it } from 'vitest';
import { Reason } from '../abi/reason.js';
import { SixlabCore, type DecodeResult } from '../../host/core/sixlab-core.js';
import { buildDataFrame } from '../../host/packet/ieee802154.js';
import { parseIpv6 } from '../../host/packet/ipv6-address.js';
import { shortAddress, type LinkAddress } from '../../host/packet/link-address.js';
import { fragmentUncompressed, fragNHeader, type Fragment } from '../../host/packet/lowpan-fragment.js';
import { buildIpv6Packet } from '../../host/packet/packet.js';

const A = shortAddress(0x000a);
const B = shortAddress(0x000b);
const C = shortAddress(0x000c);

function datagram(size: number, fill = 0x5a): Uint8Array {
  return buildIpv6Packet({
    src: parseIpv6('fe80::ff:fe00:a'), dst: parseIpv6('fe80::ff:fe00:b'),
    upper: { kind: 'udp', srcPort: 5683, dstPort: 5683, payload: new Uint8Array(size - 48).fill(fill) },
  });
}

function frames(fragments: Fragment[], src: LinkAddress = A, dst: LinkAddress = B): Uint8Array[] {
  return fragments.map((f, i) => buildDataFrame({ src, dst, pan: 0xabcd, seq: i }, f.bytes));
}

function send(core: SixlabCore, list: Uint8Array[], now = 0): DecodeResult[] {
  return list.map((f) => core.decode(f, now));
}

const packets = (rs: DecodeResult[]) => rs.filter((r) => r.kind === 'packet').map((r) => (r as { packet: Uint8Array }).packet);

describe('reassembly (RFC 4944 §5.3)', () => {
  const p = datagram(1280);
  const parts = fragmentUncompressed(p, 7, 96);

  it('reassembles a 1280-octet datagram sent in order', () => {
    const rs = send(new SixlabCore(), frames(parts));
    expect(rs.slice(0, -1).every((r) => r.kind === 'pending')).toBe(true);
    expect(packets(rs)).toEqual([p]);
  });

  it('reassembles fragments out of order, ignoring an exact duplicate', () => {
    const f = frames(parts);
    const order = [...f.slice(1).reverse(), f[3], f[0]];
    const rs = send(new SixlabCore(), order);
    expect(packets(rs)).toEqual([p]);
    expect(rs[f.length - 1].info.lowpan.duplicate).toBe(true);
  });

  it('discards the datagram when a fragment overlaps with different contents', () => {
    const core = new SixlabCore();
    const f = frames(parts);
    send(core, f.slice(0, 3));
    const clash = Uint8Array.from(parts[2].bytes);
    clash[clash.length - 1] ^= 0xff; // same offset and extent, other contents
    const r = core.decode(frames([{ offset: parts[2].offset, bytes: clash }])[0], 0);
    expect(r.kind === 'rejected' && r.reason).toBe(Reason.FragOverlap);
    expect(packets(send(core, f.slice(3)))).toEqual([]); // what was held is gone
  });

  it('discards the datagram on a partial overlap', () => {
    // Octets already held AND new ones: not a duplicate, whatever the contents.
    const core = new SixlabCore();
    send(core, frames(parts.slice(0, 1))); // octets 0..95 held
    const shifted = Uint8Array.of(...fragNHeader(p.length, 7, 88), ...p.subarray(88, 88 + 96));
    const r = core.decode(frames([{ offset: 88, bytes: shifted }])[0], 0);
    expect(r.kind === 'rejected' && r.reason).toBe(Reason.FragOverlap);
  });

  it('discards the datagram when datagram_size disagrees', () => {
    const core = new SixlabCore();
    send(core, frames(parts.slice(0, 4)));
    const wrong = Uint8Array.of(...fragNHeader(1272, 7, parts[4].offset), ...parts[4].bytes.subarray(5));
    const r = core.decode(frames([{ offset: parts[4].offset, bytes: wrong }])[0], 0);
    expect(r.kind === 'rejected' && r.reason).toBe(Reason.FragSizeMismatch);
    expect(packets(send(core, frames(parts.slice(4))))).toEqual([]);
  });

  it('refuses a fragment past datagram_size and a size over 1280', () => {
    const core = new SixlabCore();
    const past = Uint8Array.of(...fragNHeader(100, 1, 96), ...new Uint8Array(8));
    const r1 = core.decode(frames([{ offset: 96, bytes: past }])[0], 0);
    expect(r1.kind === 'rejected' && r1.reason).toBe(Reason.FragBeyondDatagram);
    const big = Uint8Array.of(...fragNHeader(1500, 1, 96), ...new Uint8Array(8));
    const r2 = core.decode(frames([{ offset: 96, bytes: big }])[0], 0);
    expect(r2.kind === 'rejected' && r2.reason).toBe(Reason.FragSizeTooLarge);
  });

  it('never delivers a datagram incomplete after 60 s; a later complete one with the same tag is delivered', () => {
    const core = new SixlabCore();
    const f = frames(parts);
    send(core, f.slice(0, -1), 1000);
    expect(core.poll(1000)).toBe(61_000);
    expect(packets(send(core, f.slice(-1), 61_000))).toEqual([]);
    expect(core.counter(Reason.FragTimeout)).toBe(1);
    expect(packets(send(core, f, 62_000))).toEqual([p]);
  });

  it('still completes a datagram just before the timeout', () => {
    const core = new SixlabCore();
    const f = frames(parts);
    send(core, f.slice(0, -1), 0);
    expect(packets(send(core, f.slice(-1), 59_999))).toEqual([p]);
  });

  it('keeps datagrams of two senders with the same tag apart', () => {
    const core = new SixlabCore();
    const q = datagram(600, 0x33);
    const fa = frames(parts, A, B);
    const fc = frames(fragmentUncompressed(q, 7, 96), C, B);
    const mixed: Uint8Array[] = [];
    for (let i = 0; i < Math.max(fa.length, fc.length); i++) {
      if (i < fa.length) mixed.push(fa[i]);
      if (i < fc.length) mixed.push(fc[i]);
    }
    expect(packets(send(core, mixed))).toEqual([q, p]);
  });

  it('evicts the oldest datagram when all four buffers are busy', () => {
    const core = new SixlabCore();
    const senders = [1, 2, 3, 4, 5].map((n) => shortAddress(0x100 + n));
    const sets = senders.map((s) => frames(parts, s, B));
    sets.forEach((f, i) => send(core, f.slice(0, 2), i * 10)); // five datagrams begin
    expect(core.counter(Reason.FragBufferEvicted)).toBe(1);
    expect(packets(send(core, sets[0].slice(2), 100))).toEqual([]); // the first was evicted
    for (const f of sets.slice(2)) expect(packets(send(core, f.slice(2), 100))).toEqual([p]);
  });

  it('reassembles the core\'s own IPHC fragments whatever the order', () => {
    const tx = { src: A, dst: B, pan: 0xabcd };
    const f = new SixlabCore().compress(p, tx);
    expect(f.length).toBeGreaterThan(10);
    const rs = send(new SixlabCore(), [f[2], f[0], ...f.slice(3).reverse(), f[1]]);
    expect(packets(rs)).toEqual([p]);
  });
});
