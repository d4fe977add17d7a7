#include "csv_writer.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "atomic_file.h"
#include "numfmt.h"

struct sim_csv {
    sim_atomic_file *file; /* NULL for a writer into memory */
    FILE *fp;              /* the file's stream, cached; NULL for a writer into memory */
    char *mem;             /* a writer into memory: its bytes, mem_len of mem_cap */
    size_t mem_len, mem_cap;
    char *path;        /* for the message of a sticky error */
    sim_status status; /* SIM_OK until the first failed write, then that failure */
    int error_errno;   /* errno of that failure, for the message at commit */
    bool row_started;  /* a field was written on this row: the next needs a comma */
};

sim_status sim_csv_open(sim_csv **out, const char *path, char *err, size_t err_size)
{
    assert(out != NULL && path != NULL);
    *out = NULL;
    sim_csv *w = calloc(1, sizeof *w);
    const size_t path_len = strlen(path);
    char *path_copy = malloc(path_len + 1);
    if (w == NULL || path_copy == NULL) {
        free(w);
        free(path_copy);
        if (err != NULL && err_size > 0)
            snprintf(err, err_size, "cannot create %s: out of memory", path);
        return SIM_ENOMEM;
    }
    memcpy(path_copy, path, path_len + 1);
    const sim_status st = sim_atomic_open(&w->file, path, err, err_size);
    if (st != SIM_OK) {
        free(path_copy);
        free(w);
        return st;
    }
    w->fp = sim_atomic_stream(w->file);
    /* Reports are megabytes: write them in 1 MiB pieces, not 4 KiB ones. */
    setvbuf(w->fp, NULL, _IOFBF, (size_t)1 << 20);
    w->path = path_copy;
    w->status = SIM_OK;
    *out = w;
    return SIM_OK;
}

static sim_status fail(sim_csv *w, int errnum);

sim_status sim_csv_open_memory(sim_csv **out)
{
    assert(out != NULL);
    *out = calloc(1, sizeof **out);
    return *out ? SIM_OK : SIM_ENOMEM;
}

static void free_memory_writer(sim_csv *w)
{
    free(w->mem);
    free(w);
}

static bool out_bytes(sim_csv *w, const char *s, size_t len);

sim_status sim_csv_append(sim_csv *dst, sim_csv *src)
{
    assert(dst != NULL && src != NULL && src->file == NULL);
    assert(!dst->row_started && !src->row_started);
    sim_status st = dst->status;
    if (st == SIM_OK && src->status != SIM_OK) st = fail(dst, src->error_errno);
    errno = 0;
    if (st == SIM_OK && !out_bytes(dst, src->mem, src->mem_len))
        st = fail(dst, errno ? errno : ENOMEM);
    free_memory_writer(src);
    return st;
}

/* Room for n more bytes in a memory writer's buffer (doubling, from 1 MiB:
 * a report slice is megabytes, and open_memstream's small steps cost page
 * faults and copies). */
static bool mem_reserve(sim_csv *w, size_t n)
{
    if (w->mem_len + n <= w->mem_cap) return true;
    size_t cap = w->mem_cap ? w->mem_cap : (size_t)1 << 20;
    while (cap < w->mem_len + n)
        cap *= 2;
    char *m = realloc(w->mem, cap);
    if (!m) return false;
    w->mem = m;
    w->mem_cap = cap;
    return true;
}

static bool out_bytes(sim_csv *w, const char *s, size_t len)
{
    if (w->fp) return len == 0 || fwrite(s, 1, len, w->fp) == len;
    if (!mem_reserve(w, len)) return false;
    memcpy(w->mem + w->mem_len, s, len);
    w->mem_len += len;
    return true;
}

/* One writer is used by one thread at a time: no stream locking per byte. */
static bool out_char(sim_csv *w, char c)
{
    if (w->fp) return putc_unlocked(c, w->fp) != EOF;
    if (!mem_reserve(w, 1)) return false;
    w->mem[w->mem_len++] = c;
    return true;
}

/* A field in quotes, its quotes doubled (libcsv). */
static bool out_quoted(sim_csv *w, const char *s, size_t len)
{
    if (w->fp) return csv_fwrite(w->fp, s, len) == 0;
    size_t need = csv_write(NULL, 0, s, len);
    if (!mem_reserve(w, need)) return false;
    w->mem_len += csv_write(w->mem + w->mem_len, need, s, len);
    return true;
}

