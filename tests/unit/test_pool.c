/* Tests of sim/pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

static void test_rejects_zero_size(void **state)
{
    (void)state;
    assert_null(sim_pool_new(0, 0));
    sim_pool_free(NULL);
}

/* Many objects across several chunks: distinct, aligned, fully writable, and
 * each keeps what was written to it. */
static void test_many_objects(void **state)
{
    (void)state;
    enum { N = 10000, SIZE = 40 };
    sim_pool *p = sim_pool_new(SIZE, 100);
    assert_non_null(p);
    assert_int_equal(sim_pool_object_size(p), SIZE);
    unsigned char **objs = malloc(N * sizeof *objs);
    assert_non_null(objs);
    for (int i = 0; i < N; i++) {
        objs[i] = sim_pool_get(p);
        assert_non_null(objs[i]);
        assert_int_equal((uintptr_t)objs[i] % alignof(max_align_t), 0);
        memset(objs[i], i & 0xff, SIZE);
    }
    assert_int_equal(sim_pool_in_use(p), N);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < SIZE; k++)
            assert_int_equal(objs[i][k], i & 0xff);
    for (int i = 0; i < N; i += 2)
        sim_pool_put(p, objs[i]);
    assert_int_equal(sim_pool_in_use(p), N / 2);
    free(objs);
    sim_pool_free(p);
}

/* A returned object is handed out again (last in, first out), so a steady
 * population of entities costs no new memory. */
static void test_reuse(void **state)
{
    (void)state;
    sim_pool *p = sim_pool_new(8, 0);
    void *a = sim_pool_get(p);
    void *b = sim_pool_get(p);
    sim_pool_put(p, a);
    assert_ptr_equal(sim_pool_get(p), a);
    sim_pool_put(p, b);
    sim_pool_put(p, a);
    assert_ptr_equal(sim_pool_get(p), a);
    assert_ptr_equal(sim_pool_get(p), b);
    assert_int_equal(sim_pool_in_use(p), 2);
    sim_pool_free(p);
}

/* Objects smaller than a pointer still work (the free list lives in them). */
static void test_tiny_objects(void **state)
{
    (void)state;
    sim_pool *p = sim_pool_new(1, 3);
    unsigned char *o[10];
    for (int i = 0; i < 10; i++) {
        o[i] = sim_pool_get(p);
        *o[i] = (unsigned char)i;
    }
    for (int i = 0; i < 10; i++)
        assert_int_equal(*o[i], i);
    sim_pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rejects_zero_size),
        cmocka_unit_test(test_many_objects),
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_tiny_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
