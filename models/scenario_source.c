/* realpath is XSI. */
#define _XOPEN_SOURCE 700

#include "scenario_source.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "name_index.h"

typedef struct cached_table {
    char *path; /* resolved; arena */
    csv_table *table;
    bool missing;
} cached_table;

struct scenario_source {
    sim_arena *arena;
    ytree **trees;
    size_t n_trees, cap_trees;
    size_t n_chain; /* trees[0..n_chain) are scenario files; the rest --set values */
    cached_table *tables;
    size_t n_tables, cap_tables;
    const ynode *root;
    name_index removed; /* ids deleted by `remove: true` -> index into removed_at */
    src_loc *removed_at;
    size_t n_removed, cap_removed;
    bool missing; /* a file could not be read */
    bool failed;  /* an error was reported */
    bool nomem;
};

/* CSV headers nest at most this deep (`action.review.dist` is 3). */
#define MAX_HEADER_DEPTH 8

/* ---- small helpers ---- */

static void *grow_array(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return p;
    size_t cap2 = *cap ? *cap * 2 : 8;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(p, cap2 * elem);
    if (q) *cap = cap2;
    return q;
}

static ynode *node_new(scenario_source *s, ynode_kind kind, src_loc at, size_t count)
{
    ynode *n = sim_arena_calloc(s->arena, 1, sizeof *n);
    if (!n) {
        s->nomem = true;
        return NULL;
    }
    n->kind = kind;
    n->loc = at;
    n->count = count;
    if (kind != YNODE_SCALAR) {
        n->values = sim_arena_calloc(s->arena, count ? count : 1, sizeof *n->values);
        if (kind == YNODE_MAP)
            n->keys = sim_arena_calloc(s->arena, count ? count : 1, sizeof *n->keys);
        if (!n->values || (kind == YNODE_MAP && !n->keys)) {
            s->nomem = true;
            return NULL;
        }
    } else {
        n->text = "";
    }
    return n;
}

static ynode *scalar_new(scenario_source *s, const char *text, src_loc at)
{
    ynode *n = node_new(s, YNODE_SCALAR, at, 0);
    if (!n) return NULL;
    n->text = sim_arena_strdup(s->arena, text);
    if (!n->text) {
        s->nomem = true;
        return NULL;
    }
    n->len = strlen(text);
    return n;
}

