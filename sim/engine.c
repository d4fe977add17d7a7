#include "engine.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One named stream: the key's name is kept to tell hash collisions apart. */
typedef struct stream_slot {
    char *name; /* NULL: empty slot */
    uint64_t index;
    uint64_t hash;
    sim_rng *rng;
} stream_slot;

struct sim_engine {
    double now;
    sim_queue *queue;
    uint64_t fired;
    bool stopped;
    sim_status status;
    char error[512];

    uint64_t seed;
    uint64_t replication;
    sim_date epoch;
    sim_log_level log_level;
    FILE *log_stream;

    stream_slot *streams; /* open addressing, capacity a power of two */
    size_t stream_cap;
    size_t stream_count;

    sim_pool **pools;
    size_t pool_count;
};

sim_engine *sim_engine_new(const sim_engine_config *cfg)
{
    sim_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->queue = sim_queue_new(1024);
    if (!e->queue) {
        free(e);
        return NULL;
    }
    e->seed = cfg->seed;
    e->replication = cfg->replication;
    e->epoch = cfg->epoch;
    e->log_level = cfg->log_level;
    e->log_stream = cfg->log_stream;
    return e;
}

void sim_engine_free(sim_engine *e)
{
    if (!e) return;
    sim_queue_free(e->queue);
    for (size_t i = 0; i < e->stream_cap; i++) {
        free(e->streams[i].name);
        free(e->streams[i].rng);
    }
    free(e->streams);
    for (size_t i = 0; i < e->pool_count; i++)
        sim_pool_free(e->pools[i]);
    free(e->pools);
    free(e);
}

double sim_now(const sim_engine *e)
{
    return e->now;
}

sim_date sim_engine_epoch(const sim_engine *e)
{
    return e->epoch;
}

sim_date sim_today(const sim_engine *e)
{
    return e->epoch + (sim_date)floor(e->now);
}

uint64_t sim_engine_seed(const sim_engine *e)
{
    return e->seed;
}

uint64_t sim_engine_replication(const sim_engine *e)
{
    return e->replication;
}

sim_event_id sim_schedule_at(sim_engine *e, double time, sim_handler fn, void *obj, uint64_t arg)
{
    assert(fn != NULL);
    assert(isfinite(time) && time >= e->now);
    sim_event_id id = sim_queue_push(e->queue, time, fn, obj, arg);
    if (id == SIM_EVENT_NONE)
        sim_engine_fail(e, SIM_ENOMEM, "out of memory with %zu events pending",
                        sim_queue_size(e->queue));
    return id;
}

sim_event_id sim_schedule_in(sim_engine *e, double delay, sim_handler fn, void *obj, uint64_t arg)
{
    assert(delay >= 0);
    return sim_schedule_at(e, e->now + delay, fn, obj, arg);
}

bool sim_cancel(sim_engine *e, sim_event_id id)
{
    return sim_queue_cancel(e->queue, id);
}

bool sim_reschedule(sim_engine *e, sim_event_id id, double time)
{
    assert(isfinite(time) && time >= e->now);
    return sim_queue_reschedule(e->queue, id, time);
}

bool sim_is_pending(const sim_engine *e, sim_event_id id)
{
    return sim_queue_is_pending(e->queue, id);
}

sim_status sim_engine_run(sim_engine *e, double until)
{
    assert(!isnan(until) && until >= e->now);
    if (e->status != SIM_OK || e->stopped) return e->status;
    double t;
    sim_event ev;
    while (sim_queue_pop_until(e->queue, until, &t, &ev)) {
        e->now = t;
        e->fired++;
        ev.fn(e, ev.obj, ev.arg);
        if (e->stopped) return e->status;
    }
    if (isfinite(until)) e->now = until;
    return e->status;
}

void sim_engine_stop(sim_engine *e)
{
    e->stopped = true;
}

void sim_engine_resume(sim_engine *e)
{
    if (e->status == SIM_OK) e->stopped = false;
}

sim_status sim_engine_fail(sim_engine *e, sim_status status, const char *fmt, ...)
{
    assert(status != SIM_OK);
    if (e->status == SIM_OK) {
        e->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->error, sizeof e->error, fmt, ap);
        va_end(ap);
    }
    e->stopped = true;
    return status;
}

sim_status sim_engine_status(const sim_engine *e)
{
    return e->status;
}

const char *sim_engine_error(const sim_engine *e)
{
    return e->error;
}

static uint64_t slot_hash(uint64_t name_hash, uint64_t index)
{
    /* Mix the index in with a multiplicative (Fibonacci) constant. */
    return name_hash ^ (index * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL);
}

static stream_slot *stream_find(sim_engine *e, const char *name, uint64_t index, uint64_t h)
{
    size_t mask = e->stream_cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        stream_slot *s = &e->streams[i];
        if (!s->name || (s->hash == h && s->index == index && strcmp(s->name, name) == 0)) return s;
    }
}

static bool streams_grow(sim_engine *e)
{
    size_t cap = e->stream_cap ? 2 * e->stream_cap : 16;
    stream_slot *old = e->streams;
    size_t old_cap = e->stream_cap;
    e->streams = calloc(cap, sizeof *e->streams);
    if (!e->streams) {
        e->streams = old;
        return false;
    }
    e->stream_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].name) *stream_find(e, old[i].name, old[i].index, old[i].hash) = old[i];
    free(old);
    return true;
}

sim_rng *sim_engine_stream(sim_engine *e, const char *name, uint64_t index)
{
    /* Keep the table at most half full so probes stay short. */
    if (2 * (e->stream_count + 1) > e->stream_cap && !streams_grow(e)) return NULL;
    uint64_t h = slot_hash(sim_rng_hash(name), index);
    stream_slot *s = stream_find(e, name, index, h);
    if (s->name) return s->rng;
    size_t len = strlen(name) + 1;
    char *copy = malloc(len);
    sim_rng *rng = malloc(sizeof *rng);
    if (!copy || !rng) {
        free(copy);
        free(rng);
        return NULL;
    }
    memcpy(copy, name, len);
    sim_rng_init(rng, e->seed, e->replication, name, index);
    *s = (stream_slot){copy, index, h, rng};
    e->stream_count++;
    return rng;
}

sim_pool *sim_engine_pool(sim_engine *e, size_t object_size)
{
    sim_pool **pools = realloc(e->pools, (e->pool_count + 1) * sizeof *pools);
    if (!pools) return NULL;
    e->pools = pools;
    sim_pool *p = sim_pool_new(object_size, 0);
    if (!p) return NULL;
    e->pools[e->pool_count++] = p;
    return p;
}

uint64_t sim_engine_events_fired(const sim_engine *e)
{
    return e->fired;
}

size_t sim_engine_events_pending(const sim_engine *e)
{
    return sim_queue_size(e->queue);
}

bool sim_log_enabled(const sim_engine *e, sim_log_level level)
{
    return level <= e->log_level;
}

void sim_log(const sim_engine *e, sim_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    if (!sim_log_enabled(e, level)) return;
    FILE *out = e->log_stream ? e->log_stream : stderr;
    char date[SIM_DATE_BUFSIZE];
    sim_date_format(sim_today(e), date);
    /* Build the line first so lines from threads sharing stderr never interleave. */
    char line[1024];
    int n = snprintf(line, sizeof line, "[rep %llu %s] %s: ", (unsigned long long)e->replication,
                     date, names[level]);
    if (n < 0) return;
    size_t used = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + used, sizeof line - used, fmt, ap);
    va_end(ap);
    fprintf(out, "%s\n", line);
}
