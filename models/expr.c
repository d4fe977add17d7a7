/*
 * Rule scope expressions: a hand-written lexer and recursive-descent parser
 * that build a tree once, and a three-valued evaluator run per product.
 *
 * The tree lives in one array of nodes linked by index (first child, next
 * sibling), so and/or chains are n-ary, building never recurses deeper than
 * the parentheses, and freeing is a handful of free() calls. Evaluation and
 * printing recurse over the tree, whose depth is capped at EXPR_MAX_DEPTH.
 */
#include "expr.h"

#include <assert.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

#define NONE UINT32_MAX
/* Not <ctype.h>: its classes follow the locale, and names here must not. */
#define IS_DIGIT(c)   ((c) >= '0' && (c) <= '9')
#define IS_UPPER(c)   ((c) >= 'A' && (c) <= 'Z')
#define IS_ALPHA(c)   (((c) >= 'a' && (c) <= 'z') || (c) == '_' || IS_UPPER(c))
#define IS_WORD(c)    (IS_ALPHA(c) || IS_DIGIT(c))
#define IS_OP_CHAR(c) ((c) != '\0' && strchr("<>=!&|", (c)) != NULL)
/* At most this much of a token is quoted in a message. */
#define SHOWN(len) ((int)((len) > 40 ? 40 : (len)))

typedef enum { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ, OP_NE } cmp_op;
static const char *const op_text[] = {">=", ">", "<=", "<", "==", "!="};
/* 4800 <= tpp is tpp >= 4800. */
static const cmp_op op_flipped[] = {OP_LE, OP_LT, OP_GE, OP_GT, OP_EQ, OP_NE};

typedef enum { N_OR, N_AND, N_NOT, N_CMP, N_IN } node_kind;

typedef struct node {
    node_kind kind;
    cmp_op op;      /* N_CMP */
    uint32_t first; /* N_OR/N_AND/N_NOT: first child; N_CMP/N_IN: first literal */
    uint32_t count; /* N_IN: number of literals */
    uint32_t next;  /* next sibling under an and/or, or NONE */
    uint32_t attr;  /* N_CMP/N_IN: index into attrs */
    uint32_t depth; /* 0 for a comparison, 1 + deepest child otherwise */
} node;

typedef struct literal {
    expr_kind kind;
    double number;
    char *string;
} literal;

typedef struct attribute {
    char *name;
    src_loc loc;
} attribute;

struct expr {
    node *nodes;
    literal *lits;
    attribute *attrs;
    size_t n_nodes, cap_nodes, n_lits, cap_lits, n_attrs, cap_attrs;
    uint32_t root;
    char *file; /* copy of at.file; attrs[i].loc.file points here */
};

/* ---- lexer ---------------------------------------------------------------- */

/* A token's kind is one of these or the punctuation character itself: ( ) [ ] , */
enum { T_END, T_IDENT, T_NUMBER, T_STRING, T_OP, T_AND, T_OR, T_NOT, T_IN };

typedef struct token {
    int kind;
    size_t off, len; /* bytes of text; a string includes its quotes */
    cmp_op op;
    double number;
} token;

typedef struct parser {
    const char *text;
    size_t pos;
    token tok, prev;
    src_loc at;
    diag_list *d;
    expr *e;
    unsigned parens; /* currently open */
    bool failed, nomem;
} parser;

static uint32_t col_of(const parser *p, size_t off)
{
    if (p->at.col == 0) return 0;
    return p->at.col + (uint32_t)off; /* off <= EXPR_MAX_LENGTH */
}

/* Records the first error only: later ones are usually echoes of it. */
__attribute__((format(printf, 3, 4))) static void fail(parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = true;
    va_list ap;
    va_start(ap, fmt);
    diag_addv(p->d, DIAG_ERROR, (src_loc){p->at.file, p->at.line, col_of(p, off)}, fmt, ap);
    va_end(ap);
}

static void oom(parser *p)
{
    p->failed = p->nomem = true;
}

