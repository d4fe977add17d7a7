/*
 * Probability distributions of non-negative quantities: durations in days and
 * amounts in units. Every sample is finite and >= 0.
 *
 *   kind         parameters p[0], p[1]      mean / variance
 *   constant     value                      v / 0
 *   exponential  mean                       m / m^2
 *   gamma        mean, cv (sd / mean)       m / (cv m)^2; shape 1/cv^2, scale m cv^2
 *   lognormal    median, sigma              median e^(s^2/2) / (e^(s^2)-1) e^(2mu+s^2)
 *   normal       mean, sd; truncated at 0   see sim_dist_mean (truncated moments)
 *   uniform      min, max                   (a+b)/2 / (b-a)^2/12
 *   empirical    values[n], weights[n]      weighted mean / weighted variance
 *
 * sim_dist_init checks every parameter before GSL sees it (GSL's own handler
 * would abort the process) and writes what is wrong into err, naming the
 * parameter as a scenario writes it: "cv must be > 0 (got -0.5)". An empirical
 * distribution copies its values and weights; nothing else allocates.
 * Ownership: a sim_dist owns its empirical copy; release it with sim_dist_release.
 */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"
#include "status.h"

typedef enum sim_dist_kind {
    SIM_DIST_CONSTANT,
    SIM_DIST_EXPONENTIAL,
    SIM_DIST_GAMMA,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_NORMAL,
    SIM_DIST_UNIFORM,
    SIM_DIST_EMPIRICAL
} sim_dist_kind;

typedef struct sim_dist_spec {
    sim_dist_kind kind;
    double p[2];          /* see the table above; unused entries ignored */
    const double *values; /* empirical only: n values, each finite and >= 0 */
    const double
        *weights; /* empirical only: n weights >= 0 with a positive sum, or NULL for equal */
    size_t n;
} sim_dist_spec;

typedef struct sim_dist {
    sim_dist_kind kind;
    double p[2];
    double aux[3];  /* derived once at init: gamma shape/scale, lognormal mu, normal tail mass */
    double *values; /* empirical: owned copy, sorted order not required */
    double *cumulative; /* empirical: owned cumulative weights, last == 1 */
    size_t n;
} sim_dist;

/* Validates spec and fills d. On SIM_EINVAL (or SIM_ENOMEM) d is left released
 * and err says what is wrong. */
sim_status sim_dist_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size);
void sim_dist_release(sim_dist *d);

double sim_dist_sample(const sim_dist *d, sim_rng *r);
double sim_dist_mean(const sim_dist *d);
double sim_dist_variance(const sim_dist *d);

/* "constant", "exponential", ...; and back (false when unknown). */
const char *sim_dist_kind_name(sim_dist_kind k);
bool sim_dist_kind_parse(const char *name, sim_dist_kind *out);

#endif
