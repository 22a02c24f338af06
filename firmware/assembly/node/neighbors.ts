// The neighbor cache (RFC 4861 §7.3): INCOMPLETE, REACHABLE, STALE, DELAY,
// PROBE, with the timers of §7.3.3 and §10, and a replacement rule for when it
// is full that resists cache exhaustion (RFC 6583 §6): a new INCOMPLETE entry
// may only replace the least recently used STALE entry that is not a default
// router's; REACHABLE entries, default routers and entries being resolved are
// never pushed out by strangers. Other routers' entries (an RA with Router
// Lifetime 0, a Redirect's target) are replaceable like any other: otherwise
// RAs from as many routers as there are entries would fill the cache for good
// (RFC 4861 §5.3: room for the working set of active entries).
import { AddrMode, NcState, NodeNeighbor } from '../../abi/layout';
import { memEqual } from '../mem';
import { NEIGHBORS, NEVER, before } from './limits';
import { isRouter } from './routers';

const TABLE: usize = memory.data(NEIGHBORS * NodeNeighbor.Size, 8);
/** When each entry was last used, to pick the least recently used STALE one. */
const USED: usize = memory.data(NEIGHBORS * 4, 4);

export function ncRow(i: i32): usize {
  return TABLE + <usize>(i * NodeNeighbor.Size);
}

export function ncState(r: usize): u32 {
  return <u32>load<u8>(r, NodeNeighbor.State);
}

export function ncReset(): void {
  memory.fill(TABLE, 0, NEIGHBORS * NodeNeighbor.Size);
}

export function ncFind(ip: usize): usize {
  for (let i = 0; i < NEIGHBORS; i++) {
    const r = ncRow(i);
    if (ncState(r) != NcState.Free && memEqual(r, ip, 16)) return r;
  }
  return 0;
}

function touch(r: usize, now: u32): void {
  store<u32>(USED + (((r - TABLE) / NodeNeighbor.Size) << 2), now);
}

/** Creates an entry for ip (RFC 6583 rule above); 0 when none may be replaced. */
export function ncCreate(ip: usize, now: u32): usize {
  let victim: usize = 0;
  let oldest: u32 = 0;
  for (let i = 0; i < NEIGHBORS; i++) {
    const r = ncRow(i);
    const st = ncState(r);
    if (st == NcState.Free) {
      victim = r;
      break;
    }
    if (st != NcState.Stale || isRouter(r)) continue; // a default router's entry stays
    const age = now - load<u32>(USED + (<usize>i << 2));
    if (victim == 0 || age > oldest) {
      victim = r;
      oldest = age;
    }
  }
  if (victim == 0) return 0;
  memory.fill(victim, 0, NodeNeighbor.Size);
  memory.copy(victim, ip, 16);
  store<u8>(victim, NcState.Incomplete, NodeNeighbor.State);
  store<u32>(victim, NEVER, NodeNeighbor.Deadline);
  touch(victim, now);
  return victim;
}

export function ncSetState(r: usize, state: u32, deadline: u32): void {
  store<u8>(r, <u8>state, NodeNeighbor.State);
  store<u8>(r, 0, NodeNeighbor.Probes);
  store<u32>(r, deadline, NodeNeighbor.Deadline);
}

export function ncSetLink(r: usize, mode: u32, link: usize): void {
  store<u8>(r, <u8>mode, NodeNeighbor.LinkMode);
  memory.copy(r + NodeNeighbor.Link, link, mode == AddrMode.Short ? 2 : 8);
}

/** True if the entry's link address differs from (mode, link). */
export function ncLinkDiffers(r: usize, mode: u32, link: usize): bool {
  return <u32>load<u8>(r, NodeNeighbor.LinkMode) != mode
    || !memEqual(r + NodeNeighbor.Link, link, mode == AddrMode.Short ? 2 : 8);
}

export function ncUsed(r: usize, now: u32): void {
  touch(r, now);
}

export function ncRemove(r: usize): void {
  memory.fill(r, 0, NodeNeighbor.Size);
}

/** The entry whose timer fires first, and when. */
export function ncDeadline(): u32 {
  let d = NEVER;
  for (let i = 0; i < NEIGHBORS; i++) {
    const r = ncRow(i);
    if (ncState(r) == NcState.Free) continue;
    const t = load<u32>(r, NodeNeighbor.Deadline);
    if (t != NEVER && (d == NEVER || before(t, d))) d = t;
  }
  return d;
}
