/* Tests of models/yaml_tree: locations, the accepted subset, hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_tree.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

/* Parses text; returns the status and the first diagnostic's text in first. */
static sim_status load(const char *text, size_t len, char *first, size_t size, ytree **out)
{
    diag_list *d = diag_list_new();
    assert_non_null(d);
    ytree *t = NULL;
    sim_status st = ytree_load_string("s.yaml", text, len, d, &t);
    first[0] = '\0';
    if (diag_count(d) > 0)
        diag_format(d, 0, first, size);
    diag_list_free(d);
    if (out)
        *out = t;
    else
        ytree_free(t);
    return st;
}

static void expect_error(const char *text, const char *message)
{
    char first[512];
    assert_int_equal(load(text, strlen(text), first, sizeof first, NULL), SIM_EINVAL);
    assert_string_equal(first, message);
}

static void test_locations_and_values(void **state)
{
    (void)state;
    const char *text = "schema_version: 1\n"
                       "run: {start: 2023-01-01, end: \"2024\"}\n"
                       "lanes:\n"
                       "  - {from: a, to: b}\n"
                       "  - from: c\n"
                       "    to: d\n"
                       "empty:\n";
    char first[256];
    ytree *t;
    assert_int_equal(load(text, strlen(text), first, sizeof first, &t), SIM_OK);
    const ynode *root = ytree_root(t);
    assert_int_equal(root->kind, YNODE_MAP);
    assert_int_equal(root->count, 4);
    const ynode *run = ynode_get(root, "run");
    assert_int_equal(run->kind, YNODE_MAP);
    assert_int_equal(run->loc.line, 2);
    assert_int_equal(run->loc.col, 6);
    const ynode *end = ynode_get(run, "end");
    assert_string_equal(end->text, "2024");
    assert_true(end->quoted);
    /* A quoted scalar starts at its first character inside the quotes, so a
     * column within the text (an expression's) adds to it directly. */
    assert_int_equal(end->loc.col, 32);
    const ynode *start = ynode_get(run, "start");
    assert_false(start->quoted);
    assert_int_equal(ynode_key(run, "start")->loc.col, 7);
    const ynode *lanes = ynode_get(root, "lanes");
    assert_int_equal(lanes->kind, YNODE_SEQ);
    assert_int_equal(lanes->count, 2);
    const ynode *to = ynode_get(lanes->values[1], "to");
    assert_string_equal(to->text, "d");
    assert_int_equal(to->loc.line, 6);
    assert_int_equal(to->loc.col, 9);
    assert_string_equal(to->loc.file, "s.yaml");
    assert_true(ynode_is_null(ynode_get(root, "empty")));
    assert_null(ynode_get(root, "missing"));
    assert_null(ynode_get(to, "x")); /* not a mapping */
    ytree_free(t);
}

/* The shipped examples parse as they are. */
static void test_examples_parse(void **state)
{
    (void)state;
    const char *files[] = {"middle-east-2023.yaml", "middle-east-2023-no-rule.yaml",
                           "handsets-2023.yaml", "handsets-2023-no-deal.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/scenarios/%s", TEST_DATA_DIR, files[i]);
        diag_list *d = diag_list_new();
        ytree *t;
        assert_int_equal(ytree_load_file(path, d, &t), SIM_OK);
        assert_int_equal(diag_count(d), 0);
        assert_string_equal(ynode_get(ytree_root(t), "schema_version")->text, "1");
        ytree_free(t);
        diag_list_free(d);
    }
}

static void test_rejections(void **state)
{
    (void)state;
    expect_error("a: 1\na: 2\n", "s.yaml:2:1: error: duplicate key 'a' (first at line 1)");
    expect_error("x: {b: 1, c: 2, b: 3}\n",
                 "s.yaml:1:17: error: duplicate key 'b' (first at line 1)");
    expect_error("a: &x [1]\nb: *x\n", "s.yaml:1:7: error: anchors are not supported in scenario "
                                       "files; use 'extends' or a table to reuse values");
    expect_error("b: *x\n", "s.yaml:1:4: error: aliases are not supported in scenario files; use "
                            "'extends' or a table to reuse values");
    expect_error("a: !!str 1\n", "s.yaml:1:10: error: tags are not supported in scenario files; "
                                 "use 'extends' or a table to reuse values");
    expect_error("a: 1\n---\nb: 2\n",
                 "s.yaml:2:1: error: a scenario file holds one document (found a second)");
    expect_error("", "s.yaml: error: scenario file is empty");
    expect_error("# only a comment\n", "s.yaml: error: scenario file is empty");
    expect_error("? [a, b]\n: 1\n", "s.yaml:1:1: error: explicit keys ('? ') are not supported in "
                                   "scenario files; expected a plain 'key: value'");
    /* A flow mapping as a key, without '?', is still refused by the tree. */
    expect_error("{[a, b]: 1}\n", "s.yaml:1:2: error: a mapping key must be a scalar (got a "
                                "sequence)");
    expect_error("a: [1, 2\nb: 3\n",
                 "s.yaml:3:1: error: invalid YAML: flow sequence without a closing bracket");
}

