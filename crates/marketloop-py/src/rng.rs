//! `marketloop.Rng`: the run's own random stream handed to Python plug-ins.
//!
//! A plug-in draws from the same portable stream (`PortableRng`, ChaCha8) the built-ins draw
//! from: for a bandit algorithm, its firm's exploration stream. The engine lends the stream to
//! the `Rng` object for the duration of one call (the state is moved in and moved back), so a
//! Python plug-in is exactly as reproducible as a built-in: same seed, same numbers, any thread
//! count, after resume. Outside the call a lent `Rng` refuses to draw (a draw kept for later
//! would come from a stale copy of the stream).
//!
//! The draws are the built-ins' own: `random()` is the `f64` coin of BayesEpsilonGreedy,
//! `integers(n)` on a range within `[0, 2^32)` is `random_range` on `u32` (the argmax tie-break
//! of the Bayesian algorithms), `beta(a, b)` is Thompson sampling's exact Beta sampler.

use crate::MarketloopError;
use marketloop_core::bandits::BetaSampler;
use marketloop_core::rng::PortableRng;
use pyo3::prelude::*;
use pyo3::types::{PyInt, PySequence};
use rand::{Rng as _, RngCore, SeedableRng};
use rand_distr::StandardNormal;

/// A portable random stream (ChaCha8): inside a plug-in call, the run's own stream.
#[pyclass(name = "Rng", module = "marketloop._core")]
pub struct PyRng {
    rng: PortableRng,
    /// Lent by the engine: draws only while `active`.
    lent: bool,
    active: bool,
}

fn bad(msg: impl Into<String>) -> PyErr {
    MarketloopError::new_err(msg.into())
}

impl PyRng {
    /// An inactive `Rng` the engine lends a stream to, call by call ([`PyRng::lend`]).
    pub fn lendable() -> Self {
        PyRng {
            rng: PortableRng::seed_from_u64(0),
            lent: true,
            active: false,
        }
    }

    /// Runs `f` with `stream` moved into `cell` (and moved back afterwards, whatever `f`
    /// returns). Errors only if the `Rng` is borrowed elsewhere at that moment (a plug-in
    /// holding it across threads).
    pub fn lend<T>(
        cell: &Bound<'_, PyRng>,
        stream: &mut PortableRng,
        f: impl FnOnce() -> T,
    ) -> PyResult<T> {
        {
            let mut r = cell.try_borrow_mut()?;
            std::mem::swap(&mut r.rng, stream);
            r.active = true;
        }
        let out = f();
        let mut r = cell.try_borrow_mut()?;
        std::mem::swap(&mut r.rng, stream);
        r.active = false;
        Ok(out)
    }

    fn live(&mut self) -> PyResult<&mut PortableRng> {
        if self.lent && !self.active {
            return Err(bad(
                "this Rng is the run's own stream and draws only during the plug-in call it was \
                 handed to (for later draws keep a generator made by rng.numpy() in that call)",
            ));
        }
        Ok(&mut self.rng)
    }

    fn index(&mut self, n: u64) -> PyResult<u64> {
        self.integers_in(0, n as i128)
            .and_then(|i| u64::try_from(i).map_err(|_| bad("index out of range")))
    }

    fn integers_in(&mut self, low: i128, high: i128) -> PyResult<i128> {
        if high <= low {
            return Err(bad(format!(
                "integers: high = {high} must exceed low = {low} (the range is [low, high))"
            )));
        }
        let rng = self.live()?;
        if low >= 0 && high <= 1 << 32 {
            // The built-ins' draw on 32-bit ranges (the Bayesian algorithms' tie-break).
            if high == 1 << 32 {
                let x: u32 = rng.random_range(low as u32..=u32::MAX);
                return Ok(i128::from(x));
            }
            return Ok(i128::from(rng.random_range(low as u32..high as u32)));
        }
        if low >= i128::from(i64::MIN) && high <= i128::from(i64::MAX) + 1 {
            let x: i64 = rng.random_range(low as i64..=(high - 1) as i64);
            return Ok(i128::from(x));
        }
        Err(bad(format!(
            "integers: [{low}, {high}) does not fit in 64-bit integers"
        )))
    }
}

fn finite(name: &str, x: f64) -> PyResult<f64> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(bad(format!("{name} = {x} must be a finite number")))
    }
}

#[pymethods]
impl PyRng {
    /// A stream of its own: ChaCha8 keyed by `seed_from_u64(seed)` on stream `stream` (what
    /// `SeedSequence::stream` gives replicate `r` and source `s` for `stream = r << 16 | s`).
    /// For trying a plug-in outside a run; inside a run the engine hands the run's stream.
    #[new]
    #[pyo3(signature = (seed=0, stream=0))]
    fn new(seed: u64, stream: u64) -> Self {
        let mut rng = PortableRng::seed_from_u64(seed);
        rng.set_stream(stream);
        PyRng {
            rng,
            lent: false,
            active: true,
        }
    }

