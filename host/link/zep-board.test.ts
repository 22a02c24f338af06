// ZEP end to end: a device on the far side of a ZEP socket (here a sixlab node
// bridged onto its own ZEP endpoint, as RIOT's socket_zep exposes a radio) and
// the harness reaching it through a zep board, as `sixlab ping` does; and what
// a capture of a zep board shows of its MAC (retransmissions, ACKs).
import { createSocket } from 'node:dgram';
import { describe, expect, it, vi } from 'vitest';
import { loadBoard, type Board } from '../board/board-config.js';
import { openBoard, type TappedFrame } from '../board/open-board.js';
import { VirtualBoard } from '../board/virtual-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { RealScheduler } from '../sim/clock.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { buildAckFrame, decodeZep, encodeZep, ZepEndpoint } from './zep.js';

describe('ZEP board', () => {
  it('reaches a device behind another ZEP endpoint and gets its pings answered', async () => {
    const template = loadBoard('zep-riot');
    // Filter off: it acknowledges every unicast frame (it stands in for the device's radio).
    const deviceSide = await ZepEndpoint.open({ address: '::1', localPort: 0, filter: false });
    // The device: a virtual board whose tester station is bridged onto the ZEP socket.
    const device = new VirtualBoard({ ...template, link: { kind: 'virtual' } } as Board, { clock: new RealScheduler() });
    deviceSide.on('frame', (psdu: Uint8Array) => void device.link.send(psdu));
    // Both ends on ports the system chose (never a fixed port a user's board might hold).
    const board: Board = { ...template, link: { kind: 'zep', address: '::1', localPort: 0, remotePort: deviceSide.port(), channel: 26 } };
    const opened = await openBoard(board);
    const harnessPort = (opened.raw as ZepEndpoint).port();
    device.link.onFrame((f) => void deviceSide.send(f.psdu, { address: '::1', port: harnessPort }));
    const tester = new Tester(opened.link, board);
    try {
      const rtts = [];
      for (let seq = 1; seq <= 3; seq++) rtts.push(await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 5, seq, 16, 2000));
      console.log(`ping over ZEP: ${rtts.map((r) => r?.toFixed(2)).join(', ')} ms`);
      expect(rtts.every((r) => r !== undefined)).toBe(true);
      // The harness's MAC had each request acknowledged; the device side's MAC each reply.
      expect((opened.raw as ZepEndpoint).stats).toMatchObject({ framesAcked: 3, framesLost: 0 });
      expect(deviceSide.stats.framesLost).toBe(0);
    } finally {
      tester.close();
      await opened.close();
      await deviceSide.close();
      (device.clock as RealScheduler).stop();
    }
  });

  it('taps every datagram on the air: the frame, its retransmission (with a comment) and the ACK', async () => {
    const template = loadBoard('zep-riot');
    // A peer's radio that drops the first copy of each frame (busy, as RIOT is) and acknowledges the second.
    const peer = createSocket('udp6');
    await new Promise<void>((r) => peer.bind(0, '::1', () => r()));
    let copies = 0;
    peer.on('message', (msg, rinfo) => {
      const z = decodeZep(new Uint8Array(msg));
      if (z.type !== 'data' || ++copies === 1) return;
      peer.send(encodeZep({ channel: 26, deviceId: 2, seq: 0, psdu: buildAckFrame(parseIeee802154(z.psdu).seq as number, 1) }), rinfo.port, rinfo.address);
    });
    const board: Board = { ...template, link: { kind: 'zep', address: '::1', localPort: 0, remotePort: peer.address().port, channel: 26, ackWaitMs: 5 } };
    const opened = await openBoard(board);
    const tapped: TappedFrame[] = [];
    opened.tap((f) => tapped.push(f));
    const tester = new Tester(opened.link, board);
    try {
      const [frame] = tester.frames(new Uint8Array(60).fill(0x60), { dst: board.deviceLink });
      await opened.link.send(frame);
      await vi.waitFor(() => expect(tapped).toHaveLength(3));
      expect(tapped.map((f) => [f.direction, f.comment])).toEqual([['out', undefined], ['out', 'retransmission 1'], ['in', undefined]]);
      expect(tapped[1].psdu).toEqual(frame);
      expect(parseIeee802154(tapped[2].psdu)).toMatchObject({ frameType: 2, seq: parseIeee802154(frame).seq });
      expect(tapped[1].at - tapped[0].at).toBeGreaterThanOrEqual(3.5); // the ACK wait (5 ms) went by first
      expect((opened.raw as ZepEndpoint).stats).toMatchObject({ framesAcked: 1, retransmissions: 1, framesLost: 0 });
    } finally {
      tester.close();
      await opened.close();
      await new Promise<void>((r) => peer.close(() => r()));
    }
  });
});
