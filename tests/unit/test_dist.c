/*
 * Tests for sim/dist: the moments of every kind's samples against theory, with
 * tolerances from 99.9% confidence intervals on fixed-seed streams; every
 * invalid parameter's message; names; ownership and release.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "rng.h"
#include "stats.h"

#define N_SAMPLES 200000
#define N_BATCHES 20
#define Z_999     3.29 /* two-sided 99.9% normal quantile */

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want))) {
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, rel);
    }
}

/*
 * Draws N_SAMPLES from spec on stream k and checks:
 *  - sim_dist_mean / sim_dist_variance equal the expected values to relative
 *    tolerance rel;
 *  - every sample is finite and >= 0 (and equals the mean when var == 0);
 *  - |sample mean - mean| <= 3.29 sd / sqrt(N) (a 99.9% interval);
 *  - var lies in the 99.9% Student-t interval of the sample variances of
 *    N_BATCHES equal batches (19 degrees of freedom).
 */
static void check_moments_rel(const sim_dist_spec *spec, uint64_t k, double mean, double var,
                              double rel)
{
    sim_dist d;
    char err[256] = "";
    sim_status s = sim_dist_init(&d, spec, err, sizeof err);
    if (s != SIM_OK) fail_msg("init failed: %s", err);
    assert_close(sim_dist_mean(&d), mean, rel);
    if (var == 0)
        assert_true(sim_dist_variance(&d) == 0);
    else
        assert_close(sim_dist_variance(&d), var, rel);

    sim_rng r;
    sim_rng_init(&r, 12345, 0, "test_dist", k);
    sim_tally all, batch, batch_vars;
    sim_tally_init(&all);
    sim_tally_init(&batch_vars);
    for (int b = 0; b < N_BATCHES; b++) {
        sim_tally_init(&batch);
        for (int i = 0; i < N_SAMPLES / N_BATCHES; i++) {
            double x = sim_dist_sample(&d, &r);
            if (!isfinite(x) || x < 0) fail_msg("sample %g is not finite and >= 0", x);
            if (var == 0 && x != mean)
                fail_msg("sample %.17g of a zero-variance distribution is not %.17g", x, mean);
            sim_tally_add(&all, x);
            sim_tally_add(&batch, x);
        }
        sim_tally_add(&batch_vars, sim_tally_variance(&batch));
    }
    double tol = Z_999 * sqrt(var / N_SAMPLES);
    if (!(fabs(all.mean - mean) <= tol))
        fail_msg("sample mean %.10g, theory %.10g, tolerance %.3g", all.mean, mean, tol);

    if (var > 0) {
        sim_interval ci;
        assert_int_equal(
            sim_ci_t(batch_vars.mean, sim_tally_sd(&batch_vars), N_BATCHES, 0.999, &ci), SIM_OK);
        if (!(ci.low <= var && var <= ci.high))
            fail_msg("variance %.10g outside batch interval [%.10g, %.10g]", var, ci.low, ci.high);
    }
    sim_dist_release(&d);
}

static void check_moments(const sim_dist_spec *spec, uint64_t k, double mean, double var)
{
    check_moments_rel(spec, k, mean, var, 1e-12);
}

static sim_dist_spec spec2(sim_dist_kind kind, double a, double b)
{
    sim_dist_spec s = {.kind = kind, .p = {a, b}};
    return s;
}

static void test_constant(void **state)
{
    (void)state;
    sim_dist_spec s = spec2(SIM_DIST_CONSTANT, 2.5, 0);
    check_moments(&s, 0, 2.5, 0);
    s = spec2(SIM_DIST_CONSTANT, 0, 0);
    check_moments(&s, 1, 0, 0);
}

static void test_exponential(void **state)
{
    (void)state;
    sim_dist_spec s = spec2(SIM_DIST_EXPONENTIAL, 3.0, 0);
    check_moments(&s, 2, 3.0, 9.0);
}

/* mean m, cv c: variance (c m)^2. cv 0.5 takes GSL's shape >= 1 path
 * (Marsaglia-Tsang), cv 2 its shape < 1 path (boost by U^(1/shape)). */
