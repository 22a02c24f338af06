// The CoAP server (RFC 7252, Observe RFC 7641) through build/test/coap-harness.wasm:
// requests are encoded with coap-packet (an implementation independent of the
// core), fed to coapInput() with a virtual clock, and what the server sent is
// drained from its UDP ring and decoded with coap-packet again.
import { readFileSync } from 'node:fs';
import { generate, parse, type Packet, type ParsedPacket } from 'coap-packet';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

const WASM = 'build/test/coap-harness.wasm';
const NEVER = 0xffffffff;
const CLIENT = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]);
const OTHER = Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x12, 0x4b, 0, 0, 0, 0, 0x07]);
const PORT = 40000;

interface Exports {
  memory: WebAssembly.Memory;
  coapInput(src: number, port: number, msg: number, len: number, now: number): void;
  coapPoll(now: number): number;
  coapReset(): void;
  sensorSet(id: number, value: number): void;
  sensorGet(id: number): number;
  relayGet(): number;
  udpSentAt(i: number): number;
  udpSentClear(): void;
  udpSentCount(): number;
  udpSentTotal(): number;
  seedRandom(seed: number): void;
  msgBuf(): number;
  srcBuf(): number;
}

interface Sent {
  dst: Uint8Array;
  dstPort: number;
  srcPort: number;
  now: number;
  bytes: Uint8Array;
  msg: ParsedPacket;
}

let module: WebAssembly.Module;
beforeAll(() => {
  module = new WebAssembly.Module(readFileSync(WASM));
});

/** One server instance (no imports), with a client's view of it. */
class Server {
  readonly ex: Exports;
  private total = 0;

  constructor(seed = 1) {
    this.ex = new WebAssembly.Instance(module, {}).exports as unknown as Exports;
    this.ex.seedRandom(seed);
    this.ex.coapReset();
  }

  input(bytes: Uint8Array, now: number, src = CLIENT, port = PORT): void {
    const mem = new Uint8Array(this.ex.memory.buffer);
    mem.set(bytes, this.ex.msgBuf());
    mem.set(src, this.ex.srcBuf());
    this.ex.coapInput(this.ex.srcBuf(), port, this.ex.msgBuf(), bytes.length, now >>> 0);
  }

  /** Sends a request and returns what the server sent in reply. */
  send(p: Packet, now: number, src = CLIENT, port = PORT): Sent[] {
    this.input(generate(p), now, src, port);
    return this.drain();
  }

  poll(now: number): number {
    return this.ex.coapPoll(now >>> 0) >>> 0;
  }

  drain(): Sent[] {
    const n = this.ex.udpSentCount();
    const total = this.ex.udpSentTotal() >>> 0;
    expect(total - this.total, 'the ring overflowed').toBe(n);
    this.total = total;
    const out: Sent[] = [];
    const view = new DataView(this.ex.memory.buffer);
    for (let i = 0; i < n; i++) {
      const r = this.ex.udpSentAt(i);
      const len = view.getUint16(r + 20, true);
      const bytes = new Uint8Array(this.ex.memory.buffer.slice(r + 28, r + 28 + len));
      out.push({
        dst: new Uint8Array(this.ex.memory.buffer.slice(r, r + 16)),
        dstPort: view.getUint16(r + 16, true),
        srcPort: view.getUint16(r + 18, true),
        now: view.getUint32(r + 24, true),
        bytes,
        msg: parse(Buffer.from(bytes)),
      });
    }
    this.ex.udpSentClear();
    return out;
  }
}

const path = (p: string) => p.split('/').filter(Boolean).map((s) => ({ name: 'Uri-Path', value: Buffer.from(s) }));
const query = (...q: string[]) => q.map((s) => ({ name: 'Uri-Query', value: Buffer.from(s) }));
const uintOpt = (name: string | number, v: number) => {
  const b: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) b.unshift(x & 0xff);
  return { name, value: Buffer.from(b) };
};
const opts = (m: ParsedPacket, name: string | number) => m.options.filter((o) => o.name === name).map((o) => o.value);
const uint = (b: Buffer) => b.reduce((v, x) => v * 256 + x, 0);
const observeOf = (m: ParsedPacket) => (opts(m, 'Observe').length ? uint(opts(m, 'Observe')[0]) : undefined);
const cfOf = (m: ParsedPacket) => (opts(m, 'Content-Format').length ? uint(opts(m, 'Content-Format')[0]) : undefined);
const text = (m: ParsedPacket) => m.payload.toString('utf8');
const typeOf = (m: ParsedPacket) => (m.confirmable ? 'CON' : m.ack ? 'ACK' : m.reset ? 'RST' : 'NON');
const tok = (s: string) => Buffer.from(s);
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

/** The single reply to a request, checked to go back to the client from port 5683. */
function one(sent: Sent[], port = PORT): ParsedPacket {
  expect(sent).toHaveLength(1);
  expect(sent[0].dstPort).toBe(port);
  expect(sent[0].srcPort).toBe(5683);
  return sent[0].msg;
}

