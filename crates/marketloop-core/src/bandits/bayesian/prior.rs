//! The common prior of the Bayesian-choice model ([`BayesPrior`]): the paper's instances
//! (Heavy-Tail, Uniform, Needle-in-Haystack, given means), independent Beta(a_k, b_k) per arm, or
//! a user's sampler ([`CustomPrior`]); and what the principals' algorithms *believe*
//! ([`Belief`]): the true prior (as the theorems assume) or a Beta prior per arm (Beta(1, 1) as in
//! Section 5's simulations).

use crate::bandits::{BanditError, BetaPrior, InstanceSpec, MeanVector, NeedlePosition};
use crate::rng::PortableRng;
use rand_distr::{Beta, Distribution};
use std::fmt;
use std::sync::Arc;

type Sampler = dyn Fn(&mut PortableRng) -> Vec<f64> + Send + Sync;

/// A user's prior: a name, the number of arms and a sampler of mean vectors drawing only from
/// the stream it is handed. Every draw is checked (K means, each in [0, 1]).
#[derive(Clone)]
pub struct CustomPrior {
    name: String,
    k: usize,
    sample: Arc<Sampler>,
}

impl CustomPrior {
    /// A prior named `name` on `k` arms drawn by `sample`.
    pub fn new<F>(name: impl Into<String>, k: usize, sample: F) -> Self
    where
        F: Fn(&mut PortableRng) -> Vec<f64> + Send + Sync + 'static,
    {
        CustomPrior {
            name: name.into(),
            k,
            sample: Arc::new(sample),
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl PartialEq for CustomPrior {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.sample, &other.sample) && self.name == other.name && self.k == other.k
    }
}

impl fmt::Debug for CustomPrior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomPrior")
            .field("name", &self.name)
            .field("k", &self.k)
            .finish_non_exhaustive()
    }
}

/// The common prior over mean vectors (independent across arms for the built-ins).
#[derive(Clone, Debug, PartialEq)]
pub enum BayesPrior {
    /// One of the paper's instances (or given means: a point mass).
    Instance(InstanceSpec),
    /// Independent Beta(a_k, b_k) per arm: `params[k] = (a_k, b_k)`.
    Beta(Vec<(f64, f64)>),
    /// A user's sampler.
    Custom(CustomPrior),
}

impl BayesPrior {
    /// Validated: K >= 2 and every parameter in range (errors name the field).
    pub fn new(prior: BayesPrior) -> Result<Self, BanditError> {
        prior.validate()?;
        Ok(prior)
    }

    /// Number of arms K.
    pub fn k(&self) -> usize {
        match self {
            BayesPrior::Instance(i) => i.k(),
            BayesPrior::Beta(p) => p.len(),
            BayesPrior::Custom(c) => c.k,
        }
    }

    /// Short display name ("Heavy-Tail", "Beta", the user's name, ...).
    pub fn display_name(&self) -> String {
        match self {
            BayesPrior::Instance(i) => i.display_name().into(),
            BayesPrior::Beta(_) => "Beta".into(),
            BayesPrior::Custom(c) => c.name.clone(),
        }
    }

    /// Checks K >= 2 and the parameters.
    pub fn validate(&self) -> Result<(), BanditError> {
        let k = self.k();
        if k < 2 {
            return Err(BanditError::range(
                "prior: number of arms K",
                k,
                "[2, infinity)",
            ));
        }
        match self {
            BayesPrior::Instance(i) => i.validate(),
            BayesPrior::Beta(params) => {
                for (arm, &(a, b)) in params.iter().enumerate() {
                    for (n, x) in [("a", a), ("b", b)] {
                        if !(x.is_finite() && x > 0.0) {
                            return Err(BanditError::range(
                                format!("prior: Beta parameter {n} of arm {arm}"),
                                x,
                                "(0, infinity)",
                            ));
                        }
                    }
                }
                Ok(())
            }
            BayesPrior::Custom(_) => Ok(()),
        }
    }

