// Faults that break the rules the robustness suite checks: each makes the
// device give in to one kind of hostile input (a parser that wedges, buffers
// that leak, a table that overflows), so the tests that check it can be shown
// to fail. They only count and drop what the device receives.
import { parseIeee802154 } from '../../packet/ieee802154-parse.js';
import { decodeLowpan } from '../../packet/lowpan.js';
import { parseNd } from '../../packet/ndp.js';
import type { FaultEnv, FaultFactory } from './rewrite.js';

const key = (a?: { bytes: Uint8Array }) => (a ? Buffer.from(a.bytes).toString('hex') : '-');

/** The frame as the device's MAC and 6LoWPAN layer see it, or undefined when it does not parse. */
function read(psdu: Uint8Array, env: FaultEnv) {
  try {
    const mac = parseIeee802154(psdu);
    if (mac.frameType !== 1 || !mac.fcsOk) return undefined;
    return { mac, lowpan: decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts) };
  } catch {
    return undefined;
  }
}

/**
 * Reassembly with four buffers that are never taken back from a datagram
 * that stays incomplete: forever (`timeoutMs` undefined), or until the
 * reassembly timeout (no eviction of the oldest when all four are held).
 * Fragments of a datagram that finds no buffer are dropped.
 */
function fourBuffers(name: string, description: string, timeoutMs?: number): FaultFactory {
  return (env) => {
    const held = new Map<string, { start: number; size: number; got: number }>();
    return {
      name, description,
      inbound: (psdu, at) => {
        const r = read(psdu, env);
        if (!r || r.lowpan.kind === 'ipv6') return [psdu];
        const d = r.lowpan;
        const k = `${key(d.origin ?? r.mac.src)}|${key(d.final ?? r.mac.dst)}|${d.size}|${d.tag}`;
        for (const [x, b] of held) if (timeoutMs !== undefined && at - b.start > timeoutMs) held.delete(x);
        let b = held.get(k);
        if (!b) {
          if (held.size >= 4) return [];
          b = { start: at, size: d.size, got: 0 };
          held.set(k, b);
        }
        b.got += d.data.length;
        if (b.got >= b.size) held.delete(k);
        return [psdu];
      },
    };
  };
}

export const ROBUSTNESS_FAULTS: Record<string, FaultFactory> = {
  // ROB-01: RFC 4944 §5.1, frames that are not valid 6LoWPAN are discarded, nothing more.
  'wedged-by-malformed-frames': (env) => {
    let bad = 0;
    return {
      name: 'wedged-by-malformed-frames',
      description: 'stops handling any frame after 100 frames it cannot parse (RFC 4944 §5.1: such frames are discarded, nothing more)',
      inbound: (psdu) => {
        if (bad >= 100) return [];
        try {
          const mac = parseIeee802154(psdu);
          if (mac.frameType === 1 && mac.fcsOk) decodeLowpan(mac.payload, { src: mac.src, dst: mac.dst }, env.contexts);
        } catch {
          bad++;
        }
        return [psdu];
      },
    };
  },
  // ROB-02: RFC 4944 §5.3, the reassembly state of an incomplete datagram is flushed after at most 60 s.
  'reassembly-buffers-never-freed': fourBuffers('reassembly-buffers-never-freed',
    'never frees a reassembly buffer whose datagram stays incomplete: after four such datagrams nothing fragmented is reassembled (RFC 4944 §5.3: flushed after the timeout)'),
  'reassembly-no-eviction': fourBuffers('reassembly-no-eviction',
    'with its four reassembly buffers held by incomplete datagrams, drops every new fragmented datagram until one times out (60 s) instead of evicting the oldest (RFC 4944 §5.3)', 60_000),
  // ROB-03: RFC 4861 §5.3, a full neighbor cache must keep room for the working set (RFC 6583: exhaustion).
  'ns-flood-locks-cache': (env) => {
    const known = new Set<string>();
    return {
      name: 'ns-flood-locks-cache',
      description: 'with 16 neighbors known it takes no new one and drops whatever a new neighbor sends (RFC 4861 §5.3: room for the working set of active entries)',
      inbound: (psdu) => {
        const r = read(psdu, env);
        if (!r?.mac.src) return [psdu];
        const k = key(r.mac.src);
        if (known.has(k)) return [psdu];
        if (known.size >= 16) return [];
        known.add(k);
        return [psdu];
      },
    };
  },
  // ROB-04: RFC 4861 §6.3.4, prefixes beyond what the device can hold are ignored, nothing more.
  'ra-flood-wedges': (env) => {
    const prefixes = new Set<string>();
    return {
      name: 'ra-flood-wedges',
      description: 'stops handling any frame once RAs have advertised more than 32 prefixes (a prefix table that overflows; RFC 4861 §6.3.4)',
      inbound: (psdu) => {
        if (prefixes.size > 32) return [];
        const r = read(psdu, env);
        if (r?.lowpan.kind === 'ipv6' && r.lowpan.packet[6] === 58 && r.lowpan.packet[40] === 134) {
          try {
            for (const o of parseNd(r.lowpan.packet).message.options) if (o.kind === 'pio') prefixes.add(Buffer.from(o.prefix).toString('hex'));
          } catch {
            // not an RA the device would take either
          }
        }
        return [psdu];
      },
    };
  },
};
