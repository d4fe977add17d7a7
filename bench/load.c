/*
 * bench/load — how fast scenario_load (models/scenario.h) reads big
 * scenarios. It writes two synthetic scenarios with a fixed seed (the same
 * bytes on every run) into a scratch folder under $TMPDIR (or /tmp), loads
 * each several times and prints file sizes, rows, the median and minimum
 * wall time of scenario_load and rows per second at the median. The folder
 * is removed at the end (unless --keep).
 *
 *   products  a products table of 100,000 rows (products.csv: id, kind,
 *             owner, tpp, pd, die_mm2, interconnect_gbs, h100e,
 *             unit_value_usd, controlled_by, source), a few countries and
 *             firms, one need filled by 5 products, a warehouse and a data
 *             centre holding a few of them, 5 export-control rules (two of
 *             them expressions over tpp and pd).
 *   network   10,000 sites written inline in the YAML (a site's inventory is
 *             a mapping, which a CSV row cannot hold for varying products),
 *             about 20,000 lanes (lanes.csv: from, to, transit.dist,
 *             transit.mean_days, transit.cv), 100 products (products.csv),
 *             demand at 1,000 sites (demand.csv). Sites 0..199 supply the
 *             products without limit; every other site holds one product,
 *             supplied by two (every 25th site: three) earlier sites holding
 *             it, one lane from each.
 *
 * Rows are the items the tables and the YAML lists hold: products for the
 * first; sites + lanes + demand + products for the second. The files are in
 * the page cache when timed (just written): this measures parsing and
 * checking, not the disk.
 *
 *   bench_load [--scale X] [--reps N] [--keep]
 *     --scale X   multiply the row counts (default 1; 0.1 for sanitizer runs)
 *     --reps N    loads per scenario (default 5)
 *     --keep      keep the scratch folder and print its path
 *
 * Exits 0, or 1 when a scenario does not load (its first diagnostics are
 * printed), 64 on a bad command line, 70 when a file cannot be written.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "rng.h"
#include "scenario.h"
#include "world.h"

#define SEED      20231017u
#define MAX_FILES 8

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The scratch folder and the files written into it, removed at the end. */
typedef struct scratch {
    char dir[4096];
    char *files[MAX_FILES];
    size_t n_files;
} scratch;

static char *scratch_path(const scratch *s, const char *name)
{
    size_t n = strlen(s->dir) + 1 + strlen(name) + 1;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", s->dir, name);
    return p;
}

/* Opens name in the scratch folder for writing and remembers it. */
static FILE *scratch_open(scratch *s, const char *name)
{
    if (s->n_files == MAX_FILES) return NULL;
    char *p = scratch_path(s, name);
    if (!p) return NULL;
    FILE *f = fopen(p, "w");
    if (!f) {
        fprintf(stderr, "bench_load: cannot write %s: %s\n", p, strerror(errno));
        free(p);
        return NULL;
    }
    s->files[s->n_files++] = p;
    return f;
}

static int scratch_close(FILE *f)
{
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (bad) fprintf(stderr, "bench_load: write error: %s\n", strerror(errno));
    return bad ? 1 : 0;
}

