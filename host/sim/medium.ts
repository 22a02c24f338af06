// A simulated IEEE 802.15.4 channel under a virtual clock. Stations transmit
// PSDUs; every other station that can hear the sender may hear each
// transmission, after the link's delay and unless the link loses it (seeded,
// so runs repeat). Who can hear whom is the medium's topology: without one,
// every station hears every other; with one, cells (each on its own channel
// and PAN, IEEE 802.15.4-2015 §10) and a radio range (positions in metres)
// decide, so that a fleet of a thousand nodes costs what its cells cost, not
// the square of its size. Unicast frames
// that request an ACK are acknowledged by the receiver and retransmitted by
// the sender's MAC up to macMaxFrameRetries times (IEEE 802.15.4-2015
// §6.7.4.3); receivers drop MAC-level duplicates by source and sequence
// number, as a radio does.
import { fcs16 } from '../packet/ieee802154.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import type { Scheduler } from './clock.js';

export const MAC_MAX_FRAME_RETRIES = 3;
/** macAckWaitDuration at 2.4 GHz O-QPSK: 54 symbols of 16 µs. */
export const ACK_WAIT_MS = 0.864;
/** aTurnaroundTime: 12 symbols. */
export const TURNAROUND_MS = 0.192;

export interface Station {
  readonly name: string;
  /** The station's addresses, to tell which unicast frames are its own. */
  accepts(dst: MacAddressing): boolean;
  /** A frame the station heard (already filtered for MAC duplicates). */
  receive(psdu: Uint8Array, at: number): void;
}

export interface MacAddressing {
  dstMode: number;
  dst: Uint8Array; // as written
  srcMode: number;
  src: Uint8Array;
  seq: number;
  ackRequest: boolean;
  frameType: number;
}

export interface LinkProperties {
  lossPercent: number;
  delayMs: number;
}

/** Where a station sits in the medium's topology. */
export interface Placement {
  /** The cells it is in (a cell is a channel and PAN of its own): it hears and
   *  is heard by the stations that share one of them. Absent: every cell (a
   *  sniffer, a gateway with a radio on every channel). */
  cells?: string[];
  /** Its position in metres, for the medium's radio range. Absent: in range of everyone. */
  position?: { x: number; y: number; z?: number };
}

/** What the medium carried (for benchmarks and captures' summaries). */
export interface MediumStats {
  /** Frames put on the air, MAC retransmissions included (ACKs not counted). */
  transmissions: number;
  /** Frames that reached a station's radio (before loss: each (transmission, listener) pair). */
  deliveries: number;
}

export interface Transmission {
  at: number;
  from: string;
  psdu: Uint8Array;
  /** Which attempt this was (0 = first). */
  attempt: number;
}

/** What the medium needs from a MAC header, read with the tester's own
 *  802.15.4 parser (IEEE 802.15.4-2015 §7.2); undefined for a frame it cannot read. */
export function macAddressing(psdu: Uint8Array): MacAddressing | undefined {
  let f: ReturnType<typeof parseIeee802154>;
  try {
    f = parseIeee802154(psdu);
  } catch {
    return undefined;
  }
  const mode = (a?: { mode: string }) => (a === undefined ? 0 : a.mode === 'short' ? 2 : 3);
  return {
    dstMode: mode(f.dst), dst: f.dst?.bytes ?? new Uint8Array(0), srcMode: mode(f.src), src: f.src?.bytes ?? new Uint8Array(0),
    seq: f.seq ?? -1, ackRequest: f.ackRequest, frameType: f.frameType,
  };
}

/** An immediate ACK frame (IEEE 802.15.4-2015 §7.3.3) for sequence number seq. */
export function ackFrame(seq: number, version = 0): Uint8Array {
  const body = Uint8Array.of(0x02, (version & 3) << 4, seq & 0xff);
  const c = fcs16(body);
  return Uint8Array.of(...body, c & 0xff, c >> 8);
}

function isBroadcast(a: MacAddressing): boolean {
  return a.dstMode === 2 && a.dst[0] === 0xff && a.dst[1] === 0xff;
}

