// openBoard gives every kind of board the same Link and the same tap: what a
// capture writes (frames in and out, with times on the link's clock).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { loadBoard, type Board } from './board-config.js';
import { openBoard, type TappedFrame } from './open-board.js';
import { PtyServer } from './pty-server.js';

const haveSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

async function pingTapped(board: Board): Promise<TappedFrame[]> {
  const opened = await openBoard(board);
  const tapped: TappedFrame[] = [];
  opened.tap((f) => tapped.push(f));
  const tester = new Tester(opened.link, board);
  try {
    expect(await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 3, 1, 16, 2000)).toBeDefined();
  } finally {
    tester.close();
    await opened.close();
  }
  return tapped;
}

describe('openBoard', () => {
  it('taps a virtual board: the request out, the reply in, the ACKs on the air', async () => {
    const tapped = await pingTapped(loadBoard('virtual'));
    expect(tapped.filter((f) => f.direction === 'out').length).toBeGreaterThanOrEqual(1);
    expect(tapped.filter((f) => f.direction === 'in').length).toBeGreaterThanOrEqual(2); // reply and ACK
    expect(tapped.every((f, i) => i === 0 || f.at >= tapped[i - 1].at)).toBe(true);
  });

  it.skipIf(!haveSocat)('taps a serial board the same way', async () => {
    const path = `/tmp/sixlab-tap-${process.pid}`;
    const server = await PtyServer.start(loadBoard('virtual'), path);
    try {
      const board = { ...loadBoard('virtual-pty'), link: { kind: 'serial' as const, path } };
      const tapped = await pingTapped(board);
      expect(tapped.some((f) => f.direction === 'out')).toBe(true);
      expect(tapped.some((f) => f.direction === 'in')).toBe(true);
    } finally {
      await server.stop();
    }
  });
});
