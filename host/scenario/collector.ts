// The scenario's own MQTT client: it measures what a consumer of the broker
// sees. Telemetry: each reading the fleet took (its sample time, from the
// workers) is matched to the message that carries it (device, path, value)
// when that message is delivered here; the difference is the end-to-end
// latency. Commands: it publishes .../set at the scenario's rates (JSON with
// an id) and matches each .../result to its command.
import { connectAsync, type MqttClient } from 'mqtt';
import { noDelay } from '../bridge/bridge.js';
import { parseTopic, setTopic, type ResultMessage, type TelemetryMessage } from '../bridge/topics.js';
import type { Sample } from './fleet.js';
import { histogram, latencyStats, type FlowMetrics } from './metrics.js';
import type { Scenario } from './scenario.js';
import { SENSOR_PATHS } from './schema.js';

const epochNow = () => performance.timeOrigin + performance.now();

class Flow {
  sent = 0;
  delivered = 0;
  duplicates = 0;
  failed = 0;
  readonly latencies: number[] = [];
  /** Seconds since traffic start → [sent, delivered]. */
  readonly seconds = new Map<number, [number, number]>();

  constructor(private readonly start: () => number | undefined) {}

  private bucket(at: number): [number, number] | undefined {
    const t0 = this.start();
    if (t0 === undefined) return undefined;
    const s = Math.max(0, Math.floor((at - t0) / 1000));
    let b = this.seconds.get(s);
    if (!b) this.seconds.set(s, (b = [0, 0]));
    return b;
  }

  onSent(at: number): void {
    this.sent++;
    const b = this.bucket(at);
    if (b) b[0]++;
  }

  onDelivered(at: number, latency: number): void {
    this.delivered++;
    this.latencies.push(latency);
    const b = this.bucket(at);
    if (b) b[1]++;
  }

  metrics(): FlowMetrics {
    const last = Math.max(-1, ...this.seconds.keys());
    const perSecond = Array.from({ length: last + 1 }, (_, t) => ({ t, sent: this.seconds.get(t)?.[0] ?? 0, delivered: this.seconds.get(t)?.[1] ?? 0 }));
    return {
      sent: this.sent, delivered: this.delivered, deliveryRatio: this.sent ? this.delivered / this.sent : null, duplicates: this.duplicates,
      latencyMs: latencyStats(this.latencies), histogram: histogram(this.latencies), perSecond, failed: this.failed,
    };
  }
}

export interface CollectorOptions {
  scenario: Scenario;
  url: string;
  /** The devices this run (this shard) owns: global index → topic id. */
  devices: Map<number, string>;
  /** Tags command ids, so shards sharing a broker never take each other's results. */
  tag: string;
}

export class Collector {
  readonly telemetry: Flow;
  readonly commands: Flow;
  private readonly byId = new Map<string, number>();
  private readonly samples = new Map<string, number>();
  /** key → first delivery time (epoch ms). */
  private readonly arrivals = new Map<string, number>();
  private readonly sentCommands = new Map<string, number>();
  private readonly answered = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private commandSeq = 0;
  private trafficStart?: number;
  /** Messages seen on the prefix, of any kind, this run's or not. */
  messages = 0;

