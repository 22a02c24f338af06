// CMSDK APB UART driver. Registers: ARM Cortex-M System Design Kit Technical
// Reference Manual (ARM DDI 0479C), §4.3 "APB UART", Table 4-7:
//   0x000 DATA      [7:0] received / to transmit
//   0x004 STATE     bit 0 TX buffer full, bit 1 RX buffer full, bits 2-3 overruns (write 1 to clear)
//   0x008 CTRL      bit 0 TX enable, bit 1 RX enable, bit 3 RX interrupt enable
//   0x00C INTSTATUS / INTCLEAR  bit 1 RX interrupt (write 1 to clear)
//   0x010 BAUDDIV   system clock / baud rate, at least 16
// The UART holds one received byte; the receive interrupt moves each into a
// ring so that none is lost while the main loop runs the core, and the main
// loop sleeps (WFI) instead of polling, so an emulator does not spin a host CPU.
#include "cmsdk-uart.h"
#include "board.h"
#include "cortex-m.h"

#define UART_DATA REG32(BOARD_UART0_BASE + 0x000u)
#define UART_STATE REG32(BOARD_UART0_BASE + 0x004u)
#define UART_CTRL REG32(BOARD_UART0_BASE + 0x008u)
#define UART_INTCLEAR REG32(BOARD_UART0_BASE + 0x00Cu)
#define UART_BAUDDIV REG32(BOARD_UART0_BASE + 0x010u)

#define STATE_TX_FULL (1u << 0)
#define STATE_RX_FULL (1u << 1)
#define CTRL_TX_EN (1u << 0)
#define CTRL_RX_EN (1u << 1)
#define CTRL_RX_INT_EN (1u << 3)
#define INT_RX (1u << 1)

// Room for two worst-case frames on the wire (2 x 518 octets, docs/serial-link.md
// "Limits"): the harness can send a burst of fragments back to back.
#define RING_SIZE 1024u // a power of two: indices wrap by masking
static uint8_t ring[RING_SIZE];
// Single producer (the ISR writes head) and single consumer (main writes
// tail): each index has one writer, so no lock is needed on a single core.
static volatile uint32_t head, tail;
static volatile uint32_t overruns;

void uart_init(void) {
  UART_CTRL = 0;
  UART_BAUDDIV = BOARD_SYSCLK_HZ / BOARD_UART_BAUD;
  UART_STATE = 0xC; // clear stale overrun flags
  UART_INTCLEAR = 0xF;
  UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
  // Read DATA once after enabling receive: in QEMU this tells the character
  // backend the UART can take input (qemu_chr_fe_accept_input); without it the
  // first byte from the host can wait about a second (design notes, "On a
  // microcontroller").
  (void)UART_DATA;
  nvic_enable(BOARD_UART0_RX_IRQ);
}

void uart0_rx_irq(void) {
  // Clear first, then drain: a byte that lands after the drain raises the
  // interrupt again rather than waiting unseen in DATA.
  UART_INTCLEAR = INT_RX;
  while (UART_STATE & STATE_RX_FULL) {
    uint8_t b = (uint8_t)UART_DATA;
    uint32_t h = head;
    if (h - tail == RING_SIZE) {
      overruns++;
      continue;
    }
    ring[h & (RING_SIZE - 1)] = b;
    head = h + 1;
  }
}

int uart_read(void) {
  uint32_t t = tail;
  if (t == head) return -1;
  uint8_t b = ring[t & (RING_SIZE - 1)];
  tail = t + 1;
  return b;
}

int uart_pending(void) { return head != tail; }

void uart_write(uint8_t byte) {
  while (UART_STATE & STATE_TX_FULL) {}
  UART_DATA = byte;
}

void uart_flush(void) {
  while (UART_STATE & STATE_TX_FULL) {}
}

uint32_t uart_overruns(void) { return overruns; }
