/*
 * The plan (what replications share), a replication's set-up and run, the
 * reporting periods, and the conservation check.
 */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "rules.h"

/* ---- the plan ---- */

#define KEY_NEED (UINT64_C(1) << 32)

static uint64_t stock_key(uint32_t site, uint32_t item, bool is_need)
{
    return ((uint64_t)site << 33) | (is_need ? KEY_NEED : 0) | item;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint32_t model_plan_find_stock(const model_plan *p, uint32_t site, uint32_t item, bool is_need)
{
    uint64_t k = stock_key(site, item, is_need);
    size_t lo = 0, hi = p->n_stocks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->stock_key[mid] < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n_stocks && p->stock_key[lo] == k ? (uint32_t)lo : WORLD_NONE;
}

typedef struct keybuf {
    uint64_t *at;
    size_t n, cap;
    bool oom;
} keybuf;

static void key_push(keybuf *b, uint64_t k)
{
    if (b->oom) return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 64;
        uint64_t *at = realloc(b->at, cap * sizeof *at);
        if (!at) {
            b->oom = true;
            return;
        }
        b->at = at;
        b->cap = cap;
    }
    b->at[b->n++] = k;
}

static bool site_sources(const world_site *s, uint32_t product)
{
    for (size_t i = 0; i < s->source.n; i++)
        if (s->source.at[i] == product) return true;
    return false;
}

void model_plan_free(model_plan *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_stocks; i++) {
        free((void *)p->stocks[i].fills);
        free((void *)p->stocks[i].fills_factor);
    }
    for (size_t i = 0; i < p->n_processes; i++) {
        free(p->processes[i].input_stock);
        free(p->processes[i].output_stock);
    }
    rules_free(p->rules);
    free(p->stocks);
    free(p->processes);
    free(p->site_first_process);
    free(p->site_cap_order);
    free(p->site_cap_first);
    free(p->period_start);
    free(p->period_end_days);
    free(p->stock_key);
    free(p);
}

const world *model_plan_world(const model_plan *p)
{
    return p->w;
}

static bool plan_stocks(model_plan *p)
{
    const world *w = p->w;
    keybuf b = {0};
    for (uint32_t s = 0; s < w->n_sites; s++) {
        const world_site *site = &w->sites[s];
        for (size_t k = 0; k < site->n_inventory; k++) {
            const world_inventory *inv = &site->inventory[k];
            key_push(&b, stock_key(s, inv->item, inv->is_need));
            if (inv->is_need) {
                const world_need *nd = &w->needs[inv->item];
                for (size_t f = 0; f < nd->filled_by.n; f++)
                    key_push(&b, stock_key(s, nd->filled_by.at[f], false));
            }
        }
        for (size_t i = 0; i < site->n_processes; i++) {
            const world_process *x = &site->processes[i];
            for (size_t k = 0; k < x->n_inputs; k++)
                key_push(&b, stock_key(s, x->inputs[k].product, false));
            for (size_t k = 0; k < x->n_outputs; k++)
                key_push(&b, stock_key(s, x->outputs[k].product, false));
        }
        for (size_t i = 0; i < site->source.n; i++)
            key_push(&b, stock_key(s, site->source.at[i], false));
    }
    for (size_t d = 0; d < w->n_demand; d++)
        key_push(&b, stock_key(w->demand[d].site, w->demand[d].item, w->demand[d].is_need));
    if (b.oom) {
        free(b.at);
        return false;
    }
    if (b.n) qsort(b.at, b.n, sizeof *b.at, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < b.n; i++)
        if (i == 0 || b.at[i] != b.at[i - 1]) b.at[n++] = b.at[i];
    p->stock_key = b.at;
    p->n_stocks = n;
    p->stocks = calloc(n ? n : 1, sizeof *p->stocks);
    if (!p->stocks) return false;
    for (size_t i = 0; i < n; i++) {
        plan_stock *st = &p->stocks[i];
        st->site = (uint32_t)(b.at[i] >> 33);
        st->is_need = (b.at[i] & KEY_NEED) != 0;
        st->item = (uint32_t)(b.at[i] & 0xffffffffu);
        st->maker = WORLD_NONE;
        st->need_stock = WORLD_NONE;
    }
    return true;
}

