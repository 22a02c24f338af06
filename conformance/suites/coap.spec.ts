// coap: the device's CoAP server (RFC 7252) and its observable resources
// (RFC 7641), on the ETSI CoAP plugtest resources (/test, /separate,
// /seg1/seg2/seg3, /query, /obs). The tester is a CoAP client on its
// link-local address; requests and answers go through coap-packet, not the
// device's code. Conformance catalogue COAP-01..12, ETSI TD_COAP_CORE_xx.
import { parse as parseOf, type Packet } from 'coap-packet';
import { defineTest } from '../framework/define.js';
import type { TestContext } from '../framework/context.js';
import {
  COAP_REACH, PIGGYBACKED, RESPONSE, checkAnswer, checkCode, collectCoap, conRequest, contentFormatOf, describeCoap, expectCoap, observeNewer,
  observeOf, path, query, sendCoap, sendCoapBytes, tok, typeOf, uintOption, type CoapSeen,
} from './coap-helpers.js';

const NEEDS = ['coap'] as const;
const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

// ------------------------------------------------------------------ COAP-01..08 methods, CON and NON

/** The four methods on /test with the codes RFC 7252 §5.8 gives on success (the ETSI TD's first). */
const METHODS: { code: 'GET' | 'POST' | 'PUT' | 'DELETE'; codes: string[]; section: string }[] = [
  { code: 'GET', codes: ['2.05'], section: '§5.8.1' },
  { code: 'POST', codes: ['2.01', '2.04'], section: '§5.8.2' },
  { code: 'PUT', codes: ['2.04', '2.01'], section: '§5.8.3' },
  { code: 'DELETE', codes: ['2.02'], section: '§5.8.4' },
];

/** A request on /test with a payload for POST and PUT. */
const onTest = (code: string, messageId: number, token: string): Packet => ({
  code, messageId, token: tok(token), options: path('/test'), payload: code === 'POST' || code === 'PUT' ? Buffer.from('sixlab') : undefined,
});

METHODS.forEach((m, i) => {
  const n = String(i + 1).padStart(2, '0');
  defineTest({
    id: `COAP-${n}`, title: `CON ${m.code} /test is answered ${m.codes[0]} piggybacked in an ACK with its Message ID and token`,
    suite: 'coap', ref: 'RFC 7252 §5.2.1', level: 'MUST', needs: [...NEEDS], spec: [`TD_COAP_CORE_${n}`],
    faults: [...PIGGYBACKED],
  }, async (t: TestContext) => {
    const r = await conRequest(t, onTest(m.code, 0x0c00 + i, `c-${m.code}`)); // tokens are at most 8 octets (RFC 7252 §3)
    checkCode(t, r, m.codes, `RFC 7252 ${m.section}`);
    if (r.msg.code !== m.codes[0]) t.note(`answered ${r.msg.code}; the ETSI TD expects ${m.codes[0]}`);
  });
});

defineTest({
  id: 'COAP-01b', title: 'several Uri-Path options name one resource: GET /seg1/seg2/seg3 is answered 2.05',
  suite: 'coap', ref: 'RFC 7252 §6.5', level: 'MUST', needs: [...NEEDS], spec: ['TD_COAP_CORE_12'], faults: [...PIGGYBACKED],
}, async (t: TestContext) => {
  const r = await conRequest(t, { code: 'GET', messageId: 0x0c12, token: tok('seg'), options: path('/seg1/seg2/seg3') });
  checkCode(t, r, ['2.05'], 'RFC 7252 §6.5, §5.10.1');
});

defineTest({
  id: 'COAP-01c', title: 'a request with several Uri-Query options is answered 2.05 (GET /query?first=1&second=2)',
  suite: 'coap', ref: 'RFC 7252 §5.10.1', level: 'MUST', needs: [...NEEDS], spec: ['TD_COAP_CORE_13'], faults: [...PIGGYBACKED],
}, async (t: TestContext) => {
  const r = await conRequest(t, { code: 'GET', messageId: 0x0c13, token: tok('qry'), options: [...path('/query'), ...query('first=1', 'second=2')] });
  checkCode(t, r, ['2.05'], 'RFC 7252 §5.10.1');
});

