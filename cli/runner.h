/*
 * The replication runner: a scenario's replications on several threads,
 * merged in replication order, so the results (and every byte written from
 * them) do not depend on the number of threads.
 *
 * Each worker takes the next replication, runs it into its own metrics
 * buffer, then waits for its turn to add it to the report (and its events to
 * the shared list): replication i is added only after i - 1. The wait is
 * short because replications take similar times; memory is one buffer per
 * worker.
 *
 * Ownership: the runner borrows everything in its config.
 */
#ifndef CLI_RUNNER_H
#define CLI_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"
#include "model.h"
#include "report.h"

typedef struct runner_config {
    const model_plan *plan;
    uint64_t seed;
    uint64_t first, count; /* replications first .. first + count - 1 */
    unsigned threads;      /* >= 1 */
    model_report *report;  /* each replication is added here, in order */
    model_events *events;  /* NULL: no events */
    bool progress;         /* a progress line on stderr */
    /* When not NULL, called with each replication's values (report.h) right
     * after it is added, in replication order, one call at a time. */
    void (*on_values)(void *ctx, uint64_t replication, const double *values);
    void *ctx;
    /* When not NULL, set to the events the replications dispatched, summed
     * (for manifest.yaml and the benchmarks). */
    uint64_t *events_dispatched;
} runner_config;

/* SIM_OK; or the first failing replication's status with its message in
 * err ("replication N: ..."); or SIM_EINTR-like stop: see runner_interrupted. */
sim_status runner_run(const runner_config *cfg, char *err, size_t err_size);

/* Ctrl-C: the first SIGINT asks every runner to stop after the replications
 * in progress (runner_run then fails with "interrupted"); the command then
 * removes what it started writing and exits 130. A second SIGINT kills at
 * once (the default action, restored by the first). */
void runner_catch_sigint(void);
bool runner_interrupted(void);

/* The cores this process may use (at least 1). */
unsigned runner_default_threads(void);

#endif
