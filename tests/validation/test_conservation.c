/*
 * Conservation of units. At the end of a replication, what entered the world
 * (initial stock, sources, batch output) must equal what was delivered, is
 * held, in transit or in process, or was consumed, scrapped or seized, to the
 * unit, for every product (model_config.check_conservation; model_run fails
 * with SIM_EMODEL and names the product otherwise).
 *
 * The check runs on the shipped scenarios, on every scenario of this folder,
 * on 200 random worlds that between them use every feature the model has
 * (sources, processes with inputs, co-products, servers and wafer capacity,
 * yields of every form, base-stock and (s, S) stock with suppliers in
 * preference order, a need filled by several products, demand with patience
 * and order windows, dated and random disruptions, every distribution, and
 * export-control sections), and on the worlds in regress/ (each once broke a
 * run; they run their own run.replications). Random worlds must also do
 * something (deliver or make units), so the test cannot pass on empty
 * worlds.
 *
 * Each world runs in a child process with a time limit and a memory limit,
 * so one that hangs, eats memory or crashes is reported by name and the
 * others still run. A random world that fails stays in the scratch folder
 * (CHIPSIM_TEST_TMPDIR) with its tables; the others are removed.
 *
 * For a longer search, CHIPSIM_CONSERVATION_WORLDS=N and
 * CHIPSIM_CONSERVATION_FIRST=K run worlds K .. K+N-1 instead of 0 .. 199;
 * CHIPSIM_CONSERVATION_KEEP=1 keeps every world's files;
 * CHIPSIM_TEST_FILTER=test_random_worlds runs that test alone.
 *
 * There is no negative test (a world proven to break the check): the model
 * has no hook to break conservation on purpose, and desynchronising a plan
 * from its world by writing into the read-only world would test undefined
 * use, not the check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "date.h"
#include "diag.h"
#include "metrics.h"
#include "model.h"
#include "scenario.h"

#include "scratch.h"

#define N_WORLDS      200
#define WORLD_REPS    2
#define SCENARIO_REPS 3
#define ERR_SIZE      2048

/* Time allowed a scenario's replications (the handsets worlds take seconds a
 * replication, more in a sanitizer build) and a small world's. */
#define SCENARIO_SECONDS 900
#define WORLD_SECONDS    10

/* ---- a memory limit for the child that runs a world: a model that orders
 * or makes without end would otherwise take the machine's memory (and the
 * OOM killer takes whatever it likes) ---- */

/* The handsets worlds hold millions of one-unit batches and claims (their
 * demand outruns capacity): 2 GB, 2.5 GB under AddressSanitizer. */
#define SCENARIO_MB 4096
#define WORLD_MB    1024

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* In the child: allocations past the limit fail, and model_run says so.
 * Not under AddressSanitizer, which reserves terabytes of address space up
 * front; there the parent's watch (child_rss_mb) is the limit. */
static void limit_memory(unsigned mb)
{
#ifdef UNDER_ASAN
    (void)mb;
#else
    const rlim_t bytes = (rlim_t)mb << 20;
    struct rlimit lim;
    if (getrlimit(RLIMIT_AS, &lim) == 0 &&
        (lim.rlim_max == RLIM_INFINITY || lim.rlim_max > bytes)) {
        lim.rlim_cur = bytes;
        setrlimit(RLIMIT_AS, &lim);
    }
#endif
}

/* The resident memory of a process in MB, from Linux's /proc; 0 where there
 * is no /proc. */
static double child_rss_mb(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/statm", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    unsigned long size = 0, resident = 0;
    const int n = fscanf(f, "%lu %lu", &size, &resident);
    fclose(f);
    return n == 2 ? (double)resident * (double)sysconf(_SC_PAGESIZE) / (1 << 20) : 0;
}

/* ---- running a world ---- */

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return;
    fprintf(stderr, "---- %s ----\n", path);
    char line[512];
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fprintf(stderr, "---- end of %s ----\n", path);
    fclose(f);
}

/* What a child reports through its pipe. */
typedef struct report {
    double activity; /* units delivered to demand plus good units made, all replications */
    char err[ERR_SIZE];
} report;

/* Runs replications [0, n_reps) with the check on. Returns false with the
 * model's message in out->err at the first failure. */
static bool run_checked(const world *w, uint64_t n_reps, report *out)
{
    model_plan *p = model_plan_new(w, out->err, sizeof out->err);
    if (!p) return false;
    model_metrics *m = model_metrics_new(p);
    bool ok = m != NULL;
    if (!ok) snprintf(out->err, sizeof out->err, "out of memory for the metrics");
    for (uint64_t r = 0; r < n_reps && ok; r++) {
        model_config cfg = model_config_default(w);
        cfg.replication = r;
        cfg.check_conservation = true;
        const sim_status st = model_run(p, &cfg, m, NULL, out->err, sizeof out->err);
        if (st != SIM_OK) {
            const size_t used = strlen(out->err);
            snprintf(out->err + used, sizeof out->err - used, " [%s, replication %llu]",
                     sim_status_str(st), (unsigned long long)r);
            ok = false;
            break;
        }
        double sums[RAW_COUNT];
        model_metrics_sum(p, m, 0, model_plan_periods(p), NULL, NULL, sums);
        out->activity += sums[RAW_DELIVERED] + sums[RAW_PRODUCED];
    }
    model_metrics_free(m);
    model_plan_free(p);
    return ok;
}

/* Exit statuses of a child; anything else is a crash or a sanitizer's. */
#define CHILD_OK          0
#define CHILD_MODEL_ERROR 3
#define CHILD_LOAD_ERROR  4

/* The child: load, run, report, exit (exit, not _exit, so LeakSanitizer
 * looks at what the model left). Diagnostics go to the inherited stderr. */
