/* Rule scope expressions: the Oct 2022 and Oct 2023 rules over the example
 * products, three-valued logic, every compile error with its exact column,
 * the limits, the canonical text round trip, and the attribute list. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

/* From examples/data/products.csv and handsets-2023.yaml; NAN marks a missing number. */
typedef struct product {
    const char *id, *kind;
    double tpp, pd, interconnect_gbs;
} product;

static const product products[] = {
    {"h100_sxm", "accelerator", 15832, 19.45, 900},
    {"h800_sxm", "accelerator", 15832, 19.45, 400},
    {"a100", "accelerator", 4992, 6.04, 600},
    {"a800", "accelerator", 4992, 6.04, 400},
    {"h20", "accelerator", 2368, 2.91, 900},
    {"ascend_910b", "accelerator", 5120, 7.69, NAN},
    {"gh100_die", "die", NAN, NAN, NAN},
    {"hbm3_stack", "hbm", NAN, NAN, NAN},
    {"mate60_pro", "handset", NAN, NAN, NAN},
};
#define N_PRODUCTS (sizeof products / sizeof products[0])

static void number_or_missing(double x, expr_value *out)
{
    if (!isnan(x)) {
        out->kind = EXPR_NUMBER;
        out->number = x;
    }
}

static void lookup(void *ctx, const char *name, expr_value *out)
{
    const product *p = ctx;
    assert_int_equal(out->kind, EXPR_MISSING);
    if (strcmp(name, "id") == 0) {
        out->kind = EXPR_STRING;
        out->string = p->id;
    } else if (strcmp(name, "kind") == 0) {
        out->kind = EXPR_STRING;
        out->string = p->kind;
    } else if (strcmp(name, "tpp") == 0) {
        number_or_missing(p->tpp, out);
    } else if (strcmp(name, "pd") == 0) {
        number_or_missing(p->pd, out);
    } else if (strcmp(name, "interconnect_gbs") == 0) {
        number_or_missing(p->interconnect_gbs, out);
    }
}

static const src_loc AT = {"s.yaml", 41, 17};

static expr *compile_ok(const char *text)
{
    diag_list *d = diag_list_new();
    assert_non_null(d);
    expr *e = NULL;
    const sim_status s = expr_compile(text, AT, d, &e);
    if (s != SIM_OK) {
        char msg[512] = "";
        if (diag_count(d) > 0) diag_format(d, 0, msg, sizeof msg);
        fail_msg("'%s' did not compile: %s", text, msg);
    }
    assert_int_equal(diag_count(d), 0);
    assert_non_null(e);
    diag_list_free(d);
    return e;
}

/* The ids that match, space-separated, in table order. */
static void matching(const expr *e, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < N_PRODUCTS; i++)
        if (expr_matches(e, lookup, (void *)&products[i])) {
            if (buf[0]) strncat(buf, " ", size - strlen(buf) - 1);
            strncat(buf, products[i].id, size - strlen(buf) - 1);
        }
}

static void check_matches(const char *text, const char *expect)
{
    expr *e = compile_ok(text);
    char got[512];
    matching(e, got, sizeof got);
    if (strcmp(got, expect) != 0) fail_msg("'%s' matches [%s], expected [%s]", text, got, expect);
    expr_free(e);
}

static void check_error(const char *text, const char *expect)
{
    diag_list *d = diag_list_new();
    assert_non_null(d);
    expr *e = (expr *)&e; /* must be overwritten with NULL */
    assert_int_equal(expr_compile(text, AT, d, &e), SIM_EINVAL);
    assert_null(e);
    assert_int_equal(diag_count(d), 1);
    assert_int_equal(diag_errors(d), 1);
    char msg[512];
    diag_format(d, 0, msg, sizeof msg);
    if (strcmp(msg, expect) != 0) fail_msg("'%s' gave\n  %s\nexpected\n  %s", text, msg, expect);
    diag_list_free(d);
}

