/*
 * The replication runner (see runner.h).
 */
#define _GNU_SOURCE
#include "runner.h"

#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"

/* Set by the SIGINT handler: a signal can only reach the program through
 * process-wide state, so this is the one global the command has. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    signal(SIGINT, SIG_DFL); /* a second Ctrl-C kills at once */
}

void runner_catch_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

bool runner_interrupted(void)
{
    return interrupted != 0;
}

/* A replication done out of turn, waiting for those before it. */
typedef struct finished {
    bool full;
    double *values;
    model_events events;
    uint64_t dispatched;
} finished;

typedef struct shared {
    const runner_config *cfg;
    /* Replications are added in order, but a thread that finishes one early
     * parks it here and goes on, rather than waiting for its turn: with two
     * threads, waiting cost ~8% (bench/README.md). window slots, indexed by
     * replication modulo window; a thread never starts a replication window or
     * more ahead of the next one to add. */
    finished *ring;
    uint64_t window;
    pthread_mutex_t lock;
    pthread_cond_t turn;
    uint64_t next;  /* next replication to hand out (offset from first) */
    uint64_t added; /* replications added to the report, in order */
    uint64_t events_dispatched;
    bool failed;
    uint64_t failed_rep;
    sim_status status;
    char err[1024];
    double started, last_shown;
} shared;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Called with the lock held. */
static void show_progress(shared *sh)
{
    const runner_config *cfg = sh->cfg;
    if (!cfg->progress) return;
    double now = seconds_now();
    bool done = sh->added == cfg->count;
    if (!done && now - sh->last_shown < 0.25) return;
    sh->last_shown = now;
    double el = now - sh->started, rate = el > 0 ? (double)sh->added / el : 0;
    double left = rate > 0 ? (double)(cfg->count - sh->added) / rate : 0;
    fprintf(stderr, "\rchipsim: %llu/%llu replications, %.1f/s, %.0f s left   ",
            (unsigned long long)sh->added, (unsigned long long)cfg->count, rate, left);
    if (done) fputc('\n', stderr);
    fflush(stderr);
}

/* Records a failure; the earliest replication's wins. Lock held. */
static void fail(shared *sh, uint64_t rep, sim_status st, const char *msg)
{
    if (sh->failed && sh->failed_rep <= rep) return;
    sh->failed = true;
    sh->failed_rep = rep;
    sh->status = st;
    snprintf(sh->err, sizeof sh->err, "replication %llu: %s", (unsigned long long)rep, msg);
}

/* Where a thread's replication folds its periods as they close. */
typedef struct fold_target {
    const model_report *report;
    double *totals;
    double *values;
} fold_target;

static void fold_period(void *ctx, const model_metrics *m, size_t period)
{
    fold_target *t = ctx;
    model_report_fold_period(t->report, m, period, t->totals, t->values);
}

