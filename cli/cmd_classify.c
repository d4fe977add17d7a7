/*
 * chipsim classify — which export-control rules catch which products on a
 * date, and for which buyers: the rules' scopes evaluated, nothing simulated.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "commands.h"
#include "exit_codes.h"
#include "load.h"
#include "rules.h"

void cmd_classify_usage(FILE *out)
{
    fprintf(out,
            "usage: chipsim classify SCENARIO [--date YYYY-MM-DD] [--csv] [--set PATH=VALUE]...\n"
            "\n"
            "Prints, for every product, the export-control rules in force on the date that\n"
            "catch it (its controlled_by names the rule's authority and it is in the rule's\n"
            "scope), the rule's action, and the destinations and end users it reaches, among\n"
            "the scenario's countries and firms. When several rules catch a shipment the\n"
            "most restrictive decides (deny > cap > license).\n"
            "\n"
            "options:\n"
            "  --date D          the day to classify on (default: the scenario's run.start)\n"
            "  --csv             CSV for machines: date,product,rule,action,destinations,\n"
            "                    end_users (lists joined by ';'; one row per product and rule,\n"
            "                    a product no rule catches has an empty rule)\n"
            "  --set PATH=VALUE  override one scenario value; repeatable\n"
            "\n"
            "exit status: 0 ok, 64 bad option, 65 bad scenario, 66 scenario missing,\n"
            "74 write error.\n"
            "\n"
            "example:\n"
            "  chipsim classify tests/data/scenarios/middle-east-2023.yaml --date 2023-10-23\n");
}

static const char *action_name(const world_rule *r)
{
    switch (r->action.kind) {
    case WORLD_DENY:
        return "deny";
    case WORLD_CAP:
        return "cap";
    case WORLD_LICENSE:
        return "license";
    }
    return "?";
}

/* The countries a rule reaches as destinations, joined by sep; "all" when
 * it names none and excepts none. */
static void destinations_text(const world *w, const rules *r, uint32_t i, const char *sep,
                              char *buf, size_t size)
{
    const world_rule *rule = &w->rules[i];
    size_t n = 0;
    buf[0] = '\0';
    bool every = true;
    for (uint32_t c = 0; c < w->n_countries; c++)
        every &= rules_reach_country(r, i, c);
    if (rule->any_destination && every) {
        snprintf(buf, size, "all");
        return;
    }
    for (uint32_t c = 0; c < w->n_countries && n + 8 < size; c++)
        if (rules_reach_country(r, i, c))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? sep : "", w->countries[c].code);
}

/* The firms a rule reaches as end users, or "any". */
static void end_users_text(const world *w, const rules *r, uint32_t i, const char *sep, char *buf,
                           size_t size)
{
    const world_rule *rule = &w->rules[i];
    size_t n = 0;
    buf[0] = '\0';
    if (rule->any_end_user) {
        snprintf(buf, size, "any");
        return;
    }
    for (uint32_t f = 0; f < w->n_firms && n + 8 < size; f++)
        if (rules_reach_end_user(r, i, f))
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? sep : "", w->firms[f].id);
}

