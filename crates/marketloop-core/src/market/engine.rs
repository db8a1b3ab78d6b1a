//! The stochastic trial-offer dynamic (eq. 1), one user per step:
//!
//! 1. a user of type i arrives with probability w_i (alias table; the `Arrival` stream, one
//!    uniform per step, none when m = 1);
//! 2. she tries item j with probability v_ij d_j^{r_i} / sum_k v_ik d_k^{r_i} (one uniform of the
//!    `Choice` stream per step; a zero denominator means she tries nothing);
//! 3. she buys it with probability q_ij (one uniform of the `Purchase` stream per step, drawn
//!    even when nothing is tried, so the t-th user's coin is the same in every experiment arm);
//! 4. a purchase adds 1 to d_j.
//!
//! Trial weights use counts, not shares: phi_j^r = d_j^r / D^r and D^r cancels, so one purchase
//! changes one item's weight. d_j^r is cached per item for each distinct exponent (sqrt for
//! r = 0.5) and refreshed on purchase. Where the trial weights come from is a [`TrialSampler`]:
//! [`StaticVisibility`] (a sum tree per type over its visible items; a purchase updates the trees
//! of the types that see the item, O(log K) each) or [`Ranked`] (a ranking policy and a position
//! bias; O(P) per step for P positions, whatever the catalogue size).
//!
//! Bookkeeping is incremental: purchases, arrivals, per-item trials, D = sum d and
//! S = sum d ln d (compensated sum), so the entropy H = ln D - S / D is O(1) per measurement.
//! Efficiency in simulation is purchases / arrivals so far; initial counts are not purchases.

use super::error::MarketError;
use super::model::{check_initial_counts, Market};
use super::position_bias::PositionBias;
use super::ranking::RankingPolicy;
use super::sampling::{AliasTable, SumTree};
use crate::rng::{PortableRng, SeedSequence, Source};
use rand::Rng;

/// The four random streams of one replicate.
#[derive(Clone, Debug)]
pub struct Streams {
    /// User types (`Source::Arrival`).
    pub arrival: PortableRng,
    /// Trials (`Source::Choice`).
    pub choice: PortableRng,
    /// Purchase coins (`Source::Purchase`).
    pub purchase: PortableRng,
    /// Ranking decisions: random rankings and random tie breaks (`Source::Ranking`).
    pub ranking: PortableRng,
}

