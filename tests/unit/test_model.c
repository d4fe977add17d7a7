/*
 * Tests of the supply-chain model (models/model.c and its parts) on small
 * worlds whose behaviour is known exactly: constant durations and transits,
 * constant order sizes, fixed seeds. Each scenario is written as YAML into
 * the scratch folder, loaded, run with the conservation check on, and its
 * raw sums read per period (mostly `period: day`, so a count on day d is an
 * event at a time in [d, d + 1)). An event at exactly a whole-day time counts
 * in the day (and period) that begins then, and the run covers [0, horizon):
 * an event at exactly the horizon does not run. Dated capacity steps,
 * disruption ends and (s, S) reviews fall on such times, so the tests below
 * assert the exact day of each (test_events_at_period_boundaries holds the
 * rule itself).
 *
 * Where the Poisson order arrivals make a value random, the test reads the
 * random part from the run itself (the day of the first start, the day a
 * batch completed) and checks the exact consequence, rather than a bound.
 *
 * Days of 2024 used below (a leap year, day 0 = 1 January): 1 Feb = 31,
 * 1 Mar = 60, 10 Mar = 69, 1 Apr = 91, 10 Apr = 100, 1 Jun = 152,
 * 1 Jul = 182.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_writer.h"
#include "date.h"
#include "diag.h"
#include "events.h"
#include "metrics.h"
#include "model.h"
#include "report.h"
#include "scenario.h"
#include "stats.h"
#include "world.h"

#include "scratch.h"

/* ---- helpers ---- */

/* cmocka 1.1's assert_float_equal works in float; compare doubles here. */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        const double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (eps))) fail_msg("%s is %.17g, expected %.17g", #a, a_, b_);        \
    } while (0)

