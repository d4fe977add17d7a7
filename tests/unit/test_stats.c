/*
 * Tests for sim/stats: tallies against GSL's two-pass statistics, merging,
 * time averages on a hand-computed step function, the Student-t interval
 * against a tabulated quantile, and batch means on iid and AR(1) data with
 * tolerances from confidence intervals on fixed-seed streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics_double.h>

#include "rng.h"
#include "stats.h"

#define Z_999 3.29 /* two-sided 99.9% normal quantile */

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, rel);
}

/*
 * 10000 values N(1e4, 10^2): an offset 1000 times the sd. A sum of squares
 * would lose about 6 digits to cancellation (condition number squared);
 * Welford and the pairwise merge lose about 3 (the condition number, 1e3), so
 * 1e-12 relative still has a margin of ~10 over the errors measured against
 * an extended-precision two-pass reference (3e-14 Welford, 7e-14 merged).
 */
#define N_VALUES 10000

static void fill_values(double *x, size_t n)
{
    sim_rng r;
    sim_rng_init(&r, 12345, 0, "test_stats", 0);
    for (size_t i = 0; i < n; i++)
        x[i] = 1e4 + 10.0 * gsl_ran_gaussian_ziggurat(sim_rng_gsl(&r), 1.0);
}

static void test_tally_matches_gsl(void **state)
{
    (void)state;
    double x[N_VALUES];
    fill_values(x, N_VALUES);
    sim_tally t;
    sim_tally_init(&t);
    for (size_t i = 0; i < N_VALUES; i++)
        sim_tally_add(&t, x[i]);
    assert_int_equal(t.n, N_VALUES);
    assert_close(t.mean, gsl_stats_mean(x, 1, N_VALUES), 1e-12);
    double var = gsl_stats_variance(x, 1, N_VALUES);
    assert_close(sim_tally_variance(&t), var, 1e-12);
    assert_close(sim_tally_sd(&t), sqrt(var), 1e-12);
    assert_true(t.min == gsl_stats_min(x, 1, N_VALUES));
    assert_true(t.max == gsl_stats_max(x, 1, N_VALUES));
}

static void test_tally_small(void **state)
{
    (void)state;
    sim_tally t;
    sim_tally_init(&t);
    assert_int_equal(t.n, 0);
    assert_true(isnan(sim_tally_variance(&t)));
    assert_true(isnan(sim_tally_sd(&t)));
    sim_tally_add(&t, -3.5);
    assert_true(t.mean == -3.5 && t.min == -3.5 && t.max == -3.5);
    assert_true(isnan(sim_tally_variance(&t)));
    /* {-3.5, 1.5}: mean -1, variance ((-2.5)^2 + 2.5^2) / 1 = 12.5 */
    sim_tally_add(&t, 1.5);
    assert_true(t.mean == -1.0);
    assert_true(sim_tally_variance(&t) == 12.5);
    assert_true(t.min == -3.5 && t.max == 1.5);
}

/* Merging the tallies of x[0..k) and x[k..n) gives the tally of x[0..n) for
 * every kind of split, including empty halves. */
static void test_tally_merge(void **state)
{
    (void)state;
    double x[N_VALUES];
    fill_values(x, N_VALUES);
    sim_tally whole;
    sim_tally_init(&whole);
    for (size_t i = 0; i < N_VALUES; i++)
        sim_tally_add(&whole, x[i]);

    const size_t splits[] = {0, 1, 2, 3333, N_VALUES / 2, N_VALUES - 1, N_VALUES};
    for (size_t s = 0; s < sizeof splits / sizeof splits[0]; s++) {
        sim_tally a, b;
        sim_tally_init(&a);
        sim_tally_init(&b);
        for (size_t i = 0; i < splits[s]; i++)
            sim_tally_add(&a, x[i]);
        for (size_t i = splits[s]; i < N_VALUES; i++)
            sim_tally_add(&b, x[i]);
        sim_tally_merge(&a, &b);
        assert_int_equal(a.n, whole.n);
        assert_close(a.mean, whole.mean, 1e-12);
        assert_close(a.m2, whole.m2, 1e-12);
        assert_true(a.min == whole.min && a.max == whole.max);
    }
}

