// What every way of reaching a device offers the harness: send a PSDU, hear
// PSDUs, know the time. A virtual board, a serial port and a ZEP socket all
// look the same from here (design notes: links behind one interface).
import type { Clock } from '../sim/clock.js';

export interface ReceivedFrame {
  psdu: Uint8Array; // FCS included
  /** Milliseconds on the link's clock. */
  at: number;
}

export interface Link {
  readonly clock: Clock;
  /** Sends one PSDU (FCS included) from the tester. */
  send(psdu: Uint8Array): Promise<void>;
  /** Called for every frame the tester hears. Returns a function that unsubscribes. */
  onFrame(listener: (frame: ReceivedFrame) => void): () => void;
  close(): Promise<void>;
}
