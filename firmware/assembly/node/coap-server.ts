// CoAP server endpoint on port 5683 (RFC 7252, Observe RFC 7641), sans-IO:
// coapInput() takes one datagram, coapPoll() runs the timers and sends due
// notifications (call it after coapInput and sensorSet; it returns the next
// deadline). Every datagram leaves through udpSend(). Resources: the ETSI
// plugtest ones (/test, /separate, /seg1/seg2/seg3, /query, /location-query,
// /obs) and the node's (/sensors/temperature, /sensors/humidity,
// /actuators/relay).
//
// Tables, and the rule when one is full:
// - DEDUP_SLOTS answered requests, keyed by (source endpoint, Message ID) and
//   kept EXCHANGE_LIFETIME (§4.5; NON too: §4.4 forbids reusing an ID within
//   it). A duplicate CON gets the stored reply again, a duplicate NON nothing.
//   Full: the oldest is evicted (a later duplicate of it is processed again).
// - EXCHANGE_SLOTS outgoing CON messages (separate responses, CON
//   notifications) retransmitted until ACK/RST (§4.2). Full: /separate answers
//   piggybacked (§5.2: the server's choice), a notification goes NON.
// - OBSERVER_SLOTS (endpoint, token, resource) entries. Full: the registration
//   falls back to a plain GET without Observe (RFC 7641 §2).
import { COAP_DEDUP_SLOTS, COAP_EXCHANGE_SLOTS, COAP_MESSAGE_CAP, COAP_OBSERVER_SLOTS } from '../config';
import { memEqual } from '../mem';
import {
  ACCEPT, ACK, BAD_OPTION, BAD_REQUEST, CF_JSON, CF_TEXT, CHANGED, CON, CONTENT, CONTENT_FORMAT, COAP_FORMAT,
  COAP_OK, COAP_SHORT, COAP_TOO_MANY, COAP_VERSION, GET, INTERNAL_ERROR, LOCATION_QUERY, METHOD_NOT_ALLOWED,
  NON, NOT_ACCEPTABLE, NOT_FOUND, OBSERVE, POST, PROXY_SCHEME, PROXY_URI, PROXYING_NOT_SUPPORTED, RST,
  UNSUPPORTED_FORMAT, URI_HOST, URI_PATH, URI_PORT, URI_QUERY, coapBegin, coapEnd, coapOption, coapParse,
  coapPayload, coapUint, msgCode, msgMid, msgPayload, msgPayloadLen, msgTkl, msgToken, msgType, optCount,
  optLen, optNum, optPtr,
} from '../wire/coap';
import { randomBetween, randomU32 } from './random';
import { udpSend } from './udp-send';

export const COAP_PORT: u32 = 5683;
const DEDUP_SLOTS = COAP_DEDUP_SLOTS;
const EXCHANGE_SLOTS = COAP_EXCHANGE_SLOTS;
const OBSERVER_SLOTS = COAP_OBSERVER_SLOTS;
/** Largest message sent or stored; a reply that does not fit becomes 5.00. */
const MSG_CAP = COAP_MESSAGE_CAP;
const PAY_CAP = 200;

// §4.2, §4.8: a CON goes out with a random timeout T in [2 s, 3 s], doubled at
// each of MAX_RETRANSMIT retransmissions (same bytes, same Message ID):
//   send ──T──> #1 ──2T──> #2 ──4T──> #3 ──8T──> #4 ──16T──> given up (at 31T)
// An ACK or RST from the same endpoint with the same Message ID ends it.
const ACK_TIMEOUT_MS: u32 = 2000;
const ACK_TIMEOUT_MAX_MS: u32 = 3000; // ACK_TIMEOUT * ACK_RANDOM_FACTOR (1.5)
const MAX_RETRANSMIT: u32 = 4;
const EXCHANGE_LIFETIME_MS: u32 = 247000; // §4.8.2
const OBS_PERIOD_MS: u32 = 5000; // the plugtest's /obs changes every 5 s
const CON_EVERY_MS: u32 = 86400000; // RFC 7641 §4.5: a CON notification at least daily
const NEVER: u32 = 0xffffffff;
const SEPARATE: u32 = 0xff; // request(): answer with an empty ACK, then a CON

