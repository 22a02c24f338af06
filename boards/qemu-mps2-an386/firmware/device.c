// What the device does: the core's node driven the way host/board/serial-device.ts
// drives it for the virtual board (frames in, timers run, frames out), and each
// request of docs/serial-link.md carried out and answered with RESULT.
#include <string.h>
#include "device.h"
#include "board.h"
#include "clock.h"
#include "cmsdk-uart.h"
#include "core.h"
#include "link.h"
#include "restart.h"
#include "sixlab-abi.h"
#include "stack.h"
#include "text.h"

#define NEVER 0xFFFFFFFFu
// How long REGISTER waits for the core's registration to settle: the harness's
// own precondition waits 30 s for it (conformance/framework/context.ts, join).
#define REGISTER_WAIT_MS 30000u
#define REGISTER_POLL_MS 50u

static uint32_t deadline = NEVER;
static struct {
  int active;
  uint16_t token;
  uint32_t until;
} registration;

// Timers, then every queued frame out, then the next deadline: the same order
// as NodeStation.service in host/board/virtual-board.ts.
static unsigned service(uint32_t now) {
  core_poll(now);
  unsigned sent = core_drain();
  deadline = core_poll(now);
  return sent;
}

static void log_reason(const char *what, int32_t r) {
  TEXT(t, 64);
  text_str(&t, what);
  text_str(&t, ": reason ");
  text_u32(&t, (uint32_t)-r);
  link_send_log(LOG_WARN, t.buf);
}

void device_boot(uint32_t seed) {
  uint32_t now = millis();
  if (registration.active) { // a RESET ends a REGISTER still waiting: it gets its answer
    registration.active = 0;
    link_send_result(registration.token, T_REGISTER, ST_FAILED, 0);
  }
  int32_t r = core_boot(seed, now);
  if (r < 0) log_reason("node_init refused", r);
  service(now);
}

static void check_registration(uint32_t now);

uint32_t device_tick(void) {
  uint32_t now = millis();
  if (deadline != NEVER && (int32_t)(now - deadline) >= 0) service(now);
  if (registration.active) check_registration(now);
  uint32_t wait = deadline == NEVER ? 600u : deadline - now;
  if ((int32_t)wait < 0) wait = 0;
  if (registration.active && wait > REGISTER_POLL_MS) wait = REGISTER_POLL_MS;
  return wait;
}

void device_input(const uint8_t *psdu, size_t len) {
  uint32_t now = millis();
  core_input(psdu, len, now); // a drop is counted by the core, as on the air
  service(now);
}

// A line per RESET: what the last test cost the board (the stack's high-water
// mark is the figure that sizes the stack in the linker script).
static void log_health(uint32_t seed) {
  TEXT(t, 160);
  text_str(&t, "reset seed ");
  text_u32(&t, seed);
  text_str(&t, "; up ");
  text_u32(&t, millis());
  text_str(&t, " ms");
  text_str(&t, "; stack ");
  text_u32(&t, stack_used());
  text_str(&t, "/");
  text_u32(&t, stack_size());
  text_str(&t, "; core static ");
  text_u32(&t, core_memory_used());
  text_str(&t, "/65536; rx overruns ");
  text_u32(&t, uart_overruns());
  text_str(&t, "; slip frames ");
  text_u32(&t, link_rx.frames);
  text_str(&t, " crc ");
  text_u32(&t, link_rx.crc_errors);
  text_str(&t, " runt ");
  text_u32(&t, link_rx.runts);
  text_str(&t, " oversize ");
  text_u32(&t, link_rx.oversize);
  text_str(&t, " escape ");
  text_u32(&t, link_rx.bad_escapes);
#ifdef SIXLAB_DEPTH_PROBE
  extern uint32_t wasm_rt_depth_max;
  text_str(&t, "; call depth max ");
  text_u32(&t, wasm_rt_depth_max);
#endif
  link_send_log(LOG_DEBUG, t.buf);
}

void device_reset(uint16_t token, uint32_t seed) {
  if (seed == 0) seed = 1; // as the virtual board: seed 0 means "the default"
  device_boot(seed);
  log_health(seed);
  link_send_result(token, T_RESET, ST_OK, 0);
}