static void test_oct_2022_rule(void **state)
{
    (void)state;
    /* ascend_910b lacks interconnect_gbs: unknown, so no match. */
    check_matches("tpp >= 4800 and interconnect_gbs >= 600", "h100_sxm a100");
}

static void test_oct_2023_rule(void **state)
{
    (void)state;
    /* h20: pd 2.91 < 5.92; gh100_die has no tpp. */
    check_matches("tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)",
                  "h100_sxm h800_sxm a100 a800 ascend_910b");
}

static void test_strings(void **state)
{
    (void)state;
    check_matches("kind == 'handset'", "mate60_pro");
    check_matches("kind == \"handset\"", "mate60_pro");
    check_matches("kind in ['die', 'hbm']", "gh100_die hbm3_stack");
    check_matches("kind in ['die']", "gh100_die");
    check_matches("kind != 'accelerator'", "gh100_die hbm3_stack mate60_pro");
    check_matches("kind != 'accelerator' and kind != 'die'", "hbm3_stack mate60_pro");
    check_matches("id in [\"a100\", 'h20']", "a100 h20");
    check_matches("kind == \"it's\"", "");
}

static void test_three_valued(void **state)
{
    (void)state;
    /* Products without tpp match neither a comparison nor its negation. */
    check_matches("not (tpp >= 4800)", "h20");
    check_matches("not not (tpp >= 4800)", "h100_sxm h800_sxm a100 a800 ascend_910b");
    check_matches("not (interconnect_gbs < 600)", "h100_sxm a100 h20");
    /* false and unknown = false; true or unknown = true. */
    check_matches("not (kind == 'die' and tpp > 0)",
                  "h100_sxm h800_sxm a100 a800 h20 ascend_910b hbm3_stack mate60_pro");
    check_matches("kind == 'die' or tpp > 0",
                  "h100_sxm h800_sxm a100 a800 h20 ascend_910b gh100_die");
    /* Type clashes are unknown, both ways round. */
    check_matches("kind == 5", "");
    check_matches("not (kind == 5)", "");
    check_matches("tpp != 'x'", "");
    check_matches("not (tpp == 'x')", "");
    /* in is an or of ==: a clash is unknown unless another item matches. */
    check_matches("kind in [1, 'die']", "gh100_die");
    check_matches("not (kind in [1, 'die'])", "");
    check_matches("not (kind in ['x', 'die'])",
                  "h100_sxm h800_sxm a100 a800 h20 ascend_910b hbm3_stack mate60_pro");
    check_matches("unknown_attr == 1 or not (unknown_attr == 1)", "");

    expr *e = compile_ok("tpp >= 4800");
    assert_int_equal(expr_eval3(e, lookup, (void *)&products[0]), 1);
    assert_int_equal(expr_eval3(e, lookup, (void *)&products[4]), 0);
    assert_int_equal(expr_eval3(e, lookup, (void *)&products[6]), -1);
    expr_free(e);
}

static void test_precedence(void **state)
{
    (void)state;
    /* a or b and c is a or (b and c), not (a or b) and c. */
    check_matches("kind == 'handset' or tpp >= 4800 and pd < 7", "a100 a800 mate60_pro");
    check_matches("(kind == 'handset' or tpp >= 4800) and pd < 7", "a100 a800");
    check_matches("tpp >= 4800 and pd < 7 or kind == 'handset'", "a100 a800 mate60_pro");
    /* not binds tighter than and. */
    check_matches("not tpp >= 4800 and pd > 1", "h20");
    check_matches("not kind == 'accelerator' and not kind == 'die'", "hbm3_stack mate60_pro");
}

