/*
 * Rule scopes as bit tables (see rules.h).
 */
#include "rules.h"

#include <stdlib.h>

/* Who a scope names, over countries and firms: a destination or an end
 * user is caught when its country or its firm is. */
enum { SC_DEST, SC_EXCEPT_DEST, SC_USER, SC_EXCEPT_USER, SC_COUNT };

struct rules {
    const world *w;
    uint8_t *product; /* [rule][product] */
    /* The rules that catch each product, ascending: rules_decide looks at
     * these only (a chip is caught by a few of the dozens of rules). */
    uint32_t *product_first; /* [product + 1] */
    uint32_t *product_rules;
    sim_date *changes; /* every effective and expiry date, ascending, distinct */
    size_t n_changes;
    uint8_t *country[SC_COUNT]; /* [rule][country] */
    uint8_t *firm[SC_COUNT];    /* [rule][firm] */
};

void rules_free(rules *r)
{
    if (!r) return;
    free(r->product);
    free(r->product_first);
    free(r->product_rules);
    free(r->changes);
    for (int k = 0; k < SC_COUNT; k++) {
        free(r->country[k]);
        free(r->firm[k]);
    }
    free(r);
}

static bool refs_has(const world_refs *refs, uint32_t x)
{
    for (size_t i = 0; i < refs->n; i++)
        if (refs->at[i] == x) return true;
    return false;
}

static bool refs_meet(const world_refs *a, const world_refs *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (refs_has(b, a->at[i])) return true;
    return false;
}

/* Marks what a scope names. */
static void mark_scope(const world *w, const world_scope *s, uint8_t *countries, uint8_t *firms)
{
    for (size_t c = 0; c < w->n_countries; c++)
        countries[c] =
            refs_has(&s->countries, (uint32_t)c) || refs_meet(&w->countries[c].groups, &s->groups);
    for (size_t f = 0; f < w->n_firms; f++)
        firms[f] = refs_has(&s->firms, (uint32_t)f) || refs_meet(&w->firms[f].lists, &s->lists);
}

static bool product_in_scope(const world *w, const world_rule *rule, uint32_t p)
{
    if (!refs_has(&w->products[p].controlled_by, rule->authority)) return false;
    if (refs_has(&rule->except_products, p)) return false;
    if (rule->all_products) return true;
    if (rule->products_expr) {
        world_product_ref ref = {w, p};
        return expr_matches(rule->products_expr, world_product_lookup, &ref);
    }
    return refs_has(&rule->products, p);
}

static int cmp_date(const void *a, const void *b)
{
    sim_date x = *(const sim_date *)a, y = *(const sim_date *)b;
    return (x > y) - (x < y);
}

rules *rules_new(const world *w)
{
    rules *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->w = w;
    size_t nr = w->n_rules ? w->n_rules : 1;
    r->product = calloc(nr * (w->n_products ? w->n_products : 1), 1);
    if (!r->product) goto oom;
    for (int k = 0; k < SC_COUNT; k++) {
        r->country[k] = calloc(nr * (w->n_countries ? w->n_countries : 1), 1);
        r->firm[k] = calloc(nr * (w->n_firms ? w->n_firms : 1), 1);
        if (!r->country[k] || !r->firm[k]) goto oom;
    }
    for (size_t i = 0; i < w->n_rules; i++) {
        const world_rule *rule = &w->rules[i];
        for (uint32_t p = 0; p < w->n_products; p++)
            r->product[i * w->n_products + p] = product_in_scope(w, rule, p);
        const world_scope *scopes[SC_COUNT] = {&rule->destinations, &rule->except_destinations,
                                               &rule->end_users, &rule->except_end_users};
        for (int k = 0; k < SC_COUNT; k++)
            mark_scope(w, scopes[k], r->country[k] + i * w->n_countries,
                       r->firm[k] + i * w->n_firms);
    }
    size_t caught = 0;
    for (size_t i = 0; i < w->n_rules * w->n_products; i++)
        caught += r->product[i] != 0;
    r->product_first = calloc(w->n_products + 1, sizeof *r->product_first);
    r->product_rules = malloc((caught + 1) * sizeof *r->product_rules);
    if (!r->product_first || !r->product_rules) goto oom;
    size_t n = 0;
    for (uint32_t p = 0; p < w->n_products; p++) {
        for (uint32_t i = 0; i < w->n_rules; i++)
            if (r->product[(size_t)i * w->n_products + p]) r->product_rules[n++] = i;
        r->product_first[p + 1] = (uint32_t)n;
    }
    r->changes = malloc((2 * w->n_rules + 1) * sizeof *r->changes);
    if (!r->changes) goto oom;
    for (size_t i = 0; i < w->n_rules; i++) {
        r->changes[r->n_changes++] = w->rules[i].effective;
        r->changes[r->n_changes++] = w->rules[i].expires;
    }
    qsort(r->changes, r->n_changes, sizeof *r->changes, cmp_date);
    size_t u = 0;
    for (size_t i = 0; i < r->n_changes; i++)
        if (u == 0 || r->changes[u - 1] != r->changes[i]) r->changes[u++] = r->changes[i];
    r->n_changes = u;
    return r;
oom:
    rules_free(r);
    return NULL;
}

