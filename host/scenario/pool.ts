// The fleet over worker threads (node:worker_threads), one per core by
// default: each worker runs a contiguous block of cells, as even in devices as
// whole cells allow, with its own gateway, bridge and MQTT connection.
// Run from the TypeScript sources (tests), a worker loads tsx first.
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FleetFinal, FleetMessage, FleetSpec } from './fleet.js';
import type { CellSpec, Scenario } from './scenario.js';

/** Splits cells into at most `workers` contiguous blocks of about equal device counts. */
export function assignCells(cells: CellSpec[], workers: number): CellSpec[][] {
  const w = Math.max(1, Math.min(workers, cells.length));
  const total = cells.reduce((n, c) => n + c.count, 0);
  const blocks: CellSpec[][] = [];
  let current: CellSpec[] = [];
  let sum = 0;
  for (let i = 0; i < cells.length; i++) {
    current.push(cells[i]);
    sum += cells[i].count;
    const left = cells.length - i - 1;
    const blocksLeft = w - blocks.length - 1;
    if (blocksLeft > 0 && (sum >= (total * (blocks.length + 1)) / w || left === blocksLeft)) {
      blocks.push(current);
      current = [];
    }
  }
  if (current.length > 0) blocks.push(current);
  return blocks;
}

function workerFor(data: FleetSpec): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./fleet-worker.js', here), { workerData: data });
  // From the sources: register tsx's loader in the worker, then load the entry.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./fleet-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry)}))`;
  return new Worker(boot, { eval: true, workerData: data });
}

export interface PoolOptions {
  scenario: Scenario;
  cells: CellSpec[];
  mqttUrl: string;
  gatewayModule: string;
  workers?: number;
  onMessage: (m: FleetMessage) => void;
}

export class FleetPool {
  private readonly workers: Worker[] = [];
  private readonly finals = new Map<number, (f: FleetFinal) => void>();
  private failure?: Error;
  private closing = false;
  private failed?: (err: Error) => void;
  readonly size: number;

  private constructor(private readonly options: PoolOptions) {
    const blocks = assignCells(options.cells, options.workers ?? options.scenario.workers ?? availableParallelism());
    this.size = blocks.length;
    blocks.forEach((cells, worker) => {
      const w = workerFor({ scenario: options.scenario, cells, mqttUrl: options.mqttUrl, gatewayModule: options.gatewayModule, worker });
      w.on('message', (m: FleetMessage) => this.message(m));
      w.on('error', (err) => this.fail(new Error(`fleet worker ${worker}: ${err.message}`)));
      w.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`fleet worker ${worker} stopped (exit code ${code})`));
      });
      this.workers.push(w);
    });
  }

  private message(m: FleetMessage): void {
    if (m.type === 'error') return this.fail(new Error(`fleet worker ${m.worker}: ${m.message}`));
    if (m.type === 'closed') {
      this.finals.get(m.worker)?.(m);
      this.finals.delete(m.worker);
    }
    this.options.onMessage(m);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.failed?.(err);
  }

  /** Starts the workers; resolves once every one has booted its devices. */
  static async start(options: PoolOptions): Promise<FleetPool> {
    const pool = new FleetPool(options);
    const ready = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      pool.failed = reject;
      const inner = options.onMessage;
      pool.options.onMessage = (m) => {
        if (m.type === 'ready') {
          ready.add(m.worker);
          if (ready.size === pool.size) resolve();
        }
        inner(m);
      };
      if (pool.failure) reject(pool.failure);
    }).catch(async (err) => {
      await pool.terminate();
      throw err;
    });
    return pool;
  }

  /** The first failure of any worker (rejects), for the runner to race against. */
  failure$(): Promise<never> {
    return new Promise<never>((_, reject) => {
      if (this.failure) return reject(this.failure);
      this.failed = reject;
    });
  }

  send(type: 'start' | 'stop'): void {
    for (const w of this.workers) w.postMessage({ type });
  }

  /** Asks every worker to close; their final reports (a worker that does not answer within `ms` is terminated). */
  async close(ms = 15_000): Promise<FleetFinal[]> {
    this.closing = true;
    const finals = await Promise.all(this.workers.map((w, i) => new Promise<FleetFinal | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), ms);
      this.finals.set(i, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      w.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      w.postMessage({ type: 'close' });
    })));
    await this.terminate();
    return finals.filter((f): f is FleetFinal => f !== undefined);
  }

  async terminate(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => 0)));
  }
}
