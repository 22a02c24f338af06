// Typed loader for build/sixlab-core.wasm: the only place that knows the
// module's memory layout (firmware/abi/*.ts, shared with the core itself).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ABI_VERSION, AddrMode, Capacity, Info, LowpanFlag, MacFlag, Tx, TxFlag } from '../../firmware/abi/layout.js';
import { Reason } from '../../firmware/abi/reason.js';
import { reasonText } from './reasons.js';

export interface LinkAddress {
  mode: 'short' | 'extended';
  bytes: Uint8Array;
}

export interface TxOptions {
  src: LinkAddress;
  dst: LinkAddress;
  pan: number;
  /** Sequence number of the first frame (default: continues from the last call). */
  seq?: number;
  /** 0 = 2003, 1 = 2006, 2 = 2015 (default 1). */
  frameVersion?: 0 | 1 | 2;
  elideUdpChecksum?: boolean;
  ackRequest?: boolean;
  uncompressed?: boolean;
}

export class CoreError extends Error {
  constructor(readonly reason: Reason) {
    super(reasonText(reason));
    this.name = 'CoreError';
  }
}

export interface CoreExports {
  memory: WebAssembly.Memory;
  abi_version(): number;
  buffer_in(): number;
  buffer_out(): number;
  tx_params(): number;
  info(): number;
  packet(): number;
  reset(seed: number): void;
  context_set(cid: number, bits: number, compress: number): number;
  context_clear(cid: number): number;
  compress(len: number): number;
  decode(len: number, now: number): number;
  poll(now: number): number;
  counter(reason: number): number;
  addr_parse(len: number): number;
  addr_format(): number;
  addr_class(): number;
  addr_solicited_node(): void;
  addr_common_prefix(): number;
  iid_from_link(mode: number): number;
  node_config(): number;
  node_init(now: number): number;
  node_input(len: number, now: number): number;
  node_poll(now: number): number;
  node_output(): number;
  node_address(i: number): number;
  node_neighbor(i: number): number;
  node_router(i: number): number;
  node_status(): void;
  udp_bind(port: number): number;
  udp_unbind(port: number): void;
  udp_send(dstPort: number, srcPort: number, len: number, now: number): number;
  udp_recv(): number;
  ping_send(id: number, seq: number, len: number, now: number): number;
  echo_replies(): number;
  echo_last(): number;
  sensor_set(id: number, value: number): void;
  sensor_get(id: number): number;
  relay_get(): number;
  node_memory(): number;
  node_tables(): number;
}

/** Finds the package root (the folder holding package.json) above this file. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('sixlab: cannot find the package root');
    dir = up;
  }
  return dir;
}

export function coreWasmPath(debug = false): string {
  return join(packageRoot(), 'build', debug ? 'sixlab-core.debug.wasm' : 'sixlab-core.wasm');
}

const modules = new Map<string, WebAssembly.Module>();

function compiledModule(path: string): WebAssembly.Module {
  let m = modules.get(path);
  if (!m) {
    if (!existsSync(path)) throw new Error(`sixlab: ${path} is missing; run "npm run build" first`);
    try {
      m = new WebAssembly.Module(readFileSync(path));
    } catch (err) {
      throw new Error(`sixlab: ${path} is not a WebAssembly module (${(err as Error).message.split('\n')[0]})`);
    }
    modules.set(path, m);
  }
  return m;
}

function linkMode(a: LinkAddress): number {
  return a.mode === 'short' ? AddrMode.Short : AddrMode.Extended;
}

function toLink(mode: number, bytes: Uint8Array): LinkAddress | undefined {
  if (mode === AddrMode.Short) return { mode: 'short', bytes: bytes.slice(0, 2) };
  if (mode === AddrMode.Extended) return { mode: 'extended', bytes: bytes.slice(0, 8) };
  return undefined;
}

/** One instance of the core: its own memory, contexts and reassembly state. */
export class SixlabCore {
  protected readonly x: CoreExports;
  protected readonly inPtr: number;
  protected readonly outPtr: number;
  private readonly txPtr: number;
  private readonly infoPtr: number;
  /** Views over linear memory: it is one fixed page, so they stay valid. */
  protected readonly mem: Uint8Array;

