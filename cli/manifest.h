/*
 * manifest.yaml: what a result folder needs to be reproduced — the program
 * version, the command line, every scenario file read with its SHA-256, the
 * resolved seed and replications, the shard, the start time and wall time.
 */
#ifndef CLI_MANIFEST_H
#define CLI_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "atomic_file.h"
#include "status.h"
#include "world.h"

typedef struct cli_manifest {
    int argc;
    char **argv;                /* the command line, argv[0] = the command name */
    const world *const *worlds; /* the scenarios run (their files are hashed) */
    size_t n_worlds;
    uint64_t seed, replications;
    uint64_t shard, shards; /* this run is shard `shard` of `shards` (1 of 1: all) */
    time_t started;
    double wall_seconds;
    uint64_t threads;      /* per process */
    uint64_t model_events; /* events dispatched, summed over replications */
    unsigned scopes;       /* MODEL_SCOPE_* bits of the report; 0 means all */
    /* What `merge` needs to rebuild the report of a shard: the scenario as
     * given, the overrides, and the optional outputs (NULL scenario: left
     * out). */
    const char *scenario;
    const char *const *sets;
    size_t n_sets;
    bool per_replication, events;
} cli_manifest;

/* What merge reads back from a shard's manifest.yaml (our own format, read
 * line by line). Strings are owned by the struct: release with
 * cli_manifest_read_release. */
typedef struct cli_manifest_read {
    char *scenario;
    char **sets;
    size_t n_sets;
    uint64_t seed, replications, shard, shards;
    bool per_replication, events;
    unsigned scopes;        /* all (MODEL_SCOPES_ALL) when the manifest has no scopes line */
    char **paths, **hashes; /* files and their SHA-256 */
    size_t n_files;
} cli_manifest_read;

/* SIM_OK, SIM_ENOENT (no manifest), or SIM_EINVAL with a message naming the
 * line. */
sim_status cli_manifest_load(const char *path, cli_manifest_read *out, char *err, size_t err_size);
void cli_manifest_read_release(cli_manifest_read *m);

/* Writes manifest.yaml into the temporary f (committed by the caller with
 * the other files). SIM_EIO when a scenario file cannot be read again. */
sim_status cli_manifest_write(const cli_manifest *m, FILE *out, char *err, size_t err_size);

#endif