void device_reboot(uint16_t token) {
  link_send_result(token, T_REBOOT, ST_OK, 0);
  restart_requested();
}

static void answer(uint16_t token, uint8_t command, int32_t r, uint32_t now) {
  if (r < 0) {
    link_send_result(token, command, ST_FAILED, (uint16_t)-r);
    return;
  }
  link_send_result(token, command, ST_OK, (uint16_t)service(now));
}

void device_ping(uint16_t token, const uint8_t dst[16], uint16_t id, uint16_t seq, uint16_t size, uint8_t hop) {
  if (hop != 0) { // ping_send has no hop limit argument: the node's own is used
    link_send_result(token, T_PING, ST_BAD_ARGUMENT, 0);
    return;
  }
  uint32_t now = millis();
  service(now); // anything already due goes first, so `detail` counts this request's frames
  answer(token, T_PING, core_ping(dst, id, seq, size, now), now);
}

void device_udp(uint16_t token, const uint8_t dst[16], uint16_t sport, uint16_t dport, uint16_t length, const uint8_t *data, size_t dlen) {
  uint32_t now = millis();
  service(now);
  int32_t r = core_udp(dst, dport, sport, length, data, dlen, now);
  if (r == -ABI_Reason_PacketTooLarge) {
    link_send_result(token, T_UDP, ST_BAD_ARGUMENT, (uint16_t)-r);
    return;
  }
  answer(token, T_UDP, r, now);
}

static int all_zero(const uint8_t *p, size_t n) {
  while (n--)
    if (*p++) return 0;
  return 1;
}

static int known_router(const uint8_t router[16]) {
  for (int i = 0; i < 8; i++) {
    const uint8_t *row = core_router(i);
    if (row && memcmp(row + ABI_NodeRouter_Addr, router, 16) == 0) return 1;
  }
  return 0;
}

// REGISTER, within what the node ABI offers: the core registers every address
// it forms from an RA by itself (RFC 6775 §5.5, with the lifetime configured
// at node_init), so the request waits for that registration to settle and
// reports it. A lifetime other than the configured one (deregistration, 0,
// included) or a router the node does not know cannot be done: BadArgument.
void device_register(uint16_t token, const uint8_t router[16], uint16_t lifetime) {
  if (DEVICE_MODE != ABI_NodeMode_LowpanNd || lifetime != DEVICE_REGISTRATION_MINUTES ||
      (!all_zero(router, 16) && !known_router(router))) {
    link_send_result(token, T_REGISTER, ST_BAD_ARGUMENT, 0);
    return;
  }
  if (registration.active) {
    link_send_result(token, T_REGISTER, ST_BUSY, 0);
    return;
  }
  registration.active = 1;
  registration.token = token;
  registration.until = millis() + REGISTER_WAIT_MS;
  check_registration(millis());
}

// Settled: every address formed from a prefix is registered (Ok, detail 0),
// or one was refused (Ok, detail = the ARO status, as docs/serial-link.md
// says), or the core gave up without an answer (Timeout).
static void check_registration(uint32_t now) {
  int formed = 0, waiting = 0, refused = -1, gave_up = 0;
  for (int i = 0; i < 16; i++) {
    const uint8_t *row = core_address(i);
    if (!row) continue;
    if (row[0] == 0xFE && (row[1] & 0xC0) == 0x80) continue; // link-local: not formed from a prefix
    formed++;
    uint8_t state = row[ABI_NodeAddress_State], reg = row[ABI_NodeAddress_Registration], status = row[ABI_NodeAddress_Status];
    if (state == ABI_AddrState_Duplicate || (reg == ABI_RegState_Failed && status != 0)) refused = status;
    else if (reg == ABI_RegState_Failed) gave_up = 1;
    else if (reg != ABI_RegState_Registered) waiting++;
  }
  uint8_t st;
  uint16_t detail = 0;
  if (refused >= 0) {
    st = ST_OK;
    detail = (uint16_t)refused;
  } else if (gave_up) {
    st = ST_TIMEOUT;
  } else if (formed && !waiting) {
    st = ST_OK;
  } else if ((int32_t)(now - registration.until) >= 0) {
    st = ST_TIMEOUT;
  } else {
    return;
  }
  registration.active = 0;
  link_send_result(registration.token, T_REGISTER, st, detail);
}
