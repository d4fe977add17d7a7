/*
 * chipsim sweep — one scenario over a grid of parameter values.
 *
 * Each `--set PATH=FROM:TO:STEP` or `--set PATH=V1,V2,...` is a swept
 * parameter; several make a grid (every combination). Every grid point runs
 * the same replications with the same seed (common random numbers), so
 * neighbouring points differ by the parameter more than by noise. Other
 * `--set PATH=VALUE` options apply to every point.
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
#include "numfmt.h"
#include "outdir.h"
#include "report.h"
#include "runner.h"
#include "stats.h"

#define MAX_PARAMS 8
#define MAX_VALUES 1000
#define MAX_POINTS 10000

void cmd_sweep_usage(FILE *out)
{
    fprintf(out, "usage: chipsim sweep SCENARIO --set PATH=FROM:TO:STEP|V1,V2,... [--set ...]...\n"
                 "                     [-o DIR] [-r REPS] [-j THREADS] [--seed N] [--scopes LIST]\n"
                 "                     [--force] [--quiet]\n"
                 "\n"
                 "Runs the scenario at every point of a grid of parameter values, each with the\n"
                 "same seed and replications (common random numbers), and writes sweep.csv in\n"
                 "DIR (default out/NAME-sweep/): one row per grid point, scope, product and\n"
                 "metric, with the swept parameters as leading columns, then unit, mean, sd,\n"
                 "ci95_low, ci95_high, replications (whole-run values, as in summary.csv).\n"
                 "\n"
                 "A --set whose value is FROM:TO:STEP (numbers) or a comma-separated list is\n"
                 "swept; several make a grid. A --set with one value (or a [list] or {map})\n"
                 "applies to every point.\n"
                 "\n"
                 "options: -o, -r, -j, --seed, --scopes, --force, -q as for chipsim run.\n"
                 "\n"
                 "exit status: 0 ok, 64 bad option, 65 bad scenario or value, 66 scenario\n"
                 "missing, 70 internal error, 73 cannot create the output, 74 write error.\n"
                 "\n"
                 "example:\n"
                 "  chipsim sweep tests/data/scenarios/middle-east-2023.yaml -r 10 \\\n"
                 "      --set export_controls.us_2023_08_middle_east.action.approval=0:1:0.25\n");
}

typedef struct param {
    const char *path; /* owned copy */
    char *values[MAX_VALUES];
    size_t n;
} param;

/* Splits "PATH=VALUE" of a swept --set into a param; false (with a message)
 * when the range is malformed. Returns 0 when the value is not a sweep. */
static int parse_sweep(const char *arg, param *p, char *err, size_t err_size)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) return 0;
    p->path = NULL;
    p->n = 0;
    const char *v = eq + 1;
    if (*v == '[' || *v == '{' || *v == '"' || *v == '\'') return 0;
    bool range = strchr(v, ':') != NULL, list = strchr(v, ',') != NULL;
    if (!range && !list) return 0;
    p->path = strndup(arg, (size_t)(eq - arg));
    p->n = 0;
    if (!p->path) return -1;
    if (range) {
        char *end;
        double from = strtod(v, &end), to, step;
        bool ok = end != v && *end == ':';
        if (ok) {
            const char *q = end + 1;
            to = strtod(q, &end);
            ok = end != q && *end == ':';
            if (ok) {
                q = end + 1;
                step = strtod(q, &end);
                ok = end != q && *end == '\0' && step > 0 && isfinite(from) && isfinite(to) &&
                     isfinite(step) && to >= from;
            }
        }
        if (!ok) {
            snprintf(err, err_size,
                     "--set %s: expected FROM:TO:STEP with numbers, TO >= FROM and STEP > 0", arg);
            return -1;
        }
        /* Values from + k step, k = 0, 1, ... while <= to (with a little slack
         * for the rounding of step). */
        for (size_t k = 0;; k++) {
            double x = from + (double)k * step;
            if (x > to + 1e-9 * fabs(step)) break;
            if (p->n == MAX_VALUES) {
                snprintf(err, err_size, "--set %s: more than %d values", arg, MAX_VALUES);
                return -1;
            }
            char buf[SIM_NUMFMT_BUFSIZE];
            sim_numfmt_double(buf, x);
            if (!(p->values[p->n++] = strdup(buf))) return -1;
        }
        return 1;
    }
    const char *s = v;
    while (*s) {
        const char *c = strchr(s, ',');
        size_t len = c ? (size_t)(c - s) : strlen(s);
        if (len == 0 || p->n == MAX_VALUES) {
            snprintf(err, err_size,
                     len ? "--set %s: more than %d values" : "--set %s: an empty value in the list",
                     arg, MAX_VALUES);
            return -1;
        }
        if (!(p->values[p->n++] = strndup(s, len))) return -1;
        s = c ? c + 1 : s + len;
    }
    return 1;
}

