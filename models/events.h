/*
 * The events of replications, for events.csv (`chipsim run --events`):
 * a rule took effect, a licence was decided, an order was blocked, a
 * substitute was ordered instead of the first choice, a diverted shipment
 * was seized; a patent dispute was filed, an injunction granted or lifted,
 * a patent licence took effect.
 *
 * The model appends while a replication runs (model_config.events); the
 * caller writes them out in replication order. Memory grows with the
 * number of events.
 *
 * Ownership: the caller owns the model_events and frees it.
 */
#ifndef MODELS_EVENTS_H
#define MODELS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "csv_writer.h"
#include "date.h"
#include "status.h"
#include "world.h"

typedef enum model_event_kind {
    EV_RULE_EFFECTIVE,
    EV_LICENCE_APPROVED,
    EV_LICENCE_DENIED,
    EV_BLOCKED,
    EV_SEIZED,
    EV_SUBSTITUTED,
    EV_DISPUTE_FILED,
    EV_INJUNCTION_GRANTED,
    EV_INJUNCTION_LIFTED,
    EV_LICENCE_EFFECTIVE
} model_event_kind;

typedef struct model_event {
    uint64_t replication;
    sim_date date;
    model_event_kind kind;
    uint32_t rule, site, product; /* WORLD_NONE when not applicable */
    double quantity;
    uint32_t instead_of; /* EV_SUBSTITUTED: the first choice; patent events: the dispute or
                            the licence; else WORLD_NONE */
} model_event;

typedef struct model_events {
    model_event *at;
    size_t n, cap;
    bool oom; /* an append failed: the list is incomplete */
} model_events;

void model_events_append(model_events *ev, const model_event *e);
void model_events_release(model_events *ev);
/* replication,date,event,rule,site,product,quantity,detail */
sim_status model_events_write(const model_events *ev, const world *w, sim_csv *out);

#endif
