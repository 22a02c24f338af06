// The device under test: the core as a 6LoWPAN node, driven by frames and
// requests from the link and by its own timers.
#ifndef DEVICE_H
#define DEVICE_H

#include <stddef.h>
#include <stdint.h>

/** A fresh node with `seed`; its first frames (RS) are scheduled. */
void device_boot(uint32_t seed);
/** Called on every wake-up: runs the node's timers when due, follows a
 *  registration. Returns the milliseconds until it needs to run again. */
uint32_t device_tick(void);

void device_input(const uint8_t *psdu, size_t len);
void device_reset(uint16_t token, uint32_t seed);
void device_reboot(uint16_t token);
void device_ping(uint16_t token, const uint8_t dst[16], uint16_t id, uint16_t seq, uint16_t size, uint8_t hop);
void device_udp(uint16_t token, const uint8_t dst[16], uint16_t sport, uint16_t dport, uint16_t length, const uint8_t *data, size_t dlen);
void device_register(uint16_t token, const uint8_t router[16], uint16_t lifetime);

#endif
