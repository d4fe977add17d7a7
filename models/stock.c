/*
 * Stock points: the claims waiting at them, filling first in, first out, and
 * replenishment (base stock, (s, S) with a review period; made here, sourced,
 * or ordered from suppliers in preference order).
 *
 * A need stock (e.g. ai_compute at a data centre) keeps its claims in need
 * units; the products that fill it sit in the site's product stock points,
 * and the need's on-hand is their sum, converted. Whole units fill a need, so
 * the last unit may deliver a little more than the order asked.
 */
#include <math.h>
#include <stddef.h>

#include "model_internal.h"

/* Units to order for a shortfall: product quantities are whole. */
#define EPS_UNITS 1e-9

static void integrate_inventory(model *m, uint32_t s, double now)
{
    stock *st = &m->stocks[s];
    double dt = now - st->inv_last_t;
    if (dt > 0 && st->on_hand != 0) raw_add(m, s, RAW_INV_AREA, st->on_hand * dt);
    st->inv_last_t = now;
}

static void integrate_transit(model *m, uint32_t s, double now)
{
    stock *st = &m->stocks[s];
    double dt = now - st->transit_last_t;
    if (dt > 0 && st->in_transit != 0) raw_add(m, s, RAW_TRANSIT_AREA, st->in_transit * dt);
    st->transit_last_t = now;
}

/* The shares of what a stock holds by channel (all domestic when empty). */
static void channel_split(const stock *st, double out[CH_COUNT])
{
    double sum = 0;
    for (int c = 0; c < CH_COUNT; c++)
        sum += st->channel[c];
    for (int c = 0; c < CH_COUNT; c++)
        out[c] = sum > 0 ? st->channel[c] / sum : c == CH_DOMESTIC;
}

/* Units arriving count in their channel; units leaving take every channel
 * in proportion (a stock does not know which unit is which). */
static void on_hand_change(model *m, uint32_t s, double delta, model_channel channel)
{
    stock *st = &m->stocks[s];
    if (delta > 0) {
        st->channel[channel] += delta;
    } else if (delta < 0) {
        double after = st->on_hand + delta;
        double keep = st->on_hand > 0 && after > 0 ? after / st->on_hand : 0;
        for (int c = 0; c < CH_COUNT; c++)
            st->channel[c] *= keep;
    }
}

static void stock_change(model *m, uint32_t s, double delta, model_channel channel)
{
    double now = sim_now(m->e);
    integrate_inventory(m, s, now);
    on_hand_change(m, s, delta, channel);
    m->stocks[s].on_hand += delta;
    const plan_stock *ps = &m->p->stocks[s];
    if (ps->need_stock != WORLD_NONE) {
        /* Summed afresh, not by increments, so an empty need stock is 0
         * exactly, not a rounding residue. */
        uint32_t n = ps->need_stock;
        const plan_stock *pn = &m->p->stocks[n];
        integrate_inventory(m, n, now);
        double sum = 0;
        for (size_t k = 0; k < pn->n_fills; k++)
            sum += m->stocks[pn->fills[k]].on_hand * pn->fills_factor[k];
        m->stocks[n].on_hand = sum;
    }
}

void stock_on_hand_add(model *m, uint32_t s, double delta)
{
    stock_change(m, s, delta, CH_DOMESTIC);
}

void stock_receive(model *m, uint32_t s, double units, model_channel channel)
{
    stock_change(m, s, units, channel);
}

void stock_in_transit_add(model *m, uint32_t s, double delta)
{
    integrate_transit(m, s, sim_now(m->e));
    m->stocks[s].in_transit += delta;
}

void stock_flush_integrals(model *m)
{
    double now = sim_now(m->e);
    for (uint32_t s = 0; s < m->p->n_stocks; s++) {
        integrate_inventory(m, s, now);
        integrate_transit(m, s, now);
    }
}

static void unlink_claim(model *m, claim *c)
{
    stock *st = &m->stocks[c->stock];
    if (c->prev)
        c->prev->next = c->next;
    else
        st->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        st->tail = c->prev;
    c->next = c->prev = NULL;
}

