// The core on ZEP (zep-server.ts): the harness, through a zep board, pings it
// with fragmented requests and answers its fragmented requests; and it pings,
// and is pinged by, a stack that behaves as RIOT native does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tester, linkLocalOf, type HeardPacket } from '../harness/tester.js';
import { ZepStackPeer } from '../link/zep-stack-peer.js';
import type { ZepEndpoint } from '../link/zep.js';
import { echoBody } from '../packet/icmpv6.js';
import { parseLinkAddress } from '../packet/link-address.js';
import { buildIpv6Packet, parseIpv6Packet } from '../packet/packet.js';
import { loadBoard, type Board } from './board-config.js';
import { openBoard, type OpenBoard } from './open-board.js';
import { ZepServer } from './zep-server.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const virtual = loadBoard('virtual');

/** The core served on an ephemeral port, and the harness's zep board pointed at it. */
async function coreAndHarness(): Promise<{ server: ZepServer; opened: OpenBoard; tester: Tester; board: Board }> {
  const server = await ZepServer.start(virtual, { port: 0 });
  cleanup.push(() => server.stop());
  const board: Board = { ...virtual, link: { kind: 'zep', address: '::1', localPort: 0, remotePort: server.local().port, channel: 26 } };
  const opened = await openBoard(board);
  cleanup.push(() => opened.close());
  const tester = new Tester(opened.link, board);
  cleanup.push(async () => tester.close());
  return { server, opened, tester, board };
}

/** Answers the Echo Requests sent to the tester's link-local address, with the tester's own packet library. */
function answerPings(tester: Tester, board: Board): { requests: HeardPacket[]; replyFrames: number[] } {
  const requests: HeardPacket[] = [];
  const replyFrames: number[] = [];
  tester.onPacket((h) => {
    const p = parseIpv6Packet(h.packet);
    const e = p.icmpv6?.echo;
    if (p.icmpv6?.type !== 128 || !e || !h.src) return;
    requests.push(h);
    const reply = buildIpv6Packet({ src: tester.ll, dst: p.header.src, upper: { kind: 'icmpv6', type: 129, code: 0, body: echoBody(e.identifier, e.sequence, e.data) } });
    void tester.send(reply, h.src).then((frames) => replyFrames.push(frames.length));
  });
  return { requests, replyFrames };
}

describe('the core served on ZEP', () => {
  it('answers the harness\'s fragmented pings (200 and 1000 octets), acknowledging every fragment', async () => {
    const { server, opened, tester, board } = await coreAndHarness();
    const fragmentsIn: number[] = [];
    tester.onPacket((h) => fragmentsIn.push(h.frames.length));
    const answered: Record<number, number> = { 200: 0, 1000: 0 };
    for (const size of [200, 1000]) {
      for (let seq = 1; seq <= 10; seq++) {
        if (await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 0x51, seq, size, 5000) !== undefined) answered[size]++;
      }
    }
    const harness = (opened.raw as ZepEndpoint).stats;
    const core = server.stats.zep;
    console.log(
      `harness -> core over ZEP: 200 octets ${answered[200]}/10, 1000 octets ${answered[1000]}/10; core ACKed ${core.acksSent} frames ` +
        `(turnaround p50 ${core.ackTurnaround.p50Us.toFixed(0)} µs, max ${core.ackTurnaround.maxUs.toFixed(0)} µs); ` +
        `harness retransmitted ${harness.retransmissions}, core ${core.retransmissions}`,
    );
    expect(answered).toEqual({ 200: 10, 1000: 10 });
    expect(Math.max(...fragmentsIn)).toBeGreaterThanOrEqual(9); // the 1000-octet replies came in fragments
    expect(harness).toMatchObject({ framesLost: 0 });
    expect(harness.framesAcked).toBe(harness.framesSent - harness.retransmissions); // every request fragment was acknowledged by the core
    expect(core.framesLost).toBe(0);
  });

  it('sends its own fragmented pings to the harness and hears the fragmented replies', async () => {
    const { server, tester, board } = await coreAndHarness();
    const heard = answerPings(tester, board);
    // The core learns where the harness is from its first datagram; a first ping does that.
    expect(await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 1, 1, 8, 5000)).toBeDefined();
    for (const [seq, size] of [[1, 200], [2, 1000], [3, 1000]] as const) {
      const before = server.echoReplies().count;
      expect(server.ping(tester.ll, 0x99, seq, size)).toBe(0);
      await vi.waitFor(() => expect(server.echoReplies()).toMatchObject({ count: before + 1, lastId: 0x99, lastSeq: seq }), { timeout: 5000, interval: 10 });
    }
    expect(heard.requests.map((h) => h.frames.length)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
    expect(heard.requests[1].frames.length).toBeGreaterThanOrEqual(9); // 1000 octets: fragments from the core
    expect(heard.replyFrames[1]).toBeGreaterThanOrEqual(9); // and fragments back from the harness
    expect(server.stats.zep.framesLost).toBe(0);
  });

  it('pings and is pinged by a RIOT-like stack (busy after each frame, ACK wanted within 1 ms), fragments both ways', async () => {
    const server = await ZepServer.start(virtual, { port: 0 });
    cleanup.push(() => server.stop());
    const peerLink = parseLinkAddress('00:12:4b:00:00:00:00:02');
    const peer = await ZepStackPeer.start({ eui64: peerLink, pan: virtual.pan, remote: { address: '::1', port: server.local().port }, seed: 7 });
    cleanup.push(() => peer.close());
    server.endpoint.setRemote('::1', peer.port());
    const peerLl = linkLocalOf(peerLink);
    const coreLl = linkLocalOf(virtual.deviceLink);
    for (let seq = 1; seq <= 5; seq++) {
      const core = server.echoReplies().count;
      expect(server.ping(peerLl, 0x11, seq, 1000)).toBe(0);
      await vi.waitFor(() => expect(server.echoReplies().count).toBe(core + 1), { timeout: 5000, interval: 10 });
      const riot = peer.node.echoReplies().count;
      expect(peer.ping(coreLl, 0x22, seq, 1000)).toBe(0);
      await vi.waitFor(() => expect(peer.node.echoReplies().count).toBe(riot + 1), { timeout: 5000, interval: 10 });
    }
    const core = server.stats.zep;
    console.log(
      `core <-> RIOT-like stack, 1000 octets both ways 5+5 of 5+5: core retransmitted ${core.retransmissions} (peer busy-dropped ${peer.stats.droppedBusy}), ` +
        `peer retransmitted ${peer.stats.retransmissions}; core ACK turnaround p50 ${core.ackTurnaround.p50Us.toFixed(0)} µs`,
    );
    expect(peer.stats.droppedBusy).toBeGreaterThan(0); // the peer dropped fragments of the core's (and its broadcasts)...
    expect(core.retransmissions).toBeGreaterThan(0); // ...and the core's MAC sent the fragments again
    expect(core.framesLost).toBe(0);
    expect(peer.stats.framesLost).toBe(0);
  });
});
