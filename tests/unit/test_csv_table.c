/* CSV tables: the example tables load with exact cells and locations; every
 * kind of bad file gives its exact first diagnostic and status; quoting, CRLF,
 * BOM and number parsing; a 100,000-row table loads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv_table.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

#define PATH_BUF 1024
#define MSG_BUF  2048

/* ---- scratch folder: $CHIPSIM_TEST_TMPDIR (made if missing) or a mkdtemp ---- */

typedef struct fixture {
    char dir[PATH_BUF];
    bool remove_dir; /* we made it with mkdtemp, so we empty and remove it */
} fixture;

static int mkdir_p(const char *path)
{
    char buf[PATH_BUF];
    const size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            const char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) return -1;
            buf[i] = c;
        }
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int group_setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    const char *env = getenv("CHIPSIM_TEST_TMPDIR");
    if (env && env[0]) {
        if (snprintf(fx->dir, sizeof fx->dir, "%s", env) >= (int)sizeof fx->dir ||
            mkdir_p(env) != 0) {
            free(fx);
            return -1;
        }
    } else {
        snprintf(fx->dir, sizeof fx->dir, "/tmp/chipsim_test.XXXXXX");
        if (!mkdtemp(fx->dir)) {
            free(fx);
            return -1;
        }
        fx->remove_dir = true;
    }
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    if (fx->remove_dir) {
        /* Only files named by this test live in a folder we made. */
        DIR *dir = opendir(fx->dir);
        if (dir) {
            char path[PATH_BUF * 2];
            for (struct dirent *e = readdir(dir); e; e = readdir(dir)) {
                if (strncmp(e->d_name, "csv_table_", 10) != 0) continue;
                snprintf(path, sizeof path, "%s/%s", fx->dir, e->d_name);
                if (unlink(path) != 0) rmdir(path);
            }
            closedir(dir);
        }
        rmdir(fx->dir);
    }
    free(fx);
    return 0;
}

static void path_in(const fixture *fx, const char *name, char out[PATH_BUF])
{
    const int n = snprintf(out, PATH_BUF, "%s/csv_table_%s", fx->dir, name);
    assert_true(n > 0 && n < PATH_BUF);
}

