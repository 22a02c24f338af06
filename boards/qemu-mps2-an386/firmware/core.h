// The sixlab core (build/sixlab-core.wasm through wasm2c) as the board calls
// it: the node ABI of docs/core-abi.md ("The node"), with frames and time in
// and frames out. Every pointer the core returns is bounds-checked before the
// board reads through it; a bad one is a trap like any other.
#ifndef CORE_H
#define CORE_H

#include <stddef.h>
#include <stdint.h>

/** The core's export running now, for a trap report. */
extern const char *core_context;

/** A fresh instance (zeroed memory, data segments, start function), configured
 *  from board.h with `seed`, then node_init(now). 0 or -Reason. */
int32_t core_boot(uint32_t seed, uint32_t now);

/** One received PSDU (FCS included): 0, or -Reason when the node dropped it. */
int32_t core_input(const uint8_t *psdu, size_t len, uint32_t now);

/** Runs the node's timers; its next deadline, or 0xFFFFFFFF for none. */
uint32_t core_poll(uint32_t now);

/** Sends every frame the node queued over the link, oldest first; how many. */
unsigned core_drain(void);

/** An Echo Request to `dst` with `size` data octets (octet i is i mod 256). 0 or -Reason. */
int32_t core_ping(const uint8_t dst[16], uint16_t id, uint16_t seq, uint16_t size, uint32_t now);

/** A UDP datagram of `length` octets, octet i = data[i mod dlen] (0 when dlen is 0). 0 or -Reason. */
int32_t core_udp(const uint8_t dst[16], uint16_t dport, uint16_t sport, uint16_t length, const uint8_t *data, size_t dlen, uint32_t now);

/** Address table row i (layout NodeAddress), or NULL when free. Valid until the next core call. */
const uint8_t *core_address(int i);

/** Default router i (layout NodeRouter), or NULL when free. Valid until the next core call. */
const uint8_t *core_router(int i);

/** Octets of the linear memory the core's static data occupies (node_memory). */
uint32_t core_memory_used(void);

#endif