static void error_at(scenario_source *s, diag_list *d, src_loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void error_at(scenario_source *s, diag_list *d, src_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(d, DIAG_ERROR, at, fmt, ap);
    va_end(ap);
    s->failed = true;
}

/* base_file's folder joined with rel (rel as it is when absolute). */
static char *resolve_path(scenario_source *s, const char *base_file, const char *rel)
{
    const char *slash = base_file ? strrchr(base_file, '/') : NULL;
    if (rel[0] == '/' || !slash) return sim_arena_strdup(s->arena, rel);
    size_t dir = (size_t)(slash - base_file) + 1, len = strlen(rel);
    char *p = sim_arena_alloc(s->arena, dir + len + 1);
    if (!p) return NULL;
    memcpy(p, base_file, dir);
    memcpy(p + dir, rel, len + 1);
    return p;
}

const ynode *scenario_item_identity(const ynode *item)
{
    const ynode *id = ynode_get(item, "id");
    if (!id) id = ynode_get(item, "code");
    return id && id->kind == YNODE_SCALAR ? id : NULL;
}

static bool is_table_ref(const ynode *n)
{
    return n && n->kind == YNODE_MAP && n->count == 1 && n->keys[0]->kind == YNODE_SCALAR &&
           strcmp(n->keys[0]->text, "table") == 0;
}

static void copy_diags(const diag_list *from, diag_list *to)
{
    for (size_t i = 0; i < diag_count(from); i++) {
        const diag *g = diag_at(from, i);
        diag_add(to, g->severity, (src_loc){g->file, g->line, g->col}, "%s", g->message);
    }
}

/* ---- tables ---- */

static const csv_table *load_table(scenario_source *s, const ynode *path_node, diag_list *d,
                                   bool *missing)
{
    *missing = false;
    if (path_node->kind != YNODE_SCALAR || path_node->len == 0) {
        error_at(s, d, path_node->loc,
                 "table needs a file name (a CSV path relative to this "
                 "file)");
        return NULL;
    }
    char *path = resolve_path(s, path_node->loc.file, path_node->text);
    if (!path) {
        s->nomem = true;
        return NULL;
    }
    for (size_t i = 0; i < s->n_tables; i++) {
        if (strcmp(s->tables[i].path, path) == 0) {
            *missing = s->tables[i].missing;
            return s->tables[i].table; /* problems were reported the first time */
        }
    }
    cached_table *grown = grow_array(s->tables, &s->cap_tables, s->n_tables + 1, sizeof *grown);
    if (!grown) {
        s->nomem = true;
        return NULL;
    }
    s->tables = grown;
    diag_list *local = diag_list_new();
    if (!local) {
        s->nomem = true;
        return NULL;
    }
    csv_table *t = NULL;
    sim_status st = csv_table_load(path, local, &t);
    cached_table *c = &s->tables[s->n_tables++];
    *c = (cached_table){path, t, false};
    if (st == SIM_ENOENT || st == SIM_EIO) {
        /* Point at the name in the scenario, which is what the user wrote. */
        const diag *g = diag_count(local) ? diag_at(local, 0) : NULL;
        const char *why = g ? g->message : "cannot read it";
        error_at(s, d, path_node->loc, "table '%s': %s", path, why);
        c->missing = *missing = true;
        s->missing = true;
    } else {
        copy_diags(local, d);
        if (st == SIM_ENOMEM) s->nomem = true;
        if (st != SIM_OK) s->failed = true;
    }
    diag_list_free(local);
    return t;
}

const csv_table *scenario_source_table(scenario_source *s, const ynode *path_node, diag_list *d,
                                       bool *missing)
{
    return load_table(s, path_node, d, missing);
}

/* The nesting of a table's dotted headers, worked out once per table. */
typedef struct plan {
    const char *name; /* this segment */
    ynode *key;       /* its key node, shared by every row */
    long col;         /* a leaf: its column; -1 for a group */
    struct plan *children;
    size_t n_children;
    src_loc loc; /* the header cell that made it */
} plan;

static plan *plan_child(scenario_source *s, plan *p, const char *seg, size_t len, src_loc at)
{
    for (size_t i = 0; i < p->n_children; i++)
        if (strlen(p->children[i].name) == len && memcmp(p->children[i].name, seg, len) == 0)
            return &p->children[i];
    /* Children arrays are rebuilt on growth; at most one per column, so small. */
    plan *c = sim_arena_calloc(s->arena, p->n_children + 1, sizeof *c);
    if (!c) {
        s->nomem = true;
        return NULL;
    }
    if (p->n_children) memcpy(c, p->children, p->n_children * sizeof *c);
    p->children = c;
    plan *n = &c[p->n_children++];
    n->name = sim_arena_strndup(s->arena, seg, len);
    n->col = -1;
    n->loc = at;
    n->key = n->name ? scalar_new(s, n->name, at) : NULL;
    if (!n->name || !n->key) {
        s->nomem = true;
        return NULL;
    }
    return n;
}

static bool make_plan(scenario_source *s, const csv_table *t, plan *root, diag_list *d)
{
    *root = (plan){"", NULL, -1, NULL, 0, {0}};
    for (size_t c = 0; c < csv_table_cols(t); c++) {
        const char *h = csv_table_header(t, c);
        src_loc at = csv_table_header_loc(t, c);
        plan *p = root;
        int depth = 0;
        for (const char *seg = h;;) {
            const char *dot = strchr(seg, '.');
            size_t len = dot ? (size_t)(dot - seg) : strlen(seg);
            if (len == 0 || ++depth > MAX_HEADER_DEPTH) {
                error_at(s, d, at,
                         "column '%s' is not a key name (dotted names nest at most %d "
                         "deep, with no empty parts)",
                         h, MAX_HEADER_DEPTH);
                return false;
            }
            if (p->col >= 0) {
                error_at(s, d, at, "column '%s' nests under column '%s', which holds a value", h,
                         csv_table_header(t, (size_t)p->col));
                return false;
            }
            p = plan_child(s, p, seg, len, at);
            if (!p) return false;
            if (!dot) {
                if (p->col >= 0 || p->n_children) {
                    error_at(s, d, at, "column '%s' clashes with another column of the same key",
                             h);
                    return false;
                }
                p->col = (long)c;
                break;
            }
            seg = dot + 1;
        }
    }
    return true;
}

/* One row's map under plan p, or NULL when every cell under it is empty. */
static ynode *row_node(scenario_source *s, const csv_table *t, size_t row, const plan *p)
{
    ynode *keys[64], *vals[64];
    ynode **k = keys, **v = vals;
    if (p->n_children > 64) {
        k = malloc(p->n_children * sizeof *k);
        v = malloc(p->n_children * sizeof *v);
        if (!k || !v) {
            free(k == keys ? NULL : k);
            free(v == vals ? NULL : v);
            s->nomem = true;
            return NULL;
        }
    }
    size_t n = 0;
    src_loc first = {0};
    for (size_t i = 0; i < p->n_children && !s->nomem; i++) {
        const plan *c = &p->children[i];
        ynode *val;
        if (c->col >= 0) {
            if (csv_table_is_empty(t, row, (size_t)c->col)) continue;
            /* A quoted cell stands where its text starts, after the quote, as
             * a quoted YAML scalar does: columns inside it then add up. */
            src_loc at = csv_table_loc(t, row, (size_t)c->col);
            at.col += csv_table_quoted(t, row, (size_t)c->col);
            /* The text stays in the table, which lives as long as the source. */
            val = node_new(s, YNODE_SCALAR, at, 0);
            if (val) {
                val->text = csv_table_cell(t, row, (size_t)c->col);
                val->len = strlen(val->text);
                val->from_csv = true;
            }
        } else {
            val = row_node(s, t, row, c);
            if (!val) continue;
        }
        ynode *key = val ? c->key : NULL;
        if (!key) break;
        if (n == 0) first = val->loc;
        k[n] = key;
        v[n] = val;
        n++;
    }
    ynode *m = NULL;
    if (n && !s->nomem && (m = node_new(s, YNODE_MAP, first, n))) {
        memcpy(m->keys, k, n * sizeof *k);
        memcpy(m->values, v, n * sizeof *v);
    }
    if (k != keys) {
        free(k);
        free(v);
    }
    return m;
}

/* A `{table: file.csv}` list section as a list of items. */
static const ynode *table_to_list(scenario_source *s, const ynode *ref, diag_list *d)
{
    bool missing;
    const csv_table *t = load_table(s, ref->values[0], d, &missing);
    if (!t) return NULL;
    plan root;
    if (!make_plan(s, t, &root, d)) return NULL;
    size_t rows = csv_table_rows(t);
    ynode *seq = node_new(s, YNODE_SEQ, ref->loc, rows);
    if (!seq) return NULL;
    size_t n = 0;
    for (size_t r = 0; r < rows; r++) {
        ynode *item = row_node(s, t, r, &root);
        if (s->nomem) return NULL;
        if (item) /* an all-empty row says nothing */
            seq->values[n++] = item;
    }
    seq->count = n;
    return seq;
}

/* ---- list sections written as tables ---- */

/* A list section's value with its tables expanded: `{table: f.csv}` as the
 * whole section, or as items of a list (`[{table: a.csv}, {id: x}]`), whose
 * rows are spliced in where the item stands. A table that cannot be read is
 * left as it is (already reported). NULL only when memory runs out. */
static const ynode *expand_list(scenario_source *s, const ynode *v, diag_list *d)
{
    if (is_table_ref(v)) {
        const ynode *list = table_to_list(s, v, d);
        return list ? list : s->nomem ? NULL : v;
    }
    if (v->kind != YNODE_SEQ) return v;
    size_t tables = 0;
    for (size_t i = 0; i < v->count; i++)
        tables += is_table_ref(v->values[i]);
    if (!tables) return v;
    const ynode **parts = calloc(v->count, sizeof *parts);
    if (!parts) {
        s->nomem = true;
        return NULL;
    }
    size_t total = 0;
    for (size_t i = 0; i < v->count; i++) {
        parts[i] = is_table_ref(v->values[i]) ? table_to_list(s, v->values[i], d) : NULL;
        if (s->nomem) break;
        /* A table that cannot be read is reported once and left out. */
        total += parts[i] ? parts[i]->count : is_table_ref(v->values[i]) ? 0 : 1;
    }
    ynode *seq = s->nomem ? NULL : node_new(s, YNODE_SEQ, v->loc, total);
    if (seq) {
        size_t n = 0;
        for (size_t i = 0; i < v->count; i++) {
            if (parts[i]) {
                memcpy(seq->values + n, parts[i]->values, parts[i]->count * sizeof *seq->values);
                n += parts[i]->count;
            } else if (!is_table_ref(v->values[i])) {
                seq->values[n++] = v->values[i];
            }
        }
        seq->count = n;
    }
    free(parts);
    return seq;
}

static const char *const top_lists[] = {"countries",   "firms",      "products", "needs",
                                        "sites",       "lanes",      "demand",   "export_controls",
                                        "stockpiling", "disruptions"};
static const char *const patent_lists[] = {"portfolios", "licences", "disputes"};

static bool in_list(const char *key, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, names[i]) == 0) return true;
    return false;
}

