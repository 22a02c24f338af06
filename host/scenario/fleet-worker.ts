// A fleet worker thread: runs its cells (fleet.ts) and talks to the scenario
// runner over the thread's port: "start" and "stop" the traffic, "close" to
// finish (its last message is the final FleetFinal, then the thread ends).
import { parentPort, workerData } from 'node:worker_threads';
import { Fleet, type FleetMessage, type FleetSpec } from './fleet.js';

const port = parentPort!;
const spec = workerData as FleetSpec;
const post = (m: FleetMessage) => port.postMessage(m);

try {
  const fleet = await Fleet.start(spec, post);
  port.on('message', (m: { type: string }) => {
    if (m.type === 'start') fleet.startTraffic();
    else if (m.type === 'stop') fleet.stopTraffic();
    else if (m.type === 'close') {
      void fleet.close().then((final) => {
        post(final);
        port.close();
      }, (err: Error) => {
        post({ type: 'error', worker: spec.worker, message: err.stack ?? err.message });
        port.close();
      });
    }
  });
} catch (err) {
  post({ type: 'error', worker: spec.worker, message: (err as Error).stack ?? String(err) });
  port.close();
}
