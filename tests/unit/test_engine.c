/* Tests of sim/engine: clock, horizon, stop and fail, streams, pools, logging,
 * reproducibility, and an M/M/1 queue against theory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "mm1.h"

static sim_engine *new_engine(uint64_t seed, uint64_t replication)
{
    sim_engine_config cfg = {.seed = seed,
                             .replication = replication,
                             .epoch = 19358 /* 2023-01-01 */,
                             .log_level = SIM_LOG_WARN};
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    return e;
}

/* Records (time, arg) of each firing. */
typedef struct trace {
    double time[64];
    uint64_t arg[64];
    int n;
} trace;

static void record(sim_engine *e, void *obj, uint64_t arg)
{
    trace *t = obj;
    assert_true(t->n < 64);
    t->time[t->n] = sim_now(e);
    t->arg[t->n++] = arg;
}

static void test_order_and_horizon(void **state)
{
    (void)state;
    sim_engine *e = new_engine(1, 0);
    trace t = {0};
    sim_schedule_at(e, 5.0, record, &t, 5);
    sim_schedule_at(e, 1.0, record, &t, 1);
    sim_schedule_at(e, 3.0, record, &t, 3);
    sim_schedule_at(e, 3.0, record, &t, 33); /* tie: after the first 3.0 */
    assert_int_equal(sim_engine_run(e, 3.0), SIM_OK);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.arg[0], 1);
    assert_int_equal(t.arg[1], 3);
    assert_int_equal(t.arg[2], 33);
    assert_true(sim_now(e) == 3.0);
    assert_int_equal(sim_engine_events_pending(e), 1);
    assert_int_equal(sim_today(e), 19358 + 3);
    /* Running on to a horizon past the last event leaves the clock there. */
    assert_int_equal(sim_engine_run(e, 10.0), SIM_OK);
    assert_int_equal(t.n, 4);
    assert_true(t.time[3] == 5.0);
    assert_true(sim_now(e) == 10.0);
    assert_int_equal(sim_engine_events_fired(e), 4);
    sim_engine_free(e);
}

typedef struct chain {
    int fired;
    sim_event_id victim;
    bool cancelled;
} chain;

static void count(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    ((chain *)obj)->fired++;
}

static void canceller(sim_engine *e, void *obj, uint64_t arg)
{
    (void)arg;
    chain *c = obj;
    c->cancelled = sim_cancel(e, c->victim);
    /* A handler may schedule more work at the current time. */
    sim_schedule_in(e, 0.0, count, c, 0);
}

static void test_cancel_from_handler(void **state)
{
    (void)state;
    sim_engine *e = new_engine(1, 0);
    chain c = {0};
    c.victim = sim_schedule_at(e, 2.0, count, &c, 0);
    sim_schedule_at(e, 1.0, canceller, &c, 0);
    assert_int_equal(sim_engine_run(e, INFINITY), SIM_OK);
    assert_true(c.cancelled);
    assert_int_equal(c.fired, 1); /* the one scheduled by the canceller */
    assert_false(sim_is_pending(e, c.victim));
    assert_true(sim_now(e) == 1.0); /* INFINITY: the clock stays at the last event */
    sim_engine_free(e);
}

static void test_reschedule(void **state)
{
    (void)state;
    sim_engine *e = new_engine(1, 0);
    trace t = {0};
    sim_event_id a = sim_schedule_at(e, 1.0, record, &t, 1);
    sim_schedule_at(e, 2.0, record, &t, 2);
    assert_true(sim_reschedule(e, a, 3.0));
    assert_int_equal(sim_engine_run(e, INFINITY), SIM_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.arg[0], 2);
    assert_int_equal(t.arg[1], 1);
    assert_true(t.time[1] == 3.0);
    assert_false(sim_reschedule(e, a, 4.0));
    sim_engine_free(e);
}

static void stopper(sim_engine *e, void *obj, uint64_t arg)
{
    record(e, obj, arg);
    sim_engine_stop(e);
}

