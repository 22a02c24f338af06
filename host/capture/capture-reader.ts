// Reads pcap (pcap-savefile(5), draft-ietf-opsawg-pcap) and pcapng
// (draft-ietf-opsawg-pcapng) captures as a stream: bytes are pushed in as
// they arrive, packets come out one at a time, and nothing but the block
// being read is held. Both byte orders; pcap with microsecond or nanosecond
// timestamps; pcapng sections, interfaces (if_tsresol, if_tsoffset),
// Enhanced, Simple and obsolete Packet Blocks (other blocks are skipped).
// Anything malformed is a one-line CaptureError naming where it is.

export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

export type CaptureFormat = 'pcap' | 'pcapng';

/** One packet; `data` is a view valid until the next call to next() or push(). */
export interface CapturedPacket {
  /** 1-based position in the capture. */
  index: number;
  linkType: number;
  /** Interface (pcapng) or 0 (pcap). */
  interfaceId: number;
  /** Microseconds since the Unix epoch (or whatever origin the capture uses). */
  timeUs: number;
  data: Uint8Array;
  originalLength: number;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2; // obsolete Packet Block
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
/** Larger records are taken for garbage rather than waited for (Wireshark's limit is 256 KiB). */
const MAX_RECORD = 16 * 1024 * 1024;

interface Interface {
  linkType: number;
  snaplen: number;
  /** Microseconds per timestamp unit, and the if_tsoffset in seconds. */
  usPerUnit: number;
  offsetUs: number;
}

export class CaptureReader {
  format: CaptureFormat | undefined;
  private buf: Uint8Array = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private start = 0; // next unread octet of buf
  /** Offset in the file of buf[0]. */
  private base = 0;
  private le = true;
  private interfaces: Interface[] = [];
  private packets = 0;
  private pcapUsPerUnit = 1;
  private pcapLinkType = 0;
  private pcapSnaplen = 0;
  private readonly packet: CapturedPacket = { index: 0, linkType: 0, interfaceId: 0, timeUs: 0, data: this.buf, originalLength: 0 };

  /** Adds the next bytes of the capture. */
  push(chunk: Uint8Array): void {
    const left = this.buf.length - this.start;
    if (left === 0) {
      this.base += this.buf.length;
      this.buf = chunk;
    } else {
      const joined = new Uint8Array(left + chunk.length);
      joined.set(this.buf.subarray(this.start));
      joined.set(chunk, left);
      this.base += this.start;
      this.buf = joined;
    }
    this.start = 0;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Packets read so far. */
  get count(): number {
    return this.packets;
  }

  /** The next packet, or undefined when more bytes are needed. */
  next(): CapturedPacket | undefined {
    for (;;) {
      const have = this.buf.length - this.start;
      if (this.format === undefined) {
        if (have < 4) return undefined;
        this.detect();
        continue;
      }
      if (this.format === 'pcap') return this.nextPcap(have);
      const r = this.nextBlock(have);
      if (r !== null) return r; // a packet, or undefined for "need more"
    }
  }

  /** The capture ended: throws if it ended inside a record or block. */
  end(): void {
    const have = this.buf.length - this.start;
    if (this.format === undefined) {
      if (have === 0) throw new CaptureError('capture: the file is empty');
      throw new CaptureError(`capture: ${have} octets, too short for a pcap or pcapng header`);
    }
    if (have === 0) return;
    const at = this.base + this.start;
    if (this.format === 'pcap') {
      if (at === 0) throw new CaptureError(`capture: pcap header truncated (${have} of 24 octets)`);
      const need = have >= 16 ? 16 + this.u32(this.start + 8) : 16;
      throw new CaptureError(`capture: packet ${this.packets + 1} at offset ${at} truncated: needs ${need} octets, the file has ${have}`);
    }
    const need = have >= 8 ? this.u32(this.start + 4) : 12;
    throw new CaptureError(`capture: block at offset ${at} truncated: needs ${need} octets, the file has ${have}`);
  }

  private u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }

  private u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }

