/*
 * The scenario schema: the resolved tree (scenario_source) read, section by
 * section, into a world, with every error reported. Sections are read in the
 * order their references need: ids are defined before anything names them.
 * After an error the reading goes on with what it has (an unresolved
 * reference is WORLD_NONE), so one run finds every mistake; the world is
 * thrown away if there was any error.
 */
#include "scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "expr.h"
#include "scenario_read.h"
#include "scenario_source.h"
#include "suggest.h"

typedef struct loader {
    reader r;
    world *w;
    const ynode *root;
    idset countries, groups, firms, lists, authorities, standards, attributes;
    idset products, needs, sites, rules, licences, disputes, disruptions, demand_ids;
    name_index lanes; /* "from>to" -> lane */
    /* per product: does some process or source make it (for warnings) */
} loader;

#define P(buf) char buf[READ_PATH_MAX]

static void *alloc_array(loader *L, size_t n, size_t size)
{
    void *p = sim_arena_calloc(L->r.arena, n ? n : 1, size);
    if (!p) L->r.nomem = true;
    return p;
}

static const char *copy_str(loader *L, const char *s)
{
    if (!s) return NULL;
    const char *c = sim_arena_strdup(L->r.arena, s);
    if (!c) L->r.nomem = true;
    return c;
}

/* The documentation text of an item (its `source`), or NULL. */
static const char *doc_of(loader *L, const ynode *item, const char *key)
{
    const ynode *s = ynode_get(item, key);
    return s && s->kind == YNODE_SCALAR && s->len ? copy_str(L, s->text) : NULL;
}

/* The list section at key of the root, or NULL when absent (or not a list:
 * reported). */
static const ynode *section(loader *L, const ynode *parent, const char *key, const char *path,
                            const char *what)
{
    const ynode *v = ynode_get(parent, key);
    if (!v || ynode_is_null(v)) return NULL;
    return read_seq(&L->r, v, path, what) ? v : NULL;
}

/* Resolves a list of names into indices (errors for unknown ones). */
static world_refs resolve_refs(loader *L, const ynode *n, const char *path, const idset *set)
{
    world_refs refs = {NULL, 0};
    read_item *items;
    size_t count;
    if (!read_names(&L->r, n, path, &items, &count)) return refs;
    uint32_t *at = alloc_array(L, count, sizeof *at);
    if (!at) return refs;
    for (size_t i = 0; i < count; i++) {
        P(q);
        snprintf(q, sizeof q, "%s.%zu", path, i);
        at[i] = idset_resolve(&L->r, set, items[i].text, items[i].loc, q);
    }
    refs.at = at;
    refs.n = count;
    return refs;
}

static uint32_t resolve_one(loader *L, const ynode *n, const char *path, const idset *set)
{
    char got[96];
    if (n->kind != YNODE_SCALAR || n->len == 0) {
        read_error(&L->r, n->loc, "%s: got %s; expected the id of a %s", path, read_got(got, n),
                   set->kind);
        return WORLD_NONE;
    }
    return idset_resolve(&L->r, set, n->text, n->loc, path);
}

/* An id for an item; defines it in set. */
static const char *define_id(loader *L, const ynode *item, const char *key, const char *path,
                             idset *set, id_style style, size_t position)
{
    char expected[96];
    snprintf(expected, sizeof expected, "the %s's %s", set->kind, key);
    const ynode *v = read_required(&L->r, item, key, path, expected);
    const char *id;
    if (!v || !read_id(&L->r, v, path, style, &id)) return NULL;
    if (idset_define(&L->r, set, id, v->loc, path, (uint32_t)position) == WORLD_NONE) return NULL;
    return copy_str(L, id);
}

/* A list of names that declare themselves by use (country groups, firm
 * lists, authorities, standards): each checked as a name and added to set. */
static world_refs declare_names(loader *L, const ynode *v, const char *path, id_style style,
                                idset *set)
{
    read_item *items;
    size_t n;
    if (!read_names(&L->r, v, path, &items, &n)) return (world_refs){NULL, 0};
    uint32_t *g = alloc_array(L, n, sizeof *g);
    for (size_t k = 0; g && k < n; k++) {
        const char *dummy;
        ynode tmp = {.kind = YNODE_SCALAR,
                     .loc = items[k].loc,
                     .text = items[k].text,
                     .len = strlen(items[k].text)};
        g[k] = read_id(&L->r, &tmp, path, style, &dummy)
                   ? idset_declare(&L->r, set, items[k].text, items[k].loc)
                   : WORLD_NONE;
    }
    return (world_refs){g, g ? n : 0};
}

/* ---- top level ---- */

static const char *const top_keys[] = {
    "schema_version", "name",        "description", "run",     "countries", "firms",
    "products",       "needs",       "sites",       "lanes",   "demand",    "export_controls",
    "diversion",      "stockpiling", "disruptions", "patents", NULL};

static void read_header(loader *L, const char *file)
{
    const ynode *root = L->root;
    read_map(&L->r, root, "", "a scenario", top_keys);
    const ynode *v = ynode_get(root, "schema_version");
    double version;
    if (!v)
        read_error(&L->r, (src_loc){file, 1, 1},
                   "missing required key 'schema_version'; expected schema_version: 1 at the "
                   "top of the scenario");
    else if (read_number(&L->r, v, "schema_version", &NUM_COUNT, &version) && version != 1)
        read_error(&L->r, v->loc,
                   "schema_version: got %s; expected 1 (the only version this "
                   "chipsim reads)",
                   v->text);
    v = ynode_get(root, "name");
    if (v && read_id(&L->r, v, "name", ID_NAME, &L->w->name)) {
        L->w->name = copy_str(L, L->w->name);
    } else if (!v) {
        /* The file's name without folder and extension. */
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        size_t len = strcspn(base, ".");
        char *name = sim_arena_strndup(L->r.arena, base, len ? len : strlen(base));
        /* It names the output folder and must load back from explain. */
        for (char *c = name; c && *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
                *c = '_';
        if (name && strlen(name) > 64) name[64] = '\0';
        L->w->name = name && *name ? name : "scenario";
    }
    v = ynode_get(root, "description");
    if (v && !ynode_is_null(v)) read_string(&L->r, v, "description", &L->w->description);
}

static void read_run(loader *L)
{
    world_run *run = &L->w->run;
    *run = (world_run){0, 0, SIM_PERIOD_MONTH, 10, 1, 0};
    const ynode *n = ynode_get(L->root, "run");
    if (!n) {
        read_error(&L->r, L->root->loc,
                   "missing required key 'run'; expected the run settings "
                   "with at least start and end dates");
        return;
    }
    static const char *const keys[] = {"start", "end",         "period", "replications",
                                       "seed",  "warmup_days", NULL};
    if (!read_map(&L->r, n, "run", "the run settings", keys)) return;
    const ynode *s = read_required(&L->r, n, "start", "run",
                                   "the first day to simulate "
                                   "(YYYY-MM-DD)");
    const ynode *e = read_required(&L->r, n, "end", "run",
                                   "the last day to simulate "
                                   "(YYYY-MM-DD); without it the run "
                                   "would never stop");
    bool ok = s && read_date(&L->r, s, "run.start", &run->start);
    ok &= e && read_date(&L->r, e, "run.end", &run->end);
    if (ok && run->end < run->start)
        read_error(&L->r, e->loc,
                   "run.end: %s is before run.start (%s); expected an end on or "
                   "after the start",
                   e->text, s->text);
    const ynode *v = ynode_get(n, "period");
    if (v && (v->kind != YNODE_SCALAR || sim_period_parse(v->text, &run->period) != SIM_OK)) {
        char got[96];
        static const char *const periods[] = {"day", "week", "month", "quarter", "year"};
        const char *close = v->kind == YNODE_SCALAR ? suggest_closest(v->text, periods, 5) : NULL;
        read_error(&L->r, v->loc,
                   "run.period: got %s; expected day, week, month, quarter or "
                   "year%s%s%s",
                   read_got(got, v), close ? " (did you mean '" : "", close ? close : "",
                   close ? "'?)" : "");
    }
    if ((v = ynode_get(n, "replications")))
        read_u64(&L->r, v, "run.replications", &NUM_COUNT, &run->replications);
    if ((v = ynode_get(n, "seed"))) read_u64(&L->r, v, "run.seed", &NUM_WHOLE_NONNEG, &run->seed);
    if ((v = ynode_get(n, "warmup_days")) &&
        read_number(&L->r, v, "run.warmup_days", &NUM_NONNEG, &run->warmup_days) && ok &&
        run->warmup_days >= (double)(run->end - run->start + 1))
        read_error(&L->r, v->loc,
                   "run.warmup_days: %s covers the whole run (%d days); expected "
                   "fewer days than the run",
                   v->text, (int)(run->end - run->start + 1));
}

/* ---- countries and firms ---- */

static void read_countries(loader *L)
{
    const ynode *sec = section(L, L->root, "countries", "countries", "the countries");
    if (!sec) return;
    world_country *c = alloc_array(L, sec->count, sizeof *c);
    if (!c) return;
    static const char *const keys[] = {"code", "name", "groups", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        P(p);
        path_item(p, "countries", item, i);
        if (!read_map(&L->r, item, p, "a country", keys)) continue;
        c[i].code = define_id(L, item, "code", p, &L->countries, ID_CODE, i);
        const ynode *v = ynode_get(item, "name");
        if (v) read_string(&L->r, v, p, &c[i].name);
        c[i].source = doc_of(L, item, "source");
        if ((v = ynode_get(item, "groups"))) {
            P(q);
            c[i].groups = declare_names(L, v, path_key(q, p, "groups"), ID_NAME, &L->groups);
        }
    }
    L->w->countries = c;
    L->w->n_countries = sec->count;
}

static void read_firms(loader *L)
{
    const ynode *sec = section(L, L->root, "firms", "firms", "the firms");
    if (!sec) return;
    world_firm *f = alloc_array(L, sec->count, sizeof *f);
    if (!f) return;
    static const char *const keys[] = {"id", "country", "lists", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        P(p);
        P(q);
        path_item(p, "firms", item, i);
        f[i].country = WORLD_NONE;
        if (!read_map(&L->r, item, p, "a firm", keys)) continue;
        f[i].id = define_id(L, item, "id", p, &L->firms, ID_LOWER, i);
        const ynode *v = read_required(&L->r, item, "country", p, "the firm's home country code");
        if (v) f[i].country = resolve_one(L, v, path_key(q, p, "country"), &L->countries);
        f[i].source = doc_of(L, item, "source");
        if ((v = ynode_get(item, "lists"))) {
            f[i].lists = declare_names(L, v, path_key(q, p, "lists"), ID_LOWER, &L->lists);
        }
    }
    L->w->firms = f;
    L->w->n_firms = sec->count;
}

/* ---- products and needs ---- */

static const char *const product_fixed[] = {"id",        "kind", "owner", "controlled_by",
                                            "standards", NULL};

static bool is_product_fixed(const char *k)
{
    /* By first letter: called for every cell of a products table. */
    switch (k[0]) {
    case 'i':
        return strcmp(k, "id") == 0;
    case 'k':
        return strcmp(k, "kind") == 0;
    case 'o':
        return strcmp(k, "owner") == 0;
    case 'c':
        return strcmp(k, "controlled_by") == 0;
    case 's':
        return strcmp(k, "standards") == 0 || strcmp(k, "source") == 0;
    case 'n':
        return strcmp(k, "note") == 0;
    default:
        return false;
    }
}

/* Pass 1: ids and the attribute names (every other key is a numeric
 * attribute). */
static void define_products(loader *L, const ynode *sec)
{
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        P(p);
        path_item(p, "products", item, i);
        if (item->kind != YNODE_MAP) {
            read_map(&L->r, item, p, "a product", product_fixed);
            continue;
        }
        define_id(L, item, "id", p, &L->products, ID_LOWER, i);
        for (size_t k = 0; k < item->count; k++) {
            const ynode *key = item->keys[k];
            if (is_product_fixed(key->text) || strcmp(key->text, "remove") == 0) continue;
            const char *dummy;
            if (read_id(&L->r, key, p, ID_LOWER, &dummy))
                idset_declare(&L->r, &L->attributes, key->text, key->loc);
        }
    }
}

