// The restart record lives in .noinit: Reset_Handler neither copies nor zeroes
// it, so it survives AIRCR.SYSRESETREQ (RAM keeps its contents through a
// system reset). A magic word tells a kept record from power-on garbage.
#include <string.h>
#include "restart.h"
#include "board.h"
#include "cmsdk-uart.h"
#include "core.h"
#include "cortex-m.h"
#include "link.h"
#include "text.h"
#include "wasm-rt.h"

#define RECORD_MAGIC 0x5158C0DEu

static struct {
  uint32_t magic;
  uint32_t boots;
  char reason[96];
} record __attribute__((section(".noinit")));

void restart_announce(void) {
  if (record.magic != RECORD_MAGIC) {
    memset(&record, 0, sizeof record);
    record.magic = RECORD_MAGIC;
  }
  record.boots++;
  record.reason[sizeof record.reason - 1] = 0;
  TEXT(t, 200);
  text_str(&t, FIRMWARE_NAME " up, boot ");
  text_u32(&t, record.boots);
  if (record.reason[0]) {
    text_str(&t, ", restarted after: ");
    text_str(&t, record.reason);
  }
  link_send_log(record.reason[0] ? LOG_WARN : LOG_INFO, t.buf);
  record.reason[0] = 0;
}

__attribute__((noreturn)) static void reset_for(const char *reason) {
  strncpy(record.reason, reason, sizeof record.reason - 1);
  uart_flush();
  system_reset();
}

void restart_after_trap(int code) {
  TEXT(t, 96);
  text_str(&t, "trap: ");
  text_str(&t, wasm_rt_strerror((wasm_rt_trap_t)code));
  text_str(&t, " in ");
  text_str(&t, core_context);
  link_send_error(link_serving.token, link_serving.type, ERR_TRAP, t.buf);
  reset_for(t.buf);
}

void restart_after_fault(const char *why) {
  irq_disable(); // the fault may have hit mid-frame; nothing else may write now
  TEXT(t, 96);
  text_str(&t, "fault: ");
  text_str(&t, why);
  text_str(&t, " (CFSR ");
  text_hex32(&t, SCB_CFSR);
  text_str(&t, ", HFSR ");
  text_hex32(&t, SCB_HFSR);
  text_str(&t, ")");
  link_send_log(LOG_ERROR, t.buf);
  reset_for(t.buf);
}

void restart_requested(void) { reset_for("REBOOT request"); }
