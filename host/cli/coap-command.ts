// sixlab coap: a CoAP client on the command line, what a person types instead
// of libcoap's coap-client. It opens the board, starts a gateway on its link
// (host/gateway/: the device registers with it), sends the request through
// the gateway (RFC 7252: CON with §4.2 retransmissions, or NON) and prints the
// response: its code, its options and its payload as text or hex. With
// --observe (RFC 7641) it prints each notification until Ctrl-C or --count.
// With --proxy it goes through the CoAP proxy of a running gateway instead
// (RFC 7252 §5.7, the coap package as the client).
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Command } from 'commander';
import type { IncomingMessage } from 'coap';
import { CoapResponseError, uintOf } from '../gateway/coap-endpoint.js';
import { SixlabGateway } from '../gateway/gateway.js';
import { isLinkLocal } from '../gateway/site-plan.js';
import type { CoapRequest, CoapResponse } from '../gateway/types.js';
import { formatIpv6, parseIpv6 } from '../packet/ipv6-address.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { collect } from './context-option.js';
import { board, openBoardForTool, positiveInt, seconds } from './board-tools.js';
import { UsageError } from './usage-error.js';

export interface CoapOptions {
  board?: string;
  proxy?: string;
  observe?: boolean;
  count?: string;
  payload?: string;
  payloadHex?: string;
  contentFormat?: string;
  non?: boolean;
  timeout?: string;
  wait?: string;
  fault?: string[];
}

/** Where the output goes (tests capture it). */
export interface CoapIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves on Ctrl-C (default: SIGINT or SIGTERM). */
  interrupted?: Promise<void>;
}

const METHODS = { get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE' } as const;

/** RFC 7252 §12.1.2 and RFC 7959, RFC 8132: the response codes' names. */
const CODE_NAMES: Record<string, string> = {
  '2.01': 'Created', '2.02': 'Deleted', '2.03': 'Valid', '2.04': 'Changed', '2.05': 'Content', '2.31': 'Continue',
  '4.00': 'Bad Request', '4.01': 'Unauthorized', '4.02': 'Bad Option', '4.03': 'Forbidden', '4.04': 'Not Found',
  '4.05': 'Method Not Allowed', '4.06': 'Not Acceptable', '4.08': 'Request Entity Incomplete', '4.09': 'Conflict',
  '4.12': 'Precondition Failed', '4.13': 'Request Entity Too Large', '4.15': 'Unsupported Content-Format', '4.22': 'Unprocessable Entity',
  '4.29': 'Too Many Requests', '5.00': 'Internal Server Error', '5.01': 'Not Implemented', '5.02': 'Bad Gateway',
  '5.03': 'Service Unavailable', '5.04': 'Gateway Timeout', '5.05': 'Proxying Not Supported',
};

/** RFC 7252 §12.3 and the registry: common Content-Formats. */
const FORMATS: Record<number, string> = {
  0: 'text/plain;charset=utf-8', 40: 'application/link-format', 41: 'application/xml', 42: 'application/octet-stream',
  47: 'application/exi', 50: 'application/json', 60: 'application/cbor', 110: 'application/senml+json', 112: 'application/senml+cbor',
};

/** RFC 7252 §5.10 option names by number, for options coap-packet leaves numeric. */
const UINT_OPTIONS = new Set(['Observe', 'Uri-Port', 'Content-Format', 'Max-Age', 'Accept', 'Size1', 'Size2', 'No-Response']);
const STRING_OPTIONS = new Set(['Uri-Host', 'Location-Path', 'Uri-Path', 'Uri-Query', 'Location-Query', 'Proxy-Uri', 'Proxy-Scheme']);

/** A coap:// URI with an IPv6 literal host: the device, its port, path and query. */
export function parseCoapUri(text: string): { address: string; port: number; path: string; query: string[] } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${text}: not a URI (expected coap://[IPv6 address]/path)`);
  }
  if (url.protocol !== 'coap:') throw new UsageError(`${text}: only coap:// URIs (the devices speak CoAP over UDP)`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIPv6(host)) throw new UsageError(`${text}: the host must be the device's IPv6 address in brackets (coap://[2001:db8::212:4b00:0:1]/test)`);
  if (/%/.test(host)) throw new UsageError(`${text}: no zone ids: the gateway is on the board's link`);
  return {
    address: formatIpv6(parseIpv6(host)),
    port: url.port ? Number(url.port) : 5683,
    path: url.pathname || '/',
    query: url.search ? url.search.slice(1).split('&').filter(Boolean).map((q) => decodeURIComponent(q)) : [],
  };
}