static void param_release(param *p)
{
    free((void *)p->path);
    for (size_t i = 0; i < p->n; i++)
        free(p->values[i]);
}

static sim_status write_point(sim_csv *out, const param *params, size_t np, const size_t *idx,
                              const model_report *r)
{
    sim_status st = SIM_OK;
    sim_t_memo memo = {0};
    for (size_t g = 0; g < model_report_groups(r) && !st; g++) {
        for (int m = 0; m < MET_COUNT && !st; m++) {
            if (!model_report_group_reports(r, g, (model_metric)m)) continue;
            const sim_tally *t = model_report_group_total(r, g, (model_metric)m);
            if (!t || t->n == 0) continue;
            for (size_t k = 0; k < np && !st; k++)
                st = sim_csv_text(out, params[k].values[idx[k]]);
            if (!st) st = sim_csv_text(out, model_report_group_scope(r, g));
            if (!st) st = sim_csv_text(out, model_report_group_item(r, g));
            if (!st) st = sim_csv_text(out, model_metric_name((model_metric)m));
            if (!st) st = sim_csv_text(out, model_report_group_unit(r, g, (model_metric)m));
            if (!st) st = sim_csv_number(out, t->mean);
            sim_interval ci;
            bool have = t->n >= 2 &&
                        sim_ci_t_memo(&memo, t->mean, sim_tally_sd(t), t->n, 0.95, &ci) == SIM_OK;
            if (!st) st = have ? sim_csv_number(out, sim_tally_sd(t)) : sim_csv_empty(out);
            if (!st) st = have ? sim_csv_number(out, ci.low) : sim_csv_empty(out);
            if (!st) st = have ? sim_csv_number(out, ci.high) : sim_csv_empty(out);
            if (!st) st = sim_csv_integer(out, (int64_t)t->n);
            if (!st) st = sim_csv_end_row(out);
        }
    }
    return st;
}

