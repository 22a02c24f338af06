// One worker's share of the fleet: its cells on one simulated medium (each
// cell a channel of its own: a device hears only its cell, the gateway's
// radio is in every cell), the core as each device (host/core/sixlab-node.ts),
// the gateway on the same medium as a station, the MQTT bridge over it, and
// the simulated sensors. Everything runs on a PacedClock (paced-clock.ts):
// MQTT is real time, so the fleet is too. The cost per frame is the size of
// the sender's cell, so a worker's cost grows linearly with its devices.
//
// Sensors: reading k of a device is 20.00 + k/100 (°C or %RH), so every
// reading is unique and the collector can match what arrives on MQTT to the
// time it was taken here (the sample time), whatever the payload says.
import { NodeStation } from '../board/virtual-board.js';
import { SixlabNode } from '../core/sixlab-node.js';
import type { Gateway } from '../gateway/types.js';
import { parseLinkAddress } from '../packet/link-address.js';
import { Medium, macAddressing, type MacAddressing } from '../sim/medium.js';
import { MqttBridge } from '../bridge/bridge.js';
import { deviceId } from '../bridge/topics.js';
import { GATEWAY_EUI64, GATEWAY_STATION, loadGatewayFactory } from './gateway-factory.js';
import { PacedClock } from './paced-clock.js';
import { deviceEui64, type CellSpec, type Scenario } from './scenario.js';
import { SENSOR_PATHS } from './schema.js';

export interface FleetSpec {
  scenario: Scenario;
  cells: CellSpec[];
  mqttUrl: string;
  gatewayModule: string;
  worker: number;
}

/** A reading taken: device (global index), path index in SENSOR_PATHS, value (centi-units), epoch ms. */
export type Sample = [device: number, path: number, value: number, at: number];

export interface FleetProgress {
  type: 'progress';
  worker: number;
  /** Devices registered since the last report: [device index, epoch ms, ms after the device powered on]. */
  registered: [number, number, number][];
  /** Devices whose every observed resource is now observed. */
  observing: number[];
  samples: Sample[];
  published: number;
  lagMaxMs: number;
  lagMeanMs: number;
}

export interface FleetFinal {
  type: 'closed';
  worker: number;
  devices: number;
  bridge: MqttBridge['stats'];
  medium: { transmissions: number; deliveries: number };
  events: number;
  lagMaxMs: number;
  lagMeanMs: number;
  /** Drops counted by the devices' cores, summed by reason. */
  drops: Record<string, number>;
  heapUsed: number;
}

export type FleetMessage = FleetProgress | FleetFinal | { type: 'ready'; worker: number; devices: number; bootEpoch: number } | { type: 'error'; worker: number; message: string };

const sensorId = (path: string) => SENSOR_PATHS.indexOf(path as (typeof SENSOR_PATHS)[number]);

/** xorshift32: the same fleet for the same seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

/** Each frame's MAC addressing, read once (with the medium's own reader) for all the stations of a cell. */
const macOf = (() => {
  const cache = new WeakMap<Uint8Array, MacAddressing | null>();
  return (psdu: Uint8Array): MacAddressing | null => {
    let m = cache.get(psdu);
    if (m === undefined) cache.set(psdu, (m = macAddressing(psdu) ?? null));
    return m;
  };
})();

/**
 * A device's radio with its frame filter (IEEE 802.15.4-2015 §6.7.2, the
 * "third-level filtering" transceivers do in hardware): a unicast frame for
 * another address is dropped before it reaches the core. The core would drop
 * it too (MacNotForUs); the filter saves the fleet that work, frame by frame,
 * for every other device of the cell.
 */
class DeviceStation extends NodeStation {
  filtered = 0;

  receive(psdu: Uint8Array, at: number): void {
    const mac = macOf(psdu);
    const broadcast = mac !== null && mac.dstMode === 2 && mac.dst[0] === 0xff && mac.dst[1] === 0xff;
    if (mac !== null && mac.dstMode !== 0 && !broadcast && !this.accepts(mac)) {
      this.filtered++;
      return;
    }
    super.receive(psdu, at);
  }
}

