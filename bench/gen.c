/*
 * bench/gen — a synthetic world of N sites for the scaling benchmark
 * (bench/scale.sh), written as a scenario folder that `chipsim validate` and
 * `chipsim run` take as it is.
 *
 *   bench_gen --sites N [--products P] [--seed S] [--years Y]
 *             [--period month|quarter] [--force] [-q] -o DIR
 *
 * DIR gets world.yaml and its CSV tables. The world is a four-tier chain:
 *
 *   fabs (2% of N)          wafer starts (capacity_wafers_per_month, some
 *                           growing), one process per die or HBM product they
 *                           make: 25 sourced raw wafers in, gross dies per
 *                           wafer out, a yield (constant, learning curve or
 *                           dated) and a gamma duration; base-stock die banks
 *   packaging (3%)          die + k HBM stacks -> accelerator, `servers`
 *                           batches at once; die and HBM stocks ordered from
 *                           one or two fabs; a base stock of accelerators
 *   distributors (25%)      one to three accelerators each, base_stock or s_S,
 *                           ordered from one or two packaging sites
 *   buyers (the rest)       one accelerator each, ordered from one or two
 *                           distributors (the first in the buyer's country
 *                           when one holds it); Poisson orders of gamma sizes,
 *                           some with patience, some starting later
 *
 * over 20 countries, with lanes (gamma transit by distance) between the tiers,
 * P products (one raw wafer, dies, HBM stacks and accelerators with tpp, pd,
 * interconnect_gbs and h100e), six US export-control rules dated within the run
 * (licences for D5 and the Middle East with expressions over tpp, pd and
 * interconnect_gbs, an HBM licence, a quarterly cap with an expiry, a
 * relaxation, the Entity List), stockpiling before the first rule, and a few
 * dated and random disruptions.
 *
 * Sizing: each buyer's demand is routed to its first supplier, tier by tier
 * (the expected "primary" load of every stock); fab wafer capacity and
 * packaging servers are twice the larger of that load and the product's
 * average load per site, so every tier runs below half utilisation, and stock
 * levels cover the lead time behind them. Order rates per buyer do not depend
 * on N, nor do the fan-outs, so the events of a run grow linearly with N.
 *
 * Tables: products, countries, firms, lanes and demand are one CSV each.
 * Distributors are one table with six columns per accelerator (a site's
 * inventory is a mapping keyed by product; cells of accelerators a site does
 * not hold stay empty, and an all-empty group is left out); buyers are one
 * table per accelerator. Fabs and packaging sites (their processes are lists
 * of mappings) are inline YAML, as bench/load.c does.
 *
 * The output depends only on the options: one Threefry stream (sim/rng.h)
 * keyed by the seed drives every draw, and numbers are printed one fixed way.
 * The files are written into a fresh folder next to DIR and renamed into
 * place when complete. An existing DIR is refused (exit 73) unless --force,
 * which replaces it only when it holds a world.yaml (a folder this program
 * wrote), so a slip of -o cannot wipe an unrelated folder.
 *
 * Exit status: 0 ok, 64 bad command line, 70 out of memory, 73 cannot create
 * the output, 74 write error.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "rng.h"

#define EXIT_USAGE     64
#define EXIT_SOFTWARE  70
#define EXIT_CANTCREAT 73
#define EXIT_IOERR     74

#define MAX_SITES    10000000u
#define MAX_PRODUCTS 1000u
#define MAX_YEARS    50u
#define MONTH_DAYS   (365.25 / 12)
#define WAFERS_LOT   25 /* wafers per fab batch */
#define MAX_SUP      2  /* suppliers per inventory entry */
#define MAX_DIST_ACC 3  /* accelerators per distributor */
#define PATH_BYTES   4096

/* ---- countries and firms ------------------------------------------------ */

enum { REGION_AMERICAS, REGION_EUROPE, REGION_EAST_ASIA, REGION_SOUTH_ASIA, REGION_MIDEAST };

typedef struct country_info {
    const char *code, *name, *groups;
    unsigned region;
    double w_fab, w_pkg, w_trade; /* relative weights of fabs, packaging, dist + buyers */
    bool strict;                  /* reached by the D5 / Middle East rules: buyers are patient */
} country_info;

static const country_info COUNTRIES[] = {
    {"US", "United States", "tier1", REGION_AMERICAS, 15, 10, 20, false},
    {"TW", "Taiwan", "tier1", REGION_EAST_ASIA, 40, 35, 4, false},
    {"KR", "South Korea", "tier1", REGION_EAST_ASIA, 20, 15, 5, false},
    {"JP", "Japan", "tier1", REGION_EAST_ASIA, 10, 0, 6, false},
    {"NL", "Netherlands", "tier1", REGION_EUROPE, 0, 0, 3, false},
    {"DE", "Germany", "tier1", REGION_EUROPE, 0, 0, 5, false},
    {"GB", "United Kingdom", "tier1", REGION_EUROPE, 0, 0, 5, false},
    {"FR", "France", "tier1", REGION_EUROPE, 0, 0, 4, false},
    {"CN", "China", "D1;D4;D5", REGION_EAST_ASIA, 15, 15, 12, true},
    {"HK", "Hong Kong", "D1;D4;D5", REGION_EAST_ASIA, 0, 0, 3, true},
    {"MO", "Macau", "D1;D4;D5", REGION_EAST_ASIA, 0, 0, 1, true},
    {"SA", "Saudi Arabia", "D1;D4;middle_east", REGION_MIDEAST, 0, 0, 4, true},
    {"AE", "United Arab Emirates", "D1;D4;middle_east", REGION_MIDEAST, 0, 0, 4, true},
    {"IL", "Israel", "D1;D4", REGION_MIDEAST, 0, 0, 3, false},
    {"IN", "India", "tier2", REGION_SOUTH_ASIA, 0, 0, 8, false},
    {"SG", "Singapore", "tier2", REGION_SOUTH_ASIA, 0, 0, 5, false},
    {"MY", "Malaysia", "tier2", REGION_SOUTH_ASIA, 0, 15, 3, false},
    {"VN", "Vietnam", "D1;tier2", REGION_SOUTH_ASIA, 0, 10, 3, false},
    {"BR", "Brazil", "tier2", REGION_AMERICAS, 0, 0, 4, false},
    {"MX", "Mexico", "tier2", REGION_AMERICAS, 0, 0, 4, false},
};
#define N_COUNTRIES (sizeof COUNTRIES / sizeof COUNTRIES[0])

/* Each country has one firm per role, <cc>_<role>. */
enum { FIRM_FOUNDRY, FIRM_OSAT, FIRM_DISTRIB, FIRM_CLOUD, FIRM_ENTERPRISE, N_FIRM_ROLES };
static const char *const FIRM_ROLES[N_FIRM_ROLES] = {"foundry", "osat", "distrib", "cloud",
                                                     "enterprise"};

/* ---- the world being generated ------------------------------------------ */

typedef enum { KIND_WAFER, KIND_DIE, KIND_HBM, KIND_ACC } product_kind;

typedef struct product {
    product_kind kind;
    size_t index;            /* within its kind */
    double die_mm2, node_nm; /* dies; accelerators copy their die's */
    double gross_per_wafer;  /* dies, HBM stacks */
    double hbm_gb;           /* HBM */
    double tpp, interconnect_gbs, unit_value_usd;
    size_t die, hbm;       /* accelerators: component indices (0-based within kind) */
    unsigned hbm_per_unit; /* accelerators: HBM stacks per unit */
    bool controlled;       /* controlled_by US */
    double total_load;     /* units per day ordered by all buyers (accelerators) */
} product;

/* One inventory entry, or (n_sup == 0 at fabs and packaging sites) a product
 * the site makes. load is units per day through the primary routes. */
typedef struct item {
    size_t product; /* index into products */
    size_t sup[MAX_SUP];
    unsigned n_sup;
    double load;
    double transit_days; /* mean transit from the first supplier */
} item;