static void read_products(loader *L, const ynode *sec)
{
    size_t na = L->attributes.n;
    world_product *pr = alloc_array(L, sec->count, sizeof *pr);
    double *attr = alloc_array(L, sec->count * (na ? na : 1), sizeof *attr);
    if (!pr || !attr) return;
    for (size_t i = 0; i < sec->count * na; i++)
        attr[i] = NAN;
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        world_product *x = &pr[i];
        P(p);
        P(q);
        path_item(p, "products", item, i);
        x->owner = WORLD_NONE;
        x->attr = attr + i * na;
        if (item->kind != YNODE_MAP) continue;
        const ynode *id = ynode_get(item, "id");
        x->id = id && id->kind == YNODE_SCALAR ? copy_str(L, id->text) : "";
        const ynode *v;
        if ((v = ynode_get(item, "kind")) &&
            read_id(&L->r, v, path_key(q, p, "kind"), ID_LOWER, &x->kind))
            x->kind = copy_str(L, x->kind);
        if ((v = ynode_get(item, "owner")))
            x->owner = resolve_one(L, v, path_key(q, p, "owner"), &L->firms);
        if ((v = ynode_get(item, "controlled_by"))) {
            x->controlled_by =
                declare_names(L, v, path_key(q, p, "controlled_by"), ID_NAME, &L->authorities);
        }
        if ((v = ynode_get(item, "standards"))) {
            x->standards =
                declare_names(L, v, path_key(q, p, "standards"), ID_LOWER, &L->standards);
        }
        x->source = doc_of(L, item, "source");
        for (size_t k = 0; k < item->count; k++) {
            const ynode *key = item->keys[k], *val = item->values[k];
            if (is_product_fixed(key->text)) continue;
            if (strcmp(key->text, "remove") == 0) {
                read_map(&L->r, item, p, "a product", product_fixed); /* says why */
                continue;
            }
            uint32_t a = name_index_get(&L->attributes.ix, key->text);
            if (a == NAME_INDEX_NONE) continue; /* not a valid name: reported in pass 1 */
            path_key(q, p, key->text);
            double value;
            if (val->kind == YNODE_SCALAR && !val->quoted && parse_number(val->text, &value)) {
                attr[i * na + a] = value;
                continue;
            }
            /* Not a number: maybe a misspelt fixed key. */
            char got[96];
            const char *close = suggest_closest(key->text, product_fixed, 5);
            if (close)
                read_error(&L->r, key->loc,
                           "%s: unknown key '%s' in a product; did you mean "
                           "'%s'? (other keys are numeric attributes)",
                           p, key->text, close);
            else
                read_error(&L->r, val->loc,
                           "%s: got %s; expected a number (a product's "
                           "attributes, such as tpp or h100e, are numbers)",
                           q, read_got(got, val));
        }
    }
    L->w->products = pr;
    L->w->n_products = sec->count;
}

static void read_needs(loader *L, const ynode *sec)
{
    world_need *nd = alloc_array(L, sec ? sec->count : 0, sizeof *nd);
    if (!nd || !sec) return;
    static const char *const keys[] = {"id", "unit", "filled_by", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        P(p);
        P(q);
        path_item(p, "needs", item, i);
        nd[i].unit_attribute = WORLD_NONE;
        if (!read_map(&L->r, item, p, "a need", keys)) continue;
        nd[i].id = define_id(L, item, "id", p, &L->needs, ID_LOWER, i);
        if (nd[i].id && idset_find(&L->products, nd[i].id) != WORLD_NONE) {
            const ynode *id = ynode_get(item, "id");
            src_loc first = idset_loc(&L->products, nd[i].id);
            read_error(&L->r, id->loc,
                       "%s: '%s' is already a product's id (at %s:%u); expected "
                       "a need's id to differ from every product's",
                       p, nd[i].id, first.file, first.line);
        }
        const ynode *v = read_required(&L->r, item, "unit", p,
                                       "the product attribute that "
                                       "converts units of a product "
                                       "into the need (e.g. h100e)");
        if (v) nd[i].unit_attribute = resolve_one(L, v, path_key(q, p, "unit"), &L->attributes);
        v = read_required(&L->r, item, "filled_by", p,
                          "the products that fill it, in "
                          "preference order");
        if (v) {
            path_key(q, p, "filled_by");
            nd[i].filled_by = resolve_refs(L, v, q, &L->products);
            if (v->kind == YNODE_SEQ && v->count == 0)
                read_error(&L->r, v->loc, "%s: got an empty list; expected at least one product",
                           q);
            for (size_t k = 0; k < nd[i].filled_by.n && nd[i].unit_attribute != WORLD_NONE; k++) {
                uint32_t pi = nd[i].filled_by.at[k];
                if (pi == WORLD_NONE || !L->w->products) continue;
                double conv = L->w->products[pi].attr[nd[i].unit_attribute];
                src_loc at = v->kind == YNODE_SEQ ? v->values[k]->loc : v->loc;
                if (isnan(conv) || conv <= 0)
                    read_error(&L->r, at,
                               "%s.%zu: product '%s' has no %s > 0; expected each "
                               "product that fills the need to say how much of it a "
                               "unit is",
                               q, k, L->w->products[pi].id,
                               L->attributes.ids[nd[i].unit_attribute]);
            }
        }
        nd[i].source = doc_of(L, item, "source");
    }
    L->w->needs = nd;
    L->w->n_needs = sec->count;
}

/* A product or a need, for inventories and demand. */
static uint32_t resolve_item(loader *L, const char *id, src_loc at, const char *path, bool *is_need)
{
    uint32_t i = idset_find(&L->products, id);
    *is_need = false;
    if (i != WORLD_NONE) return i;
    i = idset_find(&L->needs, id);
    if (i != WORLD_NONE) {
        *is_need = true;
        return i;
    }
    return idset_resolve(&L->r, &L->products, id, at, path); /* the error */
}

/* ---- sites ---- */

static world_amount *read_amounts(loader *L, const ynode *n, const char *path, size_t *count)
{
    char got[96];
    *count = 0;
    if (n->kind != YNODE_MAP || n->count == 0) {
        read_error(&L->r, n->loc,
                   "%s: got %s; expected products and amounts per batch, such as "
                   "{gh100_die: 1, hbm3_stack: 5}",
                   path, read_got(got, n));
        return NULL;
    }
    world_amount *a = alloc_array(L, n->count, sizeof *a);
    if (!a) return NULL;
    for (size_t i = 0; i < n->count; i++) {
        P(q);
        path_key(q, path, n->keys[i]->text);
        a[i].product = idset_resolve(&L->r, &L->products, n->keys[i]->text, n->keys[i]->loc, q);
        read_number(&L->r, n->values[i], q, &NUM_UNITS, &a[i].quantity);
    }
    *count = n->count;
    return a;
}

static void read_process(loader *L, const ynode *item, const char *p, world_process *x,
                         bool site_has_capacity, idset *ids, size_t position)
{
    static const char *const keys[] = {"id",      "inputs",   "outputs",
                                       "servers", "duration", "wafers_per_batch",
                                       "yield",   "priority", NULL};
    P(q);
    if (!read_map(&L->r, item, p, "a process", keys)) return;
    x->id = define_id(L, item, "id", p, ids, ID_LOWER, position);
    const ynode *v;
    if ((v = ynode_get(item, "inputs")))
        x->inputs = read_amounts(L, v, path_key(q, p, "inputs"), &x->n_inputs);
    if ((v = read_required(&L->r, item, "outputs", p,
                           "what a batch makes, such as {h100_sxm: "
                           "1}")))
        x->outputs = read_amounts(L, v, path_key(q, p, "outputs"), &x->n_outputs);
    if ((v = ynode_get(item, "servers")))
        read_u64(&L->r, v, path_key(q, p, "servers"), &NUM_COUNT, &x->servers);
    const ynode *wafers = ynode_get(item, "wafers_per_batch");
    if (wafers) {
        read_number(&L->r, wafers, path_key(q, p, "wafers_per_batch"), &NUM_POSITIVE,
                    &x->wafers_per_batch);
        if (!site_has_capacity)
            read_error(&L->r, wafers->loc,
                       "%s: wafers_per_batch draws on the site's "
                       "capacity_wafers_per_month, which this site does not "
                       "give; expected the site to have one",
                       p);
    }
    if (!v && !wafers)
        read_error(&L->r, item->loc,
                   "%s: missing required key 'servers' (batches at once) or "
                   "'wafers_per_batch' (a share of the site's wafer capacity); "
                   "expected one of them",
                   p);
    if ((v = ynode_get(item, "yield"))) {
        x->has_yield = true;
        read_yield(&L->r, v, path_key(q, p, "yield"), &x->yield);
    }
    if ((v = read_required(&L->r, item, "duration", p,
                           "the time a batch takes, a distribution "
                           "in days")))
        read_dist(&L->r, v, path_key(q, p, "duration"), WORLD_DAYS, &x->duration);
    if ((v = ynode_get(item, "priority"))) {
        double pr;
        if (read_number(&L->r, v, path_key(q, p, "priority"), &NUM_ANY, &pr)) {
            if (pr != floor(pr) || fabs(pr) > 1e9)
                read_error(&L->r, v->loc,
                           "%s: got %s; expected a whole number (lower goes "
                           "first)",
                           q, v->text);
            else
                x->priority = (int64_t)pr;
        }
    }
}

