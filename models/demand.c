/*
 * Demand: orders arrive at a buyer's stock point as a Poisson process whose
 * rate is a step function of the date (and of the order window), each with a
 * size drawn from its distribution, and wait there until filled or until
 * their patience runs out (the unfilled rest is lost).
 *
 * Arrivals of a non-homogeneous Poisson process with a piecewise-constant
 * rate are drawn exactly: an exponential gap at the current rate, and when it
 * crosses the next change of rate the remainder is redrawn there (the
 * process is memoryless). Each demand stream has its own random streams
 * ("demand.arrivals", "demand.sizes", index = its position), so a variant
 * that changes something else meets the same orders.
 */
#include <math.h>
#include <stdlib.h>

#include "model_internal.h"
#include "rules.h"

/* The first time after t (days since start) at which the rate may change:
 * a date of the rate's table or an end of the order window. */
static double next_change(const demand_rt *d, double t)
{
    const world *w = d->m->w;
    double next = INFINITY;
    const world_series *s = &d->w->orders.rate;
    if (!world_series_is_constant(s))
        for (size_t i = 0; i < s->n; i++) {
            double x = (double)(s->date[i] - w->run.start);
            if (x > t) {
                next = x;
                break;
            }
        }
    if (d->w->starts != INT32_MIN) {
        double x = (double)(d->w->starts - w->run.start);
        if (x > t && x < next) next = x;
    }
    if (d->w->ends != INT32_MAX) {
        double x = (double)(d->w->ends + 1 - w->run.start);
        if (x > t && x < next) next = x;
    }
    for (size_t i = 0; i < d->n_windows; i++) {
        if (d->windows[i].from > t && d->windows[i].from < next) next = d->windows[i].from;
        if (d->windows[i].to > t && d->windows[i].to < next) next = d->windows[i].to;
    }
    return next;
}

static double rate_at(const demand_rt *d, double t)
{
    const world *w = d->m->w;
    sim_date day = w->run.start + (sim_date)floor(t);
    if (day < d->w->starts || day > d->w->ends) return 0;
    double rate = world_rate_per_day(&d->w->orders, day);
    for (size_t i = 0; i < d->n_windows; i++)
        if (d->windows[i].from <= t && t < d->windows[i].to) rate *= d->windows[i].factor;
    return rate;
}

/* Does the rule catch this demand: its buyer, and its product (or, for a
 * need, any product that fills it)? */
static bool rule_affects(const model *m, uint32_t rule, const world_demand *dm)
{
    const world *w = m->w;
    const world_site *site = &w->sites[dm->site];
    const rules *r = m->p->rules;
    if (!rules_reach_country(r, rule, site->country) || !rules_reach_end_user(r, rule, site->firm))
        return false;
    if (!dm->is_need) return rules_catch_product(r, rule, dm->item);
    const world_need *nd = &w->needs[dm->item];
    for (size_t k = 0; k < nd->filled_by.n; k++)
        if (rules_catch_product(r, rule, nd->filled_by.at[k])) return true;
    return false;
}

/* Stockpiling: between a rule's announcement and its effective date, the
 * buyers it will catch order `factor` times as often. */
static sim_status stockpiling_windows(model *m, demand_rt *d)
{
    const world *w = m->w;
    for (size_t i = 0; i < w->n_stockpiling; i++) {
        const world_stockpiling *sp = &w->stockpiling[i];
        const world_rule *rule = &w->rules[sp->rule];
        if (rule->announced >= rule->effective || !rule_affects(m, sp->rule, d->w)) continue;
        stockpile_window *x = realloc(d->windows, (d->n_windows + 1) * sizeof *x);
        if (!x) return SIM_ENOMEM;
        d->windows = x;
        d->windows[d->n_windows++] = (stockpile_window){model_days(m, rule->announced),
                                                        model_days(m, rule->effective), sp->factor};
    }
    return SIM_OK;
}

static void arrival(sim_engine *e, void *obj, uint64_t arg);

/* Schedules the next order after time t; none when the rate stays 0. The
 * current segment of constant rate is cached: most arrivals fall inside it,
 * and finding a rate means a table lookup and a date computation. */
static void schedule_next(demand_rt *d, double t)
{
    double horizon = d->m->p->horizon_days;
    for (;;) {
        if (!(t < d->seg_end)) {
            d->seg_rate = rate_at(d, t);
            d->seg_end = next_change(d, t);
        }
        if (d->seg_rate > 0) {
            double at = t + sim_rng_exponential(d->arrivals, 1.0 / d->seg_rate);
            if (at < d->seg_end) {
                if (at <= horizon) sim_schedule_at(d->m->e, at, arrival, d, 0);
                return;
            }
        }
        if (!(d->seg_end <= horizon)) return;
        t = d->seg_end;
    }
}

static void patience_over(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    claim *c = obj;
    model *m = c->m;
    raw_add(m, c->stock, RAW_LOST, c->remaining);
    raw_add(m, c->stock, RAW_LOST_ORDERS, 1);
    c->patience = SIM_EVENT_NONE;
    stock_remove_claim(m, c);
}

static void arrival(sim_engine *e, void *obj, uint64_t arg)
{
    (void)arg;
    demand_rt *d = obj;
    model *m = d->m;
    double now = sim_now(e);
    double q = sim_dist_sample(&d->size, d->sizes);
    if (!d->w->is_need) q = round(q); /* whole units */
    if (q > 0) {
        m->orders++;
        raw_add(m, d->stock, RAW_DEMAND, q);
        raw_add(m, d->stock, RAW_ORDERS, 1);
        if (!d->w->is_need && patents_stopped(m, d->w->item, d->w->site))
            raw_add(m, d->stock, RAW_STOPPED, q);
        claim *c = sim_pool_get(m->claims);
        if (!c) {
            sim_engine_fail(e, SIM_ENOMEM, "out of memory placing an order");
            return;
        }
        *c = (claim){.m = m, .remaining = q, .placed = now, .kind = CLAIM_DEMAND};
        if (isfinite(d->w->patience_days)) {
            c->patience = sim_schedule_in(e, d->w->patience_days, patience_over, c, 0);
            if (c->patience == SIM_EVENT_NONE) return;
        }
        stock_place(m, d->stock, c);
    }
    schedule_next(d, now);
}

sim_status demand_init(model *m)
{
    const world *w = m->w;
    m->demand = calloc(w->n_demand ? w->n_demand : 1, sizeof *m->demand);
    if (!m->demand) return SIM_ENOMEM;
    for (size_t i = 0; i < w->n_demand; i++) {
        demand_rt *d = &m->demand[i];
        d->m = m;
        d->w = &w->demand[i];
        d->stock = model_plan_find_stock(m->p, d->w->site, d->w->item, d->w->is_need);
        char err[160];
        if (sim_dist_init(&d->size, &d->w->size.spec, err, sizeof err) != SIM_OK) {
            sim_engine_fail(m->e, SIM_EMODEL, "demand %zu size: %s", i, err);
            return SIM_EMODEL;
        }
        d->arrivals = sim_engine_stream(m->e, "demand.arrivals", i);
        d->sizes = sim_engine_stream(m->e, "demand.sizes", i);
        if (!d->arrivals || !d->sizes) return SIM_ENOMEM;
        if (stockpiling_windows(m, d) != SIM_OK) return SIM_ENOMEM;
        d->seg_end = -INFINITY; /* no segment yet */
        schedule_next(d, 0);
    }
    return SIM_OK;
}