// Resources, in PATHS order.
const R_TEST = 0;
const R_SEPARATE = 1;
const R_QUERY = 3;
const R_LOCQ = 4;
const R_OBS = 5;
const R_TEMP = 6;
const R_HUM = 7;
const R_RELAY = 8;
const R_COUNT = 9;

// Uri-Path of each resource: [segments, (length, octets)...].
const PATHS: usize = memory.data<u8>([
  1, 4, 0x74, 0x65, 0x73, 0x74, // /test
  1, 8, 0x73, 0x65, 0x70, 0x61, 0x72, 0x61, 0x74, 0x65, // /separate
  3, 4, 0x73, 0x65, 0x67, 0x31, 4, 0x73, 0x65, 0x67, 0x32, 4, 0x73, 0x65, 0x67, 0x33, // /seg1/seg2/seg3
  1, 5, 0x71, 0x75, 0x65, 0x72, 0x79, // /query
  1, 14, 0x6c, 0x6f, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x2d, 0x71, 0x75, 0x65, 0x72, 0x79, // /location-query
  1, 3, 0x6f, 0x62, 0x73, // /obs
  2, 7, 0x73, 0x65, 0x6e, 0x73, 0x6f, 0x72, 0x73, // /sensors
  11, 0x74, 0x65, 0x6d, 0x70, 0x65, 0x72, 0x61, 0x74, 0x75, 0x72, 0x65, //   /temperature
  2, 7, 0x73, 0x65, 0x6e, 0x73, 0x6f, 0x72, 0x73, // /sensors
  8, 0x68, 0x75, 0x6d, 0x69, 0x64, 0x69, 0x74, 0x79, //   /humidity
  2, 9, 0x61, 0x63, 0x74, 0x75, 0x61, 0x74, 0x6f, 0x72, 0x73, 5, 0x72, 0x65, 0x6c, 0x61, 0x79, // /actuators/relay
]);
// Methods allowed, bit (1 << code): GET 0x02, POST 0x04, PUT 0x08, DELETE 0x10 (§5.8).
const ALLOW: usize = memory.data<u8>([0x1e, 0x02, 0x02, 0x02, 0x04, 0x02, 0x02, 0x02, 0x0e]);
// /test and /location-query by method: POST 2.01, PUT 2.04, DELETE 2.02 (TD_COAP_CORE_02..04).
const CODES: usize = memory.data<u8>([0, 0, 0x41, 0x44, 0x42]);
// Location-Query "first=1", "second=2" (TD_COAP_CORE_13's /location-query).
const LOCQ: usize = memory.data<u8>([
  0x66, 0x69, 0x72, 0x73, 0x74, 0x3d, 0x31, // first=1
  0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64, 0x3d, 0x32, // second=2
]);

// Dedup entry.
const D_USED = 0; // u8
const D_PORT = 2; // u16
const D_MID = 4; // u16
const D_LEN = 6; // u16 reply length
const D_TIME = 8; // u32 when answered
const D_ADDR = 12; // 16
const D_DATA = 28; // the reply
const D_SIZE = D_DATA + MSG_CAP;

// Outgoing CON exchange.
const X_USED = 0; // u8
const X_OBS = 1; // i8 observer it notifies, -1 for a separate response
const X_TRIES = 2; // u8 retransmissions so far
const X_PORT = 4; // u16
const X_MID = 6; // u16
const X_LEN = 8; // u16
const X_TIMEOUT = 12; // u32 current timeout (ms)
const X_DEADLINE = 16; // u32
const X_ADDR = 20; // 16
const X_DATA = 36;
const X_SIZE = X_DATA + MSG_CAP;

