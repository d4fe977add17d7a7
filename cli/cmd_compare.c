/*
 * chipsim compare — a baseline and variants, paired by replication.
 *
 * Every scenario runs the same replication indices with the same master
 * seed, so each replication of a variant meets the same demand, yields and
 * transit draws as the baseline wherever the policy does not change them
 * (named random streams, sim/rng.h): common random numbers. The difference
 * of each whole-run metric is taken replication by replication, and its
 * Student-t interval is the paired one. A scenario compared with itself
 * differs by exactly zero. `--independent` gives each variant its own seed
 * instead, to see what the pairing buys.
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
#include "exit_codes.h"
#include "load.h"
#include "manifest.h"
#include "metrics.h"
#include "model.h"
#include "outdir.h"
#include "report.h"
#include "runner.h"
#include "stats.h"

#define MAX_SCENARIOS 64

void cmd_compare_usage(FILE *out)
{
    fprintf(out,
            "usage: chipsim compare BASELINE VARIANT... [-o DIR] [-r REPS] [-j THREADS]\n"
            "                       [--seed N] [--set PATH=VALUE]... [--independent] [--force]\n"
            "                       [--quiet]\n"
            "\n"
            "Runs the baseline and each variant with the same seed and replication indices\n"
            "(common random numbers) and writes, in DIR (default out/NAME-compare/, NAME being\n"
            "the baseline's name):\n"
            "  compare.csv     per variant, scope, product and metric: baseline and variant\n"
            "                  means, the mean paired difference with its 95%% interval, the\n"
            "                  relative change, and the number of pairs\n"
            "  summary.csv     every scenario's whole-run metrics (as chipsim run writes)\n"
            "  timeseries.csv  every scenario's metrics per period\n"
            "and prints the headline differences per destination, marking those whose\n"
            "interval excludes zero.\n"
            "\n"
            "options:\n"
            "  -o, --output DIR        the output folder\n"
            "  -r, --replications N    replications (default: the baseline's run.replications)\n"
            "  -j, --threads N         replications in parallel (default: the cores available)\n"
            "  --scopes LIST           which scopes get rows: a comma-separated subset of\n"
            "                          world,country,firm,site (default: all four); leave\n"
            "                          out site for worlds of many sites\n"
            "  --seed N                master seed (default: the baseline's run.seed)\n"
            "  --set PATH=VALUE        override a value in every scenario; repeatable\n"
            "  --independent           give each variant its own seed (no common random\n"
            "                          numbers), to measure what pairing buys\n"
            "  --force                 write into DIR even if it exists\n"
            "  -q, --quiet             no table and no progress\n"
            "\n"
            "exit status: 0 ok, 64 bad option, 65 bad scenario, 66 scenario missing,\n"
            "70 internal error, 73 cannot create the output, 74 write error.\n"
            "\n"
            "example:\n"
            "  chipsim compare tests/data/scenarios/middle-east-2023-no-rule.yaml \\\n"
            "      tests/data/scenarios/middle-east-2023.yaml -r 20\n");
}

/* One scenario's run: its world, plan, report, and each replication's
 * whole-run values. */
typedef struct scenario_run {
    const char *file;
    world *w;
    model_plan *plan;
    model_report *report;
    size_t n_groups;
    double *totals; /* [replication][group][metric] */
} scenario_run;

static void keep_totals(void *ctx, uint64_t rep, const double *values)
{
    scenario_run *s = ctx;
    double *to = s->totals + (size_t)rep * s->n_groups * MET_COUNT;
    for (size_t g = 0; g < s->n_groups; g++)
        for (int m = 0; m < MET_COUNT; m++) {
            size_t i = model_report_total_index(s->report, g, (model_metric)m);
            to[g * MET_COUNT + (size_t)m] = i == SIZE_MAX ? NAN : values[i];
        }
}

static double total_of(const scenario_run *s, uint64_t rep, size_t g, int m)
{
    return s->totals[((size_t)rep * s->n_groups + g) * MET_COUNT + (size_t)m];
}

