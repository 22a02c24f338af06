// The shapes every part of a conformance run shares: a test's declaration,
// its verdict, the evidence behind it, and what the reporters receive.
// (design notes, "Reports"; style notes: metadata in the declaration.)

export type Level = 'MUST' | 'SHOULD' | 'MAY';
export const LEVELS: readonly Level[] = ['MUST', 'SHOULD', 'MAY'];

export const SUITES = ['lowpan', 'ipv6', 'icmpv6', 'nd', 'slaac', 'lowpan-nd', 'udp', 'coap', 'robustness'] as const;
export type SuiteName = (typeof SUITES)[number];

/**
 * What a test needs of the board. A board that lacks one gets "not
 * applicable" with the reason shown.
 * - lowpan-nd / classic: the device's neighbor discovery (RFC 6775/8505 or RFC 4861/4862)
 * - ping, udp-send: the device sends an Echo Request / a UDP datagram on command
 * - coap: the device serves the ETSI CoAP plugtest resources on port 5683
 * - short-address: the device can be configured to use its 16-bit short address
 * - reboot: the device can be restarted within a test (to watch it boot)
 */
export type Need = 'lowpan-nd' | 'classic' | 'ping' | 'udp-send' | 'coap' | 'short-address' | 'reboot';

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'not-applicable' | 'error';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'inconclusive', 'not-applicable', 'error'];

/** Why a test failed: the rule, what was expected, what was seen, and the frames that show it. */
export interface Finding {
  rule: string;
  expected: string;
  seen: string;
  /** Frame numbers in the run's capture (1-based, as Wireshark numbers them). */
  frames: number[];
}

/** One frame of a test's evidence, decoded by the tester's own library. */
export interface EvidenceFrame {
  /** Frame number in the run's capture.pcapng (1-based). */
  n: number;
  /** Milliseconds since the test started, on the board's clock. */
  at: number;
  /** in: sent by the device side; out: sent by the tester. */
  direction: 'in' | 'out';
  /** Which station of the tester sent it (out), or "device". */
  station?: string;
  hex: string;
  /** One line, e.g. "IPHC fe80::1 -> fe80::2 ICMPv6 Echo Request id 1 seq 1". */
  summary: string;
  /** Header-by-header detail lines. */
  detail: string[];
  /** The tester could not decode it: itself a finding. */
  undecodable?: string;
  comment?: string;
}

export interface TestInfo {
  id: string;
  title: string;
  suite: SuiteName;
  ref: string;
  level: Level;
  needs: Need[];
  spec: string[];
}

export interface TestResult extends TestInfo {
  verdict: Verdict;
  /** One line: why it failed, was inconclusive, not applicable, or errored. */
  reason?: string;
  finding?: Finding;
  /** Notes the test recorded (scores, measured values). */
  notes: string[];
  /** Wall-clock milliseconds the test took. */
  durationMs: number;
  /** Milliseconds on the board's clock (virtual time on virtual boards). */
  boardMs: number;
  startedAt: string; // ISO 8601
  frames: EvidenceFrame[];
}

export interface RunInfo {
  board: string;
  boardKind: string;
  boardDescription?: string;
  faults: string[];
  /** sha256 of the core module the board runs (virtual boards), or what the device said it runs. */
  core?: { path?: string; sha256?: string; firmware?: string };
  sixlabVersion: string;
  startedAt: string;
  selection: { suites: string[]; grep?: string; level?: Level };
  total: number;
}

export interface RunSummary {
  board: string;
  counts: Record<Verdict, number>;
  bySuite: Record<string, Record<Verdict, number>>;
  byLevel: Record<Level, Record<Verdict, number>>;
  /** Ready when every MUST test passed (or was not applicable). */
  ready: boolean;
  readiness: string;
  /** SHOULD tests that did not pass: warnings. */
  warnings: { id: string; title: string; verdict: Verdict; reason?: string }[];
  durationMs: number;
  boardMs: number;
  interrupted: boolean;
  core?: RunInfo['core'];
  sixlabVersion: string;
  faults: string[];
}

/** A reporter: optional hooks, called in order; one that throws is reported and dropped, never stops the run. */
export interface Reporter {
  readonly name: string;
  onBegin?(run: RunInfo, tests: TestInfo[]): void | Promise<void>;
  onTestBegin?(test: TestInfo, index: number): void | Promise<void>;
  /** Every frame of the run, in order, with the test it belongs to (for the capture). */
  onFrame?(frame: RunFrame): void;
  onTestEnd?(result: TestResult, index: number): void | Promise<void>;
  onEnd?(summary: RunSummary, results: TestResult[]): void | Promise<void>;
}

export interface RunFrame {
  n: number;
  /** Microseconds since the Unix epoch (board time mapped onto the run's wall clock). */
  timestampUs: bigint;
  psdu: Uint8Array;
  direction: 'in' | 'out';
  /** On the first frame of each test: "TEST <id> <title>". */
  comment?: string;
}
