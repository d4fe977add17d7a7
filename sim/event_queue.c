#include "event_queue.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

#define NIL UINT32_MAX

/* A bucket with more events than this is split into a finer rung rather than
 * moved into the heap (the ladder paper's THRES, which it sets to 50). */
#define SPLIT_THRESHOLD 48
#define MAX_RUNGS       8
/* Buckets per rung at most; a rung gets one bucket per event up to this. */
#define MAX_BUCKETS (1u << 22)

enum where { IN_FREE, IN_HEAP, IN_TOP, IN_RUNG };

typedef struct node {
    double time;
    uint64_t seq;
    sim_event ev;
    uint32_t prev, next; /* list links; next is the free list's link when free */
    uint32_t gen;
    uint32_t where : 8;
    uint32_t rung : 8;
    uint32_t index; /* heap position (IN_HEAP) or bucket (IN_RUNG) */
} node;

/* A heap entry, held by value so sifts move contiguous memory. */
typedef struct entry {
    double time;
    uint64_t seq;
    uint32_t slot;
} entry;

typedef struct rung {
    double start; /* lower edge of bucket 0 */
    double width; /* > 0 */
    uint32_t buckets;
    uint32_t cur; /* buckets below cur are drained */
    uint32_t *head;
    uint32_t *count;
    uint32_t cap; /* allocated buckets */
    size_t events;
} rung;

struct sim_queue {
    node *nodes;
    size_t node_cap;
    uint32_t free_head;

    entry *heap; /* Bottom: all events with time before the rungs' ranges */
    size_t heap_size;
    size_t heap_cap;

    rung rungs[MAX_RUNGS]; /* rungs[0] coarsest */
    unsigned nrungs;

    uint32_t top_head; /* Top: events with time >= top_start, unsorted */
    size_t top_count;
    double top_start, top_min, top_max;

    size_t size;
    uint64_t next_seq;
};

static inline bool before(const entry *a, const entry *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

static inline sim_event_id make_id(uint32_t gen, uint32_t slot)
{
    return ((uint64_t)gen << 32) | slot;
}

/* ---- Bottom: a binary heap with positions kept in the nodes ---- */

static inline void heap_place(sim_queue *q, size_t i, entry e)
{
    q->heap[i] = e;
    q->nodes[e.slot].index = (uint32_t)i;
}

static void sift_up(sim_queue *q, size_t i, entry e)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&e, &q->heap[parent])) break;
        heap_place(q, i, q->heap[parent]);
        i = parent;
    }
    heap_place(q, i, e);
}

static void sift_down(sim_queue *q, size_t i, entry e)
{
    entry *h = q->heap;
    size_t n = q->heap_size;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(&h[c + 1], &h[c])) c++;
        if (!before(&h[c], &e)) break;
        heap_place(q, i, h[c]);
        i = c;
    }
    heap_place(q, i, e);
}

/* The caller has made room (heap_reserve). */
static void heap_insert(sim_queue *q, uint32_t slot)
{
    node *nd = &q->nodes[slot];
    nd->where = IN_HEAP;
    entry e = {nd->time, nd->seq, slot};
    sift_up(q, q->heap_size++, e);
}

static void heap_remove_at(sim_queue *q, size_t i)
{
    size_t last = --q->heap_size;
    if (i == last) return;
    entry e = q->heap[last];
    if (i > 0 && before(&e, &q->heap[(i - 1) / 2]))
        sift_up(q, i, e);
    else
        sift_down(q, i, e);
}

/* Every event can be in the heap at once, so a heap as large as the slot
 * table never needs to grow in the middle of moving a bucket. */
static bool heap_reserve(sim_queue *q, size_t n)
{
    if (n <= q->heap_cap) return true;
    size_t cap = q->heap_cap ? q->heap_cap : 64;
    while (cap < n)
        cap *= 2;
    entry *h = realloc(q->heap, cap * sizeof *h);
    if (!h) return false;
    q->heap = h;
    q->heap_cap = cap;
    return true;
}

/* ---- lists (Top and buckets): doubly linked through the nodes ---- */

