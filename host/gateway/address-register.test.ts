// The address register and the site plan: exports (CSV, JSON) and the plan
// check, which fails for an address outside its cell's prefix, both from
// records and from a registration the gateway accepted on the air.
import { describe, expect, it } from 'vitest';
import type { Board } from '../board/board-config.js';
import { Tester } from '../harness/tester.js';
import { parseIpv6 } from '../packet/ipv6-address.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { buildNdPacket } from '../packet/ndp.js';
import { Medium } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { AddressRegister } from './address-register.js';
import { SixlabGateway } from './gateway.js';
import { MediumLink } from './medium-link.js';
import { Site, type SitePlan } from './site-plan.js';
import type { RegisteredDevice } from './types.js';

const PLAN: SitePlan = {
  cells: [
    { name: 'line-1', prefix: '2001:db8:0:1::/64', label: 'line 1, hall A' },
    { name: 'line-2', prefix: '2001:db8:0:2::/64' },
  ],
  devices: {
    '00:12:4b:00:00:00:00:01': 'line-1',
    '00:12:4B:00:00:00:00:02': { cell: 'line-2', location: 'press "7", bay 3' },
  },
};

const device = (eui64: string, addresses: string[], at = 1000): RegisteredDevice => ({
  eui64, addresses, firstRegisteredAt: at, lastRegisteredAt: at + 500, lifetimeMinutes: 60,
});

describe('site plan', () => {
  it('resolves each device\'s cell and location; unknown devices go to the default cell', () => {
    const site = new Site(PLAN);
    expect(site.cellOf('00:12:4b:00:00:00:00:02').name).toBe('line-2');
    expect(site.locationOf('00-12-4b-00-00-00-00-02')).toBe('press "7", bay 3');
    expect(site.locationOf('00:12:4b:00:00:00:00:01')).toBe('line 1, hall A');
    expect(site.cellOf('00:12:4b:00:00:00:00:99').name).toBe('line-1');
    expect(site.cells.map((c) => c.cid)).toEqual([0, 1]);
    expect(site.cellHolding(parseIpv6('2001:db8:0:2::1'))?.name).toBe('line-2');
    expect(site.cellHolding(parseIpv6('2001:db8:0:3::1'))).toBeUndefined();
  });

  it('refuses a plan it could not honour, saying what is wrong', () => {
    expect(() => new Site({ cells: [] })).toThrow(/no cells/);
    expect(() => new Site({ cells: [{ name: 'a', prefix: '2001:db8::/48' }] })).toThrow(/\/48; SLAAC over 6LoWPAN needs a \/64/);
    expect(() => new Site({ cells: [{ name: 'a', prefix: 'not-a-prefix' }] })).toThrow(/expected an IPv6 prefix/);
    expect(() => new Site({ cells: [{ name: 'a', prefix: '2001:db8::/64' }, { name: 'a', prefix: '2001:db8:1::/64' }] })).toThrow(/named twice/);
    expect(() => new Site({ ...PLAN, devices: { '00:12:4b:00:00:00:00:01': 'line-9' } })).toThrow(/cell "line-9" is not in the plan/);
    expect(() => new Site({ ...PLAN, devices: { 'nope': 'line-1' } })).toThrow(/not an EUI-64/);
  });
});

