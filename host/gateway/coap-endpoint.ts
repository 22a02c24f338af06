// The gateway's CoAP client endpoint (RFC 7252, Observe RFC 7641), over any
// datagram transport (UDP over 6LoWPAN on the link, in the gateway) and on the
// link's clock (virtual time on virtual boards). Messages are built and read
// with coap-packet.
//
// - Message IDs (§4.4) count up from a random start; tokens (§5.3.1) are 4
//   random octets, never two alike among the exchanges and observations in
//   progress.
// - CON (§4.2): retransmitted after a random timeout in [ACK_TIMEOUT,
//   ACK_TIMEOUT × ACK_RANDOM_FACTOR], doubled each time, MAX_RETRANSMIT times
//   (2 s, 1.5, 4: §4.8); the request fails when the timeout after the last
//   retransmission runs out. An RST fails it at once.
// - Piggybacked responses (§5.2.1) end the exchange; an Empty ACK stops the
//   retransmission and the response comes separately (§5.2.2), in a CON that is
//   acknowledged or a NON.
// - NON requests (§5.2.3) are sent once and answered by token.
// - Duplicates (§4.5): a CON seen again (same endpoint and Message ID within
//   EXCHANGE_LIFETIME) gets the same ACK again and is not delivered twice; a
//   NON seen again within NON_LIFETIME is dropped.
// - A CON or NON whose token matches nothing is rejected with an RST (§4.2,
//   §4.3; RFC 7641 §3.6 for notifications nobody wants any more).
// - Observe (RFC 7641): GET with Observe 0 registers (§3.1); the first
//   response carries Observe when the server took the registration;
//   notifications are delivered when fresher than the last (§3.4: the 24-bit
//   sequence number's order, or 128 s later); a notification without Observe
//   or with an error code ends the observation (§3.2); deregistration is a GET
//   with Observe 1 and the same token (§3.6).
import { generate, parse, type ParsedPacket } from 'coap-packet';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import type { CoapRequest, CoapResponse } from './types.js';
import type { LinkTimers } from './link-timers.js';

export const COAP_PORT = 5683;
/** RFC 7252 §4.8 transmission parameters. */
export const ACK_TIMEOUT_MS = 2000;
export const ACK_RANDOM_FACTOR = 1.5;
export const MAX_RETRANSMIT = 4;
/** §4.8.2: MAX_TRANSMIT_WAIT 93 s, EXCHANGE_LIFETIME 247 s, NON_LIFETIME 145 s. */
export const MAX_TRANSMIT_WAIT_MS = 93_000;
export const EXCHANGE_LIFETIME_MS = 247_000;
export const NON_LIFETIME_MS = 145_000;
/** RFC 7641 §3.4: a notification 128 s after the last is newer whatever its number. */
const OBSERVE_FRESHNESS_MS = 128_000;

/** The datagram service under the endpoint. */
export interface DatagramTransport {
  send(dst: Uint8Array, dstPort: number, srcPort: number, payload: Uint8Array): Promise<void>;
}

export interface CoapEndpointOptions {
  /** Our UDP port (the source of requests). */
  port: number;
  ackTimeoutMs?: number;
  ackRandomFactor?: number;
  maxRetransmit?: number;
  /** How long a separate response or the answer to a NON is awaited (default MAX_TRANSMIT_WAIT). */
  responseTimeoutMs?: number;
  /** A source of randomness in [0, 1) (tests seed it). */
  random?: () => number;
}

/** A request that ended without a response. */
export class CoapTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoapTimeoutError';
  }
}

/** The device refused an Observe registration or answered it with an error code. */
export class CoapResponseError extends Error {
  constructor(readonly response: CoapResponse, message: string) {
    super(message);
    this.name = 'CoapResponseError';
  }
}

/** What the endpoint sent and heard (for tests and reports). */
export interface CoapEndpointStats {
  requests: number;
  transmissions: number;
  retransmissions: number;
  timeouts: number;
  duplicates: number;
  resets: number;
  notifications: number;
}

type Option = { name: string | number; value: Buffer };

interface Exchange {
  peer: string;
  dst: Uint8Array;
  port: number;
  mid: number;
  token: Buffer;
  bytes: Uint8Array;
  confirmable: boolean;
  /** Waiting for the ACK (CON) or for the response (after an Empty ACK, or NON). */
  acked: boolean;
  attempts: number;
  timeoutMs: number;
  cancelTimer?: () => void;
  cancelDeadline?: () => void;
  resolve: (r: CoapResponse) => void;
  reject: (e: Error) => void;
}

