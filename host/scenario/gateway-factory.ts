// How the fleet gets its gateway: a module that exports
// `createScenarioGateway(options)`, loaded by URL in each worker (a function
// cannot cross a thread). The default module adapts the gateway of
// host/gateway/ (real-gateway.ts); tests may name another.
import type { Gateway } from '../gateway/types.js';
import type { Medium } from '../sim/medium.js';
import type { PacedClock } from './paced-clock.js';

export interface ScenarioGatewayOptions {
  /** The worker's medium: the gateway's radios go on it, one in each cell, named `${stationName}@${cell}`. */
  medium: Medium;
  clock: PacedClock;
  /** The cells this worker runs, each with its prefix (the site plan). */
  cells: { name: string; prefix: string }[];
  /** Each device and its cell. */
  devices: { eui64: string; cell: string }[];
  pan: number;
  seed: number;
  /** The gateway's radios: their EUI-64, and the prefix of their names on the medium. */
  eui64: string;
  stationName: string;
}

export type ScenarioGatewayFactory = (options: ScenarioGatewayOptions) => Promise<Gateway>;

export const GATEWAY_EUI64 = '00:12:4b:ff:fe:00:00:01';
export const GATEWAY_STATION = 'gateway';

/** The default gateway module (the real gateway of host/gateway/). */
export function defaultGatewayModule(): string {
  return new URL(`./real-gateway${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url).href;
}

export async function loadGatewayFactory(moduleUrl: string): Promise<ScenarioGatewayFactory> {
  const m = (await import(moduleUrl)) as { createScenarioGateway?: ScenarioGatewayFactory };
  if (typeof m.createScenarioGateway !== 'function') throw new Error(`${moduleUrl}: exports no createScenarioGateway(options)`);
  return m.createScenarioGateway;
}
