#!/usr/bin/python3
"""bench/mm1_simpy -- the M/M/1 reference queue of bench_mm1 in SimPy 2.x.

Arrival rate 0.9, service rate 1.0, one server, FIFO: theory says the mean
wait in queue is Wq = lambda / (mu (mu - lambda)) = 9.0 days. Written the
textbook SimPy 2 way (Debian's python3-simpy 2.3.1): a source process
activates one customer process per arrival; each customer requests the
Resource, holds for its service time and releases it.

Customers per second is the count over the wall time of simulate() alone
(time.perf_counter), as bench_mm1 times its run. The 95% interval of the
mean wait is by batch means (20 batches), like bench_mm1's.

    /usr/bin/python3 bench/mm1_simpy.py [customers]     default 1,000,000

Prints two lines in bench_mm1's format ("mm1 simpy: ..."). Exit 64 on a bad
argument, 69 when SimPy 2.x is not importable.
"""
import math
import random
import sys
import time

try:
    from SimPy.Simulation import (Process, Resource, activate, hold, initialize,
                                  now, release, request, simulate)
    import SimPy
except ImportError:
    sys.stderr.write("mm1_simpy: SimPy 2.x not found (apt-get install python3-simpy)\n")
    sys.exit(69)

ARRIVAL_RATE = 0.9
SERVICE_RATE = 1.0
BATCHES = 20
T_975_19 = 2.093024054408263  # Student t, 0.975 quantile, 19 degrees of freedom


class Customer(Process):
    def visit(self, server, waits, service_days):
        arrived = now()
        yield request, self, server
        waits.append(now() - arrived)
        yield hold, self, service_days
        yield release, self, server


class Source(Process):
    def generate(self, customers, server, waits, rng):
        for _ in range(customers):
            c = Customer()
            activate(c, c.visit(server, waits, rng.expovariate(SERVICE_RATE)))
            yield hold, self, rng.expovariate(ARRIVAL_RATE)


def main(argv):
    customers = 1000000
    if len(argv) > 1:
        try:
            customers = int(argv[1])
        except ValueError:
            customers = 0
        if customers < 100:
            sys.stderr.write("usage: mm1_simpy.py [customers >= 100]\n")
            return 64
    rng = random.Random(1)
    waits = []
    initialize()
    server = Resource(capacity=1, name="server", unitName="server")
    src = Source()
    activate(src, src.generate(customers, server, waits, rng))
    t0 = time.perf_counter()
    simulate(until=1e300)
    wall = time.perf_counter() - t0

    served = len(waits)
    mean = math.fsum(waits) / served
    size = served // BATCHES
    means = [math.fsum(waits[i * size:(i + 1) * size]) / size for i in range(BATCHES)]
    grand = sum(means) / BATCHES
    sd = math.sqrt(sum((m - grand) ** 2 for m in means) / (BATCHES - 1))
    half = T_975_19 * sd / math.sqrt(BATCHES)
    theory = ARRIVAL_RATE / (SERVICE_RATE * (SERVICE_RATE - ARRIVAL_RATE))
    print("mm1 simpy: %d customers in %.3f s = %.3f M customers/s (SimPy %s, Python %s)"
          % (served, wall, served / wall / 1e6, SimPy.__version__, sys.version.split()[0]))
    print("mm1 simpy: mean wait in queue %.3f days, 95%% CI [%.3f, %.3f] (theory %.3f)"
          % (mean, mean - half, mean + half, theory))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
