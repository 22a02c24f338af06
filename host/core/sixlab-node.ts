// The core as a 6LoWPAN host node (docs/core-abi.md, "The node"): the host
// gives it frames and the time, and takes its frames. Sans-IO: this class
// never reads a clock; every call says what time it is.
import {
  AddrState, NcState, NodeAddress, NodeConfig, NodeFlag, NodeMode, NodeNeighbor, NodeRouter, NodeStatus, RegState, UdpMeta,
} from '../../firmware/abi/layout.js';
import { Reason, REASON_COUNT } from '../../firmware/abi/reason.js';
import { CoreError, SixlabCore } from './sixlab-core.js';
import { reasonName } from './reasons.js';

export interface NodeOptions {
  eui64: Uint8Array; // 8 octets, as written
  shortAddress?: number; // 0..0xfffd
  pan: number;
  seed: number;
  mode?: 'lowpan-nd' | 'classic';
  useAro?: boolean; // RFC 6775 ARO instead of RFC 8505 EARO
  shortSource?: boolean;
  frameVersion?: 0 | 1 | 2;
  icmpBurst?: number;
  icmpIntervalMs?: number;
  registrationMinutes?: number;
  debug?: boolean;
  /** Another build of the core module. */
  corePath?: string;
}

export interface NodeAddressRow {
  address: Uint8Array;
  state: 'tentative' | 'preferred' | 'deprecated' | 'duplicate';
  registration: 'none' | 'registering' | 'registered' | 'failed';
  status: number;
  tid: number;
  validUntil?: number;
  preferredUntil?: number;
  nextEvent?: number;
}

export interface NeighborRow {
  address: Uint8Array;
  state: 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe';
  isRouter: boolean;
  probes: number;
  link?: Uint8Array;
  deadline?: number;
}

export interface UdpDatagramIn {
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
  data: Uint8Array;
}

const NEVER = 0xffffffff;
const time = (t: number) => (t >>> 0 === NEVER ? undefined : t >>> 0);
const ADDR_STATES = ['free', 'tentative', 'preferred', 'deprecated', 'duplicate'] as const;
const REG_STATES = ['none', 'registering', 'registered', 'failed'] as const;
const NC_STATES = ['free', 'incomplete', 'reachable', 'stale', 'delay', 'probe'] as const;

export class SixlabNode extends SixlabCore {
  constructor(options: NodeOptions, now: number) {
    super({ debug: options.debug, path: options.corePath });
    if (typeof this.x.node_init !== 'function') throw new Error('sixlab: this core build has no node (a codec-only module)');
    const p = this.x.node_config();
    const v = new DataView(this.x.memory.buffer);
    this.mem.fill(0, p, p + NodeConfig.Size);
    this.mem.set(options.eui64.subarray(0, 8), p + NodeConfig.Eui64);
    v.setUint16(p + NodeConfig.ShortAddr, options.shortAddress ?? 0xfffe, true);
    v.setUint16(p + NodeConfig.Pan, options.pan, true);
    v.setUint32(p + NodeConfig.Seed, options.seed >>> 0, true);
    this.mem[p + NodeConfig.Mode] = options.mode === 'classic' ? NodeMode.Classic : NodeMode.LowpanNd;
    this.mem[p + NodeConfig.Flags] = (options.useAro ? NodeFlag.UseAro : 0) | (options.shortSource ? NodeFlag.ShortSource : 0);
    this.mem[p + NodeConfig.FrameVersion] = options.frameVersion ?? 1;
    this.mem[p + NodeConfig.IcmpBurst] = options.icmpBurst ?? 0;
    v.setUint16(p + NodeConfig.IcmpIntervalMs, options.icmpIntervalMs ?? 0, true);
    v.setUint16(p + NodeConfig.RegistrationMinutes, options.registrationMinutes ?? 60, true);
    const r = this.x.node_init(now >>> 0);
    if (r < 0) throw new CoreError(-r);
  }

  /** One received frame (FCS included): 0, or -Reason when the node dropped it. */
  input(frame: Uint8Array, now: number): number {
    if (frame.length > 127) return -Reason.FrameTooLong;
    this.mem.set(frame, this.inPtr);
    return this.x.node_input(frame.length, now >>> 0);
  }

  /** Runs timers; the next deadline, or undefined. */
  tick(now: number): number | undefined {
    return time(this.x.node_poll(now >>> 0));
  }

