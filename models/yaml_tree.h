/*
 * A scenario file's YAML as a tree in which every node knows where it came
 * from (file:line:column), so that errors found long after parsing — a
 * dangling id, a negative capacity — still point into the file.
 *
 * Built from libfyaml's event parser (its document API in Debian's 0.7.12
 * keeps no position per node). What the loader accepts is a safe subset of
 * YAML, and everything outside it is an error with a location, never a crash
 * or unbounded work:
 *   - one document per file; an empty file is an error;
 *   - nesting at most YTREE_MAX_DEPTH levels (a deeply nested file);
 *   - no anchors or aliases: an alias bomb ("billion laughs") expands
 *     exponentially in every traversal, and scenario files have `extends`
 *     and tables for reuse;
 *   - no tags; mapping keys are plain or quoted scalars; a key may appear
 *     once per mapping (the second is reported with the first's line);
 *   - at most YTREE_MAX_BYTES of input, YTREE_MAX_NODES nodes, and no NUL
 *     bytes (binary garbage), so memory stays bounded whatever the input.
 *     Bulk data belongs in CSV tables, which have their own, larger limit.
 *
 * Scalars keep their text and whether they were quoted: a quoted "2024" is a
 * string even though it looks like a number. Ownership: a ytree owns all its
 * nodes and strings; nodes live until ytree_free.
 */
#ifndef MODELS_YAML_TREE_H
#define MODELS_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "status.h"

#define YTREE_MAX_DEPTH 64
#define YTREE_MAX_BYTES (16u << 20)
#define YTREE_MAX_NODES 1000000

typedef enum ynode_kind { YNODE_SCALAR, YNODE_MAP, YNODE_SEQ } ynode_kind;

typedef struct ynode ynode;
struct ynode {
    ynode_kind kind;
    src_loc loc;      /* where the node starts; loc.file is the tree's copy */
    const char *text; /* scalar: its value, NUL-terminated ("" for an empty value) */
    size_t len;       /* scalar: bytes in text (it may hold no NUL, see above) */
    bool quoted;      /* scalar: written in quotes, or as a block scalar */
    bool from_csv;    /* scalar: a CSV cell, where ';' separates a list's items */
    size_t count;     /* map: pairs; seq: items */
    ynode **keys;     /* map: the keys, scalars */
    ynode **values;   /* map: the values; seq: the items */
};

typedef struct ytree ytree;

/* Parses a file. Every problem goes into d. Returns SIM_OK; SIM_ENOENT (file
 * missing), SIM_EIO (unreadable, a directory), SIM_EINVAL (not acceptable
 * YAML; see above), SIM_ENOMEM. *out is NULL unless SIM_OK. */
sim_status ytree_load_file(const char *path, diag_list *d, ytree **out);
/* The same from memory; name is used as the file in locations. */
sim_status ytree_load_string(const char *name, const char *text, size_t len, diag_list *d,
                             ytree **out);
void ytree_free(ytree *t);

const ynode *ytree_root(const ytree *t);
const char *ytree_file(const ytree *t);

/* The value of key in a mapping, or NULL (also when node is not a mapping). */
const ynode *ynode_get(const ynode *map, const char *key);
/* The key node of key in a mapping (for locations), or NULL. */
const ynode *ynode_key(const ynode *map, const char *key);
/* True for a plain (unquoted) scalar whose text is empty, "~" or "null". */
bool ynode_is_null(const ynode *n);
const char *ynode_kind_name(ynode_kind k);

#endif