function parsePayload(o: CoapOptions): Uint8Array | undefined {
  if (o.payload !== undefined && o.payloadHex !== undefined) throw new UsageError('--payload and --payload-hex both give the payload: give one');
  if (o.payload !== undefined) return Uint8Array.from(Buffer.from(o.payload, 'utf8'));
  if (o.payloadHex === undefined) return undefined;
  const hex = o.payloadHex.replace(/[\s:]/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new UsageError(`--payload-hex ${o.payloadHex}: expected hex octets (48656c6c6f)`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Text when the payload is printable UTF-8, else hex (RFC 7252 §5.5: a payload is octets). */
export function payloadText(p: Uint8Array): string {
  if (p.length === 0) return '';
  const text = Buffer.from(p).toString('utf8');
  const clean = Buffer.from(text, 'utf8').equals(Buffer.from(p)) && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text);
  return clean ? text : `hex: ${Buffer.from(p).toString('hex')}`;
}

/** One response as printed: "2.05 Content", one line per option, the payload. */
export function formatResponse(r: Pick<CoapResponse, 'code' | 'payload' | 'options'>): string[] {
  const lines = [`${r.code} ${CODE_NAMES[r.code] ?? ''}`.trimEnd()];
  for (const o of r.options ?? []) {
    const name = typeof o.name === 'number' ? `Option ${o.name}` : o.name;
    let value: string;
    if (o.name === 'Content-Format' || o.name === 'Accept') {
      const n = uintOf(o.value);
      value = FORMATS[n] ? `${n} (${FORMATS[n]})` : String(n);
    } else if (typeof o.name === 'string' && UINT_OPTIONS.has(o.name)) value = String(uintOf(o.value));
    else if (typeof o.name === 'string' && STRING_OPTIONS.has(o.name)) value = Buffer.from(o.value).toString('utf8');
    else value = o.value.length ? `0x${Buffer.from(o.value).toString('hex')}` : '(empty)';
    lines.push(`${name}: ${value}`);
  }
  const text = payloadText(r.payload);
  if (text) lines.push(...text.split('\n'));
  return lines;
}

const success = (code: string) => code.startsWith('2.');

function defaultIo(): CoapIo {
  return { out: (l) => process.stdout.write(l + '\n'), err: (l) => process.stderr.write(`sixlab: ${l}\n`) };
}

function interruption(): { promise: Promise<void>; dispose: () => void } {
  let dispose = () => {};
  const promise = new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    dispose = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
    };
  });
  return { promise, dispose };
}