/* The variant's group with the baseline group's scope and item, or SIZE_MAX. */
static size_t match_group(const scenario_run *b, size_t g, const scenario_run *v)
{
    const char *kind = model_report_group_scope_kind(b->report, g);
    const char *scope = model_report_group_scope(b->report, g);
    const char *item = model_report_group_item(b->report, g);
    for (size_t h = 0; h < v->n_groups; h++)
        if (strcmp(model_report_group_scope_kind(v->report, h), kind) == 0 &&
            strcmp(model_report_group_scope(v->report, h), scope) == 0 &&
            strcmp(model_report_group_item(v->report, h), item) == 0)
            return h;
    return SIZE_MAX;
}

typedef struct paired {
    sim_tally base, var, diff;
} paired;

static paired pair_up(const scenario_run *b, size_t g, const scenario_run *v, size_t h, int m,
                      uint64_t reps)
{
    paired p;
    sim_tally_init(&p.base);
    sim_tally_init(&p.var);
    sim_tally_init(&p.diff);
    for (uint64_t r = 0; r < reps; r++) {
        double x = total_of(b, r, g, m), y = total_of(v, r, h, m);
        if (isnan(x) || isnan(y)) continue;
        sim_tally_add(&p.base, x);
        sim_tally_add(&p.var, y);
        sim_tally_add(&p.diff, y - x);
    }
    return p;
}

static sim_status write_compare(const scenario_run *runs, size_t n, uint64_t reps, sim_csv *out)
{
    static const char *const header[] = {
        "baseline",       "variant",       "scope",        "product",   "metric",
        "unit",           "baseline_mean", "variant_mean", "diff_mean", "diff_ci95_low",
        "diff_ci95_high", "rel_change",    "replications"};
    sim_status st = sim_csv_header(out, header, sizeof header / sizeof header[0]);
    const scenario_run *b = &runs[0];
    sim_t_memo memo = {0};
    for (size_t k = 1; k < n && !st; k++) {
        const scenario_run *v = &runs[k];
        for (size_t g = 0; g < b->n_groups && !st; g++) {
            size_t h = match_group(b, g, v);
            if (h == SIZE_MAX) continue;
            for (int m = 0; m < MET_COUNT && !st; m++) {
                if (!model_report_group_reports(b->report, g, m) ||
                    !model_report_group_reports(v->report, h, m))
                    continue;
                paired p = pair_up(b, g, v, h, m, reps);
                if (p.diff.n == 0) continue;
                st = sim_csv_text(out, b->w->name ? b->w->name : "baseline");
                if (!st) st = sim_csv_text(out, v->w->name ? v->w->name : "variant");
                if (!st) st = sim_csv_text(out, model_report_group_scope(b->report, g));
                if (!st) st = sim_csv_text(out, model_report_group_item(b->report, g));
                if (!st) st = sim_csv_text(out, model_metric_name((model_metric)m));
                if (!st) st = sim_csv_text(out, model_report_group_unit(b->report, g, m));
                if (!st) st = sim_csv_number(out, p.base.mean);
                if (!st) st = sim_csv_number(out, p.var.mean);
                if (!st) st = sim_csv_number(out, p.diff.mean);
                sim_interval ci;
                bool have_ci =
                    p.diff.n >= 2 && sim_ci_t_memo(&memo, p.diff.mean, sim_tally_sd(&p.diff),
                                                   p.diff.n, 0.95, &ci) == SIM_OK;
                if (!st) st = have_ci ? sim_csv_number(out, ci.low) : sim_csv_empty(out);
                if (!st) st = have_ci ? sim_csv_number(out, ci.high) : sim_csv_empty(out);
                if (!st)
                    st = p.base.mean != 0 ? sim_csv_number(out, p.diff.mean / p.base.mean)
                                          : sim_csv_empty(out);
                if (!st) st = sim_csv_integer(out, (int64_t)p.diff.n);
                if (!st) st = sim_csv_end_row(out);
            }
        }
    }
    return st;
}

