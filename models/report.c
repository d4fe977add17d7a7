/*
 * Report: groups of stock points, tallies across replications, CSV rows.
 */
#include "report.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "stats.h"

enum scope_kind { SCOPE_WORLD, SCOPE_COUNTRY, SCOPE_FIRM, SCOPE_SITE, SCOPE_KINDS };
enum item_kind { ITEM_PRODUCT, ITEM_NEED, ITEM_ALL };

static const char *const scope_names[SCOPE_KINDS] = {"world", "country", "firm", "site"};

typedef struct group {
    uint64_t key;
    uint32_t relevant; /* bit per model_metric */
    uint32_t example;  /* a stock point of the group, for units */
    size_t base;       /* where the group's values start: see value_index */
} group;

/* The raw values a group's metrics read (group_raws): raw[0 .. n_member)
 * summed over its stock points, the rest from firm cells only. */
typedef struct group_raw_list {
    uint8_t raw[RAW_COUNT];
    uint8_t n_raw, n_member;
} group_raw_list;

struct model_report {
    const model_plan *p;
    unsigned scopes; /* MODEL_SCOPE_* bits */
    group *groups;
    group_raw_list *raws; /* [group]: what folding a period sums */
    size_t n_groups;
    uint32_t *stock_groups; /* [stock][2 * SCOPE_KINDS]: item groups, then `all` groups */
    size_t *member_first;   /* [group + 1]: the group's stock points are */
    uint32_t *members;      /* members[member_first[g] .. member_first[g + 1]), ascending */
    size_t n_periods;
    double *sums;     /* scratch: [group][RAW_COUNT], the whole run's sums */
    size_t n_values;  /* values per replication: the relevant metrics only */
    sim_tally *tally; /* [n_values], laid out as the values (value_index) */
    double *values;   /* scratch: one replication's values, laid out like tally */
    sim_csv *stream;  /* --per-replication: rows written as replications are added */
    const char *stream_scenario;
    uint64_t next_replication;
    sim_status stream_status;
    unsigned write_threads; /* threads that format rows (model_report_set_write_threads) */
};

static unsigned group_raws(const group *gr, uint8_t raw[RAW_COUNT], unsigned *n_member);

static uint64_t group_key(unsigned scope_kind, uint32_t scope, unsigned item_kind, uint32_t item)
{
    return ((uint64_t)scope_kind << 62) | ((uint64_t)scope << 32) | ((uint64_t)item_kind << 30) |
           item;
}

static unsigned key_scope_kind(uint64_t k)
{
    return (unsigned)(k >> 62);
}
static uint32_t key_scope(uint64_t k)
{
    return (uint32_t)((k >> 32) & 0x3fffffffu);
}
static unsigned key_item_kind(uint64_t k)
{
    return (unsigned)((k >> 30) & 3u);
}
static uint32_t key_item(uint64_t k)
{
    return (uint32_t)(k & 0x3fffffffu);
}

static int cmp_group(const void *a, const void *b)
{
    uint64_t x = ((const group *)a)->key, y = ((const group *)b)->key;
    return x < y ? -1 : x > y;
}