/* Records the first failure; every later call returns it without writing. */
static sim_status fail(sim_csv *w, int errnum)
{
    w->status = SIM_EIO;
    w->error_errno = errnum != 0 ? errnum : EIO;
    return w->status;
}

/* Starts a field: a comma unless it is the row's first. */
static bool field_begin(sim_csv *w)
{
    if (w->row_started && !out_char(w, ',')) return false;
    w->row_started = true;
    return true;
}

static sim_status write_raw(sim_csv *w, const char *s, size_t len)
{
    if (w->status != SIM_OK) return w->status;
    errno = 0;
    if (!field_begin(w) || !out_bytes(w, s, len)) return fail(w, errno ? errno : ENOMEM);
    return SIM_OK;
}

/* RFC 4180: only these bytes force quotes. Leading or trailing spaces do not,
 * which matches what pandas and R read back (libcsv's parser trims them unless
 * told not to). */
static bool needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') return true;
    }
    return false;
}

sim_status sim_csv_text_n(sim_csv *w, const char *s, size_t len)
{
    assert(w != NULL && (s != NULL || len == 0));
    if (w->status != SIM_OK) return w->status;
    if (!needs_quotes(s, len)) return write_raw(w, s, len);
    errno = 0;
    /* csv_fwrite surrounds the field with quotes and doubles the quotes inside. */
    if (!field_begin(w) || !out_quoted(w, s, len)) return fail(w, errno ? errno : ENOMEM);
    return SIM_OK;
}

sim_status sim_csv_text(sim_csv *w, const char *s)
{
    assert(s != NULL);
    return sim_csv_text_n(w, s, strlen(s));
}

sim_status sim_csv_number(sim_csv *w, double x)
{
    assert(w != NULL);
    char buf[SIM_NUMFMT_BUFSIZE];
    const size_t n = sim_numfmt_double(buf, x);
    return write_raw(w, buf, n);
}

sim_status sim_csv_integer(sim_csv *w, int64_t x)
{
    assert(w != NULL);
    char buf[SIM_NUMFMT_BUFSIZE];
    const size_t n = sim_numfmt_int(buf, x);
    return write_raw(w, buf, n);
}

sim_status sim_csv_date(sim_csv *w, sim_date d)
{
    assert(w != NULL);
    char buf[SIM_DATE_BUFSIZE];
    sim_date_format(d, buf);
    return write_raw(w, buf, SIM_DATE_BUFSIZE - 1);
}

sim_status sim_csv_empty(sim_csv *w)
{
    assert(w != NULL);
    return write_raw(w, "", 0);
}

sim_status sim_csv_end_row(sim_csv *w)
{
    assert(w != NULL);
    if (w->status != SIM_OK) return w->status;
    errno = 0;
    if (!out_char(w, '\n')) return fail(w, errno ? errno : ENOMEM);
    w->row_started = false;
    return SIM_OK;
}

sim_status sim_csv_header(sim_csv *w, const char *const *names, size_t count)
{
    assert(w != NULL && (names != NULL || count == 0));
    /* A header in the middle of a row is a caller's bug, not a user's. */
    assert(!w->row_started || w->status != SIM_OK);
    for (size_t i = 0; i < count; i++) {
        const sim_status st = sim_csv_text(w, names[i]);
        if (st != SIM_OK) return st;
    }
    return sim_csv_end_row(w);
}

sim_status sim_csv_commit(sim_csv *w, char *err, size_t err_size)
{
    assert(w != NULL && w->file != NULL); /* a writer into memory is appended, not committed */
    sim_status st = w->status;
    if (st != SIM_OK) {
        if (err != NULL && err_size > 0)
            snprintf(err, err_size, "cannot write %s: %s", w->path, strerror(w->error_errno));
        sim_atomic_abort(w->file);
    } else {
        /* Every row ends with '\n'; committing half a row is a caller's bug. */
        assert(!w->row_started);
        st = sim_atomic_commit(w->file, err, err_size);
    }
    free(w->path);
    free(w);
    return st;
}

void sim_csv_abort(sim_csv *w)
{
    if (w == NULL) return;
    if (w->file == NULL) {
        free_memory_writer(w);
        return;
    }
    sim_atomic_abort(w->file);
    free(w->path);
    free(w);
}
