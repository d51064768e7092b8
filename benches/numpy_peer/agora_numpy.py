#!/usr/bin/env python3
"""The Social CRM model v3 in NumPy, written from docs/model.md alone.

The project's own peer (issue #30): a vectorised implementation (no loop
over citizens in Python; the per-month loop and a few loops over the
redraws of Watts-Strogatz rewiring remain) of the specification of record,
used to time agora against a second implementation of the same model and
to check the specification: its aggregate outputs should agree with agora's
within the replicate noise (compare.py). Its random numbers are NumPy's
(PCG64), not agora's addressed streams, so runs agree only in distribution.

Section numbers below are those of docs/model.md. Only the built-in
scenarios' settings are supported (Zipf jurisdictions, Watts-Strogatz
social and peer graphs, the distributions of section 7, the `future` of
fracture, participation or pioneer at the branch step).

    python3 agora_numpy.py --scenario fracture --citizens 100000 --seed 1 --out ts.csv
"""

import argparse
import csv
import sys
import time

import numpy as np

EPS_CITIZEN = 1e-6  # section 6.5: tolerance on citizen f32 state
EPS_ADMIN = 1e-9  # and on administration state
INTERACTION_MONTHS = 12  # "the last 12 months": online ages 0 to 11 (section 13)
PREHISTORY = 24  # section 5

# Section 7, the defaults (dynamics).
DYNAMICS = dict(
    digital_innovation=0.006535, digital_imitation=0.009757, digital_step=0.1,
    need_rate=0.1, digital_demand=1.0, repeat_rate=0.5,
    channel_openness=0.3, fallback=0.5, capacity_per_citizen=0.12,
    productivity_gain=0.5, coproduction_capacity=0.5, resolution_base=0.6,
    satisfaction_rate=0.2, expectation_base=0.4, expectation_digital=0.4,
    trust_experience_rate=0.05, trust_negativity=1.0, trust_social_rate=0.05,
    trust_social_digital=0.15, participation_rate=0.5, participation_openness=0.2,
    participation_trust_gain=0.05, adoption_innovation=0.00262, pioneer_innovation=0.05,
    adoption_imitation=0.062515, citizen_pressure=0.05, adoption_step=0.25,
    roi_barrier_scale=1.0, security_barrier_scale=1.0, organizational_barrier_scale=1.0,
    roi_learning=0.2, roi_measurement=0.3, roi_peer_weight=0.5,
    security_investment=0.0, security_learning=0.02, incident_rate=0.004,
    incident_exposure=0.5, incident_trust_loss=0.1, incident_barrier_rise=0.2,
    incident_peer_rise=0.05, training=0.0, org_experience=0.003, integration_rate=0.05,
    transformation_adoption=0.5, transformation_participation=0.12, transformation_rate=0.15,
    project_failure=0.2, failure_roi_rise=0.2, failure_peer_rise=0.05,
    abandonment_rate=0.003, abandonment_incident=10.0, abandonment_results=2.0,
)

# Section 12 and scenarios/*.ron: the futures, applied at the branch step.
FUTURES = {
    "pioneer": {},
    "fracture": dict(adoption_innovation=0.0, adoption_imitation=0.0, incident_rate=0.012,
                     capacity_per_citizen=0.08, channel_openness=0.15, roi_measurement=0.1),
    "participation": dict(adoption_innovation=0.08, roi_barrier_scale=0.5, security_barrier_scale=0.5,
                          training=0.05, roi_measurement=0.7, security_investment=0.5,
                          channel_openness=0.5, participation_openness=0.8),
}

METRICS = [
    "digitalization", "digital_interaction", "adoption", "presence_share", "reach", "adopter_share",
    "transformed_share", "integration", "trust", "trust_gap", "satisfaction", "participation",
    "unheard_share", "service_rate", "repeat_share", "pending_share", "productivity", "roi_barrier",
    "security_barrier", "organizational_barrier", "incidents", "abandoned_share", "failed_projects",
    "fracture", "cost",
]