static size_t find_group(const model_report *r, uint64_t key)
{
    size_t lo = 0, hi = r->n_groups;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->groups[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < r->n_groups && r->groups[lo].key == key ? lo : SIZE_MAX;
}

#define BIT(m) (1u << (m))
/* Compute delivered, and the same by channel: the metrics `all` carries. */
#define COMPUTE_BITS                                                                               \
    (BIT(MET_COMPUTE_DELIVERED) | BIT(MET_COMPUTE_DOMESTIC) | BIT(MET_COMPUTE_DIRECT) |            \
     BIT(MET_COMPUTE_LICENSED) | BIT(MET_COMPUTE_DIVERTED))

/* The metrics that mean something for one stock point; demanded: whether
 * demand arrives at it (stocks_demanded). */
static uint32_t stock_relevance(const model_plan *p, uint32_t s, bool demanded)
{
    const world *w = p->w;
    const plan_stock *ps = &p->stocks[s];
    uint32_t bits = 0;
    if (demanded) {
        bits |= BIT(MET_DEMAND) | BIT(MET_DELIVERED) | BIT(MET_FILL_RATE) | BIT(MET_ORDER_WAIT) |
                BIT(MET_BACKLOG) | BIT(MET_LOST);
        uint32_t h = world_find_attribute(w, "h100e");
        if (ps->is_need || (h != WORLD_NONE && w->products[ps->item].attr[h] > 0))
            bits |= COMPUTE_BITS;
    }
    if (ps->need_stock != WORLD_NONE)
        bits |= BIT(MET_DELIVERED) | BIT(MET_IN_TRANSIT) | BIT(MET_SHIPPED);
    if (ps->refill == REFILL_MAKE) bits |= BIT(MET_PRODUCED) | BIT(MET_SCRAPPED);
    if (ps->refill == REFILL_SUPPLIERS && !ps->is_need)
        bits |= BIT(MET_IN_TRANSIT) | BIT(MET_SHIPPED);
    if (ps->refill != REFILL_SOURCE) bits |= BIT(MET_INVENTORY);
    if (w->n_disputes && (bits & BIT(MET_DEMAND)) && !ps->is_need) bits |= BIT(MET_STOPPED);
    if (w->n_rules) {
        /* Export controls: what a rule kept from the first choice, and what
         * was ordered instead or under licence. */
        if (ps->refill == REFILL_SUPPLIERS) bits |= BIT(MET_BLOCKED);
        bool receives =
            ps->need_stock != WORLD_NONE || (ps->refill == REFILL_SUPPLIERS && !ps->is_need);
        if (receives)
            bits |= BIT(MET_SUBSTITUTED) | BIT(MET_LICENCE_APPROVED) | BIT(MET_LICENCE_DENIED) |
                    BIT(MET_LICENCE_PENDING) | BIT(MET_LICENCE_REVIEW) | BIT(MET_REVENUE_REMITTED);
        if (receives && w->diversion.given && w->diversion.share_of_blocked > 0)
            bits |= BIT(MET_DIVERTED_ATTEMPTED) | BIT(MET_DIVERTED_DELIVERED) | BIT(MET_SEIZED) |
                    BIT(MET_DIVERSION_MARKUP);
    }
    return bits;
}

/* The raw values of compute delivered, in total and by channel. */
#define COMPUTE_RAWS                                                                               \
    (UINT64_C(1) << RAW_COMPUTE | UINT64_C(1) << RAW_COMPUTE_DOMESTIC |                            \
     UINT64_C(1) << RAW_COMPUTE_DIRECT | UINT64_C(1) << RAW_COMPUTE_LICENSED |                     \
     UINT64_C(1) << RAW_COMPUTE_DIVERTED)

#define PATENT_BITS                                                                                \
    (BIT(MET_ROYALTIES_PAID) | BIT(MET_ROYALTIES_RECEIVED) | BIT(MET_EXPOSURE) |                   \
     BIT(MET_INJUNCTION_DAYS))

static bool patent_firm(const world *w, uint32_t f)
{
    for (size_t i = 0; i < w->n_portfolios; i++)
        if (w->portfolios[i].firm == f) return true;
    for (size_t i = 0; i < w->n_licences; i++)
        if (w->licences[i].parties[0] == f || w->licences[i].parties[1] == f) return true;
    if (w->n_portfolios)
        for (size_t i = 0; i < w->n_products; i++)
            if (w->products[i].owner == f && w->products[i].standards.n) return true;
    return false;
}

/* The groups a stock point belongs to, WORLD_NONE for a scope left out. */
static void stock_scopes(const model_report *r, uint32_t s, uint32_t scope[SCOPE_KINDS])
{
    const model_plan *p = r->p;
    const world_site *site = &p->w->sites[p->stocks[s].site];
    scope[SCOPE_WORLD] = 0;
    scope[SCOPE_COUNTRY] = site->country;
    scope[SCOPE_FIRM] = site->firm;
    scope[SCOPE_SITE] = p->stocks[s].site;
    for (unsigned k = 0; k < SCOPE_KINDS; k++)
        if (!(r->scopes & (1u << k))) scope[k] = WORLD_NONE;
}

bool model_report_parse_scopes(const char *list, unsigned *scopes)
{
    unsigned bits = 0;
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        unsigned k = 0;
        while (k < SCOPE_KINDS &&
               !(strlen(scope_names[k]) == n && strncmp(p, scope_names[k], n) == 0))
            k++;
        if (k == SCOPE_KINDS || (bits & (1u << k))) return false;
        bits |= 1u << k;
        if (p[n] == '\0') break;
        p += n + 1;
    }
    *scopes = bits;
    return true;
}