/* Exact equality of two doubles, with both values in the message. */
#define assert_same(a, b)                                                                          \
    do {                                                                                           \
        const double a_ = (a), b_ = (b);                                                           \
        if (a_ != b_) fail_msg("%s is %.17g, expected %.17g (%s)", #a, a_, b_, #b);                \
    } while (0)

/* A month as the model counts wafer capacity and order rates. */
#define MONTH_DAYS (365.25 / 12)

typedef struct run {
    world *w;
    model_plan *p;
    model_metrics *m;
    model_run_info info;
} run;

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Writes `text` as file `name` in the scratch folder; path receives its path. */
static void scratch_file(void **state, const char *name, const char *text, char path[PATH_BUF])
{
    path_in(*state, name, path);
    write_text(path, text);
}

/* Loads a scenario (warnings allowed: some worlds here hold stock that
 * nothing replenishes on purpose) and plans it. The file is removed once
 * loaded: the world keeps what it needs. */
static void open_run(run *r, void **state, const char *name, const char *yaml)
{
    char path[PATH_BUF];
    scratch_file(state, name, yaml, path);
    diag_list *d = diag_list_new();
    assert_non_null(d);
    r->w = NULL;
    sim_status st = scenario_load(path, NULL, 0, d, &r->w);
    if (st != SIM_OK || diag_errors(d) != 0) diag_print(d, stderr);
    diag_list_free(d);
    assert_int_equal(st, SIM_OK);
    assert_non_null(r->w);
    remove(path);
    char err[256] = "";
    r->p = model_plan_new(r->w, err, sizeof err);
    if (!r->p) fail_msg("model_plan_new: %s", err);
    r->m = model_metrics_new(r->p);
    assert_non_null(r->m);
}

static void close_run(run *r)
{
    model_metrics_free(r->m);
    model_plan_free(r->p);
    world_free(r->w);
}

/* One replication with the conservation check on, into r->m. */
static void replicate(run *r, uint64_t seed, uint64_t replication)
{
    model_config c = model_config_default(r->w);
    c.seed = seed;
    c.replication = replication;
    c.check_conservation = true;
    char err[1024] = "";
    sim_status st = model_run(r->p, &c, r->m, &r->info, err, sizeof err);
    if (st != SIM_OK) fail_msg("model_run: %s", err);
}

static void run_once(run *r)
{
    replicate(r, r->w->run.seed, 0);
}

/* The stock point of a site and a product or need. */
static uint32_t stock_of(const run *r, const char *site, const char *item)
{
    uint32_t s = world_find_site(r->w, site);
    assert_int_not_equal(s, WORLD_NONE);
    uint32_t i = world_find_product(r->w, item);
    bool need = false;
    if (i == WORLD_NONE)
        for (uint32_t k = 0; k < r->w->n_needs; k++)
            if (strcmp(r->w->needs[k].id, item) == 0) {
                i = k;
                need = true;
            }
    assert_int_not_equal(i, WORLD_NONE);
    uint32_t st = model_plan_find_stock(r->p, s, i, need);
    assert_int_not_equal(st, WORLD_NONE);
    return st;
}

/* A raw value of one cell. */
static double at(const run *r, size_t period, uint32_t stock, model_raw x)
{
    assert_true(period < model_plan_periods(r->p));
    return model_metrics_cell(r->m, period, stock)[x];
}

/* A flow summed over the periods [from, to) of one stock point. */
static double over(const run *r, uint32_t stock, model_raw x, size_t from, size_t to)
{
    double sum = 0;
    for (size_t i = from; i < to; i++)
        sum += at(r, i, stock, x);
    return sum;
}

static double whole_run(const run *r, uint32_t stock, model_raw x)
{
    return over(r, stock, x, 0, model_plan_periods(r->p));
}

/* Runs with `period: day` and no warm-up: period i is day i of the run. */
static size_t days_of(const run *r)
{
    size_t n = model_plan_periods(r->p);
    assert_int_equal(r->w->run.period, SIM_PERIOD_DAY);
    assert_int_equal(model_plan_period_start(r->p, 0), r->w->run.start);
    assert_int_equal(model_plan_period_start(r->p, n - 1), r->w->run.start + (sim_date)(n - 1));
    return n;
}

/* Day index of a date in 2024, for runs starting 2024-01-01. */
static size_t day_2024(int month, int day)
{
    return (size_t)(sim_date_from_ymd(2024, month, day) - sim_date_from_ymd(2024, 1, 1));
}

/* Wafer starts: spaced gap days apart, so any whole day after the first
 * start sees 1 or 2 of them (1 / gap = 1.31 for 25 of 1000 wafers). */
static void assert_day_starts(const run *r, uint32_t stock, size_t from, size_t to)
{
    for (size_t d = from; d < to; d++) {
        double n = at(r, d, stock, RAW_STARTED);
        if (n != 1 && n != 2) fail_msg("day %zu: %g starts, expected 1 or 2", d, n);
    }
}

/* Starts on the clock of the capacity alone (a batch always waiting): one
 * at time t0, then one each gap days, the time of a start being that of the
 * one before plus gap (as the model adds it). Asserts the exact count on
 * each day of [from, to). */
static void assert_start_clock(const run *r, uint32_t stock, double t0, double gap, size_t from,
                               size_t to)
{
    double t = t0;
    for (size_t d = from; d < to; d++) {
        double expect = 0;
        for (; t < (double)(d + 1); t += gap)
            if (t >= (double)d) expect++;
        double n = at(r, d, stock, RAW_STARTED);
        if (n != expect) fail_msg("day %zu: %g starts, expected %g", d, n, expect);
    }
}

/* Starts over a calendar month of 2024 (period: day): points gap apart
 * in an interval of L days number floor(L / gap) or ceil(L / gap). */
static double month_starts(const run *r, uint32_t stock, int month, double gap)
{
    size_t from = day_2024(month, 1);
    size_t to = month == 12 ? days_of(r) : day_2024(month + 1, 1);
    double n = over(r, stock, RAW_STARTED, from, to);
    double expect = (double)(to - from) / gap;
    if (!(fabs(n - expect) < 1))
        fail_msg("month %d: %g starts, expected %.3f +- 1", month, n, expect);
    return n;
}

/* ---- 1. wafer capacity ---- */

/* 1000 wafers a month, 25 per batch: a start every 25 / (1000 / 30.4375) =
 * 0.7609 days. January's orders (30 a day of one batch each, some 930
 * batches) are about two years of capacity, so from the first order on a
 * batch always waits and starts follow the clock of the capacity alone. */
static const char wafer_yaml[] =
    "schema_version: 1\n"
    "name: wafer\n"
    "run: {start: 2024-01-01, end: 2024-12-31, period: day, seed: 11}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x, kind: die}]\n"
    "sites:\n"
    "  - id: fab\n"
    "    firm: acme\n"
    "    country: US\n"
    "    capacity_wafers_per_month: 1000\n"
    "    processes:\n"
    "      - {id: make, outputs: {x: 10}, wafers_per_batch: 25,\n"
    "         duration: {dist: constant, days: 20}}\n"
    "    inventory: {x: {policy: base_stock, level: 0}}\n"
    "demand:\n"
    "  - {site: fab, product: x, orders: {dist: poisson, per_day: 30},\n"
    "     size: {dist: constant, units: 10}, ends: 2024-01-31}\n";

static void test_wafer_capacity(void **state)
{
    run r;
    open_run(&r, state, "wafer.yaml", wafer_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "fab", "x");
    const size_t n = days_of(&r);
    const double gap = 25 / (1000 / MONTH_DAYS);
    assert_near(gap, 0.7609375, 1e-12);
    /* The first start is at the first order, on day 0 (30 a day). */
    assert_true(at(&r, 0, x, RAW_ORDERS) > 0);
    assert_true(at(&r, 0, x, RAW_STARTED) >= 1);
    assert_day_starts(&r, x, 1, n);
    assert_true(at(&r, n - 1, x, RAW_BACKLOG_END) > 0); /* still waiting at the end */
    /* Every full month: 40 +- 1 for 30 and 31 days, 38 +- 1 for February;
     * and February to December, one progression, 335 / gap = 440.2 +- 1. */
    for (int month = 2; month <= 12; month++)
        month_starts(&r, x, month, gap);
    const double year = over(&r, x, RAW_STARTED, day_2024(2, 1), n);
    assert_true(year == 440 || year == 441);
    /* A batch started on day d ends 20 days later with its 10 units: what
     * is produced on day d + 20 is exactly 10 x what started on day d. */
    for (size_t d = 0; d < n; d++) {
        double expect = d >= 20 ? 10 * at(&r, d - 20, x, RAW_STARTED) : 0;
        assert_same(at(&r, d, x, RAW_PRODUCED), expect);
    }
    assert_same(whole_run(&r, x, RAW_PRODUCED), 10 * over(&r, x, RAW_STARTED, 0, n - 20));
    assert_same(whole_run(&r, x, RAW_SCRAPPED), 0);
    /* Everything produced went to the orders waiting for it (make to order). */
    assert_same(whole_run(&r, x, RAW_DELIVERED), whole_run(&r, x, RAW_PRODUCED));
    close_run(&r);
}

/* ---- 2. priority ---- */

/* Two processes share the capacity (1.31 starts a day). `ys` has the lower
 * priority number but comes second in the file, so file order cannot be
 * what decides. Its orders, 20 batches a day from 1 to 10 January (some
 * 200), keep it busy until about June; those of `xs`, 20 a day from 1 to 20
 * February (some 400), wait meanwhile, and are more than the rest of the
 * year's capacity. */
static const char priority_yaml[] =
    "schema_version: 1\n"
    "name: priority\n"
    "run: {start: 2024-01-01, end: 2024-12-31, period: day, seed: 3}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}, {id: y}]\n"
    "sites:\n"
    "  - id: fab\n"
    "    firm: acme\n"
    "    country: US\n"
    "    capacity_wafers_per_month: 1000\n"
    "    processes:\n"
    "      - {id: xs, outputs: {x: 10}, wafers_per_batch: 25, priority: 1,\n"
    "         duration: {dist: constant, days: 5}}\n"
    "      - {id: ys, outputs: {y: 10}, wafers_per_batch: 25, priority: 0,\n"
    "         duration: {dist: constant, days: 5}}\n"
    "    inventory:\n"
    "      x: {policy: base_stock, level: 0}\n"
    "      y: {policy: base_stock, level: 0}\n"
    "demand:\n"
    "  - {site: fab, product: x, orders: {dist: poisson, per_day: 20},\n"
    "     size: {dist: constant, units: 10}, starts: 2024-02-01, ends: 2024-02-20}\n"
    "  - {site: fab, product: y, orders: {dist: poisson, per_day: 20},\n"
    "     size: {dist: constant, units: 10}, ends: 2024-01-10}\n";

static void test_priority(void **state)
{
    run r;
    open_run(&r, state, "priority.yaml", priority_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "fab", "x"), y = stock_of(&r, "fab", "y");
    const size_t n = days_of(&r);
    /* Starts every day from the first order on (day 0 at 20 a day): ys
     * until its orders are all started, on day `last`, then xs. */
    assert_true(at(&r, 0, y, RAW_STARTED) >= 1);
    for (size_t d = 1; d < n; d++) {
        double both = at(&r, d, x, RAW_STARTED) + at(&r, d, y, RAW_STARTED);
        if (both != 1 && both != 2) fail_msg("day %zu: %g starts in all", d, both);
    }
    size_t last = n;
    while (last > 0 && at(&r, last - 1, y, RAW_STARTED) == 0)
        last--;
    assert_true(last > 0);
    last--;
    assert_true(last > day_2024(3, 1) && last < day_2024(9, 1));
    assert_same(whole_run(&r, y, RAW_STARTED), whole_run(&r, y, RAW_ORDERS));
    /* While ys has batches waiting, xs gets nothing, though all its orders
     * wait from February. */
    assert_same(over(&r, x, RAW_STARTED, 0, last), 0);
    assert_same(over(&r, x, RAW_ORDERS, 0, last), whole_run(&r, x, RAW_ORDERS));
    /* Then it gets every start, and still has orders waiting at the end. */
    assert_day_starts(&r, x, last + 1, n);
    assert_true(whole_run(&r, x, RAW_STARTED) < whole_run(&r, x, RAW_ORDERS));
    close_run(&r);
}

/* ---- 3. a dated capacity table ---- */

/* No capacity until 1 March, 1000 wafers in March to May, none in June,
 * 1000 again from 1 July. A table of date,value next to the scenario. */
static const char capacity_csv[] = "date,value,note\n"
                                   "2024-01-01,0,not built yet\n"
                                   "2024-03-01,1000,\n"
                                   "2024-06-01,0,maintenance\n"
                                   "2024-07-01,1000,\n";

static const char capacity_yaml_fmt[] =
    "schema_version: 1\n"
    "name: capacity\n"
    "run: {start: 2024-01-01, %s, seed: 5}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - id: fab\n"
    "    firm: acme\n"
    "    country: US\n"
    "    capacity_wafers_per_month: {table: capacity.csv}\n"
    "    processes:\n"
    "      - {id: make, outputs: {x: 10}, wafers_per_batch: 25,\n"
    "         duration: {dist: constant, days: 3}}\n"
    "    inventory: {x: {policy: base_stock, level: 0}}\n"
    "demand:\n"
    "  - {site: fab, product: x, orders: {dist: poisson, per_day: 3},\n"
    "     size: {dist: constant, units: 10}}\n";

/* The capacity world with these run keys (its table must be in place). */
static void open_capacity(run *r, void **state, const char *run_keys)
{
    char yaml[sizeof capacity_yaml_fmt + 64];
    int k = snprintf(yaml, sizeof yaml, capacity_yaml_fmt, run_keys);
    assert_true(k > 0 && (size_t)k < sizeof yaml);
    open_run(r, state, "capacity.yaml", yaml);
}

static void test_capacity_table(void **state)
{
    char csv[PATH_BUF];
    scratch_file(state, "capacity.csv", capacity_csv, csv);
    run r;
    open_capacity(&r, state, "end: 2024-12-31, period: day");
    remove(csv);
    run_once(&r);
    const uint32_t x = stock_of(&r, "fab", "x");
    const size_t n = days_of(&r);
    const double gap = 25 / (1000 / MONTH_DAYS);
    const size_t mar = day_2024(3, 1), jun = day_2024(6, 1), jul = day_2024(7, 1);
    const size_t aug = day_2024(8, 1);
    /* Orders wait from January, but nothing starts before the capacity.
     * The first start after a closed spell is at time 60.0 (1 July: 182.0)
     * exactly, the slot waiting for the date, not for the next order; it
     * counts on 1 March (1 July), the day that begins then. */
    assert_true(over(&r, x, RAW_DEMAND, 0, mar) > 1000);
    assert_same(over(&r, x, RAW_STARTED, 0, mar), 0);
    /* From 60.0 the starts are at 60 + k gap: two on 1 March (60.0 and
     * 60.76), 41 in March (k = 0 .. 40), and each day exactly those of the
     * progression. */
    assert_same(at(&r, mar, x, RAW_STARTED), 2);
    assert_same(over(&r, x, RAW_STARTED, mar, day_2024(4, 1)), 41);
    assert_start_clock(&r, x, (double)mar, gap, mar, jun);
    assert_day_starts(&r, x, mar + 1, jun);
    for (int month = 4; month <= 5; month++)
        month_starts(&r, x, month, gap);
    /* June: none. The slot that was busy on 31 May frees into no capacity
     * and waits for 1 July: 182.0, 182.76, ... */
    assert_same(over(&r, x, RAW_STARTED, jun, jul), 0);
    assert_same(at(&r, jul, x, RAW_STARTED), 2);
    assert_same(over(&r, x, RAW_STARTED, jul, aug), 41);
    assert_start_clock(&r, x, (double)jul, gap, jul, n);
    assert_day_starts(&r, x, jul + 1, n);
    for (int month = 8; month <= 12; month++)
        month_starts(&r, x, month, gap);
    close_run(&r);
}

/* ---- 4. a dated site outage ---- */

/* One server, 10 days a batch of 5 units, far more orders than it can make:
 * a batch starts the moment the previous one ends. The site is down from
 * 1 to 10 March (days 60 to 69; up again at time 70). */
static const char outage_yaml[] =
    "schema_version: 1\n"
    "name: outage\n"
    "run: {start: 2024-01-01, end: 2024-06-30, period: day, seed: 8}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - id: fab\n"
    "    firm: acme\n"
    "    country: US\n"
    "    processes:\n"
    "      - {id: make, outputs: {x: 5}, servers: 1, duration: {dist: constant, days: 10}}\n"
    "    inventory: {x: {policy: base_stock, level: 0}}\n"
    "demand:\n"
    "  - {site: fab, product: x, orders: {dist: poisson, per_day: 1},\n"
    "     size: {dist: constant, units: 5}}\n"
    "disruptions:\n"
    "  - {id: quake, site: fab, start: 2024-03-01, end: 2024-03-10}\n";

static void test_site_outage(void **state)
{
    run r;
    open_run(&r, state, "outage.yaml", outage_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "fab", "x");
    const size_t n = days_of(&r);
    const size_t down = day_2024(3, 1), up = day_2024(3, 11);
    assert_int_equal(down, 60);
    assert_int_equal(up, 70);
    /* Nothing completes and nothing starts while the site is down. */
    assert_same(over(&r, x, RAW_PRODUCED, down, up), 0);
    assert_same(over(&r, x, RAW_STARTED, down, up), 0);
    /* The last completion before the outage, on day c, started the batch
     * that was running when the site went down (it would have ended on day
     * c + 10, inside the outage). It had c + 10 - 60 days left at time 60,
     * so it ends at 70 + that = c + 20. */
    size_t c = down;
    while (c > 0 && at(&r, c - 1, x, RAW_PRODUCED) == 0)
        c--;
    assert_true(c > 0);
    c--;
    assert_true(c >= down - 10 && c < down);
    assert_same(at(&r, c, x, RAW_PRODUCED), 5);
    assert_same(over(&r, x, RAW_PRODUCED, c + 1, c + 20), 0);
    assert_same(at(&r, c + 20, x, RAW_PRODUCED), 5);
    /* ... and the next batch starts as it ends: the clock is shifted by
     * exactly the 10 days of the outage, one batch every 10 days. */
    assert_same(at(&r, c + 20, x, RAW_STARTED), 1);
    for (size_t d = c + 20; d < n; d++)
        assert_same(at(&r, d, x, RAW_PRODUCED), (d - c) % 10 == 0 ? 5 : 0);
    /* Before the outage, the same 10-day rhythm. */
    for (size_t d = c % 10 + 10; d <= c; d++)
        assert_same(at(&r, d, x, RAW_PRODUCED), (c - d) % 10 == 0 ? 5 : 0);
    close_run(&r);
}

/* ---- 5. a dated lane closure ---- */

/* A source ships each order (1 unit, level 0) over a lane of 3 days. The
 * lane is closed from 1 to 10 March (days 60 to 69; open at time 70). */
static const char closure_yaml[] =
    "schema_version: 1\n"
    "name: closure\n"
    "run: {start: 2024-01-01, end: 2024-06-30, period: day, seed: 21}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [x]}\n"
    "  - id: shop\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {x: {policy: base_stock, level: 0, suppliers: [src]}}\n"
    "lanes:\n"
    "  - {from: src, to: shop, transit: {dist: constant, days: 3}}\n"
    "demand:\n"
    "  - {site: shop, product: x, orders: {dist: poisson, per_day: 3},\n"
    "     size: {dist: constant, units: 1}}\n"
    "disruptions:\n"
    "  - {id: strike, from: src, to: shop, start: 2024-03-01, end: 2024-03-10}\n";

static void test_lane_closure(void **state)
{
    run r;
    open_run(&r, state, "closure.yaml", closure_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "shop", "x");
    const size_t n = days_of(&r);
    const size_t shut = 60, open = 70;
    /* Each order is shipped the moment it is placed (counted when it
     * leaves the supplier's stock, also while the lane holds it). */
    for (size_t d = 0; d < n; d++)
        assert_same(at(&r, d, x, RAW_SHIPPED), at(&r, d, x, RAW_DEMAND));
    assert_true(over(&r, x, RAW_SHIPPED, shut, open) > 10);
    /* Shipments under way when the lane closes at time 60.0 arrive as
     * planned (days 60 to 62); after that nothing arrives until the held
     * ones, released at time 70.0, come in at 73.0, on day 73 exactly,
     * with those sent on day 70 (after the lane opened), which arrive during
     * day 73. Each day after that receives what was sent 3 days before. */
    const double held = over(&r, x, RAW_SHIPPED, shut, open);
    assert_same(over(&r, x, RAW_RECEIVED, 0, 3), 0);
    for (size_t d = 3; d <= shut + 2; d++)
        assert_same(at(&r, d, x, RAW_RECEIVED), at(&r, d - 3, x, RAW_SHIPPED));
    assert_same(over(&r, x, RAW_RECEIVED, shut + 3, open + 3), 0);
    assert_same(at(&r, open + 3, x, RAW_RECEIVED), held + at(&r, open, x, RAW_SHIPPED));
    for (size_t d = open + 4; d < n; d++)
        assert_same(at(&r, d, x, RAW_RECEIVED), at(&r, d - 3, x, RAW_SHIPPED));
    /* Each order is filled by the unit sent for it (first in, first out):
     * 3 days after it was placed, but those behind the held units all on
     * day 73. */
    assert_same(over(&r, x, RAW_FILLED, 0, 3), 0);
    for (size_t d = 3; d <= shut + 2; d++)
        assert_same(at(&r, d, x, RAW_FILLED), at(&r, d - 3, x, RAW_ORDERS));
    assert_same(over(&r, x, RAW_FILLED, shut + 3, open + 3), 0);
    assert_same(at(&r, open + 3, x, RAW_FILLED), over(&r, x, RAW_ORDERS, shut, open + 1));
    for (size_t d = open + 4; d < n; d++)
        assert_same(at(&r, d, x, RAW_FILLED), at(&r, d - 3, x, RAW_ORDERS));
    close_run(&r);
}

/* ---- 6. patience ---- */

/* Stock that nothing replenishes (level 0, no supplier: a warning) with
 * orders that wait 10 days: every order is lost, on the tenth day after it
 * was placed; those of the last 10 days are still waiting at the end. */
static const char patience_yaml[] =
    "schema_version: 1\n"
    "name: patience\n"
    "run: {start: 2024-01-01, end: 2024-12-31, period: day, seed: 2}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - id: shop\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {x: {policy: base_stock, level: 0}}\n"
    "demand:\n"
    "  - {site: shop, product: x, orders: {dist: poisson, per_day: 2},\n"
    "     size: {dist: constant, units: 3}, patience_days: 10}\n";

static void test_patience(void **state)
{
    run r;
    open_run(&r, state, "patience.yaml", patience_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "shop", "x");
    const size_t n = days_of(&r);
    assert_true(whole_run(&r, x, RAW_ORDERS) > 600);
    assert_same(whole_run(&r, x, RAW_DELIVERED), 0);
    assert_same(whole_run(&r, x, RAW_IMMEDIATE), 0);
    assert_same(whole_run(&r, x, RAW_FILLED), 0);
    assert_same(over(&r, x, RAW_LOST_ORDERS, 0, 10), 0);
    for (size_t d = 10; d < n; d++) {
        assert_same(at(&r, d, x, RAW_LOST_ORDERS), at(&r, d - 10, x, RAW_ORDERS));
        assert_same(at(&r, d, x, RAW_LOST), at(&r, d - 10, x, RAW_DEMAND));
    }
    assert_same(whole_run(&r, x, RAW_LOST), over(&r, x, RAW_DEMAND, 0, n - 10));
    assert_same(at(&r, n - 1, x, RAW_BACKLOG_END), over(&r, x, RAW_DEMAND, n - 10, n));
    /* A backlog at a day's end is the demand of the last 10 days. */
    for (size_t d = 10; d < n; d++)
        assert_same(at(&r, d, x, RAW_BACKLOG_END), over(&r, x, RAW_DEMAND, d - 9, d + 1));
    close_run(&r);
}

/* ---- 7. needs ---- */

/* ai_compute is filled by a (1 h100e) before b (0.5 h100e), but the
 * supplier only has b. Orders of 2.3 h100e need ceil(2.3 / 0.5) = 5 units
 * of b = 2.5 h100e each: whole units over-deliver by 0.2. Orders stop a
 * month before the end, so everything ordered is delivered by then. */
static const char needs_yaml[] =
    "schema_version: 1\n"
    "name: needs\n"
    "run: {start: 2024-01-01, end: 2024-12-31, period: day, seed: 13}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products:\n"
    "  - {id: a, kind: accelerator, h100e: 1.0}\n"
    "  - {id: b, kind: accelerator, h100e: 0.5}\n"
    "needs: [{id: ai_compute, unit: h100e, filled_by: [a, b]}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [b]}\n"
    "  - id: dc\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {ai_compute: {policy: base_stock, level: 0, suppliers: [src]}}\n"
    "lanes:\n"
    "  - {from: src, to: dc, transit: {dist: constant, days: 2}}\n"
    "demand:\n"
    "  - {site: dc, product: ai_compute, orders: {dist: poisson, per_day: 3},\n"
    "     size: {dist: constant, units: 2.3}, ends: 2024-11-30}\n";

static void test_needs(void **state)
{
    run r;
    open_run(&r, state, "needs.yaml", needs_yaml);
    run_once(&r);
    const uint32_t need = stock_of(&r, "dc", "ai_compute");
    const uint32_t a = stock_of(&r, "dc", "a"), b = stock_of(&r, "dc", "b");
    assert_true(model_plan_stock_is_need(r.p, need));
    const double orders = whole_run(&r, need, RAW_ORDERS);
    const double demand = whole_run(&r, need, RAW_DEMAND);
    const double compute = whole_run(&r, need, RAW_COMPUTE);
    const double filled = whole_run(&r, need, RAW_FILLED);
    const size_t n = days_of(&r);
    const double backlog = at(&r, n - 1, need, RAW_BACKLOG_END);
    assert_true(orders > 800);
    assert_near(demand, 2.3 * orders, 1e-9 * demand);
    assert_same(whole_run(&r, need, RAW_LOST), 0);
    /* Every order is complete at the end. A completed order got
     * ceil(2.3 / 0.5) = 5 units of b = 2.5 h100e, 0.2 more than it asked
     * (less than one unit's 0.5), however its units came: the need reviews
     * its policy when such a surplus leaves, so no order is left short
     * (test_need_orders_complete). Compute delivered is 2.5 per order. */
    assert_same(backlog, 0);
    assert_same(filled, orders);
    assert_same(whole_run(&r, need, RAW_DELIVERED), compute);
    assert_same(compute, 2.5 * orders);
    assert_near(compute, demand + 0.2 * orders, 1e-9 * demand);
    /* Units of b: 5 per order, 2 per h100e delivered. Everything shipped
     * arrived and was delivered (none is left on hand); nothing of a moved. */
    assert_same(whole_run(&r, b, RAW_DELIVERED), 5 * orders);
    assert_same(whole_run(&r, b, RAW_DELIVERED), 2 * compute);
    assert_same(whole_run(&r, b, RAW_RECEIVED), whole_run(&r, b, RAW_SHIPPED));
    assert_same(whole_run(&r, b, RAW_DELIVERED), whole_run(&r, b, RAW_RECEIVED));
    assert_same(whole_run(&r, a, RAW_SHIPPED), 0);
    assert_same(whole_run(&r, a, RAW_DELIVERED), 0);
    close_run(&r);
}

/* ---- 8. (s, S) ---- */

/* Reviews every 7 days from day 0; at a review with position <= 5 the
 * stock orders up to 20 from a source over a 2.5-day lane. It starts with
 * S = 20 on hand and sees orders of 1 unit at 1 a day. The transit of 2.5
 * days keeps arrivals off day boundaries. */
static const char s_s_yaml[] =
    "schema_version: 1\n"
    "name: s_s\n"
    "run: {start: 2024-01-01, end: 2024-06-30, period: day, seed: 4}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [x]}\n"
    "  - id: shop\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {x: {policy: s_S, s: 5, S: 20, review_days: 7, suppliers: [src]}}\n"
    "lanes:\n"
    "  - {from: src, to: shop, transit: {dist: constant, days: 2.5}}\n"
    "demand:\n"
    "  - {site: shop, product: x, orders: {dist: poisson, per_day: 1},\n"
    "     size: {dist: constant, units: 1}}\n";

static void test_s_S(void **state)
{
    run r;
    open_run(&r, state, "s_S.yaml", s_s_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "shop", "x");
    const size_t n = days_of(&r);
    /* Only reviews ship. A review is at time 7k exactly, which counts on
     * day 7k, the day that begins then. */
    for (size_t d = 0; d < n; d++)
        if (d % 7 != 0 && at(&r, d, x, RAW_SHIPPED) != 0)
            fail_msg("day %zu is no review day but %g were shipped", d, at(&r, d, x, RAW_SHIPPED));
    size_t reorders = 0;
    double ordered = 0; /* by the reviews so far */
    for (size_t d = 0; d < n; d += 7) {
        double shipped = at(&r, d, x, RAW_SHIPPED);
        /* The position at the review (time d, before the orders of day d):
         * S on hand at the start, plus what was ordered, minus demand. */
        double position = 20 + ordered - over(&r, x, RAW_DEMAND, 0, d);
        if (position <= 5) {
            assert_same(shipped, 20 - position); /* up to S */
            reorders++;
        } else {
            assert_same(shipped, 0);
        }
        ordered += shipped;
    }
    /* Each shipment arrives 2.5 days later, on day 7k + 2; nothing else
     * arrives. */
    for (size_t d = 0; d < n; d++)
        assert_same(at(&r, d, x, RAW_RECEIVED), d % 7 == 2 ? at(&r, d - 2, x, RAW_SHIPPED) : 0);
    /* 182 days: the run ends at time 182 = 26 x 7, and covers [0, 182): a
     * review at exactly that time, on 1 July, does not run. So what was
     * shipped is what the reviews of days 0 to 175 ordered. */
    assert_int_equal(n % 7, 0);
    assert_same(whole_run(&r, x, RAW_SHIPPED), ordered);
    assert_true(reorders >= 8); /* about one every two weeks for 26 weeks */
    close_run(&r);
}

/* ---- 9. common random numbers ---- */

/* A world that uses every random stream the model has for products:
 * arrivals and sizes, process durations, lane transits. The variant changes
 * only the transit of src -> fab. */
static const char crn_yaml_fmt[] =
    "schema_version: 1\n"
    "name: crn\n"
    "run: {start: 2024-01-01, end: 2024-12-31, period: week, seed: 5}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}, {id: y}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [x]}\n"
    "  - id: fab\n"
    "    firm: acme\n"
    "    country: US\n"
    "    processes:\n"
    "      - {id: make, inputs: {x: 2}, outputs: {y: 1}, servers: 2,\n"
    "         duration: {dist: gamma, mean_days: 1, cv: 0.5}}\n"
    "    inventory:\n"
    "      x: {policy: base_stock, level: 6, suppliers: [src]}\n"
    "      y: {policy: base_stock, level: 4}\n"
    "  - id: shop\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {y: {policy: base_stock, level: 3, suppliers: [fab]}}\n"
    "lanes:\n"
    "  - {from: src, to: fab, transit: %s}\n"
    "  - {from: fab, to: shop, transit: {dist: lognormal, median_days: 2, sigma: 0.3}}\n"
    "demand:\n"
    "  - {site: shop, product: y, orders: {dist: poisson, per_day: 0.8},\n"
    "     size: {dist: uniform, min_units: 1, max_units: 3}}\n"
    "  - {site: fab, product: y, orders: {dist: poisson, per_day: 0.3},\n"
    "     size: {dist: exponential, mean_units: 2}, patience_days: 5}\n";

static void open_crn(run *r, void **state, const char *name, const char *transit)
{
    char yaml[sizeof crn_yaml_fmt + 128];
    int k = snprintf(yaml, sizeof yaml, crn_yaml_fmt, transit);
    assert_true(k > 0 && (size_t)k < sizeof yaml);
    open_run(r, state, name, yaml);
}

static bool same_raw(const run *a, const run *b)
{
    size_t n = a->m->n_periods * a->m->n_stocks * RAW_COUNT;
    return memcmp(a->m->raw, b->m->raw, n * sizeof *a->m->raw) == 0;
}

static void test_common_random_numbers(void **state)
{
    run base, variant;
    open_crn(&base, state, "crn.yaml", "{dist: constant, days: 4}");
    open_crn(&variant, state, "crn_variant.yaml", "{dist: gamma, mean_days: 4, cv: 0.5}");
    const size_t np = model_plan_periods(base.p), ns = model_plan_stocks(base.p);
    assert_int_equal(model_plan_periods(variant.p), np);
    assert_int_equal(model_plan_stocks(variant.p), ns);
    run_once(&base);
    run_once(&variant);
    /* The variant meets the same orders everywhere. */
    double orders = 0;
    for (size_t i = 0; i < np; i++)
        for (uint32_t s = 0; s < ns; s++) {
            assert_same(at(&variant, i, s, RAW_DEMAND), at(&base, i, s, RAW_DEMAND));
            assert_same(at(&variant, i, s, RAW_ORDERS), at(&base, i, s, RAW_ORDERS));
            orders += at(&base, i, s, RAW_ORDERS);
        }
    assert_true(orders > 300);
    /* ... while what it does with them differs (so the check has teeth). */
    const uint32_t fx = stock_of(&base, "fab", "x");
    assert_true(whole_run(&base, fx, RAW_TRANSIT_AREA) !=
                whole_run(&variant, fx, RAW_TRANSIT_AREA));
    assert_false(same_raw(&base, &variant));
    /* The same seed and replication: the same run, to the bit. Keep a copy
     * of the first run's cells in the variant's metrics (same shape). */
    size_t n = np * ns * RAW_COUNT;
    memcpy(variant.m->raw, base.m->raw, n * sizeof *base.m->raw);
    run_once(&base);
    assert_true(same_raw(&base, &variant));
    /* Another replication index (or seed) gives another run. */
    replicate(&base, base.w->run.seed, 1);
    assert_false(same_raw(&base, &variant));
    const uint32_t shop = stock_of(&base, "shop", "y");
    size_t differ = 0;
    for (size_t i = 0; i < np; i++)
        differ += at(&base, i, shop, RAW_ORDERS) != at(&variant, i, shop, RAW_ORDERS);
    assert_true(differ > np / 2); /* other orders, not just other outcomes */
    replicate(&base, base.w->run.seed + 1, 0);
    assert_false(same_raw(&base, &variant));
    close_run(&base);
    close_run(&variant);
}

/* ---- 10. warm-up ---- */

/* The same world with 100 days of warm-up and months, and without warm-up
 * by days. Order arrivals have their own streams, so both runs see the same
 * orders; the warm-up run only leaves the first 100 days out. */
static const char warmup_yaml_fmt[] =
    "schema_version: 1\n"
    "name: warmup\n"
    "run: {start: 2024-01-01, end: 2024-12-31, %s, seed: 17}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [x]}\n"
    "  - id: shop\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {x: {policy: base_stock, level: 4, suppliers: [src]}}\n"
    "lanes:\n"
    "  - {from: src, to: shop, transit: {dist: constant, days: 3}}\n"
    "demand:\n"
    "  - {site: shop, product: x, orders: {dist: poisson, per_day: 1.5},\n"
    "     size: {dist: constant, units: 2}}\n";

static void open_warmup(run *r, void **state, const char *name, const char *run_keys)
{
    char yaml[sizeof warmup_yaml_fmt + 64];
    int k = snprintf(yaml, sizeof yaml, warmup_yaml_fmt, run_keys);
    assert_true(k > 0 && (size_t)k < sizeof yaml);
    open_run(r, state, name, yaml);
}

static void test_warmup(void **state)
{
    run w, d;
    open_warmup(&w, state, "warm.yaml", "period: month, warmup_days: 100");
    open_warmup(&d, state, "daily.yaml", "period: day");
    run_once(&w);
    run_once(&d);
    const uint32_t xw = stock_of(&w, "shop", "x"), xd = stock_of(&d, "shop", "x");
    const size_t days = days_of(&d);
    /* Day 100 is 10 April: the periods are April (measured from day 100)
     * to December. The plan gives the first period's start as the end of
     * the warm-up (model.c, plan_periods: "the first period is cut at the
     * run's start (or the warm-up's end)"). */
    assert_int_equal(model_plan_periods(w.p), 9);
    assert_int_equal(model_plan_period_start(w.p, 0), sim_date_from_ymd(2024, 4, 10));
    assert_int_equal(model_plan_period_start(w.p, 1), sim_date_from_ymd(2024, 5, 1));
    assert_int_equal(model_plan_period_end(w.p, 0), sim_date_from_ymd(2024, 4, 30));
    assert_int_equal(model_plan_period_end(w.p, 8), sim_date_from_ymd(2024, 12, 31));
    double sums[RAW_COUNT];
    model_metrics_sum(w.p, w.m, 0, 1, NULL, NULL, sums);
    assert_same(sums[RAW_DAYS], 21); /* 10 to 30 April */
    model_metrics_sum(w.p, w.m, 0, 9, NULL, NULL, sums);
    assert_same(sums[RAW_DAYS], 266);
    /* Both runs placed the same orders over the whole run. */
    assert_int_equal(w.info.orders, d.info.orders);
    assert_same((double)d.info.orders, whole_run(&d, xd, RAW_ORDERS));
    /* Each month of the warm-up run holds exactly the daily run's days from
     * max(day 100, its first day); days 0 to 99 are in neither. */
    size_t from = 100;
    for (size_t i = 0; i < 9; i++) {
        size_t to = i == 8 ? days : (size_t)(model_plan_period_start(w.p, i + 1) - w.w->run.start);
        assert_same(at(&w, i, xw, RAW_DEMAND), over(&d, xd, RAW_DEMAND, from, to));
        assert_same(at(&w, i, xw, RAW_ORDERS), over(&d, xd, RAW_ORDERS, from, to));
        assert_same(at(&w, i, xw, RAW_IMMEDIATE), over(&d, xd, RAW_IMMEDIATE, from, to));
        assert_same(at(&w, i, xw, RAW_SHIPPED), over(&d, xd, RAW_SHIPPED, from, to));
        /* Time integrals: the same, summed in other pieces. */
        double area = over(&d, xd, RAW_INV_AREA, from, to);
        assert_near(at(&w, i, xw, RAW_INV_AREA), area, 1e-9 * area);
        from = to;
    }
    assert_true(over(&d, xd, RAW_DEMAND, 0, 100) > 200);
    assert_same(whole_run(&w, xw, RAW_DEMAND),
                whole_run(&d, xd, RAW_DEMAND) - over(&d, xd, RAW_DEMAND, 0, 100));
    close_run(&w);
    close_run(&d);
}

/* ---- 11. report ---- */

/* Three buyers in two countries: a busy US store with little stock (low
 * fill rate), a quiet US store with plenty (fill rate near 1), a CN store. */
static const char report_yaml[] =
    "schema_version: 1\n"
    "name: rpt\n"
    "run: {start: 2024-01-01, end: 2024-12-31, period: month, replications: 4, seed: 9}\n"
    "countries: [{code: US}, {code: CN}]\n"
    "firms: [{id: maker, country: US}, {id: usbuy, country: US}, {id: cnbuy, country: CN}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - {id: src, firm: maker, country: US, source: [x]}\n"
    "  - {id: big, firm: usbuy, country: US,\n"
    "     inventory: {x: {policy: base_stock, level: 2, suppliers: [src]}}}\n"
    "  - {id: small, firm: usbuy, country: US,\n"
    "     inventory: {x: {policy: base_stock, level: 10, suppliers: [src]}}}\n"
    "  - {id: cn, firm: cnbuy, country: CN,\n"
    "     inventory: {x: {policy: base_stock, level: 5, suppliers: [src]}}}\n"
    "lanes:\n"
    "  - {from: src, to: big, transit: {dist: constant, days: 5}}\n"
    "  - {from: src, to: small, transit: {dist: constant, days: 5}}\n"
    "  - {from: src, to: cn, transit: {dist: constant, days: 5}}\n"
    "demand:\n"
    "  - {site: big, product: x, orders: {dist: poisson, per_day: 4},\n"
    "     size: {dist: constant, units: 1}}\n"
    "  - {site: small, product: x, orders: {dist: poisson, per_day: 0.5},\n"
    "     size: {dist: constant, units: 1}}\n"
    "  - {site: cn, product: x, orders: {dist: poisson, per_day: 1},\n"
    "     size: {dist: constant, units: 1}}\n";

static bool in_country(const model_plan *p, uint32_t s, const void *ctx)
{
    return model_plan_world(p)->sites[model_plan_stock_site(p, s)].country ==
           *(const uint32_t *)ctx;
}

static bool at_site(const model_plan *p, uint32_t s, const void *ctx)
{
    return model_plan_stock_site(p, s) == *(const uint32_t *)ctx;
}

static const sim_tally *total_of(const model_report *rep, const char *kind, const char *scope,
                                 model_metric m)
{
    const sim_tally *t = model_report_total(rep, kind, scope, "x", m);
    if (!t) fail_msg("no %s row for %s %s", model_metric_name(m), kind, scope);
    return t;
}

/* A whole file into a malloc'd NUL-terminated buffer. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long len = ftell(f);
    assert_true(len >= 0);
    rewind(f);
    char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static size_t count_lines_with(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *hit = strstr(line, needle);
        if (hit && hit < line + len) n++;
        line += len + (end ? 1 : 0);
    }
    return n;
}

static void write_report(void **state, const model_report *rep, bool series, char path[PATH_BUF])
{
    path_in(*state, series ? "timeseries.csv" : "summary.csv", path);
    sim_csv *csv = NULL;
    char err[256] = "";
    if (sim_csv_open(&csv, path, err, sizeof err) != SIM_OK) fail_msg("sim_csv_open: %s", err);
    sim_status st = series ? model_report_write_timeseries(rep, csv, "rpt")
                           : model_report_write_summary(rep, csv, "rpt");
    if (st != SIM_OK) {
        sim_csv_abort(csv);
        fail_msg("writing %s failed", path);
    }
    if (sim_csv_commit(csv, err, sizeof err) != SIM_OK) fail_msg("sim_csv_commit: %s", err);
}

static void test_report(void **state)
{
    run r;
    open_run(&r, state, "report.yaml", report_yaml);
    model_report *rep = model_report_new(r.p);
    assert_non_null(rep);
    const uint32_t us = world_find_country(r.w, "US");
    const uint32_t big = world_find_site(r.w, "big"), small = world_find_site(r.w, "small");
    double all_demand = 0, us_fill = 0, mean_of_rates = 0;
    const size_t np = model_plan_periods(r.p);
    for (uint64_t i = 0; i < r.w->run.replications; i++) {
        replicate(&r, r.w->run.seed, i);
        model_report_add(rep, r.m);
        double sums[RAW_COUNT];
        model_metrics_sum(r.p, r.m, 0, np, NULL, NULL, sums);
        all_demand += sums[RAW_DEMAND];
        model_metrics_sum(r.p, r.m, 0, np, in_country, &us, sums);
        us_fill += sums[RAW_IMMEDIATE] / sums[RAW_DEMAND];
        double a[RAW_COUNT], b[RAW_COUNT];
        model_metrics_sum(r.p, r.m, 0, np, at_site, &big, a);
        model_metrics_sum(r.p, r.m, 0, np, at_site, &small, b);
        mean_of_rates += (a[RAW_IMMEDIATE] / a[RAW_DEMAND] + b[RAW_IMMEDIATE] / b[RAW_DEMAND]) / 2;
        /* Sums first: the country is its sites added up. */
        assert_same(sums[RAW_DEMAND], a[RAW_DEMAND] + b[RAW_DEMAND]);
    }
    const double reps = (double)r.w->run.replications;
    all_demand /= reps;
    us_fill /= reps;
    mean_of_rates /= reps;
    /* World demand: a tally over 4 replications whose mean is the sum of
     * the sites' means (and of the countries'). */
    const sim_tally *wd = total_of(rep, "world", "", MET_DEMAND);
    assert_int_equal(wd->n, 4);
    assert_near(wd->mean, all_demand, 1e-9 * all_demand);
    double sites = 0;
    for (const char *const *s = (const char *const[]){"big", "small", "cn", NULL}; *s; s++)
        sites += total_of(rep, "site", *s, MET_DEMAND)->mean;
    assert_near(wd->mean, sites, 1e-9 * sites);
    double countries = total_of(rep, "country", "US", MET_DEMAND)->mean +
                       total_of(rep, "country", "CN", MET_DEMAND)->mean;
    assert_near(wd->mean, countries, 1e-9 * countries);
    assert_near(total_of(rep, "firm", "usbuy", MET_DEMAND)->mean,
                total_of(rep, "country", "US", MET_DEMAND)->mean, 1e-9 * wd->mean);
    /* A country's fill rate is its immediate units over its ordered units,
     * which here is far from the mean of its sites' rates. */
    const sim_tally *fill = total_of(rep, "country", "US", MET_FILL_RATE);
    assert_int_equal(fill->n, 4);
    assert_near(fill->mean, us_fill, 1e-12);
    assert_true(fabs(us_fill - mean_of_rates) > 0.1);
    /* Rows only where they mean something (no demand at a source, nothing
     * made anywhere), and none for an unknown scope. */
    assert_null(model_report_total(rep, "site", "src", "x", MET_DEMAND));
    assert_null(model_report_total(rep, "world", "", "x", MET_PRODUCED));
    assert_null(model_report_total(rep, "site", "nowhere", "x", MET_DEMAND));

    /* The CSV files, with the header rows docs/outputs.md (section 2)
     * documents; `chipsim run` writes them as timeseries.csv and
     * summary.csv. */
    char path[PATH_BUF];
    write_report(state, rep, true, path);
    char *ts = slurp(path);
    remove(path);
    const char ts_header[] = "scenario,period_start,period_end,scope,product,metric,unit,mean,sd,"
                             "ci95_low,ci95_high,replications\n";
    assert_memory_equal(ts, ts_header, strlen(ts_header));
    /* One world demand row per month. */
    assert_int_equal(count_lines_with(ts, ",world,x,demand,units,"), np);
    assert_int_equal(count_lines_with(ts, "rpt,2024-02-01,2024-02-29,world,x,demand,units,"), 1);
    free(ts);
    write_report(state, rep, false, path);
    char *sum = slurp(path);
    remove(path);
    const char sum_header[] = "scenario,scope,product,metric,unit,mean,sd,ci95_low,ci95_high,min,"
                              "max,replications\n";
    assert_memory_equal(sum, sum_header, strlen(sum_header));
    /* The world demand row holds the tally's mean, exactly, and the count. */
    const char *row = strstr(sum, "\nrpt,world,x,demand,units,");
    assert_non_null(row);
    row += strlen("\nrpt,world,x,demand,units,");
    char *end;
    assert_same(strtod(row, &end), wd->mean);
    assert_int_equal(*end, ',');
    const char *eol = strchr(row, '\n');
    assert_non_null(eol);
    assert_memory_equal(eol - 2, ",4", 2);
    assert_int_equal(count_lines_with(sum, "rpt,US,x,fill_rate,ratio,"), 1);
    free(sum);
    model_report_free(rep);
    close_run(&r);
}

