/* CRC-32C (Castagnoli, the polynomial 0x1EDC6F41, reflected; iSCSI's and ext4's): a
 * check for accidental damage, not for tampering (sha256.h is for that). With SSE4.2's
 * crc32 instruction, three interleaved streams; else a table, a byte at a time. Tested
 * against RFC 3720's vectors and a bit-by-bit reference (tests/unit/test_crc32c.c). */
#ifndef WELD_UTIL_CRC32C_H
#define WELD_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of crc's data followed by data[0..n): start with 0; the result of one call is
 * the `crc` of the next (crc(a||b) == util_crc32c(util_crc32c(0, a), b)). */
uint32_t util_crc32c(uint32_t crc, const void *data, size_t n);

#endif