METHODS.forEach((m, i) => {
  const k = String(i + 5).padStart(2, '0');
  defineTest({
    id: `COAP-${k}`, title: `NON ${m.code} /test is answered ${m.codes[0]} in a NON carrying its token`,
    suite: 'coap', ref: 'RFC 7252 §5.2.3', level: 'SHOULD', needs: [...NEEDS], spec: [`TD_COAP_CORE_${k}`],
    faults: [...RESPONSE, 'coap-non-request-answered-con'],
  }, async (t: TestContext) => {
    const p = onTest(m.code, 0x0d00 + i, `n-${m.code}`);
    const sent = await sendCoap(t, p);
    const r = await expectCoap(t, (x) => !x.ack && !x.reset && x.code !== '0.00', { rule: 'RFC 7252 §5.2.3', expected: 'a response to the NON request', sent });
    checkAnswer(t, r, p, 'NON');
    checkCode(t, r, m.codes, `RFC 7252 ${m.section}`);
  });
});

// ------------------------------------------------------------------ COAP-09 separate response

/** GET /separate in a CON: the empty ACK, then the separate response (RFC 7252 §5.2.2). */
async function separate(t: TestContext, messageId: number): Promise<{ ack: CoapSeen; res: CoapSeen }> {
  const sent = await sendCoap(t, { code: 'GET', confirmable: true, messageId, token: tok('sep'), options: path('/separate') });
  const ack = await expectCoap(t, (m) => (m.ack || m.reset) && m.messageId === messageId, {
    rule: 'RFC 7252 §4.2', expected: `an ACK for Message ID 0x${messageId.toString(16)}`, sent,
  });
  if (ack.msg.code !== '0.00') t.inconclusive(`the device answered /separate piggybacked (${describeCoap(ack.msg)}): no separate response to check`);
  t.check(ack.bytes.length === 4 && ack.msg.ack, {
    rule: 'RFC 7252 §5.2.2', expected: 'an Empty ACK (4 octets: no token, options or payload)', seen: `${describeCoap(ack.msg)}, ${ack.bytes.length} octets`, frames: ack.seen.frames,
  });
  const res = await expectCoap(t, (m) => !m.ack && !m.reset && m.token.equals(tok('sep')), {
    rule: 'RFC 7252 §5.2.2', expected: 'the separate response with the request\'s token', within: 10_000,
  });
  checkCode(t, res, ['2.05'], 'RFC 7252 §5.8.1');
  return { ack, res };
}

defineTest({
  id: 'COAP-09a', title: 'separate response: an Empty ACK first, then the response with the token; the client\'s ACK stops its retransmission',
  suite: 'coap', ref: 'RFC 7252 §5.2.2', level: 'MUST', timeoutMs: 75_000, needs: [...NEEDS], spec: ['TD_COAP_CORE_09'],
  faults: [...PIGGYBACKED, 'coap-ignores-ack-to-separate-response'],
}, async (t: TestContext) => {
  const { res } = await separate(t, 0x0c09);
  if (!res.msg.confirmable) return t.note(`the separate response came in a ${typeOf(res.msg)}: no retransmission to stop`);
  const acked = await sendCoap(t, { code: '0.00', ack: true, messageId: res.msg.messageId });
  const again = (await collectCoap(t, 60_000)).filter((c) => c.msg.confirmable && c.msg.messageId === res.msg.messageId);
  t.check(again.length === 0, {
    rule: 'RFC 7252 §5.2.2', expected: 'no retransmission of the response after the client\'s ACK (the server MUST stop)',
    seen: `${again.length} retransmission(s)`, frames: [...acked, ...again.flatMap((c) => c.seen.frames)],
  });
});

