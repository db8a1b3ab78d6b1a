//! The paper's design as data: its three instances and algorithms, the grids of warm starts,
//! head starts and horizons, the reference values of Tables 1 and 2, and the catalogue of our
//! eight tables (number, file stem, title, report heading, and which of the paper's tables each
//! reproduces).

use marketloop_core::bandits::{AlgorithmKind, InstanceSpec, NeedlePosition};

/// A reference value of the paper: (mean, 95% half-width).
pub(crate) type Reference = (f64, f64);

/// The three algorithm pairs of Table 1 (the first-named algorithm's share is reported) with
/// the paper's values, columns HT 20, 250, 500, NiH 20, 250, 500, U 20, 250, 500.
pub(crate) const TABLE1_REF: [((&str, &str), [Reference; 9]); 3] = [
    (
        ("TS", "BG"),
        [
            (0.31, 0.03),
            (0.72, 0.02),
            (0.75, 0.02),
            (0.68, 0.03),
            (0.62, 0.03),
            (0.65, 0.03),
            (0.44, 0.03),
            (0.52, 0.02),
            (0.58, 0.02),
        ],
    ),
    (
        ("TS", "BEG"),
        [
            (0.30, 0.03),
            (0.89, 0.01),
            (0.90, 0.01),
            (0.60, 0.03),
            (0.52, 0.03),
            (0.55, 0.02),
            (0.41, 0.03),
            (0.47, 0.02),
            (0.55, 0.02),
        ],
    ),
    (
        ("BG", "BEG"),
        [
            (0.63, 0.03),
            (0.60, 0.02),
            (0.56, 0.03),
            (0.42, 0.03),
            (0.41, 0.03),
            (0.39, 0.02),
            (0.50, 0.03),
            (0.46, 0.02),
            (0.45, 0.02),
        ],
    ),
];

/// Reference values of Table 2: rows entrant TS, BEG, BG; columns incumbent TS, BEG, BG.
pub(super) const TABLE2_REF: [[Reference; 3]; 3] = [
    [(0.003, 0.003), (0.083, 0.02), (0.17, 0.02)],
    [(0.045, 0.01), (0.25, 0.02), (0.23, 0.02)],
    [(0.12, 0.02), (0.36, 0.03), (0.30, 0.02)],
];

/// The warm starts T0 of the simultaneous-entry tables.
pub(super) const T0S: [usize; 3] = [20, 250, 500];
/// The first mover's head starts X.
pub(super) const XS_FIRST_MOVER: [usize; 4] = [50, 200, 300, 500];
/// The head starts X of the data-vs-reputation tables.
pub(super) const XS_ADVANTAGE: [usize; 2] = [200, 500];
/// The horizons of the HardMax&Random table.
pub(super) const HORIZONS: [usize; 3] = [2000, 5000, 10000];
/// Algorithms of the competition game, simplest first (ties go to the simpler one).
pub(super) const GAME_ALGS: [&str; 3] = ["BG", "BEG", "TS"];
/// Display order of the spec's Table 2 (TS, BEG, BG).
pub(super) const DISPLAY_ALGS: [&str; 3] = ["TS", "BEG", "BG"];

/// The pairs of Table 1 (first-named, second-named).
pub(super) fn table1_pairs() -> Vec<(&'static str, &'static str)> {
    TABLE1_REF.iter().map(|(pair, _)| *pair).collect()
}

/// The paper's Table 1 value of `pair` on the instance `instance` (HT, NiH, U) with warm start
/// `t0`, if the paper reports one.
pub(super) fn table1_reference(pair: (&str, &str), instance: &str, t0: usize) -> Option<Reference> {
    let (_, values) = TABLE1_REF.iter().find(|(p, _)| *p == pair)?;
    let i = ["HT", "NiH", "U"].iter().position(|l| *l == instance)?;
    let t = T0S.iter().position(|&x| x == t0)?;
    Some(values[i * T0S.len() + t])
}

/// The three algorithms of the paper's tables by their short names ("TS", "BG", "BEG").
pub(super) fn alg(name: &str) -> AlgorithmKind {
    match name {
        "TS" => AlgorithmKind::ThompsonSampling,
        "BG" => AlgorithmKind::BayesGreedy,
        _ => AlgorithmKind::beg(),
    }
}

/// The three instances in the spec's column order, with their short labels.
pub(super) fn instances(needle: NeedlePosition, k: usize) -> Vec<(&'static str, InstanceSpec)> {
    vec![
        ("HT", InstanceSpec::heavy_tail(k)),
        (
            "NiH",
            InstanceSpec::NeedleInHaystack {
                k,
                needle,
                needle_mean: 0.7,
                base_mean: 0.5,
            },
        ),
        ("U", InstanceSpec::uniform(k)),
    ]
}

