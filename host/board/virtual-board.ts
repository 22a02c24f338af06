// The virtual board: the sixlab core as the device under test, on a simulated
// medium under a virtual clock, with the tester's radio as a second station.
// The harness reaches it through the same Link interface as a serial or ZEP
// board; named faults make it misbehave in one chosen way each.
import { SixlabNode, type NodeOptions } from '../core/sixlab-node.js';
import type { LinkAddress } from '../packet/link-address.js';
import type { Link, ReceivedFrame } from '../link/link.js';
import { Medium, type MacAddressing, type Station, type Transmission } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import type { Scheduler } from '../sim/clock.js';
import type { Board } from './board-config.js';
import { createFaults, type Fault } from './faults.js';

/** Whether a frame's destination is `link` (or the 16-bit `short` address of the same station). */
export function sameAddress(mac: MacAddressing, link: LinkAddress, short?: number): boolean {
  if (mac.dstMode === 3) return link.mode === 'extended' && mac.dst.every((b, i) => b === link.bytes[i]);
  if (mac.dstMode === 2) {
    if (link.mode === 'short') return mac.dst[0] === link.bytes[0] && mac.dst[1] === link.bytes[1];
    return short !== undefined && ((mac.dst[0] << 8) | mac.dst[1]) === short;
  }
  return false;
}

/** A node on the medium, behind its faults (the board's device is one). */
export class NodeStation implements Station {
  private cancelTick?: () => void;
  private tickAt?: number;
  /** The trap that stopped the node, if it crashed: a crashed device stays silent. */
  crash?: Error;

  constructor(
    readonly name: string,
    public node: SixlabNode,
    private readonly address: { link: LinkAddress; short?: number },
    private readonly medium: Medium,
    private readonly clock: Scheduler,
    private readonly faults: Fault[] = [],
  ) {}

  accepts(mac: MacAddressing): boolean {
    return !this.crash && sameAddress(mac, this.address.link, this.address.short);
  }

  receive(psdu: Uint8Array, at: number): void {
    if (this.crash) return;
    this.guard(() => {
      let frames = [psdu];
      for (const f of this.faults) if (f.inbound) frames = frames.flatMap((x) => f.inbound!(x, at));
      for (const x of frames) this.node.input(x, Math.floor(at));
    });
    this.service();
  }

  /** Runs the device's code; a trap (a crash on a microcontroller) silences it. */
  private guard(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.crash = err instanceof Error ? err : new Error(String(err));
      this.cancelTick?.();
      this.cancelTick = undefined;
      this.tickAt = undefined;
    }
  }

  /** A new node in place of the old one (a reboot): its timers start afresh. */
  replace(node: SixlabNode): void {
    this.cancelTick?.();
    this.cancelTick = undefined;
    this.tickAt = undefined;
    this.crash = undefined;
    this.node = node;
    this.service();
  }

  /** Runs the node's timers, sends what it queued, and books its next deadline. */
  service(): void {
    if (this.crash) return;
    const now = Math.floor(this.clock.now());
    let next: number | undefined;
    this.guard(() => {
      this.node.tick(now);
      let frames = this.node.drain();
      for (const f of this.faults) if (f.outbound) frames = frames.flatMap((x) => f.outbound!(x, now));
      for (const x of frames) void this.medium.transmit(this.name, x);
      next = this.node.tick(now);
    });
    if (this.crash) return;
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

/** The tester's radio on the medium, seen by the harness as a Link. It hears
 *  every frame, and acknowledges those sent to any address it has adopted
 *  (its own, and those of the roles it plays: router, another host). */
class TesterStation implements Station, Link {
  readonly name = 'tester';
  private readonly listeners = new Set<(f: ReceivedFrame) => void>();
  private readonly addresses: LinkAddress[];

  constructor(private readonly medium: Medium, readonly clock: Scheduler, link: LinkAddress) {
    this.addresses = [link];
  }

  /** Acknowledge every unicast frame not for `except` (the device): the
   *  harness behind a serial link plays whatever addresses its tests need. */
  ackAll(except: (mac: MacAddressing) => boolean): void {
    this.acceptOthers = except;
  }

  private acceptOthers?: (mac: MacAddressing) => boolean;

  adopt(link: LinkAddress): void {
    if (!this.addresses.some((a) => a.mode === link.mode && a.bytes.every((b, i) => b === link.bytes[i]))) this.addresses.push(link);
  }

  accepts(mac: MacAddressing): boolean {
    if (this.acceptOthers && !this.acceptOthers(mac)) return true;
    return this.addresses.some((a) => sameAddress(mac, a));
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
  /** The tester acknowledges every unicast frame that is not for the device (a board behind a serial link). */
  ackAll?: boolean;
  /** Faults only watch and report when they would have acted (the fault check). */
  observeFaults?: (name: string) => void;
  /** Another build of the core (`sixlab test --core FILE`). */
  corePath?: string;
  /** The device sends from its 16-bit short address (it needs one in board.json). */
  shortSource?: boolean;
}

export class VirtualBoard {
  readonly clock: Scheduler;
  readonly medium: Medium;
  readonly device: NodeStation;
  readonly link: Link & { adopt(link: LinkAddress): void; ackAll(except: (mac: MacAddressing) => boolean): void };
  readonly faults: Fault[];

  constructor(readonly board: Board, private readonly options: VirtualBoardOptions = {}) {
    this.clock = options.clock ?? new VirtualClock();
    const cfg = board.link.kind === 'virtual' ? board.link : { kind: 'virtual' as const };
    this.medium = new Medium(this.clock, { seed: options.seed ?? cfg.seed ?? 1, lossPercent: cfg.lossPercent ?? 0, delayMs: cfg.delayMs ?? 0 });
    this.faults = createFaults([...(cfg.faults ?? []), ...(options.faults ?? [])], options.observeFaults);
    const node = this.newNode(options.seed ?? cfg.seed ?? 1);
    this.device = new NodeStation('device', node, { link: board.deviceLink, short: board.deviceShort }, this.medium, this.clock, this.faults);
    const tester = new TesterStation(this.medium, this.clock, board.testerLink);
    this.medium.attach(this.device);
    this.medium.attach(tester);
    if (options.ackAll) tester.ackAll((mac) => this.device.accepts(mac));
    this.link = tester;
    this.device.service();
  }

  private newNode(seed: number): SixlabNode {
    if (this.options.shortSource && this.board.deviceShort === undefined) {
      throw new Error(`board ${this.board.name}: shortSource needs device.shortAddress`);
    }
    const options: NodeOptions = {
      eui64: this.board.deviceLink.bytes, shortAddress: this.board.deviceShort, pan: this.board.pan, seed,
      mode: this.board.device.mode ?? 'lowpan-nd', debug: this.options.debug, corePath: this.options.corePath,
      shortSource: this.options.shortSource,
    };
    return new SixlabNode(options, Math.floor(this.clock.now()));
  }

  get node(): SixlabNode {
    return this.device.node;
  }

  /** Restarts the device: a fresh node, same faults, same medium and clock. */
  reboot(seed: number): void {
    this.device.replace(this.newNode(seed));
  }

  /** Every transmission on the air (for captures). */
  onTransmission(listener: (t: Transmission) => void): void {
    this.medium.onTransmission(listener);
  }
}