/* ---- a constant capacity of 0 ---- */

/* `capacity_wafers_per_month: 0` (valid: a number >= 0) is no capacity,
 * ever: with none today the start slot looks for the next date with some,
 * and a constant series has no dates, so it waits for good. (It was a bug:
 * the search subtracted the run's start from a constant's date INT32_MIN, a
 * signed overflow that UBSan, CHIPSIM_SANITIZE=ON, stops at.) Nothing ever
 * starts and every order waits to the end of the run. */
static const char no_capacity_yaml[] =
    "schema_version: 1\n"
    "name: no_capacity\n"
    "run: {start: 2024-01-01, end: 2024-03-31, period: month, seed: 6}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - id: fab\n"
    "    firm: acme\n"
    "    country: US\n"
    "    capacity_wafers_per_month: 0\n"
    "    processes:\n"
    "      - {id: make, outputs: {x: 10}, wafers_per_batch: 25,\n"
    "         duration: {dist: constant, days: 1}}\n"
    "    inventory: {x: {policy: base_stock, level: 0}}\n"
    "demand:\n"
    "  - {site: fab, product: x, orders: {dist: poisson, per_day: 1},\n"
    "     size: {dist: constant, units: 10}}\n";

static void test_zero_capacity(void **state)
{
    run r;
    open_run(&r, state, "no_capacity.yaml", no_capacity_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "fab", "x");
    const size_t np = model_plan_periods(r.p);
    assert_int_equal(np, 3);
    const double demand = whole_run(&r, x, RAW_DEMAND);
    assert_true(demand > 500);
    assert_same(demand, 10 * whole_run(&r, x, RAW_ORDERS));
    assert_same(whole_run(&r, x, RAW_STARTED), 0);
    assert_same(whole_run(&r, x, RAW_PRODUCED), 0);
    assert_same(whole_run(&r, x, RAW_DELIVERED), 0);
    assert_same(whole_run(&r, x, RAW_FILLED), 0);
    /* What waits at the end of each month is all the demand so far. */
    for (size_t i = 0; i < np; i++)
        assert_same(at(&r, i, x, RAW_BACKLOG_END), over(&r, x, RAW_DEMAND, 0, i + 1));
    close_run(&r);
}

