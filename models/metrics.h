/*
 * Metrics of one replication: raw sums per reporting period and stock point,
 * and the metrics users read, derived from them.
 *
 * The model adds raw sums (units ordered, delivered at once, waits summed,
 * unit-days held ...) into cells; a metric is a function of sums over a set
 * of cells, so any aggregation (a site, a firm, a country, the world; a
 * period or the whole run) is exact: sums first, ratios last. A fill rate of
 * a country is its immediate units over its ordered units, never a mean of
 * its sites' rates.
 *
 * Stock points are numbered by the plan (model_plan_stock_*); each has a
 * site and an item: a product, or a need (then quantities are in the need's
 * unit, e.g. h100e).
 *
 * Ownership: model_metrics_new allocates; the caller frees with
 * model_metrics_free.
 */
#ifndef MODELS_METRICS_H
#define MODELS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "model.h"

/* Raw sums per (period, stock point). */
typedef enum model_raw {
    RAW_DEMAND,             /* quantity ordered by demand */
    RAW_ORDERS,             /* orders placed */
    RAW_IMMEDIATE,          /* quantity delivered from stock at the moment of ordering */
    RAW_DELIVERED,          /* quantity delivered to demand */
    RAW_FILLED,             /* orders completely filled */
    RAW_WAIT_DAYS,          /* sum over filled orders of days from order to complete fill */
    RAW_LOST,               /* quantity lost: unfilled when patience ran out */
    RAW_LOST_ORDERS,        /* orders lost */
    RAW_PRODUCED,           /* good units out of batches */
    RAW_SCRAPPED,           /* units lost to yield */
    RAW_STARTED,            /* batches started */
    RAW_SHIPPED,            /* units that left a supplier towards this stock */
    RAW_RECEIVED,           /* units that arrived here */
    RAW_INV_AREA,           /* integral of on-hand quantity, unit-days */
    RAW_TRANSIT_AREA,       /* integral of quantity in transit towards here, unit-days */
    RAW_BACKLOG_END,        /* quantity ordered by demand and unfilled at the period's end */
    RAW_COMPUTE,            /* compute delivered to demand, in the need unit (h100e) */
    RAW_BLOCKED,            /* quantity a rule kept from the first choice of product and supplier */
    RAW_SUBSTITUTED,        /* units ordered of a product other than the first choice */
    RAW_LIC_APPLIED,        /* units applied for under a licence requirement */
    RAW_LIC_APPROVED,       /* units approved (or whose rule expired during the review) */
    RAW_LIC_DENIED,         /* units whose licence was denied */
    RAW_LIC_DECIDED,        /* licence applications decided */
    RAW_LIC_REVIEW_DAYS,    /* sum over decided applications of days in review */
    RAW_LIC_PENDING_END,    /* units in licence review at the period's end */
    RAW_REMITTED,           /* usd remitted under licence conditions */
    RAW_DIVERTED_ATTEMPTED, /* units ordered over illicit lanes */
    RAW_DIVERTED_DELIVERED, /* units that arrived over illicit lanes */
    RAW_SEIZED,             /* units seized on illicit lanes */
    RAW_MARKUP_USD,         /* extra paid for diverted units: (markup - 1) x unit value */
    RAW_COMPUTE_DOMESTIC,   /* compute delivered by channel (model_channel order): */
    RAW_COMPUTE_DIRECT,     /*   domestic, direct, licensed, diverted; they sum to */
    RAW_COMPUTE_LICENSED,   /*   RAW_COMPUTE */
    RAW_COMPUTE_DIVERTED,
    RAW_STOPPED,          /* units ordered while an injunction stopped their delivery here */
    RAW_ROYALTY_PAID,     /* firm cells: usd paid under licences for units sold */
    RAW_ROYALTY_RECEIVED, /* firm cells: usd received */
    RAW_EXPOSURE,         /* firm cells: usd at the asking rate for unlicensed units sold */
    RAW_INJUNCTION_DAYS,  /* firm cells: days the firm's products were under injunction */
    RAW_DAYS,             /* days of the period measured (same for every stock point) */
    RAW_COUNT
} model_raw;

/* The metrics users read. */
typedef enum model_metric {
    MET_DEMAND,
    MET_DELIVERED,
    MET_FILL_RATE,
    MET_ORDER_WAIT,
    MET_BACKLOG,
    MET_LOST,
    MET_PRODUCED,
    MET_SCRAPPED,
    MET_INVENTORY,
    MET_IN_TRANSIT,
    MET_SHIPPED,
    MET_COMPUTE_DELIVERED,
    MET_BLOCKED,
    MET_SUBSTITUTED,
    MET_LICENCE_APPROVED,
    MET_LICENCE_DENIED,
    MET_LICENCE_PENDING,
    MET_LICENCE_REVIEW,
    MET_REVENUE_REMITTED,
    MET_DIVERTED_ATTEMPTED,
    MET_DIVERTED_DELIVERED,
    MET_SEIZED,
    MET_DIVERSION_MARKUP,
    MET_COMPUTE_DOMESTIC,
    MET_COMPUTE_DIRECT,
    MET_COMPUTE_LICENSED,
    MET_COMPUTE_DIVERTED,
    MET_STOPPED,
    MET_ROYALTIES_PAID,
    MET_ROYALTIES_RECEIVED,
    MET_EXPOSURE,
    MET_INJUNCTION_DAYS,
    MET_COUNT
} model_metric;

