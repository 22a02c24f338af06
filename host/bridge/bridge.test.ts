// The MQTT bridge on both brokers (the embedded aedes, a real mosquitto), over
// an in-memory gateway: an independent MQTT client (the mqtt package) checks
// what arrives: topics, JSON payloads, QoS, retain, command results.
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MqttBridge, fresher, parseCommand, type BridgeOptions } from './bridge.js';
import { startEmbeddedBroker } from './broker.js';
import { FakeGateway } from './fake-gateway.js';
import { startMosquitto } from './test-mosquitto.js';
import { parseTopic, payloadValue } from './topics.js';

const EUI_A = '00:12:4b:00:00:00:00:0a';
const EUI_B = '00:12:4b:00:00:00:00:0b';
const ADDR_A = '2001:db8:1:2:212:4b00:0:a';
const ADDR_B = '2001:db8:1:2:212:4b00:0:b';
const TEMP = '/sensors/temperature';
const RELAY = '/actuators/relay';

interface Received {
  topic: string;
  json: Record<string, unknown>;
  packet: IPublishPacket;
}

/** A test client subscribed to `filter`, keeping every message. */
async function listen(url: string, filter: string): Promise<{ client: MqttClient; got: Received[]; wait: (n: number, ms?: number) => Promise<Received[]> }> {
  const client = await connectAsync(url, { clientId: `test-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 });
  const got: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    if (!topic.endsWith('/set')) got.push({ topic, json: JSON.parse(payload.toString()), packet });
  });
  await client.subscribeAsync(filter, { qos: 2 });
  const wait = async (n: number, ms = 5000) => {
    const end = Date.now() + ms;
    while (got.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return got;
  };
  return { client, got, wait };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const options = (over: Partial<BridgeOptions> = {}): BridgeOptions => ({
  prefix: 'plant/line1',
  observe: [{ path: TEMP }],
  commands: [{ path: RELAY, method: 'PUT' }],
  telemetry: { qos: 1, retain: false },
  results: { qos: 1, retain: false },
  retryMs: 100,
  ...over,
});

describe('topics and payloads', () => {
  it('parses telemetry, set and result topics under a prefix', () => {
    expect(parseTopic('a/b', 'a/b/00124b0000000001/sensors/temperature')).toEqual({ device: '00124b0000000001', path: TEMP, kind: 'telemetry' });
    expect(parseTopic('a/b', 'a/b/00124b0000000001/actuators/relay/set')).toEqual({ device: '00124b0000000001', path: RELAY, kind: 'set' });
    expect(parseTopic('a/b', 'a/b/00124b0000000001/actuators/relay/result')?.kind).toBe('result');
    expect(parseTopic('a/b', 'a/c/x/y')).toBeUndefined();
    expect(parseTopic('a/b', 'a/b/x')).toBeUndefined();
  });

  it('reads the core\'s payloads: numbers from text, JSON for application/json, text otherwise', () => {
    expect(payloadValue(Buffer.from('21.50'), 0)).toBe(21.5);
    expect(payloadValue(Buffer.from('-3.05'))).toBe(-3.05);
    expect(payloadValue(Buffer.from('{"t":21.50}'), 50)).toEqual({ t: 21.5 });
    expect(payloadValue(Buffer.from('on'), 0)).toBe('on');
  });

  it('reads commands as text or JSON (value, method, id)', () => {
    expect(parseCommand(Buffer.from('1'), 'PUT')).toEqual({ body: Uint8Array.from(Buffer.from('1')), method: 'PUT' });
    const j = parseCommand(Buffer.from('{"value":true,"method":"POST","id":7}'), 'PUT');
    expect(Buffer.from(j.body).toString()).toBe('1');
    expect(j.method).toBe('POST');
    expect(j.cid).toBe(7);
  });

  it('RFC 7641 §3.4 freshness: wrap-around and the 128 s rule', () => {
    expect(fresher(5, 0, 6, 0)).toBe(true);
    expect(fresher(6, 0, 6, 0)).toBe(false);
    expect(fresher(6, 0, 5, 0)).toBe(false);
    expect(fresher((1 << 24) - 1, 0, 0, 0)).toBe(true);
    expect(fresher(6, 0, 5, 128_001)).toBe(true);
  });
});

const brokers = [
  { name: 'aedes (embedded)', start: async () => { const b = await startEmbeddedBroker({ port: 0 }); return { url: b.url, stop: () => b.close() }; } },
  { name: 'mosquitto', start: async () => { const m = await startMosquitto(); return { url: m.url, stop: () => m.stop() }; } },
];

describe.each(brokers)('the bridge on $name', ({ start }) => {
  let broker: { url: string; stop: () => Promise<void> };
  const open: { close(): Promise<void> | void }[] = [];

  beforeAll(async () => {
    broker = await start();
  });
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  async function setup(over: Partial<BridgeOptions> = {}, prefix = `t${Math.random().toString(16).slice(2, 8)}`) {
    const gw = new FakeGateway();
    gw.set(ADDR_A, TEMP, '21.50');
    gw.set(ADDR_A, RELAY, '0');
    const sub = await listen(broker.url, `${prefix}/#`);
    open.push({ close: () => sub.client.endAsync() });
    const bridge = await MqttBridge.start(gw, broker.url, options({ prefix, ...over }));
    open.push({ close: () => bridge.close() });
    return { gw, bridge, sub, prefix };
  }

  it('observes each registered device and publishes every notification as JSON on <prefix>/<device>/<path>', async () => {
    const { gw, bridge, sub, prefix } = await setup();
    gw.register(EUI_A, ['fe80::212:4b00:0:a', ADDR_A], 'cell-0');
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    expect(gw.observerCount('fe80::212:4b00:0:a')).toBe(0); // the global address is the one observed
    gw.notify(ADDR_A, TEMP, '21.75');
    gw.notify(ADDR_A, TEMP, '-3.05');
    const got = await sub.wait(3);
    expect(got.map((g) => g.topic)).toEqual(Array(3).fill(`${prefix}/00124b000000000a/sensors/temperature`));
    expect(got.map((g) => g.json.value)).toEqual([21.5, 21.75, -3.05]);
    const m = got[1].json;
    expect(m).toMatchObject({ device: '00124b000000000a', eui64: EUI_A, path: TEMP, timeSource: 'gateway', location: 'cell-0' });
    expect(typeof m.time).toBe('number');
    expect(Math.abs((m.time as number) - Date.now())).toBeLessThan(5000);
    expect(got[2].json.observe as number).toBeGreaterThan(got[1].json.observe as number);
    expect(got.every((g) => g.packet.qos === 1 && !g.packet.retain)).toBe(true);
    await until(() => bridge.stats.published === 3); // counted at PUBACK, which may follow the delivery
    expect(bridge.stats).toMatchObject({ devices: 1, observing: 1, published: 3 });
  });

  it('keeps an observation where it began while that address stays registered, and moves it when it goes', async () => {
    const { gw } = await setup();
    const ll = 'fe80::212:4b00:0:a';
    gw.set(ll, TEMP, '21.50');
    gw.register(EUI_A, [ll]); // RFC 8505 §5.6: the link-local address first
    await until(() => gw.observerCount(ll, TEMP) === 1);
    gw.register(EUI_A, [ll, ADDR_A]);
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.observerCount(ll, TEMP)).toBe(1);
    expect(gw.observerCount(ADDR_A, TEMP)).toBe(0);
    expect(gw.requests.filter((r) => r.path === TEMP)).toHaveLength(1); // not observed twice: no repeated reading
    gw.register(EUI_A, [ADDR_A]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    expect(gw.observerCount(ll, TEMP)).toBe(0);
  });

  it('publishes with the QoS and retain flag of the scenario: a late subscriber gets the retained reading', async () => {
    const { gw, sub, prefix } = await setup({ telemetry: { qos: 0, retain: true } });
    gw.register(EUI_A, [ADDR_A]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    gw.notify(ADDR_A, TEMP, '30.00');
    await sub.wait(2);
    expect(sub.got.every((g) => g.packet.qos === 0)).toBe(true);
    const late = await listen(broker.url, `${prefix}/+/sensors/temperature`);
    open.push({ close: () => late.client.endAsync() });
    const [r] = await late.wait(1);
    expect(r.packet.retain).toBe(true);
    expect(r.json.value).toBe(30);
  });

  it('publishes a notification the gateway hands over twice only once (RFC 7641 §3.4 freshness)', async () => {
    const { gw, bridge, sub } = await setup();
    gw.repeat = 2;
    gw.register(EUI_A, [ADDR_A]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    gw.notify(ADDR_A, TEMP, '22.00');
    gw.notify(ADDR_A, TEMP, '22.01');
    await until(() => bridge.stats.published === 3 && bridge.stats.stale === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(sub.got.map((g) => g.json.value)).toEqual([21.5, 22, 22.01]);
  });

  it('turns .../set into a CoAP PUT (text) or POST (JSON) and publishes the response code on .../result', async () => {
    const { gw, sub, prefix } = await setup();
    gw.register(EUI_A, [ADDR_A]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    const cmd = await connectAsync(broker.url, { reconnectPeriod: 0 });
    open.push({ close: () => cmd.endAsync() });
    const set = `${prefix}/00124b000000000a/actuators/relay/set`;
    await cmd.publishAsync(set, '1', { qos: 1 });
    await until(() => sub.got.some((g) => g.topic.endsWith('/result')));
    expect(gw.get(ADDR_A, RELAY)).toBe('1');
    await cmd.publishAsync(set, JSON.stringify({ value: 'off', method: 'POST', id: 'c-2' }), { qos: 1 });
    await cmd.publishAsync(set, 'maybe', { qos: 1 });
    await until(() => sub.got.filter((g) => g.topic.endsWith('/result')).length === 3);
    const results = sub.got.filter((g) => g.topic === `${prefix}/00124b000000000a/actuators/relay/result`).map((g) => g.json);
    expect(results[0]).toMatchObject({ device: '00124b000000000a', path: RELAY, method: 'PUT', code: '2.04', ok: true, value: '1' });
    expect(results[1]).toMatchObject({ method: 'POST', code: '2.04', ok: true, value: '0', id: 'c-2' });
    expect(results[2]).toMatchObject({ method: 'PUT', code: '4.00', ok: false });
    const puts = gw.requests.filter((r) => r.path === RELAY);
    expect(puts.map((r) => r.method)).toEqual(['PUT', 'POST', 'PUT']);
    expect(puts.every((r) => r.address === ADDR_A && r.confirmable)).toBe(true);
  });

  it('reports a command the device never answered with code null and the reason', async () => {
    const { gw, sub, prefix } = await setup();
    gw.register(EUI_A, [ADDR_A]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    gw.unreachable = true;
    const cmd = await connectAsync(broker.url, { reconnectPeriod: 0 });
    open.push({ close: () => cmd.endAsync() });
    await cmd.publishAsync(`${prefix}/00124b000000000a/actuators/relay/set`, '1', { qos: 1 });
    await until(() => sub.got.some((g) => g.topic.endsWith('/result')));
    const r = sub.got.find((g) => g.topic.endsWith('/result'))!.json;
    expect(r).toMatchObject({ code: null, ok: false });
    expect(r.error).toMatch(/no response/);
  });

  it('ignores commands for devices it does not serve and paths that take none', async () => {
    const { gw, sub, prefix } = await setup({ accept: (d) => d.eui64 === EUI_A });
    gw.set(ADDR_B, RELAY, '0');
    gw.register(EUI_A, [ADDR_A]);
    gw.register(EUI_B, [ADDR_B]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    const cmd = await connectAsync(broker.url, { reconnectPeriod: 0 });
    open.push({ close: () => cmd.endAsync() });
    await cmd.publishAsync(`${prefix}/00124b000000000b/actuators/relay/set`, '1', { qos: 1 });
    await cmd.publishAsync(`${prefix}/00124b000000000a/sensors/temperature/set`, '1', { qos: 1 });
    await cmd.publishAsync(`${prefix}/00124b000000000a/actuators/relay/set`, '1', { qos: 1 });
    await until(() => sub.got.some((g) => g.topic.endsWith('/result')));
    await new Promise((r) => setTimeout(r, 200));
    expect(sub.got.filter((g) => g.topic.endsWith('/result')).map((g) => g.topic)).toEqual([`${prefix}/00124b000000000a/actuators/relay/result`]);
    expect(gw.get(ADDR_B, RELAY)).toBe('0');
    expect(gw.observerCount(ADDR_B)).toBe(0);
  });

  it('observes again when a device ends the observation or refuses it', async () => {
    const { gw, bridge } = await setup();
    gw.register(EUI_A, [ADDR_A]);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    gw.endObservations(ADDR_A, TEMP);
    expect(gw.observerCount(ADDR_A, TEMP)).toBe(0);
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    gw.refuseObserve = '4.04';
    gw.endObservations(ADDR_A, TEMP, '5.03');
    await new Promise((r) => setTimeout(r, 350));
    expect(gw.observerCount(ADDR_A, TEMP)).toBe(0);
    expect(gw.requests.filter((r) => r.path === TEMP).length).toBeGreaterThanOrEqual(3); // refused, retried
    gw.refuseObserve = undefined;
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    expect(bridge.stats.observing).toBe(1);
  });

  it('observes devices registered before it started, and deregisters on close when asked', async () => {
    const gw = new FakeGateway();
    gw.set(ADDR_A, TEMP, '1.00');
    gw.register(EUI_A, [ADDR_A]);
    const bridge = await MqttBridge.start(gw, broker.url, options());
    await until(() => gw.observerCount(ADDR_A, TEMP) === 1);
    await bridge.close({ deregister: true });
    expect(gw.observerCount()).toBe(0);
    expect(bridge.client.connected).toBe(false);
  });
});

describe('the embedded broker', () => {
  it('listens on [::1] and refuses a port in use with one clear line', async () => {
    const a = await startEmbeddedBroker({ port: 0 });
    try {
      expect(a.url).toMatch(/^mqtt:\/\/\[::1\]:\d+$/);
      await expect(startEmbeddedBroker({ port: a.port })).rejects.toThrow(`cannot start the embedded MQTT broker on [::1]:${a.port}: EADDRINUSE`);
    } finally {
      await a.close();
    }
  });
});
