/*
 * sha256.h - SHA-256 (FIPS 180-4) for page content hashes.
 */
#ifndef SOHOA_SHA256_H
#define SOHOA_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
    uint32_t h[8];
    uint64_t nbytes;
    uint8_t block[64];
    size_t fill;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t n);
void sha256_final(struct sha256 *c, uint8_t out[32]);
/* One-shot: writes 64 lowercase hex digits and a NUL into hex. */
void sha256_hex(const void *data, size_t n, char hex[65]);
void sha256_to_hex(const uint8_t dig[32], char hex[65]);

#endif