  private constructor(private readonly o: CollectorOptions, readonly client: MqttClient) {
    const start = () => this.trafficStart;
    this.telemetry = new Flow(start);
    this.commands = new Flow(start);
    for (const [i, id] of o.devices) this.byId.set(id, i);
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  /** Connects and subscribes; rejects with a line saying which broker could not be reached. */
  static async start(o: CollectorOptions): Promise<Collector> {
    let client: MqttClient;
    try {
      client = await connectAsync(o.url, {
        clientId: `sixlab-collector-${o.tag}-${Math.random().toString(16).slice(2, 8)}`, clean: true, reconnectPeriod: 1000, connectTimeout: 5000,
      }, false); // the first connection must succeed: no endless retries against a wrong URL
    } catch (err) {
      throw new Error(`cannot reach the MQTT broker at ${o.url}: ${(err as Error).message || (err as NodeJS.ErrnoException).code}`);
    }
    const c = new Collector(o, noDelay(client));
    const m = o.scenario.mqtt;
    const qos = Math.max(m.telemetry.qos, m.results.qos) as 0 | 1 | 2;
    await client.subscribeAsync(`${m.prefix}/#`, { qos });
    return c;
  }

  /** Readings taken by the fleet (from the workers' reports). */
  addSamples(samples: Sample[]): void {
    for (const [device, path, value, at] of samples) {
      const key = `${device}|${path}|${value}`;
      this.samples.set(key, at);
      this.telemetry.onSent(at);
      const arrived = this.arrivals.get(key);
      if (arrived !== undefined) this.telemetry.onDelivered(arrived, arrived - at);
    }
  }

  private onMessage(topic: string, payload: Buffer): void {
    const at = epochNow();
    this.messages++;
    const t = parseTopic(this.o.scenario.mqtt.prefix, topic);
    if (!t || t.kind === 'set') return;
    const device = this.byId.get(t.device);
    if (device === undefined) return; // another shard's device
    let m: unknown;
    try {
      m = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (t.kind === 'telemetry') {
      const path = SENSOR_PATHS.indexOf(t.path as (typeof SENSOR_PATHS)[number]);
      const value = (m as TelemetryMessage).value;
      if (path < 0 || typeof value !== 'number') return;
      const key = `${device}|${path}|${Math.round(value * 100)}`;
      if (this.arrivals.has(key)) {
        this.telemetry.duplicates++;
        return;
      }
      this.arrivals.set(key, at);
      const sampled = this.samples.get(key);
      if (sampled !== undefined) this.telemetry.onDelivered(at, at - sampled);
      return;
    }
    const r = m as ResultMessage;
    const id = typeof r.id === 'string' ? r.id : undefined;
    const sent = id === undefined ? undefined : this.sentCommands.get(id);
    if (id === undefined || sent === undefined) return;
    if (this.answered.has(id)) {
      this.commands.duplicates++;
      return;
    }
    this.answered.add(id);
    if (!r.ok) this.commands.failed++;
    if (r.ok) this.commands.onDelivered(at, at - sent);
  }

  /** Marks the start of the traffic: per-second plots count from here. */
  startTraffic(): void {
    this.trafficStart = epochNow();
  }

  /** Publishes commands to every device at the scenario's rates, each from a random phase. */
  startCommands(): void {
    const s = this.o.scenario;
    const m = s.mqtt;
    for (const c of s.traffic.commands) {
      const period = 1000 / c.rate;
      for (const [, id] of this.o.devices) {
        let n = 0;
        const send = () => {
          const cid = `${this.o.tag}-${++this.commandSeq}`;
          const body = JSON.stringify({ value: ++n % 2 ? '1' : '0', method: c.method, id: cid });
          const at = epochNow();
          this.sentCommands.set(cid, at);
          this.commands.onSent(at);
          this.client.publish(setTopic(m.prefix, id, c.path), body, { qos: m.commands.qos });
        };
        const first = setTimeout(() => {
          send();
          this.timers.push(setInterval(send, period));
        }, Math.random() * period);
        this.timers.push(first);
      }
    }
  }

  stopCommands(): void {
    for (const t of this.timers.splice(0)) clearTimeout(t);
  }

  /** Telemetry that matched no reading: the value a device had before the traffic started, as its observation began. */
  unmatched(): number {
    let n = 0;
    for (const key of this.arrivals.keys()) if (!this.samples.has(key)) n++;
    return n;
  }

  /** Everything sent has arrived (the drain can end early). */
  settled(): boolean {
    return this.telemetry.delivered >= this.telemetry.sent && this.answered.size >= this.sentCommands.size;
  }

  /** Live figures for the progress line: messages delivered, latency percentiles of the last few thousand. */
  live(): { messages: number; p50?: number; p99?: number } {
    const recent = [...this.telemetry.latencies.slice(-2000), ...this.commands.latencies.slice(-2000)];
    const s = latencyStats(recent);
    return { messages: this.telemetry.delivered + this.commands.delivered, p50: s.p50 ?? undefined, p99: s.p99 ?? undefined };
  }

  async close(): Promise<void> {
    this.stopCommands();
    await this.client.endAsync(true).catch(() => {});
  }
}
