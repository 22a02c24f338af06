// Stack painting: a known word below the live stack, counted back later.
#include "stack.h"
#include "cortex-m.h"

#define PAINT 0xA5A5A5A5u

extern uint32_t __stack_bottom[], __stack_top[];

// Called from Reset_Handler: paints from the bottom up to a little below the
// current stack pointer (Reset_Handler's own frame is above it).
void stack_paint(void) {
  uint32_t *limit = (uint32_t *)(stack_pointer() - 64);
  for (volatile uint32_t *p = __stack_bottom; p < limit; p++) *p = PAINT;
}

uint32_t stack_used(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == PAINT) p++;
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

uint32_t stack_size(void) {
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}
