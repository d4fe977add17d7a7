/*
 * The simulation engine: everything one replication owns.
 *
 * An engine holds the clock, the pending events, the object pools, the named
 * random streams and an error message. It is the context passed first to every
 * function of a replication; there are no globals, so replications run on any
 * thread and several engines live side by side in one process (that is how
 * `compare` pairs a baseline with a variant).
 *
 * Time is a double counting days from the epoch (a calendar date, see date.h).
 * Handlers run one at a time in (time, scheduling order); a handler may
 * schedule, cancel and reschedule events, stop the run, or fail it with a
 * message. Scheduling in the past, or at a non-finite time, is a programmer
 * error and asserted.
 *
 * Ownership: the engine owns its queue, pools and streams, and frees them in
 * sim_engine_free. It never frees the objects that events point at.
 */
#ifndef SIM_ENGINE_H
#define SIM_ENGINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "date.h"
#include "event_queue.h"
#include "pool.h"
#include "rng.h"
#include "status.h"

typedef enum sim_log_level {
    SIM_LOG_ERROR,
    SIM_LOG_WARN,
    SIM_LOG_INFO,
    SIM_LOG_DEBUG
} sim_log_level;

typedef struct sim_engine_config {
    uint64_t seed;        /* master seed of the run */
    uint64_t replication; /* index of this replication, from 0 */
    sim_date epoch;       /* the calendar date of time 0 */
    sim_log_level log_level;
    FILE *log_stream; /* where log lines go; NULL means stderr */
} sim_engine_config;

/* NULL when memory ran out. */
sim_engine *sim_engine_new(const sim_engine_config *cfg);
void sim_engine_free(sim_engine *e);

double sim_now(const sim_engine *e);
sim_date sim_engine_epoch(const sim_engine *e);
/* The calendar date the clock is on (floor of the time). */
sim_date sim_today(const sim_engine *e);
uint64_t sim_engine_seed(const sim_engine *e);
uint64_t sim_engine_replication(const sim_engine *e);

/* Schedule fn(e, obj, arg) at an absolute time >= now, or after a delay >= 0.
 * Returns the event's id; SIM_EVENT_NONE when memory ran out, in which case the
 * engine has failed with SIM_ENOMEM and the run will stop. */
sim_event_id sim_schedule_at(sim_engine *e, double time, sim_handler fn, void *obj, uint64_t arg);
sim_event_id sim_schedule_in(sim_engine *e, double delay, sim_handler fn, void *obj, uint64_t arg);
/* False when the event is no longer pending (it fired or was cancelled). */
bool sim_cancel(sim_engine *e, sim_event_id id);
bool sim_reschedule(sim_engine *e, sim_event_id id, double time);
bool sim_is_pending(const sim_engine *e, sim_event_id id);

/* Runs events whose time is <= until, in order. The clock then stands at until
 * (when until is finite and no handler stopped the run early) or at the last
 * event's time. INFINITY runs until no event is pending. Returns SIM_OK, or the
 * status a handler failed with. A stopped or failed engine can run again only
 * after sim_engine_resume. */
sim_status sim_engine_run(sim_engine *e, double until);

/* Ends the run after the current handler returns. */
void sim_engine_stop(sim_engine *e);
/* Clears a stop so run may continue; a failure is not cleared. */
void sim_engine_resume(sim_engine *e);

/* Records a failure (the first one wins), stops the run, and returns status. */
sim_status sim_engine_fail(sim_engine *e, sim_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sim_status sim_engine_status(const sim_engine *e);
/* The failure message, or "" when none. */
const char *sim_engine_error(const sim_engine *e);

/* The stream (name, index) of this replication, created on first use; the
 * pointer stays valid for the engine's life. NULL only when memory ran out.
 * Look streams up once when building a model, not per event. */
sim_rng *sim_engine_stream(sim_engine *e, const char *name, uint64_t index);

/* A pool of objects of this size owned by the engine (freed with it). NULL on
 * out of memory. Each call makes a new pool. */
sim_pool *sim_engine_pool(sim_engine *e, size_t object_size);

uint64_t sim_engine_events_fired(const sim_engine *e);
size_t sim_engine_events_pending(const sim_engine *e);

/* One leveled log line on the engine's log stream, prefixed with the
 * replication and the simulated date: "[rep 3 2023-08-31] warn: ...". */
void sim_log(const sim_engine *e, sim_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool sim_log_enabled(const sim_engine *e, sim_log_level level);

/* Debug lines cost nothing unless the build defines SIM_DEBUG_LOG. */
#ifdef SIM_DEBUG_LOG
#define SIM_DEBUG(e, ...) sim_log((e), SIM_LOG_DEBUG, __VA_ARGS__)
#else
#define SIM_DEBUG(e, ...) ((void)(e))
#endif

#endif
