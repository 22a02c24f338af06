// Helpers shared by the *.test.ts files of this folder (not used at run time).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary directory for pcap files. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sixlab-packet-'));
}
