#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Whether this CPU computes CRC-32C in hardware (SSE 4.2 on x86-64, the CRC
/// extension on ARM64): 1 or 0.
int barge_crc32c_hardware_available(void);

/// Feeds `count` bytes at `data` to a CRC-32C register `state` (not inverted:
/// callers start at 0xFFFFFFFF and invert the end result) with the CPU's CRC
/// instructions. Call only when `barge_crc32c_hardware_available()` is 1.
uint32_t barge_crc32c_hardware(uint32_t state, const void *data, size_t count);

#endif
