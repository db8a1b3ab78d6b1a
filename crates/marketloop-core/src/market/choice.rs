//! Choice: the multinomial logit of eq. (1) over the trial weights v_ij phi_j^{r_i}, and the
//! analytic quantities built on it: the purchase masses y_j(phi) and next-purchase probabilities
//! p_j(phi) of Lemma 2.1 (eq. 2), and the spendings b_ij of the deterministic dynamic (eq. 6).
//!
//! All functions accept any non-negative vector proportional to the shares (counts work too):
//! phi_j^{r} / sum_k v_k phi_k^{r} does not change when phi is scaled. They rescale by the
//! largest entry first, so large exponents do not underflow. 0^0 = 1, so with r_i = 0 an item
//! with zero share is still tried. A zero denominator means the user tries nothing: every trial
//! probability of that type is 0 (never NaN).

use super::error::MarketError;
use super::model::Market;

/// How a user of a given type picks the item to try.
pub trait ChoiceModel {
    /// Writes the trial probabilities of a type-`user_type` user, given market shares (or any
    /// positive multiple of them), into `out` (length n), and returns the denominator of the
    /// choice rule. A denominator of 0 means the user tries nothing: `out` is all zeros.
    fn trial_probabilities(
        &self,
        market: &Market,
        user_type: usize,
        shares: &[f64],
        out: &mut [f64],
    ) -> f64;
}

/// The multinomial logit of eq. (1): type i tries item j with probability
/// v_ij phi_j^{r_i} / sum_k v_ik phi_k^{r_i}.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MultinomialLogit;

impl ChoiceModel for MultinomialLogit {
    fn trial_probabilities(
        &self,
        market: &Market,
        user_type: usize,
        shares: &[f64],
        out: &mut [f64],
    ) -> f64 {
        let scale = shares.iter().copied().fold(0.0_f64, f64::max);
        let r = market.feedback()[user_type];
        let v = market.visibility_row(user_type);
        let mut denom = 0.0;
        for ((o, &vj), &s) in out.iter_mut().zip(v).zip(shares) {
            let base = if scale > 0.0 { s / scale } else { 0.0 };
            let w = if vj > 0.0 { vj * base.powf(r) } else { 0.0 };
            *o = w;
            denom += w;
        }
        if denom > 0.0 {
            for o in out.iter_mut() {
                *o /= denom;
            }
        } else {
            out.iter_mut().for_each(|o| *o = 0.0);
        }
        denom
    }
}

/// The trial masses x_ij = w_i * (trial probability of item j for type i), row-major m x n.
/// Rows of types that try nothing are zero.
pub fn trial_masses(market: &Market, shares: &[f64]) -> Vec<f64> {
    let (m, n) = (market.n_types(), market.n_items());
    let mut x = vec![0.0; m * n];
    for i in 0..m {
        let row = &mut x[i * n..(i + 1) * n];
        MultinomialLogit.trial_probabilities(market, i, shares, row);
        let w = market.weights()[i];
        row.iter_mut().for_each(|e| *e *= w);
    }
    x
}

/// The spendings b_ij = w_i q_ij v_ij phi_j^{r_i} / sum_k v_ik phi_k^{r_i} of eq. (6),
/// row-major m x n: the probability that the next user is of type i and tries and buys item j.
pub fn spending(market: &Market, shares: &[f64]) -> Vec<f64> {
    let mut b = trial_masses(market, shares);
    for (bij, &qij) in b.iter_mut().zip(market.quality()) {
        *bij *= qij;
    }
    b
}

/// y_j(phi) of eq. (2): the probability that the next user tries and buys item j.
pub fn purchase_masses(market: &Market, shares: &[f64]) -> Vec<f64> {
    let n = market.n_items();
    let b = spending(market, shares);
    let mut y = vec![0.0; n];
    for row in b.chunks_exact(n) {
        for (yj, &bij) in y.iter_mut().zip(row) {
            *yj += bij;
        }
    }
    y
}