void model_report_format_scopes(unsigned scopes, char *buf, size_t size)
{
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (unsigned k = 0; k < SCOPE_KINDS; k++)
        if (scopes & (1u << k)) {
            int w = snprintf(buf + used, size > used ? size - used : 0, "%s%s", used ? "," : "",
                             scope_names[k]);
            if (w > 0) used += (size_t)w;
        }
}

void model_report_free(model_report *r)
{
    if (!r) return;
    free(r->groups);
    free(r->raws);
    free(r->stock_groups);
    free(r->member_first);
    free(r->members);
    free(r->sums);
    free(r->tally);
    free(r->values);
    free(r);
}

model_report *model_report_new(const model_plan *p)
{
    return model_report_new_scoped(p, MODEL_SCOPES_ALL);
}

/* rel[s]: the relevant metrics of stock point s (one pass over the demand,
 * not one per stock point: that was quadratic in sites). */
static uint32_t *stocks_relevance(const model_plan *p)
{
    uint32_t *rel = calloc(p->n_stocks + 1, sizeof *rel);
    bool *demanded = calloc(p->n_stocks + 1, sizeof *demanded);
    if (rel && demanded) {
        for (size_t d = 0; d < p->w->n_demand; d++) {
            const world_demand *dm = &p->w->demand[d];
            uint32_t s = model_plan_find_stock(p, dm->site, dm->item, dm->is_need);
            if (s != WORLD_NONE) demanded[s] = true;
        }
        for (uint32_t s = 0; s < p->n_stocks; s++)
            rel[s] = stock_relevance(p, s, demanded[s]);
    } else {
        free(rel);
        rel = NULL;
    }
    free(demanded);
    return rel;
}