def zipf_sizes(n, m, exponent=1.0):
    """Section 2: block j gets floor(n (j+1)^-s / H), leftovers one each to blocks 0, 1, ..."""
    w = (np.arange(1, m + 1, dtype=np.float64)) ** -exponent
    sizes = np.floor(n * w / w.sum()).astype(np.int64)
    left = n - sizes.sum()
    sizes[: int(left)] += 1
    return sizes


def watts_strogatz(n, k, beta, rng):
    """Section 13: for each lag 1..k/2 and node, rewire the edge to the lag
    neighbour with chance beta to a uniform node, redrawn while it is the node
    itself or already a neighbour. Vectorised per lag: the draws of one lag are
    made at once, then the (rare) collisions redrawn until none is left.
    Returns CSR (indptr, indices)."""
    src_all, dst_all = [], []
    nodes = np.arange(n, dtype=np.int64)
    # Keys of the current edge set, for the "already a neighbour" test.
    lattice = [(nodes, (nodes + lag) % n) for lag in range(1, k // 2 + 1)]
    for lag, (s, t) in enumerate(lattice, start=1):
        rewire = rng.random(n) < beta
        new_t = t.copy()
        idx = np.flatnonzero(rewire)
        new_t[idx] = rng.integers(0, n, size=idx.size)
        src_all.append(s)
        dst_all.append(new_t)
        # Redraw self-loops and duplicates among the rewired edges.
        while True:
            src = np.concatenate(src_all)
            dst = np.concatenate(dst_all)
            lo, hi = np.minimum(src, dst), np.maximum(src, dst)
            key = lo * n + hi
            # The edges still to come (later lags' lattice edges) also count as neighbours.
            future = [np.minimum(a, b) * n + np.maximum(a, b) for a, b in lattice[lag:]]
            allkeys = np.concatenate([key] + future)
            order = np.argsort(allkeys, kind="stable")
            sk = allkeys[order]
            same = sk[1:] == sk[:-1]
            dup = np.zeros(allkeys.size, dtype=bool)
            dup[order[1:][same]] = True  # every member of a group of equal keys
            dup[order[:-1][same]] = True
            dup = dup[: key.size]
            bad_cur = np.zeros(key.size, dtype=bool)
            base = key.size - n
            bad_cur[base:] = (dup[base:] | (src[base:] == dst[base:])) & rewire
            bad = np.flatnonzero(bad_cur[base:])
            if bad.size == 0:
                break
            dst_all[-1][bad] = rng.integers(0, n, size=bad.size)
    src = np.concatenate(src_all)
    dst = np.concatenate(dst_all)
    a = np.concatenate([src, dst])
    b = np.concatenate([dst, src])
    order = np.argsort(a, kind="stable")
    indices = b[order].astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(a, minlength=n), out=indptr[1:])
    return indptr, indices


class Model:
    def __init__(self, n, m=100, seed=0, future="fracture", branch=168, dtype=np.float32):
        self.rng = rng = np.random.default_rng(seed)
        self.n, self.m = n, m
        self.dyn = dict(DYNAMICS)
        self.future = FUTURES[future]
        self.branch = branch
        self.step_index = 0
        self.cost = 0.0
        # Section 5, in order: jurisdictions, social graph, peer graph.
        self.sizes = zipf_sizes(n, m)
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)[:-1]])
        self.admin_of = np.repeat(np.arange(m), self.sizes)
        self.indptr, self.indices = watts_strogatz(n, 10, 0.1, rng)
        self.deg = np.diff(self.indptr).astype(dtype)
        self.row_starts = self.indptr[:-1]
        self.has_nb = self.deg > 0
        pp, pi = watts_strogatz(m, 4, 0.1, rng)
        self.peer_ptr, self.peer_idx = pp, pi
        self.peer_deg = np.diff(pp).astype(np.float64)
        # Citizens (section 7): c, d clipped to c, t, s.
        self.c = rng.beta(5.0, 1.5, n).astype(dtype)
        self.d = np.minimum(rng.beta(1.9668, 5.0332, n).astype(dtype), self.c)
        self.t = rng.uniform(0.4, 0.6, n).astype(dtype)
        self.s = np.full(n, 0.5, dtype=dtype)
        # Online age: geometric with the monthly chance q of an online contact.
        dy = self.dyn
        q = (dy["need_rate"] * (1 + dy["digital_demand"] * self.d.astype(np.float64))
             / (1 - dy["repeat_rate"] * (1 - dy["resolution_base"])) * self.d)
        q = np.clip(q, 0.0, 1.0)
        u = rng.random(n)
        with np.errstate(divide="ignore", invalid="ignore"):
            # P(age >= k) = (1 - q)^k: age = floor(ln u / ln(1 - q)).
            age = np.floor(np.log(u) / np.log1p(-q))
        age = np.where(q <= 0, 255, np.where(q >= 1, 0, np.minimum(age, 255)))
        self.age = age.astype(np.uint8)
        self.pending = np.zeros(n, dtype=bool)
        # Administrations: a, r, sigma, o; size readiness; first steps.
        self.a = np.zeros(m)
        self.r = rng.uniform(0.3, 0.6, m)
        self.sig = rng.uniform(0.3, 0.6, m)
        self.o = rng.uniform(0.3, 0.6, m)
        nmin, nmax = self.sizes.min(), self.sizes.max()
        qj = np.log(self.sizes / nmin) / np.log(nmax / nmin) if nmax > nmin else np.zeros(m)
        scale = 1 - 0.6 * qj
        self.r *= scale
        self.sig *= scale
        self.o *= scale
        ready = (1 - self.r) * (1 - self.sig) * (1 - self.o)
        lo, hi = 0.0, 1.0
        while np.mean(1 - np.exp(-hi * ready)) < 0.1981:
            hi *= 2
        for _ in range(100):
            mid = (lo + hi) / 2
            if np.mean(1 - np.exp(-mid * ready)) < 0.1981:
                lo = mid
            else:
                hi = mid
        first = rng.random(m) < 1 - np.exp(-hi * ready)
        self.a[first] = dy["adoption_step"]
        self.g = np.zeros(m)
        self.v = np.zeros(m, dtype=bool)
        self.abandoned = np.zeros(m, dtype=bool)
        self.failed = np.zeros(m, dtype=np.int64)
        self.P = np.zeros(m)
        self.flows = None
        # Prehistory: 2a-2c for 24 months, everything else frozen.
        for _ in range(PREHISTORY):
            self.service(learn=False)
        self.flows = None

    # --- helpers ---------------------------------------------------------
    def block_sum(self, x):
        return np.add.reduceat(x, self.starts)

    def nb_mean(self, x):
        sums = np.add.reduceat(x[self.indices], self.row_starts)
        return np.where(self.has_nb, sums / np.maximum(self.deg, 1), 0).astype(x.dtype)

    def peer_mean(self, x):
        sums = np.add.reduceat(x[self.peer_idx], self.peer_ptr[:-1])
        return np.where(self.peer_deg > 0, sums / np.maximum(self.peer_deg, 1), 0.0)

    def u(self):
        return self.rng.random(self.n, dtype=np.float32)

    # --- 6.1 -------------------------------------------------------------
    def diffusion(self):
        dy = self.dyn
        below = self.d < self.c - EPS_CITIZEN
        mean = self.nb_mean(self.d)
        chance = np.minimum(1.0, dy["digital_innovation"] + dy["digital_imitation"] * mean)
        up = below & (self.u() < chance)
        self.d = np.where(up, np.minimum(self.c, self.d + np.float32(dy["digital_step"])), self.d)

    # --- 6.2 -------------------------------------------------------------
    def service(self, learn=True):
        dy = self.dyn
        n = self.n
        a_c = self.a[self.admin_of]
        self.age = np.minimum(self.age.astype(np.uint16) + 1, 255).astype(np.uint8)
        u = self.u()
        repeat = self.pending & (u < dy["repeat_rate"])
        new = ~self.pending & (u < dy["need_rate"] * (1 + dy["digital_demand"] * self.d))
        need = repeat | new
        online = need & (self.u() < self.d)
        self.age[online] = 0
        answered = online & (self.u() < (dy["channel_openness"] + (1 - dy["channel_openness"]) * a_c))
        unheard = online & ~answered
        retried = unheard & (self.u() < dy["fallback"])
        request = (need & ~online) | answered | retried
        # 2b capacity
        R = self.block_sum(request.astype(np.float64))
        K = dy["capacity_per_citizen"] * self.sizes
        C = K * (1 + dy["productivity_gain"] * self.a) + dy["coproduction_capacity"] * self.v * self.P
        serve = np.where(R > 0, np.minimum(1.0, C / np.maximum(R, 1)), 1.0)
        handled = request & (self.u() < serve[self.admin_of])
        # 2c resolution
        res_p = dy["resolution_base"] + (1 - dy["resolution_base"]) * self.g
        resolved = handled & (self.u() < res_p[self.admin_of])
        self.pending = need & ~resolved
        self.need, self.resolved, self.unheard = need, resolved, unheard
        if not learn:
            return
        # 2d satisfaction and trust
        o = resolved.astype(np.float32)
        e = dy["expectation_base"] + dy["expectation_digital"] * self.d
        j = np.clip(0.5 + (o - e) / 2, 0, 1)
        s = np.where(need, self.s + np.float32(dy["satisfaction_rate"]) * (j - self.s), self.s).astype(np.float32)
        rate = dy["trust_experience_rate"] * (1 + dy["trust_negativity"] * (s < self.t))
        self.t = np.where(need, self.t + rate * (s - self.t), self.t).astype(np.float32)
        self.s = s
        self.flow_counts = dict(
            needs=need.sum(), repeats=repeat.sum(), online=online.sum(), unheard=unheard.sum(),
            resolved=resolved.sum(), capacity=K.sum())

    # --- 6.3 -------------------------------------------------------------
    def social_trust(self):
        dy = self.dyn
        mean = self.nb_mean(self.t)
        w = np.minimum(1.0, dy["trust_social_rate"] + dy["trust_social_digital"] * self.d)
        self.t = np.where(self.has_nb, self.t + w * (mean - self.t), self.t).astype(np.float32)

    # --- 6.4 -------------------------------------------------------------
    def participation(self):
        dy = self.dyn
        po = dy["participation_openness"]
        open_j = self.a * (po + (1 - po) * self.v)
        chance = np.minimum(1.0, dy["participation_rate"] * self.d * self.t * open_j[self.admin_of])
        part = self.u() < chance
        self.t = np.where(part, self.t + np.float32(dy["participation_trust_gain"]) * (1 - self.t), self.t)
        self.age[part] = 0
        self.part = part
        # Observation: P, service, voice.
        self.P = self.block_sum(part.astype(np.float64))
        needs = self.block_sum(self.need.astype(np.float64))
        res = self.block_sum(self.resolved.astype(np.float64))
        self.has_needs = needs > 0
        self.service_j = np.where(self.has_needs, res / np.maximum(needs, 1), 0.0)
        disc = self.block_sum((self.d * (1 - self.s)).astype(np.float64))
        unh = self.block_sum(self.unheard.astype(np.float64))
        self.voice = (disc + unh) / self.sizes

    # --- 6.5 -------------------------------------------------------------
    def administrations(self):
        dy = self.dyn
        m = self.m
        rng = self.rng
        peers_a = self.peer_mean(self.a)
        result = self.a * self.service_j  # 0 without needs
        peers_result = self.peer_mean(result)
        own_result = result
        # Adoption and project failure.
        barrier = ((1 - np.minimum(1, dy["roi_barrier_scale"] * self.r))
                   * (1 - np.minimum(1, dy["security_barrier_scale"] * self.sig))
                   * (1 - np.minimum(1, dy["organizational_barrier_scale"] * self.o)))
        drive = dy["adoption_innovation"] + dy["adoption_imitation"] * peers_a + dy["citizen_pressure"] * self.voice
        start = (self.a < 1 - EPS_ADMIN) & (rng.random(m) < np.minimum(1, drive * barrier))
        fail = start & (rng.random(m) < np.minimum(1, 2 * dy["project_failure"] * self.o))
        ok = start & ~fail
        self.failed += fail
        self.r = np.where(fail, self.r + dy["failure_roi_rise"] * (1 - self.r), self.r)
        self.a = np.where(ok, np.minimum(1.0, self.a + dy["adoption_step"]), self.a)
        self.abandoned &= ~ok
        # ROI barrier.
        evidence = dy["roi_measurement"] * (own_result + dy["roi_peer_weight"] * peers_result)
        self.r = self.r * (1 - np.minimum(1, dy["roi_learning"] * evidence))
        # Organisational and security barriers, integration.
        self.o = self.o * (1 - dy["training"]) * (1 - dy["org_experience"] * self.a)
        self.sig = self.sig * (1 - dy["security_learning"] * dy["security_investment"])
        self.g = self.g + dy["integration_rate"] * (self.a * (1 - self.o) - self.g)
        # Transformation.
        share = self.P / self.sizes
        tchance = dy["transformation_rate"] * self.a * np.minimum(1, share / dy["transformation_participation"]) * (1 - self.o)
        cand = (self.a >= dy["transformation_adoption"] - EPS_ADMIN) & ~self.v
        self.v = self.v | (cand & (rng.random(m) < tchance))
        # Incidents.
        inc = rng.random(m) < dy["incident_rate"] * (dy["incident_exposure"] + self.a) * (1 - dy["security_investment"])
        if inc.any():
            self.t = self.t * np.where(inc, np.float32(1 - dy["incident_trust_loss"]), np.float32(1))[self.admin_of]
        self.sig = np.where(inc, self.sig + dy["incident_barrier_rise"] * (1 - self.sig), self.sig)
        # Abandonment.
        shortfall = np.where(self.has_needs, 1 - self.service_j, 0.0)
        ab_p = np.minimum(1, dy["abandonment_rate"] * (1 + dy["abandonment_incident"] * inc)
                          * (1 + dy["abandonment_results"] * dy["roi_measurement"] * shortfall))
        ab = (self.a > EPS_ADMIN) & (rng.random(m) < ab_p)
        self.a = np.where(ab, 0.0, self.a)
        self.v &= ~ab
        self.abandoned |= ab
        self.r = np.where(ab, self.r + dy["failure_roi_rise"] * (1 - self.r), self.r)
        # News among peers: each event compounds on every peer.
        inc_news = np.add.reduceat(inc[self.peer_idx].astype(np.int64), self.peer_ptr[:-1])
        # "each failed project and each abandonment" (section 6.5): an
        # administration that fails a project and abandons in the same month
        # sends two pieces of bad news.
        setbacks = fail.astype(np.int64) + ab.astype(np.int64)
        bad_news = np.add.reduceat(setbacks[self.peer_idx], self.peer_ptr[:-1])
        self.sig = 1 - (1 - self.sig) * (1 - dy["incident_peer_rise"]) ** inc_news
        self.r = 1 - (1 - self.r) * (1 - dy["failure_peer_rise"]) ** bad_news
        self.month_counts = dict(incidents=inc.sum(), failed=fail.sum())

    def monthly_cost(self):
        dy = self.dyn
        return (dy["training"] * 10 + dy["security_investment"] * 0.5 + dy["roi_measurement"] * 0.1
                + max(0.0, dy["capacity_per_citizen"] - 0.12) * 3.48 + dy["channel_openness"] * 0.1 * 0.18
                + sum(min(1, max(0, 1 - dy[k])) * 0.3 for k in
                      ("roi_barrier_scale", "security_barrier_scale", "organizational_barrier_scale")))

    def step(self):
        if self.step_index == self.branch:
            self.dyn.update(self.future)
        self.cost += self.monthly_cost()
        self.diffusion()
        self.service()
        self.social_trust()
        self.participation()
        self.administrations()
        self.step_index += 1

    def metrics(self, flows=True):
        n, m = self.n, self.m
        d64 = self.d.astype(np.float64)
        t64 = self.t.astype(np.float64)
        digital = self.d >= 0.5 - EPS_CITIZEN
        nd = digital.sum()
        a_c = self.a[self.admin_of]
        row = dict(
            digitalization=d64.mean(),
            digital_interaction=np.mean(self.age < INTERACTION_MONTHS),
            adoption=self.a.mean(),
            presence_share=np.mean(self.a > EPS_ADMIN),
            reach=self.sizes[self.a > EPS_ADMIN].sum() / n,
            adopter_share=np.mean(self.a >= 0.5 - EPS_ADMIN),
            transformed_share=self.v.mean(),
            integration=self.g.mean(),
            trust=t64.mean(),
            trust_gap=(t64[digital].mean() - t64[~digital].mean()) if 0 < nd < n else float("nan"),
            satisfaction=self.s.astype(np.float64).mean(),
            pending_share=self.pending.mean(),
            roi_barrier=self.r.mean(), security_barrier=self.sig.mean(), organizational_barrier=self.o.mean(),
            abandoned_share=self.abandoned.mean(), failed_projects=self.failed.mean(),
            fracture=np.maximum(0.0, d64 - a_c).mean(), cost=self.cost,
        )
        nan = float("nan")
        if flows:
            f = self.flow_counts
            row.update(
                participation=self.part.mean(),
                unheard_share=f["unheard"] / f["online"] if f["online"] else nan,
                service_rate=f["resolved"] / f["needs"] if f["needs"] else nan,
                repeat_share=f["repeats"] / f["needs"] if f["needs"] else nan,
                productivity=f["resolved"] / f["capacity"],
                incidents=self.month_counts["incidents"] / m,
            )
        else:
            row.update(participation=nan, unheard_share=nan, service_rate=nan, repeat_share=nan,
                       productivity=nan, incidents=nan)
        return [row[k] for k in METRICS]