defineTest({
  id: 'COAP-09b', title: 'an unacknowledged CON response is retransmitted: first after 2-3 s, the timeout doubling, 4 times, then given up',
  suite: 'coap', ref: 'RFC 7252 §4.2', level: 'MUST', timeoutMs: 120_000, needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-no-retransmission'],
}, async (t: TestContext) => {
  const { res } = await separate(t, 0x0c19);
  if (!res.msg.confirmable) t.inconclusive(`the separate response came in a ${typeOf(res.msg)}: nothing is retransmitted`);
  // ACK_TIMEOUT 2 s, ACK_RANDOM_FACTOR 1.5, MAX_RETRANSMIT 4 (RFC 7252 §4.8): all within MAX_TRANSMIT_SPAN (45 s).
  const copies = [res, ...(await collectCoap(t, 100_000)).filter((c) => c.msg.confirmable && c.msg.messageId === res.msg.messageId && c.seen !== res.seen)];
  const frames = copies.flatMap((c) => c.seen.frames);
  const at = copies.map((c) => c.seen.at);
  const gaps = at.slice(1).map((x, i) => x - at[i]);
  t.check(copies.length === 5, {
    rule: 'RFC 7252 §4.2, §4.8', expected: 'the response sent 5 times in all (MAX_RETRANSMIT 4 retransmissions)', seen: `${copies.length} transmission(s), gaps ${gaps.map((g) => Math.round(g)).join(', ')} ms`, frames,
  });
  t.check(gaps[0] >= 1950 && gaps[0] <= 3050, {
    rule: 'RFC 7252 §4.2', expected: 'the first retransmission ACK_TIMEOUT to ACK_TIMEOUT x ACK_RANDOM_FACTOR (2-3 s) after the first', seen: `${Math.round(gaps[0])} ms`, frames,
  });
  const doubling = gaps.slice(1).every((g, i) => Math.abs(g - 2 * gaps[i]) <= 0.1 * g + 50);
  t.check(doubling, { rule: 'RFC 7252 §4.2', expected: 'the timeout doubled after each retransmission', seen: `gaps ${gaps.map((g) => Math.round(g)).join(', ')} ms`, frames });
  t.check(copies.every((c) => Buffer.from(c.bytes).equals(Buffer.from(res.bytes))), {
    rule: 'RFC 7252 §4.2', expected: 'every retransmission the same message', seen: 'the copies differ', frames,
  });
});

// ------------------------------------------------------------------ COAP-10 duplicate CON

defineTest({
  id: 'COAP-10', title: 'a duplicate CON (same Message ID) gets the same answer again and is not executed twice',
  suite: 'coap', ref: 'RFC 7252 §4.5', level: 'SHOULD', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-reexecutes-duplicate-con'],
}, async (t: TestContext) => {
  // POST /actuators/relay without a payload toggles the relay: a second execution would show.
  const state = async (mid: number) => (await conRequest(t, { code: 'GET', messageId: mid, token: tok('st'), options: path('/actuators/relay') })).msg;
  const before = await state(0x1001);
  if (before.code !== '2.05') t.inconclusive(`precondition: GET /actuators/relay answered ${before.code}: no toggling resource to observe`);
  const toggle: Packet = { code: 'POST', confirmable: true, messageId: 0x1010, token: tok('tg'), options: path('/actuators/relay') };
  const first = await conRequest(t, toggle);
  if (!first.msg.code.startsWith('2.') || first.msg.payload.equals(before.payload)) {
    t.inconclusive(`precondition: POST /actuators/relay did not toggle it (${describeCoap(first.msg)})`);
  }
  const second = await conRequest(t, toggle, 'RFC 7252 §4.5');
  t.check(second.msg.code === first.msg.code && second.msg.payload.equals(first.msg.payload), {
    rule: 'RFC 7252 §4.5', expected: `the same answer as the first copy (${describeCoap(first.msg)})`, seen: describeCoap(second.msg), frames: second.seen.frames,
  });
  const after = await state(0x1002);
  t.check(after.payload.equals(first.msg.payload), {
    rule: 'RFC 7252 §4.5', expected: `the relay as the first POST left it ("${first.msg.payload}"): the duplicate not executed`, seen: `"${after.payload}"`,
  });
});

// ------------------------------------------------------------------ COAP-11 errors and malformed messages

defineTest({
  id: 'COAP-11a', title: 'a request for an unknown resource is answered 4.04 (Not Found)',
  suite: 'coap', ref: 'RFC 7252 §5.9.2.5', level: 'SHOULD', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-unknown-resource-as-2.05'],
}, async (t: TestContext) => {
  const r = await conRequest(t, { code: 'GET', messageId: 0x0b01, token: tok('nf'), options: path('/no/such/resource') });
  checkCode(t, r, ['4.04'], 'RFC 7252 §5.9.2.5');
});

defineTest({
  id: 'COAP-11b', title: 'a request with an unrecognized method code is answered 4.05 (Method Not Allowed), piggybacked',
  suite: 'coap', ref: 'RFC 7252 §5.8', level: 'MUST', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-method-not-allowed-as-not-found'],
}, async (t: TestContext) => {
  const r = await conRequest(t, { code: '0.31', messageId: 0x0b02, token: tok('ma'), options: path('/test') });
  checkCode(t, r, ['4.05'], 'RFC 7252 §5.8');
});