static void test_gamma(void **state)
{
    (void)state;
    sim_dist_spec s = spec2(SIM_DIST_GAMMA, 10.0, 0.5);
    check_moments(&s, 3, 10.0, 25.0);
    s = spec2(SIM_DIST_GAMMA, 4.0, 2.0);
    check_moments(&s, 4, 4.0, 64.0);
}

/* median M, sigma s: mean M e^(s^2/2), variance M^2 e^(s^2) (e^(s^2) - 1). */
static void test_lognormal(void **state)
{
    (void)state;
    double m = 7.0, sg = 0.5;
    sim_dist_spec s = spec2(SIM_DIST_LOGNORMAL, m, sg);
    check_moments(&s, 5, m * exp(sg * sg / 2), m * m * exp(sg * sg) * (exp(sg * sg) - 1));
    s = spec2(SIM_DIST_LOGNORMAL, m, 0);
    check_moments(&s, 6, m, 0);
}

static void test_uniform(void **state)
{
    (void)state;
    sim_dist_spec s = spec2(SIM_DIST_UNIFORM, 2.0, 8.0);
    check_moments(&s, 7, 5.0, 3.0);
    s = spec2(SIM_DIST_UNIFORM, 4.0, 4.0);
    check_moments(&s, 8, 4.0, 0);
}

/*
 * Truncated-at-zero normal. Expected moments were computed with mpmath at 40
 * digits from the closed form (JKB vol. 1, ch. 13), and agree with numerical
 * integration of the density over [0, inf) to 20 digits for mean -1 and 1 and
 * to 1e-10 for mean -20 and -30, where the quadrature itself is the limit.
 * At 40 digits they also check the double-precision evaluation in dist.c.
 * Far below zero the variance's closed form 1 + alpha lambda - lambda^2 is
 * ~1/alpha^2 made of terms ~alpha^2, so its relative error grows like alpha^2:
 * there the tolerance is 1e-12 alpha^2.
 */
static void test_normal_truncated(void **state)
{
    (void)state;
    /* far above zero: effectively untruncated (rejection path) */
    sim_dist_spec s = spec2(SIM_DIST_NORMAL, 10.0, 1.0);
    check_moments(&s, 9, 10.0, 1.0);
    /* rejection path, truncation matters: alpha = -0.5 */
    s = spec2(SIM_DIST_NORMAL, 1.0, 2.0);
    check_moments(&s, 10, 2.0183208676740669717, 1.9447017427854684129);
    /* mean 0: the half-normal, mean sd sqrt(2/pi), variance sd^2 (1 - 2/pi) */
    s = spec2(SIM_DIST_NORMAL, 0.0, 1.0);
    const double pi = acos(-1.0);
    check_moments(&s, 11, sqrt(2 / pi), 1 - 2 / pi);
    /* inverse-CDF path on the upper tail */
    s = spec2(SIM_DIST_NORMAL, -1.0, 1.0);
    check_moments(&s, 12, 0.52513527616098120909, 0.19909766557034879155);
    s = spec2(SIM_DIST_NORMAL, -20.0, 1.0);
    check_moments_rel(&s, 13, 0.049753068527850542214, 0.0024632616150521635997, 1e-12 * 400);
    /* sd 0: a point mass at the mean */
    s = spec2(SIM_DIST_NORMAL, 3.0, 0.0);
    check_moments(&s, 14, 3.0, 0);
}

/* The deepest accepted tail still samples within [0, inf) with the right mean. */
static void test_normal_deep_tail(void **state)
{
    (void)state;
    sim_dist_spec s = spec2(SIM_DIST_NORMAL, -30.0, 1.0);
    check_moments_rel(&s, 15, 0.033259667433677037071, 0.0011037715118900910011, 1e-12 * 900);
}

/* values {1, 2, 5, 10}, weights {1, 0, 3, 6}: p = {.1, 0, .3, .6};
 * mean 7.6, variance .1*6.6^2 + .3*2.6^2 + .6*2.4^2 = 9.84. Every value's
 * count must be within 3.29 binomial sd of N p; a weight of 0 is never drawn. */
