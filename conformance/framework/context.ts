// What a test body is given (its fixtures): the device as the tester knows
// it, the tester's station and the roles it can play (peer host, router,
// another host), the clock, and helpers that turn observations into verdicts
// with the frames behind them. A test reads only what the device sends on the
// link, with the tester's own library; it never looks inside the device.
import { echoBody } from '../../host/packet/icmpv6.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { linkLocalFromLinkAddress, type LinkAddress } from '../../host/packet/link-address.js';
import { parseNd, type ParsedNdPacket } from '../../host/packet/ndp.js';
import { buildIpv6Packet, parseIpv6Packet, type Ipv6PacketSpec, type ParsedIpv6Packet } from '../../host/packet/packet.js';
import { BROADCAST, Tester, type HeardPacket, type SendOptions } from '../../host/harness/tester.js';
import { TesterRouter, type RouterConfig } from '../../host/harness/router.js';
import { TesterHost } from '../../host/harness/host.js';
import type { Clock, Scheduler } from '../../host/sim/clock.js';
import type { Session } from './session.js';
import { Fail, Inconclusive, NotApplicable } from './verdicts.js';
import type { Finding, Need } from './types.js';

/** A packet the device sent, as the tester read it. */
export interface Seen {
  heard: HeardPacket;
  /** Milliseconds since the test started. */
  at: number;
  ip?: ParsedIpv6Packet;
  /** Set when the IPv6 packet itself does not parse. */
  error?: string;
  nd?: ParsedNdPacket;
  /** Frame numbers in the run's capture. */
  frames: number[];
}

export interface DeviceInfo {
  /** The link address the device sends from. */
  link: LinkAddress;
  eui64: LinkAddress;
  short?: LinkAddress;
  /** Its link-local address (formed from `link`, RFC 4944 §6). */
  ll: Uint8Array;
  mode: 'lowpan-nd' | 'classic';
}

export interface WaitOptions {
  /** Board-clock milliseconds to wait (default: the board's replyMs). */
  within?: number;
  /** Look at packets since this mark (default: the last send). */
  since?: number;
}

export interface Expectation extends WaitOptions {
  rule: string;
  expected: string;
}

export const ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
export const ALL_ROUTERS = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);

export class TestContext {
  readonly tester: Tester;
  /** The tester as the peer host the device talks to (answers NS for its address). */
  readonly peer: TesterHost;
  readonly device: DeviceInfo;
  readonly notes: string[] = [];
  /** Packets the device sent during this test, in order. */
  readonly seen: Seen[] = [];
  private cursor = 0;
  private readonly start: number;
  private readonly waiters = new Set<() => void>();
  private readonly roles: { close(): void }[] = [];
  private readonly stopListening: () => void;

  constructor(
    readonly session: Session,
    private readonly frameNumber: (psdu: Uint8Array) => number | undefined,
    readonly shortSource: boolean,
  ) {
    const board = session.board;
    this.tester = new Tester(session.link, board);
    const short = board.deviceShort === undefined ? undefined : { mode: 'short' as const, bytes: Uint8Array.of(board.deviceShort >> 8, board.deviceShort & 0xff) };
    const link = shortSource && short ? short : board.deviceLink;
    this.device = { link, eui64: board.deviceLink, short, ll: linkLocalFromLinkAddress(link), mode: board.device.mode ?? 'lowpan-nd' };
    this.start = session.clock.now();
    this.stopListening = this.tester.onPacket((h) => this.observe(h));
    this.peer = new TesterHost(this.tester, board.testerLink);
    this.roles.push(this.peer);
  }

  get clock(): Clock {
    return this.session.clock;
  }

  /** Milliseconds since the test started, on the board's clock. */
  now(): number {
    return this.session.clock.now() - this.start;
  }

  sleep(ms: number): Promise<void> {
    return this.session.clock.sleep(ms);
  }

  has(need: Need): boolean {
    return this.session.needs.has(need);
  }

  private get replyMs(): number {
    return this.session.board.timeouts?.replyMs ?? 1000;
  }

  private observe(h: HeardPacket): void {
    const s: Seen = { heard: h, at: h.at - this.start, frames: h.frames.map((f) => this.frameNumber(f.psdu) ?? 0).filter((n) => n > 0) };
    try {
      s.ip = parseIpv6Packet(h.packet);
      if (s.ip.icmpv6 && s.ip.icmpv6.type >= 133 && s.ip.icmpv6.type <= 137) s.nd = parseNd(h.packet);
    } catch (err) {
      s.error = (err as Error).message;
    }
    this.seen.push(s);
    for (const w of [...this.waiters]) w();
  }