/// p(phi) of Lemma 2.1: the probability that the next purchase is item j.
///
/// Errors with [`MarketError::NoPurchasePossible`] when sum_j y_j(phi) = 0 (no user can buy
/// anything from these shares), where p is undefined.
pub fn next_purchase_probabilities(
    market: &Market,
    shares: &[f64],
) -> Result<Vec<f64>, MarketError> {
    let mut y = purchase_masses(market, shares);
    let total: f64 = y.iter().sum();
    if total <= 0.0 {
        return Err(MarketError::NoPurchasePossible {
            reason: "sum_j y_j(phi) = 0: for every type, every item it may try has v_ij q_ij = 0 \
                     or zero share"
                .into(),
        });
    }
    y.iter_mut().for_each(|e| *e /= total);
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::model::InitialCounts;
    use proptest::prelude::*;

    fn hetero() -> Market {
        Market::new(
            3,
            vec![0.4, 0.6],
            vec![1.0, 0.5, 0.0, 0.2, 0.3, 0.4],
            vec![0.9, 0.5, 0.1, 0.2, 0.3, 0.4],
            vec![0.5, 0.8],
            InitialCounts::Fixed(vec![1, 1, 1]),
        )
        .unwrap()
    }

    #[test]
    fn trial_probabilities_by_hand() {
        let mk = hetero();
        let phi = [0.5, 0.25, 0.25];
        let mut out = [0.0; 3];
        MultinomialLogit.trial_probabilities(&mk, 0, &phi, &mut out);
        let a = 1.0 * 0.5f64.sqrt();
        let b = 0.5 * 0.25f64.sqrt();
        assert!((out[0] - a / (a + b)).abs() < 1e-15);
        assert!((out[1] - b / (a + b)).abs() < 1e-15);
        assert_eq!(out[2], 0.0);
    }

    #[test]
    fn homogeneous_lemma_matches_eq3() {
        let v = vec![0.3, 0.9, 0.5, 0.7];
        let q = vec![0.8, 0.2, 0.6, 0.4];
        let r = 0.6;
        let mk =
            Market::homogeneous(v.clone(), q.clone(), r, InitialCounts::Fixed(vec![1; 4])).unwrap();
        let phi = [0.1, 0.2, 0.3, 0.4];
        let p = next_purchase_probabilities(&mk, &phi).unwrap();
        let raw: Vec<f64> = (0..4).map(|j| v[j] * q[j] * phi[j].powf(r)).collect();
        let s: f64 = raw.iter().sum();
        for j in 0..4 {
            assert!((p[j] - raw[j] / s).abs() < 1e-14);
        }
    }

    #[test]
    fn zero_denominator_means_trying_nothing() {
        let mk = Market::homogeneous(
            vec![0.0, 1.0],
            vec![0.5, 0.5],
            0.5,
            InitialCounts::Fixed(vec![1, 1]),
        )
        .unwrap();
        let mut out = [9.0; 2];
        let d = MultinomialLogit.trial_probabilities(&mk, 0, &[1.0, 0.0], &mut out);
        assert_eq!(d, 0.0);
        assert_eq!(out, [0.0, 0.0]);
        let e = next_purchase_probabilities(&mk, &[1.0, 0.0]).unwrap_err();
        assert!(matches!(e, MarketError::NoPurchasePossible { .. }));
    }

    #[test]
    fn large_exponents_do_not_underflow() {
        let mk = Market::homogeneous(
            vec![1.0; 3],
            vec![1.0; 3],
            500.0,
            InitialCounts::Fixed(vec![1; 3]),
        )
        .unwrap();
        let p = next_purchase_probabilities(&mk, &[1e-3, 2e-3, 2e-3]).unwrap();
        assert!(p.iter().all(|x| x.is_finite()));
        assert!((p[1] - 0.5).abs() < 1e-12 && (p[2] - 0.5).abs() < 1e-12);
    }

    proptest! {
        #[test]
        fn probabilities_on_the_simplex_and_scale_free(
            v in proptest::collection::vec(0.0f64..2.0, 5),
            phi in proptest::collection::vec(0.01f64..1.0, 5),
            r in 0.0f64..2.0,
            c in 0.1f64..100.0,
        ) {
            let mk = Market::homogeneous(v, vec![0.5; 5], r, InitialCounts::Fixed(vec![1; 5])).unwrap();
            let mut a = [0.0; 5];
            let mut b = [0.0; 5];
            let da = MultinomialLogit.trial_probabilities(&mk, 0, &phi, &mut a);
            let scaled: Vec<f64> = phi.iter().map(|x| x * c).collect();
            MultinomialLogit.trial_probabilities(&mk, 0, &scaled, &mut b);
            prop_assert!(a.iter().all(|&x| x >= 0.0));
            if da > 0.0 {
                prop_assert!((a.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            for j in 0..5 {
                prop_assert!((a[j] - b[j]).abs() < 1e-12);
            }
        }
    }
}
