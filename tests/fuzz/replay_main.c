/*
 * Replays inputs through a libFuzzer target in builds without libFuzzer:
 * calls LLVMFuzzerTestOneInput once per file named on the command line and
 * per file found (recursively) in directories named there. ctest runs it on
 * tests/fuzz/regressions/<target>/, so every crash the fuzzers ever found is
 * re-checked by the gcc and the sanitizer builds. Exit status 1 when an input
 * cannot be read or none was found (a wrong path must not pass silently); a
 * failing input aborts the process, naming the file first.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return -1;
    }
    /* An exactly sized copy, so a sanitizer sees any read past the end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

/* Replays path (a file or a directory tree); counts inputs in *n. */
static int replay(const char *path, size_t *n)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (replay_file(path) != 0) return -1;
        ++*n;
        return 0;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        perror(path);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ., .., hidden files */
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *sub = malloc(len);
        if (!sub) {
            rc = -1;
            break;
        }
        snprintf(sub, len, "%s/%s", path, e->d_name);
        if (replay(sub, n) != 0) rc = -1;
        free(sub);
    }
    closedir(dir);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        if (replay(argv[i], &n) != 0) rc = 1;
    if (n == 0) {
        fprintf(stderr, "replay: no inputs found\n");
        return 1;
    }
    printf("replay: %zu input%s replayed\n", n, n == 1 ? "" : "s");
    return rc;
}