static ynode *copy_map(scenario_source *s, const ynode *m, size_t extra)
{
    ynode *c = node_new(s, YNODE_MAP, m->loc, m->count + extra);
    if (!c) return NULL;
    memcpy(c->keys, m->keys, m->count * sizeof *c->keys);
    memcpy(c->values, m->values, m->count * sizeof *c->values);
    c->count = m->count;
    return c;
}

static const ynode *expand_map_lists(scenario_source *s, const ynode *m, const char *const *names,
                                     size_t n_names, diag_list *d);

static const ynode *expand_site(scenario_source *s, const ynode *site, diag_list *d)
{
    static const char *const site_lists[] = {"processes"};
    return expand_map_lists(s, site, site_lists, 1, d);
}

/* m with each key in names whose value is `{table: ...}` expanded. */
static const ynode *expand_map_lists(scenario_source *s, const ynode *m, const char *const *names,
                                     size_t n_names, diag_list *d)
{
    if (!m || m->kind != YNODE_MAP) return m;
    ynode *c = NULL;
    for (size_t i = 0; i < m->count; i++) {
        const ynode *k = m->keys[i], *v = m->values[i], *nv = v;
        if (k->kind != YNODE_SCALAR) continue;
        if (in_list(k->text, names, n_names)) {
            nv = expand_list(s, v, d);
            if (!nv) return NULL;
        }
        if (strcmp(k->text, "patents") == 0 && names == top_lists)
            nv = expand_map_lists(s, v, patent_lists, 3, d);
        if (strcmp(k->text, "sites") == 0 && names == top_lists && nv->kind == YNODE_SEQ) {
            ynode *seq = NULL;
            for (size_t j = 0; j < nv->count; j++) {
                const ynode *site = expand_site(s, nv->values[j], d);
                if (site == nv->values[j]) continue;
                if (!seq) {
                    seq = node_new(s, YNODE_SEQ, nv->loc, nv->count);
                    if (!seq) return NULL;
                    memcpy(seq->values, nv->values, nv->count * sizeof *seq->values);
                }
                seq->values[j] = (ynode *)site;
            }
            if (seq) nv = seq;
        }
        if (nv == v) continue;
        if (!c && !(c = copy_map(s, m, 0))) return NULL;
        c->values[i] = (ynode *)nv;
    }
    return c ? c : m;
}

