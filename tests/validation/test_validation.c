/*
 * The model against theory. Each scenario in this folder is a textbook
 * system written as a chipsim scenario; the test runs its replications
 * (fixed seed) through the whole model and checks that the theoretical
 * value lies inside the 99.9% Student-t confidence interval of the
 * replication means. It also checks that the interval is narrow (relative
 * to the value), so a test cannot pass by being too noisy to fail.
 *
 * With about ten checks at 99.9%, a correct model fails one by chance with
 * probability about 1%; the seeds are fixed, so a failure is repeatable and
 * is a reason to look, not to rerun.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "diag.h"
#include "metrics.h"
#include "model.h"
#include "scenario.h"
#include "stats.h"

#define LEVEL 0.999

typedef struct run {
    world *w;
    model_plan *p;
    model_metrics *m;
} run;

static void open_run(run *r, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", VALIDATION_DIR, name);
    diag_list *d = diag_list_new();
    assert_non_null(d);
    r->w = NULL;
    if (scenario_load(path, NULL, 0, d, &r->w) != SIM_OK) diag_print(d, stderr);
    diag_list_free(d);
    assert_non_null(r->w);
    char err[256];
    r->p = model_plan_new(r->w, err, sizeof err);
    assert_non_null(r->p);
    r->m = model_metrics_new(r->p);
    assert_non_null(r->m);
}

static void close_run(run *r)
{
    model_metrics_free(r->m);
    model_plan_free(r->p);
    world_free(r->w);
}

static void run_replication(run *r, uint64_t rep)
{
    model_config c = model_config_default(r->w);
    c.replication = rep;
    c.check_conservation = true;
    char err[512] = "";
    sim_status st = model_run(r->p, &c, r->m, NULL, err, sizeof err);
    if (st != SIM_OK) fprintf(stderr, "replication %llu: %s\n", (unsigned long long)rep, err);
    assert_int_equal(st, SIM_OK);
}

static bool only_stock(const model_plan *p, uint32_t s, const void *ctx)
{
    (void)p;
    return s == *(const uint32_t *)ctx;
}

static uint32_t stock_of(const run *r, const char *site, const char *product)
{
    uint32_t s = model_plan_find_stock(r->p, world_find_site(r->w, site),
                                       world_find_product(r->w, product), false);
    assert_int_not_equal(s, WORLD_NONE);
    return s;
}

/* Sums over the whole run for one stock point. */
static void sums_of(const run *r, uint32_t stock, double sums[RAW_COUNT])
{
    model_metrics_sum(r->p, r->m, 0, model_plan_periods(r->p), only_stock, &stock, sums);
}

/* Asserts that theory lies in the LEVEL interval of the tally, and that the
 * interval's half-width is below max_rel of the theory. */
static void check_ci(const char *what, const sim_tally *t, double theory, double max_rel)
{
    sim_interval ci;
    assert_int_equal(sim_ci_t(t->mean, sim_tally_sd(t), t->n, LEVEL, &ci), SIM_OK);
    fprintf(stderr, "  %-44s theory %.5f  sim %.5f  %.1f%% CI [%.5f, %.5f]  (%llu reps)\n", what,
            theory, t->mean, 100 * LEVEL, ci.low, ci.high, (unsigned long long)t->n);
    assert_true(ci.low <= theory && theory <= ci.high);
    assert_true(ci.half_width <= max_rel * fabs(theory));
}

/* Mean order wait (order to delivery) of a make-to-order site. */
static void check_queue(const char *file, double theory)
{
    run r;
    open_run(&r, file);
    uint32_t s = stock_of(&r, "shop", "widget");
    sim_tally t;
    sim_tally_init(&t);
    for (uint64_t rep = 0; rep < r.w->run.replications; rep++) {
        run_replication(&r, rep);
        double sums[RAW_COUNT];
        sums_of(&r, s, sums);
        assert_true(sums[RAW_FILLED] > 1000);
        sim_tally_add(&t, model_metric_from_sums(MET_ORDER_WAIT, sums));
    }
    check_ci(file, &t, theory, 0.05);
    close_run(&r);
}

static void test_mm1(void **state)
{
    (void)state;
    double lambda = 0.9, mu = 1.0;
    check_queue("mm1.yaml", 1 / (mu - lambda)); /* 10 days */
}

