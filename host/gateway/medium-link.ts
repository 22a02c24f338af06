// A gateway's radio on a simulated medium shared with many nodes (a fleet, a
// cell): a Station that hears what its placement lets it hear and
// acknowledges frames for its own link address (IEEE 802.15.4-2015 §6.7.4.3,
// done by the medium), seen by the gateway as a Link. A virtual board's own
// link (the tester's radio) serves the same purpose for one device.
import type { Link, ReceivedFrame } from '../link/link.js';
import type { LinkAddress } from '../packet/link-address.js';
import type { Scheduler } from '../sim/clock.js';
import type { MacAddressing, Medium, Placement, Station } from '../sim/medium.js';
import { sameAddress } from '../board/virtual-board.js';

export class MediumLink implements Station, Link {
  private readonly listeners = new Set<(f: ReceivedFrame) => void>();
  readonly clock: Scheduler;

  constructor(private readonly medium: Medium, readonly address: LinkAddress, readonly name = 'gateway', placement?: Placement) {
    this.clock = medium.clock;
    medium.attach(this, placement);
  }

  accepts(mac: MacAddressing): boolean {
    return sameAddress(mac, this.address);
  }

  receive(psdu: Uint8Array, at: number): void {
    for (const l of this.listeners) l({ psdu, at });
  }

  async send(psdu: Uint8Array): Promise<void> {
    await this.medium.transmit(this.name, psdu);
  }

  onFrame(listener: (f: ReceivedFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.medium.detach(this.name);
  }
}
