#include "pool.h"

#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct chunk {
    struct chunk *next;
} chunk;

/* Objects start this far into a chunk, so they keep max_align_t alignment. */
#define CHUNK_HEADER                                                                               \
    (((sizeof(chunk) + alignof(max_align_t) - 1) / alignof(max_align_t)) * alignof(max_align_t))

struct sim_pool {
    size_t object_size;
    size_t stride; /* object_size rounded up to alignment; at least a pointer */
    size_t per_chunk;
    chunk *chunks;
    void *free_list; /* each free object holds the pointer to the next */
    size_t in_use;
};

sim_pool *sim_pool_new(size_t object_size, size_t objects_per_chunk)
{
    if (object_size == 0) return NULL;
    sim_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    size_t a = alignof(max_align_t);
    size_t size = object_size < sizeof(void *) ? sizeof(void *) : object_size;
    p->object_size = object_size;
    p->stride = (size + a - 1) / a * a;
    if (objects_per_chunk == 0) {
        /* About 64 KiB a chunk: few mallocs, little waste for small pools. */
        objects_per_chunk = 65536 / p->stride;
        if (objects_per_chunk < 16) objects_per_chunk = 16;
    }
    p->per_chunk = objects_per_chunk;
    return p;
}

void sim_pool_free(sim_pool *p)
{
    if (!p) return;
    chunk *c = p->chunks;
    while (c) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(p);
}

static int add_chunk(sim_pool *p)
{
    if (p->per_chunk > (SIZE_MAX - CHUNK_HEADER) / p->stride) return 0;
    chunk *c = malloc(CHUNK_HEADER + p->per_chunk * p->stride);
    if (!c) return 0;
    c->next = p->chunks;
    p->chunks = c;
    unsigned char *base = (unsigned char *)c + CHUNK_HEADER;
    /* Push in reverse so objects are handed out in address order. */
    for (size_t i = p->per_chunk; i-- > 0;) {
        void *obj = base + i * p->stride;
        *(void **)obj = p->free_list;
        p->free_list = obj;
    }
    return 1;
}

void *sim_pool_get(sim_pool *p)
{
    if (!p->free_list && !add_chunk(p)) return NULL;
    void *obj = p->free_list;
    p->free_list = *(void **)obj;
    p->in_use++;
    return obj;
}

void sim_pool_put(sim_pool *p, void *obj)
{
    assert(obj && p->in_use > 0);
    *(void **)obj = p->free_list;
    p->free_list = obj;
    p->in_use--;
}

size_t sim_pool_in_use(const sim_pool *p)
{
    return p->in_use;
}

size_t sim_pool_object_size(const sim_pool *p)
{
    return p->object_size;
}
