// The gateway's radios: one per cell, each on its cell's channel (the medium's
// topology: a station placed in one cell hears and is heard by that cell
// only), seen by the gateway as one Link. A frame for a device goes out on the
// radio of that device's cell; a broadcast goes out on every radio. So a
// frame costs what its cell costs, and the fleet's cost grows linearly with
// its devices (one radio in every cell would put each of the gateway's frames
// before every device of the worker). Each radio numbers its own frames (its
// MAC's sequence number, IEEE 802.15.4-2015 §7.2.2): the devices of a cell
// hear only that radio, and drop a frame whose sequence number repeats the
// last one heard from the same source as a MAC retransmission.
import type { Link, ReceivedFrame } from '../link/link.js';
import { fcs16 } from '../packet/ieee802154.js';
import type { LinkAddress } from '../packet/link-address.js';
import type { Scheduler } from '../sim/clock.js';
import { macAddressing, type MacAddressing, type Medium, type Station } from '../sim/medium.js';

class CellRadio implements Station {
  seq = 0;

  constructor(readonly name: string, private readonly owner: CellRadios) {}

  accepts(mac: MacAddressing): boolean {
    return this.owner.accepts(mac);
  }

  receive(psdu: Uint8Array, at: number): void {
    this.owner.receive(psdu, at);
  }
}

/** The frame with the radio's next sequence number, and its FCS again (unless the frame has none: 2015 sequence number suppression). */
function numbered(psdu: Uint8Array, radio: CellRadio): Uint8Array {
  const fcf = psdu[0] | (psdu[1] << 8);
  const version = (fcf >> 12) & 3;
  if (psdu.length < 5 || (version === 2 && fcf & 0x0100)) return psdu;
  const out = Uint8Array.from(psdu);
  out[2] = radio.seq;
  radio.seq = (radio.seq + 1) & 0xff;
  const c = fcs16(out.subarray(0, out.length - 2));
  out[out.length - 2] = c & 0xff;
  out[out.length - 1] = c >> 8;
  return out;
}

const key = (mode: number, bytes: Uint8Array) => `${mode}:${Buffer.from(bytes).toString('hex')}`;

export class CellRadios implements Link {
  private readonly listeners = new Set<(f: ReceivedFrame) => void>();
  private readonly radios = new Map<string, CellRadio>();
  /** Link address ("3:<hex>") of each device → the radio of its cell. */
  private readonly cellOf = new Map<string, CellRadio>();
  readonly clock: Scheduler;

  /** `devices`: each device's extended address and cell; the radio of cell C is named `${prefix}@C`. */
  constructor(private readonly medium: Medium, readonly address: LinkAddress, cells: string[], devices: { link: Uint8Array; cell: string }[], prefix = 'gateway') {
    this.clock = medium.clock;
    for (const c of cells) {
      const r = new CellRadio(`${prefix}@${c}`, this);
      this.radios.set(c, r);
      medium.attach(r, { cells: [c] });
    }
    for (const d of devices) {
      const r = this.radios.get(d.cell);
      if (r) this.cellOf.set(key(3, d.link), r);
    }
  }

  /** The name of the radio in a cell (for per-link loss and delay). */
  radioName(cell: string): string | undefined {
    return this.radios.get(cell)?.name;
  }

  accepts(mac: MacAddressing): boolean {
    const a = this.address;
    if (mac.dstMode === 3) return a.mode === 'extended' && mac.dst.every((b, i) => b === a.bytes[i]);
    return mac.dstMode === 2 && a.mode === 'short' && mac.dst[0] === a.bytes[0] && mac.dst[1] === a.bytes[1];
  }

  receive(psdu: Uint8Array, at: number): void {
    for (const l of this.listeners) l({ psdu, at });
  }

  async send(psdu: Uint8Array): Promise<void> {
    const mac = macAddressing(psdu);
    const radio = mac && mac.dstMode === 3 ? this.cellOf.get(key(3, mac.dst)) : undefined;
    if (radio) {
      await this.medium.transmit(radio.name, numbered(psdu, radio));
      return;
    }
    // Broadcast, or an address that is no device's: every channel.
    await Promise.all([...this.radios.values()].map((r) => this.medium.transmit(r.name, numbered(psdu, r))));
  }

  onFrame(listener: (f: ReceivedFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    for (const r of this.radios.values()) this.medium.detach(r.name);
  }
}
