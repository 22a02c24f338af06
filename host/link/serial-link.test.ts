// The serial path end to end: the virtual board served on a real PTY (socat),
// the harness on node-serialport speaking the serial link; ping through it, and
// a replug (the PTY goes away and comes back) that loses no frame sent after.
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBoard } from '../board/board-config.js';
import { PtyServer } from '../board/pty-server.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { SerialLink } from './serial-link.js';

const haveSocat = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function served(name: string) {
  const board = loadBoard('virtual');
  const path = `/tmp/sixlab-test-${process.pid}-${name}`;
  const server = await PtyServer.start(board, path);
  cleanup.push(() => server.stop());
  const link = await SerialLink.open({ path, reconnectMs: 50 });
  cleanup.push(() => link.close());
  return { board, server, link, path };
}

describe.skipIf(!haveSocat)('serial link over a PTY', () => {
  it('says hello with the device\'s identity', async () => {
    const { board, link } = await served('hello');
    const hello = await link.hello(2000);
    expect(hello.firmware).toMatch(/^sixlab-virtual/);
    expect(hello.eui64).toEqual(board.deviceLink.bytes);
    expect(hello.panId).toBe(board.pan);
  });

  it('carries pings to the virtual board and back', async () => {
    const { board, link } = await served('ping');
    const tester = new Tester(link, board);
    const rtts = [];
    for (let seq = 1; seq <= 3; seq++) rtts.push(await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 9, seq, 64, 2000));
    console.log(`ping over the PTY: ${rtts.map((r) => r?.toFixed(2)).join(', ')} ms`);
    expect(rtts.every((r) => r !== undefined)).toBe(true);
    // A reset reboots the device; what it logs while booting reaches the harness.
    expect((await link.reset(7)).status).toBe(0);
    for (let i = 0; i < 100 && !link.log.some((l) => l.includes('seed 7')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(link.log.some((l) => l.includes('up (seed 7)'))).toBe(true);
  });

  it('comes back after a replug and loses no frame sent after it', async () => {
    const { board, server, link } = await served('replug');
    const tester = new Tester(link, board);
    const device = linkLocalOf(board.deviceLink);
    expect(await tester.ping(device, board.deviceLink, 1, 1, 8, 2000)).toBeDefined();
    const opens = link.opens;
    await server.unplug();
    for (let i = 0; i < 500 && link.disconnects === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(link.disconnects).toBe(1);
    // Sent while the device is away: held, then delivered.
    const pending = tester.ping(device, board.deviceLink, 1, 2, 8, 5000);
    await server.plug();
    for (let i = 0; i < 500 && link.opens === opens; i++) await new Promise((r) => setTimeout(r, 10));
    expect(link.opens).toBe(opens + 1);
    expect(await pending).toBeDefined();
    expect(await tester.ping(device, board.deviceLink, 1, 3, 8, 2000)).toBeDefined();
  });

  it('refuses to open a port that never appears, on one line', async () => {
    await expect(SerialLink.open({ path: '/tmp/sixlab-no-such-port', reconnectMs: 20 }, 200)).rejects.toThrow(/not available after 200 ms/);
  });
});
