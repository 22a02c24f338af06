// Classic libpcap capture files (magic 0xa1b2c3d4, version 2.4, microsecond
// timestamps), as described in draft-ietf-opsawg-pcap and pcap-savefile(5).
import { writeFile } from 'node:fs/promises';
import { concat } from './bytes.js';
import { checkField, PacketError } from './errors.js';

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101; // raw IPv4/IPv6, version from the first nibble
export const LINKTYPE_IEEE802_15_4_WITHFCS = 195; // 802.15.4 frame with 2-byte FCS
export const LINKTYPE_IPV6 = 229; // raw IPv6
export const LINKTYPE_IEEE802_15_4_NOFCS = 230;

export const PCAP_SNAPLEN = 65535;

export interface PcapRecord {
  timeUs: number; // microseconds since the epoch (or any origin)
  data: Uint8Array;
}

/** The 24-byte global header (written little-endian). */
export function pcapGlobalHeader(linkType: number): Uint8Array {
  checkField(linkType, 0xffffffff, 'pcap link type');
  const out = new Uint8Array(24);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  // thiszone and sigfigs stay 0
  v.setUint32(16, PCAP_SNAPLEN, true);
  v.setUint32(20, linkType, true);
  return out;
}

/** One 16-byte record header followed by the (never truncated) data. */
export function pcapRecord(r: PcapRecord): Uint8Array {
  if (!Number.isSafeInteger(r.timeUs) || r.timeUs < 0 || r.timeUs / 1e6 >= 2 ** 32) {
    throw new PacketError(`pcap record: timeUs ${r.timeUs} is not a non-negative integer below 2^32 s`);
  }
  if (r.data.length > PCAP_SNAPLEN) throw new PacketError(`pcap record: ${r.data.length} bytes exceeds snaplen`);
  const out = new Uint8Array(16 + r.data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, Math.floor(r.timeUs / 1e6), true);
  v.setUint32(4, r.timeUs % 1e6, true);
  v.setUint32(8, r.data.length, true);
  v.setUint32(12, r.data.length, true);
  out.set(r.data, 16);
  return out;
}

export function pcapBytes(linkType: number, records: PcapRecord[]): Uint8Array {
  return concat([pcapGlobalHeader(linkType), ...records.map(pcapRecord)]);
}

export async function writePcap(path: string, linkType: number, records: PcapRecord[]): Promise<void> {
  await writeFile(path, pcapBytes(linkType, records));
}
