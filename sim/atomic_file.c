#include "atomic_file.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sim_atomic_file {
    FILE *fp;
    char *path; /* the target, renamed onto at commit */
    char *tmp;  /* the temporary beside it, removed on every failure */
};

/* mkstemp replaces the trailing X's; it requires them to end the name. */
static const char tmp_suffix[] = ".tmp.XXXXXX";

static void set_err(char *err, size_t err_size, const char *what, const char *path, int errnum)
{
    if (err != NULL && err_size > 0)
        snprintf(err, err_size, "%s %s: %s", what, path, strerror(errnum));
}

/* A failed call that left errno at 0 still failed; never report "Success". */
static int errno_or_eio(void)
{
    return errno != 0 ? errno : EIO;
}

static void atomic_free(sim_atomic_file *f)
{
    free(f->tmp);
    free(f->path);
    free(f);
}

sim_status sim_atomic_open(sim_atomic_file **out, const char *path, char *err, size_t err_size)
{
    assert(out != NULL && path != NULL);
    *out = NULL;

    const size_t path_len = strlen(path);
    const char *slash = strrchr(path, '/');
    const size_t dir_len = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    if (dir_len == path_len) {
        /* "" or "dir/": no file name to create. */
        set_err(err, err_size, "cannot create", path, path_len == 0 ? ENOENT : EISDIR);
        return SIM_ECANTCREATE;
    }

    sim_atomic_file *f = calloc(1, sizeof *f);
    if (f != NULL) {
        f->path = malloc(path_len + 1);
        /* dir + '.' + basename + suffix (sizeof counts its NUL) */
        f->tmp = malloc(path_len + 1 + sizeof tmp_suffix);
    }
    if (f == NULL || f->path == NULL || f->tmp == NULL) {
        if (f != NULL) atomic_free(f);
        if (err != NULL && err_size > 0)
            snprintf(err, err_size, "cannot create %s: out of memory", path);
        return SIM_ENOMEM;
    }
    memcpy(f->path, path, path_len + 1);
    memcpy(f->tmp, path, dir_len);
    f->tmp[dir_len] = '.';
    memcpy(f->tmp + dir_len + 1, path + dir_len, path_len - dir_len);
    memcpy(f->tmp + path_len + 1, tmp_suffix, sizeof tmp_suffix);

    errno = 0;
    const int fd = mkstemp(f->tmp);
    if (fd < 0) {
        set_err(err, err_size, "cannot create", path, errno_or_eio());
        atomic_free(f);
        return SIM_ECANTCREATE;
    }
    errno = 0;
    f->fp = fdopen(fd, "w");
    if (f->fp == NULL) {
        const int e = errno_or_eio();
        close(fd);
        unlink(f->tmp);
        set_err(err, err_size, "cannot create", path, e);
        atomic_free(f);
        return SIM_ECANTCREATE;
    }
    *out = f;
    return SIM_OK;
}

FILE *sim_atomic_stream(sim_atomic_file *f)
{
    assert(f != NULL && f->fp != NULL);
    return f->fp;
}

sim_status sim_atomic_commit(sim_atomic_file *f, char *err, size_t err_size)
{
    assert(f != NULL && f->fp != NULL);
    int e = 0;
    const int fd = fileno(f->fp);

    /* Each step runs only if every earlier one succeeded; the first failure's
     * errno is the one reported. fchmod: mkstemp made the file 0600, and the
     * result is an ordinary output file that others may read. */
    errno = 0;
    if (fflush(f->fp) != 0)
        e = errno_or_eio();
    else if (ferror(f->fp))
        e = EIO; /* a write failed earlier; its errno is long gone */
    else if (fsync(fd) != 0)
        e = errno_or_eio();
    else if (fchmod(fd, 0644) != 0)
        e = errno_or_eio();
    errno = 0;
    if (fclose(f->fp) != 0 && e == 0) e = errno_or_eio();
    f->fp = NULL;
    if (e != 0) {
        set_err(err, err_size, "cannot write", f->path, e);
    } else {
        errno = 0;
        if (rename(f->tmp, f->path) != 0) {
            e = errno_or_eio();
            if (err != NULL && err_size > 0)
                snprintf(err, err_size, "cannot rename %s to %s: %s", f->tmp, f->path, strerror(e));
        }
    }
    if (e != 0) unlink(f->tmp);
    atomic_free(f);
    return e != 0 ? SIM_EIO : SIM_OK;
}

void sim_atomic_abort(sim_atomic_file *f)
{
    if (f == NULL) return;
    if (f->fp != NULL)
        fclose(f->fp); /* the data is being thrown away; a close error changes nothing */
    unlink(f->tmp);
    atomic_free(f);
}
