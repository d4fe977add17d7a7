/*
 * Distributions: one table of operations per kind, looked up by d->kind.
 *
 * Each kind's init validates its parameters and derives what sampling needs
 * (aux[]), so that sampling never checks anything and GSL never sees a value
 * outside its domain. After the kind's own checks, init applies one common
 * check: the mean and sd must be at most DIST_MAX. That keeps every sample
 * finite (the widest sampler reaches a few dozen sd past the mean, nowhere
 * near DBL_MAX) and rejects what is certainly a typo for days or units.
 */
#include "dist.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* Largest mean or sd accepted, in days or units. */
#define DIST_MAX 1e150

/* Smallest upper-tail mass P(X >= 0) accepted for a normal with mean < 0.
 * Sampling inverts U * mass with U >= 2^-54, so U * mass stays >= 5e-307, a
 * normal double where gsl_cdf_ugaussian_Qinv is accurate to ~1e-15 (AS241's
 * range); below ~1e-316 it would return values whose Q underflows. */
#define NORMAL_TAIL_MIN 1e-290

typedef struct dist_ops {
    const char *name;
    sim_status (*init)(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size);
    double (*sample)(const sim_dist *d, sim_rng *r);
    double (*mean)(const sim_dist *d);
    double (*variance)(const sim_dist *d);
} dist_ops;

#if defined(__GNUC__)
#define PRINTF_LIKE(fmt, first) __attribute__((format(printf, fmt, first)))
#else
#define PRINTF_LIKE(fmt, first)
#endif

/* Writes the message into err (when there is room for any) and returns SIM_EINVAL. */
static sim_status fail(char *err, size_t err_size, const char *fmt, ...) PRINTF_LIKE(3, 4);

static sim_status fail(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return SIM_EINVAL;
}

/* x must be finite and > 0 (zero_ok false) or >= 0 (zero_ok true). */
static sim_status check_param(const char *name, double x, bool zero_ok, char *err, size_t err_size)
{
    if (!isfinite(x)) return fail(err, err_size, "%s must be finite (got %g)", name, x);
    if (zero_ok && x < 0) return fail(err, err_size, "%s must be >= 0 (got %g)", name, x);
    if (!zero_ok && x <= 0) return fail(err, err_size, "%s must be > 0 (got %g)", name, x);
    return SIM_OK;
}

/* Every x[i] must be finite and >= 0; names the first that is not, as name[i]. */
static sim_status check_array(const char *name, const double *x, size_t n, char *err,
                              size_t err_size)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || x[i] < 0) {
            char item[64];
            snprintf(item, sizeof item, "%s[%zu]", name, i);
            return check_param(item, x[i], true, err, err_size);
        }
    }
    return SIM_OK;
}

/* ---- constant ---------------------------------------------------------- */

static sim_status constant_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    (void)d;
    return check_param("value", spec->p[0], true, err, err_size);
}

static double constant_sample(const sim_dist *d, sim_rng *r)
{
    (void)r;
    return d->p[0];
}

static double constant_mean(const sim_dist *d)
{
    return d->p[0];
}

static double zero_variance(const sim_dist *d)
{
    (void)d;
    return 0.0;
}

/* ---- exponential ------------------------------------------------------- */

static sim_status exponential_init(sim_dist *d, const sim_dist_spec *spec, char *err,
                                   size_t err_size)
{
    (void)d;
    return check_param("mean", spec->p[0], false, err, err_size);
}

static double exponential_sample(const sim_dist *d, sim_rng *r)
{
    return sim_rng_exponential(r, d->p[0]);
}

static double exponential_mean(const sim_dist *d)
{
    return d->p[0];
}

static double exponential_variance(const sim_dist *d)
{
    return d->p[0] * d->p[0];
}

/* ---- gamma ------------------------------------------------------------- */

/* Mean m and coefficient of variation cv: shape k = 1/cv^2, scale theta =
 * m cv^2, so k theta = m and k theta^2 = (cv m)^2. */