/* One headline row: the paired difference of metric m in the baseline's
 * group g, if the variant has the group too. */
static void print_row(const scenario_run *b, size_t g, const scenario_run *v, int m, uint64_t reps,
                      bool skip_zero, int width)
{
    size_t h = match_group(b, g, v);
    if (h == SIZE_MAX) return;
    paired p = pair_up(b, g, v, h, m, reps);
    if (p.diff.n == 0) return;
    if (skip_zero && p.base.mean == 0 && p.var.mean == 0) return;
    sim_interval ci;
    bool have = p.diff.n >= 2 &&
                sim_ci_t(p.diff.mean, sim_tally_sd(&p.diff), p.diff.n, 0.95, &ci) == SIM_OK;
    char iv[64] = "-";
    if (have) snprintf(iv, sizeof iv, "[%.4g, %.4g]", ci.low, ci.high);
    bool excludes = have && (ci.low > 0 || ci.high < 0);
    char what[96];
    const char *item = model_report_group_item(b->report, g);
    if (m == MET_COMPUTE_DELIVERED)
        item = ""; /* the table's subject */
    else if (strcmp(item, "all") == 0)
        item = model_metric_name((model_metric)m);
    snprintf(what, sizeof what, "%s%s%s", model_report_group_scope(b->report, g), *item ? " " : "",
             item);
    printf("%-*s %14.6g %14.6g %14.6g %26s  %s\n", width, what, p.base.mean, p.var.mean,
           p.diff.mean, iv, have ? (excludes ? "yes" : "no") : "-");
}

/* Headline differences: compute delivered per destination country when the
 * world has needs, otherwise units delivered per country and demanded
 * product; then each firm's patent money when the world has patents. */
static void print_table(const scenario_run *runs, size_t n, uint64_t reps, bool independent)
{
    const scenario_run *b = &runs[0];
    bool compute = b->w->n_needs > 0;
    bool patents = b->w->n_portfolios > 0 || b->w->n_licences > 0 || b->w->n_disputes > 0;
    int width = compute && !patents ? 8 : 26;
    printf("compare: %llu replications, %s; %s,\n"
           "variant minus baseline, mean and 95%% interval of the paired difference\n",
           (unsigned long long)reps, independent ? "independent seeds" : "common random numbers",
           compute ? "compute delivered (h100e) per destination"
                   : "units delivered per destination and product");
    if (patents) printf("(firms: royalties paid/received and exposure in USD, injunction days)\n");
    for (size_t k = 1; k < n; k++) {
        const scenario_run *v = &runs[k];
        printf("\n%s vs %s\n", v->w->name ? v->w->name : v->file,
               b->w->name ? b->w->name : b->file);
        printf("%-*s %14s %14s %14s %26s  %s\n", width, compute ? "country" : "country product",
               "baseline", "variant", "diff", "95% interval", "excludes 0");
        for (size_t g = 0; g < b->n_groups; g++) {
            if (strcmp(model_report_group_scope_kind(b->report, g), "country") != 0) continue;
            bool all = strcmp(model_report_group_item(b->report, g), "all") == 0;
            if (compute && all)
                print_row(b, g, v, MET_COMPUTE_DELIVERED, reps, false, width);
            else if (!compute && !all && model_report_group_reports(b->report, g, MET_DEMAND))
                print_row(b, g, v, MET_DELIVERED, reps, true, width);
        }
        if (!patents) continue;
        static const int firm_metrics[] = {MET_ROYALTIES_PAID, MET_ROYALTIES_RECEIVED, MET_EXPOSURE,
                                           MET_INJUNCTION_DAYS};
        for (size_t g = 0; g < b->n_groups; g++) {
            if (strcmp(model_report_group_scope_kind(b->report, g), "firm") != 0 ||
                strcmp(model_report_group_item(b->report, g), "all") != 0)
                continue;
            for (size_t i = 0; i < sizeof firm_metrics / sizeof *firm_metrics; i++)
                if (model_report_group_reports(b->report, g, (model_metric)firm_metrics[i]))
                    print_row(b, g, v, firm_metrics[i], reps, true, width);
        }
    }
}

