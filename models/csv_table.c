/*
 * CSV tables on libcsv.
 *
 * libcsv finds field and row boundaries but says nothing about where they
 * are, so the loader feeds it the file and keeps its own position (line and
 * byte column of the byte being fed). Two mirrors of libcsv's state make
 * locations exact: `row_open` (libcsv is inside a row; outside one it skips
 * CR and LF) and `field_pending` (the next byte fed inside a row starts a
 * field, because spaces are never skipped). Runs of ordinary bytes, which can
 * neither start nor end a field, go to libcsv in one call; that keeps the
 * per-byte cost to a table lookup.
 *
 * Storage: all cell text sits in one arena (offset 0 holds the empty string
 * that every empty cell shares), and cells are (offset, line, col) triples in
 * row-major order, the header being row 0. A ragged row is rolled back, so
 * the arrays only ever hold whole rows.
 */
#include "csv_table.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

typedef struct cell {
    uint32_t off; /* into text; 0 is the shared "" */
    uint32_t line;
    uint32_t col : 31;
    uint32_t quoted : 1; /* the field was written in quotes */
} cell;

struct csv_table {
    char *path;
    char *text;
    size_t text_len, text_cap;
    cell *cells;
    size_t ncells, cells_cap;
    size_t cols;       /* 0 until the header row is complete */
    size_t rows_total; /* rows stored, the header included */
};

/* Everything one load needs; lives on csv_table_load's stack. */
typedef struct loader {
    csv_table *t;
    diag_list *d;
    size_t nerrors;
    bool stop;    /* no more bytes go to libcsv */
    bool oom;     /* memory ran out */
    bool invalid; /* a content error was reported */
    bool have_header;
    bool source_last; /* the header's last column is `source` */

    uint32_t line, col; /* of the byte being fed */
    bool line_has_content;

    bool row_open;
    uint32_t row_line;
    size_t row_fields;
    size_t row_cell0, row_text0;    /* where this row's storage began, to roll back */
    uint32_t extra_line, extra_col; /* first field beyond the header's count */

    bool field_pending;
    uint32_t field_line, field_col;
    bool field_quoted;

    /* Blank lines since the last row; they are consecutive, so a first line and
     * a count describe them. Trailing ones are dropped at the end of file. */
    uint32_t blank_first;
    size_t blank_count;

    /* UTF-8 decoder (Unicode 15, table 3-7): continuation bytes still needed
     * and the range the next one must fall in (narrower after E0, ED, F0, F4,
     * which is what rules out overlongs and surrogates). */
    unsigned need;
    unsigned char lo, hi;
    uint32_t lead_line, lead_col;
} loader;

