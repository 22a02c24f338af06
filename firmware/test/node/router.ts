// The tester's router for node tests: answers Router Solicitations with an RA
// (PIO, 6CO, ABRO, SLLAO) and address registrations with an NA carrying the
// status the test chooses (RFC 6775 §6.5, RFC 8505 §5.4), all built with the
// tester's own ND library.
import { echoBody } from '../../../host/packet/icmpv6.js';
import { linkAddressFromIid, type LinkAddress } from '../../../host/packet/link-address.js';
import { buildNdPacket, findNdOption, parseNd, type NdOption, type ParsedNdPacket } from '../../../host/packet/ndp.js';
import { buildIpv6Packet, parseIpv6Packet } from '../../../host/packet/packet.js';
import { BROADCAST, linkLocal, type Heard, type Sim } from './sim.js';

export interface ContextSpec {
  cid: number;
  prefix: Uint8Array;
  length: number;
  compression: boolean;
  lifetimeMinutes: number;
}

export interface RouterOptions {
  link: LinkAddress;
  prefix?: Uint8Array; // a /64 for SLAAC (A=1, L=0 in 6LoWPAN-ND)
  validLifetime?: number; // seconds
  preferredLifetime?: number;
  routerLifetime?: number; // seconds
  reachableTime?: number;
  retransTimer?: number;
  contexts?: ContextSpec[];
  abroVersion?: number;
  /** Registration status to answer with (RFC 8505 §4.2), per target if a function;
   *  undefined: stay silent. */
  aroStatus?: number | ((target: Uint8Array) => number | undefined) | undefined;
  answerRs?: boolean;
  onLink?: boolean;
  /** A 6CIO (RFC 7400 §3.3, RFC 8505 §4.3) in every RA with these 16 flag bits
   *  (E = 0x0002: EARO support, an RFC 8505 router); undefined: no 6CIO, which
   *  makes it an RFC 6775-only router to the node (RFC 8505 §6.3). */
  capabilities?: number;
  /** The tester station's name on the medium (several routers need several). */
  name?: string;
}

export interface RouterHeard extends Heard {
  nd?: ParsedNdPacket;
}

function linkOf(option: NdOption | undefined, ipAddr: Uint8Array): LinkAddress {
  if (option && (option.kind === 'sllao' || option.kind === 'tllao')) return option.addr;
  return linkAddressFromIid(ipAddr.subarray(8));
}

export class TestRouter {
  readonly ll: Uint8Array;
  readonly heard: RouterHeard[] = [];
  options: RouterOptions;

  constructor(private readonly sim: Sim, options: RouterOptions) {
    this.options = { answerRs: true, aroStatus: 0, routerLifetime: 1800, validLifetime: 86400, preferredLifetime: 43200, ...options };
    this.ll = linkLocal(options.link);
    sim.addTester(options.name ?? 'router', (h) => this.hear(h));
    for (const c of options.contexts ?? []) sim.setContext(c.cid, c.prefix, c.length);
  }

  private hear(h: Heard): void {
    const p = parseIpv6Packet(h.packet!);
    const entry: RouterHeard = { ...h };
    if (p.icmpv6 && p.icmpv6.type >= 133 && p.icmpv6.type <= 137) entry.nd = parseNd(h.packet!);
    this.heard.push(entry);
    const nd = entry.nd;
    if (!nd) return;
    if (nd.message.kind === 'rs' && this.options.answerRs) {
      const unspecified = nd.header.src.every((b) => b === 0);
      const dst = unspecified ? linkLocalAllNodes() : nd.header.src;
      this.sendRa(dst, unspecified ? BROADCAST : linkOf(findNdOption(nd.message, 'sllao'), nd.header.src));
    }
    if (nd.message.kind === 'ns') this.answerNs(nd);
  }

  /** Registration (NS with ARO/EARO) or NUD/resolution of the router's address. */
  private answerNs(nd: ParsedNdPacket): void {
    if (nd.message.kind !== 'ns') return;
    // Every station hears every frame: answer only what was sent to this router.
    const dst = nd.header.dst;
    if (dst[0] !== 0xff && !dst.every((b, i) => b === this.ll[i])) return;
    const aro = findNdOption(nd.message, 'aro');
    const link = linkOf(findNdOption(nd.message, 'sllao'), nd.header.src);
    const options: NdOption[] = [];
    if (aro) {
      const s = this.options.aroStatus;
      const status = typeof s === 'function' ? s(nd.message.target) : s;
      if (status === undefined) return;
      options.push({ ...aro, status, r: false });
    } else if (nd.message.target.every((b, i) => b === this.ll[i])) {
      options.push({ kind: 'tllao', addr: this.options.link });
    } else return;
    const na = buildNdPacket({
      src: this.ll, dst: nd.header.src,
      message: { kind: 'na', router: true, solicited: true, override: !aro, target: nd.message.target, options },
    });
    this.sim.inject(this.options.link, link, na);
  }

  /** An RA from this router to dst (ff02::1 by default). */
  sendRa(dst: Uint8Array = linkLocalAllNodes(), link: LinkAddress = BROADCAST, override: Partial<RouterOptions> = {}): void {
    const o = { ...this.options, ...override };
    const options: NdOption[] = [{ kind: 'sllao', addr: o.link }];
    if (o.prefix) {
      options.push({
        kind: 'pio', prefixLength: 64, onLink: o.onLink ?? false, autonomous: true,
        validLifetime: o.validLifetime!, preferredLifetime: o.preferredLifetime!, prefix: o.prefix,
      });
    }
    for (const c of o.contexts ?? []) {
      options.push({ kind: '6co', contextLength: c.length, compression: c.compression, cid: c.cid, validLifetime: c.lifetimeMinutes, prefix: c.prefix.slice(0, c.length > 64 ? 16 : 8) });
    }
    if (o.capabilities !== undefined) {
      // 6CIO: Type 36, Length 1, 16 bits of flags (..D L B P E G), 4 reserved octets.
      options.push({ kind: 'raw', type: 36, body: Uint8Array.of(o.capabilities >> 8, o.capabilities & 0xff, 0, 0, 0, 0) });
    }
    if (o.abroVersion !== undefined) options.push({ kind: 'abro', version: o.abroVersion, validLifetime: 60, address: this.ll });
    const ra = buildNdPacket({
      src: this.ll, dst,
      message: {
        kind: 'ra', curHopLimit: 64, managed: false, other: false, routerLifetime: o.routerLifetime!,
        reachableTime: o.reachableTime ?? 0, retransTimer: o.retransTimer ?? 0, options,
      },
    });
    this.sim.inject(o.link, link, ra);
  }

  /** An Echo Request from the router's link-local address (or `src`). */
  ping(dst: Uint8Array, link: LinkAddress, id: number, seq: number, data = new Uint8Array(8), src = this.ll): void {
    this.sim.inject(this.options.link, link, buildIpv6Packet({
      src, dst, upper: { kind: 'icmpv6', type: 128, code: 0, body: echoBody(id, seq, data) },
    }));
  }

  send(packet: Uint8Array, link: LinkAddress): void {
    this.sim.inject(this.options.link, link, packet);
  }

  nd(kind: string, since = 0): RouterHeard[] {
    return this.heard.filter((h) => h.nd?.message.kind === kind && h.at >= since);
  }
}

export function linkLocalAllNodes(): Uint8Array {
  return Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
}