/* A token as messages show it: 'tpp', the string 'x', the end of the expression. */
static const char *describe(const parser *p, const token *t, char *buf, size_t size)
{
    const int n = SHOWN(t->len);
    const char *dots = t->len > 40 ? "..." : "";
    if (t->kind == T_END)
        snprintf(buf, size, "the end of the expression");
    else if (t->kind == T_STRING)
        snprintf(buf, size, "the string %.*s%s", n, p->text + t->off, dots);
    else
        snprintf(buf, size, "'%.*s%s'", n, p->text + t->off, dots);
    return buf;
}

static bool same(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* The usual slips from other languages, each with its spelling here. */
static const char *const op_slips[][2] = {
    {"=>", ">="},  {"=<", "<="}, {"=", "=="},   {"===", "=="}, {"<>", "!="}, {"=!", "!="},
    {"!==", "!="}, {"!", "not"}, {"&&", "and"}, {"&", "and"},  {"||", "or"}, {"|", "or"},
};

static void lex_op(parser *p, token *t)
{
    const char *s = p->text + t->off;
    while (IS_OP_CHAR(s[t->len]))
        t->len++;
    for (int i = 0; i < 6; i++)
        if (same(s, t->len, op_text[i])) {
            t->kind = T_OP;
            t->op = (cmp_op)i;
            return;
        }
    const int n = (int)t->len;
    for (size_t i = 0; i < sizeof op_slips / sizeof op_slips[0]; i++)
        if (same(s, t->len, op_slips[i][0])) {
            fail(p, t->off, "unknown operator '%.*s'; did you mean '%s'?", n, s, op_slips[i][1]);
            return;
        }
    fail(p, t->off, "unknown operator '%.*s' (expected >=, >, <=, <, == or !=)", n, s);
}

/* strtod honours LC_NUMERIC; scenario files do not, so '.' is swapped for the
 * locale's decimal point in a copy before reading. */
static void lex_number(parser *p, token *t)
{
    const char *s = p->text + t->off;
    size_t i = s[0] == '-' ? 1 : 0, digits = 0;
    while (IS_DIGIT(s[i]))
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (IS_DIGIT(s[i]))
            i++, digits++;
    }
    bool ok = digits > 0;
    if (ok && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1, exp_digits = 0;
        if (s[j] == '+' || s[j] == '-') j++;
        while (IS_DIGIT(s[j]))
            j++, exp_digits++;
        ok = exp_digits > 0;
        i = j;
    }
    if (!ok || IS_WORD(s[i]) || s[i] == '.') {
        while (IS_WORD(s[i]) || s[i] == '.' ||
               ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))
            i++;
        fail(p, t->off, "malformed number '%.*s'", SHOWN(i), s);
        return;
    }
    t->len = i;
    const char *dp = localeconv()->decimal_point;
    const size_t dp_len = (dp && dp[0]) ? strlen(dp) : 1;
    char *copy = malloc(i + dp_len + 1);
    if (!copy) {
        oom(p);
        return;
    }
    size_t n = 0;
    for (size_t k = 0; k < i; k++) {
        if (s[k] == '.' && dp && dp[0]) {
            memcpy(copy + n, dp, dp_len);
            n += dp_len;
        } else {
            copy[n++] = s[k];
        }
    }
    copy[n] = '\0';
    char *end = NULL;
    errno = 0;
    const double x = strtod(copy, &end);
    const bool whole = end == copy + n;
    free(copy);
    assert(whole); /* the scan above admits only what strtod reads */
    (void)whole;
    /* Underflow (1e-400) sets ERANGE too but yields a usable tiny value. */
    if (!isfinite(x)) {
        fail(p, t->off, "number '%.*s' is out of range", SHOWN(i), s);
        return;
    }
    t->kind = T_NUMBER;
    t->number = x;
}