interface Device {
  index: number;
  eui64: string;
  /** Clock time it powered on. */
  bootAt: number;
  station: DeviceStation;
  readings: number[];
  registered: boolean;
  observed: Set<string>;
}

export class Fleet {
  readonly clock: PacedClock;
  readonly medium: Medium;
  private readonly devices: Device[] = [];
  private readonly byEui = new Map<string, Device>();
  private gateway?: Gateway;
  private bridge?: MqttBridge;
  private readonly stopSampling: (() => void)[] = [];
  private pending: Omit<FleetProgress, 'type' | 'worker' | 'published' | 'lagMaxMs' | 'lagMeanMs'> = { registered: [], observing: [], samples: [] };
  private reportTimer?: NodeJS.Timeout;
  private bootAt = 0;
  private error?: unknown;

  private constructor(private readonly spec: FleetSpec, private readonly post: (m: FleetMessage) => void) {
    this.clock = new PacedClock((err) => this.fail(err));
    const link = spec.scenario.topology.link;
    this.medium = new Medium(this.clock, { seed: spec.scenario.seed * 7 + spec.worker + 1, lossPercent: link.lossPercent, delayMs: link.delayMs });
  }

  static async start(spec: FleetSpec, post: (m: FleetMessage) => void): Promise<Fleet> {
    const f = new Fleet(spec, post);
    await f.boot();
    return f;
  }

  private fail(err: unknown): void {
    if (this.error) return;
    this.error = err;
    this.post({ type: 'error', worker: this.spec.worker, message: err instanceof Error ? err.stack ?? err.message : String(err) });
  }

  private async boot(): Promise<void> {
    const { scenario: s, cells } = this.spec;
    const factory = await loadGatewayFactory(this.spec.gatewayModule);
    const all = cells.flatMap((c) => Array.from({ length: c.count }, (_, k) => ({ index: c.first + k, cell: c })));
    this.gateway = await factory({
      medium: this.medium, clock: this.clock, pan: s.topology.pan, seed: s.seed,
      cells: cells.map((c) => ({ name: c.name, prefix: c.prefix })),
      devices: all.map((d) => ({ eui64: deviceEui64(d.index), cell: d.cell.name })),
      eui64: GATEWAY_EUI64, stationName: GATEWAY_STATION,
    });
    this.gateway.onRegistration((d) => this.registered(d.eui64));
    const observePaths = s.traffic.observe.map((o) => o.path);
    this.bridge = await MqttBridge.start(this.gateway, this.spec.mqttUrl, {
      prefix: s.mqtt.prefix,
      observe: observePaths.map((path) => ({ path })),
      commands: s.traffic.commands.map((c) => ({ path: c.path, method: c.method })),
      telemetry: s.mqtt.telemetry, results: s.mqtt.results, commandQos: s.mqtt.commands.qos,
      epochOf: (at) => this.clock.epochOf(at),
      accept: (d) => this.byEui.has(d.eui64),
    }, {
      observing: (d, path) => {
        const dev = this.byEui.get(d.eui64);
        if (!dev || dev.observed.has(path)) return;
        dev.observed.add(path);
        if (dev.observed.size === observePaths.length) this.pending.observing.push(dev.index);
      },
    }, { clientId: `sixlab-fleet-${s.name}-${process.pid}-${this.spec.worker}-${Math.random().toString(16).slice(2, 8)}` });
    this.bootAt = this.clock.now();
    // Each device powers on at a random moment of the power-on window.
    const random = rng(s.seed * 17 + this.spec.worker + 3);
    const windowMs = (s.topology.powerOnS ?? 0) * 1000;
    for (const d of all) {
      const at = this.bootAt + random() * windowMs;
      this.clock.schedule(at, () => this.addDevice(d.index, d.cell).station.service());
    }
    this.reportTimer = setInterval(() => this.report(), 200);
    this.post({ type: 'ready', worker: this.spec.worker, devices: this.devices.length, bootEpoch: this.clock.epochOf(this.bootAt) });
  }

