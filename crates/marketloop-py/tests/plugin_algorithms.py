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


class PortedHardMax(ml.ResponseFunction):
    """The built-in HardMax with fair ties, ported: the highest reputation wins; with two firms
    a tie is one ``random()`` draw (firm 1 when it is >= 1/2), with more one ``integers(ties)``
    draw picking among the tied firms in index order, as the built-in draws them. With
    ``exact = True`` reputations come as ``(sum, n)`` and are compared by cross multiplication,
    as the built-in compares them; with floats they compare the same (a correctly rounded
    division of small integers)."""

    name = "pyHardMax"

    def __init__(self, exact=False):
        self.exact = exact

    def choose(self, reputations, recent, rng):
        if self.exact:
            # s1 / n1 vs s2 / n2 by cross multiplication (n = 0 counts as 1, as the built-in).
            def cmp(a, b):
                (s1, n1), (s2, n2) = a, b
                x, y = s1 * max(n2, 1), s2 * max(n1, 1)
                return (x > y) - (x < y)
        else:
            def cmp(a, b):
                return (a > b) - (a < b)
        best = 0
        for i in range(1, len(reputations)):
            if cmp(reputations[i], reputations[best]) > 0:
                best = i
        tied = [i for i, r in enumerate(reputations) if cmp(r, reputations[best]) == 0]
        if len(tied) == 1:
            return tied[0]
        if len(reputations) == 2:
            return int(rng.random() >= 0.5)
        return tied[rng.integers(len(tied))]


def loyal_to_the_last(reputations, recent, rng):
    """A plain function as a response: every user picks the last firm."""
    return len(reputations) - 1


class BadResponse(ml.ResponseFunction):
    """Returns ``value`` from its ``at``-th call on (a HardMax choice before)."""

    name = "BadResponse"

    def __init__(self, value, at=1):
        self.value, self.at, self.calls = value, at, 0

    def choose(self, reputations, recent, rng):
        self.calls += 1
        if self.calls >= self.at:
            if self.value == "raise":
                raise RuntimeError("no firm for you")
            return self.value
        return reputations.index(max(reputations))


class RecordsRecent(ml.ResponseFunction):
    """HardMax without tie draws that logs (class-wide) what it was handed."""

    log = []

    def choose(self, reputations, recent, rng):
        RecordsRecent.log.append((list(reputations), list(recent)))
        return reputations.index(max(reputations))


class RandomArms(ml.BanditAlgorithm):
    """Uniformly random arms, one ``integers(k)`` draw per selection, learning nothing: its
    selections do not depend on feedback, so batched and unbatched runs are the same."""

    name = "random arms"

    def select(self, rng):
        return rng.integers(self.k)

    def select_many(self, n, rng):
        return [rng.integers(self.k) for _ in range(n)]


class BatchLearner(PortedBG):
    """BG that logs (class-wide) how many rewards it had learned at each ``select_many`` call
    and the size of each ``update_many`` batch."""

    name = "batch learner"
    log = []

    def reset(self, k):
        super().reset(k)
        self.seen = 0

    def select_many(self, n, rng):
        BatchLearner.log.append(("select_many", n, self.seen))
        return super().select_many(n, rng)

    def update_many(self, arms, rewards):
        BatchLearner.log.append(("update_many", len(arms), self.seen))
        super().update_many(arms, rewards)

    def update(self, arm, reward):
        self.seen += 1
        super().update(arm, reward)


class BadBatch(ml.BanditAlgorithm):
    """``select_many`` returns ``value`` from its ``at``-th call on (valid arms before)."""

    name = "BadBatch"

    def __init__(self, value, at=1):
        self.value, self.at, self.calls = value, at, 0

    def select(self, rng):
        return 0

    def select_many(self, n, rng):
        self.calls += 1
        if self.calls >= self.at:
            if self.value == "raise":
                raise ValueError("no batch today")
            return self.value(n) if callable(self.value) else self.value
        return [0] * n
