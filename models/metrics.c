/*
 * Metrics: the cells a replication fills, and the metrics derived from
 * sums of cells (see metrics.h).
 */
#include "metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"

static const char *const names[MET_COUNT] = {
    [MET_DEMAND] = "demand",
    [MET_DELIVERED] = "delivered",
    [MET_FILL_RATE] = "fill_rate",
    [MET_ORDER_WAIT] = "order_wait",
    [MET_BACKLOG] = "backlog",
    [MET_LOST] = "lost",
    [MET_PRODUCED] = "produced",
    [MET_SCRAPPED] = "scrapped",
    [MET_INVENTORY] = "inventory",
    [MET_IN_TRANSIT] = "in_transit",
    [MET_SHIPPED] = "shipped",
    [MET_COMPUTE_DELIVERED] = "compute_delivered",
    [MET_BLOCKED] = "blocked",
    [MET_SUBSTITUTED] = "substituted",
    [MET_LICENCE_APPROVED] = "licence_approved",
    [MET_LICENCE_DENIED] = "licence_denied",
    [MET_LICENCE_PENDING] = "licence_pending",
    [MET_LICENCE_REVIEW] = "licence_review",
    [MET_REVENUE_REMITTED] = "revenue_remitted",
    [MET_DIVERTED_ATTEMPTED] = "diverted_attempted",
    [MET_DIVERTED_DELIVERED] = "diverted_delivered",
    [MET_SEIZED] = "seized",
    [MET_DIVERSION_MARKUP] = "diversion_markup",
    [MET_COMPUTE_DOMESTIC] = "compute_domestic",
    [MET_COMPUTE_DIRECT] = "compute_direct",
    [MET_COMPUTE_LICENSED] = "compute_licensed",
    [MET_COMPUTE_DIVERTED] = "compute_diverted",
    [MET_STOPPED] = "stopped_by_injunction",
    [MET_ROYALTIES_PAID] = "royalties_paid",
    [MET_ROYALTIES_RECEIVED] = "royalties_received",
    [MET_EXPOSURE] = "royalty_exposure",
    [MET_INJUNCTION_DAYS] = "injunction_days",
};

bool model_raw_is_level(model_raw r)
{
    return r == RAW_BACKLOG_END || r == RAW_LIC_PENDING_END;
}

const char *model_metric_name(model_metric m)
{
    return m < MET_COUNT ? names[m] : "?";
}

const char *model_metric_unit(const model_plan *p, model_metric m, uint32_t stock_index)
{
    switch (m) {
    case MET_FILL_RATE:
        return "ratio";
    case MET_ORDER_WAIT:
    case MET_LICENCE_REVIEW:
        return "days";
    case MET_REVENUE_REMITTED:
    case MET_DIVERSION_MARKUP:
    case MET_ROYALTIES_PAID:
    case MET_ROYALTIES_RECEIVED:
    case MET_EXPOSURE:
        return "usd";
    case MET_INJUNCTION_DAYS:
        return "days";
    case MET_STOPPED:
        return "units";
    case MET_DIVERTED_ATTEMPTED:
    case MET_DIVERTED_DELIVERED:
    case MET_SEIZED:
        return "units";
    case MET_SUBSTITUTED:
    case MET_LICENCE_APPROVED:
    case MET_LICENCE_DENIED:
    case MET_LICENCE_PENDING:
        return "units";
    case MET_COMPUTE_DELIVERED:
    case MET_COMPUTE_DOMESTIC:
    case MET_COMPUTE_DIRECT:
    case MET_COMPUTE_LICENSED:
    case MET_COMPUTE_DIVERTED:
        return "h100e";
    default:
        break;
    }
    if (stock_index != WORLD_NONE && p->stocks[stock_index].is_need) {
        const world *w = p->w;
        const world_need *nd = &w->needs[p->stocks[stock_index].item];
        return nd->unit_attribute != WORLD_NONE ? w->attributes[nd->unit_attribute].id : "units";
    }
    return "units";
}

model_metrics *model_metrics_new(const model_plan *p)
{
    model_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n_periods = p->n_periods;
    m->n_stocks = p->n_stocks;
    m->n_firms = p->w->n_firms;
    size_t n = m->n_periods * m->n_stocks * RAW_COUNT;
    size_t nf = m->n_periods * m->n_firms * RAW_COUNT;
    m->raw = calloc(n ? n : 1, sizeof *m->raw);
    m->firm_raw = calloc(nf ? nf : 1, sizeof *m->firm_raw);
    if (!m->raw || !m->firm_raw) {
        free(m->raw);
        free(m->firm_raw);
        free(m);
        return NULL;
    }
    return m;
}

void model_metrics_free(model_metrics *m)
{
    if (!m) return;
    free(m->raw);
    free(m->firm_raw);
    free(m);
}