  /** A mark for `since`: packets seen from now on. */
  mark(): number {
    return this.seen.length;
  }

  // ------------------------------------------------------------ sending

  /** Sends a packet from the tester; `waitFor` then looks at what came after. Returns the frame numbers. */
  async send(packet: Uint8Array, options: Partial<SendOptions> = {}): Promise<number[]> {
    this.cursor = this.seen.length;
    const frames = await this.tester.send(packet, { dst: this.device.link, ...options });
    await this.delivered();
    return frames.map((f) => this.frameNumber(f) ?? 0);
  }

  /** Sends frames built by the test (any bytes). */
  async sendFrames(frames: Uint8Array[]): Promise<number[]> {
    this.cursor = this.seen.length;
    await this.tester.sendFrames(frames);
    await this.delivered();
    return frames.map((f) => this.frameNumber(f) ?? 0);
  }

  /** On a simulated medium, waits out the link delay: what was sent has reached the device. */
  private async delivered(): Promise<void> {
    const link = this.session.board.link;
    if (link.kind === 'virtual' && (link.delayMs ?? 0) > 0) await this.sleep(link.delayMs!);
  }

  /** An IPv6 packet from the tester's link-local address to the device's, unless told otherwise. */
  packet(spec: Partial<Ipv6PacketSpec> & Pick<Ipv6PacketSpec, 'upper'>): Uint8Array {
    const defined = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as typeof spec;
    return buildIpv6Packet({ src: this.tester.ll, dst: this.device.ll, ...defined });
  }