static void test_empirical_weighted(void **state)
{
    (void)state;
    double v[] = {1, 2, 5, 10}, w[] = {1, 0, 3, 6};
    sim_dist_spec s = {.kind = SIM_DIST_EMPIRICAL, .values = v, .weights = w, .n = 4};
    check_moments(&s, 16, 7.6, 9.84);

    sim_dist d;
    char err[128];
    assert_int_equal(sim_dist_init(&d, &s, err, sizeof err), SIM_OK);
    /* the distribution owns copies: changing the caller's arrays changes nothing */
    v[0] = 1000;
    w[1] = 1000;
    sim_rng r;
    sim_rng_init(&r, 12345, 0, "test_dist", 17);
    double count[4] = {0};
    for (int i = 0; i < N_SAMPLES; i++) {
        double x = sim_dist_sample(&d, &r);
        int j = x == 1 ? 0 : x == 2 ? 1 : x == 5 ? 2 : x == 10 ? 3 : -1;
        if (j < 0) fail_msg("sample %g is not one of the values", x);
        count[j]++;
    }
    double p[] = {0.1, 0, 0.3, 0.6};
    for (int j = 0; j < 4; j++) {
        double sd = sqrt(N_SAMPLES * p[j] * (1 - p[j]));
        if (!(fabs(count[j] - N_SAMPLES * p[j]) <= Z_999 * sd))
            fail_msg("value %d drawn %g times, expected %g +/- %g", j, count[j], N_SAMPLES * p[j],
                     Z_999 * sd);
    }
    sim_dist_release(&d);
}

/* No weights: equal probabilities. {0, 3, 4}: mean 7/3, variance 25/3 - 49/9 = 26/9. */
static void test_empirical_unweighted(void **state)
{
    (void)state;
    double v[] = {0, 3, 4};
    sim_dist_spec s = {.kind = SIM_DIST_EMPIRICAL, .values = v, .n = 3};
    check_moments(&s, 18, 7.0 / 3.0, 26.0 / 9.0);
    double one[] = {6.5};
    s = (sim_dist_spec){.kind = SIM_DIST_EMPIRICAL, .values = one, .n = 1};
    check_moments(&s, 19, 6.5, 0);
}

/* Zero weights at either end are never drawn; the cumulative weights end at
 * exactly 1 from the last positive weight on. */
static void test_empirical_zero_weight_ends(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4}, w[] = {0, 0.1, 0.7, 0};
    sim_dist_spec s = {.kind = SIM_DIST_EMPIRICAL, .values = v, .weights = w, .n = 4};
    sim_dist d;
    assert_int_equal(sim_dist_init(&d, &s, NULL, 0), SIM_OK);
    assert_true(d.cumulative[3] == 1.0);
    sim_rng r;
    sim_rng_init(&r, 12345, 0, "test_dist", 20);
    for (int i = 0; i < N_SAMPLES; i++) {
        double x = sim_dist_sample(&d, &r);
        assert_true(x == 2 || x == 3);
    }
    sim_dist_release(&d);
}

typedef struct bad_case {
    sim_dist_spec spec;
    const char *message; /* exact text, or a prefix when prefix is true */
    bool prefix;
} bad_case;

static void check_bad(const bad_case *c)
{
    sim_dist d;
    memset(&d, 0xab, sizeof d); /* init must not rely on d being zeroed */
    char err[256] = "";
    sim_status s = sim_dist_init(&d, &c->spec, err, sizeof err);
    if (s != SIM_EINVAL) fail_msg("expected SIM_EINVAL for '%s', got %d", c->message, (int)s);
    bool ok = c->prefix ? strncmp(err, c->message, strlen(c->message)) == 0
                        : strcmp(err, c->message) == 0;
    if (!ok) fail_msg("message '%s', expected '%s'", err, c->message);
    /* left released */
    assert_int_equal(d.kind, 0);
    assert_true(d.p[0] == 0 && d.p[1] == 0 && d.aux[0] == 0);
    assert_null(d.values);
    assert_null(d.cumulative);
    assert_int_equal(d.n, 0);
    sim_dist_release(&d);
}