/** Runs the command; resolves with its exit code (0 a 2.xx response, 1 an error code or no response); throws UsageError (exit 2). */
export async function coapCommand(method: string, uri: string, o: CoapOptions, io: CoapIo = defaultIo()): Promise<number> {
  const m = METHODS[method.toLowerCase() as keyof typeof METHODS];
  if (!m) throw new UsageError(`${method}: not a method (get, put, post or delete)`);
  const target = parseCoapUri(uri);
  const payload = parsePayload(o);
  const contentFormat = o.contentFormat === undefined ? undefined : positiveInt('--content-format', o.contentFormat, 0, 65535);
  if (o.count !== undefined && !o.observe) throw new UsageError('--count counts notifications: it needs --observe');
  const count = o.count === undefined ? undefined : positiveInt('--count', o.count, 1, 1_000_000);
  if (o.observe && m !== 'GET') throw new UsageError('--observe registers with a GET (RFC 7641 §3.1): use coap get --observe');
  const timeoutMs = o.timeout === undefined ? undefined : seconds('--timeout', o.timeout, 0.001, 86_400);
  const waitMs = o.wait === undefined ? 30_000 : seconds('--wait', o.wait, 0, 3600);
  if (o.board === undefined && o.proxy === undefined) throw new UsageError('give --board NAME (or --proxy coap://[::1]:5683 of a running gateway)');
  if (o.board !== undefined && o.proxy !== undefined) throw new UsageError('--board and --proxy are two ways to the device: give one');
  const req: CoapRequest = {
    method: m, address: target.address, port: target.port, path: target.path, query: target.query,
    payload, contentFormat, confirmable: !o.non, timeoutMs,
  };
  const stop = io.interrupted ? { promise: io.interrupted, dispose: () => {} } : interruption();
  try {
    if (o.proxy !== undefined) return await viaProxy(uri, o.proxy, req, { observe: Boolean(o.observe), count, timeoutMs }, io, stop.promise);
    return await viaBoard(o, req, { observe: Boolean(o.observe), count, timeoutMs, waitMs }, io, stop.promise);
  } finally {
    stop.dispose();
  }
}

interface Mode {
  observe: boolean;
  count?: number;
  timeoutMs?: number;
}

async function viaBoard(o: CoapOptions, req: CoapRequest, mode: Mode & { waitMs: number }, io: CoapIo, interrupted: Promise<void>): Promise<number> {
  const b = board(o.board!);
  const opened = await openBoardForTool(b, { faults: o.fault ?? [] });
  let gw: SixlabGateway | undefined;
  try {
    // One cell, so a multicast RA is safe: a device that already runs learns the new router at once.
    gw = await SixlabGateway.start(opened.link, b, { announce: true });
    const clock = opened.link.clock;
    if (!isLinkLocal(req.address)) {
      const d = await gw.waitForAddress(req.address, mode.waitMs);
      if (!d) {
        const known = gw.devices().flatMap((x) => x.addresses);
        io.err(`${req.address} did not register with the gateway within ${mode.waitMs / 1000} s${known.length ? ` (registered: ${known.join(', ')})` : ' (no device registered)'}; sending anyway`);
      }
    }
    if (!mode.observe) {
      try {
        const r = await gw.request(req);
        io.out(formatResponse(r).join('\n'));
        return success(r.code) ? 0 : 1;
      } catch (err) {
        io.err(`coap ${req.method} ${req.address}${req.path}: ${(err as Error).message}`);
        return 1;
      }
    }
    // Observe: notifications until Ctrl-C, --count, or the observation ends.
    let seen = 0;
    let failed = false;
    let ended = false;
    let lastAt = clock.now();
    let wake = () => {};
    const onNotify = (r: CoapResponse) => {
      seen++;
      lastAt = clock.now();
      if (!success(r.code)) failed = true;
      if (r.observe === undefined) ended = true;
      io.out(formatResponse(r).join('\n') + '\n');
      wake();
    };
    let cancel: () => Promise<void>;
    try {
      cancel = await gw.observe(req, onNotify);
    } catch (err) {
      if (err instanceof CoapResponseError) {
        io.out(formatResponse(err.response).join('\n'));
      } else io.err(`coap observe ${req.address}${req.path}: ${(err as Error).message}`);
      return 1;
    }
    let stopped = false;
    void interrupted.then(() => {
      stopped = true;
      wake();
    });
    const virtual = clock instanceof VirtualClock;
    const silence = mode.timeoutMs ?? 93_000; // with --count: how long to wait for the next notification
    while (!stopped && !ended && !failed && (mode.count === undefined || seen < mode.count)) {
      if (mode.count !== undefined && clock.now() - lastAt > silence) {
        io.err(`${seen} of ${mode.count} notifications: none came for ${silence / 1000} s`);
        failed = true;
        break;
      }
      if (virtual && mode.count !== undefined) {
        await clock.sleep(250); // virtual time runs as fast as it can
      } else if (virtual) {
        // Until Ctrl-C: virtual time kept in step with the wall clock, so notifications come as they would.
        await Promise.all([clock.sleep(250), new Promise((r) => setTimeout(r, 250))]);
      } else {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250);
        });
        wake = () => {};
      }
    }
    await cancel();
    return failed ? 1 : 0;
  } finally {
    await gw?.close();
    await opened.close();
  }
}