describe('address register', () => {
  it('the plan check holds when every address is in its cell\'s prefix (link-local addresses are not checked)', () => {
    const r = new AddressRegister(PLAN);
    r.record(device('00:12:4b:00:00:00:00:01', ['fe80::212:4b00:0:1', '2001:db8:0:1:212:4b00:0:1']));
    r.record(device('00:12:4b:00:00:00:00:02', ['2001:db8:0:2:212:4b00:0:2']));
    expect(r.checkPlan()).toMatchObject({ ok: true, checked: 2, violations: [] });
  });

  it('the plan check fails for an address outside its cell\'s prefix, naming the device, the address and the prefix', () => {
    const r = new AddressRegister(PLAN);
    r.record(device('00:12:4b:00:00:00:00:01', ['2001:db8:0:1:212:4b00:0:1', '2001:db8:0:2:212:4b00:0:1']));
    r.record(device('00:12:4b:00:00:00:00:02', ['2001:db8:0:9::2']));
    const check = r.checkPlan();
    expect(check.ok).toBe(false);
    expect(check.violations).toEqual([
      { eui64: '00:12:4b:00:00:00:00:01', address: '2001:db8:0:2:212:4b00:0:1', cell: 'line-1', prefix: '2001:db8:0:1::/64', inCell: 'line-2' },
      { eui64: '00:12:4b:00:00:00:00:02', address: '2001:db8:0:9::2', cell: 'line-2', prefix: '2001:db8:0:2::/64', inCell: undefined },
    ]);
    expect(check.message.split('\n')).toEqual([
      'device 00:12:4b:00:00:00:00:01 (cell line-1): 2001:db8:0:2:212:4b00:0:1 is outside 2001:db8:0:1::/64 (it is in cell line-2\'s prefix)',
      'device 00:12:4b:00:00:00:00:02 (cell line-2): 2001:db8:0:9::2 is outside 2001:db8:0:2::/64',
    ]);
  });

  it('exports CSV (RFC 4180 quoting, one line per address, ISO times) and JSON', () => {
    const r = new AddressRegister(PLAN, { epochMs: Date.UTC(2026, 0, 2, 3, 4, 5) });
    r.record(device('00:12:4b:00:00:00:00:02', ['2001:db8:0:2:212:4b00:0:2', 'fe80::212:4b00:0:2'], 2000));
    r.record(device('00:12:4b:00:00:00:00:01', ['2001:db8:0:1:212:4b00:0:1'], 1000));
    r.record(device('00:12:4b:00:00:00:00:01', ['2001:db8:0:1:212:4b00:0:1'], 9000)); // a refresh
    const csv = r.toCsv().split('\r\n');
    expect(csv[0]).toBe('eui64,cell,location,address,first_registered_ms,last_registered_ms,first_registered,last_registered,lifetime_minutes,current');
    expect(csv[1]).toBe('00:12:4b:00:00:00:00:01,line-1,"line 1, hall A",2001:db8:0:1:212:4b00:0:1,1000,9500,2026-01-02T03:04:06.000Z,2026-01-02T03:04:14.500Z,60,true');
    expect(csv[2]).toBe('00:12:4b:00:00:00:00:02,line-2,"press ""7"", bay 3",2001:db8:0:2:212:4b00:0:2,2000,2500,2026-01-02T03:04:07.000Z,2026-01-02T03:04:07.500Z,60,true');
    expect(csv).toHaveLength(5); // header, three addresses, the final line break
    const json = JSON.parse(r.toJson());
    expect(json.plan.cells.map((c: { prefix: string }) => c.prefix)).toEqual(['2001:db8:0:1::/64', '2001:db8:0:2::/64']);
    expect(json.devices.map((d: { eui64: string; location: string }) => [d.eui64, d.location])).toEqual([
      ['00:12:4b:00:00:00:00:01', 'line 1, hall A'], ['00:12:4b:00:00:00:00:02', 'press "7", bay 3'],
    ]);
    expect(json.devices[0].addresses[0]).toMatchObject({ address: '2001:db8:0:1:212:4b00:0:1', firstRegisteredAt: 1000, lastRegisteredAt: 9500, firstRegistered: '2026-01-02T03:04:06.000Z' });
    expect(json.check).toEqual({ ok: true, checked: 2, violations: [] });
  });

  it('follows a gateway: a registration it accepted outside the device\'s cell fails the plan check', async () => {
    const clock = new VirtualClock();
    const medium = new Medium(clock);
    const gwLink: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0, 0x12, 0x4b, 0xff, 0xff, 0xff, 0xff, 0xfe) };
    const gw = await SixlabGateway.start(new MediumLink(medium, gwLink), { testerLink: gwLink, pan: 0xabcd }, { plan: PLAN });
    const register = AddressRegister.follow(gw, { epochMs: 0 });
    // Device 1 (line 1) registers an address of line 2's prefix: RFC 6775 lets it; the plan does not.
    const link: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0, 0x12, 0x4b, 0, 0, 0, 0, 1) };
    const t = new Tester(new MediumLink(medium, link, 'device-1'), { testerLink: link, pan: 0xabcd } as Board);
    const ll = linkLocalFromLinkAddress(link);
    for (const target of [ll, parseIpv6('2001:db8:0:1:212:4b00:0:1'), parseIpv6('2001:db8:0:2::77')]) {
      await t.send(buildNdPacket({
        src: ll, dst: gw.ll,
        message: { kind: 'ns', target, options: [{ kind: 'sllao', addr: link }, { kind: 'aro', status: 0, t: true, tid: 240, lifetime: 10, rovr: link.bytes }] },
      }), gwLink);
    }
    await clock.sleep(50);
    expect(gw.registrationLog.map((e) => e.status)).toEqual([0, 0, 0]);
    const check = register.checkPlan();
    expect(check.ok).toBe(false);
    expect(check.violations.map((v) => [v.eui64, v.address, v.inCell])).toEqual([['00:12:4b:00:00:00:00:01', '2001:db8:0:2::77', 'line-2']]);
    // Ten minutes on, the registrations expire: the register keeps them, no longer current.
    await clock.sleep(10 * 60_000 + 1);
    expect(gw.devices()).toEqual([]);
    expect(register.rows()[0].addresses.map((a) => a.current)).toEqual([false, false, false]);
    expect(register.toCsv()).toContain(',2001:db8:0:2::77,');
    register.close();
    await gw.close();
  });
});
