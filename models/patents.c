/*
 * Patents in the flow of handsets: royalties, exposure and injunctions.
 *
 * Royalties. Each unit delivered to demand is a sale by its product's owner.
 * For every portfolio of another firm whose standards the product
 * implements, the sale is either licensed or not:
 *   - a licence in force that lets the owner practise the portfolio's
 *     patents (a cross-licence between the two firms, or a one-way licence
 *     from the portfolio's firm, its first party, to the owner) and covers
 *     the standards: the owner pays
 *     the licence's royalty_usd_per_unit (a cross-licence's net balancing
 *     payment) to the portfolio's firm;
 *   - otherwise the owner is exposed to the portfolio's asking rate.
 * A unit owes a portfolio at most its highest rate among the standards it
 * implements (per-handset caps: Huawei asks US$2.50 for a 5G handset and
 * US$1.50 for a 4G one, FACTS.md section 7), not the sum. When a licence
 * covers only some of the standards, the uncovered ones are exposure.
 *
 * Injunctions. A dispute is filed on its date. After a delay drawn from
 * `injunction.after` (stream "patents.injunction", index = the dispute's
 * position; none: at filing) an injunction is granted with its probability,
 * unless the licence named in `ends_with` is in force by then (the dispute
 * is settled). It lasts `duration_days` (forever without), or until the
 * settling licence takes effect. While it is in force the defendant's
 * covered products (owned by the defendant and in the dispute's scope)
 * cannot be delivered to demand in the forum country: those orders wait.
 */
#include <math.h>
#include <stdlib.h>

#include "model_internal.h"

static bool refs_has(const world_refs *r, uint32_t x)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->at[i] == x) return true;
    return false;
}

static bool licence_in_force(const world_licence *l, sim_date d)
{
    return l->effective <= d && d < l->expires;
}

/* The licence in force today that lets `user` practise the patents of
 * `holder`, or WORLD_NONE: a cross-licence between the two (either order),
 * or a one-way (bilateral) licence from holder (first party) to user. */
static uint32_t licence_for(const model *m, uint32_t user, uint32_t holder, sim_date d)
{
    const world *w = m->w;
    for (uint32_t i = 0; i < w->n_licences; i++) {
        const world_licence *l = &w->licences[i];
        bool grants = (l->parties[0] == holder && l->parties[1] == user) ||
                      (l->cross && l->parties[0] == user && l->parties[1] == holder);
        if (grants && licence_in_force(l, d)) return i;
    }
    return WORLD_NONE;
}

static double *firm_cell(model *m, uint32_t firm)
{
    return m->firm_cell ? m->firm_cell + (size_t)firm * RAW_COUNT : NULL;
}

void patents_sold(model *m, uint32_t product, double units)
{
    const world *w = m->w;
    const world_product *p = &w->products[product];
    if (!m->firm_cell || p->owner == WORLD_NONE || !p->standards.n || units <= 0) return;
    sim_date today = sim_today(m->e);
    for (size_t k = 0; k < w->n_portfolios; k++) {
        const world_portfolio *pf = &w->portfolios[k];
        if (pf->firm == p->owner) continue; /* one's own patents */
        uint32_t li = licence_for(m, p->owner, pf->firm, today);
        const world_licence *l = li != WORLD_NONE ? &w->licences[li] : NULL;
        double exposed = 0;
        bool covered = false;
        for (size_t s = 0; s < pf->standards.n; s++) {
            uint32_t std = pf->standards.at[s];
            if (!refs_has(&p->standards, std)) continue;
            if (l && refs_has(&l->scope, std))
                covered = true;
            else if (pf->royalty_usd_per_unit[s] > exposed)
                exposed = pf->royalty_usd_per_unit[s];
        }
        if (covered && l->royalty_usd_per_unit > 0) {
            double usd = units * l->royalty_usd_per_unit;
            firm_cell(m, p->owner)[RAW_ROYALTY_PAID] += usd;
            firm_cell(m, pf->firm)[RAW_ROYALTY_RECEIVED] += usd;
        }
        if (exposed > 0) firm_cell(m, p->owner)[RAW_EXPOSURE] += units * exposed;
    }
}

bool patents_stopped(const model *m, uint32_t product, uint32_t site)
{
    if (!m->injunctions) return false;
    uint32_t country = m->w->sites[site].country;
    return m->injunctions[(size_t)product * m->w->n_countries + country] > 0;
}

/* Does the dispute cover the product (the defendant's, in scope)? */
static bool covers(const world *w, const world_dispute *d, uint32_t p)
{
    if (w->products[p].owner != d->defendant) return false;
    if (d->all_products) return true;
    if (d->products_expr) {
        world_product_ref ref = {w, p};
        return expr_matches(d->products_expr, world_product_lookup, &ref);
    }
    return refs_has(&d->products, p);
}

/* Days of injunction per firm: a level integrated over time, like stock. */
static void integrate_days(model *m, double now)
{
    for (uint32_t f = 0; f < m->w->n_firms; f++) {
        double dt = now - m->injunction_last_t;
        if (dt > 0 && m->firm_injunctions[f] > 0 && m->firm_cell)
            m->firm_cell[(size_t)f * RAW_COUNT + RAW_INJUNCTION_DAYS] += dt;
    }
    m->injunction_last_t = now;
}

