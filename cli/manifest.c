/*
 * manifest.yaml (see manifest.h).
 */
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
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
    fprintf(f, "threads: %llu\nmodel_events: %llu\n", (unsigned long long)m->threads,
            (unsigned long long)m->model_events);
    fprintf(f, "seed: %llu\nreplications: %llu\nshard: '%llu/%llu'\n", (unsigned long long)m->seed,
            (unsigned long long)m->replications, (unsigned long long)m->shard,
            (unsigned long long)m->shards);
    if (m->scenario) {
        fputs("scenario: ", f);
        quoted(f, m->scenario);
        fputs("\nsets: [", f);
        for (size_t i = 0; i < m->n_sets; i++) {
            if (i) fputs(", ", f);
            quoted(f, m->sets[i]);
        }
        fprintf(f, "]\nper_replication: %s\nevents: %s\n", m->per_replication ? "true" : "false",
                m->events ? "true" : "false");
        char list[64];
        model_report_format_scopes(m->scopes ? m->scopes : MODEL_SCOPES_ALL, list, sizeof list);
        fprintf(f, "scopes: '%s'\n", list);
    }
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

/* Reads a single-quoted scalar at *p (advancing past it) into a new string. */
static char *read_quoted(const char **p)
{
    const char *s = *p;
    if (*s != '\'') return NULL;
    s++;
    size_t cap = strlen(s) + 1, n = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (;;) {
        if (*s == '\0') {
            free(out);
            return NULL;
        }
        if (*s == '\'') {
            if (s[1] == '\'') {
                out[n++] = '\'';
                s += 2;
                continue;
            }
            s++;
            break;
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
    *p = s;
    return out;
}

static bool push(char ***list, size_t *n, char *item)
{
    char **x = realloc(*list, (*n + 1) * sizeof *x);
    if (!x) return false;
    *list = x;
    x[(*n)++] = item;
    return true;
}

void cli_manifest_read_release(cli_manifest_read *m)
{
    free(m->scenario);
    for (size_t i = 0; i < m->n_sets; i++)
        free(m->sets[i]);
    free(m->sets);
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->paths[i]);
        free(m->hashes[i]);
    }
    free(m->paths);
    free(m->hashes);
    *m = (cli_manifest_read){0};
}

sim_status cli_manifest_load(const char *path, cli_manifest_read *m, char *err, size_t err_size)
{
    *m = (cli_manifest_read){0};
    m->scopes = MODEL_SCOPES_ALL;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return SIM_ENOENT;
    }
    char line[8192];
    size_t no = 0;
    bool have_seed = false, have_reps = false, have_shard = false;
    sim_status st = SIM_OK;
    while (st == SIM_OK && fgets(line, sizeof line, f)) {
        no++;
        const char *p = line;
        unsigned long long a = 0, b = 0;
        if (sscanf(line, "seed: %llu", &a) == 1) {
            m->seed = a;
            have_seed = true;
        } else if (sscanf(line, "replications: %llu", &a) == 1) {
            m->replications = a;
            have_reps = true;
        } else if (sscanf(line, "shard: '%llu/%llu'", &a, &b) == 2) {
            m->shard = a;
            m->shards = b;
            have_shard = true;
        } else if (strncmp(line, "scenario: ", 10) == 0) {
            p = line + 10;
            if (!(m->scenario = read_quoted(&p))) st = SIM_EINVAL;
        } else if (strncmp(line, "sets: [", 7) == 0) {
            p = line + 7;
            while (st == SIM_OK && *p != ']') {
                char *item = read_quoted(&p);
                if (!item || !push(&m->sets, &m->n_sets, item)) {
                    free(item);
                    st = SIM_EINVAL;
                    break;
                }
                if (*p == ',') p++;
                if (*p == ' ') p++;
            }
        } else if (strncmp(line, "per_replication: ", 17) == 0) {
            m->per_replication = strncmp(line + 17, "true", 4) == 0;
        } else if (strncmp(line, "scopes: '", 9) == 0) {
            char list[64] = "";
            if (sscanf(line + 9, "%63[a-z,]'", list) != 1 ||
                !model_report_parse_scopes(list, &m->scopes)) {
                st = SIM_EINVAL;
                break;
            }
        } else if (strncmp(line, "events: ", 8) == 0) {
            m->events = strncmp(line + 8, "true", 4) == 0;
        } else if (strncmp(line, "      - {path: ", 15) == 0) {
            p = line + 15;
            char *file = read_quoted(&p);
            char hash[65] = "";
            if (!file || sscanf(p, ", sha256: %64[0-9a-f]}", hash) != 1 ||
                !push(&m->paths, &m->n_files, file)) {
                free(file);
                st = SIM_EINVAL;
                break;
            }
            size_t n = m->n_files - 1;
            char *h = strdup(hash);
            if (!h || !push(&m->hashes, &n, h)) {
                free(h);
                st = SIM_EINVAL;
            }
        }
    }
    fclose(f);
    if (st == SIM_OK && (!have_seed || !have_reps || !have_shard || !m->scenario)) {
        snprintf(err, err_size,
                 "%s: not a shard's manifest (it needs seed, replications, shard and scenario; "
                 "written by chipsim run --shard)",
                 path);
        st = SIM_EINVAL;
    } else if (st != SIM_OK) {
        snprintf(err, err_size, "%s:%zu: cannot read this line of the manifest", path, no);
    }
    if (st != SIM_OK) cli_manifest_read_release(m);
    return st;
}
