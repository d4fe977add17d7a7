/*
 * The world a scenario describes, validated and immutable: what models/
 * builds each replication from. Model code reads this and never sees YAML or
 * CSV (scenario.h makes it; world_yaml.h writes it back as YAML).
 *
 * Every reference is resolved to an index into the array of its kind
 * (WORLD_NONE when absent), so a model never looks a name up at run time.
 * Ids keep the text the user wrote, for outputs. Every value carries no
 * unit in its type; the unit is in the field's name, as in the file.
 *
 * Ownership: a world owns everything reachable from it (one arena); it is
 * read-only after scenario_load returns it, so replications on several
 * threads may share one. Free it with world_free.
 */
#ifndef MODELS_WORLD_H
#define MODELS_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "dist.h"
#include "expr.h"

#define WORLD_NONE UINT32_MAX

/* A list of indices into one of the world's arrays. */
typedef struct world_refs {
    const uint32_t *at;
    size_t n;
} world_refs;

/* A quantity that may change over time: a step function of the date. A
 * constant has n == 1 and date[0] == WORLD_SERIES_ALWAYS. Otherwise dates
 * rise strictly, and value i holds from date[i] until date[i+1]; before
 * date[0] the first value holds. */
#define WORLD_SERIES_ALWAYS INT32_MIN
typedef struct world_series {
    const sim_date *date;
    const double *value;
    size_t n;
} world_series;
double world_series_at(const world_series *s, sim_date d);
bool world_series_is_constant(const world_series *s);

/* A distribution as the scenario wrote it: the kernel's spec plus the unit
 * its parameters were named in, so it can be written back. */
typedef enum world_unit { WORLD_DAYS, WORLD_UNITS } world_unit;
typedef struct world_dist {
    sim_dist_spec spec; /* values/weights point into the world */
    world_unit unit;
} world_dist;

/* Order arrivals: a Poisson process whose rate may change over time. The
 * rate is stored as written; world_rate_per_day converts (a month is
 * 365.25 / 12 days, a week 7). */
typedef enum world_rate_unit { WORLD_PER_DAY, WORLD_PER_WEEK, WORLD_PER_MONTH } world_rate_unit;
typedef struct world_rate {
    world_series rate;
    world_rate_unit unit;
} world_rate;
double world_rate_per_day(const world_rate *r, sim_date d);

/* A product's yield: constant, a learning curve y(t) = end - (end - start)
 * exp(-t / tau_days) with t the days since the run's start, or a series. */
typedef enum world_yield_kind { WORLD_YIELD_SERIES, WORLD_YIELD_LEARNING } world_yield_kind;
typedef struct world_yield {
    world_yield_kind kind;
    world_series series;         /* SERIES (a constant is a one-value series) */
    double start, end, tau_days; /* LEARNING */
} world_yield;
double world_yield_at(const world_yield *y, double days_since_start, sim_date d);

typedef struct world_run {
    sim_date start, end; /* end inclusive: the run covers [start, end + 1) */
    sim_period period;
    uint64_t replications;
    uint64_t seed;
    double warmup_days;
} world_run;

typedef struct world_country {
    const char *code;
    const char *name;
    world_refs groups; /* into world.groups */
    const char *source;
} world_country;

typedef struct world_firm {
    const char *id;
    uint32_t country;
    world_refs lists; /* into world.lists */
    const char *source;
} world_firm;

/* Named sets: country groups (D1, middle_east), firm lists (an entity
 * list), standards (lte, 5g), authorities (US). */
typedef struct world_name {
    const char *id;
} world_name;

typedef struct world_product {
    const char *id;
    const char *kind;         /* NULL when not given */
    uint32_t owner;           /* firm, or WORLD_NONE */
    world_refs controlled_by; /* into world.authorities */
    world_refs standards;     /* into world.standards */
    const double *attr;       /* world.n_attributes values; NaN = not given */
    const char *source;
    bool is_need; /* false: needs are in world.needs */
} world_product;

/* A need such as ai_compute: filled by products, in preference order, each
 * unit of product i counting attr[unit_attribute] units of the need. */
typedef struct world_need {
    const char *id;
    uint32_t unit_attribute; /* into world.attributes */
    world_refs filled_by;    /* products */
    const char *source;
} world_need;

/* An amount of a product in a bill of materials. */
typedef struct world_amount {
    uint32_t product;
    double quantity;
} world_amount;

typedef struct world_process {
    const char *id;
    const world_amount *inputs;
    size_t n_inputs;
    const world_amount *outputs;
    size_t n_outputs;
    uint64_t servers;        /* 0: no limit of its own (wafer capacity only) */
    double wafers_per_batch; /* 0: does not use the site's wafer capacity */
    bool has_yield;
    world_yield yield; /* when has_yield; otherwise every unit is good */
    world_dist duration;
    int64_t priority; /* lower gets wafer starts first */
} world_process;

typedef enum world_policy { WORLD_BASE_STOCK, WORLD_S_S } world_policy;

/* Stock of a product (or of a need: item is then a need index and is_need
 * is true) held at a site. */
typedef struct world_inventory {
    uint32_t item;
    bool is_need;
    world_policy policy;
    double level;              /* base stock */
    double s, S;               /* (s, S) */
    double review_days;        /* (s, S) */
    world_refs suppliers;      /* sites, preference order */
    world_refs supplier_lanes; /* the lane from each supplier to this site */
} world_inventory;

