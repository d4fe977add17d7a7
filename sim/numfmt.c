#include "numfmt.h"

#include <assert.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
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

/* Writes the P significant digits d[0..P) with decimal exponent e (the value
 * is d.ddd x 10^e) as printf's %.Pg does: fixed notation when -4 <= e < P,
 * otherwise d.ddde+XX; trailing zeros and a bare point dropped. */
static size_t format_g(char *out, bool negative, const char *d, int P, int e)
{
    int last = P; /* digits kept: drop trailing zeros */
    while (last > 1 && d[last - 1] == '0')
        last--;
    char *o = out;
    if (negative) *o++ = '-';
    if (e < -4 || e >= P) {
        *o++ = d[0];
        if (last > 1) {
            *o++ = '.';
            memcpy(o, d + 1, (size_t)last - 1);
            o += last - 1;
        }
        o += sprintf(o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (e < 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -e - 1; i++)
            *o++ = '0';
        memcpy(o, d, (size_t)last);
        o += last;
        *o = '\0';
    } else {
        int whole = e + 1; /* digits before the point, <= P */
        for (int i = 0; i < whole; i++)
            *o++ = i < last ? d[i] : '0';
        if (last > whole) {
            *o++ = '.';
            memcpy(o, d + whole, (size_t)(last - whole));
            o += last - whole;
        }
        *o = '\0';
    }
    return (size_t)(o - out);
}

/* The shortest of %.15g, %.16g, %.17g that reads back, from one %.16e: the
 * 17 digits it gives are x rounded to 17 places, and rounding them again to
 * 16 or 15 gives what %.16g and %.15g print unless the dropped digits are
 * exactly a half ("5", "50"): only then can the double rounding differ from
 * rounding x itself, and printf is asked. Three printf calls were the cost of
 * writing a report (bench/README.md). Needs '.' as the decimal point. */
static size_t shortest_fast(char buf[SIM_NUMFMT_BUFSIZE], double x)
{
    char raw[RAW_BUFSIZE];
    int n = snprintf(raw, sizeof raw, "%.16e", x);
    assert(n > 0 && (size_t)n < sizeof raw);
    bool negative = raw[0] == '-';
    const char *r = raw + negative; /* d.dddddddddddddddde[+-]XX */
    char d17[17];
    d17[0] = r[0];
    memcpy(d17 + 1, r + 2, 16);
    /* The exponent: e, a sign, two or three digits (%.16e always writes them). */
    const char *ex = r + 19;
    bool e_negative = *ex == '-';
    int e17 = 0;
    for (ex++; *ex >= '0' && *ex <= '9'; ex++)
        e17 = 10 * e17 + (*ex - '0');
    if (e_negative) e17 = -e17;
    char text[RAW_BUFSIZE];
    for (int P = 15; P <= 16; P++) {
        const char *drop = d17 + P;
        bool half = P == 16 ? drop[0] == '5' : drop[0] == '5' && drop[1] == '0';
        if (half) {
            n = snprintf(text, sizeof text, "%.*g", P, x);
            assert(n > 0 && (size_t)n < sizeof text);
        } else {
            char d[17];
            memcpy(d, d17, (size_t)P);
            int e = e17;
            if (drop[0] >= '5') { /* above the half: round up, carrying */
                int i = P - 1;
                while (i >= 0 && d[i] == '9')
                    d[i--] = '0';
                if (i >= 0) {
                    d[i]++;
                } else {
                    d[0] = '1';
                    e++;
                }
            }
            format_g(text, negative, d, P, e);
        }
        if (strtod(text, NULL) == x) return copy_out(buf, text);
    }
    format_g(text, negative, d17, 17, e17);
    return copy_out(buf, text);
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
    const char *dp = localeconv()->decimal_point;
    if (dp && strcmp(dp, ".") == 0) return shortest_fast(buf, x);
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