/* ---- extends: merging one file onto another ---- */

static const ynode *merge(scenario_source *s, const ynode *base, const ynode *over, diag_list *d);

static bool is_remove(const ynode *item, diag_list *d, scenario_source *s, bool *bad)
{
    const ynode *r = ynode_get(item, "remove");
    if (!r) return false;
    if (r->kind != YNODE_SCALAR || r->quoted || strcmp(r->text, "true") != 0) {
        error_at(s, d, r->loc,
                 "remove takes only 'true' (to delete the item from the scenario "
                 "this one extends)");
        *bad = true;
        return false;
    }
    if (item->count != 2) {
        error_at(s, d, item->loc, "an item with 'remove: true' takes no other keys than its id");
        *bad = true;
        return false;
    }
    return true;
}

static void note_removed(scenario_source *s, const ynode *id)
{
    src_loc *g = grow_array(s->removed_at, &s->cap_removed, s->n_removed + 1, sizeof *g);
    if (!g) {
        s->nomem = true;
        return;
    }
    s->removed_at = g;
    g[s->n_removed] = id->loc;
    if (name_index_set(&s->removed, id->text, (uint32_t)s->n_removed) != SIM_OK) s->nomem = true;
    s->n_removed++;
}

bool scenario_source_removed(const scenario_source *s, const char *id, src_loc *where)
{
    uint32_t i = name_index_get(&s->removed, id);
    if (i == NAME_INDEX_NONE) return false;
    if (where) *where = s->removed_at[i];
    return true;
}

