//! Measures of a market state: efficiency E(phi) (Def. 2.4), Shannon entropy (eq. 5), and the
//! paper's objectives: total utility (7), Psi (8), Gamma (14) and the ex-post Nash social
//! welfare (13) with its exponents a_i*.
//!
//! Objectives that the paper defines only for some markets return [`Objective::NotApplicable`]
//! with the reason. Conventions: 0 ln 0 = 0; a logarithm of a zero utility held by a positive
//! share is -infinity, which is returned as `f64::NEG_INFINITY` (a legitimate value of a
//! maximisation objective, never NaN).

use super::choice::{purchase_masses, trial_masses};
use super::model::Market;
use serde::{Deserialize, Serialize};

/// The value of an objective, or why it does not apply to this market.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// The value (may be `-inf`, see the module docs; never NaN).
    Value(f64),
    /// The objective is not defined for this market; the reason.
    NotApplicable(String),
}

impl Objective {
    /// The value, if the objective applies.
    pub fn value(&self) -> Option<f64> {
        match self {
            Objective::Value(v) => Some(*v),
            Objective::NotApplicable(_) => None,
        }
    }
}

fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 {
        0.0
    } else if y == 0.0 {
        f64::NEG_INFINITY
    } else {
        x * y.ln()
    }
}

/// Market efficiency E(phi) = sum_j y_j(phi) (Def. 2.4): the probability that the next user
/// buys something.
pub fn efficiency(market: &Market, shares: &[f64]) -> f64 {
    purchase_masses(market, shares).iter().sum()
}

/// Shannon entropy H(phi) = -sum_j phi_j ln phi_j in nats (eq. 5). `shares` is normalised by
/// its sum first; an all-zero vector has entropy 0.
pub fn entropy(shares: &[f64]) -> f64 {
    let total: f64 = shares.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let h: f64 = shares
        .iter()
        .filter(|&&s| s > 0.0)
        .map(|&s| {
            let p = s / total;
            -p * p.ln()
        })
        .sum();
    h.max(0.0)
}

const ONLY_HOMOGENEOUS: &str = "defined for homogeneous markets (one user type) only";

/// Total utility (7): sum_j qbar_j phi_j^r with qbar_j = q_j v_j. Homogeneous markets only.
pub fn total_utility(market: &Market, shares: &[f64]) -> Objective {
    if !market.is_homogeneous() {
        return Objective::NotApplicable(ONLY_HOMOGENEOUS.into());
    }
    let r = market.feedback()[0];
    let (v, q) = market.rows_f64(0);
    Objective::Value(
        (0..market.n_items())
            .map(|j| q[j] * v[j] * shares[j].powf(r))
            .sum(),
    )
}

/// Psi (8): sum_j (phi_j ln qbar_j - (1 - r) phi_j ln phi_j). Homogeneous markets only.
/// `-inf` when an item with qbar_j = 0 holds a positive share.
pub fn psi(market: &Market, shares: &[f64]) -> Objective {
    if !market.is_homogeneous() {
        return Objective::NotApplicable(ONLY_HOMOGENEOUS.into());
    }
    let r = market.feedback()[0];
    let (v, q) = market.rows_f64(0);
    let mut s = 0.0;
    for j in 0..market.n_items() {
        s += xlogy(shares[j], q[j] * v[j]) - (1.0 - r) * xlogy(shares[j], shares[j]);
    }
    Objective::Value(s)
}

/// Why Gamma (14) does not apply to `market`, if it does not.
pub fn gamma_not_applicable(market: &Market) -> Option<String> {
    if !market.quality_is_type_independent() {
        return Some("defined only when q_ij = q_j for every user type (Thm 3.7 case 2)".into());
    }
    if market.common_feedback().is_none() {
        return Some("defined only when every user type has the same feedback exponent r".into());
    }
    None
}

