// UART0 of the board: bytes in through the receive interrupt into a ring,
// bytes out by polling (the harness link is the only thing it carries).
#ifndef CMSDK_UART_H
#define CMSDK_UART_H

#include <stdint.h>

void uart_init(void);
/** The next received byte, or -1 when none is waiting. */
int uart_read(void);
/** True when a received byte is waiting (call with interrupts off before WFI). */
int uart_pending(void);
void uart_write(uint8_t byte);
/** Waits until the transmitter has taken every byte written. */
void uart_flush(void);
/** Bytes dropped because the ring was full (the main loop fell behind). */
uint32_t uart_overruns(void);

#endif
