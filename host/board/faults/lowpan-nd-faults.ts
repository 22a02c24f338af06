// Faults that break the rules the lowpan-nd suite checks: each makes the device
// break one rule, so the tests that check it can be shown to fail.
import type { FaultFactory } from './rewrite.js';

export const LOWPAN_ND_FAULTS: Record<string, FaultFactory> = {};
