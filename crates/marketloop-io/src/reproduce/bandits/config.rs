//! What to reproduce: [`BanditsConfig`] (tables, figures, runs, seed, needle), its validation,
//! the command-line parsers of its fields, and the resolved config the manifest records.

use crate::reproduce::Protocol;
use crate::IoError;
use marketloop_core::bandits::{NeedlePosition, WarmStartRows};
use serde::{Deserialize, Serialize};

/// The command name recorded in manifests (and checked on resume).
pub const COMMAND: &str = "reproduce competing-bandits";

/// Table numbers that exist.
pub const TABLE_NUMBERS: std::ops::RangeInclusive<u32> = 1..=8;

/// What `tables` and `figures` may hold, for error messages.
const ALLOWED_TABLES: &str = "allowed: all, or a comma-separated list of 1-8 and figures";

/// What `needle` may hold, for error messages.
const ALLOWED_NEEDLE: &str = "must be \"random\" or an arm index in [0, 9]";

/// Settings of the reproduction (serde-friendly; `Default` is the paper's full run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BanditsConfig {
    /// Which tables (numbers 1-8, see the module docs); default all.
    pub tables: Vec<u32>,
    /// Whether to make the performance-in-isolation figures; default true.
    pub figures: bool,
    /// Runs N (mean vectors per instance; the paper: 1000). At least 2.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Needle-in-Haystack needle position: random (the paper's text) or a fixed arm index in
    /// [0, 9] (the authors' code used K/2 = 5). Default: the protocol's.
    pub needle: Option<NeedlePosition>,
    /// Which warm-start rows the firms read: their own (`per-firm`, the paper's text) or one
    /// shared table (`shared`, the authors' code). Default: the protocol's.
    pub warm_start_rows: Option<WarmStartRows>,
    /// The paper's text (`paper`, default) or the authors' code (`authors-code`): sets the
    /// defaults of `needle` and `warm_start_rows`.
    pub protocol: Protocol,
}

impl Default for BanditsConfig {
    fn default() -> Self {
        BanditsConfig {
            tables: TABLE_NUMBERS.collect(),
            figures: true,
            runs: 1000,
            seed: 2019,
            needle: None,
            warm_start_rows: None,
            protocol: Protocol::Paper,
        }
    }
}

impl BanditsConfig {
    /// Validates every setting and returns the resolved config (tables sorted, deduplicated).
    /// The result is what the manifest records and what `resume` compares.
    pub fn resolve(&self) -> Result<BanditsConfig, IoError> {
        let mut c = self.clone();
        if let Some(n) = c.tables.iter().find(|n| !TABLE_NUMBERS.contains(n)) {
            return Err(IoError::spec(
                "tables",
                format!("{n} is not a table number; allowed: 1-8"),
            ));
        }
        c.tables.sort_unstable();
        c.tables.dedup();
        if c.tables.is_empty() && !c.figures {
            return Err(IoError::spec(
                "tables",
                "tables = [] and figures = false: nothing selected",
            ));
        }
        if c.runs < 2 {
            return Err(IoError::spec(
                "runs",
                format!(
                    "runs = {} must be at least 2 (half-widths need two runs)",
                    c.runs
                ),
            ));
        }
        if let NeedlePosition::Fixed(i) = c.needle_position() {
            if i >= 10 {
                return Err(IoError::spec("needle", format!("{i} {ALLOWED_NEEDLE}")));
            }
        }
        c.needle = Some(c.needle_position());
        c.warm_start_rows = Some(c.warm_rows());
        Ok(c)
    }

    /// The needle position: the `needle` option, else the protocol's (random in the paper's
    /// text, arm K/2 = 5 in the authors' code).
    pub fn needle_position(&self) -> NeedlePosition {
        self.needle.unwrap_or(match self.protocol {
            Protocol::Paper => NeedlePosition::Random,
            Protocol::AuthorsCode => NeedlePosition::Fixed(5),
        })
    }

    /// The warm-start rows: the `warm_start_rows` option, else the protocol's (per firm in the
    /// paper's text, shared in the authors' code).
    pub fn warm_rows(&self) -> WarmStartRows {
        self.warm_start_rows.unwrap_or(match self.protocol {
            Protocol::Paper => WarmStartRows::PerFirm,
            Protocol::AuthorsCode => WarmStartRows::Shared,
        })
    }

