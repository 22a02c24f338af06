// robustness: hostile and malformed input must never stop the device. Each
// test floods the device with one kind of input, bounded to stay fast (hundreds
// of frames, virtual time for the timeouts), seeded so that every run
// sends the same frames, and then proves the device still works: it answers
// an Echo Request, reassembles a datagram, talks to a new neighbor, keeps its
// router. Conformance catalogue ROB-01..04.
import { parseIeee802154 } from '../../host/packet/ieee802154-parse.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../../host/packet/link-address.js';
import { echoBody } from '../../host/packet/icmpv6.js';
import { buildNdPacket, solicitedNodeAddress, type NdOption } from '../../host/packet/ndp.js';
import { buildIpv6Packet } from '../../host/packet/packet.js';
import { ALL_NODES } from '../../host/harness/router.js';
import { BROADCAST, macHeaderLength } from '../../host/harness/tester.js';
import { defineTest } from '../framework/define.js';
import { ROUTER_LINK, type TestContext } from '../framework/context.js';
import { ECHO, JOIN } from './common.js';

// ------------------------------------------------------------------ helpers

/** A small seeded generator (mulberry32): the same frames on every run and every board. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Link address number `n` of a hostile station (never the tester's, the router's or the device's). */
const stranger = (n: number): LinkAddress => ({ mode: 'extended', bytes: Uint8Array.of(0x00, 0x12, 0x4b, 0xee, 0xee, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff) });

/** An Echo Request from `src` to the device, with `size` octets of data. */
function echoFrom(t: TestContext, src: Uint8Array, id: number, size = 8): Uint8Array {
  return t.echoRequest({ id, seq: 1, src, data: Uint8Array.from({ length: size }, (_, i) => i & 0xff) });
}

/** MAC payloads (6LoWPAN) of a packet sent from `src`, fragmented when it does not fit one frame. */
function payloadsOf(t: TestContext, packet: Uint8Array, src: LinkAddress, dst: LinkAddress, tag?: number): Uint8Array[] {
  return t.tester.frames(packet, { src, dst, tag }).map((f) => parseIeee802154(f).payload);
}

/** Frames the hostile stations send: their MAC header is right (so the device takes them), the rest is what the test says. */
function frame(t: TestContext, payload: Uint8Array, src: LinkAddress, dst: LinkAddress, seq: number): Uint8Array {
  // No PHY carries more than aMaxPhyPacketSize (127) octets: a serial link refuses such a frame.
  const room = 127 - 2 - macHeaderLength(src, dst);
  return t.tester.frame(payload.subarray(0, room), { src, dst, seq, ackRequest: false });
}

/** The device's answer to a fragmented Echo Request of 600 octets of data: reassembly works (RFC 4944 §5.3). */
async function reassembles(t: TestContext, rule: string, id: number): Promise<void> {
  await t.echo({ id, data: Uint8Array.from({ length: 600 }, (_, i) => (i * 7) & 0xff), rule, within: 3000 });
}

/** An Echo Reply from the global address the request went to (t.echo checks it, RFC 4443 §4.2). */
const GLOBAL_ECHO = ['echo-reply-from-link-local'];

// ------------------------------------------------------------------ ROB-01 random and mutated frames

/**
 * The packets the mutations start from: what a neighbor may send a host
 * (Echo, UDP to the CoAP port and to a closed one, NS, RA with PIO and 6CO,
 * a hop-by-hop header, a fragmented datagram), each as its frames' payloads.
 */