static void lex_word(parser *p, token *t)
{
    const char *s = p->text + t->off;
    bool upper = false;
    while (IS_WORD(s[t->len])) {
        upper |= IS_UPPER(s[t->len]);
        t->len++;
    }
    const int n = (int)t->len;
    if (upper) {
        char lower[64];
        if (t->len < sizeof lower) {
            for (size_t i = 0; i < t->len; i++)
                lower[i] = IS_UPPER(s[i]) ? (char)(s[i] - 'A' + 'a') : s[i];
            lower[t->len] = '\0';
            fail(p, t->off,
                 "'%.*s' is not lower case; attribute names and keywords are (did you mean '%s'?)",
                 n, s, lower);
        } else {
            fail(p, t->off, "'%.40s...' is not lower case; attribute names and keywords are", s);
        }
        return;
    }
    static const struct {
        const char *word;
        int kind;
    } keywords[] = {{"and", T_AND}, {"or", T_OR}, {"not", T_NOT}, {"in", T_IN}};
    t->kind = T_IDENT;
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (same(s, t->len, keywords[i].word)) t->kind = keywords[i].kind;
}

/* Moves to the next token; on a lexing error records it and sets p->failed. */
static void advance(parser *p)
{
    p->prev = p->tok;
    while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t')
        p->pos++;
    token t = {.kind = T_END, .off = p->pos, .len = 1};
    const char *s = p->text + p->pos;
    const char c = s[0];
    if (c == '\0') {
        t.len = 0;
    } else if (strchr("()[],", c)) {
        t.kind = c;
    } else if (IS_OP_CHAR(c)) {
        t.len = 0;
        lex_op(p, &t);
    } else if (IS_DIGIT(c) || (c == '-' && (IS_DIGIT(s[1]) || (s[1] == '.' && IS_DIGIT(s[2])))) ||
               (c == '.' && IS_DIGIT(s[1]))) {
        lex_number(p, &t);
    } else if (IS_ALPHA(c)) {
        t.len = 0;
        lex_word(p, &t);
    } else if (c == '\'' || c == '"') {
        const char *close = strchr(s + 1, c);
        if (!close)
            fail(p, t.off, "unterminated string");
        else
            t.kind = T_STRING, t.len = (size_t)(close - s) + 1;
    } else if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f) {
        fail(p, t.off, "unexpected character '%c'", c);
    } else {
        fail(p, t.off, "unexpected byte 0x%02x", (unsigned)(unsigned char)c);
    }
    p->tok = t;
    p->pos = t.off + t.len;
}

/* advance, true when it did not fail. */
static bool next(parser *p)
{
    advance(p);
    return !p->failed;
}

/* ---- building --------------------------------------------------------------- */

/* items with room for element n (of size elem), or NULL with items untouched. */
static void *grown(void *items, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return items;
    const size_t new_cap = *cap ? *cap * 2 : 8;
    void *bigger = realloc(items, new_cap * elem);
    if (bigger) *cap = new_cap;
    return bigger;
}

static uint32_t new_node(parser *p, node_kind kind)
{
    expr *e = p->e;
    node *nodes = grown(e->nodes, &e->cap_nodes, e->n_nodes, sizeof *nodes);
    if (!nodes) {
        oom(p);
        return NONE;
    }
    e->nodes = nodes;
    e->nodes[e->n_nodes] = (node){.kind = kind, .first = NONE, .next = NONE, .attr = NONE};
    return (uint32_t)e->n_nodes++;
}

/* Depth is checked as each node is made, innermost first, at the node's text. */
static void set_depth(parser *p, uint32_t n, uint32_t child_depth, size_t off)
{
    node *x = &p->e->nodes[n];
    if (child_depth + 1 > x->depth) x->depth = child_depth + 1;
    if (x->depth > EXPR_MAX_DEPTH)
        fail(p, off, "expression nests too deeply (more than %d levels of 'and', 'or' and 'not')",
             EXPR_MAX_DEPTH);
}

static bool add_literal(parser *p, const token *t)
{
    expr *e = p->e;
    literal *lits = grown(e->lits, &e->cap_lits, e->n_lits, sizeof *lits);
    if (!lits) {
        oom(p);
        return false;
    }
    e->lits = lits;
    literal l = {.kind = t->kind == T_NUMBER ? EXPR_NUMBER : EXPR_STRING, .number = t->number};
    if (l.kind == EXPR_STRING) {
        const size_t n = t->len - 2;
        if (!(l.string = malloc(n + 1))) {
            oom(p);
            return false;
        }
        memcpy(l.string, p->text + t->off + 1, n);
        l.string[n] = '\0';
    }
    e->lits[e->n_lits++] = l;
    return true;
}

