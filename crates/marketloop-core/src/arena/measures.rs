//! What an arena run measures ([`ArenaPoint`] every K steps, [`ArenaTrajectory`] per
//! replicate), and the two measures that are new here: the Gini coefficient of item shares and
//! the specialisation index, the mutual information between the arriving user's type and the
//! platform she chooses (in bits).

use serde::{Deserialize, Serialize};

/// One platform at one measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlatformPoint {
    /// Market share: the fraction of the users so far who chose the platform.
    pub share: f64,
    /// Purchases / users served (game users only; 0 before the first).
    pub efficiency: f64,
    /// Entropy of the platform's item shares (nats; warm start and initial counts included).
    pub entropy: f64,
    /// Gini coefficient of the platform's item counts.
    pub gini: f64,
    /// Cumulative regret against the quality-oracle ranking: the sum over the platform's users
    /// of P(buy | the oracle's slate) - P(buy | the slate shown), both at the platform's state
    /// when she arrived (negative when the ranking beats the oracle, as a performance ranking
    /// can).
    pub regret: f64,
    /// A learning ranking's error ||q_hat - q|| (root-mean-square over the (type, item) pairs it
    /// has tried); `None` for other rankings or before the first trial.
    pub q_error: Option<f64>,
    /// The platform's overall reputation (mean purchase outcome of its last `window` users).
    pub reputation: f64,
}

/// Every platform and the market at one measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArenaPoint {
    /// Users arrived so far.
    pub step: u64,
    /// One entry per platform.
    pub platforms: Vec<PlatformPoint>,
    /// Consumer welfare: purchases per user over all platforms.
    pub welfare: f64,
    /// Mutual information between user type and chosen platform (bits).
    pub specialisation: f64,
    /// Its largest possible value given the platforms available: min(H(type), log2 P).
    pub specialisation_max: f64,
}

/// One replicate of an arena.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArenaTrajectory {
    /// The replicate index.
    pub replicate: u64,
    /// The initial counts d^0 (the same on every platform).
    pub initial_counts: Vec<u64>,
    /// The measurements, in step order.
    pub points: Vec<ArenaPoint>,
    /// Users of each type who chose each platform: `[platform][type]`.
    pub chosen_by_type: Vec<Vec<u64>>,
    /// Users of each type.
    pub type_arrivals: Vec<u64>,
    /// Each platform's final counts d_j.
    pub final_counts: Vec<Vec<u64>>,
    /// Each platform's trials per item (warm start included).
    pub trials: Vec<Vec<u64>>,
}

/// The Gini coefficient of non-negative values (0: all equal; (n - 1) / n: one holds all):
/// sum_k (2k - n - 1) x_(k) / (n sum x) over the sorted values, k = 1..n. `scratch` is reused.
pub fn gini(values: &[u64], scratch: &mut Vec<u64>) -> f64 {
    let n = values.len();
    let total: u64 = values.iter().sum();
    if n == 0 || total == 0 {
        return 0.0;
    }
    scratch.clear();
    scratch.extend_from_slice(values);
    scratch.sort_unstable();
    let mut acc = 0.0;
    for (k, &x) in scratch.iter().enumerate() {
        acc += (2.0 * (k + 1) as f64 - n as f64 - 1.0) * x as f64;
    }
    acc / (n as f64 * total as f64)
}

/// Entropy in bits of counts (0 for no mass).
fn entropy_bits(counts: impl Iterator<Item = u64> + Clone) -> f64 {
    let total: u64 = counts.clone().sum();
    if total == 0 {
        return 0.0;
    }
    let t = total as f64;
    counts
        .filter(|&c| c > 0)
        .map(|c| {
            let p = c as f64 / t;
            -p * p.log2()
        })
        .sum()
}

/// Mutual information (bits) of the joint counts `joint[p][i]` (platform p, type i) and its
/// maximum min(H(type), log2 `platforms`): H(type) + H(platform) - H(type, platform), clamped
/// at 0 against rounding.
pub fn specialisation(joint: &[Vec<u64>], platforms: usize) -> (f64, f64) {
    let m = joint.first().map_or(0, Vec::len);
    let h_type = entropy_bits((0..m).map(|i| joint.iter().map(|row| row[i]).sum::<u64>()));
    let h_plat = entropy_bits(joint.iter().map(|row| row.iter().sum::<u64>()));
    let h_joint = entropy_bits(joint.iter().flat_map(|row| row.iter().copied()));
    let mi = (h_type + h_plat - h_joint).max(0.0);
    let max = h_type.min((platforms.max(1) as f64).log2());
    (mi, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_known_vectors() {
        let mut s = Vec::new();
        assert_eq!(gini(&[3, 3, 3, 3], &mut s), 0.0);
        assert!((gini(&[0, 0, 0, 8], &mut s) - 0.75).abs() < 1e-15);
        // 1, 2, 3: (-2*1 + 0*2 + 2*3) / (3 * 6) = 4 / 18
        assert!((gini(&[3, 1, 2], &mut s) - 4.0 / 18.0).abs() < 1e-15);
        assert_eq!(gini(&[], &mut s), 0.0);
    }

    #[test]
    fn specialisation_is_zero_when_independent_and_maximal_when_sorted() {
        // independent: each platform gets the same type mix
        let (mi, max) = specialisation(&[vec![10, 30], vec![20, 60]], 2);
        assert!(mi.abs() < 1e-12, "{mi}");
        assert!((max - (0.25f64.log2() * -0.25 - 0.75 * 0.75f64.log2())).abs() < 1e-12);
        // perfect specialisation: type 0 only on platform 0, type 1 only on platform 1
        let (mi, max) = specialisation(&[vec![50, 0], vec![0, 50]], 2);
        assert!((mi - 1.0).abs() < 1e-12);
        assert!((max - 1.0).abs() < 1e-12);
        // one platform: no information
        let (mi, max) = specialisation(&[vec![5, 7, 9]], 1);
        assert!(mi.abs() < 1e-12 && max == 0.0);
    }
}
