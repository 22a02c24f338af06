// Time for the board: milliseconds since boot (what the core is told on every
// call), and a wake-up at the node's next deadline (tickless: no periodic
// interrupt, so an idle board costs the emulator, or a battery, nothing).
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

void clock_init(void);
/** Milliseconds since clock_init (32-bit, wrapping after 49.7 days, as the core's ABI expects).
 *  Main context only; it must be called at least every 171 s (every wake-up does). */
uint32_t millis(void);
/** The next wake-up from WFI comes within `ms` milliseconds (1..600). */
void clock_wake_in(uint32_t ms);

#endif
