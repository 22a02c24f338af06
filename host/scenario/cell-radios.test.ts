// The gateway's radios, one per cell: a frame for a device goes out on its
// cell's channel only, a broadcast on every channel, each radio numbers its
// own frames, and everything the radios hear reaches the gateway.
import { describe, expect, it } from 'vitest';
import { buildDataFrame, fcs16 } from '../packet/ieee802154.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { parseLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { Medium, type MacAddressing, type Station } from '../sim/medium.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { CellRadios } from './cell-radios.js';

const GW = parseLinkAddress('00:12:4b:ff:fe:00:00:01');
const BROADCAST: LinkAddress = { mode: 'short', bytes: Uint8Array.of(0xff, 0xff) };

class Device implements Station {
  readonly heard: Uint8Array[] = [];
  constructor(readonly name: string, readonly link: LinkAddress) {}
  accepts(mac: MacAddressing): boolean {
    return mac.dstMode === 3 && mac.dst.every((b, i) => b === this.link.bytes[i]);
  }
  receive(psdu: Uint8Array): void {
    this.heard.push(psdu);
  }
}

function setup() {
  const clock = new VirtualClock();
  const medium = new Medium(clock);
  const devices = ['a1', 'a2', 'b1'].map((n, i) => new Device(n, parseLinkAddress(`00:12:4b:5c:00:00:00:0${i + 1}`)));
  const cellOf: Record<string, string> = { a1: 'A', a2: 'A', b1: 'B' };
  for (const d of devices) medium.attach(d, { cells: [cellOf[d.name]] });
  const radios = new CellRadios(medium, GW, ['A', 'B'], devices.map((d) => ({ link: d.link.bytes, cell: cellOf[d.name] })));
  const frame = (dst: LinkAddress, seq: number) => buildDataFrame({ src: GW, dst, pan: 0xabcd, seq, ackRequest: dst.mode === 'extended' }, Uint8Array.of(0x41, 1, 2, 3));
  return { clock, medium, devices, radios, frame };
}

describe('CellRadios', () => {
  it('sends a device\'s frames on its own cell\'s channel, broadcasts on every channel', async () => {
    const { clock, devices, radios, frame } = setup();
    const [a1, a2, b1] = devices;
    await radios.send(frame(b1.link, 7));
    await clock.settle();
    expect([a1.heard.length, a2.heard.length, b1.heard.length]).toEqual([0, 0, 1]);
    await radios.send(frame(a1.link, 8));
    await clock.settle();
    expect([a1.heard.length, a2.heard.length, b1.heard.length]).toEqual([1, 1, 1]); // a2 shares a1's channel
    await radios.send(frame(BROADCAST, 9));
    await clock.settle();
    expect([a1.heard.length, a2.heard.length, b1.heard.length]).toEqual([2, 2, 2]);
    expect(radios.radioName('A')).toBe('gateway@A');
  });

  it('numbers each radio\'s frames itself, with a right FCS: the same gateway sequence number on two channels is no retransmission', async () => {
    const { clock, devices, radios, frame } = setup();
    const [a1, , b1] = devices;
    // The gateway's MAC numbers 5, then (256 frames later on other channels) 5 again for the same cell.
    await radios.send(frame(a1.link, 5));
    await radios.send(frame(b1.link, 6));
    await radios.send(frame(a1.link, 5));
    await clock.settle();
    expect(a1.heard).toHaveLength(2); // not dropped as a MAC retransmission
    const seqs = a1.heard.map((p) => parseIeee802154(p).seq);
    expect(seqs).toEqual([0, 1]);
    expect(parseIeee802154(b1.heard[0]).seq).toBe(0);
    for (const p of [...a1.heard, ...b1.heard]) {
      const c = fcs16(p.subarray(0, p.length - 2));
      expect([p[p.length - 2], p[p.length - 1]]).toEqual([c & 0xff, c >> 8]);
      expect(parseIeee802154(p).fcsOk).toBe(true);
    }
  });

  it('hands the gateway what any of its radios hears', async () => {
    const { clock, medium, devices, radios } = setup();
    const got: Uint8Array[] = [];
    radios.onFrame((f) => got.push(f.psdu));
    const up = buildDataFrame({ src: devices[2].link, dst: GW, pan: 0xabcd, seq: 1, ackRequest: true }, Uint8Array.of(0x41, 9));
    let acked: boolean | undefined;
    void medium.transmit('b1', up).then((a) => (acked = a));
    await clock.settle();
    await clock.sleep(2);
    expect(got).toEqual([up]);
    expect(acked).toBe(true);
    await radios.close();
    void medium.transmit('b1', up);
    await clock.sleep(5);
    expect(got).toHaveLength(1);
  });
});
