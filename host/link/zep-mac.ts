// The transmitting half of an IEEE 802.15.4 MAC for a radio whose "air" is a
// UDP socket (ZEP). What the simulated medium does under a virtual clock
// (host/sim/medium.ts), done in real time (IEEE 802.15.4-2015 §6.7.4.3):
//
// - one frame on the air at a time, in the order they were handed over;
// - a unicast Data or MAC command frame with AR set waits for the Imm-Ack
//   carrying its sequence number; no ACK within the ACK wait -> the same PSDU
//   again, up to macMaxFrameRetries times, then the frame is reported lost;
// - the next frame goes once the ACK is in, and not before the gap since the
//   last one went out: a receiver that ACKs and then handles the frame is
//   still busy right after its ACK;
// - frames that get no ACK (broadcast, AR clear, lost, or the ACK wait set to
//   0: the MAC switched off) are spaced by a gap, so that a receiver that is
//   still handling the previous frame (RIOT's socket_zep drops what arrives
//   meanwhile) is not flooded.
//
// Why this matters: a RIOT native node drops a frame that arrives while it is
// still busy with the previous one, without ACK. Back-to-back fragments of one
// datagram then never all arrive, and without a retransmission nothing brings
// them back (issue 8: 0 of 20 fragmented Echo Requests answered).
import { FrameType, parseIeee802154 } from '../packet/ieee802154-parse.js';

export interface ZepMacSettings {
  /**
   * How long to wait for the Imm-Ack after a frame has been handed to the
   * socket, in ms. macAckWaitDuration is 0.864 ms at 2.4 GHz; over UDP between
   * processes the peer's own scheduling comes on top (RIOT native ACKs 0.2-0.6
   * ms after it read the frame, its first frames later). 0 switches the MAC
   * off: nothing waits for ACKs, nothing is retransmitted (experiments only;
   * board.schema.json does not allow it).
   */
  ackWaitMs: number;
  /** macMaxFrameRetries (§6.7.4.3; 3 by default, 0..7). */
  maxFrameRetries: number;
  /** Time from one frame that got no ACK to the next frame, in ms. */
  gapMs: number;
}

/**
 * Defaults for a ZEP link: an ACK wait of 3 ms (a few times what RIOT native
 * needs, and the ACK is read before the wait is judged over: see awaitAck), 3
 * retries as the standard says, and a 2 ms gap (measured against RIOT native: a
 * 2 ms gap between fragments worked, 1 ms did not).
 */
export const ZEP_MAC_DEFAULTS: Readonly<ZepMacSettings> = Object.freeze({ ackWaitMs: 3, maxFrameRetries: 3, gapMs: 2 });

/**
 * acked: the frame's Imm-Ack came back; sent: the frame asked for no ACK (or
 * the MAC is off); lost: no ACK after 1 + maxFrameRetries attempts; dropped:
 * the transmitter was closed before the frame went out.
 */
export type TxStatus = 'acked' | 'sent' | 'lost' | 'dropped';

export interface TxResult {
  status: TxStatus;
  /** Datagrams sent for this frame (1 + retransmissions). */
  attempts: number;
  /** Milliseconds from the last attempt's send to its ACK (acked frames). */
  ackMs?: number;
}

/** Whether a PSDU is a frame the receiver must acknowledge (§6.7.4.1): a unicast Data or MAC command frame with AR set. */
export function wantsAck(psdu: Uint8Array): { ack: boolean; seq: number } {
  try {
    const mac = parseIeee802154(psdu);
    const unicast = mac.dst !== undefined && !(mac.dst.mode === 'short' && mac.dst.bytes[0] === 0xff && mac.dst.bytes[1] === 0xff);
    const ack = mac.ackRequest && unicast && mac.seq !== undefined
      && (mac.frameType === FrameType.Data || mac.frameType === FrameType.MacCommand);
    return { ack, seq: mac.seq ?? -1 };
  } catch {
    return { ack: false, seq: -1 }; // a frame the tester cannot read goes out as it is, once
  }
}

export function checkMacSettings(s: Partial<ZepMacSettings>): ZepMacSettings {
  const out = { ...ZEP_MAC_DEFAULTS, ...Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)) };
  if (!Number.isFinite(out.ackWaitMs) || out.ackWaitMs < 0) throw new RangeError(`ZEP MAC: ackWaitMs ${out.ackWaitMs} must be a number >= 0`);
  if (!Number.isInteger(out.maxFrameRetries) || out.maxFrameRetries < 0 || out.maxFrameRetries > 7) {
    throw new RangeError(`ZEP MAC: maxFrameRetries ${out.maxFrameRetries} must be a whole number 0..7`);
  }
  if (!Number.isFinite(out.gapMs) || out.gapMs < 0) throw new RangeError(`ZEP MAC: gapMs ${out.gapMs} must be a number >= 0`);
  return out;
}

interface Job {
  psdu: Uint8Array;
  put: (attempt: number) => Promise<void>;
  resolve: (r: TxResult) => void;
  reject: (e: Error) => void;
}

interface Waiting {
  seq: number;
  done: (at: number | undefined) => void;
}

export interface MacCounters {
  framesAcked: number;
  framesLost: number;
  retransmissions: number;
}

/**
 * One radio's transmit queue. `send` hands over a PSDU with the function that
 * puts one attempt on the wire; `ack` is called by the receive path for every
 * Imm-Ack heard.
 */
export class MacTransmitter {
  readonly settings: ZepMacSettings;
  readonly counters: MacCounters = { framesAcked: 0, framesLost: 0, retransmissions: 0 };
  private readonly queue: Job[] = [];
  private running = false;
  private onAir = false;
  private closed = false;
  private quietUntil = 0;
  private waiting?: Waiting;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();

