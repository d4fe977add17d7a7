/*
 * The shipped US rules (scenarios/us-rules.yaml) against the classification
 * FACTS.md gives for each chip. The 2022 and 2023 tests are computed there
 * from the chips' TPP, PD and interconnect (FACTS.md sections 2-3); here the
 * same chips go through the scenario's rule expressions via models/rules, so
 * a change to a figure, an expression or the rule engine that moves a chip
 * across a threshold fails this test. The date checks pin the vintages to
 * the dates of FACTS.md section 1, and the rules_decide checks pin how the
 * vintages combine (deny > cap > license, earlier licence first).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "diag.h"
#include "rules.h"
#include "scenario.h"
#include "world.h"

/* FACTS.md section 3, the "2022 test" and "2023 test" columns: one row per
 * chip. in_2022 is true where the column says "controlled" ("not
 * controlled" and "n/a" are false: the 2022 test needs an interconnect of
 * 600 GB/s, which the n/a chips lack or fall short of). in_2023 is true where
 * it says 3A090.a. H20: FACTS notes that s-w-kelly lists it as 3A090.b.2,
 * but its column follows the computed test (TPP 2,368 < 4,800; PD 2.91 <
 * 5.92), and so does this table. */
static const struct chip {
    const char *id;
    bool in_2022; /* caught by the Oct 2022 test */
    bool in_2023; /* 3A090.a under the Oct 2023 test */
} chips[] = {
    {"h100_sxm", true, true},      {"h100_pcie", true, true},    {"h100_nvl", true, true},
    {"h800_sxm", false, true},     {"a100", true, true},         {"a800", false, true},
    {"h200_sxm", true, true},      {"h20", false, false},        {"l20", false, false},
    {"ascend_910", false, true},   {"ascend_910b", false, true}, {"ascend_910c", false, true},
    {"kirin_9000s", false, false},
};
#define N_CHIPS (sizeof chips / sizeof chips[0])

typedef struct fixture {
    world *w;
    rules *r;
} fixture;

