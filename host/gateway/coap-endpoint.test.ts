// The gateway's CoAP client endpoint against a scripted server on a virtual
// clock (messages built and read with coap-packet): RFC 7252 §4.2
// retransmission timing, RST, separate responses, NON, duplicate detection
// (§4.5), unknown tokens, and Observe registration, ordering and
// deregistration (RFC 7641 §3).
import { generate, parse, type Packet, type ParsedPacket } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { parseIpv6 } from '../packet/ipv6-address.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { CoapEndpoint, CoapResponseError, CoapTimeoutError, observeFresher, uintValue } from './coap-endpoint.js';
import { LinkTimers } from './link-timers.js';

const DEVICE = '2001:db8::212:4b00:0:1';
const DEV = parseIpv6(DEVICE);

interface Sent {
  at: number;
  msg: ParsedPacket;
  bytes: Uint8Array;
}

/** An endpoint wired to a scripted device: what the endpoint sends lands in `sent`; `reply` answers after a delay (1 ms by default). */
function setup(options: { onRequest?: (m: ParsedPacket, reply: (p: Packet, delay?: number) => void) => void; seed?: number } = {}) {
  const clock = new VirtualClock();
  const timers = new LinkTimers(clock);
  const sent: Sent[] = [];
  let s = options.seed ?? 7;
  const random = () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
  const deliver = (p: Packet, delay = 1) => {
    const bytes = Uint8Array.from(generate(p));
    clock.schedule(clock.now() + delay, () => ep.receive(DEV, 5683, bytes, clock.now()));
  };
  const ep = new CoapEndpoint({
    send: async (dst, dstPort, _srcPort, payload) => {
      expect(dst).toEqual(DEV);
      expect(dstPort).toBe(5683);
      const msg = parse(Buffer.from(payload));
      sent.push({ at: clock.now(), msg, bytes: payload });
      if (!msg.ack && !msg.reset) options.onRequest?.(msg, deliver);
    },
  }, timers, { port: 50000, random });
  return { clock, ep, sent, deliver };
}

const ack = (m: ParsedPacket, p: Partial<Packet> = {}): Packet => ({ messageId: m.messageId, token: m.token, ack: true, code: '2.05', ...p });
const obsOf = (m: ParsedPacket) => m.options.find((o) => o.name === 'Observe')?.value;

