/*
 * Which export-control rules catch what: the static part of the controls.
 *
 * A rule reaches a product when the product's `controlled_by` names the
 * rule's authority and the product is in the rule's scope (all, listed ids,
 * or the expression) and not in its exceptions. It reaches a destination
 * country when the rule names no destinations, or names the country or one
 * of its groups, and the exceptions do not; likewise end users (firms and
 * the lists they are on). It is in force from `effective` up to the day
 * before `expires`.
 *
 * rules_new evaluates every scope once, into bit tables, so a decision in
 * the model is a few table lookups per rule in force.
 *
 * When several rules catch one shipment the most restrictive wins: deny >
 * cap > license (> allow, no rule); between equals, the one that took effect
 * last (a newer rule supersedes an older one), then the first in the file.
 *
 * Ownership: a rules borrows its world (which must outlive it).
 */
#ifndef MODELS_RULES_H
#define MODELS_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "date.h"
#include "world.h"

typedef struct rules rules;

rules *rules_new(const world *w); /* NULL on out of memory */
void rules_free(rules *r);

bool rules_in_force(const world_rule *rule, sim_date d);
bool rules_catch_product(const rules *r, uint32_t rule, uint32_t product);
/* The destination part of a rule's scope alone: does it reach this country
 * (its destinations and their exceptions)? And the end-user part alone:
 * does it reach this firm? A shipment is caught when both reach its buyer. */
bool rules_reach_country(const rules *r, uint32_t rule, uint32_t country);
bool rules_reach_end_user(const rules *r, uint32_t rule, uint32_t firm);

/* 3 deny, 2 cap, 1 license. */
int rules_severity(const world_rule *rule);

/* The rule that decides a shipment of product to a buyer (firm in country;
 * firm may be WORLD_NONE) on date d, or WORLD_NONE when none catches it. */
uint32_t rules_decide(const rules *r, uint32_t product, uint32_t country, uint32_t firm,
                      sim_date d);

/* The days around d on which no rule takes effect or expires, [*from, *to):
 * every decision made on d holds over them. */
void rules_epoch(const rules *r, sim_date d, sim_date *from, sim_date *to);

#endif