int cmd_compare_run(int argc, char **argv)
{
    runner_catch_sigint();
    cli_args a = {"compare", argc, argv, 1};
    cli_sets sets = {0};
    const char *files[MAX_SCENARIOS], *out_dir = NULL;
    size_t n = 0;
    uint64_t reps = 0, seed = 0, threads = 0, events_total = 0;
    unsigned scopes = MODEL_SCOPES_ALL;
    bool have_seed = false, force = false, quiet = false, independent = false;
    int rc = EXIT_USAGE;
    scenario_run runs[MAX_SCENARIOS];
    memset(runs, 0, sizeof runs);
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_compare_usage(stdout);
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
            if (!cli_take_u64(&a, arg[1] == 'r' ? "-r" : "--replications", 2, &reps)) goto out;
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
        } else if (strcmp(arg, "--independent") == 0) {
            independent = true;
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
        } else {
            if (n == MAX_SCENARIOS) {
                cli_usage_error(&a, "takes at most %d scenarios", MAX_SCENARIOS);
                goto out;
            }
            files[n++] = arg;
            a.i++;
        }
    }
    if (n < 2) {
        cli_usage_error(&a, "needs a baseline and at least one variant");
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        runs[k].file = files[k];
        rc = cli_load(files[k], &sets, &runs[k].w, NULL, NULL);
        if (rc != EXIT_OK) goto out;
    }
    const world *base = runs[0].w;
    if (!reps) reps = base->run.replications < 2 ? 2 : base->run.replications;
    if (!have_seed) seed = base->run.seed;
    char dir[4096];
    if (out_dir)
        snprintf(dir, sizeof dir, "%s", out_dir);
    else
        snprintf(dir, sizeof dir, "out/%s-compare", base->name ? base->name : "scenario");
    struct stat sb;
    if (!force && stat(dir, &sb) == 0) {
        fprintf(stderr,
                "chipsim compare: output folder '%s' exists; use --force to replace its files, "
                "or -o DIR\n",
                dir);
        rc = EXIT_CANTCREAT;
        goto out;
    }
    char err[1024];
    rc = EXIT_OK;
    time_t started = time(NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t k = 0; k < n && rc == EXIT_OK; k++) {
        scenario_run *s = &runs[k];
        s->plan = model_plan_new(s->w, err, sizeof err);
        s->report = s->plan ? model_report_new_scoped(s->plan, scopes) : NULL;
        if (s->report) {
            s->n_groups = model_report_groups(s->report);
            s->totals = malloc((size_t)reps * (s->n_groups ? s->n_groups : 1) * MET_COUNT *
                               sizeof *s->totals);
        }
        if (!s->plan || !s->report || !s->totals) {
            fprintf(stderr, "chipsim compare: out of memory\n");
            rc = EXIT_SOFTWARE;
            break;
        }
        uint64_t events_one = 0;
        runner_config rcfg = {.plan = s->plan,
                              .seed = independent ? seed + k : seed,
                              .first = 0,
                              .count = reps,
                              .threads = threads ? (unsigned)threads : runner_default_threads(),
                              .events_dispatched = &events_one,
                              .report = s->report,
                              .progress = !quiet && isatty(STDERR_FILENO),
                              .on_values = keep_totals,
                              .ctx = s};
        if (rcfg.progress) fprintf(stderr, "%s\n", s->file);
        sim_status run_st = runner_run(&rcfg, err, sizeof err);
        events_total += events_one;
        if (run_st != SIM_OK) {
            if (runner_interrupted()) {
                fprintf(stderr, "chipsim compare: interrupted; nothing written\n");
                rc = EXIT_INTERRUPTED;
            } else {
                fprintf(stderr, "chipsim compare: %s: %s\n", s->file, err);
                rc = EXIT_SOFTWARE;
            }
        }
    }
    bool created = false;
    if (rc == EXIT_OK && !cli_make_dirs(dir, &created)) {
        fprintf(stderr, "chipsim compare: cannot create output folder '%s': %s\n", dir,
                strerror(errno));
        rc = EXIT_CANTCREAT;
    }
    if (rc == EXIT_OK) {
        char p_cmp[4200], p_sum[4200], p_ts[4200], p_man[4200];
        snprintf(p_man, sizeof p_man, "%s/manifest.yaml", dir);
        sim_atomic_file *man = NULL;
        snprintf(p_cmp, sizeof p_cmp, "%s/compare.csv", dir);
        snprintf(p_sum, sizeof p_sum, "%s/summary.csv", dir);
        snprintf(p_ts, sizeof p_ts, "%s/timeseries.csv", dir);
        sim_csv *cmp = NULL, *sum = NULL, *ts = NULL;
        err[0] = '\0';
        sim_status st = sim_csv_open(&cmp, p_cmp, err, sizeof err);
        if (!st) st = sim_csv_open(&sum, p_sum, err, sizeof err);
        if (!st) st = sim_csv_open(&ts, p_ts, err, sizeof err);
        if (!st) st = sim_atomic_open(&man, p_man, err, sizeof err);
        if (!st) st = write_compare(runs, n, reps, cmp);
        for (size_t k = 0; k < n && !st; k++) {
            const char *name = runs[k].w->name ? runs[k].w->name : runs[k].file;
            st = k == 0 ? model_report_write_summary(runs[k].report, sum, name)
                        : model_report_write_summary_rows(runs[k].report, sum, name);
            if (!st)
                st = k == 0 ? model_report_write_timeseries(runs[k].report, ts, name)
                            : model_report_write_timeseries_rows(runs[k].report, ts, name);
        }
        if (!st) {
            struct timespec t1;
            clock_gettime(CLOCK_MONOTONIC, &t1);
            const world *ws[MAX_SCENARIOS];
            for (size_t k = 0; k < n; k++)
                ws[k] = runs[k].w;
            cli_manifest mf = {.threads = threads ? threads : runner_default_threads(),
                               .model_events = events_total,
                               .scopes = scopes,
                               .argc = argc,
                               .argv = argv,
                               .worlds = ws,
                               .n_worlds = n,
                               .seed = seed,
                               .replications = reps,
                               .shard = 1,
                               .shards = 1,
                               .started = started,
                               .wall_seconds = (double)(t1.tv_sec - t0.tv_sec) +
                                               1e-9 * (double)(t1.tv_nsec - t0.tv_nsec)};
            st = cli_manifest_write(&mf, sim_atomic_stream(man), err, sizeof err);
        }
        if (!st) {
            st = sim_csv_commit(cmp, err, sizeof err);
            cmp = NULL;
        }
        if (!st) {
            st = sim_csv_commit(sum, err, sizeof err);
            sum = NULL;
        }
        if (!st) {
            st = sim_csv_commit(ts, err, sizeof err);
            ts = NULL;
        }
        if (!st) {
            st = sim_atomic_commit(man, err, sizeof err);
            man = NULL;
        }
        sim_atomic_abort(man);
        if (cmp) sim_csv_abort(cmp);
        if (sum) sim_csv_abort(sum);
        if (ts) sim_csv_abort(ts);
        if (st) {
            fprintf(stderr, "chipsim compare: writing '%s': %s\n", dir,
                    *err ? err : sim_status_str(st));
            rc = st == SIM_ECANTCREATE ? EXIT_CANTCREAT : EXIT_IOERR;
            if (created) {
                unlink(p_cmp);
                unlink(p_sum);
                unlink(p_ts);
                unlink(p_man);
                rmdir(dir);
            }
        }
    }
    if (rc == EXIT_OK && !quiet) print_table(runs, n, reps, independent);
out:
    for (size_t k = 0; k < n; k++) {
        free(runs[k].totals);
        model_report_free(runs[k].report);
        model_plan_free(runs[k].plan);
        world_free(runs[k].w);
    }
    cli_sets_release(&sets);
    return rc;
}
