/*
 * Export controls in the flow of goods.
 *
 * A stock ordering from a supplier in another country asks what the rules
 * in force that day say (rules.h: the most restrictive rule that catches the
 * product and the buyer decides). A denied candidate is skipped: the order
 * goes to the next supplier, or the next product of a need. A licence
 * requirement makes the order wait for a review: its time is drawn from the
 * rule's `review` distribution (none: decided the same day), and approval
 * from its `approval` probability. An approved order is placed with the
 * supplier; a review that outlasts the rule ends when the rule expires, as
 * approved. A denied one is dropped and the stock orders again, this time
 * only what needs no licence. Each rule has its own stream
 * ("controls.licence", index = the rule's position) for its review times and
 * approvals.
 */
#include <stdlib.h>

#include "model_internal.h"
#include "rules.h"

/* The rule deciding (product, buyer) holds until a rule takes effect or
 * expires, and one order asks many times: remember the last decisions in a
 * small table keyed by (product, country, firm), each with the days it
 * holds. A miss costs a rules_decide; a hit, a few compares. */
#define CONTROLS_MEMO 256u
typedef struct decision_memo {
    uint32_t product, country, firm, rule;
    sim_date from, to; /* holds on [from, to); from > to: empty slot */
} decision_memo;

static uint32_t decide(model *m, uint32_t product, uint32_t country, uint32_t firm)
{
    sim_date d = sim_today(m->e);
    uint32_t h = (product * 2654435761u) ^ (country * 40503u) ^ (firm * 97u);
    decision_memo *c = &m->decisions[h % CONTROLS_MEMO];
    if (c->product != product || c->country != country || c->firm != firm || d < c->from ||
        d >= c->to) {
        c->product = product;
        c->country = country;
        c->firm = firm;
        c->rule = rules_decide(m->p->rules, product, country, firm, d);
        rules_epoch(m->p->rules, d, &c->from, &c->to);
    }
    return c->rule;
}

controls_decision controls_check(model *m, uint32_t product, uint32_t from, uint32_t to,
                                 uint32_t *rule)
{
    const world *w = m->w;
    *rule = WORLD_NONE;
    const world_site *buyer = &w->sites[to];
    if (w->sites[from].country == buyer->country) return CONTROLS_ALLOW;
    uint32_t r = decide(m, product, buyer->country, buyer->firm);
    if (r == WORLD_NONE) return CONTROLS_ALLOW;
    *rule = r;
    switch (w->rules[r].action.kind) {
    case WORLD_DENY:
        return CONTROLS_DENY;
    case WORLD_LICENSE:
        return CONTROLS_LICENSE;
    case WORLD_CAP:
        return CONTROLS_CAP;
    }
    return CONTROLS_DENY;
}

static void decided(sim_engine *e, void *obj, uint64_t arg)
{
    (void)arg;
    licence_app *a = obj;
    model *m = a->m;
    const world_rule *rule = &m->w->rules[a->rule];
    /* Ended by the rule's expiry (arg 1), or drawn. */
    bool approved = arg == 1 || sim_rng_uniform(m->licence_rng[a->rule]) < rule->action.approval;
    raw_add(m, a->into, approved ? RAW_LIC_APPROVED : RAW_LIC_DENIED, a->units);
    raw_add(m, a->into, RAW_LIC_DECIDED, 1);
    raw_add(m, a->into, RAW_LIC_REVIEW_DAYS, sim_now(e) - a->applied);
    model_event_add(m, approved ? EV_LICENCE_APPROVED : EV_LICENCE_DENIED, a->rule,
                    m->p->stocks[a->stock].site, m->p->stocks[a->into].item, a->units);
    m->stocks[a->into].licence_pending -= a->units;
    licence_app x = *a;
    sim_pool_put(m->licences, a);
    if (approved) {
        /* A condition such as the Aug 2025 H20 licences: a share of the
         * revenue is remitted. */
        uint32_t value = world_find_attribute(m->w, "unit_value_usd");
        double usd =
            value != WORLD_NONE ? m->w->products[m->p->stocks[x.into].item].attr[value] : 0;
        if (rule->action.revenue_share > 0 && usd > 0)
            raw_add(m, x.into, RAW_REMITTED, x.units * usd * rule->action.revenue_share);
        stock_order_from(m, x.stock, x.sup, x.into, x.lane, x.units, x.factor, true, CH_LICENSED,
                         x.rule);
        return;
    }
    m->stocks[x.stock].on_order -= x.units * x.factor;
    stock_order(m, x.stock, false);
}

