/* Dates and periods: exhaustive round trips over the whole supported range,
 * known day counts, a strict parser, and calendar-aligned periods. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"

static sim_date ymd(int y, int m, int d)
{
    return sim_date_from_ymd(y, m, d);
}

static sim_status parse(const char *s, sim_date *out)
{
    return sim_date_parse(s, strlen(s), out);
}

static void test_known_values(void **state)
{
    (void)state;
    assert_int_equal(ymd(1970, 1, 1), 0);
    assert_int_equal(ymd(1969, 12, 31), -1);
    assert_int_equal(ymd(2000, 3, 1), 11017);
    assert_int_equal(ymd(2023, 8, 31), 19600);
    assert_int_equal(ymd(1, 1, 1), -719162);
    assert_int_equal(ymd(9999, 12, 31), 2932896);

    sim_date d = -1;
    assert_int_equal(parse("1970-01-01", &d), SIM_OK);
    assert_int_equal(d, 0);
    assert_int_equal(parse("2023-08-31", &d), SIM_OK);
    assert_int_equal(d, 19600);
    /* Only the first len bytes count. */
    assert_int_equal(sim_date_parse("2000-03-01T00:00", 10, &d), SIM_OK);
    assert_int_equal(d, 11017);

    char buf[SIM_DATE_BUFSIZE];
    sim_date_format(19600, buf);
    assert_string_equal(buf, "2023-08-31");
    sim_date_format(ymd(1, 1, 1), buf);
    assert_string_equal(buf, "0001-01-01");
}

/* Every day of years 0001..9999: consecutive day counts, and both directions
 * of both conversions agree. */
static void test_round_trip_every_day(void **state)
{
    (void)state;
    sim_date expect = ymd(1, 1, 1);
    for (int y = 1; y <= 9999; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; sim_date_valid_ymd(y, m, d); d++) {
                const sim_date got = ymd(y, m, d);
                if (got != expect)
                    fail_msg("%04d-%02d-%02d is %d, expected %d", y, m, d, (int)got, (int)expect);
                int y2, m2, d2;
                sim_date_to_ymd(got, &y2, &m2, &d2);
                if (y2 != y || m2 != m || d2 != d)
                    fail_msg("day %d gave %d-%d-%d", (int)got, y2, m2, d2);
                char buf[SIM_DATE_BUFSIZE];
                sim_date_format(got, buf);
                sim_date back = 0;
                if (sim_date_parse(buf, strlen(buf), &back) != SIM_OK || back != got)
                    fail_msg("'%s' does not parse back to %d", buf, (int)got);
                expect++;
            }
        }
    }
    assert_int_equal(expect - 1, ymd(9999, 12, 31));
}

static void test_rejects_bad_strings(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "2023-02-29", "2023-13-01",    "2023-00-10",  "2023-01-00",  "2023-04-31", "2023-1-01",
        "2023-01-1",  " 2023-01-01",   "2023-01-01 ", "2023-01-01x", "+023-01-01", "-023-01-01",
        "",           "0000-01-01",    "2023/01/01",  "20230101",    "2023-01-0a", "2023-+1-01",
        "2023- 1-01", "2023-0\xff-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sim_date d = 12345;
        if (parse(bad[i], &d) != SIM_EINVAL) fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(d, 12345); /* untouched on failure */
    }
    sim_date d = 0;
    /* Right bytes, wrong length. */
    assert_int_equal(sim_date_parse("2023-01-01", 9, &d), SIM_EINVAL);
    assert_int_equal(sim_date_parse("", 0, &d), SIM_EINVAL);
    assert_int_equal(sim_date_parse(NULL, 0, &d), SIM_EINVAL);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_true(sim_date_valid_ymd(2000, 2, 29));
    assert_false(sim_date_valid_ymd(1900, 2, 29));
    assert_true(sim_date_valid_ymd(2024, 2, 29));
    assert_false(sim_date_valid_ymd(2023, 2, 29));
    assert_true(sim_date_valid_ymd(2023, 2, 28));
    assert_false(sim_date_valid_ymd(0, 1, 1));
    assert_false(sim_date_valid_ymd(10000, 1, 1));
    sim_date d;
    assert_int_equal(parse("2000-02-29", &d), SIM_OK);
    assert_int_equal(parse("1900-02-29", &d), SIM_EINVAL);
    assert_int_equal(parse("2024-02-29", &d), SIM_OK);
    assert_int_equal(ymd(2000, 3, 1) - ymd(2000, 2, 28), 2);
    assert_int_equal(ymd(1900, 3, 1) - ymd(1900, 2, 28), 1);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(sim_date_weekday(0), 3);                 /* 1970-01-01 Thursday */
    assert_int_equal(sim_date_weekday(ymd(2023, 8, 28)), 0);  /* Monday */
    assert_int_equal(sim_date_weekday(ymd(2023, 8, 31)), 3);  /* Thursday */
    assert_int_equal(sim_date_weekday(ymd(2023, 9, 3)), 6);   /* Sunday */
    assert_int_equal(sim_date_weekday(ymd(1, 1, 1)), 0);      /* Monday (proleptic) */
    assert_int_equal(sim_date_weekday(ymd(1969, 12, 29)), 0); /* Monday before the epoch */
    for (sim_date d = -800; d < 800; d++)
        assert_int_equal(sim_date_weekday(d + 1), (sim_date_weekday(d) + 1) % 7);
}

