/* Atomic files: the target appears complete (mode 0644, exact bytes) at commit
 * and not before; abort, a failed open, a failed write and a crash leave no
 * target and, except for the crash, no temporary. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"

#include "scratch.h"


/* Counts (and with `remove`, deletes) the temporaries of target `base`. */
static int temps_of(const fixture *fx, const char *base, bool remove)
{
    char prefix[PATH_BUF];
    snprintf(prefix, sizeof prefix, ".%s.tmp.", base);
    DIR *d = opendir(fx->dir);
    assert_non_null(d);
    int count = 0;
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
        assert_int_equal(strlen(e->d_name), strlen(prefix) + 6); /* mkstemp's XXXXXX */
        count++;
        if (remove) {
            char p[PATH_BUF];
            path_in(fx, e->d_name, p);
            assert_int_equal(unlink(p), 0);
        }
    }
    closedir(d);
    return count;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The whole file, which must be shorter than size. */
static size_t read_all(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    const size_t n = fread(buf, 1, size, fp);
    assert_true(n < size);
    fclose(fp);
    return n;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* ---- tests ---- */

static void test_commit_makes_0644_with_exact_contents(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "af_commit.csv", path);
    static const char data[] = "a,b\n1,2\n\0binary\xff\n";

    sim_atomic_file *f = NULL;
    char err[256] = "";
    assert_int_equal(sim_atomic_open(&f, path, err, sizeof err), SIM_OK);
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, sizeof data, sim_atomic_stream(f)), sizeof data);
    assert_false(exists(path));
    assert_int_equal(temps_of(fx, "af_commit.csv", false), 1);

    assert_int_equal(sim_atomic_commit(f, err, sizeof err), SIM_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    char buf[256];
    assert_int_equal(read_all(path, buf, sizeof buf), sizeof data);
    assert_memory_equal(buf, data, sizeof data);
    assert_int_equal(temps_of(fx, "af_commit.csv", false), 0);
    assert_int_equal(unlink(path), 0);
}

static void test_abort_leaves_nothing(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "af_abort.csv", path);
    sim_atomic_file *f = NULL;
    assert_int_equal(sim_atomic_open(&f, path, NULL, 0), SIM_OK);
    fputs("discarded\n", sim_atomic_stream(f));
    assert_int_equal(temps_of(fx, "af_abort.csv", false), 1);
    sim_atomic_abort(f);
    assert_false(exists(path));
    assert_int_equal(temps_of(fx, "af_abort.csv", false), 0);
    sim_atomic_abort(NULL);
}

static void test_open_in_missing_folder(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "af_no_such_dir/sub/out.csv", path);
    sim_atomic_file *f = NULL;
    char err[PATH_BUF + 64] = "";
    assert_int_equal(sim_atomic_open(&f, path, err, sizeof err), SIM_ECANTCREATE);
    assert_null(f);
    char expect[PATH_BUF + 64];
    snprintf(expect, sizeof expect, "cannot create %s: %s", path, strerror(ENOENT));
    assert_string_equal(err, expect);

    /* A path naming a folder, not a file. */
    char dir_path[PATH_BUF];
    path_in(fx, "", dir_path);
    assert_int_equal(sim_atomic_open(&f, dir_path, err, sizeof err), SIM_ECANTCREATE);
    assert_null(f);
    assert_non_null(strstr(err, dir_path));
    /* No message buffer is fine too. */
    assert_int_equal(sim_atomic_open(&f, path, NULL, 0), SIM_ECANTCREATE);
}

static void test_existing_target_replaced_only_at_commit(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "af_replace.csv", path);
    write_file(path, "old\n");
    char buf[64];

    /* Abort keeps the old file. */
    sim_atomic_file *f = NULL;
    assert_int_equal(sim_atomic_open(&f, path, NULL, 0), SIM_OK);
    fputs("never\n", sim_atomic_stream(f));
    sim_atomic_abort(f);
    assert_int_equal(read_all(path, buf, sizeof buf), 4);
    assert_memory_equal(buf, "old\n", 4);

    assert_int_equal(sim_atomic_open(&f, path, NULL, 0), SIM_OK);
    fputs("new content\n", sim_atomic_stream(f));
    fflush(sim_atomic_stream(f));
    assert_int_equal(read_all(path, buf, sizeof buf), 4);
    assert_memory_equal(buf, "old\n", 4);
    assert_int_equal(sim_atomic_commit(f, NULL, 0), SIM_OK);
    assert_int_equal(read_all(path, buf, sizeof buf), 12);
    assert_memory_equal(buf, "new content\n", 12);
    assert_int_equal(temps_of(fx, "af_replace.csv", false), 0);
    assert_int_equal(unlink(path), 0);
}

