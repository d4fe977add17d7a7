/*
 * Writing CSV: one header row, comma separated, LF line ends.
 *
 * Numbers are never quoted and are printed by sim_numfmt (locale-independent,
 * round-trip exact). Text fields are quoted only when they must be — when they
 * hold a comma, a double quote, CR or LF — and then escaped by libcsv. The file
 * is written through sim_atomic_file, so the target appears only when complete.
 *
 * Errors are sticky: after the first failed write every call returns the same
 * status and does nothing, and commit reports it. Ownership: the writer owns its
 * file; commit and abort free the writer (append frees a memory writer).
 */
#ifndef SIM_CSV_WRITER_H
#define SIM_CSV_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "status.h"

typedef struct sim_csv sim_csv;

sim_status sim_csv_open(sim_csv **out, const char *path, char *err, size_t err_size);

sim_status sim_csv_text(sim_csv *w, const char *s);
sim_status sim_csv_text_n(sim_csv *w, const char *s, size_t len);
sim_status sim_csv_number(sim_csv *w, double x);
sim_status sim_csv_integer(sim_csv *w, int64_t x);
sim_status sim_csv_date(sim_csv *w, sim_date d);
/* An empty field: "not given". */
sim_status sim_csv_empty(sim_csv *w);
sim_status sim_csv_end_row(sim_csv *w);

/* Writes every header name as a text field and ends the row. */
sim_status sim_csv_header(sim_csv *w, const char *const *names, size_t count);

sim_status sim_csv_commit(sim_csv *w, char *err, size_t err_size);
void sim_csv_abort(sim_csv *w);

/* A writer into memory, so rows can be formatted on another thread and then
 * appended, in order, to a file's writer: sim_csv_append adds every byte src
 * wrote (whole rows) to dst and frees src; an error of src's becomes dst's.
 * A memory writer is appended or aborted, never committed. A writer is used by
 * one thread at a time. */
sim_status sim_csv_open_memory(sim_csv **out);
sim_status sim_csv_append(sim_csv *dst, sim_csv *src);

#endif