void stock_remove_claim(model *m, claim *c)
{
    stock *st = &m->stocks[c->stock];
    st->committed -= c->remaining;
    if (c->kind == CLAIM_DEMAND) st->backlog -= c->remaining;
    unlink_claim(m, c);
    sim_pool_put(m->claims, c);
    /* Need quantities are fractional: an empty queue owes exactly nothing,
     * not a rounding residue. */
    if (!st->head) st->committed = st->backlog = 0;
}

/* Demand at stock s got `quantity` (its unit) now, of which `counted`
 * reduces the order; `compute` in the need unit. */
static void demand_delivered(model *m, claim *c, double quantity, double counted, double compute,
                             const double split[CH_COUNT])
{
    uint32_t s = c->stock;
    raw_add(m, s, RAW_DELIVERED, quantity);
    if (c == m->placing) raw_add(m, s, RAW_IMMEDIATE, counted);
    if (compute > 0) {
        raw_add(m, s, RAW_COMPUTE, compute);
        for (int ch = 0; ch < CH_COUNT; ch++)
            if (split[ch] > 0)
                raw_add(m, s, (model_raw)(RAW_COMPUTE_DOMESTIC + ch), compute * split[ch]);
    }
    c->remaining -= counted;
    m->stocks[s].committed -= counted;
    m->stocks[s].backlog -= counted;
    if (c->remaining <= EPS_UNITS) {
        m->stocks[s].committed -= c->remaining; /* rounding of need units */
        m->stocks[s].backlog -= c->remaining;
        c->remaining = 0;
        raw_add(m, s, RAW_FILLED, 1);
        raw_add(m, s, RAW_WAIT_DAYS, sim_now(m->e) - c->placed);
        if (c->patience != SIM_EVENT_NONE) sim_cancel(m->e, c->patience);
        stock_remove_claim(m, c);
    }
}

static void reorder_event(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    stock_order(obj, (uint32_t)arg, true);
}

/* Shipments are checked again when they leave, against the rules in force
 * that day: a rule that took effect while the order waited at its supplier
 * may stop it. The order keeps going if the same rule still decides, if no
 * rule does, or if it travels under a licence and a licence is what is
 * asked; under a cap, if the cap has room this period (taken now). Orders within one country and
 * over illicit lanes are not checked. */
static bool may_leave(model *m, uint32_t s, const claim *c, double q)
{
    if (c->channel == CH_DOMESTIC || c->channel == CH_DIVERTED) return true;
    uint32_t product = m->p->stocks[s].item, to = m->p->stocks[c->dest].site, rule;
    controls_decision dec = controls_check(m, product, m->p->stocks[s].site, to, &rule);
    if (rule == WORLD_NONE) return true;
    /* A cap's quota is taken as units leave, in the period they leave. */
    if (dec == CONTROLS_CAP) {
        if (controls_cap_room(m, rule, product, to) < q) return false;
        controls_cap_take(m, rule, product, to, q);
        return true;
    }
    if (rule == c->rule) return true;
    return dec == CONTROLS_LICENSE && c->channel == CH_LICENSED;
}

/* A rule stopped the order as it was leaving: the q units taken for it go
 * back into the supplier's stock, the whole order is dropped and counted as
 * blocked, and the buyer orders again (just after this event, so the
 * supplier's queue is not changed while it is being filled). */
static void cancel_order(model *m, uint32_t s, claim *c, double q)
{
    uint32_t dest = c->dest, product = m->p->stocks[s].item;
    double dropped = c->remaining * c->factor;
    uint32_t rule;
    controls_check(m, product, m->p->stocks[s].site, m->p->stocks[dest].site, &rule);
    m->stocks[dest].on_order -= dropped;
    raw_add(m, dest, RAW_BLOCKED, dropped);
    m->stocks[dest].blocked_pending += dropped; /* the reorder does not count it again */
    model_event_add(m, EV_BLOCKED, rule, m->p->stocks[dest].site, product, dropped);
    stock_remove_claim(m, c);
    if (m->p->stocks[s].refill == REFILL_SOURCE)
        m->flows[product].sourced -= q; /* a source holds nothing: never supplied */
    else
        stock_on_hand_add(m, s, q);
    sim_schedule_in(m->e, 0, reorder_event, m, dest);
}

