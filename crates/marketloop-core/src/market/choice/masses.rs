//! The analytic quantities of the multinomial logit (eq. 1): the trial masses x_ij, the
//! spendings b_ij of the deterministic dynamic (eq. 6), the purchase masses y_j(phi) and the
//! next-purchase probabilities p_j(phi) of Lemma 2.1 (eq. 2). Like the logit they accept any
//! non-negative vector proportional to the shares.

use super::logit::{logit_row, powered_shares};
#[cfg(doc)]
use super::ChoiceModel;
use crate::market::error::MarketError;
use crate::market::model::Market;
use crate::market::model::Scalar;

/// The trial masses x_ij = w_i * (trial probability of item j for type i), row-major m x n.
/// Rows of types that try nothing are zero.
///
/// O(m n), with the powers phi_j^r computed once per distinct exponent (n per exponent, not m n):
/// the same numbers as [`ChoiceModel::trial_probabilities`] type by type, bit for bit.
pub fn trial_masses(market: &Market, shares: &[f64]) -> Vec<f64> {
    let (m, n) = (market.n_types(), market.n_items());
    let powered = powered_by_exponent(market, shares);
    let mut x = vec![0.0; m * n];
    for (i, row) in x.chunks_exact_mut(n.max(1)).take(m).enumerate() {
        trial_mass_row(market, &powered, i, row);
    }
    x
}

/// The spendings b_ij = w_i q_ij v_ij phi_j^{r_i} / sum_k v_ik phi_k^{r_i} of eq. (6),
/// row-major m x n: the probability that the next user is of type i and tries and buys item j.
pub fn spending(market: &Market, shares: &[f64]) -> Vec<f64> {
    let mut b = trial_masses(market, shares);
    crate::with_row!(market.quality().all(), q => {
        for (bij, qij) in b.iter_mut().zip(q) {
            *bij *= qij.widen();
        }
    });
    b
}

/// y_j(phi) of eq. (2): the probability that the next user tries and buys item j, the column
/// sums of [`spending`], accumulated type by type in O(n) memory (the equilibrium solver calls
/// this every iteration; an m x n matrix per call was the bulk of a big catalogue's memory).
pub fn purchase_masses(market: &Market, shares: &[f64]) -> Vec<f64> {
    let n = market.n_items();
    let powered = powered_by_exponent(market, shares);
    let mut y = vec![0.0; n];
    let mut row = vec![0.0; n];
    for i in 0..market.n_types() {
        trial_mass_row(market, &powered, i, &mut row);
        crate::with_row!(market.quality_row(i), q => {
            for ((yj, &xij), qij) in y.iter_mut().zip(&row).zip(q) {
                *yj += xij * qij.widen();
            }
        });
    }
    y
}

/// [`powered_shares`] for each of the market's distinct feedback exponents.
fn powered_by_exponent(market: &Market, shares: &[f64]) -> Vec<Vec<f64>> {
    market
        .distinct_feedback()
        .iter()
        .map(|&r| powered_shares(shares, r))
        .collect()
}

/// Row i of [`trial_masses`] into `row`.
fn trial_mass_row(market: &Market, powered: &[Vec<f64>], i: usize, row: &mut [f64]) {
    let g = &powered[market.feedback_index()[i]];
    logit_row(market.sampling_visibility_row(i), g, row);
    let w = market.weights()[i];
    row.iter_mut().for_each(|e| *e *= w);
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
    use crate::market::choice::{ChoiceModel, MultinomialLogit};
    use crate::market::model::InitialCounts;

    #[test]
    fn purchase_masses_are_the_column_sums_of_the_spendings_bit_for_bit() {
        let mk = three_types();
        let phi = [0.35, 0.0, 0.4, 0.25];
        let b = spending(&mk, &phi);
        let mut want = [0.0f64; 4];
        for row in b.chunks_exact(4) {
            for (w, &x) in want.iter_mut().zip(row) {
                *w += x;
            }
        }
        let got = purchase_masses(&mk, &phi);
        assert_eq!(
            got.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            want.map(f64::to_bits)
        );
    }

    /// Three types, two distinct exponents (types 0 and 2 share one), a zero visibility.
    fn three_types() -> Market {
        Market::builder()
            .items(4)
            .weights(vec![0.2, 0.3, 0.5])
            .visibility(vec![
                0.9, 0.2, 0.5, 0.0, //
                0.1, 0.8, 0.6, 0.3, //
                0.4, 0.4, 0.7, 1.0,
            ])
            .quality(vec![
                0.5, 0.9, 0.2, 0.7, 0.6, 0.8, 0.1, 0.6, 0.4, 0.3, 1.0, 0.05,
            ])
            .feedback(vec![0.7, 0.3, 0.7])
            .initial_counts(InitialCounts::Fixed(vec![1; 4]))
            .build()
            .unwrap()
    }

    #[test]
    fn trial_masses_are_the_weighted_trial_probabilities_bit_for_bit() {
        // A zero share too.
        let mk = three_types();
        let phi = [0.35, 0.0, 0.4, 0.25];
        let x = trial_masses(&mk, &phi);
        for i in 0..3 {
            let mut row = [0.0; 4];
            MultinomialLogit.trial_probabilities(&mk, i, &phi, &mut row);
            for j in 0..4 {
                let want = row[j] * mk.weights()[i];
                assert_eq!(x[i * 4 + j].to_bits(), want.to_bits(), "type {i}, item {j}");
            }
        }
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
}