  private addDevice(index: number, cell: CellSpec): Device {
    const s = this.spec.scenario;
    const eui64 = deviceEui64(index);
    const link = parseLinkAddress(eui64);
    const node = new SixlabNode({ eui64: link.bytes, pan: s.topology.pan, seed: (s.seed * 1_000_003 + index) >>> 0, mode: 'lowpan-nd' }, Math.floor(this.clock.now()));
    const station = new DeviceStation(eui64, node, { link }, this.medium, this.clock);
    this.medium.attach(station, { cells: [cell.name] });
    const radio = `${GATEWAY_STATION}@${cell.name}`; // the gateway's radio in this cell (cell-radios.ts)
    this.medium.setLink(eui64, radio, cell.link);
    this.medium.setLink(radio, eui64, cell.link);
    const d: Device = { index, eui64, bootAt: this.clock.now(), station, readings: s.traffic.observe.map(() => 0), registered: false, observed: new Set() };
    this.devices.push(d);
    this.byEui.set(eui64, d);
    return d;
  }

  private registered(eui64: string): void {
    const d = this.byEui.get(eui64);
    if (!d || d.registered) return;
    d.registered = true;
    const now = this.clock.now();
    this.pending.registered.push([d.index, this.clock.epochOf(now), now - d.bootAt]);
  }

  /** Starts the simulated sensors: each device takes readings at the scenario's rates, from a random phase. */
  startTraffic(): void {
    const s = this.spec.scenario;
    const random = rng(s.seed * 31 + this.spec.worker + 7);
    const t0 = this.clock.now();
    for (const d of this.devices) {
      s.traffic.observe.forEach((o, k) => {
        const period = 1000 / o.rate;
        const id = sensorId(o.path);
        let cancel = () => {};
        let stopped = false;
        const take = (at: number) => {
          cancel = this.clock.schedule(at, () => {
            if (stopped) return;
            const value = 2000 + ++d.readings[k];
            d.station.node.setSensor(id, value);
            this.pending.samples.push([d.index, id, value, this.clock.epochOf(this.clock.now())]);
            d.station.service();
            take(at + period);
          });
        };
        take(t0 + random() * period);
        this.stopSampling.push(() => {
          stopped = true;
          cancel();
        });
      });
    }
  }

  stopTraffic(): void {
    for (const stop of this.stopSampling.splice(0)) stop();
  }

  private report(): void {
    const p = this.pending;
    this.pending = { registered: [], observing: [], samples: [] };
    const lag = this.clock.lag;
    this.post({
      type: 'progress', worker: this.spec.worker, ...p, published: this.bridge?.stats.published ?? 0,
      lagMaxMs: lag.max, lagMeanMs: lag.count ? lag.sum / lag.count : 0,
    });
  }

  /** Device ids (MQTT topic form) by global index, for the collector. */
  deviceIds(): [number, string][] {
    return this.devices.map((d) => [d.index, deviceId(d.eui64)]);
  }

  async close(): Promise<FleetFinal> {
    this.stopTraffic();
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.report();
    const stats = { ...(this.bridge?.stats ?? { devices: 0, observing: 0, published: 0, stale: 0, commands: 0, results: 0, observeFailures: 0, publishErrors: 0 }) };
    await this.bridge?.close().catch(() => {});
    await this.gateway?.close().catch(() => {});
    this.clock.stop();
    const drops: Record<string, number> = {};
    for (const d of this.devices) {
      for (const [k, v] of Object.entries(d.station.node.counters())) drops[k] = (drops[k] ?? 0) + v;
      if (d.station.filtered) drops.RadioFilterNotForUs = (drops.RadioFilterNotForUs ?? 0) + d.station.filtered;
    }
    const lag = this.clock.lag;
    const m = (this.medium as unknown as { stats?: { transmissions: number; deliveries: number } }).stats;
    return {
      type: 'closed', worker: this.spec.worker, devices: this.devices.length, bridge: stats,
      medium: { transmissions: m?.transmissions ?? 0, deliveries: m?.deliveries ?? 0 }, events: lag.count,
      lagMaxMs: lag.max, lagMeanMs: lag.count ? lag.sum / lag.count : 0, drops, heapUsed: process.memoryUsage().heapUsed,
    };
  }
}
