#include "world_yaml.h"

#include <math.h>
#include <string.h>

#include "numfmt.h"

/* Small writers; errors are collected by ferror at the end. */

static void num(FILE *f, double x)
{
    char buf[SIM_NUMFMT_BUFSIZE];
    sim_numfmt_double(buf, x);
    fputs(buf, f);
}

static void date(FILE *f, sim_date d)
{
    char buf[SIM_DATE_BUFSIZE];
    sim_date_format(d, buf);
    fputs(buf, f);
}

/* A double-quoted YAML string; escapes keep any text intact. */
static void str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* [a, b, c] of names picked by index from an array of structs whose first
 * member is the name. */
static void names(FILE *f, world_refs r, const void *base, size_t stride, const char *prefix)
{
    fputc('[', f);
    for (size_t i = 0; i < r.n; i++) {
        const char *name = *(const char *const *)((const char *)base + r.at[i] * stride);
        if (i) fputs(", ", f);
        if (prefix) {
            fputc('"', f);
            fputs(prefix, f);
            fputs(name, f);
            fputc('"', f);
        } else {
            fputs(name, f);
        }
    }
    fputc(']', f);
}

#define NAMES(f, refs, array, prefix) names(f, refs, array, sizeof *(array), prefix)

static void series(FILE *f, const world_series *s)
{
    if (world_series_is_constant(s)) {
        num(f, s->value[0]);
        return;
    }
    fputc('{', f);
    for (size_t i = 0; i < s->n; i++) {
        if (i) fputs(", ", f);
        date(f, s->date[i]);
        fputs(": ", f);
        num(f, s->value[i]);
    }
    fputc('}', f);
}

static void dist(FILE *f, const world_dist *d)
{
    const char *u = d->unit == WORLD_DAYS ? "days" : "units";
    const sim_dist_spec *s = &d->spec;
    fprintf(f, "{dist: %s", sim_dist_kind_name(s->kind));
    switch (s->kind) {
    case SIM_DIST_CONSTANT:
        fprintf(f, ", %s: ", u);
        num(f, s->p[0]);
        break;
    case SIM_DIST_EXPONENTIAL:
        fprintf(f, ", mean_%s: ", u);
        num(f, s->p[0]);
        break;
    case SIM_DIST_GAMMA:
        fprintf(f, ", mean_%s: ", u);
        num(f, s->p[0]);
        fputs(", cv: ", f);
        num(f, s->p[1]);
        break;
    case SIM_DIST_LOGNORMAL:
        fprintf(f, ", median_%s: ", u);
        num(f, s->p[0]);
        fputs(", sigma: ", f);
        num(f, s->p[1]);
        break;
    case SIM_DIST_NORMAL:
        fprintf(f, ", mean_%s: ", u);
        num(f, s->p[0]);
        fprintf(f, ", sd_%s: ", u);
        num(f, s->p[1]);
        break;
    case SIM_DIST_UNIFORM:
        fprintf(f, ", min_%s: ", u);
        num(f, s->p[0]);
        fprintf(f, ", max_%s: ", u);
        num(f, s->p[1]);
        break;
    case SIM_DIST_EMPIRICAL:
        fputs(", values: [", f);
        for (size_t i = 0; i < s->n; i++) {
            if (i) fputs(", ", f);
            num(f, s->values[i]);
        }
        fputc(']', f);
        if (s->weights) {
            fputs(", weights: [", f);
            for (size_t i = 0; i < s->n; i++) {
                if (i) fputs(", ", f);
                num(f, s->weights[i]);
            }
            fputc(']', f);
        }
        break;
    }
    fputc('}', f);
}

static void amounts(FILE *f, const world *w, const world_amount *a, size_t n)
{
    fputc('{', f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s%s: ", i ? ", " : "", w->products[a[i].product].id);
        num(f, a[i].quantity);
    }
    fputc('}', f);
}

static void source_field(FILE *f, const char *s)
{
    if (s) {
        fputs(", source: ", f);
        str(f, s);
    }
}

