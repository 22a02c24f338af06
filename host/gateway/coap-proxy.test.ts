// The CoAP forward proxy (RFC 7252 §5.7) reached with the `coap` package as
// the client, on [::1] and a free port, in front of a gateway whose device is
// the core on a virtual board running in real time: GET, PUT, POST and
// Observe through Proxy-Uri and Proxy-Scheme, and the proxy's own answers
// (4.04, 5.05, 5.04).
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request, type IncomingMessage, type ObserveReadStream } from 'coap';
import { loadBoard } from '../board/board-config.js';
import { VirtualBoard } from '../board/virtual-board.js';
import { RealScheduler } from '../sim/clock.js';
import { CoapProxy, proxyTarget } from './coap-proxy.js';
import { SixlabGateway } from './gateway.js';

const DEVICE = '2001:db8::212:4b00:0:1';

let clock: RealScheduler;
let vb: VirtualBoard;
let gw: SixlabGateway;
let proxy: CoapProxy;
let agent: Agent;
let socket: Socket;

beforeAll(async () => {
  const board = loadBoard('virtual');
  clock = new RealScheduler();
  vb = new VirtualBoard(board, { clock });
  gw = await SixlabGateway.start(vb.link, board);
  const d = await gw.waitForAddress(DEVICE, 10_000); // the device solicits within 1 s and registers at once
  expect(d).toBeDefined();
  proxy = await CoapProxy.start(gw, { port: 0, timeoutMs: 500 });
  // The client's own socket: an agent with one keeps it between requests (and
  // can still send the deregistration after an observation's close).
  socket = createSocket('udp6');
  await new Promise<void>((resolve) => socket.bind(0, '::1', resolve));
  agent = new Agent({ type: 'udp6', socket });
});