  /** Every frame the node wants sent, oldest first. */
  drain(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let p = this.x.node_output(); p !== 0; p = this.x.node_output()) out.push(this.mem.slice(p + 1, p + 1 + this.mem[p]));
    return out;
  }

  private row(fn: (i: number) => number, i: number, size: number): DataView | undefined {
    if (!fn(i)) return undefined;
    return new DataView(this.mem.slice(this.outPtr, this.outPtr + size).buffer);
  }

  addresses(): NodeAddressRow[] {
    const rows: NodeAddressRow[] = [];
    for (let i = 0; i < 16; i++) {
      const v = this.row((k) => this.x.node_address(k), i, NodeAddress.Size);
      if (!v) continue;
      rows.push({
        address: new Uint8Array(v.buffer, 0, 16).slice(),
        state: ADDR_STATES[v.getUint8(NodeAddress.State)] as NodeAddressRow['state'],
        registration: REG_STATES[v.getUint8(NodeAddress.Registration)],
        status: v.getUint8(NodeAddress.Status),
        tid: v.getUint8(NodeAddress.Tid),
        validUntil: time(v.getUint32(NodeAddress.ValidUntil, true)),
        preferredUntil: time(v.getUint32(NodeAddress.PreferredUntil, true)),
        nextEvent: time(v.getUint32(NodeAddress.NextEvent, true)),
      });
    }
    return rows;
  }

  neighbors(): NeighborRow[] {
    const rows: NeighborRow[] = [];
    for (let i = 0; i < 32; i++) {
      const v = this.row((k) => this.x.node_neighbor(k), i, NodeNeighbor.Size);
      if (!v) continue;
      const mode = v.getUint8(NodeNeighbor.LinkMode);
      rows.push({
        address: new Uint8Array(v.buffer, 0, 16).slice(),
        state: NC_STATES[v.getUint8(NodeNeighbor.State)] as NeighborRow['state'],
        isRouter: v.getUint8(NodeNeighbor.IsRouter) === 1,
        probes: v.getUint8(NodeNeighbor.Probes),
        link: mode === 0 ? undefined : new Uint8Array(v.buffer, NodeNeighbor.Link, mode === 2 ? 2 : 8).slice(),
        deadline: time(v.getUint32(NodeNeighbor.Deadline, true)),
      });
    }
    return rows;
  }

  routers(): { address: Uint8Array; until?: number }[] {
    const rows = [];
    for (let i = 0; i < 8; i++) {
      const v = this.row((k) => this.x.node_router(k), i, NodeRouter.Size);
      if (v) rows.push({ address: new Uint8Array(v.buffer, 0, 16).slice(), until: time(v.getUint32(NodeRouter.Until, true)) });
    }
    return rows;
  }

  status() {
    this.x.node_status();
    const v = new DataView(this.mem.slice(this.outPtr, this.outPtr + NodeStatus.Size).buffer);
    return {
      reachableTime: v.getUint32(NodeStatus.ReachableTime, true),
      baseReachableTime: v.getUint32(NodeStatus.BaseReachableTime, true),
      retransTimer: v.getUint32(NodeStatus.RetransTimer, true),
      curHopLimit: v.getUint8(NodeStatus.CurHopLimit),
      rsSent: v.getUint8(NodeStatus.RsSent),
      nextRs: time(v.getUint32(NodeStatus.NextRs, true)),
      abroVersion: (v.getUint16(NodeStatus.AbroVersionHigh, true) << 16 | v.getUint16(NodeStatus.AbroVersionLow, true)) >>> 0,
      linkMtu: v.getUint16(NodeStatus.LinkMtu, true),
      icmpTokens: v.getUint8(NodeStatus.IcmpTokens),
    };
  }

  /** Non-zero drop counters by reason name. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let r = 1; r < REASON_COUNT; r++) {
      const n = this.counter(r);
      if (n) out[reasonName(r)] = n;
    }
    return out;
  }

  udpBind(port: number): void {
    const r = this.x.udp_bind(port);
    if (r < 0) throw new CoreError(-r);
  }

  udpSend(dst: Uint8Array, dstPort: number, srcPort: number, data: Uint8Array, now: number): number {
    this.mem.set(dst.subarray(0, 16), this.inPtr);
    this.mem.set(data, this.inPtr + 16);
    return this.x.udp_send(dstPort, srcPort, data.length, now >>> 0);
  }

  udpReceive(): UdpDatagramIn | undefined {
    const n = this.x.udp_recv();
    if (n < 0) return undefined;
    const b = this.mem.slice(this.outPtr, this.outPtr + UdpMeta.Size + n);
    const v = new DataView(b.buffer);
    return {
      src: b.slice(UdpMeta.Src, UdpMeta.Src + 16), dst: b.slice(UdpMeta.Dst, UdpMeta.Dst + 16),
      srcPort: v.getUint16(UdpMeta.SrcPort, true), dstPort: v.getUint16(UdpMeta.DstPort, true), data: b.slice(UdpMeta.Size),
    };
  }

  ping(dst: Uint8Array, id: number, seq: number, size: number, now: number): number {
    this.mem.set(dst.subarray(0, 16), this.inPtr);
    return this.x.ping_send(id, seq, size, now >>> 0);
  }

  echoReplies(): { count: number; lastId: number; lastSeq: number } {
    const last = this.x.echo_last() >>> 0;
    return { count: this.x.echo_replies() >>> 0, lastId: last >>> 16, lastSeq: last & 0xffff };
  }

  setSensor(id: number, value: number): void {
    this.x.sensor_set(id, value | 0);
  }

  sensor(id: number): number {
    return this.x.sensor_get(id);
  }

  relay(): number {
    return this.x.relay_get();
  }

  /** Octets of the one 64 KiB page the core's static data occupies. */
  memoryUsed(): number {
    return this.x.node_memory();
  }

  /** The sizes of the node's tables. */
  tables(): Record<string, number> {
    const n = this.x.node_tables();
    const v = new DataView(this.x.memory.buffer, this.outPtr, n * 2);
    const names = ['addresses', 'neighbors', 'routers', 'pendingPackets', 'outputFrames', 'udpSockets', 'udpQueue', 'reassemblyBuffers', 'contexts'];
    return Object.fromEntries(names.slice(0, n).map((name, i) => [name, v.getUint16(i * 2, true)]));
  }
}

export { AddrState, NcState, RegState };