static void test_period_names(void **state)
{
    (void)state;
    static const char *const names[] = {"day", "week", "month", "quarter", "year"};
    for (int i = 0; i < 5; i++) {
        sim_period p = SIM_PERIOD_YEAR;
        assert_int_equal(sim_period_parse(names[i], &p), SIM_OK);
        assert_int_equal(p, i);
        assert_string_equal(sim_period_name(p), names[i]);
    }
    sim_period p;
    assert_int_equal(sim_period_parse("Month", &p), SIM_EINVAL);
    assert_int_equal(sim_period_parse("months", &p), SIM_EINVAL);
    assert_int_equal(sim_period_parse("", &p), SIM_EINVAL);
}

static void check_period(sim_period p, sim_date d, sim_date floor, sim_date next)
{
    assert_int_equal(sim_period_floor(p, d), floor);
    assert_int_equal(sim_period_next(p, d), next);
}

static void test_period_floor_next(void **state)
{
    (void)state;
    const sim_date d = ymd(2023, 8, 31); /* a Thursday */
    check_period(SIM_PERIOD_DAY, d, d, d + 1);
    check_period(SIM_PERIOD_WEEK, d, ymd(2023, 8, 28), ymd(2023, 9, 4));
    check_period(SIM_PERIOD_MONTH, d, ymd(2023, 8, 1), ymd(2023, 9, 1));
    check_period(SIM_PERIOD_QUARTER, d, ymd(2023, 7, 1), ymd(2023, 10, 1));
    check_period(SIM_PERIOD_YEAR, d, ymd(2023, 1, 1), ymd(2024, 1, 1));

    /* Year and quarter boundaries. */
    check_period(SIM_PERIOD_QUARTER, ymd(2023, 12, 31), ymd(2023, 10, 1), ymd(2024, 1, 1));
    check_period(SIM_PERIOD_QUARTER, ymd(2024, 1, 1), ymd(2024, 1, 1), ymd(2024, 4, 1));
    check_period(SIM_PERIOD_QUARTER, ymd(2024, 3, 31), ymd(2024, 1, 1), ymd(2024, 4, 1));
    check_period(SIM_PERIOD_QUARTER, ymd(2024, 4, 1), ymd(2024, 4, 1), ymd(2024, 7, 1));
    check_period(SIM_PERIOD_QUARTER, ymd(2024, 6, 30), ymd(2024, 4, 1), ymd(2024, 7, 1));
    check_period(SIM_PERIOD_YEAR, ymd(2023, 12, 31), ymd(2023, 1, 1), ymd(2024, 1, 1));
    check_period(SIM_PERIOD_YEAR, ymd(2024, 1, 1), ymd(2024, 1, 1), ymd(2025, 1, 1));
    check_period(SIM_PERIOD_MONTH, ymd(2023, 12, 31), ymd(2023, 12, 1), ymd(2024, 1, 1));
    check_period(SIM_PERIOD_MONTH, ymd(2024, 2, 29), ymd(2024, 2, 1), ymd(2024, 3, 1));
    check_period(SIM_PERIOD_DAY, ymd(2023, 12, 31), ymd(2023, 12, 31), ymd(2024, 1, 1));
    /* A week across a year end: 2024-12-30 is a Monday. */
    check_period(SIM_PERIOD_WEEK, ymd(2025, 1, 1), ymd(2024, 12, 30), ymd(2025, 1, 6));
    check_period(SIM_PERIOD_WEEK, ymd(2024, 12, 30), ymd(2024, 12, 30), ymd(2025, 1, 6));
    check_period(SIM_PERIOD_WEEK, ymd(2025, 1, 5), ymd(2024, 12, 30), ymd(2025, 1, 6));
    /* Before the epoch, where C's '%' goes negative. */
    check_period(SIM_PERIOD_WEEK, ymd(1969, 12, 31), ymd(1969, 12, 29), ymd(1970, 1, 5));
    check_period(SIM_PERIOD_QUARTER, ymd(1969, 11, 15), ymd(1969, 10, 1), ymd(1970, 1, 1));

    /* Over a span: the floor is the period's first day and contains d; next is
     * the floor of the following period. */
    for (int p = SIM_PERIOD_DAY; p <= SIM_PERIOD_YEAR; p++) {
        for (sim_date x = ymd(1999, 11, 1); x < ymd(2001, 3, 1); x++) {
            const sim_date f = sim_period_floor((sim_period)p, x);
            const sim_date n = sim_period_next((sim_period)p, x);
            assert_true(f <= x && x < n);
            assert_int_equal(sim_period_floor((sim_period)p, f), f);
            assert_int_equal(sim_period_floor((sim_period)p, n), n);
            assert_int_equal(sim_period_floor((sim_period)p, n - 1), f);
            int y, m, day;
            sim_date_to_ymd(f, &y, &m, &day);
            if (p == SIM_PERIOD_WEEK) assert_int_equal(sim_date_weekday(f), 0);
            if (p >= SIM_PERIOD_MONTH) assert_int_equal(day, 1);
            if (p == SIM_PERIOD_QUARTER) assert_int_equal((m - 1) % 3, 0);
            if (p == SIM_PERIOD_YEAR) assert_int_equal(m, 1);
        }
    }
}