static sim_status gamma_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    double m = spec->p[0], cv = spec->p[1];
    sim_status s = check_param("mean", m, false, err, err_size);
    if (s == SIM_OK) s = check_param("cv", cv, false, err, err_size);
    if (s != SIM_OK) return s;
    double shape = 1.0 / (cv * cv), scale = m * cv * cv;
    if (!isfinite(shape) || !(shape > 0) || !isfinite(scale) || !(scale > 0))
        return fail(err, err_size,
                    "cv %g is out of range for mean %g (gamma shape %g, scale %g); "
                    "expected a shape and scale that are finite and > 0",
                    cv, m, shape, scale);
    d->aux[0] = shape;
    d->aux[1] = scale;
    return SIM_OK;
}

static double gamma_sample(const sim_dist *d, sim_rng *r)
{
    return gsl_ran_gamma(sim_rng_gsl(r), d->aux[0], d->aux[1]);
}

static double gamma_mean(const sim_dist *d)
{
    return d->p[0];
}

static double gamma_variance(const sim_dist *d)
{
    double sd = d->p[1] * d->p[0];
    return sd * sd;
}

/* ---- lognormal --------------------------------------------------------- */

/* X = exp(mu + sigma Z), mu = ln median. */
static sim_status lognormal_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    sim_status s = check_param("median", spec->p[0], false, err, err_size);
    if (s == SIM_OK) s = check_param("sigma", spec->p[1], true, err, err_size);
    if (s != SIM_OK) return s;
    d->aux[0] = log(spec->p[0]);
    return SIM_OK;
}

static double lognormal_sample(const sim_dist *d, sim_rng *r)
{
    /* median e^(sigma Z) rather than e^(mu + sigma Z): exact when sigma is 0 */
    return d->p[0] * exp(d->p[1] * gsl_ran_gaussian_ziggurat(sim_rng_gsl(r), 1.0));
}

/* E X = median e^(s^2/2). */
static double lognormal_mean(const sim_dist *d)
{
    return d->p[0] * exp(0.5 * d->p[1] * d->p[1]);
}

/* Var X = (e^(s^2) - 1) e^(2 mu + s^2), evaluated as
 * exp(2 mu + 2 s^2 + ln(1 - e^(-s^2))) so that e^(s^2) cannot overflow while
 * the product is representable (a tiny median with a wide sigma). */
static double lognormal_variance(const sim_dist *d)
{
    double s2 = d->p[1] * d->p[1];
    if (s2 == 0) return 0.0;
    return exp(2.0 * d->aux[0] + 2.0 * s2 + log(-expm1(-s2)));
}

/* ---- normal truncated at zero ------------------------------------------ */

/*
 * X = mu + sd Z conditioned on X >= 0, i.e. on Z >= alpha with alpha = -mu/sd.
 * aux[0] = Q(alpha) = P(Z >= alpha), the mass kept; aux[1] = alpha.
 * mu >= 0: Q(alpha) >= 1/2, so rejection from the untruncated normal accepts
 *   at least half of the draws.
 * mu < 0: inversion on the upper tail, Z = Qinv(U Q(alpha)) with U in (0, 1),
 *   which keeps its accuracy however far below zero the mean is, down to
 *   NORMAL_TAIL_MIN.
 */
static sim_status normal_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    double mu = spec->p[0], sd = spec->p[1];
    if (!isfinite(mu)) return fail(err, err_size, "mean must be finite (got %g)", mu);
    sim_status s = check_param("sd", sd, true, err, err_size);
    if (s != SIM_OK) return s;
    if (sd == 0) {
        if (mu < 0) return fail(err, err_size, "mean must be >= 0 when sd is 0 (got %g)", mu);
        d->aux[0] = 1.0;
        d->aux[1] = -INFINITY;
        return SIM_OK;
    }
    double alpha = -mu / sd;
    double mass = gsl_cdf_ugaussian_Q(alpha);
    if (!(mass >= NORMAL_TAIL_MIN))
        return fail(err, err_size,
                    "mean is too far below zero for sd %g (got mean %g, P(x >= 0) = %g); "
                    "expected mean >= %.4g",
                    sd, mu, mass, -sd * gsl_cdf_ugaussian_Qinv(NORMAL_TAIL_MIN));
    d->aux[0] = mass;
    d->aux[1] = alpha;
    return SIM_OK;
}

