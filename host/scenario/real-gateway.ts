// The fleet's gateway: host/gateway/'s SixlabGateway on the worker's medium,
// a radio on each cell's channel (cell-radios.ts), with the scenario's cells
// as its site plan (each cell's prefix and context in the RAs its devices get).
import { SixlabGateway } from '../gateway/gateway.js';
import type { Gateway } from '../gateway/types.js';
import { parseLinkAddress } from '../packet/link-address.js';
import { CellRadios } from './cell-radios.js';
import type { ScenarioGatewayOptions } from './gateway-factory.js';

export async function createScenarioGateway(o: ScenarioGatewayOptions): Promise<Gateway> {
  const address = parseLinkAddress(o.eui64);
  const link = new CellRadios(o.medium, address, o.cells.map((c) => c.name), o.devices.map((d) => ({ link: parseLinkAddress(d.eui64).bytes, cell: d.cell })), o.stationName);
  let x = (o.seed * 2654435761) >>> 0 || 1;
  const random = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
  const gw = await SixlabGateway.start(link, { testerLink: address, pan: o.pan }, {
    link: address, pan: o.pan,
    plan: { cells: o.cells.map((c) => ({ name: c.name, prefix: c.prefix })), devices: Object.fromEntries(o.devices.map((d) => [d.eui64, d.cell])) },
    // Each device registers its link-local and its global address (RFC 8505 §5.6).
    capacity: Math.max(1024, o.devices.length * 4),
    coap: { random },
  });
  const close = gw.close.bind(gw);
  gw.close = async () => {
    await close();
    await link.close();
  };
  return gw;
}