/* Writes len bytes of data to csv_table_<name> in the scratch folder. */
static void write_bytes(const fixture *fx, const char *name, const char *data, size_t len,
                        char path[PATH_BUF])
{
    path_in(fx, name, path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_text(const fixture *fx, const char *name, const char *text, char path[PATH_BUF])
{
    write_bytes(fx, name, text, strlen(text), path);
}

static void data_path(const char *name, char out[PATH_BUF])
{
    const int n = snprintf(out, PATH_BUF, "%s/csv_table/%s", TEST_DATA_DIR, name);
    assert_true(n > 0 && n < PATH_BUF);
}

/* Loads a file that must load cleanly. */
static csv_table *load_ok(const char *path)
{
    diag_list *d = diag_list_new();
    assert_non_null(d);
    csv_table *t = NULL;
    sim_status st = csv_table_load(path, d, &t);
    if (st != SIM_OK && diag_count(d) > 0) {
        char msg[MSG_BUF];
        diag_format(d, 0, msg, sizeof msg);
        print_error("unexpected: %s\n", msg);
    }
    assert_int_equal(st, SIM_OK);
    assert_non_null(t);
    assert_int_equal(diag_count(d), 0);
    diag_list_free(d);
    return t;
}

/* Loads a file that must fail with status want; the first diagnostic must
 * read exactly "<path>" followed by tail. Returns the diagnostic count. */
static size_t load_fails(const char *path, sim_status want, const char *tail)
{
    diag_list *d = diag_list_new();
    assert_non_null(d);
    csv_table *t = (csv_table *)d; /* must be reset to NULL */
    sim_status st = csv_table_load(path, d, &t);
    assert_int_equal(st, want);
    assert_null(t);
    assert_true(diag_count(d) >= 1);
    char got[MSG_BUF], expected[MSG_BUF];
    diag_format(d, 0, got, sizeof got);
    snprintf(expected, sizeof expected, "%s%s", path, tail);
    assert_string_equal(got, expected);
    size_t n = diag_count(d);
    diag_list_free(d);
    return n;
}

/* The n-th diagnostic (0-based) as text. */
static void nth_diag(const char *path, size_t i, char out[MSG_BUF])
{
    diag_list *d = diag_list_new();
    assert_non_null(d);
    csv_table *t = NULL;
    assert_int_not_equal(csv_table_load(path, d, &t), SIM_OK);
    assert_true(diag_count(d) > i);
    diag_format(d, i, out, MSG_BUF);
    diag_list_free(d);
}

static void assert_loc(src_loc at, const char *file, uint32_t line, uint32_t col)
{
    assert_string_equal(at.file, file);
    assert_int_equal(at.line, line);
    assert_int_equal(at.col, col);
}

/* ---- the example tables ---- */

static void test_products(void **state)
{
    (void)state;
    char path[PATH_BUF];
    data_path("products.csv", path);
    csv_table *t = load_ok(path);
    assert_string_equal(csv_table_path(t), path);
    assert_int_equal(csv_table_rows(t), 11);
    assert_int_equal(csv_table_cols(t), 11);
    assert_string_equal(csv_table_header(t, 0), "id");
    assert_string_equal(csv_table_header(t, 10), "source");
    assert_int_equal(csv_table_find(t, "tpp"), 3);
    assert_int_equal(csv_table_find(t, "source"), 10);
    assert_int_equal(csv_table_find(t, "TPP"), -1);
    assert_loc(csv_table_header_loc(t, 3), path, 1, 15);
    /* line 4: h100_sxm,accelerator,nvidia,15832,... */
    assert_string_equal(csv_table_cell(t, 2, 0), "h100_sxm");
    assert_string_equal(csv_table_cell(t, 2, 3), "15832");
    assert_loc(csv_table_loc(t, 2, 3), path, 4, 29);
    assert_string_equal(csv_table_cell(t, 2, 10), "TPP/PD computed from NVIDIA figures (FACTS 3)");
    /* line 3: hbm3_stack has no tpp and no source */
    assert_string_equal(csv_table_cell(t, 1, 3), "");
    assert_true(csv_table_is_empty(t, 1, 3));
    assert_string_equal(csv_table_cell(t, 1, 10), "");
    /* line 12: an unquoted comma in the last column, `source`, stays in it */
    assert_string_equal(csv_table_cell(t, 10, 0), "kirin_9000s");
    assert_string_equal(csv_table_cell(t, 10, 10), "die area: TechInsights (FACTS 3, H)");
    assert_loc(csv_table_loc(t, 10, 10), path, 12, 34);

    diag_list *d = diag_list_new();
    double v = 0;
    int present = -1;
    assert_true(csv_table_number(t, 2, 3, d, &v, &present));
    assert_int_equal(present, 1);
    assert_true(v == 15832.0);
    assert_false(csv_table_number(t, 1, 3, d, &v, &present));
    assert_int_equal(present, 0);
    assert_int_equal(diag_count(d), 0);
    diag_list_free(d);
    csv_table_free(t);
}

static void test_countries(void **state)
{
    (void)state;
    char path[PATH_BUF];
    data_path("countries.csv", path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 10);
    assert_int_equal(csv_table_cols(t), 4);
    assert_string_equal(csv_table_cell(t, 3, 0), "CN");
    assert_string_equal(csv_table_cell(t, 3, 2), "D1;D4;D5");
    assert_loc(csv_table_loc(t, 3, 2), path, 5, 10);
    assert_string_equal(csv_table_cell(t, 9, 1), "Singapore");
    assert_string_equal(csv_table_cell(t, 9, 3), "");
    assert_loc(csv_table_loc(t, 9, 3), path, 11, 15);
    csv_table_free(t);
}

static void test_dated_series(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        size_t rows;
        const char *last_date, *last_value;
    } cases[] = {
        {"smic_n2_capacity.csv", 3, "2025-01-01", "35000"},
        {"smic_n2_yield.csv", 2, "2024-09-01", "0.50"},
        {"us_orders.csv", 2, "2024-01-01", "80"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[PATH_BUF];
        data_path(cases[i].file, path);
        csv_table *t = load_ok(path);
        assert_int_equal(csv_table_cols(t), 3);
        assert_int_equal(csv_table_find(t, "date"), 0);
        assert_int_equal(csv_table_find(t, "value"), 1);
        assert_int_equal(csv_table_find(t, "source"), 2);
        size_t last = cases[i].rows - 1;
        assert_int_equal(csv_table_rows(t), cases[i].rows);
        assert_string_equal(csv_table_cell(t, last, 0), cases[i].last_date);
        assert_string_equal(csv_table_cell(t, last, 1), cases[i].last_value);
        assert_loc(csv_table_loc(t, last, 1), path, (uint32_t)cases[i].rows + 1, 12);
        csv_table_free(t);
    }
    char path[PATH_BUF];
    data_path("us_orders.csv", path);
    csv_table *t = load_ok(path);
    assert_string_equal(
        csv_table_cell(t, 0, 2),
        "EST: about 550k H100 shipped in 2023 (FACTS 4), share to this buyer assumed");
    csv_table_free(t);
}

/* The last column, when named `source`, takes the rest of the line: the
 * example tables write free text there without quotes. Joined fields are put
 * back with their commas, an empty source included; any other last column
 * still counts fields. */
static void test_source_takes_rest_of_line(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "source_rest.csv",
               "id,v,source\n"
               "a,1,x, y,,z\n"
               "b,2,,w\n"
               "c,3,\"q, r\",s\n"
               "d,4,\n",
               path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 4);
    assert_string_equal(csv_table_cell(t, 0, 2), "x, y,,z");
    assert_loc(csv_table_loc(t, 0, 2), path, 2, 5);
    assert_string_equal(csv_table_cell(t, 1, 2), ",w");
    assert_string_equal(csv_table_cell(t, 2, 2), "q, r,s");
    assert_string_equal(csv_table_cell(t, 3, 0), "d");
    assert_string_equal(csv_table_cell(t, 3, 2), "");
    csv_table_free(t);

    write_text(*state, "source_not_last.csv", "id,source,v\na,x, y,1\n", path);
    load_fails(path, SIM_EINVAL, ":2:8: error: row has 4 fields; the header has 3");
}

/* ---- well-formed files that need care ---- */

static void test_quoted_fields(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "quoted.csv",
               "id,note,n\n"
               "a,\"x, y\",1\n"
               "b,\"say \"\"hi\"\"\",2\n"
               "c,\"two\nlines\nhere\",3\n"
               "d,\"\",4\n",
               path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 4);
    assert_string_equal(csv_table_cell(t, 0, 1), "x, y");
    assert_loc(csv_table_loc(t, 0, 1), path, 2, 3);
    assert_loc(csv_table_loc(t, 0, 2), path, 2, 10);
    assert_string_equal(csv_table_cell(t, 1, 1), "say \"hi\"");
    assert_string_equal(csv_table_cell(t, 2, 1), "two\nlines\nhere");
    assert_loc(csv_table_loc(t, 2, 1), path, 4, 3);
    /* The field after the multi-line one starts on line 6, after `here",`. */
    assert_string_equal(csv_table_cell(t, 2, 2), "3");
    assert_loc(csv_table_loc(t, 2, 2), path, 6, 7);
    /* And the next row starts on line 7. */
    assert_string_equal(csv_table_cell(t, 3, 0), "d");
    assert_loc(csv_table_loc(t, 3, 0), path, 7, 1);
    assert_string_equal(csv_table_cell(t, 3, 1), "");
    assert_loc(csv_table_loc(t, 3, 2), path, 7, 6);
    csv_table_free(t);
}

