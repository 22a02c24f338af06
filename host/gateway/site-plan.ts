// A site's address plan: a prefix per line or cell, and which cell each device
// (by EUI-64) is in. The gateway advertises each device its cell's prefix
// (RFC 4861 §4.6.2 PIO, RFC 6775 §4.2 6CO) and the address register checks
// that every registered address falls in its cell's prefix. Prefix arithmetic
// is the ip-address package's.
import { Address6 } from 'ip-address';
import { parseLinkAddress } from '../packet/link-address.js';

export interface CellPlan {
  /** The cell's name ("line-1", "cell-a"). */
  name: string;
  /** Its prefix, "2001:db8:1:1::/64" (SLAAC over 6LoWPAN needs a /64: RFC 4944 §6, RFC 4862 §5.5.3). */
  prefix: string;
  /** The location label the register shows for its devices (default: the name). */
  label?: string;
  /** The PAN its devices are on (default: the board's). */
  pan?: number;
}

export interface SitePlan {
  cells: CellPlan[];
  /** Each device's cell, by EUI-64 ("00:12:4b:00:00:00:00:01"), with an optional location label of its own. */
  devices?: Record<string, string | { cell: string; location?: string }>;
  /** The cell of devices the map does not name (default: the first cell). */
  defaultCell?: string;
}

export interface Cell {
  name: string;
  label: string;
  prefix: Address6;
  /** The prefix as 16 octets (bits past the length zero). */
  prefixBytes: Uint8Array;
  length: number;
  /** The 6LoWPAN context (RFC 6282 §3.1.2, RFC 6775 §4.2) the gateway gives it: cells 0..15 get CIDs 0..15. */
  cid?: number;
  pan?: number;
}

export const DEFAULT_PREFIX = '2001:db8::/64';

/** "00:12:4B:00-00-00-00-01" → "00:12:4b:00:00:00:00:01"; undefined for anything that is not an EUI-64. */
export function normaliseEui64(text: string): string | undefined {
  try {
    const a = parseLinkAddress(text);
    return a.mode === 'extended' ? eui64Text(a.bytes) : undefined;
  } catch {
    return undefined;
  }
}

export function eui64Text(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** An IPv6 prefix "addr/len", checked and with its host bits cleared. */
export function parsePrefix(text: string, what = 'prefix'): { prefix: Address6; bytes: Uint8Array; length: number } {
  if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(text.trim())) throw new Error(`${what} ${JSON.stringify(text)}: expected an IPv6 prefix like 2001:db8:1::/64`);
  let a: Address6;
  try {
    a = new Address6(text.trim());
  } catch (err) {
    throw new Error(`${what} ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
  if (a.subnetMask < 1 || a.subnetMask > 128) throw new Error(`${what} ${JSON.stringify(text)}: length must be 1..128`);
  const start = a.startAddress();
  const prefix = new Address6(`${start.correctForm()}/${a.subnetMask}`);
  return { prefix, bytes: Uint8Array.from(start.toUnsignedByteArray()), length: a.subnetMask };
}

/** Whether an address (text or 16 octets) falls in a prefix (ip-address's subnet arithmetic). */
export function inPrefix(address: string | Uint8Array, prefix: Address6): boolean {
  const a = typeof address === 'string' ? new Address6(address) : Address6.fromUnsignedByteArray(Array.from(address));
  return a.isInSubnet(prefix);
}

/** Link-local (fe80::/10) addresses are on every link and in no site prefix. */
export function isLinkLocal(address: string | Uint8Array): boolean {
  const b = typeof address === 'string' ? Uint8Array.from(new Address6(address).toUnsignedByteArray()) : address;
  return b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
}

/** A plan, checked, with each device's cell resolved. */
export class Site {
  readonly cells: Cell[];
  private readonly byName = new Map<string, Cell>();
  private readonly devices = new Map<string, { cell: Cell; location?: string }>();
  readonly defaultCell: Cell;

  constructor(readonly plan: SitePlan = { cells: [{ name: 'default', prefix: DEFAULT_PREFIX }] }) {
    if (!plan.cells?.length) throw new Error('site plan: no cells (give at least one cell with its prefix)');
    this.cells = plan.cells.map((c, i) => {
      if (!c.name) throw new Error(`site plan: cells[${i}] has no name`);
      if (this.byName.has(c.name)) throw new Error(`site plan: cells[${i}]: cell ${c.name} named twice`);
      const p = parsePrefix(c.prefix, `site plan: cell ${c.name}: prefix`);
      if (p.length !== 64) throw new Error(`site plan: cell ${c.name}: prefix ${c.prefix} is a /${p.length}; SLAAC over 6LoWPAN needs a /64 (RFC 4944 §6)`);
      const cell: Cell = { name: c.name, label: c.label ?? c.name, prefix: p.prefix, prefixBytes: p.bytes, length: p.length, cid: i < 16 ? i : undefined, pan: c.pan };
      this.byName.set(c.name, cell);
      return cell;
    });
    const dflt = plan.defaultCell ?? this.cells[0].name;
    const d = this.byName.get(dflt);
    if (!d) throw new Error(`site plan: defaultCell ${dflt} is not a cell`);
    this.defaultCell = d;
    for (const [eui, where] of Object.entries(plan.devices ?? {})) {
      const key = normaliseEui64(eui);
      if (!key) throw new Error(`site plan: devices: ${JSON.stringify(eui)} is not an EUI-64 (00:12:4b:00:00:00:00:01)`);
      const name = typeof where === 'string' ? where : where.cell;
      const cell = this.byName.get(name);
      if (!cell) throw new Error(`site plan: devices.${eui}: cell ${JSON.stringify(name)} is not in the plan (${this.cells.map((c) => c.name).join(', ')})`);
      this.devices.set(key, { cell, location: typeof where === 'string' ? undefined : where.location });
    }
  }

  cell(name: string): Cell | undefined {
    return this.byName.get(name);
  }

  /** The cell of a device (the plan's, else the default cell). */
  cellOf(eui64: string | undefined): Cell {
    const key = eui64 === undefined ? undefined : normaliseEui64(eui64);
    return (key && this.devices.get(key)?.cell) || this.defaultCell;
  }

  /** The location label of a device: its own, else its cell's. */
  locationOf(eui64: string | undefined): string {
    const key = eui64 === undefined ? undefined : normaliseEui64(eui64);
    const d = key ? this.devices.get(key) : undefined;
    return d?.location ?? (d?.cell ?? this.defaultCell).label;
  }

  /** The cell whose prefix holds an address, if any. */
  cellHolding(address: Uint8Array): Cell | undefined {
    return this.cells.find((c) => inPrefix(address, c.prefix));
  }
}
