//! Rankings that learn q in the loop: per-(type, item) Beta posteriors of the purchase
//! probability, updated from the platform's own trials (a trial is a pull of the tried item; a
//! purchase is a success), and four ways to rank by them ([`LearningRule`]): greedy on the
//! posterior mean, epsilon-greedy, Thompson sampling and UCB.
//!
//! - **Personalised** platforms keep one posterior per (user type, item) and rank for the
//!   arriving user's type; **pooled** ones keep one per item and rank the same for everybody.
//! - **Popularity-free** rankings order items by their score s_gj alone; **popularity-weighted**
//!   ones by s_gj * vhat_gj * d_j^{r_g}, the score times the item's logit weight (the expected
//!   purchases per unit of attention of a greedy performance ranking). For a pooled platform
//!   vhat and r are the population averages sum_i w_i vhat_ij and sum_i w_i r_i.
//!
//! Cost per step: greedy keeps every group's items in an ordered set keyed by the score and
//! its first P keys in an array (`greedy_top.rs`), so a trial or a purchase moves one key
//! (O(log n + P)) and a ranking copies the array (O(P));
//! epsilon-greedy adds one coin and, with probability eps, a partial Fisher-Yates (P draws).
//! Popularity-free Thompson sampling merges the order statistics of the items that share a
//! posterior with direct draws of the others (`thompson_top.rs`), which are tested against the
//! running P-th largest draw by tail bounds with geometric skips over blocks of items
//! (`thompson_direct.rs`: O(classes + P log classes + blocks + contenders), a contender being
//! an item whose draw may reach the top P); popularity-weighted Thompson sampling draws one exact Beta
//! per item and keeps the top P (O(n)). Popularity-free UCB merges the items grouped by trial
//! count and, inside a count, by mean (`ucb_top.rs`: O(C + P log P) for C distinct trial
//! counts; a trial moves one item between two buckets of equal keys); popularity-weighted
//! UCB recomputes every index, as ln N changes every step (O(n)). Ties go to the lower item
//! index. Draws come from the platform's ranking stream.

use super::error::ArenaError;
use super::greedy_top::GreedyTop;
use super::thompson_top::ThompsonTop;
use super::ucb_top::UcbTop;
use crate::bandits::BetaSampler;
use crate::market::ranking::PartialShuffle;
use crate::market::{CountState, Market, PlatformState, RankingPolicy, StepOutcome};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// How a learning ranking turns its posteriors into an order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LearningRule {
    /// By posterior mean alpha / (alpha + beta).
    Greedy,
    /// With probability `eps` a uniformly random ranking, else greedy.
    EpsilonGreedy {
        /// The exploration probability, in [0, 1].
        eps: f64,
    },
    /// By one draw from each item's Beta posterior.
    Thompson,
    /// By the upper confidence index mean + c sqrt(ln N / n) (N trials of the group, n of the
    /// item; an item never tried ranks first). Popularity-free, equal indices go to the higher
    /// posterior mean, then the lower item; popularity-weighted, to the lower item.
    Ucb {
        /// The exploration constant c >= 0 (UCB1: sqrt(2)).
        c: f64,
    },
}

impl LearningRule {
    /// A short name: "greedy", "eps-greedy(0.05)", "thompson", "ucb(1.41)".
    pub fn name(&self) -> String {
        match self {
            LearningRule::Greedy => "greedy".into(),
            LearningRule::EpsilonGreedy { eps } => format!("eps-greedy({eps})"),
            LearningRule::Thompson => "thompson".into(),
            LearningRule::Ucb { c } => format!("ucb({c})"),
        }
    }
}

/// A learning ranking as configured: the rule, the Beta prior and the popularity weighting.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LearningSpec {
    /// How to rank by the posteriors.
    pub rule: LearningRule,
    /// Prior alpha0 > 0.
    pub alpha: f64,
    /// Prior beta0 > 0.
    pub beta: f64,
    /// Rank by score * vhat * d^r instead of the score alone.
    pub popularity_weighted: bool,
}

