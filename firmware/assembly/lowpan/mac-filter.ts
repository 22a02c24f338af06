// Which frames a node takes (IEEE 802.15.4-2015 §6.7.2, third-level
// filtering): its PAN or the broadcast PAN, and its own address or the
// broadcast address. Off for the decode tools, which read every frame.
import { AddrMode, Info, MacFlag } from '../../abi/layout';
import { INFO, memEqual } from '../mem';

let enabled: bool = false;
let pan: u32 = 0xffff;
const SHORT: usize = memory.data(2, 2);
const EXTENDED: usize = memory.data(8, 8);
let hasShort: bool = false;

export function setMacFilter(on: bool, panId: u32, short: usize, useShort: bool, extended: usize): void {
  enabled = on;
  pan = panId;
  hasShort = useShort;
  memory.copy(SHORT, short, 2);
  memory.copy(EXTENDED, extended, 8);
}

/** True if the frame described by INFO is for us (always, when filtering is off). */
export function frameForUs(): bool {
  if (!enabled) return true;
  const flags = <u32>load<u16>(INFO, Info.MacFlags);
  if (flags & MacFlag.DstPanPresent) {
    const p = <u32>load<u16>(INFO, Info.DstPan);
    if (p != pan && p != 0xffff) return false;
  }
  const mode = <u32>load<u8>(INFO, Info.DstMode);
  const a = INFO + Info.DstAddr;
  if (mode == AddrMode.Short) {
    if (load<u8>(a) == 0xff && load<u8>(a, 1) == 0xff) return true;
    return hasShort && memEqual(a, SHORT, 2);
  }
  if (mode == AddrMode.Extended) return memEqual(a, EXTENDED, 8);
  return true; // no destination: for the PAN coordinator; a host takes it only if the PAN matched
}

/** True if the frame's destination was the broadcast address 0xffff. */
export function frameBroadcast(): bool {
  const a = INFO + Info.DstAddr;
  return load<u8>(INFO, Info.DstMode) == AddrMode.Short && load<u8>(a) == 0xff && load<u8>(a, 1) == 0xff;
}
