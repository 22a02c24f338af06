// The MQTT bridge: device resources in, MQTT out, and back.
//
// - Every device the gateway registers has the configured resources observed
//   (RFC 7641); each notification is published as JSON (topics.ts) on
//   <prefix>/<device>/<path>, with the scenario's QoS and retain flag.
//   Notifications that are not fresher than the last one (RFC 7641 §3.4: a
//   retransmitted CON, a reordered one) are not published again.
// - Messages on <prefix>/<device>/<path>/set for the configured command paths
//   become a CoAP PUT or POST to that device; the response code goes to
//   <prefix>/<device>/<path>/result.
// An observation that ends (a response without Observe, an error code, a
// failed registration) is registered again after retryMs.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import type { CoapResponse, Gateway, RegisteredDevice } from '../gateway/types.js';
import {
  deviceId, payloadValue, resultTopic, setTopic, telemetryTopic, type CommandMessage, type ResultMessage, type TelemetryMessage,
} from './topics.js';

export type QoS = 0 | 1 | 2;

export interface PublishOptions {
  qos: QoS;
  retain: boolean;
}

export interface BridgeOptions {
  /** Topic prefix (no wildcard, no leading or trailing slash). */
  prefix: string;
  /** Resources observed on every device ("/sensors/temperature"). */
  observe: { path: string; confirmable?: boolean }[];
  /** Resources that accept commands on .../set, and the default method. */
  commands: { path: string; method: 'PUT' | 'POST' }[];
  telemetry: PublishOptions;
  results: PublishOptions;
  /** QoS of the bridge's subscriptions to .../set (default 1). */
  commandQos?: QoS;
  /** Milliseconds since the Unix epoch of a time on the gateway's clock (default: now). */
  epochOf?: (gatewayMs: number) => number;
  /** Which registered devices this bridge serves (default: all). */
  accept?: (d: RegisteredDevice) => boolean;
  /** Before observing again after a failure (default 5000 ms). */
  retryMs?: number;
}

export interface BridgeStats {
  devices: number;
  observing: number;
  published: number;
  /** Notifications not published: not fresher than one already published. */
  stale: number;
  commands: number;
  results: number;
  observeFailures: number;
  publishErrors: number;
}

export interface BridgeEvents {
  /** An observation is in place (its first notification is on its way). */
  observing?: (device: RegisteredDevice, path: string) => void;
  /** A notification went to the broker (after PUBACK for QoS 1 and 2). */
  published?: (m: TelemetryMessage) => void;
  /** A command was answered (or failed). */
  result?: (m: ResultMessage) => void;
}

interface Observation {
  device: RegisteredDevice;
  path: string;
  confirmable: boolean;
  state: 'starting' | 'on' | 'off';
  /** Where the observation is (or was last) registered. */
  address?: string;
  cancel?: () => Promise<void>;
  lastObserve?: number;
  lastAt?: number;
  retry?: NodeJS.Timeout;
}

const OBSERVE_HALF = 1 << 23;
/** RFC 7641 §3.4: after 128 s a notification counts as fresh whatever its number. */
const FRESHNESS_MS = 128_000;

/**
 * Turns Nagle's algorithm off on the client's TCP connection, now and after
 * each reconnection: a PUBACK followed a few milliseconds later by a small
 * PUBLISH would otherwise wait for the peer's delayed ACK (40 ms here).
 */
