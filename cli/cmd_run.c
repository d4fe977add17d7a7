/*
 * chipsim run — replications of one scenario: timeseries.csv and
 * summary.csv in the output folder, and a short table on stdout.
 *
 * Nothing is written unless every replication succeeds: the files are
 * written to temporaries and renamed into place at the end, and a folder
 * this command created is removed again when the run fails.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "commands.h"
#include "csv_writer.h"
#include "events.h"
#include "exit_codes.h"
#include "load.h"
#include "manifest.h"
#include "outdir.h"
#include "metrics.h"
#include "model.h"
#include "report.h"
#include "runner.h"

void cmd_run_usage(FILE *out)
{
    fprintf(out,
            "usage: chipsim run SCENARIO [-o DIR] [-r REPS] [-j THREADS] [--seed N]\n"
            "                   [--set PATH=VALUE]...\n"
            "                   [--per-replication] [--events] [--force] [--quiet]\n"
            "\n"
            "Runs the scenario's replications and writes, in DIR (default out/NAME/, NAME\n"
            "being the scenario's name):\n"
            "  timeseries.csv  each metric per reporting period, scope and product: mean,\n"
            "                  sd and 95%% confidence interval over the replications\n"
            "  summary.csv     the same over the whole run, with min and max\n"
            "  manifest.yaml   version, command line, scenario files with their SHA-256,\n"
            "                  seed, replications, start and wall time\n"
            "  events.csv      with --events: rules taking effect, licences decided, orders\n"
            "                  blocked and diverted shipments seized, per replication\n"
            "and prints the headline metrics per destination on stdout. The columns and\n"
            "every metric are described in docs/outputs.md.\n"
            "\n"
            "options:\n"
            "  -o, --output DIR        the output folder\n"
            "  -r, --replications N    replications (default: the scenario's run.replications)\n"
            "  -j, --threads N         replications in parallel (default: the cores available);\n"
            "                          the output does not depend on N\n"
            "  --seed N                master seed (default: the scenario's run.seed)\n"
            "  --set PATH=VALUE        override one scenario value; repeatable\n"
            "  --per-replication       timeseries.csv holds every replication's values\n"
            "                          (scenario,replication,period_start,period_end,scope,\n"
            "                          product,metric,unit,value) instead of their means\n"
            "  --events                also write events.csv\n"
            "  --force                 write into DIR even if it exists (replacing the files)\n"
            "  -q, --quiet             no table and no progress\n"
            "\n"
            "exit status: 0 ok, 64 bad option, 65 bad scenario, 66 scenario missing,\n"
            "70 internal error, 73 cannot create the output, 74 write error.\n"
            "\n"
            "example:\n"
            "  chipsim run scenarios/examples/middle-east-2023.yaml -r 20 -o out/me\n");
}

static void print_cell(const sim_tally *t)
{
    if (!t || t->n == 0) {
        printf(" %22s", "-");
        return;
    }
    sim_interval ci;
    if (t->n >= 2 && sim_ci_t(t->mean, sim_tally_sd(t), t->n, 0.95, &ci) == SIM_OK)
        printf(" %12.4g ± %-7.2g", t->mean, ci.half_width);
    else
        printf(" %12.4g %9s", t->mean, "");
}

/* Headline metrics per destination country and demanded item. */
static void print_table(const world *w, const model_report *r, uint64_t reps)
{
    char from[SIM_DATE_BUFSIZE], to[SIM_DATE_BUFSIZE];
    sim_date_format(w->run.start, from);
    sim_date_format(w->run.end, to);
    printf("%s: %llu replications, %s to %s; means with 95%% CI half-widths\n",
           w->name ? w->name : "scenario", (unsigned long long)reps, from, to);
    printf("%-8s %-14s %22s %22s %22s %22s\n", "country", "product", "demand", "delivered",
           "fill_rate", "order_wait_days");
    for (size_t d = 0; d < w->n_demand; d++) {
        const world_demand *dm = &w->demand[d];
        const char *country = w->countries[w->sites[dm->site].country].code;
        const char *item = dm->is_need ? w->needs[dm->item].id : w->products[dm->item].id;
        bool seen = false;
        for (size_t e = 0; e < d && !seen; e++)
            seen = w->sites[w->demand[e].site].country == w->sites[dm->site].country &&
                   w->demand[e].item == dm->item && w->demand[e].is_need == dm->is_need;
        if (seen) continue;
        printf("%-8s %-14s", country, item);
        print_cell(model_report_total(r, "country", country, item, MET_DEMAND));
        print_cell(model_report_total(r, "country", country, item, MET_DELIVERED));
        print_cell(model_report_total(r, "country", country, item, MET_FILL_RATE));
        print_cell(model_report_total(r, "country", country, item, MET_ORDER_WAIT));
        printf("\n");
    }
}

