#!/usr/bin/env node
// The qemu-mps2-an386 board's figures (docs/qemu-board.md, "Measured"): image
// sizes, boot to hello, the first exchange after the PTY changes hands, the
// round-trip time of a small ping through the UART (and, for scale, through
// the virtual board behind socat), and the stack's high-water mark. With
// --suite S (repeatable) it also runs those suites through the UART with the
// built CLI and reports the wall time and the verdicts.
//
//   npm run build:firmware && npx tsc -p tsconfig.json
//   node boards/qemu-mps2-an386/tools/measure.mjs [--boots N] [--pings N] [--suite S ...]
//
// A benchmark, not a test: it prints figures and never fails on one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dist = (p) => import(join(ROOT, 'dist', p));

const args = { boots: 5, pings: 100, suites: [] };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--boots') args.boots = Number(process.argv[++i]);
  else if (a === '--pings') args.pings = Number(process.argv[++i]);
  else if (a === '--suite') args.suites.push(process.argv[++i]);
  else throw new Error(`measure: unknown option ${a}`);
}

const { QemuServer } = await dist('host/board/qemu-server.js');
const { loadBoard } = await dist('host/board/board-config.js');
const { SerialLink } = await dist('host/link/serial-link.js');
const { Tester } = await dist('host/harness/tester.js');
const { linkLocalFromLinkAddress } = await dist('host/packet/link-address.js');

const board = loadBoard('qemu-mps2-an386');
const dir = mkdtempSync(join(tmpdir(), 'sixlab-qemu-measure-'));
const link = join(dir, 'link');
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const ms = (x) => `${x.toFixed(1)} ms`;
const figures = {};

try {
  const sizesFile = join(ROOT, 'build', 'boards', board.name, 'sizes.json');
  if (existsSync(sizesFile)) figures.sizes = JSON.parse(readFileSync(sizesFile, 'utf8'));

  const boots = [];
  for (let i = 0; i < args.boots; i++) {
    const t = performance.now();
    const s = await QemuServer.start(board, link);
    boots.push({ helloMs: s.bootMs, startMs: performance.now() - t });
    await s.stop();
  }
  figures.bootToHelloMs = { median: quantile(boots.map((b) => b.helloMs), 0.5), max: Math.max(...boots.map((b) => b.helloMs)) };
  figures.startToHelloMs = { median: quantile(boots.map((b) => b.startMs), 0.5) };

  const server = await QemuServer.start(board, link);
  try {
    const serial = await SerialLink.open({ path: link });
    const t = performance.now();
    await serial.hello(5000);
    figures.firstHelloAfterOpenMs = performance.now() - t;
    await serial.reset(1, 2000);
    const tester = new Tester(serial, board);
    const rtts = [];
    for (let i = 0; i < args.pings; i++) {
      const r = await tester.ping(linkLocalFromLinkAddress(board.deviceLink), board.deviceLink, 1, i, 16, 2000);
      if (r !== undefined) rtts.push(r);
    }
    figures.pingRttMs = { data: 16, sent: args.pings, answered: rtts.length, median: quantile(rtts, 0.5), p90: quantile(rtts, 0.9), min: Math.min(...rtts) };
    tester.close();
    await serial.close();

    if (args.suites.length) {
      const config = JSON.parse(readFileSync(join(board.dir, 'board.json'), 'utf8'));
      delete config.$schema;
      config.link.path = link;
      writeFileSync(join(dir, 'board.json'), JSON.stringify(config));
      const t0 = performance.now();
      await new Promise((ok, fail) => {
        const child = spawn(process.execPath, [join(ROOT, 'dist', 'host', 'cli', 'main.js'), 'test', '--board', join(dir, 'board.json'),
          ...args.suites.flatMap((s) => ['--suite', s]), '--report-dir', join(dir, 'report'), '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', (code) => (code === 0 || code === 1 ? ok() : fail(new Error(`sixlab test exited ${code}`))));
      });
      const results = readFileSync(join(dir, 'report', 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const count = (v) => results.filter((r) => r.verdict === v).length;
      figures.suites = {
        suites: args.suites, wallMs: performance.now() - t0, tests: results.length, pass: count('pass'), notApplicable: count('not-applicable'),
        other: results.filter((r) => r.verdict !== 'pass' && r.verdict !== 'not-applicable').map((r) => `${r.id} ${r.verdict}: ${r.reason ?? ''}`),
      };
    }
    const after = await SerialLink.open({ path: link });
    await after.hello(5000);
    await after.reset(1, 2000);
    figures.healthAfter = after.log.at(-1);
    await after.close();
  } finally {
    await server.stop();
  }

  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0) {
    const { pingPty } = await dist('host/bench/link-bench.js');
    figures.virtualPtyPingRttMs = await pingPty(args.pings);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const s = figures.sizes;
if (s) console.log(`image        text ${s.text}  data ${s.data}  bss ${s.bss}  (flash ${s.flashBytes}, RAM ${s.ramBytes}; stack ${s.stack.reserved}, static bound ${s.stack.staticBound})`);
console.log(`boot         cont -> HELLO ${ms(figures.bootToHelloMs.median)} median, ${ms(figures.bootToHelloMs.max)} max; QEMU start -> HELLO ${ms(figures.startToHelloMs.median)}`);
console.log(`handover     first HELLO after the harness opens the PTY ${ms(figures.firstHelloAfterOpenMs)}`);
const p = figures.pingRttMs;
console.log(`ping         ${p.data}-octet Echo Request/Reply through the UART: median ${ms(p.median)}, p90 ${ms(p.p90)}, min ${ms(p.min)} (${p.answered}/${p.sent})`);
if (figures.virtualPtyPingRttMs !== undefined) console.log(`             the virtual board behind socat, same ping: median ${ms(figures.virtualPtyPingRttMs)}`);
if (figures.suites) {
  const r = figures.suites;
  console.log(`suites       ${r.suites.join(', ')}: ${(r.wallMs / 1000).toFixed(1)} s wall, ${r.tests} tests: ${r.pass} pass, ${r.notApplicable} n/a, ${r.other.length} other`);
  for (const o of r.other) console.log(`             ${o}`);
}
console.log(`health       ${figures.healthAfter}`);
console.log(JSON.stringify({ bench: 'qemu-mps2-an386', ...figures }));