static void read_inventory(loader *L, const ynode *n, const char *p, world_site *site)
{
    char got[96];
    if (n->kind != YNODE_MAP) {
        read_error(&L->r, n->loc,
                   "%s: got %s; expected stock per product, such as {h100_sxm: "
                   "{policy: base_stock, level: 100}}",
                   p, read_got(got, n));
        return;
    }
    world_inventory *inv = alloc_array(L, n->count, sizeof *inv);
    if (!inv) return;
    static const char *const base_keys[] = {"policy", "level", "suppliers", NULL};
    static const char *const ss_keys[] = {"policy", "s", "S", "review_days", "suppliers", NULL};
    static const char *const policies[] = {"base_stock", "s_S", NULL};
    for (size_t i = 0; i < n->count; i++) {
        const ynode *key = n->keys[i], *v = n->values[i], *x;
        world_inventory *e = &inv[i];
        P(q);
        P(r);
        path_key(q, p, key->text);
        e->item = resolve_item(L, key->text, key->loc, q, &e->is_need);
        for (size_t k = 0; k < i; k++)
            (void)k; /* keys are unique: yaml_tree rejects duplicates */
        if (v->kind != YNODE_MAP) {
            read_error(&L->r, v->loc,
                       "%s: got %s; expected {policy: base_stock, level: N} or "
                       "{policy: s_S, s: N, S: N, review_days: N}",
                       q, read_got(got, v));
            continue;
        }
        x = read_required(&L->r, v, "policy", q, "base_stock or s_S");
        if (!x) continue;
        if (x->kind == YNODE_SCALAR && strcmp(x->text, "base_stock") == 0) {
            e->policy = WORLD_BASE_STOCK;
            if (!read_map(&L->r, v, q, "a base-stock inventory", base_keys)) continue;
            if ((x = read_required(&L->r, v, "level", q, "the stock to keep, in units")))
                read_number(&L->r, x, path_key(r, q, "level"),
                            e->is_need ? &NUM_NONNEG : &NUM_WHOLE_NONNEG, &e->level);
        } else if (x->kind == YNODE_SCALAR && strcmp(x->text, "s_S") == 0) {
            e->policy = WORLD_S_S;
            if (!read_map(&L->r, v, q, "an (s, S) inventory", ss_keys)) continue;
            const ynode *s = read_required(&L->r, v, "s", q, "the reorder point");
            const ynode *S = read_required(&L->r, v, "S", q, "the order-up-to level");
            const ynode *rv = read_required(&L->r, v, "review_days", q,
                                            "the days between "
                                            "reviews");
            bool ok = s && read_number(&L->r, s, path_key(r, q, "s"),
                                       e->is_need ? &NUM_NONNEG : &NUM_WHOLE_NONNEG, &e->s);
            ok &= S && read_number(&L->r, S, path_key(r, q, "S"),
                                   e->is_need ? &NUM_POSITIVE : &NUM_COUNT, &e->S);
            if (rv)
                read_number(&L->r, rv, path_key(r, q, "review_days"), &NUM_POSITIVE,
                            &e->review_days);
            if (ok && e->S <= e->s)
                read_error(&L->r, S->loc, "%s.S: %s is not above s (%s); expected S > s", q,
                           S->text, s->text);
        } else {
            const char *close =
                x->kind == YNODE_SCALAR ? suggest_closest(x->text, policies, 2) : NULL;
            read_error(&L->r, x->loc, "%s.policy: got %s; expected base_stock or s_S%s%s%s", q,
                       read_got(got, x), close ? " (did you mean '" : "", close ? close : "",
                       close ? "'?)" : "");
            continue;
        }
        if ((x = ynode_get(v, "suppliers"))) {
            path_key(r, q, "suppliers");
            e->suppliers = resolve_refs(L, x, r, &L->sites);
            uint32_t *lanes = alloc_array(L, e->suppliers.n, sizeof *lanes);
            uint32_t self = (uint32_t)(site - L->w->sites);
            for (size_t k = 0; lanes && k < e->suppliers.n; k++) {
                uint32_t from = e->suppliers.at[k];
                lanes[k] = WORLD_NONE;
                if (from == WORLD_NONE) continue;
                src_loc at = x->kind == YNODE_SEQ ? x->values[k]->loc : x->loc;
                const char *from_id = L->w->sites[from].id, *self_id = site->id;
                if (from == self) {
                    read_error(&L->r, at,
                               "%s.%zu: a site cannot supply itself; expected another "
                               "site",
                               r, k);
                    continue;
                }
                char lk[32];
                snprintf(lk, sizeof lk, "%u>%u", (unsigned)from, (unsigned)self);
                lanes[k] = name_index_get(&L->lanes, lk);
                if (lanes[k] == NAME_INDEX_NONE) {
                    lanes[k] = WORLD_NONE;
                    read_error(&L->r, at,
                               "%s.%zu: no lane from '%s' to '%s'; expected a lane "
                               "{from: %s, to: %s, transit: ...} under lanes",
                               r, k, from_id, self_id, from_id, self_id);
                }
            }
            e->supplier_lanes = (world_refs){lanes, lanes ? e->suppliers.n : 0};
        }
    }
    site->inventory = inv;
    site->n_inventory = n->count;
}

static void define_sites(loader *L, const ynode *sec)
{
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        P(p);
        path_item(p, "sites", item, i);
        if (item->kind == YNODE_MAP)
            ((world_site *)L->w->sites)[i].id = define_id(L, item, "id", p, &L->sites, ID_LOWER, i);
    }
}

/* A site's capacity_cap names a rule, so it is read after the rules. */
static void read_capacity_caps(loader *L, const ynode *sec)
{
    static const char *const keys[] = {"rule", "wafers_per_month", NULL};
    world_site *st = (world_site *)L->w->sites;
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i], *v, *x;
        if (item->kind != YNODE_MAP || !(v = ynode_get(item, "capacity_cap"))) continue;
        world_site *s = &st[i];
        P(p);
        P(q);
        path_item(q, "sites", item, i);
        path_key(p, q, "capacity_cap");
        if (!read_map(&L->r, v, p, "an equipment cap {rule: ID, wafers_per_month: N}", keys))
            continue;
        if ((x = read_required(&L->r, v, "rule", p, "the equipment rule that imposes it")))
            s->cap_rule = resolve_one(L, x, path_key(q, p, "rule"), &L->rules);
        if ((x = ynode_get(v, "wafers_per_month")))
            s->cap_given = read_number(&L->r, x, path_key(q, p, "wafers_per_month"), &NUM_NONNEG,
                                       &s->cap_wafers_per_month);
        if (!s->has_capacity)
            read_error(&L->r, v->loc,
                       "%s: caps the site's capacity_wafers_per_month, which this site does not "
                       "give; expected the site to have one",
                       p);
    }
}

static void read_sites(loader *L, const ynode *sec)
{
    world_site *st = L->w->n_sites ? (world_site *)L->w->sites : NULL;
    static const char *const keys[] = {
        "id",     "firm",         "country", "capacity_wafers_per_month", "processes", "inventory",
        "source", "capacity_cap", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i];
        world_site *s = &st[i];
        P(p);
        P(q);
        path_item(p, "sites", item, i);
        s->firm = s->country = s->cap_rule = WORLD_NONE;
        if (!read_map(&L->r, item, p, "a site", keys)) continue;
        const ynode *v;
        if (!s->id) s->id = ""; /* not a valid id: reported */
        if ((v = read_required(&L->r, item, "firm", p, "the firm that runs the site")))
            s->firm = resolve_one(L, v, path_key(q, p, "firm"), &L->firms);
        if ((v = read_required(&L->r, item, "country", p, "the country the site is in")))
            s->country = resolve_one(L, v, path_key(q, p, "country"), &L->countries);
        if ((v = ynode_get(item, "capacity_wafers_per_month"))) {
            s->has_capacity = read_series(&L->r, v, path_key(q, p, "capacity_wafers_per_month"),
                                          &NUM_NONNEG, &s->capacity_wafers_per_month);
            if (!s->has_capacity)
                s->has_capacity = true; /* reported; do not pile on wafers_per_batch */
        }
        if ((v = ynode_get(item, "source"))) {
            /* In a site, `source` lists what it supplies without limit. */
            path_key(q, p, "source");
            s->source = resolve_refs(L, v, q, &L->products);
        }
        if ((v = ynode_get(item, "processes"))) {
            path_key(q, p, "processes");
            if (read_seq(&L->r, v, q, "the site's processes")) {
                world_process *pr = alloc_array(L, v->count, sizeof *pr);
                idset ids = IDSET("process", q);
                for (size_t k = 0; pr && k < v->count; k++) {
                    P(pp);
                    path_item(pp, q, v->values[k], k);
                    read_process(L, v->values[k], pp, &pr[k], s->has_capacity, &ids, k);
                }
                idset_release(&ids);
                s->processes = pr;
                s->n_processes = pr ? v->count : 0;
            }
        }
        if ((v = ynode_get(item, "inventory")))
            read_inventory(L, v, path_key(q, p, "inventory"), s);
        if (!s->n_processes && !s->n_inventory && !s->source.n)
            read_warning(&L->r, item->loc,
                         "%s: the site has no processes, inventory or source, "
                         "so it does nothing",
                         p);
    }
}

/* ---- lanes ---- */

static void read_lanes(loader *L)
{
    const ynode *sec = section(L, L->root, "lanes", "lanes", "the lanes");
    if (!sec) return;
    world_lane *ln = alloc_array(L, sec->count, sizeof *ln);
    if (!ln) return;
    static const char *const keys[] = {
        "from", "to", "transit", "illicit", "detection", "cost_usd_per_unit", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i], *v, *from, *to;
        world_lane *x = &ln[i];
        P(p);
        P(q);
        path_item(p, "lanes", item, i);
        x->from = x->to = WORLD_NONE;
        if (!read_map(&L->r, item, p, "a lane", keys)) continue;
        if ((from = read_required(&L->r, item, "from", p, "the site shipments leave")))
            x->from = resolve_one(L, from, path_key(q, p, "from"), &L->sites);
        if ((to = read_required(&L->r, item, "to", p, "the site shipments reach")))
            x->to = resolve_one(L, to, path_key(q, p, "to"), &L->sites);
        if ((v = read_required(&L->r, item, "transit", p,
                               "the transit time, a distribution in "
                               "days")))
            read_dist(&L->r, v, path_key(q, p, "transit"), WORLD_DAYS, &x->transit);
        bool illicit_ok = true;
        if ((v = ynode_get(item, "illicit")))
            illicit_ok = read_bool(&L->r, v, path_key(q, p, "illicit"), &x->illicit);
        if ((v = ynode_get(item, "detection"))) {
            read_number(&L->r, v, path_key(q, p, "detection"), &NUM_PROB, &x->detection);
            if (!x->illicit && illicit_ok)
                read_error(&L->r, v->loc,
                           "%s: detection applies only to a lane with illicit: "
                           "true; expected illicit: true or no detection",
                           p);
        }
        if ((v = ynode_get(item, "cost_usd_per_unit")))
            read_number(&L->r, v, path_key(q, p, "cost_usd_per_unit"), &NUM_NONNEG,
                        &x->cost_usd_per_unit);
        if (x->from == WORLD_NONE || x->to == WORLD_NONE) continue;
        if (x->from == x->to) {
            read_error(&L->r, to->loc,
                       "%s: a lane from '%s' to itself; expected two different "
                       "sites",
                       p, L->w->sites[x->from].id);
            continue;
        }
        char *key = sim_arena_alloc(L->r.arena, 32);
        if (!key) {
            L->r.nomem = true;
            return;
        }
        snprintf(key, 32, "%u>%u", (unsigned)x->from, (unsigned)x->to);
        uint32_t first;
        sim_status st = name_index_put(&L->lanes, key, (uint32_t)i, &first);
        if (st == SIM_EEXIST)
            read_error(&L->r, item->loc,
                       "%s: a second lane from '%s' to '%s' (the first is "
                       "lanes.%u); expected one lane per pair of sites",
                       p, L->w->sites[x->from].id, L->w->sites[x->to].id, first);
        else if (st != SIM_OK)
            L->r.nomem = true;
    }
    L->w->lanes = ln;
    L->w->n_lanes = sec->count;
}