static bool plan_refill(model_plan *p)
{
    const world *w = p->w;
    /* Explicit inventories. */
    for (uint32_t s = 0; s < w->n_sites; s++)
        for (size_t k = 0; k < w->sites[s].n_inventory; k++) {
            const world_inventory *inv = &w->sites[s].inventory[k];
            p->stocks[model_plan_find_stock(p, s, inv->item, inv->is_need)].inv = inv;
        }
    /* Makers: the first process of the site (in the file's order) that
     * outputs the product. */
    for (size_t i = p->n_processes; i-- > 0;) {
        const plan_process *x = &p->processes[i];
        for (size_t k = 0; k < x->w->n_outputs; k++)
            p->stocks[x->output_stock[k]].maker = (uint32_t)i;
    }
    for (size_t i = 0; i < p->n_stocks; i++) {
        plan_stock *st = &p->stocks[i];
        const world_site *site = &w->sites[st->site];
        if (!st->is_need && site_sources(site, st->item))
            st->refill = REFILL_SOURCE;
        else if (!st->is_need && st->maker != WORLD_NONE)
            st->refill = REFILL_MAKE;
        else if (st->inv && st->inv->suppliers.n)
            st->refill = REFILL_SUPPLIERS;
        else
            st->refill = REFILL_NONE;
        if (!st->is_need) continue;
        const world_need *nd = &w->needs[st->item];
        uint32_t *fills = malloc((nd->filled_by.n ? nd->filled_by.n : 1) * sizeof *fills);
        double *factor = malloc((nd->filled_by.n ? nd->filled_by.n : 1) * sizeof *factor);
        st->fills = fills;
        st->fills_factor = factor;
        if (!fills || !factor) return false;
        st->n_fills = nd->filled_by.n;
        for (size_t f = 0; f < nd->filled_by.n; f++) {
            uint32_t prod = nd->filled_by.at[f];
            fills[f] = model_plan_find_stock(p, st->site, prod, false);
            factor[f] = w->products[prod].attr[nd->unit_attribute];
            plan_stock *ps = &p->stocks[fills[f]];
            if (ps->need_stock == WORLD_NONE) {
                ps->need_stock = (uint32_t)i;
                ps->need_factor = factor[f];
            }
        }
    }
    return true;
}

/* Does capacity process x start before y? Lower priority first, then the
 * file's order. */
static bool cap_before(const model_plan *p, uint32_t x, uint32_t y)
{
    int64_t px = p->processes[x].w->priority, py = p->processes[y].w->priority;
    return px != py ? px < py : x < y;
}

