// npm start: what a new user wants to see first. Builds what changed (and
// nothing when all is up to date), then runs every conformance suite on both
// virtual boards (6LoWPAN-ND and classic ND), writes the reports under
// reports/<time>/, and prints each readiness verdict and report path.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
process.chdir(root);

/** Newest modification time under the given paths (files or folders). */
function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const e of readdirSync(p)) t = Math.max(t, newest([join(p, e)]));
    } else t = Math.max(t, s.mtimeMs);
  }
  return t;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function step(what, args) {
  process.stdout.write(`${what}...\n`);
  const r = spawnSync('npm', ['run', '--silent', ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 2);
}

const coreOut = Math.min(mtime('build/sixlab-core.wasm'), mtime('build/sixlab-core.debug.wasm'));
if (newest(['firmware/assembly', 'firmware/abi', 'asconfig.json', 'package-lock.json']) > coreOut) step('building the core', ['build:core']);
const hostOut = mtime('dist/host/cli/main.js');
if (newest(['host', 'conformance', 'firmware/abi', 'tsconfig.json', 'package-lock.json']) > hostOut) step('building the harness', ['build:host']);

const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
let worst = 0;
const lines = [];
for (const board of ['virtual', 'virtual-classic']) {
  const dir = join('reports', stamp, board);
  process.stdout.write(`\n== every suite on board ${board} ==\n`);
  const r = spawnSync(process.execPath, ['dist/host/cli/main.js', 'test', '--board', board, '--report-dir', dir], { stdio: 'inherit' });
  const code = r.status ?? 2;
  worst = Math.max(worst, code);
  lines.push(`${board.padEnd(16)} exit ${code}  ${join(dir, 'report.html')}`);
  if (code >= 2) break;
}
if (worst < 2) {
  // An industrial line's traffic: 50 virtual sensors publishing through the gateway to MQTT.
  const dir = join('reports', stamp, 'scenario-telemetry');
  process.stdout.write('\n== the telemetry scenario, 50 virtual devices, embedded MQTT broker ==\n');
  const r = spawnSync(process.execPath, ['dist/host/cli/main.js', 'scenario', 'run', 'telemetry', '--devices', '50', '--broker-port', '0', '--report-dir', dir], { stdio: 'inherit' });
  const code = r.status ?? 2;
  worst = Math.max(worst, code);
  lines.push(`${'telemetry'.padEnd(16)} exit ${code}  ${join(dir, 'report.html')}`);
}
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(worst);