/* q units of product stock s go to claim c (waiting at s). */
static void give(model *m, uint32_t s, claim *c, double q, const double split[CH_COUNT])
{
    const plan_stock *ps = &m->p->stocks[s];
    uint32_t product = ps->item;
    switch (c->kind) {
    case CLAIM_DEMAND: {
        m->flows[product].delivered += q;
        patents_sold(m, product, q);
        double h = m->h100e != WORLD_NONE ? m->w->products[product].attr[m->h100e] : NAN;
        demand_delivered(m, c, q, q, isnan(h) ? 0 : q * h, split);
        break;
    }
    case CLAIM_SHIP: {
        if (!may_leave(m, s, c, q)) {
            cancel_order(m, s, c, q);
            break;
        }
        claim order = *c;
        c->remaining -= q;
        m->stocks[s].committed -= q;
        if (c->remaining <= 0) stock_remove_claim(m, c);
        shipment_send(m, product, q, &order);
        break;
    }
    case CLAIM_INPUT: {
        batch *b = c->batch;
        uint32_t input = c->input;
        c->remaining -= q;
        m->stocks[s].committed -= q;
        if (c->remaining <= 0) stock_remove_claim(m, c);
        process_input_staged(m, b, input, q);
        break;
    }
    }
}

static void fill_need(model *m, uint32_t s)
{
    const plan_stock *ps = &m->p->stocks[s];
    stock *st = &m->stocks[s];
    bool over = false;
    while (st->head) {
        claim *c = st->head;
        size_t k = 0;
        /* The first product in preference order that is on hand and that no
         * injunction stops here. */
        while (k < ps->n_fills && (m->stocks[ps->fills[k]].on_hand <= 0 ||
                                   patents_stopped(m, m->p->stocks[ps->fills[k]].item, ps->site)))
            k++;
        if (k == ps->n_fills) break;
        uint32_t from = ps->fills[k];
        double f = ps->fills_factor[k];
        /* At least one unit: an order smaller than a unit's rounding slack
         * would otherwise take nothing and stay at the head for ever. */
        double want = fmax(1, ceil(c->remaining / f - EPS_UNITS));
        double units = fmin(want, m->stocks[from].on_hand);
        double got = units * f;
        uint32_t product = m->p->stocks[from].item;
        over |= got > c->remaining + EPS_UNITS;
        double split[CH_COUNT];
        channel_split(&m->stocks[from], split);
        stock_on_hand_add(m, from, -units);
        m->flows[product].delivered += units;
        patents_sold(m, product, units);
        raw_add(m, from, RAW_DELIVERED, units);
        /* Compute is counted in h100e whatever unit the need is in. */
        double h = m->h100e != WORLD_NONE ? m->w->products[product].attr[m->h100e] : NAN;
        demand_delivered(m, c, got, fmin(got, c->remaining), isnan(h) ? 0 : units * h, split);
        /* The product's own policy (if it has one here) sees the drop. */
        stock_review(m, from);
    }
    /* Whole units gave an order more than it asked: the excess left the
     * stock without a claim for it, so the position fell; order it back. */
    if (over) stock_review(m, s);
}

void stock_fill(model *m, uint32_t s)
{
    const plan_stock *ps = &m->p->stocks[s];
    stock *st = &m->stocks[s];
    if (ps->is_need) {
        fill_need(m, s);
        return;
    }
    if (ps->refill == REFILL_SOURCE) {
        /* Unlimited: what is claimed is supplied at once. */
        while (st->head) {
            claim *c = st->head;
            double q = c->remaining;
            static const double domestic[CH_COUNT] = {[CH_DOMESTIC] = 1};
            m->flows[ps->item].sourced += q;
            stock_on_hand_add(m, s, q);
            stock_on_hand_add(m, s, -q);
            give(m, s, c, q, domestic);
        }
        return;
    }
    while (st->head && st->on_hand > 0) {
        claim *c = st->head;
        /* An injunction stops deliveries to demand here: the order waits. */
        if (c->kind == CLAIM_DEMAND && patents_stopped(m, ps->item, ps->site)) break;
        double q = fmin(c->remaining, st->on_hand);
        double split[CH_COUNT];
        channel_split(st, split);
        stock_on_hand_add(m, s, -q);
        give(m, s, c, q, split);
    }
    if (st->on_hand > 0 && ps->need_stock != WORLD_NONE && m->stocks[ps->need_stock].head)
        fill_need(m, ps->need_stock);
}

