// How deep the main stack has been: painted with a pattern at reset, scanned
// on demand. The wasm2c code's frames are the bulk of it; the figure is logged
// after every RESET so a suite run shows the worst case it reached.
#ifndef STACK_H
#define STACK_H

#include <stdint.h>

void stack_paint(void);
/** Octets of the stack ever used since reset. */
uint32_t stack_used(void);
/** Octets reserved for the stack (STACK_SIZE in the linker script). */
uint32_t stack_size(void);

#endif