void controls_apply(model *m, uint32_t s, uint32_t sup, uint32_t into, uint32_t lane, double units,
                    double factor, uint32_t rule)
{
    licence_app *a = sim_pool_get(m->licences);
    if (!a) {
        sim_engine_fail(m->e, SIM_ENOMEM, "out of memory applying for a licence");
        return;
    }
    *a = (licence_app){m, s, sup, into, lane, rule, units, factor, sim_now(m->e)};
    m->stocks[s].on_order += units * factor;
    m->stocks[into].licence_pending += units;
    raw_add(m, into, RAW_LIC_APPLIED, units);
    const world_rule *r = &m->w->rules[rule];
    double review =
        r->action.has_review ? sim_dist_sample(&m->review[rule], m->licence_rng[rule]) : 0;
    double at = sim_now(m->e) + review, ends = model_days(m, r->expires);
    if (r->expires != INT32_MAX && at >= ends)
        sim_schedule_at(m->e, ends, decided, a, 1);
    else
        sim_schedule_at(m->e, at, decided, a, 0);
}

/* The cap's quota of (rule, destination country) in the current cap
 * period: periods are calendar periods of the cap's `per`. */
static double *quota_used(model *m, uint32_t rule, uint32_t country, sim_date *period)
{
    size_t k = (size_t)rule * m->w->n_countries + country;
    const world_rule *r = &m->w->rules[rule];
    sim_date now = sim_period_floor(r->action.cap_period, sim_today(m->e));
    if (m->cap_period[k] != now) {
        m->cap_period[k] = now;
        m->cap_used[k] = 0;
    }
    *period = now;
    return &m->cap_used[k];
}

double controls_cap_room(model *m, uint32_t rule, uint32_t product, uint32_t to)
{
    const world_rule *r = &m->w->rules[rule];
    sim_date period;
    double *used = quota_used(m, rule, m->w->sites[to].country, &period);
    double per_unit = 1;
    if (r->action.cap_unit == WORLD_CAP_H100E) {
        per_unit = m->h100e != WORLD_NONE ? m->w->products[product].attr[m->h100e] : NAN;
        if (!(per_unit > 0)) return 0; /* a cap in compute on a product with none: blocked */
    }
    double room = floor((r->action.cap - *used) / per_unit + 1e-9);
    return room > 0 ? room : 0;
}

void controls_cap_take(model *m, uint32_t rule, uint32_t product, uint32_t to, double units)
{
    const world_rule *r = &m->w->rules[rule];
    sim_date period;
    double *used = quota_used(m, rule, m->w->sites[to].country, &period);
    double per_unit = r->action.cap_unit == WORLD_CAP_H100E && m->h100e != WORLD_NONE
                          ? m->w->products[product].attr[m->h100e]
                          : 1;
    *used += units * per_unit;
}

static void took_effect(sim_engine *e, void *obj, uint64_t arg)
{
    (void)e;
    model_event_add(obj, EV_RULE_EFFECTIVE, (uint32_t)arg, WORLD_NONE, WORLD_NONE, 0);
}

sim_status controls_init(model *m)
{
    const world *w = m->w;
    m->licences = sim_engine_pool(m->e, sizeof(licence_app));
    m->licence_rng = calloc(w->n_rules ? w->n_rules : 1, sizeof *m->licence_rng);
    m->review = calloc(w->n_rules ? w->n_rules : 1, sizeof *m->review);
    size_t quotas = (w->n_rules ? w->n_rules : 1) * (w->n_countries ? w->n_countries : 1);
    m->cap_used = calloc(quotas, sizeof *m->cap_used);
    m->cap_period = malloc(quotas * sizeof *m->cap_period);
    m->decisions = malloc(CONTROLS_MEMO * sizeof *m->decisions);
    if (m->decisions)
        for (size_t i = 0; i < CONTROLS_MEMO; i++)
            m->decisions[i] = (decision_memo){.from = 1, .to = 0};
    m->diversion_rng = sim_engine_stream(m->e, "controls.diversion", 0);
    if (!m->licences || !m->licence_rng || !m->review || !m->cap_used || !m->cap_period ||
        !m->decisions || !m->diversion_rng)
        return SIM_ENOMEM;
    for (size_t i = 0; i < quotas; i++)
        m->cap_period[i] = INT32_MIN;
    for (size_t i = 0; i < w->n_rules; i++) {
        const world_rule *r = &w->rules[i];
        double at = model_days(m, r->effective);
        /* Only recorded: it changes nothing, so runs with and without
         * --events are the same. */
        if (m->events && at >= 0 && at < m->p->horizon_days)
            sim_schedule_at(m->e, at, took_effect, m, i);
        if (r->action.kind != WORLD_LICENSE) continue;
        m->licence_rng[i] = sim_engine_stream(m->e, "controls.licence", i);
        if (!m->licence_rng[i]) return SIM_ENOMEM;
        char err[160];
        if (r->action.has_review &&
            sim_dist_init(&m->review[i], &r->action.review.spec, err, sizeof err) != SIM_OK) {
            sim_engine_fail(m->e, SIM_EMODEL, "rule '%s' review: %s", r->id, err);
            return SIM_EMODEL;
        }
    }
    return SIM_OK;
}
