// What `sixlab decode` says about one frame: a JSON-able record and its text
// rendering. The MAC and 6LoWPAN fields come from the core; the IPv6, UDP and
// ICMPv6 fields from the tester's own packet library reading the result.
// (`--json` writes the same records through decode-json.ts, without building
// them; this is the reference it is held to, and its fallback.)
import { reasonName, reasonText } from '../core/reasons.js';
import { parseIpv6Packet } from '../packet/packet.js';
import { hexText, ipv6Text, linkAddressText } from './decode-format.js';
import { REPLACED_NOTE } from './decode-json.js';
import { FCS_32, FCS_NONE, FCS_METADATA, MAC_ADDRESSED, MAC_FULL, MAC_NONE, type FrameDecoder } from './frame-decoder.js';
import { COAP_PORT, coapLines, coapRecord, payloadLines, payloadRecord, type CoapRecord, type PayloadRecord } from './payload-view.js';
import type { LinkAddress } from '../core/sixlab-core.js';
import type { TapInfo, ZepInfo } from '../capture/wpan-frames.js';

export interface FrameReport {
  /** Where the frame came from in a capture (decode -r), and how it was carried. */
  capture?: FrameMeta['capture'];
  zep?: FrameMeta['zep'];
  tap?: FrameMeta['tap'];
  mac: Record<string, unknown>;
  lowpan: Record<string, unknown>;
  packet?: string;
  ipv6?: {
    src: string; dst: string; nextHeader: number; hopLimit: number;
    trafficClass: number; flowLabel: number; payloadLength: number;
  };
  udp?: { srcPort: number; dstPort: number; checksum: number; length: number; checksumOk: boolean };
  icmpv6?: { type: number; code: number; checksum: number; checksumOk: boolean; identifier?: number; sequence?: number };
  /** The data UDP or an ICMPv6 echo carries. */
  payload?: PayloadRecord;
  coap?: CoapRecord;
  note?: string;
  error?: string;
  reason?: string;
}

/** Capture members that go first in a report (decode -r). */
export interface FrameMeta {
  capture?: { packet: number; time: number; timeUs: number; linkType: number };
  zep?: Partial<ZepInfo>;
  tap?: TapInfo;
}

const FRAME_TYPES = ['beacon', 'data', 'ack', 'command'];
const VERSIONS = ['2003', '2006', '2015', 'reserved'];

function link(a: LinkAddress | undefined): string | undefined {
  return a ? linkAddressText(a.bytes, 0, a.mode === 'extended') : undefined;
}

function macRecord(d: FrameDecoder): Record<string, unknown> {
  const level = d.macLevel();
  if (level === MAC_NONE) return { length: d.length };
  const m = d.lastInfo().mac;
  const addressed = level >= MAC_ADDRESSED;
  const r: Record<string, unknown> = {
    frameType: FRAME_TYPES[m.frameType] ?? `type ${m.frameType}`,
    frameVersion: VERSIONS[m.frameVersion],
    seq: addressed ? m.seq : undefined,
    dstPan: addressed ? m.dstPan : undefined,
    dst: addressed ? link(m.dst) : undefined,
    srcPan: addressed ? m.srcPan : undefined,
    src: addressed ? link(m.src) : undefined,
    ackRequest: m.ackRequest,
    framePending: m.framePending,
    panIdCompression: m.panIdCompression,
    security: m.security,
    iePresent: m.iePresent,
    headerLength: level === MAC_FULL ? m.headerLength : undefined,
    payloadLength: level === MAC_FULL ? m.payloadLength : undefined,
  };
  if (d.fcsKind === FCS_NONE || d.fcsKind === FCS_METADATA) {
    r.fcsAbsent = true;
  } else {
    Object.assign(r, d.reportedFcs());
    if (d.fcsKind === FCS_32) r.fcsLength = 4;
    if (d.fcsIgnored) r.fcsIgnored = true;
  }
  return r;
}

/** The IPHC fields of RFC 6282 §3.1.1, by name. */
export function iphcFields(iphc: number): Record<string, number> {
  return {
    tf: (iphc >> 11) & 3, nh: (iphc >> 10) & 1, hlim: (iphc >> 8) & 3, cid: (iphc >> 7) & 1,
    sac: (iphc >> 6) & 1, sam: (iphc >> 4) & 3, m: (iphc >> 3) & 1, dac: (iphc >> 2) & 1, dam: iphc & 3,
  };
}

function lowpanRecord(d: FrameDecoder): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  if (d.macLevel() === MAC_NONE) return r;
  const l = d.lastInfo().lowpan;
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

/** The report on the last frame `d` decoded. */
export function frameReport(d: FrameDecoder, meta: FrameMeta = {}): FrameReport {
  const report: FrameReport = {
    capture: meta.capture, zep: meta.zep, tap: meta.tap,
    mac: macRecord(d), lowpan: lowpanRecord(d),
  };
  const r = d.result;
  if (r > 0) addPacket(report, d.lastPacket(r));
  if (d.replacedDatagram) report.note = REPLACED_NOTE;
  if (r < 0) {
    report.error = reasonText(-r);
    report.reason = reasonName(-r);
  }
  // Members in a fixed order, whatever order they were found in.
  const ordered: FrameReport = {
    capture: report.capture, zep: report.zep, tap: report.tap, mac: report.mac, lowpan: report.lowpan,
    packet: report.packet, ipv6: report.ipv6, udp: report.udp, icmpv6: report.icmpv6, payload: report.payload,
    coap: report.coap, note: report.note, error: report.error, reason: report.reason,
  };
  for (const k of Object.keys(ordered) as Array<keyof FrameReport>) if (ordered[k] === undefined) delete ordered[k];
  return ordered;
}