model_report *model_report_new_scoped(const model_plan *p, unsigned scopes)
{
    model_report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    uint32_t *rel = stocks_relevance(p);
    if (!rel) {
        free(r);
        return NULL;
    }
    r->p = p;
    r->scopes = scopes & MODEL_SCOPES_ALL;
    r->n_periods = p->n_periods;
    size_t cap = p->n_stocks * 2 * SCOPE_KINDS + p->w->n_firms;
    r->groups = calloc(cap ? cap : 1, sizeof *r->groups);
    r->stock_groups = malloc((cap ? cap : 1) * sizeof *r->stock_groups);
    if (!r->groups || !r->stock_groups) goto oom;
    size_t n = 0;
    for (uint32_t s = 0; s < p->n_stocks; s++) {
        const plan_stock *ps = &p->stocks[s];
        uint32_t bits = rel[s], scope[SCOPE_KINDS];
        stock_scopes(r, s, scope);
        for (unsigned k = 0; k < SCOPE_KINDS; k++) {
            if (scope[k] == WORLD_NONE) continue;
            r->groups[n++] =
                (group){group_key(k, scope[k], ps->is_need ? ITEM_NEED : ITEM_PRODUCT, ps->item),
                        bits, s, 0};
            if (bits & BIT(MET_COMPUTE_DELIVERED))
                r->groups[n++] = (group){group_key(k, scope[k], ITEM_ALL, 0), COMPUTE_BITS, s, 0};
        }
    }
    /* Firms in the patent picture (a portfolio, a licence, or products on
     * standards) report royalties, exposure and injunction days. */
    for (uint32_t f = 0; f < p->w->n_firms && (scopes & MODEL_SCOPE_FIRM); f++)
        if (patent_firm(p->w, f))
            r->groups[n++] = (group){group_key(SCOPE_FIRM, f, ITEM_ALL, 0), PATENT_BITS, 0, 0};
    qsort(r->groups, n, sizeof *r->groups, cmp_group);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && r->groups[m - 1].key == r->groups[i].key)
            r->groups[m - 1].relevant |= r->groups[i].relevant;
        else
            r->groups[m++] = r->groups[i];
    }
    r->n_groups = m;
    for (uint32_t s = 0; s < p->n_stocks; s++) {
        const plan_stock *ps = &p->stocks[s];
        uint32_t scope[SCOPE_KINDS];
        bool compute = (rel[s] & BIT(MET_COMPUTE_DELIVERED)) != 0;
        stock_scopes(r, s, scope);
        uint32_t *g = r->stock_groups + (size_t)s * 2 * SCOPE_KINDS;
        for (unsigned k = 0; k < SCOPE_KINDS; k++) {
            size_t a = SIZE_MAX, b = SIZE_MAX;
            if (scope[k] != WORLD_NONE) {
                a = find_group(
                    r, group_key(k, scope[k], ps->is_need ? ITEM_NEED : ITEM_PRODUCT, ps->item));
                if (compute) b = find_group(r, group_key(k, scope[k], ITEM_ALL, 0));
            }
            g[k] = a == SIZE_MAX ? WORLD_NONE : (uint32_t)a;
            g[SCOPE_KINDS + k] = b == SIZE_MAX ? WORLD_NONE : (uint32_t)b;
        }
    }
    /* Each group's stock points, so that a replication's values are summed
     * one group at a time in a small scratch that stays in cache. */
    r->member_first = calloc(m + 1, sizeof *r->member_first);
    r->members = malloc((p->n_stocks * 2 * SCOPE_KINDS + 1) * sizeof *r->members);
    if (!r->member_first || !r->members) goto oom;
    for (size_t i = 0; i < (size_t)p->n_stocks * 2 * SCOPE_KINDS; i++)
        if (r->stock_groups[i] != WORLD_NONE) r->member_first[r->stock_groups[i] + 1]++;
    for (size_t g = 0; g < m; g++)
        r->member_first[g + 1] += r->member_first[g];
    {
        size_t *next = malloc((m + 1) * sizeof *next);
        if (!next) goto oom;
        memcpy(next, r->member_first, (m + 1) * sizeof *next);
        for (uint32_t s = 0; s < p->n_stocks; s++)
            for (unsigned k = 0; k < 2 * SCOPE_KINDS; k++) {
                uint32_t g = r->stock_groups[(size_t)s * 2 * SCOPE_KINDS + k];
                if (g != WORLD_NONE) r->members[next[g]++] = s;
            }
        free(next);
    }
    /* Values hold only each group's relevant metrics: a quarter of the
     * group x metric grid on the default scenario, so the tallies the
     * replications add into stay in cache. */
    size_t nv = 0;
    for (size_t g = 0; g < m; g++) {
        r->groups[g].base = nv;
        nv += (r->n_periods + 1) * (size_t)__builtin_popcount(r->groups[g].relevant);
    }
    r->n_values = nv;
    r->raws = malloc((m + 1) * sizeof *r->raws);
    if (!r->raws) goto oom;
    for (size_t g = 0; g < m; g++) {
        unsigned n_member;
        r->raws[g].n_raw = (uint8_t)group_raws(&r->groups[g], r->raws[g].raw, &n_member);
        r->raws[g].n_member = (uint8_t)n_member;
    }
    r->sums = calloc(model_report_scratch_size(r) + 1, sizeof *r->sums);
    r->tally = malloc((nv + 1) * sizeof *r->tally);
    r->values = malloc((nv + 1) * sizeof *r->values);
    if (!r->sums || !r->tally || !r->values) goto oom;
    for (size_t i = 0; i < nv; i++)
        sim_tally_init(&r->tally[i]);
    free(rel);
    return r;
oom:
    free(rel);
    model_report_free(r);
    return NULL;
}

static sim_status write_replication(model_report *r, const double *values);

/* Where group g's metric met of period i (n_periods: the whole run) is in a
 * values vector: the group's periods one after another, each holding the
 * group's relevant metrics in metric order. For met = 0 (or any metric below
 * the first relevant one) it is where the period's values start. */
static inline size_t value_index(const model_report *r, size_t g, size_t i, int met)
{
    const group *gr = &r->groups[g];
    uint32_t bits = gr->relevant;
    return gr->base + i * (size_t)__builtin_popcount(bits) +
           (size_t)__builtin_popcount(bits & (BIT(met) - 1u));
}

