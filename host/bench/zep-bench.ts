// ZEP: fragmented pings through a zep board to a stack that behaves as RIOT
// native does (busy after each frame, ACK wanted within about 1 ms: the test
// peer of host/link/zep-stack-peer.ts), with the tester's MAC on and off; and
// how fast a new process acknowledges its first frame, with and without the
// warm-up at bind, against later frames. Benchmarks, not tests: nothing here
// fails on a number.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { loadBoard, type Board } from '../board/board-config.js';
import { openBoard } from '../board/open-board.js';
import { Tester, linkLocalOf } from '../harness/tester.js';
import type { ZepMacSettings } from '../link/zep-mac.js';
import { ZepStackPeer } from '../link/zep-stack-peer.js';
import { decodeZep, encodeZep, type ZepEndpoint } from '../link/zep.js';
import { buildDataFrame } from '../packet/ieee802154.js';
import { parseIeee802154 } from '../packet/ieee802154-parse.js';
import { shortAddress } from '../packet/link-address.js';

export interface PingFigures {
  sent: number;
  answered: number;
  rttMedianMs?: number;
  rttP90Ms?: number;
}

export interface ZepPingRun {
  /** By size in octets. */
  sizes: Record<number, PingFigures>;
  testerRetransmissions: number;
  testerLost: number;
  peerDroppedBusy: number;
  peerRetransmissions: number;
}

export interface AckTurnaround {
  /** Medians over fresh processes, µs: the ACK round trip seen by the peer (its send to the ACK's arrival), and the endpoint's own turnaround (the datagram in hand to the ACK's send done). */
  firstRttUs: number;
  laterRttUs: number;
  firstTurnaroundUs: number;
  laterTurnaroundUs: number;
}

export interface ZepBench {
  macOn: ZepPingRun;
  macOff: ZepPingRun;
  ackCold: AckTurnaround;
  ackWarm: AckTurnaround;
}

const pct = (xs: number[], p: number) => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/** `count` pings of each size through a zep board (its MAC as given) to a RIOT-like peer. */
export async function pingRiotLike(mac: Partial<ZepMacSettings>, sizes = [200, 1000], count = 20, timeoutMs = 3000): Promise<ZepPingRun> {
  const template = loadBoard('zep-riot');
  const peer = await ZepStackPeer.start({ eui64: template.deviceLink, pan: template.pan, seed: 1 });
  const board: Board = { ...template, link: { kind: 'zep', address: '::1', localPort: 0, remotePort: peer.port(), channel: 26 } };
  const opened = await openBoard(board, { zepMac: mac });
  const tester = new Tester(opened.link, board);
  const out: Record<number, PingFigures> = {};
  try {
    for (const size of sizes) {
      const rtts: number[] = [];
      for (let seq = 1; seq <= count; seq++) {
        const rtt = await tester.ping(linkLocalOf(board.deviceLink), board.deviceLink, 0x42, seq, size, timeoutMs);
        if (rtt !== undefined) rtts.push(rtt);
      }
      out[size] = { sent: count, answered: rtts.length, rttMedianMs: pct(rtts, 0.5), rttP90Ms: pct(rtts, 0.9) };
    }
  } finally {
    tester.close();
    await opened.close();
    await peer.close();
  }
  const t = (opened.raw as ZepEndpoint).stats;
  return { sizes: out, testerRetransmissions: t.retransmissions, testerLost: t.framesLost, peerDroppedBusy: peer.stats.droppedBusy, peerRetransmissions: peer.stats.retransmissions };
}

/**
 * ACK turnaround of a new process: `trials` fresh node processes each open a
 * ZepEndpoint (warm-up at bind on or off) and acknowledge `frames` frames from
 * this process, 5 ms apart; the first frame against the later ones.
 */
