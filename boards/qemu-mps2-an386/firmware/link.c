// Decoding the harness's requests and encoding the device's messages, by the
// layouts of docs/serial-link.md ("Layouts"): big-endian fields, the token
// first in every request and copied into its answer. A request that does not
// fit its layout is answered with ERROR (BadLength / BadValue / UnknownType),
// carrying its first two payload octets as the token; device-to-harness types
// arriving here are ignored ("Decoding rules for control messages").
#include <string.h>
#include "link.h"
#include "board.h"
#include "device.h"
#include "slip.h"

#define PROTOCOL_VERSION 1u

// Capability bits of HELLO-RESPONSE: PING, UDP, REGISTER, REBOOT, RESET, LOG,
// fragmentation (the core sends and reassembles RFC 4944 fragments).
#define CAPABILITIES 0x7Fu

serving_t link_serving;
slip_decoder_t link_rx;

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v >> 8);
  p[1] = (uint8_t)v;
}

static int fixed(uint8_t type, uint16_t token, int len, int want) {
  if (len == want) return 1;
  link_send_error(token, type, ERR_BAD_LENGTH, "wrong length");
  return 0;
}

void link_receive(const uint8_t *body, int len) {
  uint8_t type = body[0];
  const uint8_t *p = body + 1;
  if (type == T_PSDU) {
    link_serving = (serving_t){T_PSDU, 0};
    device_input(p, (size_t)len);
    link_serving = (serving_t){0, 0};
    return;
  }
  if (type == T_HELLO_RESPONSE || type == T_RESULT || type == T_LOG || type == T_ERROR) return;
  uint16_t token = len >= 2 ? be16(p) : 0;
  link_serving = (serving_t){type, token};
  switch (type) {
    case T_HELLO:
      if (fixed(type, token, len, 3)) link_send_hello(token);
      break;
    case T_RESET:
      if (fixed(type, token, len, 6)) device_reset(token, be32(p + 2));
      break;
    case T_REBOOT:
      if (fixed(type, token, len, 2)) device_reboot(token);
      break;
    case T_PING:
      if (fixed(type, token, len, 25)) device_ping(token, p + 2, be16(p + 18), be16(p + 20), be16(p + 22), p[24]);
      break;
    case T_UDP: {
      if (len < 24) {
        link_send_error(token, type, ERR_BAD_LENGTH, "wrong length");
        break;
      }
      uint16_t length = be16(p + 22);
      if (length < len - 24) {
        link_send_error(token, type, ERR_BAD_VALUE, "length shorter than data");
        break;
      }
      device_udp(token, p + 2, be16(p + 18), be16(p + 20), length, p + 24, (size_t)(len - 24));
      break;
    }
    case T_REGISTER:
      if (fixed(type, token, len, 20)) device_register(token, p + 2, be16(p + 18));
      break;
    default:
      link_send_error(token, type, ERR_UNKNOWN_TYPE, "unknown frame type");
  }
  link_serving = (serving_t){0, 0};
}

void link_send_psdu(const uint8_t *psdu, size_t len) { slip_send(T_PSDU, psdu, len, 0, 0); }

void link_send_hello(uint16_t token) {
  static const uint8_t eui64[8] = DEVICE_EUI64;
  static const char firmware[] = FIRMWARE_NAME;
  uint8_t m[19];
  put16(m, token);
  m[2] = PROTOCOL_VERSION;
  memcpy(m + 3, eui64, 8);
  put16(m + 11, DEVICE_SHORT_ADDRESS);
  put16(m + 13, DEVICE_PAN);
  put16(m + 15, 0);
  put16(m + 17, CAPABILITIES);
  slip_send(T_HELLO_RESPONSE, m, sizeof m, (const uint8_t *)firmware, sizeof firmware - 1);
}

void link_send_result(uint16_t token, uint8_t command, uint8_t status, uint16_t detail) {
  uint8_t m[6];
  put16(m, token);
  m[2] = command;
  m[3] = status;
  put16(m + 4, detail);
  slip_send(T_RESULT, m, sizeof m, 0, 0);
}

static size_t text_length(const char *text, size_t max) {
  size_t n = strlen(text);
  return n > max ? max : n;
}

void link_send_log(uint8_t level, const char *text) {
  slip_send(T_LOG, &level, 1, (const uint8_t *)text, text_length(text, 254));
}

void link_send_error(uint16_t token, uint8_t refused, uint8_t code, const char *text) {
  uint8_t m[4];
  put16(m, token);
  m[2] = refused;
  m[3] = code;
  slip_send(T_ERROR, m, sizeof m, (const uint8_t *)text, text_length(text, 251));
}
