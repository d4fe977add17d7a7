/*
 * A report: metrics of many replications, by period and scope, as users
 * read them (DESIGN.md "Outputs").
 *
 * Rows are groups of stock points: a scope (the world, a country, a firm or
 * a site) and an item (a product, a need, or `all`, which only carries
 * compute in H100-equivalents, the one quantity that adds up across
 * products). Each replication's cells are summed per group and period, the
 * metric is computed from the sums (metrics.h), and its value goes into a
 * tally across replications; the report then gives mean, sd and a 95%
 * Student-t interval per period and for the whole run.
 *
 * A group reports only the metrics that mean something for it: demand
 * metrics where there is demand, produced and scrapped where a process makes
 * the item, in transit and shipped where it arrives over lanes, inventory
 * where stock is held. A value that is undefined in a replication (a fill
 * rate with no orders) is left out of that tally, and the `replications`
 * column says how many values there were.
 *
 * Ownership: the report borrows its plan (which must outlive it).
 */
#ifndef MODELS_REPORT_H
#define MODELS_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_writer.h"
#include "metrics.h"
#include "model.h"
#include "stats.h"
#include "status.h"

typedef struct model_report model_report;

model_report *model_report_new(const model_plan *p); /* NULL on out of memory */

/* Which scopes get rows (a bit per kind); model_report_new has them all.
 * Site rows cost memory and time in proportion to the sites: a world of
 * 10^5 sites is best reported without them. */
enum {
    MODEL_SCOPE_WORLD = 1u << 0,
    MODEL_SCOPE_COUNTRY = 1u << 1,
    MODEL_SCOPE_FIRM = 1u << 2,
    MODEL_SCOPE_SITE = 1u << 3,
    MODEL_SCOPES_ALL = 15u
};
model_report *model_report_new_scoped(const model_plan *p, unsigned scopes);
/* "world,country,firm,site" (any non-empty subset, any order) to bits;
 * false on an unknown or repeated name or an empty list. */
bool model_report_parse_scopes(const char *list, unsigned *scopes);
/* The bits back as a list, for manifest.yaml ("world,country,firm,site"). */
void model_report_format_scopes(unsigned scopes, char *buf, size_t size);
void model_report_free(model_report *r);

/* Adds one replication. */
void model_report_add(model_report *r, const model_metrics *m);

/* The same in two steps: a replication's metric values (NaN where
 * undefined), laid out [group][period, then the whole run][each metric the
 * group reports, in metric order], model_report_values_size doubles; then
 * adding them. Values let callers pair replications (compare) or keep them
 * (shards). */
size_t model_report_values_size(const model_report *r);
/* Where a row's values are: index of (group, the whole run, metric) in a
 * values vector; SIZE_MAX if the group does not report the metric.
 * Also the group count, and a group's ids and a metric's unit, for tables. */
size_t model_report_groups(const model_report *r);
const char *model_report_group_scope_kind(const model_report *r, size_t g);
const char *model_report_group_scope(const model_report *r, size_t g);
const char *model_report_group_item(const model_report *r, size_t g);
const char *model_report_group_unit(const model_report *r, size_t g, model_metric m);
bool model_report_group_reports(const model_report *r, size_t g, model_metric m);
size_t model_report_total_index(const model_report *r, size_t g, model_metric m);
/* Group g's whole-run tally of m; NULL if the group does not report m. */
const sim_tally *model_report_group_total(const model_report *r, size_t g, model_metric m);
/* Computing values touches nothing in r, so replications can compute theirs
 * side by side; totals is scratch of model_report_scratch_size doubles.
 * From metrics that keep every period: */
size_t model_report_scratch_size(const model_report *r);
void model_report_values(const model_report *r, const model_metrics *m, double *totals,
                         double *values);
/* From streaming metrics (model_metrics_new_streaming), as a replication
 * runs: zero totals, fold every period as it closes (in order, from its
 * model_period_fold), then finish to fill in the whole run. The values are
 * the same, to the bit, as model_report_values gives. */
void model_report_fold_period(const model_report *r, const model_metrics *m, size_t period,
                              double *totals, double *values);
void model_report_finish(const model_report *r, const double *totals, double *values);
void model_report_add_values(model_report *r, const double *values);

/* --per-replication: from now on each replication added also writes its
 * rows (scenario,replication,period_start,period_end,scope,product,metric,
 * unit,value) to out, numbered from first_replication. Writes the header;
 * a write error is kept and returned by model_report_stream_status. */
sim_status model_report_stream(model_report *r, sim_csv *out, const char *scenario,
                               uint64_t first_replication);
sim_status model_report_stream_status(const model_report *r);

/* Rows are formatted by this many threads (default 1), each a slice of the
 * groups; the bytes are the same for any number. */
void model_report_set_write_threads(model_report *r, unsigned threads);

/* timeseries.csv and summary.csv, with their header rows. */
sim_status model_report_write_timeseries(const model_report *r, sim_csv *out, const char *scenario);
sim_status model_report_write_summary(const model_report *r, sim_csv *out, const char *scenario);
/* The same rows without the header, to put several scenarios in one file. */
sim_status model_report_write_timeseries_rows(const model_report *r, sim_csv *out,
                                              const char *scenario);
sim_status model_report_write_summary_rows(const model_report *r, sim_csv *out,
                                           const char *scenario);

/* The whole-run tally of one metric for a scope and item, for tables and
 * tests; NULL when the report has no such row. scope_kind is "world",
 * "country", "firm" or "site"; scope and item are ids ("all" for the item
 * `all`; scope is ignored for the world). */
const sim_tally *model_report_total(const model_report *r, const char *scope_kind,
                                    const char *scope, const char *item, model_metric m);

#endif