function addPacket(report: FrameReport, bytes: Uint8Array): void {
  report.packet = hexText(bytes);
  try {
    const p = parseIpv6Packet(bytes);
    const h = p.header;
    report.ipv6 = {
      src: ipv6Text(h.src), dst: ipv6Text(h.dst), nextHeader: h.nextHeader, hopLimit: h.hopLimit,
      trafficClass: h.trafficClass, flowLabel: h.flowLabel, payloadLength: h.payloadLength,
    };
    if (p.udp) {
      const u = p.udp;
      report.udp = { srcPort: u.srcPort, dstPort: u.dstPort, checksum: u.checksum, length: u.length, checksumOk: u.checksumOk };
      if (u.payload.length) report.payload = payloadRecord(u.payload);
      if (u.srcPort === COAP_PORT || u.dstPort === COAP_PORT) report.coap = coapRecord(u.payload);
    }
    if (p.icmpv6) {
      const i = p.icmpv6;
      report.icmpv6 = { type: i.type, code: i.code, checksum: i.checksum, checksumOk: i.checksumOk };
      if (i.echo) {
        Object.assign(report.icmpv6, { identifier: i.echo.identifier, sequence: i.echo.sequence });
        if (i.echo.data.length) report.payload = payloadRecord(i.echo.data);
      }
    }
  } catch (err) {
    report.error = `decoded packet does not parse: ${(err as Error).message}`;
  }
}

const hex16 = (n: number) => '0x' + n.toString(16).padStart(4, '0');

function fcsText(m: Record<string, unknown>, r: FrameReport): string {
  if (m.fcsAbsent) {
    return r.zep && r.zep.lqiMode === 0 ? 'FCS octets carry RSSI/LQI (ZEP LQI mode), not checked' : 'no FCS captured';
  }
  const value = m.fcsLength === 4 ? '0x' + (m.fcs as number).toString(16).padStart(8, '0') : hex16(m.fcs as number);
  return `FCS${m.fcsLength === 4 ? '-32' : ''} ${value} ${m.fcsOk ? 'ok' : 'BAD'}${m.fcsIgnored ? ' (ignored: decoded anyway)' : ''}`;
}

function captureText(r: FrameReport): string {
  const c = r.capture;
  if (!c) return '';
  return ` (packet ${c.packet}, ${c.time.toFixed(6)} s)`;
}

/** Human-readable lines for one frame. */
export function frameText(index: number, r: FrameReport): string[] {
  const m = r.mac;
  const lines: string[] = [];
  if (m.frameType === undefined) {
    const what = m.length === 0 ? 'empty frame (0 octets)' : `${m.length} octets`;
    lines.push(`frame ${index}${captureText(r)}: ${what}`);
  } else {
    const pans = [m.dstPan !== undefined ? `dst PAN ${hex16(m.dstPan as number)}` : '', m.srcPan !== undefined ? `src PAN ${hex16(m.srcPan as number)}` : ''].filter(Boolean).join(' ');
    const addressed = m.seq !== undefined || m.src !== undefined || m.dst !== undefined || m.headerLength !== undefined;
    lines.push(`frame ${index}${captureText(r)}: ${m.frameType} ${m.frameVersion}`
      + (addressed ? ` seq ${m.seq ?? '-'}${pans ? ` ${pans}` : ''} ${m.src ?? '-'} -> ${m.dst ?? '-'}` : '')
      + ` ${fcsText(m, r)}${m.ackRequest ? ' AR' : ''}`);
  }
  if (r.zep) {
    const z = r.zep;
    lines.push(`  ZEP v${z.version} channel ${z.channel} device ${z.deviceId} LQI ${z.lqi}${z.seq !== undefined ? ` seq ${z.seq}` : ''}`
      + `, UDP ${z.src} -> ${z.dst}`);
  }
  if (r.tap) {
    const t = r.tap;
    const parts = [t.channel !== undefined ? `channel ${t.channel}${t.page !== undefined ? ` page ${t.page}` : ''}` : '',
      t.lqi !== undefined ? `LQI ${t.lqi}` : '', t.rss !== undefined ? `RSS ${t.rss} dBm` : ''].filter(Boolean);
    lines.push(`  TAP FCS type ${t.fcsType}${parts.length ? `, ${parts.join(', ')}` : ''}`);
  }
  const l = r.lowpan;
  const parts: string[] = [];
  const mesh = l.mesh as { hopsLeft: number; originator: string; final: string } | undefined;
  if (mesh) parts.push(`mesh hops left ${mesh.hopsLeft} originator ${mesh.originator} final ${mesh.final}`);
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
  if (r.coap) lines.push(...coapLines(r.coap));
  else if (r.payload) lines.push(...payloadLines('payload', Buffer.from(r.payload.hex, 'hex')));
  if (r.packet === undefined && !r.error && f) lines.push('  (fragment held; the packet is shown on the frame that completes it)');
  if (r.note) lines.push(`  note: ${r.note}`);
  if (r.error) lines.push(`  rejected: ${r.error}${r.reason ? ` (${r.reason})` : ''}`);
  return lines;
}

/** A captured packet whose contents do not decode, as one line. */
export function problemText(r: FrameMeta & { error: string; reason: string }): string {
  const c = r.capture;
  const where = c ? `packet ${c.packet} (${c.time.toFixed(6)} s)` : 'packet';
  return `${where}: ${r.error} (${r.reason})`;
}