impl LearningSpec {
    /// Checks the prior (a proper Beta: alpha, beta finite and > 0) and the rule's parameter;
    /// errors name `field.alpha`, `field.eps`, ...
    pub fn check(&self, field: &str) -> Result<(), ArenaError> {
        for (k, x) in [("alpha", self.alpha), ("beta", self.beta)] {
            if !(x.is_finite() && x > 0.0) {
                return Err(ArenaError::invalid(
                    format!("{field}.{k}"),
                    format!(
                        "prior {k} = {x}: a learning ranking needs a proper Beta prior, \
                         alpha and beta finite and > 0"
                    ),
                ));
            }
        }
        match self.rule {
            LearningRule::EpsilonGreedy { eps } if !(0.0..=1.0).contains(&eps) => {
                Err(ArenaError::invalid(
                    format!("{field}.eps"),
                    format!("eps = {eps} must lie in [0, 1]"),
                ))
            }
            LearningRule::Ucb { c } if !(c.is_finite() && c >= 0.0) => Err(ArenaError::invalid(
                format!("{field}.c"),
                format!("UCB constant c = {c} must be finite and >= 0"),
            )),
            _ => Ok(()),
        }
    }
}

#[inline]
fn pow_r(d: u64, r: f64) -> f64 {
    let x = d as f64;
    if r == 0.0 {
        1.0
    } else if r == 0.5 {
        x.sqrt()
    } else if r == 1.0 {
        x
    } else {
        x.powf(r)
    }
}

/// A ranking that learns q from its own trials (see the module docs).
#[derive(Clone, Debug)]
pub struct LearningRanking {
    spec: LearningSpec,
    n: usize,
    k: usize,
    groups: usize,
    /// Successes and failures per (group, item), row-major.
    succ: Vec<u32>,
    fail: Vec<u32>,
    /// Trials per group.
    group_trials: Vec<u64>,
    /// Popularity weighting: vhat per (group, item) and r per group.
    vhat: Vec<f64>,
    r: Vec<f64>,
    /// The latest counts d_j (for the popularity weights).
    counts: Vec<u64>,
    /// Greedy and epsilon-greedy: per group the items ordered by score, the first k at hand
    /// (`None` for the other rules).
    greedy: Option<GreedyTop>,
    /// Popularity-free Thompson sampling: the items grouped by shared posterior.
    top: Option<ThompsonTop>,
    /// Popularity-free UCB: the items grouped by trial count, ordered by mean.
    ucb: Option<UcbTop>,
    /// Working space: the shown items, scores, an index permutation.
    out: Vec<u32>,
    scores: Vec<f64>,
    perm: Vec<u32>,
    /// The ε-steps' random ranking over `perm`.
    shuffle: PartialShuffle,
}

impl LearningRanking {
    /// A learning ranking on `market` for `positions` positions; `personalised` keeps one
    /// posterior per (type, item). `spec` must have passed [`LearningSpec::check`].
    pub fn new(market: &Market, positions: usize, spec: LearningSpec, personalised: bool) -> Self {
        let (n, m) = (market.n_items(), market.n_types());
        let (groups, vhat, r) = if personalised {
            (
                m,
                market.visibility().to_f64().into_owned(),
                market.feedback().to_vec(),
            )
        } else {
            let w = market.weights();
            let vbar = (0..n)
                .map(|j| (0..m).map(|i| w[i] * market.visibility_at(i, j)).sum())
                .collect();
            let rbar = (0..m).map(|i| w[i] * market.feedback()[i]).sum();
            (1, vbar, vec![rbar])
        };
        let greedy_like = matches!(
            spec.rule,
            LearningRule::Greedy | LearningRule::EpsilonGreedy { .. }
        );
        let mut ranking = Self {
            spec,
            n,
            k: positions.min(n),
            groups,
            succ: vec![0; groups * n],
            fail: vec![0; groups * n],
            group_trials: vec![0; groups],
            vhat,
            r,
            counts: vec![1; n],
            greedy: None,
            top: (spec.rule == LearningRule::Thompson && !spec.popularity_weighted)
                .then(|| ThompsonTop::new(groups, n, spec.alpha, spec.beta)),
            ucb: (matches!(spec.rule, LearningRule::Ucb { .. }) && !spec.popularity_weighted)
                .then(|| UcbTop::new(groups, n, spec.alpha / (spec.alpha + spec.beta))),
            out: Vec::with_capacity(positions.min(n)),
            scores: vec![0.0; n],
            perm: (0..n as u32).collect(),
            shuffle: PartialShuffle::new(n, positions.min(n)),
        };
        if greedy_like {
            let top = GreedyTop::new(groups, n, ranking.k, |g, j| {
                ranking.mean(g, j) * ranking.weight(g, j)
            });
            ranking.greedy = Some(top);
        }
        ranking
    }

