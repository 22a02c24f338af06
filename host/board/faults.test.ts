// Each named fault breaks the device in its one way: the same exchange gives
// the right answer without the fault and the wrong one with it.
import { describe, expect, it } from 'vitest';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { echoBody } from '../packet/icmpv6.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { parseIpv6 } from '../packet/ipv6-address.js';
import { fragNHeader, frag1Header } from '../packet/lowpan-fragment.js';
import { buildNdPacket, findNdOption, parseNd } from '../packet/ndp.js';
import { buildIpv6Packet, parseIpv6Packet } from '../packet/packet.js';
import { loadBoard } from './board-config.js';
import { VirtualBoard } from './virtual-board.js';
import { TesterRouter } from '../harness/router.js';

function setup(faults: string[]) {
  const board = loadBoard('virtual');
  const vb = new VirtualBoard(board, { faults });
  const tester = new Tester(vb.link, board);
  const heard: ReturnType<typeof parseIpv6Packet>[] = [];
  tester.onPacket((h) => heard.push(parseIpv6Packet(h.packet)));
  return { board, vb, tester, heard, device: linkLocalOf(board.deviceLink) };
}

/** Runs `exchange` without and with the fault; returns both observations. */
async function contrast<T>(fault: string, exchange: (s: ReturnType<typeof setup>) => Promise<T>): Promise<[T, T]> {
  return [await exchange(setup([])), await exchange(setup([fault]))];
}

const echo = (s: ReturnType<typeof setup>, data = Uint8Array.of(1, 2, 3, 4)) =>
  buildIpv6Packet({ src: s.tester.ll, dst: s.device, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(1, 1, data) } });

