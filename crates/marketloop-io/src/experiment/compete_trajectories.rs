//! `compete` with trajectories: the same games as [`Compete`], each played round by round
//! ([`CompetitionRun`], which gives exactly the whole game's outcome) while its state is
//! recorded every `every` rounds — market shares so far, reputations and cumulative regret — and
//! summarised over runs with 95% confidence bands (Student t, as the other run-level estimates).
//!
//! The per-run table is [`Compete`]'s, number for number; the run folder holds Compete's files
//! plus `trajectories` (one row per run x recorded round x firm) and `trajectory_bands` (one row
//! per recorded round x firm). The CLI's `compete` does not use this kind, so its output is
//! unchanged.

use super::compete::{Compete, CompeteSummary};
use super::{Experiment, Outputs, Plan};
use crate::table::{Column, Table};
use crate::{Figure, IoError, Series};
use marketloop_core::bandits::{
    builtin_observers, AlgorithmSpec, BoxedGameObserver, CompetitionOutcome, CompetitionRun,
    Estimate, GameRecorder, GameView,
};
use marketloop_core::rng::SeedSequence;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Builds a fresh observer for one game (an observer may keep state over its game).
pub type MakeObserver = dyn Fn() -> Result<BoxedGameObserver, IoError> + Send + Sync;

/// A user's game observer: its label and how to build one per game.
#[derive(Clone)]
pub struct ObserverSpec {
    label: String,
    make: Arc<MakeObserver>,
}

impl ObserverSpec {
    /// An observer named `label`, built for each game by `make`.
    pub fn new(
        label: impl Into<String>,
        make: impl Fn() -> Result<BoxedGameObserver, IoError> + Send + Sync + 'static,
    ) -> Self {
        ObserverSpec {
            label: label.into(),
            make: Arc::new(make),
        }
    }
}

impl fmt::Debug for ObserverSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObserverSpec")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// One game's recorded states.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GameTrajectory {
    /// The game rounds recorded (every `every` rounds, and T).
    pub rounds: Vec<u64>,
    /// Market shares so far, row-major rounds x firms.
    pub shares: Vec<f64>,
    /// Reputations, row-major rounds x firms.
    pub reputation: Vec<f64>,
    /// Cumulative game regret by firm, row-major rounds x firms.
    pub firm_regret: Vec<f64>,
    /// Cumulative market regret, one per recorded round.
    pub regret: Vec<f64>,
    /// The user observers' values, row-major rounds x columns (absent without observers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed: Vec<f64>,
}

/// One finished replicate: the game's outcome and its trajectory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryReplicate {
    /// What [`Compete`] records.
    pub outcome: CompetitionOutcome,
    /// The recorded states.
    pub trajectory: GameTrajectory,
}

/// The results: [`Compete`]'s summary and every run's trajectory.
#[derive(Clone, Debug)]
pub struct TrajectorySummary {
    /// As [`Compete`] summarises the outcomes.
    pub compete: CompeteSummary,
    /// Every run's trajectory, in run order.
    pub trajectories: Vec<GameTrajectory>,
}

/// A competing-bandits experiment whose games are recorded every `every` rounds.
#[derive(Clone, Debug)]
pub struct CompeteTrajectories<A> {
    compete: Compete<A>,
    every: usize,
    observers: Vec<ObserverSpec>,
    /// The user observers' column names.
    observed: Vec<String>,
}

impl<A: AlgorithmSpec> CompeteTrajectories<A> {
    /// Records `compete`'s games every `every` >= 1 rounds (and at T).
    pub fn new(compete: Compete<A>, every: usize) -> Result<Self, IoError> {
        if every == 0 {
            return Err(IoError::spec(
                "every",
                "every = 0: record the games every 1 or more rounds",
            ));
        }
        Ok(Self {
            compete,
            every,
            observers: Vec::new(),
            observed: Vec::new(),
        })
    }