void stock_place(model *m, uint32_t s, claim *c)
{
    stock *st = &m->stocks[s];
    c->stock = s;
    c->next = NULL;
    c->prev = st->tail;
    if (st->tail)
        st->tail->next = c;
    else
        st->head = c;
    st->tail = c;
    st->committed += c->remaining;
    if (c->kind == CLAIM_DEMAND) st->backlog += c->remaining;
    /* Only this claim can be filled now if others wait before it: a queue is
     * non-empty only while the stock is out. */
    claim *outer = m->placing;
    m->placing = c;
    stock_fill(m, s);
    m->placing = outer;
    stock_review(m, s);
}

static double position(const model *m, uint32_t s)
{
    const stock *st = &m->stocks[s];
    return st->on_hand + st->on_order - st->committed;
}

void stock_order_from(model *m, uint32_t s, uint32_t sup, uint32_t into, uint32_t lane,
                      double units, double factor, bool counted, model_channel channel,
                      uint32_t rule)
{
    claim *c = sim_pool_get(m->claims);
    if (!c) {
        sim_engine_fail(m->e, SIM_ENOMEM, "out of memory placing an order");
        return;
    }
    *c = (claim){.m = m,
                 .remaining = units,
                 .placed = sim_now(m->e),
                 .kind = CLAIM_SHIP,
                 .dest = s,
                 .into = into,
                 .lane = lane,
                 .factor = factor,
                 .channel = channel,
                 .rule = rule};
    if (!counted) m->stocks[s].on_order += units * factor;
    stock_place(m, sup, c);
}

/* Diversion: with probability share_of_blocked (stream "controls.diversion")
 * a blocked order goes to the first supplier, in preference order of
 * products and suppliers, reached over an illicit lane; no rule is asked.
 * The markup over the unit value counts as a cost. True when it ordered. */
static bool divert(model *m, uint32_t s, double shortfall)
{
    const world_diversion *dv = &m->w->diversion;
    if (!dv->given || dv->share_of_blocked <= 0) return false;
    if (!(sim_rng_uniform(m->diversion_rng) < dv->share_of_blocked)) return false;
    const plan_stock *ps = &m->p->stocks[s];
    const world_inventory *inv = ps->inv;
    size_t n_products = ps->is_need ? ps->n_fills : 1;
    for (size_t k = 0; k < n_products; k++) {
        uint32_t into = ps->is_need ? ps->fills[k] : s;
        uint32_t product = m->p->stocks[into].item;
        double factor = ps->is_need ? ps->fills_factor[k] : 1;
        for (size_t j = 0; j < inv->suppliers.n; j++) {
            uint32_t lane = inv->supplier_lanes.at[j];
            if (!m->w->lanes[lane].illicit) continue;
            uint32_t sup = model_plan_find_stock(m->p, inv->suppliers.at[j], product, false);
            if (sup == WORLD_NONE) continue;
            double units = fmax(1, ceil(shortfall / factor - EPS_UNITS));
            raw_add(m, into, RAW_DIVERTED_ATTEMPTED, units);
            uint32_t value = world_find_attribute(m->w, "unit_value_usd");
            double usd = value != WORLD_NONE ? m->w->products[product].attr[value] : NAN;
            if (usd > 0 && dv->markup > 1)
                raw_add(m, into, RAW_MARKUP_USD, units * usd * (dv->markup - 1));
            stock_order_from(m, s, sup, into, lane, units, factor, false, CH_DIVERTED, WORLD_NONE);
            return true;
        }
    }
    return false;
}

/* Orders `shortfall` (this stock's unit) from the suppliers over lawful
 * lanes, in preference order of products (for a need) and then of
 * suppliers, skipping what a rule denies: the first candidate that may ship
 * without a licence and has the quantity free; otherwise the first that
 * may ship at all (with a licence, if `licences`), where the order waits or
 * the licence is applied for. Units a rule kept from the first choice are
 * counted as blocked at this stock. */
