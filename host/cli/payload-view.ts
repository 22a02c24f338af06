// Payloads as `sixlab decode` shows them: hex and ASCII, and CoAP messages
// (RFC 7252 §3) decoded with coap-packet's parse when UDP port 5683 is involved.
import { createRequire } from 'node:module';
import { asciiText, hexText } from './decode-format.js';

export const COAP_PORT = 5683;

export interface PayloadRecord {
  length: number;
  hex: string;
  ascii: string;
}

export function payloadRecord(bytes: Uint8Array): PayloadRecord {
  return { length: bytes.length, hex: hexText(bytes), ascii: asciiText(bytes) };
}

/** Hex dump lines: one line for up to 16 octets, else 16 a line with offsets. */
export function payloadLines(label: string, bytes: Uint8Array, indent = '  '): string[] {
  const spaced = (from: number, to: number) => Array.from(bytes.subarray(from, to), (b) => (b < 16 ? '0' : '') + b.toString(16)).join(' ');
  if (bytes.length <= 16) return [`${indent}${label} ${bytes.length} octets: ${spaced(0, bytes.length)}  |${asciiText(bytes)}|`];
  const lines = [`${indent}${label} ${bytes.length} octets:`];
  for (let at = 0; at < bytes.length; at += 16) {
    const end = Math.min(at + 16, bytes.length);
    lines.push(`${indent}  ${at.toString(16).padStart(4, '0')}  ${spaced(at, end).padEnd(47)}  |${asciiText(bytes, at, end)}|`);
  }
  return lines;
}

// --- CoAP ---------------------------------------------------------------------

interface CoapParsed {
  code: string;
  messageId: number;
  token: Buffer;
  options: Array<{ name: string | number; value: Buffer }>;
  payload: Buffer;
}

let coapParse: ((b: Buffer) => CoapParsed) | undefined;

/** coap-packet, loaded the first time a CoAP message is seen. */
function parseCoapPacket(b: Buffer): CoapParsed {
  coapParse ??= (createRequire(import.meta.url)('coap-packet') as { parse: (b: Buffer) => CoapParsed }).parse;
  return coapParse(b);
}

const TYPES = ['CON', 'NON', 'ACK', 'RST'];

/** RFC 7252 §12.1 and RFC 8132, RFC 8768, RFC 7959, RFC 8516 code names. */
const CODE_NAMES: Record<string, string> = {
  '0.00': 'Empty', '0.01': 'GET', '0.02': 'POST', '0.03': 'PUT', '0.04': 'DELETE', '0.05': 'FETCH', '0.06': 'PATCH', '0.07': 'iPATCH',
  '2.01': 'Created', '2.02': 'Deleted', '2.03': 'Valid', '2.04': 'Changed', '2.05': 'Content', '2.31': 'Continue',
  '4.00': 'Bad Request', '4.01': 'Unauthorized', '4.02': 'Bad Option', '4.03': 'Forbidden', '4.04': 'Not Found',
  '4.05': 'Method Not Allowed', '4.06': 'Not Acceptable', '4.08': 'Request Entity Incomplete', '4.09': 'Conflict',
  '4.12': 'Precondition Failed', '4.13': 'Request Entity Too Large', '4.15': 'Unsupported Content-Format',
  '4.22': 'Unprocessable Entity', '4.29': 'Too Many Requests',
  '5.00': 'Internal Server Error', '5.01': 'Not Implemented', '5.02': 'Bad Gateway', '5.03': 'Service Unavailable',
  '5.04': 'Gateway Timeout', '5.05': 'Proxying Not Supported', '5.08': 'Hop Limit Reached',
  '7.00': 'Unassigned', '7.01': 'CSM', '7.02': 'Ping', '7.03': 'Pong', '7.04': 'Release', '7.05': 'Abort',
};

/** Options whose values are text (RFC 7252 §5.10, Table 4). */
const STRING_OPTIONS = new Set(['Uri-Host', 'Location-Path', 'Uri-Path', 'Uri-Query', 'Location-Query', 'Proxy-Uri', 'Proxy-Scheme']);
/** Options whose values are unsigned integers. */
const UINT_OPTIONS = new Set(['Observe', 'Uri-Port', 'Content-Format', 'Max-Age', 'Hop-Limit', 'Accept', 'Size1', 'Size2', 'No-Response']);
/** Block options (RFC 7959 §2.2): NUM / M / block size. */
const BLOCK_OPTIONS = new Set(['Block1', 'Block2', 'Q-Block1', 'Q-Block2']);

export interface CoapRecord {
  type: string;
  code: string;
  codeName?: string;
  messageId: number;
  token: string;
  options: Array<{ name: string; value: string | number }>;
  payload?: PayloadRecord;
  error?: string;
}

function uint(b: Buffer): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

function optionValue(name: string, value: Buffer): string | number {
  if (STRING_OPTIONS.has(name)) return value.toString('utf8');
  if (UINT_OPTIONS.has(name)) return uint(value);
  if (BLOCK_OPTIONS.has(name)) {
    const v = uint(value);
    return `${Math.floor(v / 16)}/${(v >> 3) & 1}/${2 ** ((v & 7) + 4)}`;
  }
  return hexText(value);
}

/** A CoAP message (a UDP payload), or what is wrong with it. */
export function coapRecord(bytes: Uint8Array): CoapRecord {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = { type: b.length ? TYPES[(b[0] >> 4) & 3] : '', code: '', messageId: 0, token: '', options: [] };
  if (b.length < 4) return { ...head, error: `CoAP: ${b.length} octets, the header needs 4` };
  const tkl = b[0] & 15;
  if (tkl > 8) return { ...head, error: `CoAP: token length ${tkl} is reserved (RFC 7252 §3)` };
  if (4 + tkl > b.length) return { ...head, error: `CoAP: token of ${tkl} octets runs past the message` };
  let p: CoapParsed;
  try {
    p = parseCoapPacket(b);
  } catch (err) {
    return { ...head, error: `CoAP: ${(err as Error).message.split('\n')[0]}` };
  }
  const r: CoapRecord = {
    type: TYPES[(b[0] >> 4) & 3],
    code: p.code,
    codeName: CODE_NAMES[p.code],
    messageId: p.messageId,
    token: hexText(p.token),
    options: p.options.map((o) => ({ name: String(o.name), value: optionValue(String(o.name), o.value) })),
  };
  if (r.codeName === undefined) delete r.codeName;
  if (p.payload.length) r.payload = payloadRecord(p.payload);
  return r;
}

/** Text lines for a CoAP record. */
export function coapLines(c: CoapRecord): string[] {
  if (c.error) return [`  ${c.error}`];
  const opts = c.options.map((o) => `${o.name} ${STRING_OPTIONS.has(o.name) ? JSON.stringify(o.value) : o.value}`);
  const lines = [`  CoAP ${c.type} ${c.code}${c.codeName ? ` ${c.codeName}` : ''} message ID ${c.messageId}`
    + `${c.token ? ` token ${c.token}` : ''}${opts.length ? `; ${opts.join(', ')}` : ''}`];
  if (c.payload) {
    const bytes = Buffer.from(c.payload.hex, 'hex');
    lines.push(...payloadLines('CoAP payload', bytes, '  '));
  }
  return lines;
}
