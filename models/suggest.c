#include "suggest.h"

#include <string.h>

#define MAX_LEN 64

size_t suggest_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > MAX_LEN || m > MAX_LEN) return MAX_LEN + 1;
    /* Three rows of the dynamic programme: two back for the swap. */
    size_t rows[3][MAX_LEN + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = prev[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best) best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

static size_t allowed(const char *word)
{
    size_t len = strlen(word);
    return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *suggest_closest_field(const char *word, const void *base, size_t n, size_t stride,
                                  size_t offset)
{
    if (!word || strlen(word) > MAX_LEN) return NULL;
    size_t limit = allowed(word), best_d = limit + 1;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *c = *(const char *const *)((const char *)base + i * stride + offset);
        if (!c || strcmp(c, word) == 0) continue;
        size_t d = suggest_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    return best;
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t n)
{
    return suggest_closest_field(word, candidates, n, sizeof *candidates, 0);
}
