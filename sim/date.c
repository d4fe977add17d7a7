#include "date.h"

#include <assert.h>
#include <string.h>

/*
 * Day counts <-> civil dates, from Howard Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms" (days_from_civil, civil_from_days; howardhinnant.github.io/
 * date_algorithms.html). The year is shifted to start on March 1 so the leap day
 * falls at the end of it; an era is 400 years = 146097 days; 719468 is the day
 * count from 0000-03-01 to 1970-01-01. Exact for every proleptic Gregorian date
 * whose day count fits the integer type, so the arithmetic runs in int64_t and
 * int32_t day counts never overflow on the way.
 */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;                                   /* [0, 399] */
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;                                      /* [0, 146096] */
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
    const int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int64_t m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Every date this module hands out must fit sim_date; outside it is a caller's
 * bug (adding months to a date near the end of time), not a user's. */
static sim_date to_sim_date(int64_t days)
{
    assert(days >= INT32_MIN && days <= INT32_MAX);
    return (sim_date)days;
}

bool sim_date_valid_ymd(int year, int month, int day)
{
    return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 &&
           day <= days_in_month(year, month);
}

sim_date sim_date_from_ymd(int year, int month, int day)
{
    assert(sim_date_valid_ymd(year, month, day));
    return to_sim_date(days_from_civil(year, month, day));
}

void sim_date_to_ymd(sim_date d, int *year, int *month, int *day)
{
    int64_t y, m, dd;
    civil_from_days(d, &y, &m, &dd);
    /* |d| < 2^31 days is under 6 million years: y fits an int. */
    *year = (int)y;
    *month = (int)m;
    *day = (int)dd;
}

/* Reads n ASCII digits; -1 if any byte is not one. isdigit() is not used
 * because it consults the locale. */
static int read_digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

sim_status sim_date_parse(const char *s, size_t len, sim_date *out)
{
    if (len != SIM_DATE_BUFSIZE - 1 || s[4] != '-' || s[7] != '-') return SIM_EINVAL;
    const int y = read_digits(s, 4);
    const int m = read_digits(s + 5, 2);
    const int d = read_digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0 || !sim_date_valid_ymd(y, m, d)) return SIM_EINVAL;
    *out = sim_date_from_ymd(y, m, d);
    return SIM_OK;
}

static void put_digits(char *out, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void sim_date_format(sim_date d, char out[SIM_DATE_BUFSIZE])
{
    int y, m, dd;
    sim_date_to_ymd(d, &y, &m, &dd);
    assert(y >= 1 && y <= 9999);
    /* Digits by hand: no locale, and no snprintf truncation to reason about. */
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, dd, 2);
    out[10] = '\0';
}

int sim_date_weekday(sim_date d)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0); the +7 keeps the
     * remainder non-negative for days before it. */
    return (int)((d % 7 + 7 + 3) % 7);
}

sim_date sim_date_add_months(sim_date d, int months)
{
    int64_t y, m, dd;
    civil_from_days(d, &y, &m, &dd);
    int64_t index = y * 12 + (m - 1) + months; /* months since 0000-01 */
    int64_t q = index / 12, r = index % 12;
    if (r < 0) { /* floor division: C truncates toward zero */
        q -= 1;
        r += 12;
    }
    const int last = days_in_month(q, r + 1);
    return to_sim_date(days_from_civil(q, r + 1, dd > last ? last : dd));
}

/*
 * Periods as data: a period is either a whole number of days aligned to a Monday
 * (day, week) or a whole number of months aligned to January (month, quarter,
 * year). Every month length divides 12, so month periods never straddle a year.
 */
typedef struct period_def {
    const char *name;
    int days;   /* length in days, or 0 for a month-based period */
    int months; /* length in months, or 0 for a day-based period */
} period_def;

static const period_def period_defs[] = {
    [SIM_PERIOD_DAY] = {"day", 1, 0},     [SIM_PERIOD_WEEK] = {"week", 7, 0},
    [SIM_PERIOD_MONTH] = {"month", 0, 1}, [SIM_PERIOD_QUARTER] = {"quarter", 0, 3},
    [SIM_PERIOD_YEAR] = {"year", 0, 12},
};

#define PERIOD_COUNT (sizeof period_defs / sizeof period_defs[0])

/* 1970-01-05, the first Monday on or after the epoch: the anchor of weeks. */
#define MONDAY_ANCHOR 4

static const period_def *period_def_for(sim_period p)
{
    assert((size_t)p < PERIOD_COUNT);
    return &period_defs[p];
}

sim_status sim_period_parse(const char *s, sim_period *out)
{
    for (size_t i = 0; i < PERIOD_COUNT; i++) {
        if (strcmp(s, period_defs[i].name) == 0) {
            *out = (sim_period)i;
            return SIM_OK;
        }
    }
    return SIM_EINVAL;
}

const char *sim_period_name(sim_period p)
{
    return period_def_for(p)->name;
}

sim_date sim_period_floor(sim_period p, sim_date d)
{
    const period_def *def = period_def_for(p);
    if (def->days > 0) {
        int64_t off = ((int64_t)d - MONDAY_ANCHOR) % def->days;
        if (off < 0) off += def->days;
        return to_sim_date((int64_t)d - off);
    }
    int64_t y, m, dd;
    civil_from_days(d, &y, &m, &dd);
    const int64_t m0 = (m - 1) / def->months * def->months; /* 0-based first month */
    return to_sim_date(days_from_civil(y, m0 + 1, 1));
}

sim_date sim_period_next(sim_period p, sim_date d)
{
    const period_def *def = period_def_for(p);
    const sim_date start = sim_period_floor(p, d);
    if (def->days > 0) return to_sim_date((int64_t)start + def->days);
    return sim_date_add_months(start, def->months);
}
