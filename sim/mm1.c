#include "mm1.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"

typedef struct mm1 {
    sim_rng *arrivals;
    sim_rng *service;
    double mean_interarrival_days;
    double mean_service_days;
    /* Arrival times of those waiting: a ring that grows by doubling. */
    double *ring;
    size_t ring_cap, head, count, max_queue;
    int busy;
    uint64_t served, target;
    sim_batch_means waits;
} mm1;

static void depart(sim_engine *e, void *obj, uint64_t arg);

static void start_service(sim_engine *e, mm1 *m, double arrived)
{
    sim_batch_means_add(&m->waits, sim_now(e) - arrived);
    m->busy = 1;
    sim_schedule_in(e, sim_rng_exponential(m->service, m->mean_service_days), depart, m, 0);
}

static int ring_grow(mm1 *m)
{
    size_t cap = m->ring_cap ? 2 * m->ring_cap : 1024;
    double *ring = malloc(cap * sizeof *ring);
    if (!ring) return 0;
    for (size_t i = 0; i < m->count; i++)
        ring[i] = m->ring[(m->head + i) % m->ring_cap];
    free(m->ring);
    m->ring = ring;
    m->ring_cap = cap;
    m->head = 0;
    return 1;
}

static void arrive(sim_engine *e, void *obj, uint64_t arg)
{
    (void)arg;
    mm1 *m = obj;
    sim_schedule_in(e, sim_rng_exponential(m->arrivals, m->mean_interarrival_days), arrive, m, 0);
    if (!m->busy) {
        start_service(e, m, sim_now(e));
        return;
    }
    if (m->count == m->ring_cap && !ring_grow(m)) {
        sim_engine_fail(e, SIM_ENOMEM, "out of memory with %zu customers waiting", m->count);
        return;
    }
    m->ring[(m->head + m->count) % m->ring_cap] = sim_now(e);
    if (++m->count > m->max_queue) m->max_queue = m->count;
}

static void depart(sim_engine *e, void *obj, uint64_t arg)
{
    (void)arg;
    mm1 *m = obj;
    m->busy = 0;
    if (++m->served == m->target) {
        sim_engine_stop(e);
        return;
    }
    if (m->count > 0) {
        double arrived = m->ring[m->head];
        m->head = (m->head + 1) % m->ring_cap;
        m->count--;
        start_service(e, m, arrived);
    }
}

double sim_mm1_theory_wait_days(double lambda, double mu)
{
    return lambda / mu / (mu - lambda);
}

sim_status sim_mm1_run(const sim_mm1_config *cfg, sim_mm1_result *out, char *err, size_t err_size)
{
    double lambda = cfg->arrival_rate_per_day, mu = cfg->service_rate_per_day;
    if (!(isfinite(lambda) && lambda > 0) || !(isfinite(mu) && mu > lambda)) {
        snprintf(err, err_size,
                 "rates must satisfy 0 < arrival rate < service rate (got %g and %g)", lambda, mu);
        return SIM_EINVAL;
    }
    if (cfg->customers < 100) {
        snprintf(err, err_size, "customers must be >= 100 (got %llu)",
                 (unsigned long long)cfg->customers);
        return SIM_EINVAL;
    }
    if (!(cfg->ci_level > 0 && cfg->ci_level < 1)) {
        snprintf(err, err_size, "confidence level must be in (0, 1) (got %g)", cfg->ci_level);
        return SIM_EINVAL;
    }
    sim_engine_config ec = {
        .seed = cfg->seed, .replication = cfg->replication, .log_level = SIM_LOG_WARN};
    sim_engine *e = sim_engine_new(&ec);
    mm1 m = {.mean_interarrival_days = 1 / lambda,
             .mean_service_days = 1 / mu,
             .target = cfg->customers};
    sim_status st = SIM_ENOMEM;
    if (!e || !ring_grow(&m)) goto out;
    m.arrivals = sim_engine_stream(e, "arrivals", 0);
    m.service = sim_engine_stream(e, "service", 0);
    if (!m.arrivals || !m.service) goto out;
    /* Small first batches so short runs still get an interval; they double. */
    sim_batch_means_init(&m.waits, 100);
    if (sim_schedule_at(e, 0.0, arrive, &m, 0) == SIM_EVENT_NONE) goto out;
    st = sim_engine_run(e, INFINITY);
    if (st != SIM_OK) {
        snprintf(err, err_size, "%s", sim_engine_error(e));
        goto out;
    }
    out->served = m.served;
    out->sim_days = sim_now(e);
    out->events = sim_engine_events_fired(e);
    out->max_queue = m.max_queue;
    st = sim_batch_means_ci(&m.waits, cfg->ci_level, &out->mean_wait_days, &out->ci);
    if (st != SIM_OK) snprintf(err, err_size, "too few customers for a batch-means interval");
out:
    if (st == SIM_ENOMEM) snprintf(err, err_size, "out of memory");
    free(m.ring);
    sim_engine_free(e);
    return st;
}