function templates(t: TestContext, from: LinkAddress): Uint8Array[][] {
  const src = linkLocalFromLinkAddress(from);
  const dev = t.device.ll;
  const to = t.device.link;
  const packets: Uint8Array[] = [
    echoFrom(t, src, 0x0f01),
    buildIpv6Packet({ src, dst: dev, upper: { kind: 'udp', srcPort: 40000, dstPort: 5683, payload: Uint8Array.of(0x40, 0x01, 0x12, 0x34, 0xb4, 0x74, 0x65, 0x73, 0x74) } }),
    buildIpv6Packet({ src, dst: dev, upper: { kind: 'udp', srcPort: 40000, dstPort: 9, payload: Uint8Array.of(1, 2, 3) } }),
    buildNdPacket({ src, dst: dev, message: { kind: 'ns', target: dev, options: [{ kind: 'sllao', addr: from }] } }),
    buildNdPacket({
      src, dst: ALL_NODES, message: {
        kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: 0, reachableTime: 0, retransTimer: 0,
        options: [{ kind: 'sllao', addr: from }, { kind: 'pio', prefixLength: 64, onLink: false, autonomous: true, validLifetime: 600, preferredLifetime: 300, prefix: Uint8Array.of(0x20, 1, 0xd, 0xb8, 0xf, 0xf, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
          { kind: '6co', contextLength: 64, compression: true, cid: 7, validLifetime: 10, prefix: Uint8Array.of(0x20, 1, 0xd, 0xb8, 0xe, 0xe, 0, 0) }],
      },
    }),
    buildIpv6Packet({ src, dst: dev, extensions: [{ kind: 'hop-by-hop', options: [{ type: 1, data: new Uint8Array(4) }] }], upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(0x0f02, 1, new Uint8Array(4)) } }),
    echoFrom(t, src, 0x0f03, 300),
  ];
  return packets.map((p) => {
    try {
      return payloadsOf(t, p, from, p[24] === 0xff ? BROADCAST : to);
    } catch {
      return payloadsOf(t, echoFrom(t, src, 0x0f04), from, to);
    }
  });
}

/** One mutation of a payload: bytes flipped, cut, inserted, a random dispatch, or random bytes altogether. */
function mutate(p: Uint8Array, rnd: () => number): Uint8Array {
  const byte = () => Math.floor(rnd() * 256);
  const at = (n: number) => Math.floor(rnd() * Math.max(1, n));
  let a = Array.from(p);
  switch (Math.floor(rnd() * 6)) {
    case 0:
      for (let k = 1 + at(4); k > 0; k--) a[at(a.length)] = byte();
      break;
    case 1:
      a = a.slice(0, at(a.length));
      break;
    case 2:
      a.splice(at(a.length), 0, ...Array.from({ length: 1 + at(8) }, byte));
      break;
    case 3:
      a[0] = byte(); // any dispatch: NALP, reserved, ESC, mesh, BC0, FRAG1/FRAGN, IPHC
      break;
    case 4:
      a = Array.from({ length: 1 + at(100) }, byte);
      break;
    default:
      a[1 + at(a.length - 1)] ^= 1 << at(8); // one bit of the compressed header
  }
  return Uint8Array.from(a.slice(0, 110));
}

/**
 * How many frames ROB-01 sends. Every frame of a test is decoded for its
 * evidence by the runner (~0.3 ms each), and the fault check runs the suite
 * under every fault on both boards: 400 keeps one run near 150 ms.
 */
const FUZZ_FRAMES = 400;

defineTest({
  id: 'ROB-01', title: 'four hundred random and mutated frames are discarded or answered, and the device still works',
  suite: 'robustness', ref: 'RFC 4944 §5.1', level: 'MUST', faults: [...ECHO, 'wedged-by-malformed-frames'],
}, async (t: TestContext) => {
  const rnd = random(0x5eed01);
  const sources = [stranger(1), stranger(2), stranger(3)];
  const bases = sources.map((s) => templates(t, s));
  const frames: Uint8Array[] = [];
  for (let i = 0; i < FUZZ_FRAMES; i++) {
    const s = Math.floor(rnd() * sources.length);
    const base = bases[s][Math.floor(rnd() * bases[s].length)];
    const payload = base[Math.floor(rnd() * base.length)];
    const dst = rnd() < 0.2 ? BROADCAST : t.device.link;
    frames.push(frame(t, rnd() < 0.1 ? payload : mutate(payload, rnd), sources[s], dst, i & 0xff));
  }
  for (let i = 0; i < frames.length; i += 50) {
    await t.sendFrames(frames.slice(i, i + 50));
    await t.sleep(20);
  }
  await t.sleep(2000);
  await t.alive('RFC 4944 §5.1');
});

// ------------------------------------------------------------------ ROB-02 fragment floods

/** Faults of the lowpan suite that break a fragmented exchange itself: the test's proof of reassembly (RFC 4944 §5.3). */
const REASSEMBLY = ['fragn-offset-in-octets', 'frag-tag-varies'];

/** First fragments of 32 datagrams from 8 strangers that never complete: every reassembly buffer taken (RFC 4944 §5.3). */
async function fragmentFlood(t: TestContext): Promise<void> {
  const frames: Uint8Array[] = [];
  for (let n = 0; n < 32; n++) {
    const from = stranger(0x100 + (n % 8));
    const packet = echoFrom(t, linkLocalFromLinkAddress(from), 0x0200 + n, 200 + 8 * n);
    frames.push(t.tester.frames(packet, { src: from, dst: t.device.link, tag: 0x2000 + n, ackRequest: false })[0]);
  }
  await t.sendFrames(frames);
  await t.sleep(100);
}

defineTest({
  id: 'ROB-02a', title: 'after a flood of first fragments that never complete, the device answers and, once the reassembly timeout has passed, reassembles again',
  suite: 'robustness', ref: 'RFC 4944 §5.3', level: 'MUST', timeoutMs: 75_000, faults: [...ECHO, ...REASSEMBLY, 'reassembly-buffers-never-freed'],
}, async (t: TestContext) => {
  await fragmentFlood(t);
  await t.alive('RFC 4944 §5.3');
  // The reassembly timeout is at most 60 s: then the flood's buffers MUST be flushed.
  await t.sleep(61_000);
  await reassembles(t, 'RFC 4944 §5.3', 0x0201);
});

defineTest({
  id: 'ROB-02b', title: 'right after a flood of first fragments that never complete, a complete fragmented datagram is still reassembled',
  // RFC 4944 §5.3 leaves buffer management to the device; a device whose buffers a stalled sender can
  // hold for the whole reassembly timeout is open to a trivial denial of service, hence SHOULD.
  suite: 'robustness', ref: 'RFC 4944 §5.3', level: 'SHOULD', faults: [...ECHO, ...REASSEMBLY, 'reassembly-buffers-never-freed', 'reassembly-no-eviction'],
}, async (t: TestContext) => {
  await fragmentFlood(t);
  await reassembles(t, 'RFC 4944 §5.3', 0x0202);
});

// ------------------------------------------------------------------ ROB-03 neighbor cache exhaustion

defineTest({
  id: 'ROB-03', title: 'after NSes from forty strangers, the device still answers its peer, a new neighbor and its router',
  // The NSes create neighbor cache entries (RFC 4861 §7.2.3). The cache is bounded, and "care must be
  // taken to ensure that sufficient space is always present to hold the working set of active entries"
  // (RFC 4861 §5.3, a lower-case must: held as SHOULD); RFC 6583 describes the exhaustion attack.
  suite: 'robustness', ref: 'RFC 4861 §5.3', level: 'SHOULD', faults: [...ECHO, ...JOIN, ...GLOBAL_ECHO, 'ns-flood-locks-cache'],
}, async (t: TestContext) => {
  const { router, global } = await t.join();
  await t.alive('RFC 4861 §7.2.4');
  const frames: Uint8Array[] = [];
  for (let n = 0; n < 40; n++) {
    const from = stranger(0x300 + n);
    // Stations that are there (their MAC acknowledges) but never answer at the IP layer.
    t.session.link.adopt?.(from);
    const ns = buildNdPacket({
      src: linkLocalFromLinkAddress(from), dst: n % 2 ? t.device.ll : solicitedNodeAddress(t.device.ll),
      message: { kind: 'ns', target: t.device.ll, options: [{ kind: 'sllao', addr: from }] },
    });
    frames.push(...t.tester.frames(ns, { src: from, dst: n % 2 ? t.device.link : BROADCAST, ackRequest: false }));
  }
  await t.sendFrames(frames);
  await t.sleep(1000);
  await t.alive('RFC 4861 §5.3');
  // A neighbor the device never heard of before the flood, once the flood's entries have gone
  // through DELAY and PROBE unanswered (5 s + 3 x 1 s, RFC 4861 §7.3.3): while the device sends to
  // them (its NAs) they are part of its working set.
  await t.sleep(10_000);
  const b = t.host(0x42);
  await t.echo({ id: 0x0342, src: b.ll, send: { src: b.link }, rule: 'RFC 4861 §5.3' });
  await t.echo({ id: 0x0343, src: router.ll, dst: global, send: { src: ROUTER_LINK }, rule: 'RFC 4861 §5.3' });
});

// ------------------------------------------------------------------ ROB-04 RA floods

defineTest({
  id: 'ROB-04', title: 'after RAs from twenty routers with forty prefixes and contexts, the device still answers on its link-local and its registered address',
  // RAs add routers (their SLLAO to the neighbor cache), prefixes and contexts (RFC 4861 §6.3.4,
  // RFC 6775 §5.4.2). The tables are bounded: what does not fit is dropped or garbage-collected, and
  // "care must be taken to ensure that sufficient space is always present to hold the working set of
  // active entries" (RFC 4861 §5.3, a lower-case must: held as SHOULD).
  suite: 'robustness', ref: 'RFC 4861 §5.3', level: 'SHOULD', faults: [...ECHO, ...JOIN, ...GLOBAL_ECHO, 'ra-flood-wedges', 'ns-flood-locks-cache'],
}, async (t: TestContext) => {
  const { router, global } = await t.join();
  const rnd = random(0x5eed04);
  const frames: Uint8Array[] = [];
  for (let n = 0; n < 40; n++) {
    const from: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0x00, 0x12, 0x4b, 0xff, 0xfe, 0x01, 0x00, n % 20) };
    // One PIO and one 6CO each: an RA that fits one frame. The contexts are for prefixes no address
    // of this test is in, so the tester still reads the device's frames.
    const prefix = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0xf0, n, Math.floor(rnd() * 256), 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const options: NdOption[] = [
      { kind: 'sllao', addr: from },
      { kind: 'pio', prefixLength: 64, onLink: t.device.mode === 'classic', autonomous: true, validLifetime: 3600, preferredLifetime: 1800, prefix },
      { kind: '6co', contextLength: 64, compression: true, cid: 1 + Math.floor(rnd() * 15), validLifetime: 60, prefix: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0xe0, n, 0, 0) },
    ];
    const ra = buildNdPacket({
      src: linkLocalFromLinkAddress(from), dst: ALL_NODES,
      message: { kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: n % 2 ? 1800 : 0, reachableTime: 0, retransTimer: 0, options },
    });
    frames.push(...t.tester.frames(ra, { src: from, dst: BROADCAST }));
  }
  await t.sendFrames(frames);
  await t.sleep(5000);
  await t.alive('RFC 4861 §5.3');
  await t.echo({ id: 0x0443, src: router.ll, dst: global, send: { src: ROUTER_LINK }, rule: 'RFC 4861 §5.3' });
});