static void scratch_remove(scratch *s, int keep)
{
    for (size_t i = 0; i < s->n_files; i++) {
        if (!keep) remove(s->files[i]);
        free(s->files[i]);
    }
    s->n_files = 0;
    if (!keep) rmdir(s->dir);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static size_t uniform_index(sim_rng *r, size_t n) /* in [0, n) */
{
    return (size_t)(sim_rng_uniform(r) * (double)n);
}

static double uniform_in(sim_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * sim_rng_uniform(r);
}

/* ---- products.csv ------------------------------------------------------ */

static const char *const FIRMS[] = {"nvidia",   "amd",     "intel",    "huawei", "tsmc",
                                    "sk_hynix", "samsung", "qualcomm", "biren",  "cambricon"};
static const char *const FIRM_COUNTRY[] = {"US", "US", "US", "CN", "TW",
                                           "KR", "KR", "US", "CN", "CN"};
#define N_FIRMS (sizeof FIRMS / sizeof FIRMS[0])

/* Writes n product rows with ids p0000000...; the first accelerators with an
 * h100e attribute (up to n_acc) go to acc[], for needs and rules. */
static int write_products(scratch *s, const char *name, size_t n, sim_rng *r, size_t *acc,
                          size_t n_acc)
{
    FILE *f = scratch_open(s, name);
    if (!f) return 1;
    fprintf(f, "id,kind,owner,tpp,pd,die_mm2,interconnect_gbs,h100e,unit_value_usd,"
               "controlled_by,source\n");
    static const double links[] = {0, 64, 200, 400, 600, 900};
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        double u = sim_rng_uniform(r);
        size_t firm = uniform_index(r, N_FIRMS);
        const char *ctl = strcmp(FIRM_COUNTRY[firm], "CN") == 0 ? ""
                          : sim_rng_uniform(r) < 0.2            ? "US;NL"
                                                                : "US";
        fprintf(f, "p%07zu,", i);
        if (u < 0.30 || (i < 10 && found < n_acc)) { /* accelerator */
            double die = round(uniform_in(r, 300, 850));
            double tpp = round(uniform_in(r, 500, 20000));
            fprintf(f, "accelerator,%s,%.0f,%.2f,%.0f,%.0f,%.3f,%.0f,%s,", FIRMS[firm], tpp,
                    tpp / die, die, links[uniform_index(r, 6)], tpp / 15832.0,
                    round(uniform_in(r, 2000, 40000)), ctl);
            if (found < n_acc && tpp >= 4000) acc[found++] = i;
        } else if (u < 0.60) { /* die: area, sometimes its TPP */
            double die = round(uniform_in(r, 50, 850));
            if (sim_rng_uniform(r) < 0.5)
                fprintf(f, "die,%s,,,%.0f,,,,%s,", FIRMS[firm], die, ctl);
            else {
                double tpp = round(uniform_in(r, 100, 20000));
                fprintf(f, "die,%s,%.0f,%.2f,%.0f,,,,%s,", FIRMS[firm], tpp, tpp / die, die, ctl);
            }
        } else if (u < 0.75) { /* HBM stack */
            fprintf(f, "hbm,%s,,,,,,%.0f,%s,", FIRMS[firm], round(uniform_in(r, 100, 1500)), ctl);
        } else if (u < 0.95) { /* handset SoC */
            double die = round(uniform_in(r, 80, 150));
            double tpp = round(uniform_in(r, 50, 1000));
            fprintf(f, "soc,%s,%.0f,%.2f,%.0f,,,%.0f,%s,", FIRMS[firm], tpp, tpp / die, die,
                    round(uniform_in(r, 20, 200)), ctl);
        } else { /* wafer */
            fprintf(f, "wafer,%s,,,,,,%.0f,,", FIRMS[firm], round(uniform_in(r, 5000, 20000)));
        }
        /* source: often empty; otherwise text with a comma (the last-column leniency) */
        double v = sim_rng_uniform(r);
        if (v < 0.5)
            fputc('\n', f);
        else if (v < 0.8)
            fprintf(f, "EST: synthetic row %zu, seed %u\n", i, SEED);
        else
            fprintf(f, "FACTS 3 (M)\n");
    }
    if (found < n_acc) {
        fprintf(stderr, "bench_load: too few accelerators generated (%zu)\n", found);
        fclose(f);
        return 1;
    }
    return scratch_close(f);
}

