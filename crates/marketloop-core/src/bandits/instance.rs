//! MAB instances: distributions over Bernoulli mean vectors (the paper's Needle-in-Haystack,
//! Uniform and Heavy-Tail, and user-given vectors), and validated [`MeanVector`]s.

use super::{BanditError, RewardModel};
use rand::Rng;
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};

/// Where the needle of a Needle-in-Haystack instance sits.
///
/// The paper's text draws it uniformly at random (the default here); the authors' code fixed
/// it at index K/2. With the lowest-index tie rule the position matters for greedy algorithms
/// (they try arms in index order), which is why both are offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum NeedlePosition {
    /// Uniformly random per mean vector (the paper's text).
    #[default]
    Random,
    /// A fixed arm index (the authors' code used K/2).
    Fixed(usize),
}

/// A distribution over mean vectors (the paper's "MAB instance").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum InstanceSpec {
    /// One arm (the needle) has mean `needle_mean` (0.7), the others `base_mean` (0.5).
    NeedleInHaystack {
        /// Number of arms K.
        k: usize,
        /// Where the needle is.
        #[serde(default)]
        needle: NeedlePosition,
        /// Mean of the needle (paper: 0.7).
        #[serde(default = "default_needle_mean")]
        needle_mean: f64,
        /// Mean of every other arm (paper: 0.5).
        #[serde(default = "default_base_mean")]
        base_mean: f64,
    },
    /// Each mean ~ U[low, high] independently (paper: U[1/4, 3/4]).
    Uniform {
        /// Number of arms K.
        k: usize,
        /// Lower end (paper: 0.25).
        #[serde(default = "default_low")]
        low: f64,
        /// Upper end (paper: 0.75).
        #[serde(default = "default_high")]
        high: f64,
    },
    /// Each mean ~ Beta(a, b) independently (paper: Beta(0.6, 0.6)).
    HeavyTail {
        /// Number of arms K.
        k: usize,
        /// First Beta parameter (paper: 0.6).
        #[serde(default = "default_beta_param")]
        a: f64,
        /// Second Beta parameter (paper: 0.6).
        #[serde(default = "default_beta_param")]
        b: f64,
    },
    /// The same user-given mean vector in every run.
    Means {
        /// The means, each in [0, 1] (Bernoulli rewards) or in [-10^6, 10^6] (Gaussian
        /// rewards).
        means: Vec<f64>,
    },
}

fn default_needle_mean() -> f64 {
    0.7
}
fn default_base_mean() -> f64 {
    0.5
}
fn default_low() -> f64 {
    0.25
}
fn default_high() -> f64 {
    0.75
}
fn default_beta_param() -> f64 {
    0.6
}

impl InstanceSpec {
    /// The paper's Needle-in-Haystack with K arms and a random needle.
    pub fn needle_in_haystack(k: usize) -> Self {
        InstanceSpec::NeedleInHaystack {
            k,
            needle: NeedlePosition::Random,
            needle_mean: 0.7,
            base_mean: 0.5,
        }
    }

    /// The paper's Uniform instance, U[1/4, 3/4].
    pub fn uniform(k: usize) -> Self {
        InstanceSpec::Uniform {
            k,
            low: 0.25,
            high: 0.75,
        }
    }

    /// The paper's Heavy-Tail instance, Beta(0.6, 0.6).
    pub fn heavy_tail(k: usize) -> Self {
        InstanceSpec::HeavyTail { k, a: 0.6, b: 0.6 }
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        match self {
            InstanceSpec::NeedleInHaystack { k, .. }
            | InstanceSpec::Uniform { k, .. }
            | InstanceSpec::HeavyTail { k, .. } => *k,
            InstanceSpec::Means { means } => means.len(),
        }
    }

