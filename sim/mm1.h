/*
 * The kernel's reference model: an M/M/1 queue (Poisson arrivals, one server,
 * exponential service, FIFO) written on the engine API and nothing else.
 *
 * It is how the kernel proves itself before any domain model exists:
 * bench/mm1 times it, the engine tests check it against queueing theory, and
 * the command-line demo runs it. Theory for the mean wait in queue is
 * Wq = rho / (mu - lambda), rho = lambda / mu < 1 (Kleinrock, Queueing
 * Systems vol. 1, eq. 3.26). Waits are collected with batch means, so the
 * interval is honest about autocorrelation.
 */
#ifndef SIM_MM1_H
#define SIM_MM1_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"
#include "status.h"

typedef struct sim_mm1_config {
    double arrival_rate_per_day; /* lambda > 0 */
    double service_rate_per_day; /* mu > lambda */
    uint64_t customers;          /* served customers to simulate, >= 100 */
    uint64_t seed;
    uint64_t replication;
    double ci_level; /* e.g. 0.95 */
} sim_mm1_config;

typedef struct sim_mm1_result {
    uint64_t served;
    double mean_wait_days; /* batch-means estimate of Wq */
    sim_interval ci;       /* at config's ci_level */
    double sim_days;       /* simulated time elapsed */
    uint64_t events;       /* events dispatched */
    size_t max_queue;      /* longest queue seen */
} sim_mm1_result;

/* SIM_EINVAL with a message for a bad configuration; SIM_ENOMEM. */
sim_status sim_mm1_run(const sim_mm1_config *cfg, sim_mm1_result *out, char *err, size_t err_size);

/* rho / (mu - lambda). */
double sim_mm1_theory_wait_days(double lambda, double mu);

#endif