static void child(const char *path, bool show_file, uint64_t n_reps, unsigned mb, int fd)
{
    limit_memory(mb);
    static report rep; /* large: not on the stack */
    diag_list *d = diag_list_new();
    world *w = NULL;
    const sim_status st = d ? scenario_load(path, NULL, 0, d, &w) : SIM_ENOMEM;
    if (st != SIM_OK || w == NULL) {
        if (d) diag_print(d, stderr);
        if (show_file) print_file(path);
        fprintf(stderr, "%s: scenario_load: %s\n", path, sim_status_str(st));
        diag_list_free(d);
        exit(CHILD_LOAD_ERROR);
    }
    diag_list_free(d);
    const bool ok = run_checked(w, n_reps ? n_reps : w->run.replications, &rep);
    world_free(w);
    const char *at = (const char *)&rep;
    for (size_t done = 0; done < sizeof rep;) {
        const ssize_t n = write(fd, at + done, sizeof rep - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) exit(CHILD_MODEL_ERROR);
        done += (size_t)n;
    }
    close(fd);
    exit(ok ? CHILD_OK : CHILD_MODEL_ERROR);
}

/* Loads and runs a scenario (n_reps replications; 0: its run.replications)
 * in a child process with `seconds` and `mb` of memory. Returns true when
 * every replication conserved units; otherwise out->err says what went wrong
 * (the model's message, a load failure, a crash, no end in the time allowed,
 * too much memory). */
static bool run_isolated(const char *path, bool show_file, uint64_t n_reps, unsigned seconds,
                         unsigned mb, report *out)
{
    memset(out, 0, sizeof *out);
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(stdout); /* or the child flushes the parent's buffered output again */
    fflush(stderr);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        child(path, show_file, n_reps, mb, fd[1]);
    }
    close(fd[1]);
    const double deadline = seconds_now() + seconds;
    size_t got = 0;
    bool timed_out = false, too_big = false;
    for (;;) {
        /* Wake often enough to stop a child that eats memory quickly. */
        const double left = deadline - seconds_now();
        struct pollfd pfd = {.fd = fd[0], .events = POLLIN};
        const int r = left > 0 ? poll(&pfd, 1, left > 0.05 ? 50 : (int)(left * 1000) + 1) : 0;
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 && left <= 0) {
            timed_out = true;
            break;
        }
        if (r == 0) {
            if (child_rss_mb(pid) > mb) {
                too_big = true;
                break;
            }
            continue;
        }
        assert_true(r > 0);
        /* The child writes one report; anything after it is read and dropped. */
        char spare;
        const bool full = got == sizeof *out;
        const ssize_t n =
            read(fd[0], full ? &spare : (char *)out + got, full ? 1 : sizeof *out - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break; /* the child is gone */
        if (!full) got += (size_t)n;
    }
    close(fd[0]);
    if (timed_out || too_big) kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    if (timed_out) {
        snprintf(out->err, sizeof out->err, "no end in %u s (a livelock?)", seconds);
        return false;
    }
    if (too_big) {
        snprintf(out->err, sizeof out->err,
                 "stopped at more than %u MB of memory (orders or batches without end?)", mb);
        return false;
    }
    if (WIFSIGNALED(status)) {
        snprintf(out->err, sizeof out->err, "crashed: signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
        return false;
    }
    const int code = WEXITSTATUS(status);
    if (code == CHILD_OK && got == sizeof *out) return true;
    if (code == CHILD_LOAD_ERROR)
        snprintf(out->err, sizeof out->err, "does not load (diagnostics above)");
    else if (code != CHILD_MODEL_ERROR || got != sizeof *out)
        snprintf(out->err, sizeof out->err, "exited with status %d (a sanitizer's report above?)",
                 code);
    return false;
}

/* A scenario of the tree: loads, conserves in each replication, does
 * something. */
static void check_scenario(const char *path, uint64_t n_reps)
{
    const double t0 = seconds_now();
    static report rep;
    if (!run_isolated(path, false, n_reps, SCENARIO_SECONDS, SCENARIO_MB, &rep))
        fail_msg("%s: %s", path, rep.err);
    print_message("%-60s %llu replications, %.2f s\n", path, (unsigned long long)n_reps,
                  seconds_now() - t0);
    assert_true(rep.activity > 0);
}

static void test_shipped_scenarios(void **state)
{
    (void)state;
    /* The handsets worlds take seconds a replication: one each. */
    static const struct {
        const char *file;
        uint64_t reps;
    } shipped[] = {{"middle-east-2023.yaml", SCENARIO_REPS},
                   {"middle-east-2023-no-rule.yaml", SCENARIO_REPS},
                   {"handsets-2023.yaml", 1},
                   {"handsets-2023-no-deal.yaml", 1}};
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        char path[PATH_BUF];
        snprintf(path, sizeof path, "%s/scenarios/%s", TEST_DATA_DIR, shipped[i].file);
        check_scenario(path, shipped[i].reps);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of dir, sorted (so failures come in a fixed order);
 * *n = 0 when dir does not exist. */
static char **list_yaml(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return NULL;
    size_t cap = 16;
    char **names = malloc(cap * sizeof *names);
    assert_non_null(names);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".yaml") != 0) continue;
        if (*n == cap) {
            cap *= 2;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[*n] = malloc(strlen(dir) + len + 2);
        assert_non_null(names[*n]);
        sprintf(names[*n], "%s/%s", dir, e->d_name);
        (*n)++;
    }
    closedir(d);
    qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* The textbook scenarios of this folder, whatever they are at the time. */
static void test_validation_scenarios(void **state)
{
    (void)state;
    size_t n;
    char **files = list_yaml(VALIDATION_DIR, &n);
    for (size_t i = 0; i < n; i++)
        check_scenario(files[i], SCENARIO_REPS);
    free_list(files, n);
    assert_true(n > 0); /* at least mm1.yaml */
}

/* The scenario library (scenarios/): every world conserves. us-rules.yaml
 * holds rules and no sites, so nothing moves there: it is left out. */