static int setup(void **state)
{
    static fixture f;
    diag_list *d = diag_list_new();
    if (!d) return -1;
    sim_status st = scenario_load(SCENARIOS_DIR "/us-rules.yaml", NULL, 0, d, &f.w);
    /* The shipped scenario must load clean: a warning there (an attribute no
     * product has, a rule that reaches nothing) is a mistake in the file. */
    size_t n = diag_count(d);
    if (n) diag_print(d, stderr);
    diag_list_free(d);
    if (st != SIM_OK || !f.w || n) {
        world_free(f.w);
        return -1;
    }
    f.r = rules_new(f.w);
    if (!f.r) {
        world_free(f.w);
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rules_free(f->r);
    world_free(f->w);
    return 0;
}

static sim_date day(const char *text)
{
    sim_date d = 0;
    assert_int_equal(sim_date_parse(text, strlen(text), &d), SIM_OK);
    return d;
}

/* Lookups that fail the test, rather than index with WORLD_NONE, when the
 * scenario renames something. */
static uint32_t rule(const fixture *f, const char *id)
{
    uint32_t i = world_find_rule(f->w, id);
    if (i == WORLD_NONE) fail_msg("no rule '%s' in us-rules.yaml", id);
    return i;
}

static uint32_t product(const fixture *f, const char *id)
{
    uint32_t i = world_find_product(f->w, id);
    if (i == WORLD_NONE) fail_msg("no product '%s' in us-rules.yaml", id);
    return i;
}

static uint32_t country(const fixture *f, const char *code)
{
    uint32_t i = world_find_country(f->w, code);
    if (i == WORLD_NONE) fail_msg("no country '%s' in us-rules.yaml", code);
    return i;
}

static uint32_t firm(const fixture *f, const char *id)
{
    uint32_t i = world_find_firm(f->w, id);
    if (i == WORLD_NONE) fail_msg("no firm '%s' in us-rules.yaml", id);
    return i;
}

static bool in_force(const fixture *f, const char *id, const char *date)
{
    return rules_in_force(&f->w->rules[rule(f, id)], day(date));
}

/* The id of the rule deciding a shipment, or "-" when none catches it; as
 * text, so a failure names the rule that won. */
static const char *decide(const fixture *f, const char *prod, const char *code, const char *buyer,
                          const char *date)
{
    uint32_t i = rules_decide(f->r, product(f, prod), country(f, code),
                              buyer ? firm(f, buyer) : WORLD_NONE, day(date));
    return i == WORLD_NONE ? "-" : f->w->rules[i].id;
}

/* Every chip of the table is in the scenario, and every product with a TPP
 * in the scenario is in the table: a chip added to one but not the other
 * would escape the checks below. */
static void test_table_covers_the_scenario(void **state)
{
    const fixture *f = *state;
    for (size_t k = 0; k < N_CHIPS; k++)
        (void)product(f, chips[k].id);
    uint32_t tpp = world_find_attribute(f->w, "tpp");
    assert_int_not_equal(tpp, WORLD_NONE);
    for (size_t p = 0; p < f->w->n_products; p++) {
        if (isnan(f->w->products[p].attr[tpp])) continue;
        bool listed = false;
        for (size_t k = 0; k < N_CHIPS; k++)
            listed |= strcmp(chips[k].id, f->w->products[p].id) == 0;
        if (!listed) fail_msg("product '%s' has a TPP but no row in chips[]", f->w->products[p].id);
    }
}

/* Between 2022-10-21 and 2023-10-23 the 2022 test is the one in force. */
static void test_2022_rule(void **state)
{
    const fixture *f = *state;
    const char *date = "2023-01-15";
    assert_true(in_force(f, "us_2022_10", date));
    assert_false(in_force(f, "us_2023_10", date));
    assert_false(in_force(f, "us_2022_10", "2022-10-20"));
    assert_true(in_force(f, "us_2022_10", "2022-10-21"));
    uint32_t r22 = rule(f, "us_2022_10"), mo = rule(f, "us_2023_01_macau");
    for (size_t k = 0; k < N_CHIPS; k++) {
        uint32_t p = product(f, chips[k].id);
        if (rules_catch_product(f->r, r22, p) != chips[k].in_2022)
            fail_msg("us_2022_10 %s %s; FACTS 3 says %s", chips[k].in_2022 ? "misses" : "catches",
                     chips[k].id, chips[k].in_2022 ? "controlled" : "not controlled");
        /* The Jan 2023 Macau extension applies the same test. */
        assert_int_equal(rules_catch_product(f->r, mo, p), chips[k].in_2022);
    }
    /* No TPP: HBM stacks and the MI308 (no figures in FACTS) fall outside. */
    assert_false(rules_catch_product(f->r, r22, product(f, "hbm3_stack")));
    assert_false(rules_catch_product(f->r, r22, product(f, "mi308")));
    /* Macau joins on 2023-01-18 (88 FR 2821). */
    assert_string_equal(decide(f, "a100", "MO", NULL, "2023-01-17"), "-");
    assert_string_equal(decide(f, "a100", "MO", NULL, "2023-01-18"), "us_2023_01_macau");
}

/* From 2023-10-23 the 2023 test (3A090.a), with the headquarters rule and,
 * in 2025, the diffusion caps using the same scope. */
static void test_2023_rule(void **state)
{
    const fixture *f = *state;
    const char *date = "2023-11-15";
    assert_true(in_force(f, "us_2023_10", date));
    assert_false(in_force(f, "us_2023_10", "2023-10-22"));
    assert_true(in_force(f, "us_2023_10", "2023-10-23"));
    const char *same_scope[] = {"us_2023_10", "us_2023_10_hq", "us_2025_01_diffusion"};
    for (size_t s = 0; s < sizeof same_scope / sizeof same_scope[0]; s++) {
        uint32_t r = rule(f, same_scope[s]);
        for (size_t k = 0; k < N_CHIPS; k++) {
            if (rules_catch_product(f->r, r, product(f, chips[k].id)) != chips[k].in_2023)
                fail_msg("%s %s %s; FACTS 3 says %s", same_scope[s],
                         chips[k].in_2023 ? "misses" : "catches", chips[k].id,
                         chips[k].in_2023 ? "3A090.a" : "not 3A090.a");
        }
    }
    /* The interconnect escape of A800/H800 closed on 2023-10-23 (FACTS 1). */
    assert_string_equal(decide(f, "h800_sxm", "CN", NULL, "2023-10-22"), "-");
    assert_string_equal(decide(f, "h800_sxm", "CN", NULL, "2023-10-23"), "us_2023_10");
}

/* D:1, D:4, D:5 and Macau, not Israel (FACTS 1, 2023-10-17 row). */
static void test_2023_destinations(void **state)
{
    const fixture *f = *state;
    uint32_t r = rule(f, "us_2023_10");
    const char *reached[] = {"CN", "HK", "MO", "SA", "AE", "VN", "RU"};
    const char *not_reached[] = {"IL", "US", "TW", "KR", "SG", "IN"};
    for (size_t i = 0; i < sizeof reached / sizeof reached[0]; i++)
        if (!rules_reach_country(f->r, r, country(f, reached[i])))
            fail_msg("us_2023_10 should reach %s", reached[i]);
    for (size_t i = 0; i < sizeof not_reached / sizeof not_reached[0]; i++)
        if (rules_reach_country(f->r, r, country(f, not_reached[i])))
            fail_msg("us_2023_10 should not reach %s", not_reached[i]);
    /* Israel is in D:4 yet exempt: the exception, not the groups, keeps it out. */
    assert_string_equal(decide(f, "h200_sxm", "IL", NULL, "2023-11-15"), "-");
}

/* The Aug 2023 Middle East licence: SA and AE, from 2023-08-28 only. */
static void test_middle_east_rule(void **state)
{
    const fixture *f = *state;
    uint32_t r = rule(f, "us_2023_08_middle_east");
    assert_true(rules_reach_country(f->r, r, country(f, "SA")));
    assert_true(rules_reach_country(f->r, r, country(f, "AE")));
    assert_false(rules_reach_country(f->r, r, country(f, "IL")));
    assert_false(rules_reach_country(f->r, r, country(f, "CN")));
    const char *gulf[] = {"SA", "AE"};
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(decide(f, "a100", gulf[i], NULL, "2023-08-27"), "-");
        assert_string_equal(decide(f, "a100", gulf[i], NULL, "2023-08-28"),
                            "us_2023_08_middle_east");
        /* Once the Oct 2023 rule is in force it decides: between licence
         * requirements the newer one supersedes. */
        assert_string_equal(decide(f, "h100_sxm", gulf[i], "humain", "2024-06-01"), "us_2023_10");
    }
    /* Only the named subset of A100/H100: an H200 waits for the Oct 2023 rule. */
    assert_string_equal(decide(f, "h200_sxm", "SA", NULL, "2023-09-15"), "-");
}

