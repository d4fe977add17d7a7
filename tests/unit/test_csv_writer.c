/* CSV writer: exact bytes, a round trip through libcsv's parser, unquoted
 * numbers, sticky errors, and the atomic-file guarantees seen through it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csv.h>

#include "csv_writer.h"

#include "scratch.h"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* How many temporaries of target `base` are in the scratch folder. */
static int temps_of(const fixture *fx, const char *base)
{
    char prefix[PATH_BUF];
    snprintf(prefix, sizeof prefix, ".%s.tmp.", base);
    DIR *d = opendir(fx->dir);
    assert_non_null(d);
    int count = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d))
        count += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return count;
}

/* The whole file, which must be shorter than size. */
static size_t read_all(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    const size_t n = fread(buf, 1, size, fp);
    assert_true(n < size);
    fclose(fp);
    return n;
}

/* ---- tests ---- */

static void test_exact_bytes(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "csv_exact.csv", path);
    sim_csv *w = NULL;
    char err[256] = "";
    assert_int_equal(sim_csv_open(&w, path, err, sizeof err), SIM_OK);

    static const char *const names[] = {"a", "b", "c"};
    assert_int_equal(sim_csv_header(w, names, 3), SIM_OK);
    assert_int_equal(sim_csv_text(w, "x,y"), SIM_OK);
    assert_int_equal(sim_csv_number(w, 1.5), SIM_OK);
    assert_int_equal(sim_csv_date(w, sim_date_from_ymd(2023, 8, 31)), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    assert_int_equal(sim_csv_text(w, "say \"hi\""), SIM_OK);
    assert_int_equal(sim_csv_integer(w, -7), SIM_OK);
    assert_int_equal(sim_csv_empty(w), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    assert_int_equal(sim_csv_number(w, 42.0), SIM_OK);
    assert_int_equal(sim_csv_text(w, ""), SIM_OK);
    assert_int_equal(sim_csv_number(w, -0.0), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    /* Numbers are never quoted, whatever they print as. */
    assert_int_equal(sim_csv_number(w, NAN), SIM_OK);
    assert_int_equal(sim_csv_number(w, -INFINITY), SIM_OK);
    assert_int_equal(sim_csv_number(w, 1e300), SIM_OK);
    assert_int_equal(sim_csv_integer(w, INT64_MIN), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    /* Only , " CR LF force quotes; spaces and other bytes go as they are. */
    assert_int_equal(sim_csv_text(w, " a b "), SIM_OK);
    assert_int_equal(sim_csv_text_n(w, "cut here", 3), SIM_OK);
    assert_int_equal(sim_csv_text(w, "l1\nl2"), SIM_OK);
    assert_int_equal(sim_csv_text(w, "cr\r"), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    assert_false(exists(path));
    assert_int_equal(sim_csv_commit(w, err, sizeof err), SIM_OK);
    assert_int_equal(temps_of(fx, "csv_exact.csv"), 0);

    static const char expect[] = "a,b,c\n"
                                 "\"x,y\",1.5,2023-08-31\n"
                                 "\"say \"\"hi\"\"\",-7,\n"
                                 "42,,0\n"
                                 "NaN,-Inf,1e+300,-9223372036854775808\n"
                                 " a b ,cut,\"l1\nl2\",\"cr\r\"\n";
    char buf[512];
    const size_t n = read_all(path, buf, sizeof buf);
    assert_int_equal(n, sizeof expect - 1);
    assert_memory_equal(buf, expect, n);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(unlink(path), 0);
}

/* What libcsv's parser hands back: fields as (bytes, length), with row ends. */
#define MAX_FIELDS 64

typedef struct parsed {
    char *field[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    int row_of[MAX_FIELDS];
    size_t count;
    int rows;
} parsed;

static void on_field(void *s, size_t len, void *data)
{
    parsed *p = data;
    assert_true(p->count < MAX_FIELDS);
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    if (len > 0) memcpy(copy, s, len);
    copy[len] = '\0';
    p->field[p->count] = copy;
    p->len[p->count] = len;
    p->row_of[p->count] = p->rows;
    p->count++;
}

static void on_row(int c, void *data)
{
    (void)c;
    ((parsed *)data)->rows++;
}

static void parse_file(const char *path, parsed *out)
{
    char buf[4096];
    const size_t n = read_all(path, buf, sizeof buf);
    struct csv_parser cp;
    assert_int_equal(csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI), 0);
    assert_int_equal(csv_parse(&cp, buf, n, on_field, on_row, out), n);
    assert_int_equal(csv_fini(&cp, on_field, on_row, out), 0);
    csv_free(&cp);
}

static void parsed_release(parsed *p)
{
    for (size_t i = 0; i < p->count; i++)
        free(p->field[i]);
}

/* Rows written into memory writers and appended in order give the bytes of
 * writing them straight to the file: quoting, numbers, an empty slice, a
 * slice of more than the buffer's first 1 MiB, memory into memory; an
 * aborted memory writer leaves nothing (ASan checks it frees all). */
static void write_rows_into(sim_csv *w, int from, int to)
{
    for (int i = from; i < to; i++) {
        assert_int_equal(sim_csv_text(w, i % 7 ? "plain" : "a,\"q\""), SIM_OK);
        assert_int_equal(sim_csv_number(w, i * 0.1), SIM_OK);
        assert_int_equal(sim_csv_integer(w, i), SIM_OK);
        assert_int_equal(sim_csv_empty(w), SIM_OK);
        assert_int_equal(sim_csv_end_row(w), SIM_OK);
    }
}

static void test_memory_append(void **state)
{
    const fixture *fx = *state;
    char direct[PATH_BUF], pieced[PATH_BUF], err[256] = "";
    path_in(fx, "csv_direct.csv", direct);
    path_in(fx, "csv_pieced.csv", pieced);
    static const char *const names[] = {"t", "x", "i", "e"};
    enum { ROWS = 120000 }; /* about 2.4 MB: the memory buffer grows past its first 1 MiB */
    sim_csv *w = NULL;
    assert_int_equal(sim_csv_open(&w, direct, err, sizeof err), SIM_OK);
    assert_int_equal(sim_csv_header(w, names, 4), SIM_OK);
    write_rows_into(w, 0, ROWS);
    assert_int_equal(sim_csv_commit(w, err, sizeof err), SIM_OK);

    sim_csv *a = NULL, *b = NULL, *c = NULL, *empty = NULL, *dropped = NULL;
    assert_int_equal(sim_csv_open(&w, pieced, err, sizeof err), SIM_OK);
    assert_int_equal(sim_csv_header(w, names, 4), SIM_OK);
    assert_int_equal(sim_csv_open_memory(&a), SIM_OK);
    assert_int_equal(sim_csv_open_memory(&b), SIM_OK);
    assert_int_equal(sim_csv_open_memory(&c), SIM_OK);
    assert_int_equal(sim_csv_open_memory(&empty), SIM_OK);
    assert_int_equal(sim_csv_open_memory(&dropped), SIM_OK);
    write_rows_into(a, 10, 100);
    write_rows_into(b, 100, ROWS - 5);
    write_rows_into(c, ROWS - 5, ROWS);
    write_rows_into(dropped, 0, 1000);
    sim_csv_abort(dropped);
    write_rows_into(w, 0, 10);
    assert_int_equal(sim_csv_append(b, c), SIM_OK); /* memory into memory */
    assert_int_equal(sim_csv_append(w, a), SIM_OK);
    assert_int_equal(sim_csv_append(w, empty), SIM_OK);
    assert_int_equal(sim_csv_append(w, b), SIM_OK);
    assert_int_equal(sim_csv_commit(w, err, sizeof err), SIM_OK);

    static char x[4 << 20], y[4 << 20];
    size_t nx = read_all(direct, x, sizeof x), ny = read_all(pieced, y, sizeof y);
    assert_true(nx > 2000000);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
}

static void test_round_trip_through_libcsv(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "csv_roundtrip.csv", path);

    static const char *const texts[] = {
        "plain", "a,b", "he said \"no\"", "cr\rhere", "lf\nhere",  "crlf\r\nhere", "",
        "\"",    ",",   "\"\"",           "a b",      "trailing,", "\n",           "ünïcode, too",
    };
    const size_t n_texts = sizeof texts / sizeof texts[0];
    const double numbers[] = {0.1, 1.0 / 3.0, 1e300, 5e-324, -2.5, 42.0, -0.0, 123456.789};
    const size_t n_numbers = sizeof numbers / sizeof numbers[0];
    const sim_date dates[] = {sim_date_from_ymd(1, 1, 1), sim_date_from_ymd(2024, 2, 29),
                              sim_date_from_ymd(9999, 12, 31)};

    sim_csv *w = NULL;
    assert_int_equal(sim_csv_open(&w, path, NULL, 0), SIM_OK);
    for (size_t i = 0; i < n_texts; i++)
        assert_int_equal(sim_csv_text(w, texts[i]), SIM_OK);
    assert_int_equal(sim_csv_empty(w), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    for (size_t i = 0; i < n_numbers; i++)
        assert_int_equal(sim_csv_number(w, numbers[i]), SIM_OK);
    assert_int_equal(sim_csv_integer(w, INT64_MAX), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(sim_csv_date(w, dates[i]), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    assert_int_equal(sim_csv_commit(w, NULL, 0), SIM_OK);

    parsed p = {0};
    parse_file(path, &p);
    assert_int_equal(p.rows, 3);
    assert_int_equal(p.count, n_texts + 1 + n_numbers + 1 + 3);
    size_t k = 0;
    for (size_t i = 0; i < n_texts; i++, k++) {
        assert_int_equal(p.row_of[k], 0);
        assert_int_equal(p.len[k], strlen(texts[i]));
        assert_memory_equal(p.field[k], texts[i], p.len[k]);
    }
    assert_int_equal(p.len[k++], 0);
    for (size_t i = 0; i < n_numbers; i++, k++) {
        assert_int_equal(p.row_of[k], 1);
        assert_null(strchr(p.field[k], '"'));
        char *end = NULL;
        const double back = strtod(p.field[k], &end);
        assert_true(*end == '\0' && back == numbers[i]);
    }
    assert_string_equal(p.field[k++], "9223372036854775807");
    for (size_t i = 0; i < 3; i++, k++) {
        assert_int_equal(p.row_of[k], 2);
        sim_date d = 0;
        assert_int_equal(sim_date_parse(p.field[k], p.len[k], &d), SIM_OK);
        assert_int_equal(d, dates[i]);
    }
    parsed_release(&p);
    assert_int_equal(unlink(path), 0);
}

static void test_open_failure(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "csv_no_such_dir/out.csv", path);
    sim_csv *w = NULL;
    char err[PATH_BUF + 64] = "";
    assert_int_equal(sim_csv_open(&w, path, err, sizeof err), SIM_ECANTCREATE);
    assert_null(w);
    assert_non_null(strstr(err, path));
    assert_int_equal(strncmp(err, "cannot create ", 14), 0);

    /* A folder we may not write to; root may write anywhere, so not as root. */
    if (geteuid() != 0) {
        char ro[PATH_BUF], inside[PATH_BUF];
        path_in(fx, "csv_read_only", ro);
        path_in(fx, "csv_read_only/out.csv", inside);
        assert_int_equal(mkdir(ro, 0555), 0);
        assert_int_equal(sim_csv_open(&w, inside, err, sizeof err), SIM_ECANTCREATE);
        assert_null(w);
        assert_non_null(strstr(err, inside));
        assert_non_null(strstr(err, strerror(EACCES)));
        assert_int_equal(rmdir(ro), 0);
    }
}

static void test_abort_leaves_nothing(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "csv_abort.csv", path);
    sim_csv *w = NULL;
    assert_int_equal(sim_csv_open(&w, path, NULL, 0), SIM_OK);
    assert_int_equal(sim_csv_text(w, "x"), SIM_OK);
    assert_int_equal(temps_of(fx, "csv_abort.csv"), 1);
    sim_csv_abort(w);
    assert_false(exists(path));
    assert_int_equal(temps_of(fx, "csv_abort.csv"), 0);
    sim_csv_abort(NULL);
}

/* The first failed write sticks: in a child limited to a small file size, write
 * until a call fails, then every call and the commit return that status, and
 * neither the target nor a temporary is left. */
static void test_sticky_error(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "csv_sticky.csv", path);
    fflush(NULL); /* the child must not replay our buffered output */
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of being killed */
        const struct rlimit small = {.rlim_cur = 4096, .rlim_max = 4096};
        if (setrlimit(RLIMIT_FSIZE, &small) != 0) _exit(2);
        sim_csv *w = NULL;
        if (sim_csv_open(&w, path, NULL, 0) != SIM_OK) _exit(3);
        sim_status st = SIM_OK;
        for (int i = 0; i < 100000 && st == SIM_OK; i++) {
            st = sim_csv_text(w, "some text, quoted");
            if (st == SIM_OK) st = sim_csv_integer(w, i);
            if (st == SIM_OK) st = sim_csv_end_row(w);
        }
        if (st != SIM_EIO) _exit(4);
        static const char *const names[] = {"a"};
        if (sim_csv_text(w, "x") != SIM_EIO || sim_csv_number(w, 1.0) != SIM_EIO ||
            sim_csv_integer(w, 1) != SIM_EIO || sim_csv_date(w, 0) != SIM_EIO ||
            sim_csv_empty(w) != SIM_EIO || sim_csv_end_row(w) != SIM_EIO ||
            sim_csv_header(w, names, 1) != SIM_EIO)
            _exit(5);
        char err[PATH_BUF + 64] = "";
        if (sim_csv_commit(w, err, sizeof err) != SIM_EIO) _exit(6);
        if (strstr(err, path) == NULL || strstr(err, strerror(EFBIG)) == NULL) _exit(7);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(exists(path));
    assert_int_equal(temps_of(fx, "csv_sticky.csv"), 0);
}

/* A commit that cannot rename into place (the target is a non-empty folder). */
static void test_commit_failure(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF], inner[PATH_BUF];
    path_in(fx, "csv_is_a_dir", path);
    path_in(fx, "csv_is_a_dir/keep", inner);
    assert_int_equal(mkdir(path, 0777), 0);
    FILE *fp = fopen(inner, "w");
    assert_non_null(fp);
    assert_int_equal(fclose(fp), 0);

    sim_csv *w = NULL;
    char err[3 * PATH_BUF] = "";
    assert_int_equal(sim_csv_open(&w, path, err, sizeof err), SIM_OK);
    assert_int_equal(sim_csv_text(w, "x"), SIM_OK);
    assert_int_equal(sim_csv_end_row(w), SIM_OK);
    assert_int_equal(sim_csv_commit(w, err, sizeof err), SIM_EIO);
    assert_non_null(strstr(err, path));
    assert_int_equal(unlink(inner), 0);
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(temps_of(fx, "csv_is_a_dir"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_bytes),   cmocka_unit_test(test_round_trip_through_libcsv),
        cmocka_unit_test(test_open_failure),  cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_sticky_error),  cmocka_unit_test(test_commit_failure),
        cmocka_unit_test(test_memory_append),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
