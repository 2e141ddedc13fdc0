#include "ccrc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

#define BARGE_CRC_TARGET __attribute__((target("sse4.2")))

int barge_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

BARGE_CRC_TARGET static inline uint32_t crc_word(uint32_t crc, uint64_t word) { return (uint32_t)_mm_crc32_u64(crc, word); }
BARGE_CRC_TARGET static inline uint32_t crc_byte(uint32_t crc, uint8_t byte) { return _mm_crc32_u8(crc, byte); }

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

#define BARGE_CRC_TARGET

int barge_crc32c_hardware_available(void) { return 1; }

static inline uint32_t crc_word(uint32_t crc, uint64_t word) { return __crc32cd(crc, word); }
static inline uint32_t crc_byte(uint32_t crc, uint8_t byte) { return __crc32cb(crc, byte); }

#else
#define BARGE_CRC_NONE
#endif

#ifdef BARGE_CRC_NONE

int barge_crc32c_hardware_available(void) { return 0; }

uint32_t barge_crc32c_hardware(uint32_t state, const void *data, size_t count) {
    (void)data;
    (void)count;
    return state;
}

#else

BARGE_CRC_TARGET
uint32_t barge_crc32c_hardware(uint32_t state, const void *data, size_t count) {
    const uint8_t *bytes = data;
    uint32_t crc = state;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        crc = crc_word(crc, word);
        bytes += 8;
        count -= 8;
    }
    while (count > 0) {
        crc = crc_byte(crc, *bytes);
        bytes++;
        count--;
    }
    return crc;
}

#endif