interface Observation {
  peer: string;
  dst: Uint8Array;
  port: number;
  token: Buffer;
  path: string;
  lastSeq?: number;
  lastAt: number;
  onNotify: (r: CoapResponse) => void;
  ended: boolean;
}

const METHOD_CODES = { GET: '0.01', POST: '0.02', PUT: '0.03', DELETE: '0.04' } as const;

/** RFC 7252 §3.2 uint option value: big-endian, shortest form (0 is empty). */
export function uintValue(v: number): Buffer {
  const b: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) b.unshift(x & 0xff);
  return Buffer.from(b);
}

export const uintOf = (b: Uint8Array): number => b.reduce((v, x) => v * 256 + x, 0);

const optionValue = (m: ParsedPacket, name: string | number) => m.options.find((o) => o.name === name || String(o.name) === String(name))?.value;

/** RFC 7641 §3.4: V2 is newer than V1 (24-bit sequence numbers), or T2 is 128 s after T1. */
export function observeFresher(v1: number, t1: number, v2: number, t2: number): boolean {
  const H = 1 << 23;
  return (v1 < v2 && v2 - v1 < H) || (v1 > v2 && v1 - v2 > H) || t2 > t1 + OBSERVE_FRESHNESS_MS;
}

/** The Uri-Path and Uri-Query options of a path and query (RFC 7252 §6.4). */
export function uriOptions(path: string, query: string[] = []): Option[] {
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return [
    ...path.split('/').filter(Boolean).map((s) => ({ name: 'Uri-Path', value: Buffer.from(decode(s)) })),
    ...query.map((q) => ({ name: 'Uri-Query', value: Buffer.from(q) })),
  ];
}

export function toResponse(m: ParsedPacket, at: number): CoapResponse {
  const cf = optionValue(m, 'Content-Format');
  const obs = optionValue(m, 'Observe');
  return {
    code: m.code, payload: Uint8Array.from(m.payload), contentFormat: cf === undefined ? undefined : uintOf(cf),
    observe: obs === undefined ? undefined : uintOf(obs), at,
    options: m.options.map((o) => ({ name: o.name, value: Uint8Array.from(o.value) })),
  };
}

export class CoapEndpoint {
  readonly stats: CoapEndpointStats = { requests: 0, transmissions: 0, retransmissions: 0, timeouts: 0, duplicates: 0, resets: 0, notifications: 0 };
  private mid: number;
  private readonly exchanges = new Set<Exchange>();
  private readonly observations = new Map<string, Observation>(); // by token hex
  /** §4.5: messages seen, by "peer|mid", with the reply sent (to repeat for a duplicate CON). */
  private readonly seen = new Map<string, { until: number; reply?: Uint8Array }>();
  private readonly random: () => number;
  private closed = false;
  readonly port: number;
  private readonly ackTimeout: number;
  private readonly randomFactor: number;
  private readonly maxRetransmit: number;
  private readonly responseTimeout: number;

  constructor(private readonly transport: DatagramTransport, private readonly timers: LinkTimers, options: CoapEndpointOptions) {
    this.port = options.port;
    this.random = options.random ?? Math.random;
    this.ackTimeout = options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.randomFactor = options.ackRandomFactor ?? ACK_RANDOM_FACTOR;
    this.maxRetransmit = options.maxRetransmit ?? MAX_RETRANSMIT;
    this.responseTimeout = options.responseTimeoutMs ?? MAX_TRANSMIT_WAIT_MS;
    this.mid = Math.floor(this.random() * 0x10000); // §4.4: a random start
  }

  private nextMid(): number {
    this.mid = (this.mid + 1) & 0xffff;
    return this.mid;
  }

  private newToken(): Buffer {
    for (;;) {
      const t = Buffer.from(Array.from({ length: 4 }, () => Math.floor(this.random() * 256)));
      const hex = t.toString('hex');
      if (!this.observations.has(hex) && ![...this.exchanges].some((x) => x.token.equals(t))) return t;
    }
  }

  /** One request; resolves with the response (piggybacked or separate), rejects on RST or timeout. */
  request(req: CoapRequest): Promise<CoapResponse> {
    return this.exchange(req, METHOD_CODES[req.method], undefined, this.newToken());
  }