static void test_invalid_parameters(void **state)
{
    (void)state;
    static const double neg_value[] = {1, -2}, inf_value[] = {INFINITY};
    static const double vals2[] = {1, 2}, neg_weight[] = {-1, 2}, nan_weight[] = {1, NAN},
                        zero_weights[] = {0, 0}, huge_weights[] = {1e308, 1e308};
    const bad_case cases[] = {
        {spec2(SIM_DIST_CONSTANT, -1, 0), "value must be >= 0 (got -1)", false},
        {spec2(SIM_DIST_CONSTANT, NAN, 0), "value must be finite (got nan)", false},
        {spec2(SIM_DIST_CONSTANT, 1e200, 0),
         "constant distribution is too wide: mean 1e+200 and sd 0; expected both <= 1e+150", false},
        {spec2(SIM_DIST_EXPONENTIAL, 0, 0), "mean must be > 0 (got 0)", false},
        {spec2(SIM_DIST_EXPONENTIAL, INFINITY, 0), "mean must be finite (got inf)", false},
        {spec2(SIM_DIST_EXPONENTIAL, -2, 0), "mean must be > 0 (got -2)", false},
        {spec2(SIM_DIST_GAMMA, 1, -0.5), "cv must be > 0 (got -0.5)", false},
        {spec2(SIM_DIST_GAMMA, 1, 0), "cv must be > 0 (got 0)", false},
        {spec2(SIM_DIST_GAMMA, -1, 0.5), "mean must be > 0 (got -1)", false},
        {spec2(SIM_DIST_GAMMA, 1, -INFINITY), "cv must be finite (got -inf)", false},
        {spec2(SIM_DIST_GAMMA, 1, 1e-160), "cv 1e-160 is out of range for mean 1", true},
        {spec2(SIM_DIST_GAMMA, 1, 1e160), "cv 1e+160 is out of range for mean 1", true},
        {spec2(SIM_DIST_LOGNORMAL, 0, 1), "median must be > 0 (got 0)", false},
        {spec2(SIM_DIST_LOGNORMAL, NAN, 1), "median must be finite (got nan)", false},
        {spec2(SIM_DIST_LOGNORMAL, 1, -1), "sigma must be >= 0 (got -1)", false},
        {spec2(SIM_DIST_LOGNORMAL, 1, 30), "lognormal distribution is too wide", true},
        {spec2(SIM_DIST_NORMAL, NAN, 1), "mean must be finite (got nan)", false},
        {spec2(SIM_DIST_NORMAL, 1, -1), "sd must be >= 0 (got -1)", false},
        {spec2(SIM_DIST_NORMAL, 1, INFINITY), "sd must be finite (got inf)", false},
        {spec2(SIM_DIST_NORMAL, -1, 0), "mean must be >= 0 when sd is 0 (got -1)", false},
        {spec2(SIM_DIST_NORMAL, -40, 1), "mean is too far below zero for sd 1 (got mean -40", true},
        {spec2(SIM_DIST_NORMAL, -1, 1e-300), "mean is too far below zero for sd 1e-300", true},
        {spec2(SIM_DIST_UNIFORM, -1, 2), "min must be >= 0 (got -1)", false},
        {spec2(SIM_DIST_UNIFORM, 1, NAN), "max must be finite (got nan)", false},
        {spec2(SIM_DIST_UNIFORM, 3, 2), "max must be >= min (got min 3, max 2)", false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = vals2, .n = 0},
         "values must not be empty; expected at least 1 value",
         false},
        {{.kind = SIM_DIST_EMPIRICAL, .n = 2}, "values are missing; expected 2 values", false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = neg_value, .n = 2},
         "values[1] must be >= 0 (got -2)",
         false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = inf_value, .n = 1},
         "values[0] must be finite (got inf)",
         false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = vals2, .weights = neg_weight, .n = 2},
         "weights[0] must be >= 0 (got -1)",
         false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = vals2, .weights = nan_weight, .n = 2},
         "weights[1] must be finite (got nan)",
         false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = vals2, .weights = zero_weights, .n = 2},
         "weights must have a positive, finite sum (got 0)",
         false},
        {{.kind = SIM_DIST_EMPIRICAL, .values = vals2, .weights = huge_weights, .n = 2},
         "weights must have a positive, finite sum (got inf)",
         false},
        {{.kind = (sim_dist_kind)99}, "unknown distribution kind 99", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_bad(&cases[i]);
}