int cmd_run_run(int argc, char **argv)
{
    cli_args a = {"run", argc, argv, 1};
    cli_sets sets = {0};
    const char *file = NULL, *out_dir = NULL;
    uint64_t reps = 0, seed = 0, threads = 0;
    bool have_seed = false, force = false, quiet = false, want_events = false;
    bool per_replication = false;
    model_events events = {0};
    int rc = EXIT_USAGE;
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_run_usage(stdout);
            cli_sets_release(&sets);
            return EXIT_OK;
        } else if (cli_is_option(&a, "--set")) {
            const char *v;
            if (!cli_take_string(&a, "--set", &v) || !cli_sets_add(&sets, v)) goto out;
        } else if (cli_is_option(&a, "-o") || cli_is_option(&a, "--output")) {
            if (!cli_take_string(&a, arg[1] == 'o' ? "-o" : "--output", &out_dir)) goto out;
            if (!*out_dir) {
                cli_usage_error(&a, "--output needs a folder name");
                goto out;
            }
        } else if (cli_is_option(&a, "-r") || cli_is_option(&a, "--replications")) {
            if (!cli_take_u64(&a, arg[1] == 'r' ? "-r" : "--replications", 1, &reps)) goto out;
        } else if (cli_is_option(&a, "-j") || cli_is_option(&a, "--threads")) {
            if (!cli_take_u64(&a, arg[1] == 'j' ? "-j" : "--threads", 1, &threads)) goto out;
            if (threads > 1024) {
                cli_usage_error(&a, "-j takes at most 1024 threads (got %llu)",
                                (unsigned long long)threads);
                goto out;
            }
        } else if (cli_is_option(&a, "--seed")) {
            if (!cli_take_u64(&a, "--seed", 0, &seed)) goto out;
            have_seed = true;
        } else if (strcmp(arg, "--per-replication") == 0) {
            per_replication = true;
            a.i++;
        } else if (strcmp(arg, "--events") == 0) {
            want_events = true;
            a.i++;
        } else if (strcmp(arg, "--force") == 0) {
            force = true;
            a.i++;
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            quiet = true;
            a.i++;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            cli_usage_error(&a, "unknown option '%s'", arg);
            goto out;
        } else if (file) {
            cli_usage_error(&a, "takes one scenario (got '%s' and '%s'); use compare for several",
                            file, arg);
            goto out;
        } else {
            file = arg;
            a.i++;
        }
    }
    if (!file) {
        cli_usage_error(&a, "needs a scenario file");
        goto out;
    }
    world *w;
    rc = cli_load(file, &sets, &w, NULL, NULL);
    if (rc != EXIT_OK) goto out;
    if (!reps) reps = w->run.replications;
    if (!have_seed) seed = w->run.seed;
    char dir[4096];
    if (out_dir)
        snprintf(dir, sizeof dir, "%s", out_dir);
    else
        snprintf(dir, sizeof dir, "out/%s", w->name ? w->name : "scenario");
    struct stat sb;
    if (!force && stat(dir, &sb) == 0) {
        fprintf(stderr,
                "chipsim run: output folder '%s' exists; use --force to replace its files, or "
                "-o DIR\n",
                dir);
        world_free(w);
        rc = EXIT_CANTCREAT;
        goto out;
    }
    char err[1024];
    model_plan *plan = model_plan_new(w, err, sizeof err);
    model_metrics *m = plan ? model_metrics_new(plan) : NULL;
    model_report *r = plan ? model_report_new(plan) : NULL;
    rc = EXIT_OK;
    if (!plan || !m || !r) {
        fprintf(stderr, "chipsim run: out of memory\n");
        rc = EXIT_SOFTWARE;
    }
    /* The folder and the files' temporaries first (--per-replication writes
     * while it runs); nothing is renamed into place unless all went well. */
    bool created = false;
    char path_ts[4200], path_sum[4200], path_ev[4200], path_man[4200];
    snprintf(path_man, sizeof path_man, "%s/manifest.yaml", dir);
    sim_atomic_file *man = NULL;
    time_t started = time(NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    snprintf(path_ts, sizeof path_ts, "%s/timeseries.csv", dir);
    snprintf(path_sum, sizeof path_sum, "%s/summary.csv", dir);
    snprintf(path_ev, sizeof path_ev, "%s/events.csv", dir);
    sim_csv *ts = NULL, *sum = NULL, *ev = NULL;
    const char *name = w->name ? w->name : "scenario";
    if (rc == EXIT_OK && !cli_make_dirs(dir, &created)) {
        fprintf(stderr, "chipsim run: cannot create output folder '%s': %s\n", dir,
                strerror(errno));
        rc = EXIT_CANTCREAT;
    }
    if (rc == EXIT_OK) {
        sim_status st = sim_csv_open(&ts, path_ts, err, sizeof err);
        if (!st) st = sim_csv_open(&sum, path_sum, err, sizeof err);
        if (!st && want_events) st = sim_csv_open(&ev, path_ev, err, sizeof err);
        if (!st) st = sim_atomic_open(&man, path_man, err, sizeof err);
        if (!st && per_replication) st = model_report_stream(r, ts, name, 0);
        if (st) {
            fprintf(stderr, "chipsim run: writing '%s': %s\n", dir,
                    *err ? err : sim_status_str(st));
            rc = st == SIM_ECANTCREATE ? EXIT_CANTCREAT : EXIT_IOERR;
        }
    }
    if (rc == EXIT_OK) {
        /* Every replication checks that each product is conserved to the unit. */
        runner_config rcfg = {.plan = plan,
                              .seed = seed,
                              .first = 0,
                              .count = reps,
                              .threads = threads ? (unsigned)threads : runner_default_threads(),
                              .report = r,
                              .events = want_events ? &events : NULL,
                              .progress = !quiet && isatty(STDERR_FILENO)};
        sim_status st = runner_run(&rcfg, err, sizeof err);
        if (st != SIM_OK) {
            if (rcfg.progress) fputc('\n', stderr);
            fprintf(stderr, "chipsim run: %s\n", err);
            rc = EXIT_SOFTWARE;
        }
    }
    if (rc == EXIT_OK) {
        err[0] = '\0';
        sim_status st = per_replication ? model_report_stream_status(r)
                                        : model_report_write_timeseries(r, ts, name);
        if (!st) st = model_report_write_summary(r, sum, name);
        if (!st && ev) st = model_events_write(&events, w, ev);
        if (!st) {
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            const world *ws[1] = {w};
            cli_manifest mf = {.argc = argc,
                               .argv = argv,
                               .worlds = ws,
                               .n_worlds = 1,
                               .seed = seed,
                               .replications = reps,
                               .shard = 1,
                               .shards = 1,
                               .started = started,
                               .wall_seconds = (double)(t1.tv_sec - t0.tv_sec) +
                                               1e-9 * (double)(t1.tv_nsec - t0.tv_nsec)};
            st = cli_manifest_write(&mf, sim_atomic_stream(man), err, sizeof err);
        }
        /* Every file is complete before any is renamed into place. */
        if (!st) {
            st = sim_csv_commit(ts, err, sizeof err);
            ts = NULL;
        }
        if (!st) {
            st = sim_csv_commit(sum, err, sizeof err);
            sum = NULL;
        }
        if (!st && ev) {
            st = sim_csv_commit(ev, err, sizeof err);
            ev = NULL;
        }
        if (!st) {
            st = sim_atomic_commit(man, err, sizeof err);
            man = NULL;
        }
        if (st) {
            fprintf(stderr, "chipsim run: writing '%s': %s\n", dir,
                    *err ? err : sim_status_str(st));
            rc = st == SIM_ECANTCREATE ? EXIT_CANTCREAT : EXIT_IOERR;
        }
    }
    if (ts) sim_csv_abort(ts);
    if (sum) sim_csv_abort(sum);
    if (ev) sim_csv_abort(ev);
    sim_atomic_abort(man);
    if (rc != EXIT_OK && created) {
        unlink(path_ts);
        unlink(path_sum);
        unlink(path_ev);
        unlink(path_man);
        rmdir(dir);
    }
    if (rc == EXIT_OK && !quiet) print_table(w, r, reps);
    model_events_release(&events);
    model_report_free(r);
    model_metrics_free(m);
    model_plan_free(plan);
    world_free(w);
out:
    cli_sets_release(&sets);
    return rc;
}
