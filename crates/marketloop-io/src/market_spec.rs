//! The market TOML spec of `marketloop market ...`: re-exports of [`crate::spec::market`] (the
//! typed [`MarketSpec`] and its resolution into [`ResolvedMarket`]) under their old path.

pub use crate::spec::market::{
    GroupsRef, InitialSpec, MarketSpec, ResolvedMarket, UniformRef, WeightsSpec, TOP_KEYS,
};
