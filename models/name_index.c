#include "name_index.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3u;
    }
    return h;
}

void name_index_release(name_index *ix)
{
    free(ix->keys);
    free(ix->values);
    *ix = (name_index)NAME_INDEX_INIT;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot(const name_index *ix, const char *key)
{
    size_t mask = ix->cap - 1, i = (size_t)hash(key) & mask;
    while (ix->keys[i] && strcmp(ix->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

static sim_status grow(name_index *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 16;
    name_index bigger = {calloc(cap, sizeof(char *)), malloc(cap * sizeof(uint32_t)), 0, cap};
    if (!bigger.keys || !bigger.values) {
        name_index_release(&bigger);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < ix->cap; i++) {
        if (!ix->keys[i]) continue;
        size_t j = slot(&bigger, ix->keys[i]);
        bigger.keys[j] = ix->keys[i];
        bigger.values[j] = ix->values[i];
        bigger.count++;
    }
    name_index_release(ix);
    *ix = bigger;
    return SIM_OK;
}

sim_status name_index_put(name_index *ix, const char *key, uint32_t value, uint32_t *existing)
{
    if (ix->cap) {
        size_t i = slot(ix, key);
        if (ix->keys[i]) {
            if (existing) *existing = ix->values[i];
            return SIM_EEXIST;
        }
    }
    if (2 * (ix->count + 1) > ix->cap) {
        sim_status st = grow(ix);
        if (st != SIM_OK) return st;
    }
    size_t i = slot(ix, key);
    ix->keys[i] = key;
    ix->values[i] = value;
    ix->count++;
    return SIM_OK;
}

sim_status name_index_set(name_index *ix, const char *key, uint32_t value)
{
    if (ix->cap) {
        size_t i = slot(ix, key);
        if (ix->keys[i]) {
            ix->values[i] = value;
            return SIM_OK;
        }
    }
    return name_index_put(ix, key, value, NULL);
}

uint32_t name_index_get(const name_index *ix, const char *key)
{
    if (!ix->cap) return NAME_INDEX_NONE;
    size_t i = slot(ix, key);
    return ix->keys[i] ? ix->values[i] : NAME_INDEX_NONE;
}

void name_index_remove(name_index *ix, const char *key)
{
    if (!ix->cap) return;
    size_t mask = ix->cap - 1, i = slot(ix, key);
    if (!ix->keys[i]) return;
    ix->keys[i] = NULL;
    ix->count--;
    /* Backward-shift deletion: re-place the rest of the probe run so lookups
     * never stop early at the hole. */
    for (size_t j = (i + 1) & mask; ix->keys[j]; j = (j + 1) & mask) {
        const char *k = ix->keys[j];
        uint32_t v = ix->values[j];
        ix->keys[j] = NULL;
        size_t t = slot(ix, k);
        ix->keys[t] = k;
        ix->values[t] = v;
    }
}