    /// The mean of each arm under the prior, when it is known in closed form (not for a user's
    /// sampler).
    pub fn prior_means(&self) -> Option<Vec<f64>> {
        let k = self.k();
        Some(match self {
            BayesPrior::Instance(InstanceSpec::HeavyTail { a, b, .. }) => vec![a / (a + b); k],
            BayesPrior::Instance(InstanceSpec::Uniform { low, high, .. }) => {
                vec![0.5 * (low + high); k]
            }
            BayesPrior::Instance(InstanceSpec::NeedleInHaystack {
                needle,
                needle_mean,
                base_mean,
                ..
            }) => match needle {
                NeedlePosition::Random => {
                    vec![base_mean + (needle_mean - base_mean) / k as f64; k]
                }
                NeedlePosition::Fixed(i) => {
                    let mut v = vec![*base_mean; k];
                    v[*i] = *needle_mean;
                    v
                }
            },
            BayesPrior::Instance(InstanceSpec::Means { means }) => means.clone(),
            BayesPrior::Beta(p) => p.iter().map(|&(a, b)| a / (a + b)).collect(),
            BayesPrior::Custom(_) => return None,
        })
    }

    /// Draws one mean vector from `rng` (checked: K means in [0, 1]).
    pub fn draw(&self, rng: &mut PortableRng) -> Result<MeanVector, BanditError> {
        match self {
            BayesPrior::Instance(i) => i.draw(rng),
            BayesPrior::Beta(params) => {
                let mut v = Vec::with_capacity(params.len());
                for &(a, b) in params {
                    let d = Beta::new(a, b).map_err(|e| {
                        BanditError::range("prior: Beta parameters", e, "(0, infinity)")
                    })?;
                    v.push(d.sample(rng).clamp(0.0, 1.0));
                }
                MeanVector::new(v)
            }
            BayesPrior::Custom(c) => {
                let v = (c.sample)(rng);
                if v.len() != c.k {
                    return Err(BanditError::Mismatch(format!(
                        "prior {:?} on K = {} arms drew {} means {v:?}; it must return K means",
                        c.name,
                        c.k,
                        v.len()
                    )));
                }
                for (arm, &m) in v.iter().enumerate() {
                    if !(0.0..=1.0).contains(&m) {
                        return Err(BanditError::range(
                            format!("prior {:?}: drawn mean of arm {arm}", c.name),
                            m,
                            "[0, 1]",
                        ));
                    }
                }
                MeanVector::new(v)
            }
        }
    }
}

/// What the principals' algorithms believe the prior is.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum Belief {
    /// The true prior (as the theorems assume): BayesGreedy is then Bayes-greedy for it.
    #[default]
    True,
    /// An independent Beta prior per arm (Beta(1, 1) in Section 5's simulations).
    Beta(BetaPrior),
}

/// How the algorithms' beliefs are realised for a prior.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ResolvedBelief {
    /// A conjugate Beta prior: every algorithm runs on Beta posteriors with these parameters.
    Conjugate(BetaPrior),
    /// A non-conjugate true prior: the greedy algorithms (BG, SG, BEG) use its exact posterior
    /// means; other algorithms are not defined for it.
    Exact(super::posterior::PosteriorMean),
}

