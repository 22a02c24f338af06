// The virtual board as the harness sees it: the device answers through the
// same Link a real board offers; named faults break it one way each; the
// virtual clock makes long protocol waits instant.
import { describe, expect, it } from 'vitest';
import { Tester, linkLocalOf } from '../harness/tester.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { frag1Header } from '../packet/lowpan-fragment.js';
import { buildIpv6Packet } from '../packet/packet.js';
import { loadBoard } from './board-config.js';
import { describeFaults } from './faults.js';
import { VirtualBoard } from './virtual-board.js';

function virtual(faults: string[] = [], lossPercent?: number) {
  const board = loadBoard('virtual');
  if (lossPercent !== undefined && board.link.kind === 'virtual') board.link = { ...board.link, lossPercent };
  const vb = new VirtualBoard(board, { faults });
  const tester = new Tester(vb.link, board);
  return { board, vb, tester, device: linkLocalOf(board.deviceLink) };
}

describe('virtual board', () => {
  it('answers pings through the in-process medium, with round-trip times on the virtual clock', async () => {
    const { board, tester, device } = virtual();
    const rtts: (number | undefined)[] = [];
    for (let seq = 1; seq <= 3; seq++) rtts.push(await tester.ping(device, board.deviceLink, 7, seq, 32, 1000));
    expect(rtts.every((r) => r !== undefined && r > 0 && r < 50)).toBe(true);
  });

  it('answers a 1232-octet ping (fragments both ways)', async () => {
    const { board, tester, device } = virtual();
    expect(await tester.ping(device, board.deviceLink, 1, 1, 1232, 2000)).toBeDefined();
  });

  it('still answers through 20% loss, thanks to MAC retransmissions', async () => {
    const { board, tester, device } = virtual([], 20);
    let answered = 0;
    for (let seq = 0; seq < 20; seq++) if ((await tester.ping(device, board.deviceLink, 2, seq, 8, 1000)) !== undefined) answered++;
    expect(answered).toBeGreaterThanOrEqual(18);
  });

  it('stops answering with the fault drop-echo-replies', async () => {
    const { board, tester, device } = virtual(['drop-echo-replies']);
    expect(await tester.ping(device, board.deviceLink, 1, 1, 8, 1000)).toBeUndefined();
  });

  it('lists each fault with what it breaks', () => {
    const faults = describeFaults();
    expect(faults.map((f) => f.name)).toEqual(expect.arrayContaining(['drop-echo-replies', 'wrong-hop-limit-na', 'ignore-aro-status', 'accept-overlapping-fragments', 'no-fcs-check']));
    expect(faults.every((f) => f.description.length > 10)).toBe(true);
    expect(() => new VirtualBoard(loadBoard('virtual'), { faults: ['nope'] })).toThrow(/unknown fault "nope"/);
  });

  it('accepts a frame with a bad FCS only with the fault no-fcs-check', async () => {
    for (const [faults, answered] of [[[], false], [['no-fcs-check'], true]] as const) {
      const { board, vb, tester, device } = virtual([...faults]);
      let got = false;
      tester.onPacket(() => (got = true));
      const echo = buildIpv6Packet({ src: tester.ll, dst: device, upper: { kind: 'icmpv6', type: 128, code: 0, body: Uint8Array.of(0, 1, 0, 1) } });
      const frame = buildDataFrame({ src: board.testerLink, dst: board.deviceLink, pan: board.pan, seq: 1, fcs: 0x0bad }, Uint8Array.of(0x41, ...echo));
      await vb.link.send(frame);
      await vb.clock.sleep(100);
      expect(got).toBe(answered);
    }
  });

  it('waits out the 60 s reassembly timeout in virtual time, in well under a second of wall time', async () => {
    const { board, vb, device, tester } = virtual();
    const packet = buildIpv6Packet({ src: tester.ll, dst: device, upper: { kind: 'udp', srcPort: 1, dstPort: 2, payload: new Uint8Array(300) } });
    const first = Uint8Array.of(...frag1Header(packet.length, 0x77), 0x41, ...packet.subarray(0, 80));
    await vb.link.send(buildDataFrame({ src: board.testerLink, dst: board.deviceLink, pan: board.pan, seq: 9 }, first));
    const wall = performance.now();
    await vb.clock.sleep(61_000);
    const elapsed = performance.now() - wall;
    expect(vb.clock.now()).toBeGreaterThanOrEqual(61_000);
    expect(vb.node.counter(35 /* FragTimeout */)).toBe(1);
    console.log(`60 s of protocol time took ${elapsed.toFixed(1)} ms of wall time`);
    expect(elapsed).toBeLessThan(1000);
  });
});