/* Index of the attribute named by token t, added on first use. */
static uint32_t attribute_of(parser *p, const token *t)
{
    expr *e = p->e;
    const char *s = p->text + t->off;
    for (size_t i = 0; i < e->n_attrs; i++)
        if (same(s, t->len, e->attrs[i].name)) return (uint32_t)i;
    attribute *attrs = grown(e->attrs, &e->cap_attrs, e->n_attrs, sizeof *attrs);
    char *name = attrs ? malloc(t->len + 1) : NULL;
    if (attrs) e->attrs = attrs;
    if (!name) {
        oom(p);
        return NONE;
    }
    memcpy(name, s, t->len);
    name[t->len] = '\0';
    e->attrs[e->n_attrs] = (attribute){name, {e->file, p->at.line, col_of(p, t->off)}};
    return (uint32_t)e->n_attrs++;
}

static bool is_literal(const token *t)
{
    return t->kind == T_NUMBER || t->kind == T_STRING;
}

/* Strings have no order here; a typo like kind < 'x' must not silently match nothing. */
static bool check_order(parser *p, cmp_op op, const token *lit)
{
    if (lit->kind != T_STRING || op == OP_EQ || op == OP_NE) return true;
    fail(p, lit->off, "'%s' compares numbers; %.*s is a string", op_text[op],
         (int)(lit->len > 40 ? 40 : lit->len), p->text + lit->off);
    return false;
}

/* ---- parser ----------------------------------------------------------------- */

static uint32_t parse_or(parser *p);

static uint32_t parse_in(parser *p, uint32_t n)
{
    char got[64], prev[64];
    if (!next(p)) return NONE;
    if (p->tok.kind != '[') {
        fail(p, p->tok.off, "expected '[' after 'in' (got %s)",
             describe(p, &p->tok, got, sizeof got));
        return NONE;
    }
    p->e->nodes[n].kind = N_IN;
    p->e->nodes[n].first = (uint32_t)p->e->n_lits;
    for (;;) {
        if (!next(p)) return NONE;
        if (!is_literal(&p->tok)) {
            fail(p, p->tok.off,
                 "expected a number or a quoted string after %s in the list (got %s)",
                 describe(p, &p->prev, prev, sizeof prev), describe(p, &p->tok, got, sizeof got));
            return NONE;
        }
        if (!add_literal(p, &p->tok)) return NONE;
        p->e->nodes[n].count++;
        if (!next(p)) return NONE;
        if (p->tok.kind == ']') break;
        if (p->tok.kind != ',') {
            fail(p, p->tok.off, "expected ',' or ']' after %s in the list (got %s)",
                 describe(p, &p->prev, prev, sizeof prev), describe(p, &p->tok, got, sizeof got));
            return NONE;
        }
    }
    advance(p);
    return p->failed ? NONE : n;
}