static void products_scope(FILE *f, const world *w, bool all, world_refs ids, const char *text)
{
    if (all)
        fputs("all", f);
    else if (text)
        str(f, text);
    else
        NAMES(f, ids, w->products, NULL);
}

static void scope_line(FILE *f, const world *w, const char *key, const world_scope *s,
                       bool countries)
{
    size_t n = countries ? s->countries.n + s->groups.n : s->firms.n + s->lists.n;
    if (!n) {
        if (!s->all) fprintf(f, "    %s: []\n", key); /* given, and empty: catches nobody */
        return;
    }
    fprintf(f, "    %s: [", key);
    size_t k = 0;
    if (countries) {
        for (size_t i = 0; i < s->countries.n; i++)
            fprintf(f, "%s%s", k++ ? ", " : "", w->countries[s->countries.at[i]].code);
        for (size_t i = 0; i < s->groups.n; i++)
            fprintf(f, "%s\"group:%s\"", k++ ? ", " : "", w->groups[s->groups.at[i]].id);
    } else {
        for (size_t i = 0; i < s->firms.n; i++)
            fprintf(f, "%s%s", k++ ? ", " : "", w->firms[s->firms.at[i]].id);
        for (size_t i = 0; i < s->lists.n; i++)
            fprintf(f, "%s\"list:%s\"", k++ ? ", " : "", w->lists[s->lists.at[i]].id);
    }
    fputs("]\n", f);
}

static void write_sites(FILE *f, const world *w)
{
    if (!w->n_sites) return;
    fputs("sites:\n", f);
    for (size_t i = 0; i < w->n_sites; i++) {
        const world_site *s = &w->sites[i];
        fprintf(f, "  - id: %s\n    firm: %s\n    country: %s\n", s->id, w->firms[s->firm].id,
                w->countries[s->country].code);
        if (s->has_capacity) {
            fputs("    capacity_wafers_per_month: ", f);
            series(f, &s->capacity_wafers_per_month);
            fputc('\n', f);
        }
        if (s->cap_rule != WORLD_NONE) {
            fprintf(f, "    capacity_cap: {rule: %s", w->rules[s->cap_rule].id);
            if (s->cap_given) {
                char num[SIM_NUMFMT_BUFSIZE];
                sim_numfmt_double(num, s->cap_wafers_per_month);
                fprintf(f, ", wafers_per_month: %s", num);
            }
            fputs("}\n", f);
        }
        if (s->source.n) {
            fputs("    source: ", f);
            NAMES(f, s->source, w->products, NULL);
            fputc('\n', f);
        }
        if (s->n_processes) fputs("    processes:\n", f);
        for (size_t k = 0; k < s->n_processes; k++) {
            const world_process *p = &s->processes[k];
            fprintf(f, "      - id: %s\n", p->id);
            if (p->n_inputs) {
                fputs("        inputs: ", f);
                amounts(f, w, p->inputs, p->n_inputs);
                fputc('\n', f);
            }
            fputs("        outputs: ", f);
            amounts(f, w, p->outputs, p->n_outputs);
            fputc('\n', f);
            if (p->servers) fprintf(f, "        servers: %llu\n", (unsigned long long)p->servers);
            if (p->wafers_per_batch > 0) {
                fputs("        wafers_per_batch: ", f);
                num(f, p->wafers_per_batch);
                fputc('\n', f);
            }
            if (p->has_yield) {
                fputs("        yield: ", f);
                if (p->yield.kind == WORLD_YIELD_LEARNING) {
                    fputs("{start: ", f);
                    num(f, p->yield.start);
                    fputs(", end: ", f);
                    num(f, p->yield.end);
                    fputs(", tau_days: ", f);
                    num(f, p->yield.tau_days);
                    fputc('}', f);
                } else {
                    series(f, &p->yield.series);
                }
                fputc('\n', f);
            }
            fputs("        duration: ", f);
            dist(f, &p->duration);
            fprintf(f, "\n        priority: %lld\n", (long long)p->priority);
        }
        if (s->n_inventory) fputs("    inventory:\n", f);
        for (size_t k = 0; k < s->n_inventory; k++) {
            const world_inventory *v = &s->inventory[k];
            fprintf(f, "      %s: ", v->is_need ? w->needs[v->item].id : w->products[v->item].id);
            if (v->policy == WORLD_BASE_STOCK) {
                fputs("{policy: base_stock, level: ", f);
                num(f, v->level);
            } else {
                fputs("{policy: s_S, s: ", f);
                num(f, v->s);
                fputs(", S: ", f);
                num(f, v->S);
                fputs(", review_days: ", f);
                num(f, v->review_days);
            }
            if (v->suppliers.n) {
                fputs(", suppliers: ", f);
                NAMES(f, v->suppliers, w->sites, NULL);
            }
            fputs("}\n", f);
        }
    }
}