typedef struct site {
    unsigned country;
    unsigned firm_role;
    size_t first_item, n_items;
} site;

typedef struct buyer_demand {
    double per_month, mean_units, cv, patience_days;
    bool late_start;
} buyer_demand;

typedef struct lane {
    size_t from, to;
    double mean_days, cv;
} lane;

typedef struct gen_options {
    size_t sites, products;
    uint64_t seed;
    unsigned years;
    const char *period;
    const char *out;
    bool force, quiet;
} gen_options;

typedef struct gen {
    gen_options opt;
    sim_rng rng;
    size_t n_fab, n_pkg, n_dist, n_buyer; /* sites in this order */
    size_t n_die, n_hbm, n_acc;           /* products: wafer, dies, HBM, accelerators */
    size_t n_products;
    product *products;
    site *sites;
    item *items;
    size_t n_items, cap_items;
    buyer_demand *demand; /* per buyer */
    lane *lanes;
    size_t n_lanes, cap_lanes;
    size_t *held_off, *held; /* per accelerator, the distributors holding it (CSR) */
    sim_date start, end;
    int id_width;
    double cap_units; /* the quarterly cap rule's quota */
} gen;

/* ---- small helpers ------------------------------------------------------ */

static double uniform_in(sim_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * sim_rng_uniform(r);
}

static size_t uniform_index(sim_rng *r, size_t n) /* in [0, n), n > 0 */
{
    size_t i = (size_t)(sim_rng_uniform(r) * (double)n);
    return i < n ? i : n - 1;
}

static bool chance(sim_rng *r, double p)
{
    return sim_rng_uniform(r) < p;
}

static unsigned pick_country(sim_rng *r, int which) /* 0 fab, 1 packaging, 2 trade */
{
    double total = 0;
    for (size_t i = 0; i < N_COUNTRIES; i++)
        total += which == 0   ? COUNTRIES[i].w_fab
                 : which == 1 ? COUNTRIES[i].w_pkg
                              : COUNTRIES[i].w_trade;
    double u = sim_rng_uniform(r) * total;
    for (size_t i = 0; i < N_COUNTRIES; i++) {
        double w = which == 0   ? COUNTRIES[i].w_fab
                   : which == 1 ? COUNTRIES[i].w_pkg
                                : COUNTRIES[i].w_trade;
        if (u < w) return (unsigned)i;
        u -= w;
    }
    return (unsigned)N_COUNTRIES - 1;
}

static size_t fab0(const gen *g)
{
    (void)g;
    return 0;
}
static size_t pkg0(const gen *g)
{
    return g->n_fab;
}
static size_t dist0(const gen *g)
{
    return g->n_fab + g->n_pkg;
}
static size_t buyer0(const gen *g)
{
    return g->n_fab + g->n_pkg + g->n_dist;
}

static void site_id(const gen *g, size_t s, char *buf, size_t n)
{
    if (s < pkg0(g))
        snprintf(buf, n, "fab_%0*zu", g->id_width, s - fab0(g));
    else if (s < dist0(g))
        snprintf(buf, n, "pkg_%0*zu", g->id_width, s - pkg0(g));
    else if (s < buyer0(g))
        snprintf(buf, n, "dist_%0*zu", g->id_width, s - dist0(g));
    else
        snprintf(buf, n, "buyer_%0*zu", g->id_width, s - buyer0(g));
}

static void product_id(const gen *g, size_t p, char *buf, size_t n)
{
    const product *pr = &g->products[p];
    static const char *const prefix[] = {"wafer", "die", "hbm", "acc"};
    if (pr->kind == KIND_WAFER)
        snprintf(buf, n, "wafer_300mm");
    else
        snprintf(buf, n, "%s_%03zu", prefix[pr->kind], pr->index);
}

static size_t die_product(const gen *g, size_t d)
{
    (void)g;
    return 1 + d;
}
static size_t hbm_product(const gen *g, size_t h)
{
    return 1 + g->n_die + h;
}
static size_t acc_product(const gen *g, size_t a)
{
    return 1 + g->n_die + g->n_hbm + a;
}
/* Components (dies, then HBM) are the products 1 .. n_die + n_hbm. */
static size_t n_components(const gen *g)
{
    return g->n_die + g->n_hbm;
}

/* Makers: with n sites and m products, site k makes the products j with
 * j % K == k % K, K = min(n, m); so every product has a maker, and makers are
 * spread evenly. The makers of product j are j % K, j % K + K, ... below n. */
static size_t makers_count(size_t n, size_t m, size_t j)
{
    size_t K = n < m ? n : m;
    return (n - 1 - j % K) / K + 1;
}
static size_t maker(size_t n, size_t m, size_t j, size_t i)
{
    size_t K = n < m ? n : m;
    return j % K + i * K;
}

static int push_item(gen *g, item it)
{
    if (g->n_items == g->cap_items) {
        size_t cap = g->cap_items ? 2 * g->cap_items : 1024;
        item *p = realloc(g->items, cap * sizeof *p);
        if (!p) return 1;
        g->items = p;
        g->cap_items = cap;
    }
    g->items[g->n_items++] = it;
    return 0;
}

/* Transit time by distance: same country, same region, elsewhere. */
static lane make_lane(gen *g, size_t from, size_t to)
{
    unsigned a = g->sites[from].country, b = g->sites[to].country;
    double mean = a == b                                       ? uniform_in(&g->rng, 1, 4)
                  : COUNTRIES[a].region == COUNTRIES[b].region ? uniform_in(&g->rng, 3, 10)
                                                               : uniform_in(&g->rng, 8, 25);
    return (lane){from, to, round(mean * 10) / 10,
                  round(uniform_in(&g->rng, 0.2, 0.5) * 100) / 100};
}

/* The lane from -> to (lanes into `to` start at first); adds it when new.
 * Returns its mean transit, or -1 when out of memory. */
static double add_lane(gen *g, size_t first, size_t from, size_t to)
{
    for (size_t i = first; i < g->n_lanes; i++)
        if (g->lanes[i].from == from) return g->lanes[i].mean_days;
    if (g->n_lanes == g->cap_lanes) {
        size_t cap = g->cap_lanes ? 2 * g->cap_lanes : 1024;
        lane *p = realloc(g->lanes, cap * sizeof *p);
        if (!p) return -1;
        g->lanes = p;
        g->cap_lanes = cap;
    }
    g->lanes[g->n_lanes] = make_lane(g, from, to);
    return g->lanes[g->n_lanes++].mean_days;
}

/* ---- products ----------------------------------------------------------- */

/* Gross dies per 300 mm wafer for a die of area A mm^2 (the usual estimate,
 * e.g. de Vries, IEEE Trans. Semicond. Manuf. 18 (2005)):
 *   DPW = pi d^2 / (4 A) - pi d / sqrt(2 A),  d = 300 mm. */
static double dies_per_wafer(double area_mm2)
{
    const double d = 300.0, pi = 3.14159265358979323846;
    return floor(pi * d * d / (4 * area_mm2) - pi * d / sqrt(2 * area_mm2));
}