// Observer.
const O_USED = 0; // u8
const O_RES = 1; // u8
const O_CF = 2; // u8 Content-Format of its notifications
const O_TKL = 3; // u8
const O_DIRTY = 4; // u8 state changed since the last notification
const O_PORT = 6; // u16
const O_MID = 8; // u16 of the last notification (to match a RST)
const O_CON_AT = 12; // u32 last CON notification
const O_TOKEN = 16; // 8
const O_ADDR = 24; // 16
const O_SIZE = 40;

const DEDUP: usize = memory.data(DEDUP_SLOTS * D_SIZE, 8);
const EXCH: usize = memory.data(EXCHANGE_SLOTS * X_SIZE, 8);
const OBSV: usize = memory.data(OBSERVER_SLOTS * O_SIZE, 8);
const TX: usize = memory.data(MSG_CAP, 8);
const PAY: usize = memory.data(PAY_CAP, 8);
// The request's source and token, copied: udpSend may reuse the receive buffer.
const PEER: usize = memory.data(16, 8);
const TOKEN: usize = memory.data(8, 8);

let mid: u32 = 0;
let seq: u32 = 0; // RFC 7641 §4.4: 24-bit, bumped on every resource change
let obsTick: u32 = NEVER; // now / OBS_PERIOD_MS when /obs last changed
let relay: u32 = 0;
let temperature: i32 = 0;
let humidity: i32 = 0;
let pathLast: i32 = 0; // option index of the last Uri-Path segment

// The reply being built: options and payload of a 2.xx.
let rObs: i32 = -1;
let rCf: i32 = -1;
let rLocQ = false;
let rPay: usize = 0;
let rLen: i32 = 0;

@inline function dedupAt(i: i32): usize { return DEDUP + <usize>(i * D_SIZE); }
@inline function exAt(i: i32): usize { return EXCH + <usize>(i * X_SIZE); }
@inline function obsAt(i: i32): usize { return OBSV + <usize>(i * O_SIZE); }

function sameEp(a: usize, aPort: u32, b: usize, bPort: u32): bool {
  return aPort == bPort && memEqual(a, b, 16);
}

/** Forgets exchanges, observers and duplicates; sensors and relay (hardware) keep their state. */
export function coapReset(): void {
  memory.fill(DEDUP, 0, DEDUP_SLOTS * D_SIZE);
  memory.fill(EXCH, 0, EXCHANGE_SLOTS * X_SIZE);
  memory.fill(OBSV, 0, OBSERVER_SLOTS * O_SIZE);
  mid = randomU32(); // §4.4: a random start
  seq = 0;
  obsTick = NEVER;
}

function newMid(): u32 {
  mid = (mid + 1) & 0xffff;
  return mid;
}

export function sensorGet(id: u32): i32 {
  return id == 0 ? temperature : id == 1 ? humidity : 0;
}

export function sensorSet(id: u32, value: i32): void {
  if (id > 1 || sensorGet(id) == value) return;
  if (id == 0) temperature = value;
  else humidity = value;
  changed(R_TEMP + <i32>id);
}

export function relayGet(): u32 {
  return relay;
}

/** A resource changed: a new sequence number, its observers to notify. */
function changed(res: i32): void {
  seq = (seq + 1) & 0xffffff;
  for (let o = 0; o < OBSERVER_SLOTS; o++) {
    const ob = obsAt(o);
    if (load<u8>(ob, O_USED) && <i32>load<u8>(ob, O_RES) == res) store<u8>(ob, 1, O_DIRTY);
  }
}

function obsClock(now: u32): void {
  const t = now / OBS_PERIOD_MS;
  if (t != obsTick) {
    obsTick = t;
    changed(R_OBS);
  }
}

