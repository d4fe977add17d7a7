/* Tests of sim/event_queue: order, FIFO ties, cancel and reschedule, against a
 * reference that sorts by (time, sequence). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "event_queue.h"
#include "rng.h"

static void noop(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)obj;
    (void)arg;
}

/* Pushes an event whose arg is its tag. */
static sim_event_id push_tagged(sim_queue *q, double time, uint64_t tag)
{
    return sim_queue_push(q, time, noop, NULL, tag);
}

/* The reference: live events with their sequence, popped by linear search. */
typedef struct ref_event {
    double time;
    uint64_t seq;
    uint64_t tag;
    sim_event_id id;
} ref_event;

typedef struct reference {
    ref_event *items;
    size_t n, cap;
    uint64_t next_seq;
} reference;

static void ref_push(reference *r, double time, uint64_t tag, sim_event_id id)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->items = realloc(r->items, r->cap * sizeof *r->items);
        assert_non_null(r->items);
    }
    r->items[r->n++] = (ref_event){time, r->next_seq++, tag, id};
}

static size_t ref_min(const reference *r)
{
    size_t best = 0;
    for (size_t i = 1; i < r->n; i++) {
        const ref_event *a = &r->items[i], *b = &r->items[best];
        if (a->time < b->time || (a->time == b->time && a->seq < b->seq)) best = i;
    }
    return best;
}

static void ref_remove(reference *r, size_t i)
{
    r->items[i] = r->items[--r->n];
}

static void pop_and_check(sim_queue *q, reference *r)
{
    double t;
    sim_event ev;
    assert_true(sim_queue_pop(q, &t, &ev));
    size_t i = ref_min(r);
    assert_true(t == r->items[i].time);
    assert_int_equal(ev.arg, r->items[i].tag);
    assert_false(sim_queue_is_pending(q, r->items[i].id));
    ref_remove(r, i);
    assert_int_equal(sim_queue_size(q), r->n);
}

static void test_empty(void **state)
{
    (void)state;
    sim_queue *q = sim_queue_new(0);
    assert_non_null(q);
    double t;
    sim_event ev;
    assert_false(sim_queue_pop(q, &t, &ev));
    assert_false(sim_queue_peek_time(q, &t));
    assert_false(sim_queue_cancel(q, SIM_EVENT_NONE));
    assert_false(sim_queue_cancel(q, 12345));
    assert_int_equal(sim_queue_size(q), 0);
    sim_queue_free(q);
    sim_queue_free(NULL);
}

/* Equal times leave in scheduling order, however many there are and however
 * they are spread through the structure (200 > the split threshold). */
static void test_fifo_ties(void **state)
{
    (void)state;
    sim_queue *q = sim_queue_new(0);
    for (uint64_t i = 0; i < 2000; i++) {
        double t = (double)(i % 3); /* times 0, 1, 2 interleaved */
        assert_int_not_equal(push_tagged(q, t, i), SIM_EVENT_NONE);
    }
    uint64_t last_tag[3] = {0, 0, 0};
    int seen[3] = {0, 0, 0};
    double last_t = -1;
    for (int i = 0; i < 2000; i++) {
        double t;
        sim_event ev;
        assert_true(sim_queue_pop(q, &t, &ev));
        assert_true(t >= last_t);
        last_t = t;
        int k = (int)t;
        assert_int_equal(ev.arg % 3, (uint64_t)k);
        if (seen[k]) assert_true(ev.arg > last_tag[k]);
        seen[k] = 1;
        last_tag[k] = ev.arg;
    }
    assert_int_equal(sim_queue_size(q), 0);
    sim_queue_free(q);
}