/* ---- demand ---- */

static void read_demand(loader *L)
{
    const ynode *sec = section(L, L->root, "demand", "demand", "the demand");
    if (!sec) return;
    world_demand *dm = alloc_array(L, sec->count, sizeof *dm);
    if (!dm) return;
    static const char *const keys[] = {
        "id", "site", "product", "orders", "size", "patience_days", "starts", "ends", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i], *v, *prod;
        world_demand *x = &dm[i];
        P(p);
        P(q);
        path_item(p, "demand", item, i);
        x->site = x->item = WORLD_NONE;
        x->patience_days = INFINITY;
        x->starts = INT32_MIN;
        x->ends = INT32_MAX;
        if (!read_map(&L->r, item, p, "a demand stream", keys)) continue;
        if (ynode_get(item, "id")) x->id = define_id(L, item, "id", p, &L->demand_ids, ID_LOWER, i);
        if ((v = read_required(&L->r, item, "site", p, "the buyer's site")))
            x->site = resolve_one(L, v, path_key(q, p, "site"), &L->sites);
        if ((prod = read_required(&L->r, item, "product", p, "the product or need ordered"))) {
            path_key(q, p, "product");
            char got[96];
            if (prod->kind != YNODE_SCALAR)
                read_error(&L->r, prod->loc, "%s: got %s; expected a product or need id", q,
                           read_got(got, prod));
            else
                x->item = resolve_item(L, prod->text, prod->loc, q, &x->is_need);
        }
        if ((v = read_required(&L->r, item, "orders", p,
                               "order arrivals, such as {dist: "
                               "poisson, per_month: 40}")))
            read_rate(&L->r, v, path_key(q, p, "orders"), &x->orders);
        if ((v = read_required(&L->r, item, "size", p,
                               "the order size, a distribution in "
                               "units")))
            read_dist(&L->r, v, path_key(q, p, "size"), WORLD_UNITS, &x->size);
        if ((v = ynode_get(item, "patience_days")))
            read_number(&L->r, v, path_key(q, p, "patience_days"), &NUM_POSITIVE,
                        &x->patience_days);
        const ynode *s = ynode_get(item, "starts"), *e = ynode_get(item, "ends");
        bool ok = s && read_date(&L->r, s, path_key(q, p, "starts"), &x->starts);
        ok &= e && read_date(&L->r, e, path_key(q, p, "ends"), &x->ends);
        if (ok && x->ends < x->starts)
            read_error(&L->r, e->loc,
                       "%s.ends: %s is before starts (%s); expected an end on or "
                       "after the start",
                       p, e->text, s->text);
        /* The buyer's orders are filled from its stock of the item. */
        if (x->site != WORLD_NONE && x->item != WORLD_NONE && L->w->sites) {
            const world_site *site = &L->w->sites[x->site];
            bool held = false;
            for (size_t k = 0; k < site->n_inventory && !held; k++)
                held =
                    site->inventory[k].item == x->item && site->inventory[k].is_need == x->is_need;
            if (!held)
                read_error(&L->r, prod->loc,
                           "%s: site '%s' holds no inventory of '%s'; expected "
                           "an entry for it under sites.%s.inventory, which "
                           "the orders are filled from",
                           p, site->id, prod->text, site->id);
        }
    }
    L->w->demand = dm;
    L->w->n_demand = sec->count;
}

/* ---- export controls ---- */

static bool read_product_scope(loader *L, const ynode *v, const char *path, bool *all,
                               world_refs *ids, const expr **ex, const char **text)
{
    if (v->kind == YNODE_SCALAR && !v->quoted && strcmp(v->text, "all") == 0) {
        *all = true;
        return true;
    }
    if (v->kind == YNODE_SEQ || (v->kind == YNODE_SCALAR && v->from_csv && strchr(v->text, ';'))) {
        *ids = resolve_refs(L, v, path, &L->products);
        return true;
    }
    char got[96];
    if (v->kind != YNODE_SCALAR || v->len == 0) {
        read_error(&L->r, v->loc,
                   "%s: got %s; expected all, a list of product ids, or an "
                   "expression such as \"tpp >= 4800\"",
                   path, read_got(got, v));
        return false;
    }
    /* A bare word is a product id (a list of one), not an expression. */
    if (strspn(v->text, "abcdefghijklmnopqrstuvwxyz0123456789_") == v->len && !v->quoted) {
        uint32_t *one = alloc_array(L, 1, sizeof *one);
        if (!one) return false;
        one[0] = idset_resolve(&L->r, &L->products, v->text, v->loc, path);
        *ids = (world_refs){one, 1};
        return one[0] != WORLD_NONE;
    }
    expr *e = NULL;
    diag_list *local = diag_list_new();
    if (!local) {
        L->r.nomem = true;
        return false;
    }
    /* Columns inside the expression add to its first character's only when
     * the file holds it verbatim on one line; otherwise (escapes, a folded
     * line) the error points at the expression and says how far in. */
    src_loc at;
    /* A CSV cell is verbatim unless it held doubled quotes; a YAML value is
     * checked against its line (read from the file: rules are few). */
    bool exact = v->from_csv ? (at = v->loc, !strchr(v->text, '"'))
                             : read_verbatim_loc(v->loc, v->text, v->len, &at);
    if (!exact) at = (src_loc){v->loc.file, v->loc.line, 1};
    sim_status st = expr_compile(v->text, at, local, &e);
    if (st != SIM_OK) {
        for (size_t i = 0; i < diag_count(local); i++) {
            const diag *g = diag_at(local, i);
            if (exact)
                read_error(&L->r, (src_loc){g->file, g->line, g->col}, "%s: %s", path, g->message);
            else
                read_error(&L->r, v->loc, "%s: %s (at character %u of the expression)", path,
                           g->message, g->col);
        }
        diag_list_free(local);
        if (st == SIM_ENOMEM) L->r.nomem = true;
        return false;
    }
    diag_list_free(local);
    size_t need = expr_to_text(e, NULL, 0);
    char *canon = sim_arena_alloc(L->r.arena, need + 1);
    if (!canon) {
        expr_free(e);
        L->r.nomem = true;
        return false;
    }
    expr_to_text(e, canon, need + 1);
    *ex = e;
    *text = canon;
    /* A name no product has never matches: likely a typo. */
    for (size_t i = 0; i < expr_attribute_count(e); i++) {
        const char *a = expr_attribute_name(e, i);
        if (!strcmp(a, "id") || !strcmp(a, "kind") || !strcmp(a, "owner")) continue;
        uint32_t ai = name_index_get(&L->attributes.ix, a);
        bool someone = false;
        for (size_t k = 0; ai != NAME_INDEX_NONE && k < L->w->n_products && !someone; k++)
            someone = !isnan(L->w->products[k].attr[ai]);
        if (someone) continue;
        const char *close = suggest_closest(a, L->attributes.ids, L->attributes.n);
        read_warning(&L->r, exact ? expr_attribute_loc(e, i) : v->loc,
                     "%s: no product has attribute '%s', so "
                     "this comparison matches none%s%s%s",
                     path, a, close ? "; did you mean '" : "", close ? close : "",
                     close ? "'?" : "");
    }
    return true;
}

/* A list of names of two kinds: ids of `direct`, or `PREFIX:NAME` naming one
 * of `named` (countries or group:NAME; firms or list:NAME). */
static void read_scope_names(loader *L, const ynode *v, const char *path, const char *prefix,
                             const idset *direct, const idset *named, world_refs *out_direct,
                             world_refs *out_named)
{
    read_item *items;
    size_t n, plen = strlen(prefix);
    if (!read_names(&L->r, v, path, &items, &n)) return;
    uint32_t *a = alloc_array(L, n, sizeof *a), *b = alloc_array(L, n, sizeof *b);
    size_t na = 0, nb = 0;
    for (size_t i = 0; a && b && i < n; i++) {
        P(q);
        snprintf(q, sizeof q, "%s.%zu", path, i);
        if (strncmp(items[i].text, prefix, plen) == 0) {
            src_loc at = items[i].loc;
            at.col += at.col ? (uint32_t)plen : 0;
            uint32_t x = idset_resolve(&L->r, named, items[i].text + plen, at, q);
            if (x != WORLD_NONE) b[nb++] = x;
        } else {
            uint32_t x = idset_resolve(&L->r, direct, items[i].text, items[i].loc, q);
            if (x != WORLD_NONE) a[na++] = x;
        }
    }
    *out_direct = (world_refs){a, na};
    *out_named = (world_refs){b, nb};
}

static void read_destinations(loader *L, const ynode *v, const char *path, world_scope *scope)
{
    read_scope_names(L, v, path, "group:", &L->countries, &L->groups, &scope->countries,
                     &scope->groups);
}

static void read_end_users(loader *L, const ynode *v, const char *path, world_scope *scope)
{
    read_scope_names(L, v, path, "list:", &L->firms, &L->lists, &scope->firms, &scope->lists);
}