  private detect(): void {
    const magicLe = this.view.getUint32(this.start, true);
    if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) {
      this.format = 'pcap';
      this.le = true;
      this.pcapUsPerUnit = magicLe === PCAP_MAGIC_NS ? 0.001 : 1;
    } else {
      const magicBe = this.view.getUint32(this.start, false);
      if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) {
        this.format = 'pcap';
        this.le = false;
        this.pcapUsPerUnit = magicBe === PCAP_MAGIC_NS ? 0.001 : 1;
      } else if (magicLe === PCAPNG_SHB) {
        this.format = 'pcapng';
      } else {
        throw new CaptureError(`capture: not a pcap or pcapng file (it starts with 0x${magicBe.toString(16).padStart(8, '0')})`);
      }
    }
  }

  private nextPcap(have: number): CapturedPacket | undefined {
    const s = this.start;
    if (this.base + s === 0) {
      if (have < 24) return undefined;
      const major = this.u16(s + 4);
      if (major !== 2) throw new CaptureError(`capture: pcap version ${major}.${this.u16(s + 6)} is not 2.4`);
      this.pcapSnaplen = this.u32(s + 16);
      this.pcapLinkType = this.u32(s + 20) & 0xffff; // upper bits: FCS length flags
      this.start += 24;
      return this.nextPcap(have - 24);
    }
    if (have < 16) return undefined;
    const caplen = this.u32(s + 8);
    if (caplen > MAX_RECORD) {
      throw new CaptureError(`capture: packet ${this.packets + 1} at offset ${this.base + s} claims ${caplen} octets: not a pcap record`);
    }
    if (have < 16 + caplen) return undefined;
    const p = this.packet;
    p.index = ++this.packets;
    p.linkType = this.pcapLinkType;
    p.interfaceId = 0;
    p.timeUs = this.u32(s) * 1e6 + this.u32(s + 4) * this.pcapUsPerUnit;
    p.data = this.buf.subarray(s + 16, s + 16 + caplen);
    p.originalLength = this.u32(s + 12);
    this.start += 16 + caplen;
    return p;
  }

  /** A packet, undefined (more bytes needed), or null (a block that is not a packet was consumed). */
  private nextBlock(have: number): CapturedPacket | undefined | null {
    const s = this.start;
    const at = this.base + s;
    if (have < 12) return undefined;
    const type = this.view.getUint32(s, true);
    if (type === PCAPNG_SHB) {
      const bom = this.view.getUint32(s + 8, true);
      if (bom === PCAPNG_BOM) this.le = true;
      else if (bom === 0x4d3c2b1a) this.le = false;
      else throw new CaptureError(`capture: section header at offset ${at} has a bad byte-order magic 0x${bom.toString(16)}`);
    }
    const blockType = this.u32(s);
    const total = this.u32(s + 4);
    if (total < 12 || total % 4 !== 0) throw new CaptureError(`capture: block at offset ${at} has a bad length ${total}`);
    if (total > MAX_RECORD) throw new CaptureError(`capture: block at offset ${at} claims ${total} octets: not a pcapng block`);
    if (have < total) return undefined;
    const trailer = this.u32(s + total - 4);
    if (trailer !== total) {
      throw new CaptureError(`capture: block at offset ${at}: trailing length ${trailer} differs from ${total}`);
    }
    this.start += total;
    const body = s + 8;
    const bodyLen = total - 12;
    const need = (n: number, what: string) => {
      if (bodyLen < n) throw new CaptureError(`capture: ${what} at offset ${at} has ${bodyLen} octets of body, needs ${n}`);
    };
    if (blockType === PCAPNG_SHB) {
      need(16, 'section header');
      const major = this.u16(body + 4);
      if (major !== 1) throw new CaptureError(`capture: pcapng version ${major} at offset ${at} is not 1`);
      this.interfaces = [];
      return null;
    }
    if (blockType === BLOCK_IDB) {
      need(8, 'interface description');
      const itf: Interface = { linkType: this.u16(body), snaplen: this.u32(body + 4), usPerUnit: 1, offsetUs: 0 };
      this.readIdbOptions(itf, body + 8, body + bodyLen, at);
      this.interfaces.push(itf);
      return null;
    }
    const p = this.packet;
    if (blockType === BLOCK_EPB || blockType === BLOCK_PB) {
      need(20, blockType === BLOCK_EPB ? 'enhanced packet block' : 'packet block');
      const id = blockType === BLOCK_EPB ? this.u32(body) : this.u16(body);
      const itf = this.interfaceOf(id, at);
      const caplen = this.u32(body + 12);
      if (caplen > bodyLen - 20) {
        throw new CaptureError(`capture: packet at offset ${at} says ${caplen} octets, its block holds ${bodyLen - 20}`);
      }
      const units = this.u32(body + 4) * 4294967296 + this.u32(body + 8);
      p.index = ++this.packets;
      p.linkType = itf.linkType;
      p.interfaceId = id;
      p.timeUs = units * itf.usPerUnit + itf.offsetUs;
      p.data = this.buf.subarray(body + 20, body + 20 + caplen);
      p.originalLength = this.u32(body + 16);
      return p;
    }
    if (blockType === BLOCK_SPB) {
      need(4, 'simple packet block');
      const itf = this.interfaceOf(0, at);
      const original = this.u32(body);
      const caplen = Math.min(original, bodyLen - 4, itf.snaplen || Infinity);
      p.index = ++this.packets;
      p.linkType = itf.linkType;
      p.interfaceId = 0;
      p.timeUs = NaN; // a simple packet block has no timestamp
      p.data = this.buf.subarray(body + 4, body + 4 + caplen);
      p.originalLength = original;
      return p;
    }
    return null; // name resolution, statistics, decryption secrets, custom blocks...
  }

  private interfaceOf(id: number, at: number): Interface {
    const itf = this.interfaces[id];
    if (!itf) {
      throw new CaptureError(`capture: packet at offset ${at} is on interface ${id}, which is not described (${this.interfaces.length} interfaces)`);
    }
    return itf;
  }

  private readIdbOptions(itf: Interface, from: number, to: number, at: number): void {
    let o = from;
    while (o + 4 <= to) {
      const code = this.u16(o);
      const len = this.u16(o + 2);
      if (code === 0) return;
      if (o + 4 + len > to) throw new CaptureError(`capture: option ${code} of the interface at offset ${at} runs past its block`);
      if (code === 9 && len >= 1) { // if_tsresol
        const r = this.buf[o + 4];
        const unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
        itf.usPerUnit = 1e6 / unitsPerSecond;
      } else if (code === 14 && len >= 8) { // if_tsoffset, seconds
        itf.offsetUs = (this.view.getInt32(o + 4 + (this.le ? 4 : 0), this.le) * 4294967296 + this.u32(o + 4 + (this.le ? 0 : 4))) * 1e6;
      }
      o += 4 + len + ((4 - (len % 4)) % 4);
    }
  }
}