static void make_products(gen *g)
{
    sim_rng *r = &g->rng;
    static const double nodes[] = {3, 4, 5, 7};
    static const double links[] = {64, 200, 400, 600, 900};
    static const double hbm_gbs[] = {8, 16, 24, 36};
    size_t p = 0;
    g->products[p++] = (product){.kind = KIND_WAFER};
    for (size_t d = 0; d < g->n_die; d++) {
        double area = round(uniform_in(r, 300, 850));
        g->products[p++] = (product){.kind = KIND_DIE,
                                     .index = d,
                                     .die_mm2 = area,
                                     .node_nm = nodes[uniform_index(r, 4)],
                                     .gross_per_wafer = dies_per_wafer(area),
                                     .controlled = true};
    }
    for (size_t h = 0; h < g->n_hbm; h++)
        g->products[p++] = (product){.kind = KIND_HBM,
                                     .index = h,
                                     .hbm_gb = hbm_gbs[uniform_index(r, 4)],
                                     .gross_per_wafer = round(uniform_in(r, 60, 120)),
                                     .controlled = chance(r, 0.7)};
    for (size_t a = 0; a < g->n_acc; a++) {
        size_t d = a % g->n_die;
        const product *die = &g->products[die_product(g, d)];
        /* log-uniform TPP over 500..20000: about 40% reach 4800 */
        double tpp = round(500 * exp(uniform_in(r, 0, log(40.0))));
        g->products[p++] = (product){.kind = KIND_ACC,
                                     .index = a,
                                     .die_mm2 = die->die_mm2,
                                     .node_nm = die->node_nm,
                                     .tpp = tpp,
                                     .interconnect_gbs = links[uniform_index(r, 5)],
                                     .unit_value_usd = round(uniform_in(r, 3000, 40000)),
                                     .die = d,
                                     .hbm = a % g->n_hbm,
                                     .hbm_per_unit = 4 + (unsigned)uniform_index(r, 5),
                                     .controlled = chance(r, 0.8)};
    }
}

/* ---- sites, suppliers, loads -------------------------------------------- */

static int make_sites(gen *g)
{
    sim_rng *r = &g->rng;
    size_t nc = n_components(g);
    /* fabs: the components they make */
    for (size_t f = 0; f < g->n_fab; f++) {
        site *s = &g->sites[f];
        *s = (site){
            .country = pick_country(r, 0), .firm_role = FIRM_FOUNDRY, .first_item = g->n_items};
        size_t K = g->n_fab < nc ? g->n_fab : nc;
        for (size_t c = f % K; c < nc; c += K) {
            if (push_item(g, (item){.product = 1 + c})) return 1;
            s->n_items++;
        }
    }
    /* packaging: the accelerators they make, then their dies and HBM */
    for (size_t k = 0; k < g->n_pkg; k++) {
        site *s = &g->sites[pkg0(g) + k];
        *s = (site){.country = pick_country(r, 1), .firm_role = FIRM_OSAT};
    }
    for (size_t k = 0; k < g->n_pkg; k++) {
        site *s = &g->sites[pkg0(g) + k];
        s->first_item = g->n_items;
        size_t K = g->n_pkg < g->n_acc ? g->n_pkg : g->n_acc;
        for (size_t a = k % K; a < g->n_acc; a += K) {
            if (push_item(g, (item){.product = acc_product(g, a)})) return 1;
            s->n_items++;
        }
        size_t made = s->n_items;
        for (size_t i = 0; i < made; i++) {
            const product *acc = &g->products[g->items[s->first_item + i].product];
            size_t comp[2] = {die_product(g, acc->die), hbm_product(g, acc->hbm)};
            for (int j = 0; j < 2; j++) {
                bool dup = false;
                for (size_t q = made; q < s->n_items; q++)
                    dup |= g->items[s->first_item + q].product == comp[j];
                if (dup) continue;
                size_t c = comp[j] - 1, n = makers_count(g->n_fab, nc, c);
                item it = {.product = comp[j], .n_sup = 1};
                it.sup[0] = maker(g->n_fab, nc, c, uniform_index(r, n));
                if (n > 1) {
                    /* a domestic second source where the country is a rule's
                     * destination (substitution), else sometimes a second one */
                    size_t second = it.sup[0];
                    if (COUNTRIES[s->country].strict && g->sites[it.sup[0]].country != s->country)
                        for (size_t i2 = 0; i2 < n; i2++) {
                            size_t f = maker(g->n_fab, nc, c, i2);
                            if (g->sites[f].country == s->country) {
                                second = f;
                                break;
                            }
                        }
                    if (second == it.sup[0] && chance(r, 0.4))
                        second = maker(g->n_fab, nc, c, uniform_index(r, n));
                    if (second != it.sup[0]) it.sup[it.n_sup++] = second;
                }
                if (push_item(g, it)) return 1;
                s->n_items++;
            }
        }
    }
    /* distributors: one to three accelerators each, one or two packaging sites */
    for (size_t d = 0; d < g->n_dist; d++) {
        site *s = &g->sites[dist0(g) + d];
        *s = (site){
            .country = pick_country(r, 2), .firm_role = FIRM_DISTRIB, .first_item = g->n_items};
        size_t held[MAX_DIST_ACC], n_held = 0;
        held[n_held++] = d % g->n_acc;
        size_t extra = uniform_index(r, MAX_DIST_ACC);
        for (size_t e = 0; e < extra && g->n_acc > n_held; e++) {
            size_t a = uniform_index(r, g->n_acc);
            bool dup = false;
            for (size_t i = 0; i < n_held; i++)
                dup |= held[i] == a;
            if (!dup) held[n_held++] = a;
        }
        for (size_t i = 0; i < n_held; i++) {
            size_t a = held[i], n = makers_count(g->n_pkg, g->n_acc, a);
            item it = {.product = acc_product(g, held[i]), .n_sup = 1};
            it.sup[0] = pkg0(g) + maker(g->n_pkg, g->n_acc, a, uniform_index(r, n));
            if (n > 1 && chance(r, 0.4)) {
                size_t second = pkg0(g) + maker(g->n_pkg, g->n_acc, a, uniform_index(r, n));
                if (second != it.sup[0]) it.sup[it.n_sup++] = second;
            }
            if (push_item(g, it)) return 1;
            s->n_items++;
        }
    }
    /* which distributors hold each accelerator (CSR) */
    for (size_t i = dist0(g); i < buyer0(g); i++)
        for (size_t j = 0; j < g->sites[i].n_items; j++)
            g->held_off[g->items[g->sites[i].first_item + j].product - acc_product(g, 0) + 1]++;
    for (size_t a = 0; a < g->n_acc; a++)
        g->held_off[a + 1] += g->held_off[a];
    size_t *fill = calloc(g->n_acc, sizeof *fill);
    if (!fill) return 1;
    for (size_t i = dist0(g); i < buyer0(g); i++)
        for (size_t j = 0; j < g->sites[i].n_items; j++) {
            size_t a = g->items[g->sites[i].first_item + j].product - acc_product(g, 0);
            g->held[g->held_off[a] + fill[a]++] = i;
        }
    free(fill);
    /* buyers: one accelerator that some distributor holds */
    for (size_t b = 0; b < g->n_buyer; b++) {
        site *s = &g->sites[buyer0(g) + b];
        unsigned country = pick_country(r, 2);
        *s = (site){.country = country,
                    .firm_role = chance(r, 0.5) ? FIRM_CLOUD : FIRM_ENTERPRISE,
                    .first_item = g->n_items,
                    .n_items = 1};
        size_t a = uniform_index(r, g->n_acc);
        while (g->held_off[a + 1] == g->held_off[a])
            a = (a + 1) % g->n_acc;
        const size_t *list = g->held + g->held_off[a];
        size_t n = g->held_off[a + 1] - g->held_off[a];
        item it = {.product = acc_product(g, a), .n_sup = 1};
        it.sup[0] = list[uniform_index(r, n)];
        for (int tries = 0; tries < 16 && g->sites[it.sup[0]].country != country; tries++)
            it.sup[0] = list[uniform_index(r, n)];
        if (n > 1 && chance(r, 0.5)) {
            size_t second = list[uniform_index(r, n)];
            if (second != it.sup[0]) it.sup[it.n_sup++] = second;
        }
        if (push_item(g, it)) return 1;
        bool cloud = s->firm_role == FIRM_CLOUD;
        buyer_demand *dm = &g->demand[b];
        dm->per_month = round(uniform_in(r, 1, 8) * 10) / 10;
        dm->mean_units = round(cloud ? uniform_in(r, 20, 120) : uniform_in(r, 4, 30));
        dm->cv = 0.5;
        dm->patience_days =
            COUNTRIES[country].strict || chance(r, 0.5) ? round(uniform_in(r, 60, 180)) : 0;
        dm->late_start = chance(r, 0.1);
    }
    return 0;
}

