// The core on ZEP: a virtual board's node, in real time, as a device on a ZEP
// v2 link (RIOT native's socket_zep speaks the same), so that another
// simulated stack on the same host (a RIOT native node, or the harness through
// a zep board) pings it and it pings them. What `sixlab board up NAME --zep`
// serves (docs/zep.md).
//
// Its radio is a ZepEndpoint with the device's addresses and the MAC of the
// simulated medium (IEEE 802.15.4-2015 §6.7.4.3): frames for the device are
// acknowledged from the socket's handler (well under 1 ms; RIOT retransmits
// after about 1), retransmissions are hidden from the node, and the node's own
// unicast frames wait for their ACK and are retransmitted without one.
import { parseIeee802154, FrameType } from '../packet/ieee802154-parse.js';
import { formatIpv6 } from '../packet/ipv6-address.js';
import { RealScheduler } from '../sim/clock.js';
import { ZepEndpoint, type ZepMacSettings, type ZepStats } from '../link/zep.js';
import type { Board } from './board-config.js';
import { VirtualBoard } from './virtual-board.js';

export interface ZepServerOptions {
  /** Local address and port to bind (default [::1]:17754; port 0 = any free port). */
  address?: string;
  port?: number;
  /** Where the device's frames go (default: the source of the first datagram heard). */
  remote?: { address: string; port: number };
  /** Default 26. */
  channel?: number;
  mac?: Partial<ZepMacSettings>;
  faults?: string[];
  seed?: number;
}

export interface ZepServerStats {
  zep: ZepStats;
  /** Frames the node sent before any peer was known (dropped: nowhere to send them). */
  noRemote: number;
}

export class ZepServer {
  private noRemote = 0;
  private stopped = false;

  private constructor(readonly board: Board, readonly vb: VirtualBoard, readonly endpoint: ZepEndpoint) {}

  static async start(board: Board, options: ZepServerOptions = {}): Promise<ZepServer> {
    const endpoint = await ZepEndpoint.open({
      address: options.address ?? '::1',
      localPort: options.port ?? 17754,
      remoteAddress: options.remote?.address,
      remotePort: options.remote?.port,
      channel: options.channel,
      pan: board.pan,
      shortAddress: board.deviceShort,
      extendedAddress: board.deviceLink,
      mac: options.mac,
    });
    // The node on a medium of its own with no delay and no loss: the ZEP link is the air.
    const cfg = board.link.kind === 'virtual' ? board.link : undefined;
    const local: Board = { ...board, link: { kind: 'virtual', seed: cfg?.seed, faults: cfg?.faults } };
    let vb: VirtualBoard;
    try {
      vb = new VirtualBoard(local, { clock: new RealScheduler(), faults: options.faults, seed: options.seed, ackAll: true });
    } catch (err) {
      await endpoint.close();
      throw err;
    }
    const server = new ZepServer(board, vb, endpoint);
    server.wire();
    return server;
  }

  private wire(): void {
    // The node's frames, as its station on the local medium hears them, go out through the ZEP MAC.
    this.vb.link.onFrame((f) => {
      if (this.stopped) return;
      if (!this.endpoint.remoteEndpoint()) {
        this.noRemote++;
        return;
      }
      this.endpoint.send(f.psdu).catch(() => {}); // lost frames are counted by the MAC; a closed endpoint is a stop
    });
    // Frames from the ZEP link (already filtered for the device, acknowledged and freed of
    // retransmissions by the endpoint) go straight into the device, not through the medium's delay.
    this.endpoint.on('frame', (psdu) => {
      if (this.stopped) return;
      let type: number;
      try {
        type = parseIeee802154(psdu).frameType;
      } catch {
        type = -1;
      }
      if (type === FrameType.Ack) return; // for the MAC, not the node
      this.vb.device.receive(psdu, this.vb.clock.now());
    });
  }

  /** The bound address and port. */
  local(): { address: string; port: number } {
    return this.endpoint.local();
  }

  get stats(): ZepServerStats {
    return { zep: this.endpoint.stats, noRemote: this.noRemote };
  }

  /** The device's link-local address, as text. */
  get linkLocal(): string {
    const ll = this.vb.node.addresses().find((a) => a.address[0] === 0xfe && (a.address[1] & 0xc0) === 0x80);
    return ll ? formatIpv6(ll.address) : '';
  }

  /** Makes the node send an Echo Request (its own code builds it); 0 or -reason, as node.ping. */
  ping(dst: Uint8Array, id: number, seq: number, size: number): number {
    const r = this.vb.node.ping(dst, id, seq, size, Math.floor(this.vb.clock.now()));
    this.vb.device.service();
    return r;
  }

  /** Echo Replies the node has received: how many, and the last one's identifier and sequence number. */
  echoReplies(): { count: number; lastId: number; lastSeq: number } {
    return this.vb.node.echoReplies();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    (this.vb.clock as RealScheduler).stop();
    await this.vb.link.close();
    await this.endpoint.close();
  }
}
