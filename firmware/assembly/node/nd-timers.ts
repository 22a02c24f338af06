// Neighbor Discovery's timed behaviour, run by node_poll: Router Solicitation
// with retransmission and backoff (RFC 4861 §6.3.7, RFC 6775 §5.3), DAD
// (RFC 4862 §5.4), address registration and re-registration (RFC 6775 §5.5,
// RFC 8505 §5), and the neighbor cache's NUD timers (RFC 4861 §7.3.3).
import { AddrState, NcState, NodeAddress, NodeFlag, NodeMode, NodeNeighbor, NodeRouter, NodeStatus, RegState } from '../../abi/layout';
import { aroLifetime, aroRovr, aroRovrLen, aroStatus, earoFlags, earoTid, EARO_T } from '../wire/ndp';
import { memEqual } from '../mem';
import { EUI64, IID, addAddress, addrRow, addrState, expireAddresses, addressDeadline, flags, isOurUnicast, markDuplicate, mode, registered, removeAddress } from './iface';
import { dropPending, linkFromIid, pendingLength, DERIVED } from './ipv6-out';
import { sendUnreachable } from './icmp';
import {
  ADDRESSES, MAX_MULTICAST_SOLICIT, MAX_RTR_SOLICITATION_DELAY_MS, MAX_RTR_SOLICITATION_INTERVAL_MS,
  MAX_RTR_SOLICITATIONS, MAX_UNICAST_SOLICIT, NEIGHBORS, NEVER, RTR_SOLICITATION_INTERVAL_MS, before, earliest, minutesMs,
} from './limits';
import { ncDeadline, ncFind, ncRemove, ncRow, ncSetState, ncState } from './neighbors';
import { sendDadProbe, sendRegistration, sendRs, sendSolicitation } from './nd-send';
import { randomBetween } from './random';
import { ROUTER_EARO, STATUS, defaultRouter, dropForAnother, expireRouters, retransTimer } from './routers';

const LINK_LOCAL: usize = memory.data(16, 8);
/** RFC 4861 §10 values for classic ND (RFC 6775 §9 replaces them in 6LoWPAN-ND). */
const CLASSIC_RS_INTERVAL_MS: u32 = 4000;

let nextRs: u32 = NEVER;
let rsSent: u32 = 0;

function setNextRs(t: u32): void {
  nextRs = t;
  store<u32>(STATUS, t, NodeStatus.NextRs);
  store<u8>(STATUS, <u8>rsSent, NodeStatus.RsSent);
}

/** Brings the interface up: the link-local address, then solicitations. */
export function ndStart(now: u32): void {
  store<u64>(LINK_LOCAL, 0x80fe);
  memory.copy(LINK_LOCAL + 8, IID, 8);
  // RFC 6775 §5.2: an EUI-64-derived address needs no DAD; classic ND does it.
  const classic = mode == NodeMode.Classic;
  const r = addAddress(LINK_LOCAL, classic ? AddrState.Tentative : AddrState.Preferred, NEVER, NEVER);
  if (classic) startAddress(r, now);
  rsSent = 0;
  setNextRs(now + randomBetween(0, MAX_RTR_SOLICITATION_DELAY_MS)); // §6.3.7 initial delay
}

/** A new address: DAD (classic) or registration (6LoWPAN-ND). */
export function startAddress(row: usize, now: u32): void {
  store<u8>(row, 0, NodeAddress.Attempts);
  if (addrState(row) == AddrState.Tentative) {
    store<u32>(row, now + randomBetween(0, MAX_RTR_SOLICITATION_DELAY_MS), NodeAddress.NextEvent); // RFC 4862 §5.4.2
    return;
  }
  if (mode == NodeMode.LowpanNd) beginRegistration(row, now);
}

/** RFC 8505 §5.2.1: the lollipop counter: 240..255, then 0..127 and round. */
function nextTid(t: u32): u32 {
  return t == 127 || t == 255 ? 0 : t + 1;
}

