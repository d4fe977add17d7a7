/*
 * manifest.yaml: what a result folder needs to be reproduced — the program
 * version, the command line, every scenario file read with its SHA-256, the
 * resolved seed and replications, the shard, the start time and wall time.
 */
#ifndef CLI_MANIFEST_H
#define CLI_MANIFEST_H

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
} cli_manifest;

/* Writes manifest.yaml into the temporary f (committed by the caller with
 * the other files). SIM_EIO when a scenario file cannot be read again. */
sim_status cli_manifest_write(const cli_manifest *m, FILE *out, char *err, size_t err_size);

#endif