/* The diffusion caps apply from publication and stop on the rescission,
 * 2025-05-13 (FACTS 1); while they apply, a cap beats a licence. */
static void test_diffusion_caps(void **state)
{
    const fixture *f = *state;
    uint32_t r = rule(f, "us_2025_01_diffusion");
    const world_action *a = &f->w->rules[r].action;
    assert_int_equal(a->kind, WORLD_CAP);
    assert_int_equal(a->cap_unit, WORLD_CAP_H100E);
    assert_true(fabs(a->cap - 49000) < 1e-9);
    assert_false(in_force(f, "us_2025_01_diffusion", "2025-01-14"));
    assert_true(in_force(f, "us_2025_01_diffusion", "2025-01-15"));
    assert_true(in_force(f, "us_2025_01_diffusion", "2025-05-12"));
    assert_false(in_force(f, "us_2025_01_diffusion", "2025-05-13"));
    /* India: no D group, so only the cap ever reached it. */
    assert_string_equal(decide(f, "h100_sxm", "IN", NULL, "2025-03-01"), "us_2025_01_diffusion");
    assert_string_equal(decide(f, "h100_sxm", "IN", NULL, "2025-05-12"), "us_2025_01_diffusion");
    assert_string_equal(decide(f, "h100_sxm", "IN", NULL, "2025-05-13"), "-");
    /* Saudi Arabia: the cap over the licences, then the licence again. */
    assert_string_equal(decide(f, "h100_sxm", "SA", NULL, "2025-03-01"), "us_2025_01_diffusion");
    assert_string_equal(decide(f, "h100_sxm", "SA", NULL, "2025-05-13"), "us_2023_10");
    /* Tier 1 and Tier 3 were never capped. */
    assert_false(rules_reach_country(f->r, r, country(f, "TW")));
    assert_false(rules_reach_country(f->r, r, country(f, "CN")));
}

/* The entity list reaches Huawei wherever it buys, and its deny beats every
 * licence requirement on the same shipment. */
static void test_entity_list(void **state)
{
    const fixture *f = *state;
    uint32_t r = rule(f, "us_entity_list");
    assert_true(rules_reach_end_user(f->r, r, firm(f, "huawei")));
    assert_false(rules_reach_end_user(f->r, r, firm(f, "nvidia")));
    assert_false(rules_reach_end_user(f->r, r, firm(f, "cn_hyperscalers")));
    const char *date = "2023-11-15";
    uint32_t h100 = product(f, "h100_sxm"), cn = country(f, "CN");
    uint32_t to_huawei = rules_decide(f->r, h100, cn, firm(f, "huawei"), day(date));
    uint32_t to_others = rules_decide(f->r, h100, cn, firm(f, "cn_hyperscalers"), day(date));
    assert_int_equal(to_huawei, r);
    assert_int_equal(f->w->rules[to_huawei].action.kind, WORLD_DENY);
    assert_int_not_equal(to_others, WORLD_NONE);
    assert_int_equal(f->w->rules[to_others].action.kind, WORLD_LICENSE);
    /* The Oct 2023 licence rule catches the Huawei shipment too: the deny
     * wins by severity, not by being alone. */
    assert_true(rules_catch_product(f->r, rule(f, "us_2023_10"), h100));
    assert_true(rules_reach_country(f->r, rule(f, "us_2023_10"), cn));
    /* Kirin 9000s is controlled by no one, so not even the entity list
     * reaches it (FACTS 3, 6). */
    assert_string_equal(decide(f, "kirin_9000s", "CN", "huawei", date), "-");
}

