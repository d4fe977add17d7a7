#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    struct block *next;
    size_t used, size;
    max_align_t data[];
} block;

struct sim_arena {
    block *head;
    size_t used;
};

/* Blocks grow with the arena, so a big scenario takes few mallocs while a
 * small one wastes little. */
#define MIN_BLOCK ((size_t)64 * 1024)
#define MAX_BLOCK ((size_t)8 * 1024 * 1024)

sim_arena *sim_arena_new(void)
{
    return calloc(1, sizeof(sim_arena));
}

void sim_arena_free(sim_arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *sim_arena_alloc(sim_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX / 2)
        return NULL;
    n = (n + align - 1) / align * align;
    block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = b ? b->size * 2 : MIN_BLOCK;
        if (size > MAX_BLOCK)
            size = MAX_BLOCK;
        if (size < n)
            size = n;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        /* An oversized block goes behind the current one, so the space left
         * in the current block is not lost. */
        if (a->head && size == n) {
            b->next = a->head->next;
            a->head->next = b;
            b->used = n;
            a->used += n;
            return b->data;
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->used += n;
    return p;
}

void *sim_arena_calloc(sim_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / 2 / size)
        return NULL;
    void *p = sim_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *sim_arena_strndup(sim_arena *a, const char *s, size_t len)
{
    char *p = sim_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *sim_arena_strdup(sim_arena *a, const char *s)
{
    return sim_arena_strndup(a, s, strlen(s));
}

size_t sim_arena_used(const sim_arena *a)
{
    return a->used;
}
