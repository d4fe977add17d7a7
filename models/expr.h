/*
 * Rule scope expressions: which products an export-control rule (or a patent
 * claim, a licence) covers, written over product attributes, e.g.
 *
 *   tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)
 *   kind in ['accelerator', 'hbm']        not (interconnect_gbs < 600)
 *
 * Grammar (whitespace is spaces and tabs; an expression is one line):
 *   or-expr    := and-expr ('or' and-expr)*
 *   and-expr   := not-expr ('and' not-expr)*
 *   not-expr   := 'not' not-expr | primary
 *   primary    := '(' or-expr ')' | comparison
 *   comparison := IDENT op literal | literal op IDENT
 *               | IDENT 'in' '[' literal (',' literal)* ']'
 *   op         := '>=' | '>' | '<=' | '<' | '==' | '!='
 *   literal    := NUMBER | STRING
 * IDENT is [a-z_][a-z0-9_]* other than the keywords and, or, not, in. NUMBER
 * is decimal ([-]digits[.digits][e[+-]digits]), read the same in every locale,
 * and must be finite. STRING is '...' or "..." with no escapes; each quote may
 * hold the other quote character. `literal op IDENT` is stored flipped
 * (4800 <= tpp is tpp >= 4800). Ordering a string (< <= > >=) is an error.
 * Limits, so that hostile input is an error and never a stack overflow: at
 * most EXPR_MAX_LENGTH bytes, parentheses nested at most EXPR_MAX_DEPTH deep,
 * and at most EXPR_MAX_DEPTH levels of and/or/not in the compiled tree.
 *
 * Semantics are three-valued (Kleene), so that a product lacking an attribute
 * an expression names does not match it, even under `not`: a comparison whose
 * attribute is missing, or whose value and literal differ in type (number vs
 * string), is UNKNOWN; not UNKNOWN = UNKNOWN; false and X = false; true or X =
 * true; otherwise UNKNOWN propagates; a final UNKNOWN does not match. Numbers
 * compare as doubles (a NaN attribute is UNKNOWN); strings compare only with
 * == and != (strcmp). `x in [a, b]` means exactly `x == a or x == b`.
 *
 * Ownership: a compiled expr owns copies of everything it needs (the text's
 * literals, attribute names, the file name of `at`); the caller's text and
 * `at.file` may be freed after expr_compile. An expr is immutable after
 * compiling, so several threads may evaluate one at once. No global state.
 */
#ifndef MODELS_EXPR_H
#define MODELS_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "status.h"

/* Longest accepted text, in bytes. */
#define EXPR_MAX_LENGTH 10000
/* Deepest nesting of parentheses, and of and/or/not nodes in the tree. The
 * canonical text of expr_to_text never nests deeper than the tree, so it
 * always compiles again. */
#define EXPR_MAX_DEPTH 100

typedef struct expr expr;

/* Compiles text. `at` is the file:line:col of the text's first character in
 * the scenario file; an error is reported at at.col + the byte offset of the
 * problem (col 0 stays 0: "the line as a whole"). Returns SIM_OK, SIM_EINVAL
 * with exactly one diagnostic (the first error), or SIM_ENOMEM. On error *out
 * is NULL. */
sim_status expr_compile(const char *text, src_loc at, diag_list *d, expr **out);
void expr_free(expr *e); /* NULL ok */

typedef enum { EXPR_MISSING, EXPR_NUMBER, EXPR_STRING } expr_kind;
typedef struct expr_value {
    expr_kind kind;
    double number;
    const char *string; /* borrowed; must stay valid until the lookup's caller returns */
} expr_value;

/* Looks up a product's attribute by name; sets out->kind = EXPR_MISSING when
 * the product lacks it (out arrives preset to EXPR_MISSING). */
typedef void (*expr_lookup)(void *ctx, const char *name, expr_value *out);

/* True when the product matches (the expression is TRUE, not UNKNOWN). */
bool expr_matches(const expr *e, expr_lookup lookup, void *ctx);
/* Tri-state result: 1 true, 0 false, -1 unknown. */
int expr_eval3(const expr *e, expr_lookup lookup, void *ctx);

/* The distinct attribute names the expression reads, in first-use order, with
 * the location of their first use. Names and locations live as long as e. */
size_t expr_attribute_count(const expr *e);
const char *expr_attribute_name(const expr *e, size_t i);
src_loc expr_attribute_loc(const expr *e, size_t i);

/* Writes a canonical text that compiles back to the same tree: an and/or
 * inside another and/or and the operand of 'not' parenthesised, single spaces,
 * the attribute on the left of each comparison, numbers in their shortest
 * exact form (sim_numfmt_double), single quotes unless the string holds one.
 * E.g. "tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)". It never nests deeper
 * than the tree, but spacing can make it longer than the source, so a source
 * near EXPR_MAX_LENGTH may give a text too long to compile. Returns the length
 * it needs (excluding the NUL), like snprintf; writes at most size bytes,
 * NUL-terminated when size > 0. */
size_t expr_to_text(const expr *e, char *buf, size_t size);

#endif