/* Erlang C: probability that an arrival waits in M/M/c. */
static double erlang_c(unsigned c, double a)
{
    double term = 1, sum = 0;
    for (unsigned k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double last = term * c / (c - a); /* a^c / c! * c / (c - a) */
    return last / (sum + last);
}

static void test_mm2_erlang_c(void **state)
{
    (void)state;
    double lambda = 1.6, mu = 1.0;
    unsigned c = 2;
    double w = erlang_c(c, lambda / mu) / (c * mu - lambda) + 1 / mu;
    assert_true(fabs(w - 2.77778) < 1e-4);
    check_queue("mm2.yaml", w);
}

static void test_md1_pollaczek_khinchine(void **state)
{
    (void)state;
    double lambda = 0.9, mu = 1.0, rho = lambda / mu;
    check_queue("md1.yaml", 1 / mu + rho / (2 * mu * (1 - rho))); /* 5.5 days */
}

static void test_base_stock(void **state)
{
    (void)state;
    run r;
    open_run(&r, "base_stock.yaml");
    const double lambda = 1, lead = 4, S = 5, mu = lambda * lead;
    double fill_theory = gsl_cdf_poisson_P((unsigned)(S - 1), mu);
    double backorders_theory = 0;
    for (unsigned k = (unsigned)S + 1; k < 200; k++)
        backorders_theory += (k - S) * gsl_ran_poisson_pdf(k, mu);
    uint32_t s = stock_of(&r, "store", "widget"), s2 = stock_of(&r, "store2", "widget");
    sim_tally fill, backorders, little;
    sim_tally_init(&fill);
    sim_tally_init(&backorders);
    sim_tally_init(&little);
    size_t np = model_plan_periods(r.p);
    for (uint64_t rep = 0; rep < r.w->run.replications; rep++) {
        run_replication(&r, rep);
        double sums[RAW_COUNT];
        sums_of(&r, s, sums);
        sim_tally_add(&fill, model_metric_from_sums(MET_FILL_RATE, sums));
        /* Backorders at each week's end: a stationary process sampled at
         * fixed times, so their mean estimates the time average. */
        double b = 0;
        for (size_t i = 0; i < np; i++)
            b += model_metrics_cell(r.m, i, s)[RAW_BACKLOG_END];
        sim_tally_add(&backorders, b / (double)np);
        /* Little: mean in transit - shipment rate x mean transit -> 0. */
        sums_of(&r, s2, sums);
        double in_transit = model_metric_from_sums(MET_IN_TRANSIT, sums);
        double rate = sums[RAW_SHIPPED] / sums[RAW_DAYS];
        sim_tally_add(&little, in_transit / (rate * lead));
    }
    check_ci("base stock: fill rate P(Poisson(4) <= 4)", &fill, fill_theory, 0.02);
    check_ci("base stock: mean backorders E[(D - S)+]", &backorders, backorders_theory, 0.1);
    check_ci("Little: in transit / (rate x transit)", &little, 1.0, 0.02);
    close_run(&r);
}

/* Mean of y(t) = end - (end - start) exp(-t / tau) over [a, b). */
static double learning_mean(double start, double end, double tau, double a, double b)
{
    return end - (end - start) * tau / (b - a) * (exp(-a / tau) - exp(-b / tau));
}

static void test_yield(void **state)
{
    (void)state;
    run r;
    open_run(&r, "yield.yaml");
    uint32_t steady = stock_of(&r, "fab", "steady_chip");
    uint32_t learning = stock_of(&r, "fab", "learning_chip");
    size_t np = model_plan_periods(r.p);
    /* Weeks to check: the first full weeks, then along the curve. */
    const size_t weeks[] = {1, 4, 13, 26, 52, 100};
    const size_t n_weeks = sizeof weeks / sizeof weeks[0];
    sim_tally good_share, scrap[6];
    sim_tally_init(&good_share);
    for (size_t k = 0; k < n_weeks; k++)
        sim_tally_init(&scrap[k]);
    for (uint64_t rep = 0; rep < r.w->run.replications; rep++) {
        run_replication(&r, rep);
        double sums[RAW_COUNT];
        sums_of(&r, steady, sums);
        sim_tally_add(&good_share, sums[RAW_PRODUCED] / (sums[RAW_PRODUCED] + sums[RAW_SCRAPPED]));
        for (size_t k = 0; k < n_weeks; k++) {
            assert_true(weeks[k] < np);
            const double *c = model_metrics_cell(r.m, weeks[k], learning);
            sim_tally_add(&scrap[k], c[RAW_SCRAPPED] / (c[RAW_PRODUCED] + c[RAW_SCRAPPED]));
        }
    }
    check_ci("constant yield: good / started", &good_share, 0.7, 0.01);
    double prev = INFINITY;
    for (size_t k = 0; k < n_weeks; k++) {
        double a = (double)(model_plan_period_start(r.p, weeks[k]) - r.w->run.start);
        double b = (double)(model_plan_period_end(r.p, weeks[k]) + 1 - r.w->run.start);
        double theory = 1 - learning_mean(0.3, 0.9, 180, a, b);
        char what[64];
        snprintf(what, sizeof what, "learning curve: scrapped share, week %zu", weeks[k]);
        check_ci(what, &scrap[k], theory, 0.1);
        assert_true(theory < prev); /* the curve falls */
        prev = theory;
    }
    close_run(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mm1),
        cmocka_unit_test(test_mm2_erlang_c),
        cmocka_unit_test(test_md1_pollaczek_khinchine),
        cmocka_unit_test(test_base_stock),
        cmocka_unit_test(test_yield),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
