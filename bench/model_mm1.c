/*
 * bench/model_mm1 — the M/M/1 queue as a scenario file, through the whole
 * model: the loader, stock points, claims, batches, metrics.
 *
 * It runs tests/validation/mm1.yaml (one make-to-order site, one server,
 * Poisson orders of one unit) with its clock scaled by 100 through --set
 * (orders at 90 a day, batches of mean 0.01 day: the same queue, since only
 * the ratio of rates matters), so that 10 million customers fit in the
 * calendar (the date range ends in 9999). Theory: mean order wait
 * 1 / (mu - lambda) = 0.1 day. Prints customers per second of wall time,
 * next to the kernel-only bench_mm1.
 *
 *   bench_model_mm1 [SCENARIO]    default: the validation file
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "diag.h"
#include "metrics.h"
#include "model.h"
#include "scenario.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : CHIPSIM_SOURCE_DIR "/tests/validation/mm1.yaml";
    /* 10,000,000 customers at 90 a day: 111,111 days from 2000-01-01. */
    const char *sets[] = {"run.end=2304-03-15", "run.warmup_days=0", "demand.0.orders.per_day=90",
                          "sites.shop.processes.make.duration.mean_days=0.01"};
    diag_list *d = diag_list_new();
    world *w = NULL;
    double t0 = seconds_now();
    if (!d || scenario_load(path, sets, sizeof sets / sizeof sets[0], d, &w) != SIM_OK) {
        if (d) diag_print(d, stderr);
        diag_list_free(d);
        return 65;
    }
    diag_list_free(d);
    char err[512];
    model_plan *p = model_plan_new(w, err, sizeof err);
    model_metrics *m = p ? model_metrics_new(p) : NULL;
    if (!m) {
        fprintf(stderr, "bench_model_mm1: out of memory\n");
        return 70;
    }
    double t1 = seconds_now();
    model_config c = model_config_default(w);
    c.check_conservation = false;
    model_run_info info;
    if (model_run(p, &c, m, &info, err, sizeof err) != SIM_OK) {
        fprintf(stderr, "bench_model_mm1: %s\n", err);
        return 70;
    }
    double t2 = seconds_now();
    double sums[RAW_COUNT];
    model_metrics_sum(p, m, 0, model_plan_periods(p), NULL, NULL, sums);
    double wall = t2 - t1;
    printf("mm1 model: %" PRIu64 " customers in %.3f s = %.2f M customers/s, %.1f ns/event "
           "(%" PRIu64 " events; load and plan %.3f s)\n",
           info.orders, wall, (double)info.orders / wall / 1e6, wall * 1e9 / (double)info.events,
           info.events, t1 - t0);
    printf("mm1 model: mean order wait %.5f days (theory 0.1), %.0f orders filled\n",
           model_metric_from_sums(MET_ORDER_WAIT, sums), sums[RAW_FILLED]);
    model_metrics_free(m);
    model_plan_free(p);
    world_free(w);
    return 0;
}
