/*
 * bench/hold — the classic hold model (Vaucher and Duval 1975; Jones 1986) on
 * the pending-event set: fill the queue with N events, then repeat "pop the
 * earliest, push it again at its time plus an exponential(1) increment". The
 * queue size stays N; the figure is nanoseconds per hold, the random draw
 * included. A warm-up of N holds first lets the time distribution settle.
 *
 *   bench_hold [holds-per-size]   default 10,000,000, at N = 10^3, 10^5, 10^6
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "event_queue.h"
#include "rng.h"

static void nothing(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)obj;
    (void)arg;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int hold(size_t n, uint64_t holds)
{
    sim_queue *q = sim_queue_new(n);
    if (!q) return 1;
    sim_rng r;
    sim_rng_init(&r, 1, 0, "hold", n);
    sim_event ev;
    for (size_t i = 0; i < n; i++)
        if (sim_queue_push(q, sim_rng_exponential(&r, 1.0), nothing, NULL, 0) == SIM_EVENT_NONE)
            return 1;
    double t;
    for (size_t i = 0; i < n; i++) {
        sim_queue_pop(q, &t, &ev);
        sim_queue_push(q, t + sim_rng_exponential(&r, 1.0), ev.fn, ev.obj, ev.arg);
    }
    double t0 = seconds_now();
    for (uint64_t i = 0; i < holds; i++) {
        sim_queue_pop(q, &t, &ev);
        sim_queue_push(q, t + sim_rng_exponential(&r, 1.0), ev.fn, ev.obj, ev.arg);
    }
    double wall = seconds_now() - t0;
    printf("hold: %8zu pending  %6.1f ns/hold  (%" PRIu64 " holds in %.3f s)\n", n,
           wall * 1e9 / (double)holds, holds, wall);
    sim_queue_free(q);
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t holds = 10000000;
    if (argc > 1) {
        char *end;
        unsigned long long v = strtoull(argv[1], &end, 10);
        if (*end || v == 0) {
            fprintf(stderr, "usage: bench_hold [holds-per-size > 0]\n");
            return 64;
        }
        holds = v;
    }
    const size_t sizes[] = {1000, 100000, 1000000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (hold(sizes[i], holds)) {
            fprintf(stderr, "bench_hold: out of memory\n");
            return 70;
        }
    return 0;
}
