/*
 * The model's moving parts, shared by its files and by nobody else:
 *   model.c       plan, replication set-up, periods, the run, conservation
 *   stock.c       stock points: claims, filling, replenishment
 *   demand.c      order arrivals, sizes, patience
 *   process.c     batches: inputs, servers, wafer capacity, yield
 *   shipment.c    lanes: shipments, transit, held shipments
 *   disruption.c  site outages and lane closures
 *   controls.c    the export-control hook ("may this shipment leave?")
 *
 * Everything of one replication hangs off one `model` (no globals). Objects
 * that come and go (claims, batches, shipments) come from the engine's pools;
 * in steady state nothing is allocated per event.
 *
 * Quantities of products are whole units held in doubles (exact below 2^53);
 * quantities of a need are in its unit (h100e) and may be fractional.
 */
#ifndef MODELS_MODEL_INTERNAL_H
#define MODELS_MODEL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "events.h"
#include "engine.h"
#include "metrics.h"
#include "model.h"
#include "world.h"

typedef struct model model;
typedef struct stock stock;
typedef struct process process;
typedef struct batch batch;
typedef struct site_rt site_rt;
typedef struct lane_rt lane_rt;

/* ---- the plan: shared by replications ---- */

/* How a stock point is replenished. */
typedef enum stock_refill {
    REFILL_NONE,     /* nothing replenishes it (initial stock only, or a need's products) */
    REFILL_MAKE,     /* a local process makes it */
    REFILL_SOURCE,   /* the site supplies it without limit */
    REFILL_SUPPLIERS /* ordered from supplier sites over lanes */
} stock_refill;

typedef struct plan_stock {
    uint32_t site, item;
    bool is_need;
    const world_inventory *inv; /* NULL: implicit (level 0, no policy of its own) */
    stock_refill refill;
    uint32_t maker;        /* REFILL_MAKE: the global process index */
    uint32_t need_stock;   /* a product stock at a site holding a need that it fills: that
                              need's stock point (so arrivals fill the need's claims);
                              WORLD_NONE otherwise */
    double need_factor;    /* with need_stock: need units per unit of this product */
    const uint32_t *fills; /* a need stock: the product stock points here, in preference order */
    const double *fills_factor;
    size_t n_fills;
} plan_stock;

typedef struct plan_process {
    uint32_t site;
    const world_process *w;
    uint32_t *input_stock;  /* stock point of each input at the site */
    uint32_t *output_stock; /* stock point of each output at the site */
} plan_process;

struct model_plan {
    const world *w;
    struct rules *rules; /* the rules' scopes, evaluated once (rules.h) */
    plan_stock *stocks;
    size_t n_stocks;
    plan_process *processes;
    size_t n_processes;
    uint32_t *site_first_process; /* processes of site s: [first[s], first[s+1]) */
    uint32_t *site_cap_order;     /* per site, its capacity processes by priority (global
                                     indices), [cap_first[s], cap_first[s+1]) */
    uint32_t *site_cap_first;
    double horizon_days; /* end + 1 - start */
    double warmup_days;
    size_t n_periods;
    sim_date *period_start;  /* n_periods + 1 (the last is the day after the run) */
    double *period_end_days; /* days since start at which period i ends */
    uint64_t *stock_key;     /* sorted (site << 32 | item | need bit) for lookups */
    uint32_t *stock_of_key;
};

/* ---- one replication ---- */

typedef enum claim_kind { CLAIM_DEMAND, CLAIM_SHIP, CLAIM_INPUT } claim_kind;

/* How units reached a buyer: from its own country (or made or sourced at
 * the site, or held from the start), across a border with no rule or within
 * a cap, under a licence, or over an illicit lane. */
typedef enum model_channel {
    CH_DOMESTIC,
    CH_DIRECT,
    CH_LICENSED,
    CH_DIVERTED,
    CH_COUNT
} model_channel;