    /// Also records `observers` (a user's measurements) at every recorded round: their values
    /// follow the built-in columns (shares, reputations, regrets, themselves observers) in the
    /// trajectory table, with bands over runs. A name clashing with another column is an error
    /// naming the observer.
    pub fn with_observers(mut self, observers: Vec<ObserverSpec>) -> Result<Self, IoError> {
        let f = self.firms();
        let mut taken: Vec<String> = ["run", "round", "firm", "share", "reputation"]
            .into_iter()
            .chain(["firm_regret", "market_regret"])
            .map(String::from)
            .collect();
        let mut names = Vec::new();
        for o in &observers {
            for n in (o.make)()?.names(f) {
                if taken.contains(&n) {
                    return Err(IoError::spec(
                        "observers",
                        format!(
                            "observer {:?} names a value {n:?}, which is already a column; \
                             rename it",
                            o.label
                        ),
                    ));
                }
                taken.push(n.clone());
                names.push(n);
            }
        }
        self.observers = observers;
        self.observed = names;
        Ok(self)
    }

    /// The user observers' column names, in order.
    pub fn observer_names(&self) -> &[String] {
        &self.observed
    }

    /// The experiment without trajectories.
    pub fn compete(&self) -> &Compete<A> {
        &self.compete
    }

    fn firms(&self) -> usize {
        self.compete.spec().game.algorithms.len()
    }

    /// One row per run x recorded round x firm: `run, round, firm, share, reputation,
    /// firm_regret, market_regret`.
    pub fn trajectory_table(&self, s: &TrajectorySummary) -> Result<Table, IoError> {
        let f = self.firms();
        let rows: usize = s.trajectories.iter().map(|t| t.rounds.len() * f).sum();
        let (mut run, mut round, mut firm) = (
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
        );
        let (mut share, mut rep, mut fr, mut mr) = (
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
            Vec::with_capacity(rows),
        );
        let u = self.observed.len();
        let mut user: Vec<Vec<f64>> = vec![Vec::with_capacity(rows); u];
        for (r, t) in s.trajectories.iter().enumerate() {
            for (i, &x) in t.rounds.iter().enumerate() {
                for j in 0..f {
                    for (c, col) in user.iter_mut().enumerate() {
                        col.push(t.observed[i * u + c]);
                    }
                    run.push(r as i64);
                    round.push(x as i64);
                    firm.push(j as i64 + 1);
                    share.push(t.shares[i * f + j]);
                    rep.push(t.reputation[i * f + j]);
                    fr.push(t.firm_regret[i * f + j]);
                    mr.push(t.regret[i]);
                }
            }
        }
        let mut t = Table::new()
            .with("run", Column::I64(run))?
            .with("round", Column::I64(round))?
            .with("firm", Column::I64(firm))?
            .with("share", Column::F64(share))?
            .with("reputation", Column::F64(rep))?
            .with("firm_regret", Column::F64(fr))?
            .with("market_regret", Column::F64(mr))?;
        for (name, col) in self.observed.iter().zip(user) {
            t.push(name, Column::F64(col))?;
        }
        Ok(t)
    }

    /// One row per recorded round x firm: the mean over runs of the share, reputation, the
    /// firm's and the market's cumulative regret, each with its 95% confidence band
    /// (`_lo`, `_hi`: mean -/+ the Student-t half-width).
    pub fn bands_table(&self, s: &TrajectorySummary) -> Result<Table, IoError> {
        let f = self.firms();
        let Some(first) = s.trajectories.first() else {
            return Err(IoError::spec(
                "runs",
                "no runs to summarise: give runs >= 1",
            ));
        };
        let mut t = Table::new();
        let (mut round, mut firm) = (Vec::new(), Vec::new());
        let u = self.observed.len();
        let names: Vec<&str> = ["share", "reputation", "firm_regret", "market_regret"]
            .into_iter()
            .chain(self.observed.iter().map(String::as_str))
            .collect();
        let mut cols: Vec<[Vec<f64>; 3]> = (0..names.len()).map(|_| Default::default()).collect();
        let mut samples = vec![0.0; s.trajectories.len()];
        for (i, &x) in first.rounds.iter().enumerate() {
            for j in 0..f {
                round.push(x as i64);
                firm.push(j as i64 + 1);
                for (c, col) in cols.iter_mut().enumerate() {
                    for (v, tr) in samples.iter_mut().zip(&s.trajectories) {
                        *v = match c {
                            0 => tr.shares[i * f + j],
                            1 => tr.reputation[i * f + j],
                            2 => tr.firm_regret[i * f + j],
                            3 => tr.regret[i],
                            c => tr.observed[i * u + c - 4],
                        };
                    }
                    let e = Estimate::from_samples(&samples);
                    col[0].push(e.mean);
                    col[1].push(e.mean - e.half_width);
                    col[2].push(e.mean + e.half_width);
                }
            }
        }
        t.push("round", Column::I64(round))?;
        t.push("firm", Column::I64(firm))?;
        for (name, [mean, lo, hi]) in names.iter().zip(cols) {
            t.push(&format!("{name}_mean"), Column::F64(mean))?;
            t.push(&format!("{name}_lo"), Column::F64(lo))?;
            t.push(&format!("{name}_hi"), Column::F64(hi))?;
        }
        Ok(t)
    }
}

