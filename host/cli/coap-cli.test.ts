// sixlab coap as a person types it: the built CLI on the virtual board.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'host', 'cli', 'main.js');
const DEVICE = 'coap://[2001:db8::212:4b00:0:1]';

function sixlab(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'coap', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('sixlab coap (the built CLI)', () => {
  it('GET through a gateway on the virtual board: code, options, payload; exit 0', () => {
    expect(sixlab(['get', '--board', 'virtual', `${DEVICE}/test`])).toEqual({ code: 0, out: '2.05 Content\nContent-Format: 0 (text/plain;charset=utf-8)\ntest\n', err: '' });
  });

  it('PUT with a payload reaches the actuator; a 4.xx exits 1', () => {
    expect(sixlab(['put', '--board', 'virtual', '--payload', '1', `${DEVICE}/actuators/relay`])).toMatchObject({ code: 0, out: expect.stringMatching(/^2\.04 Changed\n/) });
    expect(sixlab(['get', '--board', 'virtual', `${DEVICE}/nothing`])).toMatchObject({ code: 1, out: '4.04 Not Found\n' });
  });

  it('--observe --count 3 prints three notifications; exit 0', () => {
    const r = sixlab(['get', '--board', 'virtual', '--observe', '--count', '3', `${DEVICE}/obs`]);
    expect(r.code).toBe(0);
    expect(r.out.match(/^Observe: \d+$/gm)).toHaveLength(3);
  });

  it('usage errors: one line on stderr, exit 2', () => {
    for (const args of [
      ['get', '--board', 'virtual', 'http://[2001:db8::1]/test'],
      ['get', `${DEVICE}/test`],
      ['fetch', '--board', 'virtual', `${DEVICE}/test`],
      ['get', '--board', 'virtual', '--count', '2', `${DEVICE}/test`],
      ['get', '--board', 'no-such-board', `${DEVICE}/test`],
    ]) {
      const r = sixlab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
