/*
 * A file that appears complete or not at all.
 *
 * Writes go to a temporary file created beside the target (same folder, so the
 * final rename(2) is atomic on POSIX file systems). sim_atomic_commit flushes,
 * fsyncs, sets mode 0644 (mkstemp creates 0600) and renames into place; until
 * then the target is untouched, so a crash or an error never leaves a plausible
 * half file under the target name. The temporary is ".<basename>.tmp.XXXXXX"
 * (mkstemp needs the X's last): hidden, and named after its target, so a person
 * can tell what it is if a crash leaves one.
 *
 * Ownership: the object owns its FILE and the temporary; commit and abort free it.
 */
#ifndef SIM_ATOMIC_FILE_H
#define SIM_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "status.h"

typedef struct sim_atomic_file sim_atomic_file;

/* Creates the temporary for `path`. On failure returns SIM_ECANTCREATE (or
 * SIM_ENOMEM) and writes a message naming the path and the reason into err. */
sim_status sim_atomic_open(sim_atomic_file **out, const char *path, char *err, size_t err_size);

/* The stream to write to; valid until commit or abort. */
FILE *sim_atomic_stream(sim_atomic_file *f);

/* Completes the file. Any write error since open (seen through ferror), a failed
 * flush, fsync or rename returns SIM_EIO with a message, and removes the
 * temporary. Frees f in every case. */
sim_status sim_atomic_commit(sim_atomic_file *f, char *err, size_t err_size);

/* Discards the temporary and frees f. NULL is a no-op. */
void sim_atomic_abort(sim_atomic_file *f);

#endif
