// A CoAP forward proxy (RFC 7252 §5.7) in front of the gateway, with the
// `coap` package's server: any CoAP client on the host reaches
// coap://[device address]/path through it, Observe included (RFC 7641 §5).
//
// - The target is the Proxy-Uri option (§5.10.2), or Proxy-Scheme with
//   Uri-Host, Uri-Port, Uri-Path and Uri-Query (§6.5's composition). Only the
//   coap scheme and IPv6 literals (the devices on the gateway's link) are
//   served; anything else is 5.05 Proxying Not Supported (§5.7.2). A request
//   without either names the proxy's own resources, of which it has none: 4.04.
// - The request goes to the device through the gateway (CON, RFC 7252 §4.2
//   retransmissions); the device's code, payload and options come back. A
//   device that does not answer is 5.04 Gateway Timeout (§5.9.3.5); one that
//   cannot be reached otherwise, 5.02 Bad Gateway (§5.9.3.3).
// - Observe 0 registers with the device (RFC 7641 §3.1) and every
//   notification is passed on to the client; the client's deregistration (GET
//   with Observe 1, §3.6) or its RST on a notification (§3.6) deregisters from
//   the device, and so does closing the proxy.
import { isIPv6 } from 'node:net';
import type { OptionName } from 'coap-packet';
import { createServer, type IncomingMessage, type OutgoingMessage, type Server } from 'coap';
import type { ObserveWriteStream } from 'coap';
import { CoapTimeoutError, CoapResponseError, uintOf, uintValue } from './coap-endpoint.js';
import type { CoapRequest, CoapResponse, Gateway } from './types.js';

export interface CoapProxyOptions {
  /** Address to listen on (default "::1": IPv6 first). */
  host?: string;
  /** UDP port (default 5683; 0: any free port, see `port` once started). */
  port?: number;
  /** Give a forwarded request up after this many milliseconds on the gateway's clock (default: the CON retransmissions and MAX_TRANSMIT_WAIT). */
  timeoutMs?: number;
}

export interface CoapProxyStats {
  requests: number;
  forwarded: number;
  observations: number;
  notifications: number;
  errors: number;
}

type AnyOption = { name: string | number; value: Buffer };

/** Options a proxy forwards to the device as they are (RFC 7252 §5.7.2; Uri-*, Proxy-*, Observe and Block are its own business). */
const FORWARDED_REQUEST_OPTIONS = new Set(['If-Match', 'ETag', 'If-None-Match', 'Accept', 'Size1', 'No-Response', 1, 4, 5, 17, 60, 258]);
/** Response options passed back to the client (Observe and Content-Format are set by the proxy itself). */
const RETURNED_OPTIONS = new Set(['ETag', 'Max-Age', 'Location-Path', 'Location-Query', 'Size2']);

interface ObserveStreamInternals {
  _packet: { options?: { name: string | number }[] };
  _counter: number;
  _doSend(data?: Buffer): void;
}

function isObserveStream(res: OutgoingMessage | ObserveWriteStream): res is ObserveWriteStream {
  return typeof (res as unknown as Partial<ObserveStreamInternals>)._doSend === 'function' && typeof (res as unknown as Partial<ObserveStreamInternals>)._counter === 'number';
}

/**
 * The last message of an observation, without an Observe option: a response
 * that did not register (RFC 7641 §3.1, §4.1) or a notification that ends it
 * with an error code (§3.2). The coap package's stream puts Observe on every
 * write, so the option is taken off before this one message is sent.
 */
function finalNotification(res: OutgoingMessage | ObserveWriteStream, payload: Uint8Array): void {
  if (!isObserveStream(res)) {
    res.end(Buffer.from(payload));
    return;
  }
  const s = res as unknown as ObserveStreamInternals;
  s._packet.options = (s._packet.options ?? []).filter((o) => o.name !== 'Observe');
  s._counter = Math.max(s._counter, 1); // the stream's 'finish' sends nothing more
  s._doSend(Buffer.from(payload));
  res.end();
}

/** Where a proxied request goes. */
export interface ProxyTarget {
  address: string;
  port: number;
  path: string;
  query: string[];
}

