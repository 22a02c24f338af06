// Hex frames, one a line, decoded as they arrive straight into the core's
// input buffer: a chunk is split into lines by one native call and each line
// of plain hex digits is decoded by another, so no JavaScript runs per
// character (that matters most before the JIT has warmed up, which is most
// of a short run). Same rules as parseHex() (host/packet/hex.ts), which any
// other line goes through, for the exact wording of errors too: whitespace
// anywhere and one leading "0x" are ignored; blank lines and lines starting
// with "#" are skipped.
import { parseHex } from '../packet/hex.js';

export class HexLineError extends Error {
  constructor(readonly line: number, message: string) {
    super(`input ${line}: ${message}`);
    this.name = 'HexLineError';
  }
}

/** Node's Buffer methods that go straight to C++ (the documented ones wrap
 *  them in JavaScript that runs slowly until the JIT has warmed up). */
interface FastBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  hexWrite(text: string, offset: number, length: number): number;
}

/** Splits pushed bytes into lines and parses each hex line into `target[at, at + cap)`. */
export class HexLines {
  private lines: string[] = [];
  private index = 0;
  /** The start of a line that began in an earlier chunk. */
  private carry = '';
  /** Line number of the last line read (1-based). */
  line = 0;

  constructor(
    private readonly target: Buffer,
    private readonly at: number,
    private readonly cap: number,
  ) {}

  push(chunk: Uint8Array): void {
    const b = (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)) as FastBuffer;
    // One native call splits the chunk: a character per octet (latin1), lines at "\n".
    this.lines = (this.carry + b.latin1Slice(0, b.length)).split('\n');
    this.carry = this.lines.pop()!;
    this.index = 0;
  }

  /** No more input: the last line may lack its newline. */
  end(): void {
    this.lines = this.carry.length > 0 ? [this.carry] : [];
    this.carry = '';
    this.index = 0;
  }

  /**
   * Parses the next hex line into the target and returns its octet count
   * (octets past `cap` are counted, not stored); -1 when the pushed bytes
   * are used up. Throws HexLineError for a line that is not hex.
   */
  next(): number {
    const t = this.target as FastBuffer;
    while (this.index < this.lines.length) {
      const line = this.lines[this.index++];
      this.line++;
      let len = line.length;
      if (len > 0 && line.charCodeAt(len - 1) === 13) len--; // "\r\n"
      if (len > 0 && len <= 2 * this.cap) {
        // The common line, hex digits only: decoded natively, straight into the core.
        const n = t.hexWrite(line, this.at, this.cap);
        if (2 * n === len) return n;
      }
      const n = this.slow(line);
      if (n >= 0) return n;
    }
    return -1;
  }

  /** Any other line (blank, comment, spaces, "0x", too long, not hex) through
   *  parseHex(): its octets, -1 to skip it, or its error. */
  private slow(latin1: string): number {
    // eslint-disable-next-line no-control-regex
    const text = (/[^\x00-\x7f]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1).trim();
    if (text === '' || text.startsWith('#')) return -1;
    let bytes: Uint8Array;
    try {
      bytes = parseHex(text);
    } catch (err) {
      throw new HexLineError(this.line, (err as Error).message);
    }
    this.target.set(bytes.subarray(0, Math.min(bytes.length, this.cap)), this.at);
    return bytes.length;
  }
}