/// One of our tables: what it is called, where it goes and what it reproduces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TableInfo {
    /// Our number (1-8).
    pub number: u32,
    /// File stem in the run folder.
    pub stem: &'static str,
    /// Title (in the summary, the Markdown and JSON files).
    pub title: &'static str,
    /// Heading of its report section.
    pub heading: &'static str,
    /// Its row of the report's table index.
    pub content: &'static str,
    /// Which of the paper's tables it reproduces.
    pub paper: &'static str,
}

/// Our eight tables, by number.
pub(super) const TABLES: [TableInfo; 8] = [
    TableInfo {
        number: 1,
        stem: "table1_simultaneous_entry",
        title: "simultaneous entry, HardMax, T = 2000, market share of the first-named algorithm",
        heading: "Table 1: simultaneous entry, HardMax, T = 2000, market share of the first-named algorithm",
        content: "simultaneous entry, HardMax, share of the first-named algorithm, 3 instances x T0 in {20, 250, 500}",
        paper: "Table 1 (spec reference values)",
    },
    TableInfo {
        number: 2,
        stem: "table2_first_mover_ht_x200",
        title: "first mover, Heavy-Tail, X = 200, T0 = 20, entrant's share",
        heading: "Table 2: first mover, Heavy-Tail, X = 200, T0 = 20, entrant's share",
        content: "first mover, Heavy-Tail, X = 200, T0 = 20, entrant's share",
        paper: "Table 2 (spec reference values)",
    },
    TableInfo {
        number: 3,
        stem: "table3_eeog",
        title: "effective end of game (mean / median), simultaneous entry",
        heading: "Table 3: effective end of game (simultaneous entry, HardMax, T = 2000)",
        content: "effective end of game (mean, median) of the table-1 games",
        paper: "EEOG table",
    },
    TableInfo {
        number: 4,
        stem: "table4_first_mover",
        title: "first mover, X in {50, 200, 300, 500}, T0 = 20, entrant's share",
        heading: "Table 4: first mover, X in {50, 200, 300, 500}, T0 = 20, entrant's share",
        content: "first mover X in {50, 200, 300, 500}, T0 = 20, every instance",
        paper: "first-mover tables (Appendix F)",
    },
    TableInfo {
        number: 5,
        stem: "table5_data_vs_reputation",
        title: "data advantage only vs reputation advantage only, X in {200, 500}, T0 = 20, entrant's share",
        heading: "Table 5: data advantage only vs reputation advantage only, X in {200, 500}, T0 = 20, entrant's share",
        content: "data advantage only vs reputation advantage only, X in {200, 500}",
        paper: "data vs reputation advantage tables",
    },
    TableInfo {
        number: 6,
        stem: "table6_hardmax_random",
        title: "HardMax&Random(0.1) vs HardMax at t = 2000, 5000, 10000",
        heading: "Table 6: HardMax&Random(0.1) vs HardMax, T0 = 20, share of the first-named algorithm at t = 2000, 5000, 10000",
        content: "HardMax&Random(0.1) vs HardMax at t = 2000, 5000, 10000 (T0 = 20)",
        paper: "HardMax&Random table",
    },
    TableInfo {
        number: 7,
        stem: "table7_k3_heavy_tail",
        title: "K = 3, T = 5000, Heavy-Tail, simultaneous entry, share of the first-named algorithm",
        heading: "Table 7: K = 3, T = 5000, Heavy-Tail, simultaneous entry, share of the first-named algorithm",
        content: "K = 3, T = 5000, Heavy-Tail, simultaneous entry",
        paper: "K = 3 table (Appendix F)",
    },
    TableInfo {
        number: 8,
        stem: "table8_regret_by_competition",
        title: "market regret by competition level",
        heading: "Table 8: market regret by competition level (T0 = 20, T = 2000)",
        content: "market regret by competition level (T0 = 20)",
        paper: "welfare vs competition",
    },
];

/// The catalogue entry of table `number` (1-8).
pub(super) fn table_info(number: u32) -> &'static TableInfo {
    &TABLES[(number - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_numbered_in_order_with_headings_naming_the_table() {
        for (i, t) in TABLES.iter().enumerate() {
            assert_eq!(t.number as usize, i + 1);
            assert!(t.heading.starts_with(&format!("Table {}: ", t.number)));
            assert!(t.stem.starts_with(&format!("table{}_", t.number)));
        }
    }

    #[test]
    fn table1_reference_reads_the_paper_grid() {
        assert_eq!(table1_reference(("TS", "BG"), "HT", 20), Some((0.31, 0.03)));
        assert_eq!(
            table1_reference(("TS", "BEG"), "NiH", 250),
            Some((0.52, 0.03))
        );
        assert_eq!(
            table1_reference(("BG", "BEG"), "U", 500),
            Some((0.45, 0.02))
        );
        assert_eq!(table1_reference(("BG", "TS"), "U", 500), None);
        assert_eq!(table1_reference(("TS", "BG"), "HT", 30), None);
    }
}
