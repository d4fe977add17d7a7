/*
 * Replications across machines with MPI (a -DCHIPSIM_MPI=ON build, Open MPI
 * from Debian). Under `mpirun -np N chipsim run ...` every rank runs a slice
 * of the replications; rank 0 gathers their values and events, replays them
 * in replication order and writes the same bytes one process would.
 *
 * MPI is started only when the process was launched by mpirun (its
 * environment says so); a plain `chipsim` of an MPI build is a single
 * process and never touches MPI. Without CHIPSIM_MPI every function is a
 * one-process stand-in. MPI's state is process-wide by nature; this is the
 * one place that holds it.
 */
#ifndef CLI_MPI_H
#define CLI_MPI_H

#include <stdbool.h>
#include <stddef.h>

void cli_mpi_init(int *argc, char ***argv);
void cli_mpi_finalize(void);
int cli_mpi_rank(void); /* 0 without MPI */
int cli_mpi_size(void); /* 1 without MPI */

/* Every rank passes its bytes; rank 0 gets them all, rank by rank, in a new
 * buffer (*all, *all_bytes; the caller frees it). False when MPI or memory
 * failed. Other ranks get *all = NULL. */
bool cli_mpi_gather(const void *mine, size_t bytes, void **all, size_t *all_bytes);

/* The largest of every rank's value (exit codes: one failure fails all). */
int cli_mpi_max(int value);

#endif
