// What Router Advertisements taught the node (RFC 4861 §6.3.4, RFC 6775 §5.4):
// the default router list, on-link prefixes (classic ND only), the link
// parameters, 6LoWPAN contexts with their lifetimes, and the ABRO version.
import { NodeRouter, NodeStatus } from '../../abi/layout';
import { memEqual } from '../mem';
import { prefixMatches } from '../wire/ipv6-address';
import { contextClear, contextDemote, contextSet } from '../lowpan/context';
import { randomBetween } from './random';
import { clearRedirectsVia } from './ipv6-out';
import { NEVER, ONLINK_PREFIXES, REACHABLE_TIME_MS, RETRANS_TIMER_MS, ROUTERS, before } from './limits';

// Rows: the NodeRouter layout the host reads, then what only the core keeps.
const ROW: i32 = NodeRouter.Size + 4;
/** u8: 1 when the router's last 6CIO had E set (RFC 8505 §4.3: it takes the EARO). 0 for
 *  E clear and for a router that never sent a 6CIO: §6.3, "if the 6CIO was not present in
 *  the RA, then the 6LR is assumed to be RFC 6775-only". */
export const ROUTER_EARO: i32 = NodeRouter.Size;
const TABLE: usize = memory.data(ROUTERS * ROW, 4);
/** Node-wide values (layout NodeStatus), readable by the host. */
export const STATUS: usize = memory.data(NodeStatus.Size, 4);

// On-link prefixes (classic mode, L flag): prefix, length, valid until.
const ONLINK: usize = memory.data(ONLINK_PREFIXES * 24, 4);

// 6LoWPAN contexts from 6CO (RFC 6775 §4.2, §5.4.2): a context with C=0 is
// used for decompression only; one whose Valid Lifetime runs out is kept
// receive-only for twice the default Router Lifetime, then removed (§5.4.3).
const CTX_UNTIL: usize = memory.data(16 * 4, 4);
const CTX_STATE: usize = memory.data(16, 1); // 0 none, 1 compress, 2 decompress only, 3 expired, receive-only
/** The Router Lifetime of the last RA, in ms (RFC 4861 AdvDefaultLifetime, 1800 s, until one is heard). */
let routerLifetimeMs: u32 = 1800000;

export function setRouterLifetime(seconds: u32): void {
  if (seconds != 0) routerLifetimeMs = seconds * 1000;
}

export function routerRow(i: i32): usize {
  return TABLE + <usize>(i * ROW);
}

export function routersReset(): void {
  memory.fill(TABLE, 0, ROUTERS * ROW);
  memory.fill(ONLINK, 0, ONLINK_PREFIXES * 24);
  memory.fill(CTX_STATE, 0, 16);
  memory.fill(STATUS, 0, NodeStatus.Size);
  store<u32>(STATUS, RETRANS_TIMER_MS, NodeStatus.RetransTimer);
  store<u8>(STATUS, 64, NodeStatus.CurHopLimit);
  store<u16>(STATUS, 1280, NodeStatus.LinkMtu);
  setBaseReachable(REACHABLE_TIME_MS);
}

/** RFC 4861 §6.3.2: ReachableTime is BaseReachableTime times a random factor in [0.5, 1.5]. */
export function setBaseReachable(base: u32): void {
  store<u32>(STATUS, base, NodeStatus.BaseReachableTime);
  store<u32>(STATUS, randomBetween(base >> 1, base + (base >> 1)), NodeStatus.ReachableTime);
}

export function reachableTime(): u32 {
  return load<u32>(STATUS, NodeStatus.ReachableTime);
}

export function retransTimer(): u32 {
  return load<u32>(STATUS, NodeStatus.RetransTimer);
}

export function curHopLimit(): u32 {
  return <u32>load<u8>(STATUS, NodeStatus.CurHopLimit);
}

/** Adds, refreshes or (lifetime 0) removes a default router (RFC 4861 §6.3.4).
 *  Returns its row, or 0 when it was removed or the table is full. */
export function updateRouter(addr: usize, until: u32, remove: bool): usize {
  let free: usize = 0;
  for (let i = 0; i < ROUTERS; i++) {
    const r = routerRow(i);
    const used = load<u32>(r, NodeRouter.Until) != 0;
    if (used && memEqual(r, addr, 16)) {
      if (remove) {
        dropRouter(r);
        return 0;
      }
      store<u32>(r, until, NodeRouter.Until);
      return r;
    }
    if (!used && free == 0) free = r;
  }
  if (remove || free == 0) return 0; // table full: the routers we have keep serving
  memory.copy(free, addr, 16);
  store<u32>(free, until == 0 ? 1 : until, NodeRouter.Until);
  return free;
}

