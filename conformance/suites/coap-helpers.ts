// Helpers of the coap suite: the tester as a CoAP client (RFC 7252) on its
// link-local address, requests built and answers read with the coap-packet
// library (independent of the device's code), and checks shared by the tests.
import { generate, parse, type Packet, type ParsedPacket } from 'coap-packet';
import type { Seen, TestContext } from '../framework/context.js';
import { ECHO } from './common.js';

export const COAP_PORT = 5683;
/** The client's port (each test is a new endpoint; the number does not matter). */
export const CLIENT_PORT = 40_123;

/** A CoAP message the device sent to the client, with the Seen that carried it. */
export interface CoapSeen {
  msg: ParsedPacket;
  bytes: Uint8Array;
  seen: Seen;
}

export const path = (p: string) => p.split('/').filter(Boolean).map((s) => ({ name: 'Uri-Path' as const, value: Buffer.from(s) }));
export const query = (...q: string[]) => q.map((s) => ({ name: 'Uri-Query' as const, value: Buffer.from(s) }));
export const tok = (s: string) => Buffer.from(s);

/** A uint option value (RFC 7252 §3.2: shortest big-endian form). */
export function uintOption(name: string | number, v: number): { name: string; value: Buffer } {
  const b: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) b.unshift(x & 0xff);
  return { name: String(name), value: Buffer.from(b) };
}

const uint = (b: Buffer) => b.reduce((v, x) => v * 256 + x, 0);
export const optionValues = (m: ParsedPacket, name: string | number) => m.options.filter((o) => o.name === name || String(o.name) === String(name)).map((o) => o.value);
export const observeOf = (m: ParsedPacket): number | undefined => (optionValues(m, 'Observe').length ? uint(optionValues(m, 'Observe')[0]) : undefined);
export const contentFormatOf = (m: ParsedPacket): number | undefined => (optionValues(m, 'Content-Format').length ? uint(optionValues(m, 'Content-Format')[0]) : undefined);
export const typeOf = (m: ParsedPacket) => (m.confirmable ? 'CON' : m.ack ? 'ACK' : m.reset ? 'RST' : 'NON');
export const describeCoap = (m: ParsedPacket) =>
  `${typeOf(m)} ${m.code} MID 0x${m.messageId.toString(16).padStart(4, '0')} token ${m.token.length ? m.token.toString('hex') : '(empty)'}${m.payload.length ? ` payload "${m.payload.toString('utf8').slice(0, 30)}"` : ''}`;

/** Sends CoAP bytes (a message built by hand, right or wrong) from the client to the device's port 5683. */
export async function sendCoapBytes(t: TestContext, bytes: Uint8Array, srcPort = CLIENT_PORT): Promise<number[]> {
  return t.send(t.packet({ upper: { kind: 'udp', srcPort, dstPort: COAP_PORT, payload: bytes } }));
}

/** Sends a CoAP message built with coap-packet. */
export async function sendCoap(t: TestContext, p: Packet, srcPort = CLIENT_PORT): Promise<number[]> {
  return sendCoapBytes(t, Uint8Array.from(generate(p)), srcPort);
}

/** The CoAP message in a packet the device sent from 5683 to the client's port, if it parses. */
export function coapOf(s: Seen, clientPort = CLIENT_PORT): CoapSeen | undefined {
  const u = s.ip?.udp;
  if (!u || u.srcPort !== COAP_PORT || u.dstPort !== clientPort) return undefined;
  try {
    return { msg: parse(Buffer.from(u.payload)), bytes: u.payload, seen: s };
  } catch {
    return undefined;
  }
}

/** Fails unless the device sends a CoAP message `match` accepts (RFC 7252 messages only: UDP from 5683). */
export async function expectCoap(t: TestContext, match: (m: ParsedPacket) => boolean, e: { rule: string; expected: string; within?: number; since?: number; sent?: number[] }): Promise<CoapSeen> {
  const s = await t.expect((x) => {
    const c = coapOf(x);
    return c !== undefined && match(c.msg);
  }, e);
  return coapOf(s)!;
}

/** Every CoAP message the device sends to the client within `within` ms (it waits the whole time). */
export async function collectCoap(t: TestContext, within: number, since?: number): Promise<CoapSeen[]> {
  const seen = await t.collect((x) => coapOf(x) !== undefined, { within, since });
  return seen.map((s) => coapOf(s)!);
}

/** The piggybacked answer to a CON request (RFC 7252 §5.2.1): an ACK echoing its Message ID (§4.2) and token (§5.3.2). */
export async function conRequest(t: TestContext, p: Packet, rule = 'RFC 7252 §5.2.1'): Promise<CoapSeen> {
  const sent = await sendCoap(t, { ...p, confirmable: true });
  const r = await expectCoap(t, (m) => m.messageId === p.messageId && (m.ack || m.reset), {
    rule, expected: `an ACK with Message ID 0x${p.messageId!.toString(16)} carrying the response`, sent,
  });
  checkAnswer(t, r, p, 'ACK');
  return r;
}

/** Checks that `r` answers the request `p`: the type, the Message ID for an ACK, the token (RFC 7252 §4.2, §5.3.2). */
export function checkAnswer(t: TestContext, r: CoapSeen, p: Packet, type: 'ACK' | 'NON' | 'CON'): void {
  t.check(typeOf(r.msg) === type, {
    rule: type === 'ACK' ? 'RFC 7252 §5.2.1' : 'RFC 7252 §5.2.3', expected: `the response in a ${type}`, seen: describeCoap(r.msg), frames: r.seen.frames,
  });
  if (type === 'ACK') {
    t.check(r.msg.messageId === p.messageId, {
      rule: 'RFC 7252 §4.2', expected: `the ACK echoing Message ID 0x${p.messageId!.toString(16)}`, seen: describeCoap(r.msg), frames: r.seen.frames,
    });
  }
  const token = p.token ?? Buffer.alloc(0);
  t.check(r.msg.token.equals(token), {
    rule: 'RFC 7252 §5.3.2', expected: `the request's token ${token.length ? token.toString('hex') : '(empty)'} echoed`, seen: describeCoap(r.msg), frames: r.seen.frames,
  });
}

/** Checks a response code: one of `codes`. */
export function checkCode(t: TestContext, r: CoapSeen, codes: string[], rule: string): void {
  t.check(codes.includes(r.msg.code), {
    rule, expected: `response code ${codes.join(' or ')}`, seen: describeCoap(r.msg), frames: r.seen.frames,
  });
}

/**
 * RFC 7641 §3.4, §4.4: Observe value `v2` is newer than `v1` (24-bit
 * sequence numbers compared with wrap-around).
 */
export function observeNewer(v1: number, v2: number): boolean {
  const H = 1 << 23;
  return (v1 < v2 && v2 - v1 < H) || (v1 > v2 && v1 - v2 > H);
}

// ---------------------------------------------------------------- fault groups

/** The device answers a request: its UDP reply reaches the client (classic: after resolving the client). */
export const COAP_REACH = ECHO.filter((f) => f.endsWith('@classic'));
/** A response matched to its request (every test that reads a response). */
export const RESPONSE = ['coap-token-not-echoed', ...COAP_REACH];
/** A piggybacked response (the ACK's Message ID). */
export const PIGGYBACKED = [...RESPONSE, 'coap-ack-wrong-mid'];