/* The item of site s for product p (it exists by construction). */
static item *site_item(gen *g, size_t s, size_t p)
{
    for (size_t i = 0; i < g->sites[s].n_items; i++)
        if (g->items[g->sites[s].first_item + i].product == p)
            return &g->items[g->sites[s].first_item + i];
    return NULL;
}

/* Lanes (with transit) from every item's suppliers, and the primary loads,
 * buyers first and then tier by tier upstream. */
static int route(gen *g)
{
    for (size_t s = 0; s < g->n_fab + g->n_pkg + g->n_dist + g->n_buyer; s++) {
        size_t first = g->n_lanes;
        for (size_t i = 0; i < g->sites[s].n_items; i++) {
            item *it = &g->items[g->sites[s].first_item + i];
            for (unsigned k = 0; k < it->n_sup; k++) {
                double t = add_lane(g, first, it->sup[k], s);
                if (t < 0) return 1;
                if (k == 0) it->transit_days = t;
            }
        }
    }
    for (size_t b = 0; b < g->n_buyer; b++) {
        item *it = &g->items[g->sites[buyer0(g) + b].first_item];
        const buyer_demand *dm = &g->demand[b];
        it->load = dm->per_month / MONTH_DAYS * dm->mean_units;
        g->products[it->product].total_load += it->load;
        item *up = site_item(g, it->sup[0], it->product);
        if (!up) return 1;
        up->load += it->load;
    }
    for (size_t s = dist0(g); s < buyer0(g); s++)
        for (size_t i = 0; i < g->sites[s].n_items; i++) {
            item *it = &g->items[g->sites[s].first_item + i];
            item *up = site_item(g, it->sup[0], it->product);
            if (!up) return 1;
            up->load += it->load;
        }
    for (size_t s = pkg0(g); s < dist0(g); s++) {
        for (size_t i = 0; i < g->sites[s].n_items; i++) {
            item *it = &g->items[g->sites[s].first_item + i];
            const product *pr = &g->products[it->product];
            if (pr->kind != KIND_ACC) continue;
            /* size the components for the larger of the primary and the average load */
            double avg = pr->total_load / (double)makers_count(g->n_pkg, g->n_acc, pr->index);
            double l = it->load > avg ? it->load : avg;
            site_item(g, s, die_product(g, pr->die))->load += l;
            site_item(g, s, hbm_product(g, pr->hbm))->load += l * pr->hbm_per_unit;
            g->products[die_product(g, pr->die)].total_load += l;
            g->products[hbm_product(g, pr->hbm)].total_load += l * pr->hbm_per_unit;
        }
        for (size_t i = 0; i < g->sites[s].n_items; i++) {
            item *it = &g->items[g->sites[s].first_item + i];
            if (g->products[it->product].kind == KIND_ACC) continue;
            item *up = site_item(g, it->sup[0], it->product);
            if (!up) return 1;
            up->load += it->load;
        }
    }
    return 0;
}

/* ---- writing ------------------------------------------------------------ */

typedef struct out {
    char dir[PATH_BYTES]; /* the temporary folder */
    FILE *f;
    bool failed;
} out;

static FILE *out_open(out *o, const char *name)
{
    char path[PATH_BYTES + 64];
    snprintf(path, sizeof path, "%s/%s", o->dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "bench_gen: cannot write %s: %s\n", path, strerror(errno));
        o->failed = true;
    }
    return f;
}

static void out_close(out *o, FILE *f, const char *name)
{
    if (!f) return;
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0) bad = true;
    if (bad) {
        fprintf(stderr, "bench_gen: write error on %s/%s: %s\n", o->dir, name, strerror(errno));
        o->failed = true;
    }
}

static void write_countries(gen *g, out *o)
{
    (void)g;
    FILE *f = out_open(o, "countries.csv");
    if (!f) return;
    fprintf(f, "code,name,groups\n");
    for (size_t i = 0; i < N_COUNTRIES; i++)
        fprintf(f, "%s,%s,%s\n", COUNTRIES[i].code, COUNTRIES[i].name, COUNTRIES[i].groups);
    out_close(o, f, "countries.csv");
}

static void firm_id(unsigned country, unsigned role, char *buf, size_t n)
{
    char cc[8];
    size_t i = 0;
    for (; COUNTRIES[country].code[i] && i < sizeof cc - 1; i++)
        cc[i] = (char)(COUNTRIES[country].code[i] - 'A' + 'a');
    cc[i] = 0;
    snprintf(buf, n, "%s_%s", cc, FIRM_ROLES[role]);
}

static void write_firms(gen *g, out *o)
{
    (void)g;
    FILE *f = out_open(o, "firms.csv");
    if (!f) return;
    fprintf(f, "id,country,lists\n");
    for (unsigned c = 0; c < N_COUNTRIES; c++)
        for (unsigned role = 0; role < N_FIRM_ROLES; role++) {
            char id[64];
            firm_id(c, role, id, sizeof id);
            bool listed = strcmp(COUNTRIES[c].code, "CN") == 0 && role == FIRM_CLOUD;
            fprintf(f, "%s,%s,%s\n", id, COUNTRIES[c].code, listed ? "entity_list" : "");
        }
    fprintf(f, "us_design,US,\ncn_design,CN,\n");
    out_close(o, f, "firms.csv");
}

static void write_products(gen *g, out *o)
{
    FILE *f = out_open(o, "products.csv");
    if (!f) return;
    fprintf(f, "id,kind,owner,tpp,pd,die_mm2,node_nm,interconnect_gbs,hbm_gb,h100e,"
               "unit_value_usd,controlled_by\n");
    for (size_t p = 0; p < g->n_products; p++) {
        const product *pr = &g->products[p];
        char id[32];
        product_id(g, p, id, sizeof id);
        switch (pr->kind) {
        case KIND_WAFER:
            fprintf(f, "%s,wafer,tw_foundry,,,,,,,,,\n", id);
            break;
        case KIND_DIE:
            fprintf(f, "%s,die,tw_foundry,,,%.0f,%.0f,,,,,US\n", id, pr->die_mm2, pr->node_nm);
            break;
        case KIND_HBM:
            fprintf(f, "%s,hbm,kr_foundry,,,,,,%.0f,,,%s\n", id, pr->hbm_gb,
                    pr->controlled ? "US" : "");
            break;
        case KIND_ACC:
            fprintf(f, "%s,accelerator,%s,%.0f,%.2f,%.0f,%.0f,%.0f,%u,%.4f,%.0f,%s\n", id,
                    pr->controlled ? "us_design" : "cn_design", pr->tpp, pr->tpp / pr->die_mm2,
                    pr->die_mm2, pr->node_nm, pr->interconnect_gbs,
                    pr->hbm_per_unit * (unsigned)g->products[hbm_product(g, pr->hbm)].hbm_gb,
                    pr->tpp / 15832.0, pr->unit_value_usd, pr->controlled ? "US" : "");
            break;
        }
    }
    out_close(o, f, "products.csv");
}

static void write_suppliers(const gen *g, FILE *f, const item *it, const char *sep)
{
    char id[32];
    for (unsigned k = 0; k < it->n_sup; k++) {
        site_id(g, it->sup[k], id, sizeof id);
        fprintf(f, "%s%s", k ? sep : "", id);
    }
}

/* Stock levels: enough to cover the demand over the lead time behind the
 * stock, with a margin, so the world starts near its steady state. */
static double cover(double load_per_day, double days, double margin)
{
    return ceil(load_per_day * days * margin);
}

