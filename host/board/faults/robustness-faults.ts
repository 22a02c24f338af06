// Faults that break the rules the robustness suite checks: each makes the device
// break one rule, so the tests that check it can be shown to fail.
import type { FaultFactory } from './rewrite.js';

export const ROBUSTNESS_FAULTS: Record<string, FaultFactory> = {};