/* IDENT op literal | literal op IDENT | IDENT in [...]; p->tok is the first token. */
static uint32_t parse_comparison(parser *p)
{
    char got[64], prev[64];
    const token first = p->tok;
    const uint32_t n = new_node(p, N_CMP);
    if (n == NONE) return NONE;
    if (!next(p)) return NONE;
    if (first.kind == T_IDENT && p->tok.kind == T_IN) {
        if ((p->e->nodes[n].attr = attribute_of(p, &first)) == NONE) return NONE;
        return parse_in(p, n);
    }
    if (p->tok.kind != T_OP) {
        fail(p, p->tok.off, "expected a comparison operator%s after %s (got %s)",
             first.kind == T_IDENT ? " or 'in'" : "", describe(p, &first, prev, sizeof prev),
             describe(p, &p->tok, got, sizeof got));
        return NONE;
    }
    const token op = p->tok;
    if (!next(p)) return NONE;
    const token second = p->tok;
    const token *ident = first.kind == T_IDENT ? &first : &second;
    const token *lit = first.kind == T_IDENT ? &second : &first;
    if (first.kind == T_IDENT && !is_literal(&second)) {
        fail(p, second.off, "expected a number or a quoted string after '%s' (got %s)",
             op_text[op.op], describe(p, &second, got, sizeof got));
        return NONE;
    }
    if (first.kind != T_IDENT && second.kind != T_IDENT) {
        fail(p, second.off, "expected an attribute name after '%s' (got %s)", op_text[op.op],
             describe(p, &second, got, sizeof got));
        return NONE;
    }
    if (!check_order(p, op.op, lit)) return NONE;
    node *x = &p->e->nodes[n];
    x->op = first.kind == T_IDENT ? op.op : op_flipped[op.op];
    x->first = (uint32_t)p->e->n_lits;
    x->count = 1;
    if (!add_literal(p, lit)) return NONE;
    if ((p->e->nodes[n].attr = attribute_of(p, ident)) == NONE) return NONE;
    advance(p);
    return p->failed ? NONE : n;
}

static uint32_t parse_primary(parser *p)
{
    char got[64], prev[64];
    const token t = p->tok;
    if (t.kind == '(') {
        if (p->parens >= EXPR_MAX_DEPTH) {
            fail(p, t.off, "parentheses nest too deeply (more than %d levels)", EXPR_MAX_DEPTH);
            return NONE;
        }
        p->parens++;
        if (!next(p)) return NONE;
        const uint32_t inner = parse_or(p);
        if (p->failed) return NONE;
        if (p->tok.kind != ')') {
            fail(p, p->tok.off,
                 "expected 'and', 'or' or ')' to close the '(' at column %u (got %s)",
                 (unsigned)col_of(p, t.off), describe(p, &p->tok, got, sizeof got));
            return NONE;
        }
        p->parens--;
        advance(p);
        return p->failed ? NONE : inner;
    }
    if (t.kind == T_IDENT || is_literal(&t)) return parse_comparison(p);
    if (t.kind == ')')
        fail(p, t.off, "unexpected ')'");
    else if (t.kind == T_END && p->prev.kind == T_END)
        fail(p, t.off, "empty expression");
    else if (p->prev.kind == T_END)
        fail(p, t.off, "expected a comparison, 'not' or '(' (got %s)",
             describe(p, &t, got, sizeof got));
    else
        fail(p, t.off, "expected a comparison, 'not' or '(' after %s (got %s)",
             describe(p, &p->prev, prev, sizeof prev), describe(p, &t, got, sizeof got));
    return NONE;
}

/* Iterative, so a run of thousands of 'not's cannot exhaust the stack; the
 * NOT nodes are made first (consecutive indices) and linked once the operand
 * is known, innermost first, so the depth check points at the right 'not'. */
static uint32_t parse_not(parser *p)
{
    const uint32_t outer = (uint32_t)p->e->n_nodes;
    uint32_t nots = 0;
    while (p->tok.kind == T_NOT) {
        const uint32_t n = new_node(p, N_NOT);
        if (n == NONE) return NONE;
        p->e->nodes[n].attr = (uint32_t)p->tok.off; /* where this 'not' is, until linked */
        nots++;
        if (!next(p)) return NONE;
    }
    uint32_t child = parse_primary(p);
    for (uint32_t k = nots; k-- > 0 && !p->failed;) {
        node *x = &p->e->nodes[outer + k];
        const size_t off = x->attr;
        x->attr = NONE;
        x->first = child;
        set_depth(p, outer + k, p->e->nodes[child].depth, off);
        child = outer + k;
    }
    return p->failed ? NONE : child;
}

