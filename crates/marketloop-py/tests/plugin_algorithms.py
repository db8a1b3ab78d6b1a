"""Plug-in bandit algorithms used by the tests (a module of its own, so Ray workers can receive
them pickled by value)."""

import math

import marketloop as ml


class PortedBG(ml.BanditAlgorithm):
    """The built-in BayesGreedy (BG) ported to Python: argmax of the Beta(1, 1) posterior means,
    ties broken exactly as the built-in breaks them under tie_rule = "random": one
    ``integers(ties)`` draw (u32, the built-in's ``random_range(0..ties)``) only when several
    arms tie, picking the tied arms in index order."""

    name = "pyBG"

    def reset(self, k):
        super().reset(k)
        self.s = [0] * k
        self.f = [0] * k
        self.mean = [0.5] * k  # alpha0 / (alpha0 + beta0), as the built-in's prior mean

    def select(self, rng):
        top = max(self.mean)
        tied = [a for a, m in enumerate(self.mean) if m == top]
        if len(tied) == 1:
            return tied[0]
        return tied[rng.integers(len(tied))]

    def update(self, arm, reward):
        if reward:
            self.s[arm] += 1
        else:
            self.f[arm] += 1
        a, b = 1.0 + self.s[arm], 1.0 + self.f[arm]
        self.mean[arm] = a / (a + b)  # one correctly rounded division, as the built-in


def _kl(p, q):
    eps = 1e-15
    p = min(max(p, eps), 1 - eps)
    q = min(max(q, eps), 1 - eps)
    return p * math.log(p / q) + (1 - p) * math.log((1 - p) / (1 - q))


class UserKLUCB(ml.BanditAlgorithm):
    """KL-UCB (Garivier & Cappe 2011) for Bernoulli arms, written by a user: each arm once, then
    the arm with the largest upper confidence bound q (n_a kl(mean_a, q) <= log t), by bisection;
    ties to the lowest index."""

    name = "user KL-UCB"

    def __init__(self, iterations=25):
        self.iterations = iterations

    def reset(self, k):
        super().reset(k)
        self.n = [0] * k
        self.s = [0] * k
        self.t = 0

    def _bound(self, a):
        p = self.s[a] / self.n[a]
        level = math.log(max(self.t, 1)) / self.n[a]
        lo, hi = p, 1.0
        for _ in range(self.iterations):
            mid = (lo + hi) / 2
            if _kl(p, mid) > level:
                hi = mid
            else:
                lo = mid
        return lo

    def select(self, rng):
        for a in range(self.k):
            if self.n[a] == 0:
                return a
        bounds = [self._bound(a) for a in range(self.k)]
        return bounds.index(max(bounds))

    def update(self, arm, reward):
        self.t += 1
        self.n[arm] += 1
        self.s[arm] += int(reward)


class Returns(ml.BanditAlgorithm):
    """Returns ``value`` from the ``at``-th select on (arm 0 before)."""

    def __init__(self, value, at=1):
        self.value, self.at, self.calls = value, at, 0

    def select(self, rng):
        self.calls += 1
        return self.value if self.calls >= self.at else 0


class Raises(ml.BanditAlgorithm):
    """Raises in select at its ``at``-th call."""

    name = "Boom"

    def __init__(self, at):
        self.at, self.calls = at, 0

    def select(self, rng):
        self.calls += 1
        if self.calls == self.at:
            raise RuntimeError("boom at call %d" % self.calls)
        return rng.integers(self.k)


class Interrupted(ml.BanditAlgorithm):
    """Raises KeyboardInterrupt in select at its ``at``-th call, as Ctrl-C would while the
    plug-in's Python code runs."""

    name = "Interrupted"

    def __init__(self, at):
        self.at, self.calls = at, 0

    def select(self, rng):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return rng.integers(self.k)


class FailsOnRun(ml.BanditAlgorithm):
    """Random arms; ``reset`` raises on the ``fail_at``-th firm copy made (class-wide count),
    i.e. in replicate ``fail_at - 1`` of a one-plug-in game; ``fail_at = None`` never fails."""

    fail_at = None
    made = 0

    def reset(self, k):
        super().reset(k)
        FailsOnRun.made += 1
        if FailsOnRun.fail_at is not None and FailsOnRun.made == FailsOnRun.fail_at:
            raise ValueError("the plug-in is broken")

    def select(self, rng):
        return rng.integers(self.k)
