// Runs a scenario: the broker (embedded aedes, or the one at --mqtt-url), the
// collector, the fleet on worker threads (pool.ts), then the phases:
//   join     devices boot, register with their gateway and are observed by the
//            bridge; ends when all are (or at the registration bound)
//   traffic  sensors take readings, commands go out, for `duration` seconds
//   drain    up to `drain` seconds more for messages still on their way
// and finally the metrics, the assertions' verdict, metrics.json and report.html.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmbeddedBroker, type EmbeddedBroker } from '../bridge/broker.js';
import { deviceId } from '../bridge/topics.js';
import { SIXLAB_VERSION } from '../cli/version.js';
import { Collector } from './collector.js';
import type { FleetFinal, FleetMessage } from './fleet.js';
import { defaultGatewayModule } from './gateway-factory.js';
import { checkAssertions, latencyStats, type RegistrationMetrics } from './metrics.js';
import { FleetPool } from './pool.js';
import { renderReport, type ScenarioMetrics } from './report.js';
import { cellsOf, deviceEui64, powerOnSeconds, shardCells, type Scenario } from './scenario.js';

export interface RunOptions {
  scenario: Scenario;
  file: string;
  /** Overrides topology.devices (--devices). */
  devices?: number;
  /** An external broker (--mqtt-url); none: the embedded aedes. */
  mqttUrl?: string;
  /** The embedded broker's port (overrides the scenario's; 0: any free port). */
  brokerPort?: number;
  shard?: { index: number; count: number };
  /** Where metrics.json and report.html go; created once everything is open. */
  reportDir: string;
  workers?: number;
  gatewayModule?: string;
  /** Overrides the scenario's duration (seconds of traffic). */
  duration?: number;
  /** Told the broker's URL once it is up (the embedded one's port may be any free port). */
  onBroker?: (url: string, embedded: boolean) => void;
  /** Live figures while the run goes on (the CLI's progress line). */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface Progress {
  phase: 'join' | 'traffic' | 'drain';
  devices: number;
  registered: number;
  observed: number;
  messages: number;
  p50?: number;
  p99?: number;
  /** Seconds into the phase, and the phase's length (at most). */
  elapsedS: number;
  totalS: number;
}

export interface RunResult {
  metrics: ScenarioMetrics;
  failed: ScenarioMetrics['assertions'];
  reportDir: string;
}

/** A setup problem (broker unreachable, port taken, a worker that died): exit 2. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochNow = () => performance.timeOrigin + performance.now();
/** How long the join phase may last without a registration bound in the file. */
const DEFAULT_JOIN_S = 60;
/** Between the join and the traffic. */
const SETTLE_MS = 1000;

export async function runScenario(o: RunOptions): Promise<RunResult> {
  const fleetDevices = o.devices ?? o.scenario.topology.devices;
  const given = o.duration === undefined ? o.scenario : { ...o.scenario, duration: o.duration };
  const powerOnS = powerOnSeconds(given, fleetDevices);
  const s: Scenario = { ...given, topology: { ...given.topology, powerOnS } };
  const allCells = cellsOf(s, fleetDevices);
  let cells = allCells;
  if (o.shard) {
    try {
      cells = shardCells(allCells, o.shard);
    } catch (err) {
      throw new SetupError((err as Error).message);
    }
  }
  const devices = new Map<number, string>();
  for (const c of cells) for (let i = c.first; i < c.first + c.count; i++) devices.set(i, deviceId(deviceEui64(i)));
  const started = new Date();
  const wallStart = performance.now();

  let broker: EmbeddedBroker | undefined;
  let collector: Collector | undefined;
  let pool: FleetPool | undefined;
  const cleanup = async () => {
    await pool?.terminate();
    await collector?.close();
    await broker?.close();
  };
  try {
    // Open what must be opened, before anything is written.
    let url = o.mqttUrl;
    if (!url) {
      try {
        broker = await startEmbeddedBroker({ host: s.mqtt.broker.host, port: o.brokerPort ?? s.mqtt.broker.port });
      } catch (err) {
        throw new SetupError((err as Error).message);
      }
      url = broker.url;
    }
    o.onBroker?.(url, broker !== undefined);
    const tag = `${s.name}-${o.shard ? `${o.shard.index}of${o.shard.count}` : 'all'}-${process.pid}`;
    try {
      collector = await Collector.start({ scenario: s, url, devices, tag });
    } catch (err) {
      throw new SetupError((err as Error).message);
    }
    const registered = new Map<number, number>();
    const observed = new Set<number>();
    const lag = new Map<number, { max: number; mean: number }>();
    const c = collector;
    const onMessage = (m: FleetMessage) => {
      if (m.type !== 'progress') return;
      for (const [i, , after] of m.registered) registered.set(i, after);
      for (const i of m.observing) observed.add(i);
      c.addSamples(m.samples);
      lag.set(m.worker, { max: m.lagMaxMs, mean: m.lagMeanMs });
    };
    const rssBefore = process.memoryUsage().rss;
    try {
      pool = await FleetPool.start({ scenario: s, cells, mqttUrl: url, gatewayModule: o.gatewayModule ?? defaultGatewayModule(), workers: o.workers, onMessage });
    } catch (err) {
      throw new SetupError((err as Error).message);
    }
    const failure = pool.failure$();
    failure.catch(() => {});
    const guard = <T>(p: Promise<T>) => Promise.race([p, failure]);
    const aborted = () => o.signal?.aborted === true;

    const progress = (phase: Progress['phase'], phaseStart: number, totalS: number) => {
      const live = c.live();
      o.onProgress?.({
        phase, devices: devices.size, registered: registered.size, observed: observed.size, messages: live.messages, p50: live.p50, p99: live.p99,
        elapsedS: (performance.now() - phaseStart) / 1000, totalS,
      });
    };

    // Join: every device registered, and observed when there is telemetry.
    const joinStart = performance.now();
    const joinS = powerOnS + (s.assertions.maxRegistrationS ?? DEFAULT_JOIN_S) + (s.traffic.observe.length ? 5 : 0);
    const joined = () => (s.traffic.observe.length ? observed.size : registered.size) >= devices.size;
    while (!joined() && performance.now() - joinStart < joinS * 1000 && !aborted()) {
      await guard(sleep(100));
      progress('join', joinStart, joinS);
    }
    // A moment for the fleet to settle (first publishes, code warming up) before anything is measured.
    if (joined()) await guard(sleep(SETTLE_MS));
    const joinMs = performance.now() - joinStart;
    // Every device is on by now: what the fleet costs in memory.
    const memoryPerDevice = devices.size ? Math.max(0, process.memoryUsage().rss - rssBefore) / devices.size : null;

    // Traffic.
    const trafficStart = performance.now();
    c.startTraffic();
    pool.send('start');
    if (s.traffic.commands.length) c.startCommands();
    while (performance.now() - trafficStart < s.duration * 1000 && !aborted()) {
      await guard(sleep(Math.min(250, s.duration * 1000 - (performance.now() - trafficStart))));
      progress('traffic', trafficStart, s.duration);
    }
    pool.send('stop');
    c.stopCommands();
    const trafficMs = performance.now() - trafficStart;

    // Drain: the last readings reach the collector with the workers' next report (200 ms).
    const drainStart = performance.now();
    await guard(sleep(Math.min(400, s.drain * 1000)));
    while (!c.settled() && performance.now() - drainStart < s.drain * 1000 && !aborted()) {
      await guard(sleep(100));
      progress('drain', drainStart, s.drain);
    }
    const drainMs = performance.now() - drainStart;

    const finals: FleetFinal[] = await pool.close();
    pool = undefined;
    await c.close();
    collector = undefined;
    await broker?.close();
    const brokerName = broker ? `embedded aedes at ${broker.url}` : `external at ${url}`;
    broker = undefined;

    const times = [...registered.values()].sort((a, b) => a - b);
    const registration: RegistrationMetrics = { devices: devices.size, registered: registered.size, latencyMs: latencyStats(times), times };
    const telemetry = s.traffic.observe.length ? c.telemetry.metrics() : undefined;
    const commands = s.traffic.commands.length ? c.commands.metrics() : undefined;
    const assertions = checkAssertions(s.assertions, { telemetry, commands }, registration);
    const drops: Record<string, number> = {};
    for (const f of finals) for (const [k, v] of Object.entries(f.drops)) drops[k] = (drops[k] ?? 0) + v;
    const sum = (pick: (f: FleetFinal) => number) => finals.reduce((n, f) => n + pick(f), 0);
    const events = sum((f) => f.events);
    const metrics: ScenarioMetrics = {
      scenario: { name: s.name, file: o.file, description: s.description },
      sixlabVersion: SIXLAB_VERSION,
      startedAt: started.toISOString(),
      wallMs: performance.now() - wallStart,
      run: {
        fleetDevices, devices: devices.size, cells: cells.length, shard: o.shard ? `${o.shard.index}/${o.shard.count}` : undefined,
        broker: brokerName, workers: finals.length, clock: 'real time: a virtual clock paced to the wall clock (paced-clock.ts)',
        durationS: s.duration, drainS: s.drain, powerOnS,
      },
      phases: { joinMs, trafficMs, drainMs },
      registration,
      telemetry,
      commands,
      fleet: {
        lagMaxMs: Math.max(0, ...finals.map((f) => f.lagMaxMs)),
        lagMeanMs: events ? sum((f) => f.lagMeanMs * f.events) / events : 0,
        events,
        transmissions: sum((f) => f.medium.transmissions),
        deliveries: sum((f) => f.medium.deliveries),
        drops,
        memoryPerDeviceBytes: memoryPerDevice,
        published: sum((f) => f.bridge.published),
        stale: sum((f) => f.bridge.stale),
        observeFailures: sum((f) => f.bridge.observeFailures),
        unmatchedMessages: c.unmatched(),
      },
      assertions,
      verdict: assertions.every((a) => a.ok) ? 'pass' : 'fail',
    };
    mkdirSync(o.reportDir, { recursive: true });
    writeFileSync(join(o.reportDir, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    writeFileSync(join(o.reportDir, 'report.html'), renderReport(metrics));
    return { metrics, failed: assertions.filter((a) => !a.ok), reportDir: o.reportDir };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The line that says how a run went: the verdict and the figures behind it. */
export function summaryLines(m: ScenarioMetrics): string[] {
  const out: string[] = [];
  const f = (v: number | null) => (v === null ? '–' : `${v.toFixed(1)} ms`);
  out.push(`scenario ${m.scenario.name}: ${m.run.devices} device${m.run.devices === 1 ? '' : 's'}${m.run.shard ? ` (shard ${m.run.shard} of ${m.run.fleetDevices})` : ''}, ${m.registration.registered} registered (last after ${((m.registration.latencyMs.max ?? 0) / 1000).toFixed(1)} s)`);
  for (const [name, flow] of [['telemetry', m.telemetry], ['commands', m.commands]] as const) {
    if (!flow) continue;
    out.push(`  ${name}: ${flow.delivered}/${flow.sent} delivered (${flow.deliveryRatio === null ? '–' : (flow.deliveryRatio * 100).toFixed(2) + ' %'}), ${flow.duplicates} duplicates, latency p50 ${f(flow.latencyMs.p50)} p99 ${f(flow.latencyMs.p99)} max ${f(flow.latencyMs.max)}`);
  }
  for (const a of m.assertions) out.push(`  ${a.ok ? 'ok  ' : 'FAIL'} ${a.name}: ${a.message}`);
  out.push(m.verdict === 'pass' ? `PASS: every assertion holds` : `FAIL: ${m.assertions.filter((a) => !a.ok).map((a) => `${a.name}${a.flow ? ` (${a.flow})` : ''}`).join(', ')}`);
  return out;
}
