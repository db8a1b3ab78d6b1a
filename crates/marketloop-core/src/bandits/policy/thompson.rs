//! Thompson sampling: one exact Beta draw per arm from its posterior, then the argmax, with the
//! draw order and shortcuts that keep a round cheap (see [`ThompsonSampling`]).

use super::tail_thinning::{Beat, TailBounds};
use super::{
    argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior, BetaSampler,
};
use rand::Rng;

/// ThompsonSampling: one Beta(alpha, beta) draw per arm ([`BetaSampler`]), argmax. An arm's
/// sampler is rebuilt when it is next drawn in full after its posterior changed.
///
/// **Rounds (lowest-index ties).** Every arm's draw has its exact Beta law and the chosen arm is
/// the argmax of all of them, lowest index first among equal draws, but most draws are decided
/// without being computed (the thinning of `tail_thinning`):
///
/// - **Split round.** When the leader (the largest posterior mean) has a lower-tail bound at
///   sigma (three posterior standard deviations below its mean), every other arm is decided
///   against sigma, in index order: a Gamma-ratio arm by its upper-tail bound (one random word
///   when it is below), a one-uniform arm (Beta(1, 1), Beta(1, b), Beta(a, 1)) by its uniform U
///   (theta = U, 1 - U^(1/b) or U^(1/a), compared with sigma through U <= (1 - sigma)^b,
///   resp. U >= sigma^a, with a 1e-9 relative margin so rounding never drops a contender);
///   then the leader by its lower-tail bound. If no other arm is above sigma and the leader is
///   not below it, the leader wins; otherwise the draws still needed are taken from their
///   conditional laws (above sigma for the leader, below its cap for an arm that was below)
///   and compared.
/// - **Leader-first round**, otherwise: the leader is drawn, then the other Gamma-ratio arms
///   against the running maximum m (full draws, or the tail thinning when the arm's mean is
///   below m), then the one-uniform arms by inversion, their value computed only when U shows
///   that it can reach m.
///
/// Under [`ArgmaxTie::Random`] every draw is computed (with [`BetaSampler::sample`]) and ties
/// are broken by [`argmax`].
#[derive(Clone, Debug)]
pub struct ThompsonSampling {
    post: BetaPosterior,
    tie: ArgmaxTie,
    samplers: Vec<BetaSampler>,
    /// Gamma-ratio samplers whose arm was pulled since they were built (rebuilt when drawn:
    /// the leader is pulled in most rounds but rarely drawn in full).
    stale: Vec<bool>,
    draws: Vec<f64>,
    /// Every arm's tail bounds and normaliser (the tail thinning).
    bounds: TailBounds,
    /// A split round's arms whose draws are known only to lie below a cap.
    pending: Vec<Pending>,
    /// Per one-uniform arm: (m, its [`uniform_cut`] at m), m NaN when none is kept.
    cuts: Vec<(f64, f64)>,
}

/// An arm of a split round whose draw is known only to lie below sigma.
#[derive(Clone, Copy, Debug)]
enum Pending {
    /// A Gamma-ratio arm whose draw is at most `cap` (its tau): drawn, if needed, from its Beta
    /// law conditioned on that (by rejection; the condition has probability above 1/2).
    Capped(usize, f64),
    /// A one-uniform arm's uniform, whose inversion gives its draw.
    Inverted(usize, f64),
}

/// Whether draw `d` of arm `i` beats draw `top` of arm `best` (lowest index first among equal
/// draws).
#[inline]
fn beats(d: f64, i: usize, top: f64, best: usize) -> bool {
    d > top || (d == top && i < best)
}

impl ThompsonSampling {
    /// On `k` arms.
    pub fn new(k: usize, prior: BetaPrior, tie: ArgmaxTie) -> Result<Self, BanditError> {
        check_k(k)?;
        let post = BetaPosterior::new(k, prior);
        Ok(ThompsonSampling {
            post,
            tie,
            samplers: vec![BetaSampler::new(prior.alpha, prior.beta); k],
            stale: vec![false; k],
            draws: vec![0.0; k],
            bounds: TailBounds::new(k, prior.alpha, prior.beta),
            pending: Vec::with_capacity(k),
            cuts: vec![(f64::NAN, f64::NAN); k],
        })
    }

    /// Arm `i`'s full draw (its sampler rebuilt first if stale).
    #[inline]
    fn draw<R: Rng + ?Sized>(&mut self, i: usize, rng: &mut R) -> f64 {
        if self.stale[i] {
            let (a, b) = self.post.params(i);
            self.samplers[i] = BetaSampler::new(a, b);
            self.stale[i] = false;
        }
        self.samplers[i].sample(rng)
    }

