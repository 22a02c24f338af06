// sixlab ping as ping6 users expect it (the built CLI on the virtual board and
// on a ZEP board with nobody at the other end): wrong replies are failures,
// multicast shows who answered, sequence numbers wrap, requests keep a fixed
// cadence, ping6's short flags, mdev, and --pcap.
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPcapng } from '../capture/pcapng.js';
import { runTsharkFields } from '../packet/tshark.js';
import { echoData, echoDataProblem } from './ping-command.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const TMP = mkdtempSync(join(tmpdir(), 'sixlab-ping-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

function sixlab(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A copy of a board with changes, as a board.json under TMP. */
function boardFile(name: string, base: string, change: (b: Record<string, any>) => void): string {
  const b = JSON.parse(readFileSync(join(ROOT, 'boards', base, 'board.json'), 'utf8'));
  delete b.$schema;
  change(b);
  const file = join(TMP, `${name}.json`);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

async function freeUdpPort(): Promise<{ port: number; socket: Socket }> {
  const socket = createSocket('udp6');
  await new Promise<void>((resolve) => socket.bind({ address: '::1', port: 0 }, () => resolve()));
  return { port: socket.address().port, socket };
}

describe('ping: the echoed data', () => {
  it('says which octet is wrong as ping6 does, and notices a short reply', () => {
    const sent = echoData(1, 8);
    expect(echoDataProblem(sent, Uint8Array.from(sent))).toBeUndefined();
    const got = Uint8Array.from(sent);
    got[3] ^= 0xff;
    expect(echoDataProblem(sent, got)).toBe('wrong data byte #3 should be 0x04 but was 0xfb');
    expect(echoDataProblem(sent, sent.subarray(0, 5))).toBe('wrong data length 5, should be 8 (truncated)');
  });

  it('fails (exit 1) on a device whose replies carry altered data, naming the octet', () => {
    // Before: "2 packets transmitted, 2 received, 0% packet loss", exit 0.
    const board = boardFile('wrong-data', 'virtual', (b) => (b.link.faults = ['echo-reply-wrong-data']));
    const r = sixlab(['ping', '--board', board, '--count', '2', '--interval', '10']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('40 bytes from fe80::212:4b00:0:1: icmp_seq=1 time=');
    expect(r.out).toContain('wrong data byte #0 should be 0x01 but was 0xfe');
    expect(r.out).toContain('wrong data byte #0 should be 0x02 but was 0xfd');
    expect(r.out).toContain('2 packets transmitted, 2 received, +2 wrong, 0% packet loss');
  });

  it('takes faults on the command line too (--fault), and reports a truncated reply', () => {
    const r = sixlab(['ping', '--board', 'virtual', '--fault', 'truncate-large-echo-replies', '-c', '1', '-s', '1200']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('wrong data length 1000, should be 1200 (truncated)');
    const good = sixlab(['ping', '--board', 'virtual', '-c', '1', '-s', '1200']);
    expect(good.code).toBe(0);
    expect(good.out).toContain('1208 bytes from fe80::212:4b00:0:1: icmp_seq=1');
  });
});

describe('ping: as ping6 prints and counts', () => {
  it('prints who answered a multicast ping, not the group', () => {
    // Before: "40 bytes from ff02::1: icmp_seq=1".
    const r = sixlab(['ping', '--board', 'virtual', 'ff02::1', '--count', '2', '--interval', '10']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PING ff02::1 via board virtual/);
    expect(r.out.match(/40 bytes from fe80::212:4b00:0:1: icmp_seq=\d time=/g)).toHaveLength(2);
    expect(r.out).not.toMatch(/bytes from ff02::1/);
  });

  it('takes ping6\'s short flags (-c -s -i -W, seconds for -i and -W) and prints mdev', () => {
    const r = sixlab(['ping', '--board', 'virtual', '-c', '2', '-s', '16', '-i', '0.01', '-W', '1']);
    expect(r.code).toBe(0);
    expect(r.out.match(/24 bytes from fe80::212:4b00:0:1: icmp_seq=\d time=/g)).toHaveLength(2);
    expect(r.out).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(r.out).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m);
  });

  it('refuses on one line (exit 2) a duration given twice or not a number', () => {
    for (const args of [['-i', '0.1', '--interval', '100'], ['-W', '1', '--timeout', '1000'], ['-i', 'soon'], ['-W', '0'], ['-c', '0']]) {
      const r = sixlab(['ping', '--board', 'virtual', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.out).toBe('');
    }
  });

  it('wraps the sequence number after 65535 and still prints the statistics', () => {
    // Before: died on the 65536th request ("echo sequence 65536 out of range 0..65535"), exit 2, no statistics.
    const r = sixlab(['ping', '--board', 'virtual', '--count', '65537', '--interval', '1', '--size', '0'], 240_000);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('\n8 bytes from fe80::212:4b00:0:1: icmp_seq=65535 time=');
    expect(r.out).toContain('\n8 bytes from fe80::212:4b00:0:1: icmp_seq=0 time=');
    expect(r.out).toContain('65537 packets transmitted, 65537 received, 0% packet loss');
    const quiet = sixlab(['ping', '--board', 'virtual', '-q', '-c', '3', '-i', '0.01']);
    expect(quiet.out.split('\n').filter((l) => l.includes('bytes from'))).toEqual([]);
    expect(quiet.out).toContain('3 packets transmitted, 3 received');
  }, 300_000);

  it('sends on a fixed cadence, whether or not replies come back', async () => {
    // Before: the next request left only after the reply (or the timeout), so
    // requests were 1 s + 4 ms apart, and 5 s + 1 s apart to an absent address.
    for (const [target, gap] of [['fe80::212:4b00:0:1', 1], ['fe80::dead:1', 1]] as const) {
      const pcap = join(TMP, `cadence-${target.replace(/:/g, '-')}.pcapng`);
      const r = sixlab(['ping', '--board', 'virtual', target, '-c', '3', '-i', String(gap), '-W', '5', '--pcap', pcap]);
      expect(r.out).toContain('3 packets transmitted');
      const all = await runTsharkFields(pcap, ['icmpv6.type', 'icmpv6.echo.sequence_number', 'frame.time_relative'], [], { displayFilter: 'icmpv6.type == 128' });
      // The first transmission of each request (an unacknowledged frame is retransmitted by the MAC).
      const rows = all.filter((x, i) => all.findIndex((y) => y['icmpv6.echo.sequence_number'] === x['icmpv6.echo.sequence_number']) === i);
      expect(rows.map((x) => x['icmpv6.echo.sequence_number'])).toEqual(['1', '2', '3']);
      const t = rows.map((x) => Number(x['frame.time_relative']));
      expect(t.map((x) => Number((x - t[0]).toFixed(4)))).toEqual([0, gap, 2 * gap]);
    }
  });
});

describe('ping --pcap', () => {
  it('writes the frames of the command (link type 195, wall-clock times) and never replaces a file unasked', async () => {
    const pcap = join(TMP, 'ping.pcapng');
    const before = Date.now();
    const r = sixlab(['ping', '--board', 'virtual', '-c', '2', '-i', '0.5', '--pcap', pcap]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+ frames written to .*ping\.pcapng$/m);
    const file = readPcapng(new Uint8Array(readFileSync(pcap)));
    expect(file.interfaces.map((i) => i.linkType)).toEqual([195]);
    const times = file.packets.map((p) => Number(p.timeUs / 1000n));
    expect(times[0]).toBeGreaterThanOrEqual(before - 1000);
    expect(times[times.length - 1]).toBeLessThan(Date.now() + 5000); // virtual time from the start's wall clock
    const rows = await runTsharkFields(pcap, ['icmpv6.type'], [], { displayFilter: 'icmpv6' });
    expect(rows.map((x) => x['icmpv6.type'])).toEqual(['128', '129', '128', '129']);

    const again = sixlab(['ping', '--board', 'virtual', '-c', '1', '--pcap', pcap]);
    expect(again.code).toBe(2);
    expect(again.err).toBe(`sixlab: --pcap ${pcap}: the file exists; use --force to replace it\n`);
    expect(again.out).toBe(''); // refused before pinging
    expect(readPcapng(new Uint8Array(readFileSync(pcap))).packets.length).toBe(file.packets.length);
    const forced = sixlab(['ping', '--board', 'virtual', '-c', '1', '--pcap', pcap, '--force']);
    expect(forced.code).toBe(0);
    expect(readPcapng(new Uint8Array(readFileSync(pcap))).packets.length).toBeLessThan(file.packets.length);
  });
});

describe('ping on a ZEP board', () => {
  it('says when nothing answers at the ZEP peer\'s address, once, after the first unanswered request', async () => {
    // Before: only "no answer from fe80::212:4b00:0:2: icmp_seq=N" lines.
    const local = await freeUdpPort();
    const remote = await freeUdpPort();
    local.socket.close();
    remote.socket.close();
    const board = boardFile('zep-nobody', 'zep-riot', (b) => Object.assign(b.link, { localPort: local.port, remotePort: remote.port }));
    const r = sixlab(['ping', '--board', board, '--count', '2', '--interval', '100', '--timeout', '300']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`sixlab: no answer from the ZEP peer at [::1]:${remote.port} — is the other endpoint running?\n`);
    expect(r.out).toContain('no answer from fe80::212:4b00:0:2: icmp_seq=1');
    expect(r.out).toContain('2 packets transmitted, 0 received, 100% packet loss');
  });

  it('says who holds the board\'s UDP port', async () => {
    const held = await freeUdpPort();
    try {
      const board = boardFile('zep-busy', 'zep-riot', (b) => Object.assign(b.link, { localPort: held.port, remotePort: held.port + 1 }));
      const r = sixlab(['ping', '--board', board, '--count', '1']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(new RegExp(`^sixlab: board zep-riot: UDP \\[::1\\]:${held.port} in use by pid ${process.pid} \\(.+\\)\\n$`));
    } finally {
      held.socket.close();
    }
  });
});
