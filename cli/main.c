/*
 * chipsim — the command. Finds the subcommand in the table and runs it; owns
 * the process-wide set-up (GSL's abort-on-error handler off: every parameter
 * is checked before GSL sees it, and a library must never end the process).
 */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <gsl/gsl_errno.h>

#include "commands.h"
#include "mpi.h"
#include "exit_codes.h"

#ifndef CHIPSIM_VERSION
#define CHIPSIM_VERSION "unknown"
#endif

static void help_usage(FILE *out);
static int help_run(int argc, char **argv);

static const cli_command commands[] = {
    {"demo", "run the kernel's reference M/M/1 queue and compare it with theory", cmd_demo_run,
     cmd_demo_usage},
    {"run", "run a scenario's replications; write timeseries.csv and summary.csv", cmd_run_run,
     cmd_run_usage},
    {"compare", "run a baseline and variants with common random numbers; paired differences",
     cmd_compare_run, cmd_compare_usage},
    {"sweep", "run a scenario over a grid of parameter values; sweep.csv", cmd_sweep_run,
     cmd_sweep_usage},
    {"merge", "join the folders of run --shard K/N into one result", cmd_merge_run,
     cmd_merge_usage},
    {"classify", "show which export-control rules catch which products on a date", cmd_classify_run,
     cmd_classify_usage},
    {"validate", "check scenario files and report every error with file:line:column",
     cmd_validate_run, cmd_validate_usage},
    {"explain", "print the resolved scenario (extends, tables, --set applied) as YAML",
     cmd_explain_run, cmd_explain_usage},
    {"help", "show help for a command", help_run, help_usage},
};

enum { COMMAND_COUNT = sizeof commands / sizeof commands[0] };

static const cli_command *find(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void main_usage(FILE *out)
{
    fprintf(out, "usage: chipsim COMMAND [options]\n"
                 "       chipsim --help | --version | help COMMAND\n\n"
                 "chipsim simulates semiconductor supply chains under export controls.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\nexample:\n  chipsim demo --customers 1000000\n"
            "\n'chipsim help COMMAND' or 'chipsim COMMAND --help' shows a command's options.\n");
}

static void help_usage(FILE *out)
{
    fprintf(out, "usage: chipsim help [COMMAND]\n\n"
                 "Shows the help of COMMAND, or the list of commands.\n\n"
                 "example:\n  chipsim help demo\n");
}

static int help_run(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stdout);
        return EXIT_OK;
    }
    if (argc > 2) {
        fprintf(stderr, "chipsim help: takes one command name\nsee 'chipsim help --help'\n");
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help_usage(stdout);
        return EXIT_OK;
    }
    const cli_command *c = find(argv[1]);
    if (!c) {
        fprintf(stderr, "chipsim help: unknown command '%s'\nsee 'chipsim --help'\n", argv[1]);
        return EXIT_USAGE;
    }
    c->usage(stdout);
    return EXIT_OK;
}

/* Every replication allocates its engine, pools and queue afresh and frees
 * them at its end. glibc would hand that memory back to the kernel each time
 * (trimming the heap, unmapping large blocks) and the next replication would
 * fault it in again, page by page: on the default scenario that was 65,000
 * page faults and a tenth of the run time for 200 replications
 * (bench/README.md). Keeping freed memory in the process costs nothing in
 * peak size, which is one replication's per thread either way. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* the largest glibc allows */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    keep_freed_memory();
    if (argc < 2) {
        main_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        main_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("chipsim %s\n", CHIPSIM_VERSION);
        return EXIT_OK;
    }
    const cli_command *c = find(name);
    if (!c) {
        fprintf(stderr, "chipsim: unknown command '%s'\nsee 'chipsim --help'\n", name);
        return EXIT_USAGE;
    }
    /* Under mpirun, every rank runs the command (cli/mpi.h). */
    cli_mpi_init(&argc, &argv);
    int rc = c->run(argc - 1, argv + 1);
    cli_mpi_finalize();
    return rc;
}
