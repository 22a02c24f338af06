// Helpers shared by the *.test.ts files of this folder (not used at run time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh temporary directory for pcap files, removed when the test that asked for it ends (call it inside a test). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-packet-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