/*
 * Value 2 on [0, 3), 5 on [3, 4), 0 on [4, 4) (an instantaneous blip), 1 on
 * [4, 10): area 6 + 5 + 0 + 6 = 17 over 10. At t = 4 the area is 11 over 4.
 */
static void test_timeavg_step_function(void **state)
{
    (void)state;
    sim_timeavg a;
    sim_timeavg_init(&a, 0.0, 2.0);
    assert_true(sim_timeavg_mean(&a, 0.0) == 2.0);
    assert_true(sim_timeavg_mean(&a, 1.0) == 2.0);
    sim_timeavg_set(&a, 3.0, 5.0);
    sim_timeavg_set(&a, 4.0, 0.0);
    sim_timeavg_set(&a, 4.0, 1.0);
    assert_close(sim_timeavg_mean(&a, 4.0), 11.0 / 4.0, 1e-15);
    assert_close(sim_timeavg_mean(&a, 10.0), 17.0 / 10.0, 1e-15);

    /* starting at t0 != 0: 3 on [100, 102), 7 on [102, 103): 13 / 3 */
    sim_timeavg_init(&a, 100.0, 3.0);
    sim_timeavg_set(&a, 102.0, 7.0);
    assert_close(sim_timeavg_mean(&a, 103.0), 13.0 / 3.0, 1e-15);

    /* the value itself while no time has passed, even after changes */
    sim_timeavg_init(&a, 5.0, 1.0);
    sim_timeavg_set(&a, 5.0, 9.0);
    assert_true(sim_timeavg_mean(&a, 5.0) == 9.0);
}

/* Time going backwards is a programmer error: the assertion aborts. */
static void test_timeavg_backwards_aborts(void **state)
{
    (void)state;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr)) /* keep the assertion text out of the log */
            _exit(2);
        sim_timeavg a;
        sim_timeavg_init(&a, 0.0, 1.0);
        sim_timeavg_set(&a, 2.0, 3.0);
        sim_timeavg_set(&a, 1.0, 4.0);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* n = 10, level 0.95: t_{0.975, 9} = 2.2621571627982 (tables; R qt(0.975, 9)). */
static void test_ci_t_known_value(void **state)
{
    (void)state;
    sim_interval ci;
    assert_int_equal(sim_ci_t(10.0, 2.0, 10, 0.95, &ci), SIM_OK);
    double half = 2.2621571627982 * 2.0 / sqrt(10.0);
    assert_close(ci.half_width, half, 1e-12);
    assert_close(ci.low, 10.0 - half, 1e-12);
    assert_close(ci.high, 10.0 + half, 1e-12);

    /* n = 2, level 0.99: t_{0.995, 1} = tan(pi (0.995 - 1/2)) = 63.656741162871... */
    assert_int_equal(sim_ci_t(0.0, 1.0, 2, 0.99, &ci), SIM_OK);
    assert_close(ci.half_width, tan(acos(-1.0) * 0.495) / sqrt(2.0), 1e-12);

    /* sd 0: a zero-width interval at the mean */
    assert_int_equal(sim_ci_t(4.0, 0.0, 5, 0.9, &ci), SIM_OK);
    assert_true(ci.low == 4.0 && ci.high == 4.0 && ci.half_width == 0.0);
}

