/*
 * A scenario's source: its YAML file, the files it `extends`, the CSV tables
 * its list sections name, and the command line's `--set` overrides, resolved
 * into one located tree that the schema (scenario.c) reads into a world.
 *
 * Resolution, in order:
 *   1. the file is parsed (yaml_tree); if it names `extends: other.yaml`
 *      (relative to itself), the other is resolved first, recursively; a cycle
 *      or a chain deeper than SCENARIO_MAX_EXTENDS is an error;
 *   2. in every file, a list section written as `{table: file.csv}` becomes a
 *      list of items, one per row: the columns are the item's keys (a dotted
 *      header `action.type` makes a nested key), an empty cell is left out,
 *      and cells keep their CSV file:line:col. The list sections are the
 *      top-level ones (countries, firms, products, needs, sites, lanes,
 *      demand, export_controls, stockpiling, disruptions), patents'
 *      portfolios, licences and disputes, and each site's processes;
 *   3. the file is merged onto what it extends: maps key by key; a list whose
 *      items all have an identity (`id`, or `code` for countries) merges by
 *      it (a new one is added at the end, a known one is merged key by key,
 *      `{id: x, remove: true}` deletes it); any other list, and any scalar,
 *      is replaced whole;
 *   4. each `--set PATH=VALUE` replaces (or adds) one value. PATH is dotted
 *      keys; inside a list a segment is an item's identity or its 0-based
 *      position (`export_controls.us_2023_10.action.approval`,
 *      `demand.1.patience_days`). VALUE is YAML (`0.5`, `2025-06-30`,
 *      `[SA, AE]`), located as "<--set>:N:COL" where N counts the --set
 *      options from 1 and COL is the byte in PATH=VALUE.
 *
 * Other `{table: ...}` values (dated series, empirical distributions) are
 * left in the tree; scenario_source_table loads them, relative to the file
 * that names them, once each.
 *
 * Ownership: the source owns every tree, table and node it made; the root
 * and everything reached from it live until scenario_source_free.
 */
#ifndef MODELS_SCENARIO_SOURCE_H
#define MODELS_SCENARIO_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_table.h"
#include "diag.h"
#include "status.h"
#include "yaml_tree.h"

#define SCENARIO_MAX_EXTENDS 16
/* The file name in the location of a --set value. */
#define SCENARIO_SET_FILE "<--set>"

typedef struct scenario_source scenario_source;

/* Resolves path and the n_sets "PATH=VALUE" overrides. Every problem goes
 * into d. Returns SIM_OK with *out set whenever there is a tree to check
 * further, even after errors (d has them; the schema can still find more), or
 * with *out NULL: SIM_ENOENT (the scenario or a file it extends is missing or
 * unreadable), SIM_EINVAL (not a usable scenario), SIM_ENOMEM. */
sim_status scenario_source_load(const char *path, const char *const *sets, size_t n_sets,
                                diag_list *d, scenario_source **out);
void scenario_source_free(scenario_source *s); /* NULL ok */

const ynode *scenario_source_root(const scenario_source *s);
/* True when some file (a table, say) was missing or unreadable. */
bool scenario_source_missing_file(const scenario_source *s);

/* Loads the CSV named by a `{table: path}` node (path relative to the file
 * the node came from), caching by resolved path. Problems go into d and give
 * NULL; *missing is set when the file is missing or unreadable. */
const csv_table *scenario_source_table(scenario_source *s, const ynode *path_node, diag_list *d,
                                       bool *missing);

/* True when an extending file deleted id with `remove: true` (so a
 * reference to it is deliberate, not a typo); *where gets the place. */
bool scenario_source_removed(const scenario_source *s, const char *id, src_loc *where);

/* Every file read (scenario files first, then tables), for the manifest. */
size_t scenario_source_file_count(const scenario_source *s);
const char *scenario_source_file(const scenario_source *s, size_t i);

/* Node helpers shared with the schema. */
/* The identity of a list item: its `id`, else its `code`, else NULL. */
const ynode *scenario_item_identity(const ynode *item);

#endif