  /** RFC 7641: registers; the first response and every fresher notification go to onNotify. */
  async observe(req: Omit<CoapRequest, 'method'>, onNotify: (r: CoapResponse) => void): Promise<() => Promise<void>> {
    const token = this.newToken();
    const dst = parseIpv6(req.address);
    const peer = `${formatIpv6(dst)}|${req.port ?? COAP_PORT}`;
    const obs: Observation = { peer, dst, port: req.port ?? COAP_PORT, token, path: req.path, lastAt: -Infinity, onNotify, ended: false };
    this.observations.set(token.toString('hex'), obs);
    let first: CoapResponse;
    try {
      first = await this.exchange({ ...req, method: 'GET' }, '0.01', 0, token);
    } catch (err) {
      this.observations.delete(token.toString('hex'));
      throw err;
    }
    if (!first.code.startsWith('2.')) {
      this.observations.delete(token.toString('hex'));
      throw new CoapResponseError(first, `observe ${req.path}: the device answered ${first.code}`);
    }
    obs.lastSeq = first.observe;
    obs.lastAt = first.at;
    if (first.observe === undefined) {
      // §3.1: no Observe option: the server did not register us; this was a plain GET.
      this.observations.delete(token.toString('hex'));
      obs.ended = true;
    }
    onNotify(first);
    return async () => {
      if (obs.ended) return;
      obs.ended = true;
      this.observations.delete(token.toString('hex'));
      // §3.6: GET with Observe 1 and the same token; the answer does not matter.
      await this.exchange({ ...req, method: 'GET' }, '0.01', 1, token).catch(() => undefined);
    };
  }

  private exchange(req: CoapRequest, code: string, observe: number | undefined, token: Buffer): Promise<CoapResponse> {
    if (this.closed) return Promise.reject(new Error('the CoAP endpoint is closed'));
    let dst: Uint8Array;
    try {
      dst = parseIpv6(req.address);
    } catch (err) {
      return Promise.reject(err);
    }
    const port = req.port ?? COAP_PORT;
    const confirmable = req.confirmable ?? true;
    const options: Option[] = [];
    if (observe !== undefined) options.push({ name: 'Observe', value: uintValue(observe) });
    options.push(...uriOptions(req.path, req.query));
    if (req.contentFormat !== undefined) options.push({ name: 'Content-Format', value: uintValue(req.contentFormat) });
    for (const o of req.options ?? []) options.push({ name: o.name, value: Buffer.from(o.value) });
    const mid = this.nextMid();
    const bytes = Uint8Array.from(generate({
      code, confirmable, messageId: mid, token, options, payload: req.payload ? Buffer.from(req.payload) : undefined,
    }));
    this.stats.requests++;
    return this.timers.hold<CoapResponse>((resolve, reject) => {
      const x: Exchange = {
        peer: `${formatIpv6(dst)}|${port}`, dst, port, mid, token, bytes, confirmable, acked: !confirmable, attempts: 0,
        // §4.2: the initial timeout is random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR].
        timeoutMs: this.ackTimeout * (1 + this.random() * (this.randomFactor - 1)),
        resolve: (r) => {
          this.finish(x);
          resolve(r);
        },
        reject: (e) => {
          this.finish(x);
          reject(e);
        },
      };
      this.exchanges.add(x);
      if (req.timeoutMs !== undefined) {
        x.cancelDeadline = this.timers.after(req.timeoutMs, () => this.giveUp(x, `no response from ${req.address} within ${req.timeoutMs} ms`));
      }
      if (confirmable) this.armRetransmit(x);
      else this.armResponseTimeout(x);
      this.transmit(x);
    });
  }

  private transmit(x: Exchange): void {
    this.stats.transmissions++;
    this.transport.send(x.dst, x.port, this.port, x.bytes).catch(() => {
      // A link that failed to send: a CON is sent again at its next timeout.
    });
  }

  private armRetransmit(x: Exchange): void {
    x.cancelTimer = this.timers.after(x.timeoutMs, () => {
      if (!this.exchanges.has(x) || x.acked) return;
      if (x.attempts >= this.maxRetransmit) {
        return this.giveUp(x, `no ACK from ${x.peer.split('|')[0]} after ${x.attempts + 1} transmissions (RFC 7252 §4.2)`);
      }
      x.attempts++;
      x.timeoutMs *= 2;
      this.stats.retransmissions++;
      this.transmit(x);
      this.armRetransmit(x);
    });
  }

  private armResponseTimeout(x: Exchange): void {
    x.cancelTimer?.();
    x.cancelTimer = this.timers.after(this.responseTimeout, () => this.giveUp(x, `no response from ${x.peer.split('|')[0]} within ${this.responseTimeout} ms`));
  }

  private giveUp(x: Exchange, why: string): void {
    if (!this.exchanges.has(x)) return;
    this.stats.timeouts++;
    x.reject(new CoapTimeoutError(why));
  }

  private finish(x: Exchange): void {
    this.exchanges.delete(x);
    x.cancelTimer?.();
    x.cancelDeadline?.();
  }