impl Streams {
    /// The streams of `replicate`.
    pub fn new(seeds: SeedSequence, replicate: u64) -> Self {
        Self {
            arrival: seeds.stream(replicate, Source::Arrival),
            choice: seeds.stream(replicate, Source::Choice),
            purchase: seeds.stream(replicate, Source::Purchase),
            ranking: seeds.stream(replicate, Source::Ranking),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum PowKind {
    Zero,
    Half,
    One,
    Other(f64),
}

impl PowKind {
    fn of(r: f64) -> Self {
        if r == 0.0 {
            PowKind::Zero
        } else if r == 0.5 {
            PowKind::Half
        } else if r == 1.0 {
            PowKind::One
        } else {
            PowKind::Other(r)
        }
    }

    #[inline]
    fn apply(self, d: u64) -> f64 {
        let x = d as f64;
        match self {
            PowKind::Zero => 1.0,
            PowKind::Half => x.sqrt(),
            PowKind::One => x,
            PowKind::Other(r) => x.powf(r),
        }
    }
}

/// Purchase counts and the running totals behind every measurement.
#[derive(Clone, Debug)]
pub struct CountState {
    counts: Vec<u64>,
    total: u64,
    dlnd: Vec<f64>,
    s_sum: f64,
    s_comp: f64,
    arrivals: u64,
    purchases: u64,
    idle: u64,
    trials: Vec<u64>,
    pow_kind: Vec<PowKind>,
    pow: Vec<Vec<f64>>,
}

fn xlnx(d: u64) -> f64 {
    let x = d as f64;
    x * x.ln()
}

impl CountState {
    fn new(market: &Market, counts: Vec<u64>) -> Result<Self, MarketError> {
        let n = market.n_items();
        check_initial_counts(&counts, n)?;
        let pow_kind: Vec<PowKind> = market
            .distinct_feedback()
            .iter()
            .map(|&r| PowKind::of(r))
            .collect();
        let pow = pow_kind
            .iter()
            .map(|k| counts.iter().map(|&d| k.apply(d)).collect())
            .collect();
        let dlnd: Vec<f64> = counts.iter().map(|&d| xlnx(d)).collect();
        let mut s = Self {
            total: counts.iter().sum(),
            counts,
            dlnd: Vec::new(),
            s_sum: 0.0,
            s_comp: 0.0,
            arrivals: 0,
            purchases: 0,
            idle: 0,
            trials: vec![0; n],
            pow_kind,
            pow,
        };
        for &x in &dlnd {
            s.add_s(x);
        }
        s.dlnd = dlnd;
        Ok(s)
    }

    /// Neumaier-compensated S += x.
    #[inline]
    fn add_s(&mut self, x: f64) {
        let t = self.s_sum + x;
        if self.s_sum.abs() >= x.abs() {
            self.s_comp += (self.s_sum - t) + x;
        } else {
            self.s_comp += (x - t) + self.s_sum;
        }
        self.s_sum = t;
    }

    #[inline]
    fn purchase(&mut self, j: usize) {
        let c1 = self.counts[j] + 1;
        self.counts[j] = c1;
        self.total += 1;
        self.purchases += 1;
        let new = xlnx(c1);
        let delta = new - self.dlnd[j];
        self.dlnd[j] = new;
        self.add_s(delta);
        for (kind, pow) in self.pow_kind.iter().zip(self.pow.iter_mut()) {
            pow[j] = kind.apply(c1);
        }
    }

    /// Purchase counts d_j (initial counts included).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// D = sum_j d_j.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Users arrived so far.
    pub fn arrivals(&self) -> u64 {
        self.arrivals
    }

    /// Purchases so far (initial counts excluded).
    pub fn purchases(&self) -> u64 {
        self.purchases
    }

    /// Users who tried nothing (zero trial denominator).
    pub fn idle(&self) -> u64 {
        self.idle
    }

    /// Trials per item so far.
    pub fn trials(&self) -> &[u64] {
        &self.trials
    }

    /// d_j^r for the k-th distinct exponent of the market.
    pub fn powers(&self, k: usize) -> &[f64] {
        &self.pow[k]
    }

    /// Purchases / arrivals so far (0 before the first arrival).
    pub fn efficiency(&self) -> f64 {
        if self.arrivals == 0 {
            0.0
        } else {
            self.purchases as f64 / self.arrivals as f64
        }
    }

    /// Entropy of the shares, ln D - S / D, in O(1) (clamped at 0 against rounding).
    pub fn entropy(&self) -> f64 {
        let d = self.total as f64;
        (d.ln() - (self.s_sum + self.s_comp) / d).max(0.0)
    }

    /// Market shares phi_j = d_j / D (O(n)).
    pub fn shares(&self) -> Vec<f64> {
        let d = self.total as f64;
        self.counts.iter().map(|&c| c as f64 / d).collect()
    }
}

/// Where trial weights come from. Implemented by [`StaticVisibility`] and [`Ranked`].
pub trait TrialSampler {
    /// Prepares for a replicate starting at `state` (called once by [`Engine::new`]).
    fn start<R: Rng + ?Sized>(&mut self, market: &Market, state: &CountState, rng: &mut R);

    /// The item a type-`user_type` user tries, picked by the uniform `u`; `None` if the trial
    /// denominator is 0 (she tries nothing).
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        u: f64,
        rng: &mut R,
    ) -> Option<usize>;

    /// Item `item` was bought (`state` already includes it).
    fn on_purchase<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        item: usize,
        rng: &mut R,
    );
}

/// Fixed visibility v_ij: per type a sum tree over the items it sees.
#[derive(Clone, Debug, Default)]
pub struct StaticVisibility {
    trees: Vec<SumTree>,
    /// Per item: (type, leaf) of every type that sees it.
    seen_by: Vec<Vec<(u32, u32)>>,
}

impl StaticVisibility {
    /// An empty sampler (built in [`TrialSampler::start`]).
    pub fn new() -> Self {
        Self::default()
    }
}

impl TrialSampler for StaticVisibility {
    fn start<R: Rng + ?Sized>(&mut self, market: &Market, state: &CountState, _rng: &mut R) {
        let n = market.n_items();
        self.seen_by = vec![Vec::new(); n];
        self.trees = (0..market.n_types())
            .map(|i| {
                let v = market.visibility_row(i);
                let g = state.powers(market.feedback_index()[i]);
                let items = market.visible_items(i);
                let w: Vec<f64> = items
                    .iter()
                    .enumerate()
                    .map(|(leaf, &j)| {
                        self.seen_by[j as usize].push((i as u32, leaf as u32));
                        v[j as usize] * g[j as usize]
                    })
                    .collect();
                SumTree::new(&w)
            })
            .collect();
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        _state: &CountState,
        user_type: usize,
        u: f64,
        _rng: &mut R,
    ) -> Option<usize> {
        self.trees[user_type]
            .sample(u)
            .map(|leaf| market.visible_items(user_type)[leaf] as usize)
    }