static inline void list_push(sim_queue *q, uint32_t *head, uint32_t slot)
{
    node *nd = &q->nodes[slot];
    nd->prev = NIL;
    nd->next = *head;
    if (*head != NIL) q->nodes[*head].prev = slot;
    *head = slot;
}

static inline void list_unlink(sim_queue *q, uint32_t *head, uint32_t slot)
{
    node *nd = &q->nodes[slot];
    if (nd->prev != NIL)
        q->nodes[nd->prev].next = nd->next;
    else
        *head = nd->next;
    if (nd->next != NIL) q->nodes[nd->next].prev = nd->prev;
}

static void top_insert(sim_queue *q, uint32_t slot)
{
    node *nd = &q->nodes[slot];
    nd->where = IN_TOP;
    list_push(q, &q->top_head, slot);
    q->top_count++;
    if (nd->time < q->top_min) q->top_min = nd->time;
    if (nd->time > q->top_max) q->top_max = nd->time;
}

/* ---- rungs ---- */

/* The bucket of t in rung r, as a double so a far or early t cannot overflow;
 * monotone in t, which is all the ordering needs. */
static inline double bucket_of(const rung *r, double t)
{
    return floor((t - r->start) / r->width);
}

static inline void rung_insert(sim_queue *q, unsigned ri, uint32_t b, uint32_t slot)
{
    rung *r = &q->rungs[ri];
    node *nd = &q->nodes[slot];
    nd->where = IN_RUNG;
    nd->rung = ri & 0xffu;
    nd->index = b;
    list_push(q, &r->head[b], slot);
    r->count[b]++;
    r->events++;
}

static bool rung_reserve(rung *r, uint32_t buckets)
{
    if (buckets <= r->cap) return true;
    uint32_t *head = realloc(r->head, buckets * sizeof *head);
    if (!head) return false;
    r->head = head;
    uint32_t *count = realloc(r->count, buckets * sizeof *count);
    if (!count) return false;
    r->count = count;
    r->cap = buckets;
    return true;
}

/* Opens rung ri over [start, start + width * buckets) and moves the list at
 * *list (n events) into it. False when memory ran out (nothing moved). */
static bool rung_spawn(sim_queue *q, unsigned ri, double start, double span, size_t n,
                       uint32_t *list)
{
    uint32_t buckets = n < MAX_BUCKETS ? (uint32_t)n : MAX_BUCKETS;
    rung *r = &q->rungs[ri];
    if (!rung_reserve(r, buckets)) return false;
    r->start = start;
    r->width = span / buckets;
    r->buckets = buckets;
    r->cur = 0;
    r->events = 0;
    for (uint32_t b = 0; b < buckets; b++) {
        r->head[b] = NIL;
        r->count[b] = 0;
    }
    q->nrungs = ri + 1;
    uint32_t s = *list;
    while (s != NIL) {
        uint32_t next = q->nodes[s].next;
        double b = bucket_of(r, q->nodes[s].time);
        /* Rounding can put an edge event just outside; it belongs to the edge bucket. */
        uint32_t bi = b < 0 ? 0 : b >= (double)buckets ? buckets - 1 : (uint32_t)b;
        rung_insert(q, ri, bi, s);
        s = next;
    }
    *list = NIL;
    return true;
}

/* Routes a node to the part whose range holds its time. */
static void place(sim_queue *q, uint32_t slot)
{
    double t = q->nodes[slot].time;
    if (t >= q->top_start) {
        top_insert(q, slot);
        return;
    }
    /* Rungs nest: rung k+1 covers exactly bucket cur-1 of rung k, so walk down
     * while t falls in the bucket that was split. */
    for (unsigned k = 0; k < q->nrungs; k++) {
        rung *r = &q->rungs[k];
        double b = bucket_of(r, t);
        if (b >= (double)r->cur) {
            uint32_t bi = b >= (double)r->buckets ? r->buckets - 1 : (uint32_t)b;
            rung_insert(q, k, bi, slot);
            return;
        }
        if (k + 1 == q->nrungs || b != (double)(r->cur - 1)) break;
    }
    /* Before every rung's remaining range: the heap's part. */
    heap_insert(q, slot);
}