  /** A datagram for our port. */
  receive(src: Uint8Array, srcPort: number, data: Uint8Array, at: number): void {
    if (this.closed) return;
    let m: ParsedPacket;
    try {
      m = parse(Buffer.from(data));
    } catch {
      return; // §4.2: a message that cannot be parsed is silently ignored (or rejected); nothing to match it to
    }
    const peer = `${formatIpv6(src)}|${srcPort}`;
    this.prune(at);
    if (m.ack || m.reset) return this.ackOrReset(m, peer, at);
    // A CON or NON from the device: a separate response or a notification.
    const key = `${peer}|${m.messageId}`;
    const dup = this.seen.get(key);
    if (dup) {
      this.stats.duplicates++;
      if (m.confirmable && dup.reply) void this.transport.send(src, srcPort, this.port, dup.reply).catch(() => {});
      return;
    }
    const entry: { until: number; reply?: Uint8Array } = { until: at + (m.confirmable ? EXCHANGE_LIFETIME_MS : NON_LIFETIME_MS) };
    this.seen.set(key, entry);
    if (m.code === '0.00') {
      // §4.3: an Empty CON is a ping: answered with an RST.
      if (m.confirmable) this.reply(entry, src, srcPort, { code: '0.00', reset: true, messageId: m.messageId });
      return;
    }
    // §5.2.2: a separate response also stands for a lost Empty ACK.
    const x = [...this.exchanges].find((e) => e.peer === peer && e.token.equals(m.token));
    const obs = x ? undefined : this.observations.get(m.token.toString('hex'));
    if (!x && !(obs && obs.peer === peer && !obs.ended)) {
      this.stats.resets++;
      this.reply(entry, src, srcPort, { code: '0.00', reset: true, messageId: m.messageId });
      return;
    }
    // §5.2.2: a separate response (or notification) in a CON is acknowledged.
    if (m.confirmable) this.reply(entry, src, srcPort, { code: '0.00', ack: true, messageId: m.messageId });
    const r = toResponse(m, at);
    if (x) return x.resolve(r);
    this.notify(obs!, r);
  }

  private ackOrReset(m: ParsedPacket, peer: string, at: number): void {
    const x = [...this.exchanges].find((e) => e.peer === peer && e.mid === m.messageId && e.confirmable && !e.acked);
    if (!x) return; // §4.2: an ACK or RST that matches nothing is ignored
    if (m.reset) {
      this.stats.resets++;
      return x.reject(new Error(`${peer.split('|')[0]} rejected the request with an RST (RFC 7252 §4.2)`));
    }
    x.acked = true;
    x.cancelTimer?.();
    if (m.code === '0.00') return this.armResponseTimeout(x); // §5.2.2: the response comes separately
    if (!m.token.equals(x.token)) return; // §5.3.2: the token must match; leave the exchange to time out
    x.resolve(toResponse(m, at));
  }

  private notify(obs: Observation, r: CoapResponse): void {
    // §3.2: a notification without Observe, or with an error code, ends the observation.
    const ends = r.observe === undefined || !r.code.startsWith('2.');
    if (!ends && obs.lastSeq !== undefined && !observeFresher(obs.lastSeq, obs.lastAt, r.observe!, r.at)) return; // §3.4: reordered
    if (r.observe !== undefined) obs.lastSeq = r.observe;
    obs.lastAt = r.at;
    if (ends) {
      obs.ended = true;
      this.observations.delete(obs.token.toString('hex'));
    }
    this.stats.notifications++;
    obs.onNotify(r);
  }

  private reply(entry: { reply?: Uint8Array }, dst: Uint8Array, port: number, p: { code: string; messageId: number; ack?: boolean; reset?: boolean }): void {
    entry.reply = Uint8Array.from(generate({ ...p, token: Buffer.alloc(0), options: [] }));
    void this.transport.send(dst, port, this.port, entry.reply).catch(() => {});
  }

  private prune(now: number): void {
    for (const [k, v] of this.seen) {
      if (v.until > now) break; // roughly in order of arrival
      this.seen.delete(k);
    }
  }

  /** Observations in progress (token hex → path). */
  observing(): { address: string; path: string }[] {
    return [...this.observations.values()].filter((o) => !o.ended).map((o) => ({ address: o.peer.split('|')[0], path: o.path }));
  }

  close(): void {
    this.closed = true;
    for (const x of [...this.exchanges]) x.reject(new Error('the gateway closed'));
    for (const o of this.observations.values()) o.ended = true;
    this.observations.clear();
  }
}