static void *worker(void *arg)
{
    shared *sh = arg;
    const runner_config *cfg = sh->cfg;
    /* Each thread turns its replication into report values outside the lock,
     * period by period as the replication runs (so it holds one period's
     * cells, whatever the horizon); only adding them to the tallies, in
     * replication order, is serial. */
    size_t n_totals = model_report_scratch_size(cfg->report);
    double *totals = malloc((n_totals + 1) * sizeof *totals);
    double *values = malloc((model_report_values_size(cfg->report) + 1) * sizeof *values);
    fold_target target = {cfg->report, totals, values};
    model_metrics *m = model_metrics_new_streaming(cfg->plan, fold_period, &target);
    if (!totals || !values) {
        model_metrics_free(m);
        m = NULL;
    }
    model_events local = {0};
    char err[1024];
    for (;;) {
        pthread_mutex_lock(&sh->lock);
        while (m && !sh->failed && !interrupted && sh->next < cfg->count &&
               sh->next >= sh->added + sh->window)
            pthread_cond_wait(&sh->turn, &sh->lock);
        if (!m) fail(sh, cfg->first + sh->next, SIM_ENOMEM, "out of memory");
        if (interrupted && !sh->failed) fail(sh, cfg->first + sh->next, SIM_EIO, "interrupted");
        if (sh->failed || sh->next == cfg->count) {
            pthread_cond_broadcast(&sh->turn);
            pthread_mutex_unlock(&sh->lock);
            break;
        }
        uint64_t k = sh->next++;
        pthread_mutex_unlock(&sh->lock);

        model_config c = model_config_default(model_plan_world(cfg->plan));
        c.seed = cfg->seed;
        c.replication = cfg->first + k;
        c.events = cfg->events ? &local : NULL;
        err[0] = '\0';
        model_run_info info = {0};
        memset(totals, 0, n_totals * sizeof *totals);
        target.values = values;
        sim_status st = model_run(cfg->plan, &c, m, &info, err, sizeof err);
        if (st == SIM_OK) model_report_finish(cfg->report, totals, values);
        if (st == SIM_OK && local.oom) {
            st = SIM_ENOMEM;
            snprintf(err, sizeof err, "out of memory keeping the events");
        }

        pthread_mutex_lock(&sh->lock);
        if (st != SIM_OK) {
            fail(sh, cfg->first + k, st, err);
        } else if (!sh->failed) {
            /* Park the replication (trading buffers with its slot), then add
             * every parked one that is next in order. */
            finished *f = &sh->ring[k % sh->window];
            double *v = f->values;
            f->values = values;
            values = v;
            model_events e = f->events;
            f->events = local;
            local = e;
            f->dispatched = info.events;
            f->full = true;
            while (!sh->failed && sh->added < cfg->count &&
                   (f = &sh->ring[sh->added % sh->window])->full) {
                uint64_t r = cfg->first + sh->added;
                model_report_add_values(cfg->report, f->values);
                sh->events_dispatched += f->dispatched;
                if (cfg->on_values) cfg->on_values(cfg->ctx, r, f->values);
                for (size_t i = 0; i < f->events.n; i++)
                    model_events_append(cfg->events, &f->events.at[i]);
                f->events.n = 0;
                f->full = false;
                sh->added++;
                show_progress(sh);
            }
            if (!values)
                values = malloc((model_report_values_size(cfg->report) + 1) * sizeof *values);
            if (!values) fail(sh, cfg->first + k, SIM_ENOMEM, "out of memory");
        }
        local.n = 0;
        pthread_cond_broadcast(&sh->turn);
        pthread_mutex_unlock(&sh->lock);
    }
    model_events_release(&local);
    model_metrics_free(m);
    free(totals);
    free(values);
    return NULL;
}

sim_status runner_run(const runner_config *cfg, char *err, size_t err_size)
{
    shared sh = {.cfg = cfg, .status = SIM_OK};
    sh.started = seconds_now();
    pthread_mutex_init(&sh.lock, NULL);
    pthread_cond_init(&sh.turn, NULL);
    unsigned n = cfg->threads ? cfg->threads : 1;
    /* The report's rows are formatted by as many threads as ran it. */
    model_report_set_write_threads(cfg->report, n);
    if (n > cfg->count) n = cfg->count ? (unsigned)cfg->count : 1;
    sh.window = 2 * (uint64_t)n;
    sh.ring = calloc(sh.window, sizeof *sh.ring);
    if (!sh.ring) {
        snprintf(err, err_size, "out of memory");
        return SIM_ENOMEM;
    }
    pthread_t *t = calloc(n, sizeof *t);
    unsigned started = 0;
    if (t)
        for (; started < n; started++)
            if (pthread_create(&t[started], NULL, worker, &sh) != 0) break;
    if (started == 0) {
        worker(&sh); /* no thread could start: run here */
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    free(t);
    if (cfg->events_dispatched) *cfg->events_dispatched = sh.events_dispatched;
    for (uint64_t i = 0; i < sh.window; i++) {
        free(sh.ring[i].values);
        model_events_release(&sh.ring[i].events);
    }
    free(sh.ring);
    pthread_cond_destroy(&sh.turn);
    pthread_mutex_destroy(&sh.lock);
    if (sh.failed) {
        snprintf(err, err_size, "%s", sh.err);
        return sh.status;
    }
    if (cfg->events && cfg->events->oom) {
        snprintf(err, err_size, "out of memory keeping the events");
        return SIM_ENOMEM;
    }
    return SIM_OK;
}

unsigned runner_default_threads(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return (unsigned)n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}
