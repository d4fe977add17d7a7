/* Number text: shortest exact round trip, fixed spellings for zero and the
 * non-finite values, and '.' whatever the locale. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

static void check_double(double x, const char *expect)
{
    char buf[SIM_NUMFMT_BUFSIZE];
    const size_t n = sim_numfmt_double(buf, x);
    assert_string_equal(buf, expect);
    assert_int_equal(n, strlen(expect));
}

/* Reads the text back exactly, and no shorter %g precision would have. */
static void check_round_trip(double x)
{
    char buf[SIM_NUMFMT_BUFSIZE];
    const size_t n = sim_numfmt_double(buf, x);
    assert_int_equal(n, strlen(buf));
    char *end = NULL;
    const double back = strtod(buf, &end);
    assert_ptr_equal(end, buf + n);
    if (back != x) fail_msg("%s reads back as %.17g, not %.17g", buf, back, x);
    char shorter[64];
    snprintf(shorter, sizeof shorter, "%.15g", x);
    if (strtod(shorter, NULL) == x) assert_string_equal(buf, shorter);
    assert_null(strchr(buf, ','));
}

/* What the text must be, by definition: the shortest of %.15g, %.16g, %.17g
 * that reads back (the formatter computes it from one %.16e). */
static void reference(double x, char *out, size_t size)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, size, "%.*g", prec, x);
        if (prec == 17 || strtod(out, NULL) == x) return;
    }
}

static uint64_t next_u64(uint64_t *s)
{
    /* splitmix64: a fixed, portable sequence of test inputs */
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void check_reference(double x)
{
    char want[64], got[SIM_NUMFMT_BUFSIZE];
    if (!isfinite(x) || x == 0) return;
    reference(x, want, sizeof want);
    sim_numfmt_double(got, x);
    if (strcmp(got, want) != 0) fail_msg("%a: got %s, printf gives %s", x, got, want);
}

/* Against printf on 1.2 million doubles: any bit pattern, decimal fractions
 * and ratios such as report means, integers, and doubles nearest to texts
 * whose dropped digits are exactly a half (the case printf must settle). */
static void test_matches_printf(void **state)
{
    (void)state;
    uint64_t seed = 20261121;
    for (int i = 0; i < 300000; i++) {
        uint64_t bits = next_u64(&seed);
        double x;
        memcpy(&x, &bits, sizeof x);
        check_reference(x);
        check_reference((double)(int64_t)(next_u64(&seed) >> (next_u64(&seed) % 64)) /
                        (double)(1 + next_u64(&seed) % 1000));
        check_reference((double)(next_u64(&seed) % 100000000) /
                        pow(10, (double)(next_u64(&seed) % 12)));
        char text[64];
        snprintf(text, sizeof text, "%llu.%llu5e%d", (unsigned long long)(next_u64(&seed) % 10),
                 (unsigned long long)(next_u64(&seed) % 1000000000000000u),
                 (int)(next_u64(&seed) % 40) - 20);
        check_reference(strtod(text, NULL));
    }
}

static void test_known_texts(void **state)
{
    (void)state;
    check_double(0.1, "0.1");
    check_double(42.0, "42");
    check_double(-2.5, "-2.5");
    check_double(1e300, "1e+300");
    check_double(1e21, "1e+21");
    check_double(5e-324, "4.94065645841247e-324");
    check_double(1.0 / 3.0, "0.3333333333333333");
    check_double(0.1 + 0.2, "0.30000000000000004");
    check_double(DBL_MAX, "1.7976931348623157e+308");
    check_double(123456789.0, "123456789");
}

static void test_round_trips(void **state)
{
    (void)state;
    const double fixed[] = {
        0.1,     1.0 / 3.0, 2.0 / 3.0,         1e300,    -1e300,   5e-324, -5e-324, DBL_MIN,
        DBL_MAX, -DBL_MAX,  3.141592653589793, 1e15 + 1, 1e16 + 2, 1e17,   0.3,     100.0,
        1e-5,    123.456,   9007199254740993.0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        check_round_trip(fixed[i]);

    /* Many doubles from raw bit patterns (a 64-bit LCG, Knuth's MMIX constants),
     * so every exponent and all three precisions get exercised. */
    uint64_t s = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 200000; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double x;
        memcpy(&x, &s, sizeof x);
        if (isfinite(x) && x != 0) check_round_trip(x);
    }
}

static void test_zero_and_non_finite(void **state)
{
    (void)state;
    check_double(0.0, "0");
    check_double(-0.0, "0");
    check_double(NAN, "NaN");
    check_double(-NAN, "NaN");
    check_double(INFINITY, "Inf");
    check_double(-INFINITY, "-Inf");
}

static void test_integers(void **state)
{
    (void)state;
    char buf[SIM_NUMFMT_BUFSIZE];
    assert_int_equal(sim_numfmt_int(buf, 0), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(sim_numfmt_int(buf, -1), 2);
    assert_string_equal(buf, "-1");
    assert_int_equal(sim_numfmt_int(buf, INT64_MAX), 19);
    assert_string_equal(buf, "9223372036854775807");
    assert_int_equal(sim_numfmt_int(buf, INT64_MIN), 20);
    assert_string_equal(buf, "-9223372036854775808");
}

/* A locale whose decimal point is ',' must not leak into the output. Skipped
 * where the locale is not installed. */
static void test_locale_independent(void **state)
{
    (void)state;
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8", "de_DE"};
    const char *got = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && got == NULL; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (got == NULL) {
        print_message("de_DE locale not installed: locale part skipped\n");
        return;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%g", 2.5);
    const int locale_uses_comma = strcmp(raw, "2,5") == 0;

    check_double(2.5, "2.5");
    check_double(0.1, "0.1");
    check_double(1.0 / 3.0, "0.3333333333333333");
    check_double(-1.25e-300, "-1.25e-300");
    check_double(5e-324, "4.94065645841247e-324");
    check_double(42.0, "42");
    setlocale(LC_NUMERIC, "C");
    assert_true(locale_uses_comma);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_texts),         cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_zero_and_non_finite), cmocka_unit_test(test_integers),
        cmocka_unit_test(test_locale_independent),  cmocka_unit_test(test_matches_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
