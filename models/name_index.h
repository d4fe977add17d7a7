/*
 * A name index: id text -> position, for the thousands of ids a scenario can
 * hold (a 100,000-row products table), so resolving a reference or merging
 * by id costs O(1) rather than a scan.
 *
 * Open addressing with linear probing, FNV-1a hashes, load factor <= 1/2.
 * Keys are borrowed: the caller keeps each key's text alive and unchanged as
 * long as the index (the loader's arena does). Not thread-safe to write.
 */
#ifndef MODELS_NAME_INDEX_H
#define MODELS_NAME_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define NAME_INDEX_NONE UINT32_MAX

typedef struct name_index {
    const char **keys;
    uint32_t *values;
    size_t count, cap; /* cap is 0 or a power of two */
} name_index;

#define NAME_INDEX_INIT                                                                            \
    {                                                                                              \
        NULL, NULL, 0, 0                                                                           \
    }

void name_index_release(name_index *ix);

/* Adds key -> value unless key is present. Returns SIM_OK (added), SIM_EEXIST
 * (present; *existing gets its value when existing is not NULL) or SIM_ENOMEM. */
sim_status name_index_put(name_index *ix, const char *key, uint32_t value, uint32_t *existing);
/* Replaces or adds. */
sim_status name_index_set(name_index *ix, const char *key, uint32_t value);
/* The value, or NAME_INDEX_NONE. */
uint32_t name_index_get(const name_index *ix, const char *key);
void name_index_remove(name_index *ix, const char *key);

#endif
