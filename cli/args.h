/*
 * Command-line option parsing shared by the subcommands.
 *
 * Options take their value as "--name VALUE" or "--name=VALUE". A parse
 * failure prints one line to stderr naming the command, the option, what was
 * expected and what was given, then a pointer to the command's --help; the
 * caller exits 64 (EXIT_USAGE).
 */
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct cli_args {
    const char *command; /* for messages: "demo" */
    int argc;
    char **argv;
    int i; /* next argument to read */
} cli_args;

/* True when argv[i] is the option `name` (with or without "=VALUE"). */
bool cli_is_option(const cli_args *a, const char *name);

/* Reads the value of the option at argv[i] and advances past it. False (after
 * printing the reason) when the value is missing or malformed. */
bool cli_take_u64(cli_args *a, const char *name, uint64_t min, uint64_t *out);
bool cli_take_double(cli_args *a, const char *name, double min_exclusive, double max_exclusive,
                     double *out);

/* The option's text value (any string, may be empty). */
bool cli_take_string(cli_args *a, const char *name, const char **out);

/* --scopes LIST: a comma-separated subset of world,country,firm,site, as
 * MODEL_SCOPE_* bits (report.h). */
bool cli_take_scopes(cli_args *a, unsigned *scopes);

/* Prints "chipsim CMD: MESSAGE" and the pointer to --help. */
void cli_usage_error(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