describe('/test: CON and NON, every method (TD_COAP_CORE_01..08)', () => {
  const cases: [Packet['code'], string][] = [['GET', '2.05'], ['POST', '2.01'], ['PUT', '2.04'], ['DELETE', '2.02']];
  for (const [method, code] of cases) {
    it(`CON ${method} is answered ${code} piggybacked in an ACK with its Message ID and token`, () => {
      const s = new Server();
      const sent = s.send({ code: method, confirmable: true, messageId: 0x1234, token: tok('T1'), options: path('/test'),
        payload: method === 'PUT' || method === 'POST' ? Buffer.from('x') : undefined }, 1000);
      const m = one(sent);
      expect(sent[0].dst).toEqual(CLIENT);
      expect(typeOf(m)).toBe('ACK');
      expect(m.code).toBe(code);
      expect(m.messageId).toBe(0x1234);
      expect(m.token).toEqual(tok('T1'));
      if (method === 'GET') {
        expect(text(m)).toBe('test');
        expect(cfOf(m)).toBe(0);
      } else {
        expect(m.payload.length).toBe(0);
      }
    });

    it(`NON ${method} is answered ${code} in a NON with the token`, () => {
      const s = new Server();
      const m = one(s.send({ code: method, messageId: 0x4321, token: tok('tok-8-oc'), options: path('/test') }, 1000));
      expect(typeOf(m)).toBe('NON');
      expect(m.code).toBe(code);
      expect(m.token).toEqual(tok('tok-8-oc'));
    });
  }

  it('an empty token is echoed empty; NON replies use fresh, increasing Message IDs', () => {
    const s = new Server();
    const a = one(s.send({ code: 'GET', messageId: 1, options: path('/test') }, 0));
    const b = one(s.send({ code: 'GET', messageId: 2, options: path('/test') }, 0));
    expect(a.token.length).toBe(0);
    expect(b.messageId).toBe((a.messageId + 1) & 0xffff);
  });
});

describe('response codes: 4.04, 4.05, 4.02, 5.05', () => {
  const code = (s: Server, p: Packet) => one(s.send({ confirmable: true, messageId: 7, token: tok('e'), ...p }, 0)).code;

  it('4.04 for unknown paths, partial paths and a trailing empty segment', () => {
    const s = new Server();
    expect(code(s, { code: 'GET', messageId: 1, options: path('/nothing') })).toBe('4.04');
    expect(code(s, { code: 'GET', messageId: 2, options: path('/seg1/seg2') })).toBe('4.04');
    expect(code(s, { code: 'GET', messageId: 3, options: [...path('/test'), { name: 'Uri-Path', value: Buffer.alloc(0) }] })).toBe('4.04');
    expect(code(s, { code: 'GET', messageId: 4, options: [] })).toBe('4.04');
    expect(code(s, { code: 'GET', messageId: 5, options: path('/sensors') })).toBe('4.04');
  });

  it('4.05 for a method a resource does not allow and for unknown method codes (§5.8)', () => {
    const s = new Server();
    expect(code(s, { code: 'DELETE', messageId: 1, options: path('/obs') })).toBe('4.05');
    expect(code(s, { code: 'POST', messageId: 2, options: path('/sensors/temperature') })).toBe('4.05');
    expect(code(s, { code: 'GET', messageId: 3, options: path('/location-query') })).toBe('4.05');
    expect(code(s, { code: 'DELETE', messageId: 4, options: path('/actuators/relay') })).toBe('4.05');
    expect(code(s, { code: '0.05', messageId: 5, options: path('/test') })).toBe('4.05');
    expect(code(s, { code: '0.31', messageId: 6, options: path('/test') })).toBe('4.05');
  });

  it('4.02 for an unrecognised critical option in a CON request, not for an elective one (§5.4.1)', () => {
    const s = new Server();
    expect(code(s, { code: 'GET', messageId: 1, options: [...path('/test'), { name: 65001, value: Buffer.from('x') }] })).toBe('4.02');
    expect(code(s, { code: 'GET', messageId: 2, options: [...path('/test'), { name: 9, value: Buffer.alloc(0) }] })).toBe('4.02');
    expect(code(s, { code: 'GET', messageId: 3, options: [...path('/test'), { name: 'If-Match', value: Buffer.from('e') }] })).toBe('4.02');
    expect(code(s, { code: 'GET', messageId: 4, options: [...path('/test'), { name: 65000, value: Buffer.from('x') }] })).toBe('2.05');
    expect(code(s, { code: 'GET', messageId: 5, options: [...path('/test'), { name: 'ETag', value: Buffer.from('e') }] })).toBe('2.05');
    expect(code(s, { code: 'GET', messageId: 6, options: [...path('/test'), { name: 2048, value: Buffer.alloc(300) }] })).toBe('2.05');
  });

  it('4.02 for a known critical option with a bad length or repeated (§5.4.3, §5.4.5)', () => {
    const s = new Server();
    const accept = (v: number[]) => ({ name: 'Accept', value: Buffer.from(v) });
    expect(code(s, { code: 'GET', messageId: 1, options: [...path('/test'), accept([0, 0, 0])] })).toBe('4.02');
    expect(code(s, { code: 'GET', messageId: 2, options: [...path('/test'), accept([]), accept([])] })).toBe('4.02');
    expect(code(s, { code: 'GET', messageId: 3, options: [{ name: 'Uri-Host', value: Buffer.alloc(0) }, ...path('/test')] })).toBe('4.02');
    expect(code(s, { code: 'GET', messageId: 4, options: [{ name: 'Uri-Host', value: Buffer.from('node') }, uintOpt('Uri-Port', 5683), ...path('/test')] })).toBe('2.05');
    expect(code(s, { code: 'GET', messageId: 5, options: [...path('/test'), { name: 'Uri-Path', value: Buffer.alloc(256) }] })).toBe('4.02');
  });

  it('more options than the parsed record holds (16) is 4.02', () => {
    const s = new Server();
    const q16 = Array.from({ length: 15 }, () => ({ name: 'Uri-Query', value: Buffer.from('a') }));
    expect(code(s, { code: 'GET', messageId: 1, options: [...path('/query'), ...q16] })).toBe('2.05');
    expect(code(s, { code: 'GET', messageId: 2, options: [...path('/query'), ...q16, ...query('b')] })).toBe('4.02');
  });

  it('a NON request with an unrecognised critical option is rejected silently (§5.4.1, §4.3)', () => {
    const s = new Server();
    expect(s.send({ code: 'GET', messageId: 1, options: [...path('/test'), { name: 65001, value: Buffer.alloc(0) }] }, 0)).toEqual([]);
    expect(one(s.send({ code: 'GET', messageId: 2, options: [...path('/test'), { name: 65000, value: Buffer.alloc(0) }] }, 0)).code).toBe('2.05');
  });

  it('5.05 for Proxy-Uri and Proxy-Scheme: the node is no proxy (§5.7.2)', () => {
    const s = new Server();
    expect(code(s, { code: 'GET', messageId: 1, options: [{ name: 'Proxy-Uri', value: Buffer.from('coap://x/test') }] })).toBe('5.05');
    expect(code(s, { code: 'GET', messageId: 2, options: [...path('/test'), { name: 'Proxy-Scheme', value: Buffer.from('http') }] })).toBe('5.05');
  });

  it('error responses carry the token and no payload', () => {
    const s = new Server();
    const m = one(s.send({ code: 'GET', confirmable: true, messageId: 9, token: tok('abc'), options: path('/none') }, 0));
    expect(m.token).toEqual(tok('abc'));
    expect(m.payload.length).toBe(0);
    expect(m.options).toEqual([]);
  });
});