static void test_stop_and_resume(void **state)
{
    (void)state;
    sim_engine *e = new_engine(1, 0);
    trace t = {0};
    sim_schedule_at(e, 1.0, stopper, &t, 1);
    sim_schedule_at(e, 2.0, record, &t, 2);
    assert_int_equal(sim_engine_run(e, 10.0), SIM_OK);
    assert_int_equal(t.n, 1);
    assert_true(sim_now(e) == 1.0); /* stopped early: the clock is not moved on */
    assert_int_equal(sim_engine_run(e, 10.0), SIM_OK); /* still stopped */
    assert_int_equal(t.n, 1);
    sim_engine_resume(e);
    assert_int_equal(sim_engine_run(e, 10.0), SIM_OK);
    assert_int_equal(t.n, 2);
    sim_engine_free(e);
}

static void failer(sim_engine *e, void *obj, uint64_t arg)
{
    (void)obj;
    sim_engine_fail(e, SIM_EMODEL, "negative stock %d at site %s", (int)arg, "x");
    sim_engine_fail(e, SIM_EIO, "second failure is ignored");
}

static void test_fail(void **state)
{
    (void)state;
    sim_engine *e = new_engine(1, 0);
    trace t = {0};
    assert_string_equal(sim_engine_error(e), "");
    sim_schedule_at(e, 1.0, failer, NULL, 7);
    sim_schedule_at(e, 2.0, record, &t, 2);
    assert_int_equal(sim_engine_run(e, 10.0), SIM_EMODEL);
    assert_int_equal(sim_engine_status(e), SIM_EMODEL);
    assert_string_equal(sim_engine_error(e), "negative stock 7 at site x");
    assert_int_equal(t.n, 0);
    sim_engine_resume(e); /* does not clear a failure */
    assert_int_equal(sim_engine_run(e, 10.0), SIM_EMODEL);
    assert_int_equal(t.n, 0);
    sim_engine_free(e);
}

