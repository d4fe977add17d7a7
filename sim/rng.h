/*
 * Named random streams.
 *
 * A stream is Threefry-4x64-20 (Salmon et al., "Parallel random numbers: as
 * easy as 1, 2, 3", SC'11; the Random123 headers) used as a counter-based
 * generator: block i of the stream is threefry(counter = i, key), four 64-bit
 * words. The key is (master seed, replication, FNV-1a-64 hash of the stream
 * name, index), so
 *   - the same key always yields the same sequence (reproducible runs);
 *   - drawing more from one stream never shifts another: two variants of a
 *     scenario draw the same numbers for the same component (common random
 *     numbers), whatever else differs between them;
 *   - replications are independent streams, not slices of one long sequence,
 *     so they can run on any thread or machine in any order.
 *
 * Every stream is also a gsl_rng (sim_rng_gsl), so all gsl_ran_* variates work
 * on it. The uniform and exponential draws are inline because the random path
 * is a first-order cost in a discrete-event simulation: the struct is visible
 * only so they can inline; treat its fields as private.
 *
 * A uniform consumes one 64-bit word and keeps its top 53 bits, so uniforms are
 * exact multiples of 2^-53. gsl_rng_get returns the top 32 bits of one word.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <math.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct sim_rng_state {
    uint64_t block[4]; /* the current block of output */
    uint64_t key[4];
    uint64_t counter; /* number of the next block */
    unsigned next;    /* index of the next unused word in block; 4 = used up */
} sim_rng_state;

typedef struct sim_rng {
    sim_rng_state st;
    gsl_rng gsl; /* gsl.state == &st */
} sim_rng;

/* The GSL generator type behind every stream. gsl_rng_set(r, s) restarts the
 * stream at block 0 with key word 0 (the master seed) replaced by s. */
extern const gsl_rng_type *const sim_rng_threefry;

/* 64-bit FNV-1a of a NUL-terminated name: the stream name's part of the key. */
uint64_t sim_rng_hash(const char *name);

/* Initialises r in place as stream (seed, replication, name, index). r must not
 * move afterwards: its gsl_rng points into it. */
void sim_rng_init(sim_rng *r, uint64_t seed, uint64_t replication, const char *name,
                  uint64_t index);

static inline gsl_rng *sim_rng_gsl(sim_rng *r)
{
    return &r->gsl;
}

/* Computes the next block. Called by the inline draws; not for users. */
void sim_rng_refill(sim_rng_state *st);

static inline uint64_t sim_rng_u64(sim_rng *r)
{
    if (r->st.next == 4) sim_rng_refill(&r->st);
    return r->st.block[r->st.next++];
}

/* Uniform on [0, 1). */
static inline double sim_rng_uniform(sim_rng *r)
{
    return (double)(sim_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform on (0, 1): the midpoints of the 2^53 cells, so log() is always finite. */
static inline double sim_rng_uniform_pos(sim_rng *r)
{
    return ((double)(sim_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* The ziggurat's layer table (sim/ziggurat_exp.c, from scripts/gen_ziggurat.py)
 * and its rejection step; not for users. */
#define SIM_ZIG_EXP_R 7.69711747013104972
extern const double sim_zig_exp_x[257];
extern const double sim_zig_exp_f[257];
double sim_rng_exponential_slow(sim_rng *r, unsigned layer, double z);

/* Standard exponential (mean 1) by the ziggurat method (Marsaglia and Tsang,
 * J. Stat. Software 5(8), 2000): one 64-bit word gives the layer (low 8 bits)
 * and a 53-bit uniform (top bits); a point inside the layer's rectangle, which
 * lies wholly under the density, is accepted at once, about 98.9% of draws.
 * Otherwise the tail (memoryless: r plus a fresh exponential) or the wedge
 * test decides. Inversion would need a log() per draw: 2.5 times slower. */
static inline double sim_rng_exponential1(sim_rng *r)
{
    uint64_t w = sim_rng_u64(r);
    unsigned layer = (unsigned)(w & 0xffu);
    double z = (double)(w >> 11) * 0x1.0p-53 * sim_zig_exp_x[layer];
    if (z < sim_zig_exp_x[layer + 1]) return z;
    return sim_rng_exponential_slow(r, layer, z);
}

/* Exponential with the given mean. Scaling one standard draw keeps common
 * random numbers exact when a variant changes only the mean. */
static inline double sim_rng_exponential(sim_rng *r, double mean)
{
    return mean * sim_rng_exponential1(r);
}

#endif