/* A child writes half the data and dies by abort(): no target may appear. The
 * temporary stays behind (nobody was left to remove it) under its telltale name. */
static void test_crash_mid_write_leaves_no_target(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "af_crash.csv", path);
    fflush(NULL); /* the child must not replay our buffered output */
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const struct rlimit no_core = {.rlim_cur = 0, .rlim_max = 0};
        setrlimit(RLIMIT_CORE, &no_core);
        sim_atomic_file *f = NULL;
        if (sim_atomic_open(&f, path, NULL, 0) != SIM_OK) _exit(2);
        for (int i = 0; i < 500; i++) /* half of a 1000-row file */
            fprintf(sim_atomic_stream(f), "row,%d\n", i);
        fflush(sim_atomic_stream(f));
        abort();
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_false(exists(path));
    assert_int_equal(temps_of(fx, "af_crash.csv", true), 1);
}

/* A write that fails (the file-size limit, in a child so the limit stays
 * there) is reported at commit as SIM_EIO naming the path, and cleans up. */
static void test_write_error_reported_at_commit(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF];
    path_in(fx, "af_ioerr.csv", path);
    fflush(NULL);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of being killed */
        const struct rlimit small = {.rlim_cur = 4096, .rlim_max = 4096};
        if (setrlimit(RLIMIT_FSIZE, &small) != 0) _exit(2);
        sim_atomic_file *f = NULL;
        if (sim_atomic_open(&f, path, NULL, 0) != SIM_OK) _exit(3);
        for (int i = 0; i < 10000; i++)
            fprintf(sim_atomic_stream(f), "row,%d\n", i);
        char err[PATH_BUF + 64] = "";
        if (sim_atomic_commit(f, err, sizeof err) != SIM_EIO) _exit(4);
        if (strstr(err, path) == NULL || strncmp(err, "cannot write ", 13) != 0) _exit(5);
        if (strstr(err, strerror(EFBIG)) == NULL && strstr(err, strerror(EIO)) == NULL) _exit(6);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(exists(path));
    assert_int_equal(temps_of(fx, "af_ioerr.csv", false), 0);
}

/* A rename that fails (the target is a folder) is SIM_EIO naming the path. */
static void test_rename_failure(void **state)
{
    const fixture *fx = *state;
    char path[PATH_BUF], inner[PATH_BUF];
    path_in(fx, "af_is_a_dir", path);
    path_in(fx, "af_is_a_dir/keep", inner);
    assert_int_equal(mkdir(path, 0777), 0);
    write_file(inner, "x"); /* non-empty, so rename cannot replace it */

    sim_atomic_file *f = NULL;
    char err[3 * PATH_BUF] = "";
    assert_int_equal(sim_atomic_open(&f, path, err, sizeof err), SIM_OK);
    fputs("data\n", sim_atomic_stream(f));
    assert_int_equal(sim_atomic_commit(f, err, sizeof err), SIM_EIO);
    assert_non_null(strstr(err, path));
    assert_int_equal(strncmp(err, "cannot rename ", 14), 0);
    assert_int_equal(temps_of(fx, "af_is_a_dir", false), 0);

    assert_int_equal(unlink(inner), 0);
    assert_int_equal(rmdir(path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_makes_0644_with_exact_contents),
        cmocka_unit_test(test_abort_leaves_nothing),
        cmocka_unit_test(test_open_in_missing_folder),
        cmocka_unit_test(test_existing_target_replaced_only_at_commit),
        cmocka_unit_test(test_crash_mid_write_leaves_no_target),
        cmocka_unit_test(test_write_error_reported_at_commit),
        cmocka_unit_test(test_rename_failure),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