  /** An Echo Request packet. */
  echoRequest(o: { id?: number; seq?: number; data?: Uint8Array; src?: Uint8Array; dst?: Uint8Array; hopLimit?: number; trafficClass?: number; flowLabel?: number } = {}): Uint8Array {
    return this.packet({
      src: o.src, dst: o.dst, hopLimit: o.hopLimit, trafficClass: o.trafficClass, flowLabel: o.flowLabel,
      upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(o.id ?? 0x5158, o.seq ?? 1, o.data ?? Uint8Array.of(0x73, 0x69, 0x78, 0x6c)) },
    });
  }

  // ------------------------------------------------------------ observing

  /** The first packet since the mark that `match` accepts (waiting up to `within`), or undefined. */
  async waitFor(match: (s: Seen) => boolean, o: WaitOptions = {}): Promise<Seen | undefined> {
    const since = o.since ?? this.cursor;
    const find = () => this.seen.slice(since).find(match);
    const found = find();
    if (found) return found;
    await this.until(() => find() !== undefined, o.within ?? this.replyMs);
    return find();
  }

  /** Waits until `done()` holds (checked on every packet) or `ms` pass. On a virtual
   *  clock the timeout is cancelled when done, so nothing keeps the clock running. */
  private until(done: () => boolean, ms: number): Promise<void> {
    const clock = this.session.clock as Clock & Partial<Scheduler>;
    return new Promise<void>((resolve) => {
      const arm = (finish: () => void, cancelTimer: () => void) => {
        const waiter = () => {
          if (!done()) return;
          this.waiters.delete(waiter);
          cancelTimer();
          finish();
        };
        this.waiters.add(waiter);
        return () => this.waiters.delete(waiter);
      };
      if (clock.hold && clock.schedule) {
        void clock.hold<void>((finish) => {
          let disarm = () => {};
          const cancel = clock.schedule!(clock.now() + ms, () => {
            disarm();
            finish();
          });
          disarm = arm(finish, cancel);
        }).then(resolve);
      } else {
        let timer: NodeJS.Timeout | undefined;
        const disarm = arm(resolve, () => clearTimeout(timer));
        timer = setTimeout(() => {
          disarm();
          resolve();
        }, ms);
      }
    });
  }

  /** Every packet `match` accepts over `within` milliseconds from now (it waits the whole time). */
  async collect(match: (s: Seen) => boolean, o: WaitOptions = {}): Promise<Seen[]> {
    const since = o.since ?? this.cursor;
    await this.session.clock.sleep(o.within ?? this.replyMs);
    return this.seen.slice(since).filter(match);
  }

  /** Fails unless a matching packet comes. */
  async expect(match: (s: Seen) => boolean, e: Expectation & { sent?: number[] }): Promise<Seen> {
    const s = await this.waitFor(match, e);
    if (s) return s;
    const near = this.seen.slice(e.since ?? this.cursor);
    throw new Fail({
      rule: e.rule, expected: e.expected,
      seen: near.length ? `${near.length} other packet(s) from the device: ${near.slice(0, 3).map(describeSeen).join('; ')}` : `nothing from the device within ${e.within ?? this.replyMs} ms`,
      frames: [...(e.sent ?? []), ...near.flatMap((x) => x.frames)].filter((n) => n > 0),
    });
  }

  /** Fails if a matching packet comes within `within`. */
  async expectNone(match: (s: Seen) => boolean, e: Expectation & { sent?: number[] }): Promise<void> {
    const s = await this.waitFor(match, e);
    if (!s) return;
    throw new Fail({ rule: e.rule, expected: e.expected, seen: describeSeen(s), frames: [...(e.sent ?? []), ...s.frames] });
  }

  /** An Echo Request to the device and its checked reply: same identifier, sequence and data (RFC 4443 §4.2). */
  async echo(o: {
    request?: Uint8Array; send?: Partial<SendOptions>; id?: number; seq?: number; data?: Uint8Array; dst?: Uint8Array; src?: Uint8Array;
    rule?: string; within?: number; hopLimit?: number; trafficClass?: number; flowLabel?: number;
  } = {}): Promise<Seen> {
    const id = o.id ?? 0x5158;
    const seq = o.seq ?? 1;
    const data = o.data ?? Uint8Array.of(0x73, 0x69, 0x78, 0x6c);
    const request = o.request ?? this.echoRequest({ id, seq, data, dst: o.dst, src: o.src, hopLimit: o.hopLimit, trafficClass: o.trafficClass, flowLabel: o.flowLabel });
    const sent = await this.send(request, o.send);
    const rule = o.rule ?? 'RFC 4443 §4.2';
    const reply = await this.expect((s) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === id && s.ip.icmpv6.echo.sequence === seq, {
      rule, expected: `an Echo Reply with identifier ${id} and sequence ${seq}`, within: o.within, sent,
    });
    const got = reply.ip!.icmpv6!.echo!.data;
    this.check(got.length === data.length && got.every((b, i) => b === data[i]), {
      rule: 'RFC 4443 §4.2', expected: `the ${data.length} data octets of the request returned unchanged`,
      seen: `${got.length} octets, first difference at ${firstDifference(got, data)}`, frames: [...sent, ...reply.frames],
    });
    this.check(reply.ip!.icmpv6!.checksumOk, { rule: 'RFC 4443 §2.3', expected: 'a correct ICMPv6 checksum', seen: 'a wrong checksum', frames: reply.frames });
    // RFC 4443 §4.2: a reply to a unicast request comes from the address the request was sent to.
    const reqDst = request.subarray(24, 40);
    const replySrc = reply.ip!.header.src;
    this.check(reqDst[0] === 0xff || sameBytes(replySrc, reqDst), {
      rule: 'RFC 4443 §4.2', expected: `the Echo Reply from ${formatIpv6(reqDst)}, the address the request was sent to`,
      seen: `it came from ${formatIpv6(replySrc)}`, frames: [...sent, ...reply.frames],
    });
    this.check(replySrc[0] !== 0xff && !replySrc.every((b) => b === 0), {
      rule: 'RFC 4443 §4.2', expected: 'the Echo Reply from a unicast address', seen: `it came from ${formatIpv6(replySrc)}`, frames: reply.frames,
    });
    return reply;
  }

  /** Liveness after a hostile or ignored input: the device still answers an Echo Request. */
  async alive(rule = 'RFC 4443 §4.2'): Promise<void> {
    await this.echo({ id: 0x4c49, seq: 0x7665, rule, data: Uint8Array.of(0x61, 0x6c, 0x69, 0x76, 0x65) });
  }

  // ------------------------------------------------------------ verdicts

  check(condition: unknown, f: Omit<Finding, 'frames'> & { frames?: number[] }): asserts condition {
    if (!condition) throw new Fail({ ...f, frames: f.frames ?? [] });
  }

  fail(f: Omit<Finding, 'frames'> & { frames?: number[] }): never {
    throw new Fail({ ...f, frames: f.frames ?? [] });
  }

  inconclusive(reason: string): never {
    throw new Inconclusive(reason);
  }

  notApplicable(reason: string): never {
    throw new NotApplicable(reason);
  }

  note(text: string): void {
    this.notes.push(text);
  }

  // ------------------------------------------------------------ roles

  /** The tester as a router / 6LBR on the link (started: it answers RS and registrations). */
  async router(config: Partial<RouterConfig> = {}, announce = true): Promise<TesterRouter> {
    const r = new TesterRouter(this.tester, { link: ROUTER_LINK, ...config });
    this.roles.push(r);
    await r.start(announce);
    return r;
  }

  /** The device's global address in a prefix: from its IID as a 6LoWPAN host forms it (RFC 4862 §5.5.3). */
  addressIn(prefix: Uint8Array): Uint8Array {
    const a = Uint8Array.from(prefix.subarray(0, 16));
    a.set(this.device.ll.subarray(8), 8);
    return a;
  }

  /**
   * Brings the device onto a network the tester routes: a router with `prefix`
   * (RA with PIO; 6LoWPAN-ND: registrations answered), then waits until the
   * device has its global address: registered (6LoWPAN-ND) or past DAD
   * (classic). Inconclusive when it never gets there.
   */
  async join(config: Partial<RouterConfig> = {}, prefix = DEFAULT_PREFIX): Promise<{ router: TesterRouter; global: Uint8Array }> {
    const classic = this.device.mode === 'classic';
    const r = await this.router({ prefixes: [{ prefix, onLink: classic }], ...config });
    const global = this.addressIn(prefix);
    if (classic) {
      // DAD for the new address: one NS from :: (RFC 4862 §5.4.2), then RetransTimer (1 s).
      const dad = await this.waitFor((s) => s.nd?.message.kind === 'ns' && sameBytes(s.nd.message.target, global), { within: 15_000, since: 0 });
      if (!dad) this.inconclusive(`precondition: the device never started DAD for ${formatIpv6(global)} after the RA`);
      await this.sleep(Math.max(0, dad.at + 1500 - this.now()));
    } else {
      const deadline = this.now() + 30_000;
      while (!r.registrationsOf(global).some((x) => x.status === 0)) {
        if (this.now() >= deadline) this.inconclusive(`precondition: the device never registered ${formatIpv6(global)} with the router`);
        await this.sleep(100);
      }
      await this.sleep(50);
    }
    return { router: r, global };
  }

  /** Another host on the link, with its own link address (…:aa:bb:cc:00:NN) and addresses. */
  host(last: number, addresses: Uint8Array[] = []): TesterHost {
    const l: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0x00, 0x12, 0x4b, 0xaa, 0xbb, 0xcc, 0x00, last) };
    const h = new TesterHost(this.tester, l, addresses);
    this.roles.push(h);
    return h;
  }

  /** The link address the tester uses for multicast destinations. */
  get broadcast(): LinkAddress {
    return BROADCAST;
  }

  // ------------------------------------------------------------ the device on command

  async devicePing(dst: Uint8Array, id: number, seq: number, size: number): Promise<void> {
    this.cursor = this.seen.length;
    await this.session.devicePing(dst, id, seq, size);
  }

  async deviceUdp(dst: Uint8Array, dstPort: number, srcPort: number, data: Uint8Array): Promise<void> {
    this.cursor = this.seen.length;
    await this.session.deviceUdp(dst, dstPort, srcPort, data);
  }

  /** Restarts the device within the test (the roles stay on the link). */
  async reboot(): Promise<void> {
    this.cursor = this.seen.length;
    await this.session.reboot();
  }

  close(): void {
    for (const r of this.roles) r.close();
    this.stopListening();
    this.tester.close();
  }
}

export const ROUTER_LINK: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0x00, 0x12, 0x4b, 0xff, 0xfe, 0x00, 0x00, 0x01) };
export const DEFAULT_PREFIX = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0);

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return Math.min(a.length, b.length);
}

export function describeSeen(s: Seen): string {
  if (!s.ip) return `an undecodable packet (${s.error})`;
  const p = s.ip;
  const what = p.icmpv6 ? `ICMPv6 type ${p.icmpv6.type} code ${p.icmpv6.code}` : p.udp ? `UDP ${p.udp.srcPort}->${p.udp.dstPort}` : `next header ${p.upper.protocol}`;
  return `${what} from ${formatIpv6(p.header.src)} to ${formatIpv6(p.header.dst)} (frame ${s.frames.join(',') || '?'})`;
}
