/*
 * Test helper: a scratch folder for tests that write files. It is
 * $CHIPSIM_TEST_TMPDIR (made if missing; CTest sets one per test), or else a
 * fresh mkdtemp under /tmp that is removed at the end when empty. Use
 * scratch_setup/scratch_teardown as the cmocka group fixtures and path_in to
 * name files inside the folder.
 */
#ifndef TESTS_SCRATCH_H
#define TESTS_SCRATCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- scratch folder: $CHIPSIM_TEST_TMPDIR (made if missing) or a mkdtemp ---- */

#define PATH_BUF 1024

typedef struct fixture {
    char dir[PATH_BUF];
    bool remove_dir; /* we made it, so we remove it */
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
    if (fx == NULL) return -1;
    const char *env = getenv("CHIPSIM_TEST_TMPDIR");
    if (env != NULL && env[0] != '\0') {
        struct stat st;
        fx->remove_dir = stat(env, &st) != 0;
        if (snprintf(fx->dir, sizeof fx->dir, "%s", env) >= (int)sizeof fx->dir ||
            mkdir_p(env) != 0) {
            free(fx);
            return -1;
        }
    } else {
        snprintf(fx->dir, sizeof fx->dir, "/tmp/chipsim_test.XXXXXX");
        if (mkdtemp(fx->dir) == NULL) {
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
    if (fx->remove_dir) rmdir(fx->dir); /* fails, harmlessly, if a test left something to look at */
    free(fx);
    return 0;
}

static void path_in(const fixture *fx, const char *name, char out[PATH_BUF])
{
    const int n = snprintf(out, PATH_BUF, "%s/%s", fx->dir, name);
    assert_true(n > 0 && n < PATH_BUF);
}

#endif