static void write_date(FILE *f, sim_date d)
{
    char buf[SIM_DATE_BUFSIZE];
    sim_date_format(d, buf);
    fputs(buf, f);
}

static sim_date run_date(const gen *g, double fraction)
{
    return g->start + (sim_date)floor(fraction * (double)(g->end - g->start + 1));
}

static void write_fab(gen *g, FILE *f, size_t s)
{
    sim_rng *r = &g->rng;
    const site *st = &g->sites[s];
    char id[32], pid[32], firm[64];
    site_id(g, s, id, sizeof id);
    firm_id(st->country, st->firm_role, firm, sizeof firm);
    fprintf(f, "  - id: %s\n    firm: %s\n    country: %s\n    source: [wafer_300mm]\n", id, firm,
            COUNTRIES[st->country].code);
    /* yields and durations first: capacity is sized with the lowest yield */
    double wafers_per_day = 0;
    fprintf(f, "    processes:\n");
    double lead = 0;
    for (size_t i = 0; i < st->n_items; i++) {
        const item *it = &g->items[st->first_item + i];
        const product *pr = &g->products[it->product];
        product_id(g, it->product, pid, sizeof pid);
        double out_per_lot = pr->gross_per_wafer * WAFERS_LOT;
        double mean_days = round(uniform_in(r, 70, 110)), cv = round(uniform_in(r, 8, 20)) / 100;
        double y_min;
        char yield[160];
        double u = sim_rng_uniform(r);
        if (u < 0.5) {
            y_min = round(uniform_in(r, 0.6, 0.9) * 100) / 100;
            snprintf(yield, sizeof yield, "%.2f", y_min);
        } else if (u < 0.8) {
            y_min = round(uniform_in(r, 0.3, 0.5) * 100) / 100;
            snprintf(yield, sizeof yield, "{start: %.2f, end: %.2f, tau_days: %.0f}", y_min,
                     round(uniform_in(r, 0.8, 0.92) * 100) / 100, round(uniform_in(r, 120, 365)));
        } else {
            char d0[SIM_DATE_BUFSIZE], d1[SIM_DATE_BUFSIZE];
            sim_date_format(g->start, d0);
            sim_date_format(run_date(g, 0.4), d1);
            y_min = round(uniform_in(r, 0.4, 0.6) * 100) / 100;
            snprintf(yield, sizeof yield, "{%s: %.2f, %s: %.2f}", d0, y_min, d1,
                     y_min + round(uniform_in(r, 0.1, 0.3) * 100) / 100);
        }
        double avg =
            pr->total_load / (double)makers_count(g->n_fab, n_components(g), it->product - 1);
        double load = it->load > avg ? it->load : avg;
        wafers_per_day += load / (pr->gross_per_wafer * y_min);
        if (mean_days > lead) lead = mean_days;
        fprintf(f,
                "      - {id: make_%s, inputs: {wafer_300mm: %d}, outputs: {%s: %.0f},\n"
                "         wafers_per_batch: %d, priority: %zu, yield: %s,\n"
                "         duration: {dist: gamma, mean_days: %.0f, cv: %.2f}}\n",
                pid, WAFERS_LOT, pid, out_per_lot, WAFERS_LOT, i, yield, mean_days, cv);
    }
    /* capacity: twice what the sized load needs, at least 4 lots a month */
    double cap = ceil(2 * wafers_per_day * MONTH_DAYS);
    if (cap < 4 * WAFERS_LOT) cap = 4 * WAFERS_LOT;
    if (chance(r, 0.2)) {
        fprintf(f, "    capacity_wafers_per_month: {");
        write_date(f, g->start);
        fprintf(f, ": %.0f, ", cap);
        write_date(f, run_date(g, 0.5));
        fprintf(f, ": %.0f}\n", ceil(cap * 1.25));
    } else {
        fprintf(f, "    capacity_wafers_per_month: %.0f\n", cap);
    }
    fprintf(f, "    inventory:\n");
    for (size_t i = 0; i < st->n_items; i++) {
        const item *it = &g->items[st->first_item + i];
        const product *pr = &g->products[it->product];
        product_id(g, it->product, pid, sizeof pid);
        double level = cover(it->load, lead + 14, 1.3) + pr->gross_per_wafer * WAFERS_LOT;
        fprintf(f, "      %s: {policy: base_stock, level: %.0f}\n", pid, level);
    }
}

static void write_pkg(gen *g, FILE *f, size_t s, double *levels)
{
    sim_rng *r = &g->rng;
    const site *st = &g->sites[s];
    char id[32], pid[32], did[32], hid[32], firm[64];
    site_id(g, s, id, sizeof id);
    firm_id(st->country, st->firm_role, firm, sizeof firm);
    fprintf(f, "  - id: %s\n    firm: %s\n    country: %s\n    processes:\n", id, firm,
            COUNTRIES[st->country].code);
    /* levels[i]: the accelerator stock of item i, known once its batch is */
    double batch_in_die = 0, batch_in_hbm = 0;
    for (size_t i = 0; i < st->n_items; i++) {
        const item *it = &g->items[st->first_item + i];
        const product *pr = &g->products[it->product];
        if (pr->kind != KIND_ACC) continue;
        product_id(g, it->product, pid, sizeof pid);
        product_id(g, die_product(g, pr->die), did, sizeof did);
        product_id(g, hbm_product(g, pr->hbm), hid, sizeof hid);
        double avg = pr->total_load / (double)makers_count(g->n_pkg, g->n_acc, pr->index);
        double load = it->load > avg ? it->load : avg;
        /* a batch is about a week of output, 10 to 5000 units */
        double batch = round(load * 7);
        if (batch < 10) batch = 10;
        if (batch > 5000) batch = 5000;
        double median = round(uniform_in(r, 20, 40)), sigma = 0.3;
        double mean = median * exp(sigma * sigma / 2); /* of a lognormal */
        /* servers: twice the batches in progress at the sized load (Little's law) */
        double servers = ceil(2 * load / (0.98 * batch) * mean) + 1;
        if (batch > batch_in_die) batch_in_die = batch;
        if (batch * pr->hbm_per_unit > batch_in_hbm) batch_in_hbm = batch * pr->hbm_per_unit;
        fprintf(f,
                "      - {id: pack_%s, inputs: {%s: %.0f, %s: %.0f}, outputs: {%s: %.0f},\n"
                "         servers: %.0f, yield: 0.98,\n"
                "         duration: {dist: lognormal, median_days: %.0f, sigma: %.1f}}\n",
                pid, did, batch, hid, batch * pr->hbm_per_unit, pid, batch, servers, median, sigma);
        levels[i] = cover(it->load, mean + 7, 1.3) + batch;
    }
    fprintf(f, "    inventory:\n");
    for (size_t i = 0; i < st->n_items; i++) {
        const item *it = &g->items[st->first_item + i];
        const product *pr = &g->products[it->product];
        product_id(g, it->product, pid, sizeof pid);
        if (pr->kind == KIND_ACC) {
            fprintf(f, "      %s: {policy: base_stock, level: %.0f}\n", pid, levels[i]);
        } else if (pr->kind == KIND_DIE) {
            double level = cover(it->load, it->transit_days + 14, 1.3) + 2 * batch_in_die;
            fprintf(f, "      %s: {policy: base_stock, level: %.0f, suppliers: [", pid, level);
            write_suppliers(g, f, it, ", ");
            fprintf(f, "]}\n");
        } else {
            double lo = cover(it->load, it->transit_days + 21, 1.2) + 2 * batch_in_hbm;
            double hi = lo + cover(it->load, 28, 1.0) + batch_in_hbm;
            fprintf(f, "      %s: {policy: s_S, s: %.0f, S: %.0f, review_days: 7, suppliers: [",
                    pid, lo, hi);
            write_suppliers(g, f, it, ", ");
            fprintf(f, "]}\n");
        }
    }
}