static void test_crlf_spaces_no_final_newline(void **state)
{
    char path[PATH_BUF];
    /* Spaces are kept as is; a quoted field must start with its quote (a
     * space before it makes the quote a stray one, see test_parse_errors). */
    write_text(*state, "crlf.csv", "a,b\r\n x ,\"q\r\nr\"\r\n1,\r\n2,last", path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 3);
    assert_int_equal(csv_table_cols(t), 2);
    assert_string_equal(csv_table_header(t, 1), "b");
    assert_string_equal(csv_table_cell(t, 0, 0), " x ");
    assert_string_equal(csv_table_cell(t, 0, 1), "q\r\nr");
    assert_loc(csv_table_loc(t, 0, 1), path, 2, 5);
    assert_string_equal(csv_table_cell(t, 1, 0), "1");
    assert_loc(csv_table_loc(t, 1, 0), path, 4, 1);
    assert_string_equal(csv_table_cell(t, 1, 1), "");
    assert_loc(csv_table_loc(t, 1, 1), path, 4, 3);
    assert_string_equal(csv_table_cell(t, 2, 1), "last");
    assert_loc(csv_table_loc(t, 2, 1), path, 5, 3);
    csv_table_free(t);
}

static void test_bom_and_trailing_blank_lines(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "bom.csv", "\xEF\xBB\xBFid,v\nx,1\ny,2\n\n\r\n\n", path);
    csv_table *t = load_ok(path);
    assert_string_equal(csv_table_header(t, 0), "id");
    assert_loc(csv_table_header_loc(t, 0), path, 1, 1);
    assert_loc(csv_table_header_loc(t, 1), path, 1, 4);
    assert_int_equal(csv_table_rows(t), 2);
    assert_string_equal(csv_table_cell(t, 1, 1), "2");
    csv_table_free(t);
}