impl<A: AlgorithmSpec> Experiment for CompeteTrajectories<A> {
    const COMMAND: &'static str = "compete";
    const ARM: &'static str = "game-trajectory";
    const PHASE: &'static str = "games";
    const REPLICATED: bool = true;
    type Replicate = TrajectoryReplicate;
    type Summary = TrajectorySummary;

    fn config(&self, plan: &Plan) -> serde_json::Value {
        let mut c = self.compete.config(plan);
        c["trajectories_every"] = serde_json::json!(self.every);
        if !self.observers.is_empty() {
            let labels: Vec<&str> = self.observers.iter().map(|o| o.label.as_str()).collect();
            c["observers"] = serde_json::json!({"labels": labels, "columns": self.observed});
        }
        c
    }

    fn replicate(&self, seeds: SeedSequence, r: u64) -> Result<TrajectoryReplicate, IoError> {
        let spec = self.compete.spec();
        let cfg = &self.compete.games().cells[0];
        let mut game = CompetitionRun::start(cfg, &spec.instance, &seeds, r)?;
        let f = cfg.algorithms.len();
        let records = cfg.t.div_ceil(self.every);
        let mut tr = GameTrajectory {
            rounds: Vec::with_capacity(records),
            shares: Vec::with_capacity(records * f),
            reputation: Vec::with_capacity(records * f),
            firm_regret: Vec::with_capacity(records * f),
            regret: Vec::with_capacity(records),
            observed: Vec::with_capacity(records * self.observed.len()),
        };
        let mut observers = builtin_observers();
        for o in &self.observers {
            observers.push((o.make)()?);
        }
        let mut recorder = GameRecorder::new(observers, f);
        if recorder.names().len() != 3 * f + 1 + self.observed.len() {
            return Err(IoError::spec(
                "observers",
                format!(
                    "the observers named {} values in game {r}, {} when the run began",
                    recorder.names().len() - 3 * f - 1,
                    self.observed.len()
                ),
            ));
        }
        while !game.is_finished() {
            game.step(self.every);
            let s = game.state();
            let row = recorder.record(&GameView {
                state: &s,
                means: game.means(),
                replicate: r,
            });
            tr.rounds.push(s.round as u64);
            tr.shares.extend(&row[..f]);
            tr.reputation.extend(&row[f..2 * f]);
            tr.firm_regret.extend(&row[2 * f..3 * f]);
            tr.regret.push(row[3 * f]);
            tr.observed.extend(&row[3 * f + 1..]);
        }
        Ok(TrajectoryReplicate {
            outcome: game.outcome(),
            trajectory: tr,
        })
    }

    fn summarize(
        &self,
        plan: &Plan,
        replicates: Vec<TrajectoryReplicate>,
    ) -> Result<TrajectorySummary, IoError> {
        let (outcomes, trajectories) = replicates
            .into_iter()
            .map(|r| (r.outcome, r.trajectory))
            .unzip();
        Ok(TrajectorySummary {
            compete: self.compete.summarize(plan, outcomes)?,
            trajectories,
        })
    }

    /// [`Compete`]'s per-run table.
    fn table(&self, s: &TrajectorySummary) -> Result<Table, IoError> {
        self.compete.table(&s.compete)
    }