/* One row per distributor, six columns per accelerator. */
static void write_distributors(gen *g, out *o)
{
    FILE *f = out_open(o, "distributors.csv");
    if (!f) return;
    char id[32], pid[32], firm[64];
    fprintf(f, "id,firm,country");
    for (size_t a = 0; a < g->n_acc; a++) {
        product_id(g, acc_product(g, a), pid, sizeof pid);
        fprintf(f,
                ",inventory.%s.policy,inventory.%s.level,inventory.%s.s,inventory.%s.S,"
                "inventory.%s.review_days,inventory.%s.suppliers",
                pid, pid, pid, pid, pid, pid);
    }
    fputc('\n', f);
    for (size_t s = dist0(g); s < buyer0(g); s++) {
        const site *st = &g->sites[s];
        site_id(g, s, id, sizeof id);
        firm_id(st->country, st->firm_role, firm, sizeof firm);
        fprintf(f, "%s,%s,%s", id, firm, COUNTRIES[st->country].code);
        bool s_S = (s - dist0(g)) % 2 == 1;
        for (size_t a = 0; a < g->n_acc; a++) {
            const item *it = site_item(g, s, acc_product(g, a));
            if (!it) {
                fputs(",,,,,,", f);
                continue;
            }
            double lead = it->transit_days + 14;
            if (s_S) {
                double lo = cover(it->load, lead + 7, 1.2) + 10;
                double hi = lo + cover(it->load, 21, 1.0) + 10;
                fprintf(f, ",s_S,,%.0f,%.0f,7,", lo, hi);
            } else {
                fprintf(f, ",base_stock,%.0f,,,,", cover(it->load, lead, 1.3) + 20);
            }
            write_suppliers(g, f, it, ";");
        }
        fputc('\n', f);
    }
    out_close(o, f, "distributors.csv");
}

/* One table per accelerator: buyers_acc_NNN.csv. */
static void write_buyers(gen *g, out *o)
{
    char name[64], id[32], pid[32], firm[64];
    for (size_t a = 0; a < g->n_acc; a++) {
        size_t p = acc_product(g, a);
        product_id(g, p, pid, sizeof pid);
        snprintf(name, sizeof name, "buyers_%s.csv", pid);
        FILE *f = out_open(o, name);
        if (!f) return;
        fprintf(f,
                "id,firm,country,inventory.%s.policy,inventory.%s.level,inventory.%s.suppliers\n",
                pid, pid, pid);
        for (size_t b = 0; b < g->n_buyer; b++) {
            size_t s = buyer0(g) + b;
            const site *st = &g->sites[s];
            const item *it = &g->items[st->first_item];
            if (it->product != p) continue;
            site_id(g, s, id, sizeof id);
            firm_id(st->country, st->firm_role, firm, sizeof firm);
            /* a small stock: up to one and a half mean orders */
            double level = round(g->demand[b].mean_units * uniform_in(&g->rng, 0, 1.5));
            fprintf(f, "%s,%s,%s,base_stock,%.0f,", id, firm, COUNTRIES[st->country].code, level);
            write_suppliers(g, f, it, ";");
            fputc('\n', f);
        }
        out_close(o, f, name);
    }
}

static void write_lanes(gen *g, out *o)
{
    FILE *f = out_open(o, "lanes.csv");
    if (!f) return;
    char a[32], b[32];
    fprintf(f, "from,to,transit.dist,transit.mean_days,transit.cv\n");
    for (size_t i = 0; i < g->n_lanes; i++) {
        site_id(g, g->lanes[i].from, a, sizeof a);
        site_id(g, g->lanes[i].to, b, sizeof b);
        fprintf(f, "%s,%s,gamma,%.1f,%.2f\n", a, b, g->lanes[i].mean_days, g->lanes[i].cv);
    }
    out_close(o, f, "lanes.csv");
}

static void write_demand(gen *g, out *o)
{
    FILE *f = out_open(o, "demand.csv");
    if (!f) return;
    char id[32], pid[32], starts[SIM_DATE_BUFSIZE];
    sim_date_format(run_date(g, 0.25), starts);
    fprintf(f, "site,product,orders.dist,orders.per_month,size.dist,size.mean_units,size.cv,"
               "patience_days,starts\n");
    for (size_t b = 0; b < g->n_buyer; b++) {
        size_t s = buyer0(g) + b;
        const buyer_demand *dm = &g->demand[b];
        site_id(g, s, id, sizeof id);
        product_id(g, g->items[g->sites[s].first_item].product, pid, sizeof pid);
        fprintf(f, "%s,%s,poisson,%.1f,gamma,%.0f,%.2f,", id, pid, dm->per_month, dm->mean_units,
                dm->cv);
        if (dm->patience_days > 0) fprintf(f, "%.0f", dm->patience_days);
        fprintf(f, ",%s\n", dm->late_start ? starts : "");
    }
    out_close(o, f, "demand.csv");
}

/* The quarterly cap on fast accelerators to tier-2 countries: 80% of the
 * average tier-2 country's primary load of them over a quarter. */
static double cap_quota(const gen *g)
{
    double load = 0;
    size_t tier2 = 0;
    for (size_t c = 0; c < N_COUNTRIES; c++)
        tier2 += strstr(COUNTRIES[c].groups, "tier2") != NULL;
    for (size_t s = dist0(g); s < buyer0(g); s++) {
        if (!strstr(COUNTRIES[g->sites[s].country].groups, "tier2")) continue;
        for (size_t i = 0; i < g->sites[s].n_items; i++) {
            const item *it = &g->items[g->sites[s].first_item + i];
            const product *pr = &g->products[it->product];
            if (pr->controlled && pr->tpp >= 8000) load += it->load;
        }
    }
    double q = ceil(0.8 * load / (double)tier2 * 91);
    return q < 100 ? 100 : q;
}

static void write_rules(gen *g, FILE *f)
{
    fprintf(f, "export_controls:\n");
    fprintf(f, "  - id: us_acc_d5\n    authority: US\n    announced: ");
    write_date(f, run_date(g, 0.15));
    fprintf(f, "\n    effective: ");
    write_date(f, run_date(g, 0.2));
    fprintf(f, "\n    products: \"tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)\"\n"
               "    destinations: [\"group:D5\"]\n"
               "    action: {type: license, approval: 0.25, review: {dist: lognormal, "
               "median_days: 45, sigma: 0.5}}\n");
    fprintf(f, "  - id: us_acc_middle_east\n    authority: US\n    effective: ");
    write_date(f, run_date(g, 0.35));
    fprintf(f, "\n    products: \"tpp >= 10000 and interconnect_gbs >= 600\"\n"
               "    destinations: [\"group:middle_east\"]\n"
               "    action: {type: license, approval: 0.7, review: {dist: lognormal, "
               "median_days: 60, sigma: 0.5}}\n");
    fprintf(f, "  - id: us_hbm_d5\n    authority: US\n    announced: ");
    write_date(f, run_date(g, 0.45));
    fprintf(f, "\n    effective: ");
    write_date(f, run_date(g, 0.5));
    fprintf(f, "\n    products: \"kind == 'hbm' and hbm_gb >= 16\"\n"
               "    destinations: [\"group:D5\"]\n"
               "    action: {type: license, approval: 0.5, review: {dist: gamma, mean_days: 30, "
               "cv: 0.5}}\n");
    fprintf(f, "  - id: us_cap_tier2\n    authority: US\n    effective: ");
    write_date(f, run_date(g, 0.6));
    fprintf(f, "\n    expires: ");
    write_date(f, run_date(g, 0.9));
    fprintf(f,
            "\n    products: \"tpp >= 8000\"\n"
            "    destinations: [\"group:tier2\"]\n"
            "    action: {type: cap, units: %.0f, per: quarter}\n",
            g->cap_units);
    fprintf(f, "  - id: us_acc_middle_east_relaxed\n    authority: US\n    effective: ");
    write_date(f, run_date(g, 0.8));
    fprintf(f, "\n    products: \"tpp >= 10000 and interconnect_gbs >= 600\"\n"
               "    destinations: [SA, AE]\n"
               "    action: {type: license, approval: 0.95, review: {dist: lognormal, "
               "median_days: 30, sigma: 0.5}}\n");
    fprintf(f, "  - {id: us_entity_list, authority: US, effective: 2019-05-16, products: all,\n"
               "     end_users: [\"list:entity_list\"], action: {type: deny}}\n");
    fprintf(f, "stockpiling:\n  - {rule: us_acc_d5, factor: 1.5}\n");
}

