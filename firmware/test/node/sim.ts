// An in-memory 802.15.4 medium under a virtual clock, for node tests: every
// frame one station sends reaches all others (each filters by address, as a
// radio would), and time jumps to the next deadline when all are idle. The
// router is the tester's: it builds what it sends with the tester's own packet
// library (uncompressed 6LoWPAN, RFC 4944 §5.1) and reads what nodes send with
// the tester's own 6LoWPAN decoder, never with the node's code. Unlike
// host/sim/medium.ts there is no delay and no MAC ACK, so protocol timers can
// be checked to the millisecond.
import { SixlabNode, type NodeOptions } from '../../../host/core/sixlab-node.js';
import { buildDataFrame } from '../../../host/packet/ieee802154.js';
import { formatIpv6, parseIpv6 } from '../../../host/packet/ipv6-address.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../../../host/packet/link-address.js';
import { DISPATCH_IPV6, fragmentUncompressed } from '../../../host/packet/lowpan-fragment.js';
import { parseIeee802154 } from '../../../host/packet/ieee802154-parse.js';
import { Reassembler, decodeLowpan, type LowpanContexts } from '../../../host/packet/lowpan.js';
import { buildIpv6Packet, parseIpv6Packet, type Ipv6PacketSpec } from '../../../host/packet/packet.js';

export const PAN = 0xabcd;
export const BROADCAST: LinkAddress = { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };

export interface Heard {
  at: number;
  from: string;
  frame: Uint8Array;
  /** The IPv6 packet the frame completed, if any. */
  packet?: Uint8Array;
}

export function eui(last: number): Uint8Array {
  return Uint8Array.of(0x00, 0x12, 0x4b, 0x00, 0x00, 0x00, 0x00, last);
}

export const linkLocal = linkLocalFromLinkAddress;

export const ip = (text: string) => parseIpv6(text);
export const text = (a: Uint8Array) => formatIpv6(a);

export class Sim {
  now = 0;
  readonly nodes = new Map<string, SixlabNode>();
  /** Every frame sent on the medium, in order, with what it carried. */
  readonly heard: Heard[] = [];
  /** The tester's reading of each station's frames (its own decoder, contexts it knows). */
  private readonly reassemblers = new Map<string, Reassembler>();
  private readonly known: LowpanContexts = new Map();
  /** The tester's stations: a name and what to do with each packet they hear. */
  private readonly testers = new Map<string, (h: Heard) => void>();
  /** Stations that hear nothing and send nothing (switched off). */
  readonly detached = new Set<string>();
  private tag = 0x7000;
  private seq = 0;

  addNode(name: string, options: Partial<NodeOptions> & { eui64: Uint8Array }): SixlabNode {
    const node = new SixlabNode({ pan: PAN, seed: this.nodes.size + 1, ...options }, this.now);
    this.nodes.set(name, node);
    this.reassemblers.set(name, new Reassembler());
    return node;
  }

  /** A context the tester knows (it advertised it), for reading what nodes send. */
  setContext(cid: number, prefix: Uint8Array, length: number): void {
    this.known.set(cid, { prefix, length });
  }

