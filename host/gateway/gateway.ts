// The gateway: a 6LoWPAN border router for the devices on one link (a virtual
// board's medium with many nodes, a serial port, ZEP), and their way to CoAP.
// Built on the tester's packet library (host/harness/tester.ts and
// host/packet/), never on the core.
//
// Router (RFC 6775 §6, RFC 8505 §5):
// - Router Solicitations are answered per device (RFC 6775 §6.5.2: unicast on
//   the link to the SLLAO; to ff02::1 at the IP layer when the RS came from
//   the unspecified address) with an RA that carries the prefix of the
//   device's cell from the site plan (PIO, A=1, L=0: RFC 6775 §5.4, §6.3), that
//   cell's context (6CO, RFC 6775 §4.2), an ABRO (§4.3) and a 6CIO with E set
//   (RFC 7400 §3.3, RFC 8505 §6.1: the router understands EARO).
// - NS with an ARO or EARO registers the target (RFC 6775 §6.5.1, RFC 8505
//   §5.6): the status comes from the registration table (registrations.ts:
//   0, 1 duplicate, 2 full, 3 moved) and goes back in an NA with the option
//   echoed; entries expire with their lifetime. An ARO without an SLLAO, or
//   from the unspecified address, is ignored (RFC 6775 §6.5.1).
// - NS for one of the gateway's own addresses is answered with an NA
//   (RFC 4861 §7.2.4); Echo Requests to them with Echo Replies (RFC 4443 §4.2).
// CoAP (coap-endpoint.ts) runs over UDP to the devices' registered addresses,
// from the gateway's address in the same prefix (or its link-local address).
import type { Board } from '../board/board-config.js';
import { Tester, BROADCAST, type HeardPacket } from '../harness/tester.js';
import type { Link } from '../link/link.js';
import { bytesEqual } from '../packet/bytes.js';
import { echoBody } from '../packet/icmpv6.js';
import { formatIpv6, ipv6FromPrefixAndIid, parseIpv6 } from '../packet/ipv6-address.js';
import { interfaceIdFromLinkAddress, linkAddressFromIid, linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { AroStatus, buildNdPacket, findNdOption, parseNd, type NdMessage, type NdOption, type ParsedNdPacket } from '../packet/ndp.js';
import { buildIpv6Packet, parseIpv6Packet, type ParsedIpv6Packet } from '../packet/packet.js';
import { CoapEndpoint, COAP_PORT, type CoapEndpointOptions } from './coap-endpoint.js';
import { LinkTimers } from './link-timers.js';
import { RegistrationTable, type RegistrationEntry } from './registrations.js';
import { Site, eui64Text, isLinkLocal, type Cell, type SitePlan } from './site-plan.js';
import type { CoapRequest, CoapResponse, Gateway, RegisteredDevice } from './types.js';

export const ALL_NODES = parseIpv6('ff02::1');
const ALL_ROUTERS = parseIpv6('ff02::2');
const UNSPECIFIED = new Uint8Array(16);

export interface GatewayOptions {
  /** The gateway's link address (default: the board's tester address, which a virtual board's radio acknowledges). */
  link?: LinkAddress;
  /** Default PAN (default: the board's). */
  pan?: number;
  /** The site's address plan (default: one cell, 2001:db8::/64). */
  plan?: SitePlan;
  /** Addresses the registration table holds (default 1024); a new one beyond gets status 2. */
  capacity?: number;
  /** RA Router Lifetime in seconds (default 1800, RFC 4861 §6.2.1 at most 9000). */
  routerLifetimeS?: number;
  /** PIO lifetimes in seconds (defaults 86400 and 14400). */
  validLifetimeS?: number;
  preferredLifetimeS?: number;
  /** 6CO and ABRO lifetimes in minutes (default 60). */
  contextLifetimeMin?: number;
  abroVersion?: number;
  /** Send one multicast RA at start with the default cell's prefix (default false: 6LoWPAN-ND hosts solicit, RFC 6775 §5.3; with several cells a multicast RA would give every device the same prefix). */
  announce?: boolean;
  /** The CoAP endpoint: its UDP port (default 5684 + a random offset), timing, randomness. */
  coap?: Partial<CoapEndpointOptions>;
}

/** A registration answered (for tests and logs). */
export interface RegistrationEvent {
  at: number;
  address: string;
  eui64: string;
  status: number;
  lifetimeMinutes: number;
  earo: boolean;
  tid?: number;
}

export class SixlabGateway implements Gateway {
  readonly tester: Tester;
  readonly site: Site;
  readonly table: RegistrationTable;
  readonly coap: CoapEndpoint;
  readonly timers: LinkTimers;
  readonly linkAddress: LinkAddress;
  readonly ll: Uint8Array;
  /** Every registration answered, any status. */
  readonly registrationLog: RegistrationEvent[] = [];
  private readonly pan: number;
  private readonly iid: Uint8Array;
  private readonly listeners = new Set<(d: RegisteredDevice) => void>();
  private readonly stop: () => void;
  private readonly options: GatewayOptions;
  private closed = false;

  constructor(readonly link: Link, board: Pick<Board, 'testerLink' | 'pan'> & Partial<Board>, options: GatewayOptions = {}) {
    this.options = options;
    this.linkAddress = options.link ?? board.testerLink;
    this.pan = options.pan ?? board.pan;
    this.site = new Site(options.plan);
    this.timers = new LinkTimers(link.clock);
    this.table = new RegistrationTable(this.timers, options.capacity ?? 1024);
    this.ll = linkLocalFromLinkAddress(this.linkAddress);
    this.iid = interfaceIdFromLinkAddress(this.linkAddress);
    this.tester = new Tester(link, { ...board, testerLink: this.linkAddress, pan: this.pan } as Board);
    // The cells' contexts (RFC 6282 §3.1.2): the gateway compresses and decompresses with every one.
    for (const c of this.site.cells) if (c.cid !== undefined) this.tester.contexts.set(c.cid, { prefix: c.prefixBytes, length: c.length, compress: true });
    (link as { adopt?(l: LinkAddress): void }).adopt?.(this.linkAddress);
    const random = options.coap?.random ?? Math.random;
    this.coap = new CoapEndpoint(
      { send: (dst, dstPort, srcPort, payload) => this.sendUdp(dst, dstPort, srcPort, payload) },
      this.timers,
      { port: options.coap?.port ?? 0xc000 + Math.floor(random() * 0x3000), ...options.coap },
    );
    this.stop = this.tester.onPacket((h) => this.hear(h));
  }

  /** Starts a gateway on a link; with `announce`, sends a multicast RA first. */
  static async start(link: Link, board: Pick<Board, 'testerLink' | 'pan'> & Partial<Board>, options: GatewayOptions = {}): Promise<SixlabGateway> {
    const gw = new SixlabGateway(link, board, options);
    if (options.announce) await gw.sendRa(ALL_NODES, BROADCAST, gw.site.defaultCell);
    return gw;
  }

  /** The gateway's addresses: link-local, then one per cell (the cell's prefix and the gateway's IID). */
  addresses(): Uint8Array[] {
    return [this.ll, ...this.site.cells.map((c) => this.addressIn(c))];
  }

  addressIn(cell: Cell): Uint8Array {
    return ipv6FromPrefixAndIid(cell.prefixBytes, this.iid);
  }

  private isOwn(a: Uint8Array): boolean {
    return bytesEqual(a, this.ll) || this.site.cells.some((c) => bytesEqual(a, this.addressIn(c)));
  }

  // ------------------------------------------------------------------ what the gateway hears

  private hear(h: HeardPacket): void {
    if (this.closed) return;
    let p: ParsedIpv6Packet;
    try {
      p = parseIpv6Packet(h.packet);
    } catch {
      return;
    }
    const dst = p.header.dst;
    if (dst[0] !== 0xff && !this.isOwn(dst)) return; // another node's traffic, heard on a shared medium
    if (p.icmpv6) {
      const type = p.icmpv6.type;
      if (type === 133 || type === 135) return void this.hearNd(h).catch(() => {});
      if (type === 128 && p.icmpv6.echo && p.icmpv6.checksumOk && dst[0] !== 0xff) return void this.echoReply(p, h).catch(() => {});
      return;
    }
    if (p.udp && p.udp.checksumOk && dst[0] !== 0xff && p.udp.dstPort === this.coap.port) {
      this.coap.receive(p.header.src, p.udp.srcPort, p.udp.payload, h.at);
    }
  }

  private async hearNd(h: HeardPacket): Promise<void> {
    let nd: ParsedNdPacket;
    try {
      nd = parseNd(h.packet);
    } catch {
      return;
    }
    // RFC 4861 §6.1.1, §7.1.1: hop limit 255, code 0, a right checksum, or the message is dropped.
    if (nd.header.hopLimit !== 255 || nd.code !== 0 || !nd.checksumOk) return;
    if (nd.message.kind === 'rs') return this.answerRs(nd, h);
    if (nd.message.kind === 'ns') return this.answerNs(nd, h);
  }

  /** RFC 6775 §6.5.2: the RA goes to the RS's source, on the link to its SLLAO. */
  private async answerRs(nd: ParsedNdPacket, h: HeardPacket): Promise<void> {
    if (nd.message.kind !== 'rs') return;
    const dst = nd.header.dst;
    if (!bytesEqual(dst, ALL_ROUTERS) && !bytesEqual(dst, ALL_NODES) && !this.isOwn(dst)) return;
    const sllao = findNdOption(nd.message, 'sllao');
    const unspecified = bytesEqual(nd.header.src, UNSPECIFIED);
    if (unspecified && sllao) return; // RFC 4861 §6.1.1: an RS from :: carries no SLLAO
    const link = sllao?.addr ?? h.src ?? linkAddressFromIid(nd.header.src.subarray(8));
    const eui64 = link.mode === 'extended' ? eui64Text(link.bytes) : undefined;
    await this.sendRa(unspecified ? ALL_NODES : nd.header.src, unspecified && !sllao && !h.src ? BROADCAST : link, this.site.cellOf(eui64));
  }

  /** The RA for the devices of one cell. */
  raMessage(cell: Cell): NdMessage {
    const o = this.options;
    const options: NdOption[] = [
      { kind: 'sllao', addr: this.linkAddress },
      // RFC 6775 §5.4, §6.3: prefixes are not on-link (L=0); A=1 for SLAAC.
      { kind: 'pio', prefixLength: cell.length, onLink: false, autonomous: true, validLifetime: o.validLifetimeS ?? 86400, preferredLifetime: o.preferredLifetimeS ?? 14400, prefix: cell.prefixBytes },
    ];
    if (cell.cid !== undefined) {
      options.push({ kind: '6co', contextLength: cell.length, compression: true, cid: cell.cid, validLifetime: o.contextLifetimeMin ?? 60, prefix: cell.prefixBytes.slice(0, 8) });
    }
    options.push({ kind: 'abro', version: o.abroVersion ?? 1, validLifetime: o.contextLifetimeMin ?? 60, address: this.addressIn(cell) });
    // 6CIO (RFC 7400 §3.3) with E (RFC 8505 §4.3, §6.1): flags 0x0002, then 4 reserved octets.
    options.push({ kind: 'raw', type: 36, body: Uint8Array.of(0, 0x02, 0, 0, 0, 0) });
    return { kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: o.routerLifetimeS ?? 1800, reachableTime: 0, retransTimer: 0, options };
  }

  async sendRa(dst: Uint8Array, link: LinkAddress, cell: Cell): Promise<void> {
    const ra = buildNdPacket({ src: this.ll, dst, message: this.raMessage(cell) });
    await this.tester.send(ra, { dst: link, src: this.linkAddress, pan: cell.pan ?? this.pan });
  }

  private async answerNs(nd: ParsedNdPacket, h: HeardPacket): Promise<void> {
    if (nd.message.kind !== 'ns') return;
    const target = nd.message.target;
    if (target[0] === 0xff) return; // RFC 4861 §7.1.1: never a multicast target
    const aro = findNdOption(nd.message, 'aro');
    const sllao = findNdOption(nd.message, 'sllao');
    const unspecified = bytesEqual(nd.header.src, UNSPECIFIED);
    if (aro && sllao && !unspecified) return this.register(nd, aro, sllao.addr, h);
    if (!this.isOwn(target)) return;
    // RFC 4861 §7.2.4: NS for our address; from :: (DAD) the answer goes to all nodes.
    const link = sllao?.addr ?? h.src ?? BROADCAST;
    const na = buildNdPacket({
      src: target, dst: unspecified ? ALL_NODES : nd.header.src,
      message: { kind: 'na', router: true, solicited: !unspecified, override: true, target, options: [{ kind: 'tllao', addr: this.linkAddress }] },
    });
    await this.tester.send(na, { dst: unspecified ? BROADCAST : link, src: this.linkAddress, pan: this.panFor(link) });
  }

  private async register(nd: ParsedNdPacket, aro: NdOption & { kind: 'aro' }, link: LinkAddress, h: HeardPacket): Promise<void> {
    if (nd.message.kind !== 'ns') return;
    const target = nd.message.target;
    const earo = aro.t === true;
    const outcome = this.table.register({
      address: target, rovr: aro.rovr, link, tid: earo ? aro.tid : undefined, earo, lifetimeMinutes: aro.lifetime, at: h.at,
    });
    const eui64 = outcome.entry?.eui64 ?? (aro.rovr.length === 8 ? eui64Text(aro.rovr) : link.mode === 'extended' ? eui64Text(link.bytes) : '');
    this.registrationLog.push({ at: h.at, address: formatIpv6(target), eui64, status: outcome.status, lifetimeMinutes: aro.lifetime, earo, tid: earo ? aro.tid : undefined });
    // RFC 6775 §6.5.2: a refused registration sent from the address itself is
    // answered to the link-local address of the ARO's EUI-64 (the source may be a duplicate).
    let dst = nd.header.src;
    if (outcome.status !== AroStatus.Success && bytesEqual(nd.header.src, target) && aro.rovr.length === 8) {
      dst = linkLocalFromLinkAddress({ mode: 'extended', bytes: aro.rovr });
    }
    const na = buildNdPacket({
      src: this.ll, dst,
      message: { kind: 'na', router: true, solicited: true, override: false, target, options: [{ ...aro, status: outcome.status, r: false }] },
    });
    await this.tester.send(na, { dst: link, src: this.linkAddress, pan: this.panFor(link) });
    if (outcome.status === AroStatus.Success && aro.lifetime > 0 && outcome.entry) {
      const d = this.device(outcome.entry.eui64);
      if (d) for (const l of this.listeners) l(d);
    }
  }

  private async echoReply(p: ParsedIpv6Packet, h: HeardPacket): Promise<void> {
    const e = p.icmpv6!.echo!;
    if (e.reply) return;
    const reply = buildIpv6Packet({ src: p.header.dst, dst: p.header.src, upper: { kind: 'icmpv6', type: 129, code: 0, body: echoBody(e.identifier, e.sequence, e.data) } });
    const link = this.linkFor(p.header.src) ?? h.src;
    if (link) await this.tester.send(reply, { dst: link, src: this.linkAddress, pan: this.panFor(link) });
  }

  // ------------------------------------------------------------------ sending to devices

  /** Where packets for an address go: its registration's SLLAO; for others, the link address its IID was formed from (RFC 4944 §6). */
  linkFor(address: Uint8Array): LinkAddress | undefined {
    const entry = this.table.get(address);
    if (entry) return entry.link;
    if (address[0] === 0xff) return BROADCAST;
    return linkAddressFromIid(address.subarray(8));
  }

  private panFor(link: LinkAddress): number {
    if (link.mode !== 'extended') return this.pan;
    return this.site.cellOf(eui64Text(link.bytes)).pan ?? this.pan;
  }

  /** The gateway's source address for a destination (RFC 6724: same scope, same prefix). */
  sourceFor(dst: Uint8Array): Uint8Array {
    if (isLinkLocal(dst)) return this.ll;
    const cell = this.site.cellHolding(dst) ?? this.site.defaultCell;
    return this.addressIn(cell);
  }

  /** One UDP datagram to a device. */
  async sendUdp(dst: Uint8Array, dstPort: number, srcPort: number, payload: Uint8Array): Promise<void> {
    if (this.closed) return;
    const link = this.linkFor(dst);
    if (!link) throw new Error(`no link address for ${formatIpv6(dst)}`);
    const packet = buildIpv6Packet({ src: this.sourceFor(dst), dst, upper: { kind: 'udp', srcPort, dstPort, payload } });
    await this.tester.send(packet, { dst: link, src: this.linkAddress, pan: this.panFor(link) });
  }

  // ------------------------------------------------------------------ Gateway

  private device(eui64: string): RegisteredDevice | undefined {
    const entries = this.table.all().filter((e) => e.eui64 === eui64);
    if (!entries.length) return undefined;
    return this.toDevice(eui64, entries);
  }

  private toDevice(eui64: string, entries: RegistrationEntry[]): RegisteredDevice {
    const latest = entries.reduce((a, b) => (b.lastRegisteredAt > a.lastRegisteredAt ? b : a));
    return {
      eui64,
      addresses: entries.map((e) => e.text),
      firstRegisteredAt: Math.min(...entries.map((e) => e.firstRegisteredAt)),
      lastRegisteredAt: latest.lastRegisteredAt,
      lifetimeMinutes: latest.lifetimeMinutes,
      location: this.site.locationOf(eui64),
      cell: this.site.cellOf(eui64).name,
      registrations: entries.map((e) => ({
        address: e.text, firstRegisteredAt: e.firstRegisteredAt, lastRegisteredAt: e.lastRegisteredAt, lifetimeMinutes: e.lifetimeMinutes, expiresAt: e.expiresAt, tid: e.tid,
      })),
    };
  }

  devices(): RegisteredDevice[] {
    const byEui = new Map<string, RegistrationEntry[]>();
    for (const e of this.table.all()) {
      const list = byEui.get(e.eui64);
      if (list) list.push(e);
      else byEui.set(e.eui64, [e]);
    }
    return [...byEui].map(([eui, entries]) => this.toDevice(eui, entries));
  }

  onRegistration(listener: (d: RegisteredDevice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first registered device `match` accepts (at once if one
   * is registered already), or undefined after `timeoutMs` on the link's clock.
   */
  waitForDevice(match: (d: RegisteredDevice) => boolean, timeoutMs: number): Promise<RegisteredDevice | undefined> {
    const now = this.devices().find(match);
    if (now) return Promise.resolve(now);
    return this.timers.hold<RegisteredDevice | undefined>((resolve) => {
      let cancel = () => {};
      const off = this.onRegistration((d) => {
        if (!match(d)) return;
        off();
        cancel();
        resolve(d);
      });
      cancel = this.timers.after(timeoutMs, () => {
        off();
        resolve(undefined);
      });
    });
  }

  /** Waits until an address is registered (see waitForDevice). */
  waitForAddress(address: string, timeoutMs: number): Promise<RegisteredDevice | undefined> {
    const text = formatIpv6(parseIpv6(address));
    return this.waitForDevice((d) => d.addresses.includes(text), timeoutMs);
  }

  request(req: CoapRequest): Promise<CoapResponse> {
    return this.coap.request(req);
  }

  observe(req: Omit<CoapRequest, 'method'>, onNotify: (r: CoapResponse) => void): Promise<() => Promise<void>> {
    return this.coap.observe(req, onNotify);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.coap.close();
    this.stop();
    this.tester.close();
    this.table.clear();
    this.timers.cancelAll();
  }
}

export { COAP_PORT };