/* ---- need orders complete ---- */

/* A need order filled with whole units may take up to one unit's worth more
 * than it asked; that surplus leaves the need's stock without a claim for
 * it and lowers its position, so the need reviews its policy then and
 * orders it back. (It was a bug: nothing reviewed, so when orders overlapped
 * in transit, each ordered against a position that counted the previous
 * ones' surplus, the last of a bunch was left short until another order
 * came, and for good when none did.)
 *
 * 11 orders of 2.3 h100e on 1 January, filled by b (0.5 h100e) from a
 * source 2.5 days away. Each complete order takes ceil(2.3 / 0.5) = 5 units
 * whatever its parts, so 55 units, though the orders placed add up to 51
 * (25.5 h100e for 25.3 asked); the reviews after surpluses order the other
 * 4. Every order completes, with 5 units, and none is left over. */
static const char need_short_yaml[] =
    "schema_version: 1\n"
    "name: need_short\n"
    "run: {start: 2024-01-01, end: 2024-01-31, period: day, seed: 1}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: b, h100e: 0.5}]\n"
    "needs: [{id: ai_compute, unit: h100e, filled_by: [b]}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [b]}\n"
    "  - id: dc\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {ai_compute: {policy: base_stock, level: 0, suppliers: [src]}}\n"
    "lanes:\n"
    "  - {from: src, to: dc, transit: {dist: constant, days: 2.5}}\n"
    "demand:\n"
    "  - {site: dc, product: ai_compute, orders: {dist: poisson, per_day: 10},\n"
    "     size: {dist: constant, units: 2.3}, ends: 2024-01-01}\n";

