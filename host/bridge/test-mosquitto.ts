// For tests: a real mosquitto (Debian package `mosquitto`, installed by
// scripts/install-scenario-deps.sh) on a free port of [::1], with its own
// temporary configuration, stopped and cleaned up after. A missing mosquitto
// fails the test with a message that says how to install it: never a skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const CANDIDATES = [process.env.MOSQUITTO, '/usr/sbin/mosquitto', 'mosquitto'].filter((x): x is string => Boolean(x));

function findMosquitto(): string {
  for (const c of CANDIDATES) {
    const r = spawnSync(c, ['-h'], { encoding: 'utf8' });
    if (!r.error && /mosquitto version/i.test(`${r.stdout}${r.stderr}`)) return c;
  }
  throw new Error(
    'mosquitto is needed for the tests against a real broker and was not found (looked for ' +
      `${CANDIDATES.join(', ')}): run bash scripts/install-scenario-deps.sh (apt-get install -y mosquitto), or set MOSQUITTO to its path`,
  );
}

/** A port that was free a moment ago on [::1] (bind 0, read it, close). */
export async function freePort(host = '::1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, resolve);
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '::1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Starts mosquitto on [::1] and resolves once it accepts connections. */
export async function startMosquitto(): Promise<Mosquitto> {
  const bin = findMosquitto();
  const dir = mkdtempSync(join(tmpdir(), 'sixlab-mosquitto-'));
  let child: ChildProcess | undefined;
  let log = '';
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(conf, [
        `listener ${port} ::1`,
        'allow_anonymous true',
        'persistence false',
        // Small MQTT packets at once: without it, Nagle and delayed ACKs add 40 ms.
        'set_tcp_nodelay true',
        // A fleet's telemetry must not be dropped by the broker's per-client queue (default 1000).
        'max_queued_messages 1000000',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        '',
      ].join('\n'));
      const c = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr!.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      const deadline = Date.now() + 10_000;
      let up = false;
      while (Date.now() < deadline && c.exitCode === null) {
        if (await canConnect(port)) {
          up = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (up) {
        const running = c;
        let stopping: Promise<void> | undefined;
        return {
          url: `mqtt://[::1]:${port}`,
          port,
          stop: () => {
            stopping ??= (async () => {
              if (running.exitCode === null && running.signalCode === null) {
                running.kill('SIGTERM');
                const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
                await exited;
                clearTimeout(timer);
              }
              rmSync(dir, { recursive: true, force: true });
            })();
            return stopping;
          },
        };
      }
      if (c.exitCode === null) {
        c.kill('SIGKILL');
        await exited;
      }
      child = undefined;
    }
    throw new Error(`mosquitto did not start on a free port of [::1]: ${log.trim().split('\n').slice(-3).join(' / ')}`);
  } catch (err) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