describe('duplicate detection (§4.5)', () => {
  const toggle = (mid: number, con = true): Packet => ({ code: 'POST', confirmable: con, messageId: mid, token: tok('d'), options: path('/actuators/relay') });

  it('a duplicate CON gets the identical reply and is not processed twice (POST toggles the relay)', () => {
    const s = new Server();
    expect(s.ex.relayGet()).toBe(0);
    const first = s.send(toggle(100), 1000);
    expect(one(first).code).toBe('2.04');
    expect(text(first[0].msg)).toBe('1');
    expect(s.ex.relayGet()).toBe(1);
    for (const t of [1500, 30_000, 246_999]) {
      const again = s.send(toggle(100), t);
      expect(again).toHaveLength(1);
      expect(again[0].bytes).toEqual(first[0].bytes);
      expect(s.ex.relayGet()).toBe(1);
    }
    expect(text(one(s.send(toggle(101), 2000)))).toBe('0');
    expect(s.ex.relayGet()).toBe(0);
  });

  it('a duplicate NON is ignored, not answered', () => {
    const s = new Server();
    expect(typeOf(one(s.send(toggle(200, false), 0)))).toBe('NON');
    expect(s.send(toggle(200, false), 10)).toEqual([]);
    expect(s.ex.relayGet()).toBe(1);
  });

  it('the same Message ID from another endpoint is another message', () => {
    const s = new Server();
    one(s.send(toggle(300), 0));
    one(s.send(toggle(300), 0, CLIENT, PORT + 1), PORT + 1);
    const other = s.send(toggle(300), 0, OTHER, PORT);
    one(other);
    expect(other[0].dst).toEqual(OTHER);
    expect(s.ex.relayGet()).toBe(1); // toggled three times
  });

  it('after EXCHANGE_LIFETIME (247 s) the Message ID is new again', () => {
    const s = new Server();
    one(s.send(toggle(400), 0));
    one(s.send(toggle(400), 247_000));
    expect(s.ex.relayGet()).toBe(0);
  });

  it('8 entries: the oldest is evicted by the 9th request', () => {
    const s = new Server();
    one(s.send(toggle(1), 0));
    for (let mid = 2; mid <= 8; mid++) one(s.send({ code: 'GET', confirmable: true, messageId: mid, options: path('/test') }, mid));
    one(s.send(toggle(1), 10)); // still held: not applied
    expect(s.ex.relayGet()).toBe(1);
    one(s.send({ code: 'GET', confirmable: true, messageId: 9, options: path('/test') }, 11));
    one(s.send(toggle(1), 12)); // evicted: processed again
    expect(s.ex.relayGet()).toBe(0);
  });
});