/* A message that does not fit is truncated, never overflows; no buffer at all is fine. */
static void test_error_buffer_sizes(void **state)
{
    (void)state;
    sim_dist d;
    sim_dist_spec s = spec2(SIM_DIST_GAMMA, 1, -0.5);
    char small[6];
    assert_int_equal(sim_dist_init(&d, &s, small, sizeof small), SIM_EINVAL);
    assert_string_equal(small, "cv mu");
    assert_int_equal(sim_dist_init(&d, &s, NULL, 0), SIM_EINVAL);
}

static void test_kind_names(void **state)
{
    (void)state;
    const char *names[] = {"constant", "exponential", "gamma",    "lognormal",
                           "normal",   "uniform",     "empirical"};
    for (int k = SIM_DIST_CONSTANT; k <= SIM_DIST_EMPIRICAL; k++) {
        assert_string_equal(sim_dist_kind_name((sim_dist_kind)k), names[k]);
        sim_dist_kind out = SIM_DIST_CONSTANT;
        assert_true(sim_dist_kind_parse(names[k], &out));
        assert_int_equal(out, k);
    }
    const char *bad[] = {"Gamma", "", "gauss", "normal ", "uniformly"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sim_dist_kind out = SIM_DIST_UNIFORM;
        assert_false(sim_dist_kind_parse(bad[i], &out));
        assert_int_equal(out, SIM_DIST_UNIFORM); /* untouched */
    }
    assert_string_equal(sim_dist_kind_name((sim_dist_kind)99), "unknown");
}

/* Release frees and zeros; a second release, or one on a zeroed dist, is a
 * no-op (AddressSanitizer would catch a double free). */
static void test_release_idempotent(void **state)
{
    (void)state;
    double v[] = {1, 2, 3};
    sim_dist_spec s = {.kind = SIM_DIST_EMPIRICAL, .values = v, .n = 3};
    sim_dist d;
    assert_int_equal(sim_dist_init(&d, &s, NULL, 0), SIM_OK);
    assert_non_null(d.values);
    sim_dist_release(&d);
    assert_null(d.values);
    assert_null(d.cumulative);
    assert_int_equal(d.n, 0);
    sim_dist_release(&d);

    sim_dist zero;
    memset(&zero, 0, sizeof zero);
    sim_dist_release(&zero);
    sim_dist_release(NULL);
}

/* The same stream gives the same samples: runs are reproducible. */
static void test_reproducible(void **state)
{
    (void)state;
    sim_dist_spec s = spec2(SIM_DIST_GAMMA, 5.0, 0.3);
    sim_dist d;
    assert_int_equal(sim_dist_init(&d, &s, NULL, 0), SIM_OK);
    sim_rng a, b;
    sim_rng_init(&a, 7, 1, "test_dist", 0);
    sim_rng_init(&b, 7, 1, "test_dist", 0);
    for (int i = 0; i < 1000; i++)
        assert_true(sim_dist_sample(&d, &a) == sim_dist_sample(&d, &b));
    sim_dist_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_gamma),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_normal_truncated),
        cmocka_unit_test(test_normal_deep_tail),
        cmocka_unit_test(test_empirical_weighted),
        cmocka_unit_test(test_empirical_unweighted),
        cmocka_unit_test(test_empirical_zero_weight_ends),
        cmocka_unit_test(test_invalid_parameters),
        cmocka_unit_test(test_error_buffer_sizes),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_release_idempotent),
        cmocka_unit_test(test_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
