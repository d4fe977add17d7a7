/*
 * Processes: batches that turn inputs into outputs at a site.
 *
 * A batch is requested by the stock of an output it makes (which counts the
 * batch's expected good output as on order). It claims its inputs from the
 * site's stock points at once, so their replenishment starts; it waits, first
 * in first out within its process, until every input is there and a server
 * is free (`servers`), or the site's wafer starts allow it (`wafers_per_batch`
 * of `capacity_wafers_per_month`, shared by the site's processes in priority
 * order). Inputs are consumed when it starts. Its duration is drawn from the
 * process's distribution; at the end each output's good units are drawn
 * binomially from the yield at the start, and the rest is scrapped.
 *
 * Wafer starts are spread evenly: a batch of w wafers occupies the site's
 * start capacity for w / (capacity per day) days from its start (a month is
 * 365.25 / 12 days), so a capacity that rises or falls takes effect at once.
 *
 * While its site is down a process starts nothing, and batches in progress
 * stop their clocks; they resume with the time they had left.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>

#include "model_internal.h"
#include "rules.h"

/* A stock plans on a yield no lower than this, so a batch always counts for
 * something and a zero yield does not ask for batches without end. */
#define PLANNING_YIELD_FLOOR 0.01

static double yield_now(model *m, const world_process *wp)
{
    if (!wp->has_yield) return 1;
    double t = sim_now(m->e);
    double y = world_yield_at(&wp->yield, t, sim_today(m->e));
    return y < 0 ? 0 : y > 1 ? 1 : y;
}

double process_yield(model *m, uint32_t g)
{
    return yield_now(m, m->processes[g].plan->w);
}

static void complete(sim_engine *e, void *obj, uint64_t arg);

static void site_unlink_running(site_rt *site, batch *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        site->running = b->next;
    if (b->next) b->next->prev = b->prev;
    b->next = b->prev = NULL;
}

static void start(model *m, process *pr, batch *b)
{
    /* Leave the waiting queue (b is its head). */
    pr->wait_head = b->next;
    if (pr->wait_head)
        pr->wait_head->prev = NULL;
    else
        pr->wait_tail = NULL;
    site_rt *site = &m->sites[pr->plan->site];
    b->next = site->running;
    b->prev = NULL;
    if (site->running) site->running->prev = b;
    site->running = b;
    b->running = true;
    b->start = sim_now(m->e);
    b->yield = yield_now(m, pr->plan->w);
    pr->running++;
    if (pr->plan->w->n_outputs) raw_add(m, pr->plan->output_stock[0], RAW_STARTED, 1);
    double d = sim_dist_sample(&pr->duration, pr->durations);
    b->end = b->start + d;
    b->done = sim_schedule_at(m->e, b->end, complete, b, 0);
}

/* Can the head batch of pr start now, as far as servers go? */
static bool server_free(const process *pr)
{
    uint64_t servers = pr->plan->w->servers;
    return servers == 0 || pr->running < servers;
}

static bool head_ready(const process *pr)
{
    return pr->wait_head && pr->wait_head->missing == 0 && server_free(pr);
}

static void slot_free(sim_engine *e, void *obj, uint64_t arg);

/* The wafer-start capacity of a site: start the ready batches in priority
 * order while the start slot is free. */
/* A site's wafer starts per month on a day: its capacity, limited while an
 * equipment rule that caps it is in force (to the cap given, or to the
 * capacity on the rule's effective date: growth stops). */
static double capacity_on(const model *m, const world_site *ws, sim_date day)
{
    double c = world_series_at(&ws->capacity_wafers_per_month, day);
    if (ws->cap_rule != WORLD_NONE && rules_in_force(&m->w->rules[ws->cap_rule], day)) {
        const world_rule *r = &m->w->rules[ws->cap_rule];
        double cap = ws->cap_given ? ws->cap_wafers_per_month
                                   : world_series_at(&ws->capacity_wafers_per_month, r->effective);
        if (c > cap) c = cap;
    }
    return c;
}

/* The first day after `now` (days since start) on which the site has
 * capacity: a date of its table or the cap rule's expiry; INFINITY if none. */
