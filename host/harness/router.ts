// The tester as a router on the device's link: a 6LoWPAN border router
// (RFC 6775 §6, RFC 8505 §5) or a classic IPv6 router (RFC 4861 §6). It answers
// Router Solicitations with an RA carrying what the test chooses (PIO, 6CO,
// ABRO, 6CIO, MTU), answers registrations (NS with ARO/EARO) with any status,
// answers NS for its own address, and can send Redirects. Everything is built
// with the tester's own packet library; nothing here trusts the device.
import { formatIpv6 } from '../packet/ipv6-address.js';
import { linkAddressFromIid, linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { buildNdPacket, findNdOption, parseNd, type NdMessage, type NdOption, type ParsedNdPacket } from '../packet/ndp.js';
import { BROADCAST, type HeardPacket, type Tester } from './tester.js';

export const ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

export interface PrefixSpec {
  prefix: Uint8Array; // 16 octets
  length?: number; // default 64
  onLink?: boolean;
  autonomous?: boolean;
  validLifetime?: number; // seconds
  preferredLifetime?: number;
}

export interface ContextSpec {
  cid: number;
  prefix: Uint8Array;
  length: number;
  compression: boolean;
  lifetimeMinutes: number;
}

export interface RouterConfig {
  link: LinkAddress;
  prefixes?: PrefixSpec[];
  routerLifetime?: number; // seconds
  reachableTime?: number;
  retransTimer?: number;
  curHopLimit?: number;
  mtu?: number;
  contexts?: ContextSpec[];
  abro?: { version: number; lifetimeMinutes?: number };
  /** A 6CIO (RFC 7400 §3.3, RFC 8505 §4.3) with these flag bits (E = 0x02); absent: no 6CIO. */
  cioFlags?: number;
  /** Registration status to answer with; a function per target; undefined: stay silent. */
  aroStatus?: number | ((target: Uint8Array, ns: ParsedNdPacket) => number | undefined);
  /** Answer Router Solicitations (default true). */
  answerRs?: boolean;
  /** Answer NS for the router's own address (default true). */
  answerNs?: boolean;
  /** Options appended to every RA, as given (malformed ones included). */
  extraRaOptions?: NdOption[];
}

export interface Registration {
  target: Uint8Array;
  status: number;
  lifetime: number;
  tid?: number;
  at: number;
  earo: boolean;
}

export class TesterRouter {
  readonly ll: Uint8Array;
  config: RouterConfig;
  readonly registrations: Registration[] = [];
  private stop?: () => void;

  constructor(private readonly tester: Tester, config: RouterConfig) {
    this.config = { answerRs: true, answerNs: true, aroStatus: 0, routerLifetime: 1800, curHopLimit: 64, ...config };
    this.ll = linkLocalFromLinkAddress(config.link);
    (tester.link as { adopt?(l: LinkAddress): void }).adopt?.(config.link);
    for (const c of config.contexts ?? []) {
      tester.contexts.set(c.cid, { prefix: pad16(c.prefix), length: c.length, compress: c.compression });
    }
  }

  /** Starts answering; `announce` also sends an unsolicited RA to all nodes now. */
  async start(announce = true): Promise<void> {
    this.stop ??= this.tester.onPacket((h) => void this.hear(h));
    if (announce) await this.sendRa();
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }

  private async hear(h: HeardPacket): Promise<void> {
    if (h.packet[6] !== 58 || h.packet.length < 44 || h.packet[40] < 133 || h.packet[40] > 137) return;
    let nd: ParsedNdPacket;
    try {
      nd = parseNd(h.packet);
    } catch {
      return; // malformed ND is the test's business, not the router's
    }
    // A router, like any node, ignores ND that fails validation (RFC 4861 §6.1.1, §7.1.1).
    if (nd.header.hopLimit !== 255 || nd.code !== 0 || !nd.checksumOk) return;
    if (nd.message.kind === 'rs' && this.config.answerRs) {
      const unspecified = nd.header.src.every((b) => b === 0);
      const link = unspecified ? BROADCAST : linkOf(findNdOption(nd.message, 'sllao'), nd.header.src, h.src);
      await this.sendRa(unspecified ? ALL_NODES : nd.header.src, link);
    } else if (nd.message.kind === 'ns') {
      await this.answerNs(nd, h);
    }
  }

  private async answerNs(nd: ParsedNdPacket, h: HeardPacket): Promise<void> {
    if (nd.message.kind !== 'ns') return;
    const aro = findNdOption(nd.message, 'aro');
    const link = linkOf(findNdOption(nd.message, 'sllao'), nd.header.src, h.src);
    const options: NdOption[] = [];
    if (aro) {
      const s = this.config.aroStatus;
      const status = typeof s === 'function' ? s(nd.message.target, nd) : s;
      if (status === undefined) return;
      this.registrations.push({
        target: nd.message.target, status, lifetime: aro.lifetime, tid: aro.t ? aro.tid : undefined, at: h.at, earo: aro.t ?? false,
      });
      options.push({ ...aro, status, r: false });
    } else if (this.config.answerNs && sameAddress(nd.message.target, this.ll)) {
      options.push({ kind: 'tllao', addr: this.config.link });
    } else return;
    const unspecified = nd.header.src.every((b) => b === 0);
    const na = buildNdPacket({
      src: this.ll, dst: unspecified ? ALL_NODES : nd.header.src,
      message: { kind: 'na', router: true, solicited: !unspecified, override: !aro, target: nd.message.target, options },
    });
    await this.tester.send(na, { dst: unspecified ? BROADCAST : link, src: this.config.link });
  }

  /** The RA this router sends (to all nodes unless told). */
  raMessage(override: Partial<RouterConfig> = {}): NdMessage {
    const o = { ...this.config, ...override };
    const options: NdOption[] = [{ kind: 'sllao', addr: o.link }];
    if (o.mtu !== undefined) options.push({ kind: 'mtu', mtu: o.mtu });
    for (const p of o.prefixes ?? []) {
      options.push({
        kind: 'pio', prefixLength: p.length ?? 64, onLink: p.onLink ?? false, autonomous: p.autonomous ?? true,
        validLifetime: p.validLifetime ?? 86400, preferredLifetime: p.preferredLifetime ?? 43200, prefix: p.prefix,
      });
    }
    for (const c of o.contexts ?? []) {
      options.push({ kind: '6co', contextLength: c.length, compression: c.compression, cid: c.cid, validLifetime: c.lifetimeMinutes, prefix: c.prefix.slice(0, c.length > 64 ? 16 : 8) });
    }
    if (o.abro) options.push({ kind: 'abro', version: o.abro.version, validLifetime: o.abro.lifetimeMinutes ?? 60, address: this.ll });
    if (o.cioFlags !== undefined) {
      options.push({ kind: 'raw', type: 36, body: Uint8Array.of((o.cioFlags >> 8) & 0xff, o.cioFlags & 0xff, 0, 0, 0, 0) });
    }
    options.push(...(o.extraRaOptions ?? []));
    return {
      kind: 'ra', curHopLimit: o.curHopLimit ?? 64, managed: false, other: false, routerLifetime: o.routerLifetime ?? 1800,
      reachableTime: o.reachableTime ?? 0, retransTimer: o.retransTimer ?? 0, options,
    };
  }

  async sendRa(dst: Uint8Array = ALL_NODES, link: LinkAddress = BROADCAST, override: Partial<RouterConfig> = {}): Promise<Uint8Array[]> {
    const ra = buildNdPacket({ src: this.ll, dst, message: this.raMessage(override) });
    return this.tester.send(ra, { dst: link, src: this.config.link });
  }

  /** A Redirect to the device (RFC 4861 §8.2): packets for `destination` go to `target`. */
  async sendRedirect(device: Uint8Array, deviceLink: LinkAddress, target: Uint8Array, destination: Uint8Array, targetLink?: LinkAddress): Promise<Uint8Array[]> {
    const options: NdOption[] = targetLink ? [{ kind: 'tllao', addr: targetLink }] : [];
    const redirect = buildNdPacket({ src: this.ll, dst: device, message: { kind: 'redirect', target, destination, options } });
    return this.tester.send(redirect, { dst: deviceLink, src: this.config.link });
  }

  /** Sends any packet from the router's link address. */
  async send(packet: Uint8Array, dst: LinkAddress): Promise<Uint8Array[]> {
    return this.tester.send(packet, { dst, src: this.config.link });
  }

  /** The registration answers for an address, oldest first. */
  registrationsOf(target: Uint8Array): Registration[] {
    return this.registrations.filter((r) => sameAddress(r.target, target));
  }

  describe(): string {
    return `router ${formatIpv6(this.ll)}`;
  }
}

function pad16(p: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out.set(p.subarray(0, 16));
  return out;
}

export function sameAddress(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Where to send an answer: the SLLAO's address, else the MAC source, else the one the IID came from. */
function linkOf(option: NdOption | undefined, ipAddr: Uint8Array, macSrc?: LinkAddress): LinkAddress {
  if (option && (option.kind === 'sllao' || option.kind === 'tllao')) return option.addr;
  return macSrc ?? linkAddressFromIid(ipAddr.subarray(8));
}
