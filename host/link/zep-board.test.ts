// ZEP end to end: a device on the far side of a ZEP socket (here a sixlab node
// bridged onto its own ZEP endpoint, as RIOT's socket_zep exposes a radio) and
// the harness reaching it through a zep board, as `sixlab ping` does.
import { describe, expect, it } from 'vitest';
import { loadBoard, type Board } from '../board/board-config.js';
import { openBoard } from '../board/open-board.js';
import { VirtualBoard } from '../board/virtual-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { RealScheduler } from '../sim/clock.js';
import { ZepEndpoint } from './zep.js';

describe('ZEP board', () => {
  it('reaches a device behind another ZEP endpoint and gets its pings answered', async () => {
    const template = loadBoard('zep-riot');
    const deviceSide = await ZepEndpoint.open({ address: '::1', localPort: 0, filter: false, autoAck: false });
    const harnessPort = 17000 + (process.pid % 2000);
    // The device: a virtual board whose tester station is bridged onto the ZEP socket.
    const device = new VirtualBoard({ ...template, link: { kind: 'virtual' } } as Board, { clock: new RealScheduler() });
    device.link.onFrame((f) => void deviceSide.send(f.psdu, { address: '::1', port: harnessPort }));
    deviceSide.on('frame', (psdu: Uint8Array) => void device.link.send(psdu));
    const board: Board = { ...template, link: { kind: 'zep', address: '::1', localPort: harnessPort, remotePort: deviceSide.port(), channel: 26 } };
    const opened = await openBoard(board);
    const tester = new Tester(opened.link, board);
    try {
      const rtts = [];
      for (let seq = 1; seq <= 3; seq++) rtts.push(await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 5, seq, 16, 2000));
      console.log(`ping over ZEP: ${rtts.map((r) => r?.toFixed(2)).join(', ')} ms`);
      expect(rtts.every((r) => r !== undefined)).toBe(true);
    } finally {
      tester.close();
      await opened.close();
      await deviceSide.close();
      (device.clock as RealScheduler).stop();
    }
  });
});