static const char *const COUNTRIES =
    "countries:\n"
    "  - {code: US, name: United States}\n"
    "  - {code: TW, name: Taiwan}\n"
    "  - {code: KR, name: South Korea}\n"
    "  - {code: NL, name: Netherlands}\n"
    "  - {code: CN, name: China, groups: [D1, D4, D5]}\n"
    "  - {code: HK, name: Hong Kong, groups: [D1, D4, D5]}\n"
    "  - {code: MO, name: Macau, groups: [D1, D4, D5]}\n"
    "  - {code: SA, name: Saudi Arabia, groups: [D1, D4, middle_east]}\n"
    "  - {code: AE, name: United Arab Emirates, groups: [D1, D4, middle_east]}\n"
    "  - {code: IL, name: Israel, groups: [D1, D4]}\n"
    "  - {code: SG, name: Singapore}\n";

static void write_firms(FILE *f)
{
    fprintf(f, "firms:\n");
    for (size_t i = 0; i < N_FIRMS; i++)
        fprintf(f, "  - {id: %s, country: %s%s}\n", FIRMS[i], FIRM_COUNTRY[i],
                strcmp(FIRMS[i], "huawei") == 0 ? ", lists: [us_entity_list]" : "");
    fprintf(f, "  - {id: us_hyperscalers, country: US}\n"
               "  - {id: gulf_cloud, country: SA}\n"
               "  - {id: distributor, country: SG}\n");
}

/* ---- scenario 1: a big products table ----------------------------------- */

static int write_products_scenario(scratch *s, size_t n_products, sim_rng *r, char **yaml)
{
    size_t acc[5];
    if (write_products(s, "products.csv", n_products, r, acc, 5)) return 1;
    FILE *f = scratch_open(s, "products.yaml");
    if (!f) return 1;
    *yaml = s->files[s->n_files - 1];
    fprintf(f,
            "# bench_load: a synthetic scenario with a big products table (seed %u).\n"
            "schema_version: 1\n"
            "name: bench-products\n"
            "run: {start: 2023-01-01, end: 2024-12-31, period: month, replications: 10, "
            "seed: %u}\n",
            SEED, SEED);
    fputs(COUNTRIES, f);
    write_firms(f);
    fprintf(f, "products: {table: products.csv}\n"
               "needs:\n"
               "  - {id: ai_compute, unit: h100e, filled_by: [");
    for (size_t i = 0; i < 5; i++)
        fprintf(f, "%sp%07zu", i ? ", " : "", acc[i]);
    fprintf(f, "]}\n"
               "sites:\n"
               "  - {id: warehouse, firm: distributor, country: SG, source: [");
    for (size_t i = 0; i < 4; i++)
        fprintf(f, "%sp%07zu", i ? ", " : "", acc[i]);
    fprintf(f, "]}\n"
               "  - id: riyadh_dc\n"
               "    firm: gulf_cloud\n"
               "    country: SA\n"
               "    inventory:\n");
    for (size_t i = 0; i < 4; i++)
        fprintf(f, "      p%07zu: {policy: base_stock, level: %zu, suppliers: [warehouse]}\n",
                acc[i], 100 * (i + 1));
    fprintf(f,
            "      ai_compute: {policy: s_S, s: 200, S: 800, review_days: 7, "
            "suppliers: [warehouse]}\n"
            "lanes:\n"
            "  - {from: warehouse, to: riyadh_dc, transit: {dist: gamma, mean_days: 12, "
            "cv: 0.3}}\n"
            "demand:\n"
            "  - {site: riyadh_dc, product: ai_compute, orders: {dist: poisson, per_month: 6}, "
            "size: {dist: constant, units: 300}, patience_days: 365}\n"
            "export_controls:\n"
            "  - id: us_2022_10\n"
            "    authority: US\n"
            "    announced: 2022-10-07\n"
            "    effective: 2022-10-21\n"
            "    products: \"tpp >= 4800 and interconnect_gbs >= 600\"\n"
            "    destinations: [CN, MO, HK]\n"
            "    action: {type: license, approval: 0.02, review: {dist: lognormal, "
            "median_days: 60, sigma: 0.5}}\n"
            "  - id: us_2023_08_middle_east\n"
            "    authority: US\n"
            "    announced: 2023-08-28\n"
            "    effective: 2023-08-31\n"
            "    products: [p%07zu, p%07zu]\n"
            "    destinations: [SA, AE]\n"
            "    action: {type: license, approval: 0.7, review: {dist: lognormal, "
            "median_days: 75, sigma: 0.5}}\n"
            "  - id: us_2023_10\n"
            "    authority: US\n"
            "    announced: 2023-10-17\n"
            "    effective: 2023-10-23\n"
            "    products: \"tpp >= 4800 or (tpp >= 1600 and pd >= 5.92)\"\n"
            "    destinations: [\"group:D1\", \"group:D4\", \"group:D5\", MO]\n"
            "    except_destinations: [IL]\n"
            "    action: {type: license, approval: 0.3, review: {dist: lognormal, "
            "median_days: 90, sigma: 0.5}}\n"
            "  - {id: us_entity_list, authority: US, effective: 2019-05-16, products: all,\n"
            "     end_users: [\"list:us_entity_list\"], action: {type: deny}}\n"
            "  - {id: gulf_cap, authority: US, effective: 2024-01-01, products: [p%07zu],\n"
            "     destinations: [\"group:middle_east\"], action: {type: cap, h100e: 50000, "
            "per: year}}\n"
            "stockpiling:\n"
            "  - {rule: us_2023_10, factor: 1.8}\n",
            acc[0], acc[1], acc[2]);
    return scratch_close(f);
}