export function noDelay(client: MqttClient): MqttClient {
  const set = () => (client.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
  set();
  client.on('connect', set);
  return client;
}

/** RFC 7641 §3.4: is a notification with number v2 received at t2 fresher than v1 received at t1? */
export function fresher(v1: number, t1: number, v2: number, t2: number): boolean {
  return (v1 < v2 && v2 - v1 < OBSERVE_HALF) || (v1 > v2 && v1 - v2 > OBSERVE_HALF) || t2 > t1 + FRESHNESS_MS;
}

/** The address to reach a device at: its first global address, else its first. */
export function deviceAddress(d: RegisteredDevice): string | undefined {
  return d.addresses.find((a) => !/^fe[89ab]/i.test(a)) ?? d.addresses[0];
}

export class MqttBridge {
  private readonly devices = new Map<string, RegisteredDevice>();
  private readonly observations = new Map<string, Observation>();
  private readonly stopRegistrations: () => void;
  private closed = false;
  readonly stats: BridgeStats = { devices: 0, observing: 0, published: 0, stale: 0, commands: 0, results: 0, observeFailures: 0, publishErrors: 0 };

  private constructor(
    private readonly gateway: Gateway,
    readonly client: MqttClient,
    private readonly options: BridgeOptions,
    private readonly events: BridgeEvents,
  ) {
    client.on('message', (topic, payload) => void this.onMessage(topic, payload));
    this.stopRegistrations = gateway.onRegistration((d) => this.add(d));
    for (const d of gateway.devices()) this.add(d);
  }

  /** Connects to the broker at `url` and starts bridging what `gateway` registers. */
  static async start(gateway: Gateway, url: string, options: BridgeOptions, events: BridgeEvents = {}, mqtt: IClientOptions = {}): Promise<MqttBridge> {
    const client = await connectAsync(url, {
      clientId: `sixlab-bridge-${process.pid}-${Math.random().toString(16).slice(2, 10)}`,
      clean: true, reconnectPeriod: 1000, connectTimeout: 10_000, ...mqtt,
    }, false); // the first connection must succeed; later ones are retried
    return new MqttBridge(gateway, noDelay(client), options, events);
  }

  private epoch(at: number): number {
    return this.options.epochOf ? this.options.epochOf(at) : Date.now();
  }

  private add(d: RegisteredDevice): void {
    if (this.closed || (this.options.accept && !this.options.accept(d))) return;
    const id = deviceId(d.eui64);
    const known = this.devices.get(id);
    this.devices.set(id, d);
    if (!known) {
      this.stats.devices++;
      const topics: Record<string, { qos: QoS }> = {};
      for (const c of this.options.commands) topics[setTopic(this.options.prefix, id, c.path)] = { qos: this.options.commandQos ?? 1 };
      if (Object.keys(topics).length > 0) this.client.subscribe(topics);
    }
    for (const o of this.options.observe) {
      const key = `${id}|${o.path}`;
      const ob = this.observations.get(key);
      if (ob) {
        // Observed where it was first reached while that address stays
        // registered (RFC 8505 §5.6 registers the link-local address first,
        // the global one a moment later: moving would only repeat a reading).
        const moved = ob.address !== undefined && !d.addresses.includes(ob.address);
        ob.device = d;
        if (moved && ob.state === 'on') this.restart(ob, 0);
        continue;
      }
      const fresh: Observation = { device: d, path: o.path, confirmable: o.confirmable ?? true, state: 'off' };
      this.observations.set(key, fresh);
      void this.observe(fresh);
    }
  }

  private async observe(ob: Observation): Promise<void> {
    const address = deviceAddress(ob.device);
    if (this.closed || !address) return;
    ob.address = address;
    ob.state = 'starting';
    ob.lastObserve = undefined;
    let ended = false;
    try {
      const cancel = await this.gateway.observe({ address, path: ob.path, confirmable: ob.confirmable }, (r) => {
        if (ended || this.closed) return;
        if (!r.code.startsWith('2.') || r.observe === undefined) {
          // RFC 7641 §3.2, §2: an error, or a response without Observe (the
          // device could not add an observer, or ended the observation).
          ended = true;
          if (r.code.startsWith('2.')) this.publishTelemetry(ob, r);
          this.restart(ob, this.options.retryMs ?? 5000);
          return;
        }
        this.publishTelemetry(ob, r);
      });
      if (this.closed || ended) {
        void cancel().catch(() => {});
        return;
      }
      ob.cancel = cancel;
      ob.state = 'on';
      this.stats.observing++;
      this.events.observing?.(ob.device, ob.path);
    } catch {
      this.stats.observeFailures++;
      ob.state = 'off';
      this.schedule(ob, this.options.retryMs ?? 5000);
    }
  }

  private restart(ob: Observation, afterMs: number): void {
    if (ob.state === 'on') this.stats.observing--;
    const cancel = ob.cancel;
    ob.cancel = undefined;
    ob.state = 'off';
    void cancel?.().catch(() => {});
    this.schedule(ob, afterMs);
  }

  private schedule(ob: Observation, afterMs: number): void {
    if (this.closed || ob.retry) return;
    ob.retry = setTimeout(() => {
      ob.retry = undefined;
      void this.observe(ob);
    }, afterMs);
  }

  private publishTelemetry(ob: Observation, r: CoapResponse): void {
    if (r.observe !== undefined) {
      if (ob.lastObserve !== undefined && ob.lastAt !== undefined && !fresher(ob.lastObserve, ob.lastAt, r.observe, r.at)) {
        this.stats.stale++;
        return;
      }
      ob.lastObserve = r.observe;
      ob.lastAt = r.at;
    }
    const id = deviceId(ob.device.eui64);
    const m: TelemetryMessage = {
      device: id, eui64: ob.device.eui64, path: ob.path, value: payloadValue(r.payload, r.contentFormat), time: this.epoch(r.at),
      timeSource: 'gateway', observe: r.observe, location: ob.device.location,
    };
    const { qos, retain } = this.options.telemetry;
    this.client.publish(telemetryTopic(this.options.prefix, id, ob.path), JSON.stringify(m), { qos, retain }, (err) => {
      if (err) this.stats.publishErrors++;
      else {
        this.stats.published++;
        this.events.published?.(m);
      }
    });
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    const prefix = `${this.options.prefix}/`;
    if (!topic.startsWith(prefix) || !topic.endsWith('/set')) return;
    const rest = topic.slice(prefix.length, -'/set'.length);
    const slash = rest.indexOf('/');
    if (slash < 0) return;
    const id = rest.slice(0, slash);
    const path = rest.slice(slash);
    const command = this.options.commands.find((c) => c.path === path);
    const device = this.devices.get(id);
    if (!command || !device) return; // not this bridge's device or resource
    this.stats.commands++;
    const { body, method, cid } = parseCommand(payload, command.method);
    const address = deviceAddress(device);
    let result: ResultMessage;
    try {
      if (!address) throw new Error('the device has no registered address');
      const r = await this.gateway.request({ method, address, path, payload: body, contentFormat: 0, confirmable: true });
      const text = Buffer.from(r.payload).toString('utf8');
      result = { device: id, path, method, code: r.code, ok: r.code.startsWith('2.'), value: text || undefined, id: cid, time: this.epoch(r.at) };
    } catch (err) {
      result = { device: id, path, method, code: null, ok: false, error: (err as Error).message, id: cid, time: Date.now() };
    }
    if (this.closed) return;
    const { qos, retain } = this.options.results;
    this.client.publish(resultTopic(this.options.prefix, id, path), JSON.stringify(result), { qos, retain }, (err) => {
      if (err) this.stats.publishErrors++;
      else {
        this.stats.results++;
        this.events.result?.(result);
      }
    });
  }

  /** Stops bridging; `deregister` also ends each observation on its device (RFC 7641 §3.6). */
  async close(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopRegistrations();
    const cancels: Promise<void>[] = [];
    for (const ob of this.observations.values()) {
      if (ob.retry) clearTimeout(ob.retry);
      if (options.deregister && ob.cancel) cancels.push(ob.cancel().catch(() => {}));
    }
    await Promise.all(cancels);
    await this.client.endAsync();
  }
}

/** A command's payload: plain text (the CoAP payload), or a JSON CommandMessage. */
export function parseCommand(payload: Buffer, defaultMethod: 'PUT' | 'POST'): { body: Uint8Array; method: 'PUT' | 'POST'; cid?: string | number } {
  const text = payload.toString('utf8');
  if (text.trimStart().startsWith('{')) {
    try {
      const m = JSON.parse(text) as CommandMessage;
      const method = m.method === 'POST' || m.method === 'PUT' ? m.method : defaultMethod;
      const value = m.value === undefined ? '' : typeof m.value === 'boolean' ? (m.value ? '1' : '0') : String(m.value);
      return { body: Buffer.from(value), method, cid: m.id };
    } catch {
      // not JSON after all: sent as it is
    }
  }
  return { body: Uint8Array.from(payload), method: defaultMethod };
}