/* A request waiting at a stock point, filled first in, first out, possibly in
 * parts. */
typedef struct claim {
    struct claim *next, *prev;
    model *m;
    double remaining; /* units, or need units at a need stock */
    double placed;    /* time placed */
    claim_kind kind;
    bool immediate; /* DEMAND: still in the instant it was placed */
    uint32_t stock; /* where it waits */
    /* DEMAND */
    sim_event_id patience;
    /* SHIP */
    uint32_t dest; /* the stock point that ordered (a need, or a product) */
    uint32_t into; /* the product stock point the units go into there */
    uint32_t lane;
    double factor; /* dest units per unit shipped (1, or the need's conversion) */
    model_channel channel;
    uint32_t rule; /* SHIP: the rule that decided when it was ordered, or WORLD_NONE */
    /* INPUT */
    batch *batch;
    uint32_t input; /* index into the process's inputs */
} claim;

struct stock {
    double on_hand;   /* units; a need stock: unused (its products' stocks hold them) */
    double on_order;  /* expected arrivals, in this stock's quantity */
    double committed; /* sum of its claims' remaining */
    double backlog;   /* the demand part of committed */
    claim *head, *tail;
    double in_transit;                 /* units on their way here */
    double licence_pending;            /* units of this product awaiting a licence to come here */
    double blocked_pending;            /* shortfall already counted as blocked, not yet ordered */
    double channel[CH_COUNT];          /* on hand by how it came (sums to on_hand) */
    double inv_last_t, transit_last_t; /* last change, for the time integrals */
    double level_trigger;              /* base stock level, or s */
    double order_up_to;                /* base stock level, or S */
    sim_event_id review;               /* (s, S): the next review */
};

/* Days [from, to) since the start in which a demand's rate is multiplied. */
typedef struct stockpile_window {
    double from, to, factor;
} stockpile_window;

typedef struct demand_rt {
    model *m;
    const world_demand *w;
    uint32_t stock;
    sim_dist size;
    sim_rng *arrivals, *sizes;
    double seg_rate, seg_end;  /* the rate per day holds until seg_end (days) */
    stockpile_window *windows; /* owned */
    size_t n_windows;
} demand_rt;

struct batch {
    batch *next, *prev; /* in the process's waiting queue, or the site's running list */
    process *proc;
    double start;
    double end;       /* completion time while running */
    double remaining; /* while its site is down */
    double yield;     /* at its start: each output unit is good with this probability */
    sim_event_id done;
    uint32_t missing; /* inputs not yet complete */
    bool running;
    double *staged;   /* per input, units held for it */
    double *expected; /* per output, units the stock counted on */
};

struct process {
    model *m;
    const plan_process *plan;
    uint32_t index;
    sim_dist duration;
    sim_rng *durations, *yields;
    sim_pool *batches;
    batch *wait_head, *wait_tail; /* requested, not started: first in, first out */
    uint64_t running;
};

struct site_rt {
    model *m;
    uint32_t index;
    uint32_t down; /* outages in force */
    double down_since;
    batch *running;      /* batches in progress, a doubly linked list */
    double slot_free_at; /* wafer starts: when the next may start */
    sim_event_id slot_event;
};

typedef struct shipment {
    struct shipment *next, *prev; /* live list (for the conservation walk) */
    struct shipment *held_next;   /* waiting on a closed lane or a site that is down */
    model *m;
    uint32_t product, dest, into, lane; /* dest/into as in a SHIP claim */
    double quantity, factor;
    model_channel channel;
    sim_event_id arrive;
} shipment;

struct lane_rt {
    uint32_t closed; /* closures in force */
    sim_rng *transit_rng;
    sim_rng *detection_rng;
    sim_dist transit;
    shipment *held_head, *held_tail;
};

typedef struct disruption_rt {
    model *m;
    const world_disruption *w;
    sim_dist up, down;
    sim_rng *rng;
} disruption_rt;

