#include "stats.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* ---- tally ------------------------------------------------------------- */

/* An empty tally has min +inf and max -inf, the identities of min and max, so
 * merging it changes nothing. */
void sim_tally_init(sim_tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

/*
 * Welford (1962), as in Knuth TAOCP vol. 2, 4.2.2:
 *   delta = x - mean_{n-1};  mean_n = mean_{n-1} + delta / n;
 *   M2_n = M2_{n-1} + delta (x - mean_n).
 * No sum of squares is formed, so a large common offset costs no precision.
 * A non-finite observation is a bug in the model, not data.
 */
void sim_tally_add(sim_tally *t, double x)
{
    assert(isfinite(x));
    t->n++;
    double delta = x - t->mean;
    t->mean += delta / (double)t->n;
    t->m2 += delta * (x - t->mean);
    if (x < t->min) t->min = x;
    if (x > t->max) t->max = x;
}

/*
 * Chan, Golub & LeVeque, "Algorithms for computing the sample variance"
 * (1983), pairwise update: with n = na + nb and delta = mean_b - mean_a,
 *   mean = mean_a + delta nb / n;  M2 = M2a + M2b + delta^2 na nb / n.
 */
void sim_tally_merge(sim_tally *into, const sim_tally *from)
{
    if (from->n == 0) return;
    if (into->n == 0) {
        *into = *from;
        return;
    }
    double na = (double)into->n, nb = (double)from->n;
    double n = na + nb;
    double delta = from->mean - into->mean;
    into->mean += delta * (nb / n);
    into->m2 += from->m2 + delta * delta * (na * (nb / n));
    into->n += from->n;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

double sim_tally_variance(const sim_tally *t)
{
    if (t->n < 2) return NAN;
    return t->m2 / (double)(t->n - 1);
}

double sim_tally_sd(const sim_tally *t)
{
    return sqrt(sim_tally_variance(t));
}

/* ---- time average ------------------------------------------------------ */

void sim_timeavg_init(sim_timeavg *a, double t0, double value)
{
    assert(isfinite(t0));
    a->start = t0;
    a->last_t = t0;
    a->value = value;
    a->area = 0.0;
}

/* The area grows by the old value times how long it held. */
void sim_timeavg_set(sim_timeavg *a, double t, double v)
{
    assert(isfinite(t) && t >= a->last_t);
    a->area += a->value * (t - a->last_t);
    a->last_t = t;
    a->value = v;
}

double sim_timeavg_mean(const sim_timeavg *a, double t)
{
    assert(isfinite(t) && t >= a->last_t);
    if (t == a->start) return a->value;
    return (a->area + a->value * (t - a->last_t)) / (t - a->start);
}

/* ---- Student-t interval ------------------------------------------------ */

/*
 * mean +/- t_{1 - (1 - level)/2, n - 1} sd / sqrt(n). The quantile is taken
 * as the upper-tail inverse Qinv((1 - level)/2), equal to Pinv(1 - (1 -
 * level)/2) but without rounding 1 - tiny to 1 when level is close to 1.
 */
sim_status sim_ci_t(double mean, double sd, uint64_t n, double level, sim_interval *out)
{
    sim_t_memo memo = {0};
    return sim_ci_t_memo(&memo, mean, sd, n, level, out);
}

sim_status sim_ci_t_memo(sim_t_memo *memo, double mean, double sd, uint64_t n, double level,
                         sim_interval *out)
{
    assert(out && memo);
    out->low = out->high = out->half_width = NAN;
    if (n < 2 || !(level > 0 && level < 1) || !isfinite(mean) || !isfinite(sd) || sd < 0)
        return SIM_EINVAL;
    if (memo->n != n || memo->level != level) {
        memo->n = n;
        memo->level = level;
        memo->t = gsl_cdf_tdist_Qinv(0.5 * (1.0 - level), (double)(n - 1));
    }
    double t = memo->t;
    if (!isfinite(t)) return SIM_EINVAL;
    double half = sd == 0 ? 0.0 : t * sd / sqrt((double)n);
    out->low = mean - half;
    out->high = mean + half;
    out->half_width = half;
    return SIM_OK;
}

/* ---- batch means ------------------------------------------------------- */

void sim_batch_means_init(sim_batch_means *b, uint64_t initial_batch_size)
{
    memset(b, 0, sizeof *b);
    b->batch_size = initial_batch_size ? initial_batch_size : 1;
}

/* When all 2*SIM_BATCH_SLOTS batches are complete, batches 2i and 2i+1 become
 * batch i and the batch size doubles: the open batch is empty at that moment,
 * so every batch always holds exactly batch_size consecutive observations. */
void sim_batch_means_add(sim_batch_means *b, double x)
{
    b->current_sum += x;
    b->in_current++;
    b->n++;
    if (b->in_current < b->batch_size) return;
    b->sums[b->batches++] = b->current_sum;
    b->current_sum = 0.0;
    b->in_current = 0;
    if (b->batches == 2 * SIM_BATCH_SLOTS) {
        assert(b->batch_size <= UINT64_MAX / 2);
        for (unsigned i = 0; i < SIM_BATCH_SLOTS; i++)
            b->sums[i] = b->sums[2 * i] + b->sums[2 * i + 1];
        b->batches = SIM_BATCH_SLOTS;
        b->batch_size *= 2;
    }
}

/* Law (2015), 9.5.3: the k batch means Y_i are treated as independent and
 * normal, so Ybar +/- t_{k-1} s_Y / sqrt(k). Two passes over at most 64 means. */
sim_status sim_batch_means_ci(const sim_batch_means *b, double level, double *mean,
                              sim_interval *out)
{
    assert(mean && out);
    unsigned k = b->batches;
    if (k < 2) {
        *mean = NAN;
        out->low = out->high = out->half_width = NAN;
        return SIM_EINVAL;
    }
    double size = (double)b->batch_size, sum = 0.0;
    for (unsigned i = 0; i < k; i++)
        sum += b->sums[i] / size;
    double ybar = sum / k;
    double ss = 0.0;
    for (unsigned i = 0; i < k; i++) {
        double dev = b->sums[i] / size - ybar;
        ss += dev * dev;
    }
    *mean = ybar;
    return sim_ci_t(ybar, sqrt(ss / (k - 1)), k, level, out);
}