    /// Whether one-uniform arm `i`'s draw from its uniform u is certainly below `m`, without
    /// computing it ([`uniform_cut`]; never for Beta(1, 1) or when m <= 0). The cut is kept
    /// for the last m the arm was tested against (a split round's sigma holds for many rounds).
    #[inline]
    fn below_from_uniform(&mut self, i: usize, u: f64, m: f64) -> bool {
        if m.is_nan() || m <= 0.0 {
            return false;
        }
        let (at, kept) = self.cuts[i];
        let cut = if at == m {
            kept
        } else {
            let c = uniform_cut(&self.samplers[i], m);
            self.cuts[i] = (m, c);
            c
        };
        match self.samplers[i] {
            BetaSampler::AlphaOne { .. } => u > cut,
            BetaSampler::BetaOne { .. } => u < cut,
            _ => false,
        }
    }

    /// A Gamma-ratio arm against the running maximum `m`: None when its draw is at most its tau
    /// (so at most m; the tail thinning, tried when its mean is below m), else its draw.
    #[inline]
    fn gamma_arm<R: Rng + ?Sized>(&mut self, i: usize, m: f64, rng: &mut R) -> Option<f64> {
        if self.post.means()[i] >= m {
            return Some(self.draw(i, rng));
        }
        let (a, b) = self.post.params(i);
        match self.bounds.beat(i, a, b, m, rng) {
            Beat::Below => None,
            Beat::Value(y) => Some(y),
            Beat::DrawInFull => Some(self.draw(i, rng)),
        }
    }

    /// The split round (see the type's docs), or None, having drawn nothing, when the leader
    /// has no lower bound.
    #[inline]
    fn split_round<R: Rng + ?Sized>(&mut self, leader: usize, rng: &mut R) -> Option<usize> {
        let (al, bl) = self.post.params(leader);
        let sigma = self.bounds.leader_sigma(leader, al, bl)?;
        self.pending.clear();
        // The largest known draw among the other arms (index order, so equal draws keep the
        // lowest index).
        let (mut best, mut top) = (usize::MAX, f64::NEG_INFINITY);
        for i in 0..self.samplers.len() {
            if i == leader {
                continue;
            }
            let s = self.samplers[i];
            let d = match s {
                BetaSampler::Gammas(..) => match self.gamma_arm(i, sigma, rng) {
                    Some(d) => d,
                    None => {
                        self.pending.push(Pending::Capped(i, self.bounds.tau(i)));
                        continue;
                    }
                },
                BetaSampler::Uniform => self.draw(i, rng),
                BetaSampler::AlphaOne { .. } | BetaSampler::BetaOne { .. } => {
                    let u: f64 = rng.random();
                    if self.below_from_uniform(i, u, sigma) {
                        self.pending.push(Pending::Inverted(i, u));
                        continue;
                    }
                    invert(&s, u)
                }
            };
            if d > top {
                top = d;
                best = i;
            }
        }
        match self.bounds.below_sigma(leader, al, bl, rng) {
            // The leader's draw is at least sigma: above every pending arm.
            None => {
                if top < sigma {
                    return Some(leader);
                }
                let x = loop {
                    let x = self.draw(leader, rng);
                    if x >= sigma {
                        break x;
                    }
                };
                Some(if beats(x, leader, top, best) {
                    leader
                } else {
                    best
                })
            }
            // Below sigma: every pending arm's draw is needed.
            Some(y) => {
                if beats(y, leader, top, best) {
                    (best, top) = (leader, y);
                }
                for j in 0..self.pending.len() {
                    let (i, d) = match self.pending[j] {
                        Pending::Capped(i, cap) => (
                            i,
                            loop {
                                let x = self.draw(i, rng);
                                if x <= cap {
                                    break x;
                                }
                            },
                        ),
                        Pending::Inverted(i, u) => (i, invert(&self.samplers[i], u)),
                    };
                    if beats(d, i, top, best) {
                        (best, top) = (i, d);
                    }
                }
                Some(best)
            }
        }
    }
}

/// A one-uniform arm's cut on its uniform u against `m` > 0: its draw is certainly below m
/// when u > (1 - m)^b for Beta(1, b), u < m^a for Beta(a, 1) (with a 1e-9 relative margin so
/// rounding never drops a contender); NaN (no cut) for other samplers.
#[inline]
fn uniform_cut(s: &BetaSampler, m: f64) -> f64 {
    match *s {
        BetaSampler::AlphaOne { b, .. } => power(1.0 - m, b) * (1.0 + 1e-9),
        BetaSampler::BetaOne { a, .. } => power(m, a) * (1.0 - 1e-9),
        _ => f64::NAN,
    }
}

/// A one-uniform arm's draw from its uniform u: u, 1 - u^(1/b) or u^(1/a).
#[inline]
fn invert(s: &BetaSampler, u: f64) -> f64 {
    match *s {
        BetaSampler::AlphaOne { inv_b, .. } => 1.0 - u.powf(inv_b),
        BetaSampler::BetaOne { inv_a, .. } => u.powf(inv_a),
        _ => u,
    }
}