static void test_streams(void **state)
{
    (void)state;
    sim_engine *e = new_engine(99, 4);
    sim_rng *a = sim_engine_stream(e, "demand", 0);
    assert_non_null(a);
    assert_ptr_equal(sim_engine_stream(e, "demand", 0), a);
    assert_ptr_not_equal(sim_engine_stream(e, "demand", 1), a);
    assert_ptr_not_equal(sim_engine_stream(e, "lanes", 0), a);
    /* The engine's stream is the stream (seed, replication, name, index). */
    sim_rng ref;
    sim_rng_init(&ref, 99, 4, "demand", 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(sim_rng_u64(a), sim_rng_u64(&ref));
    /* Many streams: the table grows and every pointer stays valid. */
    sim_rng *many[2000];
    for (uint64_t i = 0; i < 2000; i++)
        many[i] = sim_engine_stream(e, "site", i);
    for (uint64_t i = 0; i < 2000; i++)
        assert_ptr_equal(sim_engine_stream(e, "site", i), many[i]);
    assert_ptr_equal(sim_engine_stream(e, "demand", 0), a);
    sim_engine_free(e);
}

static void test_pools_owned(void **state)
{
    (void)state;
    sim_engine *e = new_engine(1, 0);
    sim_pool *p = sim_engine_pool(e, 48);
    assert_non_null(p);
    for (int i = 0; i < 1000; i++)
        assert_non_null(sim_pool_get(p)); /* never put back: the engine frees them */
    assert_int_equal(sim_pool_in_use(p), 1000);
    sim_engine_free(e); /* LeakSanitizer in the sanitizer build checks this */
}

static void logger(sim_engine *e, void *obj, uint64_t arg)
{
    (void)obj;
    (void)arg;
    sim_log(e, SIM_LOG_WARN, "stock low at %s", "tsmc_fab18");
    sim_log(e, SIM_LOG_INFO, "not shown at level warn");
}

static void test_log_lines(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    sim_engine_config cfg = {
        .seed = 1, .replication = 3, .epoch = 19358, .log_level = SIM_LOG_WARN, .log_stream = f};
    sim_engine *e = sim_engine_new(&cfg);
    sim_schedule_at(e, 242.5, logger, NULL, 0); /* 2023-08-31 */
    assert_int_equal(sim_engine_run(e, INFINITY), SIM_OK);
    rewind(f);
    char buf[256] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    assert_string_equal(buf, "[rep 3 2023-08-31] warn: stock low at tsmc_fab18\n");
    assert_true(sim_log_enabled(e, SIM_LOG_ERROR));
    assert_false(sim_log_enabled(e, SIM_LOG_DEBUG));
    fclose(f);
    sim_engine_free(e);
}

/* ---- the M/M/1 reference model (sim/mm1) against theory ---- */

static sim_mm1_result run_mm1(uint64_t seed, double lambda, uint64_t customers, double level)
{
    sim_mm1_config cfg = {.arrival_rate_per_day = lambda,
                          .service_rate_per_day = 1.0,
                          .customers = customers,
                          .seed = seed,
                          .ci_level = level};
    sim_mm1_result r;
    char err[256];
    assert_int_equal(sim_mm1_run(&cfg, &r, err, sizeof err), SIM_OK);
    assert_int_equal(r.served, customers);
    return r;
}

/* Mean wait in queue Wq = rho / (mu - lambda) (Kleinrock vol. 1, eq. 3.26):
 * with lambda = 0.5, mu = 1 it is 1.0 day. The 99.9% batch-means interval of
 * a fixed-seed run of a million customers must hold it. */
static void test_mm1_against_theory(void **state)
{
    (void)state;
    assert_true(sim_mm1_theory_wait_days(0.5, 1.0) == 1.0);
    sim_mm1_result r = run_mm1(2023, 0.5, 1000000, 0.999);
    assert_true(r.ci.low <= 1.0 && 1.0 <= r.ci.high);
    /* and the interval is tight enough to mean something */
    assert_true(r.ci.half_width < 0.05);
    /* Little's law for the event count: two events per customer, give or take
     * the ones in flight when the run stopped. */
    assert_true(r.events >= 2 * r.served - 1 && r.events <= 2 * r.served + r.max_queue + 2);
}

/* Same seed, same run; another seed, another run. */
static void test_reproducible_runs(void **state)
{
    (void)state;
    sim_mm1_result a = run_mm1(5, 0.8, 20000, 0.95);
    sim_mm1_result b = run_mm1(5, 0.8, 20000, 0.95);
    sim_mm1_result c = run_mm1(6, 0.8, 20000, 0.95);
    assert_memory_equal(&a, &b, sizeof a);
    assert_true(a.mean_wait_days != c.mean_wait_days);
}

static void test_mm1_rejects_bad_config(void **state)
{
    (void)state;
    char err[256];
    sim_mm1_result r;
    sim_mm1_config unstable = {.arrival_rate_per_day = 1.0,
                               .service_rate_per_day = 1.0,
                               .customers = 1000,
                               .ci_level = 0.95};
    assert_int_equal(sim_mm1_run(&unstable, &r, err, sizeof err), SIM_EINVAL);
    assert_string_equal(err, "rates must satisfy 0 < arrival rate < service rate (got 1 and 1)");
    sim_mm1_config few = {.arrival_rate_per_day = 0.5,
                          .service_rate_per_day = 1.0,
                          .customers = 10,
                          .ci_level = 0.95};
    assert_int_equal(sim_mm1_run(&few, &r, err, sizeof err), SIM_EINVAL);
    assert_string_equal(err, "customers must be >= 100 (got 10)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_and_horizon),
        cmocka_unit_test(test_cancel_from_handler),
        cmocka_unit_test(test_reschedule),
        cmocka_unit_test(test_stop_and_resume),
        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_pools_owned),
        cmocka_unit_test(test_log_lines),
        cmocka_unit_test(test_mm1_against_theory),
        cmocka_unit_test(test_reproducible_runs),
        cmocka_unit_test(test_mm1_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