export class Medium {
  private readonly stations = new Map<string, Station>();
  private readonly links = new Map<string, LinkProperties>();
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly listeners: ((t: Transmission) => void)[] = [];
  private rngState: number;
  defaults: LinkProperties;
  readonly stats: MediumStats = { transmissions: 0, deliveries: 0 };
  /** Topology: placements by station name, and the radio range (metres). */
  private readonly placements = new Map<string, Placement>();
  private range?: number;
  /** Who hears each sender, in attach order (computed once per sender, kept up to date on attach and detach). */
  private readonly audiences = new Map<string, Station[]>();
  /** The same for unicast frames from a station in several cells, by sender and destination. */
  private readonly unicastAudiences = new Map<string, Station[]>();

  constructor(readonly clock: Scheduler, options: { seed?: number; rangeM?: number } & Partial<LinkProperties> = {}) {
    this.rngState = (options.seed ?? 1) >>> 0 || 1;
    this.defaults = { lossPercent: options.lossPercent ?? 0, delayMs: options.delayMs ?? 0 };
    if (options.rangeM !== undefined) this.setRange(options.rangeM);
  }

  /** Attaches a station, optionally placed in the topology (cells, position). */
  attach(station: Station, placement?: Placement): void {
    if (placement) this.placements.set(station.name, normalise(placement));
    const replaced = this.stations.has(station.name);
    this.stations.set(station.name, station);
    this.seen.set(station.name, new Map());
    this.unicastAudiences.clear();
    if (replaced || placement) this.audiences.clear();
    else for (const [sender, list] of this.audiences) if (this.hears(sender, station.name)) list.push(station);
  }

  detach(name: string): void {
    const station = this.stations.get(name);
    this.stations.delete(name);
    this.audiences.delete(name);
    this.unicastAudiences.clear();
    if (station) for (const list of this.audiences.values()) {
      const i = list.indexOf(station);
      if (i >= 0) list.splice(i, 1);
    }
  }

  /** Puts a station in cells and/or at a position (before or after it is attached). */
  place(name: string, placement: Placement): void {
    this.placements.set(name, normalise(placement));
    this.audiences.clear();
    this.unicastAudiences.clear();
  }

  /** The radio range in metres between placed stations (undefined: unlimited). */
  setRange(metres: number | undefined): void {
    if (metres !== undefined && !(metres >= 0)) throw new RangeError(`medium: radio range ${metres} m is not a distance`);
    this.range = metres;
    this.audiences.clear();
    this.unicastAudiences.clear();
  }

  /** Whether a frame from `from` can reach `to`: they share a cell (or either is
   *  in every cell) and are within range (or either has no position). */
  hears(from: string, to: string): boolean {
    if (from === to) return false;
    const a = this.placements.get(from);
    const b = this.placements.get(to);
    if (!a || !b) return true;
    if (a.cells && b.cells && !a.cells.some((c) => b.cells!.includes(c))) return false;
    if (this.range !== undefined && a.position && b.position) {
      const dx = a.position.x - b.position.x;
      const dy = a.position.y - b.position.y;
      const dz = (a.position.z ?? 0) - (b.position.z ?? 0);
      if (dx * dx + dy * dy + dz * dz > this.range * this.range) return false;
    }
    return true;
  }

  /** The stations a frame from `from` reaches, in attach order. */
  audience(from: string): Station[] {
    let list = this.audiences.get(from);
    if (!list) {
      list = [];
      for (const [name, station] of this.stations) if (this.hears(from, name)) list.push(station);
      this.audiences.set(from, list);
    }
    return list;
  }

  /**
   * The stations a frame reaches. A station in several cells (a gateway with a
   * radio on each channel) sends a unicast frame on its destination's
   * channel only, and a broadcast on every one of its channels.
   */
  private audienceOf(from: string, mac: MacAddressing | undefined): Station[] {
    const all = this.audience(from);
    const cells = this.placements.get(from)?.cells;
    if ((cells && cells.length === 1) || !mac || isBroadcast(mac) || mac.dstMode === 0) return all;
    const key = `${from}|${mac.dstMode}:${Buffer.from(mac.dst).toString('hex')}`;
    let list = this.unicastAudiences.get(key);
    if (!list) {
      const channels = new Set<string>();
      let everywhere = false;
      for (const st of all) {
        if (!st.accepts(mac)) continue;
        const c = this.placements.get(st.name)?.cells;
        if (!c) everywhere = true;
        else c.forEach((x) => channels.add(x));
      }
      list = everywhere || channels.size === 0 ? all : all.filter((st) => {
        const c = this.placements.get(st.name)?.cells;
        return !c || c.some((x) => channels.has(x));
      });
      this.unicastAudiences.set(key, list);
    }
    return list;
  }

