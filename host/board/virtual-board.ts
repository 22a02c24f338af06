// The virtual board: the sixlab core as the device under test, on a simulated
// medium under a virtual clock, with the tester's radio as a second station.
// The harness reaches it through the same Link interface as a serial or ZEP
// board; named faults make it misbehave in one chosen way each.
import { SixlabNode } from '../core/sixlab-node.js';
import type { LinkAddress } from '../packet/link-address.js';
import type { Link, ReceivedFrame } from '../link/link.js';
import { Medium, type MacAddressing, type Station, type Transmission } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import type { Scheduler } from '../sim/clock.js';
import type { Board } from './board-config.js';
import { createFaults, type Fault } from './faults.js';

function sameAddress(mac: MacAddressing, link: LinkAddress, short?: number): boolean {
  if (mac.dstMode === 3) return link.mode === 'extended' && mac.dst.every((b, i) => b === link.bytes[i]);
  if (mac.dstMode === 2) return short !== undefined && ((mac.dst[0] << 8) | mac.dst[1]) === short;
  return false;
}

/** A node on the medium, behind its faults (the board's device is one). */
export class NodeStation implements Station {
  private cancelTick?: () => void;
  private tickAt?: number;

  constructor(
    readonly name: string,
    readonly node: SixlabNode,
    private readonly address: { link: LinkAddress; short?: number },
    private readonly medium: Medium,
    private readonly clock: Scheduler,
    private readonly faults: Fault[] = [],
  ) {}

  accepts(mac: MacAddressing): boolean {
    return sameAddress(mac, this.address.link, this.address.short);
  }

  receive(psdu: Uint8Array, at: number): void {
    let frames = [psdu];
    for (const f of this.faults) if (f.inbound) frames = frames.flatMap((x) => f.inbound!(x, at));
    for (const x of frames) this.node.input(x, Math.floor(at));
    this.service();
  }

  /** Runs the node's timers, sends what it queued, and books its next deadline. */
  service(): void {
    const now = Math.floor(this.clock.now());
    this.node.tick(now);
    let frames = this.node.drain();
    for (const f of this.faults) if (f.outbound) frames = frames.flatMap((x) => f.outbound!(x, now));
    for (const x of frames) void this.medium.transmit(this.name, x);
    const next = this.node.tick(now);
    const at = next === undefined ? undefined : Math.max(next, now + 0.001);
    if (at === this.tickAt) return; // already booked: most frames change no timer
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.tickAt = at;
    if (at !== undefined) {
      this.cancelTick = this.clock.schedule(at, () => {
        this.tickAt = undefined;
        this.cancelTick = undefined;
        this.service();
      });
    }
  }
}

/** The tester's radio on the medium, seen by the harness as a Link. */
class TesterStation implements Station, Link {
  readonly name = 'tester';
  private readonly listeners = new Set<(f: ReceivedFrame) => void>();

  constructor(private readonly medium: Medium, readonly clock: Scheduler, private readonly link: LinkAddress) {}

  accepts(mac: MacAddressing): boolean {
    return sameAddress(mac, this.link);
  }

  receive(psdu: Uint8Array, at: number): void {
    for (const l of this.listeners) l({ psdu, at });
  }

  async send(psdu: Uint8Array): Promise<void> {
    await this.medium.transmit(this.name, psdu);
  }

  onFrame(listener: (f: ReceivedFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

export interface VirtualBoardOptions {
  faults?: string[];
  seed?: number;
  debug?: boolean;
  /** Real time, for a board served on a port (default: a virtual clock). */
  clock?: Scheduler;
}

export class VirtualBoard {
  readonly clock: Scheduler;
  readonly medium: Medium;
  readonly device: NodeStation;
  readonly link: Link;
  readonly faults: Fault[];

  constructor(readonly board: Board, options: VirtualBoardOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    const cfg = board.link.kind === 'virtual' ? board.link : { kind: 'virtual' as const };
    this.medium = new Medium(this.clock, { seed: options.seed ?? cfg.seed ?? 1, lossPercent: cfg.lossPercent ?? 0, delayMs: cfg.delayMs ?? 0 });
    this.faults = createFaults([...(cfg.faults ?? []), ...(options.faults ?? [])]);
    const node = new SixlabNode({
      eui64: board.deviceLink.bytes, shortAddress: board.deviceShort, pan: board.pan, seed: options.seed ?? cfg.seed ?? 1,
      mode: board.device.mode ?? 'lowpan-nd', debug: options.debug,
    }, 0);
    this.device = new NodeStation('device', node, { link: board.deviceLink, short: board.deviceShort }, this.medium, this.clock, this.faults);
    const tester = new TesterStation(this.medium, this.clock, board.testerLink);
    this.medium.attach(this.device);
    this.medium.attach(tester);
    this.link = tester;
    this.device.service();
  }

  get node(): SixlabNode {
    return this.device.node;
  }

  /** Every transmission on the air (for captures). */
  onTransmission(listener: (t: Transmission) => void): void {
    this.medium.onTransmission(listener);
  }
}