static int cmp_ref(const void *pa, const void *pb)
{
    const ref_event *a = pa, *b = pb;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* A million pushes with random times, then a million pops, against qsort. */
static void test_million_against_sort(void **state)
{
    (void)state;
    const size_t n = 1000000;
    sim_queue *q = sim_queue_new(0);
    sim_rng r;
    sim_rng_init(&r, 7, 0, "test_event_queue", 1);
    ref_event *all = malloc(n * sizeof *all);
    assert_non_null(all);
    for (size_t i = 0; i < n; i++) {
        /* Coarse times so that ties are common, with a far tail. */
        double t = floor(sim_rng_exponential(&r, 1000.0));
        if (i % 97 == 0) t += 1e7;
        all[i] = (ref_event){t, i, i, 0};
        assert_int_not_equal(push_tagged(q, t, i), SIM_EVENT_NONE);
    }
    qsort(all, n, sizeof *all, cmp_ref);
    for (size_t i = 0; i < n; i++) {
        double t;
        sim_event ev;
        assert_true(sim_queue_pop(q, &t, &ev));
        if (t != all[i].time || ev.arg != all[i].tag)
            fail_msg("pop %zu: got (%g, %llu), expected (%g, %llu)", i, t,
                     (unsigned long long)ev.arg, all[i].time, (unsigned long long)all[i].tag);
    }
    assert_int_equal(sim_queue_size(q), 0);
    free(all);
    sim_queue_free(q);
}

typedef double (*time_gen)(sim_rng *r, double now);

static double gen_exponential(sim_rng *r, double now)
{
    return now + sim_rng_exponential(r, 1.0);
}
static double gen_integer(sim_rng *r, double now)
{
    return floor(now) + (double)(sim_rng_u64(r) % 4);
}
static double gen_same(sim_rng *r, double now)
{
    (void)r;
    return now;
}
static double gen_bimodal(sim_rng *r, double now)
{
    return now + (sim_rng_uniform(r) < 0.9 ? sim_rng_exponential(r, 1.0) : 180.0);
}
static double gen_wide(sim_rng *r, double now)
{
    return now + pow(10.0, 12.0 * sim_rng_uniform(r) - 6.0);
}

/* Random pushes, pops, cancels and reschedules, checked op by op. */
static void run_mixed(time_gen gen, uint64_t stream, size_t ops, size_t target)
{
    sim_queue *q = sim_queue_new(0);
    reference ref = {0};
    sim_rng r;
    sim_rng_init(&r, 11, 0, "test_event_queue_mixed", stream);
    double now = 0;
    uint64_t tag = 0;
    for (size_t op = 0; op < ops; op++) {
        double u = sim_rng_uniform(&r);
        /* Drift towards the target size, so the structure sees both growth
         * and shrinkage around it. */
        double p_push = ref.n < target ? 0.6 : 0.4;
        if (ref.n == 0 || u < p_push) {
            double t = gen(&r, now);
            sim_event_id id = push_tagged(q, t, tag);
            assert_int_not_equal(id, SIM_EVENT_NONE);
            ref_push(&ref, t, tag++, id);
        } else if (u < p_push + 0.25) {
            size_t i = ref_min(&ref);
            double t;
            assert_true(sim_queue_peek_time(q, &t));
            assert_true(t == ref.items[i].time);
            now = t;
            pop_and_check(q, &ref);
        } else if (u < p_push + 0.45) {
            size_t i = (size_t)(sim_rng_u64(&r) % ref.n);
            assert_true(sim_queue_cancel(q, ref.items[i].id));
            assert_false(sim_queue_cancel(q, ref.items[i].id));
            assert_false(sim_queue_is_pending(q, ref.items[i].id));
            ref_remove(&ref, i);
        } else {
            size_t i = (size_t)(sim_rng_u64(&r) % ref.n);
            double t = gen(&r, now);
            assert_true(sim_queue_reschedule(q, ref.items[i].id, t));
            double got;
            assert_true(sim_queue_time_of(q, ref.items[i].id, &got));
            assert_true(got == t);
            ref.items[i].time = t;
            ref.items[i].seq = ref.next_seq++;
        }
        assert_int_equal(sim_queue_size(q), ref.n);
    }
    while (ref.n > 0)
        pop_and_check(q, &ref);
    free(ref.items);
    sim_queue_free(q);
}

static void test_mixed_exponential(void **state)
{
    (void)state;
    run_mixed(gen_exponential, 1, 200000, 2000);
}
static void test_mixed_integer_ties(void **state)
{
    (void)state;
    run_mixed(gen_integer, 2, 200000, 1000);
}
static void test_mixed_all_same_time(void **state)
{
    (void)state;
    run_mixed(gen_same, 3, 50000, 500);
}
static void test_mixed_bimodal(void **state)
{
    (void)state;
    run_mixed(gen_bimodal, 4, 200000, 2000);
}
static void test_mixed_wide_range(void **state)
{
    (void)state;
    run_mixed(gen_wide, 5, 200000, 2000);
}

/* A stale id (its event fired, its slot reused) never touches the new event. */
static void test_stale_ids(void **state)
{
    (void)state;
    sim_queue *q = sim_queue_new(0);
    sim_event_id a = push_tagged(q, 1.0, 1);
    double t;
    sim_event ev;
    assert_true(sim_queue_pop(q, &t, &ev));
    sim_event_id b = push_tagged(q, 2.0, 2); /* reuses a's slot */
    assert_int_not_equal(a, b);
    assert_false(sim_queue_is_pending(q, a));
    assert_false(sim_queue_cancel(q, a));
    assert_false(sim_queue_reschedule(q, a, 5.0));
    assert_true(sim_queue_is_pending(q, b));
    assert_true(sim_queue_time_of(q, b, &t));
    assert_true(t == 2.0);
    sim_queue_free(q);
}

/* Reschedule to the same time sends an event behind its equals. */
static void test_reschedule_goes_behind_ties(void **state)
{
    (void)state;
    sim_queue *q = sim_queue_new(0);
    sim_event_id a = push_tagged(q, 5.0, 1);
    push_tagged(q, 5.0, 2);
    assert_true(sim_queue_reschedule(q, a, 5.0));
    double t;
    sim_event ev;
    assert_true(sim_queue_pop(q, &t, &ev));
    assert_int_equal(ev.arg, 2);
    assert_true(sim_queue_pop(q, &t, &ev));
    assert_int_equal(ev.arg, 1);
    sim_queue_free(q);
}

static void test_pop_until(void **state)
{
    (void)state;
    sim_queue *q = sim_queue_new(0);
    push_tagged(q, 3.0, 3);
    push_tagged(q, 1.0, 1);
    double t;
    sim_event ev;
    assert_false(sim_queue_pop_until(q, 0.5, &t, &ev));
    assert_int_equal(sim_queue_size(q), 2);
    assert_true(sim_queue_pop_until(q, 1.0, &t, &ev)); /* inclusive */
    assert_int_equal(ev.arg, 1);
    assert_false(sim_queue_pop_until(q, 2.9, &t, &ev));
    assert_true(sim_queue_pop_until(q, INFINITY, &t, &ev));
    assert_int_equal(ev.arg, 3);
    sim_queue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fifo_ties),
        cmocka_unit_test(test_million_against_sort),
        cmocka_unit_test(test_mixed_exponential),
        cmocka_unit_test(test_mixed_integer_ties),
        cmocka_unit_test(test_mixed_all_same_time),
        cmocka_unit_test(test_mixed_bimodal),
        cmocka_unit_test(test_mixed_wide_range),
        cmocka_unit_test(test_stale_ids),
        cmocka_unit_test(test_reschedule_goes_behind_ties),
        cmocka_unit_test(test_pop_until),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
