/*
 * MPI glue (see mpi.h).
 */
#include "mpi.h"

#include <stdlib.h>
#include <string.h>

#ifdef CHIPSIM_MPI
#include <mpi.h>

static bool active; /* MPI_Init was called: mpirun started us */

void cli_mpi_init(int *argc, char ***argv)
{
    /* Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE; PMI launchers set
     * PMI_SIZE. Without either we are a plain process. */
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE")) return;
    if (MPI_Init(argc, argv) == MPI_SUCCESS) active = true;
}

void cli_mpi_finalize(void)
{
    if (active) MPI_Finalize();
    active = false;
}

int cli_mpi_rank(void)
{
    int r = 0;
    if (active) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int cli_mpi_size(void)
{
    int n = 1;
    if (active) MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

bool cli_mpi_gather(const void *mine, size_t bytes, void **all, size_t *all_bytes)
{
    *all = NULL;
    *all_bytes = 0;
    if (!active) {
        *all = malloc(bytes ? bytes : 1);
        if (!*all) return false;
        if (bytes) memcpy(*all, mine, bytes);
        *all_bytes = bytes;
        return true;
    }
    int size = cli_mpi_size(), rank = cli_mpi_rank();
    /* Sizes first (as 64-bit), then the bytes one rank at a time, so no
     * count has to fit an int. */
    unsigned long long my = bytes, *sizes = rank == 0 ? calloc((size_t)size, sizeof *sizes) : NULL;
    if (rank == 0 && !sizes) return false;
    if (MPI_Gather(&my, 1, MPI_UNSIGNED_LONG_LONG, sizes, 1, MPI_UNSIGNED_LONG_LONG, 0,
                   MPI_COMM_WORLD) != MPI_SUCCESS) {
        free(sizes);
        return false;
    }
    const size_t chunk = (size_t)1 << 30;
    if (rank != 0) {
        const char *p = mine;
        for (size_t off = 0; off < bytes; off += chunk) {
            size_t n = bytes - off < chunk ? bytes - off : chunk;
            if (MPI_Send(p + off, (int)n, MPI_BYTE, 0, 7, MPI_COMM_WORLD) != MPI_SUCCESS)
                return false;
        }
        return true;
    }
    size_t total = 0;
    for (int i = 0; i < size; i++)
        total += (size_t)sizes[i];
    char *buf = malloc(total ? total : 1);
    bool ok = buf != NULL;
    size_t at = 0;
    for (int i = 0; i < size; i++) {
        size_t n_i = (size_t)sizes[i];
        if (i == 0) {
            if (ok && n_i) memcpy(buf, mine, n_i);
            at += n_i;
            continue;
        }
        for (size_t off = 0; off < n_i; off += chunk) {
            size_t n = n_i - off < chunk ? n_i - off : chunk;
            if (!ok) MPI_Abort(MPI_COMM_WORLD, 70); /* out of memory: stop every rank */
            if (MPI_Recv(buf + at + off, (int)n, MPI_BYTE, i, 7, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE) != MPI_SUCCESS)
                ok = false;
        }
        at += n_i;
    }
    free(sizes);
    if (!ok) {
        free(buf);
        return false;
    }
    *all = buf;
    *all_bytes = total;
    return true;
}

int cli_mpi_max(int value)
{
    if (!active) return value;
    int out = value;
    MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

#else

void cli_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}
void cli_mpi_finalize(void) {}
int cli_mpi_rank(void)
{
    return 0;
}
int cli_mpi_size(void)
{
    return 1;
}
bool cli_mpi_gather(const void *mine, size_t bytes, void **all, size_t *all_bytes)
{
    *all = malloc(bytes ? bytes : 1);
    if (!*all) return false;
    if (bytes) memcpy(*all, mine, bytes);
    *all_bytes = bytes;
    return true;
}
int cli_mpi_max(int value)
{
    return value;
}

#endif