describe('rejection and malformed messages (§3, §4.2, §4.3)', () => {
  const rst = (sent: Sent[], mid: number) => {
    const m = one(sent);
    expect(typeOf(m)).toBe('RST');
    expect(m.code).toBe('0.00');
    expect(m.messageId).toBe(mid);
    expect(sent[0].bytes.length).toBe(4);
  };

  it('an empty CON ("CoAP ping") gets a RST; an empty NON nothing', () => {
    const s = new Server();
    rst(s.send({ code: '0.00', confirmable: true, messageId: 0xbeef }, 0), 0xbeef);
    expect(s.send({ code: '0.00', messageId: 0xbeee }, 0)).toEqual([]);
  });

  it('unexpected ACK and RST messages are ignored', () => {
    const s = new Server();
    expect(s.send({ code: '0.00', ack: true, messageId: 5 }, 0)).toEqual([]);
    expect(s.send({ code: '0.00', reset: true, messageId: 5 }, 0)).toEqual([]);
    expect(s.send({ code: '2.05', ack: true, messageId: 6, payload: Buffer.from('x') }, 0)).toEqual([]);
    expect(s.send({ code: 'GET', ack: true, messageId: 7, options: path('/test') }, 0)).toEqual([]);
  });

  it('a response or a reserved class in a CON gets a RST, in a NON nothing', () => {
    const s = new Server();
    rst(s.send({ code: '2.05', confirmable: true, messageId: 10, payload: Buffer.from('x') }, 0), 10);
    rst(s.send({ code: '7.01', confirmable: true, messageId: 11 }, 0), 11);
    rst(s.send({ code: '1.00', confirmable: true, messageId: 12 }, 0), 12);
    expect(s.send({ code: '2.05', messageId: 13 }, 0)).toEqual([]);
    expect(s.send({ code: '6.00', messageId: 14 }, 0)).toEqual([]);
  });

  const malformed: [string, string][] = [
    ['token length 9', '49 01 1001 0102030405060708 09'],
    ['token length 15', '4f 01 1002 0102030405060708090a0b0c0d0e0f'],
    ['option delta 15', '44 01 1003 01020304 f1 61'],
    ['option length 15', '40 01 1004 bf 74657374'],
    ['option delta 15 with length 0', '40 01 1005 f0'],
    ['a truncated option value', '40 01 1006 b4 7465'],
    ['a missing extended delta', '40 01 1007 d0'],
    ['a half extended delta (14)', '40 01 1008 e0 01'],
    ['a missing extended length', '40 01 1009 bd'],
    ['an extended length past the end', '40 01 100a bd 05 7465737474'],
    ['a payload marker without payload', '40 01 100b b4 74657374 ff'],
    ['a truncated token', '44 01 100c 0102'],
    ['an Empty message with a token', '41 00 100d aa'],
    ['an Empty message with an option', '40 00 100e b0'],
    ['option numbers past 65535', '40 01 100f e1 ff00 61 e1 ff00 61'],
  ];
  for (const [what, bytes] of malformed) {
    it(`${what}: RST for a CON, nothing for a NON, then business as usual`, () => {
      const s = new Server();
      const b = hex(bytes);
      const mid = (b[2] << 8) | b[3];
      s.input(b, 0);
      rst(s.drain(), mid);
      const non = b.slice();
      non[0] = (non[0] & 0xcf) | 0x10;
      s.input(non, 0);
      expect(s.drain()).toEqual([]);
      const ack = b.slice();
      ack[0] = (ack[0] & 0xcf) | 0x20;
      s.input(ack, 0);
      expect(s.drain()).toEqual([]);
      expect(one(s.send({ code: 'GET', confirmable: true, messageId: 1, options: path('/test') }, 1)).code).toBe('2.05');
    });
  }

  it('under 4 octets or another version: silently ignored (§3)', () => {
    const s = new Server();
    for (const b of ['', '40', '4001', '400110', '8001 1234', '0001 1234', 'c001 1234 b4 74657374']) {
      s.input(hex(b), 0);
      expect(s.drain()).toEqual([]);
    }
  });
});

