// The node's interface: its link addresses, PAN, mode, and its IPv6 addresses
// with their lifetimes (RFC 4862 §5.5), DAD and registration state.
import { AddrMode, AddrState, NodeAddress, NodeConfig, NodeFlag, NodeMode, RegState } from '../../abi/layout';
import { isZero, memEqual } from '../mem';
import { iidFromLink, prefixMatches } from '../wire/ipv6-address';
import { ADDRESSES, NEVER, before } from './limits';

/** The configuration the host wrote (layout NodeConfig). */
export const CONFIG: usize = memory.data(NodeConfig.Size, 8);
/** Our EUI-64 and short address, as written (not on-air order). */
export const EUI64: usize = memory.data(8, 8);
export const SHORT: usize = memory.data(2, 2);
export const IID: usize = memory.data(8, 8);

const TABLE: usize = memory.data(ADDRESSES * NodeAddress.Size, 8);

export let pan: u32 = 0xffff;
export let mode: u32 = NodeMode.LowpanNd;
export let flags: u32 = 0;
export let hasShort: bool = false;

export function configure(): void {
  memory.copy(EUI64, CONFIG + NodeConfig.Eui64, 8);
  const s = <u32>load<u16>(CONFIG, NodeConfig.ShortAddr);
  hasShort = s < 0xfffe;
  store<u8>(SHORT, <u8>(s >> 8));
  store<u8>(SHORT, <u8>s, 1);
  pan = <u32>load<u16>(CONFIG, NodeConfig.Pan);
  mode = <u32>load<u8>(CONFIG, NodeConfig.Mode);
  flags = <u32>load<u8>(CONFIG, NodeConfig.Flags);
  // RFC 4944 §6: the IID comes from the link address the node sends from, its
  // EUI-64, or its 16-bit short address when configured to use it (so that the
  // IPv6 addresses can be elided against the MAC source, RFC 6282 §3.2.2).
  iidFromLink(IID, sourceMode(), sourceLink());
  memory.fill(TABLE, 0, ADDRESSES * NodeAddress.Size);
}

/** The MAC source address mode we send from (RFC 4944 §6 allows either). */
export function sourceMode(): u32 {
  return hasShort && (flags & NodeFlag.ShortSource) ? AddrMode.Short : AddrMode.Extended;
}

export function sourceLink(): usize {
  return sourceMode() == AddrMode.Short ? SHORT : EUI64;
}

export function addrRow(i: i32): usize {
  return TABLE + <usize>(i * NodeAddress.Size);
}

export function addrState(row: usize): u32 {
  return <u32>load<u8>(row, NodeAddress.State);
}

/** The row holding address a, or 0. */
export function findAddress(a: usize): usize {
  for (let i = 0; i < ADDRESSES; i++) {
    const r = addrRow(i);
    if (addrState(r) != AddrState.Free && memEqual(r, a, 16)) return r;
  }
  return 0;
}

/** Adds address a (tentative or preferred); returns its row, or 0 when the table is full. */
export function addAddress(a: usize, state: u32, validUntil: u32, preferredUntil: u32): usize {
  let r = findAddress(a);
  if (r == 0) {
    for (let i = 0; i < ADDRESSES && r == 0; i++) if (addrState(addrRow(i)) == AddrState.Free) r = addrRow(i);
    if (r == 0) return 0;
    memory.fill(r, 0, NodeAddress.Size);
    memory.copy(r, a, 16);
    // RFC 8505 §5.2.1: the TID lollipop starts at 240 (the first registration increments to it).
    store<u8>(r, 239, NodeAddress.Tid);
  }
  store<u8>(r, <u8>state, NodeAddress.State);
  store<u32>(r, validUntil, NodeAddress.ValidUntil);
  store<u32>(r, preferredUntil, NodeAddress.PreferredUntil);
  return r;
}

export function removeAddress(r: usize): void {
  memory.fill(r, 0, NodeAddress.Size);
}

/** True if a is one of our unicast addresses in a usable state (preferred or deprecated). */
export function isOurUnicast(a: usize): bool {
  const r = findAddress(a);
  return r != 0 && (addrState(r) == AddrState.Preferred || addrState(r) == AddrState.Deprecated);
}

/** RFC 4862 §5.4.5: a duplicate is kept out of use; its row stays so that the
 *  same address is not formed again from the next RA. */
