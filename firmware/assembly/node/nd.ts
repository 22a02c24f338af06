// Neighbor Discovery input for a host (RFC 4861 §6.3.4, §7.2.3, §7.2.5, §8.3),
// SLAAC (RFC 4862 §5.5.3) and 6LoWPAN-ND (RFC 6775 §5.4, §5.5; RFC 8505 §5).
import { AddrState, NcState, NodeAddress, NodeMode, NodeNeighbor, NodeStatus, RegState } from '../../abi/layout';
import { Reason } from '../../abi/reason';
import { fail, memEqual } from '../mem';
import {
  abroVersion, cioFlags, ctxOptAt, ctxOptC, ctxOptCid, ctxOptCount, ctxOptLen, ctxOptLifetime, ctxOptPrefix,
  llAddr, llMode, mtuValue, naFlags, nsTarget, optFind, pioAt, pioCount, pioFlagA, pioFlagL, pioPrefix,
  pioPrefixLen, pioPreferred, pioValid, raCurHopLimit, raReachable, raRetrans, raRouterLifetime, redirectDestination,
  validateNd, CIO_E, NA_O, NA_R, NA_S, OPT_6CIO, OPT_ABRO, OPT_ARO, OPT_MTU, OPT_SLLAO, OPT_TLLAO,
} from '../wire/ndp';
import { IID, addAddress, addrState, findAddress, markDuplicate, mode } from './iface';
import { flushPending, nextHop, setRedirect } from './ipv6-out';
import { NEVER, TWO_HOURS_MS, before, lifetimeMs, minutesMs } from './limits';
import { ncCreate, ncFind, ncLinkDiffers, ncSetLink, ncSetState, ncState } from './neighbors';
import { ALL_NODES, sendAdvertisement } from './nd-send';
import { registrationAnswered, routerHeard, startAddress } from './nd-timers';
import {
  ROUTER_EARO, STATUS, reachableTime, setBaseReachable, setRouterLifetime, updateContext, updateOnLink, updateRouter,
} from './routers';

const CANDIDATE: usize = memory.data(16, 8);

export function ndInput(p: usize, m: usize, n: i32, now: u32): i32 {
  const r = validateNd(p, m, n);
  if (r != 0) return fail(r);
  const type = <u32>load<u8>(m);
  if (type == 134) return raInput(p, m, now);
  if (type == 135) return nsInput(p, m, now);
  if (type == 136) return naInput(p, m, now);
  if (type == 137) return redirectInput(p, m, now);
  return 0; // RS: a host silently discards it (RFC 4861 §6.2.6)
}

/** Creates or updates the entry for ip from a link-layer option (RFC 4861
 *  §7.2.3, §6.3.4): a new or changed link address makes the entry STALE. */
function learnLink(ip: usize, opt: usize, now: u32, router: bool): usize {
  if (opt == 0 || llMode(opt) == 0) return ncFind(ip);
  let e = ncFind(ip);
  if (e == 0) e = ncCreate(ip, now);
  if (e == 0) return 0;
  const wasIncomplete = ncState(e) == NcState.Incomplete;
  if (wasIncomplete || ncLinkDiffers(e, llMode(opt), llAddr(opt))) {
    ncSetLink(e, llMode(opt), llAddr(opt));
    ncSetState(e, NcState.Stale, NEVER);
    if (wasIncomplete) flushPending(ip, e);
  }
  if (router) store<u8>(e, 1, NodeNeighbor.IsRouter);
  return e;
}

function nsInput(p: usize, m: usize, now: u32): i32 {
  const target = nsTarget(m);
  const row = findAddress(target);
  if (row == 0) return fail(Reason.Ipv6NotForUs);
  const fromUnspecified = load<u64>(p + 8) == 0 && load<u64>(p + 16) == 0;
  if (addrState(row) == AddrState.Tentative) {
    // RFC 4862 §5.4.3: another node is doing DAD for our tentative address.
    if (fromUnspecified) markDuplicate(row);
    return 0;
  }
  if (fromUnspecified) return sendAdvertisement(target, ALL_NODES, false, now); // §7.2.4
  learnLink(p + 8, optFind(OPT_SLLAO), now, false);
  return sendAdvertisement(target, p + 8, true, now);
}