static bool plan_processes(model_plan *p)
{
    const world *w = p->w;
    size_t n = 0;
    for (size_t s = 0; s < w->n_sites; s++)
        n += w->sites[s].n_processes;
    p->n_processes = n;
    p->processes = calloc(n ? n : 1, sizeof *p->processes);
    p->site_first_process = calloc(w->n_sites + 1, sizeof *p->site_first_process);
    p->site_cap_first = calloc(w->n_sites + 1, sizeof *p->site_cap_first);
    p->site_cap_order = calloc(n ? n : 1, sizeof *p->site_cap_order);
    if (!p->processes || !p->site_first_process || !p->site_cap_first || !p->site_cap_order)
        return false;
    size_t g = 0, c = 0;
    for (uint32_t s = 0; s < w->n_sites; s++) {
        const world_site *site = &w->sites[s];
        p->site_first_process[s] = (uint32_t)g;
        p->site_cap_first[s] = (uint32_t)c;
        for (size_t i = 0; i < site->n_processes; i++, g++) {
            plan_process *x = &p->processes[g];
            x->site = s;
            x->w = &site->processes[i];
            x->input_stock = calloc(x->w->n_inputs ? x->w->n_inputs : 1, sizeof(uint32_t));
            x->output_stock = calloc(x->w->n_outputs ? x->w->n_outputs : 1, sizeof(uint32_t));
            if (!x->input_stock || !x->output_stock) return false;
            for (size_t k = 0; k < x->w->n_inputs; k++)
                x->input_stock[k] = model_plan_find_stock(p, s, x->w->inputs[k].product, false);
            for (size_t k = 0; k < x->w->n_outputs; k++)
                x->output_stock[k] = model_plan_find_stock(p, s, x->w->outputs[k].product, false);
            if (x->w->wafers_per_batch > 0) p->site_cap_order[c++] = (uint32_t)g;
        }
        /* Priority order, by insertion: a site has a handful of processes. */
        uint32_t *o = p->site_cap_order + p->site_cap_first[s];
        for (size_t i = 1; i < c - p->site_cap_first[s]; i++) {
            uint32_t x = o[i];
            size_t j = i;
            for (; j > 0 && cap_before(p, x, o[j - 1]); j--)
                o[j] = o[j - 1];
            o[j] = x;
        }
    }
    p->site_first_process[w->n_sites] = (uint32_t)g;
    p->site_cap_first[w->n_sites] = (uint32_t)c;
    return true;
}

static bool plan_periods(model_plan *p)
{
    const world_run *r = &p->w->run;
    p->horizon_days = (double)(r->end + 1 - r->start);
    p->warmup_days = r->warmup_days;
    sim_date first = r->start + (sim_date)floor(r->warmup_days);
    size_t n = 0;
    for (sim_date d = sim_period_floor(r->period, first); d <= r->end;
         d = sim_period_next(r->period, d))
        n++;
    p->n_periods = n;
    p->period_start = malloc((n + 1) * sizeof *p->period_start);
    p->period_end_days = malloc((n ? n : 1) * sizeof *p->period_end_days);
    if (!p->period_start || !p->period_end_days) return false;
    sim_date d = sim_period_floor(r->period, first);
    for (size_t i = 0; i < n; i++) {
        /* The first period is cut at the run's start (or the warm-up's end):
         * days before it are not measured, so they are not reported. */
        p->period_start[i] = d < first ? first : d;
        d = sim_period_next(r->period, d);
        sim_date end = d <= r->end + 1 ? d : r->end + 1;
        p->period_end_days[i] = (double)(end - r->start);
    }
    p->period_start[n] = r->end + 1;
    return true;
}

model_plan *model_plan_new(const world *w, char *err, size_t err_size)
{
    model_plan *p = calloc(1, sizeof *p);
    if (!p) goto oom;
    p->w = w;
    if (!plan_stocks(p) || !plan_processes(p) || !plan_refill(p) || !plan_periods(p)) goto oom;
    if (!(p->rules = rules_new(w))) goto oom;
    return p;
oom:
    model_plan_free(p);
    snprintf(err, err_size, "out of memory planning the model");
    return NULL;
}

size_t model_plan_periods(const model_plan *p)
{
    return p->n_periods;
}
sim_date model_plan_period_start(const model_plan *p, size_t i)
{
    return p->period_start[i];
}
sim_date model_plan_period_end(const model_plan *p, size_t i)
{
    sim_date next = p->period_start[i + 1];
    return next - 1;
}
size_t model_plan_stocks(const model_plan *p)
{
    return p->n_stocks;
}
uint32_t model_plan_stock_site(const model_plan *p, uint32_t s)
{
    return p->stocks[s].site;
}
uint32_t model_plan_stock_item(const model_plan *p, uint32_t s)
{
    return p->stocks[s].item;
}
bool model_plan_stock_is_need(const model_plan *p, uint32_t s)
{
    return p->stocks[s].is_need;
}

