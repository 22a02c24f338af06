// What the gateway offers the rest of sixlab (the MQTT bridge, the scenario
// runner, the CoAP proxy and `sixlab coap`): the devices it has registered and
// CoAP exchanges with them. Implemented by host/gateway/gateway.ts on any Link.

export interface RegisteredDevice {
  /** EUI-64 as written, "00:12:4b:00:00:00:00:01". */
  eui64: string;
  /** Registered IPv6 addresses (text, RFC 5952). */
  addresses: string[];
  /** Milliseconds on the gateway's clock when first / last registered. */
  firstRegisteredAt: number;
  lastRegisteredAt: number;
  /** Registration lifetime in minutes (ARO/EARO). */
  lifetimeMinutes: number;
  /** Location label from the scenario (line, cell), if any. */
  location?: string;
}

export interface CoapRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Device address (IPv6 text) and path ("/sensors/temp"). */
  address: string;
  path: string;
  query?: string[];
  payload?: Uint8Array;
  contentFormat?: number;
  /** CON (default) with RFC 7252 §4.2 retransmission, or NON. */
  confirmable?: boolean;
}

export interface CoapResponse {
  code: string; // "2.05"
  payload: Uint8Array;
  contentFormat?: number;
  /** Observe sequence number on notifications. */
  observe?: number;
  /** Milliseconds on the gateway's clock when it arrived. */
  at: number;
}

export interface Gateway {
  devices(): RegisteredDevice[];
  /** Called on each successful registration (new or refreshed). */
  onRegistration(listener: (d: RegisteredDevice) => void): () => void;
  request(req: CoapRequest): Promise<CoapResponse>;
  /** RFC 7641: registers, calls onNotify for each notification, returns a function that deregisters. */
  observe(req: Omit<CoapRequest, 'method'>, onNotify: (r: CoapResponse) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