function naInput(p: usize, m: usize, now: u32): i32 {
  const target = nsTarget(m);
  const row = findAddress(target);
  if (row != 0) {
    // RFC 4862 §5.4.4: an NA for a tentative address means it is a duplicate.
    if (addrState(row) == AddrState.Tentative) markDuplicate(row);
    const aro = optFind(OPT_ARO);
    if (aro != 0) registrationAnswered(row, aro, p + 8, now);
    return 0;
  }
  const e = ncFind(target);
  if (e == 0) return 0; // §7.2.5: no entry, nothing to update
  const f = naFlags(m);
  const opt = optFind(OPT_TLLAO);
  const mode2 = opt != 0 ? llMode(opt) : 0;
  if (ncState(e) == NcState.Incomplete) {
    if (mode2 == 0) return 0;
    ncSetLink(e, mode2, llAddr(opt));
    ncSetState(e, f & NA_S ? NcState.Reachable : NcState.Stale, f & NA_S ? now + reachableTime() : NEVER);
    flushPending(target, e);
  } else {
    const differs = mode2 != 0 && ncLinkDiffers(e, mode2, llAddr(opt));
    if (!(f & NA_O) && differs) {
      if (ncState(e) == NcState.Reachable) ncSetState(e, NcState.Stale, NEVER);
      return 0;
    }
    if (differs) ncSetLink(e, mode2, llAddr(opt));
    if (f & NA_S) ncSetState(e, NcState.Reachable, now + reachableTime());
    else if (differs) ncSetState(e, NcState.Stale, NEVER);
  }
  if (!(f & NA_R) && load<u8>(e, NodeNeighbor.IsRouter)) {
    store<u8>(e, 0, NodeNeighbor.IsRouter); // §7.2.5: no longer a router
    updateRouter(target, 0, true);
  } else if (f & NA_R) store<u8>(e, 1, NodeNeighbor.IsRouter);
  return 0;
}

function raInput(p: usize, m: usize, now: u32): i32 {
  const src = p + 8;
  if (!abroAcceptable(now)) return 0;
  if (raCurHopLimit(m) != 0) store<u8>(STATUS, <u8>raCurHopLimit(m), NodeStatus.CurHopLimit);
  const base = raReachable(m);
  if (base != 0 && base != load<u32>(STATUS, NodeStatus.BaseReachableTime)) setBaseReachable(base);
  if (raRetrans(m) != 0) store<u32>(STATUS, raRetrans(m), NodeStatus.RetransTimer);
  const lifetime = raRouterLifetime(m);
  const router = updateRouter(src, now + lifetime * 1000, lifetime == 0);
  // RFC 8505 §6.3: the router's 6CIO says whether it takes the EARO (E flag,
  // §4.3); a router never seen with one is RFC 6775-only. Kept per router; an
  // RA without one leaves what was learnt (§6.1: it may be omitted once shared).
  const cio = optFind(OPT_6CIO);
  if (router != 0 && cio != 0) store<u8>(router, (cioFlags(cio) & CIO_E) != 0, ROUTER_EARO);
  setRouterLifetime(lifetime);
  learnLink(src, optFind(OPT_SLLAO), now, true);
  const known = ncFind(src); // §6.3.4: the sender is a router, option or not
  if (known != 0) store<u8>(known, 1, NodeNeighbor.IsRouter);
  const mtu = optFind(OPT_MTU);
  // §6.3.4: an MTU the link cannot carry is ignored; a 6LoWPAN link carries
  // exactly 1280 (RFC 4944 §4), so only that value is taken.
  if (mtu != 0 && mtuValue(mtu) == 1280) store<u16>(STATUS, 1280, NodeStatus.LinkMtu);
  for (let i = 0; i < pioCount(); i++) prefixInfo(pioAt(i), now);
  for (let i = 0; i < ctxOptCount(); i++) {
    const c = ctxOptAt(i);
    const minutes = ctxOptLifetime(c);
    updateContext(ctxOptCid(c), ctxOptPrefix(c), ctxOptLen(c), ctxOptC(c), minutesMs(minutes, now), minutes == 0);
  }
  if (lifetime != 0) routerHeard(src, now);
  return 0;
}

