//! The trial-offer market equilibrium (TOME, Def. 2.2: p(phi) = phi) and the deterministic
//! dynamic (eq. 6), whose fixed points are the TOMEs (Lemma 2.5).
//!
//! [`solve_tome`] picks the method by the feedback exponents:
//!
//! | exponents | result |
//! |---|---|
//! | all r_i = 0 | no feedback: p does not depend on phi, phi* = p(.) (homogeneous: phi* ∝ v q) |
//! | all in [0, 1), homogeneous | closed form (eq. 4) |
//! | all equal r in (0, 1), v_ij = v_j | Prop. C.1: closed form with q~_j = sum_i w_i q_ij |
//! | all in [0, 1), otherwise | fixed-point iteration of eq. 6 from the initial shares |
//! | some r_i = 1, none > 1 | [`Regime::LevelSet`]: equilibria are not unique; the limit of the dynamic from the initial shares |
//! | some r_i > 1 | [`Regime::WinnerTakesAll`] (or [`Regime::Mixed`]): the limit of the dynamic from the initial shares |
//!
//! Items with v_ij q_ij = 0 for every type get share 0. A type whose trial denominator is 0
//! tries nothing and contributes nothing. A market where nothing can be bought has no TOME
//! ([`MarketError::NoPurchasePossible`]). Nothing returns NaN.

use super::choice::next_purchase_probabilities;
use super::error::MarketError;
use super::measures::{efficiency, entropy, gamma, psi, Objective};
#[cfg(test)]
use super::model::InitialCounts;
use super::model::Market;
use crate::runner::stop_requested;
use serde::{Deserialize, Serialize};

/// Settings of the fixed-point iteration.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TomeOptions {
    /// Stop when |p(phi) - phi|_1 <= tolerance.
    pub tolerance: f64,
    /// Iteration cap.
    pub max_iterations: usize,
}

impl Default for TomeOptions {
    fn default() -> Self {
        Self {
            tolerance: 1e-12,
            max_iterations: 100_000,
        }
    }
}

impl TomeOptions {
    /// Validated options: tolerance finite and > 0, at least one iteration.
    pub fn new(tolerance: f64, max_iterations: usize) -> Result<Self, MarketError> {
        if !(tolerance.is_finite() && tolerance > 0.0) {
            return Err(MarketError::OutOfRange {
                field: "tolerance",
                description: "fixed-point tolerance",
                value: tolerance,
                place: String::new(),
                range: "(0, inf)",
            });
        }
        if max_iterations == 0 {
            return Err(MarketError::Empty {
                field: "max_iterations",
                what: "iteration cap",
            });
        }
        Ok(Self {
            tolerance,
            max_iterations,
        })
    }
}

/// How a TOME was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TomeMethod {
    /// Eq. (4) (or its r > 1 / r = 1 analogue for the limit of the dynamic).
    ClosedForm,
    /// Prop. C.1: the heterogeneous market reduced to a homogeneous one, then eq. (4).
    ReducedClosedForm,
    /// r_i = 0 for all types: one evaluation of p.
    NoFeedback,
    /// Fixed-point iteration of eq. (6).
    FixedPoint,
}

/// What kind of equilibrium the feedback exponents give.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// All r_i in [0, 1): the interior TOME (Thm 2.3), unique in the cases the paper proves.
    Interior,
    /// All r_i = 0: shares do not feed back.
    NoFeedback,
    /// Some r_i = 1 and none above: a level set of equilibria (not unique); the result is the
    /// limit of the deterministic dynamic from the initial shares.
    LevelSet,
    /// Some r_i > 1: one item takes everything; the result is the limit of the deterministic
    /// dynamic from the initial shares (with uniform initial shares, homogeneous: the item with
    /// the largest v q). Every vertex with v q > 0 is an equilibrium: a stochastic market can
    /// lock in on another item.
    WinnerTakesAll {
        /// The winning item.
        item: usize,
    },
    /// Some r_i > 1 and the dynamic's limit is not a single item.
    Mixed,
}

/// A computed equilibrium.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tome {
    /// Market shares phi* (on the simplex).
    pub shares: Vec<f64>,
    /// How they were computed.
    pub method: TomeMethod,
    /// The regime.
    pub regime: Regime,
    /// Fixed-point iterations used (0 for closed forms).
    pub iterations: usize,
    /// |p(phi*) - phi*|_1.
    pub residual: f64,
    /// Whether the residual met the tolerance (closed forms: whether it is below 1e-9).
    pub converged: bool,
    /// Whether the paper proves this is the unique interior TOME (homogeneous 0 <= r < 1, or
    /// common r < 1 with v_ij = v_j or q_ij = q_j; Thms 3.4, 3.7).
    pub proven_unique: bool,
}