static void test_need_orders_complete(void **state)
{
    run r;
    open_run(&r, state, "need_short.yaml", need_short_yaml);
    run_once(&r);
    const uint32_t need = stock_of(&r, "dc", "ai_compute"), b = stock_of(&r, "dc", "b");
    const size_t n = days_of(&r);
    const double orders = whole_run(&r, need, RAW_ORDERS);
    assert_same(orders, 11); /* enough to overlap in transit */
    assert_same(at(&r, 0, need, RAW_ORDERS), orders);
    /* The orders, each placed against the position the ones before left
     * (-2.3 -> 5 units, -2.1 -> 5, -1.9 -> 4, -2.2 -> 5, -2.0 -> 4, ...),
     * ship 51 units on day 0. They arrive at times in (2.5, 3.5); the
     * surpluses they leave are ordered back then, the 4 units missing, and
     * arrive 2.5 days later, in (5, 6). Nothing else ships. */
    assert_same(at(&r, 0, b, RAW_SHIPPED), 51);
    assert_same(over(&r, b, RAW_SHIPPED, 2, 4), 4);
    assert_same(whole_run(&r, b, RAW_SHIPPED), 55);
    /* Every order is complete by the end of day 5, with 5 units of b
     * (2.5 h100e) each, and no unit is left on hand. */
    assert_same(over(&r, need, RAW_FILLED, 0, 6), orders);
    assert_same(whole_run(&r, need, RAW_FILLED), orders);
    assert_same(at(&r, 5, need, RAW_BACKLOG_END), 0);
    assert_same(at(&r, n - 1, need, RAW_BACKLOG_END), 0);
    assert_same(whole_run(&r, need, RAW_COMPUTE), 2.5 * orders);
    assert_same(whole_run(&r, b, RAW_DELIVERED), 5 * orders);
    assert_same(whole_run(&r, b, RAW_RECEIVED), 5 * orders);
    close_run(&r);
}