static void read_action(loader *L, const ynode *n, const char *p, world_action *a)
{
    char got[96];
    P(q);
    if (n->kind != YNODE_MAP) {
        read_error(&L->r, n->loc,
                   "%s: got %s; expected {type: deny}, {type: license, approval: "
                   "P, review: DIST} or {type: cap, units: N, per: PERIOD}",
                   p, read_got(got, n));
        return;
    }
    const ynode *t = read_required(&L->r, n, "type", p, "deny, license or cap");
    if (!t) return;
    static const char *const types[] = {"deny", "license", "cap", NULL};
    static const char *const deny_keys[] = {"type", NULL};
    static const char *const license_keys[] = {"type", "approval", "review", "conditions", NULL};
    static const char *const cap_keys[] = {"type", "units", "h100e", "per", NULL};
    const ynode *v;
    if (t->kind == YNODE_SCALAR && strcmp(t->text, "deny") == 0) {
        a->kind = WORLD_DENY;
        read_map(&L->r, n, p, "a deny action", deny_keys);
    } else if (t->kind == YNODE_SCALAR &&
               (strcmp(t->text, "license") == 0 || strcmp(t->text, "licence") == 0)) {
        a->kind = WORLD_LICENSE;
        if (!read_map(&L->r, n, p, "a license action", license_keys)) return;
        if ((v = read_required(&L->r, n, "approval", p, "the probability a licence is granted")))
            read_number(&L->r, v, path_key(q, p, "approval"), &NUM_PROB, &a->approval);
        if ((v = ynode_get(n, "review")))
            a->has_review = read_dist(&L->r, v, path_key(q, p, "review"), WORLD_DAYS, &a->review);
        if ((v = ynode_get(n, "conditions"))) {
            static const char *const ck[] = {"revenue_share", NULL};
            path_key(q, p, "conditions");
            if (read_map(&L->r, v, q, "licence conditions", ck)) {
                const ynode *rs = ynode_get(v, "revenue_share");
                P(r);
                if (rs)
                    read_number(&L->r, rs, path_key(r, q, "revenue_share"), &NUM_PROB,
                                &a->revenue_share);
            }
        }
    } else if (t->kind == YNODE_SCALAR && strcmp(t->text, "cap") == 0) {
        a->kind = WORLD_CAP;
        a->cap_period = SIM_PERIOD_YEAR;
        if (!read_map(&L->r, n, p, "a cap action", cap_keys)) return;
        const ynode *u = ynode_get(n, "units"), *h = ynode_get(n, "h100e");
        if (u && h)
            read_error(&L->r, h->loc, "%s: give the cap in units or in h100e, not both", p);
        else if (!u && !h)
            read_error(&L->r, n->loc,
                       "%s: missing the cap; expected units: N or h100e: N (per "
                       "destination per period)",
                       p);
        else if (u)
            read_number(&L->r, u, path_key(q, p, "units"), &NUM_NONNEG, &a->cap);
        else {
            a->cap_unit = WORLD_CAP_H100E;
            read_number(&L->r, h, path_key(q, p, "h100e"), &NUM_NONNEG, &a->cap);
        }
        if ((v = ynode_get(n, "per")) &&
            (v->kind != YNODE_SCALAR || sim_period_parse(v->text, &a->cap_period) != SIM_OK))
            read_error(&L->r, v->loc,
                       "%s.per: got %s; expected day, week, month, quarter or "
                       "year",
                       p, read_got(got, v));
    } else {
        const char *close = t->kind == YNODE_SCALAR ? suggest_closest(t->text, types, 3) : NULL;
        read_error(&L->r, t->loc, "%s.type: got %s; expected deny, license or cap%s%s%s", p,
                   read_got(got, t), close ? " (did you mean '" : "", close ? close : "",
                   close ? "'?)" : "");
    }
}

static void read_rules(loader *L)
{
    const ynode *sec =
        section(L, L->root, "export_controls", "export_controls", "the export-control rules");
    if (!sec) return;
    world_rule *ru = alloc_array(L, sec->count, sizeof *ru);
    if (!ru) return;
    static const char *const keys[] = {"id",
                                       "authority",
                                       "announced",
                                       "effective",
                                       "expires",
                                       "products",
                                       "except_products",
                                       "destinations",
                                       "end_users",
                                       "except_destinations",
                                       "except_end_users",
                                       "action",
                                       NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i], *v;
        world_rule *x = &ru[i];
        P(p);
        P(q);
        path_item(p, "export_controls", item, i);
        x->authority = WORLD_NONE;
        x->expires = INT32_MAX;
        if (!read_map(&L->r, item, p, "an export-control rule", keys)) continue;
        x->id = define_id(L, item, "id", p, &L->rules, ID_LOWER, i);
        if ((v = read_required(&L->r, item, "authority", p,
                               "the country whose rule it is "
                               "(matched against products' "
                               "controlled_by)"))) {
            const char *a;
            if (read_id(&L->r, v, path_key(q, p, "authority"), ID_NAME, &a)) {
                x->authority = name_index_get(&L->authorities.ix, a);
                if (x->authority == NAME_INDEX_NONE) {
                    read_warning(&L->r, v->loc,
                                 "%s: no product is controlled_by '%s', so the "
                                 "rule reaches nothing",
                                 q, a);
                    x->authority = idset_declare(&L->r, &L->authorities, a, v->loc);
                }
            }
        }
        const ynode *ann = ynode_get(item, "announced"), *exp = ynode_get(item, "expires");
        const ynode *eff = read_required(&L->r, item, "effective", p,
                                         "the date the rule takes "
                                         "effect (YYYY-MM-DD)");
        bool have_eff = eff && read_date(&L->r, eff, path_key(q, p, "effective"), &x->effective);
        x->announced = x->effective;
        if (ann && read_date(&L->r, ann, path_key(q, p, "announced"), &x->announced) && have_eff &&
            x->effective < x->announced)
            read_error(&L->r, eff->loc,
                       "%s.effective: %s is before announced (%s); expected a "
                       "rule to take effect on or after its announcement",
                       p, eff->text, ann->text);
        if (exp && read_date(&L->r, exp, path_key(q, p, "expires"), &x->expires) && have_eff &&
            x->expires <= x->effective)
            read_error(&L->r, exp->loc,
                       "%s.expires: %s is not after effective (%s); expected "
                       "a rule to expire after it takes effect",
                       p, exp->text, eff->text);
        if ((v = read_required(&L->r, item, "products", p,
                               "all, a list of product ids, or an "
                               "expression over attributes")))
            read_product_scope(L, v, path_key(q, p, "products"), &x->all_products, &x->products,
                               &x->products_expr, &x->products_text);
        if ((v = ynode_get(item, "except_products")))
            x->except_products =
                resolve_refs(L, v, path_key(q, p, "except_products"), &L->products);
        const ynode *dst = ynode_get(item, "destinations"), *eu = ynode_get(item, "end_users");
        x->any_destination = !dst;
        x->any_end_user = !eu;
        /* scope.all: nothing given (an empty list given catches nobody). */
        x->destinations.all = !dst;
        x->end_users.all = !eu;
        x->except_destinations.all = !ynode_get(item, "except_destinations");
        x->except_end_users.all = !ynode_get(item, "except_end_users");
        if (dst) read_destinations(L, dst, path_key(q, p, "destinations"), &x->destinations);
        if (eu) read_end_users(L, eu, path_key(q, p, "end_users"), &x->end_users);
        if (!dst && !eu)
            read_warning(&L->r, item->loc,
                         "%s: no destinations and no end_users, so the rule "
                         "catches every shipment of its products",
                         p);
        if ((v = ynode_get(item, "except_destinations")))
            read_destinations(L, v, path_key(q, p, "except_destinations"), &x->except_destinations);
        if ((v = ynode_get(item, "except_end_users")))
            read_end_users(L, v, path_key(q, p, "except_end_users"), &x->except_end_users);
        if ((v = read_required(&L->r, item, "action", p,
                               "what the rule does: {type: deny}, "
                               "{type: license, ...} or {type: cap, "
                               "...}")))
            read_action(L, v, path_key(q, p, "action"), &x->action);
        x->source = doc_of(L, item, "source");
    }
    L->w->rules = ru;
    L->w->n_rules = sec->count;
}

static void read_stockpiling(loader *L)
{
    const ynode *sec = section(L, L->root, "stockpiling", "stockpiling", "the stockpiling");
    if (!sec) return;
    world_stockpiling *sp = alloc_array(L, sec->count, sizeof *sp);
    if (!sp) return;
    static const char *const keys[] = {"rule", "factor", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i], *v;
        P(p);
        P(q);
        snprintf(p, sizeof p, "stockpiling.%zu", i);
        sp[i].rule = WORLD_NONE;
        if (!read_map(&L->r, item, p, "a stockpiling entry", keys)) continue;
        if ((v = read_required(&L->r, item, "rule", p,
                               "the rule whose announcement buyers "
                               "react to"))) {
            sp[i].rule = resolve_one(L, v, path_key(q, p, "rule"), &L->rules);
            const world_rule *r =
                sp[i].rule != WORLD_NONE && L->w->rules ? &L->w->rules[sp[i].rule] : NULL;
            if (r && r->announced == r->effective)
                read_warning(&L->r, v->loc,
                             "%s: rule '%s' takes effect the day it is announced, "
                             "so there is no time to stockpile",
                             q, r->id);
        }
        if ((v = read_required(&L->r, item, "factor", p,
                               "the multiplier on affected buyers' "
                               "order rate")))
            read_number(&L->r, v, path_key(q, p, "factor"), &NUM_POSITIVE, &sp[i].factor);
    }
    L->w->stockpiling = sp;
    L->w->n_stockpiling = sec->count;
}

static void read_diversion(loader *L)
{
    const ynode *n = ynode_get(L->root, "diversion"), *v;
    if (!n || ynode_is_null(n)) return;
    static const char *const keys[] = {"share_of_blocked", "markup", NULL};
    world_diversion *d = &L->w->diversion;
    d->markup = 1;
    if (!read_map(&L->r, n, "diversion", "the diversion settings", keys)) return;
    d->given = true;
    if ((v = read_required(&L->r, n, "share_of_blocked", "diversion",
                           "the share of blocked "
                           "demand that tries illicit "
                           "lanes")))
        read_number(&L->r, v, "diversion.share_of_blocked", &NUM_PROB, &d->share_of_blocked);
    if ((v = ynode_get(n, "markup")))
        read_number(&L->r, v, "diversion.markup", &NUM_AT_LEAST_1, &d->markup);
    bool any = false;
    for (size_t i = 0; i < L->w->n_lanes && !any; i++)
        any = L->w->lanes[i].illicit;
    if (!any && d->share_of_blocked > 0)
        read_warning(&L->r, n->loc,
                     "diversion: no lane has illicit: true, so blocked demand "
                     "has nowhere to divert to");
}

/* ---- disruptions ---- */