/* ---- scenario 2: a big network ------------------------------------------ */

typedef struct network_size {
    size_t sites, products, sources, demand, lanes;
} network_size;

/* Site j holds product j % products; sites below sources (two per product)
 * supply it without limit. Others pick k distinct suppliers among the
 * earlier sites holding the same product, the nearer ones more often. */
static size_t pick_suppliers(sim_rng *r, size_t j, size_t products, size_t *sup)
{
    size_t before = j / products; /* earlier sites holding the same product */
    size_t k = (j % 25 == 0 && before >= 3) ? 3 : 2;
    size_t window = before < 12 ? before : 12;
    for (size_t n = 0; n < k;) {
        size_t back = 1 + uniform_index(r, window);
        size_t cand = j - back * products;
        size_t dup = 0;
        for (size_t i = 0; i < n; i++)
            dup |= sup[i] == cand;
        if (!dup) sup[n++] = cand;
    }
    return k;
}

static int write_network_scenario(scratch *s, network_size *ns, sim_rng *r, char **yaml)
{
    size_t none[1];
    if (write_products(s, "net_products.csv", ns->products, r, none, 0)) return 1;
    FILE *f = scratch_open(s, "network.yaml");
    if (!f) return 1;
    *yaml = s->files[s->n_files - 1];
    FILE *lanes = scratch_open(s, "lanes.csv");
    if (!lanes) {
        fclose(f);
        return 1;
    }
    FILE *demand = scratch_open(s, "demand.csv");
    if (!demand) {
        fclose(f);
        fclose(lanes);
        return 1;
    }
    fprintf(f,
            "# bench_load: a synthetic network of %zu sites (seed %u).\n"
            "schema_version: 1\n"
            "name: bench-network\n"
            "run: {start: 2023-01-01, end: 2024-12-31, period: month, replications: 10, "
            "seed: %u}\n",
            ns->sites, SEED, SEED);
    fputs(COUNTRIES, f);
    write_firms(f);
    fprintf(f, "products: {table: net_products.csv}\n"
               "lanes: {table: lanes.csv}\n"
               "demand: {table: demand.csv}\n"
               "sites:\n");
    fprintf(lanes, "from,to,transit.dist,transit.mean_days,transit.cv\n");
    fprintf(demand, "site,product,orders.dist,orders.per_month,size.dist,size.mean_units,"
                    "size.cv,patience_days\n");
    static const char *const site_countries[] = {"US", "TW", "KR", "NL", "CN",
                                                 "HK", "SA", "AE", "IL", "SG"};
    ns->lanes = 0;
    for (size_t j = 0; j < ns->sites; j++) {
        size_t p = j % ns->products;
        size_t firm = uniform_index(r, N_FIRMS);
        fprintf(f, "  - {id: s%05zu, firm: %s, country: %s,", j, FIRMS[firm],
                site_countries[uniform_index(r, 10)]);
        if (j < ns->sources) {
            fprintf(f,
                    " source: [p%07zu],\n     inventory: {p%07zu: {policy: base_stock, "
                    "level: %.0f}}}\n",
                    p, p, round(uniform_in(r, 1000, 10000)));
            continue;
        }
        size_t sup[3];
        size_t k = pick_suppliers(r, j, ns->products, sup);
        fprintf(f, "\n     inventory: {p%07zu: {", p);
        if (j % 3 == 0) {
            double lo = round(uniform_in(r, 50, 500));
            fprintf(f, "policy: s_S, s: %.0f, S: %.0f, review_days: 7", lo, 3 * lo);
        } else {
            fprintf(f, "policy: base_stock, level: %.0f", round(uniform_in(r, 100, 2000)));
        }
        fprintf(f, ", suppliers: [");
        for (size_t i = 0; i < k; i++) {
            fprintf(f, "%ss%05zu", i ? ", " : "", sup[i]);
            fprintf(lanes, "s%05zu,s%05zu,gamma,%.1f,%.2f\n", sup[i], j, uniform_in(r, 1, 30),
                    uniform_in(r, 0.1, 0.6));
        }
        ns->lanes += k;
        fprintf(f, "]}}}\n");
        if (j >= ns->sites - ns->demand)
            fprintf(demand, "s%05zu,p%07zu,poisson,%.1f,gamma,%.0f,0.5,%s\n", j, p,
                    uniform_in(r, 1, 60), round(uniform_in(r, 10, 500)), j % 2 ? "180" : "");
    }
    int bad = scratch_close(lanes);
    bad |= scratch_close(demand);
    bad |= scratch_close(f);
    return bad;
}

