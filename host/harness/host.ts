// The tester as a host on the device's link (the peer the device talks to, or
// "another host": a DAD conflict, a duplicate registration). Like any host it
// answers Neighbor Solicitations for its addresses (RFC 4861 §7.2.4), so a
// device doing classic address resolution or NUD can reach it; a test can
// switch that off to play a host that went away.
import { linkLocalFromLinkAddress, type LinkAddress } from '../packet/link-address.js';
import { buildNdPacket, findNdOption, parseNd, type NdMessage } from '../packet/ndp.js';
import { ALL_NODES, sameAddress } from './router.js';
import { BROADCAST, type HeardPacket, type Tester } from './tester.js';

export class TesterHost {
  readonly ll: Uint8Array;
  readonly addresses: Uint8Array[];
  /** Answer NS for our addresses (default true). */
  answerNs = true;
  /** NS for our addresses seen (address resolution and NUD probes). */
  readonly solicitations: { at: number; target: Uint8Array; unicast: boolean }[] = [];
  private readonly stop: () => void;

  constructor(private readonly tester: Tester, readonly link: LinkAddress, extra: Uint8Array[] = []) {
    this.ll = linkLocalFromLinkAddress(link);
    this.addresses = [this.ll, ...extra];
    (tester.link as { adopt?(l: LinkAddress): void }).adopt?.(link);
    this.stop = tester.onPacket((h) => void this.hear(h));
  }

  private async hear(h: HeardPacket): Promise<void> {
    if (h.packet[6] !== 58 || h.packet.length < 64 || h.packet[40] !== 135) return;
    let nd;
    try {
      nd = parseNd(h.packet);
    } catch {
      return;
    }
    if (nd.message.kind !== 'ns' || nd.header.hopLimit !== 255 || !nd.checksumOk) return;
    const target = nd.message.target;
    if (!this.addresses.some((a) => sameAddress(a, target))) return;
    this.solicitations.push({ at: h.at, target, unicast: nd.header.dst[0] !== 0xff });
    if (!this.answerNs) return;
    const unspecified = nd.header.src.every((b) => b === 0);
    if (unspecified) return; // someone's DAD for our address: a test decides whether to defend
    const sllao = findNdOption(nd.message, 'sllao') as { addr: LinkAddress } | undefined;
    const dstLink = sllao?.addr ?? h.src ?? BROADCAST;
    await this.sendNd(nd.header.src, dstLink, { kind: 'na', router: false, solicited: true, override: true, target, options: [{ kind: 'tllao', addr: this.link }] });
  }

  /** An ND message from this host (hop limit 255, right checksum). */
  async sendNd(dst: Uint8Array, dstLink: LinkAddress, message: NdMessage, src: Uint8Array = this.ll): Promise<Uint8Array[]> {
    return this.tester.send(buildNdPacket({ src, dst, message }), { dst: dstLink, src: this.link });
  }

  /** Any packet from this host's link address. */
  async send(packet: Uint8Array, dstLink: LinkAddress): Promise<Uint8Array[]> {
    return this.tester.send(packet, { dst: dstLink, src: this.link });
  }

  /** An unsolicited NA for `target` to all nodes (defending an address, RFC 4862 §5.4.4). */
  async advertise(target: Uint8Array, override = true): Promise<Uint8Array[]> {
    return this.sendNd(ALL_NODES, BROADCAST, { kind: 'na', router: false, solicited: false, override, target, options: [{ kind: 'tllao', addr: this.link }] });
  }

  close(): void {
    this.stop();
  }
}