static void report(loader *ld, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(loader *ld, uint32_t line, uint32_t col, const char *fmt, ...)
{
    ld->invalid = true;
    if (ld->nerrors == CSV_TABLE_MAX_ERRORS) {
        diag_add(ld->d, DIAG_ERROR, (src_loc){ld->t->path, 0, 0},
                 "too many errors in this table; stopping");
        ld->nerrors++;
        ld->stop = true;
        return;
    }
    if (ld->nerrors > CSV_TABLE_MAX_ERRORS) return;
    va_list ap;
    va_start(ap, fmt);
    diag_addv(ld->d, DIAG_ERROR, (src_loc){ld->t->path, line, col}, fmt, ap);
    va_end(ap);
    ld->nerrors++;
}

/* Copies s into buf for quoting in a message, cut at a UTF-8 character
 * boundary with "..." when longer than a message should quote. */
static const char *excerpt(const char *s, char *buf, size_t size)
{
    enum { LIMIT = 60 };
    size_t n = strlen(s);
    assert(size > LIMIT + 4);
    if (n <= LIMIT) {
        memcpy(buf, s, n + 1);
        return buf;
    }
    n = LIMIT;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, s, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/* ---- storage ---- */

/* Appends n bytes and a NUL to the arena; the offset in *off. Empty text is
 * the shared "" at offset 0. */
static bool text_push(csv_table *t, const char *s, size_t n, uint32_t *off)
{
    if (n == 0) {
        *off = 0;
        return true;
    }
    if (t->text_cap - t->text_len < n + 1) {
        size_t cap = t->text_cap ? t->text_cap : 4096;
        while (cap - t->text_len < n + 1) {
            if (cap > SIZE_MAX / 2) return false;
            cap *= 2;
        }
        char *text = realloc(t->text, cap);
        if (!text) return false;
        t->text = text;
        t->text_cap = cap;
    }
    /* The file limit keeps the arena far below 4 GiB; offsets are 32-bit to
     * keep a cell at 12 bytes. */
    if (t->text_len > UINT32_MAX - n - 1) return false;
    memcpy(t->text + t->text_len, s, n);
    t->text[t->text_len + n] = '\0';
    *off = (uint32_t)t->text_len;
    t->text_len += n + 1;
    return true;
}

static bool cell_push(csv_table *t, uint32_t off, uint32_t line, uint32_t col, bool quoted)
{
    if (t->ncells == t->cells_cap) {
        size_t cap = t->cells_cap ? 2 * t->cells_cap : 256;
        if (cap > SIZE_MAX / sizeof(cell)) return false;
        cell *cells = realloc(t->cells, cap * sizeof *cells);
        if (!cells) return false;
        t->cells = cells;
        t->cells_cap = cap;
    }
    t->cells[t->ncells++] = (cell){off, line, col & 0x7fffffffu, quoted};
    return true;
}

/* A field beyond the header's count when the last column is `source`: it
 * was a comma in the free text, so it goes back onto the row's last cell,
 * which is the newest text in the arena unless it is empty. */
static bool text_more(csv_table *t, const char *s, size_t n)
{
    uint32_t off;
    if (n == 0) return true;
    t->text_len--; /* reopen the newest text: its NUL is overwritten */
    if (!text_push(t, s, n, &off)) {
        t->text_len++;
        return false;
    }
    return true;
}

static bool source_extend(csv_table *t, const char *s, size_t n)
{
    cell *last = &t->cells[t->ncells - 1];
    if (last->off == 0) {
        /* An empty source: the line held ",field" from where it began. */
        if (!text_push(t, ",", 1, &last->off)) return false;
    } else {
        assert(last->off + strlen(t->text + last->off) + 1 == t->text_len);
        if (!text_more(t, ",", 1)) return false;
    }
    return text_more(t, s, n);
}

/* ---- header checks ---- */

typedef struct name_ref {
    const char *name;
    size_t col;
} name_ref;

static int name_ref_cmp(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0) return c;
    return (x->col > y->col) - (x->col < y->col);
}

/* Empty and duplicate names, reported in column order. Sorting (rather than
 * comparing every pair) keeps a pathological header of many columns cheap. */
static void header_check(loader *ld)
{
    csv_table *t = ld->t;
    size_t n = t->cols;
    name_ref *refs = malloc(n * sizeof *refs);
    size_t *first = malloc(n * sizeof *first);
    if (!refs || !first) {
        free(refs);
        free(first);
        ld->oom = true;
        ld->stop = true;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        refs[i] = (name_ref){t->text + t->cells[i].off, i};
        first[i] = SIZE_MAX;
    }
    qsort(refs, n, sizeof *refs, name_ref_cmp);
    for (size_t i = 1; i < n; i++)
        if (refs[i].name[0] != '\0' && strcmp(refs[i].name, refs[i - 1].name) == 0)
            first[refs[i].col] =
                first[refs[i - 1].col] == SIZE_MAX ? refs[i - 1].col : first[refs[i - 1].col];
    char buf[80];
    for (size_t i = 0; i < n && !ld->stop; i++) {
        const cell *c = &t->cells[i];
        if (c->off == 0)
            report(ld, c->line, c->col,
                   "column %zu has an empty name; expected a name in the header", i + 1);
        else if (first[i] != SIZE_MAX)
            report(ld, c->line, c->col, "duplicate column '%s' (first at column %zu)",
                   excerpt(t->text + c->off, buf, sizeof buf), first[i] + 1);
    }
    free(refs);
    free(first);
}

/* ---- libcsv callbacks ---- */

static void on_field(void *s, size_t n, void *data)
{
    loader *ld = data;
    csv_table *t = ld->t;
    size_t idx = ld->row_fields++;
    ld->field_pending = true;
    if (ld->stop) return;
    if (!ld->have_header || idx < t->cols) {
        uint32_t off;
        if (!text_push(t, s, n, &off) ||
            !cell_push(t, off, ld->field_line, ld->field_col, ld->field_quoted)) {
            ld->oom = true;
            ld->stop = true;
        }
    } else if (ld->source_last) {
        if (!source_extend(t, s, n)) {
            ld->oom = true;
            ld->stop = true;
        }
    } else if (idx == t->cols) {
        ld->extra_line = ld->field_line;
        ld->extra_col = ld->field_col;
    }
}

static void on_row(int c, void *data)
{
    (void)c;
    loader *ld = data;
    csv_table *t = ld->t;
    size_t nf = ld->row_fields;
    ld->row_fields = 0;
    ld->row_open = false;
    ld->field_pending = true;
    if (ld->stop) return;
    if (!ld->have_header) {
        ld->have_header = true;
        t->cols = nf;
        t->rows_total = 1;
        ld->source_last = strcmp(t->text + t->cells[nf - 1].off, "source") == 0;
        header_check(ld);
        return;
    }
    if (nf == t->cols || (nf > t->cols && ld->source_last)) {
        t->rows_total++;
        return;
    }
    if (nf < t->cols)
        report(ld, ld->row_line, 1, "row has %zu field%s; the header has %zu", nf,
               nf == 1 ? "" : "s", t->cols);
    else
        report(ld, ld->extra_line, ld->extra_col, "row has %zu fields; the header has %zu", nf,
               t->cols);
    t->ncells = ld->row_cell0;
    t->text_len = ld->row_text0;
}

/* A byte that is not CR or LF arrived outside a row: libcsv starts one. Blank
 * lines before it were not at the end of the table after all. */
static void row_begin(loader *ld)
{
    csv_table *t = ld->t;
    if (ld->blank_count > 0) {
        if (!ld->have_header) {
            report(ld, ld->blank_first, 1,
                   "blank line before the header row; expected the header on the first line");
        } else {
            for (size_t i = 0; i < ld->blank_count && !ld->stop; i++) {
                uint32_t line = ld->blank_first + (uint32_t)i;
                if (t->cols == 1) {
                    /* One column: a blank line is a row whose cell is empty. */
                    if (!cell_push(t, 0, line, 1, false)) {
                        ld->oom = true;
                        ld->stop = true;
                    }
                    t->rows_total++;
                } else {
                    report(ld, line, 1, "blank line; expected a row of %zu fields like the header",
                           t->cols);
                }
            }
        }
        ld->blank_count = 0;
    }
    ld->row_open = true;
    ld->row_line = ld->line;
    ld->row_cell0 = t->ncells;
    ld->row_text0 = t->text_len;
}

/* ---- feeding bytes ---- */

/* Checks one byte of UTF-8; false (and reported) when the text is not UTF-8. */
static bool utf8_byte(loader *ld, unsigned char c)
{
    if (ld->need == 0) {
        if (c < 0x80) return true;
        ld->lead_line = ld->line;
        ld->lead_col = ld->col;
        ld->lo = 0x80;
        ld->hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            ld->need = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            ld->need = 2;
            if (c == 0xE0)
                ld->lo = 0xA0;
            else if (c == 0xED)
                ld->hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            ld->need = 3;
            if (c == 0xF0)
                ld->lo = 0x90;
            else if (c == 0xF4)
                ld->hi = 0x8F;
        } else
            goto bad;
        return true;
    }
    if (c < ld->lo || c > ld->hi) goto bad;
    ld->need--;
    ld->lo = 0x80;
    ld->hi = 0xBF;
    return true;
bad:
    report(ld, ld->lead_line, ld->lead_col,
           "table is not text: invalid UTF-8; expected UTF-8 text");
    ld->stop = true;
    return false;
}

