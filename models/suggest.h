/*
 * "Did you mean ...?": the closest known name to a misspelt one.
 *
 * Distance is Damerau-Levenshtein (optimal string alignment: insert, delete,
 * substitute, swap two neighbours), counted in bytes. A candidate is offered
 * only when it is close enough to be a plausible typo: at most 1 edit for
 * names of up to 4 bytes, 2 up to 8, 3 beyond. Ties go to the earliest
 * candidate, so suggestions are deterministic. Long inputs (over 64 bytes)
 * get no suggestion, which bounds the work.
 */
#ifndef MODELS_SUGGEST_H
#define MODELS_SUGGEST_H

#include <stddef.h>

/* The closest of n candidates (NULL entries skipped), or NULL. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t n);

/* The same over candidates reached by a stride: candidate i is the string
 * pointer at (const char *)base + i * stride + offset. Lets callers search
 * the id field of an array of structs without copying. */
const char *suggest_closest_field(const char *word, const void *base, size_t n, size_t stride,
                                  size_t offset);

/* Edit distance as above, or a number > 64 when either is longer than 64. */
size_t suggest_distance(const char *a, const char *b);

#endif
