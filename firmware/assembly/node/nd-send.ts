// Neighbor Discovery messages the node sends (RFC 4861 §4, RFC 6775 §5,
// RFC 8505 §5): RS, NS for resolution, NUD, DAD and registration, and NA.
import { AddrMode, NcState, NodeAddress, NodeConfig, NodeFlag, NodeMode, NodeNeighbor } from '../../abi/layout';
import { wr16be } from '../mem';
import { upperLayerChecksum } from '../wire/checksum';
import { solicitedNode } from '../wire/ipv6-address';
import { emitNa, emitNs, emitRs, CIO_E } from '../wire/ndp';
import { CONFIG, EUI64, addrRow, flags, mode, selectSource, sourceLink, sourceMode } from './iface';
import { TXPKT } from './buffers';
import { sendPacket, transmit, writeHeader } from './ipv6-out';
import { ncSetState } from './neighbors';
import { retransTimer } from './routers';

export const ALL_ROUTERS: usize = memory.data<u8>([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02]);
export const ALL_NODES: usize = memory.data<u8>([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01]);
export const UNSPECIFIED: usize = memory.data(16, 8);
const GROUP: usize = memory.data(16, 8);
const ICMP: usize = TXPKT + 40;

/** Completes the IPv6 header and ICMPv6 checksum of the ND message in TXPKT and sends it. */
function finish(src: usize, dst: usize, len: i32, now: u32): i32 {
  writeHeader(TXPKT, src, dst, 58, 255, len); // RFC 4861: hop limit 255 on every ND message
  wr16be(ICMP + 2, 0);
  wr16be(ICMP + 2, upperLayerChecksum(TXPKT, 58, ICMP, len, 2));
  return sendPacket(TXPKT, 40 + len, now);
}

/** RFC 4861 §6.3.7 / RFC 6775 §5.3: from our link-local address with an SLLAO,
 *  or from :: without one while no address is usable yet. In 6LoWPAN-ND with
 *  the EARO, a 6CIO with the E flag (RFC 8505 §6.1: it MUST be in the RS). */
export function sendRs(now: u32): i32 {
  const src = selectSource(ALL_ROUTERS);
  const cio = mode == NodeMode.LowpanNd && (flags & NodeFlag.UseAro) == 0 ? CIO_E : 0;
  const len = emitRs(ICMP, src == 0 ? 0 : sourceMode(), sourceLink(), cio);
  return finish(src == 0 ? UNSPECIFIED : src, ALL_ROUTERS, len, now);
}

/** Multicast NS for address resolution (RFC 4861 §7.2.2); enters INCOMPLETE. */
export function startResolution(r: usize, now: u32): void {
  ncSetState(r, NcState.Incomplete, now + retransTimer());
  store<u8>(r, 1, NodeNeighbor.Probes);
  sendSolicitation(r, true, now);
}

/** NS for the neighbor entry r: multicast to its solicited-node group, or unicast (NUD, §7.3.3). */
export function sendSolicitation(r: usize, multicast: bool, now: u32): i32 {
  const src = selectSource(r);
  if (src == 0) return 0;
  let dst = r;
  if (multicast) {
    solicitedNode(GROUP, r);
    dst = GROUP;
  }
  const len = emitNs(ICMP, r, sourceMode(), sourceLink(), false, 0, 0, false, 0, 0);
  return finish(src, dst, len, now);
}

/** DAD probe for a tentative address (RFC 4862 §5.4.2): from ::, to the
 *  solicited-node group, without SLLAO. */
export function sendDadProbe(addr: usize, now: u32): i32 {
  solicitedNode(GROUP, addr);
  const len = emitNs(ICMP, addr, 0, 0, false, 0, 0, false, 0, 0);
  return finish(UNSPECIFIED, GROUP, len, now);
}

/** Address registration (RFC 6775 §5.5.1, RFC 8505 §5.1): NS to the router
 *  for target `row`, with SLLAO and an EARO (ROVR = our 64-bit EUI-64, as
 *  RFC 8505 §6.3 requires whatever the router), or an RFC 6775 ARO when so
 *  configured (NodeFlag.UseAro). `fromLinkLocal`: the source is our
 *  link-local address, registered first (RFC 8505 §5.6); otherwise it is the
 *  address being registered (RFC 6775 §4.1). */
export function sendRegistration(row: usize, router: usize, linkMode: u32, link: usize, fromLinkLocal: bool): i32 {
  const configured = <u32>load<u16>(CONFIG, NodeConfig.RegistrationMinutes);
  const minutes = configured == 0 ? 60 : configured; // 0 would de-register (RFC 8505 §4.1)
  const earo = (flags & NodeFlag.UseAro) == 0;
  const tid = <u32>load<u8>(row, NodeAddress.Tid);
  const len = emitNs(ICMP, row, sourceMode(), sourceLink(), true, 0, minutes, earo, tid, EUI64);
  writeHeader(TXPKT, fromLinkLocal ? addrRow(0) : row, router, 58, 255, len);
  wr16be(ICMP + 2, 0);
  wr16be(ICMP + 2, upperLayerChecksum(TXPKT, 58, ICMP, len, 2));
  return transmit(TXPKT, 40 + len, linkMode, link);
}

/** NA in reply to an NS (RFC 4861 §7.2.4): solicited, override, to the
 *  soliciting node or, when it came from ::, to all nodes. */
export function sendAdvertisement(target: usize, dst: usize, solicited: bool, now: u32): i32 {
  const multicast = load<u8>(dst) == 0xff;
  const naFlags: u32 = (solicited && !multicast ? 0x40 : 0) | 0x20; // S, O (RFC 4861 §4.4)
  const len = emitNa(ICMP, naFlags, target, sourceMode(), sourceLink(), false, 0, 0, false, 0, 0);
  return finish(target, dst, len, now);
}

export function linkModeOf(r: usize): u32 {
  return <u32>load<u8>(r, NodeNeighbor.LinkMode) == AddrMode.Short ? AddrMode.Short : AddrMode.Extended;
}