/* ---- events at period boundaries ---- */

/* Period boundaries are scheduled before anything else, so at a boundary's
 * instant the boundary runs first and an event at exactly a whole-day time
 * counts in the day (and period) that begins then (docs/model.md: "an event
 * at time t falls on the calendar day run.start + floor(t)"). The run
 * covers [0, horizon): an event at exactly the horizon, the start of the day
 * after run.end, does not run. (It was a bug: such events were booked in the
 * period before, and the one at the horizon ran and was booked on the last
 * day.) Whole-day times are common: dated capacity steps, (s, S) reviews,
 * the ends of dated disruptions, and constant whole-day transits and
 * durations after them. Four minimal scenarios:
 *   - capacity 0 until 1 March, then 1000 (test_capacity_table's world,
 *     `period: month`): the first start, at 1 March 00:00, counts in March;
 *   - (s, S) with review_days 7 (test_s_S's world): each order placed by
 *     the review at time 7k is shipped on day 7k;
 *   - the lane closure (test_lane_closure's world, transit 3 days): the
 *     shipments held until time 70 arrive at 73.0, on day 73;
 *   - (s, S) with s 19, S 20, review_days 7 in a run of 28 days (below):
 *     the review at time 28, on 29 January, after the run, does not run.
 */
static const char s_s_end_yaml[] =
    "schema_version: 1\n"
    "name: s_s_end\n"
    "run: {start: 2024-01-01, end: 2024-01-28, period: day, seed: 4}\n"
    "countries: [{code: US}]\n"
    "firms: [{id: acme, country: US}]\n"
    "products: [{id: x}]\n"
    "sites:\n"
    "  - {id: src, firm: acme, country: US, source: [x]}\n"
    "  - id: shop\n"
    "    firm: acme\n"
    "    country: US\n"
    "    inventory: {x: {policy: s_S, s: 19, S: 20, review_days: 7, suppliers: [src]}}\n"
    "lanes:\n"
    "  - {from: src, to: shop, transit: {dist: constant, days: 2.5}}\n"
    "demand:\n"
    "  - {site: shop, product: x, orders: {dist: poisson, per_day: 1},\n"
    "     size: {dist: constant, units: 1}}\n";

static void test_events_at_period_boundaries(void **state)
{
    char csv[PATH_BUF];
    scratch_file(state, "capacity.csv", capacity_csv, csv);
    run r;
    open_capacity(&r, state, "end: 2024-04-30, period: month");
    remove(csv);
    run_once(&r);
    uint32_t x = stock_of(&r, "fab", "x");
    assert_int_equal(model_plan_periods(r.p), 4);
    /* Starts at 60 + k gap: k = 0 .. 40 in March, 41 .. 80 in April. */
    assert_same(at(&r, 0, x, RAW_STARTED), 0);
    assert_same(at(&r, 1, x, RAW_STARTED), 0);
    assert_same(at(&r, 2, x, RAW_STARTED), 41);
    assert_same(at(&r, 3, x, RAW_STARTED), 40);
    close_run(&r);

    open_run(&r, state, "s_S.yaml", s_s_yaml);
    run_once(&r);
    x = stock_of(&r, "shop", "x");
    size_t n = days_of(&r);
    double review_days = 0;
    for (size_t d = 0; d < n; d++)
        if (at(&r, d, x, RAW_SHIPPED) != 0) {
            if (d % 7 != 0)
                fail_msg("(s, S) reviews at time 7k: %g units shipped on day %zu",
                         at(&r, d, x, RAW_SHIPPED), d);
            review_days++;
        }
    assert_true(review_days >= 8);
    close_run(&r);

    open_run(&r, state, "closure.yaml", closure_yaml);
    run_once(&r);
    x = stock_of(&r, "shop", "x");
    const double held = over(&r, x, RAW_SHIPPED, 60, 70);
    assert_true(held > 10);
    assert_same(at(&r, 72, x, RAW_RECEIVED), 0);
    assert_same(at(&r, 73, x, RAW_RECEIVED), held + at(&r, 70, x, RAW_SHIPPED));
    close_run(&r);

    open_run(&r, state, "s_S_end.yaml", s_s_end_yaml);
    run_once(&r);
    x = stock_of(&r, "shop", "x");
    n = days_of(&r);
    assert_int_equal(n, 28);
    /* The reviews at 7, 14 and 21 order up to S what the demand took (the
     * position is at most 19 once a unit went); the one at 0 finds S. */
    for (size_t d = 0; d < n; d++)
        if (d % 7 != 0 || d == 0) assert_same(at(&r, d, x, RAW_SHIPPED), 0);
    assert_true(at(&r, 21, x, RAW_SHIPPED) > 0);
    assert_same(whole_run(&r, x, RAW_SHIPPED), over(&r, x, RAW_DEMAND, 0, 21));
    /* The demand of days 21 to 27 would have made the review at time 28
     * order, had it run. */
    assert_true(over(&r, x, RAW_DEMAND, 21, n) > 0);
    close_run(&r);
}

/* ---- stockpiling ---- */

/* Between a rule's announcement (day 30) and its effective date (day 60)
 * the buyers it will catch order twice as often; a buyer it does not
 * catch (another country) does not. Orders are Poisson, so each window's
 * count is checked against its mean within 4.5 standard deviations. */
static const char stockpile_yaml[] =
    "schema_version: 1\n"
    "name: stockpile\n"
    "run: {start: 2024-01-01, end: 2024-03-30, period: day, seed: 3}\n"
    "countries: [{code: US}, {code: CN}, {code: FR}]\n"
    "firms: [{id: maker, country: US}, {id: cn_buyer, country: CN}, {id: fr_buyer, country: FR}]\n"
    "products: [{id: chip, tpp: 5000, controlled_by: [US]}]\n"
    "sites:\n"
    "  - {id: src, firm: maker, country: US, source: [chip]}\n"
    "  - {id: cn, firm: cn_buyer, country: CN,\n"
    "     inventory: {chip: {policy: base_stock, level: 0, suppliers: [src]}}}\n"
    "  - {id: fr, firm: fr_buyer, country: FR,\n"
    "     inventory: {chip: {policy: base_stock, level: 0, suppliers: [src]}}}\n"
    "lanes:\n"
    "  - {from: src, to: cn, transit: {dist: constant, days: 1}}\n"
    "  - {from: src, to: fr, transit: {dist: constant, days: 1}}\n"
    "demand:\n"
    "  - {site: cn, product: chip, orders: {dist: poisson, per_day: 10}, size: {dist: constant, "
    "units: 1}}\n"
    "  - {site: fr, product: chip, orders: {dist: poisson, per_day: 10}, size: {dist: constant, "
    "units: 1}}\n"
    "export_controls:\n"
    "  - {id: r, authority: US, announced: 2024-01-31, effective: 2024-03-01,\n"
    "     products: \"tpp >= 4800\", destinations: [CN], action: {type: license, approval: 1}}\n"
    "stockpiling: [{rule: r, factor: 2}]\n";

static void assert_poisson(double count, double mean)
{
    assert_true(fabs(count - mean) <= 4.5 * sqrt(mean));
}

static void test_stockpiling(void **state)
{
    run r;
    open_run(&r, state, "stockpile.yaml", stockpile_yaml);
    run_once(&r);
    const uint32_t cn = stock_of(&r, "cn", "chip"), fr = stock_of(&r, "fr", "chip");
    /* Days 0-29 before, 30-59 in the window (announced 31 Jan, effective 1 Mar), 60-89 after. */
    assert_poisson(over(&r, cn, RAW_ORDERS, 0, 30), 300);
    assert_poisson(over(&r, cn, RAW_ORDERS, 30, 60), 600);
    assert_poisson(over(&r, cn, RAW_ORDERS, 60, 90), 300);
    assert_poisson(over(&r, fr, RAW_ORDERS, 30, 60), 300);
    /* The window doubles the rate: far more than chance allows. */
    assert_true(over(&r, cn, RAW_ORDERS, 30, 60) > 1.5 * over(&r, cn, RAW_ORDERS, 0, 30));
    close_run(&r);
}

/* ---- diversion ---- */

/* A rule denies chips to CN; half of the blocked orders (share 0.5) try a
 * broker in SG over an illicit lane, where each shipment is seized with
 * probability 0.3. Checks, within 4.5 binomial standard deviations: the
 * share of blocked orders that were diverted, and the share of diverted
 * shipments seized; and that only the illicit lane carried anything. */
static const char divert_yaml[] =
    "schema_version: 1\n"
    "name: divert\n"
    "run: {start: 2024-01-01, end: 2024-12-30, period: month, seed: 5}\n"
    "countries: [{code: US}, {code: CN}, {code: SG}]\n"
    "firms: [{id: maker, country: US}, {id: buyer, country: CN}, {id: broker, country: SG}]\n"
    "products: [{id: chip, tpp: 5000, controlled_by: [US]}]\n"
    "sites:\n"
    "  - {id: src, firm: maker, country: US, source: [chip]}\n"
    "  - {id: sg, firm: broker, country: SG,\n"
    "     inventory: {chip: {policy: base_stock, level: 0, suppliers: [src]}}}\n"
    "  - {id: cn, firm: buyer, country: CN,\n"
    "     inventory: {chip: {policy: base_stock, level: 0, suppliers: [src, sg]}}}\n"
    "lanes:\n"
    "  - {from: src, to: sg, transit: {dist: constant, days: 1}}\n"
    "  - {from: src, to: cn, transit: {dist: constant, days: 1}}\n"
    "  - {from: sg, to: cn, transit: {dist: constant, days: 2}, illicit: true, detection: 0.3}\n"
    "demand:\n"
    "  - {site: cn, product: chip, orders: {dist: poisson, per_day: 10},\n"
    "     size: {dist: constant, units: 1}, patience_days: 30}\n"
    "export_controls:\n"
    "  - {id: deny_cn, authority: US, effective: 2020-01-01, products: all,\n"
    "     destinations: [CN], action: {type: deny}}\n"
    "diversion: {share_of_blocked: 0.5, markup: 2}\n";

static void assert_binomial(double hits, double n, double p)
{
    assert_true(n > 100);
    assert_true(fabs(hits - n * p) <= 4.5 * sqrt(n * p * (1 - p)));
}

static void test_diversion(void **state)
{
    run r;
    open_run(&r, state, "divert.yaml", divert_yaml);
    run_once(&r);
    const uint32_t cn = stock_of(&r, "cn", "chip"), sg = stock_of(&r, "sg", "chip");
    const double blocked = whole_run(&r, cn, RAW_BLOCKED);
    const double attempted = whole_run(&r, cn, RAW_DIVERTED_ATTEMPTED);
    const double seized = whole_run(&r, cn, RAW_SEIZED);
    const double arrived = whole_run(&r, cn, RAW_DIVERTED_DELIVERED);
    /* Every order of one unit is blocked at least once; each try diverts
     * with probability 0.5 (an order not diverted is tried again at the
     * next order placed, so tries outnumber orders). */
    assert_binomial(attempted, blocked, 0.5);
    /* Every diverted shipment left the broker: seized or arrived. */
    assert_true(seized + arrived <= attempted);
    assert_binomial(seized, seized + arrived, 0.3);
    /* Nothing came over the lawful lane; the broker bought lawfully. */
    assert_same(whole_run(&r, cn, RAW_RECEIVED), arrived);
    assert_true(whole_run(&r, sg, RAW_RECEIVED) > 0);
    assert_true(whole_run(&r, sg, RAW_RECEIVED) <= whole_run(&r, sg, RAW_SHIPPED));
    assert_true(whole_run(&r, cn, RAW_MARKUP_USD) == 0); /* no unit_value_usd */
    close_run(&r);
}