export class ProxyError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const optionValues = (options: AnyOption[], name: string, number: number) => options.filter((o) => o.name === name || o.name === number || o.name === String(number)).map((o) => o.value);

/** The target of a proxied request, from Proxy-Uri or Proxy-Scheme + Uri-* (RFC 7252 §5.10.2, §6.5); throws ProxyError. */
export function proxyTarget(options: AnyOption[]): ProxyTarget | undefined {
  const uri = optionValues(options, 'Proxy-Uri', 35)[0];
  const scheme = optionValues(options, 'Proxy-Scheme', 39)[0];
  let url: URL;
  if (uri !== undefined) {
    try {
      url = new URL(uri.toString('utf8'));
    } catch {
      throw new ProxyError('4.00', `Proxy-Uri ${JSON.stringify(uri.toString('utf8'))} is not an absolute URI`);
    }
  } else if (scheme !== undefined) {
    const host = optionValues(options, 'Uri-Host', 3)[0]?.toString('utf8');
    if (!host) throw new ProxyError('4.00', 'Proxy-Scheme without Uri-Host: no device named');
    const port = optionValues(options, 'Uri-Port', 7)[0];
    const path = optionValues(options, 'Uri-Path', 11).map((v) => encodeURIComponent(v.toString('utf8'))).join('/');
    const query = optionValues(options, 'Uri-Query', 15).map((v) => v.toString('utf8')).join('&');
    const h = isIPv6(host) ? `[${host}]` : host;
    try {
      url = new URL(`${scheme.toString('utf8')}://${h}${port ? `:${uintOf(port)}` : ''}/${path}${query ? `?${query}` : ''}`);
    } catch {
      throw new ProxyError('4.00', `Proxy-Scheme ${JSON.stringify(scheme.toString('utf8'))} with Uri-Host ${JSON.stringify(host)} is not a URI`);
    }
  } else return undefined;
  if (url.protocol !== 'coap:') throw new ProxyError('5.05', `${url.protocol.replace(/:$/, '')}: this proxy serves coap:// only`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!isIPv6(host)) throw new ProxyError('5.05', `${host}: this proxy reaches devices by their IPv6 address (coap://[2001:db8::1]/path)`);
  return {
    address: host,
    port: url.port ? Number(url.port) : 5683,
    path: url.pathname,
    query: url.search ? url.search.slice(1).split('&').filter(Boolean).map((q) => decodeURIComponent(q)) : [],
  };
}

export class CoapProxy {
  readonly stats: CoapProxyStats = { requests: 0, forwarded: 0, observations: 0, notifications: 0, errors: 0 };
  /** Observations in progress, by client endpoint and token. */
  private readonly observing = new Map<string, () => Promise<void>>();

  private constructor(private readonly gateway: Gateway, private readonly server: Server, readonly host: string, readonly port: number, private readonly timeoutMs?: number) {}