describe('/separate (§5.2.2)', () => {
  const get = (mid: number, t = 'sep'): Packet => ({ code: 'GET', confirmable: true, messageId: mid, token: tok(t), options: path('/separate') });

  /** Sends the request at t0; returns the CON response and the initial timeout. */
  function start(s: Server, t0: number, mid = 0x2000) {
    const sent = s.send(get(mid), t0);
    expect(sent).toHaveLength(2);
    const [ack, res] = sent.map((x) => x.msg);
    expect(typeOf(ack)).toBe('ACK');
    expect(ack.code).toBe('0.00');
    expect(ack.messageId).toBe(mid);
    expect(sent[0].bytes.length).toBe(4);
    expect(typeOf(res)).toBe('CON');
    expect(res.code).toBe('2.05');
    expect(res.token).toEqual(tok('sep'));
    expect(text(res)).toBe('separate');
    const first = s.poll(t0);
    return { res: sent[1], timeout: first - t0 };
  }

  it('empty ACK, then a CON retransmitted after 2-3 s, doubling, 4 retransmissions, then given up', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = new Server(seed * 7919);
      const t0 = 1000;
      const { res, timeout } = start(s, t0);
      expect(timeout).toBeGreaterThanOrEqual(2000);
      expect(timeout).toBeLessThanOrEqual(3000);
      let at = t0 + timeout;
      let step = timeout;
      for (let k = 1; k <= 4; k++) {
        expect(s.poll(at - 1)).toBe(at);
        expect(s.drain()).toEqual([]);
        const next = s.poll(at);
        const sent = s.drain();
        expect(sent).toHaveLength(1);
        expect(sent[0].bytes).toEqual(res.bytes); // same message, same Message ID
        expect(sent[0].now).toBe(at);
        step *= 2;
        expect(next).toBe(at + step);
        at += step;
      }
      expect(at - t0).toBe(31 * timeout);
      expect(s.poll(at)).toBe(NEVER); // the 4th retransmission timed out: given up
      expect(s.drain()).toEqual([]);
      expect(s.poll(at + 100_000)).toBe(NEVER);
      expect(s.drain()).toEqual([]);
    }
  });

  it("stops on the client's ACK, and on a RST", () => {
    for (const reset of [false, true]) {
      const s = new Server(3);
      const { res, timeout } = start(s, 0);
      s.poll(timeout);
      expect(s.drain()).toHaveLength(1);
      // From another port: not a match, retransmissions go on.
      expect(s.send({ code: '0.00', ack: !reset, reset, messageId: res.msg.messageId }, timeout + 10, CLIENT, PORT + 1)).toEqual([]);
      expect(s.poll(timeout + 10)).toBe(3 * timeout);
      expect(s.send({ code: '0.00', ack: !reset, reset, messageId: res.msg.messageId }, timeout + 20)).toEqual([]);
      expect(s.poll(timeout + 20)).toBe(NEVER);
      s.poll(100 * timeout);
      expect(s.drain()).toEqual([]);
    }
  });

  it('a duplicate request gets the empty ACK again and no second response', () => {
    const s = new Server();
    start(s, 0);
    const again = s.send(get(0x2000), 500);
    expect(again).toHaveLength(1);
    expect(typeOf(again[0].msg)).toBe('ACK');
    expect(again[0].bytes.length).toBe(4);
  });

  it('a NON request gets a NON response', () => {
    const s = new Server();
    const m = one(s.send({ code: 'GET', messageId: 5, token: tok('n'), options: path('/separate') }, 0));
    expect(typeOf(m)).toBe('NON');
    expect(text(m)).toBe('separate');
    expect(s.poll(0)).toBe(NEVER);
  });

  it('with 4 exchanges in flight, the 5th is answered piggybacked', () => {
    const s = new Server();
    for (let i = 0; i < 4; i++) expect(s.send(get(0x3000 + i), 0)).toHaveLength(2);
    const m = one(s.send(get(0x3004), 0));
    expect(typeOf(m)).toBe('ACK');
    expect(m.code).toBe('2.05');
    expect(text(m)).toBe('separate');
  });
});

