// The tester's station on a link: sends IPv6 packets as 6LoWPAN frames and
// hears the device's, with the tester's own packet library only (never the
// device's code). Used by the tools (ping, capture) and the conformance runner.
import type { Link, ReceivedFrame } from '../link/link.js';
import type { Board } from '../board/board-config.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { Reassembler, decodeLowpan, lowpanPayloads, type LowpanContexts } from '../packet/lowpan.js';
import { echoBody } from '../packet/icmpv6.js';
import { buildIpv6Packet, parseIpv6Packet } from '../packet/packet.js';

export const BROADCAST: LinkAddress = { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };

export interface HeardPacket {
  packet: Uint8Array;
  at: number;
  src?: LinkAddress;
  dst?: LinkAddress;
}

/** The link-local address of a link address (RFC 4944 §7). */
export const linkLocalOf = linkLocalFromLinkAddress;

function macHeaderLength(src: LinkAddress, dst: LinkAddress): number {
  return 3 + 2 + dst.bytes.length + src.bytes.length; // FCF, seq, one PAN (compressed), addresses
}

export class Tester {
  readonly address: LinkAddress;
  readonly ll: Uint8Array;
  readonly contexts: LowpanContexts = new Map();
  private readonly reassembler = new Reassembler();
  private readonly listeners = new Set<(p: HeardPacket) => void>();
  private readonly unsubscribe: () => void;
  private seq = 0;
  private tag = 0x5100;
  /** Frames that did not decode, by reason (the device's frames must all decode). */
  readonly undecodable = new Map<string, number>();

  constructor(readonly link: Link, readonly board: Board) {
    this.address = board.testerLink;
    this.ll = linkLocalOf(board.testerLink);
    this.unsubscribe = link.onFrame((f) => this.hear(f));
  }

  private hear(f: ReceivedFrame): void {
    try {
      const mac = parseIeee802154(f.psdu);
      if (!mac.fcsOk || mac.frameType !== 1 || mac.payload.length === 0) return;
      const d = decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, this.contexts);
      const packet = d.kind === 'ipv6' ? d.packet : this.reassembler.accept(d, f.at);
      if (!packet) return;
      for (const l of this.listeners) l({ packet, at: f.at, src: mac.src, dst: mac.dst });
    } catch (err) {
      const why = (err as Error).message.split(':')[0];
      this.undecodable.set(why, (this.undecodable.get(why) ?? 0) + 1);
    }
  }

  onPacket(listener: (p: HeardPacket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends an IPv6 packet to a link address: compressed as tightly as RFC 6282 allows, fragmented when needed. */
  async send(packet: Uint8Array, dst: LinkAddress): Promise<void> {
    const unicast = !(dst.mode === 'short' && dst.bytes[0] === 0xff && dst.bytes[1] === 0xff);
    const room = 127 - 2 - macHeaderLength(this.address, dst);
    const payloads = lowpanPayloads(packet, { src: this.address, dst }, this.contexts, {}, room, this.tag++ & 0xffff);
    for (const p of payloads) {
      await this.link.send(buildDataFrame({ src: this.address, dst, pan: this.board.pan, seq: this.seq++ & 0xff, ackRequest: unicast }, p));
    }
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
  }
}
