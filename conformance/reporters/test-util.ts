// Fixtures shared by the reporters' *.test.ts files (not used at run time):
// a run, a dozen results covering every verdict with real 802.15.4 frames,
// and a driver that feeds them to a reporter the way the runner does.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDataFrame } from '../../host/packet/ieee802154.js';
import { shortAddress } from '../../host/packet/link-address.js';
import type { EvidenceFrame, Reporter, RunFrame, RunInfo, TestInfo, TestResult } from '../framework/types.js';
import { summarize } from './summary.js';

export const HOSTILE = '<script>alert(1)</script>';
/** A frame summary as a hostile device could make it: markup, quotes, an escape sequence, a NUL. */
export const HOSTILE_SUMMARY = `${HOSTILE} & "q" 'a' \x1b[2J\x00 bell\x07`;

export function tempReportDir(): string {
  return mkdtempSync(join(tmpdir(), 'sixlab-reporters-'));
}

export const RUN: RunInfo = {
  board: 'virtual',
  boardKind: 'virtual',
  boardDescription: 'in-process core on the simulated medium',
  faults: ['no-ns-reply'],
  core: { path: 'build/sixlab-core.wasm', sha256: 'a3f1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90' },
  sixlabVersion: '0.1.0',
  startedAt: '2025-01-02T03:04:05.000Z',
  selection: { suites: ['lowpan', 'ipv6', 'icmpv6', 'nd', 'slaac', 'udp', 'coap'] },
  total: 12,
};

let seq = 0;
function frameBytes(direction: 'in' | 'out', payload: number[]): Uint8Array {
  const [src, dst] = direction === 'in' ? [0x0002, 0x0001] : [0x0001, 0x0002];
  return buildDataFrame({ src: shortAddress(src), dst: shortAddress(dst), pan: 0xabcd, seq: seq++ & 0xff }, Uint8Array.from(payload));
}

/** Frames for one test, numbered from `first`. */
function frames(first: number, specs: Array<{ direction: 'in' | 'out'; summary: string; detail?: string[] }>): EvidenceFrame[] {
  return specs.map((s, i) => {
    const bytes = frameBytes(s.direction, [0x41, 0x60, 0x00, 0x00, 0x00, i]);
    return {
      n: first + i,
      at: i * 12.5,
      direction: s.direction,
      ...(s.direction === 'out' ? { station: 'tester-1' } : {}),
      hex: Buffer.from(bytes).toString('hex'),
      summary: s.summary,
      detail: s.detail ?? [`802.15.4 data frame seq ${i}`, 'IPv6 uncompressed (dispatch 0x41)'],
    };
  });
}

function result(info: Partial<TestResult> & Pick<TestResult, 'id' | 'title' | 'suite' | 'level' | 'verdict'>, at: number): TestResult {
  return {
    ref: 'RFC 4944 §5.1',
    needs: [],
    spec: [],
    notes: [],
    durationMs: 10 + at,
    boardMs: 100 + at * 10,
    startedAt: new Date(Date.parse(RUN.startedAt) + at * 1000).toISOString(),
    frames: [],
    ...info,
  };
}

/**
 * 12 results: 4 pass, 3 fail, 1 error, 2 inconclusive, 2 not applicable.
 * MUST: 2 pass, 2 fail (LOWPAN-25, ND-06), 1 error (ICMPV6-03), 1 inconclusive (IPV6-09), 1 n/a.
 * SHOULD: fail ICMPV6-11 and inconclusive UDP-02 (the warnings), 1 pass, 1 n/a. MAY: 1 pass.
 * Frames 1..13 in order.
 */
