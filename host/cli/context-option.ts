// --context N=PREFIX/LEN (RFC 6282 §3.1.2 context identifiers 0..15). The
// address parser is the caller's (decode uses the core's own, so that it does
// not load a general-purpose address library for its start-up).
import { UsageError } from './usage-error.js';

export interface ContextSpec {
  id: number;
  prefix: Uint8Array;
  length: number;
  text: string;
}

export function parseContextOption(spec: string, parseAddress: (text: string) => Uint8Array): ContextSpec {
  const m = /^(\d{1,2})=([^/]+)\/(\d{1,3})$/.exec(spec.trim());
  if (!m) throw new UsageError(`--context ${JSON.stringify(spec)}: expected N=PREFIX/LEN, e.g. 0=2001:db8::/64`);
  const id = Number(m[1]);
  const length = Number(m[3]);
  if (id > 15) throw new UsageError(`--context ${spec}: context id must be 0..15`);
  if (length < 1 || length > 128) throw new UsageError(`--context ${spec}: prefix length must be 1..128`);
  let prefix: Uint8Array;
  try {
    prefix = parseAddress(m[2]);
  } catch {
    throw new UsageError(`--context ${spec}: ${JSON.stringify(m[2])} is not an IPv6 address`);
  }
  return { id, prefix, length, text: `${m[2]}/${length}` };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