static int print_table(const world *w, const rules *r, sim_date d)
{
    char date[SIM_DATE_BUFSIZE], dest[4096], users[4096];
    sim_date_format(d, date);
    size_t in_force = 0;
    for (size_t i = 0; i < w->n_rules; i++)
        in_force += rules_in_force(&w->rules[i], d);
    printf("%s on %s: %zu of %zu rules in force\n\n", w->name ? w->name : "scenario", date,
           in_force, w->n_rules);
    int pw = 7, rw = 4; /* column widths: the longest id */
    for (uint32_t p = 0; p < w->n_products; p++)
        if ((int)strlen(w->products[p].id) > pw) pw = (int)strlen(w->products[p].id);
    for (uint32_t i = 0; i < w->n_rules; i++)
        if ((int)strlen(w->rules[i].id) > rw) rw = (int)strlen(w->rules[i].id);
    printf("%-*s  %-*s  %-8s %-28s %s\n", pw, "product", rw, "rule", "action", "destinations",
           "end users");
    for (uint32_t p = 0; p < w->n_products; p++) {
        bool any = false;
        for (uint32_t i = 0; i < w->n_rules; i++) {
            const world_rule *rule = &w->rules[i];
            if (!rules_in_force(rule, d) || !rules_catch_product(r, i, p)) continue;
            destinations_text(w, r, i, ", ", dest, sizeof dest);
            end_users_text(w, r, i, ", ", users, sizeof users);
            printf("%-*s  %-*s  %-8s %-28s %s\n", pw, any ? "" : w->products[p].id, rw, rule->id,
                   action_name(rule), dest, users);
            any = true;
        }
        if (!any) printf("%-*s  -\n", pw, w->products[p].id);
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_IOERR;
}

/* Ids and codes never need quoting, and lists are joined by ';'. */
static int print_csv(const world *w, const rules *r, sim_date d)
{
    char date[SIM_DATE_BUFSIZE], dest[4096], users[4096];
    sim_date_format(d, date);
    printf("date,product,rule,action,destinations,end_users\n");
    for (uint32_t p = 0; p < w->n_products; p++) {
        bool any = false;
        for (uint32_t i = 0; i < w->n_rules; i++) {
            const world_rule *rule = &w->rules[i];
            if (!rules_in_force(rule, d) || !rules_catch_product(r, i, p)) continue;
            destinations_text(w, r, i, ";", dest, sizeof dest);
            end_users_text(w, r, i, ";", users, sizeof users);
            printf("%s,%s,%s,%s,%s,%s\n", date, w->products[p].id, rule->id, action_name(rule),
                   dest, users);
            any = true;
        }
        if (!any) printf("%s,%s,,,,\n", date, w->products[p].id);
    }
    return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_IOERR;
}

int cmd_classify_run(int argc, char **argv)
{
    cli_args a = {"classify", argc, argv, 1};
    cli_sets sets = {0};
    const char *file = NULL, *date_text = NULL;
    bool csv = false;
    int rc = EXIT_USAGE;
    sim_date d = 0;
    while (a.i < argc) {
        const char *arg = argv[a.i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cmd_classify_usage(stdout);
            cli_sets_release(&sets);
            return EXIT_OK;
        } else if (cli_is_option(&a, "--set")) {
            const char *v;
            if (!cli_take_string(&a, "--set", &v) || !cli_sets_add(&sets, v)) goto out;
        } else if (cli_is_option(&a, "--date")) {
            if (!cli_take_string(&a, "--date", &date_text)) goto out;
            if (sim_date_parse(date_text, strlen(date_text), &d) != SIM_OK) {
                cli_usage_error(&a, "--date needs a date YYYY-MM-DD (got '%s')", date_text);
                goto out;
            }
        } else if (strcmp(arg, "--csv") == 0) {
            csv = true;
            a.i++;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            cli_usage_error(&a, "unknown option '%s'", arg);
            goto out;
        } else if (file) {
            cli_usage_error(&a, "takes one scenario file (got '%s' and '%s')", file, arg);
            goto out;
        } else {
            file = arg;
            a.i++;
        }
    }
    if (!file) {
        cli_usage_error(&a, "needs a scenario file");
        goto out;
    }
    world *w;
    rc = cli_load(file, &sets, &w, NULL, NULL);
    if (rc != EXIT_OK) goto out;
    if (!date_text) d = w->run.start;
    rules *r = rules_new(w);
    if (!r) {
        fprintf(stderr, "chipsim classify: out of memory\n");
        rc = EXIT_SOFTWARE;
    } else {
        rc = csv ? print_csv(w, r, d) : print_table(w, r, d);
        if (rc == EXIT_IOERR) fprintf(stderr, "chipsim classify: cannot write the output\n");
    }
    rules_free(r);
    world_free(w);
out:
    cli_sets_release(&sets);
    return rc;
}