static void test_flipped_and_numbers(void **state)
{
    (void)state;
    check_matches("4800 <= tpp", "h100_sxm h800_sxm a100 a800 ascend_910b");
    check_matches("4992 == tpp", "a100 a800");
    check_matches("5000 > tpp", "a100 a800 h20");
    check_matches("'handset' == kind", "mate60_pro");
    check_matches("'accelerator' != kind", "gh100_die hbm3_stack mate60_pro");
    check_matches("tpp>=4.8e3\tand\tinterconnect_gbs>=6E+2", "h100_sxm a100");
    check_matches("tpp > -1 and pd >= .5 and pd < 6.05", "a100 a800 h20");
    check_matches("tpp in [4992, 2368.0]", "a100 a800 h20");
    check_matches("((((tpp >= 15832))))", "h100_sxm h800_sxm");
    check_matches("  tpp < 3000  ", "h20");
    check_matches("tpp >= 1e-400", "h100_sxm h800_sxm a100 a800 h20 ascend_910b");
}

static void test_errors(void **state)
{
    (void)state;
    /* Column = 17 + byte offset of the problem. */
    check_error("tpp >= and", "s.yaml:41:24: error: expected a number or a quoted string after "
                              "'>=' (got 'and')");
    check_error("tpp >= 4800)", "s.yaml:41:28: error: unexpected ')'");
    check_error("(tpp >= 4800 and ())", "s.yaml:41:35: error: unexpected ')'");
    check_error("kind == 'handset", "s.yaml:41:25: error: unterminated string");
    check_error("tpp => 4800", "s.yaml:41:21: error: unknown operator '=>'; did you mean '>='?");
    check_error("tpp =< 4800", "s.yaml:41:21: error: unknown operator '=<'; did you mean '<='?");
    check_error("kind = 'die'", "s.yaml:41:22: error: unknown operator '='; did you mean '=='?");
    check_error("kind <> 'die'", "s.yaml:41:22: error: unknown operator '<>'; did you mean '!='?");
    check_error("a > 1 && b > 2",
                "s.yaml:41:23: error: unknown operator '&&'; did you mean 'and'?");
    check_error("!(a > 1)", "s.yaml:41:17: error: unknown operator '!'; did you mean 'not'?");
    check_error("a >>= 1", "s.yaml:41:19: error: unknown operator '>>=' (expected >=, >, <=, <, "
                           "== or !=)");
    check_error("tpp >= 4800 tpp", "s.yaml:41:29: error: expected 'and', 'or' or the end of the "
                                   "expression (got 'tpp')");
    check_error("", "s.yaml:41:17: error: empty expression");
    check_error(" \t ", "s.yaml:41:20: error: empty expression");
    check_error("kind < 'handset'",
                "s.yaml:41:24: error: '<' compares numbers; 'handset' is a string");
    check_error("\"handset\" >= kind",
                "s.yaml:41:17: error: '>=' compares numbers; \"handset\" is a "
                "string");
    check_error("tpp >= 4800 and", "s.yaml:41:32: error: expected a comparison, 'not' or '(' after "
                                   "'and' (got the end of the expression)");
    check_error("and tpp > 1",
                "s.yaml:41:17: error: expected a comparison, 'not' or '(' (got 'and')");
    check_error("not", "s.yaml:41:20: error: expected a comparison, 'not' or '(' after 'not' (got "
                       "the end of the expression)");
    check_error("(tpp >= 4800", "s.yaml:41:29: error: expected 'and', 'or' or ')' to close the '(' "
                                "at column 17 (got the end of the expression)");
    check_error("tpp 4800",
                "s.yaml:41:21: error: expected a comparison operator or 'in' after 'tpp' "
                "(got '4800')");
    check_error("4800 tpp", "s.yaml:41:22: error: expected a comparison operator after '4800' (got "
                            "'tpp')");
    check_error("tpp >= pd", "s.yaml:41:24: error: expected a number or a quoted string after '>=' "
                             "(got 'pd')");
    check_error("4800 <= 5000", "s.yaml:41:25: error: expected an attribute name after '<=' (got "
                                "'5000')");
    check_error("kind == 'a' == 'b'", "s.yaml:41:29: error: expected 'and', 'or' or the end of the "
                                      "expression (got '==')");
    check_error("kind in 'die'", "s.yaml:41:25: error: expected '[' after 'in' (got the string "
                                 "'die')");
    check_error("kind in []", "s.yaml:41:26: error: expected a number or a quoted string after '[' "
                              "in the list (got ']')");
    check_error("kind in ['a',]", "s.yaml:41:30: error: expected a number or a quoted string after "
                                  "',' in the list (got ']')");
    check_error("kind in ['a' 'b']",
                "s.yaml:41:30: error: expected ',' or ']' after the string 'a' "
                "in the list (got the string 'b')");
    check_error("kind in ['a'", "s.yaml:41:29: error: expected ',' or ']' after the string 'a' in "
                                "the list (got the end of the expression)");
    check_error("TPP >= 4800", "s.yaml:41:17: error: 'TPP' is not lower case; attribute names and "
                               "keywords are (did you mean 'tpp'?)");
    check_error("tpp >= 4800 AND pd > 1", "s.yaml:41:29: error: 'AND' is not lower case; attribute "
                                          "names and keywords are (did you mean 'and'?)");
    check_error("tpp >= 48x0", "s.yaml:41:24: error: malformed number '48x0'");
    check_error("tpp >= 1.2.3", "s.yaml:41:24: error: malformed number '1.2.3'");
    check_error("tpp >= 1e", "s.yaml:41:24: error: malformed number '1e'");
    check_error("tpp >= 0x10", "s.yaml:41:24: error: malformed number '0x10'");
    check_error("tpp >= 1e999", "s.yaml:41:24: error: number '1e999' is out of range");
    check_error("tpp >= -1e999", "s.yaml:41:24: error: number '-1e999' is out of range");
    check_error("tpp >= 4800 # cut", "s.yaml:41:29: error: unexpected character '#'");
    check_error("tpp >= - 1", "s.yaml:41:24: error: unexpected character '-'");
    check_error("tpp >= 1\n", "s.yaml:41:25: error: unexpected byte 0x0a");
    check_error("in >= 1", "s.yaml:41:17: error: expected a comparison, 'not' or '(' (got 'in')");
    check_error("not >= 1", "s.yaml:41:21: error: expected a comparison, 'not' or '(' after 'not' "
                            "(got '>=')");
    /* Only the first error is reported. */
    check_error("tpp => 1 and pd =< 2 )", "s.yaml:41:21: error: unknown operator '=>'; did you "
                                          "mean '>='?");
}

