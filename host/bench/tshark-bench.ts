// tshark's decode rate on the same frames, for comparison (design notes: about
// 25,000 frames/s with -T fields). Includes tshark's start-up, as a user sees it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINKTYPE_IEEE802_15_4_WITHFCS, writePcap } from '../packet/pcap.js';
import { runTsharkFields, tsharkAvailable } from '../packet/tshark.js';

export async function tsharkRate(frames: Uint8Array[], copies: number): Promise<{ frames: number; perSecond: number } | undefined> {
  if (!tsharkAvailable()) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-bench-'));
  try {
    const all = Array.from({ length: copies }, () => frames).flat();
    const file = join(dir, 'mix.pcap');
    await writePcap(file, LINKTYPE_IEEE802_15_4_WITHFCS, all.map((data, i) => ({ timeUs: i, data })));
    const start = performance.now();
    const rows = await runTsharkFields(file, ['ipv6.src', 'ipv6.dst', 'udp.srcport'], [], { disableProtocols: ['zbee_nwk'] });
    const seconds = (performance.now() - start) / 1000;
    if (rows.length !== all.length) throw new Error(`tshark decoded ${rows.length} of ${all.length} frames`);
    return { frames: all.length, perSecond: all.length / seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