/** Through a running gateway's CoAP proxy, with the coap package as the client. */
async function viaProxy(uri: string, proxy: string, req: CoapRequest, mode: Mode, io: CoapIo, interrupted: Promise<void>): Promise<number> {
  let p: URL;
  try {
    p = new URL(proxy);
  } catch {
    throw new UsageError(`--proxy ${proxy}: expected coap://[::1]:5683`);
  }
  const host = p.hostname.replace(/^\[|\]$/g, '');
  if (p.protocol !== 'coap:' || !host) throw new UsageError(`--proxy ${proxy}: expected coap://[::1]:5683`);
  const options: Record<string, Buffer> = {};
  if (req.contentFormat !== undefined) options['Content-Format'] = Buffer.from(req.contentFormat === 0 ? [] : uintBytes(req.contentFormat));
  const { Agent, request: coapRequest } = await import('coap'); // loaded only here: every other command starts faster
  // A socket of our own: the agent keeps it for the deregistration after an observation (RFC 7641 §3.6), and we close it.
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => resolve());
  });
  socket.on('error', () => {});
  const r = coapRequest({
    hostname: host, port: p.port ? Number(p.port) : 5683, method: req.method, confirmable: req.confirmable, proxyUri: uri,
    observe: mode.observe ? true : undefined, options, agent: new Agent({ type: isIPv6(host) ? 'udp6' : 'udp4', socket }),
  });
  const timeout = mode.timeoutMs ?? 93_000;
  return new Promise<number>((resolve) => {
    let seen = 0;
    let failed = false;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (code: number, res?: IncomingMessage & { close?: (eager?: boolean) => void }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      res?.close?.(true);
      // Time for the deregistration to leave (and its answer to come back) before the socket closes.
      setTimeout(() => socket.close(() => resolve(code)), res?.close ? 200 : 0);
    };
    const arm = (res?: IncomingMessage) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        io.err(mode.observe && seen > 0 ? `${seen}${mode.count ? ` of ${mode.count}` : ''} notifications: none came for ${timeout / 1000} s` : `no response from the proxy ${proxy} within ${timeout / 1000} s`);
        finish(1, res);
      }, timeout);
    };
    arm();
    r.on('error', (err: Error) => {
      io.err(`proxy ${proxy}: ${err.message}`);
      finish(1);
    });
    r.on('timeout', () => {
      io.err(`no response from the proxy ${proxy}`);
      finish(1);
    });
    r.on('response', (res: IncomingMessage & { close?: (eager?: boolean) => void }) => {
      const print = (payload: Buffer) => {
        seen++;
        const opts = rawOptions((res as unknown as { options?: { name: string | number; value: unknown }[] }).options ?? []);
        io.out(formatResponse({ code: res.code, payload, options: opts }).join('\n') + (mode.observe ? '\n' : ''));
        if (!success(res.code)) failed = true;
      };
      if (!mode.observe || res.headers.Observe === undefined) {
        print(res.payload);
        return finish(success(res.code) ? 0 : 1);
      }
      if (!mode.timeoutMs && !mode.count) clearTimeout(timer);
      else arm(res);
      res.on('data', (payload: Buffer) => {
        print(payload);
        if (failed || (mode.count !== undefined && seen >= mode.count)) return finish(failed ? 1 : 0, res);
        if (mode.count !== undefined || mode.timeoutMs) arm(res);
      });
      void interrupted.then(() => finish(failed ? 1 : 0, res));
    });
    if (req.payload) r.write(Buffer.from(req.payload));
    r.end();
  });
}

