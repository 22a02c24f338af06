// Declaring a test: its metadata in the declaration (style notes: Playwright's
// way), its body a function of the fixtures. The suites register their tests
// here when their module is loaded.
import type { TestContext } from './context.js';
import { LEVELS, SUITES, type Level, type Need, type SuiteName, type TestInfo } from './types.js';

export interface TestDeclaration {
  id: string;
  title: string;
  suite: SuiteName;
  /** The rule, e.g. 'RFC 4861 §7.1.1'. */
  ref: string;
  level: Level;
  needs?: Need[];
  /** Public test descriptions covering the same ground: 'TD_6Lo_FORMAT_01', 'v6LC.2.1.2', 'TD_COAP_CORE_01'. */
  spec?: string[];
  /** The device is configured to send from its 16-bit short address (ETSI "EUT2 uses 16-bit short address"). */
  shortSource?: boolean;
  /**
   * Board-clock milliseconds the body needs (default 30 s; the suites' checks
   * hold each test to it on the virtual boards). On a real-time board a test
   * that needs more than the board's maxTestMs (default 2 min) is not run
   * unless the run is --long.
   */
  timeoutMs?: number;
  /**
   * The virtual board's faults that must keep this test from passing: it
   * fails (or is inconclusive, when the fault breaks its precondition). A
   * name may be limited to one device mode: 'wrong-hop-limit-ns@lowpan-nd'.
   * The fault check runs every fault and holds each test to this list.
   */
  faults?: string[];
}

/** Board time a test body may take when it declares none. */
export const DEFAULT_TEST_MS = 30_000;

export interface TestCase extends TestInfo {
  shortSource: boolean;
  faults: string[];
  timeoutMs?: number;
  run: (t: TestContext) => Promise<void>;
}

const registry = new Map<string, TestCase>();

export function defineTest(decl: TestDeclaration, run: (t: TestContext) => Promise<void>): TestCase {
  if (registry.has(decl.id)) throw new Error(`conformance: test ${decl.id} is declared twice`);
  if (!SUITES.includes(decl.suite)) throw new Error(`conformance: test ${decl.id}: unknown suite ${decl.suite}`);
  if (!LEVELS.includes(decl.level)) throw new Error(`conformance: test ${decl.id}: level must be MUST, SHOULD or MAY`);
  if (!/^RFC \d+|^IEEE 802\.15\.4/.test(decl.ref)) throw new Error(`conformance: test ${decl.id}: ref must name an RFC or IEEE 802.15.4 section`);
  const needs = [...(decl.needs ?? [])];
  if (decl.shortSource && !needs.includes('short-address')) needs.push('short-address');
  const tc: TestCase = {
    id: decl.id, title: decl.title, suite: decl.suite, ref: decl.ref, level: decl.level, needs, spec: decl.spec ?? [],
    shortSource: decl.shortSource ?? false, timeoutMs: decl.timeoutMs, faults: decl.faults ?? [], run,
  };
  registry.set(decl.id, tc);
  return tc;
}

/** Every declared test, in suite order then declaration order. */
export function allTests(): TestCase[] {
  const order = (s: SuiteName) => SUITES.indexOf(s);
  return [...registry.values()].sort((a, b) => order(a.suite) - order(b.suite));
}

export function testInfo(t: TestCase): TestInfo {
  return { id: t.id, title: t.title, suite: t.suite, ref: t.ref, level: t.level, needs: t.needs, spec: t.spec };
}

export interface Selection {
  suites?: string[];
  grep?: string;
  level?: Level;
}

/** The tests a selection picks: suites (any of), a pattern over id and title, a level and those above it. */
export function selectTests(tests: TestCase[], s: Selection): TestCase[] {
  const re = s.grep ? new RegExp(s.grep, 'i') : undefined;
  const maxLevel = s.level ? LEVELS.indexOf(s.level) : LEVELS.length - 1;
  return tests.filter((t) =>
    (!s.suites?.length || s.suites.includes(t.suite)) &&
    (!re || [t.id, t.title, ...t.spec].some((x) => re.test(x))) &&
    LEVELS.indexOf(t.level) <= maxLevel);
}

/** Whether `fault` must keep `test` from passing on a device in `mode`. */
export function faultTargets(test: TestCase, fault: string, mode: 'lowpan-nd' | 'classic'): boolean {
  return test.faults.some((f) => f === fault || f === `${fault}@${mode}`);
}