  constructor(settings: Partial<ZepMacSettings> = {}, private readonly now: () => number = () => performance.now()) {
    this.settings = checkMacSettings(settings);
  }

  /** A frame is on the air or waiting for its ACK (a ZEP radio in that state does not receive data). */
  get busy(): boolean {
    return this.onAir;
  }

  /** Frames handed over and not yet done with. */
  get queued(): number {
    return this.queue.length + (this.onAir ? 1 : 0);
  }

  /** Queues one PSDU; resolves when the MAC is done with it. Rejects only if `put` fails. */
  send(psdu: Uint8Array, put: (attempt: number) => Promise<void>): Promise<TxResult> {
    if (this.closed) return Promise.resolve({ status: 'dropped', attempts: 0 });
    return new Promise<TxResult>((resolve, reject) => {
      this.queue.push({ psdu, put, resolve, reject });
      void this.pump();
    });
  }

  /** An Imm-Ack with sequence number `seq` was heard. Returns whether a frame was waiting for it. */
  ack(seq: number): boolean {
    const w = this.waiting;
    if (!w || w.seq !== seq) return false;
    w.done(this.now());
    return true;
  }

  /** Stops: frames not yet done resolve as dropped. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const t of this.immediates) clearImmediate(t);
    this.timers.clear();
    this.immediates.clear();
    this.wake?.();
    this.waiting?.done(undefined);
    for (const job of this.queue.splice(0)) job.resolve({ status: 'dropped', attempts: 0 });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const job = this.queue.shift() as Job;
        // Node's timers may fire up to a millisecond early (they count whole ms from the loop's cached time): sleep until it is really time.
        for (let wait = this.quietUntil - this.now(); wait > 0 && !this.closed; wait = this.quietUntil - this.now()) await this.sleep(wait);
        if (this.closed) {
          job.resolve({ status: 'dropped', attempts: 0 });
          continue;
        }
        this.onAir = true;
        try {
          job.resolve(await this.transmit(job));
        } catch (err) {
          job.reject(err as Error);
        } finally {
          this.onAir = false;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async transmit(job: Job): Promise<TxResult> {
    const { ackWaitMs, maxFrameRetries, gapMs } = this.settings;
    const { ack, seq } = wantsAck(job.psdu);
    const macOn = ack && ackWaitMs > 0;
    const attempts = macOn ? maxFrameRetries + 1 : 1;
    let sentAt = this.now();
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (this.closed) return { status: 'dropped', attempts: attempt };
      if (attempt > 0) this.counters.retransmissions++;
      // The ACK wait starts when the frame is out (§6.7.4.3), but an ACK that
      // beats the send callback must not be missed: listen before sending.
      const acked = macOn ? this.awaitAck(seq) : undefined;
      sentAt = this.now();
      try {
        await job.put(attempt);
      } catch (err) {
        this.waiting?.done(undefined);
        throw err;
      }
      if (!acked) {
        this.quietUntil = sentAt + gapMs;
        return { status: 'sent', attempts: 1 };
      }
      this.startAckTimer();
      const at = await acked;
      if (at !== undefined) {
        this.counters.framesAcked++;
        // The ACK paces the next frame, and so does the gap: a receiver such as
        // RIOT native ACKs first and is then still busy with the frame (a 2 ms
        // gap between fragments worked against it, back to back did not).
        this.quietUntil = Math.max(at, sentAt + gapMs);
        return { status: 'acked', attempts: attempt + 1, ackMs: Math.max(0, at - sentAt) };
      }
    }
    if (this.closed) return { status: 'dropped', attempts };
    this.counters.framesLost++;
    this.quietUntil = sentAt + gapMs;
    return { status: 'lost', attempts };
  }

  private pendingTimer?: () => void;

  /** Resolves with the time the ACK for `seq` was heard, or undefined when the wait is over. */
  private awaitAck(seq: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let later: NodeJS.Immediate | undefined;
      const w: Waiting = {
        seq,
        done: (at) => {
          if (this.waiting !== w) return;
          this.waiting = undefined;
          this.pendingTimer = undefined;
          if (timer) {
            clearTimeout(timer);
            this.timers.delete(timer);
          }
          if (later) {
            clearImmediate(later);
            this.immediates.delete(later);
          }
          resolve(at);
        },
      };
      this.waiting = w;
      this.pendingTimer = () => {
        const until = this.now() + this.settings.ackWaitMs;
        const arm = (ms: number) => {
          timer = setTimeout(() => {
            this.timers.delete(timer as NodeJS.Timeout);
            timer = undefined;
            if (this.now() < until) return arm(until - this.now()); // fired early: wait the whole ACK wait
            judge();
          }, ms);
          this.timers.add(timer);
        };
        const judge = () => {
          // The timer fires in the event loop's timers phase, before the poll
          // phase reads sockets: an ACK that has already arrived (the process
          // was busy) would be judged missing. setImmediate runs after the next
          // poll phase, so such an ACK is read first.
          later = setImmediate(() => {
            this.immediates.delete(later as NodeJS.Immediate);
            later = undefined;
            w.done(undefined);
          });
          this.immediates.add(later);
        };
        arm(this.settings.ackWaitMs);
      };
    });
  }

  private startAckTimer(): void {
    this.pendingTimer?.();
    this.pendingTimer = undefined;
  }

  private wake?: () => void;

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.wake = undefined;
        resolve();
      }, ms);
      this.timers.add(t);
      this.wake = () => {
        clearTimeout(t);
        this.timers.delete(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