/* `all` carries compute (h100e) and the firm's patent money and days. */
static const char *group_unit(const model_plan *p, const group *gr, model_metric m)
{
    if (key_item_kind(gr->key) == ITEM_ALL && !(PATENT_BITS & BIT(m))) return "h100e";
    return model_metric_unit(p, m, gr->example);
}

static double period_days(const model_plan *p, size_t i)
{
    double begin = fmax((double)(p->period_start[i] - p->w->run.start), p->warmup_days);
    return p->period_end_days[i] - begin;
}

size_t model_report_scratch_size(const model_report *r)
{
    return r->n_groups * RAW_COUNT;
}

/* The raw values group gr's metrics read, as indices: raw[0 .. n_member)
 * are summed over the group's stock points, raw[n_member .. n) come only
 * from firm cells (an `all` group carries compute from its stock points;
 * a firm's `all` group adds its patent cells). RAW_DAYS is not among them:
 * it is the period's length, not a sum. */
static unsigned group_raws(const group *gr, uint8_t raw[RAW_COUNT], unsigned *n_member)
{
    uint64_t wanted = 0;
    for (uint32_t b = gr->relevant; b; b &= b - 1)
        wanted |= model_metric_raws((model_metric)__builtin_ctz(b));
    wanted &= ~(UINT64_C(1) << RAW_DAYS);
    uint64_t from_members = key_item_kind(gr->key) == ITEM_ALL ? wanted & COMPUTE_RAWS : wanted;
    unsigned n = 0;
    for (uint64_t b = from_members; b; b &= b - 1)
        raw[n++] = (uint8_t)__builtin_ctzll(b);
    *n_member = n;
    for (uint64_t b = wanted & ~from_members; b; b &= b - 1)
        raw[n++] = (uint8_t)__builtin_ctzll(b);
    return n;
}

void model_report_fold_period(const model_report *r, const model_metrics *m, size_t period,
                              double *totals, double *values)
{
    const model_plan *p = r->p;
    size_t np = r->n_periods;
    double days = period_days(p, period);
    for (size_t g = 0; g < r->n_groups; g++) {
        const group *gr = &r->groups[g];
        const uint8_t *raw = r->raws[g].raw;
        unsigned n_raw = r->raws[g].n_raw, n_member = r->raws[g].n_member;
        double d[RAW_COUNT];
        for (unsigned x = 0; x < n_raw; x++)
            d[raw[x]] = 0;
        /* A cell adds its stock points in ascending order: the sums do not
         * depend on how the loops are arranged. */
        for (size_t j = r->member_first[g]; j < r->member_first[g + 1]; j++) {
            const double *c = model_metrics_cell_const(m, period, r->members[j]);
            for (unsigned x = 0; x < n_member; x++)
                d[raw[x]] += c[raw[x]];
        }
        /* Firm cells (patents) go to the firm's `all` group. */
        if (key_item_kind(gr->key) == ITEM_ALL && key_scope_kind(gr->key) == SCOPE_FIRM &&
            (gr->relevant & PATENT_BITS)) {
            const double *c =
                model_metrics_firm_cells_const(m, period) + key_scope(gr->key) * RAW_COUNT;
            for (unsigned x = 0; x < n_raw; x++)
                d[raw[x]] += c[raw[x]];
        }
        d[RAW_DAYS] = days;
        /* The whole run: flows add up; a level is the last period's. */
        double *total = totals + g * RAW_COUNT;
        total[RAW_DAYS] += days;
        for (unsigned x = 0; x < n_raw; x++)
            if (!model_raw_is_level((model_raw)raw[x]) || period + 1 == np)
                total[raw[x]] += d[raw[x]];
        double *v = values + value_index(r, g, period, 0);
        for (uint32_t b = gr->relevant; b; b &= b - 1)
            *v++ = model_metric_from_sums((model_metric)__builtin_ctz(b), d);
    }
}

void model_report_finish(const model_report *r, const double *totals, double *values)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        const double *total = totals + g * RAW_COUNT;
        double *v = values + value_index(r, g, r->n_periods, 0);
        for (uint32_t b = r->groups[g].relevant; b; b &= b - 1)
            *v++ = model_metric_from_sums((model_metric)__builtin_ctz(b), total);
    }
}

