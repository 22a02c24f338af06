// Output of `sixlab decode`: bytes gathered in a large buffer and written in
// batches, with back-pressure: when the stream's buffer is full (write()
// returned false), flush() waits for 'drain', and the caller reads no more
// input until it returns, so a slow reader keeps the process's memory flat.
import { once } from 'node:events';

/** Room always left at the end of the buffer for one frame's output. */
const HEADROOM = 64 * 1024;

export class ByteOut {
  /** The current batch and the write position in it (the JSON writer uses them directly). */
  b: Buffer;
  /** A DataView on b, for the writers that store several octets at once. */
  v: DataView;
  p = 0;
  /** Batches the stream is done with, for reuse (fresh memory costs page faults and GC). */
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly size = 1 << 20,
  ) {
    this.b = Buffer.allocUnsafe(size);
    this.v = new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength);
  }

  private use(b: Buffer): void {
    this.b = b;
    this.v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** True when the batch should be written before the next frame. */
  get full(): boolean {
    return this.p > this.b.length - HEADROOM;
  }

  /** Makes room for n more octets (only a frame bigger than HEADROOM needs it). */
  room(n: number): void {
    if (this.p + n <= this.b.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.b.length * 2, this.p + n + HEADROOM));
    this.b.copy(bigger, 0, 0, this.p);
    this.use(bigger);
  }

  /** UTF-8 text. */
  text(s: string): void {
    this.room(s.length * 3);
    this.p += this.b.write(s, this.p, 'utf8');
  }

  /** Writes the batch; resolves once the stream can take more. */
  async flush(): Promise<void> {
    if (this.p === 0) return;
    const full = this.b;
    const chunk = full.subarray(0, this.p);
    // The stream may hold on to the chunk until it is written: the buffer is
    // reused only once the write callback says it is done with it.
    this.use(this.spare.pop() ?? Buffer.allocUnsafe(this.size));
    this.p = 0;
    const more = this.stream.write(chunk, () => {
      if (full.length === this.size && this.spare.length < 4) this.spare.push(full);
    });
    if (!more) await once(this.stream, 'drain');
  }
}
