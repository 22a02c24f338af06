import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readPcapng } from '../../host/capture/pcapng.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS } from '../../host/packet/pcap.js';
import { CaptureReporter } from './pcapng.js';
import { drive, fixtureResults, infoOf, RUN, runFramesOf, tempReportDir } from './test-util.js';

const TSHARK = process.env.TSHARK || '/usr/bin/tshark';

/** `tshark -r file -T fields -e frame.number -e ...`, one array of fields per frame. */
function tshark(path: string, fields: string[]): string[][] {
  const r = spawnSync(TSHARK, ['-r', path, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`tshark failed: ${r.error?.message ?? r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
}

describe('CaptureReporter', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
    const v = spawnSync(TSHARK, ['-v'], { stdio: 'ignore' });
    if (v.error || v.status !== 0) {
      throw new Error(`tshark is needed by these tests and was not found at ${TSHARK}: apt-get install tshark (scripts/test-all.sh does), or set TSHARK`);
    }
  });

  it('writes every frame, with direction, timestamps and a comment naming each test on its first frame', async () => {
    dir = tempReportDir();
    const results = fixtureResults();
    await drive(new CaptureReporter(dir), results);
    const cap = readPcapng(new Uint8Array(readFileSync(join(dir, 'capture.pcapng'))));
    expect(cap.truncated).toBe(false);
    expect(cap.interfaces).toHaveLength(1);
    expect(cap.interfaces[0]).toMatchObject({ linkType: LINKTYPE_IEEE802_15_4_WITHFCS, name: 'virtual' });
    expect(cap.sections[0].application).toBe('sixlab 0.1.0');
    expect(cap.sections[0].comments[0]).toContain('faults: no-ns-reply');
    const expected = results.flatMap((r) => runFramesOf(r));
    expect(cap.packets).toHaveLength(13);
    cap.packets.forEach((p, i) => {
      expect(Buffer.from(p.data).toString('hex')).toBe(Buffer.from(expected[i].psdu).toString('hex'));
      expect(p.direction).toBe(expected[i].direction);
      expect(p.timeUs).toBe(expected[i].timestampUs);
    });
    const commented = cap.packets.map((p, i) => [i + 1, p.comments]).filter(([, c]) => (c as string[]).length);
    expect(commented).toEqual([
      [1, ['TEST LOWPAN-01 uncompressed IPv6 dispatch (0x41) is accepted']],
      [3, ['TEST LOWPAN-25 a reserved dispatch is dropped']],
      [5, ['TEST IPV6-02 hop limit 64 on sent packets']],
      [6, ['TEST ICMPV6-03 Echo Reply to a 1280-octet Echo Request']],
      [7, ['TEST ICMPV6-11 errors are rate limited']],
      [9, ['TEST ND-06 Neighbor Solicitation answered with Neighbor Advertisement']],
      [10, ['TEST UDP-02 zero checksum is refused']],
      [11, ['TEST UDP-03 UDP checksum covers the pseudo-header']],
      [13, ['TEST COAP-01 GET /test answers 2.05']],
    ]);
  });

  it('names the test itself when the runner gives no comment', async () => {
    dir = tempReportDir();
    await drive(new CaptureReporter(dir), fixtureResults(), { noFrameComments: true });
    const cap = readPcapng(new Uint8Array(readFileSync(join(dir, 'capture.pcapng'))));
    expect(cap.packets[2].comments).toEqual(['TEST LOWPAN-25 a reserved dispatch is dropped']);
    expect(cap.packets[3].comments).toEqual([]);
    expect(cap.packets.filter((p) => p.comments.length)).toHaveLength(9);
  });

  it('has each frame in the file as soon as onFrame returns (before onEnd)', async () => {
    dir = tempReportDir();
    const path = join(dir, 'capture.pcapng');
    const reporter = new CaptureReporter(dir);
    const results = fixtureResults();
    await reporter.onBegin(RUN, results.map(infoOf));
    reporter.onTestBegin(infoOf(results[0]), 0);
    const [f1, f2] = runFramesOf(results[0]);
    reporter.onFrame(f1);
    expect(readPcapng(new Uint8Array(readFileSync(path))).packets).toHaveLength(1);
    reporter.onFrame(f2);
    expect(readPcapng(new Uint8Array(readFileSync(path))).packets).toHaveLength(2);
    await reporter.onEnd(undefined as never, []);
  });

  it('says so in the capture when the runner numbers a frame differently', async () => {
    dir = tempReportDir();
    const reporter = new CaptureReporter(dir);
    const [r] = fixtureResults();
    await reporter.onBegin(RUN, [infoOf(r)]);
    const [f1] = runFramesOf(r);
    reporter.onFrame({ ...f1, n: 5 });
    await reporter.onEnd(undefined as never, []);
    const cap = readPcapng(new Uint8Array(readFileSync(join(dir, 'capture.pcapng'))));
    expect(cap.packets[0].comments).toEqual([f1.comment, 'sixlab: the run numbered this frame 5, it is frame 1 of the capture']);
  });

  it('shows the comments where Wireshark shows them (tshark frame.comment) with the directions', async () => {
    dir = tempReportDir();
    const results = fixtureResults();
    await drive(new CaptureReporter(dir), results);
    const path = join(dir, 'capture.pcapng');
    // tshark 4.0 has both frame.comment (the field) and pkt_comment (the protocol); the field carries the text.
    const rows = tshark(path, ['frame.number', 'frame.comment', 'frame.packet_flags_direction', 'wpan.seq_no']);
    expect(rows).toHaveLength(13);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 13 }, (_, i) => String(i + 1)));
    const comments = rows.filter((r) => r[1]).map((r) => [Number(r[0]), r[1]]);
    expect(comments).toHaveLength(9);
    expect(comments[1]).toEqual([3, 'TEST LOWPAN-25 a reserved dispatch is dropped']);
    expect(comments[8]).toEqual([13, 'TEST COAP-01 GET /test answers 2.05']);
    const frames = results.flatMap((r) => r.frames);
    // 1 = inbound (from the device), 2 = outbound (from the tester); tshark may print them in hex
    expect(rows.map((r) => Number(r[2]))).toEqual(frames.map((f) => (f.direction === 'in' ? 1 : 2)));
    // and the frames decode as 802.15.4 with their sequence numbers (FCS accepted)
    expect(rows.map((r) => Number(r[3]))).toEqual(frames.map((_, i) => i));
  });
});