void model_report_values(const model_report *r, const model_metrics *m, double *totals,
                         double *values)
{
    assert(!m->fold); /* streaming metrics were folded as they went */
    memset(totals, 0, model_report_scratch_size(r) * sizeof *totals);
    for (size_t i = 0; i < r->n_periods; i++)
        model_report_fold_period(r, m, i, totals, values);
    model_report_finish(r, totals, values);
}

void model_report_add_values(model_report *r, const double *values)
{
    size_t n = r->n_values;
    for (size_t i = 0; i < n; i++)
        if (!isnan(values[i])) sim_tally_add(&r->tally[i], values[i]);
    if (r->stream && !r->stream_status) r->stream_status = write_replication(r, values);
    r->next_replication++;
}

void model_report_add(model_report *r, const model_metrics *m)
{
    model_report_values(r, m, r->sums, r->values);
    model_report_add_values(r, r->values);
}

size_t model_report_values_size(const model_report *r)
{
    return r->n_values;
}

static const char *scope_id(const model_plan *p, uint64_t key)
{
    const world *w = p->w;
    uint32_t i = key_scope(key);
    switch (key_scope_kind(key)) {
    case SCOPE_COUNTRY:
        return w->countries[i].code;
    case SCOPE_FIRM:
        return w->firms[i].id;
    case SCOPE_SITE:
        return w->sites[i].id;
    default:
        return "world";
    }
}

static const char *item_id(const model_plan *p, uint64_t key)
{
    switch (key_item_kind(key)) {
    case ITEM_PRODUCT:
        return p->w->products[key_item(key)].id;
    case ITEM_NEED:
        return p->w->needs[key_item(key)].id;
    default:
        return "all";
    }
}

/* mean, sd, ci95_low, ci95_high (empty where undefined). */
static sim_status write_stats(sim_csv *out, const sim_tally *t, sim_t_memo *memo)
{
    sim_status st = sim_csv_number(out, t->mean);
    if (t->n >= 2) {
        sim_interval ci;
        double sd = sim_tally_sd(t);
        if (!st) st = sim_csv_number(out, sd);
        if (!st && sim_ci_t_memo(memo, t->mean, sd, t->n, 0.95, &ci) == SIM_OK) {
            st = sim_csv_number(out, ci.low);
            if (!st) st = sim_csv_number(out, ci.high);
        } else if (!st) {
            st = sim_csv_empty(out);
            if (!st) st = sim_csv_empty(out);
        }
    } else {
        for (int i = 0; i < 3 && !st; i++)
            st = sim_csv_empty(out);
    }
    return st;
}

/* The rows of groups [g0, g1). */
static sim_status write_group_rows(const model_report *r, sim_csv *out, const char *scenario,
                                   bool series, size_t g0, size_t g1)
{
    const model_plan *p = r->p;
    size_t np = r->n_periods;
    sim_status st = SIM_OK;
    sim_t_memo memo = {0};
    /* Each period's first and last day, formatted once, not once a row. */
    char(*day)[2][SIM_DATE_BUFSIZE] = NULL;
    if (series) {
        day = malloc((np + 1) * sizeof *day);
        if (!day) return SIM_ENOMEM;
        for (size_t i = 0; i < np; i++) {
            sim_date_format(p->period_start[i], day[i][0]);
            sim_date_format(p->period_start[i + 1] - 1, day[i][1]);
        }
    }
    for (size_t g = g0; g < g1 && !st; g++) {
        const group *gr = &r->groups[g];
        for (size_t i = series ? 0 : np; i <= np && !st; i++) {
            if (series && i == np) break;
            const sim_tally *t = r->tally + value_index(r, g, i, 0);
            for (uint32_t b = gr->relevant; b && !st; b &= b - 1, t++) {
                int met = __builtin_ctz(b);
                if (t->n == 0) continue;
                const char *unit = group_unit(p, gr, (model_metric)met);
                st = sim_csv_text(out, scenario);
                if (!st && series) st = sim_csv_text_n(out, day[i][0], SIM_DATE_BUFSIZE - 1);
                if (!st && series) st = sim_csv_text_n(out, day[i][1], SIM_DATE_BUFSIZE - 1);
                if (!st) st = sim_csv_text(out, scope_id(p, gr->key));
                if (!st) st = sim_csv_text(out, item_id(p, gr->key));
                if (!st) st = sim_csv_text(out, model_metric_name((model_metric)met));
                if (!st) st = sim_csv_text(out, unit);
                if (!st) st = write_stats(out, t, &memo);
                if (!st && !series) st = sim_csv_number(out, t->min);
                if (!st && !series) st = sim_csv_number(out, t->max);
                if (!st) st = sim_csv_integer(out, (int64_t)t->n);
                if (!st) st = sim_csv_end_row(out);
            }
        }
    }
    free(day);
    return st;
}

