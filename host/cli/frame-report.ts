// What `sixlab decode` says about one frame: a JSON-able record and its text
// rendering. The MAC and 6LoWPAN fields come from the core; the IPv6, UDP and
// ICMPv6 fields from the tester's own packet library reading the result.
import type { DecodeResult, FrameInfo, LinkAddress } from '../core/sixlab-core.js';
import { reasonName } from '../core/reasons.js';
import { toHex } from '../packet/hex.js';
import { formatIpv6 } from '../packet/ipv6-address.js';
import { formatLinkAddress } from '../packet/link-address.js';
import { parseIpv6Packet } from '../packet/packet.js';

export interface FrameReport {
  mac: Record<string, unknown>;
  lowpan: Record<string, unknown>;
  ipv6?: {
    src: string; dst: string; nextHeader: number; hopLimit: number;
    trafficClass: number; flowLabel: number; payloadLength: number;
  };
  udp?: { srcPort: number; dstPort: number; checksum: number; length: number; checksumOk: boolean };
  icmpv6?: { type: number; code: number; checksum: number; checksumOk: boolean; identifier?: number; sequence?: number };
  packet?: string;
  error?: string;
  reason?: string;
}

const FRAME_TYPES = ['beacon', 'data', 'ack', 'command'];
const VERSIONS = ['2003', '2006', '2015', 'reserved'];

function link(a: LinkAddress | undefined): string | undefined {
  return a ? formatLinkAddress(a) : undefined;
}

function macRecord(m: FrameInfo['mac']): Record<string, unknown> {
  return {
    frameType: FRAME_TYPES[m.frameType] ?? `type ${m.frameType}`,
    frameVersion: VERSIONS[m.frameVersion],
    seq: m.seq,
    dstPan: m.dstPan,
    dst: link(m.dst),
    srcPan: m.srcPan,
    src: link(m.src),
    ackRequest: m.ackRequest,
    framePending: m.framePending,
    panIdCompression: m.panIdCompression,
    security: m.security,
    iePresent: m.iePresent,
    headerLength: m.headerLength,
    payloadLength: m.payloadLength,
    fcs: m.fcs,
    fcsOk: m.fcsOk,
  };
}

/** The IPHC fields of RFC 6282 §3.1.1, by name. */
export function iphcFields(iphc: number): Record<string, number> {
  return {
    tf: (iphc >> 11) & 3, nh: (iphc >> 10) & 1, hlim: (iphc >> 8) & 3, cid: (iphc >> 7) & 1,
    sac: (iphc >> 6) & 1, sam: (iphc >> 4) & 3, m: (iphc >> 3) & 1, dac: (iphc >> 2) & 1, dam: iphc & 3,
  };
}

function lowpanRecord(l: FrameInfo['lowpan']): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (l.mesh) {
    r.mesh = { hopsLeft: l.mesh.hopsLeft, originator: link(l.mesh.originator), final: link(l.mesh.final) };
  }
  if (l.broadcastSeq !== undefined) r.broadcastSeq = l.broadcastSeq;
  if (l.fragment) r.fragment = l.fragment;
  if (l.dispatch) r.dispatch = l.dispatch;
  if (l.iphc !== undefined) {
    r.iphc = { raw: l.iphc, ...iphcFields(l.iphc) };
    if (l.cid !== undefined) r.sci = l.cid >> 4, r.dci = l.cid & 15;
  }
  if (l.nhc.length) r.nhc = l.nhc;
  if (l.dispatch) {
    r.compressedLength = l.compressedLength;
    r.uncompressedLength = l.uncompressedLength;
  }
  if (l.duplicate) r.duplicate = true;
  return r;
}

export function frameReport(result: DecodeResult): FrameReport {
  const report: FrameReport = { mac: macRecord(result.info.mac), lowpan: lowpanRecord(result.info.lowpan) };
  if (result.kind === 'rejected') {
    report.error = result.message;
    report.reason = reasonName(result.reason);
    return report;
  }
  if (result.kind === 'packet') addPacket(report, result.packet);
  return report;
}