typedef struct world_site {
    const char *id;
    uint32_t firm;
    uint32_t country;
    bool has_capacity;
    world_series capacity_wafers_per_month;
    /* An equipment rule limits the capacity while it is in force: to
     * cap_wafers_per_month when given, else to the capacity on the rule's
     * effective date (growth stops). cap_rule is WORLD_NONE without one. */
    uint32_t cap_rule;
    bool cap_given;
    double cap_wafers_per_month;
    const world_process *processes;
    size_t n_processes;
    const world_inventory *inventory;
    size_t n_inventory;
    world_refs source; /* products supplied without limit */
    const char *source_note;
} world_site;

typedef struct world_lane {
    uint32_t from, to; /* sites */
    world_dist transit;
    bool illicit;
    double detection; /* probability a shipment on an illicit lane is seized */
    double cost_usd_per_unit;
} world_lane;

typedef struct world_demand {
    const char *id; /* NULL when not given */
    uint32_t site;
    uint32_t item;
    bool is_need;
    world_rate orders;
    world_dist size;
    double patience_days;  /* INFINITY: never lost */
    sim_date starts, ends; /* INT32_MIN / INT32_MAX when not given */
} world_demand;

/* Who a rule's scope names: countries and groups, or firms and lists. */
typedef struct world_scope {
    bool all;
    world_refs countries, groups; /* destinations */
    world_refs firms, lists;      /* end users */
} world_scope;

typedef enum world_action_kind { WORLD_DENY, WORLD_LICENSE, WORLD_CAP } world_action_kind;
typedef enum world_cap_unit { WORLD_CAP_UNITS, WORLD_CAP_H100E } world_cap_unit;

typedef struct world_action {
    world_action_kind kind;
    double approval; /* license */
    bool has_review;
    world_dist review;    /* license */
    double revenue_share; /* license condition; 0 when none */
    double cap;           /* cap: per destination per period */
    world_cap_unit cap_unit;
    sim_period cap_period;
} world_action;

typedef struct world_rule {
    const char *id;
    uint32_t authority;
    sim_date announced, effective, expires; /* announced = effective, expires = INT32_MAX when
                                               not given */
    bool all_products;
    world_refs products;       /* listed ids */
    const expr *products_expr; /* or an expression; NULL */
    const char *products_text; /* canonical text of the expression */
    world_refs except_products;
    bool any_destination; /* no destinations given */
    world_scope destinations, except_destinations;
    bool any_end_user;
    world_scope end_users, except_end_users;
    world_action action;
    const char *source;
} world_rule;

typedef struct world_stockpiling {
    uint32_t rule;
    double factor;
} world_stockpiling;

typedef struct world_diversion {
    bool given;
    double share_of_blocked;
    double markup;
} world_diversion;

typedef struct world_disruption {
    const char *id;
    uint32_t site; /* a site outage, or */
    uint32_t lane; /* a lane closure */
    bool dated;
    sim_date start, end;   /* dated: [start, end] */
    world_dist mtbf, mttr; /* random */
} world_disruption;

typedef struct world_portfolio {
    uint32_t firm;
    world_refs standards;
    const double *royalty_usd_per_unit; /* one per standard, aligned with standards */
} world_portfolio;

typedef struct world_licence {
    const char *id;
    uint32_t parties[2];
    bool cross;
    sim_date effective, expires;
    world_refs scope; /* standards */
    double royalty_usd_per_unit;
} world_licence;

typedef struct world_dispute {
    const char *id;
    uint32_t plaintiff, defendant; /* firms */
    uint32_t forum;                /* country */
    sim_date filed;
    bool all_products;
    world_refs products;
    const expr *products_expr;
    const char *products_text;
    double injunction_probability;
    bool has_injunction_delay;
    world_dist injunction_after;
    double injunction_duration_days;
    uint32_t ends_with; /* licence, or WORLD_NONE */
} world_dispute;

typedef struct world {
    const char *name;
    const char *description;
    world_run run;

    const world_name *groups;
    size_t n_groups;
    const world_name *lists;
    size_t n_lists;
    const world_name *authorities;
    size_t n_authorities;
    const world_name *standards;
    size_t n_standards;
    const world_name *attributes;
    size_t n_attributes;

    const world_country *countries;
    size_t n_countries;
    const world_firm *firms;
    size_t n_firms;
    const world_product *products;
    size_t n_products;
    const world_need *needs;
    size_t n_needs;
    const world_site *sites;
    size_t n_sites;
    const world_lane *lanes;
    size_t n_lanes;
    const world_demand *demand;
    size_t n_demand;
    const world_rule *rules;
    size_t n_rules;
    const world_stockpiling *stockpiling;
    size_t n_stockpiling;
    world_diversion diversion;
    const world_disruption *disruptions;
    size_t n_disruptions;
    const world_portfolio *portfolios;
    size_t n_portfolios;
    const world_licence *licences;
    size_t n_licences;
    const world_dispute *disputes;
    size_t n_disputes;

    const char *const *files; /* every file read: scenario files, then tables */
    size_t n_files;

    void *owner_; /* private: the arena and what else the world must free */
} world;

void world_free(world *w); /* NULL ok */

/* Index lookups by id (linear; for tools and tests, not inner loops). */
uint32_t world_find_product(const world *w, const char *id);
uint32_t world_find_site(const world *w, const char *id);
uint32_t world_find_country(const world *w, const char *code);
uint32_t world_find_firm(const world *w, const char *id);
uint32_t world_find_rule(const world *w, const char *id);
uint32_t world_find_attribute(const world *w, const char *name);

/* The expression lookup for a product (ctx: a world_product_ref). */
typedef struct world_product_ref {
    const world *w;
    uint32_t product;
} world_product_ref;
void world_product_lookup(void *ctx, const char *name, expr_value *out);

#endif