bool rules_in_force(const world_rule *rule, sim_date d)
{
    return rule->effective <= d && d < rule->expires;
}

bool rules_catch_product(const rules *r, uint32_t rule, uint32_t product)
{
    return r->product[(size_t)rule * r->w->n_products + product] != 0;
}

/* Does scope k of the rule name the buyer (its country or its firm)? */
static bool names(const rules *r, int k, uint32_t rule, uint32_t country, uint32_t firm)
{
    const world *w = r->w;
    if (country != WORLD_NONE && r->country[k][(size_t)rule * w->n_countries + country])
        return true;
    return firm != WORLD_NONE && r->firm[k][(size_t)rule * w->n_firms + firm];
}

static bool catches_buyer(const rules *r, uint32_t rule, uint32_t country, uint32_t firm)
{
    const world_rule *x = &r->w->rules[rule];
    if (!x->any_destination && !names(r, SC_DEST, rule, country, firm)) return false;
    if (names(r, SC_EXCEPT_DEST, rule, country, firm)) return false;
    if (!x->any_end_user && !names(r, SC_USER, rule, country, firm)) return false;
    return !names(r, SC_EXCEPT_USER, rule, country, firm);
}

bool rules_reach_country(const rules *r, uint32_t rule, uint32_t country)
{
    const world_rule *x = &r->w->rules[rule];
    if (!x->any_destination && !names(r, SC_DEST, rule, country, WORLD_NONE)) return false;
    return !names(r, SC_EXCEPT_DEST, rule, country, WORLD_NONE);
}

bool rules_reach_end_user(const rules *r, uint32_t rule, uint32_t firm)
{
    const world_rule *x = &r->w->rules[rule];
    uint32_t country = r->w->firms[firm].country;
    if (!x->any_end_user && !names(r, SC_USER, rule, country, firm)) return false;
    return !names(r, SC_EXCEPT_USER, rule, country, firm);
}

int rules_severity(const world_rule *rule)
{
    switch (rule->action.kind) {
    case WORLD_DENY:
        return 3;
    case WORLD_CAP:
        return 2;
    case WORLD_LICENSE:
        return 1;
    }
    return 0;
}

uint32_t rules_decide(const rules *r, uint32_t product, uint32_t country, uint32_t firm, sim_date d)
{
    const world *w = r->w;
    uint32_t best = WORLD_NONE;
    int best_severity = 0;
    for (uint32_t j = r->product_first[product]; j < r->product_first[product + 1]; j++) {
        uint32_t i = r->product_rules[j];
        const world_rule *rule = &w->rules[i];
        if (!rules_in_force(rule, d)) continue;
        if (!catches_buyer(r, i, country, firm)) continue;
        int s = rules_severity(rule);
        /* Between equally severe rules the newer one decides: a rule that
         * takes effect later supersedes (a relaxation can win); then the
         * file's order. */
        if (s > best_severity ||
            (s == best_severity && rule->effective > w->rules[best].effective)) {
            best = i;
            best_severity = s;
        }
    }
    return best;
}

void rules_epoch(const rules *r, sim_date d, sim_date *from, sim_date *to)
{
    /* The first change after d, by bisection. */
    size_t lo = 0, hi = r->n_changes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->changes[mid] <= d)
            lo = mid + 1;
        else
            hi = mid;
    }
    *from = lo > 0 ? r->changes[lo - 1] : INT32_MIN;
    *to = lo < r->n_changes ? r->changes[lo] : INT32_MAX;
}