/* An order waiting for a licence. */
typedef struct licence_app {
    model *m;
    uint32_t stock, sup, into, lane, rule;
    double units, factor, applied;
} licence_app;

/* Per product: what entered the world and where it went, for the check. */
typedef struct flow {
    double initial;       /* in: stock held when the run starts */
    double sourced, made; /* in: supplied by sources, batch output (good + scrap) */
    double delivered, consumed, scrapped, seized; /* out of the world */
} flow;

struct model {
    const model_plan *p;
    const world *w;
    sim_engine *e;
    model_metrics *out;
    double *cell;  /* the current period's cells; NULL during warm-up */
    size_t period; /* the current period while cell != NULL */
    stock *stocks;
    demand_rt *demand;
    process *processes;
    site_rt *sites;
    lane_rt *lanes;
    disruption_rt *disruptions;
    flow *flows;
    sim_pool *claims, *shipments, *licences;
    sim_rng **licence_rng;           /* per rule: review times and approvals */
    sim_dist *review;                /* per rule with a review distribution */
    sim_rng *diversion_rng;          /* does a blocked order try an illicit route? */
    struct decision_memo *decisions; /* controls_check's memo: CONTROLS_MEMO entries */
    double *cap_used;                /* [rule][country]: quota used in cap_period */
    sim_date *cap_period;            /* [rule][country]: the cap period cap_used counts */
    shipment *live;                  /* shipments under way or held */
    model_events *events;            /* NULL: not recorded */
    double *firm_cell;               /* the current period's firm cells; NULL during warm-up */
    int *injunctions;             /* [product][country]: injunctions in force stopping deliveries */
    int *firm_injunctions;        /* per firm: its injunctions in force */
    unsigned char *dispute_state; /* per dispute: 0 none, 2 injunction in force */
    sim_rng **patent_rng;         /* per dispute */
    sim_dist *injunction_delay;   /* per dispute with an `after` */
    double injunction_last_t;
    claim *placing; /* the claim being placed: its fills are immediate */
    uint32_t h100e; /* the attribute compute is counted in, or WORLD_NONE */
    uint64_t orders;
};

/* ---- between the files ---- */

static inline double *cell_of(model *m, uint32_t stock_index)
{
    return m->cell ? m->cell + (size_t)stock_index * RAW_COUNT : NULL;
}
static inline void raw_add(model *m, uint32_t stock_index, model_raw r, double x)
{
    if (m->cell) m->cell[(size_t)stock_index * RAW_COUNT + r] += x;
}

/* The on-hand quantity of a stock point changes by delta (the time integral
 * is kept up to date). */
void stock_on_hand_add(model *m, uint32_t stock, double delta);
void stock_in_transit_add(model *m, uint32_t stock, double delta);
/* A claim joins the queue of a stock point, which fills what it can and
 * reviews its replenishment. */
void stock_place(model *m, uint32_t stock, claim *c);
/* Stock arrived or became free: fill claims first in, first out. */
void stock_fill(model *m, uint32_t stock_index);
/* The position changed: order or make what the policy asks. */
void stock_review(model *m, uint32_t stock_index);
/* Orders what the policy asks from suppliers, with or without licences
 * (after a licence was denied, only what needs none). */
void stock_order(model *m, uint32_t stock_index, bool licences);
/* Places an order of `units` with supplier stock sup (counted on order). */
void stock_order_from(model *m, uint32_t s, uint32_t sup, uint32_t into, uint32_t lane,
                      double units, double factor, bool counted, model_channel channel,
                      uint32_t rule);
/* Units arrive at a product stock point by a channel. */
void stock_receive(model *m, uint32_t s, double units, model_channel channel);
void stock_remove_claim(model *m, claim *c);
/* Brings the time integrals of every stock point up to now (period ends). */
void stock_flush_integrals(model *m);
sim_status stock_init(model *m);
void stock_review_event(sim_engine *e, void *obj, uint64_t arg);

