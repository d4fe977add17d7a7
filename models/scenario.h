/*
 * Loading a scenario: files in, a validated world (or every error) out.
 *
 *   world *w;
 *   diag_list *d = diag_list_new();
 *   sim_status st = scenario_load("me.yaml", sets, n_sets, d, &w);
 *   diag_print(d, stderr);       // errors and warnings, each at file:line:col
 *
 * The format is docs/scenario-format.md; scenario_source.h resolves extends,
 * tables and --set; this applies the schema: every key known, every value of
 * its type and range, every reference resolved, and the checks that span
 * sections (a product needed to make itself, a supplier with no lane to its
 * buyer, a rule whose expression names an attribute no product has).
 */
#ifndef MODELS_SCENARIO_H
#define MODELS_SCENARIO_H

#include <stddef.h>

#include "diag.h"
#include "status.h"
#include "world.h"

/* Returns SIM_OK with *out a world (warnings may be in d), or with *out NULL:
 * SIM_ENOENT when a file could not be read (the scenario, a file it extends,
 * a table), SIM_EINVAL when the scenario has errors (all in d), SIM_ENOMEM.
 * files (may be NULL) receives a malloc'd list of the files read (one
 * malloc'd block; the caller frees it) and n_files their count. */
sim_status scenario_load(const char *path, const char *const *sets, size_t n_sets, diag_list *d,
                         world **out);

#endif
