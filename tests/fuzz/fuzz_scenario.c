/*
 * libFuzzer target for the whole scenario loader: YAML text -> extends,
 * tables, the schema -> a world (then written back as YAML) or diagnostics.
 *
 * The scenario file is the user's main input, and the schema code is where
 * most of the loader's logic (and so most of its bugs) lives; fuzzing only the
 * YAML parser would stop at the tree. Each input is written as in.yaml into a
 * scratch folder that holds copies of the example scenarios and their data/
 * tables (FUZZ_SCENARIO_DIR), so inputs mutated from the examples keep their
 * tables and `extends` resolving and reach the deep checks. Every diagnostic is
 * printed to /dev/null (exercising the line quoting) and a loaded world is
 * written with world_write_yaml.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined by `make fuzz`; the
 * normal builds link it with replay_main.c to replay tests/fuzz/regressions/.
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "scenario.h"
#include "world_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char scratch[4096];

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[8192];
    size_t n;
    while (out && (n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    if (out)
        fclose(out);
    if (in)
        fclose(in);
}

/* Copies the regular files of folder from (one level) into folder to. */
static void copy_folder(const char *from, const char *to)
{
    DIR *dir = opendir(from);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char a[4096], b[4096];
        struct stat sb;
        snprintf(a, sizeof a, "%s/%s", from, e->d_name);
        snprintf(b, sizeof b, "%s/%s", to, e->d_name);
        if (stat(a, &sb) == 0 && S_ISREG(sb.st_mode))
            copy_file(a, b);
    }
    closedir(dir);
}

static void cleanup(void)
{
    char cmd[4200];
    if (scratch[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
        if (system(cmd) != 0)
            fprintf(stderr, "fuzz_scenario: could not remove %s\n", scratch);
    }
}

static int set_up(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(scratch, sizeof scratch, "%s/fuzz_scenario.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch))
        return -1;
    atexit(cleanup);
    char data[4200];
    snprintf(data, sizeof data, "%s/data", scratch);
    mkdir(data, 0700);
    copy_folder(FUZZ_SCENARIO_DIR, scratch);
    copy_folder(FUZZ_SCENARIO_DIR "/data", data);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    static int ready;
    if (!ready) {
        if (set_up() != 0) {
            perror("fuzz_scenario: mkdtemp");
            abort();
        }
        ready = 1;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/in.yaml", scratch);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(input, 1, size, f) != size)
        abort();
    fclose(f);

    diag_list *d = diag_list_new();
    if (!d)
        return 0;
    world *w = NULL;
    const char *sets[] = {"run.replications=3"};
    sim_status st = scenario_load(path, sets, size % 2, d, &w);
    /* The loader's promises: a world exactly when there is no error. */
    if ((st == SIM_OK) != (w != NULL) || (st == SIM_OK && diag_errors(d) != 0) ||
        (st != SIM_OK && st != SIM_ENOMEM && diag_errors(d) == 0)) {
        fprintf(stderr, "fuzz_scenario: status %d, %zu errors, world %p\n", (int)st,
                diag_errors(d), (void *)w);
        abort();
    }
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        diag_print(d, null);
        if (w)
            world_write_yaml(w, null);
        fclose(null);
    }
    world_free(w);
    diag_list_free(d);
    return 0;
}