static void test_header_only_and_utf8(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "header_only.csv", "id,name\n", path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 0);
    assert_int_equal(csv_table_cols(t), 2);
    csv_table_free(t);

    write_text(*state, "utf8.csv", "id,name\nx,Zürich 北京 \xF0\x9F\x98\x80\n", path);
    t = load_ok(path);
    assert_string_equal(csv_table_cell(t, 0, 1), "Zürich 北京 \xF0\x9F\x98\x80");
    csv_table_free(t);
}

static void test_one_column_blank_line_is_empty_row(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "one_col.csv", "id\na\n\nb\n\n", path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 3);
    assert_string_equal(csv_table_cell(t, 0, 0), "a");
    assert_string_equal(csv_table_cell(t, 1, 0), "");
    assert_loc(csv_table_loc(t, 1, 0), path, 3, 1);
    assert_string_equal(csv_table_cell(t, 2, 0), "b");
    assert_loc(csv_table_loc(t, 2, 0), path, 4, 1);
    csv_table_free(t);
}

/* ---- files that cannot be read ---- */

static void test_missing_file(void **state)
{
    char path[PATH_BUF];
    path_in(*state, "does_not_exist.csv", path);
    load_fails(path, SIM_ENOENT, ": error: cannot open table: No such file or directory");
}

static void test_directory(void **state)
{
    char path[PATH_BUF];
    path_in(*state, "a_dir.csv", path);
    assert_true(mkdir(path, 0777) == 0 || errno == EEXIST);
    load_fails(path, SIM_EIO, ": error: cannot open table: Is a directory");
}

static void test_unreadable(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "unreadable.csv", "a\n1\n", path);
    assert_int_equal(chmod(path, 0), 0);
    if (geteuid() == 0 || access(path, R_OK) == 0) {
        chmod(path, 0644);
        skip(); /* root reads anything */
    }
    load_fails(path, SIM_EIO, ": error: cannot open table: Permission denied");
    chmod(path, 0644);
}

static void test_empty(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "empty.csv", "", path);
    load_fails(path, SIM_EINVAL, ": error: table is empty; expected a header row");
    write_text(*state, "bom_only.csv", "\xEF\xBB\xBF", path);
    load_fails(path, SIM_EINVAL, ": error: table is empty; expected a header row");
    write_text(*state, "blank_only.csv", "\n\r\n\n", path);
    load_fails(path, SIM_EINVAL, ": error: table is empty; expected a header row");
}

static void test_too_large(void **state)
{
    char path[PATH_BUF];
    path_in(*state, "huge.csv", path);
    /* A sparse file: no disk used, and it must be refused before reading. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)256 * 1024 * 1024 + 1), 0);
    assert_int_equal(close(fd), 0);
    load_fails(path, SIM_EINVAL,
               ": error: table is too large (268435457 bytes; the limit is 256 MiB)");
    unlink(path);
}

/* ---- content errors ---- */

static void test_ragged_rows(void **state)
{
    char path[PATH_BUF], msg[MSG_BUF], want[MSG_BUF];
    write_text(*state, "ragged.csv",
               "a,b,c,d\n"
               "1,2,3\n" /* line 2: too few */
               "1,2,3,4\n"
               "1,2,3,4,5\n"          /* line 4: too many, the fifth at col 9 */
               "\"x\ny\",2,3,4,5,6\n" /* lines 5-6: too many; the fifth field at 6:10 */
               "1\n",                 /* line 7 */
               path);
    size_t n = load_fails(path, SIM_EINVAL, ":2:1: error: row has 3 fields; the header has 4");
    assert_int_equal(n, 4);
    nth_diag(path, 1, msg);
    snprintf(want, sizeof want, "%s:4:9: error: row has 5 fields; the header has 4", path);
    assert_string_equal(msg, want);
    nth_diag(path, 2, msg);
    snprintf(want, sizeof want, "%s:6:10: error: row has 6 fields; the header has 4", path);
    assert_string_equal(msg, want);
    nth_diag(path, 3, msg);
    snprintf(want, sizeof want, "%s:7:1: error: row has 1 field; the header has 4", path);
    assert_string_equal(msg, want);
}

static void test_blank_line_in_middle(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "blank_mid.csv", "a,b\r\n1,2\r\n\r\n3,4\r\n", path);
    load_fails(path, SIM_EINVAL,
               ":3:1: error: blank line; expected a row of 2 fields like the header");
    write_text(*state, "blank_first.csv", "\na,b\n1,2\n", path);
    load_fails(path, SIM_EINVAL,
               ":1:1: error: blank line before the header row; expected the header on the first "
               "line");
}

