// Issue 8 against a peer that behaves as RIOT native did (zep-stack-peer.ts):
// fragmented Echo Requests through a zep board are answered every time with
// the tester's MAC on (ACK wait, retransmissions, gap), and mostly not with it
// off: the evidence that the MAC is what fixes them.
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadBoard, type Board } from '../board/board-config.js';
import { openBoard } from '../board/open-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import type { ZepMacSettings } from './zep-mac.js';
import { ZepStackPeer } from './zep-stack-peer.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { RealClock } from '../sim/clock.js';
import { decodeZep, encodeZep, ZepEndpoint } from './zep.js';

const template = loadBoard('zep-riot');
const peers: ZepStackPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) await p.close();
});

async function riotLikePeer(seed = 1): Promise<ZepStackPeer> {
  const peer = await ZepStackPeer.start({ eui64: template.deviceLink, pan: template.pan, seed });
  peers.push(peer);
  return peer;
}

/** `count` pings of each size from a zep board (its MAC as given) to the peer: replies per size, RTTs and the MAC's counters. */
async function pingPeer(mac: Partial<ZepMacSettings>, sizes: number[], count: number, timeoutMs: number) {
  const peer = await riotLikePeer();
  const board: Board = { ...template, link: { kind: 'zep', address: '::1', localPort: 0, remotePort: peer.port(), channel: 26 } };
  const opened = await openBoard(board, { zepMac: mac });
  const tester = new Tester(opened.link, board);
  const answered: Record<number, number> = {};
  const rtts: Record<number, number[]> = {};
  try {
    for (const size of sizes) {
      answered[size] = 0;
      rtts[size] = [];
      for (let seq = 1; seq <= count; seq++) {
        const rtt = await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 0x77, seq, size, timeoutMs);
        if (rtt !== undefined) {
          answered[size]++;
          rtts[size].push(rtt);
        }
      }
    }
  } finally {
    tester.close();
    await opened.close();
  }
  const stats = (opened.raw as ZepEndpoint).stats;
  return { answered, rtts, tester: stats, peer: peer.stats };
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

describe('fragmented pings over ZEP to a RIOT-like stack', () => {
  it('the peer behaves as RIOT did: drops a frame that arrives while it is busy, without ACK', async () => {
    const peer = await riotLikePeer();
    const sock = createSocket('udp6');
    await new Promise<void>((r) => sock.bind(0, '::1', () => r()));
    const acks: number[] = [];
    sock.on('message', (msg) => {
      const z = decodeZep(new Uint8Array(msg));
      if (z.type === 'data' && parseIeee802154(z.psdu).frameType === 2) acks.push(parseIeee802154(z.psdu).seq as number);
    });
    try {
      const board: Board = { ...template, link: { kind: 'zep' } };
      const tester = new Tester({ clock: new RealClock(), send: async () => {}, onFrame: () => () => {}, close: async () => {} }, board);
      // Two fragments in the same instant: the second reaches the peer while it still handles the first.
      const [a, b] = tester.frames(new Uint8Array(300).fill(0x60), { dst: board.deviceLink });
      sock.send(encodeZep({ channel: 26, deviceId: 1, seq: 1, psdu: a }), peer.port(), '::1');
      sock.send(encodeZep({ channel: 26, deviceId: 1, seq: 2, psdu: b }), peer.port(), '::1');
      await vi.waitFor(() => expect(peer.stats.framesTaken + peer.stats.droppedBusy).toBe(2));
      expect(peer.stats).toMatchObject({ framesTaken: 1, droppedBusy: 1 });
      // Later (the peer idle again), the dropped fragment is taken: what a retransmission does.
      await new Promise((r) => setTimeout(r, 20));
      sock.send(encodeZep({ channel: 26, deviceId: 1, seq: 3, psdu: b }), peer.port(), '::1');
      await vi.waitFor(() => expect(peer.stats.framesTaken).toBe(2));
      await vi.waitFor(() => expect(acks.length).toBe(2)); // the first and the retransmission, never the dropped copy
      expect(acks).toEqual([parseIeee802154(a).seq, parseIeee802154(b).seq]);
      tester.close();
    } finally {
      await new Promise<void>((r) => sock.close(() => r()));
    }
  });

  it('with the MAC on (board defaults): 200- and 1000-octet pings are answered 20 of 20', async () => {
    const r = await pingPeer({}, [200, 1000], 20, 5000);
    console.log(
      `MAC on: 200 octets ${r.answered[200]}/20 (median RTT ${median(r.rtts[200]).toFixed(1)} ms), ` +
        `1000 octets ${r.answered[1000]}/20 (median RTT ${median(r.rtts[1000]).toFixed(1)} ms); tester: ${r.tester.retransmissions} retransmissions, ` +
        `${r.tester.framesLost} lost; peer: ${r.peer.droppedBusy} dropped busy, ${r.peer.lateAcks} late ACKs, ${r.peer.retransmissions} retransmissions`,
    );
    expect(r.answered).toEqual({ 200: 20, 1000: 20 });
    // The gap keeps most frames out of the peer's busy time; what it still drops, the MAC brings back.
    expect(r.tester.retransmissions).toBeGreaterThanOrEqual(r.peer.droppedBusy);
    expect(r.tester.framesLost).toBe(0);
  });

  it('the same pings with the MAC off (ACK wait 0: no wait, no retransmission, no gap) are mostly lost', async () => {
    const r = await pingPeer({ ackWaitMs: 0, gapMs: 0 }, [200, 1000], 10, 800);
    console.log(
      `MAC off: 200 octets ${r.answered[200]}/10, 1000 octets ${r.answered[1000]}/10; peer dropped ${r.peer.droppedBusy} frames while busy`,
    );
    expect(r.answered[1000]).toBe(0);
    expect(r.answered[200]).toBeLessThanOrEqual(3);
    expect(r.peer.droppedBusy).toBeGreaterThanOrEqual(20 - r.answered[200]);
    expect(r.tester.retransmissions).toBe(0);
  });
});