/* Formatting numbers is most of writing a report, and it was the serial end of
 * every multi-threaded run (0.14 s of the default's 1.8 s on two threads): the
 * groups are cut into one slice per thread, of about as many values each;
 * slice 0 is written straight to out, the others into memory on their own
 * threads, then appended in order. The bytes are those of one thread. */
enum { MAX_WRITE_THREADS = 16 };

typedef struct rows_job {
    const model_report *r;
    sim_csv *out;
    const char *scenario;
    bool series;
    size_t g0, g1;
    sim_status st;
} rows_job;

static void *rows_thread(void *arg)
{
    rows_job *j = arg;
    j->st = write_group_rows(j->r, j->out, j->scenario, j->series, j->g0, j->g1);
    return NULL;
}

static sim_status write_rows(const model_report *r, sim_csv *out, const char *scenario, bool series)
{
    unsigned n = r->write_threads < MAX_WRITE_THREADS ? r->write_threads : MAX_WRITE_THREADS;
    if (n > r->n_groups) n = (unsigned)r->n_groups;
    if (n <= 1) return write_group_rows(r, out, scenario, series, 0, r->n_groups);
    rows_job job[MAX_WRITE_THREADS];
    pthread_t tid[MAX_WRITE_THREADS];
    bool started[MAX_WRITE_THREADS] = {false};
    size_t g = 0;
    for (unsigned k = 0; k < n; k++) {
        size_t g1 = r->n_groups;
        if (k + 1 < n) {
            size_t target = r->n_values / n * (k + 1);
            g1 = g + 1;
            while (g1 < r->n_groups && r->groups[g1].base < target)
                g1++;
        }
        job[k] = (rows_job){r, k ? NULL : out, scenario, series, g, g1, SIM_OK};
        g = g1;
        if (k && sim_csv_open_memory(&job[k].out) == SIM_OK)
            started[k] = pthread_create(&tid[k], NULL, rows_thread, &job[k]) == 0;
    }
    sim_status st = write_group_rows(r, out, scenario, series, job[0].g0, job[0].g1);
    for (unsigned k = 1; k < n; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else if (job[k].out) /* no thread: the slice on this one, into memory */
            rows_thread(&job[k]);
        if (!job[k].out) { /* no memory for it: straight to out, in its turn */
            if (!st) st = write_group_rows(r, out, scenario, series, job[k].g0, job[k].g1);
            continue;
        }
        if (!st) st = job[k].st;
        if (!st)
            st = sim_csv_append(out, job[k].out);
        else
            sim_csv_abort(job[k].out);
    }
    return st;
}

void model_report_set_write_threads(model_report *r, unsigned threads)
{
    r->write_threads = threads;
}

sim_status model_report_write_timeseries(const model_report *r, sim_csv *out, const char *scenario)
{
    static const char *const header[] = {"scenario", "period_start", "period_end", "scope",
                                         "product",  "metric",       "unit",       "mean",
                                         "sd",       "ci95_low",     "ci95_high",  "replications"};
    sim_status st = sim_csv_header(out, header, sizeof header / sizeof header[0]);
    return st ? st : write_rows(r, out, scenario, true);
}

sim_status model_report_write_timeseries_rows(const model_report *r, sim_csv *out,
                                              const char *scenario)
{
    return write_rows(r, out, scenario, true);
}

sim_status model_report_write_summary_rows(const model_report *r, sim_csv *out,
                                           const char *scenario)
{
    return write_rows(r, out, scenario, false);
}

