// SLIP framing with a CRC, device side. The same rules as the harness's
// host/link/serial-framing.ts (docs/serial-link.md, "Receiving"): every END
// ends whatever came before it, so line noise costs at most the frame it lands
// in; a bad escape or an oversize body drops the frame; every refusal is
// counted. Frames leave as END ... END (Karn's leading END, RFC 1055).
#include "slip.h"
#include "cmsdk-uart.h"

#define END 0xC0u
#define ESC 0xDBu
#define ESC_END 0xDCu
#define ESC_ESC 0xDDu
#define TYPE_PSDU 0x01u

// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final XOR
// (check value 0x29B1 over "123456789"). Bitwise rather than a 512-octet
// table: frames are short and flash is the scarcer resource here.
uint16_t crc16_ccitt_false(uint16_t crc, const uint8_t *p, size_t n) {
  while (n--) {
    crc ^= (uint16_t)(*p++ << 8);
    for (int i = 0; i < 8; i++) crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
  }
  return crc;
}

static int end_of_frame(slip_decoder_t *d) {
  uint16_t len = d->len;
  int dropping = d->dropping, escaped = d->escaped;
  d->len = 0;
  d->escaped = d->dropping = 0;
  if (dropping) return -1;
  if (escaped) { // ESC END: the frame is cut; the END still delimits
    d->bad_escapes++;
    return -1;
  }
  if (len == 0) return -1; // back-to-back ENDs: the normal leading END
  if (len < 3) {
    d->runts++;
    return -1;
  }
  uint16_t crc = (uint16_t)(d->body[len - 2] << 8 | d->body[len - 1]);
  if (crc16_ccitt_false(0xFFFFu, d->body, len - 2u) != crc) {
    d->crc_errors++;
    return -1;
  }
  d->frames++;
  return len - 3;
}

int slip_decode(slip_decoder_t *d, uint8_t b) {
  if (b == END) return end_of_frame(d);
  if (d->dropping) return -1;
  if (d->escaped) {
    d->escaped = 0;
    if (b == ESC_END) b = END;
    else if (b == ESC_ESC) b = ESC;
    else {
      d->bad_escapes++;
      d->dropping = 1;
      return -1;
    }
  } else if (b == ESC) {
    d->escaped = 1;
    return -1;
  }
  // The limit is known from the type octet: a PSDU carries at most 127 octets.
  uint16_t limit = d->len == 0 ? SLIP_MAX_BODY : (d->body[0] == TYPE_PSDU ? SLIP_MAX_PSDU + 3u : SLIP_MAX_BODY);
  if (d->len >= limit) {
    d->oversize++;
    d->dropping = 1;
    return -1;
  }
  d->body[d->len++] = b;
  return -1;
}

static void put_escaped(uint8_t b) {
  if (b == END) {
    uart_write(ESC);
    uart_write(ESC_END);
  } else if (b == ESC) {
    uart_write(ESC);
    uart_write(ESC_ESC);
  } else {
    uart_write(b);
  }
}

static uint16_t put_all(uint16_t crc, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) put_escaped(p[i]);
  return crc16_ccitt_false(crc, p, n);
}

void slip_send(uint8_t type, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
  uart_write(END);
  uint16_t crc = put_all(0xFFFFu, &type, 1);
  crc = put_all(crc, a, alen);
  crc = put_all(crc, b, blen);
  put_escaped((uint8_t)(crc >> 8));
  put_escaped((uint8_t)crc);
  uart_write(END);
}
