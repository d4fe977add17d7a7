/*
 * Disruptions: site outages and lane closures, dated (a window of whole
 * days, both ends included) or random (up for a time drawn from `mtbf`, then
 * down for a time drawn from `mttr`, and again; stream "disruption", index =
 * its position). Overlapping disruptions of one site or lane count up: it is
 * open again when the last one ends. What they stop is in process.c (batches
 * and starts) and shipment.c (departures).
 */
#include <stdlib.h>

#include "model_internal.h"

static void go_down(model *m, const world_disruption *w)
{
    if (w->site != WORLD_NONE) {
        if (m->sites[w->site].down++ == 0) process_site_down(m, w->site);
    } else {
        m->lanes[w->lane].closed++;
    }
}

static void go_up(model *m, const world_disruption *w)
{
    if (w->site != WORLD_NONE) {
        if (--m->sites[w->site].down == 0) {
            process_site_up(m, w->site);
            shipment_release_site(m, w->site);
        }
    } else if (--m->lanes[w->lane].closed == 0) {
        shipment_release_lane(m, w->lane);
    }
}

/* arg: 1 = it begins, 0 = it ends. */
static void dated(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    disruption_rt *d = obj;
    if (arg)
        go_down(d->m, d->w);
    else
        go_up(d->m, d->w);
}

/* arg: 1 = a failure, 0 = a repair. */
static void random_flip(sim_engine *e, void *obj, uint64_t arg)
{
    disruption_rt *d = obj;
    if (arg) {
        go_down(d->m, d->w);
        sim_schedule_in(e, sim_dist_sample(&d->down, d->rng), random_flip, d, 0);
    } else {
        go_up(d->m, d->w);
        sim_schedule_in(e, sim_dist_sample(&d->up, d->rng), random_flip, d, 1);
    }
}

sim_status disruption_init(model *m)
{
    const world *w = m->w;
    m->disruptions = calloc(w->n_disruptions ? w->n_disruptions : 1, sizeof *m->disruptions);
    if (!m->disruptions) return SIM_ENOMEM;
    for (size_t i = 0; i < w->n_disruptions; i++) {
        disruption_rt *d = &m->disruptions[i];
        d->m = m;
        d->w = &w->disruptions[i];
        if (d->w->dated) {
            double from = model_days(m, d->w->start), to = model_days(m, d->w->end + 1);
            if (to <= 0 || from > m->p->horizon_days) continue;
            sim_schedule_at(m->e, from > 0 ? from : 0, dated, d, 1);
            sim_schedule_at(m->e, to, dated, d, 0);
            continue;
        }
        char err[160];
        if (sim_dist_init(&d->up, &d->w->mtbf.spec, err, sizeof err) != SIM_OK ||
            sim_dist_init(&d->down, &d->w->mttr.spec, err, sizeof err) != SIM_OK) {
            sim_engine_fail(m->e, SIM_EMODEL, "disruption '%s': %s", d->w->id, err);
            return SIM_EMODEL;
        }
        d->rng = sim_engine_stream(m->e, "disruption", i);
        if (!d->rng) return SIM_ENOMEM;
        sim_schedule_at(m->e, sim_dist_sample(&d->up, d->rng), random_flip, d, 1);
    }
    return SIM_OK;
}