/* Two dated outages, then random lane closures (fab -> packaging) and random
 * distributor outages, a few more for bigger worlds. */
static void write_disruptions(gen *g, FILE *f)
{
    sim_rng *r = &g->rng;
    char a[32], b[32];
    fprintf(f, "disruptions:\n");
    site_id(g, fab0(g) + uniform_index(r, g->n_fab), a, sizeof a);
    fprintf(f, "  - {id: fab_outage, site: %s, start: ", a);
    write_date(f, run_date(g, 0.3));
    fprintf(f, ", end: ");
    write_date(f, run_date(g, 0.3) + 9);
    fprintf(f, "}\n");
    site_id(g, pkg0(g) + uniform_index(r, g->n_pkg), a, sizeof a);
    fprintf(f, "  - {id: pkg_outage, site: %s, start: ", a);
    write_date(f, run_date(g, 0.55));
    fprintf(f, ", end: ");
    write_date(f, run_date(g, 0.55) + 4);
    fprintf(f, "}\n");
    /* the lanes into packaging sites come right after the fabs' (none) */
    size_t n_pkg_lanes = 0;
    while (n_pkg_lanes < g->n_lanes && g->lanes[n_pkg_lanes].to < dist0(g))
        n_pkg_lanes++;
    size_t n_closures = 2 + g->opt.sites / 5000;
    if (n_closures > 50) n_closures = 50;
    for (size_t i = 0; i < n_closures && n_pkg_lanes; i++) {
        const lane *l = &g->lanes[uniform_index(r, n_pkg_lanes)];
        site_id(g, l->from, a, sizeof a);
        site_id(g, l->to, b, sizeof b);
        fprintf(f,
                "  - {id: lane_closure_%zu, from: %s, to: %s, mtbf: {dist: exponential, "
                "mean_days: 365}, mttr: {dist: gamma, mean_days: 7, cv: 0.5}}\n",
                i, a, b);
    }
    size_t n_outages = 1 + g->opt.sites / 10000;
    if (n_outages > 50) n_outages = 50;
    for (size_t i = 0; i < n_outages; i++) {
        site_id(g, dist0(g) + uniform_index(r, g->n_dist), a, sizeof a);
        fprintf(f,
                "  - {id: dist_outage_%zu, site: %s, mtbf: {dist: exponential, mean_days: 730}, "
                "mttr: {dist: gamma, mean_days: 3, cv: 0.5}}\n",
                i, a);
    }
}

static void write_world(gen *g, out *o)
{
    /* a packaging site has at most n_acc + n_components items */
    double *levels = malloc((g->n_products + 1) * sizeof *levels);
    if (!levels) {
        fprintf(stderr, "bench_gen: out of memory\n");
        o->failed = true;
        return;
    }
    FILE *f = out_open(o, "world.yaml");
    if (!f) {
        free(levels);
        return;
    }
    char pid[32];
    fprintf(f,
            "# Synthetic world written by bench_gen (bench/gen.c): %zu sites (%zu fabs, %zu\n"
            "# packaging, %zu distributors, %zu buyers), %zu products, seed %llu.\n"
            "schema_version: 1\n"
            "name: gen-%zu\n"
            "description: synthetic four-tier supply chain for the scaling benchmark\n"
            "run: {start: ",
            g->opt.sites, g->n_fab, g->n_pkg, g->n_dist, g->n_buyer, g->n_products,
            (unsigned long long)g->opt.seed, g->opt.sites);
    write_date(f, g->start);
    fprintf(f, ", end: ");
    write_date(f, g->end);
    fprintf(f, ", period: %s, replications: 1, seed: %llu}\n", g->opt.period,
            (unsigned long long)g->opt.seed);
    fprintf(f, "countries: {table: countries.csv}\n"
               "firms: {table: firms.csv}\n"
               "products: {table: products.csv}\n"
               "lanes: {table: lanes.csv}\n"
               "demand: {table: demand.csv}\n"
               "sites:\n");
    for (size_t s = fab0(g); s < pkg0(g); s++)
        write_fab(g, f, s);
    for (size_t s = pkg0(g); s < dist0(g); s++)
        write_pkg(g, f, s, levels);
    fprintf(f, "  - {table: distributors.csv}\n");
    for (size_t a = 0; a < g->n_acc; a++) {
        product_id(g, acc_product(g, a), pid, sizeof pid);
        fprintf(f, "  - {table: buyers_%s.csv}\n", pid);
    }
    write_rules(g, f);
    write_disruptions(g, f);
    out_close(o, f, "world.yaml");
    free(levels);
}

/* ---- the output folder -------------------------------------------------- */

/* Removes a folder tree this program wrote (files and folders only). */
static int remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return -1;
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char p[PATH_BYTES];
        if ((size_t)snprintf(p, sizeof p, "%s/%s", path, e->d_name) >= sizeof p) {
            bad = -1;
            continue;
        }
        struct stat st;
        if (lstat(p, &st) != 0)
            bad = -1;
        else if (S_ISDIR(st.st_mode))
            bad |= remove_tree(p);
        else if (unlink(p) != 0)
            bad = -1;
    }
    closedir(d);
    if (rmdir(path) != 0) bad = -1;
    return bad;
}

/* May dir be written? Absent, or (with force) a folder holding world.yaml.
 * Returns 0, or EXIT_CANTCREAT after saying why. *exists tells which. */
static int check_target(const char *dir, bool force, bool *exists)
{
    struct stat st;
    *exists = lstat(dir, &st) == 0;
    if (!*exists) return 0;
    char marker[PATH_BYTES + 16];
    snprintf(marker, sizeof marker, "%s/world.yaml", dir);
    if (force && S_ISDIR(st.st_mode) && access(marker, F_OK) == 0) return 0;
    fprintf(stderr, "bench_gen: %s exists; %s\n", dir,
            !force ? "use --force to replace it"
                   : "--force replaces only a folder bench_gen wrote (one holding world.yaml)");
    return EXIT_CANTCREAT;
}

/* Renames tmp to dir; with force, an existing dir holding world.yaml is
 * replaced (moved aside into an empty folder, then removed). */
static int publish(const char *tmp, const char *dir, bool force)
{
    bool exists;
    int rc = check_target(dir, force, &exists);
    if (rc) return rc;
    if (!exists) {
        if (rename(tmp, dir) == 0) return 0;
        fprintf(stderr, "bench_gen: cannot rename %s to %s: %s\n", tmp, dir, strerror(errno));
        return EXIT_CANTCREAT;
    }
    char old[PATH_BYTES + 16];
    snprintf(old, sizeof old, "%s.old.XXXXXX", dir);
    if (!mkdtemp(old) || rename(dir, old) != 0) {
        fprintf(stderr, "bench_gen: cannot move %s aside: %s\n", dir, strerror(errno));
        return EXIT_CANTCREAT;
    }
    if (rename(tmp, dir) != 0) {
        fprintf(stderr, "bench_gen: cannot rename %s to %s: %s\n", tmp, dir, strerror(errno));
        if (rename(old, dir) != 0) fprintf(stderr, "bench_gen: the old folder is now %s\n", old);
        return EXIT_CANTCREAT;
    }
    if (remove_tree(old) != 0)
        fprintf(stderr, "bench_gen: warning: could not remove the old folder %s\n", old);
    return 0;
}