/* Firms headquartered in D:5 or Macau need a licence anywhere (FACTS 1). */
static void test_headquarters_rule(void **state)
{
    const fixture *f = *state;
    assert_string_equal(decide(f, "h100_sxm", "SG", "cn_hyperscalers", "2023-11-15"),
                        "us_2023_10_hq");
    assert_string_equal(decide(f, "h100_sxm", "SG", "us_hyperscalers", "2023-11-15"), "-");
    assert_string_equal(decide(f, "h100_sxm", "SG", "cn_hyperscalers", "2023-10-22"), "-");
}

/* HBM stacks from the compliance date 2024-12-31 (FACTS 1, 4). */
static void test_hbm_rule(void **state)
{
    const fixture *f = *state;
    const char *stacks[] = {"hbm2e_stack", "hbm3_stack"};
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(decide(f, stacks[i], "CN", "cn_hyperscalers", "2024-12-30"), "-");
        assert_string_equal(decide(f, stacks[i], "CN", "cn_hyperscalers", "2024-12-31"),
                            "us_2024_12_hbm");
    }
    /* Co-packaged HBM is excluded: the rule does not reach accelerators. */
    assert_false(rules_catch_product(f->r, rule(f, "us_2024_12_hbm"), product(f, "h20")));
}

/* The Aug 2022 letter: A100/H100 to China (incl. Hong Kong) and Russia from
 * 2022-08-26; the H800 was not named. */
static void test_is_informed_letter(void **state)
{
    const fixture *f = *state;
    assert_string_equal(decide(f, "a100", "RU", NULL, "2022-08-25"), "-");
    assert_string_equal(decide(f, "a100", "RU", NULL, "2022-08-26"), "us_2022_08_is_informed");
    assert_string_equal(decide(f, "h100_sxm", "HK", NULL, "2022-08-26"), "us_2022_08_is_informed");
    assert_string_equal(decide(f, "h800_sxm", "CN", NULL, "2022-08-26"), "-");
}

/* The H20 letter of Apr 2025 (no licences), its Aug 2025 licences with 15 %
 * of revenue remitted, and the Jan 2026 case-by-case review for H200-class
 * chips: the relaxations decide because they come first in the file. */
static void test_later_vintages(void **state)
{
    const fixture *f = *state;
    assert_string_equal(decide(f, "h20", "CN", NULL, "2025-04-08"), "-");
    assert_string_equal(decide(f, "h20", "CN", NULL, "2025-04-09"), "us_2025_04_h20");
    assert_true(f->w->rules[rule(f, "us_2025_04_h20")].action.approval == 0);
    assert_string_equal(decide(f, "h20", "CN", NULL, "2025-08-07"), "us_2025_04_h20");
    assert_string_equal(decide(f, "h20", "CN", NULL, "2025-08-08"), "us_2025_08_h20_licences");
    assert_string_equal(decide(f, "mi308", "MO", NULL, "2025-09-01"), "us_2025_08_h20_licences");
    const world_action *a = &f->w->rules[rule(f, "us_2025_08_h20_licences")].action;
    assert_int_equal(a->kind, WORLD_LICENSE);
    assert_true(fabs(a->revenue_share - 0.15) < 1e-12);
    /* The rest of D:5 keeps the April requirement. */
    assert_string_equal(decide(f, "h20", "RU", NULL, "2025-09-01"), "us_2025_04_h20");

    assert_string_equal(decide(f, "h200_sxm", "CN", NULL, "2026-01-14"), "us_2023_10");
    assert_string_equal(decide(f, "h200_sxm", "CN", NULL, "2026-01-15"), "us_2026_01_h200_review");
    assert_string_equal(decide(f, "h200_sxm", "SA", NULL, "2026-01-15"), "us_2023_10");
    /* Huawei's deny is not relaxed. */
    assert_string_equal(decide(f, "h200_sxm", "CN", "huawei", "2026-02-01"), "us_entity_list");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_the_scenario),
        cmocka_unit_test(test_2022_rule),
        cmocka_unit_test(test_2023_rule),
        cmocka_unit_test(test_2023_destinations),
        cmocka_unit_test(test_middle_east_rule),
        cmocka_unit_test(test_diffusion_caps),
        cmocka_unit_test(test_entity_list),
        cmocka_unit_test(test_headquarters_rule),
        cmocka_unit_test(test_hbm_rule),
        cmocka_unit_test(test_is_informed_letter),
        cmocka_unit_test(test_later_vintages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
