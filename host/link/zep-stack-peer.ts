// Test support: a ZEP peer that behaves as a RIOT native node did when issue 8
// was tried against it (RIOT's socket_zep with its 802.15.4 sub-MAC), with a
// real 6LoWPAN stack behind it: the sixlab core (SixlabNode), fed frames and
// the time in real time, so it answers Echo Requests with fragmented replies.
//
// What it does, as RIOT did:
// - a frame that arrives while the radio still holds the previous one (the
//   stack has not read it yet: RIOT's ZEPDEV_STATE_RX_RECV, measured at 1-2 ms:
//   a 1 ms gap between fragments failed, 2 ms worked) is dropped, without ACK;
// - so is a data frame that arrives while it transmits or waits for its own ACK
//   (ZEPDEV_STATE_TX, then an ACK-only filter);
// - a unicast frame for it with AR set is acknowledged at once (RIOT waits
//   aTurnaroundTime, 192 µs), but now and then late (seeded, so runs repeat);
// - its own unicast frames want their ACK within about 1 ms, else they are
//   retransmitted, up to macMaxFrameRetries (3) times (IEEE 802.15.4-2015
//   §6.7.4.3), then given up;
// - a retransmission it already took is acknowledged again and not passed up.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { SixlabNode } from '../core/sixlab-node.js';
import { parseIeee802154, FrameType, type ParsedMacFrame } from '../packet/ieee802154-parse.js';
import type { LinkAddress } from '../packet/link-address.js';
import { buildAckFrame, decodeZep, encodeZep } from './zep.js';
import { MacTransmitter, type TxResult, type ZepMacSettings } from './zep-mac.js';

export interface ZepStackPeerOptions {
  /** The node's EUI-64 (written order), PAN, optional short address and ND mode. */
  eui64: LinkAddress;
  pan: number;
  shortAddress?: number;
  mode?: 'lowpan-nd' | 'classic';
  /** Local address (default "::1") and port (default 0: any free port). */
  address?: string;
  port?: number;
  /** Where its frames go; default: the source of the first datagram it hears. */
  remote?: { address: string; port: number };
  /** Default 26 (RIOT's default channel). */
  channel?: number;
  /** How long the stack is busy with each frame it takes, in ms (default 1.5). */
  busyMs?: number;
  /** Percent of ACKs sent late (default 10) and how late, in ms (default 1.5..4). */
  lateAckPercent?: number;
  lateAckMs?: [number, number];
  /** Its own MAC: ACK wait about 1 ms, 3 retries (RIOT's sub-MAC). */
  mac?: Partial<ZepMacSettings>;
  /** Seed of its random choices (default 1). */
  seed?: number;
}

export interface ZepStackPeerStats {
  datagramsIn: number;
  /** Data frames for it (or broadcast) that it took and passed to its stack. */
  framesTaken: number;
  /** Frames dropped because the stack was still busy with the previous one. */
  droppedBusy: number;
  /** Frames dropped because its radio was transmitting or waiting for an ACK. */
  droppedWhileTx: number;
  /** Retransmissions it took again (acknowledged, not passed up). */
  duplicates: number;
  acksSent: number;
  lateAcks: number;
  /** Its own frames: sent, acknowledged, retransmitted, lost. */
  framesOut: number;
  framesAcked: number;
  retransmissions: number;
  framesLost: number;
}

const isBroadcast = (a?: LinkAddress) => a?.mode === 'short' && a.bytes[0] === 0xff && a.bytes[1] === 0xff;
const same = (a: LinkAddress, b: Uint8Array) => a.bytes.length === b.length && a.bytes.every((x, i) => x === b[i]);

export class ZepStackPeer {
  readonly node: SixlabNode;
  private readonly socket: Socket;
  private readonly tx: MacTransmitter;
  private readonly origin = performance.now();
  private remote?: { address: string; port: number };
  private busyUntil = 0;
  private rng: number;
  private zepSeq = 0;
  private tick?: NodeJS.Timeout;
  private tickAt?: number;
  private closed = false;
  private readonly lateTimers = new Set<NodeJS.Timeout>();
  private readonly lastSeq = new Map<string, number>();
  private readonly counts = {
    datagramsIn: 0, framesTaken: 0, droppedBusy: 0, droppedWhileTx: 0, duplicates: 0, acksSent: 0, lateAcks: 0, framesOut: 0,
  };

