/*
 * Reading typed values out of a scenario's located tree: the vocabulary the
 * schema (scenario.c) is written in. Internal to the loader.
 *
 * Every reader takes the value's path as `--set` spells it
 * ("sites.smic_sn2.capacity_wafers_per_month") and, when the value is wrong,
 * adds one error at the value's file:line:col of the form
 *
 *   <path>: <what is wrong>; expected <what was expected>
 *
 * and returns false, leaving *out untouched. Readers never stop at the first
 * error: the caller carries on, so one run reports every mistake.
 *
 * Ownership: strings and arrays a reader makes live in the reader's arena
 * (the world's), so they live as long as the world.
 */
#ifndef MODELS_SCENARIO_READ_H
#define MODELS_SCENARIO_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "name_index.h"
#include "scenario_source.h"
#include "world.h"
#include "yaml_tree.h"

/* Longest path a message names; longer ones are cut. */
#define READ_PATH_MAX 256

typedef struct reader {
    scenario_source *src;
    diag_list *d;
    sim_arena *arena;
    bool nomem;
    bool missing_file; /* a table could not be read */
} reader;

void read_error(reader *r, src_loc at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void read_warning(reader *r, src_loc at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Paths: parent + "." + key, or parent + "." + an item's identity (its
 * position when it has none). Written into buf (READ_PATH_MAX bytes). */
char *path_key(char *buf, const char *parent, const char *key);
char *path_item(char *buf, const char *parent, const ynode *item, size_t index);

/* A short quoted rendering of what a node holds, for "got ..." parts:
 * "'abc'" for a scalar, "a mapping", "a list". */
const char *read_got(char buf[96], const ynode *n);

/* Checks n is a mapping whose keys are all in allowed (NULL-terminated;
 * `source` and `note`, documentation, are always allowed). Unknown keys are
 * errors with a did-you-mean. False when n is not a mapping. `what` says
 * what the mapping is ("a site", "the run settings"). */
bool read_map(reader *r, const ynode *n, const char *path, const char *what,
              const char *const *allowed);
/* The value of a required key, or NULL after "missing required key". */
const ynode *read_required(reader *r, const ynode *map, const char *key, const char *path,
                           const char *expected);
/* A list (sequence); NULL with an error otherwise. */
bool read_seq(reader *r, const ynode *n, const char *path, const char *what);

/* Number constraints. */
typedef struct numspec {
    double min, max;
    bool min_open, max_open; /* exclusive bounds */
    bool integer;
    const char *expected; /* "a number > 0" */
} numspec;
extern const numspec NUM_POSITIVE, NUM_NONNEG, NUM_PROB, NUM_COUNT, NUM_WHOLE_NONNEG, NUM_ANY,
    NUM_AT_LEAST_1, NUM_UNITS;

/* Strict decimal text to a finite double (no hex, inf, nan, spaces). */
bool parse_number(const char *text, double *out);
bool read_number(reader *r, const ynode *n, const char *path, const numspec *spec, double *out);
bool read_u64(reader *r, const ynode *n, const char *path, const numspec *spec, uint64_t *out);
bool read_bool(reader *r, const ynode *n, const char *path, bool *out);
bool read_date(reader *r, const ynode *n, const char *path, sim_date *out);
/* A non-empty scalar string (copied into the arena). */
bool read_string(reader *r, const ynode *n, const char *path, const char **out);
/* An id: [a-z0-9_], 1..64 bytes; kind_pattern says which ("an id", "a
 * country code"): code selects the pattern (see read.c). */
typedef enum id_style { ID_LOWER, ID_CODE, ID_NAME } id_style;
bool read_id(reader *r, const ynode *n, const char *path, id_style style, const char **out);

/* Where text stands verbatim in its file: at `at`, or one column on (a
 * quoted CSV cell's location is its opening quote). False when the file's
 * line does not hold it as it is (escapes, a value folded over lines), so a
 * column inside the text cannot be added to at.col. Reads the file. */
bool read_verbatim_loc(src_loc at, const char *text, size_t len, src_loc *out);

/* One item of a list of names: its text and where it stands. */
typedef struct read_item {
    const char *text;
    src_loc loc;
} read_item;
/* A list of scalars: a YAML list, or a CSV cell whose items are joined by ';'.
 * *out lives in the arena; *n may be 0. */
bool read_names(reader *r, const ynode *n, const char *path, read_item **out, size_t *count);

/* Distributions: `{dist: NAME, ...}` with the unit in each parameter's name. */
bool read_dist(reader *r, const ynode *n, const char *path, world_unit unit, world_dist *out);
/* A number, a `{table: file.csv}` with date,value columns, or an inline
 * mapping of dates to values: a step function. */
bool read_series(reader *r, const ynode *n, const char *path, const numspec *spec,
                 world_series *out);
bool read_rate(reader *r, const ynode *n, const char *path, world_rate *out);
bool read_yield(reader *r, const ynode *n, const char *path, world_yield *out);

/* A set of ids of one kind, in definition order, with an index. */
typedef struct idset {
    const char *kind;    /* "site" */
    const char *section; /* "sites" */
    const char **ids;
    src_loc *locs;
    uint32_t *pos; /* the position in its section of the item that defined each id */
    size_t n, cap;
    name_index ix;
} idset;
#define IDSET(kind, section)                                                                       \
    {                                                                                              \
        kind, section, NULL, NULL, NULL, 0, 0, NAME_INDEX_INIT                                     \
    }
void idset_release(idset *s);
/* Adds id, defined by the item at `position` in its section; a duplicate is
 * an error naming the first's location. Returns position, or WORLD_NONE for a
 * duplicate or on no memory. References resolve to positions, so an item that
 * failed to define its id shifts nothing. */
uint32_t idset_define(reader *r, idset *s, const char *id, src_loc at, const char *path,
                      uint32_t position);
/* Adds id unless present (sets declared by use: groups, lists, standards);
 * its position is the order of first use. */
uint32_t idset_declare(reader *r, idset *s, const char *id, src_loc at);
/* The position of a reference, or WORLD_NONE after "unknown <kind> 'x'". */
uint32_t idset_resolve(reader *r, const idset *s, const char *id, src_loc at, const char *path);
/* The position of id, or WORLD_NONE; no diagnostic. */
uint32_t idset_find(const idset *s, const char *id);
/* Where id was defined (it must be present). */
src_loc idset_loc(const idset *s, const char *id);

#endif
