// A wasm2c runtime for a microcontroller, for the API of wabt 1.0.32's
// wasm-rt.h (the generated code calls only what is below).
//
// The stock wasm-rt-impl.c does not fit a Cortex-M: it maps 8 GiB of guard
// pages with mmap and catches out-of-bounds accesses with a signal handler.
// On a 32-bit target wasm-rt.h turns that off (WASM_RT_MEMCHECK_SIGNAL_HANDLER
// is 0), so the generated code checks the bounds of every load and store
// itself and calls wasm_rt_trap. What is left for the runtime:
//   - linear memory: one static 64 KiB page (sixlab-core declares exactly one
//     page, initial 1, maximum 1; docs/core-abi.md), zeroed at instantiation
//     as the WebAssembly spec requires;
//   - the function table: a few static slots, and call_indirect signatures
//     kept as exact (params, results, types) records so that two types are
//     equal exactly when their signatures are (spec §4.4.8, call_indirect);
//   - traps: longjmp to the target the board set, which reports and restarts;
//   - the call depth counter the generated code keeps
//     (WASM_RT_USE_STACK_DEPTH_COUNT), bounding recursion on a small stack.
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include "wasm-rt.h"

#define PAGE_SIZE 65536u
#define TABLE_SLOTS 4u
#define MAX_SIGNATURES 24u // sixlab-core registers 17
#define MAX_SIGNATURE_TYPES 16u

static uint8_t linear_memory[PAGE_SIZE] __attribute__((aligned(8)));
static bool memory_in_use;
static wasm_rt_funcref_t table_slots[TABLE_SLOTS];
static bool table_in_use;

typedef struct {
  uint8_t params, results;
  uint8_t types[MAX_SIGNATURE_TYPES];
} signature_t;
static signature_t signatures[MAX_SIGNATURES];
static uint32_t signature_count;

static bool initialized;
static WASM_RT_UNWIND_TARGET *unwind_target;
uint32_t wasm_rt_call_stack_depth;
#ifdef SIXLAB_DEPTH_PROBE
uint32_t wasm_rt_depth_max; // the deepest call depth reached (measurement builds)
#endif

void wasm_rt_init(void) {
  initialized = true;
  wasm_rt_call_stack_depth = 0;
}

bool wasm_rt_is_initialized(void) { return initialized; }

void wasm_rt_free(void) { initialized = false; }

WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return unwind_target; }

void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { unwind_target = target; }

// The generated code cannot go on after a trap: unwind to the board's catch
// point (a setjmp in main), which reports it and restarts the device. The
// depth counter is reset there. Without a target there is nowhere safe to
// return to, so the board restarts at once (a trap must never fall through).
void wasm_rt_trap(wasm_rt_trap_t code) {
  if (unwind_target) longjmp(*unwind_target, code == WASM_RT_TRAP_NONE ? -1 : (int)code);
  extern void restart_after_fault(const char *why) __attribute__((noreturn));
  restart_after_fault("trap outside the core");
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "indirect call signature mismatch";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
    default: return "trap";
  }
}

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  signature_t s = {0};
  if (params + results > MAX_SIGNATURE_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  s.params = (uint8_t)params;
  s.results = (uint8_t)results;
  va_list ap;
  va_start(ap, results);
  for (uint32_t i = 0; i < params + results; i++) s.types[i] = (uint8_t)va_arg(ap, int);
  va_end(ap);
  for (uint32_t i = 0; i < signature_count; i++) {
    if (memcmp(&signatures[i], &s, sizeof s) == 0) return i;
  }
  if (signature_count == MAX_SIGNATURES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  signatures[signature_count] = s;
  return signature_count++;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *memory, uint32_t initial_pages, uint32_t max_pages) {
  (void)max_pages;
  // One module, one memory, at most one page: anything else cannot run here.
  if (memory_in_use || initial_pages > 1) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memory_in_use = true;
  memset(linear_memory, 0, sizeof linear_memory);
  memory->data = linear_memory;
  memory->pages = 1;
  memory->max_pages = 1;
  memory->size = PAGE_SIZE;
}

// memory.grow: -1 (failure) unless it asks for nothing. The core never grows
// its memory; a module that tried would see the failure the spec allows.
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *memory, uint32_t pages) {
  return pages == 0 ? memory->pages : UINT32_MAX;
}

void wasm_rt_free_memory(wasm_rt_memory_t *memory) {
  memory_in_use = false;
  memory->data = 0;
  memory->size = 0;
}

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements, uint32_t max_elements) {
  if (table_in_use || elements > TABLE_SLOTS) wasm_rt_trap(WASM_RT_TRAP_OOB);
  table_in_use = true;
  memset(table_slots, 0, sizeof table_slots);
  table->data = table_slots;
  table->size = elements;
  table->max_size = max_elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) {
  table_in_use = false;
  table->data = 0;
  table->size = 0;
}

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta, wasm_rt_funcref_t init) {
  (void)init;
  return delta == 0 ? table->size : UINT32_MAX;
}