function addPacket(report: FrameReport, bytes: Uint8Array): void {
  report.packet = toHex(bytes);
  try {
    const p = parseIpv6Packet(bytes);
    const h = p.header;
    report.ipv6 = {
      src: formatIpv6(h.src), dst: formatIpv6(h.dst), nextHeader: h.nextHeader, hopLimit: h.hopLimit,
      trafficClass: h.trafficClass, flowLabel: h.flowLabel, payloadLength: h.payloadLength,
    };
    if (p.udp) {
      const u = p.udp;
      report.udp = { srcPort: u.srcPort, dstPort: u.dstPort, checksum: u.checksum, length: u.length, checksumOk: u.checksumOk };
    }
    if (p.icmpv6) {
      const i = p.icmpv6;
      report.icmpv6 = { type: i.type, code: i.code, checksum: i.checksum, checksumOk: i.checksumOk };
      if (i.echo) Object.assign(report.icmpv6, { identifier: i.echo.identifier, sequence: i.echo.sequence });
    }
  } catch (err) {
    report.error = `decoded packet does not parse: ${(err as Error).message}`;
  }
}

const hex16 = (n: number) => '0x' + n.toString(16).padStart(4, '0');

/** Human-readable lines for one frame. */
export function frameText(index: number, r: FrameReport): string[] {
  const m = r.mac;
  const lines: string[] = [];
  const pans = [m.dstPan !== undefined ? `dst PAN ${hex16(m.dstPan as number)}` : '', m.srcPan !== undefined ? `src PAN ${hex16(m.srcPan as number)}` : ''].filter(Boolean).join(' ');
  lines.push(`frame ${index}: ${m.frameType} ${m.frameVersion} seq ${m.seq ?? '-'} ${pans} ${m.src ?? '-'} -> ${m.dst ?? '-'}`
    + ` FCS ${hex16(m.fcs as number)} ${m.fcsOk ? 'ok' : 'BAD'}${m.ackRequest ? ' AR' : ''}`);
  const l = r.lowpan;
  const parts: string[] = [];
  if (l.mesh) parts.push(`mesh ${JSON.stringify(l.mesh)}`);
  if (l.broadcastSeq !== undefined) parts.push(`BC0 seq ${l.broadcastSeq}`);
  const f = l.fragment as { kind: string; size: number; tag: number; offset: number } | undefined;
  if (f) parts.push(`${f.kind} size ${f.size} tag ${hex16(f.tag)} offset ${f.offset}`);
  if (l.iphc) {
    const i = l.iphc as Record<string, number>;
    parts.push(`IPHC ${hex16(i.raw)} TF=${i.tf} NH=${i.nh} HLIM=${i.hlim} CID=${i.cid} SAC=${i.sac} SAM=${i.sam} M=${i.m} DAC=${i.dac} DAM=${i.dam}`
      + (l.sci !== undefined ? ` SCI=${l.sci} DCI=${l.dci}` : ''));
  } else if (l.dispatch) parts.push(`${l.dispatch} (uncompressed)`);
  if (l.nhc) parts.push(`NHC ${(l.nhc as number[]).map((b) => b.toString(16)).join(' ')}`);
  if (l.dispatch) parts.push(`${l.compressedLength} octets for ${l.uncompressedLength}`);
  if (l.duplicate) parts.push('duplicate');
  if (parts.length) lines.push(`  6LoWPAN ${parts.join('; ')}`);
  if (r.ipv6) {
    const i = r.ipv6;
    lines.push(`  IPv6 ${i.src} -> ${i.dst} next header ${i.nextHeader} hop limit ${i.hopLimit}`
      + ` traffic class ${i.trafficClass} flow label ${i.flowLabel} payload length ${i.payloadLength}`);
  }
  if (r.udp) {
    const u = r.udp;
    lines.push(`  UDP ${u.srcPort} -> ${u.dstPort} length ${u.length} checksum ${hex16(u.checksum)} ${u.checksumOk ? 'ok' : 'BAD'}`);
  }
  if (r.icmpv6) {
    const c = r.icmpv6;
    lines.push(`  ICMPv6 type ${c.type} code ${c.code} checksum ${hex16(c.checksum)} ${c.checksumOk ? 'ok' : 'BAD'}`
      + (c.identifier !== undefined ? ` id ${c.identifier} seq ${c.sequence}` : ''));
  }
  if (r.packet === undefined && !r.error && f) lines.push('  (fragment held; the packet is shown on the frame that completes it)');
  if (r.error) lines.push(`  rejected: ${r.error}${r.reason ? ` (${r.reason})` : ''}`);
  return lines;
}