describe('Observe (RFC 7641)', () => {
  const reg = (mid: number, p: string, t: string, obs = 0, con = true, extra: Packet['options'] = []): Packet => ({
    code: 'GET', confirmable: con, messageId: mid, token: tok(t), options: [uintOpt('Observe', obs), ...path(p), ...extra],
  });
  const ackOf = (m: ParsedPacket): Packet => ({ code: '0.00', ack: true, messageId: m.messageId });

  it('registers, notifies sensor changes in CON with increasing Observe numbers, deregisters with Observe=1', () => {
    const s = new Server();
    s.ex.sensorSet(0, 2150);
    const r = one(s.send(reg(1, '/sensors/temperature', 'ob1'), 1000));
    expect(r.code).toBe('2.05');
    expect(text(r)).toBe('21.50');
    let last = observeOf(r)!;
    expect(last).toBeTypeOf('number');
    expect(s.poll(1000)).toBe(NEVER); // nothing due: no timer for sensors
    for (const [v, shown] of [[2200, '22.00'], [-125, '-1.25'], [2300, '23.00']] as const) {
      s.ex.sensorSet(0, v);
      s.poll(2000);
      const n = one(s.drain());
      expect(typeOf(n)).toBe('CON');
      expect(n.code).toBe('2.05');
      expect(n.token).toEqual(tok('ob1'));
      expect(text(n)).toBe(shown);
      expect(cfOf(n)).toBe(0);
      expect(observeOf(n)!).toBeGreaterThan(last);
      last = observeOf(n)!;
      expect(s.send(ackOf(n), 2001)).toEqual([]);
      expect(s.poll(2001)).toBe(NEVER);
    }
    s.ex.sensorSet(0, 2300); // no change, no notification
    s.poll(3000);
    expect(s.drain()).toEqual([]);
    s.ex.sensorSet(1, 4000); // another resource
    s.poll(3000);
    expect(s.drain()).toEqual([]);
    const d = one(s.send(reg(2, '/sensors/temperature', 'ob1', 1), 4000));
    expect(d.code).toBe('2.05');
    expect(observeOf(d)).toBeUndefined();
    s.ex.sensorSet(0, 1);
    s.poll(5000);
    expect(s.drain()).toEqual([]);
  });

  it('/obs changes every 5 s: NON notifications with increasing Observe numbers', () => {
    const s = new Server();
    const r = one(s.send(reg(1, '/obs', 'o'), 1000));
    expect(r.code).toBe('2.05');
    let last = observeOf(r)!;
    expect(text(r)).toBe('0');
    expect(s.poll(1000)).toBe(5000);
    for (let k = 1; k <= 4; k++) {
      expect(s.poll(k * 5000 - 1)).toBe(k * 5000);
      expect(s.drain()).toEqual([]);
      expect(s.poll(k * 5000)).toBe((k + 1) * 5000);
      const n = one(s.drain());
      expect(typeOf(n)).toBe('NON');
      expect(n.token).toEqual(tok('o'));
      expect(text(n)).toBe(String(k));
      expect(observeOf(n)!).toBeGreaterThan(last);
      last = observeOf(n)!;
    }
  });

  it('a RST to a NON notification deregisters', () => {
    const s = new Server();
    one(s.send(reg(1, '/obs', 'o'), 0));
    s.poll(5000);
    const n = one(s.drain());
    expect(s.send({ code: '0.00', reset: true, messageId: n.messageId }, 5001)).toEqual([]);
    expect(s.poll(5001)).toBe(NEVER);
    s.poll(10_000);
    expect(s.drain()).toEqual([]);
  });

  it('a RST to a CON notification deregisters', () => {
    const s = new Server();
    one(s.send(reg(1, '/sensors/humidity', 'h'), 0));
    s.ex.sensorSet(1, 4550);
    s.poll(10);
    const n = one(s.drain());
    expect(typeOf(n)).toBe('CON');
    expect(text(n)).toBe('45.50');
    expect(s.send({ code: '0.00', reset: true, messageId: n.messageId }, 20)).toEqual([]);
    expect(s.poll(20)).toBe(NEVER);
    s.ex.sensorSet(1, 4600);
    s.poll(30);
    expect(s.drain()).toEqual([]);
  });

  it('a CON notification that times out deregisters', () => {
    const s = new Server(11);
    one(s.send(reg(1, '/sensors/temperature', 't'), 0));
    s.ex.sensorSet(0, 777);
    let at = 0;
    let sends = 0;
    while (at !== NEVER) {
      at = s.poll(at);
      sends += s.drain().length;
    }
    expect(sends).toBe(5); // the notification and 4 retransmissions
    s.ex.sensorSet(0, 778);
    s.poll(1_000_000);
    expect(s.drain()).toEqual([]);
  });

  it('a change while a CON notification is in flight supersedes it at the next timeout (§4.5.2)', () => {
    const s = new Server(5);
    one(s.send(reg(1, '/sensors/temperature', 't'), 0));
    s.ex.sensorSet(0, 100);
    const due = s.poll(0);
    const n1 = one(s.drain());
    s.ex.sensorSet(0, 200);
    expect(s.poll(1)).toBe(due); // NSTART 1: waits for the exchange
    expect(s.drain()).toEqual([]);
    const next = s.poll(due);
    const n2 = one(s.drain());
    expect(typeOf(n2)).toBe('CON');
    expect(text(n2)).toBe('2.00');
    expect(n2.messageId).not.toBe(n1.messageId);
    expect(observeOf(n2)!).toBeGreaterThan(observeOf(n1)!);
    expect(next - due).toBe(2 * (due - 0)); // counter and timeout carried on
    expect(s.send(ackOf(n1), due + 1)).toEqual([]); // the superseded one: no match
    expect(s.poll(due + 1)).toBe(next);
    expect(s.send(ackOf(n2), due + 2)).toEqual([]);
    expect(s.poll(due + 2)).toBe(NEVER);
  });

  it('a change while a notification is awaiting its ACK is sent after the ACK', () => {
    const s = new Server();
    one(s.send(reg(1, '/sensors/temperature', 't'), 0));
    s.ex.sensorSet(0, 100);
    s.poll(0);
    const n1 = one(s.drain());
    s.ex.sensorSet(0, 200);
    s.poll(1);
    expect(s.drain()).toEqual([]);
    s.send(ackOf(n1), 2);
    s.poll(2);
    expect(text(one(s.drain()))).toBe('2.00');
  });

  it('JSON notifications for an Accept: 50 registration', () => {
    const s = new Server();
    s.ex.sensorSet(0, 2150);
    const r = one(s.send(reg(1, '/sensors/temperature', 'j', 0, true, [uintOpt('Accept', 50)]), 0));
    expect(cfOf(r)).toBe(50);
    expect(JSON.parse(text(r))).toEqual({ t: 21.5 });
    s.ex.sensorSet(0, -5);
    s.poll(1);
    const n = one(s.drain());
    expect(cfOf(n)).toBe(50);
    expect(text(n)).toBe('{"t":-0.05}');
  });

  it('4 observers; a 5th registration falls back to a plain GET (§2); re-registering updates the entry', () => {
    const s = new Server();
    for (let i = 0; i < 4; i++) expect(observeOf(one(s.send(reg(10 + i, '/obs', `o${i}`), 0)))).toBeTypeOf('number');
    const fifth = one(s.send(reg(20, '/obs', 'o4'), 0));
    expect(fifth.code).toBe('2.05');
    expect(observeOf(fifth)).toBeUndefined();
    expect(observeOf(one(s.send(reg(21, '/obs', 'o2'), 0)))).toBeTypeOf('number'); // same token: updated
    s.poll(5000);
    const tokens = s.drain().map((x) => x.msg.token.toString()).sort();
    expect(tokens).toEqual(['o0', 'o1', 'o2', 'o3']);
    one(s.send(reg(22, '/obs', 'o1', 1), 6000)); // deregistered: room again
    expect(observeOf(one(s.send(reg(23, '/obs', 'o4'), 6000)))).toBeTypeOf('number');
  });

  it('a NON registration gets a NON response with Observe', () => {
    const s = new Server();
    const r = one(s.send(reg(1, '/obs', 'n', 0, false), 0));
    expect(typeOf(r)).toBe('NON');
    expect(observeOf(r)).toBeTypeOf('number');
    expect(s.send({ code: '0.00', reset: true, messageId: r.messageId }, 1)).toEqual([]); // RST to it deregisters
    expect(s.poll(1)).toBe(NEVER);
  });

  it('/obs notifications go CON once 24 hours have passed since the last CON', () => {
    const s = new Server();
    one(s.send(reg(1, '/obs', 'd'), 0));
    s.poll(5000);
    expect(typeOf(one(s.drain()))).toBe('NON');
    const day = 86_400_000;
    s.poll(day + 5000);
    const n = one(s.drain());
    expect(typeOf(n)).toBe('CON');
    s.send(ackOf(n), day + 5001);
    s.poll(day + 10_000);
    expect(typeOf(one(s.drain()))).toBe('NON');
  });

  it('Observe on a resource that is not observable is a plain GET', () => {
    const s = new Server();
    const r = one(s.send(reg(1, '/test', 'x'), 0));
    expect(r.code).toBe('2.05');
    expect(observeOf(r)).toBeUndefined();
  });
});