    /// Whether table `n` is selected.
    pub(super) fn want(&self, n: u32) -> bool {
        self.tables.contains(&n)
    }

    /// The number of pieces (experiments and isolation studies) this config runs.
    pub fn pieces(&self) -> u64 {
        let w = |n: u32| u64::from(self.want(n));
        // Tables 1 and 3, 6 and 8 run as one experiment per instance, as do 2 and 4.
        let per_instance = u64::from(self.want(1) || self.want(3) || self.want(6) || self.want(8))
            + u64::from(self.want(2) || self.want(4))
            + w(5)
            + u64::from(self.figures);
        3 * per_instance + w(7)
    }

    /// The config as the manifest records it (and `resume` compares): the selection, the runs,
    /// the protocol with the needle and warm-start rows it resolved to, and the paper's fixed
    /// settings.
    pub(super) fn manifest_json(&self) -> serde_json::Value {
        serde_json::json!({
            "paper": "Aridor, Mansour, Slivkins, Wu: Competing Bandits (Section 5, Appendix F)",
            "tables": self.tables, "figures": self.figures, "runs": self.runs,
            "protocol": self.protocol, "needle": self.needle_position(),
            "warm_start_rows": self.warm_rows(),
            "defaults": {"K": 10, "T": 2000, "M": 100, "eps_BEG": 0.05, "prior": [1.0, 1.0], "tie_rule": "lowest-index",
                         "response": "HardMax (fair ties)"},
        })
    }
}

/// Parses a table selection: `all` (every table and the figures), or a comma-separated list of
/// numbers 1-8 and/or `figures`. Returns (tables, figures).
pub fn parse_tables(text: &str) -> Result<(Vec<u32>, bool), IoError> {
    if text.trim() == "all" {
        return Ok((TABLE_NUMBERS.collect(), true));
    }
    let mut nums = Vec::new();
    let mut figures = false;
    for part in text.split(',') {
        let p = part.trim();
        if p == "figures" {
            figures = true;
            continue;
        }
        let n: u32 = p
            .parse()
            .ok()
            .filter(|n| TABLE_NUMBERS.contains(n))
            .ok_or_else(|| {
                IoError::spec(
                    "tables",
                    format!("{p:?} is not a table number; {ALLOWED_TABLES}"),
                )
            })?;
        if !nums.contains(&n) {
            nums.push(n);
        }
    }
    nums.sort_unstable();
    if nums.is_empty() && !figures {
        return Err(IoError::spec(
            "tables",
            format!("nothing selected; {ALLOWED_TABLES}"),
        ));
    }
    Ok((nums, figures))
}

/// Parses a needle position: `random` or an arm index in [0, 9].
pub fn parse_needle(text: &str) -> Result<NeedlePosition, IoError> {
    if text == "random" {
        return Ok(NeedlePosition::Random);
    }
    text.parse::<usize>()
        .ok()
        .filter(|&i| i < 10)
        .map(NeedlePosition::Fixed)
        .ok_or_else(|| IoError::spec("needle", format!("{text:?} {ALLOWED_NEEDLE}")))
}

/// The authors' code's game rows start this many table rows after the warm start's first row
/// (`MAX_WARM_START_SIZE` / `maxStart` in rawls238/CompetingBandits `simulation_code/`).
pub const AUTHORS_GAME_START: usize = 200;

