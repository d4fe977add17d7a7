/*
 * Statistics for simulation output.
 *
 *  - sim_tally: count, mean and variance by Welford's update (Welford 1962;
 *    Knuth TAOCP vol. 2, 4.2.2), min and max; two tallies merge exactly by
 *    Chan, Golub and LeVeque's pairwise formula, so per-thread tallies combine.
 *  - sim_timeavg: the time-weighted average of a piecewise-constant quantity
 *    (an inventory level, a queue length).
 *  - sim_ci_t: a two-sided Student-t confidence interval for a mean from n
 *    independent observations (replications), quantile from GSL.
 *  - sim_batch_means: a confidence interval for the steady-state mean of one
 *    long, autocorrelated run (Law, "Simulation Modeling and Analysis", 9.5.3).
 *    Observations fill up to 2*SIM_BATCH_SLOTS batches; when those are full,
 *    neighbouring batches merge and the batch size doubles, so memory is fixed
 *    and batches grow with the run. The interval uses the completed batches.
 *
 * All are plain values with no allocation.
 */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stdint.h>

#include "status.h"

typedef struct sim_tally {
    uint64_t n;
    double mean;
    double m2; /* sum of squared deviations from the mean */
    double min;
    double max;
} sim_tally;

void sim_tally_init(sim_tally *t);
void sim_tally_add(sim_tally *t, double x);
void sim_tally_merge(sim_tally *into, const sim_tally *from);
/* Sample variance (divisor n - 1); NaN when n < 2. */
double sim_tally_variance(const sim_tally *t);
double sim_tally_sd(const sim_tally *t);

typedef struct sim_timeavg {
    double start;  /* time observation began */
    double last_t; /* time of the last change */
    double value;  /* value since last_t */
    double area;   /* integral of value from start to last_t */
} sim_timeavg;

void sim_timeavg_init(sim_timeavg *a, double t0, double value);
/* The value becomes v at time t (t >= the last change; asserted). */
void sim_timeavg_set(sim_timeavg *a, double t, double v);
/* Average over [start, t]; the value itself when t == start. */
double sim_timeavg_mean(const sim_timeavg *a, double t);

typedef struct sim_interval {
    double low;
    double high;
    double half_width;
} sim_interval;

/* mean +/- t(level, n-1) * sd / sqrt(n). SIM_EINVAL when n < 2, level not in
 * (0, 1) or inputs not finite; sd == 0 gives a zero-width interval. */
sim_status sim_ci_t(double mean, double sd, uint64_t n, double level, sim_interval *out);

/* The same, remembering the last quantile in *memo (zero it first): writing
 * a report asks for the same t(0.95, n-1) on every row, and computing it
 * costs more than formatting the row. The caller owns the memo. */
typedef struct sim_t_memo {
    double level;
    uint64_t n;
    double t;
} sim_t_memo;
sim_status sim_ci_t_memo(sim_t_memo *memo, double mean, double sd, uint64_t n, double level,
                         sim_interval *out);

#define SIM_BATCH_SLOTS 32

typedef struct sim_batch_means {
    double sums[2 * SIM_BATCH_SLOTS]; /* completed batches' sums */
    uint64_t batch_size;              /* observations per batch now */
    unsigned batches;                 /* completed batches */
    uint64_t in_current;              /* observations in the open batch */
    double current_sum;
    uint64_t n; /* all observations */
} sim_batch_means;

/* initial_batch_size 0 means 1. */
void sim_batch_means_init(sim_batch_means *b, uint64_t initial_batch_size);
void sim_batch_means_add(sim_batch_means *b, double x);
/* Mean of the completed batches and its Student-t interval on batches - 1
 * degrees of freedom. SIM_EINVAL when fewer than 2 batches are complete. */
sim_status sim_batch_means_ci(const sim_batch_means *b, double level, double *mean,
                              sim_interval *out);

#endif