def run(n, steps, seed, scenario, m=100):
    """One replicate: returns (rows, seconds of init, seconds of steps)."""
    t0 = time.perf_counter()
    model = Model(n, m=m, seed=seed, future=scenario)
    rows = [model.metrics(flows=False)]
    t1 = time.perf_counter()
    for _ in range(steps):
        model.step()
        rows.append(model.metrics())
    t2 = time.perf_counter()
    return rows, t1 - t0, t2 - t1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="fracture", choices=sorted(FUTURES))
    p.add_argument("--citizens", type=int, default=10000)
    p.add_argument("--administrations", type=int, default=100)
    p.add_argument("--steps", type=int, default=227)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--replicates", type=int, default=1)
    p.add_argument("--out", default="-", help="timeseries CSV ('-': stdout)")
    args = p.parse_args()
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="")
    w = csv.writer(out)
    w.writerow(["scenario", "replicate", "step"] + METRICS)
    for rep in range(args.replicates):
        rows, ti, ts = run(args.citizens, args.steps, args.seed + rep, args.scenario, args.administrations)
        for step, row in enumerate(rows):
            w.writerow([args.scenario, rep, step] + [("" if x != x else repr(float(x))) for x in row])
        print(f"replicate {rep}: init {ti:.3f} s, steps {ts:.3f} s", file=sys.stderr)
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
