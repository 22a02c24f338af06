// Opens the link a board describes, the same way for every kind, with a tap
// for captures: every frame in and out, with its time on the link's clock.
import type { Link } from '../link/link.js';
import { SerialLink } from '../link/serial-link.js';
import { ZepEndpoint, type ZepMacSettings } from '../link/zep.js';
import type { Board } from './board-config.js';
import { VirtualBoard } from './virtual-board.js';

export interface TappedFrame {
  at: number; // ms on the link's clock
  psdu: Uint8Array;
  direction: 'in' | 'out'; // in: from the device side, out: from the tester
  comment?: string;
}

export interface OpenBoard {
  board: Board;
  link: Link;
  /** Wall-clock milliseconds since the Unix epoch at the link clock's 0 (captures: real time for real links, the start's wall clock plus virtual time for virtual boards). */
  epochMs: number;
  /** Every frame on the air (virtual boards: retransmissions and ACKs too). */
  tap(listener: (f: TappedFrame) => void): void;
  virtual?: VirtualBoard;
  /** The link under the tap (a SerialLink offers the control channel; a ZepEndpoint its MAC's outcome: transmit(), stats.framesLost). */
  raw?: Link;
  close(): Promise<void>;
}

export interface OpenOptions {
  faults?: string[];
  timeoutMs?: number;
  /** ZEP boards: MAC settings over the board's (tests: ackWaitMs 0 switches the MAC off, which board.json cannot). */
  zepMac?: Partial<ZepMacSettings>;
}

export async function openBoard(board: Board, options: OpenOptions = {}): Promise<OpenBoard> {
  const taps: ((f: TappedFrame) => void)[] = [];
  const emit = (f: TappedFrame) => taps.forEach((t) => t(f));
  const link = board.link;
  if (link.kind === 'virtual') {
    const vb = new VirtualBoard(board, { faults: options.faults });
    vb.onTransmission((t) => emit({
      at: t.at, psdu: t.psdu, direction: t.from === 'tester' ? 'out' : 'in',
      comment: t.attempt > 0 ? `retransmission ${t.attempt}` : undefined,
    }));
    return { board, link: vb.link, epochMs: Date.now() - vb.clock.now(), virtual: vb, tap: (l) => taps.push(l), close: () => vb.link.close() };
  }
  if (options.faults?.length) throw new Error(`board ${board.name}: faults need a virtual board`);
  let raw: Link;
  let tapOut: boolean;
  if (link.kind === 'serial') {
    raw = await SerialLink.open({ path: link.path, baudRate: link.baudRate, reconnectMs: link.reconnectMs }, options.timeoutMs ?? board.timeouts?.helloMs ?? 2000);
    tapOut = true;
  } else if (link.kind === 'zep') {
    // The tester's radio on ZEP, with the MAC the board sets (IEEE 802.15.4-2015
    // §6.7.4.3): unicast frames wait for their ACK and are retransmitted without
    // one; frames that get no ACK are spaced by the gap (docs/zep.md).
    const zep = await ZepEndpoint.open({
      address: link.address ?? '::1', localPort: link.localPort, remotePort: link.remotePort, channel: link.channel,
      pan: board.pan, extendedAddress: board.testerLink,
      mac: { ackWaitMs: link.ackWaitMs, maxFrameRetries: link.maxFrameRetries, gapMs: link.gapMs, ...options.zepMac },
    });
    // Every datagram on the air, retransmissions included, as a virtual board's capture shows them.
    zep.on('transmit', (psdu, info) => emit({
      at: info.at, psdu, direction: 'out', comment: info.attempt > 0 ? `retransmission ${info.attempt}` : undefined,
    }));
    raw = zep;
    tapOut = false;
  } else {
    throw new Error(`board ${board.name}: a ${(link as { kind: string }).kind} link cannot be opened here`);
  }
  raw.onFrame((f) => emit({ at: f.at, psdu: f.psdu, direction: 'in' }));
  const tapped: Link = {
    clock: raw.clock,
    onFrame: (l) => raw.onFrame(l),
    send: async (psdu) => {
      if (tapOut) emit({ at: raw.clock.now(), psdu, direction: 'out' });
      await raw.send(psdu);
    },
    close: () => raw.close(),
  };
  return { board, link: tapped, epochMs: Date.now() - raw.clock.now(), raw, tap: (l) => taps.push(l), close: () => raw.close() };
}
