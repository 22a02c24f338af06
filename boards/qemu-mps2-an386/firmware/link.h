// The serial link's messages, device side (docs/serial-link.md "Frame types"):
// requests from the harness are decoded and handed to device.c; answers,
// log lines and PSDUs go out through the SLIP framing.
#ifndef LINK_H
#define LINK_H

#include <stddef.h>
#include <stdint.h>
#include "slip.h"

enum frame_type {
  T_PSDU = 0x01,
  T_HELLO = 0x10,
  T_RESET = 0x11,
  T_REBOOT = 0x12,
  T_PING = 0x20,
  T_UDP = 0x21,
  T_REGISTER = 0x22,
  T_HELLO_RESPONSE = 0x90,
  T_RESULT = 0xA0,
  T_LOG = 0xB0,
  T_ERROR = 0xE0,
};

enum result_status { ST_OK = 0, ST_FAILED = 1, ST_BUSY = 2, ST_BAD_ARGUMENT = 3, ST_NO_ROUTE = 4, ST_TIMEOUT = 5 };

// ERROR codes 1-4 are docs/serial-link.md's; 5 reports a trap in the core
// (the request, if any, was not carried out and the device restarts).
enum error_code { ERR_UNKNOWN_TYPE = 1, ERR_BAD_LENGTH = 2, ERR_BAD_VALUE = 3, ERR_UNSUPPORTED = 4, ERR_TRAP = 5 };

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/** The request being carried out, for a trap report (type 0: a timer). */
typedef struct {
  uint8_t type;
  uint16_t token;
} serving_t;
extern serving_t link_serving;

/** The decoder for the bytes from the harness (its counters go into the health log line). */
extern slip_decoder_t link_rx;

/** One frame from the decoder: type in body[0], `len` payload octets after it. */
void link_receive(const uint8_t *body, int len);

void link_send_psdu(const uint8_t *psdu, size_t len);
void link_send_hello(uint16_t token);
void link_send_result(uint16_t token, uint8_t command, uint8_t status, uint16_t detail);
void link_send_log(uint8_t level, const char *text);
void link_send_error(uint16_t token, uint8_t refused, uint8_t code, const char *text);

#endif