export function markDuplicate(r: usize): void {
  store<u8>(r, AddrState.Duplicate, NodeAddress.State);
  store<u8>(r, RegState.None, NodeAddress.Registration);
  store<u32>(r, 0xffffffff, NodeAddress.NextEvent);
}

/** True if we listen on multicast group a: all-nodes (RFC 4291 §2.7.1) or a
 *  solicited-node group of one of our addresses, tentative ones included
 *  (RFC 4862 §5.4.2: to hear other nodes' DAD). */
export function inGroup(a: usize): bool {
  if (load<u8>(a) != 0xff) return false;
  if (load<u8>(a, 1) == 0x02 || load<u8>(a, 1) == 0x01) {
    if (isZero(a + 2, 13) && load<u8>(a, 15) == 1) return true; // ff02::1, ff01::1
  }
  if (load<u8>(a, 1) != 0x02 || !isZero(a + 2, 9) || load<u8>(a, 11) != 1 || load<u8>(a, 12) != 0xff) return false;
  for (let i = 0; i < ADDRESSES; i++) {
    const r = addrRow(i);
    const st = addrState(r);
    if (st != AddrState.Free && st != AddrState.Duplicate && memEqual(r + 13, a + 13, 3)) return true;
  }
  return false;
}

/** Source address selection (RFC 6724, reduced to what a 6LoWPAN host holds):
 *  a link-local destination gets our link-local address; others get a
 *  preferred address of matching scope, registered when registration is in
 *  use, else link-local. Returns the row, or 0 when nothing is usable. */
export function selectSource(dst: usize): usize {
  const linkScope = (load<u8>(dst) == 0xfe && (load<u8>(dst, 1) & 0xc0) == 0x80)
    || (load<u8>(dst) == 0xff && (load<u8>(dst, 1) & 0xf) <= 2);
  let linkLocal: usize = 0;
  let best: usize = 0;
  let deprecated: usize = 0;
  for (let i = 0; i < ADDRESSES; i++) {
    const r = addrRow(i);
    const st = addrState(r);
    if (st != AddrState.Preferred && st != AddrState.Deprecated) continue;
    if (load<u8>(r) == 0xfe && (load<u8>(r, 1) & 0xc0) == 0x80) {
      if (linkLocal == 0 && st == AddrState.Preferred) linkLocal = r;
      continue;
    }
    if (mode == NodeMode.LowpanNd && !registered(r)) continue;
    // RFC 4862 §5.5.4: a deprecated address is avoided while a preferred one
    // fits, but new communication from it is not refused by default.
    if (st == AddrState.Deprecated) {
      if (deprecated == 0) deprecated = r;
    } else if (best == 0 || prefixMatches(r, dst, 64)) best = r;
  }
  // A global destination never gets a link-local source (RFC 4291 §2.5.6: routers drop it).
  return linkScope ? linkLocal : best != 0 ? best : deprecated;
}

/** Registered with a router, including while a refresh is under way (the old
 *  registration holds until its lifetime ends, RFC 6775 §5.5). */
export function registered(r: usize): bool {
  return load<u8>(r, NodeAddress.Registration) == RegState.Registered;
}

/** Moves addresses through preferred -> deprecated -> removed (RFC 4862 §5.5.4). */
export function expireAddresses(now: u32): void {
  for (let i = 0; i < ADDRESSES; i++) {
    const r = addrRow(i);
    const st = addrState(r);
    if (st == AddrState.Free) continue;
    const valid = load<u32>(r, NodeAddress.ValidUntil);
    const preferred = load<u32>(r, NodeAddress.PreferredUntil);
    if (valid != NEVER && !before(now, valid)) removeAddress(r);
    else if (st == AddrState.Preferred && preferred != NEVER && !before(now, preferred)) {
      store<u8>(r, AddrState.Deprecated, NodeAddress.State);
    }
  }
}

/** The next lifetime event of the address table. */
export function addressDeadline(now: u32): u32 {
  let d = NEVER;
  for (let i = 0; i < ADDRESSES; i++) {
    const r = addrRow(i);
    const st = addrState(r);
    if (st == AddrState.Free) continue;
    const v = load<u32>(r, NodeAddress.ValidUntil);
    if (v != NEVER && (d == NEVER || before(v, d))) d = v;
    const p = load<u32>(r, NodeAddress.PreferredUntil);
    if (st == AddrState.Preferred && p != NEVER && (d == NEVER || before(p, d))) d = p;
  }
  return d;
}
