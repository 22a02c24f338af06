// Restarts and their reasons. A trap in the core or a fault in the board code
// is told to the harness, remembered across the reset (a .noinit record), and
// ends in a whole-system reset: the device comes back clean and says hello
// with token 0, which the harness takes as "the device rebooted".
#ifndef RESTART_H
#define RESTART_H

#include <stdint.h>

/** Sends the boot log line: firmware, boot count, and why the last run ended. */
void restart_announce(void);

/** After a trap unwound to main: ERROR (code Trap) for the request being served, then reset. */
__attribute__((noreturn)) void restart_after_trap(int code);

/** After a fault in the board's own code: a log line, then reset. */
__attribute__((noreturn)) void restart_after_fault(const char *why);

/** The harness asked for it (REBOOT). */
__attribute__((noreturn)) void restart_requested(void);

#endif