static double next_capacity(const model *m, const world_site *ws, double now)
{
    double best = INFINITY;
    const world_series *c = &ws->capacity_wafers_per_month;
    for (size_t i = 0; i < c->n && !world_series_is_constant(c); i++) {
        double at = model_days(m, c->date[i]);
        if (at > now && at < best && capacity_on(m, ws, c->date[i]) > 0) best = at;
    }
    if (ws->cap_rule != WORLD_NONE) {
        const world_rule *r = &m->w->rules[ws->cap_rule];
        double at = model_days(m, r->expires);
        if (r->expires != INT32_MAX && at > now && at < best && capacity_on(m, ws, r->expires) > 0)
            best = at;
    }
    return best;
}

static void try_capacity(model *m, uint32_t s)
{
    site_rt *site = &m->sites[s];
    const model_plan *p = m->p;
    double now = sim_now(m->e);
    if (site->down || site->slot_event != SIM_EVENT_NONE || site->slot_free_at > now) return;
    for (uint32_t k = p->site_cap_first[s]; k < p->site_cap_first[s + 1]; k++) {
        process *pr = &m->processes[p->site_cap_order[k]];
        if (!head_ready(pr)) continue;
        const world_site *ws = &m->w->sites[s];
        double per_day = capacity_on(m, ws, sim_today(m->e)) / (365.25 / 12);
        double busy_until;
        if (per_day > 0) {
            start(m, pr, pr->wait_head);
            busy_until = now + pr->plan->w->wafers_per_batch / per_day;
        } else {
            /* No capacity today: wait for the next day that has some. */
            busy_until = next_capacity(m, ws, now);
            if (!isfinite(busy_until)) return;
        }
        site->slot_free_at = busy_until;
        site->slot_event = sim_schedule_at(m->e, busy_until, slot_free, site, 0);
        return;
    }
}

static void slot_free(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    site_rt *site = obj;
    site->slot_event = SIM_EVENT_NONE;
    try_capacity(site->m, site->index);
}

static void try_process(model *m, process *pr)
{
    if (m->sites[pr->plan->site].down) return;
    if (pr->plan->w->wafers_per_batch > 0) {
        try_capacity(m, pr->plan->site);
        return;
    }
    while (head_ready(pr))
        start(m, pr, pr->wait_head);
}

void process_try_site(model *m, uint32_t s)
{
    const model_plan *p = m->p;
    for (uint32_t g = p->site_first_process[s]; g < p->site_first_process[s + 1]; g++)
        if (p->processes[g].w->wafers_per_batch <= 0) try_process(m, &m->processes[g]);
    try_capacity(m, s);
}

void process_input_staged(model *m, batch *b, uint32_t input, double quantity)
{
    const world_process *wp = b->proc->plan->w;
    double before = b->staged[input];
    b->staged[input] += quantity;
    if (before < wp->inputs[input].quantity && b->staged[input] >= wp->inputs[input].quantity) {
        b->missing--;
        if (b->missing == 0 && b == b->proc->wait_head) try_process(m, b->proc);
    }
}

void process_request(model *m, uint32_t g)
{
    process *pr = &m->processes[g];
    const world_process *wp = pr->plan->w;
    batch *b = sim_pool_get(pr->batches);
    if (!b) {
        sim_engine_fail(m->e, SIM_ENOMEM, "out of memory requesting a batch");
        return;
    }
    *b = (batch){.proc = pr, .missing = (uint32_t)wp->n_inputs};
    b->staged = (double *)(b + 1);
    b->expected = b->staged + wp->n_inputs;
    double y = fmax(yield_now(m, wp), PLANNING_YIELD_FLOOR);
    for (size_t k = 0; k < wp->n_outputs; k++) {
        b->expected[k] = wp->outputs[k].quantity * y;
        m->stocks[pr->plan->output_stock[k]].on_order += b->expected[k];
    }
    for (size_t k = 0; k < wp->n_inputs; k++)
        b->staged[k] = 0;
    b->prev = pr->wait_tail;
    if (pr->wait_tail)
        pr->wait_tail->next = b;
    else
        pr->wait_head = b;
    pr->wait_tail = b;
    for (size_t k = 0; k < wp->n_inputs; k++) {
        claim *c = sim_pool_get(m->claims);
        if (!c) {
            sim_engine_fail(m->e, SIM_ENOMEM, "out of memory requesting inputs");
            return;
        }
        *c = (claim){.m = m,
                     .remaining = wp->inputs[k].quantity,
                     .placed = sim_now(m->e),
                     .kind = CLAIM_INPUT,
                     .batch = b,
                     .input = (uint32_t)k};
        stock_place(m, pr->plan->input_stock[k], c);
    }
    if (wp->n_inputs == 0) try_process(m, pr);
}

