// Error type thrown by every parser/emitter in host/packet.
// Messages are always a single line so they read well in test output.

export class PacketError extends Error {
  constructor(message: string) {
    super(message.replace(/\s*[\r\n]+\s*/g, ' '));
    this.name = 'PacketError';
  }
}

/** Throws a PacketError unless `bytes` holds at least `need` octets from `offset`. */
export function needBytes(bytes: Uint8Array, offset: number, need: number, what: string): void {
  if (offset < 0 || bytes.length - offset < need) {
    const have = Math.max(0, bytes.length - offset);
    throw new PacketError(`${what}: need ${need} bytes at offset ${offset}, have ${have}`);
  }
}

/** Throws a PacketError unless `value` is an integer in [0, max]. */
export function checkField(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PacketError(`${what} ${value} out of range 0..${max}`);
  }
}
