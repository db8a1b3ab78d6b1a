//! The tie rule of the popularity ranking: how items with equal purchase counts are ordered.
//! Parsed from and displayed as its kebab-case flag name (`first-to-reach`, ...), the same
//! spelling as in specs, so the CLI and the specs need no mirror enum.

use crate::market::error::MarketError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How tied purchase counts are ordered by [`PopularityRanking`](super::PopularityRanking).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TieRule {
    /// Among items with equal counts, the one that reached the count first ranks higher (a
    /// stable sort by count); items tied from the start are ordered by index.
    #[default]
    FirstToReach,
    /// Ties in uniformly random order: the initial ties are shuffled, and an item that reaches
    /// a count takes a uniformly random place among the items already holding it (so at every
    /// step the order within each tie block is uniformly random, persisting between purchases).
    /// One draw from the `Ranking` stream per purchase.
    Random,
    /// Ties by lower item index first.
    LowestIndex,
    /// Ties by higher item index first.
    HighestIndex,
    /// The order NumPy's default `np.argsort(-shares)` gives (introsort, as in NumPy before its
    /// SIMD sorts): its tie order is a deterministic scramble that changes whenever a count
    /// changes. Recomputed after every purchase, sorting only the partitions that reach the top
    /// positions: O(n) per purchase (about 5 us for n = 1682), for comparisons with Python code.
    NumpyArgsortNegated,
    /// As [`TieRule::NumpyArgsortNegated`] for `np.argsort(shares)[::-1]`, the reading of
    /// "arg sort_desc" that reproduces the published popularity results of Zhu, Cheung & Xie
    /// (Figure 2) with the authors' inputs.
    NumpyArgsortReversed,
}

impl TieRule {
    /// Every rule, in the order of [`TieRule::NAMES`].
    pub const ALL: [TieRule; 6] = [
        TieRule::FirstToReach,
        TieRule::Random,
        TieRule::LowestIndex,
        TieRule::HighestIndex,
        TieRule::NumpyArgsortNegated,
        TieRule::NumpyArgsortReversed,
    ];

    /// The kebab-case names of every rule (as in specs and on the command line), the default
    /// first.
    pub const NAMES: [&'static str; 6] = [
        "first-to-reach",
        "random",
        "lowest-index",
        "highest-index",
        "numpy-argsort-negated",
        "numpy-argsort-reversed",
    ];

    /// The kebab-case name, e.g. `"first-to-reach"`.
    pub fn name(self) -> &'static str {
        match self {
            TieRule::FirstToReach => Self::NAMES[0],
            TieRule::Random => Self::NAMES[1],
            TieRule::LowestIndex => Self::NAMES[2],
            TieRule::HighestIndex => Self::NAMES[3],
            TieRule::NumpyArgsortNegated => Self::NAMES[4],
            TieRule::NumpyArgsortReversed => Self::NAMES[5],
        }
    }
}

impl fmt::Display for TieRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TieRule {
    type Err = MarketError;

    /// Parses a kebab-case name; an unknown name is a [`MarketError::Ranking`] on
    /// `ranking.ties` listing the allowed names.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|rule| rule.name() == s)
            .ok_or_else(|| MarketError::Ranking {
                field: "ranking.ties",
                message: format!(
                    "ranking.ties = {s:?}; allowed: {}",
                    Self::NAMES
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::StrDeserializer;
    use serde::de::IntoDeserializer;

    #[test]
    fn names_round_trip_and_match_serde() {
        assert_eq!(TieRule::ALL.len(), TieRule::NAMES.len());
        assert_eq!(TieRule::ALL[0], TieRule::default());
        for (rule, name) in TieRule::ALL.into_iter().zip(TieRule::NAMES) {
            assert_eq!(rule.to_string(), name);
            assert_eq!(name.parse::<TieRule>().unwrap(), rule);
            // the spec spelling (serde) is the same name
            let de: StrDeserializer<'_, serde::de::value::Error> = name.into_deserializer();
            assert_eq!(TieRule::deserialize(de).unwrap(), rule);
        }
    }

    #[test]
    fn unknown_names_are_errors_listing_the_allowed_ones() {
        for bad in ["", "First-To-Reach", "first_to_reach", "numpy"] {
            let e = bad.parse::<TieRule>().unwrap_err();
            assert_eq!(e.field(), Some("ranking.ties"));
            let msg = e.to_string();
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            for name in TieRule::NAMES {
                assert!(msg.contains(name), "{msg} lacks {name}");
            }
        }
    }
}
