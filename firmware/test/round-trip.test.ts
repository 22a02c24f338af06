// Property: what one core compresses, another core decompresses to the same
// bytes (RFC 6282), for random packets, link addresses and context tables;
// every frame fits a 127-octet PSDU.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbLinkCase, coreWith, receive } from './round-trip.js';

describe('compress then decompress', () => {
  it('gives back every packet, in frames that fit', () => {
    fc.assert(
      fc.property(arbLinkCase(), (c) => {
        const sender = coreWith(c.contexts);
        const receiver = coreWith(c.contexts);
        const frames = sender.compress(c.packet, c.tx);
        for (const f of frames) expect(f.length).toBeLessThanOrEqual(127);
        const got = receive(receiver, frames);
        expect(got).toEqual(c.packet);
      }),
      { numRuns: 1500 },
    );
  });

  it('works the same in the debug build (assertions on)', () => {
    fc.assert(
      fc.property(arbLinkCase(400), (c) => {
        const frames = coreWith(c.contexts, { debug: true }).compress(c.packet, c.tx);
        expect(receive(coreWith(c.contexts, { debug: true }), frames)).toEqual(c.packet);
      }),
      { numRuns: 300 },
    );
  });
});