/** Forgets a default router, and the destinations Redirects sent through it (RFC 4861 §6.3.5). */
function dropRouter(r: usize): void {
  clearRedirectsVia(r);
  memory.fill(r, 0, ROW);
}

/** RFC 6775 §5.5.3: removes router `addr` from the list when another default
 *  router is known (to register with that one instead); false otherwise. */
export function dropForAnother(addr: usize): bool {
  let row: usize = 0;
  let other = false;
  for (let i = 0; i < ROUTERS; i++) {
    const r = routerRow(i);
    if (load<u32>(r, NodeRouter.Until) == 0) continue;
    if (memEqual(r, addr, 16)) row = r;
    else other = true;
  }
  if (row == 0 || !other) return false;
  dropRouter(row);
  return true;
}

/** The first live default router, or 0. */
export function defaultRouter(): usize {
  for (let i = 0; i < ROUTERS; i++) {
    const r = routerRow(i);
    if (load<u32>(r, NodeRouter.Until) != 0) return r;
  }
  return 0;
}

export function isRouter(addr: usize): bool {
  for (let i = 0; i < ROUTERS; i++) {
    const r = routerRow(i);
    if (load<u32>(r, NodeRouter.Until) != 0 && memEqual(r, addr, 16)) return true;
  }
  return false;
}

/** Records an on-link prefix (PIO with L=1, classic mode); lifetime 0 removes it. */
export function updateOnLink(prefix: usize, bits: u32, until: u32, remove: bool): void {
  let slot: usize = 0;
  for (let i = 0; i < ONLINK_PREFIXES; i++) {
    const s = ONLINK + <usize>(i * 24);
    const used = load<u32>(s, 20) != 0;
    if (used && load<u8>(s, 16) == bits && prefixMatches(s, prefix, bits)) {
      slot = s;
      break;
    }
    if (!used && slot == 0) slot = s;
  }
  if (slot == 0) return;
  if (remove) {
    store<u32>(slot, 0, 20);
    return;
  }
  memory.copy(slot, prefix, 16);
  store<u8>(slot, <u8>bits, 16);
  store<u32>(slot, until == 0 ? 1 : until, 20);
}

export function onLink(addr: usize): bool {
  for (let i = 0; i < ONLINK_PREFIXES; i++) {
    const s = ONLINK + <usize>(i * 24);
    if (load<u32>(s, 20) != 0 && prefixMatches(addr, s, <i32>load<u8>(s, 16))) return true;
  }
  return false;
}

/** A 6CO (RFC 6775 §4.2, §7.2): context `cid` := prefix/bits, usable for
 *  compression while C=1 and the lifetime runs. Lifetime 0 removes it. */
export function updateContext(cid: u32, prefix: usize, bits: u32, compress: bool, until: u32, remove: bool): void {
  if (remove) {
    contextClear(cid);
    store<u8>(CTX_STATE + cid, 0);
    return;
  }
  contextSet(cid, prefix, bits, compress);
  store<u8>(CTX_STATE + cid, compress ? 1 : 2);
  store<u32>(CTX_UNTIL + (cid << 2), until);
}

/** Expires routers, on-link prefixes and contexts at `now`. Returns the next deadline. */
export function expireRouters(now: u32): u32 {
  let d = NEVER;
  for (let i = 0; i < ROUTERS; i++) {
    const r = routerRow(i);
    const t = load<u32>(r, NodeRouter.Until);
    if (t == 0 || t == NEVER) continue;
    if (!before(now, t)) dropRouter(r);
    else if (d == NEVER || before(t, d)) d = t;
  }
  for (let i = 0; i < ONLINK_PREFIXES; i++) {
    const s = ONLINK + <usize>(i * 24);
    const t = load<u32>(s, 20);
    if (t == 0 || t == NEVER) continue;
    if (!before(now, t)) store<u32>(s, 0, 20);
    else if (d == NEVER || before(t, d)) d = t;
  }
  for (let c: u32 = 0; c < 16; c++) {
    const t = load<u32>(CTX_UNTIL + (c << 2));
    if (load<u8>(CTX_STATE + c) == 0 || t == NEVER) continue;
    if (!before(now, t)) {
      if (load<u8>(CTX_STATE + c) == 3) updateContext(c, 0, 0, false, 0, true); // receive-only time is over
      else {
        contextDemote(c);
        store<u8>(CTX_STATE + c, 3);
        const until = now + 2 * routerLifetimeMs;
        store<u32>(CTX_UNTIL + (c << 2), until);
        if (d == NEVER || before(until, d)) d = until;
      }
    } else if (d == NEVER || before(t, d)) d = t;
  }
  return d;
}