export async function ackTurnaround(warmUp: boolean, trials = 10, frames = 20): Promise<AckTurnaround> {
  const zepModule = new URL('../link/zep.js', import.meta.url).href;
  const child = `
    const { ZepEndpoint } = await import(${JSON.stringify(zepModule)});
    const ep = await ZepEndpoint.open({ address: '::1', localPort: 0, pan: 0xabcd, shortAddress: 2, warmUp: ${warmUp} });
    const turns = [];
    ep.on('ackSent', (_p, info) => turns.push(info.turnaroundUs));
    process.stdout.write(ep.port() + '\\n');
    process.stdin.once('data', async () => { process.stdout.write(JSON.stringify(turns) + '\\n'); await ep.close(); process.exit(0); });
  `;
  const sock = createSocket('udp6');
  await new Promise<void>((r) => sock.bind(0, '::1', () => r()));
  const first: number[] = [], later: number[] = [], tFirst: number[] = [], tLater: number[] = [];
  try {
    for (let t = 0; t < trials; t++) {
      const proc = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      let buf = '';
      proc.stdout.on('data', (b: Buffer) => {
        buf += b.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
          waiters.shift()?.();
        }
      });
      const line = async () => {
        while (!lines.length) await new Promise<void>((r) => waiters.push(r));
        return lines.shift() as string;
      };
      const port = Number(await line());
      await new Promise((r) => setTimeout(r, 50)); // a peer speaks some time after the endpoint is up
      for (let i = 0; i < frames; i++) {
        const psdu = buildDataFrame({ src: shortAddress(1), dst: shortAddress(2), pan: 0xabcd, seq: i, ackRequest: true }, Uint8Array.of(0x41, i));
        const got = new Promise<void>((resolve) => {
          const on = (msg: Buffer) => {
            const z = decodeZep(new Uint8Array(msg));
            if (z.type === 'data' && parseIeee802154(z.psdu).frameType === 2) {
              sock.off('message', on);
              resolve();
            }
          };
          sock.on('message', on);
        });
        const t0 = process.hrtime.bigint();
        sock.send(encodeZep({ channel: 26, deviceId: 7, seq: i, psdu }), port, '::1');
        await got;
        (i === 0 ? first : later).push(Number(process.hrtime.bigint() - t0) / 1000);
        await new Promise((r) => setTimeout(r, 5));
      }
      proc.stdin.write('x');
      const turns = JSON.parse(await line()) as number[];
      tFirst.push(turns[0]);
      tLater.push(...turns.slice(1));
      await new Promise((r) => proc.once('exit', r));
    }
  } finally {
    sock.close();
  }
  return { firstRttUs: pct(first, 0.5)!, laterRttUs: pct(later, 0.5)!, firstTurnaroundUs: pct(tFirst, 0.5)!, laterTurnaroundUs: pct(tLater, 0.5)! };
}

/** The whole ZEP bench: pings with the MAC on (20 of each size) and off (5 of each, short timeout), and the ACK turnaround cold vs warm. */
export async function zepFragmentedPing(): Promise<ZepBench> {
  const macOn = await pingRiotLike({}, [200, 1000], 20, 3000);
  const macOff = await pingRiotLike({ ackWaitMs: 0, gapMs: 0 }, [200, 1000], 5, 500);
  const ackCold = await ackTurnaround(false);
  const ackWarm = await ackTurnaround(true);
  return { macOn, macOff, ackCold, ackWarm };
}

/** Table rows in run-all.ts's format: [what, figure, budget]. */
export function zepRows(b: ZepBench): [string, string, string][] {
  const ping = (r: ZepPingRun, size: number) => {
    const f = r.sizes[size];
    return `${f.answered}/${f.sent} answered${f.rttMedianMs === undefined ? '' : `, RTT median ${f.rttMedianMs.toFixed(1)} ms, p90 ${f.rttP90Ms!.toFixed(1)} ms`}`;
  };
  const ack = (a: AckTurnaround) =>
    `first frame ${(a.firstRttUs / 1000).toFixed(2)} ms (in-process ${(a.firstTurnaroundUs / 1000).toFixed(2)} ms), later ${(a.laterRttUs / 1000).toFixed(2)} ms (${(a.laterTurnaroundUs / 1000).toFixed(2)} ms)`;
  return [
    ['ZEP ping to a RIOT-like stack, 200 octets, MAC on', ping(b.macOn, 200), '20/20'],
    ['ZEP ping to a RIOT-like stack, 1000 octets, MAC on', ping(b.macOn, 1000), '20/20'],
    ['  MAC on: tester retransmissions / lost; peer busy drops', `${b.macOn.testerRetransmissions} / ${b.macOn.testerLost}; ${b.macOn.peerDroppedBusy}`, ''],
    ['ZEP ping, same, MAC off (no ACK wait, no retries, no gap)', `200: ${ping(b.macOff, 200)}; 1000: ${ping(b.macOff, 1000)}`, ''],
    ['ZEP ACK round trip of a new process, no warm-up', ack(b.ackCold), '< 1 ms (RIOT retransmits after ~1 ms)'],
    ['ZEP ACK round trip of a new process, warm-up at bind', ack(b.ackWarm), '< 1 ms'],
  ];
}