/* and-expr and or-expr: one n-ary node for a whole chain. */
static uint32_t parse_chain(parser *p, node_kind kind)
{
    const int sep = kind == N_OR ? T_OR : T_AND;
    const size_t off = p->tok.off;
    uint32_t first = kind == N_OR ? parse_chain(p, N_AND) : parse_not(p);
    if (p->failed || p->tok.kind != sep) return p->failed ? NONE : first;
    const uint32_t n = new_node(p, kind);
    if (n == NONE) return NONE;
    p->e->nodes[n].first = first;
    set_depth(p, n, p->e->nodes[first].depth, off);
    uint32_t last = first;
    while (!p->failed && p->tok.kind == sep) {
        if (!next(p)) return NONE;
        const uint32_t next = kind == N_OR ? parse_chain(p, N_AND) : parse_not(p);
        if (p->failed) return NONE;
        p->e->nodes[last].next = next;
        last = next;
        set_depth(p, n, p->e->nodes[next].depth, off);
    }
    return p->failed ? NONE : n;
}

static uint32_t parse_or(parser *p)
{
    return parse_chain(p, N_OR);
}

sim_status expr_compile(const char *text, src_loc at, diag_list *d, expr **out)
{
    assert(text && d && out);
    *out = NULL;
    expr *e = calloc(1, sizeof *e);
    if (!e) return SIM_ENOMEM;
    if (at.file) {
        const size_t n = strlen(at.file) + 1;
        if (!(e->file = malloc(n))) {
            free(e);
            return SIM_ENOMEM;
        }
        memcpy(e->file, at.file, n);
    }
    parser p = {
        .text = text, .at = at, .d = d, .e = e, .tok = {.kind = T_END}, .prev = {.kind = T_END}};
    const size_t len = strlen(text);
    if (len > EXPR_MAX_LENGTH) {
        fail(&p, 0, "expression is too long (%zu bytes; at most %d)", len, EXPR_MAX_LENGTH);
    } else {
        advance(&p); /* p.prev stays T_END: nothing before the first token */
        if (!p.failed) e->root = parse_or(&p);
        char got[64];
        if (!p.failed && p.tok.kind == ')')
            fail(&p, p.tok.off, "unexpected ')'");
        else if (!p.failed && p.tok.kind != T_END)
            fail(&p, p.tok.off, "expected 'and', 'or' or the end of the expression (got %s)",
                 describe(&p, &p.tok, got, sizeof got));
    }
    if (p.failed) {
        expr_free(e);
        return p.nomem ? SIM_ENOMEM : SIM_EINVAL;
    }
    *out = e;
    return SIM_OK;
}

void expr_free(expr *e)
{
    if (!e) return;
    for (size_t i = 0; i < e->n_lits; i++)
        free(e->lits[i].string);
    for (size_t i = 0; i < e->n_attrs; i++)
        free(e->attrs[i].name);
    free(e->nodes);
    free(e->lits);
    free(e->attrs);
    free(e->file);
    free(e);
}

/* ---- evaluation ------------------------------------------------------------- */

enum { F = 0, T = 1, U = -1 };

/* One `attribute op literal`, three-valued. */
static int compare(cmp_op op, const expr_value *v, const literal *l)
{
    if (v->kind == EXPR_MISSING || v->kind != l->kind) return U;
    if (v->kind == EXPR_STRING) {
        assert(v->string);
        const bool eq = strcmp(v->string, l->string) == 0;
        assert(op == OP_EQ || op == OP_NE); /* compile rejects ordered strings */
        return (op == OP_EQ) == eq ? T : F;
    }
    const double a = v->number, b = l->number;
    if (isnan(a)) return U;
    const bool by_op[] = {a >= b, a > b, a <= b, a < b, a == b, a != b}; /* cmp_op order */
    return by_op[op] ? T : F;
}

