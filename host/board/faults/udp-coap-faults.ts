// Faults that break the rules the udp-coap suite checks: each makes the device
// break one rule, so the tests that check it can be shown to fail.
import type { FaultFactory } from './rewrite.js';

export const UDP_COAP_FAULTS: Record<string, FaultFactory> = {};