static void test_bad_header(void **state)
{
    char path[PATH_BUF], msg[MSG_BUF], want[MSG_BUF];
    write_text(*state, "dup.csv", "id,kind,tpp,pd,tpp,,tpp\n1,2,3,4,5,6,7\n", path);
    size_t n =
        load_fails(path, SIM_EINVAL, ":1:16: error: duplicate column 'tpp' (first at column 3)");
    assert_int_equal(n, 3);
    nth_diag(path, 1, msg);
    snprintf(want, sizeof want,
             "%s:1:20: error: column 6 has an empty name; expected a name in the header", path);
    assert_string_equal(msg, want);
    nth_diag(path, 2, msg);
    snprintf(want, sizeof want, "%s:1:21: error: duplicate column 'tpp' (first at column 3)", path);
    assert_string_equal(msg, want);
}

static void test_parse_errors(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "stray_quote.csv", "a,b\n1,2\nab\"c,d\n", path);
    load_fails(path, SIM_EINVAL,
               ":3:3: error: quote inside an unquoted field; expected the whole field in "
               "quotes, with inner quotes doubled");
    write_text(*state, "space_quote.csv", "a,b\n1, \"x\"\n", path);
    load_fails(path, SIM_EINVAL,
               ":2:4: error: quote inside an unquoted field; expected the whole field in "
               "quotes, with inner quotes doubled");
    write_text(*state, "after_quote.csv", "a,b\n1,\"xy\"z\n", path);
    load_fails(path, SIM_EINVAL,
               ":2:7: error: text after a closing quote; expected ',' or the end of the line");
    write_text(*state, "unterminated.csv", "a,b\n1,2\n3,\"open\nmore\n", path);
    load_fails(path, SIM_EINVAL,
               ":3:3: error: unterminated quoted field; expected a closing quote");
}

static void test_not_text(void **state)
{
    char path[PATH_BUF];
    write_bytes(*state, "nul.csv", "a,b\n1,x\0y\n", 10, path);
    load_fails(path, SIM_EINVAL, ":2:4: error: table is not text: NUL byte; expected UTF-8 text");
    write_text(*state, "latin1.csv", "a,b\n1,Z\xFCrich\n", path);
    load_fails(path, SIM_EINVAL,
               ":2:4: error: table is not text: invalid UTF-8; expected UTF-8 text");
    write_text(*state, "overlong.csv", "a,b\n1,\xC0\xAF\n", path);
    load_fails(path, SIM_EINVAL,
               ":2:3: error: table is not text: invalid UTF-8; expected UTF-8 text");
    write_text(*state, "surrogate.csv", "a,b\n1,\xED\xA0\x80\n", path);
    load_fails(path, SIM_EINVAL,
               ":2:3: error: table is not text: invalid UTF-8; expected UTF-8 text");
    write_text(*state, "cut.csv", "a,b\n1,\xE2\x82", path);
    load_fails(path, SIM_EINVAL,
               ":2:3: error: table is not text: invalid UTF-8 (cut short at the end); expected "
               "UTF-8 text");
}

static void test_error_cap(void **state)
{
    char path[PATH_BUF], msg[MSG_BUF], want[MSG_BUF];
    char text[4096] = "a,b\n";
    for (int i = 0; i < 80; i++)
        strcat(text, "1\n");
    write_text(*state, "many_errors.csv", text, path);
    size_t n = load_fails(path, SIM_EINVAL, ":2:1: error: row has 1 field; the header has 2");
    assert_int_equal(n, CSV_TABLE_MAX_ERRORS + 1);
    nth_diag(path, CSV_TABLE_MAX_ERRORS - 1, msg);
    snprintf(want, sizeof want, "%s:51:1: error: row has 1 field; the header has 2", path);
    assert_string_equal(msg, want);
    nth_diag(path, CSV_TABLE_MAX_ERRORS, msg);
    snprintf(want, sizeof want, "%s: error: too many errors in this table; stopping", path);
    assert_string_equal(msg, want);
}

