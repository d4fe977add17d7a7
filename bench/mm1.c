/*
 * bench/mm1 — the M/M/1 reference model (sim/mm1.h) on the kernel API.
 *
 * Arrival rate 0.9, service rate 1.0: theory says the mean wait in queue is
 * rho / (mu - lambda) = 9.0 days. Prints customers per second of wall time
 * and the batch-means 95% interval of the mean wait.
 *
 *   bench_mm1 [customers]      default 10,000,000
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mm1.h"

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    sim_mm1_config cfg = {.arrival_rate_per_day = 0.9,
                          .service_rate_per_day = 1.0,
                          .customers = 10000000,
                          .seed = 1,
                          .ci_level = 0.95};
    if (argc > 1) {
        char *end;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (*end || v < 100) {
            fprintf(stderr, "usage: bench_mm1 [customers >= 100]\n");
            return 64;
        }
        cfg.customers = v;
    }
    sim_mm1_result r;
    char err[256];
    double t0 = seconds_now();
    if (sim_mm1_run(&cfg, &r, err, sizeof err) != SIM_OK) {
        fprintf(stderr, "bench_mm1: %s\n", err);
        return 70;
    }
    double wall = seconds_now() - t0;
    printf("mm1 kernel: %" PRIu64 " customers in %.3f s = %.2f M customers/s, %.1f ns/event\n",
           r.served, wall, (double)r.served / wall / 1e6, wall * 1e9 / (double)r.events);
    printf("mm1 kernel: mean wait in queue %.3f days, 95%% CI [%.3f, %.3f] (theory %.3f)\n",
           r.mean_wait_days, r.ci.low, r.ci.high, sim_mm1_theory_wait_days(0.9, 1.0));
    return 0;
}