/* ---- checked again when leaving ---- */

/* Orders placed before a deny rule takes effect (day 20) wait at a slow
 * supplier; from day 20 none of them leaves: they are dropped as blocked
 * when their units would go, and nothing is shipped across the border
 * from then on, while a domestic buyer of the same supplier is served. */
static const char leave_yaml[] =
    "schema_version: 1\n"
    "name: leave\n"
    "run: {start: 2024-01-01, end: 2024-03-30, period: day, seed: 9}\n"
    "countries: [{code: US}, {code: CN}]\n"
    "firms: [{id: maker, country: US}, {id: buyer, country: CN}, {id: local, country: US}]\n"
    "products: [{id: chip, controlled_by: [US]}]\n"
    "sites:\n"
    "  - id: fab\n"
    "    firm: maker\n"
    "    country: US\n"
    "    processes:\n"
    "      - {id: make, outputs: {chip: 1}, servers: 1, duration: {dist: constant, days: 1}}\n"
    "    inventory: {chip: {policy: base_stock, level: 0}}\n"
    "  - {id: cn, firm: buyer, country: CN,\n"
    "     inventory: {chip: {policy: base_stock, level: 0, suppliers: [fab]}}}\n"
    "  - {id: us, firm: local, country: US,\n"
    "     inventory: {chip: {policy: base_stock, level: 0, suppliers: [fab]}}}\n"
    "lanes:\n"
    "  - {from: fab, to: cn, transit: {dist: constant, days: 2}}\n"
    "  - {from: fab, to: us, transit: {dist: constant, days: 2}}\n"
    "demand:\n"
    "  - {site: cn, product: chip, orders: {dist: poisson, per_day: 3}, size: {dist: constant, "
    "units: 1}}\n"
    "  - {site: us, product: chip, orders: {dist: poisson, per_day: 0.5}, size: {dist: constant, "
    "units: 1}}\n"
    "export_controls:\n"
    "  - {id: deny_cn, authority: US, effective: 2024-01-21, products: all,\n"
    "     destinations: [CN], action: {type: deny}}\n";

static void test_checked_when_leaving(void **state)
{
    run r;
    open_run(&r, state, "leave.yaml", leave_yaml);
    run_once(&r);
    const uint32_t cn = stock_of(&r, "cn", "chip"), us = stock_of(&r, "us", "chip");
    const size_t n = days_of(&r);
    /* The fab makes one a day against three ordered: a backlog builds. */
    assert_true(over(&r, cn, RAW_SHIPPED, 0, 20) > 0);
    assert_true(at(&r, 19, cn, RAW_BACKLOG_END) > 10);
    assert_same(over(&r, cn, RAW_SHIPPED, 20, n), 0);
    /* Waiting orders were dropped as blocked when their units came up. */
    assert_true(over(&r, cn, RAW_BLOCKED, 20, n) > 10);
    /* Shipments that left before day 20 still arrived. */
    assert_same(over(&r, cn, RAW_RECEIVED, 0, n), over(&r, cn, RAW_SHIPPED, 0, 20));
    /* The domestic buyer keeps being served. */
    assert_true(over(&r, us, RAW_SHIPPED, 20, n) > 10);
    close_run(&r);
}

/* ---- equipment caps ---- */

/* Capacity rises from 1000 to 2000 wafers a month on 1 March. An equipment
 * rule in force from 1 February to 1 June freezes it at its level on 1
 * February (1000) at fab `frozen`, and caps it at 500 at fab `capped`; fab
 * `free` has no cap. Starts are 25 wafers, so a month at C wafers holds
 * about C / 25 starts (±1). */
static const char cap_yaml[] =
    "schema_version: 1\n"
    "name: equipment\n"
    "run: {start: 2024-01-01, end: 2024-07-31, period: month, seed: 2}\n"
    "countries: [{code: CN}, {code: US}]\n"
    "firms: [{id: fabco, country: CN}]\n"
    "products: [{id: x}, {id: y}, {id: z}]\n"
    "sites:\n"
    "  - id: frozen\n"
    "    firm: fabco\n"
    "    country: CN\n"
    "    capacity_wafers_per_month: {table: cap.csv}\n"
    "    capacity_cap: {rule: tools}\n"
    "    processes: [{id: p, outputs: {x: 1}, wafers_per_batch: 25, duration: {dist: constant, "
    "days: 1}}]\n"
    "    inventory: {x: {policy: base_stock, level: 0}}\n"
    "  - id: capped\n"
    "    firm: fabco\n"
    "    country: CN\n"
    "    capacity_wafers_per_month: {table: cap.csv}\n"
    "    capacity_cap: {rule: tools, wafers_per_month: 500}\n"
    "    processes: [{id: p, outputs: {y: 1}, wafers_per_batch: 25, duration: {dist: constant, "
    "days: 1}}]\n"
    "    inventory: {y: {policy: base_stock, level: 0}}\n"
    "  - id: free\n"
    "    firm: fabco\n"
    "    country: CN\n"
    "    capacity_wafers_per_month: {table: cap.csv}\n"
    "    processes: [{id: p, outputs: {z: 1}, wafers_per_batch: 25, duration: {dist: constant, "
    "days: 1}}]\n"
    "    inventory: {z: {policy: base_stock, level: 0}}\n"
    "demand:\n"
    "  - {site: frozen, product: x, orders: {dist: poisson, per_day: 20}, size: {dist: constant, "
    "units: 1}}\n"
    "  - {site: capped, product: y, orders: {dist: poisson, per_day: 20}, size: {dist: constant, "
    "units: 1}}\n"
    "  - {site: free, product: z, orders: {dist: poisson, per_day: 20}, size: {dist: constant, "
    "units: 1}}\n"
    "export_controls:\n"
    "  - {id: tools, authority: US, effective: 2024-02-01, expires: 2024-06-01, products: all,\n"
    "     destinations: [CN], action: {type: deny}}\n";

static void assert_starts(const run *r, uint32_t stock, size_t month, double wafers)
{
    double days =
        (double)(model_plan_period_end(r->p, month) + 1 - model_plan_period_start(r->p, month));
    double expect = wafers / 25 * days / (365.25 / 12);
    assert_true(fabs(at(r, month, stock, RAW_STARTED) - expect) <= 1.5);
}

static void test_equipment_cap(void **state)
{
    char path[PATH_BUF];
    scratch_file(state, "cap.csv", "date,value\n2024-01-01,1000\n2024-03-01,2000\n", path);
    run r;
    open_run(&r, state, "equipment.yaml", cap_yaml);
    run_once(&r);
    const uint32_t x = stock_of(&r, "frozen", "x"), y = stock_of(&r, "capped", "y"),
                   z = stock_of(&r, "free", "z");
    /* Months 0..6 = January..July; the rule holds February to May. */
    for (size_t mo = 2; mo <= 4; mo++) {
        assert_starts(&r, x, mo, 1000); /* growth stopped at February's level */
        assert_starts(&r, y, mo, 500);
        assert_starts(&r, z, mo, 2000);
    }
    assert_starts(&r, y, 1, 500);
    assert_starts(&r, x, 6, 2000); /* the rule expired on 1 June */
    assert_starts(&r, y, 6, 2000);
    close_run(&r);
}

/* ---- patents ---- */

/* A phone on LTE and 5G, made by oppo and sold at retail in CN; huawei's
 * portfolio asks 1.50 (LTE) and 2.50 (5G) a unit; a cross-licence at 0.80 a
 * unit from 1 February (day 31). The dispute, when %s, is huawei against
 * oppo in CN on handsets, filed 10 January, an injunction certain after 10
 * days, for 30 days; `ends_with` names the licence. */
static const char patents_fmt[] =
    "schema_version: 1\n"
    "name: patents\n"
    "run: {start: 2024-01-01, end: 2024-03-30, period: day, seed: 4}\n"
    "countries: [{code: CN}]\n"
    "firms: [{id: huawei, country: CN}, {id: oppo, country: CN}, {id: shop, country: CN}]\n"
    "products: [{id: phone, kind: handset, owner: oppo, standards: [lte, 5g]}]\n"
    "sites:\n"
    "  - {id: fab, firm: oppo, country: CN, source: [phone]}\n"
    "  - {id: retail, firm: shop, country: CN,\n"
    "     inventory: {phone: {policy: base_stock, level: 0, suppliers: [fab]}}}\n"
    "lanes: [{from: fab, to: retail, transit: {dist: constant, days: 0.5}}]\n"
    "demand:\n"
    "  - {site: retail, product: phone, orders: {dist: poisson, per_day: 10},\n"
    "     size: {dist: constant, units: 7}}\n"
    "patents:\n"
    "  portfolios: [{firm: huawei, standards: [lte, 5g], royalty_usd_per_unit: {lte: 1.50, 5g: "
    "2.50}}]\n"
    "  licences: [{id: deal, parties: [huawei, oppo], type: cross, effective: %s,\n"
    "              scope: [lte, 5g], royalty_usd_per_unit: 0.80}]\n"
    "%s";

static const char dispute_text[] =
    "  disputes:\n"
    "    - {id: suit, plaintiff: huawei, defendant: oppo, forum: CN, filed: 2024-01-10,\n"
    "       products: \"kind == 'handset'\", ends_with: deal,\n"
    "       injunction: {probability: 1, after: {dist: constant, days: 10}, duration_days: 30}}\n";

static void open_patents(run *r, void **state, const char *licence_date, bool dispute)
{
    char yaml[sizeof patents_fmt + sizeof dispute_text + 64];
    int k = snprintf(yaml, sizeof yaml, patents_fmt, licence_date, dispute ? dispute_text : "");
    assert_true(k > 0 && (size_t)k < sizeof yaml);
    open_run(r, state, "patents.yaml", yaml);
}

static double firm_at(const run *r, size_t period, const char *firm, model_raw x)
{
    uint32_t f = world_find_firm(r->w, firm);
    assert_int_not_equal(f, WORLD_NONE);
    return r->m->firm_raw[(period * r->m->n_firms + f) * RAW_COUNT + x];
}

/* Royalties are rate x units to the cent: the unlicensed sales before the
 * licence owe the portfolio's highest rate (2.50, not 1.50 + 2.50); after it,
 * 0.80 a unit is paid, and received by huawei. */