/// Gamma (14) at the spending b = (6) applied to the shares `shares`, i.e. Gamma(b^{t+1}) when
/// `shares` = phi^t. Defined only when q_ij = q_j and r_i = r for all types.
///
/// Computed in the paper's variables x_ij = b_ij / q_j (the trial masses w_i * trial
/// probability), which stay defined when q_j = 0:
/// Gamma = r sum_j x_j ln(q_j x_j) - sum_ij x_ij ln(x_ij / v_ij).
pub fn gamma(market: &Market, shares: &[f64]) -> Objective {
    if let Some(reason) = gamma_not_applicable(market) {
        return Objective::NotApplicable(reason);
    }
    let r = market.feedback()[0];
    let n = market.n_items();
    let x = trial_masses(market, shares);
    let q = market.quality_row(0).to_f64();
    let v = market.visibility().to_f64();
    let mut g = 0.0;
    let mut xj = vec![0.0; n];
    for (k, &xij) in x.iter().enumerate() {
        xj[k % n] += xij;
        if xij > 0.0 {
            g -= xij * (xij / v[k]).ln();
        }
    }
    for j in 0..n {
        g += r * xlogy(xj[j], q[j] * xj[j]);
    }
    Objective::Value(g)
}

/// The ex-post Nash social welfare of (13) at a TOME phi*.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NashWelfare {
    /// a_i* = (1/r_i) (sum_k q_ik v_ik phi*_k^{r_i}) / (sum_k v_ik phi*_k^{r_i}); 0 for a type
    /// that tries nothing at phi*.
    pub exponents: Vec<f64>,
    /// ln of (13) at phi*: sum_i w_i a_i* ln(sum_j q_ij v_ij phi*_j^{r_i}).
    pub log_welfare: f64,
}

/// The exponents a_i* of (13) at the TOME `tome`, or why they are undefined (some r_i = 0).
pub fn nash_exponents(market: &Market, tome: &[f64]) -> Result<Vec<f64>, String> {
    if market.feedback().contains(&0.0) {
        return Err("needs r_i > 0 for every type (a_i* divides by r_i)".into());
    }
    Ok((0..market.n_types())
        .map(|i| {
            let r = market.feedback()[i];
            let (v, q) = market.rows_f64(i);
            let (mut num, mut den) = (0.0, 0.0);
            for j in 0..market.n_items() {
                let t = v[j] * tome[j].powf(r);
                num += q[j] * t;
                den += t;
            }
            if den > 0.0 {
                num / den / r
            } else {
                0.0
            }
        })
        .collect())
}

/// ln of the objective (13), sum_i w_i a_i ln(sum_j q_ij v_ij phi_j^{r_i}), for given
/// exponents `a`. Terms with a_i = 0 count 0; a zero utility with a_i > 0 gives `-inf`.
pub fn log_nash_welfare(market: &Market, shares: &[f64], a: &[f64]) -> f64 {
    (0..market.n_types())
        .map(|i| {
            let r = market.feedback()[i];
            let (v, q) = market.rows_f64(i);
            let u: f64 = (0..market.n_items())
                .map(|j| q[j] * v[j] * shares[j].powf(r))
                .sum();
            xlogy(market.weights()[i] * a[i], u)
        })
        .sum()
}

/// Every measure at one share vector (typically a TOME).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// E(phi).
    pub efficiency: f64,
    /// H(phi) in nats.
    pub entropy: f64,
    /// (7).
    pub total_utility: Objective,
    /// (8).
    pub psi: Objective,
    /// (14) at the spending made from phi.
    pub gamma: Objective,
    /// (13) with a* taken at phi (meaningful when phi is the TOME), or why it does not apply.
    pub nash_welfare: Result<NashWelfare, String>,
}