static void write_rules(FILE *f, const world *w)
{
    if (!w->n_rules) return;
    fputs("export_controls:\n", f);
    for (size_t i = 0; i < w->n_rules; i++) {
        const world_rule *r = &w->rules[i];
        fprintf(f, "  - id: %s\n    authority: %s\n    announced: ", r->id,
                w->authorities[r->authority].id);
        date(f, r->announced);
        fputs("\n    effective: ", f);
        date(f, r->effective);
        fputc('\n', f);
        if (r->expires != INT32_MAX) {
            fputs("    expires: ", f);
            date(f, r->expires);
            fputc('\n', f);
        }
        fputs("    products: ", f);
        products_scope(f, w, r->all_products, r->products, r->products_text);
        fputc('\n', f);
        if (r->except_products.n) {
            fputs("    except_products: ", f);
            NAMES(f, r->except_products, w->products, NULL);
            fputc('\n', f);
        }
        scope_line(f, w, "destinations", &r->destinations, true);
        scope_line(f, w, "except_destinations", &r->except_destinations, true);
        scope_line(f, w, "end_users", &r->end_users, false);
        scope_line(f, w, "except_end_users", &r->except_end_users, false);
        const world_action *a = &r->action;
        fputs("    action: ", f);
        if (a->kind == WORLD_DENY) {
            fputs("{type: deny}", f);
        } else if (a->kind == WORLD_LICENSE) {
            fputs("{type: license, approval: ", f);
            num(f, a->approval);
            if (a->has_review) {
                fputs(", review: ", f);
                dist(f, &a->review);
            }
            if (a->revenue_share > 0) {
                fputs(", conditions: {revenue_share: ", f);
                num(f, a->revenue_share);
                fputc('}', f);
            }
            fputc('}', f);
        } else {
            fprintf(f, "{type: cap, %s: ", a->cap_unit == WORLD_CAP_UNITS ? "units" : "h100e");
            num(f, a->cap);
            fprintf(f, ", per: %s}", sim_period_name(a->cap_period));
        }
        fputc('\n', f);
        if (r->source) {
            fputs("    source: ", f);
            str(f, r->source);
            fputc('\n', f);
        }
    }
}

