#include "numfmt.h"

#include <assert.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for %.17g of any double (at most 24 bytes) with a decimal point of
 * several bytes, as some locales have; trimmed to SIM_NUMFMT_BUFSIZE after the
 * point is replaced by '.'. */
#define RAW_BUFSIZE 64

static size_t copy_out(char buf[SIM_NUMFMT_BUFSIZE], const char *s)
{
    const size_t n = strlen(s);
    assert(n < SIM_NUMFMT_BUFSIZE);
    memcpy(buf, s, n + 1);
    return n;
}

/* Replaces the locale's decimal point in s (a %g rendering) with '.'. The point
 * may be longer than one byte; %g writes it at most once and never groups
 * thousands, so one replacement is the whole job. localeconv() is asked on
 * every call rather than cached, because the program may change locale. */
static void fix_decimal_point(char *s)
{
    const char *dp = localeconv()->decimal_point;
    if (dp == NULL || dp[0] == '\0' || strcmp(dp, ".") == 0) return;
    char *at = strstr(s, dp);
    if (at == NULL) return;
    const size_t dp_len = strlen(dp);
    *at = '.';
    memmove(at + 1, at + dp_len, strlen(at + dp_len) + 1);
}

size_t sim_numfmt_double(char buf[SIM_NUMFMT_BUFSIZE], double x)
{
    if (isnan(x)) return copy_out(buf, "NaN");
    if (isinf(x)) return copy_out(buf, x > 0 ? "Inf" : "-Inf");
    /* Both zeros print "0": a "-0" in a table reads as a bug, and -0.0 == 0.0. */
    if (x == 0) return copy_out(buf, "0");

    /*
     * 17 significant digits always identify a double (IEEE 754 binary64; see
     * DBL_DECIMAL_DIG); fewer often do, and the shortest that reads back exactly
     * is the friendliest text (0.1, not 0.10000000000000001). strtod reads with
     * the same locale snprintf wrote with, so the check runs on the raw text.
     */
    char raw[RAW_BUFSIZE];
    for (int prec = 15; prec <= 17; prec++) {
        const int n = snprintf(raw, sizeof raw, "%.*g", prec, x);
        assert(n > 0 && (size_t)n < sizeof raw);
        if (prec == 17 || strtod(raw, NULL) == x) break;
    }
    fix_decimal_point(raw);
    return copy_out(buf, raw);
}

size_t sim_numfmt_int(char buf[SIM_NUMFMT_BUFSIZE], int64_t x)
{
    const int n = snprintf(buf, SIM_NUMFMT_BUFSIZE, "%" PRId64, x);
    assert(n > 0 && n < SIM_NUMFMT_BUFSIZE);
    return (size_t)n;
}
