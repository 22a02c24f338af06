// The tester's station on a link: sends IPv6 packets as 6LoWPAN frames and
// hears the device's, with the tester's own packet library only (never the
// device's code). Used by the tools (ping, capture) and the conformance runner,
// which needs every encoding under its control and every frame kept as evidence.
import type { Link, ReceivedFrame } from '../link/link.js';
import type { Board } from '../board/board-config.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { parseIeee802154, type ParsedMacFrame } from '../packet/ieee802154-parse.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import {
  Reassembler, decodeLowpan, lowpanPayloads, type LowpanContexts, type LowpanEncodeOptions, type LowpanEncoding,
} from '../packet/lowpan.js';
import { echoBody } from '../packet/icmpv6.js';
import { buildIpv6Packet, parseIpv6Packet } from '../packet/packet.js';

export const BROADCAST: LinkAddress = { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };

/** One frame the tester heard, as its own library read it. */
export interface HeardFrame {
  psdu: Uint8Array;
  at: number;
  mac: ParsedMacFrame;
  /** The 6LoWPAN encoding (the first fragment's for a fragmented datagram). */
  encoding?: LowpanEncoding;
  fragment?: { kind: 'frag1' | 'fragn'; size: number; tag: number; offset: number; length: number };
}

export interface HeardPacket {
  packet: Uint8Array;
  at: number;
  src?: LinkAddress;
  dst?: LinkAddress;
  /** The frames that carried it, in order. */
  frames: HeardFrame[];
}

export interface Undecodable {
  psdu: Uint8Array;
  at: number;
  reason: string;
  message: string;
}

/** How to send one packet: link addresses, 6LoWPAN choices, MAC fields. */
export interface SendOptions {
  dst: LinkAddress;
  /** Default: the tester's own link address. */
  src?: LinkAddress;
  encoding?: LowpanEncodeOptions;
  frameVersion?: 0 | 1 | 2;
  /** Default: set for unicast destinations. */
  ackRequest?: boolean;
  pan?: number;
  /** Octets of MAC payload per frame (default: what a 127-octet frame leaves). */
  maxPayload?: number;
  /** Datagram tag for fragments (default: the next one). */
  tag?: number;
}

/** The link-local address of a link address (RFC 4944 §7). */
export const linkLocalOf = linkLocalFromLinkAddress;

export function macHeaderLength(src: LinkAddress, dst: LinkAddress): number {
  return 3 + 2 + dst.bytes.length + src.bytes.length; // FCF, seq, one PAN (compressed), addresses
}

export const isBroadcast = (a: LinkAddress) => a.mode === 'short' && a.bytes[0] === 0xff && a.bytes[1] === 0xff;

export class Tester {
  readonly address: LinkAddress;
  readonly ll: Uint8Array;
  readonly contexts: LowpanContexts = new Map();
  private readonly reassembler = new Reassembler();
  private readonly partialFrames = new Map<string, HeardFrame[]>();
  private readonly listeners = new Set<(p: HeardPacket) => void>();
  private readonly frameListeners = new Set<(f: HeardFrame) => void>();
  private readonly unsubscribe: () => void;
  private seq = 0;
  private tag = 0x5100;
  /** Frames that did not decode, by reason (the device's frames must all decode). */
  readonly undecodable = new Map<string, number>();
  /** The same, frame by frame (evidence for a report). */
  readonly undecodableFrames: Undecodable[] = [];

  constructor(readonly link: Link, readonly board: Board) {
    this.address = board.testerLink;
    this.ll = linkLocalOf(board.testerLink);
    this.unsubscribe = link.onFrame((f) => this.hear(f));
  }