sim_status demand_init(model *m);

sim_status process_init(model *m);
/* The yield a batch of process g starting now would have (1 without one). */
double process_yield(model *m, uint32_t g);
/* Ask for one more batch of a process (called by a stock's replenishment). */
void process_request(model *m, uint32_t proc);
/* An input of a waiting batch got some units. */
void process_input_staged(model *m, batch *b, uint32_t input, double quantity);
/* Start whatever can start at a site (after inputs, a server, capacity or
 * the site itself became available). */
void process_try_site(model *m, uint32_t site);
void process_site_down(model *m, uint32_t site);
void process_site_up(model *m, uint32_t site);

sim_status shipment_init(model *m);
void shipment_send(model *m, uint32_t product, double quantity, const claim *order);
void shipment_release_lane(model *m, uint32_t lane);
void shipment_release_site(model *m, uint32_t site);
bool lane_open(const model *m, uint32_t lane);

sim_status disruption_init(model *m);

/* Patents (patents.c): royalties and exposure for units sold; deliveries an
 * injunction stops in a forum. */
sim_status patents_init(model *m);
void patents_release(model *m);
void patents_sold(model *m, uint32_t product, double units);
bool patents_stopped(const model *m, uint32_t product, uint32_t site);
void patents_flush(model *m);

/* Export controls (controls.c): what the rules in force today say about
 * product leaving site `from` for site `to`. Within one country nothing is
 * checked. *rule is the deciding rule (WORLD_NONE with ALLOW). */
typedef enum controls_decision {
    CONTROLS_ALLOW,
    CONTROLS_LICENSE,
    CONTROLS_CAP,
    CONTROLS_DENY
} controls_decision;
controls_decision controls_check(model *m, uint32_t product, uint32_t from, uint32_t to,
                                 uint32_t *rule);
/* Apply for a licence for an order of `units` (this candidate of stock s):
 * on approval the order is placed with the supplier; on denial the stock
 * orders again without licences. */
void controls_apply(model *m, uint32_t s, uint32_t sup, uint32_t into, uint32_t lane, double units,
                    double factor, uint32_t rule);
/* A cap: whole units of product that may still go to site `to`'s country
 * in the current cap period; and taking them. */
double controls_cap_room(model *m, uint32_t rule, uint32_t product, uint32_t to);
void controls_cap_take(model *m, uint32_t rule, uint32_t product, uint32_t to, double units);
sim_status controls_init(model *m);

/* Records an event when events are wanted. */
static inline void model_event_add(model *m, model_event_kind kind, uint32_t rule, uint32_t site,
                                   uint32_t product, double quantity)
{
    if (!m->events) return;
    model_event e = {sim_engine_replication(m->e),
                     sim_today(m->e),
                     kind,
                     rule,
                     site,
                     product,
                     quantity,
                     WORLD_NONE};
    model_events_append(m->events, &e);
}

/* A substitute ordered instead of the first choice. */
static inline void model_event_substituted(model *m, uint32_t rule, uint32_t site, uint32_t product,
                                           double units, uint32_t instead_of)
{
    if (!m->events) return;
    model_event e = {sim_engine_replication(m->e),
                     sim_today(m->e),
                     EV_SUBSTITUTED,
                     rule,
                     site,
                     product,
                     units,
                     instead_of};
    model_events_append(m->events, &e);
}

/* A patent event: `other` is the dispute or the licence. */
static inline void model_event_patent(model *m, model_event_kind kind, uint32_t product,
                                      uint32_t other)
{
    if (!m->events) return;
    model_event e = {sim_engine_replication(m->e),
                     sim_today(m->e),
                     kind,
                     WORLD_NONE,
                     WORLD_NONE,
                     product,
                     0,
                     other};
    model_events_append(m->events, &e);
}

/* Days since the run's start of a calendar date. */
static inline double model_days(const model *m, sim_date d)
{
    return (double)(d - m->w->run.start);
}

#endif