impl Belief {
    /// Resolves the belief for `prior`; `Belief::True` on a user's sampler or on per-arm Beta
    /// priors with different parameters is an error naming the field.
    pub(crate) fn resolve(&self, prior: &BayesPrior) -> Result<ResolvedBelief, BanditError> {
        use super::posterior::PosteriorMean;
        let unsupported = |why: &str| {
            Err(BanditError::range(
                "belief",
                "true",
                &format!("a prior marketloop can update exactly ({why}); give belief = {{ alpha = A, beta = B }} instead"),
            ))
        };
        match (self, prior) {
            (Belief::Beta(b), _) => Ok(ResolvedBelief::Conjugate(BetaPrior::new(b.alpha, b.beta)?)),
            (Belief::True, BayesPrior::Instance(InstanceSpec::HeavyTail { a, b, .. })) => {
                Ok(ResolvedBelief::Conjugate(BetaPrior::new(*a, *b)?))
            }
            (Belief::True, BayesPrior::Beta(params)) => {
                let (a, b) = params[0];
                if params.iter().any(|&p| p != (a, b)) {
                    return unsupported("per-arm Beta priors must share (a, b) for belief = true");
                }
                Ok(ResolvedBelief::Conjugate(BetaPrior::new(a, b)?))
            }
            (Belief::True, BayesPrior::Instance(InstanceSpec::Uniform { low, high, .. })) => {
                Ok(ResolvedBelief::Exact(PosteriorMean::Uniform {
                    low: *low,
                    high: *high,
                }))
            }
            (
                Belief::True,
                BayesPrior::Instance(InstanceSpec::NeedleInHaystack {
                    needle: NeedlePosition::Random,
                    needle_mean,
                    base_mean,
                    ..
                }),
            ) => Ok(ResolvedBelief::Exact(PosteriorMean::Needle {
                needle: *needle_mean,
                base: *base_mean,
            })),
            (Belief::True, BayesPrior::Instance(_)) => Ok(ResolvedBelief::Exact(
                PosteriorMean::Known(prior.prior_means().unwrap_or_default()),
            )),
            (Belief::True, BayesPrior::Custom(_)) => {
                unsupported("a user's sampler has no posterior marketloop can compute")
            }
        }
    }

    /// Short label: "true prior" or "Beta(a, b)".
    pub fn short(&self) -> String {
        match self {
            Belief::True => "true prior".into(),
            Belief::Beta(b) => format!("Beta({}, {})", b.alpha, b.beta),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn bad_priors_name_the_field() {
        let e = BayesPrior::new(BayesPrior::Beta(vec![(1.0, 1.0)]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("number of arms K = 1"), "{e}");
        let e = BayesPrior::new(BayesPrior::Beta(vec![(1.0, 1.0), (0.0, 2.0)]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Beta parameter a of arm 1 = 0"), "{e}");
        let e = BayesPrior::new(BayesPrior::Instance(InstanceSpec::HeavyTail {
            k: 3,
            a: -1.0,
            b: 0.6,
        }))
        .unwrap_err()
        .to_string();
        assert!(e.contains("= -1"), "{e}");
        let bad = BayesPrior::Custom(CustomPrior::new("wild", 2, |_| vec![0.5, 1.5]));
        let mut rng = SeedSequence::new(1).stream(0, Source::Instance);
        let e = bad.draw(&mut rng).unwrap_err().to_string();
        assert!(e.contains("\"wild\": drawn mean of arm 1 = 1.5"), "{e}");
        let e = Belief::True.resolve(&bad).unwrap_err().to_string();
        assert!(e.contains("belief = true"), "{e}");
    }

    #[test]
    fn prior_means_match_draws() {
        let mut rng = SeedSequence::new(2).stream(0, Source::Instance);
        for prior in [
            BayesPrior::Instance(InstanceSpec::heavy_tail(3)),
            BayesPrior::Instance(InstanceSpec::uniform(3)),
            BayesPrior::Instance(InstanceSpec::needle_in_haystack(3)),
            BayesPrior::Beta(vec![(2.0, 1.0), (1.0, 3.0)]),
        ] {
            let want = prior.prior_means().unwrap();
            let n = 20_000;
            let mut sum = vec![0.0; prior.k()];
            for _ in 0..n {
                for (s, m) in sum.iter_mut().zip(prior.draw(&mut rng).unwrap().means()) {
                    *s += m;
                }
            }
            // Means in [0, 1] have sd <= 1/2: 5 standard errors.
            let tol = 5.0 * 0.5 / (n as f64).sqrt();
            for (s, w) in sum.iter().zip(&want) {
                assert!((s / n as f64 - w).abs() < tol, "{prior:?}: {s} vs {w}");
            }
        }
    }
}