static void parse_failed(loader *ld, struct csv_parser *p, unsigned char c, uint32_t col)
{
    if (csv_error(p) == CSV_EPARSE) {
        if (c == '"')
            report(ld, ld->line, col,
                   "quote inside an unquoted field; expected the whole field in quotes, with "
                   "inner quotes doubled");
        else
            report(ld, ld->line, col,
                   "text after a closing quote; expected ',' or the end of the line");
    } else {
        ld->oom = true;
    }
    ld->stop = true;
}

/* Bytes that can neither start nor end a field, row or line, nor need a
 * UTF-8 check. */
static bool ordinary(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != ',' && c != '"';
}

static void feed(loader *ld, struct csv_parser *p, const unsigned char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && !ld->stop) {
        unsigned char c = buf[i];
        if (c == 0) {
            report(ld, ld->line, ld->col, "table is not text: NUL byte; expected UTF-8 text");
            ld->stop = true;
            return;
        }
        if (ld->need > 0 || c >= 0x80) {
            if (!utf8_byte(ld, c)) return;
        }
        bool term = c == '\r' || c == '\n';
        if (!ld->row_open) {
            if (c == '\n' && !ld->line_has_content) {
                if (ld->blank_count == 0) ld->blank_first = ld->line;
                ld->blank_count++;
            } else if (!term) {
                row_begin(ld);
                if (ld->stop) return;
            }
        }
        if (ld->row_open && ld->field_pending) {
            ld->field_pending = false;
            ld->field_line = ld->line;
            ld->field_col = ld->col;
            ld->field_quoted = c == '"';
        }
        /* This byte plus the ordinary ones after it: one call. */
        size_t j = i + 1;
        if (ordinary(c) && ld->need == 0)
            while (j < n && ordinary(buf[j]))
                j++;
        size_t len = j - i;
        size_t done = csv_parse(p, buf + i, len, on_field, on_row, ld);
        if (done != len) {
            parse_failed(ld, p, buf[i + done], ld->col + (uint32_t)done);
            return;
        }
        if (c == '\n') {
            ld->line++;
            ld->col = 1;
            ld->line_has_content = false;
        } else {
            ld->col += (uint32_t)len;
            if (c != '\r') ld->line_has_content = true;
        }
        i = j;
    }
}

