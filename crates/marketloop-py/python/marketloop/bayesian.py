"""The Bayesian-choice model of competing bandits (Section 4) from Python: the same spec as
``marketloop bayes SPEC.toml``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import pandas as pd

from . import _core
from ._args import threads as threads_arg
from ._args import whole
from ._frames import plain, to_frame, toml_source
from ._progress import progress_callback

__all__ = ["BayesianChoice"]


class BayesianChoice:
    """Two principals running bandit algorithms; agents share a prior, know the algorithms and
    their own arrival round, observe nothing else, and choose by Bayesian-expected reward.

    Keyword arguments mirror the TOML spec of ``marketloop bayes`` (docs/specs.md of the user
    guide; ``marketloop spec bayes`` prints an annotated example): ``prior``, ``k``, ``a``,
    ``b``, ``low``, ``high``, ``needle_mean``, ``base_mean``, ``beta``, ``means``, ``belief``,
    ``algorithms``, ``response``, ``bias``, ``eps``, ``temperature``, ``t``, ``t0``, ``paths``,
    ``band``, ``band_rule``, ``tail_tolerance``, ``tie_rule``, ``seed``. Unknown keys and bad
    values raise :class:`marketloop.MarketloopError` naming the field.

    ``prior`` may also be a callable ``prior(rng, k)`` returning ``k`` means in [0, 1]: a
    user's prior, drawn once per Monte Carlo path from that path's own stream ``rng`` (a
    :class:`marketloop.Rng`), so the curves are reproducible for a seed. It needs ``k`` and a
    Beta ``belief`` (e.g. ``[1, 1]``). A draw that raises, is not a sequence of numbers, has the
    wrong length, or holds NaN or a mean outside [0, 1] stops the run with a
    :class:`marketloop.MarketloopError` naming ``prior`` and the value.
    """

    kind = "bayes"

    def __init__(self, **fields: Any) -> None:
        prior = fields.get("prior")
        self.prior: Optional[Callable[[Any, int], Sequence[float]]] = None
        if callable(prior):
            self.prior = prior
            fields = {**fields, "prior": "custom"}
        self.spec: Dict[str, Any] = {k: plain(v, k) for k, v in fields.items() if v is not None}
        _core.validate_spec(self.kind, json.dumps(self.spec))
        if self.spec.get("prior") == "custom" and self.prior is None:
            raise _core.MarketloopError(
                'prior = "custom" needs the sampler itself: pass prior=callable(rng, k)'
            )

    @classmethod
    def from_toml(cls, source: Union[str, Path]) -> "BayesianChoice":
        """A game from a ``marketloop bayes`` TOML file or TOML text."""
        text, _ = toml_source(source, "bayes")
        return cls(**json.loads(_core.toml_to_json(text)))

    def run(
        self,
        *,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        out: Union[None, str, Path] = None,
        progress: Any = True,
    ) -> Tuple[pd.DataFrame, pd.DataFrame]:
        """Estimates both algorithms' reward curves and plays the game exactly.

        Returns ``(game, curves)``: one row per round t (``p``, ``pmr_1``, ``pmr_2``,
        ``pmr_se``, ``flagged``, ``exact_tie``, ``expected_share``) and one row per local step
        n (``rew_1``, ``rew_se_1``, ``bir_1``, ``bir_se_1``, the same for principal 2, and
        ``diff_se``). ``seed`` defaults to the spec's (0). ``threads`` never changes the
        results. With ``out``, also writes the run folder of ``marketloop bayes``.
        ``progress``: counts the reward curves' Monte Carlo paths (``total`` = ``paths``); a
        bar by default, a callable ``progress(done, total)``, or ``False``.
        """
        seed = self.spec.get("seed", 0) if seed is None else seed
        seed = whole(seed, "seed")
        threads = threads_arg(threads)
        with progress_callback(progress, "bayes", "path") as report:
            game, curves = _core.run_bayes(
                json.dumps(self.spec),
                int(seed),
                threads,
                None if out is None else str(out),
                report,
                self.prior,
            )
        return to_frame(game), to_frame(curves)

    def to_dict(self) -> Dict[str, Any]:
        """The spec as plain data (the fields of the bayes TOML)."""
        return json.loads(json.dumps(self.spec))

    def __repr__(self) -> str:
        return f"BayesianChoice({', '.join(f'{k}={v!r}' for k, v in self.spec.items())})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BayesianChoice)
            and other.spec == self.spec
            and other.prior is self.prior
        )
