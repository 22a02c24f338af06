// sixlab coap, run in-process (the command function; main.ts wires it): the
// request through a gateway on the virtual board's link, what is printed, the
// exit codes (0 for 2.xx, 1 for 4.xx/5.xx or no answer, a UsageError for
// bad input), Observe with --count, and --proxy through a running gateway's
// CoAP proxy on a free port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../board/board-config.js';
import { VirtualBoard } from '../board/virtual-board.js';
import { CoapProxy } from '../gateway/coap-proxy.js';
import { SixlabGateway } from '../gateway/gateway.js';
import { RealScheduler } from '../sim/clock.js';
import { coapCommand, formatResponse, parseCoapUri, payloadText, type CoapOptions } from './coap-command.js';
import { UsageError } from './usage-error.js';

const DEVICE = 'coap://[2001:db8::212:4b00:0:1]';

async function run(method: string, uri: string, o: CoapOptions, interrupted = new Promise<void>(() => {})) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await coapCommand(method, uri, o, { out: (l) => out.push(...l.split('\n')), err: (l) => err.push(l), interrupted });
  return { code, out, err };
}

describe('sixlab coap --board virtual', () => {
  it('GET prints the code, the options and the payload; exit 0', async () => {
    const r = await run('get', `${DEVICE}/test`, { board: 'virtual' });
    expect(r).toEqual({ code: 0, out: ['2.05 Content', 'Content-Format: 0 (text/plain;charset=utf-8)', 'test'], err: [] });
  });

  it('PUT with --payload, POST with --payload-hex and --content-format, DELETE, --non', async () => {
    expect((await run('put', `${DEVICE}/actuators/relay`, { board: 'virtual', payload: 'on' })).out).toEqual(['2.04 Changed', 'Content-Format: 0 (text/plain;charset=utf-8)', '1']);
    expect((await run('POST', `${DEVICE}/test`, { board: 'virtual', payloadHex: '00ff', contentFormat: '42' })).out).toEqual(['2.01 Created']);
    expect((await run('delete', `${DEVICE}/test`, { board: 'virtual' })).code).toBe(0);
    const non = await run('get', `${DEVICE}/query?first=1&second=2`, { board: 'virtual', non: true });
    expect([non.code, non.out[0]]).toEqual([0, '2.05 Content']);
  });

  it('a 4.xx response is printed and exits 1', async () => {
    const r = await run('get', `${DEVICE}/nothing`, { board: 'virtual' });
    expect([r.code, r.out]).toEqual([1, ['4.04 Not Found']]);
    const bad = await run('put', `${DEVICE}/actuators/relay`, { board: 'virtual', payload: 'maybe' });
    expect([bad.code, bad.out[0]]).toEqual([1, '4.00 Bad Request']);
  });

  it('--observe --count 3 prints the first response and two notifications, each with its Observe number', async () => {
    const r = await run('get', `${DEVICE}/obs`, { board: 'virtual', observe: true, count: '3' });
    expect(r.code).toBe(0);
    const blocks = r.out.join('\n').trim().split('\n\n');
    expect(blocks).toHaveLength(3);
    const observes = blocks.map((b) => Number(/^Observe: (\d+)$/m.exec(b)![1]));
    expect(observes.slice(1).every((v, i) => v > observes[i])).toBe(true);
    expect(blocks.every((b) => b.startsWith('2.05 Content\n'))).toBe(true);
  });

  it('--observe on a resource that refuses is its error code and exit 1; --count with silence gives up', async () => {
    const r = await run('get', `${DEVICE}/nothing`, { board: 'virtual', observe: true });
    expect([r.code, r.out]).toEqual([1, ['4.04 Not Found']]);
    const quiet = await run('get', `${DEVICE}/sensors/temperature`, { board: 'virtual', observe: true, count: '2', timeout: '30' });
    expect(quiet.code).toBe(1);
    expect(quiet.err).toEqual(['1 of 2 notifications: none came for 30 s']);
  });

  it('--observe without --count runs until Ctrl-C, then deregisters; exit 0', async () => {
    let stop!: () => void;
    const interrupted = new Promise<void>((r) => (stop = r));
    setTimeout(() => stop(), 400);
    const r = await run('get', `${DEVICE}/sensors/humidity`, { board: 'virtual', observe: true }, interrupted);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('2.05 Content');
  });

  it('an address nobody registered: a warning, then no answer after the CON retransmissions: exit 1', async () => {
    const r = await run('get', 'coap://[2001:db8::99]/test', { board: 'virtual', wait: '2' });
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe('2001:db8::99 did not register with the gateway within 2 s (registered: fe80::212:4b00:0:1, 2001:db8::212:4b00:0:1); sending anyway');
    expect(r.err[1]).toMatch(/^coap GET 2001:db8::99\/test: no ACK from 2001:db8::99 after 5 transmissions/);
    const t = await run('get', 'coap://[2001:db8::99]/test', { board: 'virtual', wait: '0', timeout: '1.5' });
    expect([t.code, t.err[1]]).toEqual([1, 'coap GET 2001:db8::99/test: no response from 2001:db8::99 within 1500 ms']);
  });

  it('usage errors are UsageErrors (one line, exit 2 in main)', async () => {
    const bad: [string, string, CoapOptions, RegExp][] = [
      ['fetch', `${DEVICE}/test`, { board: 'virtual' }, /fetch: not a method/],
      ['get', 'http://[2001:db8::1]/test', { board: 'virtual' }, /only coap:\/\//],
      ['get', 'coap://sensor.example/test', { board: 'virtual' }, /the host must be the device's IPv6 address/],
      ['get', 'not a uri', { board: 'virtual' }, /not a URI/],
      ['put', `${DEVICE}/test`, { board: 'virtual', payload: 'a', payloadHex: '61' }, /give one/],
      ['put', `${DEVICE}/test`, { board: 'virtual', payloadHex: 'xyz' }, /expected hex octets/],
      ['get', `${DEVICE}/test`, { board: 'virtual', count: '2' }, /needs --observe/],
      ['put', `${DEVICE}/test`, { board: 'virtual', observe: true }, /registers with a GET/],
      ['get', `${DEVICE}/test`, {}, /give --board NAME/],
      ['get', `${DEVICE}/test`, { board: 'virtual', proxy: 'coap://[::1]' }, /give one/],
      ['get', `${DEVICE}/test`, { board: 'virtual', contentFormat: '70000' }, /--content-format 70000/],
      ['get', `${DEVICE}/test`, { board: 'no-such-board' }, /no-such-board/],
    ];
    for (const [m, uri, o, message] of bad) {
      const e = await coapCommand(m, uri, o, { out: () => {}, err: () => {} }).then(() => undefined, (x: unknown) => x);
      expect(e, `${m} ${uri} ${JSON.stringify(o)}`).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('\n');
    }
  });
});

describe('sixlab coap --proxy', () => {
  let clock: RealScheduler;
  let vb: VirtualBoard;
  let gw: SixlabGateway;
  let proxy: CoapProxy;

  beforeAll(async () => {
    const board = loadBoard('virtual');
    clock = new RealScheduler();
    vb = new VirtualBoard(board, { clock });
    gw = await SixlabGateway.start(vb.link, board);
    await gw.waitForAddress('2001:db8::212:4b00:0:1', 10_000);
    proxy = await CoapProxy.start(gw, { port: 0 });
  });

  afterAll(async () => {
    await proxy?.close();
    await gw?.close();
    clock?.stop();
  });

  it('GET through a running gateway\'s proxy', async () => {
    const r = await run('get', `${DEVICE}/test`, { proxy: proxy.url });
    expect(r).toEqual({ code: 0, out: ['2.05 Content', 'Content-Format: 0 (text/plain;charset=utf-8)', 'test'], err: [] });
    expect((await run('get', `${DEVICE}/nothing`, { proxy: proxy.url })).code).toBe(1);
  });

  it('--observe --count 2 through the proxy', async () => {
    const timer = setTimeout(() => {
      vb.node.setSensor(0, 1234);
      vb.device.service();
    }, 300);
    const r = await run('get', `${DEVICE}/sensors/temperature`, { proxy: proxy.url, observe: true, count: '2', timeout: '5' });
    clearTimeout(timer);
    expect(r.code).toBe(0);
    const payloads = r.out.filter((l) => /^\d+\.\d\d$/.test(l));
    expect(payloads).toEqual(['0.00', '12.34']);
    await new Promise((res) => setTimeout(res, 300));
    expect(gw.coap.observing()).toEqual([]); // the command deregistered on its way out
  });
});

describe('printing', () => {
  it('text when printable UTF-8, else hex; options by name and value', () => {
    expect(payloadText(Buffer.from('21.50'))).toBe('21.50');
    expect(payloadText(Uint8Array.of(0xa1, 0x00, 0x01))).toBe('hex: a10001');
    expect(payloadText(Uint8Array.of())).toBe('');
    expect(formatResponse({
      code: '2.05', payload: Buffer.from('{"t":21.5}'),
      options: [{ name: 'ETag', value: Uint8Array.of(1, 2) }, { name: 'Max-Age', value: Uint8Array.of(60) }, { name: 'Content-Format', value: Uint8Array.of(50) }, { name: 2048, value: Uint8Array.of() }],
    })).toEqual(['2.05 Content', 'ETag: 0x0102', 'Max-Age: 60', 'Content-Format: 50 (application/json)', 'Option 2048: (empty)', '{"t":21.5}']);
    expect(parseCoapUri('coap://[2001:DB8::1]:5684/a/b?x=1&y=2')).toEqual({ address: '2001:db8::1', port: 5684, path: '/a/b', query: ['x=1', 'y=2'] });
  });
});
