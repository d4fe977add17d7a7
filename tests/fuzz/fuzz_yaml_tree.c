/*
 * libFuzzer target for models/yaml_tree: scenario YAML text -> located tree.
 *
 * Scenario files come from users and from whoever they got them from, so the
 * parser must meet any byte string with either a tree or diagnostics: never a
 * crash, a leak, an unbounded allocation or unbounded time (yaml_tree.h lists
 * the limits it promises). Each input is loaded from memory, its diagnostics
 * are formatted into /dev/null (diag_print), a loaded tree is walked to check
 * the header's promises, and everything is freed so LeakSanitizer sees leaks.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by `make fuzz`; the
 * normal builds link it with replay_main.c to replay tests/fuzz/regressions/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "yaml_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() so both libFuzzer and the replay test report the input. */
static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_yaml_tree: broken promise: %s\n", what);
        abort();
    }
}

/* Every node as yaml_tree.h describes it: located, scalars NUL-free text of
 * len bytes, mapping keys scalars. Depth is at most YTREE_MAX_DEPTH. The one
 * exception to "located": libfyaml gives an empty value (`a:`, `{a}`, an
 * empty document) no mark, so such a plain empty scalar sits at line 0. */
static void walk(const ynode *n, int depth)
{
    check(n != NULL, "a NULL node");
    check(depth <= YTREE_MAX_DEPTH + 1, "nesting deeper than YTREE_MAX_DEPTH");
    check(n->loc.file != NULL, "a node without a file");
    if (n->loc.line == 0)
        check(n->loc.col == 0 && n->kind == YNODE_SCALAR && n->len == 0 && !n->quoted,
              "a node without location that is not an empty value");
    else
        check(n->loc.col >= 1, "a node with a line but no column");
    switch (n->kind) {
    case YNODE_SCALAR:
        check(n->text != NULL && strlen(n->text) == n->len, "scalar text and len disagree");
        (void)ynode_is_null(n);
        break;
    case YNODE_MAP:
        for (size_t i = 0; i < n->count; i++) {
            check(n->keys[i]->kind == YNODE_SCALAR, "a non-scalar key in a loaded tree");
            check(ynode_key(n, n->keys[i]->text) != NULL, "a key ynode_key cannot find");
            walk(n->keys[i], depth + 1);
            walk(n->values[i], depth + 1);
        }
        break;
    case YNODE_SEQ:
        for (size_t i = 0; i < n->count; i++)
            walk(n->values[i], depth + 1);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (!devnull && !(devnull = fopen("/dev/null", "w"))) abort();

    diag_list *d = diag_list_new();
    if (!d) return 0;
    ytree *t = NULL;
    /* The name does not exist as a file: diag_print shows no source line. */
    sim_status st = ytree_load_string("fuzz.yaml", (const char *)data, size, d, &t);
    if (st == SIM_OK) {
        check(t != NULL && ytree_root(t) != NULL, "SIM_OK without a tree");
        check(diag_errors(d) == 0, "SIM_OK with errors");
        walk(ytree_root(t), 1);
    } else {
        check(t == NULL, "a tree returned with an error");
        check(st == SIM_ENOMEM || diag_errors(d) > 0, "an error without a diagnostic");
    }
    diag_print(d, devnull);
    ytree_free(t);
    diag_list_free(d);
    return 0;
}
