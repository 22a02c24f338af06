// The serial link's framing (docs/serial-link.md "Frame format"): SLIP
// (RFC 1055) with an END before and after every frame, and a CRC-16/CCITT-FALSE
// over type + payload, most significant octet first.
#ifndef SLIP_H
#define SLIP_H

#include <stddef.h>
#include <stdint.h>

#define SLIP_MAX_PAYLOAD 255u
#define SLIP_MAX_PSDU 127u
#define SLIP_MAX_BODY (1u + SLIP_MAX_PAYLOAD + 2u) // type + payload + CRC

typedef struct {
  uint8_t body[SLIP_MAX_BODY];
  uint16_t len;
  uint8_t escaped;
  uint8_t dropping; // oversize or bad escape: ignore octets until the next END
  uint32_t frames, crc_errors, oversize, bad_escapes, runts;
} slip_decoder_t;

/** Feeds one octet; returns the payload length (>= 0) when it completed a frame
 *  with a good CRC (type in body[0], payload from body[1]), or -1. */
int slip_decode(slip_decoder_t *d, uint8_t octet);

/** Sends one frame: END, escaped(type | payload | CRC), END. The payload may
 *  come in two pieces (a message's fixed fields, then its text). */
void slip_send(uint8_t type, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

uint16_t crc16_ccitt_false(uint16_t crc, const uint8_t *p, size_t n);

#endif