static double normal_sample(const sim_dist *d, sim_rng *r)
{
    double mu = d->p[0], sd = d->p[1];
    if (mu >= 0) {
        for (;;) {
            double x = mu + sd * gsl_ran_gaussian_ziggurat(sim_rng_gsl(r), 1.0);
            if (x >= 0) return x;
        }
    }
    double z = gsl_cdf_ugaussian_Qinv(sim_rng_uniform_pos(r) * d->aux[0]);
    /* z >= alpha exactly, but mu + sd z can round to just below zero. */
    return fmax(0.0, mu + sd * z);
}

/*
 * Moments of the normal truncated below at 0 (Johnson, Kotz & Balakrishnan,
 * Continuous Univariate Distributions, vol. 1, 2nd ed., ch. 13, sec. 10.1):
 * with alpha = -mu/sd and lambda = phi(alpha) / Q(alpha) (the inverse Mills
 * ratio),
 *   E X   = mu + sd lambda
 *   Var X = sd^2 (1 + alpha lambda - lambda^2) = sd^2 (1 + lambda (alpha - lambda)).
 * The second form loses less to cancellation when alpha is large, where
 * lambda ~ alpha + 1/alpha and the variance tends to sd^2 / alpha^2.
 */
static double normal_lambda(const sim_dist *d)
{
    return gsl_ran_ugaussian_pdf(d->aux[1]) / d->aux[0];
}

static double normal_mean(const sim_dist *d)
{
    if (d->p[1] == 0) return d->p[0];
    return d->p[0] + d->p[1] * normal_lambda(d);
}

static double normal_variance(const sim_dist *d)
{
    double sd = d->p[1];
    if (sd == 0) return 0.0;
    double lambda = normal_lambda(d);
    if (lambda == 0) /* mean so far above zero that phi(alpha) underflows: untruncated */
        return sd * sd;
    return sd * sd * (1.0 + lambda * (d->aux[1] - lambda));
}

/* ---- uniform ----------------------------------------------------------- */

static sim_status uniform_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    (void)d;
    double a = spec->p[0], b = spec->p[1];
    sim_status s = check_param("min", a, true, err, err_size);
    if (s == SIM_OK) s = check_param("max", b, true, err, err_size);
    if (s != SIM_OK) return s;
    if (b < a) return fail(err, err_size, "max must be >= min (got min %g, max %g)", a, b);
    return SIM_OK;
}

static double uniform_sample(const sim_dist *d, sim_rng *r)
{
    return d->p[0] + (d->p[1] - d->p[0]) * sim_rng_uniform(r);
}

static double uniform_mean(const sim_dist *d)
{
    return 0.5 * (d->p[0] + d->p[1]);
}

static double uniform_variance(const sim_dist *d)
{
    double w = d->p[1] - d->p[0];
    return w * w / 12.0;
}

/* ---- empirical --------------------------------------------------------- */

/*
 * P(values[i]) = weights[i] / sum. cumulative[i] is the mass of entries 0..i;
 * from the last entry with positive weight on it is exactly 1, so a uniform
 * U < 1 selects the first i with U < cumulative[i], never an entry of weight 0.
 * (The running sum there already equals sum, being added in the same order;
 * the 1 is written anyway so that the invariant does not rest on rounding.)
 * The mean and variance are computed once here, from the weights themselves:
 * aux[0] = mean, aux[1] = variance (divisor sum, the distribution's own).
 */
static sim_status empirical_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    size_t n = spec->n;
    const double *v = spec->values, *w = spec->weights;
    if (n == 0) return fail(err, err_size, "values must not be empty; expected at least 1 value");
    if (!v) return fail(err, err_size, "values are missing; expected %zu values", n);
    sim_status s = check_array("values", v, n, err, err_size);
    if (s == SIM_OK && w) s = check_array("weights", w, n, err, err_size);
    if (s != SIM_OK) return s;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w ? w[i] : 1.0;
    if (!(sum > 0) || !isfinite(sum))
        return fail(err, err_size, "weights must have a positive, finite sum (got %g)", sum);

    if (n <= SIZE_MAX / sizeof(double)) {
        d->values = malloc(n * sizeof(double));
        d->cumulative = malloc(n * sizeof(double));
    }
    if (!d->values || !d->cumulative) {
        fail(err, err_size, "out of memory copying %zu values", n);
        return SIM_ENOMEM;
    }
    d->n = n;
    memcpy(d->values, v, n * sizeof(double));

    double run = 0, mean = 0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        run += wi;
        d->cumulative[i] = run / sum;
        mean += wi / sum * v[i];
        if (wi > 0) last = i;
    }
    for (size_t i = last; i < n; i++)
        d->cumulative[i] = 1.0;
    double var = 0;
    for (size_t i = 0; i < n; i++) {
        double dev = v[i] - mean;
        var += (w ? w[i] : 1.0) / sum * dev * dev;
    }
    d->aux[0] = mean;
    d->aux[1] = var;
    return SIM_OK;
}

