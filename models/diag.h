/*
 * Diagnostics: what is wrong with a user's input, and where.
 *
 * Loading a scenario collects every error and warning in one pass, the way a
 * compiler does, each pinned to file:line:column (1-based; column counts
 * bytes). Nothing here prints on its own: cli/ calls diag_print with the
 * stream it chooses. A message is lower case with no full stop: what is wrong
 * first, then what was expected, then a cheap suggestion.
 *
 *   scenarios/me.yaml:41:17: error: unknown site 'tsmc_f18' in lanes[3].from (known: ...)
 *      41 |   - {from: tsmc_f18, to: smic_sn2}
 *         |            ^
 *
 * Ownership: the list copies every string it is given and frees them.
 */
#ifndef MODELS_DIAG_H
#define MODELS_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where a value came from. line 0 means the file as a whole (a missing file,
 * an empty one); col 0 means the line as a whole. file may be NULL for the
 * command line. */
typedef struct src_loc {
    const char *file;
    uint32_t line;
    uint32_t col;
} src_loc;

typedef enum diag_severity { DIAG_ERROR, DIAG_WARNING } diag_severity;

typedef struct diag {
    diag_severity severity;
    char *file; /* NULL: not from a file */
    uint32_t line;
    uint32_t col;
    char *message;
} diag;

typedef struct diag_list diag_list;

/* NULL on out of memory. */
diag_list *diag_list_new(void);
void diag_list_free(diag_list *d);

/* Records a diagnostic. Out of memory is remembered (diag_oom) rather than
 * returned, so callers can report and carry on. */
void diag_add(diag_list *d, diag_severity severity, src_loc at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_addv(diag_list *d, diag_severity severity, src_loc at, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

size_t diag_count(const diag_list *d);
size_t diag_errors(const diag_list *d);
const diag *diag_at(const diag_list *d, size_t i);
/* True when a diagnostic could not be recorded for lack of memory. */
int diag_oom(const diag_list *d);

/* "file:line:col: error: message" for diagnostic i, without a newline, into
 * buf (truncated to fit). The first line of what diag_print writes. */
void diag_format(const diag_list *d, size_t i, char *buf, size_t size);

/* Writes every diagnostic in the order recorded; where the file and line are
 * known and readable, the line is quoted with a caret under the column. */
void diag_print(const diag_list *d, FILE *out);

#endif