function beginRegistration(row: usize, now: u32): void {
  store<u8>(row, RegState.Registering, NodeAddress.Registration);
  store<u8>(row, <u8>nextTid(load<u8>(row, NodeAddress.Tid)), NodeAddress.Tid); // a new TID per registration
  store<u8>(row, 0, NodeAddress.Attempts);
  store<u32>(row, now, NodeAddress.NextEvent);
}

/** Registration with `router` the RFC 8505 way: the link-local address first,
 *  and the source of every registration (§5.6), only with a router whose 6CIO
 *  had E set, and not when configured for the ARO. A router whose 6CIO had E
 *  clear, or that sent no 6CIO, is RFC 6775-only (RFC 8505 §6, §6.3): it
 *  registers the NS source (RFC 6775 §4.1). */
function earoWith(router: usize): bool {
  return (flags & NodeFlag.UseAro) == 0 && router != 0 && load<u8>(router, ROUTER_EARO) != 0;
}

/** An RA with a router lifetime: solicitations stop (RFC 4861 §6.3.7), and in
 *  6LoWPAN-ND resume before the router's lifetime ends (RFC 6775 §5.3);
 *  addresses not yet registered are registered, the link-local one too when
 *  the router takes the EARO (RFC 8505 §5.6: it is the source of every registration). */
export function routerHeard(router: usize, now: u32): void {
  rsSent = 0;
  let next = NEVER;
  const d = defaultRouter();
  if (mode == NodeMode.LowpanNd && d != 0) {
    const until = load<u32>(d, NodeRouter.Until);
    next = until - (until - now) / 10; // at 90% of its lifetime
  }
  setNextRs(next);
  if (mode != NodeMode.LowpanNd) return;
  for (let i = earoWith(d) ? 0 : 1; i < ADDRESSES; i++) {
    const r = addrRow(i);
    const reg = <u32>load<u8>(r, NodeAddress.Registration);
    if (addrState(r) == AddrState.Preferred && (reg == RegState.None || reg == RegState.Failed)) beginRegistration(r, now);
  }
}

/** The router's answer to a registration (RFC 6775 §5.5.2, RFC 8505 §4.2 statuses). */
export function registrationAnswered(row: usize, aro: usize, from: usize, now: u32): void {
  const reg = <u32>load<u8>(row, NodeAddress.Registration);
  if (reg != RegState.Registering && reg != RegState.Registered) return;
  // RFC 6775 §5.5.2: an option whose EUI-64 (ROVR) is not ours is silently ignored.
  if (aroRovrLen(aro) != 8 || !memEqual(aroRovr(aro), EUI64, 8)) return;
  if ((earoFlags(aro) & EARO_T) && earoTid(aro) != <u32>load<u8>(row, NodeAddress.Tid)) return; // a stale answer
  const status = aroStatus(aro);
  store<u8>(row, <u8>status, NodeAddress.Status);
  if (status == 0) {
    const minutes = aroLifetime(aro);
    // RFC 8505 §4.1: a lifetime of 0 ends the registration.
    store<u8>(row, minutes == 0 ? RegState.None : RegState.Registered, NodeAddress.Registration);
    store<u8>(row, 0, NodeAddress.Attempts);
    const end = minutesMs(minutes, now);
    store<u32>(row, minutes == 0 ? NEVER : end - (end - now) / 10, NodeAddress.NextEvent); // refresh at 90%
  } else if (status == 2 && dropForAnother(from)) {
    // RFC 6775 §5.5.3: Neighbor Cache Full: the router leaves the default
    // router list and the addresses are registered with another one.
    for (let i = 0; i < ADDRESSES; i++) store<u8>(addrRow(i), RegState.None, NodeAddress.Registration);
    routerHeard(from, now);
  } else if (status == 2 || status == 9) {
    // Neighbor cache full / 6LBR registry saturated: try again later.
    store<u8>(row, RegState.Failed, NodeAddress.Registration);
    store<u32>(row, now + MAX_RTR_SOLICITATION_INTERVAL_MS, NodeAddress.NextEvent);
  } else if (status == 4) {
    beginRegistration(row, now); // Removed: register again
  } else if (status == 7 && row != addrRow(0)) {
    // Invalid source: our link-local registration is gone; redo it, then this one.
    beginRegistration(addrRow(0), now);
    beginRegistration(row, now);
  } else if (status == 1) {
    markDuplicate(row); // RFC 6775 §5.5.2: the address is a duplicate and must not be used
  } else {
    // Moved, refused: this registration is over; the address goes.
    removeAddress(row);
  }
}