    #[inline]
    fn on_purchase<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        item: usize,
        _rng: &mut R,
    ) {
        let n = market.n_items();
        for &(i, leaf) in &self.seen_by[item] {
            let i = i as usize;
            let g = state.powers(market.feedback_index()[i])[item];
            self.trees[i].set(leaf as usize, market.visibility()[i * n + item] * g);
        }
    }
}

/// Visibility from a ranking: item at position p gets v_ij = vhat_ij * iota_p (eq. 20).
#[derive(Clone, Debug)]
pub struct Ranked<P> {
    policy: P,
    iota: Vec<f64>,
    buf: Vec<f64>,
    /// For static policies: per type, vhat_ij * iota_p of the items shown, precomputed.
    fixed: Vec<Vec<f64>>,
}

impl<P: RankingPolicy> Ranked<P> {
    /// A ranked sampler from a policy and a position bias.
    pub fn new(policy: P, bias: &PositionBias) -> Self {
        Self {
            policy,
            iota: bias.weights().to_vec(),
            buf: vec![0.0; bias.positions()],
            fixed: Vec::new(),
        }
    }

    /// The ranking policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }
}

impl<P: RankingPolicy> TrialSampler for Ranked<P> {
    fn start<R: Rng + ?Sized>(&mut self, market: &Market, state: &CountState, rng: &mut R) {
        self.policy.reset(state.counts(), rng);
        self.fixed.clear();
        if self.policy.is_static() {
            for i in 0..market.n_types() {
                let v = market.visibility_row(i);
                let items = self.policy.shown(i, rng);
                self.fixed.push(
                    items
                        .iter()
                        .zip(&self.iota)
                        .map(|(&j, &io)| v[j as usize] * io)
                        .collect(),
                );
            }
        }
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(
        &mut self,
        market: &Market,
        state: &CountState,
        user_type: usize,
        u: f64,
        rng: &mut R,
    ) -> Option<usize> {
        let items = self.policy.shown(user_type, rng);
        let g = state.powers(market.feedback_index()[user_type]);
        let mut total = 0.0;
        if let Some(fixed) = self.fixed.get(user_type) {
            for ((b, &f), &j) in self.buf.iter_mut().zip(fixed).zip(items) {
                let w = f * g[j as usize];
                *b = w;
                total += w;
            }
        } else {
            let v = market.visibility_row(user_type);
            for ((b, &io), &j) in self.buf.iter_mut().zip(&self.iota).zip(items) {
                let j = j as usize;
                let w = v[j] * io * g[j];
                *b = w;
                total += w;
            }
        }
        if total <= 0.0 {
            return None;
        }
        let mut x = u * total;
        let mut last = None;
        for (&w, &j) in self.buf.iter().zip(items) {
            if w > 0.0 {
                if x < w {
                    return Some(j as usize);
                }
                x -= w;
                last = Some(j as usize);
            }
        }
        last
    }

    #[inline]
    fn on_purchase<R: Rng + ?Sized>(
        &mut self,
        _market: &Market,
        state: &CountState,
        item: usize,
        rng: &mut R,
    ) {
        self.policy.on_purchase(item, state.counts(), rng);
    }
}

/// What happened in one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepOutcome {
    /// The arriving user's type.
    pub user_type: usize,
    /// The item tried, if any.
    pub tried: Option<usize>,
    /// Whether it was bought.
    pub bought: bool,
}