impl BanditPolicy for ThompsonSampling {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if self.tie == ArgmaxTie::Random {
            for i in 0..self.draws.len() {
                self.draws[i] = self.draw(i, rng);
            }
            return argmax(&self.draws, self.tie, rng);
        }
        // A split round when the leader has a lower bound; else the leader first, then the other
        // Gamma-ratio arms (fully, or by tail thinning when they are weak), then the one-uniform
        // arms.
        let leader = self.post.leader();
        if let Some(best) = self.split_round(leader, rng) {
            return best;
        }
        let mut best = leader;
        let mut m = self.draw(leader, rng);
        for i in 0..self.samplers.len() {
            if i == leader {
                continue;
            }
            if let BetaSampler::Gammas(..) = self.samplers[i] {
                if let Some(d) = self.gamma_arm(i, m, rng) {
                    if beats(d, i, m, best) {
                        (best, m) = (i, d);
                    }
                }
            }
        }
        for i in 0..self.samplers.len() {
            if i == leader {
                continue;
            }
            let s = self.samplers[i];
            let d = match s {
                BetaSampler::Gammas(..) => continue,
                BetaSampler::Uniform => rng.random::<f64>(),
                BetaSampler::AlphaOne { .. } | BetaSampler::BetaOne { .. } => {
                    let u: f64 = rng.random();
                    if self.below_from_uniform(i, u, m) {
                        continue;
                    }
                    invert(&s, u)
                }
            };
            if beats(d, i, m, best) {
                (best, m) = (i, d);
            }
        }
        best
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        let (a0, b0) = self.post.params(arm);
        self.bounds.update(arm, a0, b0, reward);
        self.post.update(arm, reward);
        // A Gamma-ratio arm stays one (a, b > 0 and != 1 stay != 1): after a 0/1 reward it is
        // only marked stale and rebuilt when next drawn in full (a fractional reward, possible
        // only when the algorithm is driven directly, rebuilds it now, as any other arm).
        if matches!(self.samplers[arm], BetaSampler::Gammas(..)) && (reward == 0.0 || reward == 1.0)
        {
            self.stale[arm] = true;
        } else {
            let (a, b) = self.post.params(arm);
            self.samplers[arm] = BetaSampler::new(a, b);
            self.stale[arm] = false;
            self.cuts[arm].0 = f64::NAN;
        }
    }
    fn reset(&mut self) {
        self.post.reset();
        let prior = self.post.prior();
        self.bounds = TailBounds::new(self.post.k(), prior.alpha, prior.beta);
        let s = BetaSampler::new(prior.alpha, prior.beta);
        self.samplers.iter_mut().for_each(|x| *x = s);
        self.stale.iter_mut().for_each(|x| *x = false);
        self.cuts.iter_mut().for_each(|c| c.0 = f64::NAN);
    }
    fn posterior(&self) -> &BetaPosterior {
        &self.post
    }
}