/** Runs every timer due at `now`; returns the next deadline. */
export function ndPoll(now: u32): u32 {
  expireAddresses(now);
  let d = expireRouters(now);
  d = earliest(d, addressDeadline(now), now);
  d = earliest(d, rsTimer(now), now);
  d = earliest(d, addressTimers(now), now);
  d = earliest(d, neighborTimers(now), now);
  return d;
}

/** RS: MAX_RTR_SOLICITATIONS at the interval, then (6LoWPAN-ND) binary
 *  exponential backoff up to MAX_RTR_SOLICITATION_INTERVAL, until an RA.
 *  In 6LoWPAN-ND, whenever the default router list is empty (a Router Lifetime
 *  of 0, expiry, a router that is one no more), solicitations start over (RFC
 *  6775 §5.3, §5.5.3) after a random delay, unless they are already running. */
function rsTimer(now: u32): u32 {
  if (mode == NodeMode.LowpanNd && rsSent == 0 && defaultRouter() == 0
    && (nextRs == NEVER || before(now + MAX_RTR_SOLICITATION_DELAY_MS, nextRs))) {
    setNextRs(now + randomBetween(0, MAX_RTR_SOLICITATION_DELAY_MS));
  }
  if (nextRs == NEVER) return NEVER;
  if (before(now, nextRs)) return nextRs;
  const classic = mode == NodeMode.Classic;
  if (classic && rsSent >= MAX_RTR_SOLICITATIONS) {
    setNextRs(NEVER);
    return NEVER;
  }
  sendRs(now);
  rsSent++;
  let interval = classic ? CLASSIC_RS_INTERVAL_MS : RTR_SOLICITATION_INTERVAL_MS;
  if (!classic && rsSent >= MAX_RTR_SOLICITATIONS) {
    const shift = rsSent - MAX_RTR_SOLICITATIONS + 1;
    interval = shift >= 3 ? MAX_RTR_SOLICITATION_INTERVAL_MS : interval << shift;
    if (interval > MAX_RTR_SOLICITATION_INTERVAL_MS) interval = MAX_RTR_SOLICITATION_INTERVAL_MS;
  }
  setNextRs(now + interval);
  return nextRs;
}

function addressTimers(now: u32): u32 {
  let d = NEVER;
  for (let i = 0; i < ADDRESSES; i++) {
    const r = addrRow(i);
    const st = addrState(r);
    if (st == AddrState.Free) continue;
    const at = load<u32>(r, NodeAddress.NextEvent);
    const reg = <u32>load<u8>(r, NodeAddress.Registration);
    const waiting = st == AddrState.Tentative || reg == RegState.Registering || reg == RegState.Registered
      || reg == RegState.Failed;
    if (!waiting || at == NEVER) continue;
    if (!before(now, at)) {
      if (st == AddrState.Tentative) dadStep(r, now);
      else registrationStep(r, reg, now);
    }
    const next = load<u32>(r, NodeAddress.NextEvent);
    if (addrState(r) != AddrState.Free) d = earliest(d, next, now);
  }
  return d;
}

/** RFC 4862 §5.4: DupAddrDetectTransmits (1) probes, RetransTimer apart; no answer: preferred. */
function dadStep(r: usize, now: u32): void {
  const sent = <u32>load<u8>(r, NodeAddress.Attempts);
  if (sent >= 1) {
    store<u8>(r, AddrState.Preferred, NodeAddress.State);
    store<u32>(r, NEVER, NodeAddress.NextEvent);
    return;
  }
  sendDadProbe(r, now);
  store<u8>(r, <u8>(sent + 1), NodeAddress.Attempts);
  store<u32>(r, now + retransTimer(), NodeAddress.NextEvent);
}

