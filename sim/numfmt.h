/*
 * Numbers as text, one way everywhere: the shortest of %.15g, %.16g, %.17g that
 * reads back to the same double, with '.' as the decimal point whatever the
 * process locale says, so outputs are byte-identical across machines and a
 * reader (pandas, R, gnuplot) gets exactly the value we held. Non-finite values
 * print as NaN, Inf and -Inf, which those readers accept.
 */
#ifndef SIM_NUMFMT_H
#define SIM_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Large enough for any double or int64 printed here. */
#define SIM_NUMFMT_BUFSIZE 32

/* Returns the length written (excluding NUL). */
size_t sim_numfmt_double(char buf[SIM_NUMFMT_BUFSIZE], double x);
size_t sim_numfmt_int(char buf[SIM_NUMFMT_BUFSIZE], int64_t x);

#endif