afterAll(async () => {
  await proxy?.close();
  await gw?.close();
  clock?.stop();
  await new Promise<void>((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
});

interface Answer {
  code: string;
  payload: string;
  contentFormat?: unknown;
  observe?: unknown;
}

function ask(params: Parameters<typeof request>[0] & object, payload?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ hostname: '::1', port: proxy.port, agent, ...params });
    req.on('response', (res: IncomingMessage) => resolve({ code: res.code, payload: res.payload.toString(), contentFormat: res.headers['Content-Format'], observe: res.headers.Observe }));
    req.on('error', reject);
    req.on('timeout', () => reject(new Error('timeout')));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const until = async (ok: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return ok();
};

describe('CoAP proxy', () => {
  it('listens on [::1] (IPv6 first) at the port asked for', () => {
    expect(proxy.host).toBe('::1');
    expect(proxy.port).toBeGreaterThan(0);
    expect(proxy.url).toBe(`coap://[::1]:${proxy.port}`);
  });

  it('GET coap://[device]/test through Proxy-Uri: the device\'s 2.05, payload and Content-Format', async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const r = await ask({ method: 'GET', proxyUri: `coap://[${DEVICE}]/test` });
      times.push(performance.now() - t);
      expect(r).toMatchObject({ code: '2.05', payload: 'test', contentFormat: 'text/plain' });
    }
    times.sort((a, b) => a - b);
    console.log(`CoAP GET through the proxy: median round trip ${times[5].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[9].toFixed(1)})`);
    expect(await ask({ method: 'GET', proxyUri: `coap://[${DEVICE}]/query?first=1&second=2` })).toMatchObject({ code: '2.05' });
  });

  it('PUT and POST reach the actuator; the device\'s codes come back', async () => {
    expect(await ask({ method: 'PUT', proxyUri: `coap://[${DEVICE}]/actuators/relay` }, '1')).toMatchObject({ code: '2.04' });
    expect(vb.node.relay()).toBe(1);
    expect(await ask({ method: 'POST', proxyUri: `coap://[${DEVICE}]/actuators/relay` })).toMatchObject({ code: '2.04' }); // an empty POST toggles
    expect(vb.node.relay()).toBe(0);
    expect(await ask({ method: 'PUT', proxyUri: `coap://[${DEVICE}]/actuators/relay` }, 'maybe')).toMatchObject({ code: '4.00' });
    expect(await ask({ method: 'DELETE', proxyUri: `coap://[${DEVICE}]/nothing` })).toMatchObject({ code: '4.04' });
  });

  it('Proxy-Scheme with Uri-Host and Uri-Path names the device too (RFC 7252 §5.7.2, §6.5)', async () => {
    const target = proxyTarget([
      { name: 'Proxy-Scheme', value: Buffer.from('coap') }, { name: 'Uri-Host', value: Buffer.from(DEVICE) },
      { name: 'Uri-Path', value: Buffer.from('sensors') }, { name: 'Uri-Path', value: Buffer.from('temperature') },
    ]);
    expect(target).toEqual({ address: DEVICE, port: 5683, path: '/sensors/temperature', query: [] });
    const r = await ask({ method: 'GET', pathname: '/test', options: { 'Proxy-Scheme': Buffer.from('coap'), 'Uri-Host': Buffer.from(DEVICE) } });
    expect(r).toMatchObject({ code: '2.05', payload: 'test' });
  });

  it('Observe through the proxy: every notification reaches the client; its deregistration reaches the device', async () => {
    const payloads: string[] = [];
    const res = await new Promise<ObserveReadStream>((resolve, reject) => {
      const req = request({ hostname: '::1', port: proxy.port, agent, method: 'GET', observe: true, proxyUri: `coap://[${DEVICE}]/sensors/temperature` });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    res.on('data', (b: Buffer) => payloads.push(b.toString()));
    expect(res.code).toBe('2.05');
    expect(await until(() => payloads.length === 1)).toBe(true);
    expect(gw.coap.observing()).toEqual([{ address: DEVICE, path: '/sensors/temperature' }]);
    for (const v of [1850, 1900]) {
      vb.node.setSensor(0, v);
      vb.device.service();
      const n = payloads.length;
      expect(await until(() => payloads.length === n + 1)).toBe(true);
    }
    expect(payloads.slice(1)).toEqual(['18.50', '19.00']);
    res.close(true); // the client deregisters (GET with Observe 1, RFC 7641 §3.6)
    expect(await until(() => gw.coap.observing().length === 0)).toBe(true);
    vb.node.setSensor(0, 2000);
    vb.device.service();
    await new Promise((r) => setTimeout(r, 100));
    expect(payloads).toHaveLength(3);
    expect(proxy.stats.notifications).toBeGreaterThanOrEqual(3);
  });

  it('a client that stops listening rejects the next notification with an RST; the proxy then deregisters from the device (RFC 7641 §3.6)', async () => {
    const payloads: string[] = [];
    const res = await new Promise<ObserveReadStream>((resolve, reject) => {
      const req = request({ hostname: '::1', port: proxy.port, agent, method: 'GET', observe: true, proxyUri: `coap://[${DEVICE}]/sensors/humidity` });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    res.on('data', (b: Buffer) => payloads.push(b.toString()));
    expect(await until(() => gw.coap.observing().length === 1)).toBe(true);
    res.close(); // no deregistration: the client forgets the token
    vb.node.setSensor(1, 5100);
    vb.device.service();
    expect(await until(() => gw.coap.observing().length === 0)).toBe(true);
  });

  it('refuses a port that is taken (EADDRINUSE) rather than sharing it', async () => {
    await expect(CoapProxy.start(gw, { port: proxy.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('answers for itself: 4.04 without Proxy-Uri, 5.05 for another scheme or a host name, 5.04 when the device does not answer', async () => {
    expect(await ask({ method: 'GET', pathname: '/test' })).toMatchObject({ code: '4.04' });
    expect(await ask({ method: 'GET', proxyUri: 'http://[2001:db8::1]/test' })).toMatchObject({ code: '5.05' });
    expect(await ask({ method: 'GET', proxyUri: 'coap://sensor.example/test' })).toMatchObject({ code: '5.05' });
    const silent = await ask({ method: 'GET', proxyUri: 'coap://[2001:db8::99]/test' }); // nobody has that address
    expect(silent.code).toBe('5.04');
    expect(silent.payload).toMatch(/no response|no ACK/);
  });
});