/// Parses warm-start rows: `per-firm`, `shared` or `shared-overlap` (shared, with the game's
/// rows starting `AUTHORS_GAME_START` (200) rows after the warm start's first, as in the authors'
/// code).
pub fn parse_warm_start_rows(text: &str) -> Result<WarmStartRows, IoError> {
    match text {
        "per-firm" => Ok(WarmStartRows::PerFirm),
        "shared" => Ok(WarmStartRows::Shared),
        "shared-overlap" => Ok(WarmStartRows::SharedOverlapping {
            game_start: AUTHORS_GAME_START,
        }),
        other => Err(IoError::spec(
            "warm_start_rows",
            format!(
                "{other:?} is not a warm-start row layout; allowed: per-firm, shared, shared-overlap"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_sorts_and_names_the_bad_field() {
        let c = BanditsConfig {
            tables: vec![3, 1, 3],
            ..BanditsConfig::default()
        };
        assert_eq!(c.resolve().unwrap().tables, vec![1, 3]);
        let bad = |c: BanditsConfig| c.resolve().unwrap_err();
        let e = bad(BanditsConfig {
            tables: vec![9],
            ..BanditsConfig::default()
        });
        assert_eq!(e.field().as_deref(), Some("tables"));
        assert!(e.to_string().contains("9 is not a table number"), "{e}");
        let e = bad(BanditsConfig {
            runs: 1,
            ..BanditsConfig::default()
        });
        assert_eq!(e.field().as_deref(), Some("runs"));
        assert!(e.to_string().contains("runs = 1"), "{e}");
        let e = bad(BanditsConfig {
            needle: Some(NeedlePosition::Fixed(10)),
            ..BanditsConfig::default()
        });
        assert_eq!(e.field().as_deref(), Some("needle"));
        let e = bad(BanditsConfig {
            tables: vec![],
            figures: false,
            ..BanditsConfig::default()
        });
        assert!(e.to_string().contains("nothing selected"), "{e}");
    }

    #[test]
    fn the_protocol_sets_the_defaults_the_options_override() {
        let paper = BanditsConfig::default().resolve().unwrap();
        assert_eq!(paper.needle, Some(NeedlePosition::Random));
        assert_eq!(paper.warm_start_rows, Some(WarmStartRows::PerFirm));
        let code = BanditsConfig {
            protocol: Protocol::AuthorsCode,
            ..BanditsConfig::default()
        };
        let resolved = code.resolve().unwrap();
        assert_eq!(resolved.needle, Some(NeedlePosition::Fixed(5)));
        assert_eq!(resolved.warm_start_rows, Some(WarmStartRows::Shared));
        let mixed = BanditsConfig {
            needle: Some(NeedlePosition::Random),
            ..code
        }
        .resolve()
        .unwrap();
        assert_eq!(mixed.needle, Some(NeedlePosition::Random));
        assert_eq!(mixed.warm_start_rows, Some(WarmStartRows::Shared));
        assert_eq!(mixed.manifest_json()["protocol"], "authors-code");
        // Resolving twice changes nothing (what resume compares).
        assert_eq!(mixed.resolve().unwrap(), mixed);
    }

    #[test]
    fn pieces_counts_shared_experiments_once() {
        let c = |tables: Vec<u32>, figures: bool| BanditsConfig {
            tables,
            figures,
            ..BanditsConfig::default()
        };
        // Tables 1 and 3 share one experiment per instance, with 6 and 8; so do 2 and 4; 7 is
        // one piece.
        assert_eq!(c(vec![1, 3], false).pieces(), 3);
        assert_eq!(c(vec![1, 6, 8], false).pieces(), 3);
        assert_eq!(c(vec![6, 7], false).pieces(), 4);
        assert_eq!(c(vec![2], false).pieces(), 3);
        assert_eq!(c(vec![7], false).pieces(), 1);
        assert_eq!(c(vec![], true).pieces(), 3);
        assert_eq!(BanditsConfig::default().pieces(), 3 * 4 + 1);
    }

    #[test]
    fn parsers_accept_the_documented_forms() {
        assert_eq!(
            parse_tables("all").unwrap(),
            (TABLE_NUMBERS.collect::<Vec<_>>(), true)
        );
        assert_eq!(parse_tables("3, 1,figures,3").unwrap(), (vec![1, 3], true));
        let e = parse_tables("1,12").unwrap_err();
        assert_eq!(e.field().as_deref(), Some("tables"));
        assert!(e.to_string().contains("\"12\""), "{e}");
        assert_eq!(parse_needle("random").unwrap(), NeedlePosition::Random);
        assert_eq!(parse_needle("5").unwrap(), NeedlePosition::Fixed(5));
        assert_eq!(
            parse_needle("10").unwrap_err().field().as_deref(),
            Some("needle")
        );
        assert_eq!(
            parse_warm_start_rows("shared").unwrap(),
            WarmStartRows::Shared
        );
        assert_eq!(
            parse_warm_start_rows("both")
                .unwrap_err()
                .field()
                .as_deref(),
            Some("warm_start_rows")
        );
    }
}