static void write_patents(FILE *f, const world *w)
{
    if (!w->n_portfolios && !w->n_licences && !w->n_disputes) return;
    fputs("patents:\n", f);
    if (w->n_portfolios) fputs("  portfolios:\n", f);
    for (size_t i = 0; i < w->n_portfolios; i++) {
        const world_portfolio *p = &w->portfolios[i];
        fprintf(f, "    - {firm: %s, standards: ", w->firms[p->firm].id);
        NAMES(f, p->standards, w->standards, NULL);
        fputs(", royalty_usd_per_unit: {", f);
        for (size_t k = 0; k < p->standards.n; k++) {
            fprintf(f, "%s%s: ", k ? ", " : "", w->standards[p->standards.at[k]].id);
            num(f, p->royalty_usd_per_unit[k]);
        }
        fputs("}}\n", f);
    }
    if (w->n_licences) fputs("  licences:\n", f);
    for (size_t i = 0; i < w->n_licences; i++) {
        const world_licence *l = &w->licences[i];
        fprintf(f, "    - {id: %s, parties: [%s, %s], type: %s, effective: ", l->id,
                w->firms[l->parties[0]].id, w->firms[l->parties[1]].id,
                l->cross ? "cross" : "one_way");
        date(f, l->effective);
        if (l->expires != INT32_MAX) {
            fputs(", expires: ", f);
            date(f, l->expires);
        }
        fputs(", scope: ", f);
        NAMES(f, l->scope, w->standards, NULL);
        fputs(", royalty_usd_per_unit: ", f);
        num(f, l->royalty_usd_per_unit);
        fputs("}\n", f);
    }
    if (w->n_disputes) fputs("  disputes:\n", f);
    for (size_t i = 0; i < w->n_disputes; i++) {
        const world_dispute *d = &w->disputes[i];
        fprintf(f,
                "    - id: %s\n      plaintiff: %s\n      defendant: %s\n      forum: %s\n"
                "      filed: ",
                d->id, w->firms[d->plaintiff].id, w->firms[d->defendant].id,
                w->countries[d->forum].code);
        date(f, d->filed);
        fputs("\n      products: ", f);
        products_scope(f, w, d->all_products, d->products, d->products_text);
        fputs("\n      injunction: {probability: ", f);
        num(f, d->injunction_probability);
        if (d->has_injunction_delay) {
            fputs(", after: ", f);
            dist(f, &d->injunction_after);
        }
        if (isfinite(d->injunction_duration_days)) {
            fputs(", duration_days: ", f);
            num(f, d->injunction_duration_days);
        }
        fputs("}\n", f);
        if (d->ends_with != WORLD_NONE)
            fprintf(f, "      ends_with: %s\n", w->licences[d->ends_with].id);
    }
}