    /// The configuration.
    pub fn spec(&self) -> &LearningSpec {
        &self.spec
    }

    /// Number of posterior groups: the number of user types if personalised, else 1.
    pub fn groups(&self) -> usize {
        self.groups
    }

    #[inline]
    fn group(&self, user_type: usize) -> usize {
        if self.groups == 1 {
            0
        } else {
            user_type
        }
    }

    /// Posterior mean of item `item` in group `group`.
    #[inline]
    pub fn mean(&self, group: usize, item: usize) -> f64 {
        let (a, b) = self.params(group, item);
        a / (a + b)
    }

    /// Posterior (alpha, beta) of item `item` in group `group`.
    #[inline]
    pub fn params(&self, group: usize, item: usize) -> (f64, f64) {
        let x = group * self.n + item;
        (
            self.spec.alpha + f64::from(self.succ[x]),
            self.spec.beta + f64::from(self.fail[x]),
        )
    }

    /// Trials of item `item` in group `group`.
    #[inline]
    pub fn trials(&self, group: usize, item: usize) -> u32 {
        let x = group * self.n + item;
        self.succ[x] + self.fail[x]
    }

    /// The popularity weight vhat_gj d_j^{r_g} (1 when popularity-free).
    #[inline]
    fn weight(&self, group: usize, item: usize) -> f64 {
        if self.spec.popularity_weighted {
            self.vhat[group * self.n + item] * pow_r(self.counts[item], self.r[group])
        } else {
            1.0
        }
    }

    /// Moves item `item` of group `group` to its current greedy score.
    #[inline]
    fn rekey(&mut self, group: usize, item: usize) {
        let score = self.mean(group, item) * self.weight(group, item);
        if let Some(greedy) = &mut self.greedy {
            greedy.rekey(group, item, score);
        }
    }

    /// Root-mean-square error of the posterior means against q over the (group, item) pairs
    /// tried at least once: q_ij for a personalised platform, sum_i w_i q_ij for a pooled one.
    /// `None` before the first trial.
    pub fn estimate_error(&self, market: &Market) -> Option<f64> {
        let (mut sum, mut count) = (0.0, 0u64);
        for g in 0..self.groups {
            for j in 0..self.n {
                if self.trials(g, j) == 0 {
                    continue;
                }
                let q = if self.groups == 1 && market.n_types() > 1 {
                    (0..market.n_types())
                        .map(|i| market.weights()[i] * market.quality_at(i, j))
                        .sum()
                } else {
                    market.quality_at(g, j)
                };
                let e = self.mean(g, j) - q;
                sum += e * e;
                count += 1;
            }
        }
        (count > 0).then(|| (sum / count as f64).sqrt())
    }

    /// The top `k` of `scores` (descending, ties to the lower index) into `out`: O(n) selection,
    /// then the k sorted.
    fn top_k(&mut self) {
        let scores = &self.scores;
        let better = |a: &u32, b: &u32| {
            scores[*b as usize]
                .total_cmp(&scores[*a as usize])
                .then(a.cmp(b))
        };
        for (p, x) in self.perm.iter_mut().enumerate() {
            *x = p as u32;
        }
        if self.k < self.n {
            self.perm.select_nth_unstable_by(self.k, better);
        }
        self.perm[..self.k].sort_unstable_by(better);
        self.out.clear();
        self.out.extend_from_slice(&self.perm[..self.k]);
    }

    fn greedy(&mut self, group: usize) {
        self.out.clear();
        if let Some(greedy) = &self.greedy {
            self.out.extend(greedy.first(group));
        }
    }
}

