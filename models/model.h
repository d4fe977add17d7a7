/*
 * The supply-chain model: one replication of a world, on the kernel.
 *
 * A plan is what every replication of one world shares: the stock points
 * (one per site and item a site holds, makes, uses or sources), the metric
 * slots, the reporting periods. It is built once per world and is read-only
 * afterwards, so replications on several threads share it.
 *
 * model_run runs one replication (seed, replication index) from the run's
 * start to its end and adds what happened into a model_metrics: raw sums per
 * reporting period and stock point (metrics.h turns them into the metrics
 * users read). The behaviour is documented in docs/model.md.
 *
 * Ownership: a plan borrows its world (which must outlive it) and owns the
 * rest; free it with model_plan_free. model_metrics are owned by the caller
 * (metrics.h).
 */
#ifndef MODELS_MODEL_H
#define MODELS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"
#include "world.h"

typedef struct model_plan model_plan;
typedef struct model_events model_events;
typedef struct model_metrics model_metrics;

/* NULL on out of memory or when the world cannot run (err says why). */
model_plan *model_plan_new(const world *w, char *err, size_t err_size);
void model_plan_free(model_plan *p);
const world *model_plan_world(const model_plan *p);

typedef struct model_config {
    uint64_t seed;        /* master seed (usually world.run.seed) */
    uint64_t replication; /* index, from 0 */
    /* At the end of the run, check for every product that what entered the
     * world equals what is delivered, held, in transit, in process, consumed,
     * seized or scrapped, to the unit; a violation fails the run with
     * SIM_EMODEL and a message naming the product and the imbalance. On in
     * model_config_default. */
    bool check_conservation;
    /* When not NULL, the replication's events are appended here (events.h). */
    model_events *events;
} model_config;

model_config model_config_default(const world *w);

/* What a replication did besides its metrics. */
typedef struct model_run_info {
    uint64_t events; /* events the engine dispatched */
    uint64_t orders; /* demand orders placed (whole run, warm-up included) */
} model_run_info;

/* Runs one replication, adding its sums into out (which must come from
 * model_metrics_new on the same plan, and is cleared first). SIM_OK, or
 * SIM_ENOMEM / SIM_EMODEL with a message in err. info may be NULL. */
sim_status model_run(const model_plan *p, const model_config *cfg, model_metrics *out,
                     model_run_info *info, char *err, size_t err_size);

#endif
