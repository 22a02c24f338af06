// Compiles the AssemblyScript test harnesses in firmware/test/entries/ (each a
// small entry that exports one core module's functions for unit tests) into
// build/test/*.wasm with the release flags of the core: no imports, one page.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const dir = 'firmware/test/entries';
if (!existsSync(dir)) process.exit(0);
mkdirSync('build/test', { recursive: true });
for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
  const out = join('build/test', basename(file, '.ts') + '.wasm');
  // Its own asconfig, so that asc does not also compile the core's entry.
  const r = spawnSync('npx', ['asc', join(dir, file), '--config', join(dir, 'asconfig.json'), '--outFile', out],
    { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
