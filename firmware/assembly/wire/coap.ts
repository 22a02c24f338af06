// CoAP message codec (RFC 7252 §3). No state but one parsed record and the
// emitter's cursor: a message is parsed in place, options point into it.
//     0                   1                   2                   3
//     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |Ver| T |  TKL  |      Code     |          Message ID           |
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |   Token (if any, TKL bytes) ...
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |   Options (if any) ...
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//    |1 1 1 1 1 1 1 1|    Payload (if any) ...
//    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Option (§3.1): [delta:4][length:4] then extended delta, extended length,
// value. Nibble 13: one more octet + 13; 14: two octets + 269; 15: reserved
// (a format error, except 0xFF as a whole octet: the payload marker).
import { rd16be, wr16be } from '../mem';

// Type (§3).
export const CON: u32 = 0;
export const NON: u32 = 1;
export const ACK: u32 = 2;
export const RST: u32 = 3;

// Codes (§12.1), c.dd as (c << 5) | dd.
export const GET: u32 = 1;
export const POST: u32 = 2;
export const PUT: u32 = 3;
export const DELETE: u32 = 4;
export const CREATED: u32 = 0x41;
export const DELETED: u32 = 0x42;
export const CHANGED: u32 = 0x44;
export const CONTENT: u32 = 0x45;
export const BAD_REQUEST: u32 = 0x80;
export const BAD_OPTION: u32 = 0x82;
export const NOT_FOUND: u32 = 0x84;
export const METHOD_NOT_ALLOWED: u32 = 0x85;
export const NOT_ACCEPTABLE: u32 = 0x86;
export const UNSUPPORTED_FORMAT: u32 = 0x8f;
export const INTERNAL_ERROR: u32 = 0xa0;
export const PROXYING_NOT_SUPPORTED: u32 = 0xa5;

// Option numbers (§12.2; Observe: RFC 7641 §2). Odd = critical (§5.4.1).
export const URI_HOST: u32 = 3;
export const OBSERVE: u32 = 6;
export const URI_PORT: u32 = 7;
export const URI_PATH: u32 = 11;
export const CONTENT_FORMAT: u32 = 12;
export const URI_QUERY: u32 = 15;
export const ACCEPT: u32 = 17;
export const LOCATION_QUERY: u32 = 20;
export const PROXY_URI: u32 = 35;
export const PROXY_SCHEME: u32 = 39;

// Content-Formats (§12.3).
export const CF_TEXT: i32 = 0;
export const CF_JSON: i32 = 50;

// coapParse() results.
export const COAP_OK: i32 = 0;
export const COAP_SHORT: i32 = -1; // under 4 octets: no header to answer
export const COAP_VERSION: i32 = -2; // §3: silently ignored
export const COAP_FORMAT: i32 = -3; // message format error (§3, §3.1, §4.1)
export const COAP_TOO_MANY: i32 = -4; // well formed, more than MAX_OPTIONS options
export const COAP_NO_SPACE: i32 = -5; // coapEnd(): the message did not fit

/** Options the parsed record holds; a message with more is COAP_TOO_MANY. */
export const MAX_OPTIONS: i32 = 16;

// The parsed record.
const M_TYPE = 0; // u8
const M_CODE = 1; // u8
const M_TKL = 2; // u8
const M_NOPT = 3; // u8 options held
const M_MID = 4; // u16
const M_TOKEN = 8; // u32 pointer
const M_PAYLOAD = 12; // u32 pointer
const M_PLEN = 16; // u32
const M_OPTS = 20; // MAX_OPTIONS x [number u16][length u16][pointer u32], in message order
const MSG: usize = memory.data(M_OPTS + MAX_OPTIONS * 8, 8);

@inline export function msgType(): u32 { return load<u8>(MSG, M_TYPE); }
@inline export function msgCode(): u32 { return load<u8>(MSG, M_CODE); }
@inline export function msgTkl(): i32 { return load<u8>(MSG, M_TKL); }
@inline export function msgMid(): u32 { return load<u16>(MSG, M_MID); }
@inline export function msgToken(): usize { return load<u32>(MSG, M_TOKEN); }
@inline export function msgPayload(): usize { return load<u32>(MSG, M_PAYLOAD); }
@inline export function msgPayloadLen(): i32 { return load<i32>(MSG, M_PLEN); }
@inline export function optCount(): i32 { return load<u8>(MSG, M_NOPT); }
@inline export function optNum(i: i32): u32 { return load<u16>(MSG + (<usize>i << 3), M_OPTS); }
@inline export function optLen(i: i32): i32 { return load<u16>(MSG + (<usize>i << 3), M_OPTS + 2); }
@inline export function optPtr(i: i32): usize { return load<u32>(MSG + (<usize>i << 3), M_OPTS + 4); }

// Parser cursor.
let cur: usize = 0;
let end: usize = 0;

/** An extended option delta or length (§3.1); -1 on nibble 15 or a truncation. */
function ext(n: u32): i32 {
  if (n < 13) return <i32>n;
  if (n == 13 && cur + 1 <= end) return <i32>load<u8>(cur++) + 13;
  if (n != 14 || cur + 2 > end) return -1;
  cur += 2;
  return <i32>rd16be(cur - 2) + 269;
}

/** Parses the message at m (len octets) into the record. Returns COAP_OK,
 *  COAP_TOO_MANY (the first MAX_OPTIONS held), or a negative error. The
 *  header fields are valid from COAP_FORMAT on. */