static void test_ci_t_invalid(void **state)
{
    (void)state;
    sim_interval ci;
    assert_int_equal(sim_ci_t(1, 1, 0, 0.95, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, 1, 1, 0.95, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, 1, 10, 0.0, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, 1, 10, 1.0, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, 1, 10, -0.5, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, 1, 10, 1.5, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, 1, 10, NAN, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(NAN, 1, 10, 0.95, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(INFINITY, 1, 10, 0.95, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, NAN, 10, 0.95, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, INFINITY, 10, 0.95, &ci), SIM_EINVAL);
    assert_int_equal(sim_ci_t(1, -1, 10, 0.95, &ci), SIM_EINVAL);
    assert_true(isnan(ci.low) && isnan(ci.high) && isnan(ci.half_width));
}

/*
 * Initial size 1 and 2*SIM_BATCH_SLOTS = 64 batches: after 63 observations
 * 63 batches of 1; the 64th merges them into 32 batches of 2; then 32 more
 * batches of 2 (64 more observations) complete at n = 128 and merge into 32
 * of 4. In general, after n = 32 * 2^k observations (k >= 1) there are 32
 * batches of size 2^k, and batch i holds observations [i 2^k, (i + 1) 2^k).
 */
static void test_batch_means_doubling(void **state)
{
    (void)state;
    sim_batch_means b;
    sim_batch_means_init(&b, 0);
    assert_int_equal(b.batch_size, 1);
    uint64_t n = 0;
    for (; n < 63; n++)
        sim_batch_means_add(&b, (double)n);
    assert_int_equal(b.batches, 63);
    assert_int_equal(b.batch_size, 1);
    sim_batch_means_add(&b, (double)n++);
    assert_int_equal(b.batches, 32);
    assert_int_equal(b.batch_size, 2);
    assert_int_equal(b.in_current, 0);
    for (; n < 127; n++)
        sim_batch_means_add(&b, (double)n);
    assert_int_equal(b.batches, 63);
    assert_int_equal(b.in_current, 1);
    assert_int_equal(b.batch_size, 2);
    sim_batch_means_add(&b, (double)n++);
    assert_int_equal(b.batches, 32);
    assert_int_equal(b.batch_size, 4);

    for (; n < 32 * 1024; n++)
        sim_batch_means_add(&b, (double)n);
    assert_int_equal(b.n, 32 * 1024);
    assert_int_equal(b.batches, 32);
    assert_int_equal(b.batch_size, 1024);
    assert_int_equal(b.in_current, 0);
    /* batch i sums i*1024 .. i*1024 + 1023: 1024 (i*1024) + 1023*1024/2, exact in double */
    for (unsigned i = 0; i < b.batches; i++)
        assert_true(b.sums[i] == 1024.0 * (1024.0 * i) + 1023.0 * 1024.0 / 2.0);

    /* 100 more: one batch of 1024 would need 1024, so they stay open */
    for (int i = 0; i < 100; i++)
        sim_batch_means_add(&b, 1.0);
    assert_int_equal(b.batches, 32);
    assert_int_equal(b.in_current, 100);

    sim_batch_means_init(&b, 10);
    for (int i = 0; i < 25; i++)
        sim_batch_means_add(&b, 1.0);
    assert_int_equal(b.batch_size, 10);
    assert_int_equal(b.batches, 2);
    assert_int_equal(b.in_current, 5);
}

/* The interval uses completed batches only: the open batch is left out. */
static void test_batch_means_ci_small(void **state)
{
    (void)state;
    sim_batch_means b;
    double mean;
    sim_interval ci;
    sim_batch_means_init(&b, 2);
    assert_int_equal(sim_batch_means_ci(&b, 0.95, &mean, &ci), SIM_EINVAL);
    sim_batch_means_add(&b, 1.0);
    sim_batch_means_add(&b, 3.0); /* batch mean 2 */
    assert_int_equal(sim_batch_means_ci(&b, 0.95, &mean, &ci), SIM_EINVAL);
    sim_batch_means_add(&b, 5.0);
    sim_batch_means_add(&b, 7.0);    /* batch mean 6 */
    sim_batch_means_add(&b, 1000.0); /* open */
    assert_int_equal(sim_batch_means_ci(&b, 0.95, &mean, &ci), SIM_OK);
    /* means {2, 6}: mean 4, sd 2 sqrt(2), t_{0.975, 1} = 12.706204736174698 */
    assert_true(mean == 4.0);
    assert_close(ci.half_width, 12.706204736174698 * 2.0 * sqrt(2.0) / sqrt(2.0), 1e-12);
    assert_int_equal(sim_batch_means_ci(&b, 1.0, &mean, &ci), SIM_EINVAL);
}

/*
 * AR(1): x_t = 0.5 + 0.9 x_{t-1} + e_t, e_t ~ N(0, 1), x_0 = 5 = 0.5 / (1 - 0.9),
 * the stationary mean. 10^6 observations leave 61 batches of 16384. The
 * long-run variance is sigma_e^2 / (1 - phi)^2 = 100, so each batch mean has
 * variance ~100 / 16384 (the correction is O(1 / (m (1 - phi))) ~ 6e-4).
 * Checks: the 99% interval contains 5; the batch means' sample sd s lies in its
 * 99.9% chi-square interval, (k-1) s^2 / sigma^2 ~ chi^2_{k-1}, which the
 * iid sd of x (2.29 / sqrt(16384)) would fail by a factor of ~4.4.
 */
static void test_batch_means_ar1(void **state)
{
    (void)state;
    sim_rng r;
    sim_rng_init(&r, 12345, 0, "test_stats", 1);
    sim_batch_means b;
    sim_batch_means_init(&b, 1);
    double x = 5.0;
    for (int t = 0; t < 1000000; t++) {
        x = 0.5 + 0.9 * x + gsl_ran_gaussian_ziggurat(sim_rng_gsl(&r), 1.0);
        sim_batch_means_add(&b, x);
    }
    assert_int_equal(b.batch_size, 16384);
    assert_int_equal(b.batches, 61);

    double mean;
    sim_interval ci;
    assert_int_equal(sim_batch_means_ci(&b, 0.99, &mean, &ci), SIM_OK);
    if (!(ci.low <= 5.0 && 5.0 <= ci.high))
        fail_msg("99%% interval [%.6g, %.6g] misses the mean 5", ci.low, ci.high);

    double k = b.batches;
    double s = ci.half_width * sqrt(k) / gsl_cdf_tdist_Pinv(0.995, k - 1);
    double sigma = sqrt(100.0 / 16384.0);
    double lo = sigma * sqrt(gsl_cdf_chisq_Pinv(0.0005, k - 1) / (k - 1));
    double hi = sigma * sqrt(gsl_cdf_chisq_Pinv(0.9995, k - 1) / (k - 1));
    if (!(lo <= s && s <= hi)) fail_msg("batch-mean sd %.6g outside [%.6g, %.6g]", s, lo, hi);
}

/*
 * Coverage on iid N(5, 2^2) data: 1000 replications of 6400 observations
 * (50 batches of 128), each on its own stream. Batch means of normal data are
 * independent and normal, so the 95% interval covers 5 with probability
 * exactly 0.95; the count of covers is Binomial(1000, 0.95) and must lie in
 * 950 +/- 3.29 sqrt(1000 * 0.95 * 0.05) = 950 +/- 22.7.
 */
static void test_batch_means_iid_coverage(void **state)
{
    (void)state;
    const int reps = 1000;
    int covers = 0;
    for (int rep = 0; rep < reps; rep++) {
        sim_rng r;
        sim_rng_init(&r, 12345, (uint64_t)rep, "test_stats", 2);
        sim_batch_means b;
        sim_batch_means_init(&b, 1);
        for (int t = 0; t < 6400; t++)
            sim_batch_means_add(&b, 5.0 + 2.0 * gsl_ran_gaussian_ziggurat(sim_rng_gsl(&r), 1.0));
        assert_int_equal(b.batches, 50);
        double mean;
        sim_interval ci;
        assert_int_equal(sim_batch_means_ci(&b, 0.95, &mean, &ci), SIM_OK);
        covers += ci.low <= 5.0 && 5.0 <= ci.high;
    }
    double tol = Z_999 * sqrt(reps * 0.95 * 0.05);
    if (!(fabs(covers - 0.95 * reps) <= tol))
        fail_msg("%d of %d intervals cover the mean, expected %g +/- %.3g", covers, reps,
                 0.95 * reps, tol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tally_matches_gsl),
        cmocka_unit_test(test_tally_small),
        cmocka_unit_test(test_tally_merge),
        cmocka_unit_test(test_timeavg_step_function),
        cmocka_unit_test(test_timeavg_backwards_aborts),
        cmocka_unit_test(test_ci_t_known_value),
        cmocka_unit_test(test_ci_t_invalid),
        cmocka_unit_test(test_batch_means_doubling),
        cmocka_unit_test(test_batch_means_ci_small),
        cmocka_unit_test(test_batch_means_ar1),
        cmocka_unit_test(test_batch_means_iid_coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