static void read_disruptions(loader *L)
{
    const ynode *sec = section(L, L->root, "disruptions", "disruptions", "the disruptions");
    if (!sec) return;
    world_disruption *dr = alloc_array(L, sec->count, sizeof *dr);
    if (!dr) return;
    static const char *const keys[] = {"id",  "site", "from", "to", "start",
                                       "end", "mtbf", "mttr", NULL};
    for (size_t i = 0; i < sec->count; i++) {
        const ynode *item = sec->values[i], *v;
        world_disruption *x = &dr[i];
        P(p);
        P(q);
        path_item(p, "disruptions", item, i);
        x->site = x->lane = WORLD_NONE;
        if (!read_map(&L->r, item, p, "a disruption", keys)) continue;
        x->id = define_id(L, item, "id", p, &L->disruptions, ID_LOWER, i);
        const ynode *site = ynode_get(item, "site"), *from = ynode_get(item, "from"),
                    *to = ynode_get(item, "to");
        if (site && (from || to)) {
            read_error(&L->r, (from ? from : to)->loc,
                       "%s: give a site (an outage) or from and "
                       "to (a lane closure), not both",
                       p);
        } else if (site) {
            x->site = resolve_one(L, site, path_key(q, p, "site"), &L->sites);
        } else if (from && to) {
            uint32_t a = resolve_one(L, from, path_key(q, p, "from"), &L->sites);
            uint32_t b = resolve_one(L, to, path_key(q, p, "to"), &L->sites);
            if (a != WORLD_NONE && b != WORLD_NONE) {
                char lk[32];
                snprintf(lk, sizeof lk, "%u>%u", (unsigned)a, (unsigned)b);
                x->lane = name_index_get(&L->lanes, lk);
                if (x->lane == NAME_INDEX_NONE) {
                    x->lane = WORLD_NONE;
                    read_error(&L->r, item->loc,
                               "%s: no lane from '%s' to '%s' to close; "
                               "expected one listed under lanes",
                               p, L->w->sites[a].id, L->w->sites[b].id);
                }
            }
        } else {
            read_error(&L->r, item->loc,
                       "%s: missing what is disrupted; expected site: ID (an "
                       "outage) or from: ID and to: ID (a lane closure)",
                       p);
        }
        const ynode *s = ynode_get(item, "start"), *e = ynode_get(item, "end");
        const ynode *f = ynode_get(item, "mtbf"), *r = ynode_get(item, "mttr");
        if ((s || e) && (f || r)) {
            read_error(&L->r, (f ? f : r)->loc,
                       "%s: a disruption is dated (start, end) or "
                       "random (mtbf, mttr), not both",
                       p);
        } else if (s || e) {
            x->dated = true;
            const ynode *s2 = read_required(&L->r, item, "start", p,
                                            "the first day of the "
                                            "disruption");
            const ynode *e2 = read_required(&L->r, item, "end", p,
                                            "the last day of the "
                                            "disruption");
            bool ok = s2 && read_date(&L->r, s2, path_key(q, p, "start"), &x->start);
            ok &= e2 && read_date(&L->r, e2, path_key(q, p, "end"), &x->end);
            if (ok && x->end < x->start)
                read_error(&L->r, e2->loc,
                           "%s.end: %s is before start (%s); expected an end on "
                           "or after the start",
                           p, e2->text, s2->text);
        } else if (f || r) {
            const ynode *f2 = read_required(&L->r, item, "mtbf", p,
                                            "the time between failures, "
                                            "a distribution in days");
            const ynode *r2 = read_required(&L->r, item, "mttr", p,
                                            "the time to repair, a "
                                            "distribution in days");
            if (f2) read_dist(&L->r, f2, path_key(q, p, "mtbf"), WORLD_DAYS, &x->mtbf);
            if (r2) read_dist(&L->r, r2, path_key(q, p, "mttr"), WORLD_DAYS, &x->mttr);
        } else {
            read_error(&L->r, item->loc,
                       "%s: missing when; expected start and end dates, or "
                       "mtbf and mttr distributions",
                       p);
        }
        (void)v;
    }
    L->w->disruptions = dr;
    L->w->n_disruptions = sec->count;
}

/* ---- patents ---- */

static void read_patents(loader *L)
{
    const ynode *pat = ynode_get(L->root, "patents");
    if (!pat || ynode_is_null(pat)) return;
    static const char *const keys[] = {"portfolios", "licences", "disputes", NULL};
    if (!read_map(&L->r, pat, "patents", "the patent section", keys)) return;
    const ynode *sec = section(L, pat, "portfolios", "patents.portfolios", "the portfolios"), *v;
    if (sec) {
        world_portfolio *pf = alloc_array(L, sec->count, sizeof *pf);
        static const char *const pk[] = {"firm", "standards", "royalty_usd_per_unit", NULL};
        for (size_t i = 0; pf && i < sec->count; i++) {
            const ynode *item = sec->values[i];
            P(p);
            P(q);
            snprintf(p, sizeof p, "patents.portfolios.%zu", i);
            pf[i].firm = WORLD_NONE;
            if (!read_map(&L->r, item, p, "a patent portfolio", pk)) continue;
            if ((v = read_required(&L->r, item, "firm", p, "the firm that holds the patents")))
                pf[i].firm = resolve_one(L, v, path_key(q, p, "firm"), &L->firms);
            read_item *items;
            size_t n = 0;
            if ((v = read_required(&L->r, item, "standards", p,
                                   "the standards the patents read "
                                   "on")) &&
                read_names(&L->r, v, path_key(q, p, "standards"), &items, &n)) {
                uint32_t *g = alloc_array(L, n, sizeof *g);
                double *roy = alloc_array(L, n, sizeof *roy);
                for (size_t k = 0; g && roy && k < n; k++) {
                    const char *dummy;
                    ynode tmp = {.kind = YNODE_SCALAR,
                                 .loc = items[k].loc,
                                 .text = items[k].text,
                                 .len = strlen(items[k].text)};
                    g[k] = read_id(&L->r, &tmp, q, ID_LOWER, &dummy)
                               ? idset_declare(&L->r, &L->standards, items[k].text, items[k].loc)
                               : WORLD_NONE;
                }
                pf[i].standards = (world_refs){g, g ? n : 0};
                pf[i].royalty_usd_per_unit = roy;
                const ynode *rm = ynode_get(item, "royalty_usd_per_unit");
                if (rm && roy && g) {
                    path_key(q, p, "royalty_usd_per_unit");
                    char got[96];
                    if (rm->kind != YNODE_MAP) {
                        read_error(&L->r, rm->loc,
                                   "%s: got %s; expected a royalty per "
                                   "standard, such as {lte: 1.5, 5g: 2.5}",
                                   q, read_got(got, rm));
                    } else {
                        for (size_t k = 0; k < rm->count; k++) {
                            size_t at = 0;
                            while (at < n && strcmp(items[at].text, rm->keys[k]->text) != 0)
                                at++;
                            P(r);
                            path_key(r, q, rm->keys[k]->text);
                            if (at == n)
                                read_error(&L->r, rm->keys[k]->loc,
                                           "%s: '%s' is not one of this "
                                           "portfolio's standards",
                                           r, rm->keys[k]->text);
                            else
                                read_number(&L->r, rm->values[k], r, &NUM_NONNEG, &roy[at]);
                        }
                    }
                }
            }
        }
        L->w->portfolios = pf;
        L->w->n_portfolios = pf ? sec->count : 0;
    }
    sec = section(L, pat, "licences", "patents.licences", "the licences");
    if (sec) {
        world_licence *lc = alloc_array(L, sec->count, sizeof *lc);
        static const char *const lk[] = {
            "id", "parties", "type", "effective", "expires", "scope", "royalty_usd_per_unit", NULL};
        for (size_t i = 0; lc && i < sec->count; i++) {
            const ynode *item = sec->values[i];
            world_licence *x = &lc[i];
            P(p);
            P(q);
            path_item(p, "patents.licences", item, i);
            x->parties[0] = x->parties[1] = WORLD_NONE;
            x->cross = true;
            x->expires = INT32_MAX;
            if (!read_map(&L->r, item, p, "a licence", lk)) continue;
            x->id = define_id(L, item, "id", p, &L->licences, ID_LOWER, i);
            if ((v = read_required(&L->r, item, "parties", p, "the two firms, licensor first"))) {
                path_key(q, p, "parties");
                world_refs pr = resolve_refs(L, v, q, &L->firms);
                if (pr.n != 2 && pr.at)
                    read_error(&L->r, v->loc, "%s: got %zu firms; expected two", q, pr.n);
                else if (pr.at) {
                    x->parties[0] = pr.at[0];
                    x->parties[1] = pr.at[1];
                    if (pr.at[0] == pr.at[1] && pr.at[0] != WORLD_NONE)
                        read_error(&L->r, v->loc,
                                   "%s: a firm cannot license itself; expected two "
                                   "different firms",
                                   q);
                }
            }
            if ((v = ynode_get(item, "type"))) {
                if (v->kind == YNODE_SCALAR && strcmp(v->text, "cross") == 0)
                    x->cross = true;
                else if (v->kind == YNODE_SCALAR &&
                         (strcmp(v->text, "one_way") == 0 || strcmp(v->text, "bilateral") == 0))
                    x->cross = false;
                else {
                    char got[96];
                    read_error(&L->r, v->loc,
                               "%s.type: got %s; expected cross, or one_way (also written "
                               "bilateral: the first party licenses the second)",
                               p, read_got(got, v));
                }
            }
            const ynode *eff = read_required(&L->r, item, "effective", p,
                                             "the date the licence "
                                             "starts");
            bool ok = eff && read_date(&L->r, eff, path_key(q, p, "effective"), &x->effective);
            const ynode *exp = ynode_get(item, "expires");
            if (exp && read_date(&L->r, exp, path_key(q, p, "expires"), &x->expires) && ok &&
                x->expires <= x->effective)
                read_error(&L->r, exp->loc, "%s.expires: %s is not after effective (%s)", p,
                           exp->text, eff->text);
            if ((v = read_required(&L->r, item, "scope", p, "the standards it covers")))
                x->scope = resolve_refs(L, v, path_key(q, p, "scope"), &L->standards);
            if ((v = ynode_get(item, "royalty_usd_per_unit")))
                read_number(&L->r, v, path_key(q, p, "royalty_usd_per_unit"), &NUM_NONNEG,
                            &x->royalty_usd_per_unit);
        }
        L->w->licences = lc;
        L->w->n_licences = lc ? sec->count : 0;
    }
    sec = section(L, pat, "disputes", "patents.disputes", "the disputes");
    if (sec) {
        world_dispute *ds = alloc_array(L, sec->count, sizeof *ds);
        static const char *const dk[] = {"id",       "plaintiff",  "defendant", "forum", "filed",
                                         "products", "injunction", "ends_with", NULL};
        static const char *const ik[] = {"probability", "after", "duration_days", NULL};
        for (size_t i = 0; ds && i < sec->count; i++) {
            const ynode *item = sec->values[i];
            world_dispute *x = &ds[i];
            P(p);
            P(q);
            path_item(p, "patents.disputes", item, i);
            x->plaintiff = x->defendant = x->forum = x->ends_with = WORLD_NONE;
            x->injunction_duration_days = INFINITY;
            if (!read_map(&L->r, item, p, "a dispute", dk)) continue;
            x->id = define_id(L, item, "id", p, &L->disputes, ID_LOWER, i);
            if ((v = read_required(&L->r, item, "plaintiff", p, "the firm that sues")))
                x->plaintiff = resolve_one(L, v, path_key(q, p, "plaintiff"), &L->firms);
            if ((v = read_required(&L->r, item, "defendant", p, "the firm sued")))
                x->defendant = resolve_one(L, v, path_key(q, p, "defendant"), &L->firms);
            if ((v = read_required(&L->r, item, "forum", p, "the country whose courts hear it")))
                x->forum = resolve_one(L, v, path_key(q, p, "forum"), &L->countries);
            if ((v = read_required(&L->r, item, "filed", p, "the filing date")))
                read_date(&L->r, v, path_key(q, p, "filed"), &x->filed);
            if ((v = read_required(&L->r, item, "products", p,
                                   "the products it covers: all, ids "
                                   "or an expression")))
                read_product_scope(L, v, path_key(q, p, "products"), &x->all_products, &x->products,
                                   &x->products_expr, &x->products_text);
            if ((v = ynode_get(item, "injunction"))) {
                path_key(q, p, "injunction");
                if (read_map(&L->r, v, q, "an injunction", ik)) {
                    const ynode *w2;
                    P(r);
                    if ((w2 = read_required(&L->r, v, "probability", q,
                                            "the chance it is "
                                            "granted")))
                        read_number(&L->r, w2, path_key(r, q, "probability"), &NUM_PROB,
                                    &x->injunction_probability);
                    if ((w2 = ynode_get(v, "after")))
                        x->has_injunction_delay = read_dist(&L->r, w2, path_key(r, q, "after"),
                                                            WORLD_DAYS, &x->injunction_after);
                    if ((w2 = ynode_get(v, "duration_days")))
                        read_number(&L->r, w2, path_key(r, q, "duration_days"), &NUM_POSITIVE,
                                    &x->injunction_duration_days);
                }
            }
            /* A licence removed by an extending file leaves the dispute to run
             * on: that is what removing it means. */
            if ((v = ynode_get(item, "ends_with")) &&
                !(v->kind == YNODE_SCALAR &&
                  name_index_get(&L->licences.ix, v->text) == NAME_INDEX_NONE &&
                  scenario_source_removed(L->r.src, v->text, NULL)))
                x->ends_with = resolve_one(L, v, path_key(q, p, "ends_with"), &L->licences);
            const ynode *def = ynode_get(item, "defendant");
            if (x->plaintiff != WORLD_NONE && x->plaintiff == x->defendant)
                read_error(&L->r, def->loc,
                           "%s.defendant: '%s' is also the plaintiff; expected "
                           "two different firms",
                           p, def->text);
        }
        L->w->disputes = ds;
        L->w->n_disputes = ds ? sec->count : 0;
    }
}

