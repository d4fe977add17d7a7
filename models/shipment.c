/*
 * Lanes and shipments. A shipment is what one fill of one order releases
 * from a supplier's stock (the whole order when the stock has it); its
 * transit time is drawn from the lane's distribution when it leaves. While
 * the lane is closed or its origin site is down, shipments wait at the
 * origin (counted in transit) and leave, in order, when both are open again.
 * A shipment already under way when a lane closes arrives as planned.
 */
#include <stdlib.h>

#include "model_internal.h"

bool lane_open(const model *m, uint32_t lane)
{
    return m->lanes[lane].closed == 0 && m->sites[m->w->lanes[lane].from].down == 0;
}

static void unlink_live(model *m, shipment *x)
{
    if (x->prev)
        x->prev->next = x->next;
    else
        m->live = x->next;
    if (x->next) x->next->prev = x->prev;
}

static void arrive(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    (void)arg;
    shipment *x = obj;
    model *m = x->m;
    unlink_live(m, x);
    uint32_t into = x->into, dest = x->dest;
    double q = x->quantity;
    stock_in_transit_add(m, into, -q);
    raw_add(m, into, RAW_RECEIVED, q);
    if (m->w->lanes[x->lane].illicit) raw_add(m, into, RAW_DIVERTED_DELIVERED, q);
    m->stocks[dest].on_order -= q * x->factor;
    sim_pool_put(m->shipments, x);
    stock_receive(m, into, q, x->channel);
    stock_fill(m, into);
    if (dest != into) stock_fill(m, dest);
}

/* A shipment on an illicit lane is seized as it leaves with the lane's
 * detection probability (stream "lane.detection", index = the lane): the
 * units leave the world as seized and the buyer orders again. */
static bool seized(model *m, shipment *x)
{
    const world_lane *wl = &m->w->lanes[x->lane];
    lane_rt *l = &m->lanes[x->lane];
    if (!wl->illicit || !(sim_rng_uniform(l->detection_rng) < wl->detection)) return false;
    unlink_live(m, x);
    stock_in_transit_add(m, x->into, -x->quantity);
    m->flows[x->product].seized += x->quantity;
    raw_add(m, x->into, RAW_SEIZED, x->quantity);
    model_event_add(m, EV_SEIZED, WORLD_NONE, m->p->stocks[x->dest].site, x->product, x->quantity);
    m->stocks[x->dest].on_order -= x->quantity * x->factor;
    uint32_t dest = x->dest;
    sim_pool_put(m->shipments, x);
    stock_order(m, dest, true);
    return true;
}

static void depart(model *m, shipment *x)
{
    if (seized(m, x)) return;
    lane_rt *l = &m->lanes[x->lane];
    double t = sim_dist_sample(&l->transit, l->transit_rng);
    x->arrive = sim_schedule_in(m->e, t, arrive, x, 0);
}

void shipment_send(model *m, uint32_t product, double quantity, const claim *order)
{
    shipment *x = sim_pool_get(m->shipments);
    if (!x) {
        sim_engine_fail(m->e, SIM_ENOMEM, "out of memory sending a shipment");
        return;
    }
    *x = (shipment){.m = m,
                    .product = product,
                    .dest = order->dest,
                    .into = order->into,
                    .lane = order->lane,
                    .quantity = quantity,
                    .factor = order->factor,
                    .channel = order->channel};
    x->next = m->live;
    if (m->live) m->live->prev = x;
    m->live = x;
    stock_in_transit_add(m, x->into, quantity);
    raw_add(m, x->into, RAW_SHIPPED, quantity);
    if (lane_open(m, x->lane)) {
        depart(m, x);
        return;
    }
    lane_rt *l = &m->lanes[x->lane];
    if (l->held_tail)
        l->held_tail->held_next = x;
    else
        l->held_head = x;
    l->held_tail = x;
}

void shipment_release_lane(model *m, uint32_t lane)
{
    if (!lane_open(m, lane)) return;
    lane_rt *l = &m->lanes[lane];
    shipment *x = l->held_head;
    l->held_head = l->held_tail = NULL;
    while (x) {
        shipment *next = x->held_next;
        x->held_next = NULL;
        depart(m, x);
        x = next;
    }
}

void shipment_release_site(model *m, uint32_t site)
{
    for (uint32_t i = 0; i < m->w->n_lanes; i++)
        if (m->w->lanes[i].from == site && m->lanes[i].held_head) shipment_release_lane(m, i);
}

sim_status shipment_init(model *m)
{
    const world *w = m->w;
    m->lanes = calloc(w->n_lanes ? w->n_lanes : 1, sizeof *m->lanes);
    m->shipments = sim_engine_pool(m->e, sizeof(shipment));
    if (!m->lanes || !m->shipments) return SIM_ENOMEM;
    for (size_t i = 0; i < w->n_lanes; i++) {
        char err[160];
        if (sim_dist_init(&m->lanes[i].transit, &w->lanes[i].transit.spec, err, sizeof err) !=
            SIM_OK) {
            sim_engine_fail(m->e, SIM_EMODEL, "lane %zu transit: %s", i, err);
            return SIM_EMODEL;
        }
        m->lanes[i].transit_rng = sim_engine_stream(m->e, "lane.transit", i);
        m->lanes[i].detection_rng = sim_engine_stream(m->e, "lane.detection", i);
        if (!m->lanes[i].transit_rng || !m->lanes[i].detection_rng) return SIM_ENOMEM;
    }
    return SIM_OK;
}
