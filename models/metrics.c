/*
 * Metrics: the cells a replication fills, and the metrics derived from
 * sums of cells (see metrics.h).
 */
#include "metrics.h"

#include <assert.h>
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

static model_metrics *metrics_new(const model_plan *p, size_t slots)
{
    model_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n_periods = p->n_periods;
    m->n_stocks = p->n_stocks;
    m->n_firms = p->w->n_firms;
    m->n_slots = slots;
    size_t n = slots * m->n_stocks * RAW_COUNT;
    size_t nf = slots * m->n_firms * RAW_COUNT;
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

model_metrics *model_metrics_new(const model_plan *p)
{
    return metrics_new(p, p->n_periods);
}

model_metrics *model_metrics_new_streaming(const model_plan *p, model_period_fold fold, void *ctx)
{
    assert(fold);
    model_metrics *m = metrics_new(p, 1);
    if (m) {
        m->fold = fold;
        m->fold_ctx = ctx;
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
    memset(m->raw, 0, m->n_slots * m->n_stocks * RAW_COUNT * sizeof *m->raw);
    memset(m->firm_raw, 0, m->n_slots * m->n_firms * RAW_COUNT * sizeof *m->firm_raw);
}

void model_metrics_sum(const model_plan *p, const model_metrics *m, size_t from, size_t to,
                       model_stock_filter want, const void *ctx, double sums[RAW_COUNT])
{
    assert(!m->fold); /* streaming metrics hold one period */
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

/* Every metric is a raw sum, or a ratio of two (undefined, NaN, when the
 * denominator is not positive). */
typedef struct metric_def {
    model_raw num, den; /* den RAW_COUNT: no denominator */
} metric_def;

static const metric_def defs[MET_COUNT] = {
    [MET_DEMAND] = {RAW_DEMAND, RAW_COUNT},
    [MET_DELIVERED] = {RAW_DELIVERED, RAW_COUNT},
    [MET_FILL_RATE] = {RAW_IMMEDIATE, RAW_DEMAND},
    [MET_ORDER_WAIT] = {RAW_WAIT_DAYS, RAW_FILLED},
    [MET_BACKLOG] = {RAW_BACKLOG_END, RAW_COUNT},
    [MET_LOST] = {RAW_LOST, RAW_COUNT},
    [MET_PRODUCED] = {RAW_PRODUCED, RAW_COUNT},
    [MET_SCRAPPED] = {RAW_SCRAPPED, RAW_COUNT},
    [MET_INVENTORY] = {RAW_INV_AREA, RAW_DAYS}, /* time averages over the days summed */
    [MET_IN_TRANSIT] = {RAW_TRANSIT_AREA, RAW_DAYS},
    [MET_SHIPPED] = {RAW_SHIPPED, RAW_COUNT},
    [MET_COMPUTE_DELIVERED] = {RAW_COMPUTE, RAW_COUNT},
    [MET_BLOCKED] = {RAW_BLOCKED, RAW_COUNT},
    [MET_SUBSTITUTED] = {RAW_SUBSTITUTED, RAW_COUNT},
    [MET_LICENCE_APPROVED] = {RAW_LIC_APPROVED, RAW_COUNT},
    [MET_LICENCE_DENIED] = {RAW_LIC_DENIED, RAW_COUNT},
    [MET_LICENCE_PENDING] = {RAW_LIC_PENDING_END, RAW_COUNT},
    [MET_LICENCE_REVIEW] = {RAW_LIC_REVIEW_DAYS, RAW_LIC_DECIDED},
    [MET_REVENUE_REMITTED] = {RAW_REMITTED, RAW_COUNT},
    [MET_DIVERTED_ATTEMPTED] = {RAW_DIVERTED_ATTEMPTED, RAW_COUNT},
    [MET_DIVERTED_DELIVERED] = {RAW_DIVERTED_DELIVERED, RAW_COUNT},
    [MET_SEIZED] = {RAW_SEIZED, RAW_COUNT},
    [MET_DIVERSION_MARKUP] = {RAW_MARKUP_USD, RAW_COUNT},
    [MET_COMPUTE_DOMESTIC] = {RAW_COMPUTE_DOMESTIC, RAW_COUNT},
    [MET_COMPUTE_DIRECT] = {RAW_COMPUTE_DIRECT, RAW_COUNT},
    [MET_COMPUTE_LICENSED] = {RAW_COMPUTE_LICENSED, RAW_COUNT},
    [MET_COMPUTE_DIVERTED] = {RAW_COMPUTE_DIVERTED, RAW_COUNT},
    [MET_STOPPED] = {RAW_STOPPED, RAW_COUNT},
    [MET_ROYALTIES_PAID] = {RAW_ROYALTY_PAID, RAW_COUNT},
    [MET_ROYALTIES_RECEIVED] = {RAW_ROYALTY_RECEIVED, RAW_COUNT},
    [MET_EXPOSURE] = {RAW_EXPOSURE, RAW_COUNT},
    [MET_INJUNCTION_DAYS] = {RAW_INJUNCTION_DAYS, RAW_COUNT},
};

uint64_t model_metric_raws(model_metric met)
{
    if (met >= MET_COUNT) return 0;
    const metric_def *d = &defs[met];
    return UINT64_C(1) << d->num | (d->den < RAW_COUNT ? UINT64_C(1) << d->den : 0);
}

double model_metric_from_sums(model_metric met, const double s[RAW_COUNT])
{
    if (met >= MET_COUNT) return NAN;
    const metric_def *d = &defs[met];
    if (d->den == RAW_COUNT) return s[d->num];
    return s[d->den] > 0 ? s[d->num] / s[d->den] : NAN;
}
