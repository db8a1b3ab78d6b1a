//! Which reading of a paper a reproduction follows ([`Protocol`]): the paper's text, or the
//! conventions of the authors' public code where the two differ. One switch selects them all;
//! each convention also stays available as its own option, which overrides the switch.

use crate::IoError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The reading a reproduction follows where the paper's text and the authors' code differ.
///
/// - Competing bandits (rawls238/CompetingBandits, `simulation_code/`): `authors-code` puts the
///   Needle-in-Haystack needle at arm K/2 and lets both firms read one shared table of
///   warm-start rewards; `paper` draws the needle's position per mean vector and gives each
///   firm its own warm-start users.
/// - Cultural markets (haiqingzhu543/Stability-and-Efficiency-of-Personalised-Cultural-Markets,
///   `market_simulations.py` at 2772ea3): `authors-code` orders tied shares and tied qualities
///   as `np.argsort(x)[::-1]` does; `paper` orders ties by the default rules (first to reach a
///   count, lower index for equal qualities).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// As the paper's text says (default).
    #[default]
    Paper,
    /// As the authors' public code did.
    AuthorsCode,
}

impl Protocol {
    /// The flag spellings, the default first.
    pub const NAMES: [&'static str; 2] = ["paper", "authors-code"];

    /// The flag spelling.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Paper => "paper",
            Protocol::AuthorsCode => "authors-code",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Protocol {
    type Err = IoError;

    fn from_str(s: &str) -> Result<Self, IoError> {
        match s {
            "paper" => Ok(Protocol::Paper),
            "authors-code" => Ok(Protocol::AuthorsCode),
            other => Err(IoError::spec(
                "protocol",
                format!("{other:?} is not a protocol; allowed: paper, authors-code"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_names_round_trip() {
        for name in Protocol::NAMES {
            assert_eq!(name.parse::<Protocol>().unwrap().to_string(), name);
        }
        let e = "authors".parse::<Protocol>().unwrap_err();
        assert_eq!(e.field().as_deref(), Some("protocol"));
        assert!(
            e.to_string().contains("allowed: paper, authors-code"),
            "{e}"
        );
    }
}