  /** The packet a station's frame completes, read with the tester's own library. */
  private read(from: string, frame: Uint8Array): Uint8Array | undefined {
    try {
      const mac = parseIeee802154(frame);
      if (!mac.fcsOk || mac.frameType !== 1) return undefined;
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, this.known);
      return d.kind === 'ipv6' ? d.packet : this.reassemblers.get(from)!.accept(d, this.now);
    } catch (err) {
      throw new Error(`sim: a frame from ${from} does not decode: ${(err as Error).message}`);
    }
  }

  /** A tester station: hears every packet on the medium. */
  addTester(name: string, onPacket: (h: Heard) => void): void {
    this.testers.set(name, onPacket);
  }

  /** Sends an IPv6 packet from a tester station, uncompressed, fragmented when needed. */
  inject(src: LinkAddress, dst: LinkAddress, packet: Uint8Array): void {
    const frames: Uint8Array[] = [];
    const room = 127 - 2 - 3 - 2 - (dst.mode === 'short' ? 2 : 8) - (src.mode === 'short' ? 2 : 8);
    if (packet.length + 1 <= room) frames.push(this.frame(src, dst, Uint8Array.of(DISPATCH_IPV6, ...packet)));
    else for (const f of fragmentUncompressed(packet, this.tag++ & 0xffff, (room - 5) & ~7)) frames.push(this.frame(src, dst, f.bytes));
    for (const f of frames) this.deliver('tester', f);
  }

  /** Sends a frame built by the test (any encoding, right or wrong). */
  injectFrame(frame: Uint8Array): void {
    this.deliver('tester', frame);
  }

  private frame(src: LinkAddress, dst: LinkAddress, payload: Uint8Array): Uint8Array {
    return buildDataFrame({ src, dst, pan: PAN, seq: this.seq++ & 0xff }, payload);
  }

  /** Gives a frame to every station but its sender. */
  private deliver(from: string, frame: Uint8Array): void {
    const h: Heard = { at: this.now, from, frame };
    if (from !== 'tester') h.packet = this.read(from, frame);
    this.heard.push(h);
    for (const [name, node] of this.nodes) if (name !== from && !this.detached.has(name)) node.input(frame, this.now);
    if (from !== 'tester' && h.packet) for (const onPacket of this.testers.values()) onPacket(h);
  }

  /** Moves every queued frame until the medium is quiet. */
  settle(): void {
    for (let round = 0; round < 1000; round++) {
      let moved = 0;
      for (const [name, node] of this.nodes) {
        node.tick(this.now);
        const frames = node.drain();
        if (this.detached.has(name)) continue;
        for (const f of frames) {
          this.deliver(name, f);
          moved++;
        }
      }
      if (moved === 0) return;
    }
    throw new Error('sim: the medium never went quiet');
  }

  /** Advances virtual time by ms, running every timer on the way: when all
   *  stations are idle, time jumps to the earliest deadline. */
  run(ms: number): void {
    const end = this.now + ms;
    for (let i = 0; i < 1_000_000; i++) {
      this.settle();
      let next = end;
      for (const node of this.nodes.values()) {
        const d = node.tick(this.now);
        if (d !== undefined && d > this.now && d < next) next = d;
      }
      if (next >= end) break;
      this.now = next;
    }
    this.now = end;
    this.settle();
  }

  /** Packets the tester heard from `from`, optionally since a time. */
  packetsFrom(from: string, since = 0): Heard[] {
    return this.heard.filter((h) => h.from === from && h.at >= since && h.packet);
  }
}

export const NODE_LINK: LinkAddress = { mode: 'extended', bytes: eui(1) };
export const TESTER_LINK: LinkAddress = { mode: 'extended', bytes: eui(0x99) };
export const NODE = linkLocal(NODE_LINK);
export const TESTER = linkLocal(TESTER_LINK);

/** One node (EUI-64 ...:01) and a tester station (...:99) that records every
 *  packet the node sends and can send it any packet, link-locally. */
export function nodeAndTester(nodeOptions: Partial<NodeOptions> = {}) {
  const sim = new Sim();
  const node = sim.addNode('n1', { eui64: eui(1), ...nodeOptions });
  const got: ReturnType<typeof parseIpv6Packet>[] = [];
  sim.addTester('tester', (h) => got.push(parseIpv6Packet(h.packet!)));
  sim.run(100);
  got.length = 0;
  /** Sends a packet from the tester (src TESTER, dst NODE unless given) and lets it settle. */
  const send = (spec: Partial<Ipv6PacketSpec> & Pick<Ipv6PacketSpec, 'upper'>, link: LinkAddress = NODE_LINK) => {
    sim.inject(TESTER_LINK, link, buildIpv6Packet({ src: TESTER, dst: NODE, ...spec }));
    sim.run(10);
  };
  const sendRaw = (packet: Uint8Array, link: LinkAddress = NODE_LINK) => {
    sim.inject(TESTER_LINK, link, packet);
    sim.run(10);
  };
  return { sim, node, got, send, sendRaw };
}