sim_status world_write_yaml(const world *w, FILE *f)
{
    fputs("# The resolved scenario (chipsim explain): extends, tables and --set applied.\n", f);
    fprintf(f, "schema_version: 1\nname: %s\n", w->name);
    if (w->description) {
        fputs("description: ", f);
        str(f, w->description);
        fputc('\n', f);
    }
    const world_run *r = &w->run;
    fputs("run: {start: ", f);
    date(f, r->start);
    fputs(", end: ", f);
    date(f, r->end);
    fprintf(f, ", period: %s, replications: %llu, seed: %llu, warmup_days: ",
            sim_period_name(r->period), (unsigned long long)r->replications,
            (unsigned long long)r->seed);
    num(f, r->warmup_days);
    fputs("}\n", f);

    if (w->n_countries) fputs("countries:\n", f);
    for (size_t i = 0; i < w->n_countries; i++) {
        const world_country *c = &w->countries[i];
        fprintf(f, "  - {code: %s", c->code);
        if (c->name) {
            fputs(", name: ", f);
            str(f, c->name);
        }
        if (c->groups.n) {
            fputs(", groups: ", f);
            NAMES(f, c->groups, w->groups, NULL);
        }
        source_field(f, c->source);
        fputs("}\n", f);
    }
    if (w->n_firms) fputs("firms:\n", f);
    for (size_t i = 0; i < w->n_firms; i++) {
        const world_firm *x = &w->firms[i];
        fprintf(f, "  - {id: %s, country: %s", x->id, w->countries[x->country].code);
        if (x->lists.n) {
            fputs(", lists: ", f);
            NAMES(f, x->lists, w->lists, NULL);
        }
        source_field(f, x->source);
        fputs("}\n", f);
    }
    if (w->n_products) fputs("products:\n", f);
    for (size_t i = 0; i < w->n_products; i++) {
        const world_product *p = &w->products[i];
        fprintf(f, "  - {id: %s", p->id);
        if (p->kind) fprintf(f, ", kind: %s", p->kind);
        if (p->owner != WORLD_NONE) fprintf(f, ", owner: %s", w->firms[p->owner].id);
        if (p->controlled_by.n) {
            fputs(", controlled_by: ", f);
            NAMES(f, p->controlled_by, w->authorities, NULL);
        }
        if (p->standards.n) {
            fputs(", standards: ", f);
            NAMES(f, p->standards, w->standards, NULL);
        }
        for (size_t a = 0; a < w->n_attributes; a++) {
            if (isnan(p->attr[a])) continue;
            fprintf(f, ", %s: ", w->attributes[a].id);
            num(f, p->attr[a]);
        }
        source_field(f, p->source);
        fputs("}\n", f);
    }
    if (w->n_needs) fputs("needs:\n", f);
    for (size_t i = 0; i < w->n_needs; i++) {
        const world_need *n = &w->needs[i];
        fprintf(f, "  - {id: %s, unit: %s, filled_by: ", n->id,
                w->attributes[n->unit_attribute].id);
        NAMES(f, n->filled_by, w->products, NULL);
        source_field(f, n->source);
        fputs("}\n", f);
    }
    write_sites(f, w);
    if (w->n_lanes) fputs("lanes:\n", f);
    for (size_t i = 0; i < w->n_lanes; i++) {
        const world_lane *l = &w->lanes[i];
        fprintf(f, "  - {from: %s, to: %s, transit: ", w->sites[l->from].id, w->sites[l->to].id);
        dist(f, &l->transit);
        if (l->illicit) {
            fputs(", illicit: true, detection: ", f);
            num(f, l->detection);
        }
        if (l->cost_usd_per_unit > 0) {
            fputs(", cost_usd_per_unit: ", f);
            num(f, l->cost_usd_per_unit);
        }
        fputs("}\n", f);
    }
    if (w->n_demand) fputs("demand:\n", f);
    static const char *const per[] = {"per_day", "per_week", "per_month"};
    for (size_t i = 0; i < w->n_demand; i++) {
        const world_demand *d = &w->demand[i];
        if (d->id)
            fprintf(f, "  - id: %s\n    site: %s\n", d->id, w->sites[d->site].id);
        else
            fprintf(f, "  - site: %s\n", w->sites[d->site].id);
        fprintf(f, "    product: %s\n    orders: {dist: poisson, %s: ",
                d->is_need ? w->needs[d->item].id : w->products[d->item].id, per[d->orders.unit]);
        series(f, &d->orders.rate);
        fputs("}\n    size: ", f);
        dist(f, &d->size);
        fputc('\n', f);
        if (isfinite(d->patience_days)) {
            fputs("    patience_days: ", f);
            num(f, d->patience_days);
            fputc('\n', f);
        }
        if (d->starts != INT32_MIN) {
            fputs("    starts: ", f);
            date(f, d->starts);
            fputc('\n', f);
        }
        if (d->ends != INT32_MAX) {
            fputs("    ends: ", f);
            date(f, d->ends);
            fputc('\n', f);
        }
    }
    write_rules(f, w);
    if (w->diversion.given) {
        fputs("diversion: {share_of_blocked: ", f);
        num(f, w->diversion.share_of_blocked);
        fputs(", markup: ", f);
        num(f, w->diversion.markup);
        fputs("}\n", f);
    }
    if (w->n_stockpiling) fputs("stockpiling:\n", f);
    for (size_t i = 0; i < w->n_stockpiling; i++) {
        fprintf(f, "  - {rule: %s, factor: ", w->rules[w->stockpiling[i].rule].id);
        num(f, w->stockpiling[i].factor);
        fputs("}\n", f);
    }
    if (w->n_disruptions) fputs("disruptions:\n", f);
    for (size_t i = 0; i < w->n_disruptions; i++) {
        const world_disruption *d = &w->disruptions[i];
        fprintf(f, "  - {id: %s, ", d->id);
        if (d->site != WORLD_NONE)
            fprintf(f, "site: %s", w->sites[d->site].id);
        else
            fprintf(f, "from: %s, to: %s", w->sites[w->lanes[d->lane].from].id,
                    w->sites[w->lanes[d->lane].to].id);
        if (d->dated) {
            fputs(", start: ", f);
            date(f, d->start);
            fputs(", end: ", f);
            date(f, d->end);
        } else {
            fputs(", mtbf: ", f);
            dist(f, &d->mtbf);
            fputs(", mttr: ", f);
            dist(f, &d->mttr);
        }
        fputs("}\n", f);
    }
    write_patents(f, w);
    return ferror(f) ? SIM_EIO : SIM_OK;
}