    /// Short display name: "Needle-in-Haystack", "Uniform", "Heavy-Tail" or "Means".
    pub fn display_name(&self) -> &'static str {
        match self {
            InstanceSpec::NeedleInHaystack { .. } => "Needle-in-Haystack",
            InstanceSpec::Uniform { .. } => "Uniform",
            InstanceSpec::HeavyTail { .. } => "Heavy-Tail",
            InstanceSpec::Means { .. } => "Means",
        }
    }

    /// A canonical label holding every parameter; seeds of an instance are derived from it, so
    /// every experiment on the same instance (and run index) sees the same mean vectors and
    /// realization tables.
    pub fn label(&self) -> String {
        match self {
            InstanceSpec::NeedleInHaystack {
                k,
                needle,
                needle_mean,
                base_mean,
            } => {
                let pos = match needle {
                    NeedlePosition::Random => "random".to_string(),
                    NeedlePosition::Fixed(i) => i.to_string(),
                };
                format!("needle-in-haystack:k={k}:needle={pos}:{needle_mean}:{base_mean}")
            }
            InstanceSpec::Uniform { k, low, high } => format!("uniform:k={k}:{low}:{high}"),
            InstanceSpec::HeavyTail { k, a, b } => format!("heavy-tail:k={k}:{a}:{b}"),
            InstanceSpec::Means { means } => {
                let m: Vec<String> = means.iter().map(|x| x.to_string()).collect();
                format!("means:{}", m.join(","))
            }
        }
    }

    /// Checks every parameter for Bernoulli rewards.
    pub fn validate(&self) -> Result<(), BanditError> {
        self.validate_for(&RewardModel::Bernoulli)
    }

    /// Checks every parameter for rewards `rewards`: as [`InstanceSpec::validate`], except
    /// that under Gaussian rewards user-given means may be any numbers in [-10^6, 10^6] (the
    /// families' parameters keep their ranges).
    pub fn validate_for(&self, rewards: &RewardModel) -> Result<(), BanditError> {
        let k = self.k();
        if k == 0 {
            return Err(BanditError::range("number of arms K", 0, "[1, infinity)"));
        }
        let unit = |name: &str, x: f64| -> Result<(), BanditError> {
            if (0.0..=1.0).contains(&x) {
                Ok(())
            } else {
                Err(BanditError::range(name, x, "[0, 1]"))
            }
        };
        match self {
            InstanceSpec::NeedleInHaystack {
                needle,
                needle_mean,
                base_mean,
                ..
            } => {
                unit("needle mean", *needle_mean)?;
                unit("base mean", *base_mean)?;
                if let NeedlePosition::Fixed(i) = needle {
                    if *i >= k {
                        return Err(BanditError::range(
                            "needle index",
                            i,
                            &format!("[0, {}] (K = {k})", k - 1),
                        ));
                    }
                }
            }
            InstanceSpec::Uniform { low, high, .. } => {
                unit("uniform lower end", *low)?;
                unit("uniform upper end", *high)?;
                if low > high {
                    return Err(BanditError::range(
                        "uniform lower end",
                        low,
                        &format!("[0, {high}] (at most the upper end)"),
                    ));
                }
            }
            InstanceSpec::HeavyTail { a, b, .. } => {
                for (name, x) in [
                    ("heavy-tail Beta parameter a", a),
                    ("heavy-tail Beta parameter b", b),
                ] {
                    if !(x.is_finite() && *x > 0.0) {
                        return Err(BanditError::range(name, x, "(0, infinity)"));
                    }
                }
            }
            InstanceSpec::Means { means } => {
                for (i, &m) in means.iter().enumerate() {
                    rewards.check_mean(i, m)?;
                }
            }
        }
        Ok(())
    }

    /// Draws one mean vector for Bernoulli rewards (call [`InstanceSpec::validate`] first;
    /// invalid parameters give an error here too).
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> Result<MeanVector, BanditError> {
        self.draw_for(rng, &RewardModel::Bernoulli)
    }

    /// Draws one mean vector for rewards `rewards` (the same draws as [`InstanceSpec::draw`]:
    /// only the validation of user-given means differs).
    pub fn draw_for<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        rewards: &RewardModel,
    ) -> Result<MeanVector, BanditError> {
        self.validate_for(rewards)?;
        let k = self.k();
        let means = match self {
            InstanceSpec::NeedleInHaystack {
                needle,
                needle_mean,
                base_mean,
                ..
            } => {
                let pos = match needle {
                    NeedlePosition::Random => rng.random_range(0..k),
                    NeedlePosition::Fixed(i) => *i,
                };
                let mut v = vec![*base_mean; k];
                v[pos] = *needle_mean;
                v
            }
            InstanceSpec::Uniform { low, high, .. } => (0..k)
                .map(|_| low + (high - low) * rng.random::<f64>())
                .collect(),
            InstanceSpec::HeavyTail { a, b, .. } => {
                let d = Beta::new(*a, *b).map_err(|e| {
                    BanditError::range("heavy-tail Beta parameters", e, "(0, infinity)")
                })?;
                (0..k).map(|_| d.sample(rng).clamp(0.0, 1.0)).collect()
            }
            InstanceSpec::Means { means } => means.clone(),
        };
        MeanVector::for_rewards(means, rewards)
    }
}