static void finish(loader *ld, struct csv_parser *p)
{
    if (ld->need > 0) {
        report(ld, ld->lead_line, ld->lead_col,
               "table is not text: invalid UTF-8 (cut short at the end); expected UTF-8 text");
        return;
    }
    if (csv_fini(p, on_field, on_row, ld) != 0) {
        if (csv_error(p) == CSV_EPARSE)
            report(ld, ld->field_line, ld->field_col,
                   "unterminated quoted field; expected a closing quote");
        else
            ld->oom = true;
        return;
    }
    if (!ld->have_header && !ld->stop) report(ld, 0, 0, "table is empty; expected a header row");
}

/* ---- loading ---- */

static void add_errno(diag_list *d, const char *path, const char *what, int e)
{
    char msg[256];
    if (strerror_r(e, msg, sizeof msg) != 0) msg[0] = '\0';
    diag_add(d, DIAG_ERROR, (src_loc){path, 0, 0}, "cannot %s table: %s", what, msg);
}

static sim_status errno_status(int e)
{
    return e == ENOENT ? SIM_ENOENT : e == ENOMEM ? SIM_ENOMEM : SIM_EIO;
}

static int no_space(unsigned char c)
{
    (void)c; /* cells are kept as is: libcsv must not trim spaces or tabs */
    return 0;
}

/* Reads fd through libcsv into ld->t; SIM_EIO on a read error. */
static sim_status read_all(loader *ld, int fd)
{
    enum { CHUNK = 64 * 1024 };
    unsigned char *buf = malloc(CHUNK);
    struct csv_parser p;
    if (!buf || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(buf);
        ld->oom = true;
        return SIM_OK;
    }
    csv_set_space_func(&p, no_space);
    sim_status st = SIM_OK;
    long long total = 0;
    bool first = true;
    while (!ld->stop) {
        ssize_t got = read(fd, buf, CHUNK);
        if (got < 0) {
            if (errno == EINTR) continue;
            add_errno(ld->d, ld->t->path, "read", errno);
            st = SIM_EIO;
            ld->stop = true;
            break;
        }
        if (got == 0) {
            finish(ld, &p);
            break;
        }
        total += got;
        if (total > CSV_TABLE_MAX_BYTES) {
            /* A file that grew, or one whose size stat cannot tell. */
            report(ld, 0, 0, "table is too large (over %lld bytes; the limit is 256 MiB)",
                   CSV_TABLE_MAX_BYTES);
            break;
        }
        size_t skip = 0;
        /* A UTF-8 byte order mark says nothing a UTF-8 reader needs; columns
         * on line 1 count from after it, as an editor shows them. A short
         * first read cannot split it: read() on a regular file returns what
         * was asked for unless the file ends. */
        if (first && got >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF) skip = 3;
        first = false;
        feed(ld, &p, buf + skip, (size_t)got - skip);
    }
    csv_free(&p);
    free(buf);
    return st;
}

static void shrink(csv_table *t)
{
    /* Loading grew the arrays by doubling; give the slack back. */
    if (t->text_len > 0 && t->text_len < t->text_cap) {
        char *text = realloc(t->text, t->text_len);
        if (text) {
            t->text = text;
            t->text_cap = t->text_len;
        }
    }
    if (t->ncells > 0 && t->ncells < t->cells_cap) {
        cell *cells = realloc(t->cells, t->ncells * sizeof *cells);
        if (cells) {
            t->cells = cells;
            t->cells_cap = t->ncells;
        }
    }
}