/* ---- checks that span sections ---- */

/* A product needed, through processes' inputs, to make itself. Depth-first
 * search over product -> inputs of the processes that output it. */
typedef struct bom_edge {
    uint32_t to;
    src_loc at; /* the input in the process */
    const char *site, *process;
} bom_edge;

/* The item of a list whose identity is id, or NULL. */
static const ynode *item_with_id(const ynode *seq, const char *id)
{
    for (size_t i = 0; seq && seq->kind == YNODE_SEQ && i < seq->count; i++) {
        const ynode *x = scenario_item_identity(seq->values[i]);
        if (x && strcmp(x->text, id) == 0) return seq->values[i];
    }
    return NULL;
}

/* Where a process names one of its inputs (for the BOM-cycle message). */
static src_loc input_loc(const loader *L, const char *site, const char *process,
                         const char *product)
{
    const ynode *s = item_with_id(ynode_get(L->root, "sites"), site);
    const ynode *pr = item_with_id(ynode_get(s, "processes"), process);
    const ynode *k = ynode_key(ynode_get(pr, "inputs"), product);
    return k ? k->loc : pr ? pr->loc : idset_loc(&L->sites, site);
}

static void check_bom(loader *L)
{
    const world *w = L->w;
    size_t np = w->n_products;
    if (!np) return;
    /* Adjacency: for each output product, the inputs of its processes. */
    size_t *deg = calloc(np + 1, sizeof *deg);
    if (!deg) {
        L->r.nomem = true;
        return;
    }
    size_t edges = 0;
    for (size_t s = 0; s < w->n_sites; s++)
        for (size_t k = 0; k < w->sites[s].n_processes; k++) {
            const world_process *pr = &w->sites[s].processes[k];
            for (size_t o = 0; o < pr->n_outputs; o++)
                if (pr->outputs[o].product != WORLD_NONE) {
                    deg[pr->outputs[o].product + 1] += pr->n_inputs;
                    edges += pr->n_inputs;
                }
        }
    for (size_t i = 0; i < np; i++)
        deg[i + 1] += deg[i];
    bom_edge *adj = calloc(edges ? edges : 1, sizeof *adj);
    size_t *fill = calloc(np, sizeof *fill);
    uint8_t *state = calloc(np, 1); /* 0 new, 1 on the stack, 2 done */
    size_t *stack = calloc(np, sizeof *stack), *pos = calloc(np, sizeof *pos);
    if (!adj || !fill || !state || !stack || !pos) {
        L->r.nomem = true;
        goto out;
    }
    for (size_t s = 0; s < w->n_sites; s++)
        for (size_t k = 0; k < w->sites[s].n_processes; k++) {
            const world_process *pr = &w->sites[s].processes[k];
            for (size_t o = 0; o < pr->n_outputs; o++) {
                uint32_t out = pr->outputs[o].product;
                if (out == WORLD_NONE) continue;
                for (size_t in = 0; in < pr->n_inputs; in++)
                    adj[deg[out] + fill[out]++] =
                        (bom_edge){pr->inputs[in].product, {0}, w->sites[s].id, pr->id};
            }
        }
    /* Iterative DFS (a long chain must not overflow the C stack). */
    for (size_t root = 0; root < np; root++) {
        if (state[root]) continue;
        size_t top = 0;
        stack[top++] = root;
        state[root] = 1;
        pos[root] = deg[root];
        while (top) {
            size_t u = stack[top - 1];
            if (pos[u] == deg[u + 1]) {
                state[u] = 2;
                top--;
                continue;
            }
            const bom_edge *e = &adj[pos[u]++];
            if (e->to == WORLD_NONE) continue;
            if (state[e->to] == 1) {
                /* The cycle is the stack from e->to up to u, then back. */
                char chain[512];
                size_t used = 0, from = 0;
                while (stack[from] != e->to)
                    from++;
                for (size_t i = from; i < top && used < sizeof chain; i++)
                    used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ",
                                             w->products[stack[i]].id);
                if (used < sizeof chain)
                    snprintf(chain + used, sizeof chain - used, "%s", w->products[e->to].id);
                /* Point at the input that closes the loop. */
                src_loc at = input_loc(L, e->site, e->process, w->products[e->to].id);
                read_error(&L->r, at,
                           "sites.%s.processes.%s: a product is needed to make itself "
                           "(%s; each arrow reads 'is made from'); expected a bill of "
                           "materials without cycles",
                           e->site, e->process, chain);
                goto out;
            }
            if (state[e->to] == 0) {
                state[e->to] = 1;
                pos[e->to] = deg[e->to];
                stack[top++] = e->to;
            }
        }
    }
out:
    free(deg);
    free(adj);
    free(fill);
    free(state);
    free(stack);
    free(pos);
}

/* Stock that nothing replenishes: a warning, since an initial level is all
 * the buyers will ever get. */
static void check_replenishment(loader *L)
{
    const world *w = L->w;
    for (size_t s = 0; s < w->n_sites; s++) {
        const world_site *site = &w->sites[s];
        for (size_t k = 0; k < site->n_inventory; k++) {
            const world_inventory *inv = &site->inventory[k];
            if (inv->item == WORLD_NONE || inv->suppliers.n) continue;
            bool made = false;
            for (size_t i = 0; i < site->n_processes && !made; i++)
                for (size_t o = 0; o < site->processes[i].n_outputs && !made; o++)
                    made = !inv->is_need && site->processes[i].outputs[o].product == inv->item;
            for (size_t i = 0; i < site->source.n && !made; i++)
                made = !inv->is_need && site->source.at[i] == inv->item;
            if (!made)
                read_warning(&L->r, idset_loc(&L->sites, site->id),
                             "sites.%s.inventory.%s: nothing "
                             "replenishes this stock (no process here "
                             "makes it, no suppliers, not a source)",
                             site->id,
                             inv->is_need ? w->needs[inv->item].id : w->products[inv->item].id);
        }
    }
}

/* Does site s offer product p to a buyer: hold it, make it or source it? */
static bool site_offers(const world_site *s, uint32_t p)
{
    for (size_t k = 0; k < s->n_inventory; k++)
        if (!s->inventory[k].is_need && s->inventory[k].item == p) return true;
    for (size_t i = 0; i < s->n_processes; i++)
        for (size_t o = 0; o < s->processes[i].n_outputs; o++)
            if (s->processes[i].outputs[o].product == p) return true;
    for (size_t i = 0; i < s->source.n; i++)
        if (s->source.at[i] == p) return true;
    return false;
}

/* A site's node in the YAML, for an error's location: a linear search, so
 * only called once an error is found (for every site it made loading
 * quadratic: 290 s for 10^5 sites). NULL when sites came from a table. */
static const ynode *site_node(const loader *L, const char *id)
{
    return item_with_id(ynode_get(L->root, "sites"), id);
}

/* A supplier must have what it is asked for, and a process's inputs must
 * come from somewhere: otherwise orders or batches would wait forever. */
static void check_supply(loader *L)
{
    const world *w = L->w;
    for (size_t s = 0; s < w->n_sites; s++) {
        const world_site *site = &w->sites[s];
        for (size_t k = 0; k < site->n_inventory; k++) {
            const world_inventory *inv = &site->inventory[k];
            const char *item = inv->is_need ? w->needs[inv->item].id : w->products[inv->item].id;
            for (size_t j = 0; j < inv->suppliers.n; j++) {
                const world_site *sup = &w->sites[inv->suppliers.at[j]];
                bool ok = false;
                if (inv->is_need) {
                    const world_need *nd = &w->needs[inv->item];
                    for (size_t f = 0; f < nd->filled_by.n && !ok; f++)
                        ok = site_offers(sup, nd->filled_by.at[f]);
                } else {
                    ok = site_offers(sup, inv->item);
                }
                if (ok) continue;
                const ynode *sv = ynode_get(
                    ynode_get(ynode_get(site_node(L, site->id), "inventory"), item), "suppliers");
                src_loc at = sv && sv->kind == YNODE_SEQ && j < sv->count ? sv->values[j]->loc
                             : sv                                         ? sv->loc
                                  : idset_loc(&L->sites, site->id);
                read_error(&L->r, at,
                           "sites.%s.inventory.%s.suppliers.%zu: '%s' neither holds, makes nor "
                           "sources %s%s; expected a supplier with it in its inventory, a "
                           "process that makes it, or it under source",
                           site->id, item, j, sup->id,
                           inv->is_need ? "any product that fills " : "", item);
            }
        }
        for (size_t i = 0; i < site->n_processes; i++) {
            const world_process *pr = &site->processes[i];
            for (size_t k = 0; k < pr->n_outputs; k++) {
                uint32_t prod = pr->outputs[k].product;
                bool sourced = false;
                for (size_t j = 0; j < site->source.n && !sourced; j++)
                    sourced = site->source.at[j] == prod;
                if (!sourced) continue;
                const ynode *pn =
                    item_with_id(ynode_get(site_node(L, site->id), "processes"), pr->id);
                const ynode *key = ynode_key(ynode_get(pn, "outputs"), w->products[prod].id);
                read_error(&L->r, key ? key->loc : idset_loc(&L->sites, site->id),
                           "sites.%s.processes.%s.outputs.%s: %s is also under this site's "
                           "source, which supplies it without limit, so the process would "
                           "never run; expected one or the other",
                           site->id, pr->id, w->products[prod].id, w->products[prod].id);
            }
            for (size_t k = 0; k < pr->n_inputs; k++) {
                uint32_t prod = pr->inputs[k].product;
                if (site_offers(site, prod)) continue;
                read_error(&L->r, input_loc(L, site->id, pr->id, w->products[prod].id),
                           "sites.%s.processes.%s.inputs.%s: nothing brings %s to this site; "
                           "expected an inventory entry for it (with suppliers), a process "
                           "here that makes it, or it under source",
                           site->id, pr->id, w->products[prod].id, w->products[prod].id);
            }
        }
    }
}

