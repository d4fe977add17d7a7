/*
 * Events of replications (see events.h).
 */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>

void model_events_append(model_events *ev, const model_event *e)
{
    if (ev->oom) return;
    if (ev->n == ev->cap) {
        size_t cap = ev->cap ? 2 * ev->cap : 256;
        model_event *at = realloc(ev->at, cap * sizeof *at);
        if (!at) {
            ev->oom = true;
            return;
        }
        ev->at = at;
        ev->cap = cap;
    }
    ev->at[ev->n++] = *e;
}

void model_events_release(model_events *ev)
{
    free(ev->at);
    *ev = (model_events){0};
}

static const char *const kind_names[] = {
    [EV_RULE_EFFECTIVE] = "rule_effective",
    [EV_LICENCE_APPROVED] = "licence_approved",
    [EV_LICENCE_DENIED] = "licence_denied",
    [EV_BLOCKED] = "blocked",
    [EV_SEIZED] = "seized",
    [EV_SUBSTITUTED] = "substituted",
    [EV_DISPUTE_FILED] = "dispute_filed",
    [EV_INJUNCTION_GRANTED] = "injunction_granted",
    [EV_INJUNCTION_LIFTED] = "injunction_lifted",
    [EV_LICENCE_EFFECTIVE] = "patent_licence_effective",
};

/* What the quantity counts, for the detail column. */
static const char *const details[] = {
    [EV_RULE_EFFECTIVE] = "",
    [EV_LICENCE_APPROVED] = "units ordered under the licence",
    [EV_LICENCE_DENIED] = "units the licence was for",
    [EV_BLOCKED] = "quantity kept from the first choice (the ordering stock's unit)",
    [EV_SEIZED] = "units seized on an illicit lane",
    [EV_SUBSTITUTED] = "units ordered instead of ",
    [EV_DISPUTE_FILED] = "dispute ",
    [EV_INJUNCTION_GRANTED] = "dispute ",
    [EV_INJUNCTION_LIFTED] = "dispute ",
    [EV_LICENCE_EFFECTIVE] = "licence ",
};

sim_status model_events_write(const model_events *ev, const world *w, sim_csv *out)
{
    static const char *const header[] = {"replication", "date",    "event",    "rule",
                                         "site",        "product", "quantity", "detail"};
    sim_status st = sim_csv_header(out, header, sizeof header / sizeof header[0]);
    for (size_t i = 0; i < ev->n && !st; i++) {
        const model_event *e = &ev->at[i];
        st = sim_csv_integer(out, (int64_t)e->replication);
        if (!st) st = sim_csv_date(out, e->date);
        if (!st) st = sim_csv_text(out, kind_names[e->kind]);
        if (!st)
            st = e->rule != WORLD_NONE ? sim_csv_text(out, w->rules[e->rule].id)
                                       : sim_csv_empty(out);
        if (!st)
            st = e->site != WORLD_NONE ? sim_csv_text(out, w->sites[e->site].id)
                                       : sim_csv_empty(out);
        if (!st)
            st = e->product != WORLD_NONE ? sim_csv_text(out, w->products[e->product].id)
                                          : sim_csv_empty(out);
        if (!st)
            st = e->kind == EV_RULE_EFFECTIVE || e->kind >= EV_DISPUTE_FILED
                     ? sim_csv_empty(out)
                     : sim_csv_number(out, e->quantity);
        const char *other = NULL;
        if (e->instead_of != WORLD_NONE) {
            if (e->kind == EV_SUBSTITUTED) other = w->products[e->instead_of].id;
            if (e->kind == EV_DISPUTE_FILED || e->kind == EV_INJUNCTION_GRANTED ||
                e->kind == EV_INJUNCTION_LIFTED)
                other = w->disputes[e->instead_of].id;
            if (e->kind == EV_LICENCE_EFFECTIVE) other = w->licences[e->instead_of].id;
        }
        if (!st && other) {
            char text[256];
            snprintf(text, sizeof text, "%s%s", details[e->kind], other);
            st = sim_csv_text(out, text);
        } else if (!st) {
            st = sim_csv_text(out, details[e->kind]);
        }
        if (!st) st = sim_csv_end_row(out);
    }
    return st;
}