  private constructor(private readonly opts: ZepStackPeerOptions) {
    this.rng = (opts.seed ?? 1) >>> 0 || 1;
    this.remote = opts.remote;
    this.tx = new MacTransmitter({ ackWaitMs: 1, maxFrameRetries: 3, gapMs: 2, ...opts.mac });
    this.node = new SixlabNode(
      { eui64: opts.eui64.bytes, pan: opts.pan, shortAddress: opts.shortAddress, mode: opts.mode ?? 'lowpan-nd', seed: opts.seed ?? 1 },
      this.now(),
    );
    const address = opts.address ?? '::1';
    this.socket = createSocket(isIP(address) === 4 ? 'udp4' : 'udp6');
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => {}); // a peer going away is not our failure
  }

  static async start(options: ZepStackPeerOptions): Promise<ZepStackPeer> {
    const peer = new ZepStackPeer(options);
    await new Promise<void>((resolve, reject) => {
      peer.socket.once('error', reject);
      peer.socket.bind({ address: options.address ?? '::1', port: options.port ?? 0 }, () => {
        peer.socket.off('error', reject);
        resolve();
      });
    });
    peer.service();
    return peer;
  }

  port(): number {
    return this.socket.address().port;
  }

  setRemote(address: string, port: number): void {
    this.remote = { address, port };
  }

  get stats(): ZepStackPeerStats {
    return { ...this.counts, ...this.tx.counters };
  }

  /** Makes the node ping `dst` (its Echo Request goes out through this peer's MAC). */
  ping(dst: Uint8Array, id: number, seq: number, size: number): number {
    const r = this.node.ping(dst, id, seq, size, this.now());
    this.service();
    return r;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tx.close();
    if (this.tick) clearTimeout(this.tick);
    for (const t of this.lateTimers) clearTimeout(t);
    await new Promise<void>((r) => this.socket.close(() => r()));
  }

  private now(): number {
    return Math.floor(performance.now() - this.origin);
  }

  private random(): number {
    let x = this.rng;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.rng = x;
    return x / 0x100000000;
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return;
    const t = performance.now();
    this.counts.datagramsIn++;
    if (this.busyUntil === Infinity) this.busyUntil = 0; // (a throw while handling the last frame)
    let psdu: Uint8Array;
    let mac: ParsedMacFrame;
    try {
      const z = decodeZep(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
      if (z.type !== 'data' || z.channel !== (this.opts.channel ?? 26)) return;
      psdu = z.psdu;
      mac = parseIeee802154(psdu);
    } catch {
      return;
    }
    if (!mac.fcsOk) return;
    if (!this.remote) this.remote = { address: rinfo.address, port: rinfo.port };
    if (mac.frameType === FrameType.Ack) {
      if (mac.seq !== undefined) this.tx.ack(mac.seq);
      return;
    }
    if (!this.forMe(mac)) return;
    if (this.tx.busy) {
      this.counts.droppedWhileTx++;
      return;
    }
    if (t < this.busyUntil) {
      this.counts.droppedBusy++;
      return;
    }
    this.busyUntil = Infinity; // until this frame is dealt with (below)
    if (mac.ackRequest && !isBroadcast(mac.dst) && mac.seq !== undefined) this.acknowledge(mac, rinfo);
    // Duplicate detection by source and sequence number, as RIOT's receive path does.
    const key = mac.src ? `${mac.src.mode}:${Buffer.from(mac.src.bytes).toString('hex')}` : '-';
    if (mac.seq !== undefined && mac.ackRequest && this.lastSeq.get(key) === mac.seq) {
      this.counts.duplicates++;
    } else {
      if (mac.seq !== undefined) this.lastSeq.set(key, mac.seq);
      this.counts.framesTaken++;
      this.node.input(psdu, this.now());
      this.service();
    }
    // Busy from the frame's arrival until busyMs after it was dealt with: what
    // arrived meanwhile (queued in the socket) is dropped, as RIOT drops it.
    this.busyUntil = performance.now() + (this.opts.busyMs ?? 1.5);
  }

  private forMe(mac: ParsedMacFrame): boolean {
    if (mac.dstPan !== undefined && mac.dstPan !== 0xffff && mac.dstPan !== this.opts.pan) return false;
    const dst = mac.dst;
    if (!dst || isBroadcast(dst)) return true;
    if (dst.mode === 'extended') return same(this.opts.eui64, dst.bytes);
    const short = this.opts.shortAddress;
    return short !== undefined && dst.bytes[0] === short >> 8 && dst.bytes[1] === (short & 0xff);
  }

  private acknowledge(mac: ParsedMacFrame, to: RemoteInfo): void {
    const datagram = encodeZep({ channel: this.opts.channel ?? 26, deviceId: 0x5249, seq: this.zepSeq++ >>> 0, psdu: buildAckFrame(mac.seq as number, mac.version) });
    const send = () => {
      if (this.closed) return;
      this.counts.acksSent++;
      this.socket.send(datagram, to.port, to.address);
    };
    if (this.random() * 100 < (this.opts.lateAckPercent ?? 10)) {
      const [lo, hi] = this.opts.lateAckMs ?? [1.5, 4];
      this.counts.lateAcks++;
      const timer = setTimeout(() => {
        this.lateTimers.delete(timer);
        send();
      }, lo + this.random() * (hi - lo));
      this.lateTimers.add(timer);
    } else {
      send();
    }
  }

  /** Runs the node's timers, hands its frames to the MAC and books its next deadline. */
  private service(): void {
    if (this.closed) return;
    const now = this.now();
    this.node.tick(now);
    for (const f of this.node.drain()) void this.transmit(f);
    const next = this.node.tick(now);
    if (next === this.tickAt) return;
    if (this.tick) clearTimeout(this.tick);
    this.tick = undefined;
    this.tickAt = next;
    if (next !== undefined) {
      this.tick = setTimeout(() => {
        this.tick = undefined;
        this.tickAt = undefined;
        this.service();
      }, Math.max(1, next - now));
    }
  }

  private transmit(psdu: Uint8Array): Promise<TxResult> {
    return this.tx.send(psdu, () => new Promise<void>((resolve) => {
      const remote = this.remote;
      if (!remote || this.closed) return resolve();
      this.counts.framesOut++;
      const datagram = encodeZep({ channel: this.opts.channel ?? 26, deviceId: 0x5249, seq: this.zepSeq++ >>> 0, psdu });
      this.socket.send(datagram, remote.port, remote.address, () => resolve());
    }));
  }
}
