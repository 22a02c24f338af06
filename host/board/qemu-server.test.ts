// QemuServer: boots the board's image halted, links a stable path to QEMU's
// PTY, reads the boot hello through it, hands it over, and cleans up; and says
// plainly why when it cannot. The image comes from scripts/build-firmware.mjs
// (shared with qemu-board.test.ts, built once); without the toolchain these
// tests fail, saying so.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../core/sixlab-core.js';
import { SerialLink } from '../link/serial-link.js';
import { loadBoard } from './board-config.js';
import { QemuError, QemuServer, firmwarePath } from './qemu-server.js';

const board = loadBoard('qemu-mps2-an386');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sixlab-qemu-server-'));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'scripts', 'build-firmware.mjs'), '--require'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`firmware build failed: ${out.trim()} (CI runs scripts/install-toolchain.sh)`))));
  });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('QemuServer', () => {
  it('boots halted, links the path to the PTY, reads the hello, hands the port over, and stop() removes both', async () => {
    const link = join(dir, 'link');
    symlinkSync('/dev/null', link); // a stale link from a board that was not stopped is replaced
    const server = await QemuServer.start(board, link);
    const pid = server.pid!;
    try {
      expect(server.devicePath).toMatch(/^\/dev\/pts\/\d+$/);
      expect(readlinkSync(link)).toBe(server.devicePath);
      expect(server.hello.token).toBe(0);
      expect(server.bootLog.some((l) => /up, boot 1$/.test(l))).toBe(true);
      // Handed over: the harness opens the same path and is answered.
      const serial = await SerialLink.open({ path: link }, 5000);
      try {
        expect((await serial.hello(3000)).firmware).toBe(server.hello.firmware);
      } finally {
        await serial.close();
      }
    } finally {
      await server.stop();
    }
    expect(existsSync(link) || isLink(link)).toBe(false);
    expect(processGone(pid)).toBe(true);
    await server.stop(); // twice is harmless
  });

  it('refuses a link path that is not a symlink, and leaves no QEMU behind', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine');
    const err = await QemuServer.start(board, file).catch((e: Error) => e);
    expect(err).toBeInstanceOf(QemuError);
    expect((err as Error).message).toBe(`${file} exists and is not a symlink: choose another link path`);
  });

  it('says what is missing or wrong: the image, QEMU, an image the CPU cannot run', async () => {
    const missing = join(dir, 'none.elf');
    await expect(QemuServer.start(board, join(dir, 'l1'), { firmware: missing }))
      .rejects.toThrow(`${missing} is missing: run "npm run build:firmware"`);
    await expect(QemuServer.start(board, join(dir, 'l2'), { qemu: 'qemu-system-sixlab-none' }))
      .rejects.toThrow('qemu-system-sixlab-none not found: run scripts/install-toolchain.sh');
    // Not an ELF: QEMU loads it as a raw image, the CPU locks up on its vector table, QEMU aborts.
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an image');
    await expect(QemuServer.start(board, join(dir, 'l3'), { firmware: junk })).rejects.toThrow(/^QEMU exited \(\w+\): .*Lockup/);
    expect(isLink(join(dir, 'l3'))).toBe(false);
  });

  it('gives up when the image never says hello', async () => {
    // A raw image whose reset vector is a branch to itself (ARMv7-M: SP, then the
    // reset handler's address with bit 0 set for Thumb; 0xE7FE is "b .").
    const silent = join(dir, 'silent.bin');
    writeFileSync(silent, Uint8Array.of(0x00, 0x10, 0x00, 0x20, 0x09, 0x00, 0x00, 0x00, 0xfe, 0xe7, 0x00, 0x00));
    const err = await QemuServer.start(board, join(dir, 'l4'), { firmware: silent, helloTimeoutMs: 1000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(QemuError);
    expect((err as Error).message).toBe('the firmware did not say hello');
    expect(isLink(join(dir, 'l4'))).toBe(false);
  });

  it('finds the image npm run build:firmware writes', () => {
    expect(firmwarePath(board)).toBe(join(packageRoot(), 'build', 'boards', 'qemu-mps2-an386', 'firmware.elf'));
  });
});

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
