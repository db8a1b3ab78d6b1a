//! Position bias iota_k: how much attention rank position k gets (Section 5, eq. 20:
//! v_ij^t = vhat_ij * iota_{rank of j}). Only positions with a nonzero weight matter, so a step
//! under a ranking costs O(positions), not O(items).

use super::error::MarketError;
use serde::{Deserialize, Serialize};

/// The MusicLab position-bias weights of Krumme et al. for positions 1..50, verbatim from the
/// spec (not monotone: that is the published table). Positions 51.. have weight 0.
pub const MUSICLAB_WEIGHTS: [f64; 50] = [
    0.83, 0.75, 0.69, 0.62, 0.58, 0.48, 0.44, 0.40, 0.37, 0.35, 0.338, 0.321, 0.317, 0.3106,
    0.2751, 0.2549, 0.2514, 0.2325, 0.2251, 0.2242, 0.2150, 0.1904, 0.1841, 0.1818, 0.1701, 0.1658,
    0.1537, 0.1364, 0.1308, 0.1267, 0.1243, 0.1236, 0.1184, 0.1067, 0.1002, 0.1038, 0.1019, 0.1048,
    0.1061, 0.1142, 0.1260, 0.1316, 0.1484, 0.1504, 0.1553, 0.1699, 0.1727, 0.1783, 0.1885, 0.2206,
];

/// Attention weights of rank positions 1, 2, ...; positions past the end weigh 0.
#[derive(Clone, Debug, PartialEq)]
pub struct PositionBias {
    weights: Vec<f64>,
}

const FIELD: &str = "ranking.position_bias";

impl PositionBias {
    /// A position bias from explicit weights (position 1 first): each finite and >= 0, at least
    /// one > 0. Trailing zeros are dropped.
    pub fn new(mut weights: Vec<f64>) -> Result<Self, MarketError> {
        for (k, &x) in weights.iter().enumerate() {
            if !x.is_finite() || x < 0.0 {
                return Err(MarketError::Ranking {
                    field: FIELD,
                    message: format!(
                        "weight iota = {x} at position {} must be finite and lie in [0, inf)",
                        k + 1
                    ),
                });
            }
        }
        while weights.last() == Some(&0.0) {
            weights.pop();
        }
        if weights.is_empty() {
            return Err(MarketError::Ranking {
                field: FIELD,
                message: "every position weight is 0 (or none is given): at least one must be > 0"
                    .into(),
            });
        }
        Ok(Self { weights })
    }

    /// The 50 MusicLab weights ([`MUSICLAB_WEIGHTS`]).
    pub fn musiclab() -> Self {
        Self {
            weights: MUSICLAB_WEIGHTS.to_vec(),
        }
    }

    /// iota_k = 1 / log2(1 + k) for k = 1..=positions (the DCG discount).
    pub fn log_discount(positions: usize) -> Result<Self, MarketError> {
        if positions == 0 {
            return Err(MarketError::Empty {
                field: FIELD,
                what: "number of positions of log_discount",
            });
        }
        Self::new(
            (1..=positions)
                .map(|k| 1.0 / ((1 + k) as f64).log2())
                .collect(),
        )
    }

    /// iota_k = decay^(k-1) for k = 1..=positions, with decay in (0, 1].
    pub fn exponential(positions: usize, decay: f64) -> Result<Self, MarketError> {
        if positions == 0 {
            return Err(MarketError::Empty {
                field: FIELD,
                what: "number of positions of exponential",
            });
        }
        if !(decay.is_finite() && decay > 0.0 && decay <= 1.0) {
            return Err(MarketError::Ranking {
                field: FIELD,
                message: format!("exponential decay = {decay} must lie in (0, 1]"),
            });
        }
        Self::new((0..positions).map(|k| decay.powi(k as i32)).collect())
    }

    /// Weights of positions 1..=positions() (the last one is > 0).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Number of positions with a weight (after trailing zeros are dropped).
    pub fn positions(&self) -> usize {
        self.weights.len()
    }
}

/// A position bias as written in a config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PositionBiasSpec {
    /// [`MUSICLAB_WEIGHTS`].
    #[default]
    Musiclab,
    /// Explicit weights, position 1 first.
    Weights(Vec<f64>),
    /// 1 / log2(1 + k) for the first `positions` positions.
    LogDiscount {
        /// Number of positions.
        positions: usize,
    },
    /// decay^(k-1) for the first `positions` positions.
    Exponential {
        /// Number of positions.
        positions: usize,
        /// Decay factor in (0, 1].
        decay: f64,
    },
}

impl PositionBiasSpec {
    /// Builds and validates the position bias.
    pub fn build(&self) -> Result<PositionBias, MarketError> {
        match self {
            PositionBiasSpec::Musiclab => Ok(PositionBias::musiclab()),
            PositionBiasSpec::Weights(w) => PositionBias::new(w.clone()),
            PositionBiasSpec::LogDiscount { positions } => PositionBias::log_discount(*positions),
            PositionBiasSpec::Exponential { positions, decay } => {
                PositionBias::exponential(*positions, *decay)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn musiclab_table_is_the_published_one() {
        let b = PositionBias::musiclab();
        assert_eq!(b.positions(), 50);
        assert_eq!(b.weights()[0], 0.83);
        assert_eq!(b.weights()[13], 0.3106);
        assert_eq!(b.weights()[35], 0.1038);
        assert_eq!(b.weights()[49], 0.2206);
        let s: f64 = b.weights().iter().sum();
        assert!((s - 12.6603).abs() < 1e-9, "{s}");
    }

    #[test]
    fn shapes() {
        let l = PositionBias::log_discount(3).unwrap();
        assert_eq!(l.weights()[0], 1.0);
        assert!((l.weights()[2] - 0.5).abs() < 1e-15);
        let e = PositionBias::exponential(3, 0.5).unwrap();
        assert_eq!(e.weights(), &[1.0, 0.5, 0.25]);
        assert_eq!(
            PositionBias::new(vec![1.0, 0.0, 0.0]).unwrap().positions(),
            1
        );
    }

    #[test]
    fn rejects_bad_weights() {
        let m = PositionBias::new(vec![0.5, -1.0]).unwrap_err().to_string();
        assert!(
            m.contains("position 2") && m.contains("-1") && m.contains("[0, inf)"),
            "{m}"
        );
        assert!(PositionBias::new(vec![0.0, 0.0]).is_err());
        assert!(PositionBias::new(vec![f64::NAN]).is_err());
        let m = PositionBias::exponential(5, 1.5).unwrap_err().to_string();
        assert!(m.contains("1.5") && m.contains("(0, 1]"), "{m}");
        assert!(PositionBias::log_discount(0).is_err());
    }
}