static void test_binary_garbage(void **state)
{
    (void)state;
    char first[256];
    const char bin[] = {'a', ':', ' ', 0, 1, 2, '\n'};
    assert_int_equal(load(bin, sizeof bin, first, sizeof first, NULL), SIM_EINVAL);
    assert_string_equal(first, "s.yaml: error: not a text file (it holds a NUL byte)");
    /* Random bytes without NUL: an error, never a crash. */
    char junk[4096];
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof junk; i++) {
        x = x * 1103515245u + 12345u;
        junk[i] = (char)(1 + (x >> 16) % 255);
    }
    assert_int_equal(load(junk, sizeof junk, first, sizeof first, NULL), SIM_EINVAL);
}

/* 10,000 nested sequences: refused at the limit, no stack overflow. */
static void test_deep_nesting(void **state)
{
    (void)state;
    size_t n = 10000;
    char *text = malloc(2 * n + 1);
    memset(text, '[', n);
    memset(text + n, ']', n);
    text[2 * n] = '\0';
    char first[256];
    assert_int_equal(load(text, 2 * n, first, sizeof first, NULL), SIM_EINVAL);
    assert_string_equal(first, "s.yaml:1:65: error: nesting is deeper than 64 levels");
    free(text);
    /* exactly at the limit is fine */
    n = YTREE_MAX_DEPTH;
    text = malloc(2 * n + 1);
    memset(text, '[', n);
    memset(text + n, ']', n);
    assert_int_equal(load(text, 2 * n, first, sizeof first, NULL), SIM_OK);
    free(text);
}

/* The "billion laughs" shape is refused at its first anchor. */
static void test_alias_bomb(void **state)
{
    (void)state;
    const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
    char first[256];
    assert_int_equal(load(bomb, strlen(bomb), first, sizeof first, NULL), SIM_EINVAL);
    assert_non_null(strstr(first, "anchors are not supported"));
}

/* A map of 200,000 identical keys: reported without quadratic work, and the
 * node cap bounds memory for anything larger. */
static void test_many_duplicate_keys(void **state)
{
    (void)state;
    size_t n = 200000;
    char *text = malloc(n * 6 + 1);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "k: 1\n");
    diag_list *d = diag_list_new();
    ytree *t;
    assert_int_equal(ytree_load_string("s.yaml", text, len, d, &t), SIM_EINVAL);
    assert_int_equal(diag_errors(d), n - 1);
    diag_list_free(d);
    free(text);
}

static void test_node_cap(void **state)
{
    (void)state;
    size_t n = YTREE_MAX_NODES + 10;
    char *text = malloc(n * 2 + 3);
    size_t len = 0;
    text[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        text[len++] = '1';
        text[len++] = ',';
    }
    text[len - 1] = ']';
    char first[256];
    assert_int_equal(load(text, len, first, sizeof first, NULL), SIM_EINVAL);
    assert_non_null(strstr(first, "too many values in one file"));
    free(text);
}

static void test_files(void **state)
{
    (void)state;
    diag_list *d = diag_list_new();
    ytree *t;
    assert_int_equal(ytree_load_file("/nonexistent/x.yaml", d, &t), SIM_ENOENT);
    assert_int_equal(ytree_load_file("/tmp", d, &t), SIM_EIO);
    char buf[256];
    diag_format(d, 0, buf, sizeof buf);
    assert_string_equal(buf, "/nonexistent/x.yaml: error: cannot open scenario: No such file or "
                             "directory");
    diag_format(d, 1, buf, sizeof buf);
    assert_string_equal(buf, "/tmp: error: cannot open scenario: it is a directory");
    assert_null(t);
    diag_list_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locations_and_values),
        cmocka_unit_test(test_examples_parse),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_alias_bomb),
        cmocka_unit_test(test_many_duplicate_keys),
        cmocka_unit_test(test_node_cap),
        cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
