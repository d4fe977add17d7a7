/*
 * chipsim merge — join the folders of `chipsim run --shard K/N` into the
 * files one run of all the replications writes, byte for byte.
 *
 * Each shard keeps its replications' values (values.bin); merge replays them
 * in replication order into a fresh report of the same scenario, so every
 * tally sees the same additions in the same order as a single run. Events
 * and per-replication rows are already in replication order within a
 * shard: they are concatenated. The scenario is loaded again from the path
 * and overrides in the shards' manifests, and its files must still have the
 * hashes the shards recorded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "atomic_file.h"
#include "commands.h"
#include "csv_writer.h"
#include "exit_codes.h"
#include "load.h"
#include "manifest.h"
#include "model.h"
#include "outdir.h"
#include "report.h"
#include "runner.h"
#include "sha256.h"

#define MAX_SHARDS 100000

void cmd_merge_usage(FILE *out)
{
    fprintf(out, "usage: chipsim merge DIR... -o OUT [--force] [--quiet]\n"
                 "\n"
                 "Joins the output folders of `chipsim run SCENARIO --shard K/N` (all N of them,\n"
                 "in any order) into OUT: timeseries.csv, summary.csv, events.csv (when the\n"
                 "shards wrote them) and manifest.yaml, the same bytes as one run of all the\n"
                 "replications writes. The scenario is read again from the path the shards'\n"
                 "manifests give; its files must be unchanged.\n"
                 "\n"
                 "options:\n"
                 "  -o, --output OUT   the merged folder (required)\n"
                 "  --force            write into OUT even if it exists\n"
                 "  -q, --quiet        no summary line\n"
                 "\n"
                 "exit status: 0 ok, 64 bad option, 65 shards that do not fit together or a\n"
                 "scenario that changed, 66 a missing shard file, 70 internal error, 73 cannot\n"
                 "create the output, 74 I/O error.\n"
                 "\n"
                 "example (Slurm array or GNU parallel, then merge):\n"
                 "  parallel chipsim run me.yaml -r 1000 --shard {}/4 -o shards/{} ::: 1 2 3 4\n"
                 "  chipsim merge shards/1 shards/2 shards/3 shards/4 -o out/me\n");
}

static bool same_sets(const cli_manifest_read *a, const cli_manifest_read *b)
{
    if (a->n_sets != b->n_sets) return false;
    for (size_t i = 0; i < a->n_sets; i++)
        if (strcmp(a->sets[i], b->sets[i]) != 0) return false;
    return true;
}

/* Appends a shard's CSV to out without its header line. */
static int append_body(const char *path, FILE *out, bool with_header)
{
    FILE *in = fopen(path, "rb");
    if (!in) return EXIT_NOINPUT;
    int c, line = 0;
    while ((c = fgetc(in)) != EOF) {
        if (line > 0 || with_header) fputc(c, out);
        if (c == '\n' && line == 0) line = 1;
    }
    int bad = ferror(in);
    fclose(in);
    return bad ? EXIT_IOERR : EXIT_OK;
}

/* Replays a shard's values.bin into the report. */
static int replay(const char *path, model_report *r, uint64_t expect_first, uint64_t *count,
                  char *err, size_t err_size)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return EXIT_NOINPUT;
    }
    size_t n_values;
    unsigned long long first, cnt;
    int rc = EXIT_OK;
    if (fscanf(in, "chipsim values 1 %zu %llu %llu", &n_values, &first, &cnt) != 3 ||
        fgetc(in) != '\n') {
        snprintf(err, err_size, "%s: not a chipsim values file", path);
        rc = EXIT_DATAERR;
    } else if (n_values != model_report_values_size(r) || first != expect_first) {
        snprintf(err, err_size,
                 "%s: holds replications from %llu with %zu values each; expected them from "
                 "%llu with %zu (a shard of another scenario or version?)",
                 path, first, n_values, (unsigned long long)expect_first,
                 model_report_values_size(r));
        rc = EXIT_DATAERR;
    }
    double *v = rc == EXIT_OK ? malloc((n_values ? n_values : 1) * sizeof *v) : NULL;
    if (rc == EXIT_OK && !v) rc = EXIT_SOFTWARE;
    for (unsigned long long i = 0; rc == EXIT_OK && i < cnt; i++) {
        if (fread(v, sizeof *v, n_values, in) != n_values) {
            snprintf(err, err_size, "%s: ends after %llu of %llu replications", path, i, cnt);
            rc = EXIT_DATAERR;
            break;
        }
        model_report_add_values(r, v);
    }
    free(v);
    fclose(in);
    *count = cnt;
    return rc;
}