describe('faults', () => {
  it('echo-reply-wrong-data alters the echoed data', async () => {
    const [good, bad] = await contrast('echo-reply-wrong-data', async (s) => {
      await s.tester.send(echo(s), s.board.deviceLink);
      await s.vb.clock.sleep(100);
      return s.heard.find((p) => p.icmpv6?.type === 129)?.icmpv6?.echo?.data;
    });
    expect(good).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(bad).toBeDefined();
    expect(bad).not.toEqual(good);
  });

  it('no-port-unreachable silences Destination Unreachable', async () => {
    const [good, bad] = await contrast('no-port-unreachable', async (s) => {
      await s.tester.send(buildIpv6Packet({ src: s.tester.ll, dst: s.device, upper: { kind: 'udp', srcPort: 1, dstPort: 9999, payload: Uint8Array.of(1) } }), s.board.deviceLink);
      await s.vb.clock.sleep(100);
      return s.heard.filter((p) => p.icmpv6?.type === 1).length;
    });
    expect([good, bad]).toEqual([1, 0]);
  });

  it('wrong-hop-limit-na sends NAs with hop limit 64', async () => {
    const [good, bad] = await contrast('wrong-hop-limit-na', async (s) => {
      await s.tester.send(buildNdPacket({ src: s.tester.ll, dst: s.device, message: { kind: 'ns', target: s.device, options: [{ kind: 'sllao', addr: s.board.testerLink }] } }), s.board.deviceLink);
      await s.vb.clock.sleep(100);
      return s.heard.find((p) => p.icmpv6?.type === 136)?.header.hopLimit;
    });
    expect([good, bad]).toEqual([255, 64]);
  });

  it('ignore-aro-status keeps an address the router called a duplicate', async () => {
    const prefix = parseIpv6('2001:db8:5::');
    const [good, bad] = await contrast('ignore-aro-status', async (s) => {
      s.tester.onPacket((h) => {
        const p = parseIpv6Packet(h.packet);
        if (p.icmpv6?.type === 133) {
          void s.tester.send(buildNdPacket({ src: s.tester.ll, dst: parseIpv6('ff02::1'), message: {
            kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: 600, reachableTime: 0, retransTimer: 0,
            options: [{ kind: 'sllao', addr: s.board.testerLink }, { kind: 'pio', prefixLength: 64, onLink: false, autonomous: true, validLifetime: 3600, preferredLifetime: 1800, prefix }],
          } }), { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) });
        }
        if (p.icmpv6?.type === 135) {
          const ns = parseNd(h.packet);
          const aro = ns.message.kind === 'ns' ? findNdOption(ns.message, 'aro') : undefined;
          if (aro && ns.message.kind === 'ns') {
            void s.tester.send(buildNdPacket({ src: s.tester.ll, dst: ns.header.src, message: {
              kind: 'na', router: true, solicited: true, override: false, target: ns.message.target, options: [{ ...aro, status: 1 }],
            } }), s.board.deviceLink);
          }
        }
      });
      await s.vb.clock.sleep(5000);
      return s.vb.node.addresses().filter((a) => a.registration === 'registered').length;
    });
    // A router without a 6CIO is RFC 6775-only (RFC 8505 §6.3): only the global address is registered.
    expect([good, bad]).toEqual([0, 1]);
  });

  it('accept-overlapping-fragments completes a datagram RFC 4944 says to discard', async () => {
    const [good, bad] = await contrast('accept-overlapping-fragments', async (s) => {
      const data = Uint8Array.from({ length: 200 }, (_, i) => i & 0xff);
      const p = echo(s, data);
      const frame = (payload: Uint8Array, seq: number) => buildDataFrame({ src: s.board.testerLink, dst: s.board.deviceLink, pan: s.board.pan, seq }, payload);
      const clash = Uint8Array.from(p.subarray(80, 160));
      clash[0] ^= 0xff;
      const frames = [
        frame(Uint8Array.of(...frag1Header(p.length, 9), 0x41, ...p.subarray(0, 96)), 1),
        frame(Uint8Array.of(...fragNHeader(p.length, 9, 80), ...clash), 2), // overlaps 80..95, other contents
        frame(Uint8Array.of(...fragNHeader(p.length, 9, 96), ...p.subarray(96, 176)), 3),
        frame(Uint8Array.of(...fragNHeader(p.length, 9, 176), ...p.subarray(176)), 4),
      ];
      for (const f of frames) await s.vb.link.send(f);
      await s.vb.clock.sleep(100);
      return s.heard.filter((x) => x.icmpv6?.type === 129).length;
    });
    expect([good, bad]).toEqual([0, 1]);
  });

  it('the echo faults act on replies compressed with a context (6CO) too', async () => {
    const prefix = parseIpv6('2001:db8:77::');
    for (const fault of ['drop-echo-replies', 'echo-reply-wrong-data']) {
      const [good, bad] = await contrast(fault, async (s) => {
        const router = new TesterRouter(s.tester, {
          link: { mode: 'extended', bytes: Uint8Array.of(0, 0x12, 0x4b, 0xff, 0xfe, 0, 0, 9) },
          prefixes: [{ prefix }], contexts: [{ cid: 3, prefix, length: 64, compression: true, lifetimeMinutes: 60 }],
        });
        await router.start();
        await s.vb.clock.sleep(5000);
        const global = Uint8Array.from(prefix);
        global.set(s.device.subarray(8), 8);
        await router.send(buildIpv6Packet({ src: router.ll, dst: global, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(7, 7, Uint8Array.of(1, 2, 3, 4)) } }), s.board.deviceLink);
        await s.vb.clock.sleep(100);
        const reply = s.heard.find((p) => p.icmpv6?.type === 129 && p.header.dst.every((b, i) => b === router.ll[i]));
        return reply?.icmpv6?.echo?.data;
      });
      expect(good).toEqual(Uint8Array.of(1, 2, 3, 4));
      // The reply went out compressed with context 3 (the tester's decoder knows it from the router).
      if (fault === 'drop-echo-replies') expect(bad).toBeUndefined();
      else expect(bad).not.toEqual(good);
    }
  });

  it('mute silences the device entirely', async () => {
    const [good, bad] = await contrast('mute', async (s) => {
      await s.vb.clock.sleep(2000);
      return s.heard.length;
    });
    expect(good).toBeGreaterThan(0);
    expect(bad).toBe(0);
  });
});