    /// A uniform float in [0, 1) (53 random bits; the built-ins' coin).
    fn random(&mut self) -> PyResult<f64> {
        Ok(self.live()?.random::<f64>())
    }

    /// A uniform float in [low, high).
    #[pyo3(signature = (low=0.0, high=1.0))]
    fn uniform(&mut self, low: f64, high: f64) -> PyResult<f64> {
        let (low, high) = (finite("low", low)?, finite("high", high)?);
        if high < low {
            return Err(bad(format!(
                "uniform: high = {high} must be at least low = {low}"
            )));
        }
        let u = self.live()?.random::<f64>();
        Ok(low + (high - low) * u)
    }

    /// A uniform integer in [low, high), or in [0, low) when `high` is None (numpy's
    /// `Generator.integers`). Ranges within [0, 2^32) draw exactly as the built-ins'
    /// `random_range` on `u32` (the Bayesian algorithms' argmax tie-break), others as on `i64`.
    #[pyo3(signature = (low, high=None))]
    fn integers(&mut self, low: i128, high: Option<i128>) -> PyResult<i128> {
        match high {
            None => self.integers_in(0, low),
            Some(h) => self.integers_in(low, h),
        }
    }

    /// A Beta(a, b) draw (a, b > 0), with Thompson sampling's exact sampler.
    fn beta(&mut self, a: f64, b: f64) -> PyResult<f64> {
        for (name, x) in [("a", a), ("b", b)] {
            if !(x.is_finite() && x > 0.0) {
                return Err(bad(format!(
                    "beta: {name} = {x} must be a finite number > 0"
                )));
            }
        }
        let sampler = BetaSampler::new(a, b);
        Ok(sampler.sample(self.live()?))
    }

    /// A Normal(loc, scale^2) draw (scale >= 0; rand_distr's ziggurat).
    #[pyo3(signature = (loc=0.0, scale=1.0))]
    fn normal(&mut self, loc: f64, scale: f64) -> PyResult<f64> {
        let (loc, scale) = (finite("loc", loc)?, finite("scale", scale)?);
        if scale < 0.0 {
            return Err(bad(format!("normal: scale = {scale} must be >= 0")));
        }
        let z: f64 = self.live()?.sample(StandardNormal);
        Ok(loc + scale * z)
    }

    /// One element of `a` (a sequence, or `range(a)` for an int), uniformly or with
    /// probabilities `p` (non-negative, summing to 1 within 1e-8; one uniform draw).
    #[pyo3(signature = (a, p=None))]
    fn choice<'py>(
        &mut self,
        a: &Bound<'py, PyAny>,
        p: Option<Vec<f64>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = a.py();
        let (n, seq) = if let Ok(i) = a.downcast::<PyInt>() {
            let n: i64 = i.extract()?;
            if n < 1 {
                return Err(bad(format!("choice: a = {n} must be at least 1")));
            }
            (n as u64, None)
        } else if let Ok(s) = a.downcast::<PySequence>() {
            let n = s.len()?;
            if n == 0 {
                return Err(bad("choice: a is empty"));
            }
            (n as u64, Some(s.clone()))
        } else {
            return Err(bad(format!(
                "choice: a must be an int or a sequence, not {}",
                a.get_type().name()?
            )));
        };
        let i = match p {
            None => self.index(n)?,
            Some(p) => {
                if p.len() as u64 != n {
                    return Err(bad(format!(
                        "choice: p has {} probabilities for {n} elements",
                        p.len()
                    )));
                }
                if let Some((j, &x)) = p
                    .iter()
                    .enumerate()
                    .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
                {
                    return Err(bad(format!(
                        "choice: p[{j}] = {x} must be a finite number >= 0"
                    )));
                }
                let total: f64 = p.iter().sum();
                if (total - 1.0).abs() > 1e-8 {
                    return Err(bad(format!("choice: p sums to {total}, not 1")));
                }
                let u = self.live()?.random::<f64>() * total;
                let mut acc = 0.0;
                let last = p.iter().rposition(|&x| x > 0.0).unwrap_or(0);
                let mut pick = last;
                for (j, &x) in p.iter().enumerate().take(last) {
                    acc += x;
                    if u < acc {
                        pick = j;
                        break;
                    }
                }
                pick as u64
            }
        };
        match seq {
            None => Ok(i.into_pyobject(py)?.into_any()),
            Some(s) => s.get_item(i as usize),
        }
    }

    /// A `numpy.random.Generator` (PCG64) seeded with 128 bits drawn from this stream: for
    /// vectorised draws inside the plug-in, as reproducible as the stream itself.
    fn numpy<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let rng = self.live()?;
        let seed = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
        py.import("numpy.random")?
            .getattr("default_rng")?
            .call1((seed,))
    }

    fn __repr__(&self) -> String {
        let state = if !self.lent {
            "own stream"
        } else if self.active {
            "the run's stream, lent for this call"
        } else {
            "the run's stream, between calls"
        };
        format!("marketloop.Rng(ChaCha8, {state})")
    }
}