static bool all_identified(const ynode *seq)
{
    for (size_t i = 0; i < seq->count; i++)
        if (seq->values[i]->kind != YNODE_MAP || !scenario_item_identity(seq->values[i]))
            return false;
    return true;
}

static const ynode *merge_by_id(scenario_source *s, const ynode *base, const ynode *over,
                                diag_list *d)
{
    size_t cap = base->count + over->count;
    ynode *seq = node_new(s, YNODE_SEQ, over->loc, cap);
    if (!seq) return NULL;
    name_index ix = NAME_INDEX_INIT;
    size_t n = 0;
    for (size_t i = 0; i < base->count; i++) {
        seq->values[n] = base->values[i];
        /* Duplicates in the base are the schema's to report; the first wins here. */
        if (name_index_put(&ix, scenario_item_identity(base->values[i])->text, (uint32_t)n, NULL) ==
            SIM_ENOMEM)
            s->nomem = true;
        n++;
    }
    for (size_t i = 0; i < over->count && !s->nomem; i++) {
        const ynode *item = over->values[i], *id = scenario_item_identity(item);
        uint32_t at = name_index_get(&ix, id->text);
        bool bad_remove = false;
        if (is_remove(item, d, s, &bad_remove) || bad_remove) {
            if (bad_remove) continue; /* reported; merging it would only add noise */
            if (at == NAME_INDEX_NONE || !seq->values[at])
                error_at(s, d, id->loc,
                         "cannot remove '%s': the scenario this one extends has no such item",
                         id->text);
            else {
                seq->values[at] = NULL;
                note_removed(s, id);
            }
            continue;
        }
        if (at != NAME_INDEX_NONE && seq->values[at]) {
            seq->values[at] = (ynode *)merge(s, seq->values[at], item, d);
        } else {
            if (name_index_set(&ix, id->text, (uint32_t)n) != SIM_OK) s->nomem = true;
            seq->values[n++] = (ynode *)item;
        }
    }
    name_index_release(&ix);
    if (s->nomem) return NULL;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (seq->values[i]) seq->values[kept++] = seq->values[i];
    seq->count = kept;
    return seq;
}

/* A mapping whose kind is chosen by a key (a distribution's `dist`, an
 * inventory's `policy`, an action's `type`) is replaced whole when that key
 * changes: the old kind's parameters mean nothing to the new one. An item
 * with an id (a patent licence's `type`: cross or one_way) keeps its other
 * keys: they mean the same whatever its type. */
static bool changes_kind(const ynode *base, const ynode *over)
{
    static const char *const kinds[] = {"dist", "policy", "type"};
    size_t n = scenario_item_identity(base) ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        const ynode *a = ynode_get(base, kinds[i]), *b = ynode_get(over, kinds[i]);
        if (a && b && a->kind == YNODE_SCALAR && b->kind == YNODE_SCALAR &&
            strcmp(a->text, b->text) != 0)
            return true;
    }
    return false;
}