  private hear(f: ReceivedFrame): void {
    let mac: ParsedMacFrame;
    try {
      mac = parseIeee802154(f.psdu);
    } catch (err) {
      return this.refuse(f, err as Error);
    }
    if (!mac.fcsOk || mac.frameType !== 1 || mac.payload.length === 0) return;
    let heard: HeardFrame;
    let packet: Uint8Array | undefined;
    let frames: HeardFrame[];
    try {
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, this.contexts);
      if (d.kind === 'ipv6') {
        heard = { psdu: f.psdu, at: f.at, mac, encoding: d.encoding };
        packet = d.packet;
        frames = [heard];
      } else {
        heard = {
          psdu: f.psdu, at: f.at, mac, encoding: d.encoding,
          fragment: { kind: d.kind, size: d.size, tag: d.tag, offset: d.offset, length: d.data.length },
        };
        const key = `${addrKey(d.origin ?? mac.src)}|${d.size}|${d.tag}`;
        const list = [...(this.partialFrames.get(key) ?? []), heard];
        this.partialFrames.set(key, list);
        packet = this.reassembler.accept(d, f.at);
        frames = list;
        if (packet) this.partialFrames.delete(key);
      }
    } catch (err) {
      return this.refuse(f, err as Error);
    }
    for (const l of this.frameListeners) l(heard);
    if (!packet) return;
    const p: HeardPacket = { packet, at: f.at, src: mac.src, dst: mac.dst, frames };
    for (const l of this.listeners) l(p);
  }

  private refuse(f: ReceivedFrame, err: Error): void {
    const reason = (err as { reason?: string }).reason ?? err.message.split(':')[0];
    this.undecodable.set(reason, (this.undecodable.get(reason) ?? 0) + 1);
    this.undecodableFrames.push({ psdu: f.psdu, at: f.at, reason, message: err.message });
  }

  /** Every whole packet heard (after reassembly). Returns a function that unsubscribes. */
  onPacket(listener: (p: HeardPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every data frame heard that decoded (fragments one by one). */
  onHeardFrame(listener: (f: HeardFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  /** The frames one packet becomes (compressed as asked, fragmented when needed). */
  frames(packet: Uint8Array, options: SendOptions): Uint8Array[] {
    const src = options.src ?? this.address;
    const dst = options.dst;
    const room = options.maxPayload ?? 127 - 2 - macHeaderLength(src, dst);
    const tag = options.tag ?? this.tag++ & 0xffff;
    const payloads = lowpanPayloads(packet, { src, dst }, this.contexts, options.encoding ?? {}, room, tag);
    return payloads.map((p) => this.frame(p, options));
  }

  /** One data frame around a MAC payload built by the caller (any 6LoWPAN bytes, right or wrong). */
  frame(payload: Uint8Array, options: Omit<SendOptions, 'encoding' | 'maxPayload' | 'tag'> & { fcs?: number; seq?: number }): Uint8Array {
    const src = options.src ?? this.address;
    return buildDataFrame({
      src, dst: options.dst, pan: options.pan ?? this.board.pan, seq: options.seq ?? this.seq++ & 0xff,
      version: options.frameVersion, ackRequest: options.ackRequest ?? !isBroadcast(options.dst), fcs: options.fcs,
    }, payload);
  }

  /** Sends an IPv6 packet: compressed as tightly as RFC 6282 allows unless told otherwise. Returns the frames sent. */
  async send(packet: Uint8Array, dst: LinkAddress | SendOptions): Promise<Uint8Array[]> {
    const options: SendOptions = 'mode' in dst ? { dst } : dst;
    const frames = this.frames(packet, options);
    for (const f of frames) await this.link.send(f);
    return frames;
  }

  /** Sends frames as they are. */
  async sendFrames(frames: Uint8Array[]): Promise<void> {
    for (const f of frames) await this.link.send(f);
  }

  /** One Echo Request; resolves with the round-trip time, or undefined after timeoutMs. */
  async ping(dst: Uint8Array, dstLink: LinkAddress, id: number, seq: number, size: number, timeoutMs: number): Promise<number | undefined> {
    const data = Uint8Array.from({ length: size }, (_, i) => (i + seq) & 0xff);
    const request = buildIpv6Packet({ src: this.ll, dst, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(id, seq, data) } });
    const clock = this.link.clock;
    let resolveReply!: (rtt: number) => void;
    const reply = new Promise<number>((r) => (resolveReply = r));
    const sent = clock.now();
    const stop = this.onPacket((h) => {
      const p = parseIpv6Packet(h.packet);
      const e = p.icmpv6?.echo;
      if (p.icmpv6?.type === 129 && e && e.identifier === id && e.sequence === seq && e.data.length === size) resolveReply(h.at - sent);
    });
    try {
      await this.send(request, dstLink);
      return await Promise.race([reply, clock.sleep(timeoutMs).then(() => undefined)]);
    } finally {
      stop();
    }
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
    this.frameListeners.clear();
  }
}

const addrKey = (a?: LinkAddress) => (a ? `${a.mode}:${Array.from(a.bytes).join('.')}` : '-');
