/* Tests of models/diag: recording, formatting, and quoting the source line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

static void test_format_forms(void **state)
{
    (void)state;
    diag_list *d = diag_list_new();
    assert_non_null(d);
    char buf[256];
    diag_add(d, DIAG_ERROR, (src_loc){"s.yaml", 41, 17}, "unknown site '%s'", "tsmc_f18");
    diag_add(d, DIAG_WARNING, (src_loc){"s.yaml", 3, 0}, "no product has attribute 'tpd'");
    diag_add(d, DIAG_ERROR, (src_loc){"t.csv", 0, 0}, "table is empty");
    diag_add(d, DIAG_ERROR, (src_loc){NULL, 0, 0}, "--set needs PATH=VALUE");
    assert_int_equal(diag_count(d), 4);
    assert_int_equal(diag_errors(d), 3);
    diag_format(d, 0, buf, sizeof buf);
    assert_string_equal(buf, "s.yaml:41:17: error: unknown site 'tsmc_f18'");
    diag_format(d, 1, buf, sizeof buf);
    assert_string_equal(buf, "s.yaml:3: warning: no product has attribute 'tpd'");
    diag_format(d, 2, buf, sizeof buf);
    assert_string_equal(buf, "t.csv: error: table is empty");
    diag_format(d, 3, buf, sizeof buf);
    assert_string_equal(buf, "error: --set needs PATH=VALUE");
    assert_null(diag_at(d, 4));
    assert_int_equal(diag_at(d, 0)->line, 41);
    assert_false(diag_oom(d));
    diag_list_free(d);
    diag_list_free(NULL);
}

/* The list keeps its own copy of the file name. */
static void test_copies_strings(void **state)
{
    (void)state;
    diag_list *d = diag_list_new();
    char name[] = "a.yaml";
    diag_add(d, DIAG_ERROR, (src_loc){name, 1, 1}, "x");
    name[0] = 'b';
    assert_string_equal(diag_at(d, 0)->file, "a.yaml");
    diag_list_free(d);
}

static void test_print_quotes_line_with_caret(void **state)
{
    (void)state;
    char path[] = "/tmp/test_diag_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("first: 1\n  - {from: tsmc_f18, to: x}\n\tthird\n", f);
    fclose(f);
    diag_list *d = diag_list_new();
    diag_add(d, DIAG_ERROR, (src_loc){path, 2, 12}, "unknown site 'tsmc_f18'");
    diag_add(d, DIAG_ERROR, (src_loc){path, 3, 2}, "tab");
    diag_add(d, DIAG_ERROR, (src_loc){path, 9, 1}, "past the end: no quote");
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    diag_print(d, m);
    fclose(m);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s:2:12: error: unknown site 'tsmc_f18'\n"
             "     2 |   - {from: tsmc_f18, to: x}\n"
             "       |            ^\n"
             "%s:3:2: error: tab\n"
             "     3 | ?third\n"
             "       |  ^\n"
             "%s:9:1: error: past the end: no quote\n",
             path, path, path);
    assert_string_equal(out, expected);
    free(out);
    diag_list_free(d);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_forms),
        cmocka_unit_test(test_copies_strings),
        cmocka_unit_test(test_print_quotes_line_with_caret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