static const ynode *merge(scenario_source *s, const ynode *base, const ynode *over, diag_list *d)
{
    if (!base || s->nomem) return over;
    if (base->kind == YNODE_MAP && over->kind == YNODE_MAP && !is_table_ref(over) &&
        !is_table_ref(base) && !changes_kind(base, over)) {
        ynode *m = copy_map(s, base, over->count);
        if (!m) return NULL;
        for (size_t i = 0; i < over->count; i++) {
            const ynode *k = over->keys[i];
            size_t j = 0;
            while (j < m->count && strcmp(m->keys[j]->text, k->text) != 0)
                j++;
            if (j < m->count) {
                m->values[j] = (ynode *)merge(s, m->values[j], over->values[i], d);
            } else {
                m->keys[m->count] = (ynode *)k;
                m->values[m->count++] = over->values[i];
            }
        }
        return m;
    }
    if (base->kind == YNODE_SEQ && over->kind == YNODE_SEQ && over->count > 0 &&
        all_identified(over) && all_identified(base))
        return merge_by_id(s, base, over, d);
    return over;
}

/* A mapping without one key. */
static const ynode *drop_key(scenario_source *s, const ynode *root, const char *key)
{
    if (!ynode_get(root, key)) return root;
    ynode *m = node_new(s, YNODE_MAP, root->loc, root->count);
    if (!m) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < root->count; i++) {
        if (root->keys[i]->kind == YNODE_SCALAR && strcmp(root->keys[i]->text, key) == 0) continue;
        m->keys[n] = root->keys[i];
        m->values[n++] = root->values[i];
    }
    m->count = n;
    return m;
}

static bool keep_tree(scenario_source *s, ytree *t)
{
    ytree **g = grow_array(s->trees, &s->cap_trees, s->n_trees + 1, sizeof *g);
    if (!g) {
        ytree_free(t);
        s->nomem = true;
        return false;
    }
    s->trees = g;
    s->trees[s->n_trees++] = t;
    return true;
}

/* The chain of files being resolved, for cycle reports. */
typedef struct chain {
    const char *path;
    char *real; /* realpath, malloc'd; NULL when unknown */
    const struct chain *up;
} chain;

/* Loads path (named at `from`, or the command line) with what it extends.
 * NULL when it cannot be read or is not YAML (reported). */
static const ynode *load_chain(scenario_source *s, const char *path, src_loc from, const chain *up,
                               int depth, diag_list *d)
{
    chain link = {path, realpath(path, NULL), up};
    const ynode *result = NULL;
    for (const chain *c = up; c && link.real; c = c->up) {
        if (c->real && strcmp(c->real, link.real) == 0) {
            char cycle[1024] = "";
            size_t used = 0;
            /* Outermost first: a.yaml -> b.yaml -> a.yaml. */
            const chain *order[SCENARIO_MAX_EXTENDS + 2];
            int n = 0;
            for (const chain *x = &link; x && n < SCENARIO_MAX_EXTENDS + 2; x = x->up)
                order[n++] = x;
            for (int i = n - 1; i >= 0 && used < sizeof cycle; i--)
                used += (size_t)snprintf(cycle + used, sizeof cycle - used, "%s%s",
                                         i == n - 1 ? "" : " -> ", order[i]->path);
            error_at(s, d, from, "extends makes a cycle: %s", cycle);
            goto done;
        }
    }
    if (depth > SCENARIO_MAX_EXTENDS) {
        error_at(s, d, from, "extends chain is deeper than %d files", SCENARIO_MAX_EXTENDS);
        goto done;
    }
    diag_list *local = diag_list_new();
    if (!local) {
        s->nomem = true;
        goto done;
    }
    ytree *t = NULL;
    sim_status st = ytree_load_file(path, local, &t);
    if ((st == SIM_ENOENT || st == SIM_EIO) && up) {
        const diag *g = diag_count(local) ? diag_at(local, 0) : NULL;
        error_at(s, d, from, "extends '%s': %s", path, g ? g->message : "cannot read it");
    } else {
        copy_diags(local, d);
    }
    diag_list_free(local);
    if (st != SIM_OK) {
        s->failed = true;
        if (st == SIM_ENOENT || st == SIM_EIO) s->missing = true;
        if (st == SIM_ENOMEM) s->nomem = true;
        goto done;
    }
    if (!keep_tree(s, t)) goto done;
    const ynode *root = ytree_root(t);
    if (root->kind != YNODE_MAP) {
        error_at(s, d, root->loc,
                 "a scenario is a mapping of sections (schema_version, run, "
                 "sites ...); got a %s",
                 ynode_kind_name(root->kind));
        goto done;
    }
    const ynode *mine =
        expand_map_lists(s, root, top_lists, sizeof top_lists / sizeof *top_lists, d);
    if (!mine) goto done;
    const ynode *ext = ynode_get(root, "extends");
    if (!ext) {
        result = mine;
        goto done;
    }
    if (ext->kind != YNODE_SCALAR || ext->len == 0 || ynode_is_null(ext)) {
        error_at(s, d, ext->loc,
                 "extends takes one file name (a scenario relative to this "
                 "file)");
        goto done;
    }
    const char *base_path = resolve_path(s, ytree_file(t), ext->text);
    if (!base_path) {
        s->nomem = true;
        goto done;
    }
    const ynode *base = load_chain(s, base_path, ext->loc, &link, depth + 1, d);
    if (!base) goto done;
    mine = drop_key(s, mine, "extends");
    /* A variant is its own scenario: without a name of its own it takes its
     * file's name, not the base's (which would share its output folder). */
    if (mine && !ynode_get(mine, "name") && ynode_get(base, "name"))
        base = drop_key(s, base, "name");
    result = mine && base ? merge(s, base, mine, d) : NULL;
done:
    free(link.real);
    return result;
}

