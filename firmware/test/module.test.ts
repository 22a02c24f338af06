// The release module imports nothing (design notes: sans-IO, hostable by WAMR,
// wasm3 or wasm2c) and fits its budget. The import section is read from the
// binary itself, not only through the WebAssembly API.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreWasmPath } from '../../host/core/sixlab-core.js';

/** Reads a LEB128 unsigned integer at bytes[at]; returns [value, next offset]. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return [value >>> 0, at];
    shift += 7;
  }
}

/** Section ids and sizes of a WebAssembly binary (spec §5.5.2). */
function sections(bytes: Uint8Array): Map<number, { offset: number; size: number }> {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0, 0, 0]);
  const out = new Map<number, { offset: number; size: number }>();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at++];
    const [size, body] = leb(bytes, at);
    out.set(id, { offset: body, size });
    at = body + size;
  }
  return out;
}

describe('release module', () => {
  const path = coreWasmPath();
  const bytes = new Uint8Array(readFileSync(path));

  it('has no import section, and the API agrees', () => {
    const s = sections(bytes);
    const imports = s.get(2);
    const count = imports ? leb(bytes, imports.offset)[0] : 0;
    expect(count).toBe(0);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(bytes))).toEqual([]);
  });

  it('declares exactly one 64 KiB page of memory and exports it', () => {
    const m = new WebAssembly.Module(bytes);
    expect(WebAssembly.Module.exports(m).filter((e) => e.kind === 'memory').map((e) => e.name)).toEqual(['memory']);
    const mem = sections(bytes).get(5)!;
    // memory section: count 1, limits flag 1 (min and max), min 1, max 1
    expect(Array.from(bytes.subarray(mem.offset, mem.offset + 4))).toEqual([1, 1, 1, 1]);
  });

  it('stays within the budget of the whole core, 32 KiB (size reported)', () => {
    const size = statSync(path).size;
    console.log(`sixlab-core.wasm: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
    expect(size).toBeLessThanOrEqual(32 * 1024);
  });

  it('keeps the part-1 codec within 16 KiB on its own (size reported)', () => {
    const codec = join(dirname(path), 'test', 'codec-only.wasm');
    const size = statSync(codec).size;
    console.log(`codec alone: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
    expect(WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(codec)))).toEqual([]);
    expect(size).toBeLessThanOrEqual(16 * 1024);
  });
});