static void test_error_col_zero_and_no_file(void **state)
{
    (void)state;
    diag_list *d = diag_list_new();
    assert_non_null(d);
    expr *e = NULL;
    assert_int_equal(expr_compile("tpp >", (src_loc){NULL, 0, 0}, d, &e), SIM_EINVAL);
    assert_null(e);
    char msg[256];
    diag_format(d, 0, msg, sizeof msg);
    assert_string_equal(msg, "error: expected a number or a quoted string after '>' (got the end "
                             "of the expression)");
    assert_int_equal(expr_compile("tpp >>", (src_loc){"f.yaml", 3, 0}, d, &e), SIM_EINVAL);
    diag_format(d, 1, msg, sizeof msg);
    assert_string_equal(msg,
                        "f.yaml:3: error: unknown operator '>>' (expected >=, >, <=, <, == or !=)");
    diag_list_free(d);
}

/* Builds prefix + n copies of `open` + middle + n copies of `close`. */
static char *repeat(int n, const char *open, const char *middle, const char *close)
{
    const size_t len = (size_t)n * (strlen(open) + strlen(close)) + strlen(middle) + 1;
    char *s = malloc(len);
    assert_non_null(s);
    s[0] = '\0';
    for (int i = 0; i < n; i++)
        strcat(s, open);
    strcat(s, middle);
    for (int i = 0; i < n; i++)
        strcat(s, close);
    return s;
}

static void check_round_trip(const char *text);

