// The registration table's rules (RFC 6775 §6.5.2, RFC 8505 §5.2), apart from
// frames: statuses 0, 1, 2 and 3, deregistration, lifetimes and expiry on the
// link's clock, and the TID lollipop (RFC 6550 §7.2).
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from '../packet/ipv6-address.js';
import { AroStatus } from '../packet/ndp.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { LinkTimers } from './link-timers.js';
import { RegistrationTable, tidFresher, type RegistrationAttempt } from './registrations.js';

const EUI_A = Uint8Array.of(0, 0x12, 0x4b, 0, 0, 0, 0, 1);
const EUI_B = Uint8Array.of(0, 0x12, 0x4b, 0, 0, 0, 0, 2);
const ADDR = parseIpv6('2001:db8::212:4b00:0:1');

function setup(capacity = 4) {
  const clock = new VirtualClock();
  const table = new RegistrationTable(new LinkTimers(clock), capacity);
  const reg = (over: Partial<RegistrationAttempt> = {}) => table.register({
    address: ADDR, rovr: EUI_A, link: { mode: 'extended', bytes: EUI_A }, tid: 240, earo: true, lifetimeMinutes: 10, at: clock.now(), ...over,
  });
  return { clock, table, reg };
}

describe('registration table', () => {
  it('a new address is registered (0) and kept with its owner, link address and lifetime; a refresh keeps the first time', async () => {
    const { clock, table, reg } = setup();
    expect(reg().status).toBe(AroStatus.Success);
    await clock.sleep(60_000);
    const again = reg({ tid: 241, at: clock.now() });
    expect(again.status).toBe(AroStatus.Success);
    const e = table.get('2001:db8::212:4b00:0:1')!;
    expect(e).toMatchObject({ eui64: '00:12:4b:00:00:00:00:01', firstRegisteredAt: 0, lastRegisteredAt: 60_000, lifetimeMinutes: 10, expiresAt: 660_000, tid: 241 });
    expect(table.size).toBe(1);
  });

  it('the same address from another owner (ROVR) is a duplicate: status 1, the entry untouched', () => {
    const { table, reg } = setup();
    reg();
    const dup = reg({ rovr: EUI_B, link: { mode: 'extended', bytes: EUI_B } });
    expect(dup.status).toBe(AroStatus.Duplicate);
    expect(table.get(ADDR)!.eui64).toBe('00:12:4b:00:00:00:00:01');
    // Nor may the other owner remove it with lifetime 0.
    expect(reg({ rovr: EUI_B, lifetimeMinutes: 0 }).status).toBe(AroStatus.Duplicate);
    expect(table.size).toBe(1);
  });

  it('a full table answers a new address with status 2, yet refreshes the addresses it holds', () => {
    const { table, reg } = setup(2);
    expect(reg({ address: parseIpv6('2001:db8::1') }).status).toBe(0);
    expect(reg({ address: parseIpv6('2001:db8::2') }).status).toBe(0);
    expect(reg({ address: parseIpv6('2001:db8::3') }).status).toBe(AroStatus.NeighborCacheFull);
    expect(reg({ address: parseIpv6('2001:db8::2'), tid: 241 }).status).toBe(0);
    expect(table.size).toBe(2);
  });

  it('lifetime 0 from the owner removes the entry (status 0)', () => {
    const { table, reg } = setup();
    reg();
    const out = reg({ lifetimeMinutes: 0, tid: 241 });
    expect(out).toMatchObject({ status: 0, removed: true });
    expect(table.size).toBe(0);
  });

  it('an entry expires with its lifetime on the link clock, unless refreshed in time', async () => {
    const { clock, table, reg } = setup();
    const expired: string[] = [];
    table.onExpired((e) => expired.push(e.text));
    reg({ lifetimeMinutes: 1 });
    reg({ address: parseIpv6('2001:db8::9'), lifetimeMinutes: 1 });
    await clock.sleep(50_000);
    reg({ address: parseIpv6('2001:db8::9'), lifetimeMinutes: 1, tid: 241, at: clock.now() });
    await clock.sleep(10_001);
    expect(expired).toEqual(['2001:db8::212:4b00:0:1']);
    expect(table.all().map((e) => e.text)).toEqual(['2001:db8::9']);
    await clock.sleep(60_000);
    expect(table.size).toBe(0);
  });

  it('an older TID from the owner is not the freshest: status 3 (Moved); a restarted counter (linear region) is taken', () => {
    const { table, reg } = setup();
    expect(reg({ tid: 5 }).status).toBe(0);
    expect(reg({ tid: 3 }).status).toBe(AroStatus.Moved);
    expect(reg({ tid: 5 }).status).toBe(0); // a retransmission: the same TID
    expect(reg({ tid: 240 }).status).toBe(0); // the node restarted its lollipop (RFC 8505 §5.2.1)
    expect(table.get(ADDR)!.tid).toBe(240);
    // An RFC 6775 ARO has no TID: never Moved.
    expect(reg({ earo: false, tid: undefined }).status).toBe(0);
  });

  it('TIDs compare as RFC 6550 §7.2 lollipop counters', () => {
    expect(tidFresher(241, 240)).toBe(true);
    expect(tidFresher(240, 241)).toBe(false);
    expect(tidFresher(0, 250)).toBe(true); // just past the linear region into the circle
    expect(tidFresher(100, 250)).toBe(false); // 256 + 100 - 250 > 16: the linear value is greater
    expect(tidFresher(2, 127)).toBe(true); // the circular region wraps
    expect(tidFresher(127, 2)).toBe(false);
    expect(tidFresher(10, 60)).toBeUndefined(); // too far apart to compare
    expect(tidFresher(7, 7)).toBe(false);
  });
});
