// For tests: a Gateway (host/gateway/types.ts) held in memory. Devices are
// registered by the test, resources hold text, notify() sends a notification
// to every observer of a resource, and every request is recorded. Nothing
// here touches a radio: it tests what sits on top of the interface.
import type { CoapRequest, CoapResponse, Gateway, RegisteredDevice } from '../gateway/types.js';

interface Observer {
  address: string;
  path: string;
  onNotify: (r: CoapResponse) => void;
}

export class FakeGateway implements Gateway {
  private readonly registered = new Map<string, RegisteredDevice>();
  private readonly listeners = new Set<(d: RegisteredDevice) => void>();
  private readonly observers = new Set<Observer>();
  private readonly resources = new Map<string, string>();
  private observeSeq = 1;
  private readonly origin = Date.now();
  readonly requests: CoapRequest[] = [];
  /** Observe registrations refused with this code (e.g. "4.04"), for tests of retries. */
  refuseObserve?: string;
  /** Requests fail (the gateway's retransmissions ran out) when this is set. */
  unreachable = false;
  /** Each notification is delivered this many times (a CON retransmitted after a lost ACK). */
  repeat = 1;

  now(): number {
    return Date.now() - this.origin;
  }

  register(eui64: string, addresses: string[], location?: string): RegisteredDevice {
    const prev = this.registered.get(eui64);
    const t = this.now();
    const d: RegisteredDevice = {
      eui64, addresses, firstRegisteredAt: prev?.firstRegisteredAt ?? t, lastRegisteredAt: t, lifetimeMinutes: 60, location,
    };
    this.registered.set(eui64, d);
    for (const l of this.listeners) l(d);
    return d;
  }

  set(address: string, path: string, value: string): void {
    this.resources.set(`${address}|${path}`, value);
  }

  get(address: string, path: string): string | undefined {
    return this.resources.get(`${address}|${path}`);
  }

  /** Changes a resource and notifies its observers; returns how many were notified. */
  notify(address: string, path: string, value: string): number {
    this.set(address, path, value);
    const seq = this.observeSeq++;
    let n = 0;
    for (const o of this.observers) {
      if (o.address !== address || o.path !== path) continue;
      n++;
      for (let i = 0; i < this.repeat; i++) o.onNotify({ code: '2.05', payload: Buffer.from(value), contentFormat: 0, observe: seq, at: this.now() });
    }
    return n;
  }

  /** Ends every observation of a resource the way a device does: a response without Observe. */
  endObservations(address: string, path: string, code = '2.05'): void {
    for (const o of [...this.observers]) {
      if (o.address !== address || o.path !== path) continue;
      this.observers.delete(o);
      o.onNotify({ code, payload: Buffer.from(this.get(address, path) ?? ''), at: this.now() });
    }
  }

  observerCount(address?: string, path?: string): number {
    return [...this.observers].filter((o) => (address === undefined || o.address === address) && (path === undefined || o.path === path)).length;
  }

  devices(): RegisteredDevice[] {
    return [...this.registered.values()];
  }

  onRegistration(listener: (d: RegisteredDevice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async request(req: CoapRequest): Promise<CoapResponse> {
    this.requests.push(req);
    await new Promise((r) => setImmediate(r));
    if (this.unreachable) throw new Error(`no response from ${req.address} after 4 retransmissions`);
    const key = `${req.address}|${req.path}`;
    if (!this.resources.has(key)) return { code: '4.04', payload: new Uint8Array(0), at: this.now() };
    if (req.method === 'GET') return { code: '2.05', payload: Buffer.from(this.resources.get(key)!), contentFormat: 0, at: this.now() };
    if (req.method === 'DELETE') return { code: '4.05', payload: new Uint8Array(0), at: this.now() };
    const text = Buffer.from(req.payload ?? new Uint8Array(0)).toString('utf8');
    const value = text === 'on' ? '1' : text === 'off' ? '0' : text;
    if (value !== '0' && value !== '1') return { code: '4.00', payload: new Uint8Array(0), at: this.now() };
    this.resources.set(key, value);
    return { code: '2.04', payload: Buffer.from(value), contentFormat: 0, at: this.now() };
  }

  async observe(req: Omit<CoapRequest, 'method'>, onNotify: (r: CoapResponse) => void): Promise<() => Promise<void>> {
    this.requests.push({ ...req, method: 'GET' });
    await new Promise((r) => setImmediate(r));
    if (this.unreachable) throw new Error(`no response from ${req.address} after 4 retransmissions`);
    if (this.refuseObserve) {
      onNotify({ code: this.refuseObserve, payload: new Uint8Array(0), at: this.now() });
      return async () => {};
    }
    const key = `${req.address}|${req.path}`;
    const o: Observer = { address: req.address, path: req.path, onNotify };
    this.observers.add(o);
    onNotify({ code: '2.05', payload: Buffer.from(this.resources.get(key) ?? ''), contentFormat: 0, observe: this.observeSeq++, at: this.now() });
    return async () => {
      this.observers.delete(o);
    };
  }

  async close(): Promise<void> {
    this.observers.clear();
    this.listeners.clear();
  }
}
