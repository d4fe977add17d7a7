#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

void cli_usage_error(const cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "chipsim %s: ", a->command);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nsee 'chipsim %s --help'\n", a->command);
}

bool cli_is_option(const cli_args *a, const char *name)
{
    const char *arg = a->argv[a->i];
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

/* The option's value: after '=' in the same argument, or the next argument. */
static const char *take_value(cli_args *a, const char *name)
{
    const char *arg = a->argv[a->i++];
    const char *eq = strchr(arg, '=');
    if (eq) return eq + 1;
    if (a->i >= a->argc) {
        cli_usage_error(a, "%s needs a value", name);
        return NULL;
    }
    return a->argv[a->i++];
}

bool cli_take_string(cli_args *a, const char *name, const char **out)
{
    const char *v = take_value(a, name);
    if (!v) return false;
    *out = v;
    return true;
}

bool cli_take_scopes(cli_args *a, unsigned *scopes)
{
    const char *v = take_value(a, "--scopes");
    if (!v) return false;
    if (!model_report_parse_scopes(v, scopes)) {
        cli_usage_error(a,
                        "--scopes needs a comma-separated list of world, country, firm, site, "
                        "each at most once (got '%s')",
                        v);
        return false;
    }
    return true;
}

bool cli_take_u64(cli_args *a, const char *name, uint64_t min, uint64_t *out)
{
    const char *v = take_value(a, name);
    if (!v) return false;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    /* strtoull accepts a sign and leading spaces; a count should have neither. */
    if (*v < '0' || *v > '9' || *end != '\0' || errno == ERANGE || x < min) {
        cli_usage_error(a, "%s needs a whole number >= %llu (got '%s')", name,
                        (unsigned long long)min, v);
        return false;
    }
    *out = x;
    return true;
}

bool cli_take_double(cli_args *a, const char *name, double min_exclusive, double max_exclusive,
                     double *out)
{
    const char *v = take_value(a, name);
    if (!v) return false;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end != '\0' || errno == ERANGE || !isfinite(x) || !(x > min_exclusive) ||
        !(x < max_exclusive)) {
        cli_usage_error(a, "%s needs a number in (%g, %g) (got '%s')", name, min_exclusive,
                        max_exclusive, v);
        return false;
    }
    *out = x;
    return true;
}
