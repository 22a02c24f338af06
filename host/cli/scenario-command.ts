// sixlab scenario run FILE: a fleet of virtual devices through the gateway and
// an MQTT broker, the scenario file's traffic and assertions (docs/scenarios.md).
// Exit codes: 0 every assertion holds, 1 one failed (each failure named on
// stdout), 2 a bad file (one line per mistake), a bad flag or a setup problem
// (broker unreachable, a report folder that would be overwritten), 130
// interrupted (the report of what ran is still written).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { packageRoot } from '../core/sixlab-core.js';
import { runScenario, summaryLines, type Progress } from '../scenario/run.js';
import { ScenarioError, loadScenario, parseShard } from '../scenario/scenario.js';

export interface ScenarioRunOptions {
  devices?: string;
  duration?: string;
  mqttUrl?: string;
  brokerPort?: string;
  shard?: string;
  reportDir?: string;
  force?: boolean;
  workers?: string;
  /** For tests: the module that makes each worker's gateway. */
  gatewayModule?: string;
}

class Bad extends Error {}

function wholeNumber(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw new Bad(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
  return Number(text);
}

function checkUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Bad(`--mqtt-url ${text}: not a URL; expected something like mqtt://[::1]:1883`);
  }
  if (!['mqtt:', 'tcp:', 'mqtts:', 'ssl:', 'ws:', 'wss:'].includes(u.protocol)) throw new Bad(`--mqtt-url ${text}: expected an mqtt://, mqtts://, ws:// or wss:// URL`);
  return text;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
}

/** The report folder: new, empty, or (with --force) reused. Checked before anything starts. */
function reportFolder(dir: string | undefined, name: string, force: boolean): string {
  const path = resolve(dir ?? join('reports', `${timestamp()}-scenario-${name}`));
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new Bad(`--report-dir ${path}: exists and is not a folder`);
    if (readdirSync(path).length > 0 && !force) throw new Bad(`--report-dir ${path}: not empty (an earlier report?); use --force to overwrite`);
  }
  return path;
}

function progressBar(): { update: (p: Progress) => void; stop: () => void } {
  let bar: cliProgress.SingleBar | undefined;
  let phase = '';
  const ms = (v?: number) => (v === undefined ? '-' : v.toFixed(1));
  return {
    update: (p) => {
      const payload = {
        phase: p.phase.padEnd(7), registered: p.registered, devices: p.devices, observed: p.observed, messages: p.messages, p50: ms(p.p50), p99: ms(p.p99),
        secs: Math.floor(p.elapsedS),
      };
      if (p.phase !== phase) {
        bar?.stop();
        phase = p.phase;
        bar = new cliProgress.SingleBar({
          format: '{phase} |{bar}| {secs}/{total} s | joined {registered}/{devices} (observed {observed}) | messages {messages} | latency p50 {p50} ms p99 {p99} ms',
          stream: process.stderr, hideCursor: false, noTTYOutput: true, notTTYSchedule: 5000, barsize: 20,
        }, cliProgress.Presets.shades_classic);
        bar.start(Math.ceil(p.totalS), 0, payload);
      }
      bar?.update(Math.min(Math.ceil(p.totalS), Math.floor(p.elapsedS)), payload);
    },
    stop: () => bar?.stop(),
  };
}

/** A file path, or the name of a shipped scenario (telemetry, command, lossy-line: scenarios/NAME.yaml). */
export function scenarioFile(arg: string): string {
  if (existsSync(arg) || !/^[a-z0-9][a-z0-9-]*$/.test(arg)) return arg;
  const shipped = join(packageRoot(), 'scenarios', `${arg}.yaml`);
  return existsSync(shipped) ? shipped : arg;
}

export async function scenarioRun(arg: string, o: ScenarioRunOptions): Promise<number> {
  const file = scenarioFile(arg);
  const say = (line: string) => process.stderr.write(`sixlab: ${line}\n`);
  let scenario;
  try {
    scenario = loadScenario(file);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    for (const p of err.problems) say(`${file}: ${p}`);
    return 2;
  }
  let options;
  try {
    const devices = wholeNumber('--devices', o.devices, 1, 100_000);
    const brokerPort = wholeNumber('--broker-port', o.brokerPort, 0, 65535);
    const workers = wholeNumber('--workers', o.workers, 1, 256);
    let duration: number | undefined;
    if (o.duration !== undefined) {
      duration = Number(o.duration);
      if (!/^\d+(\.\d+)?$/.test(o.duration.trim()) || !(duration > 0) || duration > 86_400) throw new Bad(`--duration ${o.duration}: expected seconds, more than 0 and at most 86400`);
    }
    const mqttUrl = checkUrl(o.mqttUrl);
    let shard;
    try {
      shard = o.shard === undefined ? undefined : parseShard(o.shard);
    } catch (err) {
      throw new Bad((err as Error).message);
    }
    const reportDir = reportFolder(o.reportDir, scenario.name, o.force ?? false);
    options = { devices, duration, brokerPort, workers, mqttUrl, shard, reportDir };
  } catch (err) {
    if (!(err instanceof Bad)) throw err;
    say(err.message);
    return 2;
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = progressBar();
  try {
    const onBroker = (url: string, embedded: boolean) => process.stdout.write(`MQTT broker: ${url}${embedded ? ' (embedded aedes)' : ''}\n`);
    const r = await runScenario({ scenario, file, ...options, gatewayModule: o.gatewayModule, onBroker, onProgress: bar.update, signal: abort.signal });
    bar.stop();
    for (const line of summaryLines(r.metrics)) process.stdout.write(`${line}\n`);
    const html = join(r.reportDir, 'report.html');
    const rel = relative(process.cwd(), html);
    process.stdout.write(`report: ${rel.startsWith('..') ? html : rel}\n`);
    if (abort.signal.aborted) return 130;
    return r.failed.length ? 1 : 0;
  } catch (err) {
    bar.stop();
    say((err as Error).message.split('\n')[0]);
    return 2;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Declares `scenario run` on the program. */
export function registerScenario(p: Command): void {
  const scenario = p.command('scenario').description('industrial scenarios: a fleet of virtual devices through the gateway and an MQTT broker');
  scenario.command('run')
    .description('run a scenario file (YAML or JSON; docs/scenarios.md) and write metrics.json and report.html')
    .argument('<file>', 'the scenario file, or the name of a shipped one (telemetry, command, lossy-line)')
    .option('--devices <n>', 'fleet size (overrides topology.devices)')
    .option('--duration <s>', 'seconds of traffic (overrides the file\'s duration)')
    .option('--mqtt-url <url>', 'an external broker (default: the embedded aedes on the scenario\'s [::1]:1883)')
    .option('--broker-port <n>', 'the embedded broker\'s port (default: the scenario\'s, 1883; 0: any free port)')
    .option('--shard <i/N>', 'run the devices of shard i of N (whole cells), all shards on one --mqtt-url broker')
    .option('--workers <n>', 'worker threads for the fleet (default: one per core)')
    .option('--report-dir <dir>', 'where metrics.json and report.html go (default reports/<time>-scenario-<name>/)')
    .option('--force', 'write into a report folder that is not empty')
    .addHelpText('after', '\nExit codes: 0 every assertion holds, 1 an assertion failed (named on stdout),\n2 a bad scenario file (one line per mistake), a bad flag or a setup problem, 130 interrupted.')
    .action(async (file: string, opts: ScenarioRunOptions) => {
      process.exitCode = await scenarioRun(file, opts);
    });
}