static void test_limits(void **state)
{
    (void)state;
    char *s = repeat(EXPR_MAX_DEPTH, "(", "tpp >= 4800", ")");
    check_matches(s, "h100_sxm h800_sxm a100 a800 ascend_910b");
    free(s);
    /* The 101st '(' is at offset 100. */
    s = repeat(EXPR_MAX_DEPTH + 1, "(", "tpp >= 4800", ")");
    check_error(s, "s.yaml:41:117: error: parentheses nest too deeply (more than 100 levels)");
    free(s);
    /* A hostile run of parentheses fails at the limit, without deep recursion. */
    s = repeat(5000, "(", "", "");
    check_error(s, "s.yaml:41:117: error: parentheses nest too deeply (more than 100 levels)");
    free(s);

    /* An even number of nots: the same products as no not at all. */
    s = repeat(EXPR_MAX_DEPTH, "not ", "tpp >= 4800", "");
    check_matches(s, "h100_sxm h800_sxm a100 a800 ascend_910b");
    check_round_trip(s);
    free(s);
    /* The innermost 'not' over the limit is the first one, at offset 0. */
    s = repeat(EXPR_MAX_DEPTH + 1, "not ", "tpp >= 4800", "");
    check_error(s, "s.yaml:41:17: error: expression nests too deeply (more than 100 levels of "
                   "'and', 'or' and 'not')");
    free(s);
    s = repeat(2000, "not ", "tpp >= 4800", "");
    /* the 101st not from the inside, index 1899 */
    check_error(s, "s.yaml:41:7613: error: expression nests too deeply (more than 100 levels of "
                   "'and', 'or' and 'not')");
    free(s);

    /* and/or alternating through parentheses: each level adds an and and an or. */
    s = repeat(50, "a > 1 or b > 1 and (", "c > 1", ")");
    check_round_trip(s);
    free(s);
    s = repeat(51, "a > 1 or b > 1 and (", "c > 1", ")");
    diag_list *d = diag_list_new();
    expr *e = NULL;
    assert_int_equal(expr_compile(s, AT, d, &e), SIM_EINVAL);
    char msg[256];
    diag_format(d, 0, msg, sizeof msg);
    assert_non_null(strstr(msg, "error: expression nests too deeply"));
    diag_list_free(d);
    free(s);

    /* A long flat chain is fine: and/or chains are one node. */
    s = repeat(EXPR_MAX_LENGTH / 12 - 1, "tpp > 0 and ", "pd > 0", "");
    assert_true(strlen(s) <= EXPR_MAX_LENGTH);
    check_matches(s, "h100_sxm h800_sxm a100 a800 h20 ascend_910b");
    check_round_trip(s);
    free(s);

    s = malloc(EXPR_MAX_LENGTH + 2);
    assert_non_null(s);
    memset(s, ' ', EXPR_MAX_LENGTH + 1);
    memcpy(s, "tpp > 0", 7);
    s[EXPR_MAX_LENGTH + 1] = '\0';
    check_error(s, "s.yaml:41:17: error: expression is too long (10001 bytes; at most 10000)");
    s[EXPR_MAX_LENGTH] = '\0';
    check_matches(s, "h100_sxm h800_sxm a100 a800 h20 ascend_910b");
    free(s);
}

static char *to_text(const expr *e)
{
    const size_t n = expr_to_text(e, NULL, 0);
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    assert_int_equal(expr_to_text(e, buf, n + 1), n);
    assert_int_equal(strlen(buf), n);
    return buf;
}

/* compile -> text -> compile matches the same products, and the text is a fixed point. */
static void check_round_trip(const char *text)
{
    expr *a = compile_ok(text);
    char *ta = to_text(a);
    expr *b = compile_ok(ta);
    char *tb = to_text(b);
    assert_string_equal(ta, tb);
    for (size_t i = 0; i < N_PRODUCTS; i++)
        assert_int_equal(expr_eval3(a, lookup, (void *)&products[i]),
                         expr_eval3(b, lookup, (void *)&products[i]));
    assert_int_equal(expr_attribute_count(a), expr_attribute_count(b));
    for (size_t i = 0; i < expr_attribute_count(a); i++)
        assert_string_equal(expr_attribute_name(a, i), expr_attribute_name(b, i));
    free(ta);
    free(tb);
    expr_free(a);
    expr_free(b);
}

