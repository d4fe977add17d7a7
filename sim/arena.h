/*
 * An arena: memory for many small objects that all die together (a loaded
 * scenario's strings and arrays, a parsed tree), freed in one call.
 *
 * Allocation bumps a pointer inside the current block; a new block is taken
 * from the system when it is full. Every allocation is aligned for any type.
 * Nothing is freed one by one. Ownership: the arena owns every byte it hands
 * out; pointers stay valid until sim_arena_free. Not thread-safe.
 */
#ifndef SIM_ARENA_H
#define SIM_ARENA_H

#include <stddef.h>

typedef struct sim_arena sim_arena;

/* NULL on out of memory. */
sim_arena *sim_arena_new(void);
void sim_arena_free(sim_arena *a); /* NULL ok */

/* n bytes (n may be 0), uninitialised; NULL on out of memory or overflow. */
void *sim_arena_alloc(sim_arena *a, size_t n);
/* n elements of size bytes each, zeroed; NULL on out of memory or overflow. */
void *sim_arena_calloc(sim_arena *a, size_t n, size_t size);
/* A NUL-terminated copy of the first len bytes of s. */
char *sim_arena_strndup(sim_arena *a, const char *s, size_t len);
char *sim_arena_strdup(sim_arena *a, const char *s);
/* Bytes handed out so far (for tests and memory reports). */
size_t sim_arena_used(const sim_arena *a);

#endif
