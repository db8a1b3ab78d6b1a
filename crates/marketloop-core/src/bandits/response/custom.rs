//! Response functions chosen at run time: the object-safe [`DynResponseFunction`] (every
//! [`ResponseFunction`] implements it automatically; a binding to another language implements it
//! directly), a user's response function for a config ([`CustomResponse`]: named, built afresh
//! for every game), and [`GameResponse`], what a game's users choose by: a built-in
//! ([`Response`], static dispatch) or a user's.
//!
//! [`ResponseFunction::choose`] is generic over the random generator, so `dyn ResponseFunction`
//! does not exist. A game hands its users the run's `Source::Response` stream, always a
//! [`PortableRng`], so the object-safe form takes `&mut PortableRng`: the blanket implementation
//! calls `choose_informed` with that very stream (the same draws in the same order), and a
//! foreign function can be lent the concrete generator for the length of a call.

use super::{Arrival, Response, ResponseFunction};
use crate::bandits::BanditError;
use crate::rng::PortableRng;
use std::fmt;
use std::sync::Arc;

/// A response function as a game drives it (object-safe). Implemented automatically for every
/// [`ResponseFunction`] that is `Clone + Send + 'static`.
pub trait DynResponseFunction: Send {
    /// The index of the chosen firm (`arrival.reps` has at least two entries), drawing only
    /// from `rng` (the run's response stream). May update the function's own state.
    fn dyn_choose(&mut self, arrival: &Arrival<'_>, rng: &mut PortableRng) -> usize;
    /// A boxed copy in the same state.
    fn dyn_clone(&self) -> Box<dyn DynResponseFunction>;
}

impl<T: ResponseFunction + Clone + Send + 'static> DynResponseFunction for T {
    #[inline]
    fn dyn_choose(&mut self, arrival: &Arrival<'_>, rng: &mut PortableRng) -> usize {
        self.choose_informed(arrival, rng)
    }

    fn dyn_clone(&self) -> Box<dyn DynResponseFunction> {
        Box::new(self.clone())
    }
}

type Builder = dyn Fn() -> Result<Box<dyn DynResponseFunction>, BanditError> + Send + Sync;

/// A user's response function in a [`CompetitionConfig`](super::super::CompetitionConfig): a
/// name (for reports) and how to build the function afresh for each game, so no state passes
/// from one run to the next.
#[derive(Clone)]
pub struct CustomResponse {
    name: String,
    build: Arc<Builder>,
}

impl CustomResponse {
    /// A response function named `name`, built by `build` at the start of every game.
    pub fn new<F>(name: impl Into<String>, build: F) -> Self
    where
        F: Fn() -> Result<Box<dyn DynResponseFunction>, BanditError> + Send + Sync + 'static,
    {
        CustomResponse {
            name: name.into(),
            build: Arc::new(build),
        }
    }

    /// A response function named `name`: a copy of `f` for every game.
    pub fn from_fn<F: DynResponseFunction + Clone + Sync + 'static>(
        name: impl Into<String>,
        f: F,
    ) -> Self {
        Self::new(name, move || Ok(f.dyn_clone()))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A fresh function for one game.
    pub fn build(&self) -> Result<Box<dyn DynResponseFunction>, BanditError> {
        (self.build)()
    }
}

impl fmt::Debug for CustomResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CustomResponse({:?})", self.name)
    }
}

impl PartialEq for CustomResponse {
    /// The same name and the same builder.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.build, &other.build)
    }
}

/// What a game's users choose by: a built-in response function (static dispatch) or a user's.
pub enum GameResponse {
    /// A built-in, from the config's [`ResponseSpec`](super::ResponseSpec).
    Builtin(Response),
    /// A user's, built from the config's [`CustomResponse`].
    Custom(Box<dyn DynResponseFunction>),
}

impl DynResponseFunction for GameResponse {
    #[inline]
    fn dyn_choose(&mut self, arrival: &Arrival<'_>, rng: &mut PortableRng) -> usize {
        match self {
            GameResponse::Builtin(r) => r.choose_informed(arrival, rng),
            GameResponse::Custom(f) => f.dyn_choose(arrival, rng),
        }
    }

    fn dyn_clone(&self) -> Box<dyn DynResponseFunction> {
        Box::new(self.clone())
    }
}

impl Clone for GameResponse {
    fn clone(&self) -> Self {
        match self {
            GameResponse::Builtin(r) => GameResponse::Builtin(*r),
            GameResponse::Custom(f) => GameResponse::Custom(f.dyn_clone()),
        }
    }
}

impl fmt::Debug for GameResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GameResponse::Builtin(r) => write!(f, "{r:?}"),
            GameResponse::Custom(_) => f.write_str("a user's response function"),
        }
    }
}