static void check_text(const char *text, const char *expect)
{
    expr *e = compile_ok(text);
    char *t = to_text(e);
    assert_string_equal(t, expect);
    free(t);
    expr_free(e);
    check_round_trip(text);
}

static void test_canonical_text(void **state)
{
    (void)state;
    check_text("tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)",
               "tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)");
    check_text("tpp>=4800 or tpp>=1600 and(pd>=5.92)",
               "tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)");
    check_text("tpp >= 4800 and interconnect_gbs >= 600",
               "tpp >= 4800 and interconnect_gbs >= 600");
    check_text("not a > 1 and not (b > 1 or c > 1)", "not (a > 1) and not (b > 1 or c > 1)");
    check_text("4800 <= tpp", "tpp >= 4800");
    check_text("4800 < tpp", "tpp > 4800");
    check_text("4800 > tpp", "tpp < 4800");
    check_text("'x' != kind", "kind != 'x'");
    check_text("kind == \"it's\"", "kind == \"it's\"");
    check_text("kind == '\"q\"'", "kind == '\"q\"'");
    check_text("kind in [\"die\",'hbm' , 3]", "kind in ['die', 'hbm', 3]");
    check_text("not not (interconnect_gbs < 600)", "not (not (interconnect_gbs < 600))");
    check_text("((a == 0.1))", "a == 0.1");
    check_text("a == -0.000001 or b == 1e300 or c == 4800.0",
               "a == -1e-06 or b == 1e+300 or c == 4800");
    check_text("(a > 1 and b > 2) and c > 3", "(a > 1 and b > 2) and c > 3");

    /* Truncation behaves like snprintf. */
    expr *e = compile_ok("tpp >= 4800");
    char small[5] = "xxxx";
    assert_int_equal(expr_to_text(e, small, sizeof small), 11);
    assert_string_equal(small, "tpp ");
    assert_int_equal(expr_to_text(e, small, 1), 11);
    assert_string_equal(small, "");
    expr_free(e);

    check_round_trip("kind == 'handset' or tpp >= 4800 and pd < 7");
    check_round_trip("not (kind in [1, 'die']) or not tpp > 3 and (pd < 1 or pd > 2)");
}

static void test_attributes(void **state)
{
    (void)state;
    expr *e = compile_ok("tpp >= 4800 or (tpp >= 1600 and pd >= 5.92) or 1 < interconnect_gbs");
    assert_int_equal(expr_attribute_count(e), 3);
    assert_string_equal(expr_attribute_name(e, 0), "tpp");
    assert_string_equal(expr_attribute_name(e, 1), "pd");
    assert_string_equal(expr_attribute_name(e, 2), "interconnect_gbs");
    const uint32_t cols[] = {17, 49, 68};
    for (size_t i = 0; i < 3; i++) {
        const src_loc l = expr_attribute_loc(e, i);
        assert_string_equal(l.file, "s.yaml");
        assert_int_equal(l.line, 41);
        assert_int_equal(l.col, cols[i]);
    }
    expr_free(e);

    /* The location's file is the expr's own copy. */
    char file[] = "tmp.yaml";
    diag_list *d = diag_list_new();
    assert_int_equal(expr_compile("kind in ['x']", (src_loc){file, 2, 5}, d, &e), SIM_OK);
    file[0] = 'X';
    assert_string_equal(expr_attribute_loc(e, 0).file, "tmp.yaml");
    assert_int_equal(expr_attribute_loc(e, 0).col, 5);
    expr_free(e);
    diag_list_free(d);
    expr_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oct_2022_rule), cmocka_unit_test(test_oct_2023_rule),
        cmocka_unit_test(test_strings),       cmocka_unit_test(test_three_valued),
        cmocka_unit_test(test_precedence),    cmocka_unit_test(test_flipped_and_numbers),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_error_col_zero_and_no_file),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_canonical_text),
        cmocka_unit_test(test_attributes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