impl Measures {
    /// All measures at `shares`.
    pub fn at(market: &Market, shares: &[f64]) -> Self {
        let nash_welfare = nash_exponents(market, shares).map(|a| NashWelfare {
            log_welfare: log_nash_welfare(market, shares, &a),
            exponents: a,
        });
        Self {
            efficiency: efficiency(market, shares),
            entropy: entropy(shares),
            total_utility: total_utility(market, shares),
            psi: psi(market, shares),
            gamma: gamma(market, shares),
            nash_welfare,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::model::InitialCounts;

    #[test]
    fn entropy_of_uniform_is_ln_n() {
        assert!((entropy(&[0.25; 4]) - 4f64.ln()).abs() < 1e-15);
        assert_eq!(entropy(&[0.0, 1.0]), 0.0);
        assert_eq!(entropy(&[0.0, 0.0]), 0.0);
    }

    #[test]
    fn psi_is_efficiency_term_plus_scaled_entropy() {
        let mk = Market::homogeneous(
            vec![0.5, 1.0, 0.8],
            vec![0.6, 0.3, 0.9],
            0.4,
            InitialCounts::Fixed(vec![1; 3]),
        )
        .unwrap();
        let phi = [0.2, 0.3, 0.5];
        let term: f64 = [0.3f64, 0.3, 0.72]
            .iter()
            .zip(&phi)
            .map(|(qb, p)| p * qb.ln())
            .sum();
        let want = term + 0.6 * entropy(&phi);
        assert!((psi(&mk, &phi).value().unwrap() - want).abs() < 1e-14);
        // zero utility with positive share: -inf, not NaN
        let mk0 = Market::homogeneous(
            vec![0.0, 1.0],
            vec![0.5, 0.5],
            0.5,
            InitialCounts::Fixed(vec![1; 2]),
        )
        .unwrap();
        assert_eq!(psi(&mk0, &[0.5, 0.5]).value(), Some(f64::NEG_INFINITY));
        assert!(psi(&mk0, &[0.0, 1.0]).value().unwrap().is_finite());
    }

    #[test]
    fn gamma_applicability() {
        let mk = Market::builder()
            .items(2)
            .weights(vec![0.5, 0.5])
            .visibility(vec![1.0, 0.5, 0.2, 0.9])
            .quality(vec![0.9, 0.5, 0.1, 0.5])
            .feedback(vec![0.5, 0.5])
            .initial_counts(InitialCounts::Fixed(vec![1; 2]))
            .build()
            .unwrap();
        assert!(matches!(
            gamma(&mk, &[0.5, 0.5]),
            Objective::NotApplicable(_)
        ));
        assert!(matches!(psi(&mk, &[0.5, 0.5]), Objective::NotApplicable(_)));
        let mk = mk
            .with_visibility(vec![1.0, 0.5, 0.2, 0.9])
            .and_then(|m| {
                Market::builder()
                    .items(2)
                    .weights(m.weights().to_vec())
                    .visibility(m.visibility().to_vec())
                    .quality(vec![0.9, 0.5, 0.9, 0.5])
                    .feedback(vec![0.5, 0.5])
                    .initial_counts(InitialCounts::Fixed(vec![1; 2]))
                    .build()
            })
            .unwrap();
        assert!(gamma(&mk, &[0.5, 0.5]).value().unwrap().is_finite());
    }

    #[test]
    fn gamma_reduces_to_psi_shape_for_one_type() {
        // One type: x_j = trial probabilities; Gamma = r sum x ln(q x) - sum x ln(x / v).
        let mk = Market::homogeneous(
            vec![0.5, 1.0],
            vec![0.6, 0.3],
            0.5,
            InitialCounts::Fixed(vec![1; 2]),
        )
        .unwrap();
        let phi = [0.4, 0.6];
        let a = 0.5 * 0.4f64.sqrt();
        let b = 1.0 * 0.6f64.sqrt();
        let x = [a / (a + b), b / (a + b)];
        let want = 0.5 * (x[0] * (0.6 * x[0]).ln() + x[1] * (0.3 * x[1]).ln())
            - (x[0] * (x[0] / 0.5).ln() + x[1] * (x[1] / 1.0).ln());
        assert!((gamma(&mk, &phi).value().unwrap() - want).abs() < 1e-14);
    }
}