/** One registration NS to the default router; MAX_UNICAST_SOLICIT tries,
 *  RetransTimer apart. A refresh keeps the address registered meanwhile. */
function registrationStep(r: usize, reg: u32, now: u32): void {
  const sent = <u32>load<u8>(r, NodeAddress.Attempts);
  if (reg == RegState.Failed) beginRegistration(r, now); // a retry after a refusal
  else if (reg == RegState.Registered && sent == 0) store<u8>(r, <u8>nextTid(load<u8>(r, NodeAddress.Tid)), NodeAddress.Tid);
  const ll = addrRow(0);
  const router = defaultRouter();
  const earo = earoWith(router);
  if (earo && r != ll && !registered(ll)) {
    // RFC 8505 §5.6: the link-local address first; it is the source of this one.
    const llReg = <u32>load<u8>(ll, NodeAddress.Registration);
    if (llReg == RegState.Failed || addrState(ll) != AddrState.Preferred) {
      store<u8>(r, RegState.Failed, NodeAddress.Registration); // both retried at the next RA
      store<u32>(r, NEVER, NodeAddress.NextEvent);
      return;
    }
    if (llReg != RegState.Registering) beginRegistration(ll, now);
    store<u32>(r, now + retransTimer(), NodeAddress.NextEvent);
    return;
  }
  if (router == 0 || load<u8>(r, NodeAddress.Attempts) >= <u8>MAX_UNICAST_SOLICIT) {
    store<u8>(r, RegState.Failed, NodeAddress.Registration);
    store<u32>(r, NEVER, NodeAddress.NextEvent);
    if (nextRs == NEVER) setNextRs(now + RTR_SOLICITATION_INTERVAL_MS); // the router may be gone: look again
    return;
  }
  const e = ncFind(router);
  if (e != 0 && ncState(e) != NcState.Incomplete) {
    sendRegistration(r, router, <u32>load<u8>(e, NodeNeighbor.LinkMode), e + NodeNeighbor.Link, earo);
  } else {
    sendRegistration(r, router, linkFromIid(router), DERIVED, earo);
  }
  store<u8>(r, load<u8>(r, NodeAddress.Attempts) + 1, NodeAddress.Attempts);
  store<u32>(r, now + retransTimer(), NodeAddress.NextEvent);
}

/** RFC 4861 §7.3.3 and §7.2.2: the neighbor cache's timers. */
function neighborTimers(now: u32): u32 {
  for (let i = 0; i < NEIGHBORS; i++) {
    const e = ncRow(i);
    const st = ncState(e);
    const at = load<u32>(e, NodeNeighbor.Deadline);
    if (st == NcState.Free || at == NEVER || before(now, at)) continue;
    const probes = <u32>load<u8>(e, NodeNeighbor.Probes);
    if (st == NcState.Reachable) ncSetState(e, NcState.Stale, NEVER);
    else if (st == NcState.Delay) {
      ncSetState(e, NcState.Probe, now + retransTimer());
      store<u8>(e, 1, NodeNeighbor.Probes);
      sendSolicitation(e, false, now);
    } else if ((st == NcState.Incomplete && probes < MAX_MULTICAST_SOLICIT) || (st == NcState.Probe && probes < MAX_UNICAST_SOLICIT)) {
      store<u32>(e, now + retransTimer(), NodeNeighbor.Deadline);
      store<u8>(e, <u8>(probes + 1), NodeNeighbor.Probes);
      sendSolicitation(e, st == NcState.Incomplete, now);
    } else {
      // Resolution failed: Address Unreachable for a waiting packet, and the entry goes.
      // RFC 4861 §7.2.2: Address Unreachable to the sender of a waiting packet (not to ourselves).
      const waiting = dropPending(e);
      if (waiting != 0 && !isOurUnicast(waiting + 8)) sendUnreachable(waiting, pendingLength(waiting), 3, now);
      ncRemove(e);
    }
  }
  return ncDeadline();
}

export function ndReset(): void {
  nextRs = NEVER;
  rsSent = 0;
}