fn l1(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

fn normalise(mut x: Vec<f64>) -> Vec<f64> {
    let s: f64 = x.iter().sum();
    if s > 0.0 {
        x.iter_mut().for_each(|e| *e /= s);
    }
    x
}

/// |p(phi) - phi|_1.
pub fn residual(market: &Market, shares: &[f64]) -> Result<f64, MarketError> {
    Ok(l1(&next_purchase_probabilities(market, shares)?, shares))
}

fn check_purchasable(market: &Market) -> Result<(), MarketError> {
    let any = market
        .visibility()
        .all()
        .iter()
        .zip(market.quality().all().iter())
        .any(|(v, q)| v * q > 0.0);
    if any {
        Ok(())
    } else {
        Err(MarketError::NoPurchasePossible {
            reason: "v_ij q_ij = 0 for every user type and item".into(),
        })
    }
}

/// Eq. (4) for a homogeneous market with 0 <= r < 1: phi*_j ∝ (v_j q_j)^{1/(1-r)}, computed in
/// the log domain (no overflow). `None` if the market is heterogeneous, r >= 1, or v q = 0
/// everywhere.
pub fn closed_form_homogeneous(market: &Market) -> Option<Vec<f64>> {
    if !market.is_homogeneous() {
        return None;
    }
    let r = market.feedback()[0];
    if r >= 1.0 {
        return None;
    }
    let (v, q) = market.rows_f64(0);
    power_shares(
        &(0..market.n_items())
            .map(|j| v[j] * q[j])
            .collect::<Vec<_>>(),
        1.0 / (1.0 - r),
    )
}

/// x_j^e / sum_k x_k^e in the log domain; `None` if every x is 0.
fn power_shares(x: &[f64], e: f64) -> Option<Vec<f64>> {
    let logs: Vec<f64> = x
        .iter()
        .map(|&a| {
            if a > 0.0 {
                e * a.ln()
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return None;
    }
    Some(normalise(
        logs.iter()
            .map(|&l| {
                if l == f64::NEG_INFINITY {
                    0.0
                } else {
                    (l - top).exp()
                }
            })
            .collect(),
    ))
}

/// Prop. C.1: if every type has the same r and v_ij = v_j, the homogeneous market with the same
/// v, r and q~_j = sum_i w_i q_ij has the same p (hence the same TOME). `None` otherwise.
pub fn reduce_to_homogeneous(market: &Market) -> Option<Market> {
    let r = market.common_feedback()?;
    if !market.visibility_is_type_independent() {
        return None;
    }
    let n = market.n_items();
    let mut q = vec![0.0; n];
    for i in 0..market.n_types() {
        let w = market.weights()[i];
        for (qj, qij) in q.iter_mut().zip(market.quality_row(i).iter()) {
            *qj += w * qij;
        }
    }
    q.iter_mut().for_each(|x: &mut f64| *x = x.clamp(0.0, 1.0));
    Market::builder()
        .items(n)
        .weights(vec![1.0])
        .visibility(market.visibility_row(0).to_vec())
        .quality(q)
        .feedback(vec![r])
        .initial_counts(market.initial().clone())
        .build()
        .ok()
}

/// The result of iterating eq. (6).
#[derive(Clone, Debug, PartialEq)]
pub struct FixedPoint {
    /// The last iterate.
    pub shares: Vec<f64>,
    /// Iterations done.
    pub iterations: usize,
    /// |p(phi) - phi|_1 at the last iterate.
    pub residual: f64,
    /// Whether the residual met the tolerance.
    pub converged: bool,
}

/// Iterates phi <- p(phi) (the deterministic dynamic, eq. 6, in shares) from `start` until
/// |p(phi) - phi|_1 <= tolerance or the cap.
pub fn iterate_fixed_point(
    market: &Market,
    start: &[f64],
    options: TomeOptions,
) -> Result<FixedPoint, MarketError> {
    let mut phi = normalise(start.to_vec());
    let mut next = next_purchase_probabilities(market, &phi)?;
    let mut res = l1(&next, &phi);
    let mut it = 0;
    while res > options.tolerance && it < options.max_iterations {
        if stop_requested() {
            return Err(MarketError::Interrupted);
        }
        phi = next;
        next = next_purchase_probabilities(market, &phi)?;
        res = l1(&next, &phi);
        it += 1;
    }
    Ok(FixedPoint {
        shares: phi,
        iterations: it,
        residual: res,
        converged: res <= options.tolerance,
    })
}

/// The TOME of `market` (see the module docs for the method chosen in each case).
pub fn solve_tome(market: &Market, options: TomeOptions) -> Result<Tome, MarketError> {
    check_purchasable(market)?;
    let r = market.feedback();
    let r_max = r.iter().copied().fold(0.0_f64, f64::max);
    let start = market.initial_shares();
    let homogeneous = market.is_homogeneous();
    let common = market.common_feedback();
    let proven_unique = r_max < 1.0
        && (homogeneous
            || (common.is_some()
                && (market.visibility_is_type_independent()
                    || market.quality_is_type_independent())));
    let finish = |shares: Vec<f64>, method, regime, iterations, fp: Option<(f64, bool)>| {
        let (residual, converged) = match fp {
            Some(x) => x,
            None => {
                let res = residual(market, &shares)?;
                (res, res <= 1e-9_f64.max(options.tolerance))
            }
        };
        Ok(Tome {
            shares,
            method,
            regime,
            iterations,
            residual,
            converged,
            proven_unique: proven_unique && regime == Regime::Interior,
        })
    };
    if r_max == 0.0 {
        let shares = next_purchase_probabilities(market, &start)?;
        return finish(shares, TomeMethod::NoFeedback, Regime::NoFeedback, 0, None);
    }
    if r_max < 1.0 {
        if let Some(shares) = closed_form_homogeneous(market) {
            return finish(shares, TomeMethod::ClosedForm, Regime::Interior, 0, None);
        }
        if let Some(shares) = reduce_to_homogeneous(market)
            .as_ref()
            .and_then(closed_form_homogeneous)
        {
            return finish(
                shares,
                TomeMethod::ReducedClosedForm,
                Regime::Interior,
                0,
                None,
            );
        }
        let fp = iterate_fixed_point(market, &start, options)?;
        return finish(
            fp.shares,
            TomeMethod::FixedPoint,
            Regime::Interior,
            fp.iterations,
            Some((fp.residual, fp.converged)),
        );
    }
    // r_max >= 1: the limit of the dynamic from the initial shares.
    let reduced = if homogeneous {
        Some(market.clone())
    } else {
        reduce_to_homogeneous(market)
    };
    if let Some(h) = reduced {
        let method = if homogeneous {
            TomeMethod::ClosedForm
        } else {
            TomeMethod::ReducedClosedForm
        };
        let shares = homogeneous_limit(&h, &start);
        let regime = if r_max == 1.0 {
            Regime::LevelSet
        } else {
            vertex_regime(&shares)
        };
        return finish(shares, method, regime, 0, None);
    }
    let fp = iterate_fixed_point(market, &start, options)?;
    let regime = if r_max == 1.0 && r.iter().all(|&x| x <= 1.0) {
        Regime::LevelSet
    } else {
        vertex_regime(&fp.shares)
    };
    finish(
        fp.shares,
        TomeMethod::FixedPoint,
        regime,
        fp.iterations,
        Some((fp.residual, fp.converged)),
    )
}

fn vertex_regime(shares: &[f64]) -> Regime {
    match shares.iter().position(|&s| s >= 1.0 - 1e-9) {
        Some(item) => Regime::WinnerTakesAll { item },
        None => Regime::Mixed,
    }
}

/// The exact limit of the homogeneous deterministic dynamic for r >= 1 from `start`
/// (x_j = ln phi_j evolves as x^t = r x^{t-1} + c_j + const with c_j = ln(v_j q_j)):
/// - r = 1: the items with the largest v q keep their initial proportions, the rest vanish;
/// - r > 1: the items maximising ln phi0_j + c_j / (r - 1) take everything (exact ties split
///   in proportion to exp(-c_j / (r - 1))).
fn homogeneous_limit(market: &Market, start: &[f64]) -> Vec<f64> {
    let r = market.feedback()[0];
    let (v, q) = market.rows_f64(0);
    let n = market.n_items();
    let c: Vec<f64> = (0..n)
        .map(|j| {
            let a = v[j] * q[j];
            if a > 0.0 && start[j] > 0.0 {
                a.ln()
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    let score: Vec<f64> = if r == 1.0 {
        c.clone()
    } else {
        (0..n).map(|j| start[j].ln() + c[j] / (r - 1.0)).collect()
    };
    let best = score.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = (0..n)
        .map(|j| {
            if score[j] != best || c[j] == f64::NEG_INFINITY {
                0.0
            } else if r == 1.0 {
                start[j]
            } else {
                (-c[j] / (r - 1.0)).exp()
            }
        })
        .collect();
    normalise(weights)
}

/// One iteration of the deterministic dynamic and its measures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DynamicsStep {
    /// t (0 = the initial shares).
    pub iteration: usize,
    /// E(phi^t).
    pub efficiency: f64,
    /// H(phi^t).
    pub entropy: f64,
    /// Psi(phi^t) (homogeneous markets).
    pub psi: Objective,
    /// Gamma(b^t), b^t made by eq. (6) from phi^{t-1} (q_ij = q_j); not applicable at t = 0.
    pub gamma: Objective,
    /// phi^t, if asked for.
    pub shares: Option<Vec<f64>>,
}

/// The deterministic dynamic (eq. 6) for `iterations` steps from the initial shares, with the
/// measures at every step (rows t = 0..=iterations).
pub fn deterministic_dynamics(
    market: &Market,
    iterations: usize,
    record_shares: bool,
) -> Result<Vec<DynamicsStep>, MarketError> {
    let mut phi = market.initial_shares();
    let row = |t: usize, phi: &[f64], g: Objective| DynamicsStep {
        iteration: t,
        efficiency: efficiency(market, phi),
        entropy: entropy(phi),
        psi: psi(market, phi),
        gamma: g,
        shares: record_shares.then(|| phi.to_vec()),
    };
    let first_gamma = match gamma(market, &phi) {
        Objective::Value(_) => Objective::NotApplicable("Gamma(b^t) starts at t = 1".into()),
        na => na,
    };
    let mut out = vec![row(0, &phi, first_gamma)];
    for t in 1..=iterations {
        if stop_requested() {
            return Err(MarketError::Interrupted);
        }
        let g = gamma(market, &phi);
        phi = next_purchase_probabilities(market, &phi)?;
        out.push(row(t, &phi, g));
    }
    Ok(out)
}

/// Fixed initial counts of 1 for `n` items (test helper).
#[cfg(test)]
pub(crate) fn unit_counts(n: usize) -> InitialCounts {
    InitialCounts::Fixed(vec![1; n])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::measures::{log_nash_welfare, nash_exponents};
    use proptest::prelude::*;

    fn hom(v: Vec<f64>, q: Vec<f64>, r: f64) -> Market {
        let n = v.len();
        Market::homogeneous(v, q, r, unit_counts(n)).unwrap()
    }

    fn l1v(a: &[f64], b: &[f64]) -> f64 {
        l1(a, b)
    }

    /// Random heterogeneous market: weights, v, q in (0.05, 1], common or free r.
    fn arb_market(same_q: bool, same_v: bool) -> impl Strategy<Value = (Market, Vec<f64>)> {
        (1usize..4, 2usize..7, 0.05f64..0.95).prop_flat_map(move |(m, n, r)| {
            (
                proptest::collection::vec(0.1f64..1.0, m),
                proptest::collection::vec(0.05f64..1.0, m * n),
                proptest::collection::vec(0.05f64..1.0, m * n),
                proptest::collection::vec(1u64..5, n),
            )
                .prop_map(move |(w, mut v, mut q, d0)| {
                    let s: f64 = w.iter().sum();
                    let w: Vec<f64> = w.iter().map(|x| x / s).collect();
                    let ws: f64 = w.iter().sum();
                    let mut w = w;
                    w[0] += 1.0 - ws;
                    if same_q {
                        for i in 1..m {
                            for j in 0..n {
                                q[i * n + j] = q[j];
                            }
                        }
                    }
                    if same_v {
                        for i in 1..m {
                            for j in 0..n {
                                v[i * n + j] = v[j];
                            }
                        }
                    }
                    let mk = Market::new(n, w, v, q, vec![r; m], InitialCounts::Fixed(d0.clone()))
                        .unwrap();
                    let start = mk.initial_shares();
                    (mk, start)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn closed_form_equals_fixed_point(
            v in proptest::collection::vec(0.05f64..1.0, 2..8),
            qs in proptest::collection::vec(0.05f64..1.0, 8),
            r in 0.05f64..0.9,
        ) {
            let n = v.len();
            let mk = hom(v, qs[..n].to_vec(), r);
            let cf = closed_form_homogeneous(&mk).unwrap();
            let fp = iterate_fixed_point(&mk, &mk.initial_shares(), TomeOptions::default()).unwrap();
            prop_assert!(fp.converged, "residual {}", fp.residual);
            prop_assert!(l1v(&cf, &fp.shares) < 1e-9, "{:?} vs {:?}", cf, fp.shares);
            // the closed form satisfies p(phi) = phi
            prop_assert!(residual(&mk, &cf).unwrap() < 1e-12);
        }

        #[test]
        fn heterogeneous_fixed_point_is_a_tome((mk, _) in arb_market(false, false)) {
            let t = solve_tome(&mk, TomeOptions::default()).unwrap();
            prop_assert!(t.converged);
            prop_assert!(residual(&mk, &t.shares).unwrap() < 1e-10);
            prop_assert!((t.shares.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            prop_assert!(t.shares.iter().all(|&s| s > 0.0));
        }

        #[test]
        fn prop_c1_reduction_equals_full_computation((mk, start) in arb_market(false, true)) {
            let t = solve_tome(&mk, TomeOptions::default()).unwrap();
            if mk.n_types() > 1 {
                prop_assert_eq!(t.method, TomeMethod::ReducedClosedForm);
            }
            let fp = iterate_fixed_point(&mk, &start, TomeOptions::default()).unwrap();
            prop_assert!(fp.converged);
            prop_assert!(l1v(&t.shares, &fp.shares) < 1e-9);
        }

        #[test]
        fn psi_never_decreases_along_the_dynamic(
            v in proptest::collection::vec(0.05f64..1.0, 2..8),
            qs in proptest::collection::vec(0.05f64..1.0, 8),
            d0 in proptest::collection::vec(1u64..50, 8),
            r in 0.01f64..0.99,
        ) {
            let n = v.len();
            let mk = Market::homogeneous(v, qs[..n].to_vec(), r, InitialCounts::Fixed(d0[..n].to_vec())).unwrap();
            let traj = deterministic_dynamics(&mk, 60, false).unwrap();
            for w in traj.windows(2) {
                let (a, b) = (w[0].psi.value().unwrap(), w[1].psi.value().unwrap());
                prop_assert!(b >= a - 1e-12 * a.abs().max(1.0), "Psi fell from {} to {}", a, b);
            }
        }

        #[test]
        fn gamma_never_decreases_along_the_dynamic((mk, _) in arb_market(true, false)) {
            let traj = deterministic_dynamics(&mk, 60, false).unwrap();
            for w in traj[1..].windows(2) {
                let (a, b) = (w[0].gamma.value().unwrap(), w[1].gamma.value().unwrap());
                prop_assert!(b >= a - 1e-12 * a.abs().max(1.0), "Gamma fell from {} to {}", a, b);
            }
        }

        #[test]
        fn tome_maximises_ex_post_nash_welfare(
            (mk, _) in arb_market(false, false),
            dir in proptest::collection::vec(-1.0f64..1.0, 8),
            eps in 1e-4f64..0.05,
        ) {
            let t = solve_tome(&mk, TomeOptions::default()).unwrap();
            let a = nash_exponents(&mk, &t.shares).unwrap();
            let best = log_nash_welfare(&mk, &t.shares, &a);
            // a feasible perturbation: move along a zero-sum direction, stay on the simplex
            let n = mk.n_items();
            let mean: f64 = dir[..n].iter().sum::<f64>() / n as f64;
            let d: Vec<f64> = dir[..n].iter().map(|x| x - mean).collect();
            let scale = t.shares.iter().zip(&d)
                .filter(|(_, &dj)| dj < 0.0)
                .map(|(&s, &dj)| s / -dj)
                .fold(f64::INFINITY, f64::min);
            let step = eps * scale.min(1.0);
            let phi: Vec<f64> = t.shares.iter().zip(&d).map(|(s, dj)| s + step * dj).collect();
            let other = log_nash_welfare(&mk, &phi, &a);
            prop_assert!(other <= best + 1e-10, "perturbed {} > TOME {}", other, best);
        }
    }

    #[test]
    fn no_feedback_gives_v_q_shares() {
        let mk = hom(vec![0.5, 1.0, 0.25], vec![0.4, 0.2, 0.8], 0.0);
        let t = solve_tome(&mk, TomeOptions::default()).unwrap();
        assert_eq!(t.regime, Regime::NoFeedback);
        let want = [0.2 / 0.6, 0.2 / 0.6, 0.2 / 0.6];
        assert!(l1v(&t.shares, &want) < 1e-15);
    }

    #[test]
    fn r_one_is_a_level_set_keeping_initial_proportions() {
        let mk = Market::homogeneous(
            vec![1.0, 0.5, 1.0],
            vec![0.5, 0.5, 0.5],
            1.0,
            InitialCounts::Fixed(vec![1, 5, 3]),
        )
        .unwrap();
        let t = solve_tome(&mk, TomeOptions::default()).unwrap();
        assert_eq!(t.regime, Regime::LevelSet);
        assert!(!t.proven_unique);
        assert!(l1v(&t.shares, &[0.25, 0.0, 0.75]) < 1e-15);
        assert!(t.residual < 1e-15 && t.converged);
        // it is where the dynamic goes
        let fp = iterate_fixed_point(&mk, &mk.initial_shares(), TomeOptions::default()).unwrap();
        assert!(l1v(&t.shares, &fp.shares) < 1e-9);
    }

    #[test]
    fn r_above_one_winner_takes_all() {
        let mk = hom(vec![0.3, 0.9, 0.5], vec![0.5, 0.5, 0.5], 1.5);
        let t = solve_tome(&mk, TomeOptions::default()).unwrap();
        assert_eq!(t.regime, Regime::WinnerTakesAll { item: 1 });
        assert_eq!(t.shares, vec![0.0, 1.0, 0.0]);
        // heterogeneous with r > 1: iterated, same answer when types agree on the best item
        let mk2 = Market::builder()
            .items(3)
            .weights(vec![0.5, 0.5])
            .visibility(vec![0.3, 0.9, 0.5, 0.2, 0.8, 0.1])
            .quality(vec![0.5, 0.5, 0.5, 0.6, 0.6, 0.6])
            .feedback(vec![1.5, 2.0])
            .initial_counts(unit_counts(3))
            .build()
            .unwrap();
        let t2 = solve_tome(&mk2, TomeOptions::default()).unwrap();
        assert_eq!(t2.regime, Regime::WinnerTakesAll { item: 1 });
        assert!(t2.shares.iter().all(|s| s.is_finite()));
    }

    #[test]
    fn items_nobody_can_buy_get_zero_share() {
        let mk = Market::builder()
            .items(3)
            .weights(vec![0.5, 0.5])
            .visibility(vec![1.0, 0.0, 0.5, 1.0, 1.0, 0.5])
            .quality(vec![0.5, 0.9, 0.0, 0.5, 0.0, 0.0])
            .feedback(vec![0.5, 0.7])
            .initial_counts(unit_counts(3))
            .build()
            .unwrap();
        let t = solve_tome(&mk, TomeOptions::default()).unwrap();
        assert!(t.converged);
        assert_eq!(t.shares[1], 0.0);
        assert_eq!(t.shares[2], 0.0);
        assert!((t.shares[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn nothing_purchasable_is_an_error_not_nan() {
        let mk = hom(vec![1.0, 0.0], vec![0.0, 0.7], 0.5);
        let e = solve_tome(&mk, TomeOptions::default()).unwrap_err();
        assert!(matches!(e, MarketError::NoPurchasePossible { .. }), "{e}");
        assert!(deterministic_dynamics(&mk, 3, false).is_err());
    }

    #[test]
    fn options_are_validated() {
        assert!(TomeOptions::new(0.0, 10).is_err());
        assert!(TomeOptions::new(f64::NAN, 10).is_err());
        assert!(TomeOptions::new(1e-9, 0).is_err());
        assert!(TomeOptions::new(1e-9, 10).is_ok());
    }

    #[test]
    fn dynamics_converges_to_the_closed_form() {
        let mk = Market::homogeneous(
            vec![0.3, 0.9, 0.5, 0.7],
            vec![0.8, 0.2, 0.6, 0.4],
            0.5,
            InitialCounts::Fixed(vec![10, 1, 1, 1]),
        )
        .unwrap();
        let traj = deterministic_dynamics(&mk, 80, true).unwrap();
        let cf = closed_form_homogeneous(&mk).unwrap();
        assert!(l1v(traj.last().unwrap().shares.as_ref().unwrap(), &cf) < 1e-12);
        assert!(matches!(traj[0].gamma, Objective::NotApplicable(_)));
        let stop = crate::runner::Stop::new();
        stop.request();
        assert!(matches!(
            stop.scope(|| deterministic_dynamics(&mk, 80, true)),
            Err(MarketError::Interrupted)
        ));
    }
}