/* Moves the next events into the empty heap. False when the queue is empty. */
static bool refill(sim_queue *q)
{
    for (;;) {
        if (q->nrungs == 0) {
            if (q->top_count == 0) return false;
            size_t n = q->top_count;
            double lo = q->top_min, hi = q->top_max;
            double end = nextafter(hi, INFINITY);
            double span = end - lo;
            q->top_start = end;
            q->top_count = 0;
            q->top_min = INFINITY;
            q->top_max = -INFINITY;
            if (n > SPLIT_THRESHOLD && lo < hi && isfinite(span) &&
                rung_spawn(q, 0, lo, span, n, &q->top_head))
                continue;
            /* Few events, or all at one time: straight into the heap. */
            for (uint32_t s = q->top_head, next; s != NIL; s = next) {
                next = q->nodes[s].next;
                heap_insert(q, s);
            }
            q->top_head = NIL;
            return true;
        }
        unsigned ri = q->nrungs - 1;
        rung *r = &q->rungs[ri];
        while (r->cur < r->buckets && r->head[r->cur] == NIL)
            r->cur++;
        if (r->cur == r->buckets) {
            q->nrungs--;
            continue;
        }
        uint32_t b = r->cur++;
        uint32_t n = r->count[b];
        uint32_t list = r->head[b];
        r->head[b] = NIL;
        r->count[b] = 0;
        r->events -= n;
        if (n > SPLIT_THRESHOLD && ri + 1 < MAX_RUNGS) {
            double lo = INFINITY, hi = -INFINITY;
            for (uint32_t s = list; s != NIL; s = q->nodes[s].next) {
                double t = q->nodes[s].time;
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            }
            /* The child covers this bucket exactly: membership is decided by
             * this rung's bucket_of, the child only orders within it. */
            double start = r->start + (double)b * r->width;
            if (lo < hi && r->width > 0 && rung_spawn(q, ri + 1, start, r->width, n, &list))
                continue;
        }
        for (uint32_t s = list, next; s != NIL; s = next) {
            next = q->nodes[s].next;
            heap_insert(q, s);
        }
        return true;
    }
}

/* ---- slots ---- */

static bool grow_nodes(sim_queue *q)
{
    size_t old = q->node_cap;
    size_t cap = old ? 2 * old : 64;
    if (cap > NIL) cap = NIL;
    if (cap <= old) return false;
    node *nodes = realloc(q->nodes, cap * sizeof *nodes);
    if (!nodes) return false;
    q->nodes = nodes;
    if (!heap_reserve(q, cap)) return false;
    for (size_t s = old; s < cap; s++) {
        q->nodes[s].gen = 1;
        q->nodes[s].where = IN_FREE;
        q->nodes[s].next = s + 1 < cap ? (uint32_t)(s + 1) : q->free_head;
    }
    q->free_head = (uint32_t)old;
    q->node_cap = cap;
    return true;
}

static inline void release_slot(sim_queue *q, uint32_t slot)
{
    node *nd = &q->nodes[slot];
    /* Generation 0 is never issued, so ids are never 0. */
    if (++nd->gen == 0) nd->gen = 1;
    nd->where = IN_FREE;
    nd->next = q->free_head;
    q->free_head = slot;
}

/* Takes a pending node out of whichever part holds it. */
static void detach(sim_queue *q, uint32_t slot)
{
    node *nd = &q->nodes[slot];
    switch (nd->where) {
    case IN_HEAP:
        heap_remove_at(q, nd->index);
        break;
    case IN_TOP:
        /* top_min/top_max stay as bounds; they only size the next rung. */
        list_unlink(q, &q->top_head, slot);
        if (--q->top_count == 0) {
            q->top_min = INFINITY;
            q->top_max = -INFINITY;
        }
        break;
    case IN_RUNG: {
        rung *r = &q->rungs[nd->rung];
        list_unlink(q, &r->head[nd->index], slot);
        r->count[nd->index]--;
        r->events--;
        break;
    }
    default:
        assert(!"detach of a free slot");
    }
}

