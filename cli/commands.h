/*
 * The chipsim command table: one entry, and one file, per subcommand.
 * Each command's run() gets its own arguments (argv[0] is the command name)
 * and returns an exit code from exit_codes.h.
 */
#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#include <stdio.h>

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `chipsim --help` */
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out); /* full help with an example */
} cli_command;

int cmd_demo_run(int argc, char **argv);
void cmd_demo_usage(FILE *out);
int cmd_validate_run(int argc, char **argv);
void cmd_validate_usage(FILE *out);
int cmd_merge_run(int argc, char **argv);
void cmd_merge_usage(FILE *out);
int cmd_sweep_run(int argc, char **argv);
void cmd_sweep_usage(FILE *out);
int cmd_compare_run(int argc, char **argv);
void cmd_compare_usage(FILE *out);
int cmd_classify_run(int argc, char **argv);
void cmd_classify_usage(FILE *out);
int cmd_run_run(int argc, char **argv);
void cmd_run_usage(FILE *out);
int cmd_explain_run(int argc, char **argv);
void cmd_explain_usage(FILE *out);

#endif