/* ---- timing ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_diags(const diag_list *d, size_t max)
{
    char buf[512];
    size_t n = diag_count(d);
    for (size_t i = 0; i < n && i < max; i++) {
        diag_format(d, i, buf, sizeof buf);
        fprintf(stderr, "  %s\n", buf);
    }
    if (n > max) fprintf(stderr, "  ... %zu more\n", n - max);
}

/* Loads path reps times; prints the figures. Returns 0, or 1 when a load fails. */
static int time_load(const char *label, const char *path, size_t rows, int reps, const scratch *s,
                     size_t first_file, size_t n_files, size_t (*count)(const world *))
{
    double t[64];
    size_t got = 0, warnings = 0;
    for (int i = 0; i < reps; i++) {
        diag_list *d = diag_list_new();
        if (!d) {
            fprintf(stderr, "bench_load: out of memory\n");
            return 1;
        }
        world *w = NULL;
        double t0 = seconds_now();
        sim_status st = scenario_load(path, NULL, 0, d, &w);
        t[i] = seconds_now() - t0;
        if (st != SIM_OK || !w) {
            fprintf(stderr,
                    "bench_load: %s: %s does not load (%s; %zu errors); first "
                    "diagnostics:\n",
                    label, path, sim_status_str(st), diag_errors(d));
            print_diags(d, 10);
            world_free(w);
            diag_list_free(d);
            return 1;
        }
        got = count(w);
        warnings = diag_count(d);
        if (i == 0 && warnings) {
            fprintf(stderr, "bench_load: %s: %zu warnings:\n", label, warnings);
            print_diags(d, 5);
        }
        world_free(w);
        diag_list_free(d);
    }
    if (got != rows) {
        fprintf(stderr, "bench_load: %s: the world has %zu rows, %zu written\n", label, got, rows);
        return 1;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_double);
    double median = reps % 2 ? t[reps / 2] : 0.5 * (t[reps / 2 - 1] + t[reps / 2]);
    printf("%s:", label);
    long long total = 0;
    for (size_t i = first_file; i < first_file + n_files; i++) {
        long long sz = file_size(s->files[i]);
        total += sz;
        const char *base = strrchr(s->files[i], '/');
        if (sz < 100000)
            printf(" %s %.1f kB,", base ? base + 1 : s->files[i], (double)sz / 1e3);
        else
            printf(" %s %.2f MB,", base ? base + 1 : s->files[i], (double)sz / 1e6);
    }
    printf(" %.2f MB in all\n", (double)total / 1e6);
    printf("  %zu rows, %zu warnings; scenario_load x%d: median %.1f ms, min %.1f ms; "
           "%.2f M rows/s, %.0f MB/s at the median\n",
           rows, warnings, reps, 1e3 * median, 1e3 * t[0], (double)rows / median / 1e6,
           (double)total / 1e6 / median);
    return 0;
}