  /** Starts listening; resolves once the socket is bound. */
  static async start(gateway: Gateway, options: CoapProxyOptions = {}): Promise<CoapProxy> {
    const host = options.host ?? '::1';
    const server = createServer({ type: isIPv6(host) ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 5683, host, (err?: Error) => {
        server.off('error', reject);
        if (err) reject(err);
        else resolve();
      });
    });
    const sock = (server as unknown as { _sock: { address(): { port: number } } })._sock;
    const proxy = new CoapProxy(gateway, server, host, sock.address().port, options.timeoutMs);
    server.on('request', (req: IncomingMessage, res: OutgoingMessage | ObserveWriteStream) => void proxy.handle(req, res));
    server.on('error', () => {});
    return proxy;
  }

  /** "coap://[::1]:5683". */
  get url(): string {
    return `coap://${isIPv6(this.host) ? `[${this.host}]` : this.host}:${this.port}`;
  }

  private async handle(req: IncomingMessage, res: OutgoingMessage | ObserveWriteStream): Promise<void> {
    this.stats.requests++;
    const options = ((req as unknown as { options?: AnyOption[] }).options ?? req._packet.options ?? []) as AnyOption[];
    const client = `${req.rsinfo.address}|${req.rsinfo.port}|${(req._packet.token ?? Buffer.alloc(0)).toString('hex')}`;
    let target: ProxyTarget | undefined;
    try {
      target = proxyTarget(options);
    } catch (err) {
      return this.fail(res, err as Error);
    }
    if (!target) return this.answer(res, '4.04', 'this endpoint is a CoAP forward proxy: send Proxy-Uri (RFC 7252 §5.7)');
    const method = req.method as string;
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) return this.answer(res, '4.05', `${method}: the devices take GET, POST, PUT and DELETE`);
    const cf = optionValues(options, 'Content-Format', 12)[0];
    const base: Omit<CoapRequest, 'method'> = {
      address: target.address, port: target.port, path: target.path, query: target.query,
      payload: req.payload?.length ? Uint8Array.from(req.payload) : undefined,
      contentFormat: cf === undefined ? undefined : uintOf(cf),
      timeoutMs: this.timeoutMs,
      options: options.filter((o) => FORWARDED_REQUEST_OPTIONS.has(o.name)).map((o) => ({ name: o.name, value: Uint8Array.from(o.value) })),
    };
    const observe = req.headers.Observe;
    if (method === 'GET' && observe === 1) {
      // RFC 7641 §3.6: the client deregisters; so does the proxy, then answers the GET.
      const cancel = this.observing.get(client);
      this.observing.delete(client);
      await cancel?.();
    }
    if (method === 'GET' && observe === 0) return this.observe(base, res as ObserveWriteStream, client);
    try {
      this.stats.forwarded++;
      const r = await this.gateway.request({ ...base, method: method as CoapRequest['method'] });
      this.reply(res, r);
      res.end(Buffer.from(r.payload));
    } catch (err) {
      this.fail(res, err as Error);
    }
  }

  private async observe(base: Omit<CoapRequest, 'method'>, res: ObserveWriteStream, client: string): Promise<void> {
    this.stats.forwarded++;
    let ended = false;
    let cancel: (() => Promise<void>) | undefined;
    const stop = async () => {
      if (ended) return;
      ended = true;
      this.observing.delete(client);
      await cancel?.();
    };
    res.on('finish', () => void stop());
    res.on('error', () => void stop());
    try {
      cancel = await this.gateway.observe(base, (n) => {
        if (ended) return;
        this.stats.notifications++;
        this.reply(res, n);
        // A notification that ends the observation (an error code, no Observe: RFC 7641 §3.2) ends the client's too.
        if (!n.code.startsWith('2.') || n.observe === undefined) {
          ended = true;
          this.observing.delete(client);
          finalNotification(res, n.payload);
        } else res.write(Buffer.from(n.payload));
      });
      if (ended) return;
      this.stats.observations++;
      this.observing.set(client, stop);
    } catch (err) {
      ended = true;
      if (err instanceof CoapResponseError) {
        this.reply(res, err.response);
        return finalNotification(res, err.response.payload);
      }
      this.fail(res, err as Error);
    }
  }

  /** Code and options of a device's response onto the client's. */
  private reply(res: OutgoingMessage | ObserveWriteStream, r: CoapResponse): void {
    (res as { statusCode: string }).statusCode = r.code;
    if ('code' in res) (res as OutgoingMessage).code = r.code;
    if (r.contentFormat !== undefined) res.setOption('Content-Format', uintValue(r.contentFormat));
    for (const o of r.options ?? []) {
      if (typeof o.name === 'string' && RETURNED_OPTIONS.has(o.name)) res.setOption(o.name as OptionName, Buffer.from(o.value));
    }
  }

  private answer(res: OutgoingMessage | ObserveWriteStream, code: string, text: string): void {
    (res as { statusCode: string }).statusCode = code;
    if ('code' in res) (res as OutgoingMessage).code = code;
    if (isObserveStream(res)) finalNotification(res, Buffer.from(text));
    else res.end(Buffer.from(text));
  }

  private fail(res: OutgoingMessage | ObserveWriteStream, err: Error): void {
    this.stats.errors++;
    const code = err instanceof ProxyError ? err.code : err instanceof CoapTimeoutError ? '5.04' : '5.02';
    this.answer(res, code, err.message.slice(0, 200));
  }

  async close(): Promise<void> {
    const cancels = [...this.observing.values()];
    this.observing.clear();
    await Promise.all(cancels.map((c) => c().catch(() => {})));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
