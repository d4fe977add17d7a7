/* Tests of sim/rng: reproducibility, stream independence, the GSL face. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include <Random123/threefry.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "rng.h"

static void test_fnv1a_known_values(void **state)
{
    (void)state;
    /* Reference values from the FNV specification's test suite. */
    assert_int_equal(sim_rng_hash(""), 0xcbf29ce484222325ULL);
    assert_int_equal(sim_rng_hash("a"), 0xaf63dc4c8601ec8cULL);
    assert_int_equal(sim_rng_hash("foobar"), 0x85944171f73967e8ULL);
}

/* Block 0 of a stream is Threefry-4x64-20 of counter 0 under the stream's key. */
static void test_known_answer(void **state)
{
    (void)state;
    sim_rng r;
    sim_rng_init(&r, 42, 3, "demand", 7);
    threefry4x64_ctr_t ctr = {{0, 0, 0, 0}};
    threefry4x64_key_t key = {{42, 3, sim_rng_hash("demand"), 7}};
    threefry4x64_ctr_t block0 = threefry4x64(ctr, key);
    ctr.v[0] = 1;
    threefry4x64_ctr_t block1 = threefry4x64(ctr, key);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_rng_u64(&r), block0.v[i]);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sim_rng_u64(&r), block1.v[i]);
}

static void test_reproducible(void **state)
{
    (void)state;
    sim_rng a, b;
    sim_rng_init(&a, 1, 0, "x", 0);
    sim_rng_init(&b, 1, 0, "x", 0);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(sim_rng_u64(&a), sim_rng_u64(&b));
}

/* Every part of the key changes the sequence. */
static void test_keys_distinguish(void **state)
{
    (void)state;
    sim_rng base, other[4];
    sim_rng_init(&base, 1, 0, "x", 0);
    sim_rng_init(&other[0], 2, 0, "x", 0);
    sim_rng_init(&other[1], 1, 1, "x", 0);
    sim_rng_init(&other[2], 1, 0, "y", 0);
    sim_rng_init(&other[3], 1, 0, "x", 1);
    uint64_t first[8];
    for (int i = 0; i < 8; i++)
        first[i] = sim_rng_u64(&base);
    for (int k = 0; k < 4; k++) {
        int same = 0;
        for (int i = 0; i < 8; i++)
            same += sim_rng_u64(&other[k]) == first[i];
        assert_int_equal(same, 0);
    }
}

/* Extra draws from stream A leave stream B's numbers exactly as they were:
 * the property common random numbers rest on. */
static void test_streams_independent(void **state)
{
    (void)state;
    sim_rng alone, b, a;
    sim_rng_init(&alone, 9, 2, "lanes", 0);
    sim_rng_init(&b, 9, 2, "lanes", 0);
    sim_rng_init(&a, 9, 2, "demand", 0);
    for (int i = 0; i < 5000; i++) {
        for (int k = 0; k < i % 5; k++)
            (void)gsl_ran_gamma(sim_rng_gsl(&a), 2.0, 1.0);
        assert_true(sim_rng_uniform(&b) == sim_rng_uniform(&alone));
    }
}

/* The GSL face and the inline draws read the same state. */
static void test_gsl_face(void **state)
{
    (void)state;
    sim_rng a, b;
    sim_rng_init(&a, 5, 0, "g", 0);
    sim_rng_init(&b, 5, 0, "g", 0);
    gsl_rng *g = sim_rng_gsl(&b);
    assert_string_equal(gsl_rng_name(g), "sim-threefry4x64");
    assert_int_equal(gsl_rng_max(g), 0xffffffffUL);
    assert_int_equal(gsl_rng_min(g), 0);
    for (int i = 0; i < 1000; i++) {
        if (i % 2) {
            assert_true(sim_rng_uniform(&a) == gsl_rng_uniform(g));
        } else {
            uint64_t w = sim_rng_u64(&a);
            assert_int_equal((unsigned long)(w >> 32), gsl_rng_get(g));
        }
    }
    /* gsl_rng_alloc works with the type too, and set() restarts the stream. */
    gsl_rng *h = gsl_rng_alloc(sim_rng_threefry);
    assert_non_null(h);
    gsl_rng_set(h, 77);
    double first = gsl_rng_uniform(h);
    (void)gsl_rng_uniform(h);
    gsl_rng_set(h, 77);
    assert_true(gsl_rng_uniform(h) == first);
    gsl_rng_free(h);
}

