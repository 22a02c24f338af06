// Vitest blocks shared by the suites' *.test.ts files: the suite passes on
// both virtual boards without faults, and under every registered fault
// exactly the tests that declare it do not pass; every test is made to fail
// by at least one fault (design notes: a test earns its place only if it can
// fail). Pairs a fault cannot touch are settled by one observing run
// (fault-check.ts explains why that is exact).
import { beforeAll, describe, expect, it } from 'vitest';
import { faultNames } from '../../host/board/faults.js';
import { loadBoard } from '../../host/board/board-config.js';
import { boardNeeds } from './session.js';
import { DEFAULT_TEST_MS, allTests, faultTargets, type TestCase } from './define.js';
import { VIRTUAL_SETTLE_MS } from './runner.js';
import { faultsActingOn, mismatches, modeOf, runOnVirtual, testsToRun } from './fault-check.js';
import type { SuiteName } from './types.js';

export const VIRTUAL_BOARDS = ['virtual', 'virtual-classic'];

/** Faults that only stand for a dead device; checked by the runner's own tests, not per suite. */
const BOARD_LEVEL = new Set(['mute']);

export function checkSuites(suites: SuiteName[], options: { faults?: string[] } = {}): void {
  const tests = (): TestCase[] => allTests().filter((t) => suites.includes(t.suite));
  const faults = () => options.faults ?? faultNames().filter((f) => !BOARD_LEVEL.has(f));
  const failedBy = new Map<string, Set<string>>();
  const applied = new Set<string>();
  for (const board of VIRTUAL_BOARDS) {
    describe(`${suites.join(', ')} on board ${board}`, () => {
      let acting = new Map<string, Set<string>>();
      beforeAll(async () => {
        acting = await faultsActingOn(board, tests(), faults());
      });
      it('every test passes (or is not applicable) without faults', async () => {
        const results = await runOnVirtual(board, tests());
        for (const r of results) if (r.verdict !== 'not-applicable') applied.add(r.id);
        expect(mismatches(tests(), results, undefined, modeOf(board))).toEqual([]);
        // Each test needs no more board time than it declares (what a real-time board's run relies on).
        const overrun = results.filter((r) => r.boardMs - VIRTUAL_SETTLE_MS > (tests().find((t) => t.id === r.id)!.timeoutMs ?? DEFAULT_TEST_MS))
          .map((r) => `${r.id} took ${Math.round(r.boardMs - VIRTUAL_SETTLE_MS)} ms of board time`);
        expect(overrun).toEqual([]);
      });
      for (const fault of faults()) {
        it(`under fault ${fault}, exactly the tests that declare it do not pass`, async () => {
          const mode = modeOf(board);
          const needs = boardNeeds(loadBoard(board));
          const applicable = tests().filter((t) => t.needs.every((n) => needs.has(n)));
          const run = testsToRun(applicable, acting, fault, mode);
          // A declared test the fault never acts on would pass: say so without running it.
          const untouched = run.filter((t) => !acting.get(t.id)?.has(fault)).map((t) => ({
            id: t.id, fault, verdict: 'pass (the fault never acts in this test)', wanted: 'fail',
          }));
          const results = run.length > untouched.length ? await runOnVirtual(board, run.filter((t) => acting.get(t.id)?.has(fault)), [fault]) : [];
          for (const r of results) {
            if (r.verdict !== 'fail') continue;
            if (!failedBy.has(r.id)) failedBy.set(r.id, new Set());
            failedBy.get(r.id)!.add(fault);
          }
          const wrong = [...mismatches(tests(), results, fault, mode), ...untouched.filter((u) => faultTargets(tests().find((t) => t.id === u.id)!, fault, mode))];
          expect(wrong).toEqual([]);
        });
      }
    });
  }
  describe(`${suites.join(', ')}: every test can fail`, () => {
    it('applies to at least one virtual board and fails under at least one fault', () => {
      const never = tests().filter((t) => !failedBy.has(t.id)).map((t) => t.id);
      const nowhere = tests().filter((t) => !applied.has(t.id)).map((t) => t.id);
      expect({ neverFails: never, appliesNowhere: nowhere }).toEqual({ neverFails: [], appliesNowhere: [] });
    });
  });
}