/// x^e for x in [0, 1] and e > 0: by repeated multiplication for whole e up to 10^6 (relative
/// error below 1e-10), else `powf`.
#[inline]
fn power(x: f64, e: f64) -> f64 {
    if e <= 1e6 && e.fract() == 0.0 {
        x.powi(e as i32)
    } else {
        x.powf(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bandits::policy::tests::beta_cdf_int;
    use crate::rng::SeedSequence;

    #[test]
    fn thompson_frequencies_match_posterior_probabilities() {
        // Two arms with Beta(3, 1) vs Beta(1, 3): P(theta_0 > theta_1)
        // = 1 - int_0^1 3 (1 - y)^2 y^3 dy = 1 - 3 B(4, 3) = 0.95.
        let mut ts =
            ThompsonSampling::new(2, BetaPrior::default(), ArgmaxTie::LowestIndex).unwrap();
        ts.update(0, 1.0);
        ts.update(0, 1.0);
        ts.update(1, 0.0);
        ts.update(1, 0.0);
        let mut rng = SeedSequence::new(5).exploration_stream(0, 0);
        let n = 20_000;
        let zero = (0..n).filter(|_| ts.select(&mut rng) == 0).count() as f64 / n as f64;
        let p = 0.95;
        let sd = (p * (1.0 - p) / n as f64).sqrt();
        assert!((zero - p).abs() < 5.0 * sd, "{zero} vs {p}");
    }

    #[test]
    fn thompson_choice_frequencies_match_the_exact_argmax_probabilities() {
        // Arms of every sampler kind: Beta(3, 2), Beta(1, 4), Beta(4, 1), Beta(1, 1), Beta(6, 3),
        // Beta(2, 9). P(arm i has the largest draw) = int f_i(x) prod_{j != i} F_j(x) dx,
        // integrated numerically (Simpson, 20000 intervals: error far below 1e-6).
        let shapes: [(u32, u32); 6] = [(3, 2), (1, 4), (4, 1), (1, 1), (6, 3), (2, 9)];
        let fact = |n: u32| (1..=n).map(f64::from).product::<f64>();
        let density = |a: u32, b: u32, x: f64| {
            x.powi(a as i32 - 1) * (1.0 - x).powi(b as i32 - 1) * fact(a + b - 1)
                / (fact(a - 1) * fact(b - 1))
        };
        let m = 20_000;
        let h = 1.0 / m as f64;
        let exact: Vec<f64> = (0..shapes.len())
            .map(|i| {
                let g = |x: f64| {
                    let (a, b) = shapes[i];
                    let mut v = density(a, b, x);
                    for (j, &(aj, bj)) in shapes.iter().enumerate() {
                        if j != i {
                            v *= beta_cdf_int(aj, bj, x.min(1.0 - 1e-16));
                        }
                    }
                    v
                };
                (0..=m)
                    .map(|k| {
                        let w = if k == 0 || k == m {
                            1.0
                        } else if k % 2 == 1 {
                            4.0
                        } else {
                            2.0
                        };
                        w * g(k as f64 * h)
                    })
                    .sum::<f64>()
                    * h
                    / 3.0
            })
            .collect();
        assert!((exact.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{exact:?}");
        for tie in [ArgmaxTie::LowestIndex, ArgmaxTie::Random] {
            let mut ts = ThompsonSampling::new(6, BetaPrior::default(), tie).unwrap();
            for (arm, &(a, b)) in shapes.iter().enumerate() {
                for _ in 1..a {
                    ts.update(arm, 1.0);
                }
                for _ in 1..b {
                    ts.update(arm, 0.0);
                }
            }
            let mut rng = SeedSequence::new(13).exploration_stream(0, 0);
            let n = 60_000;
            let mut counts = [0u32; 6];
            for _ in 0..n {
                counts[ts.select(&mut rng)] += 1;
            }
            for (i, &c) in counts.iter().enumerate() {
                let f = f64::from(c) / n as f64;
                let sd = (exact[i] * (1.0 - exact[i]) / n as f64).sqrt();
                assert!(
                    (f - exact[i]).abs() < 5.0 * sd + 1e-6,
                    "{tie:?}: arm {i} chosen {f}, exact {}",
                    exact[i]
                );
            }
        }
    }

    #[test]
    fn the_split_round_chooses_as_full_draws_do_on_heavy_tail_posteriors() {
        // Posteriors of the Heavy-Tail prior Beta(0.6, 0.6) (no shape is a whole number; one
        // arm has no failure, one no success): the lowest-index rule (split rounds against the
        // leader's lower bound, tail thinning) against every arm drawn in full (the random-tie
        // rule; ties have probability 0). Two-sample chi-square on the choice counts, df 5,
        // 0.999 quantile 20.52.
        // Two sets: a close race with an arm without failures (the leader's value is often
        // needed), and a dominant leader (most rounds end without any full draw).
        let sets: [[(u32, u32); 6]; 2] = [
            [(5, 2), (0, 4), (20, 3), (2, 0), (1, 1), (3, 9)],
            [(5, 2), (0, 4), (40, 6), (1, 1), (3, 9), (0, 1)],
        ];
        let prior = BetaPrior::new(0.6, 0.6).unwrap();
        let n = 200_000;
        for (set, shapes) in sets.iter().enumerate() {
            let mut counts = [[0u32; 6]; 2];
            for (side, tie) in [ArgmaxTie::LowestIndex, ArgmaxTie::Random]
                .into_iter()
                .enumerate()
            {
                let mut ts = ThompsonSampling::new(6, prior, tie).unwrap();
                for (arm, &(s, f)) in shapes.iter().enumerate() {
                    (0..s).for_each(|_| ts.update(arm, 1.0));
                    (0..f).for_each(|_| ts.update(arm, 0.0));
                }
                let mut rng = SeedSequence::new(31 + side as u64).exploration_stream(0, 0);
                for _ in 0..n {
                    counts[side][ts.select(&mut rng)] += 1;
                }
            }
            let chi2: f64 = (0..6)
                .filter(|&i| counts[0][i] + counts[1][i] > 0)
                .map(|i| {
                    let (x, y) = (f64::from(counts[0][i]), f64::from(counts[1][i]));
                    (x - y).powi(2) / (x + y)
                })
                .sum();
            assert!(chi2 < 20.52, "set {set}: chi-square {chi2}: {counts:?}");
            assert!(counts[0][2] > n / 4, "set {set}: {counts:?}");
        }
    }
}