export function coapInput(src: usize, srcPort: u32, msg: usize, len: i32, now: u32): void {
  obsClock(now);
  const r = coapParse(msg, len);
  if (r == COAP_SHORT || r == COAP_VERSION) return; // §3: no header, or an unknown version: ignored
  memory.copy(PEER, src, 16);
  const type = msgType();
  const code = msgCode();
  const id = msgMid();
  if (type >= ACK) {
    // §4.2: an ACK/RST that is not Empty is rejected, i.e. ignored.
    if (r == COAP_OK && code == 0) ackOrRst(srcPort, id, type == RST);
    return;
  }
  if (r == COAP_FORMAT || code == 0 || code > 0x1f) {
    // A format error, an Empty message (a CON one is a "ping") or not a
    // request: rejected (§4.2, §4.3), with a RST for a CON, silently for a NON.
    if (type == CON) send(srcPort, emptyMsg(RST, id), now);
    return;
  }
  const d = dedupFind(srcPort, id, now);
  if (d) {
    if (type == CON) udpSend(PEER, srcPort, COAP_PORT, d + D_DATA, load<u16>(d, D_LEN), now); // §4.5
    return;
  }
  memory.copy(TOKEN, msgToken(), <usize>msgTkl());
  rObs = -1;
  rCf = -1;
  rLocQ = false;
  rLen = 0;
  const c = r == COAP_TOO_MANY ? BAD_OPTION : request(srcPort, type == CON, now);
  if (c == BAD_OPTION && type == NON) return; // §5.4.1: a NON is rejected instead
  const n = c == SEPARATE ? emptyMsg(ACK, id) : emit(type == CON ? ACK : NON, c, type == CON ? id : newMid());
  send(srcPort, n, now);
  dedupStore(srcPort, id, n, now);
  if (c == SEPARATE) {
    // §5.2.2: the empty ACK is out; the response follows in its own CON.
    const m = newMid();
    exStart(exFree(), PEER, srcPort, -1, m, emit(CON, CONTENT, m), now);
  }
}

function send(port: u32, n: i32, now: u32): void {
  udpSend(PEER, port, COAP_PORT, TX, n, now);
}

function emptyMsg(type: u32, id: u32): i32 {
  coapBegin(TX, MSG_CAP, type, 0, id, 0, 0);
  return coapEnd();
}

/** Writes the reply (type, code, TOKEN, the r* fields) to TX; returns its length. */
function emit(type: u32, code: u32, id: u32): i32 {
  coapBegin(TX, MSG_CAP, type, code, id, TOKEN, msgTkl());
  if (code < 0x80) {
    if (rObs >= 0) coapUint(OBSERVE, rObs);
    if (rCf >= 0) coapUint(CONTENT_FORMAT, rCf);
    if (rLocQ) {
      coapOption(LOCATION_QUERY, LOCQ, 7);
      coapOption(LOCATION_QUERY, LOCQ + 7, 8);
    }
    coapPayload(rPay, rLen);
  }
  const n = coapEnd();
  if (n >= 0) return n;
  coapBegin(TX, MSG_CAP, type, INTERNAL_ERROR, id, TOKEN, msgTkl()); // did not fit
  return coapEnd();
}

/** Handles a request; returns the response code (or SEPARATE), the r* fields set. */
function request(port: u32, con: bool, now: u32): u32 {
  const c = checkOptions();
  if (c) return c;
  const res = matchPath();
  if (res < 0) return NOT_FOUND;
  const m = msgCode();
  if (m > 4 || ((<u32>load<u8>(ALLOW + <usize>res) >> m) & 1) == 0) return METHOD_NOT_ALLOWED;
  if (m == GET) {
    const k = content(res, optUint(ACCEPT, 2));
    if (k != CONTENT) return k;
    if (res == R_SEPARATE && con && exFree() >= 0) return SEPARATE;
    if (res >= R_OBS && res <= R_HUM) observe(port, res, now);
    return k;
  }
  if (res == R_RELAY) return relayWrite(m);
  rLocQ = res == R_LOCQ;
  return load<u8>(CODES + m);
}

/** §5.4.1: an unrecognised critical (odd) option fails the request with 4.02;
 *  so does a known one with a bad length (§5.4.3) or repeated (§5.4.5).
 *  Elective ones are ignored. */
