// Boot and the event loop. The board sleeps (WFI) until a byte arrives or the
// alarm for the node's next deadline fires, then: bytes into the SLIP decoder,
// whole frames to the link, the node's timers when due. A trap anywhere in the core unwinds here
// (setjmp/longjmp, the wasm2c convention for wasm_rt_trap) and the board
// reports it and restarts.
#include <setjmp.h>
#include "clock.h"
#include "cmsdk-uart.h"
#include "cortex-m.h"
#include "device.h"
#include "link.h"
#include "restart.h"
#include "slip.h"
#include "wasm-rt.h"

int main(void) {
  clock_init();
  uart_init();
  restart_announce();

  static jmp_buf trap;
  int code = setjmp(trap);
  if (code != 0) restart_after_trap(code);
  wasm_rt_set_unwind_target(&trap);

  device_boot(1);
  link_send_hello(0); // unasked: tells a harness already listening that the device (re)booted

  for (;;) {
    int b;
    while ((b = uart_read()) >= 0) {
      int len = slip_decode(&link_rx, (uint8_t)b);
      if (len >= 0) link_receive(link_rx.body, len);
    }
    clock_wake_in(device_tick());
    irq_disable();
    if (!uart_pending()) wait_for_interrupt();
    irq_enable();
  }
}