describe('CoAP endpoint: requests', () => {
  it('a CON request with a piggybacked response: Message ID and token matched, Uri-Path and payload sent', async () => {
    const { ep, sent } = setup({ onRequest: (m, reply) => reply(ack(m, { payload: Buffer.from('hi'), options: [{ name: 'Content-Format', value: uintValue(0) }] })) });
    const r = await ep.request({ method: 'PUT', address: DEVICE, path: '/actuators/relay', payload: Uint8Array.of(0x31), contentFormat: 0 });
    expect(r).toMatchObject({ code: '2.05', contentFormat: 0, at: 1 });
    expect(Buffer.from(r.payload).toString()).toBe('hi');
    const req = sent[0].msg;
    expect(req).toMatchObject({ code: '0.03', confirmable: true });
    expect(req.options.filter((o) => o.name === 'Uri-Path').map((o) => o.value.toString())).toEqual(['actuators', 'relay']);
    expect(req.payload.toString()).toBe('1');
    expect(req.token.length).toBe(4);
  });

  it('an unanswered CON is sent 5 times, the first gap 2-3 s, each gap doubling, and fails at 31 × the first timeout (RFC 7252 §4.2, §4.8)', async () => {
    const { ep, sent } = setup();
    const started = Date.now();
    await expect(ep.request({ method: 'GET', address: DEVICE, path: '/test' })).rejects.toBeInstanceOf(CoapTimeoutError);
    expect(Date.now() - started).toBeLessThan(2000); // virtual time
    expect(sent).toHaveLength(5);
    const at = sent.map((s) => s.at);
    const gaps = at.slice(1).map((x, i) => x - at[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(2000);
    expect(gaps[0]).toBeLessThanOrEqual(3000);
    gaps.slice(1).forEach((g, i) => expect(g).toBeCloseTo(2 * gaps[i], 6));
    expect(new Set(sent.map((s) => Buffer.from(s.bytes).toString('hex'))).size).toBe(1); // the same message each time
    expect(ep.stats).toMatchObject({ transmissions: 5, retransmissions: 4, timeouts: 1 });
  });

  it('a lost request is retransmitted and its ACK ends the exchange', async () => {
    let n = 0;
    const { ep, sent } = setup({ onRequest: (m, reply) => void (++n >= 3 && reply(ack(m))) });
    const r = await ep.request({ method: 'GET', address: DEVICE, path: '/test' });
    expect(r.code).toBe('2.05');
    expect(sent).toHaveLength(3);
  });

  it('an RST rejects the request at once', async () => {
    const { ep, clock } = setup({ onRequest: (m, reply) => reply({ messageId: m.messageId, reset: true, code: '0.00' }) });
    await expect(ep.request({ method: 'GET', address: DEVICE, path: '/test' })).rejects.toThrow(/RST/);
    expect(clock.now()).toBeLessThan(10);
  });

  it('a separate response: the Empty ACK stops retransmission; the CON response is acknowledged with its Message ID', async () => {
    const { ep, sent } = setup({
      onRequest: (m, reply) => {
        if (m.code !== '0.01') return;
        reply({ messageId: m.messageId, ack: true, code: '0.00' });
        reply({ messageId: 0x7777, token: m.token, confirmable: true, code: '2.05', payload: Buffer.from('late') }, 4000);
      },
    });
    const r = await ep.request({ method: 'GET', address: DEVICE, path: '/separate' });
    expect(Buffer.from(r.payload).toString()).toBe('late');
    expect(r.at).toBe(4000);
    const requests = sent.filter((s) => s.msg.code === '0.01');
    expect(requests).toHaveLength(1); // no retransmission after the Empty ACK
    const acks = sent.filter((s) => s.msg.ack);
    expect(acks.map((s) => [s.msg.messageId, s.msg.code, s.bytes.length])).toEqual([[0x7777, '0.00', 4]]);
  });

  it('a NON request is sent once and answered by token; unanswered, it fails after the response timeout', async () => {
    const { ep, sent } = setup({ onRequest: (m, reply) => void (m.payload.toString() === 'answer' && reply({ messageId: 0x1234, token: m.token, code: '2.04' })) });
    const r = await ep.request({ method: 'POST', address: DEVICE, path: '/test', confirmable: false, payload: Buffer.from('answer') });
    expect(r.code).toBe('2.04');
    expect(sent[0].msg.confirmable).toBe(false);
    await expect(ep.request({ method: 'POST', address: DEVICE, path: '/test', confirmable: false, timeoutMs: 5000 })).rejects.toThrow(/5000 ms/);
    expect(sent.filter((s) => s.msg.code === '0.02')).toHaveLength(2);
  });

  it('a duplicate CON response gets the same ACK again and is delivered once (§4.5); an unknown token gets an RST', async () => {
    const got: string[] = [];
    const { ep, sent, deliver, clock } = setup({
      onRequest: (m, reply) => {
        if (m.code !== '0.01') return;
        reply({ messageId: m.messageId, ack: true, code: '0.00' });
        const res: Packet = { messageId: 0x4242, token: m.token, confirmable: true, code: '2.05', payload: Buffer.from('x') };
        reply(res, 100);
        reply(res, 2100); // our ACK "lost": the device retransmits
      },
    });
    const r = await ep.request({ method: 'GET', address: DEVICE, path: '/separate' });
    got.push(Buffer.from(r.payload).toString());
    await clock.sleep(5000);
    const acks = sent.filter((s) => s.msg.ack && s.msg.messageId === 0x4242);
    expect(acks).toHaveLength(2);
    expect(Buffer.from(acks[0].bytes)).toEqual(Buffer.from(acks[1].bytes));
    expect(ep.stats.duplicates).toBe(1);
    deliver({ messageId: 0x5151, token: Buffer.from('zzzz'), confirmable: true, code: '2.05' });
    await clock.sleep(10);
    expect(sent.at(-1)!.msg).toMatchObject({ reset: true, messageId: 0x5151 });
    expect(got).toEqual(['x']);
  });

  it('Message IDs count up and tokens differ between requests', async () => {
    const { ep, sent } = setup({ onRequest: (m, reply) => reply(ack(m)) });
    for (let i = 0; i < 3; i++) await ep.request({ method: 'GET', address: DEVICE, path: '/test' });
    const mids = sent.map((s) => s.msg.messageId);
    expect(mids.slice(1).map((m, i) => (m - mids[i]) & 0xffff)).toEqual([1, 1]);
    expect(new Set(sent.map((s) => s.msg.token.toString('hex'))).size).toBe(3);
  });
});

describe('CoAP endpoint: Observe (RFC 7641)', () => {
  /** A device that registers observers and lets the test send notifications. */
  function observable() {
    let token: Buffer | undefined;
    let mid = 0x100;
    const env = setup({
      onRequest: (m, reply) => {
        const o = obsOf(m);
        if (o !== undefined && o.length === 0) {
          token = m.token;
          reply(ack(m, { options: [{ name: 'Observe', value: uintValue(10) }], payload: Buffer.from('v0') }));
        } else reply(ack(m, { payload: Buffer.from('plain') }));
      },
    });
    const notify = (seq: number | undefined, payload: string, p: Partial<Packet> = {}) => env.deliver({
      messageId: mid++, token, confirmable: false, code: '2.05', payload: Buffer.from(payload),
      options: seq === undefined ? [] : [{ name: 'Observe', value: uintValue(seq) }], ...p,
    });
    return { ...env, notify };
  }

  it('registers with Observe 0, delivers the first response and fresher notifications, drops reordered ones', async () => {
    const { ep, sent, clock, notify } = observable();
    const seen: string[] = [];
    const cancel = await ep.observe({ address: DEVICE, path: '/obs' }, (r) => seen.push(`${r.observe}:${Buffer.from(r.payload)}`));
    expect(obsOf(sent[0].msg)).toEqual(Buffer.alloc(0));
    notify(11, 'v1');
    await clock.sleep(10);
    notify(13, 'v3');
    await clock.sleep(10);
    notify(12, 'v2'); // older than 13: dropped (§3.4)
    await clock.sleep(10);
    expect(seen).toEqual(['10:v0', '11:v1', '13:v3']);
    await cancel();
    const dereg = sent.at(-1)!.msg;
    expect(obsOf(dereg)).toEqual(Buffer.of(1)); // §3.6: Observe 1, the same token
    expect(dereg.token).toEqual(sent[0].msg.token);
    notify(14, 'v4');
    await clock.sleep(10);
    expect(seen).toHaveLength(3);
    expect(sent.at(-1)!.msg.reset).toBe(true); // nobody wants it any more: RST
  });

  it('a notification 128 s after the last is fresh whatever its number; a CON notification is acknowledged', async () => {
    const { ep, sent, clock, notify } = observable();
    const seen: number[] = [];
    await ep.observe({ address: DEVICE, path: '/obs' }, (r) => seen.push(r.observe!));
    notify(5, 'old number, much later', { confirmable: true });
    await clock.sleep(10);
    expect(seen).toEqual([10]);
    await clock.sleep(130_000);
    notify(5, 'later', { confirmable: true });
    await clock.sleep(10);
    expect(seen).toEqual([10, 5]);
    expect(sent.filter((s) => s.msg.ack)).toHaveLength(2);
    expect(observeFresher(0xffffff, 0, 2, 1)).toBe(true); // 24-bit wrap
  });

  it('a notification with an error code ends the observation (§3.2); a refused registration rejects', async () => {
    const { ep, clock, notify } = observable();
    const seen: string[] = [];
    await ep.observe({ address: DEVICE, path: '/obs' }, (r) => seen.push(r.code));
    notify(11, 'gone', { code: '4.04' });
    await clock.sleep(10);
    notify(12, 'after');
    await clock.sleep(10);
    expect(seen).toEqual(['2.05', '4.04']);
    expect(ep.observing()).toEqual([]);
    const refusing = setup({ onRequest: (m, reply) => reply(ack(m, { code: '4.04' })) });
    await expect(refusing.ep.observe({ address: DEVICE, path: '/nothing' }, () => {})).rejects.toBeInstanceOf(CoapResponseError);
  });

  it('a first response without Observe is a plain GET: delivered, nothing left registered', async () => {
    const env = setup({ onRequest: (m, reply) => reply(ack(m, { payload: Buffer.from('once') })) });
    const seen: (number | undefined)[] = [];
    const cancel = await env.ep.observe({ address: DEVICE, path: '/test' }, (r) => seen.push(r.observe));
    expect(seen).toEqual([undefined]);
    expect(env.ep.observing()).toEqual([]);
    await cancel();
    expect(env.sent).toHaveLength(1); // no deregistration to send
  });
});
