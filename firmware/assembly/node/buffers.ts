// The packet the node is building (replies, ND messages, UDP), in a module of
// its own so that every sender can use it without import cycles.
import { Capacity } from '../../abi/layout';

export const TXPKT: usize = memory.data(Capacity.Packet, 8);