/* ---- numbers ---- */

static void test_numbers(void **state)
{
    char path[PATH_BUF];
    write_text(*state, "numbers.csv",
               "tpp\n15832\n19.45\n1e3\n-2\nabc\n1.5x\n 3\nnan\ninf\n1e999\n\n0x10\n", path);
    csv_table *t = load_ok(path);
    assert_int_equal(csv_table_rows(t), 12);
    static const double good[] = {15832, 19.45, 1e3, -2};
    for (size_t r = 0; r < 4; r++) {
        double v = 0;
        int present = -1;
        diag_list *d = diag_list_new();
        assert_true(csv_table_number(t, r, 0, d, &v, &present));
        assert_int_equal(present, 1);
        assert_true(v == good[r]);
        assert_int_equal(diag_count(d), 0);
        diag_list_free(d);
    }
    static const char *const bad[] = {"abc", "1.5x", " 3", "nan", "inf", "1e999"};
    for (size_t i = 0; i < 6; i++) {
        size_t r = 4 + i;
        double v = 42;
        int present = -1;
        diag_list *d = diag_list_new();
        assert_false(csv_table_number(t, r, 0, d, &v, &present));
        assert_int_equal(present, 1);
        assert_true(v == 42);
        assert_int_equal(diag_count(d), 1);
        char got[MSG_BUF], want[MSG_BUF];
        diag_format(d, 0, got, sizeof got);
        snprintf(want, sizeof want, "%s:%zu:1: error: column 'tpp' needs a number (got '%s')", path,
                 r + 2, bad[i]);
        assert_string_equal(got, want);
        diag_list_free(d);
    }
    /* The blank line in a one-column table is an empty cell: not given. */
    double v = 42;
    int present = -1;
    diag_list *d = diag_list_new();
    assert_false(csv_table_number(t, 10, 0, d, &v, &present));
    assert_int_equal(present, 0);
    assert_int_equal(diag_count(d), 0);
    assert_false(csv_table_number(t, 11, 0, d, &v, &present)); /* 0x10: no hex */
    assert_int_equal(present, 1);
    assert_int_equal(diag_count(d), 1);
    /* d may be NULL when only the answer matters */
    assert_false(csv_table_number(t, 4, 0, NULL, &v, &present));
    diag_list_free(d);
    csv_table_free(t);
}

/* ---- size ---- */

static void test_100k_rows(void **state)
{
    char path[PATH_BUF];
    path_in(*state, "100k.csv", path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("id,kind,owner,tpp,pd,die_mm2,unit_value_usd,source\n", f);
    for (int i = 0; i < 100000; i++)
        fprintf(f, "p%06d,accelerator,nvidia,%d,%d.25,814,25000,\"est, row %d\"\n", i, 10000 + i,
                i % 50, i);
    assert_int_equal(fclose(f), 0);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    csv_table *t = load_ok(path);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    print_message("100,000-row table (%s) loaded in %.1f ms\n", path, ms);

    assert_int_equal(csv_table_rows(t), 100000);
    assert_int_equal(csv_table_cols(t), 8);
    assert_string_equal(csv_table_cell(t, 99999, 0), "p099999");
    assert_string_equal(csv_table_cell(t, 99999, 7), "est, row 99999");
    assert_loc(csv_table_loc(t, 99999, 3), path, 100001, 28);
    double v;
    int present;
    assert_true(csv_table_number(t, 12345, 3, NULL, &v, &present));
    assert_true(v == 22345);
    csv_table_free(t);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_products),
        cmocka_unit_test(test_countries),
        cmocka_unit_test(test_dated_series),
        cmocka_unit_test(test_source_takes_rest_of_line),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_crlf_spaces_no_final_newline),
        cmocka_unit_test(test_bom_and_trailing_blank_lines),
        cmocka_unit_test(test_header_only_and_utf8),
        cmocka_unit_test(test_one_column_blank_line_is_empty_row),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_blank_line_in_middle),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_not_text),
        cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_100k_rows),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
