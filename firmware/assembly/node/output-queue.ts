// Frames the node wants sent, oldest first, until the host drains them with
// node_output(). A packet's frames go in together or not at all.
import { Capacity } from '../../abi/layout';
import { OUTPUT_FRAMES } from './limits';

const SLOT: i32 = Capacity.Psdu + 1; // [length][PSDU]
const RING: usize = memory.data(OUTPUT_FRAMES * SLOT, 8);
let head: i32 = 0;
let count: i32 = 0;

export function resetOutput(): void {
  head = 0;
  count = 0;
}

/** Copies n [length][PSDU] records from src into the ring; false when they do not all fit. */
export function enqueueFrames(src: usize, n: i32): bool {
  if (count + n > OUTPUT_FRAMES) return false;
  let p = src;
  for (let i = 0; i < n; i++) {
    const len = <i32>load<u8>(p);
    memory.copy(RING + <usize>(((head + count) % OUTPUT_FRAMES) * SLOT), p, <usize>(len + 1));
    count++;
    p += len + 1;
  }
  return true;
}

/** The next frame as a [length][PSDU] record, removed from the ring; 0 when empty.
 *  Valid until frames are queued again. */
export function dequeueFrame(): usize {
  if (count == 0) return 0;
  const slot = RING + <usize>(head * SLOT);
  head = (head + 1) % OUTPUT_FRAMES;
  count--;
  return slot;
}

export function queuedFrames(): i32 {
  return count;
}
