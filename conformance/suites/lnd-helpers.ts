// Helpers of the lowpan-nd suite (RFC 6775, RFC 8505): the addresses the
// tests use, what a registration NS looks like on the link, the 6CIO, the
// IPHC fields of what the device sent, and the fault groups its tests share.
// Everything here reads frames the device sent, never its state.
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { interfaceIdFromLinkAddress, type LinkAddress } from '../../host/packet/link-address.js';
import type { IphcFields } from '../../host/packet/lowpan.js';
import { findNdOption, type NdOption } from '../../host/packet/ndp.js';
import { DEFAULT_PREFIX, ROUTER_LINK, sameBytes, type Seen, type TestContext } from '../framework/context.js';
import { ECHO, JOIN } from './common.js';

export { ROUTER_LINK };

/** The prefix t.join() advertises: 2001:db8:1:2::/64. */
export const PREFIX = DEFAULT_PREFIX;
/** A second prefix of the same router (ETSI TD_6Lo_ND_06/07: several prefixes). */
export const PREFIX_B = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0);
/** Prefixes of off-link peers, used as contexts other than the device's own prefix. */
export const PEER_PREFIX_A = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
export const PEER_PREFIX_B = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0xbb, 0xbb, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
/** The off-link address ETSI TD_6Lo_ND_03 pings (2001:db8::1). */
export const REMOTE = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
/** A second router on the link (RFC 6775 §5.5.3: another router to register with). */
export const OTHER_ROUTER_LINK: LinkAddress = { mode: 'extended', bytes: Uint8Array.of(0x00, 0x12, 0x4b, 0xff, 0xfe, 0x00, 0x00, 0x02) };

/** An address of `link` in `prefix` (its IID from the link address, RFC 4944 §6). */
export function addressOf(prefix: Uint8Array, link: LinkAddress): Uint8Array {
  const a = Uint8Array.from(prefix.subarray(0, 16));
  a.set(interfaceIdFromLinkAddress(link), 8);
  return a;
}

/** A peer address in `prefix` whose IID (::5) no link address gives: compressing it needs a context. */
export function peerIn(prefix: Uint8Array, last = 5): Uint8Array {
  const a = Uint8Array.from(prefix.subarray(0, 16));
  a.fill(0, 8);
  a[15] = last;
  return a;
}

export const isLinkLocal = (a: Uint8Array) => a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
export const isMulticast = (a: Uint8Array) => a[0] === 0xff;
export const isUnspecified = (a: Uint8Array) => a.every((b) => b === 0);
export const fmt = formatIpv6;

export type Aro = Extract<NdOption, { kind: 'aro' }>;

/** The link address in the SLLAO of an ND message the device sent, if any. */
export function sllaoOf(s: Seen): LinkAddress | undefined {
  const o = s.nd?.message.options.find((x) => x.kind === 'sllao');
  return o && o.kind === 'sllao' ? o.addr : undefined;
}

/** The (E)ARO of an ND message the device sent, if any. */
export function aroOf(s: Seen): Aro | undefined {
  return s.nd ? findNdOption(s.nd.message, 'aro') : undefined;
}

/** A registration: an NS carrying an (E)ARO (RFC 6775 §5.5.1, RFC 8505 §5.5), for `target` when given. */
export function isRegistration(s: Seen, target?: Uint8Array): boolean {
  const m = s.nd?.message;
  return m?.kind === 'ns' && aroOf(s) !== undefined && (!target || sameBytes(m.target, target));
}

/** The target of an NS or NA. */
export function targetOf(s: Seen): Uint8Array | undefined {
  const m = s.nd?.message;
  return m && (m.kind === 'ns' || m.kind === 'na') ? m.target : undefined;
}

/** The 6LoWPAN Capability Indication Option (RFC 7400 §3.3, type 36) of an ND message: its 16 flag bits. */
export function cioOf(s: Seen): { length: number; flags: number } | undefined {
  const o = s.nd?.message.options.find((x) => x.kind === 'raw' && x.type === 36);
  if (!o || o.kind !== 'raw' || o.body.length < 2) return undefined;
  return { length: o.length ?? 0, flags: (o.body[0] << 8) | o.body[1] };
}

/** 6CIO flags (RFC 8505 §4.3): E = the sender supports the EARO; L = a 6LR. */
export const CIO_E = 0x0002;
export const CIO_L = 0x0010;

