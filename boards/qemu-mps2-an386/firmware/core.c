// Glue between the board and the wasm2c output of the core. Offsets come from
// sixlab-abi.h, which the build generates from firmware/abi/layout.ts and
// reason.ts (the same file the AssemblyScript core and the TypeScript host
// read), so the three cannot drift apart. Multi-byte fields in the shared
// structures are little-endian (docs/core-abi.md, "Conventions").
#include <string.h>
#include "core.h"
#include "board.h"
#include "link.h"
#include "sixlab-abi.h"
#include "sixlab_core.h"

// docs/core-abi.md, "Functions": buffer_in() holds 1288 octets, buffer_out()
// 24 records of [length][PSDU] (128 octets each).
#define IN_SIZE 1288u
#define OUT_SIZE (ABI_Capacity_Frames * 128u)

static Z_sixlab_core_instance_t core;
static int module_ready;
static uint32_t in_ptr, out_ptr;
const char *core_context = "";

// A pointer from the core, checked against its one page before the board
// reads or writes through it.
static uint8_t *at(uint32_t ptr, uint32_t len) {
  uint32_t size = core.w2c_memory.size;
  if (ptr > size || len > size - ptr) wasm_rt_trap(WASM_RT_TRAP_OOB);
  return core.w2c_memory.data + ptr;
}

static void put_le16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v) {
  put_le16(p, (uint16_t)v);
  put_le16(p + 2, (uint16_t)(v >> 16));
}

int32_t core_boot(uint32_t seed, uint32_t now) {
  static const uint8_t eui64[8] = DEVICE_EUI64;
  core_context = "instantiate";
  if (!module_ready) {
    wasm_rt_init();
    Z_sixlab_core_init_module();
    module_ready = 1;
  } else {
    Z_sixlab_core_free(&core);
  }
  Z_sixlab_core_instantiate(&core);
  core_context = "abi_version";
  if (Z_sixlab_coreZ_abi_version(&core) != ABI_VERSION) {
    core_context = "abi_version: not the ABI this firmware was built for";
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
  }
  core_context = "buffers";
  in_ptr = Z_sixlab_coreZ_buffer_in(&core);
  out_ptr = Z_sixlab_coreZ_buffer_out(&core);
  (void)at(in_ptr, IN_SIZE);
  (void)at(out_ptr, OUT_SIZE);
  uint8_t *cfg = at(Z_sixlab_coreZ_node_config(&core), ABI_NodeConfig_Size);
  memset(cfg, 0, ABI_NodeConfig_Size);
  memcpy(cfg + ABI_NodeConfig_Eui64, eui64, 8);
  put_le16(cfg + ABI_NodeConfig_ShortAddr, DEVICE_SHORT_ADDRESS);
  put_le16(cfg + ABI_NodeConfig_Pan, DEVICE_PAN);
  put_le32(cfg + ABI_NodeConfig_Seed, seed);
  cfg[ABI_NodeConfig_Mode] = DEVICE_MODE;
  cfg[ABI_NodeConfig_FrameVersion] = DEVICE_FRAME_VERSION;
  // IcmpBurst and IcmpIntervalMs stay 0: the core's defaults (10, 100 ms).
  put_le16(cfg + ABI_NodeConfig_RegistrationMinutes, DEVICE_REGISTRATION_MINUTES);
  core_context = "node_init";
  return (int32_t)Z_sixlab_coreZ_node_init(&core, now);
}

int32_t core_input(const uint8_t *psdu, size_t len, uint32_t now) {
  if (len > ABI_Capacity_Psdu) return -ABI_Reason_FrameTooLong;
  memcpy(at(in_ptr, (uint32_t)len), psdu, len);
  core_context = "node_input";
#ifdef SIXLAB_TRAP_TEST
  // Test builds only (host/board/qemu-board.test.ts): start at the depth
  // limit, so the generated code's own check traps (call stack exhausted) in
  // node_input and the report-and-restart path runs as for any trap.
  wasm_rt_call_stack_depth = WASM_RT_MAX_CALL_STACK_DEPTH;
#endif
  return (int32_t)Z_sixlab_coreZ_node_input(&core, (uint32_t)len, now);
}

uint32_t core_poll(uint32_t now) {
  core_context = "node_poll";
  return Z_sixlab_coreZ_node_poll(&core, now);
}

unsigned core_drain(void) {
  unsigned n = 0;
  for (;;) {
    core_context = "node_output";
    uint32_t p = Z_sixlab_coreZ_node_output(&core);
    if (p == 0) return n;
    uint8_t len = *at(p, 1);
    if (len > ABI_Capacity_Psdu) wasm_rt_trap(WASM_RT_TRAP_OOB);
    link_send_psdu(at(p + 1, len), len);
    n++;
  }
}

int32_t core_ping(const uint8_t dst[16], uint16_t id, uint16_t seq, uint16_t size, uint32_t now) {
  memcpy(at(in_ptr, 16), dst, 16);
  core_context = "ping_send";
  return (int32_t)Z_sixlab_coreZ_ping_send(&core, id, seq, size, now);
}

int32_t core_udp(const uint8_t dst[16], uint16_t dport, uint16_t sport, uint16_t length, const uint8_t *data, size_t dlen, uint32_t now) {
  if (length > IN_SIZE - 16u) return -ABI_Reason_PacketTooLarge; // would not fit buffer_in
  uint8_t *in = at(in_ptr, IN_SIZE);
  memcpy(in, dst, 16);
  for (uint32_t i = 0; i < length; i++) in[16 + i] = dlen ? data[i % dlen] : 0;
  core_context = "udp_send";
  return (int32_t)Z_sixlab_coreZ_udp_send(&core, dport, sport, length, now);
}

const uint8_t *core_address(int i) {
  core_context = "node_address";
  return Z_sixlab_coreZ_node_address(&core, (uint32_t)i) ? at(out_ptr, ABI_NodeAddress_Size) : 0;
}

const uint8_t *core_router(int i) {
  core_context = "node_router";
  return Z_sixlab_coreZ_node_router(&core, (uint32_t)i) ? at(out_ptr, ABI_NodeRouter_Size) : 0;
}

uint32_t core_memory_used(void) {
  core_context = "node_memory";
  return Z_sixlab_coreZ_node_memory(&core);
}
