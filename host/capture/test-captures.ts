// Builders for the captures the decode tests read (not used at run time): the
// encapsulations other stacks' simulations are captured in, written by hand
// (Ethernet, Linux cooked v1 and v2, BSD loopback, IPv4/IPv6 and UDP), and
// LINKTYPE_IEEE802_15_4_TAP headers.
import { internetChecksum } from '../packet/checksum.js';
import { buildIpv6Packet } from '../packet/packet.js';

const be16 = (v: number) => [v >> 8, v & 0xff];

/** An IPv4 packet (header checksum filled in) carrying UDP (checksum 0: none, as IPv4 allows). */
export function udpInIpv4(src: number[], dst: number[], srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const udp = Uint8Array.from([...be16(srcPort), ...be16(dstPort), ...be16(8 + payload.length), 0, 0, ...payload]);
  const header = Uint8Array.from([0x45, 0, ...be16(20 + udp.length), 0x12, 0x34, 0x40, 0, 64, 17, 0, 0, ...src, ...dst]);
  const c = internetChecksum(header);
  header[10] = c >> 8;
  header[11] = c & 0xff;
  return Uint8Array.from([...header, ...udp]);
}

/** An IPv6 packet carrying UDP, every length and checksum right. */
export function udpInIpv6(src: Uint8Array, dst: Uint8Array, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  return buildIpv6Packet({ src, dst, upper: { kind: 'udp', srcPort, dstPort, payload } });
}

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

export function ethernet(ethertype: number, payload: Uint8Array, vlan?: number): Uint8Array {
  const macs = [0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2];
  const tag = vlan === undefined ? [] : [0x81, 0x00, ...be16(vlan)];
  return Uint8Array.from([...macs, ...tag, ...be16(ethertype), ...payload]);
}

/** LINKTYPE_LINUX_SLL: packet type, ARPHRD, address length, 8 address octets, protocol. */
export function linuxSll(protocol: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...be16(protocol), ...payload]);
}

/** LINKTYPE_LINUX_SLL2: protocol, reserved, interface index, ARPHRD, packet type, address length, 8 address octets. */
export function linuxSll2(protocol: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...be16(protocol), 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, ...payload]);
}

/** LINKTYPE_NULL: the address family in the capturing host's byte order (little-endian here). */
export function nullHeader(family: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([family & 0xff, (family >> 8) & 0xff, 0, 0, ...payload]);
}

/** LINKTYPE_LOOP: the address family in network byte order. */
export function loopHeader(family: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([0, 0, (family >> 8) & 0xff, family & 0xff, ...payload]);
}

/** One TAP TLV: type, length (both 16-bit little-endian), value padded to 4 octets. */
export function tapTlv(type: number, value: number[]): number[] {
  const pad = (4 - (value.length % 4)) % 4;
  return [type & 0xff, type >> 8, value.length & 0xff, value.length >> 8, ...value, ...new Array(pad).fill(0)];
}

/** LINKTYPE_IEEE802_15_4_TAP: version 0, reserved, header length, TLVs, then the frame. */
export function tap(tlvs: number[][], frame: Uint8Array): Uint8Array {
  const body = tlvs.flat();
  const length = 4 + body.length;
  return Uint8Array.from([0, 0, length & 0xff, length >> 8, ...body, ...frame]);
}

/** The ZEP v1 datagram of a PSDU (FCS included): a 16-octet header, as Wireshark's packet-zep.c reads it. */
export function zepV1(channel: number, deviceId: number, psdu: Uint8Array, crcMode = true): Uint8Array {
  return Uint8Array.from([0x45, 0x58, 1, channel, ...be16(deviceId), crcMode ? 1 : 0, 0xff, 0, 0, 0, 0, 0, 0, 0, psdu.length, ...psdu]);
}