export function fixtureResults(): TestResult[] {
  seq = 0;
  return [
    result({ id: 'LOWPAN-01', title: 'uncompressed IPv6 dispatch (0x41) is accepted', suite: 'lowpan', level: 'MUST', verdict: 'pass',
      spec: ['TD_6Lo_FORMAT_01'], needs: ['ping'],
      frames: frames(1, [{ direction: 'out', summary: 'LOWPAN_IPV6 fe80::1 -> fe80::2 ICMPv6 Echo Request id 1 seq 1' },
        { direction: 'in', summary: 'IPHC fe80::2 -> fe80::1 ICMPv6 Echo Reply id 1 seq 1' }]) }, 0),
    result({ id: 'LOWPAN-25', title: 'a reserved dispatch is dropped', suite: 'lowpan', level: 'MUST', verdict: 'fail',
      spec: ['TD_6Lo_FORMAT_09', 'TD_6Lo_FORMAT_10'], reason: 'the device answered a frame with a reserved dispatch',
      finding: { rule: 'RFC 4944 §5.1: reserved dispatch', expected: 'no answer', seen: 'an Echo Reply', frames: [4] },
      frames: frames(3, [{ direction: 'out', summary: 'dispatch 0x7f (reserved)' },
        { direction: 'in', summary: HOSTILE_SUMMARY, detail: [`<b>${HOSTILE}</b>`, 'line & 2'] }]) }, 1),
    result({ id: 'IPV6-02', title: 'hop limit 64 on sent packets', suite: 'ipv6', level: 'MUST', verdict: 'pass', ref: 'RFC 8200 §3',
      frames: frames(5, [{ direction: 'in', summary: 'IPHC fe80::2 -> ff02::1 hop limit 64' }]) }, 2),
    result({ id: 'IPV6-09', title: 'unknown extension header answered with Parameter Problem', suite: 'ipv6', level: 'MUST',
      verdict: 'inconclusive', ref: 'RFC 8200 §4', reason: 'the rate limit left no answer to judge' }, 3),
    result({ id: 'ICMPV6-03', title: 'Echo Reply to a 1280-octet Echo Request', suite: 'icmpv6', level: 'MUST', verdict: 'error',
      ref: 'RFC 4443 §4.2', reason: 'device said <img src=x onerror=alert(2)>', needs: ['ping'],
      frames: frames(6, [{ direction: 'out', summary: 'FRAG1 size 1280 tag 7' }]) }, 4),
    result({ id: 'ICMPV6-11', title: 'errors are rate limited', suite: 'icmpv6', level: 'SHOULD', verdict: 'fail', ref: 'RFC 4443 §2.4(f)',
      reason: '200 errors in 1 s', finding: { rule: 'RFC 4443 §2.4(f)', expected: 'a rate limit', seen: '200 errors in 1 s', frames: [7, 8] },
      frames: frames(7, [{ direction: 'out', summary: 'IPHC to unknown port' }, { direction: 'in', summary: 'ICMPv6 Destination Unreachable' }]) }, 5),
    result({ id: 'ND-06', title: 'Neighbor Solicitation answered with Neighbor Advertisement', suite: 'nd', level: 'MUST', verdict: 'fail',
      ref: 'RFC 4861 §7.2.4', needs: ['classic'], reason: 'no Neighbor Advertisement within 1 s',
      finding: { rule: 'RFC 4861 §7.2.4', expected: 'a solicited NA', seen: 'nothing', frames: [9] },
      frames: frames(9, [{ direction: 'out', summary: 'NS fe80::1 -> ff02::1:ff00:2 target fe80::2' }]) }, 6),
    result({ id: 'ND-07', title: 'NUD probes a stale neighbor', suite: 'nd', level: 'MUST', verdict: 'not-applicable', ref: 'RFC 4861 §7.3.3',
      needs: ['classic'], reason: 'the board does not do classic ND' }, 7),
    result({ id: 'UDP-02', title: 'zero checksum is refused', suite: 'udp', level: 'SHOULD', verdict: 'inconclusive', ref: 'RFC 8200 §8.1',
      needs: ['udp-send'], reason: 'the device sent nothing to compare',
      frames: frames(10, [{ direction: 'out', summary: 'UDP checksum 0' }]) }, 8),
    result({ id: 'UDP-03', title: 'UDP checksum covers the pseudo-header', suite: 'udp', level: 'SHOULD', verdict: 'pass', ref: 'RFC 8200 §8.1',
      frames: frames(11, [{ direction: 'out', summary: 'UDP 5683' }, { direction: 'in', summary: 'UDP reply' }]) }, 9),
    result({ id: 'SLAAC-04', title: 'address formed from a PIO', suite: 'slaac', level: 'SHOULD', verdict: 'not-applicable',
      ref: 'RFC 4862 §5.5.3', needs: ['classic'], reason: 'the board does not do classic ND' }, 10),
    result({ id: 'COAP-01', title: 'GET /test answers 2.05', suite: 'coap', level: 'MAY', verdict: 'pass', ref: 'RFC 7252 §5.8.1',
      spec: ['TD_COAP_CORE_01'], needs: ['coap'], notes: ['round trip 12 ms', `payload ${HOSTILE}`],
      frames: frames(13, [{ direction: 'out', summary: 'CoAP CON GET /test' }]) }, 11),
  ];
}

export function infoOf(r: TestResult): TestInfo {
  return { id: r.id, title: r.title, suite: r.suite, ref: r.ref, level: r.level, needs: r.needs, spec: r.spec };
}

/** The RunFrames of these results, as the runner would emit them (comment on each test's first frame). */
export function runFramesOf(r: TestResult): RunFrame[] {
  const start = BigInt(Date.parse(r.startedAt)) * 1000n;
  return r.frames.map((f, i) => ({
    n: f.n,
    timestampUs: start + BigInt(Math.round(f.at * 1000)),
    psdu: Uint8Array.from(Buffer.from(f.hex, 'hex')),
    direction: f.direction,
    ...(i === 0 ? { comment: `TEST ${r.id} ${r.title}` } : {}),
  }));
}

export interface DriveOptions {
  run?: RunInfo;
  interrupted?: boolean;
  /** Leave the RunFrame comments out (the reporter must name the test itself). */
  noFrameComments?: boolean;
  /** Stop before onEnd. */
  skipEnd?: boolean;
}

/** Feeds results to a reporter hook by hook, as the runner does; returns the summary given to onEnd. */
export async function drive(reporter: Reporter, results: TestResult[], opts: DriveOptions = {}) {
  const run = opts.run ?? RUN;
  await reporter.onBegin?.(run, results.map(infoOf));
  for (const [i, r] of results.entries()) {
    await reporter.onTestBegin?.(infoOf(r), i);
    for (const f of runFramesOf(r)) {
      if (opts.noFrameComments) delete f.comment;
      reporter.onFrame?.(f);
    }
    await reporter.onTestEnd?.(r, i);
  }
  const summary = summarize(run, results, {
    durationMs: results.reduce((s, r) => s + r.durationMs, 0),
    boardMs: results.reduce((s, r) => s + r.boardMs, 0),
    interrupted: opts.interrupted ?? false,
  });
  if (!opts.skipEnd) await reporter.onEnd?.(summary, results);
  return summary;
}
