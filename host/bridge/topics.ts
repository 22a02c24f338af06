// MQTT topics and payloads of the bridge (docs/scenarios.md):
//   <prefix>/<device>/<path>          each notification of an observed resource
//   <prefix>/<device>/<path>/set      a command: CoAP PUT or POST to <path>
//   <prefix>/<device>/<path>/result   the command's response code
// <device> is the EUI-64 as 16 lowercase hex digits (00124b0000000001);
// <path> is the CoAP path without its leading slash (sensors/temperature).

/** What the bridge publishes for each notification. */
export interface TelemetryMessage {
  device: string;
  eui64: string;
  path: string;
  /** The resource's value: a number when the payload is one ("21.50"), parsed JSON for application/json, else the text. */
  value: unknown;
  /** Milliseconds since the Unix epoch: when the reading was taken, as far as sixlab can tell (see timeSource). */
  time: number;
  /**
   * "gateway": the time the gateway received the notification. The core's
   * sensor resources carry the reading only (docs/core-abi.md: "21.50" or
   * {"t":21.50}), no sample time, so the gateway's receive time is the
   * closest measure of it.
   */
  timeSource: 'gateway';
  /** RFC 7641 Observe sequence number of the notification. */
  observe?: number;
  location?: string;
}

/** What a command on .../set may carry: the payload as text, or this JSON object. */
export interface CommandMessage {
  value?: string | number | boolean;
  method?: 'PUT' | 'POST';
  /** Echoed in the result: lets the sender match results to commands. */
  id?: string | number;
}

/** What the bridge publishes on .../result. */
export interface ResultMessage {
  device: string;
  path: string;
  method: 'PUT' | 'POST';
  /** CoAP response code ("2.04"), or null when no response came. */
  code: string | null;
  ok: boolean;
  /** The response payload as text, if any. */
  value?: string;
  id?: string | number;
  error?: string;
  /** Milliseconds since the Unix epoch when the response came (or the request failed). */
  time: number;
}

/** 00:12:4b:00:00:00:00:01 -> 00124b0000000001 */
export function deviceId(eui64: string): string {
  return eui64.replace(/[:-]/g, '').toLowerCase();
}

/** /sensors/temperature -> sensors/temperature */
export function topicPath(path: string): string {
  return path.replace(/^\/+/, '');
}

export function telemetryTopic(prefix: string, device: string, path: string): string {
  return `${prefix}/${device}/${topicPath(path)}`;
}

export function setTopic(prefix: string, device: string, path: string): string {
  return `${telemetryTopic(prefix, device, path)}/set`;
}

export function resultTopic(prefix: string, device: string, path: string): string {
  return `${telemetryTopic(prefix, device, path)}/result`;
}

/** The device and path of a topic under prefix, and its suffix (set, result or none). */
export function parseTopic(prefix: string, topic: string): { device: string; path: string; kind: 'telemetry' | 'set' | 'result' } | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const parts = topic.slice(prefix.length + 1).split('/');
  if (parts.length < 2) return undefined;
  const last = parts[parts.length - 1];
  const kind = last === 'set' ? 'set' : last === 'result' ? 'result' : 'telemetry';
  const pathParts = parts.slice(1, kind === 'telemetry' ? undefined : -1);
  if (pathParts.length === 0) return undefined;
  return { device: parts[0], path: `/${pathParts.join('/')}`, kind };
}

/** A CoAP payload as a value: JSON for application/json (50), a number for numeric text, else the text. */
export function payloadValue(payload: Uint8Array, contentFormat?: number): unknown {
  const text = Buffer.from(payload).toString('utf8');
  if (contentFormat === 50) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  const t = text.trim();
  if (t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return text;
}
