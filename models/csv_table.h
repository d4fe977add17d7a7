/*
 * CSV tables: a file of named columns, read whole, every cell remembering
 * where it came from.
 *
 * The scenario loader reads `{table: path.csv}` lists and dated series through
 * this module. A table is RFC 4180 text as libcsv reads it in strict mode: the
 * first row is the header; every later row has exactly as many fields as the
 * header; fields may be quoted, and a quoted field may hold commas, doubled
 * quotes and line breaks. Cells are kept byte for byte (no trimming, no type
 * guessing); an empty cell means "not given". One leniency, because the
 * scenario examples rely on it: when the header's last column is `source`
 * (free-text documentation), it takes the rest of the line, so an unquoted
 * comma there is kept as text (fields past it are joined back with ','). A
 * one-column table reads a blank line in the middle as an empty cell; in a
 * wider table it is an error. LF and CRLF line ends both work, a UTF-8 byte
 * order mark at the start is skipped (and not counted in line 1's columns),
 * blank lines at the end are ignored, and a missing final newline is fine. The file must be UTF-8
 * text without NUL bytes and at most CSV_TABLE_MAX_BYTES long; a longer file is refused before it
 * is read, so memory stays bounded (about 12 bytes per cell plus the text).
 *
 * Loading reports every problem it finds into a diag_list, each at the CSV's
 * own file:line:col (1-based; col counts bytes and points where the field
 * starts, at its opening quote if quoted), up to CSV_TABLE_MAX_ERRORS per
 * table. A libcsv parse error (a stray quote) ends the reading, since the
 * field boundaries after it cannot be trusted; so does a byte that is not
 * text (NUL, invalid UTF-8), which usually means a binary or mis-encoded file.
 *
 * Ownership: a loaded table is immutable and owns all its strings, including
 * a copy of its path; every pointer and src_loc it hands out (src_loc.file
 * included) lives until csv_table_free. A table may be read from several
 * threads at once. Numbers are parsed with strtod, so the process must keep
 * the "C" LC_NUMERIC locale (chipsim never calls setlocale).
 */
#ifndef MODELS_CSV_TABLE_H
#define MODELS_CSV_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "status.h"

/* The largest file csv_table_load reads. */
#define CSV_TABLE_MAX_BYTES ((long long)256 * 1024 * 1024)
/* Diagnostics recorded per table before "too many errors" ends the reading. */
#define CSV_TABLE_MAX_ERRORS 50

typedef struct csv_table csv_table;

/* Loads the CSV file at path, whose first row is the header. Every problem
 * found is added to d (not NULL). Returns SIM_OK and the table in *out, or,
 * with *out NULL: SIM_ENOENT for a missing file (line 0), SIM_EIO for a file
 * that cannot be opened or read or is a directory, SIM_EINVAL for any content
 * error (empty, too large, not text, parse error, ragged row, bad header),
 * SIM_ENOMEM when memory runs out. */
sim_status csv_table_load(const char *path, diag_list *d, csv_table **out);

/* NULL is fine. */
void csv_table_free(csv_table *t);

/* The path as given to csv_table_load. */
const char *csv_table_path(const csv_table *t);
/* Data rows, the header excluded. */
size_t csv_table_rows(const csv_table *t);
size_t csv_table_cols(const csv_table *t);

/* col < csv_table_cols(t), row < csv_table_rows(t): asserted. */
const char *csv_table_header(const csv_table *t, size_t col);
/* Index of the column whose header is exactly name, or -1. */
long csv_table_find(const csv_table *t, const char *name);
/* The cell's text, "" when empty. */
const char *csv_table_cell(const csv_table *t, size_t row, size_t col);
/* Where the cell starts in the file. */
src_loc csv_table_loc(const csv_table *t, size_t row, size_t col);
src_loc csv_table_header_loc(const csv_table *t, size_t col);
/* True when the cell was written in quotes (its location is the quote; its
 * text starts one column on). */
bool csv_table_quoted(const csv_table *t, size_t row, size_t col);

/* True when the cell is empty (the value is "not given"). */
bool csv_table_is_empty(const csv_table *t, size_t row, size_t col);

/* Strict number parse of a cell: a decimal number as strtod reads it, all of
 * the cell, finite and in range, no spaces, no "nan"/"inf"/hex. On success
 * stores it in *out, sets *present = 1 and returns true. An empty cell sets
 * *present = 0 and returns false without a diagnostic ("not given"). Anything
 * else sets *present = 1, adds "column 'x' needs a number (got '...')" at the
 * cell to d (when d is not NULL) and returns false. */
bool csv_table_number(const csv_table *t, size_t row, size_t col, diag_list *d, double *out,
                      int *present);

#endif