/** The coap package turns some option values into strings or numbers (Content-Format: "text/plain"): back to octets. */
function rawOptions(options: { name: string | number; value: unknown }[]): { name: string | number; value: Uint8Array }[] {
  return options.map((o) => {
    const v = o.value;
    if (v instanceof Uint8Array) return { name: o.name, value: v };
    if (typeof v === 'number') return { name: o.name, value: Uint8Array.from(uintBytes(v)) };
    if (typeof v === 'string' && (o.name === 'Content-Format' || o.name === 'Accept')) {
      const n = Object.entries(FORMATS).find(([, f]) => f === v || f.split(';')[0] === v.split(';')[0])?.[0];
      if (n !== undefined) return { name: o.name, value: Uint8Array.from(uintBytes(Number(n))) };
    }
    return { name: o.name, value: Uint8Array.from(Buffer.from(String(v))) };
  });
}

function uintBytes(v: number): number[] {
  const b: number[] = [];
  for (let x = v; x > 0; x = Math.floor(x / 256)) b.unshift(x & 0xff);
  return b;
}

/** Declares the command on the program. */
export function registerCoap(p: Command): void {
  p.command('coap')
    .description('send a CoAP request to a device (as libcoap\'s coap-client): through a gateway on the board\'s link, or a running gateway\'s proxy')
    .argument('<method>', 'get, put, post or delete')
    .argument('<uri>', 'coap://[device IPv6 address]/path?query')
    .option('--board <name>', 'board to reach the device through (a gateway starts on its link; the device registers with it)')
    .option('--proxy <uri>', 'instead of --board: the CoAP proxy of a running gateway, e.g. coap://[::1]:5683')
    .option('--observe', 'register as an observer (RFC 7641) and print each notification until Ctrl-C or --count')
    .option('--count <n>', 'with --observe: stop after n notifications (the first response counts)')
    .option('--payload <text>', 'the request\'s payload, as text')
    .option('--payload-hex <hex>', 'the request\'s payload, as hex octets')
    .option('--content-format <n>', 'Content-Format of the payload (0 text/plain, 50 application/json, 60 application/cbor)')
    .option('--non', 'send a Non-confirmable request (default: Confirmable, retransmitted per RFC 7252 §4.2)')
    .option('--timeout <s>', 'give up after this many seconds (default: the CON retransmissions, then 93 s); with --count, the longest wait for a notification')
    .option('--wait <s>', 'how long to wait for the device to register the address before sending (default 30; virtual boards: virtual seconds)')
    .option('--fault <name>', 'virtual boards: a named fault (repeatable; sixlab --help lists them)', collect, [])
    .addHelpText('after', `
The response is printed as its code, one line per option and the payload (text
when it is printable UTF-8, else hex). Virtual boards run in virtual time;
--observe without --count keeps virtual time in step with the wall clock.

Exit codes: 0 a 2.xx response (observe: every notification 2.xx), 1 a 4.xx or
5.xx response or no response, 2 bad input or a board that cannot be opened.

Examples:
  sixlab coap get --board virtual coap://[2001:db8::212:4b00:0:1]/test
  sixlab coap put --board virtual --payload 1 coap://[2001:db8::212:4b00:0:1]/actuators/relay
  sixlab coap get --board virtual --observe --count 3 coap://[2001:db8::212:4b00:0:1]/obs
  sixlab coap get --proxy coap://[::1]:5683 coap://[2001:db8::212:4b00:0:1]/sensors/temperature
`)
    .action(async (method: string, uri: string, opts: CoapOptions) => {
      process.exitCode = await coapCommand(method, uri, opts);
    });
}
