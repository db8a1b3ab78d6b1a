//! Deterministic maps over replicate indices.
//!
//! Parallelism is over replicate *indices*, never over a shared generator: replicate `r` draws
//! only from the streams of `r` (see [`crate::rng::SeedSequence::stream`]), so the results are
//! bit-identical for one thread or many, and for a run that is resumed after an interruption.
//! A run can be asked to stop early through [`Stop`] (see `runner/stop.rs`).

mod stop;

pub use stop::{stop_requested, Stop, STOP_CHECK_STEPS};

use rayon::prelude::*;

/// How replicates are scheduled. The results never depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Schedule {
    /// One after the other on the calling thread.
    Serial,
    /// On rayon's global thread pool.
    #[default]
    Parallel,
}

/// Runs `f` for every index in `indices` and returns the results in the order of `indices`.
/// `on_done` is called (from any thread) after each replicate finishes, with its index and
/// result, for progress reporting and for writing finished work to disk as it completes.
/// The first error stops scheduling further replicates and is returned. The calling thread's
/// stop token (see [`Stop::scope`]) is the current one of each replicate, whichever thread
/// runs it.
pub fn map_replicates<T, E, F, D>(
    indices: &[u64],
    schedule: Schedule,
    f: F,
    on_done: D,
) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    F: Fn(u64) -> Result<T, E> + Sync,
    D: Fn(u64, &T) -> Result<(), E> + Sync,
{
    let stop = Stop::current();
    let one = |r: u64| -> Result<T, E> {
        let out = match &stop {
            Some(s) => s.scope(|| f(r))?,
            None => f(r)?,
        };
        on_done(r, &out)?;
        Ok(out)
    };
    match schedule {
        Schedule::Serial => indices.iter().map(|&r| one(r)).collect(),
        Schedule::Parallel => indices.par_iter().map(|&r| one(r)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};
    use rand::Rng;

    fn work(seeds: SeedSequence, r: u64) -> Result<Vec<f64>, ()> {
        let mut rng = seeds.stream(r, Source::Choice);
        Ok((0..1000).map(|_| rng.random::<f64>()).collect())
    }

    #[test]
    fn serial_equals_parallel_equals_rerun() {
        let seeds = SeedSequence::new(2024);
        let idx: Vec<u64> = (0..16).collect();
        let a = map_replicates(&idx, Schedule::Serial, |r| work(seeds, r), |_, _| Ok(())).unwrap();
        let b =
            map_replicates(&idx, Schedule::Parallel, |r| work(seeds, r), |_, _| Ok(())).unwrap();
        let c =
            map_replicates(&idx, Schedule::Parallel, |r| work(seeds, r), |_, _| Ok(())).unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let d = pool
            .install(|| map_replicates(&idx, Schedule::Parallel, |r| work(seeds, r), |_, _| Ok(())))
            .unwrap();
        assert_eq!(a, d);
    }

    #[test]
    fn replicates_see_the_callers_stop_token_on_every_thread() {
        let idx: Vec<u64> = (0..32).collect();
        let stop = Stop::new();
        stop.request();
        let seen = stop.scope(|| {
            map_replicates(
                &idx,
                Schedule::Parallel,
                |_| Ok::<_, ()>(stop_requested()),
                |_, _| Ok(()),
            )
        });
        assert_eq!(seen, Ok(vec![true; 32]));
        let outside = map_replicates(
            &idx,
            Schedule::Parallel,
            |_| Ok::<_, ()>(stop_requested()),
            |_, _| Ok(()),
        );
        assert_eq!(outside, Ok(vec![false; 32]));
    }
}