export function coapParse(m: usize, len: i32): i32 {
  if (len < 4) return COAP_SHORT;
  const b0 = <u32>load<u8>(m);
  if (b0 >> 6 != 1) return COAP_VERSION;
  const tkl = b0 & 15;
  const code = <u32>load<u8>(m, 1);
  store<u8>(MSG, <u8>((b0 >> 4) & 3), M_TYPE);
  store<u8>(MSG, <u8>code, M_CODE);
  store<u8>(MSG, <u8>tkl, M_TKL);
  store<u8>(MSG, 0, M_NOPT);
  store<u16>(MSG, <u16>rd16be(m + 2), M_MID);
  store<u32>(MSG, m + 4, M_TOKEN);
  store<i32>(MSG, 0, M_PLEN);
  // §3: TKL 9-15 reserved; §4.1: an Empty message is the 4-octet header alone.
  if (tkl > 8 || <u32>len > 0xffff || (code == 0 && len != 4)) return COAP_FORMAT;
  cur = m + 4 + tkl;
  end = m + <usize>len;
  if (cur > end) return COAP_FORMAT;
  return options();
}

function options(): i32 {
  let num = 0;
  let n = 0;
  while (cur < end) {
    const b = <u32>load<u8>(cur++);
    if (b == 0xff) {
      if (cur == end) return COAP_FORMAT; // §3: a marker followed by no payload
      store<u32>(MSG, cur, M_PAYLOAD);
      store<i32>(MSG, <i32>(end - cur), M_PLEN);
      break;
    }
    const d = ext(b >> 4);
    const l = ext(b & 15);
    num += d;
    if (d < 0 || l < 0 || num > 0xffff || cur + <usize>l > end) return COAP_FORMAT;
    if (n < MAX_OPTIONS) {
      const e = MSG + M_OPTS + (<usize>n << 3);
      store<u16>(e, <u16>num);
      store<u16>(e, <u16>l, 2);
      store<u32>(e, cur, 4);
      store<u8>(MSG, <u8>(n + 1), M_NOPT);
    }
    n++;
    cur += <usize>l;
  }
  return n > MAX_OPTIONS ? COAP_TOO_MANY : COAP_OK;
}

// Emitter state: coapBegin, coapOption/coapUint in ascending number order,
// coapPayload, coapEnd. Any overflow or misordering makes coapEnd fail.
let eBuf: usize = 0;
let ePos: usize = 0;
let eEnd: usize = 0;
let eLast: u32 = 0;
let eOk = false;
let ePay = false;
const UINT: usize = memory.data(4, 4);

export function coapBegin(buf: usize, cap: i32, type: u32, code: u32, mid: u32, tok: usize, tkl: i32): void {
  eBuf = buf;
  eEnd = buf + <usize>cap;
  ePos = buf + 4 + <usize>tkl;
  eLast = 0;
  ePay = false;
  eOk = <u32>tkl <= 8 && 4 + tkl <= cap;
  if (!eOk) return;
  store<u8>(buf, <u8>(0x40 | (type << 4) | <u32>tkl));
  store<u8>(buf, <u8>code, 1);
  wr16be(buf + 2, mid);
  memory.copy(buf + 4, tok, <usize>tkl);
}

@inline function nibble(x: u32): u32 {
  return x < 13 ? x : x < 269 ? 13 : 14;
}

function putExt(p: usize, x: u32): usize {
  if (x >= 269) {
    wr16be(p, x - 269);
    return p + 2;
  }
  if (x >= 13) store<u8>(p++, <u8>(x - 13));
  return p;
}

/** Appends option `num` (not below the previous one, §3.1) with len octets at val. */
export function coapOption(num: u32, val: usize, len: i32): void {
  const d = num - eLast;
  const l = <u32>len;
  const need = 1 + (d < 13 ? 0 : d < 269 ? 1 : 2) + (l < 13 ? 0 : l < 269 ? 1 : 2);
  if (!eOk || ePay || num < eLast || num > 0xffff || l > 0xffff || <usize>(need + l) > eEnd - ePos) {
    eOk = false;
    return;
  }
  store<u8>(ePos, <u8>((nibble(d) << 4) | nibble(l)));
  const p = putExt(putExt(ePos + 1, d), l);
  memory.copy(p, val, l);
  ePos = p + l;
  eLast = num;
}

/** An option in the uint format (§3.2): big-endian, shortest, 0 as no octets. */
export function coapUint(num: u32, v: u32): void {
  const n = v == 0 ? 0 : v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x1000000 ? 3 : 4;
  store<u32>(UINT, bswap(v));
  coapOption(num, UINT + 4 - n, n);
}

/** Appends payload octets, writing the marker before the first (§3). */
export function coapPayload(p: usize, len: i32): void {
  if (!eOk || len <= 0) return;
  const need = <u32>len + (ePay ? 0 : 1);
  if (<usize>need > eEnd - ePos) {
    eOk = false;
    return;
  }
  if (!ePay) store<u8>(ePos++, 0xff);
  ePay = true;
  memory.copy(ePos, p, <usize>len);
  ePos += <usize>len;
}

/** The message length, or COAP_NO_SPACE. */
export function coapEnd(): i32 {
  return eOk ? <i32>(ePos - eBuf) : COAP_NO_SPACE;
}
