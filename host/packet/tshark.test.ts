import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { arbIpv6Packet, type GeneratedPacket } from './arbitraries.js';
import { formatIpv6, parseIpv6 } from './ipv6-address.js';
import { buildIpv6Packet } from './packet.js';
import { LINKTYPE_IPV6, writePcap } from './pcap.js';
import { tempDir } from './test-util.js';
import { parseFieldLines, runTsharkFields, tsharkArgs, tsharkAvailable } from './tshark.js';
import { buildUdp } from './udp.js';

const HAVE_TSHARK = tsharkAvailable();
if (!HAVE_TSHARK) console.warn('tshark not found on PATH (or $TSHARK): skipping the tshark cross-check tests');

describe('tshark helpers', () => {
  it('parses -T fields output into one record per frame', () => {
    const rows = parseFieldLines('1\t17\ta,b\n2\t\n\n', ['frame.number', 'ipv6.nxt', 'x']);
    expect(rows).toEqual([
      { 'frame.number': '1', 'ipv6.nxt': '17', x: 'a,b' },
      { 'frame.number': '2', 'ipv6.nxt': '', x: '' },
    ]);
  });
  it('builds the argument list with one -o per option and -2 on request', () => {
    const args = tsharkArgs('f.pcap', ['frame.number', 'udp.srcport'], ['a:1', 'b:2'], { twoPass: true });
    expect(args.join(' ')).toBe(
      '-r f.pcap -n -T fields -E separator=/t -E occurrence=a -E aggregator=, -e frame.number -e udp.srcport -o a:1 -o b:2 -2',
    );
  });
  it('reports a missing tshark clearly', async () => {
    const saved = process.env.TSHARK;
    process.env.TSHARK = '/nonexistent/tshark';
    try {
      expect(tsharkAvailable()).toBe(false);
      await expect(runTsharkFields('x.pcap', [])).rejects.toThrow(/tshark not found \("\/nonexistent\/tshark"\)/);
    } finally {
      if (saved === undefined) delete process.env.TSHARK;
      else process.env.TSHARK = saved;
    }
  });
});

describe.skipIf(!HAVE_TSHARK)('tshark cross-checks (skipped when tshark is missing)', () => {
  it('reports tshark errors (bad preference) as a one-line error', async () => {
    const file = join(tempDir(), 'empty.pcap');
    await writePcap(file, LINKTYPE_IPV6, []);
    await expect(runTsharkFields(file, [], ['no.such.preference:1'])).rejects.toThrow(/tshark exited with \d+: [^\n]+$/);
  });

  it('with twoPass, shows fragment reassembly on the completing frame', async () => {
    const src = parseIpv6('fe80::1');
    const dst = parseIpv6('fe80::2');
    const udp = buildUdp(src, dst, { srcPort: 0xf0b1, dstPort: 0xf0b2, payload: new Uint8Array(24).fill(7) });
    const frag = (fragmentOffset: number, more: boolean, bytes: Uint8Array) =>
      buildIpv6Packet({
        src,
        dst,
        extensions: [{ kind: 'fragment', fragmentOffset, more, identification: 0x1234 }],
        upper: { kind: 'raw', nextHeader: 17, bytes },
      });
    const file = join(tempDir(), 'frag.pcap');
    await writePcap(file, LINKTYPE_IPV6, [
      { timeUs: 0, data: frag(0, true, udp.subarray(0, 16)) },
      { timeUs: 1, data: frag(2, false, udp.subarray(16)) },
    ]);
    const fields = ['ipv6.reassembled.in', 'udp.srcport', 'udp.checksum.status'];
    const opts = ['udp.check_checksum:TRUE'];
    const twoPass = await runTsharkFields(file, fields, opts, { twoPass: true });
    expect(twoPass.map((r) => [r['ipv6.reassembled.in'], r['udp.srcport'], r['udp.checksum.status']])).toEqual([
      ['2', '', ''],
      ['', '61617', '1'],
    ]);
    const onePass = await runTsharkFields(file, fields, opts);
    expect(onePass[0]['ipv6.reassembled.in']).toBe('');
  });

  it('agrees with the representation of 200 random packets', async () => {
    const seed = Date.now() ^ (Math.random() * 0x7fffffff);
    const packets = fc.sample(arbIpv6Packet(), { numRuns: 200, seed });
    const file = join(tempDir(), 'random.pcap');
    await writePcap(file, LINKTYPE_IPV6, packets.map((p, i) => ({ timeUs: i * 1000, data: p.bytes })));
    const rows = await runTsharkFields(file, Object.keys(expected(packets[0])), ['udp.check_checksum:TRUE']);
    expect(rows.length, `seed ${seed}`).toBe(200);
    expect(rows.map(observed), `seed ${seed}`).toEqual(packets.map(expected));
  });
});

const FIELDS = [
  'ipv6.src',
  'ipv6.dst',
  'ipv6.nxt',
  'ipv6.hlim',
  'ipv6.plen',
  'ipv6.tclass',
  'ipv6.flow',
  'udp.srcport',
  'udp.dstport',
  'udp.checksum.status',
  'icmpv6.checksum.status',
  'frame.protocols',
] as const;

// What tshark should show for a packet; checksum status 1 = Good.
function expected({ bytes, spec }: GeneratedPacket): Record<string, string> {
  const udp = spec.upper.kind === 'udp' ? spec.upper : undefined;
  return {
    'ipv6.src': formatIpv6(spec.src),
    'ipv6.dst': formatIpv6(spec.dst),
    'ipv6.nxt': String(bytes[6]),
    'ipv6.hlim': String(spec.hopLimit),
    'ipv6.plen': String(bytes.length - 40),
    'ipv6.tclass': String(spec.trafficClass),
    'ipv6.flow': String(spec.flowLabel),
    'udp.srcport': udp ? String(udp.srcPort) : '',
    'udp.dstport': udp ? String(udp.dstPort) : '',
    'udp.checksum.status': udp ? '1' : '',
    'icmpv6.checksum.status': spec.upper.kind === 'icmpv6' ? '1' : '',
    'frame.protocols': udp ? 'not malformed (UDP payload not checked)' : 'not malformed',
  };
}

// tshark's row, first occurrence only (a UDP payload may hold tunnelled headers).
function observed(row: Record<string, string>): Record<string, string> {
  const first = (f: string) => (row[f] ?? '').split(',')[0];
  const out: Record<string, string> = {};
  for (const f of FIELDS) out[f] = first(f);
  for (const f of ['ipv6.src', 'ipv6.dst']) if (out[f].includes('.')) out[f] = formatIpv6(parseIpv6(out[f]));
  for (const f of ['ipv6.tclass', 'ipv6.flow']) out[f] = String(parseInt(out[f], 16));
  const malformed = row['frame.protocols'].includes('_ws.malformed');
  const udp = out['udp.srcport'] !== '';
  out['frame.protocols'] = udp ? 'not malformed (UDP payload not checked)' : malformed ? row['frame.protocols'] : 'not malformed';
  return out;
}
