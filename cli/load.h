/*
 * Loading a scenario at the command's edge: the one place that turns the
 * loader's status and diagnostics into what a user sees (every error and
 * warning on stderr, with the line quoted) and an exit code.
 */
#ifndef CLI_LOAD_H
#define CLI_LOAD_H

#include <stddef.h>

#include "world.h"

/* The --set options gathered from a command line. */
typedef struct cli_sets {
    const char **items;
    size_t n, cap;
} cli_sets;

/* False when memory runs out (reported). */
int cli_sets_add(cli_sets *s, const char *arg);
void cli_sets_release(cli_sets *s);

/* Loads path with the overrides, prints every diagnostic to stderr, and
 * returns EXIT_OK with *out set, or the exit code for the failure (65 bad
 * scenario, 66 missing input, 70 out of memory) with *out NULL. Counts of
 * errors and warnings go to *errors and *warnings when not NULL. */
int cli_load(const char *path, const cli_sets *sets, world **out, size_t *errors, size_t *warnings);

#endif