function checkOptions(): u32 {
  let prev: u32 = 0;
  for (let i = 0; i < optCount(); i++) {
    const num = optNum(i);
    const len = optLen(i);
    if (num == PROXY_URI || num == PROXY_SCHEME) return PROXYING_NOT_SUPPORTED; // §5.7.2: not a proxy
    if (num & 1) {
      const once = num == URI_HOST || num == URI_PORT || num == ACCEPT;
      const max = num == URI_PORT || num == ACCEPT ? 2 : 255;
      const known = once || num == URI_PATH || num == URI_QUERY;
      if (!known || len > max || (num == URI_HOST && len == 0) || (once && num == prev)) return BAD_OPTION;
    }
    prev = num;
  }
  return 0;
}

/** The resource the Uri-Path options name, or -1. */
function matchPath(): i32 {
  const n = optCount();
  let f = 0;
  while (f < n && optNum(f) < URI_PATH) f++;
  let c = 0;
  while (f + c < n && optNum(f + c) == URI_PATH) c++;
  pathLast = f + c - 1;
  let p = PATHS;
  for (let res = 0; res < R_COUNT; res++) {
    const segs = <i32>load<u8>(p++);
    let hit = segs == c;
    for (let s = 0; s < segs; s++) {
      const l = <i32>load<u8>(p);
      hit = hit && optLen(f + s) == l && memEqual(optPtr(f + s), p + 1, l);
      p += 1 + <usize>l;
    }
    if (hit) return res;
  }
  return -1;
}

/** The first option `num` as a uint (§3.2), or -1 when absent or longer than max. */
function optUint(num: u32, max: i32): i32 {
  for (let i = 0; i < optCount(); i++) {
    if (optNum(i) != num) continue;
    const l = optLen(i);
    if (l > max) return -1;
    let v = 0;
    for (let k = 0; k < l; k++) v = (v << 8) | <i32>load<u8>(optPtr(i) + k);
    return v;
  }
  return -1;
}

/** A representation of res (GET, notifications) in r*; 2.05, 4.06 or 5.00. */
function content(res: i32, accept: i32): u32 {
  const sensor = res == R_TEMP || res == R_HUM;
  const json = sensor && accept == CF_JSON;
  if (accept > 0 && !json) return NOT_ACCEPTABLE; // §5.10.4
  rCf = json ? CF_JSON : CF_TEXT;
  rPay = PAY;
  if (sensor) rLen = sensorText(res, json);
  else if (res == R_OBS) rLen = fmtDec(PAY, obsTick);
  else if (res == R_RELAY) rLen = fmtDec(PAY, relay);
  else if (res == R_QUERY) rLen = queries();
  else {
    rLen = optLen(pathLast); // /test, /separate, /seg1/seg2/seg3: their name
    memory.copy(PAY, optPtr(pathLast), <usize>rLen);
  }
  return rLen < 0 ? INTERNAL_ERROR : CONTENT;
}

/** /query: the Uri-Query options joined with '&'. */
function queries(): i32 {
  let n = 0;
  for (let i = 0; i < optCount(); i++) {
    if (optNum(i) != URI_QUERY) continue;
    const l = optLen(i);
    if (n + l + 1 > PAY_CAP) return -1;
    if (n > 0) store<u8>(PAY + <usize>(n++), 0x26); // &
    memory.copy(PAY + <usize>n, optPtr(i), <usize>l);
    n += l;
  }
  return n;
}

/** "21.50", or {"t":21.50} / {"h":45.00} in JSON. */
function sensorText(res: i32, json: bool): i32 {
  let n = 0;
  if (json) {
    store<u32>(PAY, res == R_TEMP ? 0x2274227b : 0x2268227b); // {"t" / {"h"
    store<u8>(PAY, 0x3a, 4); // :
    n = 5;
  }
  n += fmtCenti(PAY + <usize>n, res == R_TEMP ? temperature : humidity);
  if (json) store<u8>(PAY + <usize>(n++), 0x7d); // }
  return n;
}

