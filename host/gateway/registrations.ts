// The gateway's registration table (RFC 6775 §6.5, RFC 8505 §5): one entry
// per registered address, with the owner's ROVR (the EUI-64 of an RFC 6775
// ARO, the ROVR of an RFC 8505 EARO), its link address, the EARO's TID and a
// lifetime after which the entry is removed (RFC 6775 §6.5.2: "the router
// removes the entry when the lifetime expires"). What status a registration
// gets is decided here, apart from frames, so that each rule can be tested:
//   lifetime 0 from the owner      → removed, status 0 (RFC 6775 §6.5.2, RFC 8505 §5.1)
//   address held by another ROVR   → 1 Duplicate (RFC 6775 §6.5.2, RFC 8505 §5.2)
//   an older TID from the owner    → 3 Moved: "not the freshest" (RFC 8505 §4.1 Table 1, §5.2)
//   a new address, the table full  → 2 Neighbor Cache Full (RFC 6775 §6.5.2)
//   otherwise                      → 0 Success: created or refreshed
import { bytesEqual } from '../packet/bytes.js';
import { formatIpv6 } from '../packet/ipv6-address.js';
import type { LinkAddress } from '../packet/link-address.js';
import { AroStatus } from '../packet/ndp.js';
import type { LinkTimers } from './link-timers.js';
import { eui64Text } from './site-plan.js';

export interface RegistrationEntry {
  address: Uint8Array;
  /** RFC 5952 text. */
  text: string;
  /** EUI-64 text of the owner (the ROVR when it is one, else the SLLAO's). */
  eui64: string;
  rovr: Uint8Array;
  /** Where frames for the address go: the registration's SLLAO. */
  link: LinkAddress;
  /** EARO Transaction ID (RFC 8505 §4.1); undefined for an RFC 6775 ARO. */
  tid?: number;
  earo: boolean;
  lifetimeMinutes: number;
  firstRegisteredAt: number;
  lastRegisteredAt: number;
  expiresAt: number;
}

export interface RegistrationAttempt {
  address: Uint8Array;
  rovr: Uint8Array;
  link: LinkAddress;
  tid?: number;
  earo: boolean;
  lifetimeMinutes: number;
  at: number;
}

export interface RegistrationOutcome {
  status: number;
  entry?: RegistrationEntry;
  /** The registration removed the entry (lifetime 0). */
  removed?: boolean;
}

/** RFC 6550 §7.2 lollipop counters, as RFC 8505 §5.2 compares TIDs. */
const SEQUENCE_WINDOW = 16;

/**
 * Whether TID `a` is fresher than `b` (RFC 6550 §7.2): true, false, or
 * undefined when they are too far apart to compare (a desynchronisation, in
 * which case the newcomer is taken).
 */
export function tidFresher(a: number, b: number): boolean | undefined {
  if (a === b) return false;
  const linA = a >= 128;
  const linB = b >= 128;
  if (linA && !linB) return 256 + b - a > SEQUENCE_WINDOW;
  if (!linA && linB) return 256 + a - b <= SEQUENCE_WINDOW;
  if (linA) return Math.abs(a - b) > SEQUENCE_WINDOW ? undefined : a > b;
  const d = (a - b + 128) % 128; // the circular region wraps at 128
  if (d <= SEQUENCE_WINDOW) return true;
  if (d >= 128 - SEQUENCE_WINDOW) return false;
  return undefined;
}

export function ownerEui64(rovr: Uint8Array, link: LinkAddress): string {
  if (rovr.length === 8) return eui64Text(rovr);
  if (link.mode === 'extended') return eui64Text(link.bytes);
  return Array.from(rovr, (b) => b.toString(16).padStart(2, '0')).join('');
}

export class RegistrationTable {
  private readonly entries = new Map<string, RegistrationEntry>();
  private readonly expiry = new Map<string, () => void>();
  private readonly expiredListeners = new Set<(e: RegistrationEntry) => void>();

  /** `capacity`: addresses the table holds (RFC 6775 §6.5.2: a full cache answers 2). */
  constructor(private readonly timers: LinkTimers, readonly capacity = 1024) {}

  get size(): number {
    return this.entries.size;
  }

  all(): RegistrationEntry[] {
    return [...this.entries.values()];
  }

  get(address: Uint8Array | string): RegistrationEntry | undefined {
    return this.entries.get(typeof address === 'string' ? address : formatIpv6(address));
  }

  /** Called when an entry's lifetime runs out and it is removed. */
  onExpired(listener: (e: RegistrationEntry) => void): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  /** Decides the status of one registration and applies it. */
  register(r: RegistrationAttempt): RegistrationOutcome {
    const text = formatIpv6(r.address);
    const held = this.entries.get(text);
    if (held && !bytesEqual(held.rovr, r.rovr)) return { status: AroStatus.Duplicate, entry: held };
    if (r.lifetimeMinutes === 0) {
      if (held) this.remove(text);
      return { status: AroStatus.Success, entry: held, removed: held !== undefined };
    }
    // An older TID is stale (RFC 8505 §5.2), but one in the lollipop's linear
    // region (>= 128) is a node that restarted its counter (RFC 8505 §5.2.1,
    // RFC 6550 §7.2) and is taken as fresh.
    if (held && r.earo && held.tid !== undefined && r.tid !== undefined && r.tid < 128 && tidFresher(r.tid, held.tid) === false && r.tid !== held.tid) {
      return { status: AroStatus.Moved, entry: held };
    }
    if (!held && this.entries.size >= this.capacity) return { status: AroStatus.NeighborCacheFull };
    const entry: RegistrationEntry = {
      address: r.address.slice(), text, eui64: ownerEui64(r.rovr, r.link), rovr: r.rovr.slice(), link: r.link,
      tid: r.tid, earo: r.earo, lifetimeMinutes: r.lifetimeMinutes,
      firstRegisteredAt: held?.firstRegisteredAt ?? r.at, lastRegisteredAt: r.at, expiresAt: r.at + r.lifetimeMinutes * 60_000,
    };
    this.entries.set(text, entry);
    this.expiry.get(text)?.();
    this.expiry.set(text, this.timers.at(entry.expiresAt, () => {
      if (this.entries.get(text) !== entry) return;
      this.remove(text);
      for (const l of this.expiredListeners) l(entry);
    }));
    return { status: AroStatus.Success, entry };
  }

  remove(text: string): void {
    this.entries.delete(text);
    this.expiry.get(text)?.();
    this.expiry.delete(text);
  }

  clear(): void {
    for (const t of this.entries.keys()) this.remove(t);
  }
}
