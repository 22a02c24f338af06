// What a scenario run measured, and the verdict of its assertions.
import type { Assertions } from './scenario.js';

export interface LatencyStats {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

export interface Histogram {
  /** Bucket upper edges in ms; the last bucket is everything above the one before. */
  edges: number[];
  counts: number[];
}

export interface FlowMetrics {
  /** Telemetry: readings taken; commands: commands published. */
  sent: number;
  /** Distinct ones that arrived (telemetry: on MQTT; commands: their result on MQTT). */
  delivered: number;
  deliveryRatio: number | null;
  duplicates: number;
  latencyMs: LatencyStats;
  histogram: Histogram;
  /** Per second of the traffic phase: sent and delivered. */
  perSecond: { t: number; sent: number; delivered: number }[];
  /** Commands only: results that came back with an error code or none. */
  failed?: number;
}

export interface RegistrationMetrics {
  devices: number;
  registered: number;
  /** Milliseconds from a device's boot to its first registration. */
  latencyMs: LatencyStats;
  /** Each registration, ms after the fleet booted, sorted (the plot). */
  times: number[];
}

export interface AssertionResult {
  name: keyof Assertions;
  flow?: 'telemetry' | 'commands';
  ok: boolean;
  /** "delivery ratio 0.982 < 0.99 (telemetry)". */
  message: string;
}

/** Nearest-rank percentile (p in 0..100) of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function latencyStats(values: number[]): LatencyStats {
  const s = Float64Array.from(values).sort();
  const arr = Array.from(s);
  const sum = arr.reduce((a, b) => a + b, 0);
  return {
    count: arr.length, p50: percentile(arr, 50), p90: percentile(arr, 90), p99: percentile(arr, 99),
    max: arr.length ? arr[arr.length - 1] : null, mean: arr.length ? sum / arr.length : null,
  };
}

/** Log-spaced buckets from 0.5 ms to 60 s (and above). */
export const HISTOGRAM_EDGES = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 2000, 5000, 10_000, 30_000, 60_000, Infinity];

export function histogram(values: number[], edges = HISTOGRAM_EDGES): Histogram {
  const counts = edges.map(() => 0);
  for (const v of values) {
    let i = 0;
    while (i < edges.length - 1 && v > edges[i]) i++;
    counts[i]++;
  }
  // Trim empty buckets at both ends, keeping the edges readable.
  let lo = 0;
  let hi = counts.length - 1;
  while (lo < hi && counts[lo] === 0) lo++;
  while (hi > lo && counts[hi] === 0) hi--;
  return { edges: edges.slice(lo, hi + 1).map((e) => (e === Infinity ? -1 : e)), counts: counts.slice(lo, hi + 1) };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(x < 10 ? 2 : 1));

/** Each assertion of the scenario against what was measured, for each flow it applies to. */
export function checkAssertions(a: Assertions, flows: { telemetry?: FlowMetrics; commands?: FlowMetrics }, reg: RegistrationMetrics): AssertionResult[] {
  const out: AssertionResult[] = [];
  for (const flow of ['telemetry', 'commands'] as const) {
    const m = flows[flow];
    if (!m) continue;
    if (a.minDeliveryRatio !== undefined) {
      const r = m.deliveryRatio ?? 0;
      const ok = m.sent > 0 && r >= a.minDeliveryRatio;
      out.push({
        name: 'minDeliveryRatio', flow, ok,
        message: m.sent === 0 ? `nothing was sent (${flow})` : `delivery ratio ${r.toFixed(4)} (${m.delivered} of ${m.sent}) ${ok ? '>=' : '<'} ${a.minDeliveryRatio} (${flow})`,
      });
    }
    for (const [name, p] of [['maxP50LatencyMs', 'p50'], ['maxP99LatencyMs', 'p99']] as const) {
      const bound = a[name];
      if (bound === undefined) continue;
      const v = m.latencyMs[p];
      const ok = v !== null && v <= bound;
      out.push({ name, flow, ok, message: v === null ? `no ${p} latency: nothing arrived (${flow})` : `${p} latency ${fmt(v)} ms ${ok ? '<=' : '>'} ${bound} ms (${flow})` });
    }
    if (a.noDuplicates) {
      out.push({ name: 'noDuplicates', flow, ok: m.duplicates === 0, message: `${m.duplicates} duplicate${m.duplicates === 1 ? '' : 's'} (${flow})` });
    }
  }
  if (a.maxRegistrationS !== undefined) {
    const bound = a.maxRegistrationS * 1000;
    const late = reg.devices - reg.times.filter((t) => t <= bound).length;
    const ok = late === 0;
    out.push({
      name: 'maxRegistrationS', ok,
      message: ok
        ? `every device (${reg.devices}) registered within ${a.maxRegistrationS} s (last after ${fmt((reg.latencyMs.max ?? 0) / 1000)} s)`
        : `${late} of ${reg.devices} devices not registered within ${a.maxRegistrationS} s (${reg.devices - reg.registered} never)`,
    });
  }
  return out;
}