int cmd_merge_run(int argc, char **argv)
{
    cli_args a = {"merge", argc, argv, 1};
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    size_t n = 0;
    const char *out_dir = NULL;
    bool force = false, quiet = false;
    int rc = EXIT_USAGE;
    cli_manifest_read *mf = NULL;
    world *w = NULL;
    model_plan *plan = NULL;
    model_report *r = NULL;
    size_t *order = NULL;
    char err[9000];
    if (!dirs) return EXIT_SOFTWARE;
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_merge_usage(stdout);
            free(dirs);
            return EXIT_OK;
        } else if (cli_is_option(&a, "-o") || cli_is_option(&a, "--output")) {
            if (!cli_take_string(&a, arg[1] == 'o' ? "-o" : "--output", &out_dir)) goto out;
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
            dirs[n++] = arg;
            a.i++;
        }
    }
    if (!out_dir || !*out_dir) {
        cli_usage_error(&a, "needs -o OUT, the merged folder");
        goto out;
    }
    if (n == 0) {
        cli_usage_error(&a, "needs the shard folders to merge");
        goto out;
    }
    mf = calloc(n, sizeof *mf);
    order = calloc(n, sizeof *order);
    if (!mf || !order) {
        rc = EXIT_SOFTWARE;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/manifest.yaml", dirs[i]);
        sim_status st = cli_manifest_load(path, &mf[i], err, sizeof err);
        if (st != SIM_OK) {
            fprintf(stderr, "chipsim merge: %s\n", err);
            rc = st == SIM_ENOENT ? EXIT_NOINPUT : EXIT_DATAERR;
            goto out;
        }
        const cli_manifest_read *m = &mf[i], *m0 = &mf[0];
        if (strcmp(m->scenario, m0->scenario) != 0 || !same_sets(m, m0) || m->seed != m0->seed ||
            m->replications != m0->replications || m->shards != m0->shards ||
            m->per_replication != m0->per_replication || m->events != m0->events ||
            m->scopes != m0->scopes) {
            fprintf(stderr,
                    "chipsim merge: %s and %s are shards of different runs (scenario, --set, "
                    "seed, replications, shard count, scopes or outputs differ)\n",
                    dirs[0], dirs[i]);
            rc = EXIT_DATAERR;
            goto out;
        }
        if (m->shards != n || m->shard < 1 || m->shard > n || order[m->shard - 1] != SIZE_MAX) {
            fprintf(stderr,
                    "chipsim merge: %s is shard %llu/%llu; expected each of the %llu shards "
                    "exactly once (got %zu folders)\n",
                    dirs[i], (unsigned long long)m->shard, (unsigned long long)m->shards,
                    (unsigned long long)m->shards, n);
            rc = EXIT_DATAERR;
            goto out;
        }
        order[m->shard - 1] = i;
    }
    /* The scenario again, as the shards read it. */
    cli_sets sets = {(const char **)mf[0].sets, mf[0].n_sets, mf[0].n_sets};
    rc = cli_load(mf[0].scenario, &sets, &w, NULL, NULL);
    if (rc != EXIT_OK) goto out;
    for (size_t i = 0; i < w->n_files; i++) {
        char hex[65];
        bool ok = i < mf[0].n_files && strcmp(w->files[i], mf[0].paths[i]) == 0 &&
                  sim_sha256_file(w->files[i], hex) == SIM_OK && strcmp(hex, mf[0].hashes[i]) == 0;
        if (!ok || w->n_files != mf[0].n_files) {
            fprintf(stderr,
                    "chipsim merge: '%s' is not the file the shards read (its SHA-256 or the "
                    "list of files changed); rerun the shards or restore it\n",
                    i < w->n_files ? w->files[i] : mf[0].scenario);
            rc = EXIT_DATAERR;
            goto out;
        }
    }
    plan = model_plan_new(w, err, sizeof err);
    r = plan ? model_report_new_scoped(plan, mf[0].scopes) : NULL;
    if (!r) {
        fprintf(stderr, "chipsim merge: out of memory\n");
        rc = EXIT_SOFTWARE;
        goto out;
    }
    model_report_set_write_threads(r, runner_default_threads());
    struct stat sb;
    if (!force && stat(out_dir, &sb) == 0) {
        fprintf(stderr, "chipsim merge: output folder '%s' exists; use --force\n", out_dir);
        rc = EXIT_CANTCREAT;
        goto out;
    }
    bool created = false;
    if (!cli_make_dirs(out_dir, &created)) {
        fprintf(stderr, "chipsim merge: cannot create output folder '%s': %s\n", out_dir,
                strerror(errno));
        rc = EXIT_CANTCREAT;
        goto out;
    }
    time_t started = time(NULL);
    char p_ts[4200], p_sum[4200], p_ev[4200], p_man[4200];
    snprintf(p_ts, sizeof p_ts, "%s/timeseries.csv", out_dir);
    snprintf(p_sum, sizeof p_sum, "%s/summary.csv", out_dir);
    snprintf(p_ev, sizeof p_ev, "%s/events.csv", out_dir);
    snprintf(p_man, sizeof p_man, "%s/manifest.yaml", out_dir);
    sim_csv *ts = NULL, *sum = NULL;
    sim_atomic_file *ev = NULL, *man = NULL, *tsraw = NULL;
    const char *name = w->name ? w->name : "scenario";
    err[0] = '\0';
    sim_status st = sim_csv_open(&sum, p_sum, err, sizeof err);
    /* Per-replication rows are concatenated as text; means are written from
     * the replayed report. */
    if (!st && mf[0].per_replication) st = sim_atomic_open(&tsraw, p_ts, err, sizeof err);
    if (!st && !mf[0].per_replication) st = sim_csv_open(&ts, p_ts, err, sizeof err);
    if (!st && mf[0].events) st = sim_atomic_open(&ev, p_ev, err, sizeof err);
    if (!st) st = sim_atomic_open(&man, p_man, err, sizeof err);
    rc = st ? (st == SIM_ECANTCREATE ? EXIT_CANTCREAT : EXIT_IOERR) : EXIT_OK;
    uint64_t next = 0;
    for (size_t k = 0; k < n && rc == EXIT_OK; k++) {
        const char *d = dirs[order[k]];
        char path[4200];
        uint64_t count = 0;
        snprintf(path, sizeof path, "%s/values.bin", d);
        rc = replay(path, r, next, &count, err, sizeof err);
        if (rc != EXIT_OK) {
            fprintf(stderr, "chipsim merge: %s\n", err);
            break;
        }
        next += count;
        if (tsraw) {
            snprintf(path, sizeof path, "%s/timeseries.csv", d);
            rc = append_body(path, sim_atomic_stream(tsraw), k == 0);
        }
        if (rc == EXIT_OK && ev) {
            snprintf(path, sizeof path, "%s/events.csv", d);
            rc = append_body(path, sim_atomic_stream(ev), k == 0);
        }
        if (rc != EXIT_OK) fprintf(stderr, "chipsim merge: cannot read %s\n", path);
    }
    if (rc == EXIT_OK && next != mf[0].replications) {
        fprintf(stderr, "chipsim merge: the shards hold %llu replications; expected %llu\n",
                (unsigned long long)next, (unsigned long long)mf[0].replications);
        rc = EXIT_DATAERR;
    }
    if (rc == EXIT_OK) {
        st = ts ? model_report_write_timeseries(r, ts, name) : SIM_OK;
        if (!st) st = model_report_write_summary(r, sum, name);
        if (!st) {
            const world *ws[1] = {w};
            cli_manifest m = {.argc = argc,
                              .argv = argv,
                              .worlds = ws,
                              .n_worlds = 1,
                              .seed = mf[0].seed,
                              .replications = mf[0].replications,
                              .shard = 1,
                              .shards = 1,
                              .started = started,
                              .scenario = mf[0].scenario,
                              .sets = (const char *const *)mf[0].sets,
                              .n_sets = mf[0].n_sets,
                              .per_replication = mf[0].per_replication,
                              .events = mf[0].events,
                              .scopes = mf[0].scopes};
            st = cli_manifest_write(&m, sim_atomic_stream(man), err, sizeof err);
        }
        if (!st && ts) {
            st = sim_csv_commit(ts, err, sizeof err);
            ts = NULL;
        }
        if (!st && tsraw) {
            st = sim_atomic_commit(tsraw, err, sizeof err);
            tsraw = NULL;
        }
        if (!st) {
            st = sim_csv_commit(sum, err, sizeof err);
            sum = NULL;
        }
        if (!st && ev) {
            st = sim_atomic_commit(ev, err, sizeof err);
            ev = NULL;
        }
        if (!st) {
            st = sim_atomic_commit(man, err, sizeof err);
            man = NULL;
        }
        if (st) {
            fprintf(stderr, "chipsim merge: writing '%s': %s\n", out_dir,
                    *err ? err : sim_status_str(st));
            rc = EXIT_IOERR;
        }
    }
    if (ts) sim_csv_abort(ts);
    if (sum) sim_csv_abort(sum);
    sim_atomic_abort(tsraw);
    sim_atomic_abort(ev);
    sim_atomic_abort(man);
    if (rc != EXIT_OK && created) {
        unlink(p_ts);
        unlink(p_sum);
        unlink(p_ev);
        unlink(p_man);
        rmdir(out_dir);
    }
    if (rc == EXIT_OK && !quiet)
        printf("merge: %zu shards, %llu replications: %s\n", n,
               (unsigned long long)mf[0].replications, out_dir);
out:
    model_report_free(r);
    model_plan_free(plan);
    world_free(w);
    if (mf)
        for (size_t i = 0; i < n; i++)
            cli_manifest_read_release(&mf[i]);
    free(mf);
    free(order);
    free(dirs);
    return rc;
}
