//! Thompson sampling: one exact Beta draw per arm from its posterior, then the argmax, with the
//! draw order and shortcuts that keep a round cheap (see [`ThompsonSampling`]).

use super::weak_arm::WeakArm;
use super::{
    argmax, check_k, ArgmaxTie, BanditError, BanditPolicy, BetaPosterior, BetaPrior, BetaSampler,
    GammaSampler,
};
use rand::Rng;

/// ThompsonSampling: one Beta(alpha, beta) draw per arm ([`BetaSampler`]), argmax. An arm's
/// sampler is rebuilt only when that arm's posterior changes.
///
/// **Draw order (lowest-index ties).** First the arms that need the Gamma ratio are drawn, in
/// index order; then the one-uniform arms (Beta(1, 1), Beta(1, b), Beta(a, 1)), in index order,
/// each by inversion of one uniform U: theta = U, 1 - U^(1/b) or U^(1/a). Their value is only
/// computed when U shows that it can reach the running maximum m (U <= (1 - m)^b, resp.
/// U >= m^a, with a 1e-9 relative margin so rounding never drops a contender): every arm still
/// gets an independent exact Beta draw and the chosen arm is the argmax of all of them, lowest
/// index first among equal draws, but a weak arm costs one random word and one power. Under
/// [`ArgmaxTie::Random`] every draw is computed (with [`BetaSampler::sample`]) and ties are
/// broken by [`argmax`].
#[derive(Clone, Debug)]
pub struct ThompsonSampling {
    post: BetaPosterior,
    tie: ArgmaxTie,
    samplers: Vec<BetaSampler>,
    draws: Vec<f64>,
    integer_prior: bool,
    /// Whether every posterior parameter is a whole number (an integer prior and only 0/1
    /// rewards so far): the exact inversion of weak arms needs it.
    integer_params: bool,
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
            draws: vec![0.0; k],
            integer_prior: prior.alpha.fract() == 0.0 && prior.beta.fract() == 0.0,
            integer_params: prior.alpha.fract() == 0.0 && prior.beta.fract() == 0.0,
        })
    }
}

impl BanditPolicy for ThompsonSampling {
    fn k(&self) -> usize {
        self.post.k()
    }
    #[inline]
    fn select<R: Rng + ?Sized>(&mut self, rng: &mut R) -> usize {
        if self.tie == ArgmaxTie::Random {
            for (d, s) in self.draws.iter_mut().zip(&self.samplers) {
                *d = s.sample(rng);
            }
            return argmax(&self.draws, self.tie, rng);
        }
        // The leader (largest posterior mean) first, then the other Gamma-ratio arms (fully, or
        // by exact inversion when they are weak), then the one-uniform arms.
        let means = self.post.means();
        let leader = argmax(means, ArgmaxTie::LowestIndex, rng);
        let mut best = leader;
        let mut m = self.samplers[leader].sample(rng);
        for (i, s) in self.samplers.iter().enumerate() {
            if i == leader {
                continue;
            }
            if let BetaSampler::Gammas(..) = s {
                let d = if self.integer_params && means[i] < m {
                    let (a, b) = self.post.params(i);
                    match WeakArm::new(a, b, m) {
                        Some(w) => match w.draw(rng.random::<f64>()) {
                            Some(d) => d,
                            None => continue,
                        },
                        None => s.sample(rng),
                    }
                } else {
                    s.sample(rng)
                };
                if d > m || (d == m && i < best) {
                    m = d;
                    best = i;
                }
            }
        }
        for (i, s) in self.samplers.iter().enumerate() {
            if i == leader {
                continue;
            }
            let d = match *s {
                BetaSampler::Gammas(..) => continue,
                BetaSampler::Uniform => rng.random::<f64>(),
                BetaSampler::AlphaOne { b, inv_b } => {
                    let u: f64 = rng.random();
                    if m > 0.0 && u > power(1.0 - m, b) * (1.0 + 1e-9) {
                        continue;
                    }
                    1.0 - u.powf(inv_b)
                }
                BetaSampler::BetaOne { a, inv_a } => {
                    let u: f64 = rng.random();
                    if m > 0.0 && u < power(m, a) * (1.0 - 1e-9) {
                        continue;
                    }
                    u.powf(inv_a)
                }
            };
            if d > m || (d == m && i < best) {
                m = d;
                best = i;
            }
        }
        best
    }
    #[inline]
    fn update(&mut self, arm: usize, reward: f64) {
        self.post.update(arm, reward);
        let (a, b) = self.post.params(arm);
        // A Gamma-ratio arm stays one (a, b > 0 and != 1 stay != 1); after a 0/1 reward only
        // the changed parameter's Gamma sampler is rebuilt (a fractional reward, possible only
        // when the algorithm is driven directly, changes both).
        self.samplers[arm] = match self.samplers[arm] {
            BetaSampler::Gammas(_, gb) if reward == 1.0 => {
                BetaSampler::Gammas(GammaSampler::new(a), gb)
            }
            BetaSampler::Gammas(ga, _) if reward == 0.0 => {
                BetaSampler::Gammas(ga, GammaSampler::new(b))
            }
            _ => BetaSampler::new(a, b),
        };
        if reward != 0.0 && reward != 1.0 {
            self.integer_params = false;
        }
    }
    fn reset(&mut self) {
        self.post.reset();
        self.integer_params = self.integer_prior;
        let s = BetaSampler::new(self.post.prior().alpha, self.post.prior().beta);
        self.samplers.iter_mut().for_each(|x| *x = s);
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
}