describe('plugtest resources: /query, /location-query, /seg1/seg2/seg3', () => {
  it('/query echoes the queries', () => {
    const s = new Server();
    const m = one(s.send({ code: 'GET', confirmable: true, messageId: 1, options: [...path('/query'), ...query('first=1', 'second=2')] }, 0));
    expect(m.code).toBe('2.05');
    expect(text(m)).toBe('first=1&second=2');
    expect(cfOf(m)).toBe(0);
  });

  it('/query without queries has no payload; too long an echo is 5.00', () => {
    const s = new Server();
    const m = one(s.send({ code: 'GET', confirmable: true, messageId: 1, options: path('/query') }, 0));
    expect(m.code).toBe('2.05');
    expect(m.payload.length).toBe(0);
    const big = one(s.send({ code: 'GET', confirmable: true, messageId: 2, options: [...path('/query'), ...query('a'.repeat(150), 'b'.repeat(150))] }, 0));
    expect(big.code).toBe('5.00');
  });

  it('POST /location-query is 2.01 with Location-Query first=1 and second=2', () => {
    const s = new Server();
    const m = one(s.send({ code: 'POST', confirmable: true, messageId: 1, options: path('/location-query'), payload: Buffer.from('x') }, 0));
    expect(m.code).toBe('2.01');
    expect(opts(m, 'Location-Query').map((b) => b.toString())).toEqual(['first=1', 'second=2']);
  });

  it('GET /seg1/seg2/seg3', () => {
    const s = new Server();
    const m = one(s.send({ code: 'GET', confirmable: true, messageId: 1, token: tok('s'), options: path('/seg1/seg2/seg3') }, 0));
    expect(m.code).toBe('2.05');
    expect(text(m)).toBe('seg3');
  });
});

describe('sensors and relay', () => {
  let mid = 0;
  const get = (s: Server, p: string, accept?: number) =>
    one(s.send({ code: 'GET', confirmable: true, messageId: ++mid & 0xffff, options: [...path(p), ...(accept === undefined ? [] : [uintOpt('Accept', accept)])] }, 0));

  it('temperature and humidity as text with two decimals', () => {
    const s = new Server();
    const cases: [number, string][] = [
      [2150, '21.50'], [-305, '-3.05'], [-50, '-0.50'], [0, '0.00'], [5, '0.05'], [100_000, '1000.00'],
      [-2147483648, '-21474836.48'], [2147483647, '21474836.47'],
    ];
    for (const [v, shown] of cases) {
      s.ex.sensorSet(0, v);
      s.ex.sensorSet(1, v);
      expect(s.ex.sensorGet(0)).toBe(v);
      const t = get(s, '/sensors/temperature');
      expect(t.code).toBe('2.05');
      expect(text(t)).toBe(shown);
      expect(cfOf(t)).toBe(0);
      expect(text(get(s, '/sensors/humidity'))).toBe(shown);
    }
  });

  it('JSON with Accept: application/json (50); 4.06 for other formats', () => {
    const s = new Server();
    s.ex.sensorSet(0, 2150);
    s.ex.sensorSet(1, 4500);
    const t = get(s, '/sensors/temperature', 50);
    expect(cfOf(t)).toBe(50);
    expect(text(t)).toBe('{"t":21.50}');
    expect(JSON.parse(text(get(s, '/sensors/humidity', 50)))).toEqual({ h: 45 });
    expect(text(get(s, '/sensors/humidity', 0))).toBe('45.00');
    expect(get(s, '/sensors/humidity', 40).code).toBe('4.06');
    expect(get(s, '/test', 50).code).toBe('4.06');
  });

  it('unknown sensor ids are ignored', () => {
    const s = new Server();
    s.ex.sensorSet(2, 5);
    expect(s.ex.sensorGet(2)).toBe(0);
  });

  it('/actuators/relay: PUT and POST "0"/"1"/"on"/"off", 4.00 otherwise, 4.15 for non-text', () => {
    const s = new Server();
    let mid = 1;
    const write = (method: 'PUT' | 'POST', body: string, cf?: number) =>
      one(s.send({ code: method, confirmable: true, messageId: mid++, options: [...path('/actuators/relay'), ...(cf === undefined ? [] : [uintOpt('Content-Format', cf)])], payload: Buffer.from(body) }, 0));
    const steps: [ 'PUT' | 'POST', string, string, number][] = [
      ['PUT', '1', '2.04', 1], ['PUT', 'off', '2.04', 0], ['PUT', 'on', '2.04', 1], ['POST', '0', '2.04', 0],
      ['PUT', '2', '4.00', 0], ['PUT', '', '4.00', 0], ['PUT', 'onn', '4.00', 0], ['POST', 'x', '4.00', 0], ['POST', '1', '2.04', 1],
    ];
    for (const [method, body, code, state] of steps) {
      const m = write(method, body);
      expect(m.code, `${method} "${body}"`).toBe(code);
      expect(s.ex.relayGet()).toBe(state);
      if (code === '2.04') expect(text(m)).toBe(String(state));
    }
    expect(write('PUT', '0', 50).code).toBe('4.15');
    expect(write('PUT', '0', 0).code).toBe('2.04');
    expect(text(get(s, '/actuators/relay'))).toBe('0');
  });
});

