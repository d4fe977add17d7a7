#include "scenario_read.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "expr.h"
#include "suggest.h"

void read_error(reader *r, src_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(r->d, DIAG_ERROR, at, fmt, ap);
    va_end(ap);
}

void read_warning(reader *r, src_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(r->d, DIAG_WARNING, at, fmt, ap);
    va_end(ap);
}

/* Paths are built for every value read, so with memcpy rather than
 * snprintf (a 100,000-row table reads a million values). */
static char *path_join(char *buf, const char *parent, const char *part, size_t part_len)
{
    size_t n = strlen(parent), cap = READ_PATH_MAX - 1;
    if (n > cap) n = cap;
    memmove(buf, parent, n);
    if (n && n < cap) buf[n++] = '.';
    if (part_len > cap - n) part_len = cap - n;
    memcpy(buf + n, part, part_len);
    buf[n + part_len] = '\0';
    return buf;
}

char *path_key(char *buf, const char *parent, const char *key)
{
    return path_join(buf, parent, key, strlen(key));
}

char *path_item(char *buf, const char *parent, const ynode *item, size_t index)
{
    const ynode *id = item && item->kind == YNODE_MAP ? scenario_item_identity(item) : NULL;
    if (id && id->len > 0 && id->len <= 64) return path_join(buf, parent, id->text, id->len);
    char num[24];
    int len = snprintf(num, sizeof num, "%zu", index);
    return path_join(buf, parent, num, (size_t)len);
}

