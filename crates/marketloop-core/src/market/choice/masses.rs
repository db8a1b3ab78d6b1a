//! The analytic quantities of the multinomial logit (eq. 1): the trial masses x_ij, the
//! spendings b_ij of the deterministic dynamic (eq. 6), the purchase masses y_j(phi) and the
//! next-purchase probabilities p_j(phi) of Lemma 2.1 (eq. 2). Like the logit they accept any
//! non-negative vector proportional to the shares.

use super::{ChoiceModel, MultinomialLogit};
use crate::market::error::MarketError;
use crate::market::model::Market;

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
}