void model_metrics_clear(model_metrics *m)
{
    memset(m->raw, 0, m->n_periods * m->n_stocks * RAW_COUNT * sizeof *m->raw);
    memset(m->firm_raw, 0, m->n_periods * m->n_firms * RAW_COUNT * sizeof *m->firm_raw);
}

void model_metrics_sum(const model_plan *p, const model_metrics *m, size_t from, size_t to,
                       model_stock_filter want, const void *ctx, double sums[RAW_COUNT])
{
    for (int r = 0; r < RAW_COUNT; r++)
        sums[r] = 0;
    if (to > m->n_periods) to = m->n_periods;
    for (size_t i = from; i < to; i++) {
        double begin = fmax((double)(p->period_start[i] - p->w->run.start), p->warmup_days);
        sums[RAW_DAYS] += p->period_end_days[i] - begin;
        for (uint32_t s = 0; s < m->n_stocks; s++) {
            if (want && !want(p, s, ctx)) continue;
            const double *c = m->raw + (i * m->n_stocks + s) * RAW_COUNT;
            for (int r = 0; r < RAW_COUNT; r++) {
                if (r == RAW_DAYS) continue;
                /* A backlog is a level at the period's end, not a flow: over
                 * several periods it is the last one's. */
                if (model_raw_is_level((model_raw)r) && i + 1 != to) continue;
                sums[r] += c[r];
            }
        }
    }
}

double model_metric_from_sums(model_metric met, const double s[RAW_COUNT])
{
    switch (met) {
    case MET_DEMAND:
        return s[RAW_DEMAND];
    case MET_DELIVERED:
        return s[RAW_DELIVERED];
    case MET_FILL_RATE:
        return s[RAW_DEMAND] > 0 ? s[RAW_IMMEDIATE] / s[RAW_DEMAND] : NAN;
    case MET_ORDER_WAIT:
        return s[RAW_FILLED] > 0 ? s[RAW_WAIT_DAYS] / s[RAW_FILLED] : NAN;
    case MET_BACKLOG:
        return s[RAW_BACKLOG_END];
    case MET_LOST:
        return s[RAW_LOST];
    case MET_PRODUCED:
        return s[RAW_PRODUCED];
    case MET_SCRAPPED:
        return s[RAW_SCRAPPED];
    case MET_INVENTORY:
        return s[RAW_DAYS] > 0 ? s[RAW_INV_AREA] / s[RAW_DAYS] : NAN;
    case MET_IN_TRANSIT:
        return s[RAW_DAYS] > 0 ? s[RAW_TRANSIT_AREA] / s[RAW_DAYS] : NAN;
    case MET_SHIPPED:
        return s[RAW_SHIPPED];
    case MET_COMPUTE_DELIVERED:
        return s[RAW_COMPUTE];
    case MET_BLOCKED:
        return s[RAW_BLOCKED];
    case MET_SUBSTITUTED:
        return s[RAW_SUBSTITUTED];
    case MET_LICENCE_APPROVED:
        return s[RAW_LIC_APPROVED];
    case MET_LICENCE_DENIED:
        return s[RAW_LIC_DENIED];
    case MET_LICENCE_PENDING:
        return s[RAW_LIC_PENDING_END];
    case MET_LICENCE_REVIEW:
        return s[RAW_LIC_DECIDED] > 0 ? s[RAW_LIC_REVIEW_DAYS] / s[RAW_LIC_DECIDED] : NAN;
    case MET_REVENUE_REMITTED:
        return s[RAW_REMITTED];
    case MET_DIVERTED_ATTEMPTED:
        return s[RAW_DIVERTED_ATTEMPTED];
    case MET_DIVERTED_DELIVERED:
        return s[RAW_DIVERTED_DELIVERED];
    case MET_SEIZED:
        return s[RAW_SEIZED];
    case MET_DIVERSION_MARKUP:
        return s[RAW_MARKUP_USD];
    case MET_COMPUTE_DOMESTIC:
    case MET_COMPUTE_DIRECT:
    case MET_COMPUTE_LICENSED:
    case MET_COMPUTE_DIVERTED:
        return s[RAW_COMPUTE_DOMESTIC + (met - MET_COMPUTE_DOMESTIC)];
    case MET_STOPPED:
        return s[RAW_STOPPED];
    case MET_ROYALTIES_PAID:
        return s[RAW_ROYALTY_PAID];
    case MET_ROYALTIES_RECEIVED:
        return s[RAW_ROYALTY_RECEIVED];
    case MET_EXPOSURE:
        return s[RAW_EXPOSURE];
    case MET_INJUNCTION_DAYS:
        return s[RAW_INJUNCTION_DAYS];
    case MET_COUNT:
        break;
    }
    return NAN;
}
