/*
 * SHA-256 (FIPS 180-4), for the manifest: which exact input files produced
 * a result. A few dozen lines against a new crypto dependency for one hash;
 * tests/unit/test_sha256.c checks the FIPS 180-4 / NIST examples.
 *
 * Plain values, no allocation.
 */
#ifndef SIM_SHA256_H
#define SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef struct sim_sha256 {
    uint32_t h[8];
    uint64_t length; /* bytes hashed */
    uint8_t block[64];
    size_t used; /* bytes in block */
} sim_sha256;

void sim_sha256_init(sim_sha256 *c);
void sim_sha256_update(sim_sha256 *c, const void *data, size_t len);
/* The 64 lower-case hex digits and a NUL. */
void sim_sha256_hex(sim_sha256 *c, char out[65]);

/* The hash of a whole file; SIM_EIO (with errno set) when it cannot be read. */
sim_status sim_sha256_file(const char *path, char out[65]);

#endif