/** RFC 6775 §4.3: information from an ABRO older than the one we hold is stale. */
function abroAcceptable(now: u32): bool {
  const a = optFind(OPT_ABRO);
  if (a == 0) return true;
  const v = abroVersion(a);
  const held = (<u32>load<u16>(STATUS, NodeStatus.AbroVersionHigh) << 16) | load<u16>(STATUS, NodeStatus.AbroVersionLow);
  if (held != 0 && <i32>(v - held) < 0) return false;
  store<u16>(STATUS, <u16>(v >> 16), NodeStatus.AbroVersionHigh);
  store<u16>(STATUS, <u16>v, NodeStatus.AbroVersionLow);
  return true;
}

/** A Prefix Information option (RFC 4861 §6.3.4, RFC 4862 §5.5.3). */
function prefixInfo(o: usize, now: u32): void {
  const prefix = pioPrefix(o);
  if (load<u8>(prefix) == 0xfe && (load<u8>(prefix, 1) & 0xc0) == 0x80) return; // (b) link-local
  if (mode == NodeMode.LowpanNd && pioFlagL(o)) return; // RFC 6775 §5.4: such a PIO MUST be ignored
  const valid = pioValid(o);
  const preferred = pioPreferred(o);
  if (mode == NodeMode.Classic && pioFlagL(o)) updateOnLink(prefix, pioPrefixLen(o), lifetimeMs(valid, now), valid == 0);
  if (!pioFlagA(o) || preferred > valid || pioPrefixLen(o) != 64) return; // (a), (c), §5.5.3 d
  memory.copy(CANDIDATE, prefix, 8);
  memory.copy(CANDIDATE + 8, IID, 8);
  const row = findAddress(CANDIDATE);
  if (row != 0 && addrState(row) == AddrState.Duplicate) return; // RFC 4862 §5.4.5
  if (row == 0) {
    if (valid == 0) return;
    const state = mode == NodeMode.Classic ? AddrState.Tentative : AddrState.Preferred;
    const r = addAddress(CANDIDATE, state, lifetimeMs(valid, now), lifetimeMs(preferred, now));
    if (r != 0) startAddress(r, now);
    return;
  }
  // (e) the two-hour rule protects against a spoofed short lifetime.
  const remaining = load<u32>(row, NodeAddress.ValidUntil);
  const advertised = lifetimeMs(valid, now);
  let until = advertised;
  if (!(valid > 7200 || (remaining != NEVER && before(remaining, advertised)))) {
    if (remaining != NEVER && !before(now + TWO_HOURS_MS, remaining)) until = remaining; // ≤ 2 h left: ignore
    else until = now + TWO_HOURS_MS;
  }
  store<u32>(row, until, NodeAddress.ValidUntil);
  store<u32>(row, lifetimeMs(preferred, now), NodeAddress.PreferredUntil);
  if (addrState(row) == AddrState.Deprecated && preferred != 0) store<u8>(row, AddrState.Preferred, NodeAddress.State);
}

/** RFC 4861 §8.3: from the current first-hop router only; the target becomes
 *  the first hop for the destination (or the destination is on-link). */
function redirectInput(p: usize, m: usize, now: u32): i32 {
  const target = nsTarget(m);
  const dst = redirectDestination(m);
  const hop = nextHop(dst); // §8.1: the current first-hop router for that destination
  if (hop == 0 || !memEqual(hop, p + 8, 16)) return fail(Reason.NdRedirectInvalid);
  const toRouter = !memEqual(target, dst, 16);
  learnLink(target, optFind(OPT_TLLAO), now, toRouter);
  setRedirect(dst, target);
  return 0;
}