int cmd_sweep_run(int argc, char **argv)
{
    runner_catch_sigint();
    cli_args a = {"sweep", argc, argv, 1};
    cli_sets sets = {0};
    param params[MAX_PARAMS];
    size_t np = 0;
    const char *file = NULL, *out_dir = NULL;
    uint64_t reps = 0, seed = 0, threads = 0, events_total = 0;
    unsigned scopes = MODEL_SCOPES_ALL;
    bool have_seed = false, force = false, quiet = false;
    int rc = EXIT_USAGE;
    world *w0 = NULL;
    sim_csv *out = NULL;
    sim_atomic_file *man = NULL;
    char err[1024];
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_sweep_usage(stdout);
            rc = EXIT_OK;
            goto out;
        } else if (cli_is_option(&a, "--set")) {
            const char *v;
            if (!cli_take_string(&a, "--set", &v)) goto out;
            if (np == MAX_PARAMS) {
                cli_usage_error(&a, "sweeps at most %d parameters", MAX_PARAMS);
                goto out;
            }
            int k = parse_sweep(v, &params[np], err, sizeof err);
            if (k < 0) {
                cli_usage_error(&a, "%s", err);
                param_release(&params[np]);
                goto out;
            }
            if (k > 0)
                np++;
            else if (!cli_sets_add(&sets, v))
                goto out;
        } else if (cli_is_option(&a, "-o") || cli_is_option(&a, "--output")) {
            if (!cli_take_string(&a, arg[1] == 'o' ? "-o" : "--output", &out_dir)) goto out;
        } else if (cli_is_option(&a, "-r") || cli_is_option(&a, "--replications")) {
            if (!cli_take_u64(&a, arg[1] == 'r' ? "-r" : "--replications", 1, &reps)) goto out;
        } else if (cli_is_option(&a, "-j") || cli_is_option(&a, "--threads")) {
            if (!cli_take_u64(&a, arg[1] == 'j' ? "-j" : "--threads", 1, &threads)) goto out;
            if (threads > 1024) threads = 1024;
        } else if (cli_is_option(&a, "--scopes")) {
            if (!cli_take_scopes(&a, &scopes)) goto out;
        } else if (cli_is_option(&a, "--seed")) {
            if (!cli_take_u64(&a, "--seed", 0, &seed)) goto out;
            have_seed = true;
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
            cli_usage_error(&a, "takes one scenario file (got '%s' and '%s')", file, arg);
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
    if (np == 0) {
        cli_usage_error(&a, "needs a swept --set PATH=FROM:TO:STEP or PATH=V1,V2,...");
        goto out;
    }
    size_t points = 1;
    for (size_t k = 0; k < np; k++) {
        points *= params[k].n;
        if (points > MAX_POINTS) {
            cli_usage_error(&a, "the grid has more than %d points", MAX_POINTS);
            goto out;
        }
    }
    /* The scenario as it stands, for defaults and the folder name. */
    rc = cli_load(file, &sets, &w0, NULL, NULL);
    if (rc != EXIT_OK) goto out;
    if (!reps) reps = w0->run.replications;
    if (!have_seed) seed = w0->run.seed;
    char dir[4096];
    if (out_dir && *out_dir)
        snprintf(dir, sizeof dir, "%s", out_dir);
    else
        snprintf(dir, sizeof dir, "out/%s-sweep", w0->name ? w0->name : "scenario");
    struct stat sb;
    if (!force && stat(dir, &sb) == 0) {
        fprintf(stderr,
                "chipsim sweep: output folder '%s' exists; use --force to replace its files, or "
                "-o DIR\n",
                dir);
        rc = EXIT_CANTCREAT;
        goto out;
    }
    bool created = false;
    if (!cli_make_dirs(dir, &created)) {
        fprintf(stderr, "chipsim sweep: cannot create output folder '%s': %s\n", dir,
                strerror(errno));
        rc = EXIT_CANTCREAT;
        goto out;
    }
    char path[4200], path_man[4200];
    snprintf(path, sizeof path, "%s/sweep.csv", dir);
    snprintf(path_man, sizeof path_man, "%s/manifest.yaml", dir);
    time_t started = time(NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    err[0] = '\0';
    sim_status st = sim_csv_open(&out, path, err, sizeof err);
    if (!st) st = sim_atomic_open(&man, path_man, err, sizeof err);
    const char *tail[] = {"scope", "product",  "metric",    "unit",        "mean",
                          "sd",    "ci95_low", "ci95_high", "replications"};
    for (size_t k = 0; k < np && !st; k++)
        st = sim_csv_text(out, params[k].path);
    for (size_t k = 0; k < sizeof tail / sizeof *tail && !st; k++)
        st = sim_csv_text(out, tail[k]);
    if (!st) st = sim_csv_end_row(out);
    rc = st ? EXIT_IOERR : EXIT_OK;
    size_t idx[MAX_PARAMS] = {0};
    for (size_t pt = 0; pt < points && rc == EXIT_OK; pt++) {
        /* The point's overrides: the fixed ones, then the swept values. */
        cli_sets ps = {0};
        char *owned[MAX_PARAMS] = {0};
        bool ok = true;
        for (size_t i = 0; i < sets.n && ok; i++)
            ok = cli_sets_add(&ps, sets.items[i]);
        for (size_t k = 0; k < np && ok; k++) {
            size_t len = strlen(params[k].path) + strlen(params[k].values[idx[k]]) + 2;
            owned[k] = malloc(len);
            ok = owned[k] != NULL;
            if (ok) {
                snprintf(owned[k], len, "%s=%s", params[k].path, params[k].values[idx[k]]);
                ok = cli_sets_add(&ps, owned[k]);
            }
        }
        world *w = NULL;
        model_plan *plan = NULL;
        model_report *r = NULL;
        if (!ok) {
            fprintf(stderr, "chipsim sweep: out of memory\n");
            rc = EXIT_SOFTWARE;
        } else {
            rc = cli_load(file, &ps, &w, NULL, NULL);
        }
        if (rc == EXIT_OK) {
            plan = model_plan_new(w, err, sizeof err);
            r = plan ? model_report_new_scoped(plan, scopes) : NULL;
            if (!r) {
                fprintf(stderr, "chipsim sweep: out of memory\n");
                rc = EXIT_SOFTWARE;
            }
        }
        if (rc == EXIT_OK) {
            if (!quiet && isatty(STDERR_FILENO)) {
                fprintf(stderr, "point %zu/%zu:", pt + 1, points);
                for (size_t k = 0; k < np; k++)
                    fprintf(stderr, " %s=%s", params[k].path, params[k].values[idx[k]]);
                fputc('\n', stderr);
            }
            uint64_t events_one = 0;
            runner_config rcfg = {.plan = plan,
                                  .seed = seed,
                                  .first = 0,
                                  .count = reps,
                                  .threads = threads ? (unsigned)threads : runner_default_threads(),
                                  .events_dispatched = &events_one,
                                  .report = r,
                                  .progress = !quiet && isatty(STDERR_FILENO)};
            sim_status run_st = runner_run(&rcfg, err, sizeof err);
            events_total += events_one;
            if (run_st != SIM_OK) {
                if (runner_interrupted()) {
                    fprintf(stderr, "chipsim sweep: interrupted; nothing written\n");
                    rc = EXIT_INTERRUPTED;
                } else {
                    fprintf(stderr, "chipsim sweep: %s\n", err);
                    rc = EXIT_SOFTWARE;
                }
            } else if (write_point(out, params, np, idx, r) != SIM_OK) {
                rc = EXIT_IOERR;
            }
        }
        model_report_free(r);
        model_plan_free(plan);
        world_free(w);
        cli_sets_release(&ps);
        for (size_t k = 0; k < np; k++)
            free(owned[k]);
        /* The next point: the last parameter varies fastest. */
        for (size_t k = np; k-- > 0;) {
            if (++idx[k] < params[k].n) break;
            idx[k] = 0;
        }
    }
    if (rc == EXIT_OK) {
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        const world *ws[1] = {w0};
        cli_manifest mf = {.threads = threads ? threads : runner_default_threads(),
                           .model_events = events_total,
                           .scopes = scopes,
                           .argc = argc,
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
        if (!st) {
            st = sim_csv_commit(out, err, sizeof err);
            out = NULL;
        }
        if (!st) {
            st = sim_atomic_commit(man, err, sizeof err);
            man = NULL;
        }
        if (st) rc = EXIT_IOERR;
    }
    if (rc == EXIT_IOERR)
        fprintf(stderr, "chipsim sweep: writing '%s': %s\n", path, *err ? err : "write error");
    if (out) sim_csv_abort(out);
    out = NULL;
    sim_atomic_abort(man);
    man = NULL;
    if (rc != EXIT_OK && created) {
        unlink(path_man);
        unlink(path);
        rmdir(dir);
    }
    if (rc == EXIT_OK && !quiet)
        printf("sweep: %zu points x %llu replications: %s\n", points, (unsigned long long)reps,
               path);
out:
    if (out) sim_csv_abort(out);
    sim_atomic_abort(man);
    world_free(w0);
    for (size_t k = 0; k < np; k++)
        param_release(&params[k]);
    cli_sets_release(&sets);
    return rc;
}
