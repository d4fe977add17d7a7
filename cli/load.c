#include "load.h"

#include <stdio.h>
#include <stdlib.h>

#include "diag.h"
#include "exit_codes.h"
#include "scenario.h"

int cli_sets_add(cli_sets *s, const char *arg)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        const char **items = realloc(s->items, cap * sizeof *items);
        if (!items) {
            fprintf(stderr, "chipsim: out of memory\n");
            return 0;
        }
        s->items = items;
        s->cap = cap;
    }
    s->items[s->n++] = arg;
    return 1;
}

void cli_sets_release(cli_sets *s)
{
    free(s->items);
    *s = (cli_sets){0};
}

int cli_load(const char *path, const cli_sets *sets, world **out, size_t *errors, size_t *warnings)
{
    *out = NULL;
    diag_list *d = diag_list_new();
    if (!d) {
        fprintf(stderr, "chipsim: out of memory\n");
        return EXIT_SOFTWARE;
    }
    sim_status st = scenario_load(path, sets ? sets->items : NULL, sets ? sets->n : 0, d, out);
    diag_print(d, stderr);
    if (errors) *errors = diag_errors(d);
    if (warnings) *warnings = diag_count(d) - diag_errors(d);
    diag_list_free(d);
    switch (st) {
    case SIM_OK:
        return EXIT_OK;
    case SIM_ENOENT:
        return EXIT_NOINPUT;
    case SIM_ENOMEM:
        fprintf(stderr, "chipsim: out of memory while loading %s\n", path);
        return EXIT_SOFTWARE;
    default:
        return EXIT_DATAERR;
    }
}