/// A validated vector of arm means with at least one arm: each in [0, 1] for Bernoulli
/// rewards ([`MeanVector::new`]), in [-10^6, 10^6] for Gaussian ones
/// ([`MeanVector::for_rewards`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeanVector {
    means: Vec<f64>,
    best: f64,
}

impl MeanVector {
    /// Validates Bernoulli means (K >= 1, each in [0, 1]).
    pub fn new(means: Vec<f64>) -> Result<Self, BanditError> {
        Self::for_rewards(means, &RewardModel::Bernoulli)
    }

    /// Validates the means for rewards `rewards` (K >= 1, each as
    /// [`RewardModel::check_mean`] allows).
    pub fn for_rewards(means: Vec<f64>, rewards: &RewardModel) -> Result<Self, BanditError> {
        if means.is_empty() {
            return Err(BanditError::range("number of arms K", 0, "[1, infinity)"));
        }
        for (i, &m) in means.iter().enumerate() {
            rewards.check_mean(i, m)?;
        }
        let best = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        Ok(Self { means, best })
    }

    /// The means.
    pub fn means(&self) -> &[f64] {
        &self.means
    }

    /// Number of arms.
    pub fn k(&self) -> usize {
        self.means.len()
    }

    /// The largest mean.
    pub fn best(&self) -> f64 {
        self.best
    }

    /// The regret of pulling `arm` once: best mean minus its mean.
    #[inline]
    pub fn gap(&self, arm: usize) -> f64 {
        self.best - self.means[arm]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};

    #[test]
    fn paper_instances_have_the_right_support() {
        let s = SeedSequence::new(1);
        for r in 0..200 {
            let mut rng = s.stream(r, Source::Instance);
            let nih = InstanceSpec::needle_in_haystack(10).draw(&mut rng).unwrap();
            assert_eq!(nih.means().iter().filter(|&&m| m == 0.7).count(), 1);
            assert_eq!(nih.means().iter().filter(|&&m| m == 0.5).count(), 9);
            let u = InstanceSpec::uniform(10).draw(&mut rng).unwrap();
            assert!(u.means().iter().all(|&m| (0.25..=0.75).contains(&m)));
            let h = InstanceSpec::heavy_tail(10).draw(&mut rng).unwrap();
            assert!(h.means().iter().all(|&m| (0.0..=1.0).contains(&m)));
        }
        let fixed = InstanceSpec::NeedleInHaystack {
            k: 10,
            needle: NeedlePosition::Fixed(5),
            needle_mean: 0.7,
            base_mean: 0.5,
        };
        let m = fixed.draw(&mut s.stream(0, Source::Instance)).unwrap();
        assert_eq!(m.means()[5], 0.7);
    }

    #[test]
    fn random_needle_is_uniform() {
        // Chi-square with 9 df over 5000 draws: the 0.999 quantile is 27.9.
        let s = SeedSequence::new(3);
        let mut rng = s.stream(0, Source::Instance);
        let mut counts = [0u32; 10];
        let n = 5000;
        for _ in 0..n {
            let m = InstanceSpec::needle_in_haystack(10).draw(&mut rng).unwrap();
            counts[m.means().iter().position(|&x| x == 0.7).unwrap()] += 1;
        }
        let e = n as f64 / 10.0;
        let chi2: f64 = counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum();
        assert!(chi2 < 27.9, "chi2 = {chi2}, counts {counts:?}");
    }

    #[test]
    fn bad_instances_are_rejected_with_the_field_named() {
        let e = InstanceSpec::uniform(0).validate().unwrap_err().to_string();
        assert!(e.contains("number of arms K = 0"), "{e}");
        let e = MeanVector::new(vec![0.5, 1.2]).unwrap_err().to_string();
        assert!(
            e.contains("mean of arm 1 = 1.2") && e.contains("[0, 1]"),
            "{e}"
        );
        let e = MeanVector::new(vec![-0.1]).unwrap_err().to_string();
        assert!(e.contains("mean of arm 0 = -0.1"), "{e}");
        let e = InstanceSpec::Means { means: vec![] }
            .validate()
            .unwrap_err()
            .to_string();
        assert!(e.contains("K = 0"), "{e}");
        let e = InstanceSpec::NeedleInHaystack {
            k: 3,
            needle: NeedlePosition::Fixed(3),
            needle_mean: 0.7,
            base_mean: 0.5,
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("needle index = 3"), "{e}");
        assert!(MeanVector::new(vec![f64::NAN]).is_err());
    }
}
