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
#include "mpi.h"
#include "outdir.h"
#include "metrics.h"
#include "model.h"
#include "report.h"
#include "runner.h"

void cmd_run_usage(FILE *out)
{
    fprintf(out,
            "usage: chipsim run SCENARIO [-o DIR] [-r REPS] [-j THREADS] [--seed N] [--shard K/N]\n"
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
            "  --shard K/N             run only the K-th of N slices of the replications, and\n"
            "                          keep their values (values.bin) for chipsim merge\n"
            "  -j, --threads N         replications in parallel (default: the cores available);\n"
            "                          the output does not depend on N\n"
            "  --scopes LIST           which scopes get rows: a comma-separated subset of\n"
            "                          world,country,firm,site (default: all four); leave\n"
            "                          out site for worlds of many sites\n"
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
    if (w->n_portfolios == 0 && w->n_licences == 0 && w->n_disputes == 0) return;
    printf("\n%-8s %22s %22s %22s %22s\n", "firm", "royalties_paid_usd", "received_usd",
           "exposure_usd", "injunction_days");
    for (size_t f = 0; f < w->n_firms; f++) {
        const char *firm = w->firms[f].id;
        const model_metric ms[] = {MET_ROYALTIES_PAID, MET_ROYALTIES_RECEIVED, MET_EXPOSURE,
                                   MET_INJUNCTION_DAYS};
        bool any = false;
        for (size_t i = 0; i < 4; i++) {
            const sim_tally *t = model_report_total(r, "firm", firm, "all", ms[i]);
            any = any || (t && t->n > 0 && (t->mean != 0 || sim_tally_sd(t) != 0));
        }
        if (!any) continue;
        printf("%-8s", firm);
        for (size_t i = 0; i < 4; i++)
            print_cell(model_report_total(r, "firm", firm, "all", ms[i]));
        printf("\n");
    }
}

/* A shard keeps each replication's values for merge, in replication order
 * (native doubles after a one-line header; merge checks the header). */
typedef struct values_ctx {
    FILE *out;
    size_t n;
    bool failed;
} values_ctx;

static void keep_values(void *ctx, uint64_t rep, const double *values)
{
    (void)rep;
    values_ctx *v = ctx;
    if (!v->failed && fwrite(values, sizeof *values, v->n, v->out) != v->n) v->failed = true;
}

/* Under MPI a rank keeps its replications' values in memory for rank 0. */
typedef struct values_mem {
    double *at;
    size_t n, cap, per;
    bool failed;
} values_mem;

static void collect_values(void *ctx, uint64_t rep, const double *values)
{
    (void)rep;
    values_mem *v = ctx;
    if (v->failed) return;
    if (v->n + v->per > v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16 * v->per;
        double *at = realloc(v->at, cap * sizeof *at);
        if (!at) {
            v->failed = true;
            return;
        }
        v->at = at;
        v->cap = cap;
    }
    memcpy(v->at + v->n, values, v->per * sizeof *values);
    v->n += v->per;
}

int cmd_run_run(int argc, char **argv)
{
    runner_catch_sigint();
    cli_args a = {"run", argc, argv, 1};
    cli_sets sets = {0};
    const char *file = NULL, *out_dir = NULL;
    uint64_t reps = 0, seed = 0, threads = 0, events_total = 0;
    unsigned scopes = MODEL_SCOPES_ALL;
    bool have_seed = false, force = false, quiet = false, want_events = false;
    bool per_replication = false;
    uint64_t shard = 1, shards = 1;
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
        } else if (cli_is_option(&a, "--scopes")) {
            if (!cli_take_scopes(&a, &scopes)) goto out;
        } else if (cli_is_option(&a, "--seed")) {
            if (!cli_take_u64(&a, "--seed", 0, &seed)) goto out;
            have_seed = true;
        } else if (cli_is_option(&a, "--shard")) {
            const char *v;
            if (!cli_take_string(&a, "--shard", &v)) goto out;
            unsigned long long k = 0, n = 0;
            char extra;
            if (sscanf(v, "%llu/%llu%c", &k, &n, &extra) != 2 || k < 1 || n < 1 || k > n ||
                n > 100000) {
                cli_usage_error(&a, "--shard needs K/N with 1 <= K <= N (got '%s')", v);
                goto out;
            }
            shard = k;
            shards = n;
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
    int mpi_rank = cli_mpi_rank(), mpi_size = cli_mpi_size();
    bool writer = mpi_rank == 0; /* under MPI only rank 0 writes and prints */
    if (mpi_size > 1 && shards > 1) {
        cli_usage_error(&a, "--shard and mpirun both split the replications; use one");
        goto out;
    }
    rc = cli_load(file, &sets, &w, NULL, NULL);
    if (rc != EXIT_OK) goto out;
    if (!reps) reps = w->run.replications;
    if (!have_seed) seed = w->run.seed;
    char dir[4096];
    if (out_dir)
        snprintf(dir, sizeof dir, "%s", out_dir);
    else
        snprintf(dir, sizeof dir, "out/%s", w->name ? w->name : "scenario");
    /* Only rank 0 looks (it creates the folder); every rank then agrees. */
    struct stat sb;
    bool exists = writer && !force && stat(dir, &sb) == 0;
    if (exists)
        fprintf(stderr,
                "chipsim run: output folder '%s' exists; use --force to replace its files, or "
                "-o DIR\n",
                dir);
    if (cli_mpi_max(exists)) {
        world_free(w);
        rc = EXIT_CANTCREAT;
        goto out;
    }
    char err[1024];
    model_plan *plan = model_plan_new(w, err, sizeof err);
    model_report *r = plan ? model_report_new_scoped(plan, scopes) : NULL;
    rc = EXIT_OK;
    if (!plan || !r) {
        fprintf(stderr, "chipsim run: out of memory\n");
        rc = EXIT_SOFTWARE;
    }
    /* The folder and the files' temporaries first (--per-replication writes
     * while it runs); nothing is renamed into place unless all went well. */
    bool created = false;
    char path_ts[4200], path_sum[4200], path_ev[4200], path_man[4200], path_val[4200];
    snprintf(path_man, sizeof path_man, "%s/manifest.yaml", dir);
    snprintf(path_val, sizeof path_val, "%s/values.bin", dir);
    sim_atomic_file *man = NULL, *val = NULL;
    /* The K-th of N contiguous slices of the replications. */
    /* floor(k reps / N) without overflow: k (reps mod N) < N^2 */
    uint64_t k = mpi_size > 1 ? (uint64_t)mpi_rank + 1 : shard;
    uint64_t nk = mpi_size > 1 ? (uint64_t)mpi_size : shards;
    uint64_t first = (k - 1) * (reps / nk) + (k - 1) * (reps % nk) / nk;
    uint64_t count = k * (reps / nk) + k * (reps % nk) / nk - first;
    time_t started = time(NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    snprintf(path_ts, sizeof path_ts, "%s/timeseries.csv", dir);
    snprintf(path_sum, sizeof path_sum, "%s/summary.csv", dir);
    snprintf(path_ev, sizeof path_ev, "%s/events.csv", dir);
    sim_csv *ts = NULL, *sum = NULL, *ev = NULL;
    const char *name = w->name ? w->name : "scenario";
    if (rc == EXIT_OK && writer && !cli_make_dirs(dir, &created)) {
        fprintf(stderr, "chipsim run: cannot create output folder '%s': %s\n", dir,
                strerror(errno));
        rc = EXIT_CANTCREAT;
    }
    if (rc == EXIT_OK && writer) {
        sim_status st = sim_csv_open(&ts, path_ts, err, sizeof err);
        if (!st) st = sim_csv_open(&sum, path_sum, err, sizeof err);
        if (!st && want_events) st = sim_csv_open(&ev, path_ev, err, sizeof err);
        if (!st) st = sim_atomic_open(&man, path_man, err, sizeof err);
        if (!st && shards > 1) st = sim_atomic_open(&val, path_val, err, sizeof err);
        if (!st && val)
            st = fprintf(sim_atomic_stream(val), "chipsim values 1 %zu %llu %llu\n",
                         model_report_values_size(r), (unsigned long long)first,
                         (unsigned long long)count) < 0
                     ? SIM_EIO
                     : SIM_OK;
        /* Under MPI rank 0 streams while it replays every rank's values. */
        if (!st && per_replication && mpi_size == 1) st = model_report_stream(r, ts, name, first);
        if (st) {
            fprintf(stderr, "chipsim run: writing '%s': %s\n", dir,
                    *err ? err : sim_status_str(st));
            rc = st == SIM_ECANTCREATE ? EXIT_CANTCREAT : EXIT_IOERR;
        }
    }
    rc = cli_mpi_max(rc);
    values_ctx vctx = {val ? sim_atomic_stream(val) : NULL, r ? model_report_values_size(r) : 0,
                       false};
    values_mem vmem = {.per = r ? model_report_values_size(r) : 0};
    if (rc == EXIT_OK) {
        /* Every replication checks that each product is conserved to the unit. */
        runner_config rcfg = {.plan = plan,
                              .seed = seed,
                              .first = first,
                              .count = count,
                              .threads = threads ? (unsigned)threads : runner_default_threads(),
                              .events_dispatched = &events_total,
                              .report = r,
                              .events = want_events ? &events : NULL,
                              .progress = writer && !quiet && isatty(STDERR_FILENO),
                              .on_values = val            ? keep_values
                                           : mpi_size > 1 ? collect_values
                                                          : NULL,
                              .ctx = val            ? (void *)&vctx
                                     : mpi_size > 1 ? (void *)&vmem
                                                    : NULL};
        sim_status st = count ? runner_run(&rcfg, err, sizeof err) : SIM_OK;
        if (!st && vctx.failed) {
            st = SIM_EIO;
            snprintf(err, sizeof err, "writing %.900s", path_val);
        }
        if (!st && vmem.failed) {
            st = SIM_ENOMEM;
            snprintf(err, sizeof err, "out of memory keeping the values for rank 0");
        }
        if (st != SIM_OK) {
            if (rcfg.progress) fputc('\n', stderr);
            if (runner_interrupted()) {
                fprintf(stderr, "chipsim run: interrupted; nothing written\n");
                rc = EXIT_INTERRUPTED;
            } else {
                fprintf(stderr, "chipsim run: %s\n", err);
                rc = EXIT_SOFTWARE;
            }
        }
    }
    rc = cli_mpi_max(rc);
    if (rc == EXIT_OK && mpi_size > 1) {
        /* Every rank's values and events to rank 0, rank by rank: that is
         * replication order. Rank 0 replays them into a fresh report. */
        void *vals = NULL, *evs = NULL;
        size_t vbytes = 0, ebytes = 0;
        bool ok = cli_mpi_gather(vmem.at, vmem.n * sizeof *vmem.at, &vals, &vbytes);
        void *counts = NULL;
        size_t cbytes = 0;
        ok &= cli_mpi_gather(&events_total, sizeof events_total, &counts, &cbytes);
        if (counts) {
            events_total = 0;
            for (size_t i = 0; i < cbytes / sizeof events_total; i++)
                events_total += ((const uint64_t *)counts)[i];
            free(counts);
        }
        ok &= cli_mpi_gather(events.at, events.n * sizeof *events.at, &evs, &ebytes);
        if (writer && ok) {
            model_report *r0 = model_report_new_scoped(plan, scopes);
            size_t per = model_report_values_size(r),
                   nrep = per ? vbytes / (per * sizeof(double)) : 0;
            ok = r0 && nrep == reps &&
                 (!per_replication || model_report_stream(r0, ts, name, 0) == SIM_OK);
            for (size_t i = 0; ok && i < nrep; i++)
                model_report_add_values(r0, (const double *)vals + i * per);
            if (ok) {
                model_report_free(r);
                r = r0;
                model_events_release(&events);
                events = (model_events){evs, ebytes / sizeof(model_event),
                                        ebytes / sizeof(model_event), false};
                evs = NULL;
            } else {
                model_report_free(r0);
            }
        }
        free(vals);
        free(evs);
        if (!ok) {
            fprintf(stderr, "chipsim run: rank %d: gathering the replications failed\n", mpi_rank);
            rc = EXIT_SOFTWARE;
        }
    }
    free(vmem.at);
    if (rc == EXIT_OK && writer) {
        err[0] = '\0';
        sim_status st = per_replication ? model_report_stream_status(r)
                                        : model_report_write_timeseries(r, ts, name);
        if (!st) st = model_report_write_summary(r, sum, name);
        if (!st && ev) st = model_events_write(&events, w, ev);
        if (!st) {
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            const world *ws[1] = {w};
            cli_manifest mf = {.threads = threads ? threads : runner_default_threads(),
                               .model_events = events_total,
                               .scopes = scopes,
                               .argc = argc,
                               .argv = argv,
                               .worlds = ws,
                               .n_worlds = 1,
                               .seed = seed,
                               .replications = reps,
                               .shard = shard,
                               .shards = shards,
                               .scenario = file,
                               .sets = sets.items,
                               .n_sets = sets.n,
                               .per_replication = per_replication,
                               .events = want_events,
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
        if (!st && val) {
            st = sim_atomic_commit(val, err, sizeof err);
            val = NULL;
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
    sim_atomic_abort(val);
    if (rc != EXIT_OK && created) {
        unlink(path_ts);
        unlink(path_sum);
        unlink(path_ev);
        unlink(path_man);
        unlink(path_val);
        rmdir(dir);
    }
    /* Rank 0's verdict on writing is every rank's exit status. */
    rc = cli_mpi_max(rc);
    if (rc == EXIT_OK && !quiet && writer) print_table(w, r, reps);
    model_events_release(&events);
    model_report_free(r);
    model_plan_free(plan);
    world_free(w);
out:
    cli_sets_release(&sets);
    return rc;
}