impl RankingPolicy for LearningRanking {
    fn reset<R: Rng + ?Sized>(&mut self, counts: &[u64], _rng: &mut R) {
        self.succ.iter_mut().for_each(|x| *x = 0);
        self.fail.iter_mut().for_each(|x| *x = 0);
        self.group_trials.iter_mut().for_each(|x| *x = 0);
        self.counts.copy_from_slice(counts);
        if let Some(top) = &mut self.top {
            top.reset();
        }
        if let Some(ucb) = &mut self.ucb {
            ucb.reset();
        }
        if let Some(mut greedy) = self.greedy.take() {
            greedy.reset(|g, j| self.mean(g, j) * self.weight(g, j));
            self.greedy = Some(greedy);
        }
    }

    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, rng: &mut R) -> &[u32] {
        let g = self.group(user_type);
        match self.spec.rule {
            LearningRule::Greedy => self.greedy(g),
            LearningRule::EpsilonGreedy { eps } => {
                if rng.random::<f64>() < eps {
                    // Partial Fisher-Yates, as the random ranking.
                    let shown = self.shuffle.apply(&mut self.perm, rng);
                    self.out.clear();
                    self.out.extend_from_slice(shown);
                } else {
                    self.greedy(g);
                }
            }
            LearningRule::Thompson if self.top.is_some() => {
                if let Some(top) = &mut self.top {
                    top.top_k(g, self.k, rng, &mut self.out);
                }
            }
            LearningRule::Thompson => {
                for j in 0..self.n {
                    let (a, b) = self.params(g, j);
                    let w = self.weight(g, j);
                    self.scores[j] = BetaSampler::new(a, b).sample(rng) * w;
                }
                self.top_k();
            }
            LearningRule::Ucb { c } if self.ucb.is_some() => {
                let ln_n = (self.group_trials[g].max(1) as f64).ln();
                if let Some(ucb) = &mut self.ucb {
                    ucb.top_k(g, self.k, c, ln_n, &mut self.out);
                }
            }
            LearningRule::Ucb { c } => {
                let ln_n = (self.group_trials[g].max(1) as f64).ln();
                for j in 0..self.n {
                    let t = self.trials(g, j);
                    let w = self.weight(g, j);
                    self.scores[j] = if t == 0 {
                        if w > 0.0 {
                            f64::INFINITY
                        } else {
                            0.0
                        }
                    } else {
                        (self.mean(g, j) + c * (ln_n / f64::from(t)).sqrt()) * w
                    };
                }
                self.top_k();
            }
        }
        &self.out
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, item: usize, counts: &[u64], _rng: &mut R) {
        self.counts[item] = counts[item];
        if self.spec.popularity_weighted && self.greedy.is_some() {
            for g in 0..self.groups {
                self.rekey(g, item);
            }
        }
    }

    fn is_static(&self) -> bool {
        false
    }

    #[inline]
    fn rank<R: Rng + ?Sized>(&mut self, platform: &PlatformState<'_>, rng: &mut R) -> &[u32] {
        self.shown(platform.user_type, rng)
    }

    fn observe<R: Rng + ?Sized>(
        &mut self,
        _step: u64,
        outcome: &StepOutcome,
        _state: &CountState,
        _rng: &mut R,
    ) {
        let Some(j) = outcome.tried else { return };
        let g = self.group(outcome.user_type);
        let x = g * self.n + j;
        let (old_trials, old_mean) = (self.trials(g, j), self.mean(g, j));
        if outcome.bought {
            self.succ[x] += 1;
        } else {
            self.fail[x] += 1;
        }
        self.group_trials[g] += 1;
        if self.greedy.is_some() {
            self.rekey(g, j);
        }
        if let Some(top) = &mut self.top {
            top.observe(g, j, self.succ[x], self.fail[x]);
        }
        let mean = self.mean(g, j);
        if let Some(ucb) = &mut self.ucb {
            ucb.observe(g, j, old_trials, old_mean, mean);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::InitialCounts;
    use crate::rng::{SeedSequence, Source};

    fn market() -> Market {
        Market::builder()
            .items(5)
            .weights([0.5, 0.5])
            .visibility(vec![1.0; 10])
            .quality([0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1])
            .feedback([0.5, 0.5])
            .initial_counts(InitialCounts::Fixed(vec![1; 5]))
            .build()
            .unwrap()
    }

    fn spec(rule: LearningRule) -> LearningSpec {
        LearningSpec {
            rule,
            alpha: 1.0,
            beta: 1.0,
            popularity_weighted: false,
        }
    }

    fn feed(l: &mut LearningRanking, user_type: usize, item: usize, bought: bool) {
        let mk = market();
        let st = CountState::new(&mk, vec![1; 5]).unwrap();
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        l.observe(
            0,
            &StepOutcome {
                user_type,
                tried: Some(item),
                bought,
            },
            &st,
            &mut rng,
        );
    }

    #[test]
    fn greedy_ranks_by_posterior_mean_per_type_with_index_ties() {
        let mk = market();
        let mut l = LearningRanking::new(&mk, 3, spec(LearningRule::Greedy), true);
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        l.reset(&[1; 5], &mut rng);
        assert_eq!(l.shown(0, &mut rng), &[0, 1, 2]);
        feed(&mut l, 0, 0, false); // item 0 of type 0: mean 1/3
        feed(&mut l, 0, 3, true); // item 3 of type 0: mean 2/3
        assert_eq!(l.shown(0, &mut rng), &[3, 1, 2]);
        assert_eq!(l.shown(1, &mut rng), &[0, 1, 2], "type 1 learned nothing");
        // pooled: both types feed one posterior
        let mut p = LearningRanking::new(&mk, 2, spec(LearningRule::Greedy), false);
        p.reset(&[1; 5], &mut rng);
        feed(&mut p, 1, 4, true);
        assert_eq!(p.shown(0, &mut rng), &[4, 0]);
        assert_eq!(p.groups(), 1);
    }

    #[test]
    fn greedy_set_order_equals_a_full_sort() {
        let mk = market();
        for weighted in [false, true] {
            let mut s = spec(LearningRule::Greedy);
            s.popularity_weighted = weighted;
            let mut l = LearningRanking::new(&mk, 5, s, true);
            let mut rng = SeedSequence::new(3).stream(0, Source::Ranking);
            let mut counts = vec![1u64; 5];
            l.reset(&counts, &mut rng);
            for t in 0..500u64 {
                let (i, j) = ((t % 2) as usize, rng.random_range(0..5));
                let bought = rng.random::<f64>() < mk.quality_at(i, j);
                if bought {
                    counts[j] += 1;
                    l.on_purchase(j, &counts, &mut rng);
                }
                feed(&mut l, i, j, bought);
                let mut want: Vec<u32> = (0..5).collect();
                let sc = |j: u32| l.mean(i, j as usize) * l.weight(i, j as usize);
                want.sort_by(|&a, &b| sc(b).total_cmp(&sc(a)).then(a.cmp(&b)));
                assert_eq!(l.shown(i, &mut rng), &want[..], "step {t}");
            }
        }
    }

    #[test]
    fn learners_estimate_q_and_find_the_best_item() {
        // Feed each learner its own shown top item's Bernoulli outcome (a 5-armed bandit):
        // every rule ends with its q error small on the tried items and mostly shows item 4.
        let mk = market();
        for rule in [
            LearningRule::Greedy,
            LearningRule::EpsilonGreedy { eps: 0.1 },
            LearningRule::Thompson,
            LearningRule::Ucb { c: 2f64.sqrt() },
        ] {
            let mut l = LearningRanking::new(&mk, 1, spec(rule), true);
            let mut rng = SeedSequence::new(7).stream(0, Source::Ranking);
            let mut coin = SeedSequence::new(7).stream(0, Source::Purchase);
            l.reset(&[1; 5], &mut rng);
            let mut best = 0;
            let t = 20_000;
            for _ in 0..t {
                let j = l.shown(0, &mut rng)[0] as usize;
                best += usize::from(j == 4);
                let bought = coin.random::<f64>() < mk.quality_at(0, j);
                feed(&mut l, 0, j, bought);
            }
            assert!(l.estimate_error(&mk).unwrap() < 0.2, "{rule:?}");
            if rule != LearningRule::Greedy {
                assert!(best > t * 3 / 4, "{rule:?}: best item shown {best} of {t}");
            }
        }
    }

    #[test]
    fn improper_priors_and_bad_parameters_are_rejected() {
        let mut s = spec(LearningRule::Thompson);
        s.alpha = 0.0;
        let e = s.check("platforms[1].ranking").unwrap_err();
        assert_eq!(e.field().as_deref(), Some("platforms[1].ranking.alpha"));
        assert!(e.to_string().contains("proper Beta"));
        s.alpha = 1.0;
        s.beta = f64::NAN;
        assert!(s.check("x").is_err());
        assert!(spec(LearningRule::EpsilonGreedy { eps: 1.5 })
            .check("x")
            .unwrap_err()
            .to_string()
            .contains("eps = 1.5"));
        assert!(spec(LearningRule::Ucb { c: -1.0 }).check("x").is_err());
        assert!(spec(LearningRule::Ucb { c: 0.5 }).check("x").is_ok());
    }
}
