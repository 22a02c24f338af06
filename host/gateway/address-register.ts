// The address register: per device its EUI-64, its addresses, when each was
// first and last registered, and its location label from the site plan;
// exported as CSV (RFC 4180) and JSON. Its plan check is the site's address
// plan as an assertion: every registered address outside link-local (fe80::/10,
// on every link) must fall in the prefix of its device's cell (prefix
// arithmetic with ip-address); one that does not fails the check, which says
// which device, which address and which prefix.
import { Address6 } from 'ip-address';
import type { SixlabGateway } from './gateway.js';
import { Site, inPrefix, isLinkLocal, normaliseEui64, type SitePlan } from './site-plan.js';
import type { RegisteredDevice } from './types.js';

export interface RegisterAddress {
  address: string;
  firstRegisteredAt: number;
  lastRegisteredAt: number;
  lifetimeMinutes: number;
  /** Still in the gateway's table when last seen (false: expired or removed since). */
  current: boolean;
}

export interface RegisterDevice {
  eui64: string;
  cell: string;
  location: string;
  firstRegisteredAt: number;
  lastRegisteredAt: number;
  addresses: RegisterAddress[];
}

export interface PlanViolation {
  eui64: string;
  address: string;
  cell: string;
  prefix: string;
  /** The cell whose prefix the address is in, if any. */
  inCell?: string;
}

export interface PlanCheck {
  ok: boolean;
  /** Addresses checked (link-local ones are not). */
  checked: number;
  violations: PlanViolation[];
  /** One line per violation, for a report or a failing assertion. */
  message: string;
}

export interface RegisterOptions {
  /** Wall-clock milliseconds at the gateway clock's 0 (OpenBoard.epochMs): the exports then show ISO times too. */
  epochMs?: number;
}

