//! A user-written ranking run through marketloop's public API: an explore-then-exploit quality
//! ranking that learns q_ij from its own trials and purchases (the `observe` hook), ranks from
//! the platform state it is handed (the `rank` hook: the arriving user's type and the step), and
//! competes with the built-in random, popularity and (oracle) quality rankings on a small
//! heterogeneous market. Prints efficiency and entropy per ranking, and asserts what should hold.
//!
//! Run: `cargo run -p marketloop-core --example user_ranking --release`.

use marketloop_core::market::ranking::bounded_u32;
use marketloop_core::market::{
    CountState, FnObserver, InitialCounts, Market, PlatformState, PositionBias, RankingPolicy,
    RankingSpec, RunView, Simulation, StepOutcome, TieRule, Trajectory, Visibility,
};
use marketloop_core::rng::{SeedSequence, Source};
use marketloop_core::runner::Schedule;
use rand::Rng;

/// Explore with uniformly random rankings for `explore` steps, counting trials and purchases per
/// (user type, item); then show each type its items by estimated quality, best first.
#[derive(Clone, Debug)]
struct MyExploreThenExploit {
    n: usize,
    positions: usize,
    explore: u64,
    trials: Vec<u64>,
    buys: Vec<u64>,
    order: Vec<u32>,
    /// Per type, the exploit order (built once, at the end of exploration).
    exploit: Vec<Vec<u32>>,
}

impl MyExploreThenExploit {
    fn new(market: &Market, positions: usize, explore: u64) -> Self {
        let (m, n) = (market.n_types(), market.n_items());
        Self {
            n,
            positions: positions.min(n),
            explore,
            trials: vec![0; m * n],
            buys: vec![0; m * n],
            order: (0..n as u32).collect(),
            exploit: Vec::new(),
        }
    }

    fn estimate(&self, i: usize, j: usize) -> f64 {
        let k = i * self.n + j;
        if self.trials[k] == 0 {
            0.0
        } else {
            self.buys[k] as f64 / self.trials[k] as f64
        }
    }

    fn build_exploit(&mut self, n_types: usize) {
        self.exploit = (0..n_types)
            .map(|i| {
                let mut items: Vec<u32> = (0..self.n as u32).collect();
                items.sort_by(|&a, &b| {
                    self.estimate(i, b as usize)
                        .total_cmp(&self.estimate(i, a as usize))
                });
                items.truncate(self.positions);
                items
            })
            .collect();
    }
}

impl RankingPolicy for MyExploreThenExploit {
    fn reset<R: Rng + ?Sized>(&mut self, _counts: &[u64], _rng: &mut R) {
        self.trials.fill(0);
        self.buys.fill(0);
        self.exploit.clear();
    }

    fn shown<R: Rng + ?Sized>(&mut self, user_type: usize, rng: &mut R) -> &[u32] {
        if let Some(list) = self.exploit.get(user_type) {
            return list;
        }
        // a uniformly random ordered subset for the first positions (partial Fisher-Yates)
        let n = self.order.len() as u32;
        for p in 0..self.positions {
            let j = p + bounded_u32(rng, n - p as u32) as usize;
            self.order.swap(p, j);
        }
        &self.order[..self.positions]
    }

    fn rank<R: Rng + ?Sized>(&mut self, platform: &PlatformState<'_>, rng: &mut R) -> &[u32] {
        if platform.step >= self.explore && self.exploit.is_empty() {
            self.build_exploit(platform.market.n_types());
        }
        self.shown(platform.user_type, rng)
    }

    fn on_purchase<R: Rng + ?Sized>(&mut self, _item: usize, _counts: &[u64], _rng: &mut R) {}

    fn is_static(&self) -> bool {
        false
    }

    fn observe<R: Rng + ?Sized>(
        &mut self,
        _step: u64,
        outcome: &StepOutcome,
        _state: &CountState,
        _rng: &mut R,
    ) {
        if let Some(j) = outcome.tried {
            let k = outcome.user_type * self.n + j;
            self.trials[k] += 1;
            self.buys[k] += u64::from(outcome.bought);
        }
    }
}

/// Three user types, 20 items, random appeal and quality (a fixed seed).
fn small_market() -> Market {
    let (m, n) = (3, 20);
    let mut rng = SeedSequence::new(11).stream(0, Source::Instance);
    let v: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.2..1.0)).collect();
    let q: Vec<f64> = (0..m * n).map(|_| rng.random_range(0.05..0.95)).collect();
    Market::builder()
        .items(n)
        .weights([0.5, 0.3, 0.2])
        .visibility(v)
        .quality(q)
        .feedback([0.5, 0.5, 0.5])
        .initial_counts(InitialCounts::Fixed(vec![1; n]))
        .build()
        .expect("a valid market")
}

