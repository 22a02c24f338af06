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
  /** The cell of the site plan the device is in (its RAs carry that cell's prefix). */
  cell?: string;
  /** Each registered address with its own registration times. */
  registrations?: { address: string; firstRegisteredAt: number; lastRegisteredAt: number; lifetimeMinutes: number; expiresAt: number; tid?: number }[];
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
  /** The device's UDP port (default 5683). */
  port?: number;
  /** Give up after this many milliseconds on the gateway's clock (default: the RFC 7252 §4.2 retransmissions, then MAX_TRANSMIT_WAIT for a separate or NON response). */
  timeoutMs?: number;
  /** More options, sent as given (Accept, ETag, ...), by number or coap-packet name. */
  options?: { name: string | number; value: Uint8Array }[];
}

export interface CoapResponse {
  code: string; // "2.05"
  payload: Uint8Array;
  contentFormat?: number;
  /** Observe sequence number on notifications. */
  observe?: number;
  /** Milliseconds on the gateway's clock when it arrived. */
  at: number;
  /** Every option of the response, in order (number or coap-packet name). */
  options?: { name: string | number; value: Uint8Array }[];
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
