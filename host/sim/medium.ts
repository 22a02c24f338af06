// A simulated IEEE 802.15.4 channel under a virtual clock. Stations transmit
// PSDUs; every other station may hear each transmission, after the link's
// delay and unless the link loses it (seeded, so runs repeat). Unicast frames
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

  constructor(readonly clock: Scheduler, options: { seed?: number } & Partial<LinkProperties> = {}) {
    this.rngState = (options.seed ?? 1) >>> 0 || 1;
    this.defaults = { lossPercent: options.lossPercent ?? 0, delayMs: options.delayMs ?? 0 };
  }

  attach(station: Station): void {
    this.stations.set(station.name, station);
    this.seen.set(station.name, new Map());
  }

  detach(name: string): void {
    this.stations.delete(name);
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
    for (const [name, station] of this.stations) {
      if (name === from) continue;
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
