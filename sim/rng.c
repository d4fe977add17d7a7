#include "rng.h"

#include <math.h>
#include <string.h>

#include <Random123/threefry.h>

uint64_t sim_rng_hash(const char *name)
{
    /* FNV-1a, 64-bit (Fowler, Noll, Vo): offset basis and prime from the spec. */
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

void sim_rng_refill(sim_rng_state *st)
{
    threefry4x64_ctr_t ctr = {{st->counter, 0, 0, 0}};
    threefry4x64_key_t key = {{st->key[0], st->key[1], st->key[2], st->key[3]}};
    threefry4x64_ctr_t out = threefry4x64(ctr, key);
    memcpy(st->block, out.v, sizeof st->block);
    st->counter++;
    st->next = 0;
}

static void state_start(sim_rng_state *st)
{
    st->counter = 0;
    st->next = 4; /* empty: the first draw computes block 0 */
}

/* gsl_rng_type callbacks. GSL calls set() from gsl_rng_alloc with its default
 * seed; a stream made by sim_rng_init never goes through it. */
static void gsl_set(void *state, unsigned long seed)
{
    sim_rng_state *st = state;
    st->key[0] = seed;
    state_start(st);
}

static uint64_t state_u64(sim_rng_state *st)
{
    if (st->next == 4) sim_rng_refill(st);
    return st->block[st->next++];
}

static unsigned long gsl_get(void *state)
{
    return (unsigned long)(state_u64(state) >> 32);
}

static double gsl_get_double(void *state)
{
    return (double)(state_u64(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type threefry_type = {
    "sim-threefry4x64", 0xffffffffUL, 0, sizeof(sim_rng_state), gsl_set, gsl_get, gsl_get_double,
};

const gsl_rng_type *const sim_rng_threefry = &threefry_type;

double sim_rng_exponential_slow(sim_rng *r, unsigned layer, double z)
{
    for (;;) {
        if (layer == 0) return SIM_ZIG_EXP_R - log(sim_rng_uniform_pos(r));
        /* Wedge: a uniform height within the layer, under the density or not. */
        double y = sim_zig_exp_f[layer] +
                   sim_rng_uniform(r) * (sim_zig_exp_f[layer + 1] - sim_zig_exp_f[layer]);
        if (y < exp(-z)) return z;
        uint64_t w = sim_rng_u64(r);
        layer = (unsigned)(w & 0xffu);
        z = (double)(w >> 11) * 0x1.0p-53 * sim_zig_exp_x[layer];
        if (z < sim_zig_exp_x[layer + 1]) return z;
    }
}

void sim_rng_init(sim_rng *r, uint64_t seed, uint64_t replication, const char *name, uint64_t index)
{
    memset(r, 0, sizeof *r);
    r->st.key[0] = seed;
    r->st.key[1] = replication;
    r->st.key[2] = sim_rng_hash(name);
    r->st.key[3] = index;
    state_start(&r->st);
    r->gsl.type = sim_rng_threefry;
    r->gsl.state = &r->st;
}
