// The conformance run's speed: each suite and the whole run on both virtual
// boards (virtual time, so wall time is what it costs), the whole run over a
// real PTY in real time, and the tester library's dissect rate.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../conformance/suites/index.js';
import { allTests, type TestCase } from '../../conformance/framework/define.js';
import { Runner } from '../../conformance/framework/runner.js';
import { LinkSession, VirtualSession, type Session } from '../../conformance/framework/session.js';
import { SUITES, type RunInfo, type TestResult } from '../../conformance/framework/types.js';
import { boardsDir, loadBoard } from '../board/board-config.js';
import { PtyServer } from '../board/pty-server.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { Reassembler, decodeLowpan } from '../packet/lowpan.js';
import { parseIpv6Packet } from '../packet/packet.js';

export interface SuiteTimes {
  board: string;
  wholeMs: number;
  tests: number;
  passed: number;
  notApplicable: number;
  other: number;
  suites: Record<string, number>;
}

async function runAll(session: Session, tests: TestCase[]): Promise<{ results: TestResult[]; ms: number }> {
  const runner = new Runner(session, []);
  const info: RunInfo = { board: session.board.name, boardKind: session.kind, faults: [], sixlabVersion: 'bench', startedAt: '', selection: { suites: [] }, total: tests.length };
  const start = performance.now();
  const out = await runner.run(info, tests);
  return { results: out.results, ms: performance.now() - start };
}

function times(board: string, results: TestResult[], wholeMs: number): SuiteTimes {
  const suites: Record<string, number> = {};
  for (const s of SUITES) suites[s] = results.filter((r) => r.suite === s).reduce((a, r) => a + r.durationMs, 0);
  return {
    board, wholeMs, tests: results.length, passed: results.filter((r) => r.verdict === 'pass').length,
    notApplicable: results.filter((r) => r.verdict === 'not-applicable').length,
    other: results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable').length, suites,
  };
}

/** Every suite on a virtual board, in this process. */
export async function virtualRun(boardName: string): Promise<SuiteTimes> {
  const session = new VirtualSession(loadBoard(boardName), {});
  const { results, ms } = await runAll(session, allTests());
  await session.close();
  return times(boardName, results, ms);
}

/** Every suite in real time over a PTY, against the virtual board served by socat. */
export async function ptyRun(): Promise<SuiteTimes | undefined> {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-bench-pty-'));
  const path = join(dir, 'link');
  const server = await PtyServer.start(loadBoard('virtual'), path);
  try {
    const config = JSON.parse(readFileSync(join(boardsDir(), 'virtual-pty', 'board.json'), 'utf8'));
    config.link.path = path;
    delete config.$schema;
    const file = join(dir, 'board.json');
    writeFileSync(file, JSON.stringify(config));
    const session = await LinkSession.open(loadBoard(file));
    const { results, ms } = await runAll(session, allTests());
    await session.close();
    return times('virtual-pty', results, ms);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tester library dissecting frames: MAC, 6LoWPAN (with reassembly) and IPv6 with its upper layer. */
export function dissectRate(frames: Uint8Array[], rounds = 20): number {
  let n = 0;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) {
    const reassembler = new Reassembler();
    for (const f of frames) {
      const mac = parseIeee802154(f);
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst });
      const p = d.kind === 'ipv6' ? d.packet : reassembler.accept(d, 0);
      if (p) parseIpv6Packet(p);
      n++;
    }
  }
  return n / ((performance.now() - start) / 1000);
}