static double empirical_sample(const sim_dist *d, sim_rng *r)
{
    double u = sim_rng_uniform(r);
    size_t lo = 0, hi = d->n - 1; /* the answer is in [lo, hi]; cumulative[hi] == 1 > u */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u < d->cumulative[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return d->values[lo];
}

static double empirical_mean(const sim_dist *d)
{
    return d->aux[0];
}

static double empirical_variance(const sim_dist *d)
{
    return d->aux[1];
}

/* ---- the table --------------------------------------------------------- */

static const dist_ops ops_table[] = {
    [SIM_DIST_CONSTANT] = {"constant", constant_init, constant_sample, constant_mean,
                           zero_variance},
    [SIM_DIST_EXPONENTIAL] = {"exponential", exponential_init, exponential_sample, exponential_mean,
                              exponential_variance},
    [SIM_DIST_GAMMA] = {"gamma", gamma_init, gamma_sample, gamma_mean, gamma_variance},
    [SIM_DIST_LOGNORMAL] = {"lognormal", lognormal_init, lognormal_sample, lognormal_mean,
                            lognormal_variance},
    [SIM_DIST_NORMAL] = {"normal", normal_init, normal_sample, normal_mean, normal_variance},
    [SIM_DIST_UNIFORM] = {"uniform", uniform_init, uniform_sample, uniform_mean, uniform_variance},
    [SIM_DIST_EMPIRICAL] = {"empirical", empirical_init, empirical_sample, empirical_mean,
                            empirical_variance},
};

#define KIND_COUNT (sizeof ops_table / sizeof ops_table[0])

static bool kind_valid(sim_dist_kind k)
{
    return (unsigned)k < KIND_COUNT;
}

static const dist_ops *ops_for(const sim_dist *d)
{
    assert(kind_valid(d->kind));
    return &ops_table[d->kind];
}

sim_status sim_dist_init(sim_dist *d, const sim_dist_spec *spec, char *err, size_t err_size)
{
    assert(d && spec);
    memset(d, 0, sizeof *d);
    if (!kind_valid(spec->kind))
        return fail(err, err_size, "unknown distribution kind %d", (int)spec->kind);
    d->kind = spec->kind;
    d->p[0] = spec->p[0];
    d->p[1] = spec->p[1];
    const dist_ops *ops = ops_for(d);
    sim_status s = ops->init(d, spec, err, err_size);
    if (s == SIM_OK) {
        double mean = ops->mean(d), sd = sqrt(ops->variance(d));
        if (!(mean <= DIST_MAX) || !(sd <= DIST_MAX))
            s = fail(err, err_size,
                     "%s distribution is too wide: mean %g and sd %g; expected both <= %g",
                     ops->name, mean, sd, DIST_MAX);
    }
    if (s != SIM_OK) sim_dist_release(d);
    return s;
}

void sim_dist_release(sim_dist *d)
{
    if (!d) return;
    free(d->values);
    free(d->cumulative);
    memset(d, 0, sizeof *d);
}

double sim_dist_sample(const sim_dist *d, sim_rng *r)
{
    return ops_for(d)->sample(d, r);
}

double sim_dist_mean(const sim_dist *d)
{
    return ops_for(d)->mean(d);
}

double sim_dist_variance(const sim_dist *d)
{
    return ops_for(d)->variance(d);
}

const char *sim_dist_kind_name(sim_dist_kind k)
{
    return kind_valid(k) ? ops_table[k].name : "unknown";
}

bool sim_dist_kind_parse(const char *name, sim_dist_kind *out)
{
    for (size_t k = 0; name && k < KIND_COUNT; k++) {
        if (strcmp(name, ops_table[k].name) == 0) {
            *out = (sim_dist_kind)k;
            return true;
        }
    }
    return false;
}