static int eval(const expr *e, uint32_t n, expr_lookup lookup, void *ctx)
{
    const node *x = &e->nodes[n];
    switch (x->kind) {
    case N_CMP:
    case N_IN: {
        expr_value v = {.kind = EXPR_MISSING};
        lookup(ctx, e->attrs[x->attr].name, &v);
        /* x in [a, b] is x == a or x == b: true on any match, else unknown on any type clash. */
        int r = F;
        for (uint32_t i = 0; i < x->count && r != T; i++) {
            const int c = compare(x->kind == N_IN ? OP_EQ : x->op, &v, &e->lits[x->first + i]);
            if (c == T || r == F) r = c;
        }
        return r;
    }
    case N_NOT: {
        const int r = eval(e, x->first, lookup, ctx);
        return r == U ? U : !r;
    }
    case N_AND:
    case N_OR: {
        /* The dominant value (false for and, true for or) settles it at once. */
        const int dominant = x->kind == N_AND ? F : T;
        int r = !dominant;
        for (uint32_t c = x->first; c != NONE; c = e->nodes[c].next) {
            const int v = eval(e, c, lookup, ctx);
            if (v == dominant) return dominant;
            if (v == U) r = U;
        }
        return r;
    }
    }
    return U;
}

int expr_eval3(const expr *e, expr_lookup lookup, void *ctx)
{
    assert(e && lookup);
    return eval(e, e->root, lookup, ctx);
}

bool expr_matches(const expr *e, expr_lookup lookup, void *ctx)
{
    return expr_eval3(e, lookup, ctx) == T;
}

size_t expr_attribute_count(const expr *e)
{
    return e->n_attrs;
}

const char *expr_attribute_name(const expr *e, size_t i)
{
    assert(i < e->n_attrs);
    return e->attrs[i].name;
}

src_loc expr_attribute_loc(const expr *e, size_t i)
{
    assert(i < e->n_attrs);
    return e->attrs[i].loc;
}

/* ---- canonical text ----------------------------------------------------------- */

typedef struct writer {
    char *buf;
    size_t size, n; /* n counts every byte asked for, written or not */
} writer;

static void put(writer *w, const char *s, size_t len)
{
    if (w->n < w->size) {
        const size_t room = w->size - w->n;
        memcpy(w->buf + w->n, s, len < room ? len : room);
    }
    w->n += len;
}

static void puts_(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_literal(writer *w, const literal *l)
{
    if (l->kind == EXPR_NUMBER) {
        char num[SIM_NUMFMT_BUFSIZE];
        put(w, num, sim_numfmt_double(num, l->number));
        return;
    }
    /* A string never holds both quotes: its own quote ended it when compiled. */
    const char *q = strchr(l->string, '\'') ? "\"" : "'";
    puts_(w, q);
    puts_(w, l->string);
    puts_(w, q);
}

static void emit(const expr *e, uint32_t n, writer *w)
{
    const node *x = &e->nodes[n];
    switch (x->kind) {
    case N_CMP:
    case N_IN:
        puts_(w, e->attrs[x->attr].name);
        if (x->kind == N_CMP) {
            puts_(w, " ");
            puts_(w, op_text[x->op]);
            puts_(w, " ");
            put_literal(w, &e->lits[x->first]);
            return;
        }
        puts_(w, " in [");
        for (uint32_t i = 0; i < x->count; i++) {
            if (i) puts_(w, ", ");
            put_literal(w, &e->lits[x->first + i]);
        }
        puts_(w, "]");
        return;
    case N_NOT:
        puts_(w, "not (");
        emit(e, x->first, w);
        puts_(w, ")");
        return;
    case N_AND:
    case N_OR:
        /* Comparisons and 'not' bind tighter than and/or, so only a nested
         * and/or needs parentheses (always added, though 'and' in 'or' would
         * not need them, so that a reader never has to recall precedence). */
        for (uint32_t c = x->first; c != NONE; c = e->nodes[c].next) {
            const bool group = e->nodes[c].kind == N_AND || e->nodes[c].kind == N_OR;
            if (c != x->first) puts_(w, x->kind == N_AND ? " and " : " or ");
            if (group) puts_(w, "(");
            emit(e, c, w);
            if (group) puts_(w, ")");
        }
        return;
    }
}

size_t expr_to_text(const expr *e, char *buf, size_t size)
{
    assert(e && (buf || size == 0));
    writer w = {buf, size, 0};
    emit(e, e->root, &w);
    if (size > 0) buf[w.n < size ? w.n : size - 1] = '\0';
    return w.n;
}