model_config model_config_default(const world *w)
{
    /* The check walks the state once per replication: cheap next to the
     * run, so it is always on unless a caller turns it off. */
    model_config c = {.seed = w->run.seed, .replication = 0, .check_conservation = true};
    return c;
}

/* ---- periods ---- */

/* A period boundary (arg = index of the period that begins; the first
 * begins when the warm-up ends). */
static void period_boundary(sim_engine *e, void *obj, uint64_t arg)
{
    model *m = obj;
    (void)e;
    stock_flush_integrals(m);
    patents_flush(m);
    if (m->cell) {
        for (size_t s = 0; s < m->p->n_stocks; s++) {
            m->cell[s * RAW_COUNT + RAW_BACKLOG_END] = m->stocks[s].backlog;
            m->cell[s * RAW_COUNT + RAW_LIC_PENDING_END] = m->stocks[s].licence_pending;
        }
        /* Streaming metrics hand the closed period on and reuse its cells. */
        if (m->out->fold) {
            m->out->fold(m->out->fold_ctx, m->out, m->period);
            model_metrics_clear(m->out);
        }
    }
    if (arg < m->p->n_periods) {
        m->period = (size_t)arg;
        m->cell = model_metrics_cell(m->out, m->period, 0);
        m->firm_cell = model_metrics_firm_cells(m->out, m->period);
    } else {
        m->cell = NULL;
        m->firm_cell = NULL;
    }
}

/* ---- conservation ---- */

static sim_status check_conservation(model *m, char *err, size_t err_size)
{
    const world *w = m->w;
    size_t np = w->n_products;
    double *held = calloc(np ? 3 * np : 1, sizeof *held);
    if (!held) {
        snprintf(err, err_size, "out of memory checking conservation");
        return SIM_ENOMEM;
    }
    double *transit = held + np, *in_process = held + 2 * np;
    for (size_t s = 0; s < m->p->n_stocks; s++)
        if (!m->p->stocks[s].is_need) held[m->p->stocks[s].item] += m->stocks[s].on_hand;
    for (const shipment *x = m->live; x; x = x->next)
        transit[x->product] += x->quantity;
    for (size_t i = 0; i < m->p->n_processes; i++) {
        const process *pr = &m->processes[i];
        const world_process *wp = pr->plan->w;
        for (const batch *b = pr->wait_head; b; b = b->next)
            for (size_t k = 0; k < wp->n_inputs; k++)
                in_process[wp->inputs[k].product] += b->staged[k];
    }
    for (size_t s = 0; s < w->n_sites; s++)
        for (const batch *b = m->sites[s].running; b; b = b->next) {
            const world_process *wp = b->proc->plan->w;
            for (size_t k = 0; k < wp->n_inputs; k++)
                in_process[wp->inputs[k].product] += b->staged[k];
        }
    sim_status st = SIM_OK;
    for (size_t i = 0; i < np; i++) {
        const flow *f = &m->flows[i];
        double in = f->initial + f->sourced + f->made;
        double out = f->delivered + held[i] + transit[i] + in_process[i] + f->consumed +
                     f->scrapped + f->seized;
        if (in != out) {
            snprintf(err, err_size,
                     "conservation broken for product '%s' in replication %llu: %.17g entered "
                     "(%.17g initial stock, %.17g from sources, %.17g made) but %.17g are "
                     "accounted for (%.17g "
                     "delivered, %.17g held, %.17g in transit, %.17g in process, %.17g "
                     "consumed, %.17g scrapped, %.17g seized): off by %.17g",
                     w->products[i].id, (unsigned long long)sim_engine_replication(m->e), in,
                     f->initial, f->sourced, f->made, out, f->delivered, held[i], transit[i],
                     in_process[i], f->consumed, f->scrapped, f->seized, in - out);
            st = SIM_EMODEL;
            break;
        }
    }
    free(held);
    return st;
}

/* ---- a replication ---- */

