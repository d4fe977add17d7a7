/*
 * Calendar dates and reporting periods.
 *
 * A date is a whole number of days since 1970-01-01 in the proleptic Gregorian
 * calendar (negative before it). Simulation time is a double counting days from
 * a scenario's start date (the engine's epoch), so a date converts to time by
 * subtraction and back by flooring. Only years 0001..9999 are parsed or printed:
 * ISO 8601 with four-digit years, which is what CSV readers expect.
 *
 * Reporting periods are calendar-aligned: a month period always starts on the
 * 1st, a quarter on Jan/Apr/Jul/Oct 1, a year on Jan 1, a week on a Monday (ISO).
 */
#ifndef SIM_DATE_H
#define SIM_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

typedef int32_t sim_date;

/* "YYYY-MM-DD" plus the terminating NUL. */
#define SIM_DATE_BUFSIZE 11

/* Parses exactly `len` bytes as YYYY-MM-DD (no sign, no spaces, no time part).
 * Returns SIM_EINVAL for anything else, including 2023-02-29 and 2023-13-01. */
sim_status sim_date_parse(const char *s, size_t len, sim_date *out);

/* Writes "YYYY-MM-DD". Precondition: the date lies in years 0001..9999. */
void sim_date_format(sim_date d, char out[SIM_DATE_BUFSIZE]);

bool sim_date_valid_ymd(int year, int month, int day);
/* Precondition: sim_date_valid_ymd(year, month, day). */
sim_date sim_date_from_ymd(int year, int month, int day);
void sim_date_to_ymd(sim_date d, int *year, int *month, int *day);

/* 0 = Monday .. 6 = Sunday. */
int sim_date_weekday(sim_date d);

/* Adds whole months; a day past the new month's end is clamped to its last day. */
sim_date sim_date_add_months(sim_date d, int months);

typedef enum sim_period {
    SIM_PERIOD_DAY,
    SIM_PERIOD_WEEK,
    SIM_PERIOD_MONTH,
    SIM_PERIOD_QUARTER,
    SIM_PERIOD_YEAR
} sim_period;

/* "day", "week", "month", "quarter", "year"; SIM_EINVAL otherwise. */
sim_status sim_period_parse(const char *s, sim_period *out);
const char *sim_period_name(sim_period p);

/* The first day of the period that contains d. */
sim_date sim_period_floor(sim_period p, sim_date d);
/* The first day of the period after the one that contains d. */
sim_date sim_period_next(sim_period p, sim_date d);

#endif