/// Mean final efficiency and entropy over replicates.
fn summary(runs: &[Trajectory]) -> (f64, f64) {
    let k = runs.len() as f64;
    let last = |t: &Trajectory| t.measurements.last().cloned().expect("measured");
    (
        runs.iter().map(|t| last(t).efficiency).sum::<f64>() / k,
        runs.iter().map(|t| last(t).entropy).sum::<f64>() / k,
    )
}

fn main() {
    let market = small_market();
    let bias = PositionBias::new(vec![0.9, 0.7, 0.5, 0.4, 0.3]).expect("a valid bias");
    let (steps, every, explore) = (50_000, 10_000, 5_000);
    let seeds = SeedSequence::new(2026);
    let replicates: Vec<u64> = (0..8).collect();

    println!("ranking                 efficiency   entropy (nats), mean of 8 runs x {steps} steps");
    let mut results = Vec::new();
    for ranking in [
        RankingSpec::Random,
        RankingSpec::Popularity {
            ties: TieRule::Random,
        },
        RankingSpec::Quality,
    ] {
        let name = ranking.name();
        let vis = Visibility::Ranked {
            ranking,
            bias: bias.clone(),
        };
        let sim = Simulation::new(market.clone(), vis, steps, every, false).expect("valid");
        let (e, h) = summary(&sim.run(seeds, &replicates, Schedule::Parallel));
        println!("{name:<24}{e:>10.4}{h:>10.4}");
        results.push((name, e));
    }

    // The user's ranking: the same simulation, any RankingPolicy through `ranked`.
    let sim =
        Simulation::new(market.clone(), Visibility::Static, steps, every, false).expect("valid");
    let mine = |_| sim.ranked(MyExploreThenExploit::new(&market, 5, explore), &bias);
    let (e, h) = summary(&sim.run_with(seeds, &replicates, Schedule::Parallel, mine));
    println!("{:<24}{e:>10.4}{h:>10.4}", "explore-then-exploit");

    // Step by step, with a user observer: the efficiency of the last window only (purchases
    // per arriving user since the previous measurement), which shows the learning.
    let mut last = (0u64, 0u64);
    let windowed = FnObserver::new(
        ["window_efficiency"],
        move |v: &RunView<'_>, out: &mut [f64]| {
            let (p, t) = (v.state.purchases(), v.step);
            out[0] = (p - last.0) as f64 / (t - last.1) as f64;
            last = (p, t);
        },
    );
    let mut run = sim
        .start_with(seeds, 0, mine(0))
        .with_observer(windowed)
        .expect("added before the first measurement");
    run.step(explore);
    println!(
        "replicate 0 after exploring {explore} steps: {} purchases, {} idle users",
        run.state().purchases(),
        run.state().idle()
    );
    run.run_to_end();
    let learnt = run.sampler().policy();
    for i in 0..market.n_types() {
        let q = market.quality_row(i).to_vec();
        let top = learnt.exploit[i][0] as usize;
        let best = q.iter().cloned().fold(0.0, f64::max);
        // each estimate is a mean of >= t Bernoulli trials: standard error <= 1 / (2 sqrt(t))
        let t = learnt.trials[i * learnt.n..(i + 1) * learnt.n]
            .iter()
            .min()
            .copied()
            .unwrap_or(0);
        let tol = 4.0 / (2.0 * (t as f64).sqrt());
        println!(
            "type {i}: learnt top item {top} has q = {:.3} (best q = {best:.3}; >= {t} trials \
             per item, 4 standard errors = {tol:.3})",
            q[top]
        );
        assert!(
            q[top] >= best - tol,
            "type {i}: the learnt top item is far from the best"
        );
    }
    let (t, obs) = run.finish();
    let window = obs.column("window_efficiency").expect("observed");
    println!(
        "replicate 0, efficiency per window ending at steps {:?}: {:.3?}",
        obs.steps(),
        window
    );
    assert!(window[1] > window[0], "exploiting should beat exploring");

    let random = results[0].1;
    let quality = results[2].1;
    assert!(
        e > random,
        "the learning ranking ({e}) should beat the random ranking ({random})"
    );
    assert!(
        e <= quality + 0.01,
        "the learning ranking ({e}) should not beat the quality oracle ({quality}) by much"
    );
    assert_eq!(t.measurements.len(), (steps / every) as usize);
}