  private get hasTopology(): boolean {
    return this.placements.size > 0;
  }

  /** Sets loss and delay from one station to another (one direction). */
  setLink(from: string, to: string, props: Partial<LinkProperties>): void {
    this.links.set(`${from}>${to}`, { ...this.link(from, to), ...props });
  }

  private link(from: string, to: string): LinkProperties {
    return this.links.size === 0 ? this.defaults : this.links.get(`${from}>${to}`) ?? this.defaults;
  }

  /** Every transmission on the air, retransmissions and ACKs included (for capture). */
  onTransmission(listener: (t: Transmission) => void): void {
    this.listeners.push(listener);
  }

  private random(): number {
    let x = this.rngState;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.rngState = x;
    return x / 0x100000000;
  }

  /** Puts a frame on the air from `from`; resolves once the MAC is done with it
   *  (delivered, acknowledged, or given up after the retries). */
  transmit(from: string, psdu: Uint8Array): Promise<boolean> {
    return this.clock.hold<boolean>((resolve) => this.attempt(from, psdu, 0, resolve));
  }

  private attempt(from: string, psdu: Uint8Array, n: number, done: (acked: boolean) => void): void {
    const now = this.clock.now();
    for (const l of this.listeners) l({ at: now, from, psdu, attempt: n });
    const mac = macAddressing(psdu);
    let acked = false;
    // One event per arrival time, not per station: a broadcast reaching every
    // station on equal links is a single event.
    const arrivals = new Map<number, Station[]>();
    // Without a topology every station hears (the medium as it always was);
    // with one, only the sender's audience (its cells, its range).
    const reached: Iterable<Station> = this.hasTopology ? this.audienceOf(from, mac) : this.stations.values();
    this.stats.transmissions++;
    for (const station of reached) {
      const name = station.name;
      if (name === from) continue;
      this.stats.deliveries++;
      const link = this.link(from, name);
      if (link.lossPercent > 0 && this.random() * 100 < link.lossPercent) continue;
      const at = now + link.delayMs;
      const forMe = mac !== undefined && (isBroadcast(mac) || station.accepts(mac));
      if (mac && forMe && mac.ackRequest && !isBroadcast(mac) && mac.frameType !== 2) {
        // The receiver's MAC acknowledges; the ACK crosses the reverse link.
        const back = this.link(name, from);
        if (this.random() * 100 >= back.lossPercent) acked = true;
        this.clock.schedule(at + TURNAROUND_MS, () => {
          for (const l of this.listeners) l({ at: this.clock.now(), from: name, psdu: ackFrame(mac.seq), attempt: 0 });
        });
      }
      const group = arrivals.get(at);
      if (group) group.push(station);
      else arrivals.set(at, [station]);
    }
    const key = mac ? `${mac.srcMode}:${Buffer.from(mac.src).toString('hex')}` : '';
    for (const [at, stations] of arrivals) this.clock.schedule(at, () => stations.forEach((st) => this.hear(st, psdu, mac, key)));
    const wantsAck = mac !== undefined && mac.ackRequest && !isBroadcast(mac);
    if (!wantsAck) return void this.clock.schedule(now, () => done(true));
    if (acked) return void this.clock.schedule(now + ACK_WAIT_MS, () => done(true));
    if (n >= MAC_MAX_FRAME_RETRIES) return void this.clock.schedule(now + ACK_WAIT_MS, () => done(false));
    this.clock.schedule(now + ACK_WAIT_MS, () => this.attempt(from, psdu, n + 1, done));
  }

  /** Delivers to a station, dropping a retransmission it already heard. */
  private hear(station: Station, psdu: Uint8Array, mac: MacAddressing | undefined, key: string): void {
    if (mac && mac.seq >= 0 && mac.frameType !== 2) {
      const last = this.seen.get(station.name)!;
      const prev = last.get(key);
      if (prev !== undefined && prev === mac.seq && mac.ackRequest) return; // a retransmission
      last.set(key, mac.seq);
    }
    station.receive(psdu, this.clock.now());
  }
}

function normalise(p: Placement): Placement {
  if (p.cells !== undefined && p.cells.length === 0) throw new RangeError('medium: a station placed in no cell would hear nothing (leave cells out for every cell)');
  return { cells: p.cells ? [...new Set(p.cells)] : undefined, position: p.position ? { ...p.position } : undefined };
}