/* Does site s make or source product p (so its stock of p orders nothing
 * from suppliers)? */
static bool site_makes_or_sources(const world_site *s, uint32_t p)
{
    for (size_t i = 0; i < s->n_processes; i++)
        for (size_t o = 0; o < s->processes[i].n_outputs; o++)
            if (s->processes[i].outputs[o].product == p) return true;
    for (size_t i = 0; i < s->source.n; i++)
        if (s->source.at[i] == p) return true;
    return false;
}

typedef struct supply_node {
    uint64_t key; /* site << 32 | product */
    const world_inventory *inv;
} supply_node;

static int cmp_supply_node(const void *a, const void *b)
{
    uint64_t x = ((const supply_node *)a)->key, y = ((const supply_node *)b)->key;
    return x < y ? -1 : x > y;
}

static size_t find_supply_node(const supply_node *n, size_t count, uint64_t key)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (n[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < count && n[lo].key == key ? lo : SIZE_MAX;
}

/* Supply must not loop: if a orders a product from b and b (directly or
 * further up) orders it from a, one withdrawal makes each order from the
 * other without end. Depth-first search over the stocks that order a
 * product from suppliers; a back edge is a loop, reported at the supplier
 * that closes it. */
static void check_supply_loops(loader *L)
{
    const world *w = L->w;
    size_t n = 0;
    for (size_t s = 0; s < w->n_sites; s++)
        for (size_t k = 0; k < w->sites[s].n_inventory; k++)
            n++;
    supply_node *nodes = calloc(n ? n : 1, sizeof *nodes);
    size_t *state = calloc(n ? n : 1, sizeof *state); /* 0 new, 1 on the path, 2 done */
    size_t *stack = calloc(n ? n : 1, sizeof *stack), *next = calloc(n ? n : 1, sizeof *next);
    if (!nodes || !state || !stack || !next) {
        L->r.nomem = true;
        goto out;
    }
    n = 0;
    for (uint32_t s = 0; s < w->n_sites; s++) {
        const world_site *site = &w->sites[s];
        for (size_t k = 0; k < site->n_inventory; k++) {
            const world_inventory *inv = &site->inventory[k];
            if (inv->is_need || !inv->suppliers.n || site_makes_or_sources(site, inv->item))
                continue;
            nodes[n++] = (supply_node){((uint64_t)s << 32) | inv->item, inv};
        }
    }
    qsort(nodes, n, sizeof *nodes, cmp_supply_node);
    for (size_t root = 0; root < n; root++) {
        if (state[root]) continue;
        size_t top = 0;
        stack[top++] = root;
        state[root] = 1;
        next[root] = 0;
        while (top) {
            size_t v = stack[top - 1];
            const world_inventory *inv = nodes[v].inv;
            if (next[v] == inv->suppliers.n) {
                state[v] = 2;
                top--;
                continue;
            }
            size_t j = next[v]++;
            uint32_t product = (uint32_t)(nodes[v].key & 0xffffffffu);
            size_t u = find_supply_node(nodes, n, ((uint64_t)inv->suppliers.at[j] << 32) | product);
            if (u == SIZE_MAX || state[u] == 2) continue;
            if (state[u] == 0) {
                state[u] = 1;
                next[u] = 0;
                stack[top++] = u;
                continue;
            }
            /* A loop: from u along the path to v, then back to u. */
            char chain[512] = "";
            size_t len = 0, from = 0;
            while (stack[from] != u)
                from++;
            for (size_t i = from; i < top && len < sizeof chain - 64; i++)
                len += (size_t)snprintf(chain + len, sizeof chain - len, "%s from ",
                                        w->sites[nodes[stack[i]].key >> 32].id);
            snprintf(chain + len, sizeof chain - len, "%s", w->sites[nodes[u].key >> 32].id);
            const char *site_id = w->sites[nodes[v].key >> 32].id;
            const char *prod = w->products[product].id;
            const ynode *sn = item_with_id(ynode_get(L->root, "sites"), site_id);
            const ynode *sv = ynode_get(ynode_get(ynode_get(sn, "inventory"), prod), "suppliers");
            src_loc at = sv && sv->kind == YNODE_SEQ && j < sv->count ? sv->values[j]->loc
                         : sv                                         ? sv->loc
                              : idset_loc(&L->sites, site_id);
            read_error(&L->r, at,
                       "sites.%s.inventory.%s.suppliers.%zu: %s goes round a loop of "
                       "suppliers (%s), so one order would make each order from the other "
                       "without end; expected a supply chain without loops",
                       site_id, prod, j, prod, chain);
            goto out;
        }
    }
out:
    free(nodes);
    free(state);
    free(stack);
    free(next);
}

/* ---- the whole ---- */

static void copy_names(loader *L, const idset *set, const world_name **out, size_t *n)
{
    world_name *names = alloc_array(L, set->n, sizeof *names);
    if (!names) return;
    for (size_t i = 0; i < set->n; i++)
        names[i].id = set->ids[i]; /* arena copies already */
    *out = names;
    *n = set->n;
}

static void release(loader *L)
{
    idset *sets[] = {&L->countries, &L->groups,     &L->firms,    &L->lists,       &L->authorities,
                     &L->standards, &L->attributes, &L->products, &L->needs,       &L->sites,
                     &L->rules,     &L->licences,   &L->disputes, &L->disruptions, &L->demand_ids};
    for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
        idset_release(sets[i]);
    name_index_release(&L->lanes);
}

static void init_sets(loader *L)
{
    L->countries = (idset)IDSET("country", "countries");
    L->groups = (idset)IDSET("country group", "countries' groups");
    L->firms = (idset)IDSET("firm", "firms");
    L->lists = (idset)IDSET("list", "firms' lists");
    L->authorities = (idset)IDSET("authority", "products' controlled_by");
    L->standards = (idset)IDSET("standard", "products' or portfolios' standards");
    L->attributes = (idset)IDSET("attribute", "products' columns");
    L->products = (idset)IDSET("product", "products");
    L->needs = (idset)IDSET("need", "needs");
    L->sites = (idset)IDSET("site", "sites");
    L->rules = (idset)IDSET("rule", "export_controls");
    L->licences = (idset)IDSET("licence", "patents.licences");
    L->disputes = (idset)IDSET("dispute", "patents.disputes");
    L->disruptions = (idset)IDSET("disruption", "disruptions");
    L->demand_ids = (idset)IDSET("demand stream", "demand");
}

sim_status scenario_load(const char *path, const char *const *sets, size_t n_sets, diag_list *d,
                         world **out)
{
    *out = NULL;
    scenario_source *src = NULL;
    sim_status st = scenario_source_load(path, sets, n_sets, d, &src);
    if (st != SIM_OK) return st;
    loader L = {0};
    init_sets(&L);
    L.w = calloc(1, sizeof *L.w);
    sim_arena *arena = sim_arena_new();
    if (!L.w || !arena) {
        free(L.w);
        sim_arena_free(arena);
        scenario_source_free(src);
        return SIM_ENOMEM;
    }
    L.w->owner_ = arena;
    L.r = (reader){src, d, arena, false, false};
    L.root = scenario_source_root(src);

    read_header(&L, path);
    read_run(&L);
    read_countries(&L);
    read_firms(&L);
    const ynode *products = section(&L, L.root, "products", "products", "the products");
    if (products) define_products(&L, products);
    if (products) read_products(&L, products);
    read_needs(&L, section(&L, L.root, "needs", "needs", "the needs"));
    const ynode *sites = section(&L, L.root, "sites", "sites", "the sites");
    if (sites && (L.w->sites = alloc_array(&L, sites->count, sizeof(world_site)))) {
        L.w->n_sites = sites->count;
        define_sites(&L, sites);
    }
    read_lanes(&L);
    if (sites && L.w->sites) read_sites(&L, sites);
    read_demand(&L);
    read_rules(&L);
    if (sites && L.w->sites) read_capacity_caps(&L, sites);
    read_stockpiling(&L);
    read_diversion(&L);
    read_disruptions(&L);
    read_patents(&L);
    if (!diag_errors(d)) {
        check_bom(&L);
        check_supply(&L);
        if (!diag_errors(d)) check_supply_loops(&L);
        check_replenishment(&L);
    }
    copy_names(&L, &L.groups, &L.w->groups, &L.w->n_groups);
    copy_names(&L, &L.lists, &L.w->lists, &L.w->n_lists);
    copy_names(&L, &L.authorities, &L.w->authorities, &L.w->n_authorities);
    copy_names(&L, &L.standards, &L.w->standards, &L.w->n_standards);
    copy_names(&L, &L.attributes, &L.w->attributes, &L.w->n_attributes);
    /* Every file read, for the manifest (hashes of what produced a result). */
    size_t nf = scenario_source_file_count(src);
    const char **files = alloc_array(&L, nf, sizeof *files);
    for (size_t i = 0; files && i < nf; i++)
        files[i] = copy_str(&L, scenario_source_file(src, i));
    L.w->files = files;
    L.w->n_files = files ? nf : 0;

    bool missing = L.r.missing_file || scenario_source_missing_file(src);
    release(&L);
    scenario_source_free(src);
    if (L.r.nomem || diag_oom(d)) {
        world_free(L.w);
        return SIM_ENOMEM;
    }
    if (diag_errors(d)) {
        world_free(L.w);
        return missing ? SIM_ENOENT : SIM_EINVAL;
    }
    *out = L.w;
    return SIM_OK;
}
