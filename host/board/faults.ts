// Named faults for the virtual board: each makes the device break one rule, so
// that every conformance test can be shown to fail against the fault it
// targets (design notes, "fault injection"). A fault rewrites the frames going
// into or out of the device; the device's own code stays as it is. The faults
// live in faults/, one file per area; this is their registry.
import { BASIC_FAULTS } from './faults/basic-faults.js';
import { ICMPV6_FAULTS } from './faults/icmpv6-faults.js';
import { IPV6_FAULTS } from './faults/ipv6-faults.js';
import { LOWPAN_FAULTS } from './faults/lowpan-faults.js';
import { LOWPAN_ND_FAULTS } from './faults/lowpan-nd-faults.js';
import { ND_FAULTS } from './faults/nd-faults.js';
import { ROBUSTNESS_FAULTS } from './faults/robustness-faults.js';
import { UDP_COAP_FAULTS } from './faults/udp-coap-faults.js';
import { contextLearner, type Fault, type FaultEnv, type FaultFactory } from './faults/rewrite.js';

export type { Fault } from './faults/rewrite.js';

const FAULTS: Record<string, FaultFactory> = {
  ...BASIC_FAULTS, ...LOWPAN_FAULTS, ...IPV6_FAULTS, ...ICMPV6_FAULTS, ...ND_FAULTS, ...LOWPAN_ND_FAULTS,
  ...UDP_COAP_FAULTS, ...ROBUSTNESS_FAULTS,
};

export function faultNames(): string[] {
  return Object.keys(FAULTS);
}

export function describeFaults(): { name: string; description: string }[] {
  const env: FaultEnv = { contexts: new Map() };
  return Object.values(FAULTS).map((f) => {
    const x = f(env);
    return { name: x.name, description: x.description };
  });
}

/**
 * The faults by name, behind one that learns the device's contexts for them.
 * With `observe`, the faults only watch: each is given every frame, what it
 * would do is thrown away, and `observe(name)` is called whenever it would have
 * changed something (the fault check uses this to know which tests a fault can
 * touch at all: a fault that never acts leaves a run exactly as it was).
 */
export function createFaults(names: string[], observe?: (name: string) => void): Fault[] {
  const env: FaultEnv = { contexts: new Map() };
  const faults = names.map((n) => {
    const make = FAULTS[n];
    if (!make) throw new Error(`unknown fault "${n}"; known: ${faultNames().join(', ')}`);
    const f = make(env);
    return observe ? observing(f, () => observe(n)) : f;
  });
  return faults.length ? [contextLearner(env), ...faults] : [];
}

function observing(f: Fault, acted: () => void): Fault {
  const watch = (hook: (psdu: Uint8Array, at: number) => Uint8Array[]) => (psdu: Uint8Array, at: number): Uint8Array[] => {
    const copy = Uint8Array.from(psdu);
    try {
      const out = hook(copy, at);
      if (out.length !== 1 || out[0].length !== psdu.length || out[0].some((b, i) => b !== psdu[i])) acted();
    } catch {
      acted();
    }
    return [psdu];
  };
  return {
    name: f.name, description: f.description,
    inbound: f.inbound && watch(f.inbound.bind(f)), outbound: f.outbound && watch(f.outbound.bind(f)),
  };
}