/** RFC 4180: a field in quotes when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(v: string | number | boolean | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export class AddressRegister {
  readonly site: Site;
  private readonly devices = new Map<string, RegisterDevice>();
  private stop?: () => void;

  constructor(plan?: SitePlan | Site, private readonly options: RegisterOptions = {}) {
    this.site = plan instanceof Site ? plan : new Site(plan);
  }

  /** A register that follows a gateway: what it holds now and every registration from here on. */
  static follow(gateway: SixlabGateway, options: RegisterOptions = {}): AddressRegister {
    const r = new AddressRegister(gateway.site, options);
    r.sync(gateway.devices());
    const offReg = gateway.onRegistration(() => r.sync(gateway.devices()));
    const offExp = gateway.table.onExpired(() => r.sync(gateway.devices()));
    r.stop = () => {
      offReg();
      offExp();
    };
    return r;
  }

  /** Records devices as the gateway reports them; addresses no longer reported are kept, marked not current. */
  sync(devices: RegisteredDevice[]): void {
    const now = new Set<string>();
    for (const d of devices) {
      this.record(d);
      for (const a of d.addresses) now.add(`${normaliseEui64(d.eui64) ?? d.eui64}|${a}`);
    }
    for (const d of this.devices.values()) for (const a of d.addresses) a.current = now.has(`${d.eui64}|${a.address}`);
  }

  /** Records one device (merging with what the register already holds). */
  record(d: RegisteredDevice): void {
    const eui64 = normaliseEui64(d.eui64) ?? d.eui64;
    let row = this.devices.get(eui64);
    if (!row) {
      row = {
        eui64, cell: d.cell ?? this.site.cellOf(eui64).name, location: d.location ?? this.site.locationOf(eui64),
        firstRegisteredAt: d.firstRegisteredAt, lastRegisteredAt: d.lastRegisteredAt, addresses: [],
      };
      this.devices.set(eui64, row);
    }
    row.firstRegisteredAt = Math.min(row.firstRegisteredAt, d.firstRegisteredAt);
    row.lastRegisteredAt = Math.max(row.lastRegisteredAt, d.lastRegisteredAt);
    const per = new Map((d.registrations ?? []).map((r) => [r.address, r]));
    for (const text of d.addresses) {
      const address = new Address6(text).correctForm();
      const r = per.get(text);
      const first = r?.firstRegisteredAt ?? d.firstRegisteredAt;
      const last = r?.lastRegisteredAt ?? d.lastRegisteredAt;
      const held = row.addresses.find((a) => a.address === address);
      if (held) {
        held.firstRegisteredAt = Math.min(held.firstRegisteredAt, first);
        held.lastRegisteredAt = Math.max(held.lastRegisteredAt, last);
        held.lifetimeMinutes = r?.lifetimeMinutes ?? d.lifetimeMinutes;
        held.current = true;
      } else {
        row.addresses.push({ address, firstRegisteredAt: first, lastRegisteredAt: last, lifetimeMinutes: r?.lifetimeMinutes ?? d.lifetimeMinutes, current: true });
      }
    }
  }

  rows(): RegisterDevice[] {
    return [...this.devices.values()].sort((a, b) => a.eui64.localeCompare(b.eui64));
  }

  /** The plan as an assertion: every non-link-local address in its device's cell's prefix. */
  checkPlan(): PlanCheck {
    const violations: PlanViolation[] = [];
    let checked = 0;
    for (const d of this.rows()) {
      const cell = this.site.cell(d.cell) ?? this.site.cellOf(d.eui64);
      for (const a of d.addresses) {
        if (isLinkLocal(a.address)) continue;
        checked++;
        if (inPrefix(a.address, cell.prefix)) continue;
        const bytes = Uint8Array.from(new Address6(a.address).toUnsignedByteArray());
        violations.push({ eui64: d.eui64, address: a.address, cell: cell.name, prefix: cell.prefix.address, inCell: this.site.cellHolding(bytes)?.name });
      }
    }
    const message = violations.length === 0
      ? `address plan holds: ${checked} address(es) each in its cell's prefix`
      : violations.map((v) => `device ${v.eui64} (cell ${v.cell}): ${v.address} is outside ${v.prefix}${v.inCell ? ` (it is in cell ${v.inCell}'s prefix)` : ''}`).join('\n');
    return { ok: violations.length === 0, checked, violations, message };
  }

  private iso(ms: number): string | undefined {
    return this.options.epochMs === undefined ? undefined : new Date(this.options.epochMs + ms).toISOString();
  }

  /** One line per (device, address): eui64, cell, location, address, times (ms on the gateway's clock, ISO when known), lifetime, current. */
  toCsv(): string {
    const header = ['eui64', 'cell', 'location', 'address', 'first_registered_ms', 'last_registered_ms', 'first_registered', 'last_registered', 'lifetime_minutes', 'current'];
    const lines = [header.join(',')];
    for (const d of this.rows()) {
      for (const a of d.addresses) {
        lines.push([
          d.eui64, d.cell, d.location, a.address, Math.round(a.firstRegisteredAt), Math.round(a.lastRegisteredAt),
          this.iso(a.firstRegisteredAt), this.iso(a.lastRegisteredAt), a.lifetimeMinutes, a.current,
        ].map(csvField).join(','));
      }
    }
    return lines.join('\r\n') + '\r\n';
  }

  toJson(): string {
    return JSON.stringify({
      plan: { cells: this.site.cells.map((c) => ({ name: c.name, label: c.label, prefix: c.prefix.address, cid: c.cid })) },
      devices: this.rows().map((d) => ({
        ...d,
        firstRegistered: this.iso(d.firstRegisteredAt), lastRegistered: this.iso(d.lastRegisteredAt),
        addresses: d.addresses.map((a) => ({ ...a, firstRegistered: this.iso(a.firstRegisteredAt), lastRegistered: this.iso(a.lastRegisteredAt) })),
      })),
      check: (({ ok, checked, violations }) => ({ ok, checked, violations }))(this.checkPlan()),
    }, null, 2) + '\n';
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }
}
