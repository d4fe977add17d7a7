/*
 * chipsim demo — the kernel's reference M/M/1 queue (sim/mm1.h), run once and
 * set against queueing theory. It shows the kernel working end to end before a
 * scenario exists, and what the rest of chipsim reports: an estimate, its
 * confidence interval, and the figure theory predicts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "commands.h"
#include "exit_codes.h"
#include "mm1.h"

void cmd_demo_usage(FILE *out)
{
    fprintf(out,
            "usage: chipsim demo [--customers N] [--arrival-rate L] [--service-rate M] [--seed S]\n"
            "\n"
            "Runs an M/M/1 queue (Poisson arrivals, one server, exponential service) on the\n"
            "simulation kernel and compares the mean wait in queue with theory,\n"
            "Wq = rho / (M - L) with rho = L / M.\n"
            "\n"
            "options:\n"
            "  --customers N       customers to serve (default 1000000, at least 100)\n"
            "  --arrival-rate L    arrivals per day (default 0.9)\n"
            "  --service-rate M    services per day, more than L (default 1.0)\n"
            "  --seed S            master seed (default 1)\n"
            "\n"
            "example:\n"
            "  chipsim demo --customers 10000000 --arrival-rate 0.8\n");
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_demo_run(int argc, char **argv)
{
    sim_mm1_config cfg = {.arrival_rate_per_day = 0.9,
                          .service_rate_per_day = 1.0,
                          .customers = 1000000,
                          .seed = 1,
                          .ci_level = 0.95};
    cli_args a = {"demo", argc, argv, 1};
    while (a.i < argc) {
        const char *arg = argv[a.i];
        bool ok;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_demo_usage(stdout);
            return EXIT_OK;
        } else if (cli_is_option(&a, "--customers")) {
            ok = cli_take_u64(&a, "--customers", 100, &cfg.customers);
        } else if (cli_is_option(&a, "--arrival-rate")) {
            ok = cli_take_double(&a, "--arrival-rate", 0, 1e9, &cfg.arrival_rate_per_day);
        } else if (cli_is_option(&a, "--service-rate")) {
            ok = cli_take_double(&a, "--service-rate", 0, 1e9, &cfg.service_rate_per_day);
        } else if (cli_is_option(&a, "--seed")) {
            ok = cli_take_u64(&a, "--seed", 0, &cfg.seed);
        } else {
            cli_usage_error(&a, "unknown option '%s'", arg);
            return EXIT_USAGE;
        }
        if (!ok) return EXIT_USAGE;
    }
    if (cfg.arrival_rate_per_day >= cfg.service_rate_per_day) {
        cli_usage_error(&a,
                        "--arrival-rate (%g) must be below --service-rate (%g), or the queue "
                        "grows without bound",
                        cfg.arrival_rate_per_day, cfg.service_rate_per_day);
        return EXIT_USAGE;
    }

    sim_mm1_result r;
    char err[256];
    double t0 = seconds_now();
    sim_status st = sim_mm1_run(&cfg, &r, err, sizeof err);
    double wall = seconds_now() - t0;
    if (st != SIM_OK) {
        fprintf(stderr, "chipsim demo: %s\n", err);
        return st == SIM_EINVAL ? EXIT_USAGE : EXIT_SOFTWARE;
    }
    double theory = sim_mm1_theory_wait_days(cfg.arrival_rate_per_day, cfg.service_rate_per_day);
    bool covered = r.ci.low <= theory && theory <= r.ci.high;
    printf("M/M/1 queue: arrival rate %g/day, service rate %g/day, seed %" PRIu64 "\n",
           cfg.arrival_rate_per_day, cfg.service_rate_per_day, cfg.seed);
    printf("  customers served       %" PRIu64 " over %.0f simulated days\n", r.served, r.sim_days);
    printf("  mean wait in queue     %.4f days, 95%% CI [%.4f, %.4f] (batch means)\n",
           r.mean_wait_days, r.ci.low, r.ci.high);
    printf("  theory rho/(mu-lambda) %.4f days: %s the interval\n", theory,
           covered ? "inside" : "outside");
    printf("  longest queue          %zu customers\n", r.max_queue);
    printf("  speed                  %.2f M customers/s (%" PRIu64 " events in %.3f s)\n",
           (double)r.served / wall / 1e6, r.events, wall);
    return EXIT_OK;
}
