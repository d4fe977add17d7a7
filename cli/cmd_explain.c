/*
 * chipsim explain — the resolved scenario, after extends, tables and --set,
 * written as a scenario file that loads back to the same world.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "exit_codes.h"
#include "load.h"
#include "world_yaml.h"

void cmd_explain_usage(FILE *out)
{
    fprintf(out, "usage: chipsim explain SCENARIO [--set PATH=VALUE]...\n"
                 "\n"
                 "Prints the scenario as chipsim resolves it: the files it extends merged in,\n"
                 "its tables inline, the overrides applied, rule expressions in canonical form\n"
                 "and defaults made explicit. The output is itself a scenario file: save it and\n"
                 "it loads to the same world. Errors and warnings go to stderr.\n"
                 "\n"
                 "options:\n"
                 "  --set PATH=VALUE   override one value after extends; repeatable\n"
                 "\n"
                 "exit status: 0 on success, 65 for a bad scenario, 66 for a missing file,\n"
                 "74 when the output cannot be written.\n"
                 "\n"
                 "example:\n"
                 "  chipsim explain scenarios/examples/middle-east-2023-no-rule.yaml \\\n"
                 "      --set run.replications=20 > resolved.yaml\n");
}

int cmd_explain_run(int argc, char **argv)
{
    cli_args a = {"explain", argc, argv, 1};
    cli_sets sets = {0};
    const char *file = NULL;
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_explain_usage(stdout);
            cli_sets_release(&sets);
            return EXIT_OK;
        } else if (cli_is_option(&a, "--set")) {
            const char *v;
            if (!cli_take_string(&a, "--set", &v) || !cli_sets_add(&sets, v)) {
                cli_sets_release(&sets);
                return EXIT_USAGE;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            cli_usage_error(&a, "unknown option '%s'", arg);
            cli_sets_release(&sets);
            return EXIT_USAGE;
        } else if (file) {
            cli_usage_error(&a, "takes one scenario file (got '%s' and '%s')", file, arg);
            cli_sets_release(&sets);
            return EXIT_USAGE;
        } else {
            file = arg;
            a.i++;
        }
    }
    if (!file) {
        cli_usage_error(&a, "needs a scenario file");
        cli_sets_release(&sets);
        return EXIT_USAGE;
    }
    world *w;
    int rc = cli_load(file, &sets, &w, NULL, NULL);
    cli_sets_release(&sets);
    if (rc != EXIT_OK) return rc;
    sim_status st = world_write_yaml(w, stdout);
    world_free(w);
    if (st != SIM_OK || fflush(stdout) != 0) {
        fprintf(stderr, "chipsim explain: cannot write the output\n");
        return EXIT_IOERR;
    }
    return EXIT_OK;
}
