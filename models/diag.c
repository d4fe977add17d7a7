#include "diag.h"

#include <stdlib.h>
#include <string.h>

struct diag_list {
    diag *items;
    size_t count, cap, errors;
    int oom;
};

diag_list *diag_list_new(void)
{
    return calloc(1, sizeof(diag_list));
}

void diag_list_free(diag_list *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    free(d);
}

static char *copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

void diag_addv(diag_list *d, diag_severity severity, src_loc at, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (d->count == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        diag *items = realloc(d->items, cap * sizeof *items);
        if (!items) {
            d->oom = 1;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    diag *g = &d->items[d->count];
    g->severity = severity;
    g->line = at.line;
    g->col = at.col;
    g->file = at.file ? copy(at.file) : NULL;
    g->message = copy(msg);
    if ((at.file && !g->file) || !g->message) {
        free(g->file);
        free(g->message);
        d->oom = 1;
        return;
    }
    d->count++;
    if (severity == DIAG_ERROR) d->errors++;
}

void diag_add(diag_list *d, diag_severity severity, src_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_addv(d, severity, at, fmt, ap);
    va_end(ap);
}

size_t diag_count(const diag_list *d)
{
    return d->count;
}

size_t diag_errors(const diag_list *d)
{
    return d->errors;
}

const diag *diag_at(const diag_list *d, size_t i)
{
    return i < d->count ? &d->items[i] : NULL;
}

int diag_oom(const diag_list *d)
{
    return d->oom;
}

void diag_format(const diag_list *d, size_t i, char *buf, size_t size)
{
    const diag *g = &d->items[i];
    const char *sev = g->severity == DIAG_ERROR ? "error" : "warning";
    if (!g->file)
        snprintf(buf, size, "%s: %s", sev, g->message);
    else if (g->line == 0)
        snprintf(buf, size, "%s: %s: %s", g->file, sev, g->message);
    else if (g->col == 0)
        snprintf(buf, size, "%s:%u: %s: %s", g->file, g->line, sev, g->message);
    else
        snprintf(buf, size, "%s:%u:%u: %s: %s", g->file, g->line, g->col, sev, g->message);
}

/* Reads line `line` (1-based) of a file into buf, without its newline; a
 * longer line is cut. False when the file or line cannot be read. */
static int read_line(const char *file, uint32_t line, char *buf, size_t size)
{
    FILE *f = fopen(file, "rb");
    if (!f) return 0;
    uint32_t at = 1;
    size_t n = 0;
    int c, found = 0;
    while ((c = getc(f)) != EOF) {
        if (at == line) {
            found = 1;
            if (c == '\n' || c == '\r') break;
            if (n + 1 < size) buf[n++] = (char)c;
        } else if (c == '\n') {
            if (++at > line) break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    return found;
}

void diag_print(const diag_list *d, FILE *out)
{
    char head[1400], src[512];
    for (size_t i = 0; i < d->count; i++) {
        const diag *g = &d->items[i];
        diag_format(d, i, head, sizeof head);
        fprintf(out, "%s\n", head);
        /* "<--set>" and the like name no file to quote from. */
        if (!g->file || g->file[0] == '<' || g->line == 0 ||
            !read_line(g->file, g->line, src, sizeof src))
            continue;
        /* Non-printing bytes (binary garbage, tabs) would shift the caret or
         * the terminal; show them as '?' and keep columns byte for byte. */
        for (char *p = src; *p; p++)
            if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f) *p = '?';
        fprintf(out, "%6u | %s\n", g->line, src);
        if (g->col > 0 && g->col <= strlen(src) + 1)
            fprintf(out, "       | %*s^\n", (int)(g->col - 1), "");
    }
}