function fmtDec(p: usize, v: u32): i32 {
  let n = 1;
  for (let x = v; x >= 10; x /= 10) n++;
  for (let i = n - 1; i >= 0; i--) {
    store<u8>(p + <usize>i, <u8>(0x30 + v % 10));
    v /= 10;
  }
  return n;
}

/** Hundredths as a decimal with two places: -305 is "-3.05". */
function fmtCenti(p: usize, v: i32): i32 {
  let u = <u32>v;
  let n = 0;
  if (v < 0) {
    store<u8>(p, 0x2d);
    u = 0 - u;
    n = 1;
  }
  n += fmtDec(p + <usize>n, u / 100);
  const f = u % 100;
  store<u8>(p + <usize>n, 0x2e);
  store<u8>(p + <usize>n, <u8>(0x30 + f / 10), 1);
  store<u8>(p + <usize>n, <u8>(0x30 + f % 10), 2);
  return n + 3;
}

/** PUT/POST /actuators/relay: "0"/"1"/"off"/"on"; a POST without a body toggles
 *  (not idempotent: this is what duplicate detection protects). */
function relayWrite(m: u32): u32 {
  if (optUint(CONTENT_FORMAT, 2) > 0) return UNSUPPORTED_FORMAT; // §5.10.3: text/plain only
  const p = msgPayload();
  const n = msgPayloadLen();
  let v: i32 = -1;
  if (n == 0) v = m == POST ? <i32>(relay ^ 1) : -1;
  else if (n == 1 && (load<u8>(p) | 1) == 0x31) v = load<u8>(p) - 0x30; // "0" or "1"
  else if (n == 2 && load<u16>(p) == 0x6e6f) v = 1; // "on"
  else if (n == 3 && load<u16>(p) == 0x666f && load<u8>(p, 2) == 0x66) v = 0; // "off"
  if (v < 0) return BAD_REQUEST;
  relay = v;
  content(R_RELAY, -1);
  return CHANGED;
}

// Duplicate detection (§4.5).

function dedupFind(port: u32, id: u32, now: u32): usize {
  for (let i = 0; i < DEDUP_SLOTS; i++) {
    const d = dedupAt(i);
    if (load<u8>(d, D_USED) && now - load<u32>(d, D_TIME) < EXCHANGE_LIFETIME_MS && load<u16>(d, D_MID) == id &&
      sameEp(d + D_ADDR, load<u16>(d, D_PORT), PEER, port)) return d;
  }
  return 0;
}

function dedupStore(port: u32, id: u32, n: i32, now: u32): void {
  let d = DEDUP;
  let age: u32 = 0;
  for (let i = 0; i < DEDUP_SLOTS; i++) {
    const e = dedupAt(i);
    const a = load<u8>(e, D_USED) ? now - load<u32>(e, D_TIME) : NEVER;
    if (a >= age) {
      age = a;
      d = e;
    }
  }
  store<u8>(d, 1, D_USED);
  store<u16>(d, <u16>port, D_PORT);
  store<u16>(d, <u16>id, D_MID);
  store<u16>(d, <u16>n, D_LEN);
  store<u32>(d, now, D_TIME);
  memory.copy(d + D_ADDR, PEER, 16);
  memory.copy(d + D_DATA, TX, <usize>n);
}

// Outgoing CON messages (§4.2).

function exFree(): i32 {
  for (let i = 0; i < EXCHANGE_SLOTS; i++) if (!load<u8>(exAt(i), X_USED)) return i;
  return -1;
}

