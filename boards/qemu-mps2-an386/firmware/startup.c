// Reset and the vector table (ARMv7-M ARM, ARM DDI 0403E, B1.5.2-B1.5.3): on
// reset the core loads the initial stack pointer from word 0 and jumps to
// word 1. Reset_Handler does what a C runtime's crt0 would: copy .data from
// the image, zero .bss, paint the stack (to measure how deep it gets), run
// main. No libc start-up code is linked (-nostartfiles): nothing here needs it.
#include <stdint.h>
#include <string.h>
#include "restart.h"
#include "stack.h"

extern uint32_t __stack_top[], __data_start[], __data_end[], __data_load[], __bss_start[], __bss_end[];
extern int main(void);
extern void uart0_rx_irq(void);
extern void systick_irq(void);

__attribute__((noreturn)) void Reset_Handler(void) {
  memcpy(__data_start, __data_load, (uintptr_t)__data_end - (uintptr_t)__data_start);
  memset(__bss_start, 0, (uintptr_t)__bss_end - (uintptr_t)__bss_start);
  stack_paint();
  main();
  restart_after_fault("main returned");
}

// Any fault (a bug in the board code, an access outside RAM, a stack that ran
// off its bottom) is reported, then the board restarts: a device on the bench
// must come back by itself.
static void HardFault_Handler(void) { restart_after_fault("hard fault"); }
static void Default_Handler(void) { restart_after_fault("unexpected interrupt"); }

typedef void (*vector_t)(void);

// 16 system exceptions, then the external interrupts AN386 wires (its
// Table 3-3 lists IRQ 0..31; this firmware enables only UART0 RX, IRQ 0).
__attribute__((section(".isr_vector"), used)) static const vector_t vectors[16 + 32] = {
  (vector_t)__stack_top,
  Reset_Handler,
  Default_Handler, // NMI
  HardFault_Handler,
  HardFault_Handler, // MemManage (escalates to HardFault unless enabled)
  HardFault_Handler, // BusFault
  HardFault_Handler, // UsageFault
  0, 0, 0, 0,
  Default_Handler, // SVCall
  Default_Handler, // DebugMonitor
  0,
  Default_Handler, // PendSV
  systick_irq,
  uart0_rx_irq, // IRQ 0: UART0 receive
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler, Default_Handler,
  Default_Handler, Default_Handler, Default_Handler,
};