static inline bool pending_slot(const sim_queue *q, sim_event_id id, uint32_t *slot)
{
    uint32_t s = (uint32_t)(id & 0xffffffffu);
    if (id == SIM_EVENT_NONE || s >= q->node_cap) return false;
    const node *nd = &q->nodes[s];
    /* A free slot's generation was bumped past every id issued for it. */
    if (nd->gen != (uint32_t)(id >> 32) || nd->where == IN_FREE) return false;
    *slot = s;
    return true;
}

/* ---- public ---- */

sim_queue *sim_queue_new(size_t capacity_hint)
{
    sim_queue *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->free_head = NIL;
    q->top_head = NIL;
    q->top_start = -INFINITY;
    q->top_min = INFINITY;
    q->top_max = -INFINITY;
    while (q->node_cap < capacity_hint) {
        if (!grow_nodes(q)) {
            sim_queue_free(q);
            return NULL;
        }
    }
    return q;
}

void sim_queue_free(sim_queue *q)
{
    if (!q) return;
    for (unsigned i = 0; i < MAX_RUNGS; i++) {
        free(q->rungs[i].head);
        free(q->rungs[i].count);
    }
    free(q->heap);
    free(q->nodes);
    free(q);
}

sim_event_id sim_queue_push(sim_queue *q, double time, sim_handler fn, void *obj, uint64_t arg)
{
    assert(isfinite(time));
    if (q->free_head == NIL && !grow_nodes(q)) return SIM_EVENT_NONE;
    uint32_t slot = q->free_head;
    node *nd = &q->nodes[slot];
    q->free_head = nd->next;
    nd->time = time;
    nd->seq = q->next_seq++;
    nd->ev.fn = fn;
    nd->ev.obj = obj;
    nd->ev.arg = arg;
    place(q, slot);
    q->size++;
    return make_id(nd->gen, slot);
}

static inline void take_top(sim_queue *q, double *time, sim_event *ev)
{
    uint32_t slot = q->heap[0].slot;
    heap_remove_at(q, 0);
    *time = q->nodes[slot].time;
    *ev = q->nodes[slot].ev;
    release_slot(q, slot);
    q->size--;
}

bool sim_queue_pop(sim_queue *q, double *time, sim_event *ev)
{
    if (q->heap_size == 0 && !refill(q)) return false;
    take_top(q, time, ev);
    return true;
}

bool sim_queue_pop_until(sim_queue *q, double limit, double *time, sim_event *ev)
{
    if (q->heap_size == 0 && !refill(q)) return false;
    if (q->heap[0].time > limit) return false;
    take_top(q, time, ev);
    return true;
}

bool sim_queue_peek_time(sim_queue *q, double *time)
{
    if (q->heap_size == 0 && !refill(q)) return false;
    *time = q->heap[0].time;
    return true;
}

bool sim_queue_is_pending(const sim_queue *q, sim_event_id id)
{
    uint32_t slot;
    return pending_slot(q, id, &slot);
}

bool sim_queue_time_of(const sim_queue *q, sim_event_id id, double *time)
{
    uint32_t slot;
    if (!pending_slot(q, id, &slot)) return false;
    *time = q->nodes[slot].time;
    return true;
}

bool sim_queue_cancel(sim_queue *q, sim_event_id id)
{
    uint32_t slot;
    if (!pending_slot(q, id, &slot)) return false;
    detach(q, slot);
    release_slot(q, slot);
    q->size--;
    return true;
}

bool sim_queue_reschedule(sim_queue *q, sim_event_id id, double time)
{
    assert(isfinite(time));
    uint32_t slot;
    if (!pending_slot(q, id, &slot)) return false;
    detach(q, slot);
    q->nodes[slot].time = time;
    q->nodes[slot].seq = q->next_seq++;
    place(q, slot);
    return true;
}

size_t sim_queue_size(const sim_queue *q)
{
    return q->size;
}
