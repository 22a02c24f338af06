// Proof that every test can fail: run tests on a virtual board with one fault
// at a time and hold each test to its declaration. A test that lists the fault
// must not pass (fail, or inconclusive when the fault breaks its precondition);
// every other test must still pass (or be not applicable).
import { loadBoard } from '../../host/board/board-config.js';
import { faultTargets, type TestCase } from './define.js';
import { Runner } from './runner.js';
import { VirtualSession } from './session.js';
import type { RunInfo, TestResult } from './types.js';

export async function runOnVirtual(boardName: string, tests: TestCase[], faults: string[] = []): Promise<TestResult[]> {
  const board = loadBoard(boardName);
  const session = new VirtualSession(board, { faults });
  const runner = new Runner(session, []);
  const info: RunInfo = {
    board: board.name, boardKind: 'virtual', faults, sixlabVersion: 'test', startedAt: new Date().toISOString(),
    selection: { suites: [] }, total: tests.length,
  };
  const out = await runner.run(info, tests);
  await session.close();
  return out.results;
}

export interface Mismatch {
  id: string;
  fault: string;
  verdict: string;
  wanted: string;
  reason?: string;
}

/** Tests whose verdict under `fault` (undefined: no fault) is not what their declaration says. */
export function mismatches(tests: TestCase[], results: TestResult[], fault: string | undefined, mode: 'lowpan-nd' | 'classic'): Mismatch[] {
  const out: Mismatch[] = [];
  for (const r of results) {
    const t = tests.find((x) => x.id === r.id)!;
    const targeted = fault !== undefined && faultTargets(t, fault, mode);
    if (r.verdict === 'not-applicable') continue;
    const ok = targeted ? r.verdict === 'fail' || r.verdict === 'inconclusive' : r.verdict === 'pass';
    if (!ok) out.push({ id: r.id, fault: fault ?? '(none)', verdict: r.verdict, wanted: targeted ? 'fail' : 'pass', reason: r.reason });
  }
  return out;
}

/** Every fault named in the tests' declarations. */
export function declaredFaults(tests: TestCase[]): string[] {
  return [...new Set(tests.flatMap((t) => t.faults.map((f) => f.split('@')[0])))].sort();
}

export function modeOf(boardName: string): 'lowpan-nd' | 'classic' {
  return loadBoard(boardName).device.mode ?? 'lowpan-nd';
}
