/*
 * chipsim validate — load scenarios the way `run` would and report every
 * error and warning, like a compiler; nothing is simulated or written.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "exit_codes.h"
#include "load.h"

void cmd_validate_usage(FILE *out)
{
    fprintf(out,
            "usage: chipsim validate SCENARIO... [--set PATH=VALUE]...\n"
            "\n"
            "Loads each scenario (with what it extends, its tables and the overrides) and\n"
            "reports every error and warning on stderr as FILE:LINE:COLUMN, with the line\n"
            "quoted. Prints one summary line per valid scenario on stdout.\n"
            "\n"
            "options:\n"
            "  --set PATH=VALUE   override one value after extends, e.g. run.replications=20\n"
            "                     or export_controls.us_2023_10.action.approval=0.5; repeatable\n"
            "  -q, --quiet        no summary lines (diagnostics still go to stderr)\n"
            "\n"
            "exit status: 0 when every scenario is valid (warnings allowed), 65 when one has\n"
            "errors, 66 when a file is missing or unreadable.\n"
            "\n"
            "example:\n"
            "  chipsim validate scenarios/examples/*.yaml\n");
}

int cmd_validate_run(int argc, char **argv)
{
    cli_args a = {"validate", argc, argv, 1};
    cli_sets sets = {0};
    const char *files[4096];
    size_t n_files = 0;
    bool quiet = false;
    int rc = EXIT_OK;
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_validate_usage(stdout);
            cli_sets_release(&sets);
            return EXIT_OK;
        } else if (cli_is_option(&a, "--set")) {
            const char *v;
            if (!cli_take_string(&a, "--set", &v) || !cli_sets_add(&sets, v)) {
                cli_sets_release(&sets);
                return EXIT_USAGE;
            }
        } else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
            quiet = true;
            a.i++;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            cli_usage_error(&a, "unknown option '%s'", arg);
            cli_sets_release(&sets);
            return EXIT_USAGE;
        } else {
            if (n_files == sizeof files / sizeof *files) {
                cli_usage_error(&a, "too many files (at most %zu at once)", n_files);
                cli_sets_release(&sets);
                return EXIT_USAGE;
            }
            files[n_files++] = arg;
            a.i++;
        }
    }
    if (n_files == 0) {
        cli_usage_error(&a, "needs at least one scenario file");
        cli_sets_release(&sets);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n_files; i++) {
        world *w;
        size_t errors, warnings;
        int code = cli_load(files[i], &sets, &w, &errors, &warnings);
        if (code == EXIT_OK) {
            if (!quiet)
                printf("%s: ok: %zu products, %zu sites, %zu lanes, %zu demand streams, %zu "
                       "rules; %zu warning%s\n",
                       files[i], w->n_products, w->n_sites, w->n_lanes, w->n_demand, w->n_rules,
                       warnings, warnings == 1 ? "" : "s");
            world_free(w);
            continue;
        }
        if (!quiet && code != EXIT_SOFTWARE)
            fprintf(stderr, "%s: %zu error%s, %zu warning%s\n", files[i], errors,
                    errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
        /* The worst wins: internal > missing input > bad data. */
        if (code == EXIT_SOFTWARE || rc == EXIT_OK || (code == EXIT_NOINPUT && rc != EXIT_SOFTWARE))
            rc = code;
    }
    cli_sets_release(&sets);
    return rc;
}
