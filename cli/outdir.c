/*
 * Output folders (see outdir.h).
 */
#include "outdir.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* Creates dir and its parents; *created says whether the last one is new. */
bool cli_make_dirs(const char *dir, bool *created)
{
    char path[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = ENAMETOOLONG;
        return false;
    }
    memcpy(path, dir, n + 1);
    *created = false;
    for (size_t i = 1; i <= n; i++) {
        if (path[i] != '/' && path[i] != '\0') continue;
        char c = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) == 0) {
            *created = i == n || path[i + 1] == '\0';
        } else if (errno != EEXIST) {
            return false;
        }
        path[i] = c;
    }
    struct stat st;
    if (stat(dir, &st) != 0) return false;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return false;
    }
    return true;
}