  /** `path`: another build of the core (a device maker's own, an older release). */
  constructor(options: { debug?: boolean; seed?: number; path?: string } = {}) {
    const path = options.path ?? coreWasmPath(options.debug);
    const module = compiledModule(path);
    // A debug build imports env.abort; a release build imports nothing.
    const wantsAbort = WebAssembly.Module.imports(module).some((i) => i.module === 'env' && i.name === 'abort');
    const imports: WebAssembly.Imports = wantsAbort ? { env: { abort: debugAbort } } : {};
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, imports);
    } catch (err) {
      throw new Error(`sixlab: ${path} cannot be instantiated as the sixlab core (${(err as Error).message.split('\n')[0]})`);
    }
    this.x = instance.exports as unknown as CoreExports;
    if (typeof this.x.abi_version !== 'function') throw new Error(`sixlab: ${path} is not a sixlab core (no abi_version export)`);
    if (this.x.abi_version() !== ABI_VERSION) {
      throw new Error(`sixlab: ${path} has core ABI ${this.x.abi_version()}, this harness speaks ABI ${ABI_VERSION}`);
    }
    this.inPtr = this.x.buffer_in();
    this.outPtr = this.x.buffer_out();
    this.txPtr = this.x.tx_params();
    this.infoPtr = this.x.info();
    this.mem = new Uint8Array(this.x.memory.buffer);
    this.x.reset(options.seed ?? 0);
  }

  reset(seed = 0): void {
    this.x.reset(seed >>> 0);
  }

  /** Context `cid` (0..15) := prefix/bits; `compress` false: decompression only. */
  setContext(cid: number, prefix: Uint8Array, bits: number, compress = true): void {
    this.mem.set(prefix.subarray(0, 16), this.inPtr);
    const r = this.x.context_set(cid, bits, compress ? 1 : 0);
    if (r < 0) throw new CoreError(-r);
  }

  clearContext(cid: number): void {
    const r = this.x.context_clear(cid);
    if (r < 0) throw new CoreError(-r);
  }

  /** Sets the link addresses and options used by compress(). */
  setTx(tx: TxOptions): void {
    const m = this.mem;
    const p = this.txPtr;
    m[p + Tx.SrcMode] = linkMode(tx.src);
    m[p + Tx.DstMode] = linkMode(tx.dst);
    m[p + Tx.Pan] = tx.pan & 0xff;
    m[p + Tx.Pan + 1] = tx.pan >> 8;
    m.set(tx.src.bytes, p + Tx.SrcAddr);
    m.set(tx.dst.bytes, p + Tx.DstAddr);
    if (tx.seq !== undefined) m[p + Tx.Seq] = tx.seq & 0xff;
    m[p + Tx.FrameVersion] = tx.frameVersion ?? 1;
    m[p + Tx.Flags] = (tx.elideUdpChecksum ? TxFlag.ElideUdpChecksum : 0)
      | (tx.ackRequest ? TxFlag.AckRequest : 0) | (tx.uncompressed ? TxFlag.Uncompressed : 0);
  }

  /** Compresses one IPv6 packet into frames (PSDUs with FCS) for the current TX settings. */
  compress(packet: Uint8Array, tx?: TxOptions): Uint8Array[] {
    if (tx) this.setTx(tx);
    const n = this.compressRaw(packet);
    if (n < 0) throw new CoreError(-n);
    const m = this.mem;
    const frames: Uint8Array[] = [];
    let p = this.outPtr;
    for (let i = 0; i < n; i++) {
      const len = m[p];
      frames.push(m.slice(p + 1, p + 1 + len));
      p += 1 + len;
    }
    return frames;
  }

  /** A view (not a copy) of the first frame of the last compress(); valid until the next call. */
  firstFrame(): Uint8Array {
    const p = this.outPtr;
    return this.mem.subarray(p + 1, p + 1 + this.mem[p]);
  }

  /** compress() without copying the frames out: returns the count or -Reason. */
  compressRaw(packet: Uint8Array): number {
    if (packet.length > Capacity.Packet) return -Reason.PacketTooLarge;
    this.mem.set(packet, this.inPtr);
    return this.x.compress(packet.length);
  }

  /** Decodes one frame (FCS included) received at nowMs. Returns the completed
   *  packet length, 0 when none is complete yet, or -Reason. */
  decodeRaw(frame: Uint8Array, nowMs: number): number {
    if (frame.length > Capacity.Psdu) return -Reason.FrameTooLong;
    this.mem.set(frame, this.inPtr);
    return this.x.decode(frame.length, nowMs >>> 0);
  }

  /** Decodes frame `index` of this core's own last compress() without copying
   *  it out of the module: a loopback for in-process links. */
  decodeOwnFrame(index: number, nowMs: number): number {
    const m = this.mem;
    let p = this.outPtr;
    for (let i = 0; i < index; i++) p += 1 + m[p];
    const len = m[p];
    m.copyWithin(this.inPtr, p + 1, p + 1 + len);
    return this.x.decode(len, nowMs >>> 0);
  }

  decode(frame: Uint8Array, nowMs: number): DecodeResult {
    const r = this.decodeRaw(frame, nowMs);
    const info = this.lastInfo();
    if (r < 0) return { kind: 'rejected', reason: -r as Reason, message: reasonText(-r), info };
    if (r === 0) return { kind: 'pending', info };
    return { kind: 'packet', packet: this.lastPacket(r), info };
  }

  lastPacket(len: number): Uint8Array {
    const p = this.x.packet();
    return this.mem.slice(p, p + len);
  }

  lastInfo(): FrameInfo {
    return readInfo(new DataView(this.x.memory.buffer, this.infoPtr, Info.Size));
  }

  /** Runs the core's timers; returns the next deadline (ms) or undefined. */
  poll(nowMs: number): number | undefined {
    const d = this.x.poll(nowMs >>> 0) >>> 0;
    return d === 0xffffffff ? undefined : d;
  }

  /** Size of the module's linear memory (one 64 KiB page, and never more). */
  memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }

  counter(reason: Reason): number {
    return this.x.counter(reason) >>> 0;
  }

  parseAddress(text: string): Uint8Array {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length > 64) throw new CoreError(Reason.AddrTextInvalid);
    this.mem.set(bytes, this.inPtr);
    const r = this.x.addr_parse(bytes.length);
    if (r < 0) throw new CoreError(-r);
    return this.mem.slice(this.outPtr, this.outPtr + 16);
  }

  formatAddress(addr: Uint8Array): string {
    this.mem.set(addr.subarray(0, 16), this.inPtr);
    const n = this.x.addr_format();
    return new TextDecoder().decode(this.mem.slice(this.outPtr, this.outPtr + n));
  }

  /** [AddrClass, multicast scope or 0]. */
  addressClass(addr: Uint8Array): [number, number] {
    this.mem.set(addr.subarray(0, 16), this.inPtr);
    const c = this.x.addr_class();
    return [c & 0xff, c >> 8];
  }

  solicitedNode(addr: Uint8Array): Uint8Array {
    this.mem.set(addr.subarray(0, 16), this.inPtr);
    this.x.addr_solicited_node();
    return this.mem.slice(this.outPtr, this.outPtr + 16);
  }

  commonPrefixLength(a: Uint8Array, b: Uint8Array): number {
    this.mem.set(a.subarray(0, 16), this.inPtr);
    this.mem.set(b.subarray(0, 16), this.inPtr + 16);
    return this.x.addr_common_prefix();
  }

  iidFromLink(link: LinkAddress): Uint8Array {
    this.mem.set(link.bytes, this.inPtr);
    const r = this.x.iid_from_link(linkMode(link));
    if (r < 0) throw new CoreError(-r);
    return this.mem.slice(this.outPtr, this.outPtr + 8);
  }
}