/** Sends TX (n octets) as CON exchange i, for observer o (or -1). */
function exStart(i: i32, dst: usize, port: u32, o: i32, id: u32, n: i32, now: u32): void {
  const x = exAt(i);
  const t = randomBetween(ACK_TIMEOUT_MS, ACK_TIMEOUT_MAX_MS);
  store<u8>(x, 1, X_USED);
  store<i8>(x, <i8>o, X_OBS);
  store<u8>(x, 0, X_TRIES);
  store<u16>(x, <u16>port, X_PORT);
  store<u16>(x, <u16>id, X_MID);
  store<u16>(x, <u16>n, X_LEN);
  store<u32>(x, t, X_TIMEOUT);
  store<u32>(x, now + t, X_DEADLINE);
  memory.copy(x + X_ADDR, dst, 16);
  memory.copy(x + X_DATA, TX, <usize>n);
  udpSend(x + X_ADDR, port, COAP_PORT, x + X_DATA, n, now);
}

/** A timeout: retransmit with the timeout doubled, or give up after MAX_RETRANSMIT. */
function exTimeout(x: usize, now: u32): void {
  const o = <i32>load<i8>(x, X_OBS);
  const tries = <u32>load<u8>(x, X_TRIES);
  if (tries >= MAX_RETRANSMIT) {
    store<u8>(x, 0, X_USED);
    if (o >= 0) obsRemove(o); // RFC 7641 §4.5: the last attempt timed out
    return;
  }
  const ob = obsAt(o);
  if (o >= 0 && load<u8>(ob, O_DIRTY)) {
    // RFC 7641 §4.5.2: the new state supersedes the old notification, with a
    // new Message ID and the retransmission counter and timeout carried on.
    const id = newMid();
    const n = notification(o, CON, id);
    store<u16>(x, <u16>id, X_MID);
    store<u16>(x, <u16>n, X_LEN);
    memory.copy(x + X_DATA, TX, <usize>n);
  }
  const t = load<u32>(x, X_TIMEOUT) << 1;
  store<u8>(x, <u8>(tries + 1), X_TRIES);
  store<u32>(x, t, X_TIMEOUT);
  store<u32>(x, now + t, X_DEADLINE);
  udpSend(x + X_ADDR, load<u16>(x, X_PORT), COAP_PORT, x + X_DATA, load<u16>(x, X_LEN), now);
}

function ackOrRst(port: u32, id: u32, rst: bool): void {
  for (let i = 0; i < EXCHANGE_SLOTS; i++) {
    const x = exAt(i);
    if (load<u8>(x, X_USED) && load<u16>(x, X_MID) == id && sameEp(x + X_ADDR, load<u16>(x, X_PORT), PEER, port)) {
      store<u8>(x, 0, X_USED);
      if (rst && load<i8>(x, X_OBS) >= 0) obsRemove(load<i8>(x, X_OBS)); // RFC 7641 §4.5
      return;
    }
  }
  // A RST to a NON notification (RFC 7641 §4.5); only the last one's ID is kept.
  for (let o = 0; rst && o < OBSERVER_SLOTS; o++) {
    const ob = obsAt(o);
    if (load<u8>(ob, O_USED) && load<u16>(ob, O_MID) == id && sameEp(ob + O_ADDR, load<u16>(ob, O_PORT), PEER, port)) {
      obsRemove(o);
    }
  }
}

// Observe (RFC 7641).

function obsRemove(o: i32): void {
  store<u8>(obsAt(o), 0, O_USED);
  for (let i = 0; i < EXCHANGE_SLOTS; i++) {
    const x = exAt(i);
    if (<i32>load<i8>(x, X_OBS) == o) store<u8>(x, 0, X_USED);
  }
}