/* Uniforms are in range; their mean and a 64-bin histogram pass tests at the
 * 99.9% level (fixed seed, so the outcome is deterministic). */
static void test_uniform_distribution(void **state)
{
    (void)state;
    enum { N = 1000000, BINS = 64 };
    sim_rng r;
    sim_rng_init(&r, 2024, 0, "uniform", 0);
    unsigned long counts[BINS] = {0};
    double sum = 0;
    for (int i = 0; i < N; i++) {
        double u = sim_rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        double p = sim_rng_uniform_pos(&r);
        assert_true(p > 0.0 && p < 1.0);
        sum += u;
        counts[(int)(u * BINS)]++;
    }
    double mean = sum / N;
    assert_true(fabs(mean - 0.5) <= 3.29 * sqrt(1.0 / 12.0 / N));
    double expected = (double)N / BINS, chi2 = 0;
    for (int k = 0; k < BINS; k++)
        chi2 += ((double)counts[k] - expected) * ((double)counts[k] - expected) / expected;
    assert_true(chi2 <= gsl_cdf_chisq_Qinv(0.001, BINS - 1));
}

/* Exponential draws (ziggurat): mean within the 99.9% interval of theory. */
static void test_exponential_mean(void **state)
{
    (void)state;
    enum { N = 1000000 };
    sim_rng r;
    sim_rng_init(&r, 3, 0, "exp", 0);
    double sum = 0;
    for (int i = 0; i < N; i++) {
        double x = sim_rng_exponential(&r, 2.5);
        assert_true(x >= 0 && isfinite(x));
        sum += x;
    }
    /* sd of an exponential equals its mean */
    assert_true(fabs(sum / N - 2.5) <= 3.29 * 2.5 / sqrt((double)N));
}

/* The whole shape: 4 million standard draws in 200 equiprobable bins, the
 * last one the far tail beyond -ln(1/200) = 5.3, against the chi-square
 * critical value at 99.9%; and the tail past r = 7.697 (the ziggurat's
 * separate path) against its probability e^-r with a binomial 99.9% bound. */
static void test_exponential_shape(void **state)
{
    (void)state;
    enum { N = 4000000, BINS = 200 };
    sim_rng r;
    sim_rng_init(&r, 4, 0, "exp-shape", 0);
    static unsigned long counts[BINS];
    unsigned long beyond_r = 0;
    for (int i = 0; i < N; i++) {
        double x = sim_rng_exponential1(&r);
        /* bin k holds F(x) in [k/BINS, (k+1)/BINS), F(x) = 1 - e^-x */
        int k = (int)((1.0 - exp(-x)) * BINS);
        counts[k < BINS ? k : BINS - 1]++;
        beyond_r += x > SIM_ZIG_EXP_R;
    }
    double expected = (double)N / BINS, chi2 = 0;
    for (int k = 0; k < BINS; k++)
        chi2 += ((double)counts[k] - expected) * ((double)counts[k] - expected) / expected;
    assert_true(chi2 <= gsl_cdf_chisq_Qinv(0.001, BINS - 1));
    double p = exp(-SIM_ZIG_EXP_R);
    assert_true(fabs((double)beyond_r - N * p) <= 3.29 * sqrt(N * p * (1 - p)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv1a_known_values),   cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_reproducible),         cmocka_unit_test(test_keys_distinguish),
        cmocka_unit_test(test_streams_independent),  cmocka_unit_test(test_gsl_face),
        cmocka_unit_test(test_uniform_distribution), cmocka_unit_test(test_exponential_mean),
        cmocka_unit_test(test_exponential_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