/* ---- --set ---- */

static const ynode *set_at(scenario_source *s, const ynode *node, char **segs, size_t n, size_t i,
                           const ynode *value, src_loc at, const char *path, diag_list *d)
{
    if (i == n) return value;
    const char *seg = segs[i];
    /* path up to and including this segment, for messages */
    size_t plen = (size_t)(segs[i] - segs[0]) + strlen(seg);
    if (node->kind == YNODE_MAP) {
        size_t j = 0;
        while (j < node->count && strcmp(node->keys[j]->text, seg) != 0)
            j++;
        const ynode *child = j < node->count ? node->values[j] : NULL;
        if (!child) {
            child = i + 1 < n ? node_new(s, YNODE_MAP, at, 0) : NULL;
            if (i + 1 < n && !child) return NULL;
        }
        const ynode *nc = child ? set_at(s, child, segs, n, i + 1, value, at, path, d) : value;
        if (!nc) return NULL;
        ynode *m = copy_map(s, node, 1);
        if (!m) return NULL;
        if (j < node->count) {
            m->values[j] = (ynode *)nc;
        } else {
            ynode *key = scalar_new(s, seg, at);
            if (!key) return NULL;
            m->keys[m->count] = key;
            m->values[m->count++] = (ynode *)nc;
        }
        return m;
    }
    if (node->kind == YNODE_SEQ) {
        size_t j = 0;
        while (j < node->count) {
            const ynode *id =
                node->values[j]->kind == YNODE_MAP ? scenario_item_identity(node->values[j]) : NULL;
            if (id && strcmp(id->text, seg) == 0) break;
            j++;
        }
        if (j == node->count) {
            char *end;
            unsigned long k = strtoul(seg, &end, 10);
            if (seg[0] >= '0' && seg[0] <= '9' && !*end && k < node->count) {
                j = (size_t)k;
            } else {
                error_at(s, d, at,
                         "--set %.*s: no item '%s' in this list (an item's id, or its "
                         "position from 0 to %zu)",
                         (int)plen, path, seg, node->count ? node->count - 1 : 0);
                return NULL;
            }
        }
        const ynode *nc = set_at(s, node->values[j], segs, n, i + 1, value, at, path, d);
        if (!nc) return NULL;
        ynode *q = node_new(s, YNODE_SEQ, node->loc, node->count);
        if (!q) return NULL;
        memcpy(q->values, node->values, node->count * sizeof *q->values);
        q->values[j] = (ynode *)nc;
        return q;
    }
    error_at(s, d, at, "--set %.*s: '%.*s' holds a single value, not keys or items", (int)plen,
             path, (int)(plen - strlen(seg) - (i ? 1 : 0)), path);
    return NULL;
}

