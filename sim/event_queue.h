/*
 * The pending-event set of a discrete-event simulation.
 *
 * Ordering: earliest time first; equal times leave in the order they were
 * scheduled (each push takes the next value of a 64-bit sequence counter and
 * events are ordered by (time, sequence)), so a run is a pure function of its
 * seed. Rescheduling takes a new sequence number: the event then leaves after
 * those already scheduled at its new time.
 *
 * Structure: a ladder queue (Tang, Goh and Thng, "Ladder queue: an O(1)
 * priority queue structure for large-scale discrete event simulation", ACM
 * TOMACS 15(3), 2005) whose Bottom is a binary heap:
 *   - Top: an unsorted list of the far future, t >= top_start;
 *   - rungs: arrays of buckets (unsorted lists), each finer rung splitting one
 *     bucket of the rung above that held too many events;
 *   - Bottom: a binary heap of (time, sequence, slot) entries held by value,
 *     holding only the next bucket's events, so it stays small and in cache.
 * Each part covers a half-open range of time and the ranges are ordered, so
 * events of equal time always share a part and (time, sequence) order holds.
 * Events move down at most a few times before they fire: amortised O(1) per
 * event, against O(log n) cache misses and mispredicted branches for a plain
 * heap (bench/README.md has the figures). A bucket whose events all share one
 * time goes to the heap whole, so the worst case is a heap's O(log n).
 *
 * Events live in a slot table (payload, links, position) recycled through a
 * free list; every array grows by doubling and is kept, so in steady state a
 * push or pop allocates nothing. Cancel unlinks in O(1) (O(log n) in Bottom).
 *
 * Handles: an id names (slot, generation). Firing or cancelling an event bumps
 * its slot's generation, so a stale id is recognised and refused, never
 * mistaken for a later event that reused the slot. 0 is never a valid id.
 *
 * Time must be finite (asserted: a programmer error). The queue stores the
 * payload's object pointer and never frees it.
 */
#ifndef SIM_EVENT_QUEUE_H
#define SIM_EVENT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sim_engine sim_engine;

/* What an event does when it fires: handler(engine, obj, arg). */
typedef void (*sim_handler)(sim_engine *e, void *obj, uint64_t arg);

typedef struct sim_event {
    sim_handler fn;
    void *obj;
    uint64_t arg;
} sim_event;

typedef uint64_t sim_event_id;
#define SIM_EVENT_NONE ((sim_event_id)0)

typedef struct sim_queue sim_queue;

/* NULL on out of memory. capacity_hint may be 0. */
sim_queue *sim_queue_new(size_t capacity_hint);
void sim_queue_free(sim_queue *q);

/* Schedules fn(engine, obj, arg) at time. Returns the new event's id, or
 * SIM_EVENT_NONE when memory ran out. (The payload travels as three scalars,
 * not a sim_event by value: a struct argument is spilled to the stack and
 * reloaded in halves, and the store-forwarding stall cost a third of a push.) */
sim_event_id sim_queue_push(sim_queue *q, double time, sim_handler fn, void *obj, uint64_t arg);

/* Removes the earliest event into *time and *ev; false when empty. */
bool sim_queue_pop(sim_queue *q, double *time, sim_event *ev);

/* Pops the earliest event only when its time is <= limit: the engine's loop in
 * one call. False (and nothing changes) when empty or the earliest is later. */
bool sim_queue_pop_until(sim_queue *q, double limit, double *time, sim_event *ev);

/* The earliest time without removing it; false when empty. (Not const: finding
 * the earliest may move events from a rung into Bottom.) */
bool sim_queue_peek_time(sim_queue *q, double *time);

/* False (and nothing changes) when id is not pending: fired, cancelled, or never issued. */
bool sim_queue_cancel(sim_queue *q, sim_event_id id);
bool sim_queue_reschedule(sim_queue *q, sim_event_id id, double time);
bool sim_queue_is_pending(const sim_queue *q, sim_event_id id);
/* The scheduled time of a pending event; false when not pending. */
bool sim_queue_time_of(const sim_queue *q, sim_event_id id, double *time);

size_t sim_queue_size(const sim_queue *q);

#endif