static void order_from_suppliers(model *m, uint32_t s, double shortfall, bool licences)
{
    const plan_stock *ps = &m->p->stocks[s];
    const world_inventory *inv = ps->inv;
    size_t n_products = ps->is_need ? ps->n_fills : 1;
    uint32_t to = ps->site;
    uint32_t best_sup = WORLD_NONE, best_into = WORLD_NONE, best_lane = WORLD_NONE;
    uint32_t best_rule = WORLD_NONE, first_product = WORLD_NONE;
    controls_decision best_dec = CONTROLS_ALLOW;
    double best_factor = 1;
    bool blocked_first = false, ready_found = false;
    uint32_t block_rule = WORLD_NONE;
    for (size_t k = 0; k < n_products; k++) {
        uint32_t into = ps->is_need ? ps->fills[k] : s;
        uint32_t product = m->p->stocks[into].item;
        double factor = ps->is_need ? ps->fills_factor[k] : 1;
        double units = fmax(1, ceil(shortfall / factor - EPS_UNITS));
        for (size_t j = 0; j < inv->suppliers.n; j++) {
            uint32_t from = inv->suppliers.at[j], lane = inv->supplier_lanes.at[j];
            uint32_t sup = model_plan_find_stock(m->p, from, product, false);
            if (sup == WORLD_NONE || m->w->lanes[lane].illicit) continue;
            if (first_product == WORLD_NONE) first_product = product;
            uint32_t rule;
            controls_decision dec = controls_check(m, product, from, to, &rule);
            /* A cap with no room left this period denies. */
            if (dec == CONTROLS_CAP && controls_cap_room(m, rule, product, to) < 1)
                dec = CONTROLS_DENY;
            if (dec == CONTROLS_DENY || (dec == CONTROLS_LICENSE && !licences)) {
                if (best_sup == WORLD_NONE && !blocked_first) {
                    blocked_first = true;
                    block_rule = rule;
                }
                continue;
            }
            bool ready = m->p->stocks[sup].refill == REFILL_SOURCE ||
                         m->stocks[sup].on_hand - m->stocks[sup].committed >= units;
            if (best_sup == WORLD_NONE || (ready && dec == CONTROLS_ALLOW)) {
                best_sup = sup;
                best_into = into;
                best_lane = lane;
                best_factor = factor;
                best_dec = dec;
                best_rule = rule;
                if (ready && dec == CONTROLS_ALLOW) {
                    ready_found = true;
                    goto chosen;
                }
            }
        }
    }
chosen:;
    /* An order whose first choice a rule blocked takes a substitute that
     * may ship and has it free; failing that, a share tries the illicit
     * routes, and the rest wait at the first lawful candidate, if any. */
    stock *st = &m->stocks[s];
    if (blocked_first) {
        /* A shortfall is tried again at every review until something is
         * ordered: count (and offer diversion to) only what is newly blocked. */
        double fresh = shortfall - st->blocked_pending;
        if (fresh > EPS_UNITS) {
            raw_add(m, s, RAW_BLOCKED, fresh);
            model_event_add(m, EV_BLOCKED, block_rule, to, first_product, fresh);
            st->blocked_pending = shortfall;
            if (!ready_found && divert(m, s, fresh)) {
                st->blocked_pending -= fresh;
                return;
            }
        }
    }
    if (best_sup == WORLD_NONE) return; /* nothing may ship; the next review tries again */
    if (m->p->stocks[best_into].item != first_product) {
        double subst = fmax(1, ceil(shortfall / best_factor - EPS_UNITS));
        raw_add(m, best_into, RAW_SUBSTITUTED, subst);
        model_event_substituted(m, block_rule, to, m->p->stocks[best_into].item, subst,
                                first_product);
    }
    double units = fmax(1, ceil(shortfall / best_factor - EPS_UNITS));
    if (best_dec == CONTROLS_CAP) {
        /* What the cap leaves goes; the rest is blocked. */
        uint32_t product = m->p->stocks[best_into].item;
        double room = controls_cap_room(m, best_rule, product, to);
        if (room < units) {
            /* Count only what was not already counted as blocked; what is
             * left over stays pending for the next try. */
            double rest = (units - room) * best_factor;
            double already = fmax(0, st->blocked_pending - room * best_factor);
            if (rest > already + EPS_UNITS) raw_add(m, s, RAW_BLOCKED, rest - already);
            st->blocked_pending = rest + room * best_factor;
            units = room;
        }
    }
    st->blocked_pending = fmax(0, st->blocked_pending - units * best_factor);
    if (best_dec == CONTROLS_LICENSE)
        controls_apply(m, s, best_sup, best_into, best_lane, units, best_factor, best_rule);
    else
        stock_order_from(m, s, best_sup, best_into, best_lane, units, best_factor, false,
                         m->w->sites[m->p->stocks[best_sup].site].country == m->w->sites[to].country
                             ? CH_DOMESTIC
                             : CH_DIRECT,
                         best_rule);
}