    fn outputs(&self, plan: &Plan, s: &TrajectorySummary) -> Result<Outputs, IoError> {
        let mut out = self.compete.outputs(plan, &s.compete)?;
        out.table("trajectories", self.trajectory_table(s)?);
        let bands = self.bands_table(s)?;
        let mut fig = Figure::new(
            "Market share over the game (mean over runs, 95% band)",
            "game round",
            "market share so far",
        );
        let f = self.firms();
        if let (Some(Column::F64(mean)), Some(Column::F64(lo)), Some(Column::F64(hi))) = (
            bands.column("share_mean"),
            bands.column("share_lo"),
            bands.column("share_hi"),
        ) {
            let rounds: Vec<f64> = s.trajectories[0].rounds.iter().map(|&x| x as f64).collect();
            let names: Vec<String> = self.compete.games().cells[0]
                .algorithms
                .iter()
                .enumerate()
                .map(|(i, a)| format!("firm {} ({})", i + 1, a.label()))
                .collect();
            for (j, name) in names.iter().enumerate() {
                let pick = |v: &[f64]| v.iter().skip(j).step_by(f).copied().collect::<Vec<_>>();
                fig = fig
                    .with(Series::line(name.clone(), rounds.clone(), pick(mean)))
                    .with(Series::line(
                        format!("{name} 95% low"),
                        rounds.clone(),
                        pick(lo),
                    ))
                    .with(Series::line(
                        format!("{name} 95% high"),
                        rounds.clone(),
                        pick(hi),
                    ));
            }
        }
        out.table("trajectory_bands", bands);
        if let Some(report) = out.report.as_mut() {
            if let Some(section) = report.sections.first_mut() {
                section
                    .figures
                    .push((fig.title.clone(), "fig_share_trajectory".into()));
            }
        }
        out.figure("fig_share_trajectory", fig);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compete_spec::CompeteSpec;
    use crate::experiment::execute;

    fn spec() -> CompeteSpec {
        CompeteSpec::from_value(&serde_json::json!({
            "instance": "uniform", "k": 4, "algorithms": ["TS", "BG", "BEG"],
            "t": 300, "t0": 10, "scenario": "data-advantage", "x": 30
        }))
        .unwrap()
    }

    #[test]
    fn recorded_games_end_where_the_whole_games_end() {
        let compete = Compete::new(spec()).unwrap();
        let plan = Plan::new(7, 5);
        let whole = execute(&compete, &plan, &|_| {}).unwrap().summary;
        let traj = CompeteTrajectories::new(Compete::new(spec()).unwrap(), 7).unwrap();
        let got = execute(&traj, &plan, &|_| {}).unwrap().summary;
        assert_eq!(got.compete.outcomes, whole.outcomes);
        assert_eq!(
            traj.table(&got).unwrap(),
            compete.table(&whole).unwrap(),
            "the per-run table is Compete's"
        );
        for (t, o) in got.trajectories.iter().zip(&whole.outcomes) {
            assert_eq!(t.rounds.len(), 300_usize.div_ceil(7));
            assert_eq!(*t.rounds.last().unwrap(), 300);
            assert_eq!(*t.regret.last().unwrap(), o.regret);
            assert!(
                t.regret.windows(2).all(|w| w[0] <= w[1]),
                "regret never falls"
            );
            for row in t.shares.chunks(3) {
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            }
            let last = &t.reputation[t.reputation.len() - 3..];
            assert_eq!(last, &o.final_reputation[..]);
        }
        let bands = traj.bands_table(&got).unwrap();
        assert_eq!(bands.n_rows(), 300_usize.div_ceil(7) * 3);
        let long = traj.trajectory_table(&got).unwrap();
        assert_eq!(long.n_rows(), 5 * 300_usize.div_ceil(7) * 3);
        assert!(CompeteTrajectories::new(compete, 0).is_err());
    }

    /// The leading share and the round it was last reached at (a stateful observer).
    struct Leader {
        last_change: f64,
        leader: f64,
    }

    impl marketloop_core::bandits::GameObserver for Leader {
        fn names(&self, _: usize) -> Vec<String> {
            vec!["top_share".into(), "leader".into(), "leader_since".into()]
        }
        fn observe(&mut self, v: &GameView<'_>, out: &mut [f64]) {
            let s = &v.state.shares;
            let (lead, top) =
                s.iter()
                    .enumerate()
                    .fold((0, f64::MIN), |b, (j, &x)| if x > b.1 { (j, x) } else { b });
            if lead as f64 + 1.0 != self.leader {
                self.leader = lead as f64 + 1.0;
                self.last_change = v.state.round as f64;
            }
            out.copy_from_slice(&[top, self.leader, self.last_change]);
        }
    }

    fn leader() -> ObserverSpec {
        ObserverSpec::new("leader", || {
            Ok(Box::new(Leader {
                last_change: 0.0,
                leader: 0.0,
            }))
        })
    }

    #[test]
    fn user_observers_add_columns_and_bands_and_leave_the_built_ins_alone() {
        let plan = Plan::new(3, 4);
        let plain = CompeteTrajectories::new(Compete::new(spec()).unwrap(), 25).unwrap();
        let want = execute(&plain, &plan, &|_| {}).unwrap().summary;
        let with = CompeteTrajectories::new(Compete::new(spec()).unwrap(), 25)
            .unwrap()
            .with_observers(vec![leader()])
            .unwrap();
        assert_eq!(
            with.observer_names(),
            ["top_share", "leader", "leader_since"]
        );
        let dir = std::env::temp_dir().join(format!("traj-observers-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let got = crate::experiment::execute_in(&with, &plan, &dir, false, &|_| {})
            .unwrap()
            .summary;
        for (a, b) in got.trajectories.iter().zip(&want.trajectories) {
            assert_eq!(
                (&a.shares, &a.reputation, &a.regret),
                (&b.shares, &b.reputation, &b.regret)
            );
            assert_eq!(a.observed.len(), a.rounds.len() * 3);
            for (i, row) in a.observed.chunks(3).enumerate() {
                let shares = &a.shares[i * 3..i * 3 + 3];
                assert_eq!(row[0], shares.iter().cloned().fold(f64::MIN, f64::max));
                assert_eq!(shares[row[1] as usize - 1], row[0]);
                assert!(row[2] <= a.rounds[i] as f64);
            }
        }
        let long = with.trajectory_table(&got).unwrap();
        assert_eq!(
            long.names().last().map(String::as_str),
            Some("leader_since")
        );
        let bands = with.bands_table(&got).unwrap();
        assert!(bands.column("top_share_mean").is_some() && bands.column("leader_hi").is_some());
        let csv = std::fs::read_to_string(dir.join("trajectories.csv")).unwrap();
        assert!(csv
            .lines()
            .next()
            .unwrap()
            .ends_with(",top_share,leader,leader_since"));
        // Resume reads the saved observer values back.
        std::fs::remove_file(dir.join("manifest.json")).unwrap();
        let again = crate::experiment::execute_in(&with, &plan, &dir, true, &|_| {}).unwrap();
        assert_eq!(again.resumed, 4);
        assert_eq!(again.summary.trajectories, got.trajectories);
        std::fs::remove_dir_all(&dir).unwrap();
        // A name that is already a column is refused, naming the observer.
        let clash = ObserverSpec::new("mine", || {
            Ok(Box::new(marketloop_core::bandits::MarketRegret))
        });
        let err = CompeteTrajectories::new(Compete::new(spec()).unwrap(), 25)
            .unwrap()
            .with_observers(vec![clash])
            .unwrap_err();
        assert_eq!(err.field().as_deref(), Some("observers"));
        assert!(err.to_string().contains("\"mine\""), "{err}");
    }

    #[test]
    fn boxed_algorithms_give_the_built_in_tables_and_record_their_labels() {
        use marketloop_core::bandits::FirmAlgorithm;
        let compete = Compete::new(spec()).unwrap();
        let plan = Plan::new(3, 4);
        let want = execute(&compete, &plan, &|_| {}).unwrap().summary;
        let boxed: Vec<FirmAlgorithm> = spec()
            .game
            .algorithms
            .into_iter()
            .map(FirmAlgorithm::Builtin)
            .collect();
        let user = Compete::new(spec())
            .unwrap()
            .with_algorithms(boxed.clone())
            .unwrap();
        let got = execute(&user, &plan, &|_| {}).unwrap().summary;
        assert_eq!(user.table(&got).unwrap(), compete.table(&want).unwrap());
        assert_eq!(
            user.config(&plan)["game"]["algorithms"],
            serde_json::json!(["TS", "BG", "BEG"])
        );
        let short = Compete::new(spec())
            .unwrap()
            .with_algorithms(boxed[..2].to_vec());
        assert!(short
            .unwrap_err()
            .to_string()
            .contains("2 algorithms given"));
    }
}