/// One replicate of the stochastic market.
#[derive(Clone, Debug)]
pub struct Engine<'m, S> {
    market: &'m Market,
    state: CountState,
    sampler: S,
    arrival: AliasTable,
}

impl<'m, S: TrialSampler> Engine<'m, S> {
    /// An engine at the given initial counts (one per item, each >= 1). `rng` (the replicate's
    /// ranking stream) is used by samplers that start with random choices.
    pub fn new<R: Rng + ?Sized>(
        market: &'m Market,
        mut sampler: S,
        counts: Vec<u64>,
        rng: &mut R,
    ) -> Result<Self, MarketError> {
        let state = CountState::new(market, counts)?;
        sampler.start(market, &state, rng);
        Ok(Self {
            market,
            state,
            arrival: AliasTable::new(market.weights()),
            sampler,
        })
    }

    /// The counts and running totals.
    pub fn state(&self) -> &CountState {
        &self.state
    }

    /// The trial sampler.
    pub fn sampler(&self) -> &S {
        &self.sampler
    }

    /// One user arrives, maybe tries an item, maybe buys it.
    #[inline]
    pub fn step(&mut self, streams: &mut Streams) -> StepOutcome {
        let market = self.market;
        let i = if market.n_types() == 1 {
            0
        } else {
            self.arrival.sample(streams.arrival.random::<f64>())
        };
        let u_choice = streams.choice.random::<f64>();
        let u_buy = streams.purchase.random::<f64>();
        self.state.arrivals += 1;
        let tried = self
            .sampler
            .sample(market, &self.state, i, u_choice, &mut streams.ranking);
        let mut bought = false;
        match tried {
            None => self.state.idle += 1,
            Some(j) => {
                self.state.trials[j] += 1;
                if u_buy < market.quality()[i * market.n_items() + j] {
                    bought = true;
                    self.state.purchase(j);
                    self.sampler
                        .on_purchase(market, &self.state, j, &mut streams.ranking);
                }
            }
        }
        StepOutcome {
            user_type: i,
            tried,
            bought,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::model::InitialCounts;

    #[test]
    fn entropy_bookkeeping_matches_a_rescan() {
        let v: Vec<f64> = (0..20).map(|j| 0.1 + 0.04 * j as f64).collect();
        let q: Vec<f64> = (0..20).map(|j| 0.9 - 0.03 * j as f64).collect();
        let mk = Market::homogeneous(v, q, 0.7, InitialCounts::Fixed(vec![2; 20])).unwrap();
        let mut streams = Streams::new(SeedSequence::new(3), 0);
        let mut e = Engine::new(
            &mk,
            StaticVisibility::new(),
            vec![2; 20],
            &mut streams.ranking,
        )
        .unwrap();
        for _ in 0..200_000 {
            e.step(&mut streams);
        }
        let h = crate::market::measures::entropy(&e.state().shares());
        assert!((e.state().entropy() - h).abs() < 1e-10);
        let d: u64 = e.state().counts().iter().sum();
        assert_eq!(d, e.state().total());
        assert_eq!(d - 40, e.state().purchases());
        let tried: u64 = e.state().trials().iter().sum();
        assert_eq!(tried + e.state().idle(), e.state().arrivals());
    }

    #[test]
    fn counts_are_validated() {
        let mk = Market::homogeneous(
            vec![1.0; 2],
            vec![1.0; 2],
            0.5,
            InitialCounts::Fixed(vec![1; 2]),
        )
        .unwrap();
        let mut rng = SeedSequence::new(0).stream(0, Source::Ranking);
        assert!(Engine::new(&mk, StaticVisibility::new(), vec![1], &mut rng).is_err());
        assert!(Engine::new(&mk, StaticVisibility::new(), vec![1, 0], &mut rng).is_err());
    }
}