defineTest({
  id: 'COAP-11c', title: 'an unrecognized critical option in a CON request is answered 4.02 (Bad Option)',
  suite: 'coap', ref: 'RFC 7252 §5.4.1', level: 'MUST', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-critical-option-ignored'],
}, async (t: TestContext) => {
  // 65001: odd, so critical (RFC 7252 §5.4.6), from the experimental range nobody implements.
  const r = await conRequest(t, { code: 'GET', messageId: 0x0b03, token: tok('bo'), options: [...path('/test'), { name: '65001', value: Buffer.from('x') }] });
  checkCode(t, r, ['4.02'], 'RFC 7252 §5.4.1');
});

defineTest({
  id: 'COAP-11d', title: 'an unrecognized elective option is silently ignored: the request is answered as without it',
  suite: 'coap', ref: 'RFC 7252 §5.4.1', level: 'MUST', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-elective-option-rejected'],
}, async (t: TestContext) => {
  const r = await conRequest(t, { code: 'GET', messageId: 0x0b04, token: tok('el'), options: [...path('/test'), { name: '65000', value: Buffer.from('x') }] });
  checkCode(t, r, ['2.05'], 'RFC 7252 §5.4.1');
});

defineTest({
  id: 'COAP-11e', title: 'a CON with a message format error (token length 9) is rejected with a Reset; a NON one gets no response',
  suite: 'coap', ref: 'RFC 7252 §4.2', level: 'MUST', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-malformed-accepted', 'coap-ping-unanswered'],
}, async (t: TestContext) => {
  // RFC 7252 §3: token lengths 9-15 are reserved and MUST be processed as a message format error.
  const sent = await sendCoapBytes(t, hex('49 01 0b05 010203040506070809 b4 74657374'));
  const rst = await expectCoap(t, (m) => m.messageId === 0x0b05, { rule: 'RFC 7252 §4.2', expected: 'a Reset echoing Message ID 0x0b05', sent });
  t.check(rst.msg.reset && rst.bytes.length === 4, {
    rule: 'RFC 7252 §4.2', expected: 'an Empty Reset (4 octets) echoing the Message ID', seen: `${describeCoap(rst.msg)}, ${rst.bytes.length} octets`, frames: rst.seen.frames,
  });
  // A NON with the same error: rejected too, at most with a Reset (RFC 7252 §4.3).
  const non = await sendCoapBytes(t, hex('59 01 0b06 010203040506070809 b4 74657374'));
  const answers = (await collectCoap(t, 2000)).filter((c) => !c.msg.reset);
  t.check(answers.length === 0, {
    rule: 'RFC 7252 §4.3', expected: 'no response to a malformed NON (a Reset at most)', seen: answers.map((c) => describeCoap(c.msg)).join('; '), frames: [...non, ...answers.flatMap((c) => c.seen.frames)],
  });
  await conRequest(t, { code: 'GET', messageId: 0x0b07, token: tok('ok'), options: path('/test') });
});

defineTest({
  id: 'COAP-11f', title: 'an Empty CON ("CoAP ping") is answered with a Reset echoing its Message ID',
  suite: 'coap', ref: 'RFC 7252 §4.2', level: 'MUST', needs: [...NEEDS], faults: [...COAP_REACH, 'coap-ping-unanswered'],
}, async (t: TestContext) => {
  const sent = await sendCoapBytes(t, hex('40 00 0b08'));
  const rst = await expectCoap(t, (m) => m.messageId === 0x0b08, { rule: 'RFC 7252 §4.2, §4.3', expected: 'a Reset echoing Message ID 0x0b08', sent });
  t.check(rst.msg.reset && rst.bytes.length === 4, {
    rule: 'RFC 7252 §4.2', expected: 'an Empty Reset (4 octets)', seen: `${describeCoap(rst.msg)}, ${rst.bytes.length} octets`, frames: rst.seen.frames,
  });
});

// ------------------------------------------------------------------ COAP-12 Observe