static void apply_set(scenario_source *s, size_t index, const char *arg, diag_list *d)
{
    src_loc whole = {SCENARIO_SET_FILE, (uint32_t)(index + 1), 1};
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        error_at(s, d, whole, "--set takes PATH=VALUE (e.g. run.replications=20); got '%s'", arg);
        return;
    }
    size_t plen = (size_t)(eq - arg), vlen = strlen(eq + 1);
    if (vlen == 0) {
        error_at(s, d, (src_loc){SCENARIO_SET_FILE, whole.line, (uint32_t)plen + 2},
                 "--set %.*s= needs a value after '='", (int)plen, arg);
        return;
    }
    char *path = sim_arena_strndup(s->arena, arg, plen);
    char **segs = sim_arena_calloc(s->arena, plen + 1, sizeof *segs);
    if (!path || !segs) {
        s->nomem = true;
        return;
    }
    size_t n = 0;
    for (char *p = path;;) {
        segs[n++] = p;
        char *dot = strchr(p, '.');
        if (dot) *dot = '\0';
        if (!*p) {
            error_at(s, d, whole,
                     "--set %.*s: the path has an empty part (write keys as "
                     "a.b.c)",
                     (int)plen, arg);
            return;
        }
        if (!dot) break;
        p = dot + 1;
    }
    /* The value parses as YAML where it stands in the argument: index blank
     * lines and the PATH= columns as spaces put its nodes at <--set>:N:COL. */
    size_t pad = index + plen + 1, len = pad + vlen;
    char *buf = malloc(len + 1);
    if (!buf) {
        s->nomem = true;
        return;
    }
    memset(buf, '\n', index);
    memset(buf + index, ' ', plen + 1);
    memcpy(buf + pad, eq + 1, vlen + 1);
    ytree *t = NULL;
    sim_status st = ytree_load_string(SCENARIO_SET_FILE, buf, len, d, &t);
    free(buf);
    if (st != SIM_OK) {
        s->failed = true;
        if (st == SIM_ENOMEM) s->nomem = true;
        return;
    }
    if (!keep_tree(s, t)) return;
    /* Unparsed again: segs point into path, whose dots are now NULs. Keep the
     * argument's text for messages. */
    const ynode *root = set_at(s, s->root, segs, n, 0, ytree_root(t), whole, arg, d);
    if (root) s->root = root;
}

/* ---- the whole ---- */

sim_status scenario_source_load(const char *path, const char *const *sets, size_t n_sets,
                                diag_list *d, scenario_source **out)
{
    *out = NULL;
    scenario_source *s = calloc(1, sizeof *s);
    if (!s || !(s->arena = sim_arena_new())) {
        free(s);
        return SIM_ENOMEM;
    }
    s->root = load_chain(s, path, (src_loc){path, 0, 0}, NULL, 0, d);
    s->n_chain = s->n_trees;
    for (size_t i = 0; s->root && !s->nomem && i < n_sets; i++)
        apply_set(s, i, sets[i], d);
    if (s->nomem || !s->root) {
        sim_status st = s->nomem ? SIM_ENOMEM : s->missing ? SIM_ENOENT : SIM_EINVAL;
        scenario_source_free(s);
        return st;
    }
    *out = s;
    return SIM_OK;
}

bool scenario_source_missing_file(const scenario_source *s)
{
    return s->missing;
}

void scenario_source_free(scenario_source *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_trees; i++)
        ytree_free(s->trees[i]);
    free(s->trees);
    for (size_t i = 0; i < s->n_tables; i++)
        csv_table_free(s->tables[i].table);
    free(s->tables);
    name_index_release(&s->removed);
    free(s->removed_at);
    sim_arena_free(s->arena);
    free(s);
}

const ynode *scenario_source_root(const scenario_source *s)
{
    return s->root;
}

size_t scenario_source_file_count(const scenario_source *s)
{
    return s->n_chain + s->n_tables;
}

const char *scenario_source_file(const scenario_source *s, size_t i)
{
    if (i < s->n_chain) return ytree_file(s->trees[i]);
    return s->tables[i - s->n_chain].path;
}