static void complete(sim_engine *e, void *obj, uint64_t arg)
{
    (void)arg;
    batch *b = obj;
    process *pr = b->proc;
    model *m = pr->m;
    const world_process *wp = pr->plan->w;
    site_unlink_running(&m->sites[pr->plan->site], b);
    pr->running--;
    for (size_t k = 0; k < wp->n_inputs; k++) {
        m->flows[wp->inputs[k].product].consumed += b->staged[k];
        b->staged[k] = 0;
    }
    for (size_t k = 0; k < wp->n_outputs; k++) {
        uint32_t s = pr->plan->output_stock[k];
        double n = wp->outputs[k].quantity, good = n;
        if (wp->has_yield && b->yield < 1)
            good = b->yield <= 0
                       ? 0
                       : (double)gsl_ran_binomial(sim_rng_gsl(pr->yields), b->yield, (unsigned)n);
        flow *f = &m->flows[wp->outputs[k].product];
        f->made += n;
        f->scrapped += n - good;
        raw_add(m, s, RAW_PRODUCED, good);
        raw_add(m, s, RAW_SCRAPPED, n - good);
        m->stocks[s].on_order -= b->expected[k];
        if (good > 0) stock_on_hand_add(m, s, good);
    }
    sim_pool_put(pr->batches, b);
    for (size_t k = 0; k < wp->n_outputs; k++) {
        uint32_t s = pr->plan->output_stock[k];
        stock_fill(m, s);
        stock_review(m, s);
    }
    (void)e;
    try_process(m, pr);
}

void process_site_down(model *m, uint32_t s)
{
    double now = sim_now(m->e);
    for (batch *b = m->sites[s].running; b; b = b->next) {
        b->remaining = b->end - now;
        sim_cancel(m->e, b->done);
        b->done = SIM_EVENT_NONE;
    }
}

void process_site_up(model *m, uint32_t s)
{
    double now = sim_now(m->e);
    for (batch *b = m->sites[s].running; b; b = b->next) {
        b->end = now + b->remaining;
        b->done = sim_schedule_at(m->e, b->end, complete, b, 0);
    }
    process_try_site(m, s);
}

sim_status process_init(model *m)
{
    const model_plan *p = m->p;
    m->processes = calloc(p->n_processes ? p->n_processes : 1, sizeof *m->processes);
    if (!m->processes) return SIM_ENOMEM;
    for (uint32_t g = 0; g < p->n_processes; g++) {
        process *pr = &m->processes[g];
        const world_process *wp = p->processes[g].w;
        pr->m = m;
        pr->plan = &p->processes[g];
        pr->index = g;
        char err[160];
        if (sim_dist_init(&pr->duration, &wp->duration.spec, err, sizeof err) != SIM_OK) {
            sim_engine_fail(m->e, SIM_EMODEL, "process '%s' duration: %s", wp->id, err);
            return SIM_EMODEL;
        }
        pr->durations = sim_engine_stream(m->e, "process.durations", g);
        pr->yields = sim_engine_stream(m->e, "process.yields", g);
        pr->batches =
            sim_engine_pool(m->e, sizeof(batch) + (wp->n_inputs + wp->n_outputs) * sizeof(double));
        if (!pr->durations || !pr->yields || !pr->batches) return SIM_ENOMEM;
    }
    return SIM_OK;
}