static void replenish(model *m, uint32_t s, double up_to, bool licences)
{
    const plan_stock *ps = &m->p->stocks[s];
    switch (ps->refill) {
    case REFILL_MAKE: {
        /* At a yield of 0 a batch makes nothing: ask for none until the
         * yield is up (the next claim placed here reviews again). */
        if (process_yield(m, ps->maker) <= 0) break;
        /* Each request adds its expected good output to on_order, so the
         * loop ends (process.c never plans on a yield below 1%). */
        double before = -INFINITY;
        while (position(m, s) < up_to && position(m, s) > before &&
               sim_engine_status(m->e) == SIM_OK) {
            before = position(m, s);
            process_request(m, ps->maker);
        }
        break;
    }
    case REFILL_SUPPLIERS:
        order_from_suppliers(m, s, up_to - position(m, s), licences);
        break;
    case REFILL_NONE:
    case REFILL_SOURCE:
        break;
    }
}

void stock_review(model *m, uint32_t s)
{
    const plan_stock *ps = &m->p->stocks[s];
    if (ps->refill == REFILL_NONE || ps->refill == REFILL_SOURCE) return;
    if (ps->inv && ps->inv->policy == WORLD_S_S) return; /* reviewed on its clock */
    stock *st = &m->stocks[s];
    if (position(m, s) < st->order_up_to - EPS_UNITS) replenish(m, s, st->order_up_to, true);
}

void stock_order(model *m, uint32_t s, bool licences)
{
    const plan_stock *ps = &m->p->stocks[s];
    stock *st = &m->stocks[s];
    bool periodic = ps->inv && ps->inv->policy == WORLD_S_S;
    double target = periodic ? st->level_trigger : st->order_up_to - EPS_UNITS;
    if (periodic ? position(m, s) <= target : position(m, s) < target)
        replenish(m, s, st->order_up_to, licences);
}

void stock_review_event(sim_engine *e, void *obj, uint64_t arg)
{
    model *m = obj;
    uint32_t s = (uint32_t)arg;
    stock *st = &m->stocks[s];
    if (position(m, s) <= st->level_trigger) replenish(m, s, st->order_up_to, true);
    st->review = sim_schedule_in(e, m->p->stocks[s].inv->review_days, stock_review_event, m, arg);
}

sim_status stock_init(model *m)
{
    const model_plan *p = m->p;
    for (uint32_t s = 0; s < p->n_stocks; s++) {
        const plan_stock *ps = &p->stocks[s];
        stock *st = &m->stocks[s];
        const world_inventory *inv = ps->inv;
        if (inv && inv->policy == WORLD_S_S) {
            st->level_trigger = inv->s;
            st->order_up_to = inv->S;
        } else if (inv) {
            st->level_trigger = st->order_up_to = inv->level;
        }
    }
    /* Initial stock: up to the level (S for (s, S)); a need's initial stock
     * is its most preferred product. A source holds nothing: it supplies on
     * demand. */
    for (uint32_t s = 0; s < p->n_stocks; s++) {
        const plan_stock *ps = &p->stocks[s];
        if (!ps->inv || ps->refill == REFILL_SOURCE) continue;
        double q = m->stocks[s].order_up_to;
        if (q <= 0) continue;
        uint32_t into = s;
        double factor = 1;
        if (ps->is_need) {
            if (!ps->n_fills) continue;
            into = ps->fills[0];
            factor = ps->fills_factor[0];
        }
        double units = ceil(q / factor - EPS_UNITS);
        m->flows[p->stocks[into].item].initial += units;
        stock_on_hand_add(m, into, units);
    }
    for (uint32_t s = 0; s < p->n_stocks; s++) {
        const plan_stock *ps = &p->stocks[s];
        if (ps->inv && ps->inv->policy == WORLD_S_S && ps->refill != REFILL_NONE &&
            ps->refill != REFILL_SOURCE) {
            m->stocks[s].review = sim_schedule_at(m->e, 0, stock_review_event, m, s);
            if (m->stocks[s].review == SIM_EVENT_NONE) return SIM_ENOMEM;
        }
    }
    return SIM_OK;
}