function debugAbort(): never {
  throw new Error('sixlab-core (debug build): assertion failed');
}

export type DecodeResult =
  | { kind: 'packet'; packet: Uint8Array; info: FrameInfo }
  | { kind: 'pending'; info: FrameInfo }
  | { kind: 'rejected'; reason: Reason; message: string; info: FrameInfo };

export interface FrameInfo {
  mac: {
    frameType: number;
    frameVersion: number;
    security: boolean;
    framePending: boolean;
    ackRequest: boolean;
    panIdCompression: boolean;
    seq?: number;
    dstPan?: number;
    dst?: LinkAddress;
    srcPan?: number;
    src?: LinkAddress;
    iePresent: boolean;
    headerLength: number;
    payloadLength: number;
    fcs: number;
    fcsOk: boolean;
  };
  lowpan: {
    mesh?: { hopsLeft: number; originator: LinkAddress; final: LinkAddress };
    broadcastSeq?: number;
    fragment?: { kind: 'FRAG1' | 'FRAGN'; size: number; tag: number; offset: number };
    dispatch?: 'IPHC' | 'IPv6';
    iphc?: number;
    cid?: number;
    nhc: number[];
    compressedLength: number;
    uncompressedLength: number;
    complete: boolean;
    duplicate: boolean;
  };
}