sim_status model_run(const model_plan *p, const model_config *cfg, model_metrics *out,
                     model_run_info *info, char *err, size_t err_size)
{
    const world *w = p->w;
    model_metrics_clear(out);
    sim_engine_config ec = {.seed = cfg->seed,
                            .replication = cfg->replication,
                            .epoch = w->run.start,
                            .log_level = SIM_LOG_WARN};
    model m = {.p = p,
               .w = w,
               .out = out,
               .h100e = world_find_attribute(w, "h100e"),
               .events = cfg->events};
    sim_status st = SIM_ENOMEM;
    m.e = sim_engine_new(&ec);
    if (!m.e) goto oom;
    m.stocks = calloc(p->n_stocks ? p->n_stocks : 1, sizeof *m.stocks);
    m.flows = calloc(w->n_products ? w->n_products : 1, sizeof *m.flows);
    m.sites = calloc(w->n_sites ? w->n_sites : 1, sizeof *m.sites);
    m.claims = sim_engine_pool(m.e, sizeof(claim));
    if (!m.stocks || !m.flows || !m.sites || !m.claims) goto oom;
    for (uint32_t s = 0; s < w->n_sites; s++) {
        m.sites[s].m = &m;
        m.sites[s].index = s;
    }
    /* Every period boundary is scheduled first, so at a boundary's instant
     * it runs before anything else: an event at exactly midnight counts in
     * the day (and period) that begins then. */
    for (size_t i = 0; i < p->n_periods; i++)
        if (sim_schedule_at(m.e, i ? p->period_end_days[i - 1] : fmax(p->warmup_days, 0),
                            period_boundary, &m, i) == SIM_EVENT_NONE)
            goto oom;
    if ((st = shipment_init(&m)) || (st = process_init(&m)) || (st = stock_init(&m)) ||
        (st = demand_init(&m)) || (st = disruption_init(&m)) || (st = controls_init(&m)) ||
        (st = patents_init(&m)))
        goto fail;
    /* The run covers [0, horizon): an event at the horizon belongs to the
     * day after the run. */
    st = sim_engine_run(m.e, nextafter(p->horizon_days, 0));
    if (st != SIM_OK) {
        snprintf(err, err_size, "%s", sim_engine_error(m.e));
        goto done;
    }
    /* The last period ends with the run. */
    period_boundary(m.e, &m, p->n_periods);
    if (info) {
        info->events = sim_engine_events_fired(m.e);
        info->orders = m.orders;
    }
    if (cfg->check_conservation) st = check_conservation(&m, err, err_size);
    goto done;
oom:
    st = SIM_ENOMEM;
fail:
    if (st == SIM_ENOMEM)
        snprintf(err, err_size, "out of memory running replication %llu",
                 (unsigned long long)cfg->replication);
    else if (m.e && *sim_engine_error(m.e))
        snprintf(err, err_size, "%s", sim_engine_error(m.e));
done:
    if (m.processes)
        for (size_t i = 0; i < p->n_processes; i++)
            sim_dist_release(&m.processes[i].duration);
    if (m.demand)
        for (size_t i = 0; i < w->n_demand; i++) {
            sim_dist_release(&m.demand[i].size);
            free(m.demand[i].windows);
        }
    if (m.lanes)
        for (size_t i = 0; i < w->n_lanes; i++)
            sim_dist_release(&m.lanes[i].transit);
    if (m.review)
        for (size_t i = 0; i < w->n_rules; i++)
            sim_dist_release(&m.review[i]);
    free(m.review);
    free(m.licence_rng);
    patents_release(&m);
    free(m.cap_used);
    free(m.decisions);
    free(m.cap_period);
    if (m.disruptions)
        for (size_t i = 0; i < w->n_disruptions; i++) {
            sim_dist_release(&m.disruptions[i].up);
            sim_dist_release(&m.disruptions[i].down);
        }
    free(m.stocks);
    free(m.flows);
    free(m.sites);
    free(m.processes);
    free(m.demand);
    free(m.lanes);
    free(m.disruptions);
    sim_engine_free(m.e);
    return st;
}