sim_status model_report_write_summary(const model_report *r, sim_csv *out, const char *scenario)
{
    static const char *const header[] = {"scenario",  "scope", "product", "metric",
                                         "unit",      "mean",  "sd",      "ci95_low",
                                         "ci95_high", "min",   "max",     "replications"};
    sim_status st = sim_csv_header(out, header, sizeof header / sizeof header[0]);
    return st ? st : write_rows(r, out, scenario, false);
}

const sim_tally *model_report_total(const model_report *r, const char *scope_kind,
                                    const char *scope, const char *item, model_metric m)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        uint64_t k = r->groups[g].key;
        if (strcmp(scope_names[key_scope_kind(k)], scope_kind) != 0) continue;
        if (key_scope_kind(k) != SCOPE_WORLD && strcmp(scope_id(r->p, k), scope) != 0) continue;
        if (strcmp(item_id(r->p, k), item) != 0) continue;
        if (!(r->groups[g].relevant & BIT(m))) return NULL;
        return r->tally + value_index(r, g, r->n_periods, m);
    }
    return NULL;
}

sim_status model_report_stream(model_report *r, sim_csv *out, const char *scenario,
                               uint64_t first_replication)
{
    static const char *const header[] = {"scenario",   "replication", "period_start",
                                         "period_end", "scope",       "product",
                                         "metric",     "unit",        "value"};
    r->stream = out;
    r->stream_scenario = scenario;
    r->next_replication = first_replication;
    r->stream_status = sim_csv_header(out, header, sizeof header / sizeof header[0]);
    return r->stream_status;
}

sim_status model_report_stream_status(const model_report *r)
{
    return r->stream_status;
}

/* One replication's rows of the per-replication timeseries. */
static sim_status write_replication(model_report *r, const double *values)
{
    const model_plan *p = r->p;
    size_t np = r->n_periods;
    sim_csv *out = r->stream;
    sim_status st = SIM_OK;
    for (size_t g = 0; g < r->n_groups && !st; g++) {
        const group *gr = &r->groups[g];
        for (size_t i = 0; i < np && !st; i++) {
            const double *v = values + value_index(r, g, i, 0);
            for (uint32_t b = gr->relevant; b && !st; b &= b - 1, v++) {
                int met = __builtin_ctz(b);
                if (isnan(*v)) continue;
                const char *unit = group_unit(p, gr, (model_metric)met);
                st = sim_csv_text(out, r->stream_scenario);
                if (!st) st = sim_csv_integer(out, (int64_t)r->next_replication);
                if (!st) st = sim_csv_date(out, p->period_start[i]);
                if (!st) st = sim_csv_date(out, p->period_start[i + 1] - 1);
                if (!st) st = sim_csv_text(out, scope_id(p, gr->key));
                if (!st) st = sim_csv_text(out, item_id(p, gr->key));
                if (!st) st = sim_csv_text(out, model_metric_name((model_metric)met));
                if (!st) st = sim_csv_text(out, unit);
                if (!st) st = sim_csv_number(out, *v);
                if (!st) st = sim_csv_end_row(out);
            }
        }
    }
    return st;
}

size_t model_report_groups(const model_report *r)
{
    return r->n_groups;
}

const char *model_report_group_scope_kind(const model_report *r, size_t g)
{
    return scope_names[key_scope_kind(r->groups[g].key)];
}

const char *model_report_group_scope(const model_report *r, size_t g)
{
    return scope_id(r->p, r->groups[g].key);
}

const char *model_report_group_item(const model_report *r, size_t g)
{
    return item_id(r->p, r->groups[g].key);
}

const char *model_report_group_unit(const model_report *r, size_t g, model_metric m)
{
    return group_unit(r->p, &r->groups[g], m);
}

bool model_report_group_reports(const model_report *r, size_t g, model_metric m)
{
    return (r->groups[g].relevant & BIT(m)) != 0;
}

size_t model_report_total_index(const model_report *r, size_t g, model_metric m)
{
    if (!(r->groups[g].relevant & BIT(m))) return SIZE_MAX;
    return value_index(r, g, r->n_periods, m);
}

const sim_tally *model_report_group_total(const model_report *r, size_t g, model_metric m)
{
    size_t i = model_report_total_index(r, g, m);
    return i == SIZE_MAX ? NULL : &r->tally[i];
}
