/*
 * manifest.yaml (see manifest.h).
 */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"

#ifndef CHIPSIM_VERSION
#define CHIPSIM_VERSION "0.0.0"
#endif

/* A YAML single-quoted scalar: any text, '' for a quote. */
static void quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        if (*s == '\n' || *s == '\r' || *s == '\t') {
            fputc(' ', f); /* a line break would fold; arguments rarely hold one */
            continue;
        }
        fputc(*s, f);
    }
    fputc('\'', f);
}

sim_status cli_manifest_write(const cli_manifest *m, FILE *f, char *err, size_t err_size)
{
    char when[32];
    struct tm tm;
    gmtime_r(&m->started, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "# Written by chipsim: what produced the results in this folder.\n");
    fprintf(f, "program: chipsim\nversion: '%s'\n", CHIPSIM_VERSION);
    fputs("command: [chipsim", f);
    for (int i = 0; i < m->argc; i++) {
        fputs(", ", f);
        quoted(f, m->argv[i]);
    }
    fputs("]\n", f);
    fprintf(f, "started: '%s'\nwall_seconds: %.3f\n", when, m->wall_seconds);
    fprintf(f, "seed: %llu\nreplications: %llu\nshard: '%llu/%llu'\n", (unsigned long long)m->seed,
            (unsigned long long)m->replications, (unsigned long long)m->shard,
            (unsigned long long)m->shards);
    fputs("scenarios:\n", f);
    for (size_t k = 0; k < m->n_worlds; k++) {
        const world *w = m->worlds[k];
        fputs("  - name: ", f);
        quoted(f, w->name ? w->name : "");
        fputs("\n    files:\n", f);
        for (size_t i = 0; i < w->n_files; i++) {
            char hex[65];
            if (sim_sha256_file(w->files[i], hex) != SIM_OK) {
                snprintf(err, err_size, "cannot read '%s' again to hash it: %s", w->files[i],
                         strerror(errno));
                return SIM_EIO;
            }
            fputs("      - {path: ", f);
            quoted(f, w->files[i]);
            fprintf(f, ", sha256: %s}\n", hex);
        }
    }
    return ferror(f) ? SIM_EIO : SIM_OK;
}