static void test_library_scenarios(void **state)
{
    (void)state;
    size_t n, ran = 0;
    char **files = list_yaml(SCENARIOS_DIR, &n);
    for (size_t i = 0; i < n; i++) {
        if (strstr(files[i], "/us-rules.yaml")) continue;
        check_scenario(files[i], 2);
        ran++;
    }
    free_list(files, n);
    assert_true(ran >= 11); /* the library's baseline and policies */
}

/* Worlds that once failed, each with its own run.replications; all are run
 * and every failure named. */
static void test_regressions(void **state)
{
    (void)state;
    size_t n;
    char **files = list_yaml(VALIDATION_DIR "/regress", &n);
    size_t failed = 0;
    static report rep;
    for (size_t i = 0; i < n; i++)
        if (!run_isolated(files[i], false, 0, WORLD_SECONDS, WORLD_MB, &rep)) {
            print_error("%s: %s\n", files[i], rep.err);
            failed++;
        }
    free_list(files, n);
    assert_int_equal(failed, 0);
}

/* ---- random worlds ---- */

/* splitmix64, of the test's own: a world depends on its index alone, not on
 * the kernel's random streams. */
typedef struct prng {
    uint64_t s;
} prng;

static uint64_t next_u64(prng *r)
{
    uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* 0 .. n-1 (n > 0). */
static unsigned below(prng *r, unsigned n)
{
    return (unsigned)(next_u64(r) % n);
}

/* lo .. hi, both included. */
static unsigned between(prng *r, unsigned lo, unsigned hi)
{
    return lo + below(r, hi - lo + 1);
}

static double unit01(prng *r)
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

static bool chance(prng *r, double p)
{
    return unit01(r) < p;
}

/* A number from lo to hi with two decimals, so the file holds it exactly as
 * drawn. */
static double pick(prng *r, double lo, double hi)
{
    return round((lo + (hi - lo) * unit01(r)) * 100) / 100;
}

#define MAX_PRODUCTS 8
#define MAX_SITES    16
#define MAX_PROCS    3
#define MAX_INPUTS   3
#define MAX_OUTPUTS  2
#define MAX_INV      16 /* enough for every input and output of MAX_PROCS processes */
#define MAX_SUP      3
#define MAX_LANES    (MAX_SITES * MAX_SITES)
#define MAX_DEMAND   16
#define MAX_TABLES   64
#define TEXT         320
#define NEED         (-1) /* an inventory's item: the need, not a product */

typedef struct g_amount {
    unsigned product, qty;
} g_amount;

typedef struct g_process {
    g_amount in[MAX_INPUTS], out[MAX_OUTPUTS];
    unsigned n_in, n_out;
    unsigned servers, wafers; /* 0: not given */
    bool has_priority;
    int priority;
    char yield[TEXT]; /* "": every unit good */
    char duration[TEXT];
} g_process;

typedef struct g_inventory {
    int item; /* a product, or NEED */
    bool s_S;
    double level, s, S; /* whole units of a product; a need's may be fractional */
    unsigned review;
    unsigned sup[MAX_SUP], n_sup;
} g_inventory;

typedef struct g_site {
    unsigned firm, country;
    uint32_t source, makes, holds; /* a bit per product */
    char capacity[TEXT];           /* "": none */
    g_process proc[MAX_PROCS];
    unsigned n_proc;
    g_inventory inv[MAX_INV];
    unsigned n_inv;
} g_site;

typedef struct g_lane {
    unsigned from, to;
    char transit[TEXT];
    bool illicit;
    double detection, cost;
} g_lane;

typedef struct g_demand {
    unsigned site;
    int item;
    char orders[TEXT + 32], size[TEXT]; /* orders: a rate series in a mapping */
    double patience;                    /* 0: never lost */
    sim_date starts, ends;              /* 0: not given */
} g_demand;

typedef struct gen {
    prng r;
    const fixture *fx;
    unsigned index; /* of the world: names its files */
    char tables[MAX_TABLES][PATH_BUF];
    unsigned n_tables;
    sim_date start, end;
    unsigned days;
    unsigned n_countries, n_firms, n_products;
    bool has_group, has_list, controls;
    unsigned scale;             /* of batch sizes, stock levels and order sizes: 1, 10 or 100 */
    double busy;                /* order rates times this: 1, or 4 in a busy world */
    double h100e[MAX_PRODUCTS]; /* 0: no attribute */
    bool controlled[MAX_PRODUCTS];
    uint32_t filled_by_mask;
    unsigned filled_by[MAX_PRODUCTS], n_filled_by; /* preference order; 0: no need */
    g_site site[MAX_SITES];
    unsigned n_sites;
    g_lane lane[MAX_LANES];
    unsigned n_lanes;
    g_demand demand[MAX_DEMAND];
    unsigned n_demand;
} gen;

/* A file next to the world's YAML: name is what the YAML says, the path is
 * remembered for removal. */
static FILE *open_table(gen *g, char name[64])
{
    assert_true(g->n_tables < MAX_TABLES);
    snprintf(name, 64, "w%03u_t%u.csv", g->index, g->n_tables);
    char *path = g->tables[g->n_tables++];
    path_in(g->fx, name, path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    return f;
}

/* A quantity over time from lo to hi: a constant, an inline dated mapping or
 * a dated table, with dates from before the run to inside it. zero_ok lets
 * some values be 0 (a capacity or rate that stops for a while). */
static void series(gen *g, double lo, double hi, bool zero_ok, char out[TEXT])
{
    const unsigned form = below(&g->r, 4);
    if (form < 2) {
        snprintf(out, TEXT, "%g", pick(&g->r, lo, hi));
        return;
    }
    const unsigned n = between(&g->r, 1, 4);
    sim_date d = g->start - (sim_date)below(&g->r, 60);
    char name[64];
    FILE *f = NULL;
    size_t used;
    if (form == 2) {
        f = open_table(g, name);
        fprintf(f, "date,value\n");
        used = (size_t)snprintf(out, TEXT, "{table: %s}", name);
    } else {
        used = (size_t)snprintf(out, TEXT, "{");
    }
    for (unsigned i = 0; i < n; i++) {
        char ds[SIM_DATE_BUFSIZE];
        sim_date_format(d, ds);
        const double v = zero_ok && chance(&g->r, 0.2) ? 0 : pick(&g->r, lo, hi);
        if (f)
            fprintf(f, "%s,%g\n", ds, v);
        else
            used += (size_t)snprintf(out + used, TEXT - used, "%s%s: %g", i ? ", " : "", ds, v);
        d += (sim_date)between(&g->r, 10, g->days / 2);
    }
    if (f)
        assert_int_equal(fclose(f), 0);
    else
        snprintf(out + used, TEXT - used, "}");
    assert_true(used < TEXT - 1);
}

/* A distribution of every kind the format has, with a mean near `mean`, of
 * "days" or "units". zero_ok allows a constant 0 (a transit or a batch that
 * takes no time). */
static void dist(gen *g, const char *unit, double mean, bool zero_ok, char out[TEXT])
{
    prng *r = &g->r;
    const double m = pick(r, mean * 0.5, mean * 1.5) + 0.01;
    switch (below(r, 7)) {
    case 0:
        snprintf(out, TEXT, "{dist: constant, %s: %g}", unit, zero_ok && chance(r, 0.2) ? 0 : m);
        break;
    case 1:
        snprintf(out, TEXT, "{dist: exponential, mean_%s: %g}", unit, m);
        break;
    case 2:
        snprintf(out, TEXT, "{dist: gamma, mean_%s: %g, cv: %g}", unit, m, pick(r, 0.1, 1.5));
        break;
    case 3:
        snprintf(out, TEXT, "{dist: lognormal, median_%s: %g, sigma: %g}", unit, m,
                 pick(r, 0.1, 1));
        break;
    case 4:
        snprintf(out, TEXT, "{dist: normal, mean_%s: %g, sd_%s: %g}", unit, m, unit, pick(r, 0, m));
        break;
    case 5: {
        const double a = zero_ok ? pick(r, 0, m) : pick(r, m / 2, m) + 0.01;
        snprintf(out, TEXT, "{dist: uniform, min_%s: %g, max_%s: %g}", unit, a, unit,
                 a + pick(r, 0, m));
        break;
    }
    default: {
        const unsigned n = between(r, 1, 4);
        if (chance(r, 0.5)) {
            char name[64];
            FILE *f = open_table(g, name);
            fprintf(f, "value,weight\n");
            for (unsigned i = 0; i < n; i++)
                fprintf(f, "%g,%g\n", pick(r, zero_ok ? 0 : 0.5, 2 * m) + 0.01, pick(r, 0.5, 3));
            assert_int_equal(fclose(f), 0);
            snprintf(out, TEXT, "{dist: empirical, table: %s}", name);
            break;
        }
        char values[TEXT / 2] = "", weights[TEXT / 2] = "";
        size_t nv = 0, nw = 0;
        for (unsigned i = 0; i < n; i++) {
            nv += (size_t)snprintf(values + nv, sizeof values - nv, "%s%g", i ? ", " : "",
                                   pick(r, zero_ok ? 0 : 0.5, 2 * m) + 0.01);
            nw += (size_t)snprintf(weights + nw, sizeof weights - nw, "%s%g", i ? ", " : "",
                                   pick(r, 0.5, 3));
        }
        snprintf(out, TEXT, "{dist: empirical, values: [%s], weights: [%s]}", values, weights);
        break;
    }
    }
}

/* Does site s hold, make or source product p? */
static bool has_product(const g_site *s, unsigned p)
{
    return ((s->source | s->makes | s->holds) >> p) & 1;
}

static bool has_item(const gen *g, const g_site *s, int item)
{
    if (item != NEED) return has_product(s, (unsigned)item);
    return ((s->source | s->makes | s->holds) & g->filled_by_mask) != 0;
}

static unsigned add_lane(gen *g, unsigned from, unsigned to)
{
    for (unsigned i = 0; i < g->n_lanes; i++)
        if (g->lane[i].from == from && g->lane[i].to == to) return i;
    assert_true(g->n_lanes < MAX_LANES);
    g_lane *l = &g->lane[g->n_lanes];
    *l = (g_lane){.from = from, .to = to};
    dist(g, "days", pick(&g->r, 1, 15), true, l->transit);
    l->illicit = chance(&g->r, 0.1);
    if (l->illicit) l->detection = chance(&g->r, 0.5) ? pick(&g->r, 0, 0.3) : 0;
    if (chance(&g->r, 0.2)) l->cost = pick(&g->r, 0, 50);
    return g->n_lanes++;
}

/* Site s keeps stock of item. Suppliers come only from sites that already
 * have it, so the supply of each item is acyclic (no site orders, through
 * others, from itself): the loader refuses supply that loops. */
static void add_inventory(gen *g, unsigned s, int item)
{
    g_site *site = &g->site[s];
    for (unsigned i = 0; i < site->n_inv; i++)
        if (site->inv[i].item == item) return;
    assert_true(site->n_inv < MAX_INV);
    prng *r = &g->r;
    g_inventory *inv = &site->inv[site->n_inv];
    *inv = (g_inventory){.item = item, .s_S = chance(r, 0.35)};
    /* A need counts in its unit (h100e): its levels need not be whole. */
    const double frac = item == NEED ? pick(r, 0, 1) : 0;
    if (inv->s_S) {
        inv->s = between(r, 0, 10) * g->scale + frac;
        inv->S = inv->s + between(r, 1, 20) * g->scale;
        inv->review = between(r, 1, 30);
    } else {
        inv->level = chance(r, 0.25) ? 0 : between(r, 1, 20) * g->scale + frac;
    }
    const bool local = item != NEED && (((site->source | site->makes) >> item) & 1);
    if (!local) {
        unsigned cand[MAX_SITES], n = 0;
        for (unsigned x = 0; x < g->n_sites; x++)
            if (x != s && has_item(g, &g->site[x], item)) cand[n++] = x;
        if (n == 0) return; /* nothing could replenish it */
        /* A random order of some candidates: the preference order. */
        for (unsigned i = n; i > 1; i--) {
            const unsigned j = below(r, i), t = cand[i - 1];
            cand[i - 1] = cand[j];
            cand[j] = t;
        }
        inv->n_sup = between(r, 1, n < MAX_SUP ? n : MAX_SUP);
        for (unsigned i = 0; i < inv->n_sup; i++) {
            inv->sup[i] = cand[i];
            add_lane(g, cand[i], s);
        }
    }
    if (item != NEED) site->holds |= UINT32_C(1) << item;
    site->n_inv++;
}

static unsigned new_site(gen *g)
{
    assert_true(g->n_sites < MAX_SITES);
    g_site *s = &g->site[g->n_sites];
    memset(s, 0, sizeof *s);
    s->firm = below(&g->r, g->n_firms);
    s->country = below(&g->r, g->n_countries);
    return g->n_sites++;
}

/* A process at site s that makes product p (and maybe a co-product made of
 * the same inputs) from products below p: the bill of materials only points
 * down, so it is acyclic. */
static void add_process(gen *g, unsigned s, unsigned p, bool raw)
{
    prng *r = &g->r;
    g_site *site = &g->site[s];
    g_process *x = &site->proc[site->n_proc++];
    memset(x, 0, sizeof *x);
    x->out[x->n_out++] = (g_amount){p, between(r, 1, 20) * g->scale};
    if (p + 1 < g->n_products && chance(r, 0.15)) {
        /* A co-product, unless the site sources it (then nothing would ask
         * the process for it: the loader refuses that). */
        const unsigned k = between(r, p + 1, g->n_products - 1);
        if (!((site->source >> k) & 1))
            x->out[x->n_out++] = (g_amount){k, between(r, 1, 10) * g->scale};
    }
    if (!raw) {
        const unsigned n = between(r, 1, p < MAX_INPUTS ? p : MAX_INPUTS);
        while (x->n_in < n) {
            const unsigned i = below(r, p);
            bool dup = false;
            for (unsigned k = 0; k < x->n_in; k++)
                dup |= x->in[k].product == i;
            if (!dup) x->in[x->n_in++] = (g_amount){i, between(r, 1, 4)};
        }
    }
    const unsigned mode = below(r, 3); /* servers, wafers, both */
    if (mode != 1) x->servers = between(r, 1, 5);
    if (mode != 0) {
        x->wafers = between(r, 1, 25);
        if (!site->capacity[0]) series(g, 20, 800, true, site->capacity);
        x->has_priority = chance(r, 0.5);
        x->priority = (int)below(r, 5) - 1;
    }
    switch (below(r, 5)) {
    case 0:
    case 1:
        break; /* every unit good */
    case 2:
        snprintf(x->yield, TEXT, "%g", pick(r, 0.3, 1));
        break;
    case 3:
        snprintf(x->yield, TEXT, "{start: %g, end: %g, tau_days: %g}", pick(r, 0.1, 0.9),
                 pick(r, 0.5, 1), pick(r, 10, 400));
        break;
    default:
        series(g, 0.3, 1, true, x->yield);
        break;
    }
    dist(g, "days", pick(r, 0.5, 30), true, x->duration);
    for (unsigned k = 0; k < x->n_out; k++)
        site->makes |= UINT32_C(1) << x->out[k].product;
    /* Inputs not at hand come from suppliers; some at hand get a policy. */
    for (unsigned k = 0; k < x->n_in; k++) {
        const unsigned i = x->in[k].product;
        if (!(((site->source | site->makes) >> i) & 1) || chance(r, 0.3))
            add_inventory(g, s, (int)i);
        assert_true(has_product(site, i)); /* every input comes from somewhere */
    }
    if (chance(r, 0.85)) add_inventory(g, s, (int)p);
}

static void add_demand(gen *g, unsigned s, int item)
{
    if (g->n_demand == MAX_DEMAND) return;
    prng *r = &g->r;
    g_demand *d = &g->demand[g->n_demand++];
    *d = (g_demand){.site = s, .item = item};
    /* A few orders a month: modest, so a world runs in milliseconds. */
    static const char *const per[] = {"per_day", "per_week", "per_month"};
    static const double scale[] = {1.0 / 30, 7.0 / 30, 1};
    const unsigned k = below(r, 3);
    char rate[TEXT];
    series(g, 0.5 * scale[k] * g->busy, 10 * scale[k] * g->busy, true, rate);
    snprintf(d->orders, sizeof d->orders, "{dist: poisson, %s: %s}", per[k], rate);
    dist(g, "units", (item == NEED ? pick(r, 0.3, 6) : pick(r, 1, 8)) * g->scale, false, d->size);
    if (chance(r, 0.25)) d->patience = pick(r, 1, 120);
    if (chance(r, 0.2)) d->starts = g->start + (sim_date)below(r, g->days / 2);
    if (chance(r, 0.2)) d->ends = (d->starts ? d->starts : g->start) + (sim_date)below(r, g->days);
}

static void generate(gen *g)
{
    prng *r = &g->r;
    g->start = sim_date_from_ymd((int)between(r, 2020, 2025), (int)between(r, 1, 12),
                                 (int)between(r, 1, 28));
    g->days = between(r, 365, 730);
    g->end = g->start + (sim_date)g->days - 1;
    g->n_countries = between(r, 1, 3);
    g->n_firms = between(r, 1, 3);
    g->has_group = chance(r, 0.5);
    g->has_list = chance(r, 0.5);
    g->controls = chance(r, 0.3);
    /* Most worlds count in ones; some in tens or hundreds (larger binomial
     * draws, orders split over more shipments), and some are busy. */
    static const unsigned scales[] = {1, 1, 10, 100};
    g->scale = scales[below(r, 4)];
    g->busy = chance(r, 0.2) ? 4 : 1;

    /* Products 0 .. n_raw-1 are raw: sourced, or made from nothing (a fab
     * starting wafers). The rest are made from products below them. */
    g->n_products = between(r, 2, MAX_PRODUCTS);
    const unsigned n_raw = between(r, 1, g->n_products - 1 < 3 ? g->n_products - 1 : 3);
    bool sourced[MAX_PRODUCTS];
    for (unsigned p = 0; p < g->n_products; p++) {
        sourced[p] = p < n_raw && chance(r, 0.75);
        g->h100e[p] = chance(r, p < n_raw ? 0.1 : 0.5) ? pick(r, 0.1, 4) : 0;
        g->controlled[p] = g->controls && chance(r, 0.5);
    }
    /* The need: products with h100e, a random subset in random order. */
    if (chance(r, 0.8))
        for (unsigned p = 0; p < g->n_products; p++)
            if (g->h100e[p] > 0 && (g->n_filled_by == 0 || chance(r, 0.7)))
                g->filled_by[g->n_filled_by++] = p;
    for (unsigned i = g->n_filled_by; i > 1; i--) {
        const unsigned j = below(r, i), t = g->filled_by[i - 1];
        g->filled_by[i - 1] = g->filled_by[j];
        g->filled_by[j] = t;
    }
    for (unsigned i = 0; i < g->n_filled_by; i++)
        g->filled_by_mask |= UINT32_C(1) << g->filled_by[i];

    /* Sources, then makers in product order (so every input exists
     * somewhere before a process needs it), then warehouses and buyers. */
    unsigned n_sourced = 0;
    for (unsigned p = 0; p < g->n_products; p++)
        n_sourced += sourced[p];
    const unsigned first_source = g->n_sites;
    const unsigned n_src = n_sourced == 0 ? 0 : between(r, 1, n_sourced < 2 ? n_sourced : 2);
    for (unsigned i = 0; i < n_src; i++)
        new_site(g);
    for (unsigned p = 0, k = 0; p < g->n_products; p++)
        if (sourced[p]) {
            const unsigned s = first_source + (k < n_src ? k : below(r, n_src));
            g->site[s].source |= UINT32_C(1) << p;
            k++;
            /* A source may also hold stock of its product (a source holds
             * nothing and supplies at once). */
            if (chance(r, 0.1)) add_inventory(g, s, (int)p);
        }
    for (unsigned p = 0; p < g->n_products; p++) {
        if (sourced[p]) continue;
        unsigned s;
        if (g->n_sites > 0 && chance(r, 0.4)) {
            s = below(r, g->n_sites);
            if (g->site[s].n_proc == MAX_PROCS) s = new_site(g);
        } else {
            s = new_site(g);
        }
        add_process(g, s, p, p < n_raw);
    }
    const unsigned n_wh = below(r, 3);
    for (unsigned i = 0; i < n_wh; i++) {
        const unsigned s = new_site(g);
        const unsigned n = between(r, 1, 2);
        for (unsigned k = 0; k < n; k++)
            add_inventory(g, s, (int)below(r, g->n_products));
    }
    const unsigned first_buyer = g->n_sites;
    const unsigned n_buy = between(r, 1, 3);
    for (unsigned i = 0; i < n_buy; i++) {
        const unsigned s = new_site(g);
        if (g->n_filled_by && chance(r, 0.6)) {
            add_inventory(g, s, NEED);
            /* Stock of a product the need takes, with a policy of its own. */
            if (chance(r, 0.2)) add_inventory(g, s, (int)g->filled_by[below(r, g->n_filled_by)]);
        }
        const unsigned n = between(r, g->site[s].n_inv ? 0 : 1, 2);
        for (unsigned k = 0; k < n; k++) {
            /* Mostly the upper products: what buyers buy. */
            const unsigned lo = g->n_products / 2;
            add_inventory(g, s, (int)between(r, lo, g->n_products - 1));
        }
    }

    /* Demand at buyers, and now and then at a maker (make to order). */
    for (unsigned s = 0; s < g->n_sites; s++) {
        const g_site *site = &g->site[s];
        for (unsigned i = 0; i < site->n_inv; i++)
            if (chance(r, s >= first_buyer ? 0.85 : 0.15)) add_demand(g, s, site->inv[i].item);
    }
    if (g->n_demand == 0) add_demand(g, first_buyer, g->site[first_buyer].inv[0].item);
}

static void emit_controls(gen *g, FILE *f)
{
    prng *r = &g->r;
    char eff[SIM_DATE_BUFSIZE], ann[SIM_DATE_BUFSIZE];
    fprintf(f, "export_controls:\n");
    const unsigned n = between(r, 1, 3);
    bool announced = false;
    for (unsigned i = 0; i < n; i++) {
        const sim_date e = g->start + (sim_date)below(r, g->days);
        sim_date_format(e, eff);
        sim_date_format(e - (sim_date)between(r, 1, 60), ann);
        fprintf(f, "  - id: r%u\n    authority: US\n    effective: %s\n", i, eff);
        switch (below(r, 3)) {
        case 0:
            fprintf(f, "    products: [p%u]\n    destinations: [C%u]\n", below(r, g->n_products),
                    below(r, g->n_countries));
            fprintf(f, "    action: {type: deny}\n");
            break;
        case 1: {
            char review[TEXT];
            dist(g, "days", pick(r, 5, 60), true, review);
            fprintf(f, "    announced: %s\n", ann);
            announced = i == 0;
            fprintf(f, "    products: %s\n",
                    g->n_filled_by ? "\"h100e >= 1 or kind == 'accelerator'\"" : "all");
            fprintf(f, "    destinations: [%s]\n", g->has_group ? "\"group:G0\"" : "C0");
            fprintf(f, "    action: {type: license, approval: %g, review: %s}\n", pick(r, 0, 1),
                    review);
            break;
        }
        default:
            fprintf(f, "    products: all\n");
            if (g->has_list)
                fprintf(f, "    end_users: [\"list:l0\"]\n");
            else
                fprintf(f, "    destinations: [C%u]\n", below(r, g->n_countries));
            if (g->n_filled_by && chance(r, 0.5))
                fprintf(f, "    action: {type: cap, h100e: %g, per: month}\n", pick(r, 0, 50));
            else
                fprintf(f, "    action: {type: cap, units: %u, per: %s}\n", between(r, 0, 100),
                        chance(r, 0.5) ? "quarter" : "year");
            break;
        }
    }
    if (announced) fprintf(f, "stockpiling:\n  - {rule: r0, factor: %g}\n", pick(r, 1.1, 3));
    if (chance(r, 0.5))
        fprintf(f, "diversion: {share_of_blocked: %g, markup: %g}\n", pick(r, 0, 1), pick(r, 1, 3));
}

static void emit_disruptions(gen *g, FILE *f)
{
    prng *r = &g->r;
    const unsigned n = below(r, 4);
    if (n == 0) return;
    fprintf(f, "disruptions:\n");
    for (unsigned i = 0; i < n; i++) {
        fprintf(f, "  - id: d%u\n", i);
        if (g->n_lanes == 0 || chance(r, 0.5)) {
            fprintf(f, "    site: s%u\n", below(r, g->n_sites));
        } else {
            const g_lane *l = &g->lane[below(r, g->n_lanes)];
            fprintf(f, "    from: s%u\n    to: s%u\n", l->from, l->to);
        }
        if (chance(r, 0.5)) {
            /* Some windows begin before the run or end after it. */
            const sim_date a = g->start - 20 + (sim_date)below(r, g->days + 20);
            const sim_date b = a + (sim_date)below(r, 60);
            char as[SIM_DATE_BUFSIZE], bs[SIM_DATE_BUFSIZE];
            sim_date_format(a, as);
            sim_date_format(b, bs);
            fprintf(f, "    start: %s\n    end: %s\n", as, bs);
        } else {
            char up[TEXT], down[TEXT];
            dist(g, "days", pick(r, 20, 200), false, up);
            dist(g, "days", pick(r, 1, 20), false, down);
            fprintf(f, "    mtbf: %s\n    mttr: %s\n", up, down);
        }
    }
}

static const char *item_id(int item, char buf[16])
{
    if (item == NEED) return "compute";
    snprintf(buf, 16, "p%d", item);
    return buf;
}

static void emit(gen *g, FILE *f)
{
    prng *r = &g->r;
    static const char *const kinds[] = {"wafer", "die", "hbm", "accelerator", "soc", "handset"};
    static const char *const periods[] = {"month", "month", "month", "week", "quarter"};
    char a[SIM_DATE_BUFSIZE], b[SIM_DATE_BUFSIZE], buf[16];
    sim_date_format(g->start, a);
    sim_date_format(g->end, b);
    fprintf(f, "# Random world %u of test_conservation.\nschema_version: 1\nname: w%03u\n",
            g->index, g->index);
    fprintf(f, "run: {start: %s, end: %s, period: %s, replications: %u, seed: %llu", a, b,
            periods[below(r, 5)], WORLD_REPS,
            (unsigned long long)(next_u64(r) % UINT64_C(1000000000000000)));
    if (chance(r, 0.3)) fprintf(f, ", warmup_days: %g", pick(r, 1, 90));
    fprintf(f, "}\n");
    fprintf(f, "countries:\n");
    for (unsigned i = 0; i < g->n_countries; i++)
        fprintf(f, "  - {code: C%u%s}\n", i, i == 0 && g->has_group ? ", groups: [G0]" : "");
    fprintf(f, "firms:\n");
    for (unsigned i = 0; i < g->n_firms; i++)
        fprintf(f, "  - {id: f%u, country: C%u%s}\n", i, i % g->n_countries,
                i == 0 && g->has_list ? ", lists: [l0]" : "");
    fprintf(f, "products:\n");
    for (unsigned p = 0; p < g->n_products; p++) {
        fprintf(f, "  - {id: p%u, kind: %s", p, kinds[below(r, 6)]);
        if (chance(r, 0.3)) fprintf(f, ", owner: f%u", below(r, g->n_firms));
        if (g->h100e[p] > 0) fprintf(f, ", h100e: %g", g->h100e[p]);
        if (g->controlled[p]) fprintf(f, ", controlled_by: [US]");
        if (chance(r, 0.3)) fprintf(f, ", tpp: %u", between(r, 100, 20000));
        fprintf(f, "}\n");
    }
    if (g->n_filled_by) {
        fprintf(f, "needs:\n  - {id: compute, unit: h100e, filled_by: [");
        for (unsigned i = 0; i < g->n_filled_by; i++)
            fprintf(f, "%sp%u", i ? ", " : "", g->filled_by[i]);
        fprintf(f, "]}\n");
    }
    fprintf(f, "sites:\n");
    for (unsigned s = 0; s < g->n_sites; s++) {
        const g_site *site = &g->site[s];
        fprintf(f, "  - id: s%u\n    firm: f%u\n    country: C%u\n", s, site->firm, site->country);
        if (site->capacity[0]) fprintf(f, "    capacity_wafers_per_month: %s\n", site->capacity);
        if (site->source) {
            fprintf(f, "    source: [");
            for (unsigned p = 0, k = 0; p < g->n_products; p++)
                if ((site->source >> p) & 1) fprintf(f, "%sp%u", k++ ? ", " : "", p);
            fprintf(f, "]\n");
        }
        if (site->n_proc) fprintf(f, "    processes:\n");
        for (unsigned i = 0; i < site->n_proc; i++) {
            const g_process *x = &site->proc[i];
            fprintf(f, "      - id: m%u\n", i);
            if (x->n_in) {
                fprintf(f, "        inputs: {");
                for (unsigned k = 0; k < x->n_in; k++)
                    fprintf(f, "%sp%u: %u", k ? ", " : "", x->in[k].product, x->in[k].qty);
                fprintf(f, "}\n");
            }
            fprintf(f, "        outputs: {");
            for (unsigned k = 0; k < x->n_out; k++)
                fprintf(f, "%sp%u: %u", k ? ", " : "", x->out[k].product, x->out[k].qty);
            fprintf(f, "}\n");
            if (x->servers) fprintf(f, "        servers: %u\n", x->servers);
            if (x->wafers) fprintf(f, "        wafers_per_batch: %u\n", x->wafers);
            if (x->has_priority) fprintf(f, "        priority: %d\n", x->priority);
            if (x->yield[0]) fprintf(f, "        yield: %s\n", x->yield);
            fprintf(f, "        duration: %s\n", x->duration);
        }
        if (site->n_inv) fprintf(f, "    inventory:\n");
        for (unsigned i = 0; i < site->n_inv; i++) {
            const g_inventory *inv = &site->inv[i];
            fprintf(f, "      %s: {", item_id(inv->item, buf));
            if (inv->s_S)
                fprintf(f, "policy: s_S, s: %g, S: %g, review_days: %u", inv->s, inv->S,
                        inv->review);
            else
                fprintf(f, "policy: base_stock, level: %g", inv->level);
            if (inv->n_sup) {
                fprintf(f, ", suppliers: [");
                for (unsigned k = 0; k < inv->n_sup; k++)
                    fprintf(f, "%ss%u", k ? ", " : "", inv->sup[k]);
                fprintf(f, "]");
            }
            fprintf(f, "}\n");
        }
    }
    if (g->n_lanes) fprintf(f, "lanes:\n");
    for (unsigned i = 0; i < g->n_lanes; i++) {
        const g_lane *l = &g->lane[i];
        fprintf(f, "  - {from: s%u, to: s%u, transit: %s", l->from, l->to, l->transit);
        if (l->illicit) fprintf(f, ", illicit: true, detection: %g", l->detection);
        if (l->cost > 0) fprintf(f, ", cost_usd_per_unit: %g", l->cost);
        fprintf(f, "}\n");
    }
    fprintf(f, "demand:\n");
    for (unsigned i = 0; i < g->n_demand; i++) {
        const g_demand *d = &g->demand[i];
        fprintf(f, "  - site: s%u\n    product: %s\n    orders: %s\n    size: %s\n", d->site,
                item_id(d->item, buf), d->orders, d->size);
        if (d->patience > 0) fprintf(f, "    patience_days: %g\n", d->patience);
        if (d->starts) {
            sim_date_format(d->starts, a);
            fprintf(f, "    starts: %s\n", a);
        }
        if (d->ends) {
            sim_date_format(d->ends, a);
            fprintf(f, "    ends: %s\n", a);
        }
    }
    emit_disruptions(g, f);
    if (g->controls) emit_controls(g, f);
}

/* Writes random world `index` as <scratch>/wNNN.yaml (and its tables). */
static void write_world(gen *g, const fixture *fx, unsigned index, char path[PATH_BUF])
{
    memset(g, 0, sizeof *g);
    g->fx = fx;
    g->index = index;
    g->r.s = UINT64_C(0x636f6e7365727665) ^ ((uint64_t)index * UINT64_C(0x2545f4914f6cdd1d));
    generate(g);
    char name[32];
    snprintf(name, sizeof name, "w%03u.yaml", index);
    path_in(fx, name, path);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    emit(g, f);
    assert_int_equal(fclose(f), 0);
}

static unsigned env_unsigned(const char *name, unsigned fallback)
{
    const char *v = getenv(name);
    return v && *v ? (unsigned)strtoul(v, NULL, 10) : fallback;
}

static void test_random_worlds(void **state)
{
    const fixture *fx = *state;
    const unsigned n = env_unsigned("CHIPSIM_CONSERVATION_WORLDS", N_WORLDS);
    const unsigned first = env_unsigned("CHIPSIM_CONSERVATION_FIRST", 0);
    const bool keep = env_unsigned("CHIPSIM_CONSERVATION_KEEP", 0) != 0;
    static gen g; /* large: not on the stack */
    static report rep;
    unsigned active = 0, failed = 0;
    const double t0 = seconds_now();
    for (unsigned k = first; k < first + n; k++) {
        char path[PATH_BUF];
        write_world(&g, fx, k, path);
        if (!run_isolated(path, true, WORLD_REPS, WORLD_SECONDS, WORLD_MB, &rep)) {
            /* Keep the world to look at; go on to find the others. */
            print_error("world %u (%s): %s\n", k, path, rep.err);
            failed++;
            continue;
        }
        if (rep.activity > 0) active++;
        if (keep) continue;
        assert_int_equal(unlink(path), 0);
        for (unsigned i = 0; i < g.n_tables; i++)
            assert_int_equal(unlink(g.tables[i]), 0);
    }
    print_message("%u random worlds x %u replications: %u did something, %u failed, %.2f s\n", n,
                  WORLD_REPS, active, failed, seconds_now() - t0);
    assert_int_equal(failed, 0);
    /* Most worlds must deliver or make units, or the check proves little. */
    assert_true(active >= n - n / 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_scenarios),
        cmocka_unit_test(test_validation_scenarios),
        cmocka_unit_test(test_library_scenarios),
        cmocka_unit_test(test_random_worlds),
        cmocka_unit_test(test_regressions),
    };
    const char *only = getenv("CHIPSIM_TEST_FILTER"); /* e.g. test_random_worlds */
    if (only && *only) cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
