/*
 * A world written back as a scenario file: what `chipsim explain` prints.
 *
 * The text is the resolved scenario (after extends, tables and --set) in the
 * scenario format itself, so it loads back to the same world: tables are
 * written inline, dated tables as inline {date: value} mappings, rule
 * expressions in their canonical text, defaults made explicit. Writing the
 * reloaded world gives the same bytes (a test holds us to it).
 */
#ifndef MODELS_WORLD_YAML_H
#define MODELS_WORLD_YAML_H

#include <stdio.h>

#include "status.h"
#include "world.h"

/* SIM_EIO when out reports a write error. */
sim_status world_write_yaml(const world *w, FILE *out);

#endif