function readInfo(v: DataView): FrameInfo {
  const u8 = (o: number) => v.getUint8(o);
  const u16 = (o: number) => v.getUint16(o, true);
  const bytes = (o: number) => new Uint8Array(v.buffer, v.byteOffset + o, 8);
  const mf = u16(Info.MacFlags);
  const lf = u16(Info.LowpanFlags);
  const mac: FrameInfo['mac'] = {
    frameType: u8(Info.FrameType),
    frameVersion: u8(Info.FrameVersion),
    security: !!(mf & MacFlag.Security),
    framePending: !!(mf & MacFlag.FramePending),
    ackRequest: !!(mf & MacFlag.AckRequest),
    panIdCompression: !!(mf & MacFlag.PanIdCompression),
    iePresent: !!(mf & MacFlag.IePresent),
    headerLength: u8(Info.MacHeaderLen),
    payloadLength: u8(Info.MacPayloadLen),
    fcs: u16(Info.Fcs),
    fcsOk: !!(mf & MacFlag.FcsOk),
  };
  if (!(mf & MacFlag.SeqSuppressed)) mac.seq = u8(Info.Seq);
  if (mf & MacFlag.DstPanPresent) mac.dstPan = u16(Info.DstPan);
  if (mf & MacFlag.SrcPanPresent) mac.srcPan = u16(Info.SrcPan);
  mac.dst = toLink(u8(Info.DstMode), bytes(Info.DstAddr));
  mac.src = toLink(u8(Info.SrcMode), bytes(Info.SrcAddr));
  const nhcCount = u8(Info.NhcCount);
  const lowpan: FrameInfo['lowpan'] = {
    nhc: Array.from({ length: nhcCount }, (_, i) => u8(Info.Nhc + i)),
    compressedLength: u16(Info.CompressedLen),
    uncompressedLength: u16(Info.UncompressedLen),
    complete: !!(lf & LowpanFlag.Complete),
    duplicate: !!(lf & LowpanFlag.Duplicate),
  };
  if (lf & LowpanFlag.Mesh) {
    lowpan.mesh = {
      hopsLeft: u8(Info.MeshHopsLeft),
      originator: toLink(u8(Info.MeshOrigMode), bytes(Info.MeshOrig))!,
      final: toLink(u8(Info.MeshFinalMode), bytes(Info.MeshFinal))!,
    };
  }
  if (lf & LowpanFlag.Broadcast) lowpan.broadcastSeq = u8(Info.Bc0Seq);
  if (lf & (LowpanFlag.Frag1 | LowpanFlag.FragN)) {
    lowpan.fragment = {
      kind: lf & LowpanFlag.Frag1 ? 'FRAG1' : 'FRAGN',
      size: u16(Info.FragSize),
      tag: u16(Info.FragTag),
      offset: u16(Info.FragOffset),
    };
  }
  if (lf & LowpanFlag.Iphc) {
    lowpan.dispatch = 'IPHC';
    lowpan.iphc = v.getUint16(Info.Iphc, true);
    if (lowpan.iphc & 0x80) lowpan.cid = u8(Info.IphcCid);
  } else if (lf & LowpanFlag.Uncompressed) lowpan.dispatch = 'IPv6';
  return { mac, lowpan };
}