const char *model_metric_name(model_metric m);
/* A level at the period's end (backlog, licences pending), not a flow: over
 * several periods it is the last period's value. */
bool model_raw_is_level(model_raw r);
/* "units", "h100e" (the need's unit, for a need), "ratio", "days". */
const char *model_metric_unit(const model_plan *p, model_metric m, uint32_t stock);

/* Called as each period closes, with its cells complete (levels included);
 * the cells are cleared after it returns when the metrics stream. */
typedef void (*model_period_fold)(void *ctx, const model_metrics *m, size_t period);

struct model_metrics {
    size_t n_periods, n_stocks, n_firms;
    size_t n_slots;         /* periods held: n_periods, or 1 when streaming */
    double *raw;            /* [slot][stock][RAW_COUNT] */
    double *firm_raw;       /* [slot][firm][RAW_COUNT]: patents (royalties, exposure, days) */
    model_period_fold fold; /* streaming only */
    void *fold_ctx;
};

/* Every period's cells, kept to the end of the replication (tests read any
 * cell of any period). */
model_metrics *model_metrics_new(const model_plan *p);
/* Streaming: one period's cells at a time, handed to fold(ctx, m, period)
 * as the period closes and then cleared, so memory does not grow with the
 * horizon (the replication runner folds them into report values). */
model_metrics *model_metrics_new_streaming(const model_plan *p, model_period_fold fold, void *ctx);
void model_metrics_free(model_metrics *m);
void model_metrics_clear(model_metrics *m);

/* The cells of a period (in streaming mode, the current one whatever
 * period says). */
static inline double *model_metrics_cell(model_metrics *m, size_t period, size_t stock)
{
    size_t slot = m->fold ? 0 : period;
    return m->raw + (slot * m->n_stocks + stock) * RAW_COUNT;
}
static inline const double *model_metrics_cell_const(const model_metrics *m, size_t period,
                                                     size_t stock)
{
    size_t slot = m->fold ? 0 : period;
    return m->raw + (slot * m->n_stocks + stock) * RAW_COUNT;
}
static inline double *model_metrics_firm_cells(model_metrics *m, size_t period)
{
    size_t slot = m->fold ? 0 : period;
    return m->firm_raw + slot * m->n_firms * RAW_COUNT;
}
static inline const double *model_metrics_firm_cells_const(const model_metrics *m, size_t period)
{
    size_t slot = m->fold ? 0 : period;
    return m->firm_raw + slot * m->n_firms * RAW_COUNT;
}

/* Reporting periods: calendar periods from the end of the warm-up to the
 * run's end; the first and last may be partial (RAW_DAYS says how long). */
size_t model_plan_periods(const model_plan *p);
sim_date model_plan_period_start(const model_plan *p, size_t period);
sim_date model_plan_period_end(const model_plan *p, size_t period); /* inclusive */

size_t model_plan_stocks(const model_plan *p);
uint32_t model_plan_stock_site(const model_plan *p, uint32_t stock);
uint32_t model_plan_stock_item(const model_plan *p, uint32_t stock);
bool model_plan_stock_is_need(const model_plan *p, uint32_t stock);
/* The stock point of (site, item), or WORLD_NONE. */
uint32_t model_plan_find_stock(const model_plan *p, uint32_t site, uint32_t item, bool is_need);

/* A selection of cells to sum: the periods [period_from, period_to) and the
 * stock points for which want(stock) is true (NULL: all). */
typedef bool (*model_stock_filter)(const model_plan *p, uint32_t stock, const void *ctx);

/* Sums raw values of the selected cells into sums[RAW_COUNT] (metrics that
 * keep every period, not streaming ones). */
void model_metrics_sum(const model_plan *p, const model_metrics *m, size_t period_from,
                       size_t period_to, model_stock_filter want, const void *ctx,
                       double sums[RAW_COUNT]);

/* A metric from sums. NaN when undefined (a fill rate with no demand, a
 * wait with no filled order). Inventory and in transit are time averages
 * over the days the sums cover. */
double model_metric_from_sums(model_metric m, const double sums[RAW_COUNT]);
/* The raw values model_metric_from_sums reads for m: bit r for raw r. (The
 * report sums only these; test_metrics checks the two agree.) */
uint64_t model_metric_raws(model_metric m);

#endif