static void test_add_months(void **state)
{
    (void)state;
    assert_int_equal(sim_date_add_months(ymd(2023, 1, 31), 1), ymd(2023, 2, 28));
    assert_int_equal(sim_date_add_months(ymd(2024, 1, 31), 1), ymd(2024, 2, 29));
    assert_int_equal(sim_date_add_months(ymd(2023, 3, 31), 1), ymd(2023, 4, 30));
    assert_int_equal(sim_date_add_months(ymd(2023, 1, 15), 1), ymd(2023, 2, 15));
    assert_int_equal(sim_date_add_months(ymd(2023, 11, 30), 3), ymd(2024, 2, 29));
    assert_int_equal(sim_date_add_months(ymd(2023, 8, 31), 0), ymd(2023, 8, 31));
    assert_int_equal(sim_date_add_months(ymd(2023, 8, 31), 12), ymd(2024, 8, 31));
    assert_int_equal(sim_date_add_months(ymd(2024, 2, 29), 12), ymd(2025, 2, 28));
    assert_int_equal(sim_date_add_months(ymd(2024, 2, 29), 48), ymd(2028, 2, 29));
    assert_int_equal(sim_date_add_months(ymd(2023, 3, 31), -1), ymd(2023, 2, 28));
    assert_int_equal(sim_date_add_months(ymd(2023, 1, 31), -2), ymd(2022, 11, 30));
    assert_int_equal(sim_date_add_months(ymd(2023, 1, 1), -13), ymd(2021, 12, 1));
    assert_int_equal(sim_date_add_months(ymd(1970, 1, 1), -1), ymd(1969, 12, 1));
    assert_int_equal(sim_date_add_months(ymd(2000, 12, 31), 1200), ymd(2100, 12, 31));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_rejects_bad_strings),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_period_names),
        cmocka_unit_test(test_period_floor_next),
        cmocka_unit_test(test_add_months),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