/** GET with Observe 0 registers (endpoint, token), 1 deregisters (§2, §4.1). */
function observe(port: u32, res: i32, now: u32): void {
  const v = optUint(OBSERVE, 3);
  if (v != 0 && v != 1) return;
  const tkl = msgTkl();
  let o = -1;
  let free = -1;
  for (let i = 0; i < OBSERVER_SLOTS; i++) {
    const ob = obsAt(i);
    if (!load<u8>(ob, O_USED)) free = free < 0 ? i : free;
    else if (<i32>load<u8>(ob, O_TKL) == tkl && memEqual(ob + O_TOKEN, TOKEN, tkl) &&
      sameEp(ob + O_ADDR, load<u16>(ob, O_PORT), PEER, port)) o = i;
  }
  if (v == 1) {
    if (o >= 0) obsRemove(o);
    return;
  }
  if (o < 0) o = free; // an existing entry is updated (§4.1)
  if (o < 0) return; // full: a plain GET (§2)
  const ob = obsAt(o);
  store<u8>(ob, 1, O_USED);
  store<u8>(ob, <u8>res, O_RES);
  store<u8>(ob, <u8>rCf, O_CF);
  store<u8>(ob, <u8>tkl, O_TKL);
  store<u8>(ob, 0, O_DIRTY);
  store<u16>(ob, <u16>port, O_PORT);
  store<u16>(ob, <u16>(mid + 1), O_MID); // the ID a NON reply will carry
  store<u32>(ob, now, O_CON_AT);
  memory.copy(ob + O_TOKEN, TOKEN, <usize>tkl);
  memory.copy(ob + O_ADDR, PEER, 16);
  rObs = seq;
}

/** Writes observer o's notification to TX; returns its length. */
function notification(o: i32, type: u32, id: u32): i32 {
  const ob = obsAt(o);
  memory.copy(TOKEN, ob + O_TOKEN, 8);
  store<u8>(ob, 0, O_DIRTY);
  store<u16>(ob, <u16>id, O_MID);
  rLocQ = false;
  content(load<u8>(ob, O_RES), load<u8>(ob, O_CF));
  rObs = seq;
  coapBegin(TX, MSG_CAP, type, CONTENT, id, TOKEN, load<u8>(ob, O_TKL));
  coapUint(OBSERVE, rObs);
  coapUint(CONTENT_FORMAT, rCf);
  coapPayload(rPay, rLen);
  return coapEnd();
}

/** Sensors notify in CON (rare, and a vanished client is noticed); /obs in NON
 *  but CON once a day (RFC 7641 §4.5); NON whenever no exchange is free. */
function notify(o: i32, now: u32): void {
  const ob = obsAt(o);
  const con = load<u8>(ob, O_RES) != R_OBS || now - load<u32>(ob, O_CON_AT) >= CON_EVERY_MS;
  const x = con ? exFree() : -1;
  const id = newMid();
  const n = notification(o, x >= 0 ? CON : NON, id);
  if (x < 0) {
    udpSend(ob + O_ADDR, load<u16>(ob, O_PORT), COAP_PORT, TX, n, now);
    return;
  }
  store<u32>(ob, now, O_CON_AT);
  exStart(x, ob + O_ADDR, load<u16>(ob, O_PORT), o, id, n, now);
}

/** A CON notification to o is still awaiting its ACK (NSTART 1, RFC 7641 §4.5.1). */
function inFlight(o: i32): bool {
  for (let i = 0; i < EXCHANGE_SLOTS; i++) {
    const x = exAt(i);
    if (load<u8>(x, X_USED) && <i32>load<i8>(x, X_OBS) == o) return true;
  }
  return false;
}

export function coapPoll(now: u32): u32 {
  obsClock(now);
  for (let i = 0; i < EXCHANGE_SLOTS; i++) {
    const x = exAt(i);
    if (load<u8>(x, X_USED) && <i32>(now - load<u32>(x, X_DEADLINE)) >= 0) exTimeout(x, now);
  }
  let next = NEVER;
  for (let o = 0; o < OBSERVER_SLOTS; o++) {
    const ob = obsAt(o);
    if (!load<u8>(ob, O_USED)) continue;
    if (load<u8>(ob, O_DIRTY) && !inFlight(o)) notify(o, now);
    if (load<u8>(ob, O_RES) == R_OBS) next = (obsTick + 1) * OBS_PERIOD_MS;
  }
  for (let i = 0; i < EXCHANGE_SLOTS; i++) {
    const x = exAt(i);
    const at = load<u32>(x, X_DEADLINE);
    if (load<u8>(x, X_USED) && (next == NEVER || <i32>(at - now) < <i32>(next - now))) next = at;
  }
  return next;
}