/** Registers with /obs (Observe 0); inconclusive when the server does not add the client (RFC 7641 §4.1 allows it). */
async function observe(t: TestContext, token: string): Promise<CoapSeen> {
  const r = await conRequest(t, { code: 'GET', messageId: 0x0c20, token: tok(token), options: [uintOption('Observe', 0), ...path('/obs')] }, 'RFC 7641 §4.1');
  checkCode(t, r, ['2.05'], 'RFC 7641 §4.1');
  if (observeOf(r.msg) === undefined) t.inconclusive('precondition: the device answered the registration without an Observe option (not added as an observer)');
  return r;
}

/** The next notification for `token` after mark `since`; a CON one is acknowledged (RFC 7641 §4.5). */
async function nextNotification(t: TestContext, token: string, since: number, within = 6000): Promise<CoapSeen | undefined> {
  const s = await t.waitFor((x) => {
    const u = x.ip?.udp;
    if (!u || u.srcPort !== 5683) return false;
    try {
      const m = parseOf(Buffer.from(u.payload));
      return !m.ack && !m.reset && m.token.equals(tok(token));
    } catch {
      return false;
    }
  }, { since, within });
  if (!s) return undefined;
  const c = { msg: parseOf(Buffer.from(s.ip!.udp!.payload)), bytes: s.ip!.udp!.payload, seen: s };
  if (c.msg.confirmable) await sendCoap(t, { code: '0.00', ack: true, messageId: c.msg.messageId });
  return c;
}


defineTest({
  id: 'COAP-12a', title: 'Observe: the registration is answered with an Observe option, then notifications with the token and increasing Observe numbers',
  suite: 'coap', ref: 'RFC 7641 §4.2', level: 'MUST', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-observe-not-increasing'],
}, async (t: TestContext) => {
  const first = await observe(t, 'obs');
  // /obs changes every 5 s (ETSI plugtest resource): the server MUST keep the client's copy updated (RFC 7641 §4.1).
  let last = first;
  let since = t.mark();
  for (let n = 1; n <= 3; n++) {
    const next = await nextNotification(t, 'obs', since);
    if (!next) t.fail({ rule: 'RFC 7641 §4.1', expected: `notification ${n} within 6 s (/obs changes every 5 s)`, seen: 'none', frames: last.seen.frames });
    since = t.seen.indexOf(next.seen) + 1;
    const frames = [...last.seen.frames, ...next.seen.frames];
    checkCode(t, next, ['2.05', '2.03'], 'RFC 7641 §4.2');
    t.check(observeOf(next.msg) !== undefined && observeNewer(observeOf(last.msg)!, observeOf(next.msg)!), {
      rule: 'RFC 7641 §4.4', expected: `an Observe number newer than ${observeOf(last.msg)}`, seen: `Observe ${observeOf(next.msg) ?? '(none)'}`, frames,
    });
    t.check(contentFormatOf(next.msg) === contentFormatOf(first.msg), {
      rule: 'RFC 7641 §4.2', expected: `Content-Format ${contentFormatOf(first.msg)} as in the first response`, seen: `Content-Format ${contentFormatOf(next.msg)}`, frames,
    });
    last = next;
  }
});

defineTest({
  id: 'COAP-12b', title: 'Observe: a GET with Observe 1 (deregister) is answered without Observe and no notification follows',
  suite: 'coap', ref: 'RFC 7641 §4.1', level: 'MUST', needs: [...NEEDS], faults: [...PIGGYBACKED, 'coap-observe-deregister-ignored'],
}, async (t: TestContext) => {
  await observe(t, 'dereg');
  if (!(await nextNotification(t, 'dereg', t.mark()))) t.inconclusive('precondition: no notification came from /obs within 6 s');
  const r = await conRequest(t, { code: 'GET', messageId: 0x0c21, token: tok('dereg'), options: [uintOption('Observe', 1), ...path('/obs')] }, 'RFC 7641 §4.1');
  t.check(r.msg.code.startsWith('2.') && observeOf(r.msg) === undefined, {
    rule: 'RFC 7641 §4.1', expected: 'the GET processed as usual, its response without an Observe option', seen: describeCoap(r.msg), frames: r.seen.frames,
  });
  const later = (await collectCoap(t, 16_000)).filter((c) => c.msg.token.equals(tok('dereg')) && !c.msg.ack);
  t.check(later.length === 0, {
    rule: 'RFC 7641 §4.1', expected: 'no notification after the deregistration (the entry MUST be removed)',
    seen: later.map((c) => describeCoap(c.msg)).join('; '), frames: later.flatMap((c) => c.seen.frames),
  });
});