const char *read_got(char buf[96], const ynode *n)
{
    if (n->kind == YNODE_MAP) return "a mapping";
    if (n->kind == YNODE_SEQ) return "a list";
    if (n->len == 0) return "nothing";
    /* Non-printing bytes would garble the message; show them as '?'. */
    size_t k = 0;
    buf[k++] = '\'';
    for (size_t i = 0; i < n->len && k < 90; i++) {
        unsigned char c = (unsigned char)n->text[i];
        buf[k++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    if (n->len > 88) {
        buf[k++] = '.';
        buf[k++] = '.';
        buf[k++] = '.';
    }
    buf[k++] = '\'';
    buf[k] = '\0';
    return buf;
}

/* ---- mappings ---- */

static bool is_doc_key(const char *k)
{
    return strcmp(k, "source") == 0 || strcmp(k, "note") == 0;
}

bool read_map(reader *r, const ynode *n, const char *path, const char *what,
              const char *const *allowed)
{
    char got[96];
    if (n->kind != YNODE_MAP) {
        read_error(r, n->loc, "%s%sgot %s; expected %s (a mapping of keys)", path,
                   *path ? ": " : "", read_got(got, n), what);
        return false;
    }
    size_t n_allowed = 0;
    while (allowed[n_allowed])
        n_allowed++;
    for (size_t i = 0; i < n->count; i++) {
        const ynode *k = n->keys[i];
        bool known = is_doc_key(k->text);
        for (size_t j = 0; j < n_allowed && !known; j++)
            known = strcmp(k->text, allowed[j]) == 0;
        if (known) continue;
        if (strcmp(k->text, "remove") == 0) {
            read_error(r, k->loc,
                       "%s%s'remove' works only in a file that extends another, on "
                       "an item the other file has",
                       path, *path ? ": " : "");
            continue;
        }
        const char *close = suggest_closest(k->text, allowed, n_allowed);
        const char *sep = *path ? ": " : "";
        if (close) {
            read_error(r, k->loc, "%s%sunknown key '%s' in %s; did you mean '%s'?", path, sep,
                       k->text, what, close);
        } else {
            char list[512];
            size_t used = 0;
            for (size_t j = 0; j < n_allowed && used < sizeof list; j++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "",
                                         allowed[j]);
            read_error(r, k->loc, "%s%sunknown key '%s' in %s; expected one of: %s", path, sep,
                       k->text, what, list);
        }
    }
    return true;
}

const ynode *read_required(reader *r, const ynode *map, const char *key, const char *path,
                           const char *expected)
{
    const ynode *v = ynode_get(map, key);
    if (!v || ynode_is_null(v)) {
        read_error(r, v ? v->loc : map->loc, "%s: missing required key '%s'; expected %s", path,
                   key, expected);
        return NULL;
    }
    return v;
}

bool read_seq(reader *r, const ynode *n, const char *path, const char *what)
{
    char got[96];
    if (n->kind == YNODE_SEQ) return true;
    if (n->kind == YNODE_MAP && ynode_get(n, "table") && n->count == 1)
        return false; /* a table that could not be read: already reported */
    read_error(r, n->loc, "%s: got %s; expected %s (a list, or {table: file.csv})", path,
               read_got(got, n), what);
    return false;
}

/* ---- numbers ---- */

const numspec NUM_POSITIVE = {0, INFINITY, true, false, false, "a number > 0"};
const numspec NUM_NONNEG = {0, INFINITY, false, false, false, "a number >= 0"};
const numspec NUM_PROB = {0, 1, false, false, false, "a probability from 0 to 1"};
const numspec NUM_COUNT = {1, INFINITY, false, false, true, "a whole number >= 1"};
const numspec NUM_WHOLE_NONNEG = {0, INFINITY, false, false, true, "a whole number >= 0"};
const numspec NUM_ANY = {-INFINITY, INFINITY, false, false, false, "a number"};
const numspec NUM_AT_LEAST_1 = {1, INFINITY, false, false, false, "a number >= 1"};
/* Units of a product move whole (the model counts them exactly in doubles);
 * the bound keeps binomial draws within an unsigned int. */
const numspec NUM_UNITS = {1, 1e9, false, false, true, "a whole number of units from 1 to 1e9"};

bool parse_number(const char *text, double *out)
{
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    /* Decimal only: strtod would also take "inf", "nan" and hex. */
    if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9'))) return false;
    for (const char *q = p; *q; q++)
        if (!strchr("0123456789.eE+-", *q)) return false;
    errno = 0;
    char *end;
    double v = strtod(text, &end);
    if (*end || errno == ERANGE || !isfinite(v)) return false;
    *out = v;
    return true;
}

static bool check_number(reader *r, const ynode *n, const char *path, const numspec *spec, double v)
{
    bool ok = (spec->min_open ? v > spec->min : v >= spec->min) &&
              (spec->max_open ? v < spec->max : v <= spec->max) &&
              (!spec->integer || (v == floor(v) && fabs(v) < 9007199254740992.0));
    if (!ok)
        read_error(r, n->loc, "%s: got %s; expected %s%s", path, n->text, spec->expected,
                   spec->integer && fabs(v) >= 9007199254740992.0 ? " below 2^53" : "");
    return ok;
}

bool read_number(reader *r, const ynode *n, const char *path, const numspec *spec, double *out)
{
    char got[96];
    double v;
    if (n->kind != YNODE_SCALAR || n->quoted || !parse_number(n->text, &v)) {
        const char *lower = n->kind == YNODE_SCALAR ? n->text : "";
        const char *hint = strstr(lower, "nan") || strstr(lower, "NaN") || strstr(lower, "inf") ||
                                   strstr(lower, "Inf")
                               ? " (a finite number)"
                           : n->kind == YNODE_SCALAR && n->quoted ? " (unquoted)"
                                                                  : "";
        read_error(r, n->loc, "%s: got %s; expected %s%s", path, read_got(got, n), spec->expected,
                   hint);
        return false;
    }
    if (!check_number(r, n, path, spec, v)) return false;
    *out = v;
    return true;
}

bool read_u64(reader *r, const ynode *n, const char *path, const numspec *spec, uint64_t *out)
{
    double v;
    if (!read_number(r, n, path, spec, &v)) return false;
    if (v < 0 || v > 1e15) {
        read_error(r, n->loc, "%s: got %s; expected %s up to 10^15", path, n->text, spec->expected);
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

bool read_bool(reader *r, const ynode *n, const char *path, bool *out)
{
    char got[96];
    if (n->kind == YNODE_SCALAR && !n->quoted) {
        if (strcmp(n->text, "true") == 0) {
            *out = true;
            return true;
        }
        if (strcmp(n->text, "false") == 0) {
            *out = false;
            return true;
        }
    }
    read_error(r, n->loc, "%s: got %s; expected true or false", path, read_got(got, n));
    return false;
}

bool read_date(reader *r, const ynode *n, const char *path, sim_date *out)
{
    char got[96];
    sim_date d;
    if (n->kind != YNODE_SCALAR || sim_date_parse(n->text, n->len, &d) != SIM_OK) {
        int y, m, dd;
        char tail;
        if (n->kind == YNODE_SCALAR && n->len == 10 &&
            sscanf(n->text, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) == 3)
            read_error(r, n->loc,
                       "%s: %s is not a day of the calendar; expected a real date "
                       "YYYY-MM-DD",
                       path, n->text);
        else
            read_error(r, n->loc, "%s: got %s; expected a date YYYY-MM-DD", path, read_got(got, n));
        return false;
    }
    *out = d;
    return true;
}

bool read_string(reader *r, const ynode *n, const char *path, const char **out)
{
    char got[96];
    if (n->kind != YNODE_SCALAR || n->len == 0) {
        read_error(r, n->loc, "%s: got %s; expected a text", path, read_got(got, n));
        return false;
    }
    const char *s = sim_arena_strndup(r->arena, n->text, n->len);
    if (!s) {
        r->nomem = true;
        return false;
    }
    *out = s;
    return true;
}

static bool id_ok(const char *s, size_t len, id_style style)
{
    if (len == 0 || len > 64) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok;
        switch (style) {
        case ID_LOWER:
            ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            break;
        case ID_CODE:
            ok = (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
            break;
        default:
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        }
        if (!ok) return false;
    }
    return true;
}

static const char *id_expected(id_style style)
{
    switch (style) {
    case ID_LOWER:
        return "an id of lower-case letters, digits and '_' (at most 64)";
    case ID_CODE:
        return "a code of capital letters and digits, such as US or CN";
    default:
        return "a name of letters, digits, '_' and '-' (at most 64)";
    }
}

bool read_id(reader *r, const ynode *n, const char *path, id_style style, const char **out)
{
    char got[96];
    if (n->kind != YNODE_SCALAR || !id_ok(n->text, n->len, style)) {
        read_error(r, n->loc, "%s: got %s; expected %s", path, read_got(got, n),
                   id_expected(style));
        return false;
    }
    *out = n->text; /* lives as long as the source; the schema copies what it keeps */
    return true;
}

bool read_verbatim_loc(src_loc at, const char *text, size_t len, src_loc *out)
{
    if (!at.file || at.line == 0 || at.col == 0 || at.file[0] == '<' || memchr(text, '\n', len))
        return false;
    FILE *f = fopen(at.file, "rb");
    if (!f) return false;
    uint32_t line = 1;
    int c;
    while (line < at.line && (c = getc(f)) != EOF)
        line += c == '\n';
    bool found = false;
    if (line == at.line) {
        /* The line from the column on, up to the text's length plus a quote. */
        for (uint32_t k = 1; k < at.col && (c = getc(f)) != EOF && c != '\n'; k++)
            ;
        char buf[EXPR_MAX_LENGTH + 2];
        size_t n = 0;
        while (n < len + 1 && n < sizeof buf && (c = getc(f)) != EOF && c != '\n')
            buf[n++] = (char)c;
        for (uint32_t shift = 0; shift < 2 && !found; shift++) {
            if (n >= shift + len && memcmp(buf + shift, text, len) == 0) {
                *out = at;
                out->col += shift;
                found = true;
            }
        }
    }
    fclose(f);
    return found;
}

bool read_names(reader *r, const ynode *n, const char *path, read_item **out, size_t *count)
{
    char got[96];
    if (n->kind == YNODE_SCALAR && n->from_csv) {
        /* A CSV cell: items joined by ';'. */
        size_t parts = 1;
        for (size_t i = 0; i < n->len; i++)
            parts += n->text[i] == ';';
        read_item *items = sim_arena_calloc(r->arena, parts, sizeof *items);
        if (!items) {
            r->nomem = true;
            return false;
        }
        size_t k = 0, start = 0;
        src_loc base = n->loc; /* a quoted cell's loc is already past its quote */
        for (size_t i = 0; i <= n->len; i++) {
            if (i < n->len && n->text[i] != ';') continue;
            items[k].text = sim_arena_strndup(r->arena, n->text + start, i - start);
            items[k].loc = base;
            items[k].loc.col += (uint32_t)start;
            if (!items[k].text) {
                r->nomem = true;
                return false;
            }
            k++;
            start = i + 1;
        }
        *out = items;
        *count = k;
        return true;
    }
    if (n->kind != YNODE_SEQ) {
        read_error(r, n->loc, "%s: got %s; expected a list such as [a, b]", path, read_got(got, n));
        return false;
    }
    read_item *items = sim_arena_calloc(r->arena, n->count ? n->count : 1, sizeof *items);
    if (!items) {
        r->nomem = true;
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n->count; i++) {
        const ynode *v = n->values[i];
        if (v->kind != YNODE_SCALAR || v->len == 0) {
            char p[READ_PATH_MAX];
            snprintf(p, sizeof p, "%s.%zu", path, i);
            read_error(r, v->loc, "%s: got %s; expected a name", p, read_got(got, v));
            ok = false;
            continue;
        }
        items[i] = (read_item){v->text, v->loc};
    }
    if (!ok) return false;
    *out = items;
    *count = n->count;
    return true;
}

/* ---- distributions ---- */

typedef struct dist_form {
    const char *name;
    sim_dist_kind kind;
    const char *p0, *p1;   /* parameter names without the unit ("mean", "cv") */
    bool p0_unit, p1_unit; /* takes the unit suffix */
} dist_form;

static const dist_form forms[] = {
    {"constant", SIM_DIST_CONSTANT, "", NULL, true, false},
    {"exponential", SIM_DIST_EXPONENTIAL, "mean", NULL, true, false},
    {"gamma", SIM_DIST_GAMMA, "mean", "cv", true, false},
    {"lognormal", SIM_DIST_LOGNORMAL, "median", "sigma", true, false},
    {"normal", SIM_DIST_NORMAL, "mean", "sd", true, true},
    {"uniform", SIM_DIST_UNIFORM, "min", "max", true, true},
    {"empirical", SIM_DIST_EMPIRICAL, NULL, NULL, false, false},
};
static const char *const dist_names[] = {"constant", "exponential", "gamma",     "lognormal",
                                         "normal",   "uniform",     "empirical", NULL};

static void param_name(char *buf, size_t size, const char *base, bool with_unit, world_unit unit)
{
    const char *u = unit == WORLD_DAYS ? "days" : "units";
    if (!with_unit)
        snprintf(buf, size, "%s", base);
    else if (!*base)
        snprintf(buf, size, "%s", u);
    else
        snprintf(buf, size, "%s_%s", base, u);
}

static bool read_empirical(reader *r, const ynode *n, const char *path, sim_dist_spec *spec)
{
    const ynode *t = ynode_get(n, "table");
    const ynode *vals = ynode_get(n, "values");
    char p[READ_PATH_MAX];
    if (t && vals) {
        read_error(r, vals->loc, "%s: give either table or values, not both", path);
        return false;
    }
    if (!t && !vals) {
        read_error(r, n->loc,
                   "%s: an empirical distribution needs table (a CSV with columns "
                   "value and, optionally, weight) or values: [..]",
                   path);
        return false;
    }
    double *v = NULL, *w = NULL;
    size_t count = 0;
    bool ok = true;
    if (vals) {
        const ynode *wn = ynode_get(n, "weights");
        if (!read_seq(r, vals, path_key(p, path, "values"), "the values")) return false;
        count = vals->count;
        v = sim_arena_calloc(r->arena, count ? count : 1, sizeof *v);
        w = wn ? sim_arena_calloc(r->arena, count ? count : 1, sizeof *w) : NULL;
        if (!v || (wn && !w)) {
            r->nomem = true;
            return false;
        }
        for (size_t i = 0; i < count; i++) {
            char q[READ_PATH_MAX];
            snprintf(q, sizeof q, "%s.values.%zu", path, i);
            ok &= read_number(r, vals->values[i], q, &NUM_NONNEG, &v[i]);
        }
        if (wn) {
            if (!read_seq(r, wn, path_key(p, path, "weights"), "the weights")) return false;
            if (wn->count != count) {
                read_error(r, wn->loc, "%s.weights: got %zu weights; expected one per value (%zu)",
                           path, wn->count, count);
                return false;
            }
            for (size_t i = 0; i < count; i++) {
                char q[READ_PATH_MAX];
                snprintf(q, sizeof q, "%s.weights.%zu", path, i);
                ok &= read_number(r, wn->values[i], q, &NUM_NONNEG, &w[i]);
            }
        }
    } else {
        bool missing;
        const csv_table *tab = scenario_source_table(r->src, t, r->d, &missing);
        if (!tab) {
            r->missing_file |= missing;
            return false;
        }
        long vc = csv_table_find(tab, "value"), wc = csv_table_find(tab, "weight");
        for (size_t c = 0; c < csv_table_cols(tab); c++) {
            const char *h = csv_table_header(tab, c);
            if (strcmp(h, "value") && strcmp(h, "weight") && !is_doc_key(h)) {
                read_error(r, csv_table_header_loc(tab, c),
                           "unknown column '%s' in an empirical distribution's table; expected "
                           "value and, optionally, weight",
                           h);
                ok = false;
            }
        }
        if (vc < 0) {
            read_error(r, (src_loc){csv_table_path(tab), 1, 1},
                       "an empirical distribution's table needs a 'value' column");
            return false;
        }
        count = csv_table_rows(tab);
        v = sim_arena_calloc(r->arena, count ? count : 1, sizeof *v);
        w = wc >= 0 ? sim_arena_calloc(r->arena, count ? count : 1, sizeof *w) : NULL;
        if (!v || (wc >= 0 && !w)) {
            r->nomem = true;
            return false;
        }
        for (size_t i = 0; i < count; i++) {
            int present;
            if (!csv_table_number(tab, i, (size_t)vc, r->d, &v[i], &present)) {
                if (!present)
                    read_error(r, csv_table_loc(tab, i, (size_t)vc),
                               "column 'value' needs a "
                               "number (got nothing)");
                ok = false;
            } else if (v[i] < 0) {
                read_error(r, csv_table_loc(tab, i, (size_t)vc),
                           "column 'value': got %s; expected a number >= 0",
                           csv_table_cell(tab, i, (size_t)vc));
                ok = false;
            }
            if (w && !csv_table_number(tab, i, (size_t)wc, r->d, &w[i], &present)) {
                if (!present)
                    w[i] = 1;
                else
                    ok = false;
            }
        }
    }
    if (!ok) return false;
    spec->values = v;
    spec->weights = w;
    spec->n = count;
    return true;
}

bool read_dist(reader *r, const ynode *n, const char *path, world_unit unit, world_dist *out)
{
    char got[96], p[READ_PATH_MAX];
    const char *u = unit == WORLD_DAYS ? "days" : "units";
    if (n->kind != YNODE_MAP) {
        read_error(r, n->loc,
                   "%s: got %s; expected a distribution such as {dist: gamma, "
                   "mean_%s: 10, cv: 0.3}",
                   path, read_got(got, n), u);
        return false;
    }
    const ynode *name = read_required(r, n, "dist", path,
                                      "the distribution's name (constant, "
                                      "exponential, gamma, lognormal, "
                                      "normal, uniform or empirical)");
    if (!name) return false;
    const dist_form *f = NULL;
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (name->kind == YNODE_SCALAR && strcmp(name->text, forms[i].name) == 0) f = &forms[i];
    if (!f) {
        const char *close =
            name->kind == YNODE_SCALAR ? suggest_closest(name->text, dist_names, 7) : NULL;
        if (close)
            read_error(r, name->loc, "%s.dist: unknown distribution %s; did you mean '%s'?", path,
                       read_got(got, name), close);
        else
            read_error(r, name->loc,
                       "%s.dist: unknown distribution %s; expected constant, "
                       "exponential, gamma, lognormal, normal, uniform or "
                       "empirical",
                       path, read_got(got, name));
        return false;
    }
    char k0[64] = "", k1[64] = "";
    const char *allowed[6] = {"dist", NULL};
    size_t na = 1;
    if (f->kind == SIM_DIST_EMPIRICAL) {
        allowed[na++] = "table";
        allowed[na++] = "values";
        allowed[na++] = "weights";
    } else {
        param_name(k0, sizeof k0, f->p0, f->p0_unit, unit);
        allowed[na++] = k0;
        if (f->p1) {
            param_name(k1, sizeof k1, f->p1, f->p1_unit, unit);
            allowed[na++] = k1;
        }
    }
    allowed[na] = NULL;
    /* A parameter in the other unit is a common slip; say so plainly. */
    const char *other = unit == WORLD_DAYS ? "units" : "days";
    for (size_t i = 0; i < n->count; i++) {
        const char *k = n->keys[i]->text;
        size_t kl = strlen(k), ol = strlen(other);
        if (kl >= ol && strcmp(k + kl - ol, other) == 0) {
            read_error(r, n->keys[i]->loc,
                       "%s: '%s' is in %s, but this distribution is of %s; "
                       "expected %s",
                       path, k, other, u, k0[0] ? k0 : "its parameters");
            return false;
        }
    }
    if (!read_map(r, n, path, "this distribution", allowed)) return false;
    sim_dist_spec spec = {f->kind, {0, 0}, NULL, NULL, 0};
    bool ok = true;
    if (f->kind == SIM_DIST_EMPIRICAL) {
        ok = read_empirical(r, n, path, &spec);
    } else {
        char req[160];
        snprintf(req, sizeof req, "a number for %s", k0);
        const ynode *v0 = read_required(r, n, k0, path, req);
        const ynode *v1 = NULL;
        if (f->p1) {
            snprintf(req, sizeof req, "a number for %s", k1);
            v1 = read_required(r, n, k1, path, req);
        }
        if (!v0 || (f->p1 && !v1)) return false;
        const numspec *s0 = f->kind == SIM_DIST_CONSTANT || f->kind == SIM_DIST_UNIFORM
                                ? &NUM_NONNEG
                                : &NUM_POSITIVE;
        const numspec *s1 =
            f->kind == SIM_DIST_NORMAL || f->kind == SIM_DIST_UNIFORM ? &NUM_NONNEG : &NUM_POSITIVE;
        ok &= read_number(r, v0, path_key(p, path, k0), s0, &spec.p[0]);
        if (v1) ok &= read_number(r, v1, path_key(p, path, k1), s1, &spec.p[1]);
        if (ok && f->kind == SIM_DIST_UNIFORM && spec.p[1] < spec.p[0]) {
            read_error(r, v1->loc, "%s: %s is below %s (%s); expected max >= min", path, k1, k0,
                       v0->text);
            ok = false;
        }
    }
    if (!ok) return false;
    /* The kernel's own check is the last word (e.g. an empirical table whose
     * weights are all zero). */
    sim_dist probe;
    char err[160];
    if (sim_dist_init(&probe, &spec, err, sizeof err) != SIM_OK) {
        read_error(r, n->loc, "%s: %s", path, err);
        return false;
    }
    sim_dist_release(&probe);
    out->spec = spec;
    out->unit = unit;
    return true;
}

/* ---- quantities over time ---- */

static bool series_from_table(reader *r, const ynode *ref, const char *path, const numspec *spec,
                              world_series *out)
{
    bool missing;
    const csv_table *t = scenario_source_table(r->src, ref, r->d, &missing);
    if (!t) {
        r->missing_file |= missing;
        return false;
    }
    long dc = csv_table_find(t, "date"), vc = csv_table_find(t, "value");
    bool ok = true;
    for (size_t c = 0; c < csv_table_cols(t); c++) {
        const char *h = csv_table_header(t, c);
        if (strcmp(h, "date") && strcmp(h, "value") && !is_doc_key(h)) {
            read_error(r, csv_table_header_loc(t, c),
                       "unknown column '%s' in a dated table; expected date, value and, "
                       "optionally, source",
                       h);
            ok = false;
        }
    }
    if (dc < 0 || vc < 0) {
        read_error(r, (src_loc){csv_table_path(t), 1, 1},
                   "a dated table needs columns 'date' and 'value' (for %s)", path);
        return false;
    }
    size_t n = csv_table_rows(t);
    if (n == 0) {
        read_error(r, (src_loc){csv_table_path(t), 1, 0},
                   "a dated table needs at least one row (for %s)", path);
        return false;
    }
    sim_date *dates = sim_arena_calloc(r->arena, n, sizeof *dates);
    double *values = sim_arena_calloc(r->arena, n, sizeof *values);
    if (!dates || !values) {
        r->nomem = true;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        src_loc dl = csv_table_loc(t, i, (size_t)dc), vl = csv_table_loc(t, i, (size_t)vc);
        const char *dt = csv_table_cell(t, i, (size_t)dc);
        if (sim_date_parse(dt, strlen(dt), &dates[i]) != SIM_OK) {
            read_error(r, dl, "column 'date': got '%s'; expected a date YYYY-MM-DD", dt);
            ok = false;
        } else if (i > 0 && ok && dates[i] <= dates[i - 1]) {
            read_error(r, dl,
                       "column 'date': %s does not come after the row above; expected "
                       "dates in increasing order",
                       dt);
            ok = false;
        }
        int present;
        if (!csv_table_number(t, i, (size_t)vc, r->d, &values[i], &present)) {
            if (!present)
                read_error(r, vl, "column 'value': got nothing; expected %s", spec->expected);
            ok = false;
            continue;
        }
        double v = values[i];
        bool fits = (spec->min_open ? v > spec->min : v >= spec->min) &&
                    (spec->max_open ? v < spec->max : v <= spec->max) &&
                    (!spec->integer || v == floor(v));
        if (!fits) {
            read_error(r, vl, "column 'value': got %s; expected %s",
                       csv_table_cell(t, i, (size_t)vc), spec->expected);
            ok = false;
        }
    }
    if (!ok) return false;
    *out = (world_series){dates, values, n};
    return true;
}

bool read_series(reader *r, const ynode *n, const char *path, const numspec *spec,
                 world_series *out)
{
    char got[96];
    if (n->kind == YNODE_SCALAR) {
        double v;
        if (!read_number(r, n, path, spec, &v)) return false;
        sim_date *d = sim_arena_alloc(r->arena, sizeof *d);
        double *val = sim_arena_alloc(r->arena, sizeof *val);
        if (!d || !val) {
            r->nomem = true;
            return false;
        }
        *d = WORLD_SERIES_ALWAYS;
        *val = v;
        *out = (world_series){d, val, 1};
        return true;
    }
    if (n->kind == YNODE_MAP && ynode_get(n, "table")) {
        if (n->count != 1) {
            const char *allowed[] = {"table", NULL};
            read_map(r, n, path, "a dated table reference", allowed);
            return false;
        }
        return series_from_table(r, ynode_get(n, "table"), path, spec, out);
    }
    if (n->kind == YNODE_MAP && n->count > 0) {
        /* Inline: {2023-01-01: 10000, 2024-01-01: 20000}. */
        sim_date *dates = sim_arena_calloc(r->arena, n->count, sizeof *dates);
        double *values = sim_arena_calloc(r->arena, n->count, sizeof *values);
        if (!dates || !values) {
            r->nomem = true;
            return false;
        }
        bool ok = true;
        for (size_t i = 0; i < n->count; i++) {
            const ynode *k = n->keys[i];
            char p[READ_PATH_MAX];
            snprintf(p, sizeof p, "%s.%s", path, k->text);
            if (sim_date_parse(k->text, k->len, &dates[i]) != SIM_OK) {
                read_error(r, k->loc,
                           "%s: got key '%s'; expected a date YYYY-MM-DD (a dated "
                           "value), or {table: file.csv}",
                           path, k->text);
                ok = false;
                continue;
            }
            if (i > 0 && ok && dates[i] <= dates[i - 1]) {
                read_error(r, k->loc,
                           "%s: %s does not come after the date before it; expected "
                           "dates in increasing order",
                           path, k->text);
                ok = false;
            }
            ok &= read_number(r, n->values[i], p, spec, &values[i]);
        }
        if (!ok) return false;
        *out = (world_series){dates, values, n->count};
        return true;
    }
    read_error(r, n->loc,
               "%s: got %s; expected %s, or a dated table {table: file.csv} with "
               "columns date,value",
               path, read_got(got, n), spec->expected);
    return false;
}

bool read_rate(reader *r, const ynode *n, const char *path, world_rate *out)
{
    char got[96], p[READ_PATH_MAX];
    if (n->kind != YNODE_MAP) {
        read_error(r, n->loc,
                   "%s: got %s; expected order arrivals such as {dist: poisson, "
                   "per_month: 40}",
                   path, read_got(got, n));
        return false;
    }
    const ynode *name = read_required(r, n, "dist", path, "poisson");
    if (!name) return false;
    if (name->kind != YNODE_SCALAR || strcmp(name->text, "poisson") != 0) {
        read_error(r, name->loc,
                   "%s.dist: got %s; expected poisson (order arrivals are a "
                   "Poisson process)",
                   path, read_got(got, name));
        return false;
    }
    static const char *const allowed[] = {"dist", "per_day", "per_week", "per_month", NULL};
    if (!read_map(r, n, path, "order arrivals", allowed)) return false;
    const ynode *v = NULL;
    int found = 0;
    for (int i = 0; i < 3; i++) {
        const ynode *x = ynode_get(n, allowed[i + 1]);
        if (x) {
            found++;
            if (found > 1) {
                read_error(r, x->loc,
                           "%s: give one rate (per_day, per_week or per_month), not "
                           "several",
                           path);
                return false;
            }
            v = x;
            out->unit = (world_rate_unit)i;
        }
    }
    if (!v) {
        read_error(r, n->loc,
                   "%s: missing the rate; expected per_day, per_week or per_month (a "
                   "number or a dated table)",
                   path);
        return false;
    }
    return read_series(r, v, path_key(p, path, allowed[out->unit + 1]), &NUM_NONNEG, &out->rate);
}

bool read_yield(reader *r, const ynode *n, const char *path, world_yield *out)
{
    char p[READ_PATH_MAX];
    const ynode *start = ynode_get(n, "start"), *end = ynode_get(n, "end"),
                *tau = ynode_get(n, "tau_days");
    if (n->kind == YNODE_MAP && (start || end || tau)) {
        static const char *const allowed[] = {"start", "end", "tau_days", NULL};
        if (!read_map(r, n, path, "a learning curve", allowed)) return false;
        const ynode *s = read_required(r, n, "start", path, "the yield at the run's start");
        const ynode *e = read_required(r, n, "end", path, "the yield it tends to");
        const ynode *t = read_required(r, n, "tau_days", path,
                                       "the learning time constant in "
                                       "days");
        if (!s || !e || !t) return false;
        bool ok = read_number(r, s, path_key(p, path, "start"), &NUM_PROB, &out->start);
        ok &= read_number(r, e, path_key(p, path, "end"), &NUM_PROB, &out->end);
        ok &= read_number(r, t, path_key(p, path, "tau_days"), &NUM_POSITIVE, &out->tau_days);
        out->kind = WORLD_YIELD_LEARNING;
        return ok;
    }
    out->kind = WORLD_YIELD_SERIES;
    return read_series(r, n, path, &NUM_PROB, &out->series);
}

/* ---- id sets ---- */

void idset_release(idset *s)
{
    free(s->ids);
    free(s->locs);
    free(s->pos);
    name_index_release(&s->ix);
    s->ids = NULL;
    s->locs = NULL;
    s->pos = NULL;
    s->n = s->cap = 0;
}

static uint32_t idset_add(reader *r, idset *s, const char *id, src_loc at, uint32_t position)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        const char **ids = realloc(s->ids, cap * sizeof *ids);
        if (ids) s->ids = ids;
        src_loc *locs = realloc(s->locs, cap * sizeof *locs);
        if (locs) s->locs = locs;
        uint32_t *pos = realloc(s->pos, cap * sizeof *pos);
        if (pos) s->pos = pos;
        if (!ids || !locs || !pos) {
            r->nomem = true;
            return WORLD_NONE;
        }
        s->cap = cap;
    }
    const char *copy = sim_arena_strdup(r->arena, id);
    if (!copy || name_index_put(&s->ix, copy, (uint32_t)s->n, NULL) != SIM_OK) {
        r->nomem = true;
        return WORLD_NONE;
    }
    s->ids[s->n] = copy;
    s->locs[s->n] = at;
    s->pos[s->n] = position == WORLD_NONE ? (uint32_t)s->n : position;
    return s->pos[s->n++];
}

uint32_t idset_define(reader *r, idset *s, const char *id, src_loc at, const char *path,
                      uint32_t position)
{
    uint32_t was = name_index_get(&s->ix, id);
    if (was != NAME_INDEX_NONE) {
        src_loc first = s->locs[was];
        read_error(r, at, "%s: duplicate %s '%s' (first defined at %s:%u); expected each %s once",
                   path, s->kind, id, first.file ? first.file : "?", first.line, s->kind);
        return WORLD_NONE;
    }
    return idset_add(r, s, id, at, position);
}

uint32_t idset_declare(reader *r, idset *s, const char *id, src_loc at)
{
    uint32_t was = name_index_get(&s->ix, id);
    return was != NAME_INDEX_NONE ? s->pos[was] : idset_add(r, s, id, at, WORLD_NONE);
}

uint32_t idset_resolve(reader *r, const idset *s, const char *id, src_loc at, const char *path)
{
    uint32_t i = name_index_get(&s->ix, id);
    if (i != NAME_INDEX_NONE) return s->pos[i];
    const char *close = s->n <= 100000 ? suggest_closest(id, s->ids, s->n) : NULL;
    src_loc gone;
    if (scenario_source_removed(r->src, id, &gone))
        read_error(r, at,
                   "%s: %s '%s' was removed (remove: true at %s:%u); expected a %s the "
                   "scenario still has",
                   path, s->kind, id, gone.file, gone.line, s->kind);
    else if (close)
        read_error(r, at, "%s: unknown %s '%s'; did you mean '%s'?", path, s->kind, id, close);
    else if (s->n == 0)
        read_error(r, at, "%s: unknown %s '%s'; the scenario defines no %s", path, s->kind, id,
                   s->section);
    else
        read_error(r, at, "%s: unknown %s '%s'; expected one defined under %s", path, s->kind, id,
                   s->section);
    return WORLD_NONE;
}

uint32_t idset_find(const idset *s, const char *id)
{
    uint32_t i = name_index_get(&s->ix, id);
    return i == NAME_INDEX_NONE ? WORLD_NONE : s->pos[i];
}

src_loc idset_loc(const idset *s, const char *id)
{
    uint32_t i = name_index_get(&s->ix, id);
    return i == NAME_INDEX_NONE ? (src_loc){0} : s->locs[i];
}
