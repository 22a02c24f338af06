// A static bound on the firmware's stack, from GCC's call graphs
// (-fcallgraph-info=su: one .ci file per object, VCG text, each function with
// its frame size and its calls).
//
// The core recurses (IPv6-in-IPv6 headers are encoded and decoded by mutually
// recursive functions; address resolution sends through the path that started
// it), so a longest path alone is unbounded. What bounds it is the call depth
// counter wasm2c puts in every function's prologue: a call deeper than
// WASM_RT_MAX_CALL_STACK_DEPTH traps before its body runs. So the bound is the
// heaviest chain of frames from Reset_Handler in which at most `maxDepth`
// functions that come from WebAssembly (C names w2c_*) pass their prologue,
// the next one's frame counted as the trap is raised, plus an interrupt on top.
// Counting only w2c_* functions, and each C function once even when GCC
// inlined several wasm functions into it, can only over-estimate.
import { readFileSync } from 'node:fs';

/** Frame octets assumed for a function outside the graphs (libc's memcpy,
 *  memset, longjmp, libgcc's division): all small leaves in newlib-nano. */
export const LEAF_ALLOWANCE = 64;
/** Octets the Cortex-M4 pushes on exception entry without FP state (ARMv7-M ARM B1.5.7). */
export const EXCEPTION_FRAME = 32;

function shortName(title) {
  return title.includes(':') ? title.slice(title.lastIndexOf(':') + 1) : title;
}

/** Nodes (name -> frame octets) and edges (name -> callee names) of .ci files. */
export function readCallGraphs(files) {
  const frames = new Map();
  const calls = new Map();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^node: \{ title: "([^"]+)" label: "([^"]*)"/gm)) {
      const size = /\\n(\d+) bytes \(([a-z,]+)\)/.exec(m[2]);
      const name = shortName(m[1]);
      if (size) {
        if (size[2] !== 'static') throw new Error(`stack bound: ${name} has a ${size[2]} frame (alloca or a VLA)`);
        frames.set(name, Number(size[1]));
      }
    }
    for (const m of text.matchAll(/^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"/gm)) {
      const from = shortName(m[1]);
      if (!calls.has(from)) calls.set(from, new Set());
      calls.get(from).add(shortName(m[2]));
    }
  }
  return { frames, calls };
}

/**
 * The worst stack from `roots` with at most `maxDepth` wasm prologues passed.
 * `indirect` lists the possible targets of the generated code's call_indirect
 * (the module's table elements). Returns octets and the chain that costs them.
 */
export function stackBound(graph, { roots, interrupts, maxDepth, indirect }) {
  const { frames, calls } = graph;
  const counts = (f) => f.startsWith('w2c_');
  const memo = new Map();
  const active = new Set();
  const worst = (f, depth) => {
    const key = `${f}@${depth}`;
    if (memo.has(key)) return memo.get(key);
    if (!frames.has(f)) return { bytes: LEAF_ALLOWANCE, chain: [f] };
    if (active.has(key)) throw new Error(`stack bound: ${f} recurses outside the wasm depth counter`);
    active.add(key);
    let best = { bytes: 0, chain: [] };
    if (counts(f) && depth === 0) {
      best = worst('wasm_rt_trap', 0); // the prologue's check fails: straight to the trap
    } else {
      const next = counts(f) ? depth - 1 : depth;
      for (let g of calls.get(f) ?? []) {
        const targets = g === '__indirect_call' ? indirectTargets(f) : [g];
        for (g of targets) {
          const w = worst(g, next);
          if (w.bytes > best.bytes) best = w;
        }
      }
    }
    active.delete(key);
    const result = { bytes: frames.get(f) + best.bytes, chain: [f, ...best.chain] };
    memo.set(key, result);
    return result;
  };
  const indirectTargets = (f) => {
    if (!f.startsWith('w2c_')) throw new Error(`stack bound: ${f} makes an indirect call the bound does not know the targets of`);
    return indirect;
  };
  const main = roots.map((r) => worst(r, maxDepth)).sort((a, b) => b.bytes - a.bytes)[0];
  const irq = interrupts.map((r) => worst(r, 0)).sort((a, b) => b.bytes - a.bytes)[0];
  return { bytes: main.bytes + EXCEPTION_FRAME + irq.bytes, mainBytes: main.bytes, interruptBytes: EXCEPTION_FRAME + irq.bytes, chain: main.chain };
}

/** The functions the generated code's table holds (its call_indirect targets). */
export function tableTargets(generatedC) {
  return [...generatedC.matchAll(/\(wasm_rt_function_ptr_t\)&(w2c_\w+)/g)].map((m) => m[1]);
}
