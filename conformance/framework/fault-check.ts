// Proof that every test can fail: run tests on a virtual board with one fault
// at a time and hold each test to its declaration. A test that lists the fault
// must not pass (fail, or inconclusive when the fault breaks its precondition);
// every other test must still pass (or be not applicable).
//
// Runs are deterministic (virtual time, seeds from the test's id), so a fault
// that never acts during a test's clean run (every frame it is given, it would
// pass on unchanged) cannot change that run: the test passes under it as it
// does without it. One observing run tells which faults act in which tests;
// only those pairs, and the tests that declare a fault, are run for real.
import { faultNames } from '../../host/board/faults.js';
import { loadBoard } from '../../host/board/board-config.js';
import { faultTargets, type TestCase } from './define.js';
import { Runner } from './runner.js';
import { VirtualSession } from './session.js';
import type { RunInfo, TestResult } from './types.js';

function info(boardName: string, faults: string[], n: number): RunInfo {
  return { board: boardName, boardKind: 'virtual', faults, sixlabVersion: 'test', startedAt: new Date().toISOString(), selection: { suites: [] }, total: n };
}

export async function runOnVirtual(boardName: string, tests: TestCase[], faults: string[] = []): Promise<TestResult[]> {
  const session = new VirtualSession(loadBoard(boardName), { faults });
  const out = await new Runner(session, []).run(info(boardName, faults, tests.length), tests, { evidence: false });
  await session.close();
  return out.results;
}

/** For each test, the faults that would act on its clean run. */
export async function faultsActingOn(boardName: string, tests: TestCase[], faults: string[] = faultNames()): Promise<Map<string, Set<string>>> {
  const acting = new Map<string, Set<string>>(tests.map((t) => [t.id, new Set<string>()]));
  let current = '';
  const session = new VirtualSession(loadBoard(boardName), { faults, observeFaults: (name) => acting.get(current)?.add(name) });
  const runner = new Runner(session, [{ name: 'which-test', onTestBegin: (t) => void (current = t.id) }]);
  await runner.run(info(boardName, faults, tests.length), tests, { evidence: false });
  await session.close();
  return acting;
}

/** The tests to run under `fault`: those it acts on, and those that declare it. */
export function testsToRun(tests: TestCase[], acting: Map<string, Set<string>>, fault: string, mode: 'lowpan-nd' | 'classic'): TestCase[] {
  return tests.filter((t) => acting.get(t.id)?.has(fault) || faultTargets(t, fault, mode));
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