describe('fuzz', () => {
  const OPTION_NUMBERS = [1, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 17, 20, 23, 27, 35, 39, 60, 258, 2049, 65000, 65001];
  const PATHS = ['/test', '/separate', '/seg1/seg2/seg3', '/query', '/location-query', '/obs', '/sensors/temperature', '/sensors/humidity', '/actuators/relay', '/x'];
  const arbRequest = fc.record({
    type: fc.constantFrom('CON', 'NON', 'ACK', 'RST'),
    code: fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', '0.00', '2.05', '0.05'), fc.integer({ min: 0, max: 255 }).map((c) => `${c >> 5}.${String(c & 31).padStart(2, '0')}`)),
    messageId: fc.integer({ min: 0, max: 15 }),
    token: fc.uint8Array({ maxLength: 8 }),
    path: fc.constantFrom(...PATHS),
    options: fc.array(fc.record({ name: fc.constantFrom(...OPTION_NUMBERS), value: fc.uint8Array({ maxLength: 20 }) }), { maxLength: 5 }),
    payload: fc.uint8Array({ maxLength: 30 }),
  }).map((r) => {
    try {
      return Uint8Array.from(generate({
        code: r.code, messageId: r.messageId, token: Buffer.from(r.token), confirmable: r.type === 'CON', ack: r.type === 'ACK', reset: r.type === 'RST',
        options: [...path(r.path), ...r.options.map((o) => ({ name: o.name, value: Buffer.from(o.value) }))], payload: Buffer.from(r.payload),
      }));
    } catch {
      return new Uint8Array(4);
    }
  });
  const arbMutated = fc.tuple(arbRequest, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert', 'nibble')), { minLength: 1, maxLength: 4 }))
    .map(([b, muts]) => {
      let a = Array.from(b);
      for (const [pos, v, op] of muts) {
        const i = a.length ? pos % a.length : 0;
        if (op === 'set') a[i] = v;
        else if (op === 'cut') a = a.slice(0, i);
        else if (op === 'insert') a.splice(i, 0, v);
        else a[i] = (a[i] ?? 0) | 0xf0;
      }
      return Uint8Array.from(a);
    });
  const arbRandom = fc.uint8Array({ maxLength: 64 }).map((b) => {
    if (b.length) b[0] = 0x40 | (b[0] & 0x3f); // mostly version 1, to get past the first check
    return b;
  });
  const arbDatagram = fc.oneof(arbRequest, arbMutated, arbRandom, fc.uint8Array({ maxLength: 300 }));

  it('20,000 random and mutated datagrams never trap, and every reply is a well-formed message to the sender', () => {
    let datagrams = 0;
    fc.assert(fc.property(fc.array(fc.tuple(arbDatagram, fc.integer({ min: 0, max: 4000 }), fc.boolean()), { minLength: 10, maxLength: 10 }), (steps) => {
      const s = new Server(datagrams + 1);
      let now = 0;
      for (const [b, dt, other] of steps) {
        now += dt;
        s.input(b, now, CLIENT, other ? PORT + 1 : PORT);
        datagrams++;
        const replies = s.drain();
        const at = s.poll(now);
        expect(at === NEVER || at - now < 2 ** 31).toBe(true);
        for (const x of [...replies, ...s.drain()]) {
          expect([PORT, PORT + 1]).toContain(x.dstPort);
          expect(x.srcPort).toBe(5683);
          expect(x.bytes.length).toBeLessThanOrEqual(256);
          expect(x.msg.token.length).toBeLessThanOrEqual(8);
        }
      }
      s.ex.sensorSet(0, now);
      now += 100_000;
      s.poll(now);
      s.drain();
      expect(one(s.send({ code: 'GET', confirmable: true, messageId: 0xffff, options: path('/test') }, now)).code).toBe('2.05');
    }), { numRuns: 2000, seed: 0x5eed });
    expect(datagrams).toBe(20_000);
  });
});