void patents_flush(model *m)
{
    if (m->firm_injunctions) integrate_days(m, sim_now(m->e));
}

static void set_injunction(model *m, uint32_t dispute, bool on)
{
    const world *w = m->w;
    const world_dispute *d = &w->disputes[dispute];
    if (m->dispute_state[dispute] == (on ? 2 : 0)) return;
    integrate_days(m, sim_now(m->e));
    m->dispute_state[dispute] = on ? 2 : 0;
    m->firm_injunctions[d->defendant] += on ? 1 : -1;
    for (uint32_t p = 0; p < w->n_products; p++) {
        if (!covers(w, d, p)) continue;
        m->injunctions[(size_t)p * w->n_countries + d->forum] += on ? 1 : -1;
        model_event_patent(m, on ? EV_INJUNCTION_GRANTED : EV_INJUNCTION_LIFTED, p, dispute);
    }
    if (!on) /* deliveries may go again: fill what waited in the forum */
        for (uint32_t s = 0; s < m->p->n_stocks; s++)
            if (w->sites[m->p->stocks[s].site].country == d->forum) stock_fill(m, s);
}

/* Events: arg = dispute << 2 | what (0 filed, 1 decision, 2 lift, 3 licence). */
static void patent_event(sim_engine *e, void *obj, uint64_t arg)
{
    model *m = obj;
    const world *w = m->w;
    uint32_t i = (uint32_t)(arg >> 2);
    switch (arg & 3) {
    case 0: { /* filed */
        const world_dispute *d = &w->disputes[i];
        model_event_patent(m, EV_DISPUTE_FILED, WORLD_NONE, i);
        double delay = d->has_injunction_delay
                           ? sim_dist_sample(&m->injunction_delay[i], m->patent_rng[i])
                           : 0;
        double draw = sim_rng_uniform(m->patent_rng[i]); /* drawn now: same count either way */
        if (draw < d->injunction_probability)
            sim_schedule_in(e, delay, patent_event, m, (uint64_t)i << 2 | 1);
        break;
    }
    case 1: { /* an injunction is due: granted unless settled */
        const world_dispute *d = &w->disputes[i];
        if (d->ends_with != WORLD_NONE &&
            licence_in_force(&w->licences[d->ends_with], sim_today(e)))
            break;
        set_injunction(m, i, true);
        if (isfinite(d->injunction_duration_days))
            sim_schedule_in(e, d->injunction_duration_days, patent_event, m, (uint64_t)i << 2 | 2);
        break;
    }
    case 2: /* its time is over */
        set_injunction(m, i, false);
        break;
    case 3: /* a licence takes effect: it may settle disputes */
        model_event_patent(m, EV_LICENCE_EFFECTIVE, WORLD_NONE, i);
        for (uint32_t k = 0; k < w->n_disputes; k++)
            if (w->disputes[k].ends_with == i) set_injunction(m, k, false);
        break;
    }
}

sim_status patents_init(model *m)
{
    const world *w = m->w;
    if (!w->n_disputes && !w->n_licences && !w->n_portfolios) return SIM_OK;
    size_t nd = w->n_disputes ? w->n_disputes : 1;
    m->injunctions =
        calloc((w->n_products ? w->n_products : 1) * (w->n_countries ? w->n_countries : 1),
               sizeof *m->injunctions);
    m->firm_injunctions = calloc(w->n_firms ? w->n_firms : 1, sizeof *m->firm_injunctions);
    m->dispute_state = calloc(nd, sizeof *m->dispute_state);
    m->patent_rng = calloc(nd, sizeof *m->patent_rng);
    m->injunction_delay = calloc(nd, sizeof *m->injunction_delay);
    if (!m->injunctions || !m->firm_injunctions || !m->dispute_state || !m->patent_rng ||
        !m->injunction_delay)
        return SIM_ENOMEM;
    double horizon = m->p->horizon_days;
    for (uint32_t i = 0; i < w->n_disputes; i++) {
        const world_dispute *d = &w->disputes[i];
        m->patent_rng[i] = sim_engine_stream(m->e, "patents.injunction", i);
        if (!m->patent_rng[i]) return SIM_ENOMEM;
        char err[160];
        if (d->has_injunction_delay &&
            sim_dist_init(&m->injunction_delay[i], &d->injunction_after.spec, err, sizeof err) !=
                SIM_OK) {
            sim_engine_fail(m->e, SIM_EMODEL, "dispute '%s' injunction: %s", d->id, err);
            return SIM_EMODEL;
        }
        /* A dispute filed before the run is already running at its start. */
        double at = fmax(model_days(m, d->filed), 0);
        if (at < horizon) sim_schedule_at(m->e, at, patent_event, m, (uint64_t)i << 2);
    }
    for (uint32_t i = 0; i < w->n_licences; i++) {
        double at = model_days(m, w->licences[i].effective);
        if (at >= 0 && at < horizon)
            sim_schedule_at(m->e, at, patent_event, m, (uint64_t)i << 2 | 3);
    }
    return SIM_OK;
}

void patents_release(model *m)
{
    if (m->injunction_delay)
        for (size_t i = 0; i < m->w->n_disputes; i++)
            sim_dist_release(&m->injunction_delay[i]);
    free(m->injunctions);
    free(m->firm_injunctions);
    free(m->dispute_state);
    free(m->patent_rng);
    free(m->injunction_delay);
}
