#include "world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

void world_free(world *w)
{
    if (!w) return;
    /* Expressions are the only parts with owners of their own. */
    for (size_t i = 0; i < w->n_rules; i++)
        expr_free((expr *)w->rules[i].products_expr);
    for (size_t i = 0; i < w->n_disputes; i++)
        expr_free((expr *)w->disputes[i].products_expr);
    sim_arena_free(w->owner_);
    free(w);
}

bool world_series_is_constant(const world_series *s)
{
    return s->n == 1 && s->date[0] == WORLD_SERIES_ALWAYS;
}

double world_series_at(const world_series *s, sim_date d)
{
    /* Binary search for the last date <= d; before the first, the first. */
    size_t lo = 0, hi = s->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->date[mid] <= d)
            lo = mid;
        else
            hi = mid;
    }
    return s->value[lo];
}

double world_rate_per_day(const world_rate *r, sim_date d)
{
    double v = world_series_at(&r->rate, d);
    switch (r->unit) {
    case WORLD_PER_DAY:
        return v;
    case WORLD_PER_WEEK:
        return v / 7.0;
    case WORLD_PER_MONTH:
        return v * 12.0 / 365.25;
    }
    return v;
}

double world_yield_at(const world_yield *y, double days_since_start, sim_date d)
{
    if (y->kind == WORLD_YIELD_LEARNING)
        return y->end - (y->end - y->start) * exp(-days_since_start / y->tau_days);
    return world_series_at(&y->series, d);
}

#define FIND(array, n, field, key)                                                                 \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (n); i_++)                                                        \
            if (strcmp((array)[i_].field, (key)) == 0) return (uint32_t)i_;                        \
        return WORLD_NONE;                                                                         \
    } while (0)

uint32_t world_find_product(const world *w, const char *id)
{
    FIND(w->products, w->n_products, id, id);
}
uint32_t world_find_site(const world *w, const char *id)
{
    FIND(w->sites, w->n_sites, id, id);
}
uint32_t world_find_country(const world *w, const char *code)
{
    FIND(w->countries, w->n_countries, code, code);
}
uint32_t world_find_firm(const world *w, const char *id)
{
    FIND(w->firms, w->n_firms, id, id);
}
uint32_t world_find_rule(const world *w, const char *id)
{
    FIND(w->rules, w->n_rules, id, id);
}
uint32_t world_find_attribute(const world *w, const char *name)
{
    FIND(w->attributes, w->n_attributes, id, name);
}

void world_product_lookup(void *ctx, const char *name, expr_value *out)
{
    const world_product_ref *ref = ctx;
    const world_product *p = &ref->w->products[ref->product];
    if (strcmp(name, "id") == 0) {
        *out = (expr_value){EXPR_STRING, 0, p->id};
    } else if (strcmp(name, "kind") == 0) {
        if (p->kind) *out = (expr_value){EXPR_STRING, 0, p->kind};
    } else if (strcmp(name, "owner") == 0) {
        if (p->owner != WORLD_NONE) *out = (expr_value){EXPR_STRING, 0, ref->w->firms[p->owner].id};
    } else {
        uint32_t a = world_find_attribute(ref->w, name);
        if (a != WORLD_NONE && !isnan(p->attr[a]))
            *out = (expr_value){EXPR_NUMBER, p->attr[a], NULL};
    }
}