/* ---- command line ------------------------------------------------------- */

static int usage(const char *why)
{
    if (why) fprintf(stderr, "bench_gen: %s\n", why);
    fprintf(stderr,
            "usage: bench_gen --sites N [--products P] [--seed S] [--years Y]\n"
            "                 [--period month|quarter] [--force] [-q] -o DIR\n"
            "  --sites N      sites, %u to %u\n"
            "  --products P   products, 4 to %u (default 20): a raw wafer, dies, HBM and\n"
            "                 accelerators\n"
            "  --seed S       seed of the world and of its runs (default 1)\n"
            "  --years Y      simulated years from 2024-01-01, 1 to %u (default 1)\n"
            "  --period P     reporting period, month or quarter (default month)\n"
            "  -o DIR         the folder to write (world.yaml and CSV tables)\n"
            "  --force        replace DIR if it holds a world bench_gen wrote\n"
            "  -q             no summary line\n",
            10u, MAX_SITES, MAX_PRODUCTS, MAX_YEARS);
    return why ? EXIT_USAGE : 0;
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *value)
{
    if (!s || !*s || *s == '-' || *s == '+') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v < lo || v > hi) return false;
    *value = v;
    return true;
}

static int parse_options(int argc, char **argv, gen_options *o)
{
    *o = (gen_options){.products = 20, .seed = 1, .years = 1, .period = "month"};
    bool have_sites = false;
    char why[256];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) return usage(NULL) - 1; /* -1 */
        if (strcmp(a, "--force") == 0) {
            o->force = true;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = true;
        } else if (strcmp(a, "--sites") == 0) {
            if (!parse_u64(v, 10, MAX_SITES, &n)) {
                snprintf(why, sizeof why,
                         "--sites: got '%s'; expected a whole number from 10 to %u", v ? v : "",
                         MAX_SITES);
                return usage(why);
            }
            o->sites = (size_t)n;
            have_sites = true;
            i++;
        } else if (strcmp(a, "--products") == 0) {
            if (!parse_u64(v, 4, MAX_PRODUCTS, &n)) {
                snprintf(why, sizeof why,
                         "--products: got '%s'; expected a whole number from 4 to %u", v ? v : "",
                         MAX_PRODUCTS);
                return usage(why);
            }
            o->products = (size_t)n;
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, 0, (uint64_t)1e15, &n)) {
                snprintf(why, sizeof why,
                         "--seed: got '%s'; expected a whole number from 0 to 1e15", v ? v : "");
                return usage(why);
            }
            o->seed = n;
            i++;
        } else if (strcmp(a, "--years") == 0) {
            if (!parse_u64(v, 1, MAX_YEARS, &n)) {
                snprintf(why, sizeof why, "--years: got '%s'; expected a whole number from 1 to %u",
                         v ? v : "", MAX_YEARS);
                return usage(why);
            }
            o->years = (unsigned)n;
            i++;
        } else if (strcmp(a, "--period") == 0) {
            if (!v || (strcmp(v, "month") != 0 && strcmp(v, "quarter") != 0)) {
                snprintf(why, sizeof why, "--period: got '%s'; expected month or quarter",
                         v ? v : "");
                return usage(why);
            }
            o->period = v;
            i++;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!v || !*v) return usage("-o: expected a folder");
            if (strlen(v) > PATH_BYTES - 64) return usage("-o: the path is too long");
            o->out = v;
            i++;
        } else {
            snprintf(why, sizeof why, "unknown option '%s'", a);
            return usage(why);
        }
    }
    if (!have_sites) return usage("--sites N is required");
    if (!o->out) return usage("-o DIR is required");
    return 0;
}

static void gen_release(gen *g)
{
    free(g->products);
    free(g->sites);
    free(g->items);
    free(g->demand);
    free(g->lanes);
    free(g->held_off);
    free(g->held);
}

int main(int argc, char **argv)
{
    gen g = {0};
    int rc = parse_options(argc, argv, &g.opt);
    if (rc) return rc < 0 ? 0 : rc;

    size_t n = g.opt.sites;
    g.n_fab = (size_t)llround(0.02 * (double)n);
    g.n_pkg = (size_t)llround(0.03 * (double)n);
    g.n_dist = (size_t)llround(0.25 * (double)n);
    if (g.n_fab < 1) g.n_fab = 1;
    if (g.n_pkg < 1) g.n_pkg = 1;
    g.n_buyer = n - g.n_fab - g.n_pkg - g.n_dist;
    g.n_products = g.opt.products;
    g.n_acc = (g.n_products - 1) / 2;
    g.n_die = (g.n_products - 1 - g.n_acc + 1) / 2;
    g.n_hbm = g.n_products - 1 - g.n_acc - g.n_die;
    g.id_width = n >= 1000000 ? 7 : 6;
    g.start = sim_date_from_ymd(2024, 1, 1);
    g.end = sim_date_from_ymd(2024 + (int)g.opt.years, 1, 1) - 1;
    sim_rng_init(&g.rng, g.opt.seed, 0, "bench_gen", 0);

    g.products = calloc(g.n_products, sizeof *g.products);
    g.sites = calloc(n, sizeof *g.sites);
    g.demand = calloc(g.n_buyer, sizeof *g.demand);
    g.held_off = calloc(g.n_acc + 1, sizeof *g.held_off);
    g.held = calloc(g.n_dist * MAX_DIST_ACC, sizeof *g.held);
    if (!g.products || !g.sites || !g.demand || !g.held_off || !g.held) {
        gen_release(&g);
        fprintf(stderr, "bench_gen: out of memory\n");
        return EXIT_SOFTWARE;
    }
    make_products(&g);
    if (make_sites(&g) || route(&g)) {
        gen_release(&g);
        fprintf(stderr, "bench_gen: out of memory (or an internal error in routing)\n");
        return EXIT_SOFTWARE;
    }
    g.cap_units = cap_quota(&g);

    /* write into a fresh folder next to DIR, then rename it into place */
    char dir[PATH_BYTES];
    snprintf(dir, sizeof dir, "%s", g.opt.out);
    for (size_t len = strlen(dir); len > 1 && dir[len - 1] == '/'; len--)
        dir[len - 1] = 0;
    out o = {.failed = false};
    snprintf(o.dir, sizeof o.dir, "%s.tmp.XXXXXX", dir);
    bool exists;
    if (check_target(dir, g.opt.force, &exists)) {
        gen_release(&g);
        return EXIT_CANTCREAT;
    }
    if (!mkdtemp(o.dir)) {
        fprintf(stderr, "bench_gen: cannot create a folder next to %s: %s\n", dir, strerror(errno));
        gen_release(&g);
        return EXIT_CANTCREAT;
    }
    write_countries(&g, &o);
    write_firms(&g, &o);
    write_products(&g, &o);
    write_lanes(&g, &o);
    write_demand(&g, &o);
    write_distributors(&g, &o);
    write_buyers(&g, &o);
    write_world(&g, &o);
    rc = 0;
    if (o.failed) {
        remove_tree(o.dir);
        rc = EXIT_IOERR;
    } else {
        chmod(o.dir, 0755); /* mkdtemp made it 0700 */
        rc = publish(o.dir, dir, g.opt.force);
        if (rc) remove_tree(o.dir);
    }
    if (!rc && !g.opt.quiet)
        printf("bench_gen: %s: %zu sites (%zu fabs, %zu packaging, %zu distributors, %zu "
               "buyers), %zu lanes, %zu demand streams, %zu products, %u year%s, seed %llu\n",
               dir, n, g.n_fab, g.n_pkg, g.n_dist, g.n_buyer, g.n_lanes, g.n_buyer, g.n_products,
               g.opt.years, g.opt.years > 1 ? "s" : "", (unsigned long long)g.opt.seed);
    gen_release(&g);
    return rc;
}
