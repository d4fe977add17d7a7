/*
 * A pool of fixed-size objects, for entities that come and go during a run
 * (orders, shipments, batches) without a malloc per entity.
 *
 * Memory is taken from the system in chunks and never returned until the pool
 * is freed; a returned object goes on a free list and is handed out again
 * (last in, first out, which keeps recently touched memory in cache). Objects
 * are aligned for any type (max_align_t). The pool owns its chunks; the caller
 * owns nothing it gets from the pool beyond the right to put it back once.
 */
#ifndef SIM_POOL_H
#define SIM_POOL_H

#include <stddef.h>

typedef struct sim_pool sim_pool;

/* NULL on out of memory or object_size == 0. objects_per_chunk 0 picks a default. */
sim_pool *sim_pool_new(size_t object_size, size_t objects_per_chunk);
void sim_pool_free(sim_pool *p);

/* Uninitialised memory for one object, or NULL when memory ran out. */
void *sim_pool_get(sim_pool *p);
/* obj must have come from this pool's sim_pool_get and not been put back since. */
void sim_pool_put(sim_pool *p, void *obj);

size_t sim_pool_in_use(const sim_pool *p);
size_t sim_pool_object_size(const sim_pool *p);

#endif