/** The IPHC fields of the first frame of what the device sent (undefined for the 0x41 dispatch). */
export function iphcOf(s: Seen): IphcFields | undefined {
  const e = s.heard.frames[0]?.encoding;
  return e && e.dispatch === 'iphc' ? e : undefined;
}

/** How a reply's addresses were compressed, in words, for findings. */
export function describeIphc(f: IphcFields | undefined): string {
  if (!f) return 'the uncompressed IPv6 dispatch (0x41)';
  const cid = f.cid ? `CID extension SCI=${f.sci} DCI=${f.dci}` : 'no CID extension';
  return `IPHC SAC=${f.sac} SAM=${f.sam.toString(2).padStart(2, '0')} DAC=${f.dac} DAM=${f.dam.toString(2).padStart(2, '0')}, ${cid}`;
}

/** The context a compressed address used (RFC 6282 §3.1.1: CID 0 unless the CID extension says otherwise), or undefined. */
export function contextUsed(f: IphcFields | undefined, which: 'src' | 'dst'): number | undefined {
  if (!f) return undefined;
  if (which === 'src') return f.sac === 1 && f.sam !== 0 ? (f.cid ? f.sci : 0) : undefined;
  return f.dac === 1 && f.m === 0 ? (f.cid ? f.dci : 0) : undefined;
}

/** An Echo Reply from the device with this identifier. */
export const echoReply = (id: number) => (s: Seen) => s.ip?.icmpv6?.type === 129 && s.ip.icmpv6.echo?.identifier === id;

/**
 * RFC 8505 §5.2.1: `b` is more recent than `a` under the TID lollipop
 * (128..255 a linear start-up region, 0..127 circular, SEQUENCE_WINDOW 16).
 * Returns undefined when the two are not comparable.
 */
export function tidNewer(b: number, a: number): boolean | undefined {
  const WINDOW = 16;
  if (a >= 128 && b <= 127) return 256 + b - a <= WINDOW;
  if (b >= 128 && a <= 127) return !(256 + a - b <= WINDOW);
  const d = b - a;
  if (Math.abs(d) > WINDOW) return undefined;
  return d > 0;
}

/** Waits (on the board's clock) until `done` holds; false if it never did within `within` ms. */
export async function eventually(t: TestContext, done: () => boolean, within: number): Promise<boolean> {
  const deadline = t.now() + within;
  while (!done()) {
    if (t.now() >= deadline) return false;
    await t.sleep(50);
  }
  return true;
}

/** Waits until the router answered a registration for `target` with `status`; false if it never did. */
export async function registered(t: TestContext, router: { registrationsOf(a: Uint8Array): { status: number }[] }, target: Uint8Array, within: number, status = 0): Promise<boolean> {
  return eventually(t, () => router.registrationsOf(target).some((r) => r.status === status), within);
}

/** Swallows the device refusing to send on command (a duplicate or missing source address): that is an answer too. */
export async function tryDevicePing(t: TestContext, dst: Uint8Array, id: number, seq: number, size = 8): Promise<boolean> {
  try {
    await t.devicePing(dst, id, seq, size);
    return true;
  } catch (err) {
    if ((err as Error).name === 'SessionError') {
      t.note(`the device refused to send the Echo Request to ${fmt(dst)}: ${(err as Error).message}`);
      return false;
    }
    throw err;
  }
}

// ---------------------------------------------------------------- fault groups

/** An echo exchanged with the device's global address after a join (t.echo checks the reply comes from it, RFC 4443 §4.2). */
export const JOINED_ECHO = [...JOIN, ...ECHO, 'echo-reply-from-link-local'];
/** Faults that keep the device from compressing with the contexts of 6COs (those that compress nothing included). */
export const NO_CONTEXT_USE = ['no-context-compression', 'compress-inline-only'];
/** Faults that keep the device from reading addresses compressed with context 0 / with the CID extension (RFC 6282 §3.1.2). */
export const CONTEXT_0_DECODE = ['iphc-context-0-as-link-local'];
export const CID_DECODE = ['iphc-cid-ignored'];
/** Faults that keep a device on its 16-bit short address from forming or using its addresses (RFC 4944 §6). */
export const SHORT_ADDRESS = ['short-iid-byte-swapped', 'short-mac-destination-ignored'];
