// The few Cortex-M4 core registers this firmware touches, by address, so that
// no vendor CMSIS package is needed. Addresses and bit positions are from the
// ARMv7-M Architecture Reference Manual (ARM DDI 0403E), chapter B3 "System
// Address Map": SCB B3.2, SysTick B3.3, NVIC B3.4.
#ifndef CORTEX_M_H
#define CORTEX_M_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

// System Control Block (B3.2.2)
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_CFSR REG32(0xE000ED28u) // configurable fault status (MMFSR | BFSR | UFSR)
#define SCB_HFSR REG32(0xE000ED2Cu)
#define SCB_AIRCR_VECTKEY (0x05FAu << 16) // writes without this key are ignored
#define SCB_AIRCR_SYSRESETREQ (1u << 2)

// SysTick (B3.3.2)
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) // 1: the processor clock

// NVIC (B3.4.3): one enable / clear-pending bit per external interrupt.
#define NVIC_ISER0 REG32(0xE000E100u)
#define NVIC_ICPR0 REG32(0xE000E280u)

static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void dsb(void) { __asm volatile("dsb 0xF" ::: "memory"); }

// WFI with PRIMASK set still wakes on a pending interrupt (B1.5.19): the
// caller checks for work with interrupts off, sleeps, then lets the ISR run,
// so a byte arriving between the check and the WFI is never slept through.
static inline void wait_for_interrupt(void) { __asm volatile("wfi" ::: "memory"); }

static inline void nvic_enable(unsigned irq) {
  NVIC_ICPR0 = 1u << irq;
  NVIC_ISER0 = 1u << irq;
}

// AIRCR.SYSRESETREQ (B3.2.6): a whole-system reset; QEMU resets the machine
// and reloads the image, as a watchdog or reset pin would on the bench.
__attribute__((noreturn)) static inline void system_reset(void) {
  dsb();
  SCB_AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
  dsb();
  for (;;) wait_for_interrupt();
}

static inline uint32_t stack_pointer(void) {
  uint32_t sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

#endif
