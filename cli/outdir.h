/*
 * Output folders of the commands that write results.
 */
#ifndef CLI_OUTDIR_H
#define CLI_OUTDIR_H

#include <stdbool.h>

/* Creates dir and its parents (like mkdir -p); *created says whether dir
 * itself is new, so a failed run can remove it again. False with errno set
 * when it cannot, or when dir exists and is not a folder. */
bool cli_make_dirs(const char *dir, bool *created);

#endif