static void test_royalties(void **state)
{
    run r;
    open_patents(&r, state, "2024-02-01", false);
    run_once(&r);
    const uint32_t s = stock_of(&r, "retail", "phone");
    const size_t n = days_of(&r), licence = 31;
    double units = 0;
    for (size_t d = 0; d < n; d++) {
        double sold = at(&r, d, s, RAW_DELIVERED);
        units += sold;
        double paid = firm_at(&r, d, "oppo", RAW_ROYALTY_PAID);
        double exposed = firm_at(&r, d, "oppo", RAW_EXPOSURE);
        assert_true(fabs(exposed - (d < licence ? 2.50 * sold : 0)) < 0.005);
        assert_true(fabs(paid - (d < licence ? 0 : 0.80 * sold)) < 0.005);
        assert_same(firm_at(&r, d, "huawei", RAW_ROYALTY_RECEIVED), paid);
        assert_same(firm_at(&r, d, "huawei", RAW_ROYALTY_PAID), 0);
    }
    assert_true(units > 3000);
    close_run(&r);
}

/* A one-way (bilateral) licence runs from its first party to its second:
 * [huawei, oppo] lets oppo sell on huawei's patents at 0.80 a unit;
 * [oppo, huawei] licenses oppo's (absent) patents to huawei and leaves oppo
 * exposed at huawei's 2.50. A cross-licence works in both orders. */
static void check_licence_direction(void **state, const char *type, const char *parties,
                                    double paid_per_unit, double exposed_per_unit)
{
    /* The shared world, with this licence's type and parties. */
    char base[sizeof patents_fmt + 64], yaml[sizeof patents_fmt + 128];
    int k = snprintf(base, sizeof base, patents_fmt, "2024-01-01", "");
    assert_true(k > 0 && (size_t)k < sizeof base);
    static const char was[] = "parties: [huawei, oppo], type: cross";
    const char *cut = strstr(base, was);
    assert_non_null(cut);
    k = snprintf(yaml, sizeof yaml, "%.*sparties: %s, type: %s%s", (int)(cut - base), base, parties,
                 type, cut + strlen(was));
    assert_true(k > 0 && (size_t)k < sizeof yaml);
    run r;
    open_run(&r, state, "direction.yaml", yaml);
    run_once(&r);
    const uint32_t s = stock_of(&r, "retail", "phone");
    double units = 0, paid = 0, exposed = 0, received = 0;
    for (size_t d = 0; d < days_of(&r); d++) {
        units += at(&r, d, s, RAW_DELIVERED);
        paid += firm_at(&r, d, "oppo", RAW_ROYALTY_PAID);
        exposed += firm_at(&r, d, "oppo", RAW_EXPOSURE);
        received += firm_at(&r, d, "huawei", RAW_ROYALTY_RECEIVED);
    }
    assert_true(units > 3000);
    assert_true(fabs(paid - paid_per_unit * units) < 0.005);
    assert_true(fabs(received - paid_per_unit * units) < 0.005);
    assert_true(fabs(exposed - exposed_per_unit * units) < 0.005);
    close_run(&r);
}

static void test_licence_direction(void **state)
{
    check_licence_direction(state, "bilateral", "[huawei, oppo]", 0.80, 0);
    check_licence_direction(state, "one_way", "[huawei, oppo]", 0.80, 0);
    check_licence_direction(state, "one_way", "[oppo, huawei]", 0, 2.50);
    check_licence_direction(state, "bilateral", "[oppo, huawei]", 0, 2.50);
    check_licence_direction(state, "cross", "[oppo, huawei]", 0.80, 0);
}

/* An injunction granted with probability 1 on day 19 (filed day 9 + 10)
 * stops every delivery in the forum for exactly its 30 days; the orders
 * wait and are filled on day 49 when it is lifted. */
static void test_injunction(void **state)
{
    run r;
    open_patents(&r, state, "2024-03-15", true);
    model_events ev = {0};
    model_config c = model_config_default(r.w);
    c.seed = r.w->run.seed;
    c.check_conservation = true;
    c.events = &ev;
    char err[1024] = "";
    if (model_run(r.p, &c, r.m, &r.info, err, sizeof err) != SIM_OK) fail_msg("model_run: %s", err);
    const uint32_t s = stock_of(&r, "retail", "phone");
    const size_t n = days_of(&r), from = 19, to = 49;
    /* --events: filed on day 9, granted on day 19, lifted on day 49, and the
     * licence takes effect on 2024-03-15 (day 74), once each. */
    const struct {
        model_event_kind kind;
        size_t day;
    } want[] = {{EV_DISPUTE_FILED, 9},
                {EV_INJUNCTION_GRANTED, from},
                {EV_INJUNCTION_LIFTED, to},
                {EV_LICENCE_EFFECTIVE, 74}};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        size_t seen = 0;
        for (size_t i = 0; i < ev.n; i++)
            if (ev.at[i].kind == want[k].kind) {
                seen++;
                assert_int_equal(ev.at[i].date, r.w->run.start + (sim_date)want[k].day);
            }
        assert_int_equal(seen, 1);
    }
    model_events_release(&ev);
    double days = 0, stopped = 0, ordered = 0;
    for (size_t d = 0; d < n; d++) {
        days += firm_at(&r, d, "oppo", RAW_INJUNCTION_DAYS);
        stopped += at(&r, d, s, RAW_STOPPED);
        if (d >= from && d < to) {
            assert_same(at(&r, d, s, RAW_DELIVERED), 0);
            ordered += at(&r, d, s, RAW_DEMAND);
        } else if (d + 1 < from) {
            assert_true(at(&r, d, s, RAW_DELIVERED) > 0);
        }
    }
    assert_true(fabs(days - 30) < 1e-9);
    assert_same(stopped, ordered);
    /* The waiting orders are filled the day it is lifted. */
    assert_true(at(&r, to, s, RAW_DELIVERED) >= ordered);
    close_run(&r);
}

/* The settling licence takes effect on day 14, before the injunction is
 * due (day 19): no injunction, nothing stopped. */
static void test_settlement_prevents_injunction(void **state)
{
    run r;
    open_patents(&r, state, "2024-01-15", true);
    run_once(&r);
    const uint32_t s = stock_of(&r, "retail", "phone");
    double days = 0, stopped = 0;
    for (size_t d = 0; d < days_of(&r); d++) {
        days += firm_at(&r, d, "oppo", RAW_INJUNCTION_DAYS);
        stopped += at(&r, d, s, RAW_STOPPED);
        if (d > 0) assert_true(at(&r, d, s, RAW_DELIVERED) > 0);
    }
    assert_same(days, 0);
    assert_same(stopped, 0);
    close_run(&r);
}

/* ---- streaming metrics: the report folded period by period ---- */

typedef struct fold_into {
    const model_report *rep;
    double *totals, *values;
    size_t next; /* the period expected next: folds come in order, each once */
} fold_into;

static void fold_one(void *ctx, const model_metrics *m, size_t period)
{
    fold_into *f = ctx;
    assert_int_equal(period, f->next);
    f->next++;
    model_report_fold_period(f->rep, m, period, f->totals, f->values);
}

/* Values folded as the periods close, from metrics that hold one period,
 * are the same to the bit as values from metrics that keep every period
 * (what the tests read); checked on a world with compute, licences and
 * site/firm/country groups and on one with patents (firm cells). */
static void check_streaming(run *r)
{
    model_report *rep = model_report_new(r->p);
    assert_non_null(rep);
    size_t nv = model_report_values_size(rep), nt = model_report_scratch_size(rep);
    double *full = malloc((nv + 1) * sizeof *full), *streamed = calloc(nv + 1, sizeof *streamed);
    double *totals = malloc((nt + 1) * sizeof *totals);
    assert_true(full && streamed && totals);
    fold_into f = {rep, totals, streamed, 0};
    model_metrics *sm = model_metrics_new_streaming(r->p, fold_one, &f);
    assert_non_null(sm);
    /* One period's cells, not n_periods' */
    assert_int_equal(sm->n_slots, 1);
    for (uint64_t i = 0; i < 3; i++) {
        replicate(r, r->w->run.seed, i);
        model_report_values(rep, r->m, totals, full);
        memset(totals, 0, nt * sizeof *totals);
        f.next = 0;
        model_config c = model_config_default(r->w);
        c.seed = r->w->run.seed;
        c.replication = i;
        c.check_conservation = true;
        char err[1024] = "";
        if (model_run(r->p, &c, sm, NULL, err, sizeof err) != SIM_OK)
            fail_msg("model_run: %s", err);
        assert_int_equal(f.next, model_plan_periods(r->p));
        model_report_finish(rep, totals, streamed);
        assert_memory_equal(full, streamed, nv * sizeof *full);
    }
    model_metrics_free(sm);
    free(full);
    free(streamed);
    free(totals);
    model_report_free(rep);
}

static void test_streaming_report(void **state)
{
    run r;
    open_run(&r, state, "report.yaml", report_yaml);
    check_streaming(&r);
    close_run(&r);
    open_patents(&r, state, "2024-03-15", true);
    check_streaming(&r);
    close_run(&r);
}

/* model_metric_raws names every raw value model_metric_from_sums reads:
 * changing any other leaves every metric as it was (the report sums only
 * the named ones). */
static void test_metric_raws(void **state)
{
    (void)state;
    for (int met = 0; met < MET_COUNT; met++) {
        uint64_t used = model_metric_raws((model_metric)met);
        assert_int_not_equal(used, 0);
        double a[RAW_COUNT], b[RAW_COUNT];
        for (int x = 0; x < RAW_COUNT; x++) {
            a[x] = 1.5 + x;
            b[x] = used >> x & 1 ? a[x] : -7.25 * (x + 1);
        }
        double va = model_metric_from_sums((model_metric)met, a);
        double vb = model_metric_from_sums((model_metric)met, b);
        assert_memory_equal(&va, &vb, sizeof va);
        /* and each named raw matters */
        for (int x = 0; x < RAW_COUNT; x++) {
            if (!(used >> x & 1)) continue;
            memcpy(b, a, sizeof b);
            b[x] = 1e6 + x;
            vb = model_metric_from_sums((model_metric)met, b);
            assert_true(vb != va);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wafer_capacity),
        cmocka_unit_test(test_priority),
        cmocka_unit_test(test_capacity_table),
        cmocka_unit_test(test_site_outage),
        cmocka_unit_test(test_lane_closure),
        cmocka_unit_test(test_patience),
        cmocka_unit_test(test_needs),
        cmocka_unit_test(test_s_S),
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_warmup),
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_stockpiling),
        cmocka_unit_test(test_diversion),
        cmocka_unit_test(test_checked_when_leaving),
        cmocka_unit_test(test_equipment_cap),
        cmocka_unit_test(test_royalties),
        cmocka_unit_test(test_injunction),
        cmocka_unit_test(test_settlement_prevents_injunction),
        /* Regression tests of bugs the model once had. */
        cmocka_unit_test(test_need_orders_complete),
        cmocka_unit_test(test_events_at_period_boundaries),
        cmocka_unit_test(test_zero_capacity),
        cmocka_unit_test(test_streaming_report),
        cmocka_unit_test(test_licence_direction),
        cmocka_unit_test(test_metric_raws),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
