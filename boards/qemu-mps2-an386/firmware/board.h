// What this board is: the MPS2 AN386 (Cortex-M4) as QEMU models it, and the
// identity the device under test has on the link. The identity must match
// boards/qemu-mps2-an386/board.json (the harness builds its expectations from
// that file; HELLO-RESPONSE tells the same values).
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

// ARM "Application Note AN386: ARM Cortex-M4 SMM on V2M-MPS2", §3 (memory
// map, interrupts): 25 MHz system clock, CMSDK UART0 at 0x40004000 with its
// receive interrupt on IRQ 0 (transmit on IRQ 1). QEMU's hw/arm/mps2.c uses the
// same values.
#define BOARD_SYSCLK_HZ 25000000u
#define BOARD_UART0_BASE 0x40004000u
#define BOARD_UART0_RX_IRQ 0u
#define BOARD_UART_BAUD 115200u

// The device's link identity (board.json "device").
#define DEVICE_EUI64 {0x00, 0x12, 0x4b, 0x00, 0x00, 0x0a, 0x03, 0x86}
#define DEVICE_SHORT_ADDRESS 0xFFFEu // none: the EUI-64 is the MAC source
#define DEVICE_PAN 0xABCDu
#define DEVICE_MODE 0u // NodeMode.LowpanNd (firmware/abi/layout.ts)
#define DEVICE_FRAME_VERSION 1u // IEEE 802.15.4-2006 frames, as the virtual board
#define DEVICE_REGISTRATION_MINUTES 60u

#ifndef FIRMWARE_VERSION
#define FIRMWARE_VERSION "dev"
#endif
#define FIRMWARE_NAME "sixlab-mps2-an386 " FIRMWARE_VERSION

#endif
