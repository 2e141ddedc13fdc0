#include "ccrc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <nmmintrin.h>

int barge_crc32c_hardware_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2")))
uint32_t barge_crc32c_hardware(uint32_t state, const void *data, size_t count) {
    const uint8_t *bytes = data;
    uint64_t crc = state;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        crc = _mm_crc32_u64(crc, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t tail = (uint32_t)crc;
    while (count > 0) {
        tail = _mm_crc32_u8(tail, *bytes);
        bytes++;
        count--;
    }
    return tail;
}

#elif defined(__aarch64__) && defined(__ARM_FEATURE_CRC32)
#include <arm_acle.h>

int barge_crc32c_hardware_available(void) { return 1; }

uint32_t barge_crc32c_hardware(uint32_t state, const void *data, size_t count) {
    const uint8_t *bytes = data;
    uint32_t crc = state;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, bytes, 8);
        crc = __crc32cd(crc, word);
        bytes += 8;
        count -= 8;
    }
    while (count > 0) {
        crc = __crc32cb(crc, *bytes);
        bytes++;
        count--;
    }
    return crc;
}

#else

int barge_crc32c_hardware_available(void) { return 0; }

uint32_t barge_crc32c_hardware(uint32_t state, const void *data, size_t count) {
    (void)data;
    (void)count;
    return state;
}

#endif