static size_t count_products(const world *w)
{
    return w->n_products;
}

static size_t count_network(const world *w)
{
    return w->n_sites + w->n_lanes + w->n_demand + w->n_products;
}

static int usage(void)
{
    fprintf(stderr, "usage: bench_load [--scale X (0 < X <= 10)] [--reps N (1..64)] [--keep]\n");
    return 64;
}

int main(int argc, char **argv)
{
    double scale = 1.0;
    int reps = 5, keep = 0;
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            scale = strtod(argv[++i], &end);
            if (*end || !(scale > 0 && scale <= 10)) return usage();
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 64) return usage();
            reps = (int)v;
        } else if (strcmp(argv[i], "--keep") == 0) {
            keep = 1;
        } else {
            return usage();
        }
    }
    size_t n_products = (size_t)llround(100000 * scale);
    network_size ns = {.sites = (size_t)llround(10000 * scale)};
    if (n_products < 10) n_products = 10;
    if (ns.sites < 40) ns.sites = 40;
    ns.products = ns.sites / 4 < 100 ? ns.sites / 4 : 100;
    ns.sources = 2 * ns.products;
    ns.demand = (size_t)llround(1000 * scale);
    if (ns.demand > ns.sites - ns.sources) ns.demand = ns.sites - ns.sources;

    scratch s = {.n_files = 0};
    const char *tmp = getenv("TMPDIR");
    snprintf(s.dir, sizeof s.dir, "%s/chipsim-bench-load.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(s.dir)) {
        fprintf(stderr, "bench_load: cannot create a folder %s: %s\n", s.dir, strerror(errno));
        return 70;
    }
    sim_rng r;
    sim_rng_init(&r, SEED, 0, "bench_load", 0);
    char *products_yaml = NULL, *network_yaml = NULL;
    int status = 0;
    double t0 = seconds_now();
    if (write_products_scenario(&s, n_products, &r, &products_yaml)) status = 70;
    size_t products_files = s.n_files;
    if (!status && write_network_scenario(&s, &ns, &r, &network_yaml)) status = 70;
    if (!status) {
        printf("bench_load: seed %u, scale %g, files written in %.2f s to %s%s\n", SEED, scale,
               seconds_now() - t0, s.dir, keep ? " (kept)" : "");
        /* products: products.csv, products.yaml; network: the rest */
        if (time_load("products", products_yaml, n_products, reps, &s, 0, products_files,
                      count_products))
            status = 1;
        if (time_load("network", network_yaml, ns.sites + ns.lanes + ns.demand + ns.products, reps,
                      &s, products_files, s.n_files - products_files, count_network))
            status = 1;
        if (!status)
            printf("  (network rows: %zu sites + %zu lanes + %zu demand + %zu products)\n",
                   ns.sites, ns.lanes, ns.demand, ns.products);
    }
    scratch_remove(&s, keep);
    return status;
}
