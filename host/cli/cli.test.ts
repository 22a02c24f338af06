// The sixlab command as a user runs it: the built CLI in a child process.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const REF = '41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d';

function sixlab(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('sixlab decode', () => {
  it('shows the reference frame: addresses, hop limit, UDP ports', () => {
    const r = sixlab(['decode', REF]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('fe80::212:4b00:1:203 -> fe80::212:4b00:4:506');
    expect(r.out).toContain('hop limit 64');
    expect(r.out).toContain('UDP 61617 -> 61631');
  });

  it('gives the same as one JSON line with --json', () => {
    const r = sixlab(['decode', '--json', REF]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0]);
    expect(j.ipv6).toEqual({
      src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64,
      trafficClass: 0, flowLabel: 0, payloadLength: 13,
    });
    expect(j.udp).toMatchObject({ srcPort: 61617, dstPort: 61631, checksum: 0x3c5c });
    expect(j.packet).toBe('60000000000d1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506f0b1f0bf000d3c5c68656c6c6f');
    expect(j.mac).toMatchObject({ frameType: 'data', frameVersion: '2003', seq: 66, dstPan: 0xabcd, src: '00:12:4b:00:00:01:02:03' });
    expect(j.error).toBeUndefined();
  });

  it('reads stdin, skips comments and reassembles fragments across lines', () => {
    const r = sixlab(['decode', '--json', '--context', '0=2001:db8::/64'], readFileSync(join(ROOT, 'samples', 'frames.hex'), 'utf8'));
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.every((l) => !l.error)).toBe(true);
    const frag = lines.findIndex((l) => l.lowpan.fragment?.kind === 'FRAG1');
    expect(lines[frag].packet).toBeUndefined();
    expect(lines[frag + 1].packet).toMatch(/^6/);
  });

  it('reports a rejected frame with its reason and carries on', () => {
    const bad = REF.slice(0, -4) + '0000';
    const r = sixlab(['decode', '--json', bad, REF]);
    expect(r.code).toBe(0);
    const [a, b] = r.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(a.reason).toBe('BadFcs');
    expect(a.error).toMatch(/FCS/);
    expect(b.ipv6.hopLimit).toBe(64);
  });

  it('stops at odd hex with one line and exit 2, after answering the lines before', () => {
    const r = sixlab(['decode', '--json'], `${REF}\n41cc4\n${REF}\n`);
    expect(r.code).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^sixlab: input 2: .*odd/);
  });

  it('refuses an unknown flag and a bad context with one line and exit 2', () => {
    const a = sixlab(['decode', '--nope', REF]);
    expect(a.code).toBe(2);
    expect(a.err.trim().split('\n')).toHaveLength(1);
    const b = sixlab(['decode', '--context', '0=2001:db8::', REF]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^sixlab: --context/);
  });
});

describe('sixlab encode', () => {
  const packet = '60000000000d1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506f0b1f0bf000d3c5c68656c6c6f';

  it('compresses the reference packet back into the reference frame', () => {
    const r = sixlab(['encode', '--ipv6', packet, '--src', '00:12:4b:00:00:01:02:03', '--dst', '00:12:4b:00:00:04:05:06',
      '--pan', '0xabcd', '--frame-version', '2003', '--seq', '66', '--json']);
    expect(r.code).toBe(0);
    const frames: string[] = JSON.parse(r.out).frames;
    // Same bytes but for the ACK request bit that encode sets on unicast frames.
    expect(frames).toEqual([REF.replace(/^41cc/, '61cc').slice(0, -4) + frames[0].slice(-4)]);
    expect(JSON.parse(sixlab(['decode', '--json', frames[0]]).out).packet).toBe(packet);
  });

  it('derives link addresses from the IPv6 addresses and fragments large packets', () => {
    const big = sixlab(['encode', '--json'], JSON.stringify({ ipv6: packet.replace('000d1140', '04b01140').replace('000d3c5c', '04b03c5c') + '00'.repeat(1187) }) + '\n');
    expect(big.code).toBe(0);
    const frames: string[] = JSON.parse(big.out).frames;
    expect(frames.length).toBeGreaterThan(10);
    const d = sixlab(['decode', '--json'], frames.join('\n') + '\n').out.trim().split('\n').map((l) => JSON.parse(l));
    expect(d[d.length - 1].ipv6.payloadLength).toBe(1200);
    expect(d[0].mac.src).toBe('00:12:4b:00:00:01:02:03');
  });

  it('refuses a bad link address and a packet whose length field lies, with exit 2', () => {
    const a = sixlab(['encode', '--ipv6', packet, '--src', '00:12:4b']);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/^sixlab: --src/);
    const b = sixlab(['encode', '--ipv6', packet.replace('000d1140', '00ff1140')]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/payload length/);
  });
});
