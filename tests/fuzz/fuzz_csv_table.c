/*
 * libFuzzer target for models/csv_table: a CSV file -> a table of located
 * cells.
 *
 * Scenario tables are user files (often exported from spreadsheets), so the
 * reader must meet any bytes with either a table or diagnostics: never a
 * crash, a leak or unbounded work. csv_table_load reads a path, so each input
 * is written to a temporary file (mkstemp in $TMPDIR or /tmp, unlinked
 * afterwards) and loaded; every cell of a loaded table is then read
 * (csv_table_cell, csv_table_loc, csv_table_number), and the diagnostics are
 * printed into /dev/null while the file still exists, so diag_print's quoting
 * of the offending line runs on the same hostile bytes.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by `make fuzz`; the
 * normal builds link it with replay_main.c to replay tests/fuzz/regressions/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_table.h"
#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_csv_table: broken promise: %s\n", what);
        abort();
    }
}

/* Writes the input to a new temporary file; its path in path. */
static int write_temp(const uint8_t *data, size_t size, char *path, size_t cap)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    if ((size_t)snprintf(path, cap, "%s/fuzz_csv_table.XXXXXX", dir) >= cap) return -1;
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd) == 0 ? 0 : (unlink(path), -1);
}

static void touch_cells(const csv_table *t, diag_list *d)
{
    size_t rows = csv_table_rows(t), cols = csv_table_cols(t);
    check(cols >= 1, "a table without columns");
    for (size_t c = 0; c < cols; c++) {
        const char *h = csv_table_header(t, c);
        check(h != NULL && csv_table_find(t, h) >= 0, "a header csv_table_find cannot find");
    }
    /* Cells start where the reader met them: (line, col) never goes back in
     * row-major order, from the header's last cell on. (Not strictly: a last
     * field left empty at the end of a file without a final newline gets the
     * location of the field before it.) */
    src_loc prev = csv_table_header_loc(t, cols - 1);
    check(prev.line >= 1 && prev.col >= 1, "a header cell without a location");
    for (size_t r = 0; r < rows; r++) {
        for (size_t c = 0; c < cols; c++) {
            const char *s = csv_table_cell(t, r, c);
            check(s != NULL, "a NULL cell");
            check(csv_table_is_empty(t, r, c) == (s[0] == '\0'), "is_empty and the text disagree");
            src_loc at = csv_table_loc(t, r, c);
            check(at.file == csv_table_path(t) && at.col >= 1 &&
                      (at.line > prev.line || (at.line == prev.line && at.col >= prev.col)),
                  "cell locations out of order");
            prev = at;
            double v;
            int present = -1;
            bool ok = csv_table_number(t, r, c, d, &v, &present);
            check(present == (s[0] != '\0'), "number's present and the text disagree");
            check(!ok || present, "a number from an empty cell");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) abort();

    char path[4096];
    if (write_temp(data, size, path, sizeof path) != 0) {
        perror("fuzz_csv_table: temporary file");
        abort(); /* not the input's fault, but nothing is being tested */
    }
    diag_list *d = diag_list_new();
    if (!d) {
        unlink(path);
        return 0;
    }
    csv_table *t = NULL;
    sim_status st = csv_table_load(path, d, &t);
    if (st == SIM_OK) {
        check(t != NULL, "SIM_OK without a table");
        check(diag_errors(d) == 0, "SIM_OK with errors");
        touch_cells(t, d);
    } else {
        check(t == NULL, "a table returned with an error");
        check(diag_errors(d) > 0, "an error without a diagnostic");
    }
    diag_print(d, devnull);
    csv_table_free(t);
    diag_list_free(d);
    unlink(path);
    return 0;
}