sim_status csv_table_load(const char *path, diag_list *d, csv_table **out)
{
    assert(path && d && out);
    *out = NULL;
    csv_table *t = calloc(1, sizeof *t);
    size_t plen = strlen(path);
    if (t) t->path = malloc(plen + 1);
    if (!t || !t->path || !(t->text = malloc(4096))) {
        csv_table_free(t);
        diag_add(d, DIAG_ERROR, (src_loc){path, 0, 0}, "out of memory reading table");
        return SIM_ENOMEM;
    }
    memcpy(t->path, path, plen + 1);
    t->text_cap = 4096;
    t->text[0] = '\0'; /* offset 0: the empty string every empty cell shares */
    t->text_len = 1;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        add_errno(d, path, "open", e);
        csv_table_free(t);
        return errno_status(e);
    }
    struct stat sb;
    int fstat_rc = fstat(fd, &sb);
    if (fstat_rc != 0 || S_ISDIR(sb.st_mode)) {
        /* open() succeeds on a directory; read() would fail with EISDIR. */
        int e = fstat_rc != 0 ? errno : EISDIR;
        add_errno(d, path, "open", e);
        close(fd);
        csv_table_free(t);
        return errno_status(e);
    }
    if (S_ISREG(sb.st_mode) && (long long)sb.st_size > CSV_TABLE_MAX_BYTES) {
        diag_add(d, DIAG_ERROR, (src_loc){path, 0, 0},
                 "table is too large (%lld bytes; the limit is 256 MiB)", (long long)sb.st_size);
        close(fd);
        csv_table_free(t);
        return SIM_EINVAL;
    }

    loader ld = {.t = t, .d = d, .line = 1, .col = 1, .field_pending = true};
    sim_status st = read_all(&ld, fd);
    close(fd);
    if (ld.oom) {
        diag_add(d, DIAG_ERROR, (src_loc){path, 0, 0}, "out of memory reading table");
        st = SIM_ENOMEM;
    } else if (st == SIM_OK && ld.invalid)
        st = SIM_EINVAL;
    if (st != SIM_OK) {
        csv_table_free(t);
        return st;
    }
    shrink(t);
    *out = t;
    return SIM_OK;
}

void csv_table_free(csv_table *t)
{
    if (!t) return;
    free(t->path);
    free(t->text);
    free(t->cells);
    free(t);
}

/* ---- reading a loaded table ---- */

const char *csv_table_path(const csv_table *t)
{
    return t->path;
}

size_t csv_table_rows(const csv_table *t)
{
    return t->rows_total - 1;
}

size_t csv_table_cols(const csv_table *t)
{
    return t->cols;
}

static const cell *at(const csv_table *t, size_t row, size_t col)
{
    /* row counts the header as 0 here */
    assert(row < t->rows_total && col < t->cols);
    return &t->cells[row * t->cols + col];
}

const char *csv_table_header(const csv_table *t, size_t col)
{
    return t->text + at(t, 0, col)->off;
}

long csv_table_find(const csv_table *t, const char *name)
{
    for (size_t i = 0; i < t->cols; i++)
        if (strcmp(t->text + t->cells[i].off, name) == 0) return (long)i;
    return -1;
}

const char *csv_table_cell(const csv_table *t, size_t row, size_t col)
{
    return t->text + at(t, row + 1, col)->off;
}

bool csv_table_is_empty(const csv_table *t, size_t row, size_t col)
{
    return at(t, row + 1, col)->off == 0;
}

src_loc csv_table_loc(const csv_table *t, size_t row, size_t col)
{
    const cell *c = at(t, row + 1, col);
    return (src_loc){t->path, c->line, c->col};
}

bool csv_table_quoted(const csv_table *t, size_t row, size_t col)
{
    return at(t, row + 1, col)->quoted;
}

src_loc csv_table_header_loc(const csv_table *t, size_t col)
{
    const cell *c = at(t, 0, col);
    return (src_loc){t->path, c->line, c->col};
}

bool csv_table_number(const csv_table *t, size_t row, size_t col, diag_list *d, double *out,
                      int *present)
{
    const char *s = csv_table_cell(t, row, col);
    if (s[0] == '\0') {
        *present = 0;
        return false;
    }
    *present = 1;
    /* strtod alone would also take spaces, "nan", "inf" and hex; a table
     * holds plain decimal numbers, so look at the characters first. */
    bool ok = true;
    for (const char *p = s; *p && ok; p++)
        ok = (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.' || *p == 'e' ||
             *p == 'E';
    if (ok) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        ok = end != s && *end == '\0' && errno == 0 && isfinite(v);
        if (ok) *out = v;
    }
    if (!ok && d) {
        char name[80], got[80];
        diag_add(d, DIAG_ERROR, csv_table_loc(t, row, col), "column '%s' needs a number (got '%s')",
                 excerpt(csv_table_header(t, col), name, sizeof name), excerpt(s, got, sizeof got));
    }
    return ok;
}
