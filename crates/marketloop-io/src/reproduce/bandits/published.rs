//! The paper's published numbers as data: every number of Tables 1-6 and 9-21 of Aridor,
//! Mansour, Slivkins & Wu, "Competing Bandits: The Perils of Exploration under Competition"
//! (arXiv 2007.10144), each keyed by the labels of the row of our long table it is compared
//! with ([`published`]).
//!
//! Source: the tables as typeset in the journal version's LaTeX in the authors' repository
//! (rawls238/CompetingBandits, `journal paper/ec19paper/content/`): `inverted_u.tex`
//! (Table 1, market shares of simultaneous entry; Table 2, first mover, Heavy-Tail, X = 200;
//! Table 3, effective end of game), `barriers.tex` (Table 4, data vs reputation advantage,
//! Heavy-Tail, X = 200), `non_greedy_choice.tex` (Table 5, HardMax&Random and HardMax on
//! Heavy-Tail; Table 6, HardMax&Random on Uniform and Needle-in-Haystack) and
//! `appendix_for_one_version.tex` (Appendix F: Tables 9-14, first mover on every instance
//! and X; Tables 15-20, data vs reputation advantage; Table 21, K = 3, T = 5000). Tables 7
//! and 8 hold notation, no numbers. Table numbers count the tables in the order they are
//! typeset; Table 1 and Table 2 equal the spec's reference values. Shares and variances are
//! printed to two significant digits (R's `signif(x, 2)`), medians exactly.

use super::paper::{Reference, T0S, TABLE1_REF, TABLE2_REF};

/// What a published number measures: the column of our long table it is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quantity {
    /// A mean market share over the runs (column `mean`).
    Share,
    /// The variance of the market share across the runs (column `variance`).
    Variance,
    /// The mean effective end of game (column `eeog_mean`).
    EeogMean,
    /// The median effective end of game (column `eeog_median`).
    EeogMedian,
}

impl Quantity {
    /// The column of our long table holding it.
    pub(super) fn column(self) -> &'static str {
        match self {
            Quantity::Share => "mean",
            Quantity::Variance => "variance",
            Quantity::EeogMean => "eeog_mean",
            Quantity::EeogMedian => "eeog_median",
        }
    }

    /// The words for it in the report.
    pub(super) fn name(self) -> &'static str {
        match self {
            Quantity::Share => "share",
            Quantity::Variance => "variance of the share",
            Quantity::EeogMean => "EEOG mean",
            Quantity::EeogMedian => "EEOG median",
        }
    }

    /// The unit of the printed value's last digit: two significant digits for shares,
    /// variances and EEOG means; 1/2 for medians, which are printed exactly but are medians of
    /// integer EEOGs over an even number of runs (so they move in steps of 1/2). The median's
    /// unit keeps its tolerance positive when our median's interval is a single point (more
    /// than half of the runs at one value): without it a published median on the other side
    /// would be infinitely many tolerances away.
    pub(super) fn rounding_unit(self, value: f64) -> f64 {
        if self == Quantity::EeogMedian {
            return 0.5;
        }
        if value == 0.0 {
            return 0.0;
        }
        10f64.powf(value.abs().log10().floor() - 1.0)
    }
}

/// One published number and where our run holds its counterpart.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Published {
    /// The paper's table number.
    pub paper_table: u32,
    /// Our table number holding the counterpart.
    pub ours: u32,
    /// The labels of the row of our long table: (column, value).
    pub labels: Vec<(&'static str, String)>,
    /// What it measures.
    pub quantity: Quantity,
    /// The printed value.
    pub value: f64,
    /// The printed 95% half-width (shares only).
    pub half_width: Option<f64>,
}

impl Published {
    /// The cell's labels as one text ("HT, 250, BG vs BEG").
    pub(super) fn cell(&self) -> String {
        self.labels
            .iter()
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The value of label `name`, if it has one.
    pub(super) fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Entrant (rows TS, BEG, BG) by incumbent (columns TS, BEG, BG): the entrant's share.
type Grid = [[Reference; 3]; 3];

/// The instances of the paper's tables in column order.
const INSTANCES: [&str; 3] = ["HT", "NiH", "U"];

/// Table 3: (EEOG mean, median) by pair (as in [`TABLE1_REF`]), columns HT 20, 250, 500,
/// NiH 20, 250, 500, U 20, 250, 500.
const TABLE3: [[(f64, f64); 9]; 3] = [
    [
        (68.0, 0.0),
        (560.0, 8.5),
        (610.0, 86.5),
        (180.0, 30.0),
        (380.0, 0.0),
        (550.0, 6.5),
        (260.0, 0.0),
        (780.0, 676.5),
        (880.0, 897.5),
    ],
    [
        (37.0, 0.0),
        (430.0, 0.0),
        (540.0, 105.0),
        (150.0, 10.0),
        (460.0, 25.0),
        (780.0, 705.0),
        (230.0, 0.0),
        (830.0, 772.0),
        (980.0, 1038.0),
    ],
    [
        (340.0, 110.0),
        (640.0, 393.0),
        (670.0, 425.0),
        (410.0, 8.5),
        (760.0, 666.0),
        (740.0, 646.0),
        (530.0, 101.0),
        (990.0, 1058.0),
        (1000.0, 1059.0),
    ],
];

/// Tables 9-14 (first mover, T0 = 20): (paper table, instance, X, grid). Table 9's X = 200
/// block is Table 2.
const FIRST_MOVER: [(u32, &str, usize, Grid); 12] = [
    (
        9,
        "HT",
        50,
        [
            [(0.054, 0.01), (0.16, 0.02), (0.18, 0.02)],
            [(0.33, 0.03), (0.31, 0.02), (0.26, 0.02)],
            [(0.39, 0.03), (0.41, 0.03), (0.33, 0.02)],
        ],
    ),
    (9, "HT", 200, TABLE2_REF),
    (
        10,
        "HT",
        300,
        [
            [(0.0017, 0.002), (0.059, 0.01), (0.16, 0.02)],
            [(0.029, 0.007), (0.23, 0.02), (0.23, 0.02)],
            [(0.097, 0.02), (0.34, 0.03), (0.29, 0.02)],
        ],
    ),
    (
        10,
        "HT",
        500,
        [
            [(0.002, 0.003), (0.043, 0.01), (0.16, 0.02)],
            [(0.03, 0.007), (0.21, 0.02), (0.24, 0.02)],
            [(0.091, 0.01), (0.32, 0.03), (0.3, 0.02)],
        ],
    ),
    (
        11,
        "NiH",
        50,
        [
            [(0.34, 0.03), (0.4, 0.03), (0.48, 0.03)],
            [(0.22, 0.02), (0.34, 0.03), (0.42, 0.03)],
            [(0.18, 0.02), (0.28, 0.02), (0.37, 0.03)],
        ],
    ),
    (
        11,
        "NiH",
        200,
        [
            [(0.17, 0.02), (0.31, 0.03), (0.41, 0.03)],
            [(0.13, 0.02), (0.26, 0.02), (0.36, 0.03)],
            [(0.093, 0.02), (0.23, 0.02), (0.33, 0.03)],
        ],
    ),
    (
        12,
        "NiH",
        300,
        [
            [(0.1, 0.02), (0.28, 0.03), (0.39, 0.03)],
            [(0.089, 0.02), (0.23, 0.02), (0.36, 0.03)],
            [(0.05, 0.01), (0.21, 0.02), (0.33, 0.03)],
        ],
    ),
    (
        12,
        "NiH",
        500,
        [
            [(0.053, 0.01), (0.23, 0.02), (0.37, 0.03)],
            [(0.051, 0.01), (0.2, 0.02), (0.33, 0.03)],
            [(0.031, 0.009), (0.18, 0.02), (0.31, 0.02)],
        ],
    ),
    (
        13,
        "U",
        50,
        [
            [(0.27, 0.03), (0.21, 0.02), (0.26, 0.02)],
            [(0.39, 0.03), (0.3, 0.03), (0.34, 0.03)],
            [(0.39, 0.03), (0.31, 0.02), (0.33, 0.02)],
        ],
    ),
    (
        13,
        "U",
        200,
        [
            [(0.12, 0.02), (0.16, 0.02), (0.2, 0.02)],
            [(0.25, 0.02), (0.24, 0.02), (0.29, 0.02)],
            [(0.23, 0.02), (0.24, 0.02), (0.29, 0.02)],
        ],
    ),
    (
        14,
        "U",
        300,
        [
            [(0.094, 0.02), (0.15, 0.02), (0.2, 0.02)],
            [(0.2, 0.02), (0.23, 0.02), (0.29, 0.02)],
            [(0.21, 0.02), (0.23, 0.02), (0.29, 0.02)],
        ],
    ),
    (
        14,
        "U",
        500,
        [
            [(0.061, 0.01), (0.12, 0.02), (0.2, 0.02)],
            [(0.17, 0.02), (0.21, 0.02), (0.29, 0.02)],
            [(0.18, 0.02), (0.22, 0.02), (0.29, 0.02)],
        ],
    ),
];

/// Heavy-Tail, X = 200: data advantage only, then reputation advantage only (Tables 4 and 15).
const HT_ADVANTAGE_200: (Grid, Grid) = (
    [
        [(0.0096, 0.006), (0.11, 0.02), (0.18, 0.02)],
        [(0.073, 0.01), (0.29, 0.02), (0.25, 0.02)],
        [(0.15, 0.02), (0.39, 0.03), (0.33, 0.02)],
    ],
    [
        [(0.021, 0.009), (0.16, 0.02), (0.21, 0.02)],
        [(0.26, 0.03), (0.3, 0.02), (0.26, 0.02)],
        [(0.34, 0.03), (0.4, 0.03), (0.33, 0.02)],
    ],
);

/// Tables 15-20 (T0 = 20): (paper table, instance, X, data advantage only, reputation
/// advantage only).
const ADVANTAGE: [(u32, &str, usize, Grid, Grid); 6] = [
    (15, "HT", 200, HT_ADVANTAGE_200.0, HT_ADVANTAGE_200.1),
    (
        16,
        "HT",
        500,
        [
            [(0.0017, 0.002), (0.06, 0.01), (0.18, 0.02)],
            [(0.04, 0.009), (0.24, 0.02), (0.25, 0.02)],
            [(0.12, 0.02), (0.35, 0.03), (0.33, 0.02)],
        ],
        [
            [(0.022, 0.009), (0.13, 0.02), (0.21, 0.02)],
            [(0.26, 0.03), (0.29, 0.02), (0.28, 0.02)],
            [(0.33, 0.03), (0.39, 0.03), (0.34, 0.02)],
        ],
    ),
    (
        17,
        "NiH",
        200,
        [
            [(0.25, 0.03), (0.36, 0.03), (0.45, 0.03)],
            [(0.21, 0.02), (0.32, 0.03), (0.41, 0.03)],
            [(0.18, 0.02), (0.29, 0.03), (0.4, 0.03)],
        ],
        [
            [(0.35, 0.03), (0.43, 0.03), (0.52, 0.03)],
            [(0.26, 0.03), (0.36, 0.03), (0.43, 0.03)],
            [(0.19, 0.02), (0.3, 0.02), (0.36, 0.02)],
        ],
    ),
    (
        18,
        "NiH",
        500,
        [
            [(0.098, 0.02), (0.27, 0.03), (0.41, 0.03)],
            [(0.093, 0.02), (0.24, 0.02), (0.38, 0.03)],
            [(0.064, 0.01), (0.22, 0.02), (0.37, 0.03)],
        ],
        [
            [(0.29, 0.03), (0.44, 0.03), (0.52, 0.03)],
            [(0.19, 0.02), (0.35, 0.03), (0.42, 0.03)],
            [(0.15, 0.02), (0.27, 0.02), (0.35, 0.02)],
        ],
    ),
    (
        19,
        "U",
        200,
        [
            [(0.2, 0.02), (0.22, 0.02), (0.27, 0.03)],
            [(0.33, 0.03), (0.32, 0.03), (0.35, 0.03)],
            [(0.32, 0.03), (0.31, 0.03), (0.35, 0.03)],
        ],
        [
            [(0.27, 0.03), (0.23, 0.02), (0.27, 0.02)],
            [(0.4, 0.03), (0.3, 0.02), (0.32, 0.02)],
            [(0.36, 0.03), (0.29, 0.02), (0.3, 0.02)],
        ],
    ),
    (
        20,
        "U",
        500,
        [
            [(0.14, 0.02), (0.18, 0.02), (0.26, 0.03)],
            [(0.26, 0.02), (0.26, 0.02), (0.34, 0.03)],
            [(0.25, 0.02), (0.27, 0.02), (0.34, 0.03)],
        ],
        [
            [(0.24, 0.02), (0.2, 0.02), (0.26, 0.02)],
            [(0.37, 0.03), (0.29, 0.02), (0.31, 0.02)],
            [(0.35, 0.03), (0.27, 0.02), (0.3, 0.02)],
        ],
    ),
];

/// A HardMax&Random-table cell: (mean share, 95% half-width, variance).
type Hmr = (f64, f64, f64);

/// The response labels of our table 6.
pub(super) const HMR_LABEL: &str = "HardMax&Random(0.1)";
/// The HardMax label of our table 6.
pub(super) const HM_LABEL: &str = "HardMax";

/// Tables 5 and 6 (T0 = 20): (paper table, instance, response, `[horizon][pair]`), horizons
/// 2000, 5000, 10000 and pairs in the order of the paper's header (TS vs BG, TS vs BEG,
/// BG vs BEG).
const HARDMAX_RANDOM: [(u32, &str, &str, [[Hmr; 3]; 3]); 4] = [
    (
        5,
        "HT",
        HMR_LABEL,
        [
            [(0.43, 0.02, 0.15), (0.44, 0.02, 0.15), (0.6, 0.02, 0.1)],
            [
                (0.66, 0.01, 0.056),
                (0.59, 0.02, 0.092),
                (0.56, 0.02, 0.098),
            ],
            [(0.76, 0.01, 0.026), (0.67, 0.02, 0.067), (0.52, 0.02, 0.11)],
        ],
    ),
    (
        5,
        "HT",
        HM_LABEL,
        [
            [(0.29, 0.03, 0.2), (0.28, 0.03, 0.19), (0.63, 0.03, 0.18)],
            [(0.29, 0.03, 0.2), (0.29, 0.03, 0.2), (0.62, 0.03, 0.19)],
            [(0.3, 0.03, 0.21), (0.3, 0.03, 0.2), (0.6, 0.03, 0.2)],
        ],
    ),
    (
        6,
        "U",
        HMR_LABEL,
        [
            [(0.42, 0.02, 0.13), (0.45, 0.02, 0.13), (0.49, 0.02, 0.093)],
            [
                (0.48, 0.02, 0.089),
                (0.53, 0.02, 0.098),
                (0.46, 0.02, 0.072),
            ],
            [(0.54, 0.01, 0.055), (0.6, 0.02, 0.073), (0.44, 0.02, 0.064)],
        ],
    ),
    (
        6,
        "NiH",
        HMR_LABEL,
        [
            [(0.55, 0.02, 0.15), (0.61, 0.02, 0.13), (0.46, 0.02, 0.12)],
            [(0.56, 0.02, 0.13), (0.63, 0.02, 0.12), (0.43, 0.02, 0.11)],
            [(0.58, 0.02, 0.083), (0.65, 0.02, 0.096), (0.4, 0.02, 0.1)],
        ],
    ),
];

/// The horizons of Tables 5 and 6.
const HORIZONS: [usize; 3] = [2000, 5000, 10000];

/// Table 21 (Heavy-Tail, K = 3, T = 5000): (share, half-width, EEOG mean, EEOG median) by
/// pair (as in [`TABLE1_REF`]) and T0.
const TABLE21: [[(f64, f64, f64, f64); 3]; 3] = [
    [
        (0.4, 0.02, 770.0, 0.0),
        (0.59, 0.01, 2700.0, 2979.5),
        (0.6, 0.01, 2700.0, 3018.0),
    ],
    [
        (0.46, 0.02, 830.0, 0.0),
        (0.73, 0.01, 2500.0, 2576.5),
        (0.72, 0.01, 2700.0, 2862.0),
    ],
    [
        (0.61, 0.01, 1400.0, 556.0),
        (0.61, 0.01, 2400.0, 2538.5),
        (0.6, 0.01, 2400.0, 2587.5),
    ],
];

/// The algorithms of the grids' rows and columns.
const GRID_ALGS: [&str; 3] = ["TS", "BEG", "BG"];

/// "A vs B".
fn pair_label((a, b): (&str, &str)) -> String {
    format!("{a} vs {b}")
}

/// The pairs of Tables 1, 3, 5, 6 and 21 in their order.
fn pairs() -> impl Iterator<Item = String> {
    TABLE1_REF.iter().map(|(p, _)| pair_label(*p))
}

/// Every published number, tables in the paper's order.
pub(super) fn published() -> Vec<Published> {
    let mut out = Vec::new();
    let share = |paper_table, ours, labels, (value, hw): Reference| Published {
        paper_table,
        ours,
        labels,
        quantity: Quantity::Share,
        value,
        half_width: Some(hw),
    };
    let plain = |paper_table, ours, labels, quantity, value| Published {
        paper_table,
        ours,
        labels,
        quantity,
        value,
        half_width: None,
    };
    // Tables 1 and 3: simultaneous entry, K = 10, T = 2000.
    let entry = |i: usize, t: usize, pair: &str| {
        vec![
            ("instance", INSTANCES[i].to_string()),
            ("t0", T0S[t].to_string()),
            ("pair", pair.to_string()),
        ]
    };
    for (pair, (_, values)) in pairs().zip(&TABLE1_REF) {
        for (c, &r) in values.iter().enumerate() {
            out.push(share(1, 1, entry(c / 3, c % 3, &pair), r));
        }
    }
    let grid = |out: &mut Vec<Published>, paper, ours, inst: &str, x, scenario: &str, g: &Grid| {
        for (e, row) in GRID_ALGS.iter().zip(g) {
            for (i, &r) in GRID_ALGS.iter().zip(row) {
                let labels = vec![
                    ("instance", inst.to_string()),
                    ("x", format!("{x}")),
                    ("scenario", scenario.to_string()),
                    ("entrant", e.to_string()),
                    ("incumbent", i.to_string()),
                ];
                out.push(share(paper, ours, labels, r));
            }
        }
    };
    grid(&mut out, 2, 2, "HT", 200, "first mover", &TABLE2_REF);
    for (pair, row) in pairs().zip(&TABLE3) {
        for (c, &(mean, median)) in row.iter().enumerate() {
            let labels = entry(c / 3, c % 3, &pair);
            out.push(plain(3, 3, labels.clone(), Quantity::EeogMean, mean));
            out.push(plain(3, 3, labels, Quantity::EeogMedian, median));
        }
    }
    let (data, rep) = &HT_ADVANTAGE_200;
    grid(&mut out, 4, 5, "HT", 200, "data advantage only", data);
    grid(&mut out, 4, 5, "HT", 200, "reputation advantage only", rep);
    for (paper, inst, response, block) in &HARDMAX_RANDOM {
        for (h, per_pair) in HORIZONS.iter().zip(block) {
            for (pair, &(mean, hw, var)) in pairs().zip(per_pair) {
                let labels = vec![
                    ("instance", inst.to_string()),
                    ("pair", pair),
                    ("response", response.to_string()),
                    ("t", h.to_string()),
                ];
                out.push(share(*paper, 6, labels.clone(), (mean, hw)));
                out.push(plain(*paper, 6, labels, Quantity::Variance, var));
            }
        }
    }
    for (paper, inst, x, g) in &FIRST_MOVER {
        grid(&mut out, *paper, 4, inst, *x, "first mover", g);
    }
    for (paper, inst, x, data, rep) in &ADVANTAGE {
        grid(&mut out, *paper, 5, inst, *x, "data advantage only", data);
        grid(
            &mut out,
            *paper,
            5,
            inst,
            *x,
            "reputation advantage only",
            rep,
        );
    }
    for (pair, row) in pairs().zip(&TABLE21) {
        for (t, &(mean, hw, eeog_mean, eeog_median)) in row.iter().enumerate() {
            let labels = entry(0, t, &pair);
            out.push(share(21, 7, labels.clone(), (mean, hw)));
            out.push(plain(21, 7, labels.clone(), Quantity::EeogMean, eeog_mean));
            out.push(plain(21, 7, labels, Quantity::EeogMedian, eeog_median));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_encoded_once_with_its_count() {
        let all = published();
        let count = |t: u32| all.iter().filter(|p| p.paper_table == t).count();
        // Shares (and Table 3's two EEOG numbers, Tables 5 and 6's variances, Table 21's
        // share and two EEOG numbers) per cell.
        let expected = [
            (1, 27),
            (2, 9),
            (3, 54),
            (4, 18),
            (5, 36),
            (6, 36),
            (9, 18),
            (14, 18),
            (15, 18),
            (20, 18),
            (21, 27),
        ];
        for (t, n) in expected {
            assert_eq!(count(t), n, "paper table {t}");
        }
        assert_eq!(all.len(), 27 + 9 + 54 + 18 + 36 + 36 + 6 * 18 + 6 * 18 + 27);
        // No two numbers of one paper table share a cell and quantity.
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].iter().any(|b| b.paper_table == a.paper_table
                && b.labels == a.labels
                && b.quantity == a.quantity));
        }
    }

    #[test]
    fn cells_carry_the_labels_of_our_long_tables() {
        let all = published();
        let cell = |t: u32, q: Quantity, cell: &str| {
            all.iter()
                .find(|p| p.paper_table == t && p.quantity == q && p.cell() == cell)
                .map(|p| p.value)
        };
        assert_eq!(
            cell(3, Quantity::EeogMedian, "HT, 250, BG vs BEG"),
            Some(393.0)
        );
        assert_eq!(cell(1, Quantity::Share, "NiH, 20, TS vs BG"), Some(0.68));
        assert_eq!(
            cell(
                5,
                Quantity::Variance,
                "HT, TS vs BEG, HardMax&Random(0.1), 5000"
            ),
            Some(0.092)
        );
        assert_eq!(
            cell(16, Quantity::Share, "HT, 500, data advantage only, BG, TS"),
            Some(0.12)
        );
        assert_eq!(
            cell(21, Quantity::EeogMedian, "HT, 250, TS vs BG"),
            Some(2979.5)
        );
        let p = all.iter().find(|p| p.paper_table == 12).unwrap();
        assert_eq!(p.label("x"), Some("300"));
        assert_eq!(p.ours, 4);
    }

    #[test]
    fn rounding_units_follow_two_significant_digits() {
        let u = |q: Quantity, v: f64| q.rounding_unit(v);
        assert!((u(Quantity::Share, 0.31) - 0.01).abs() < 1e-15);
        assert!((u(Quantity::Share, 0.3) - 0.01).abs() < 1e-15);
        assert!((u(Quantity::Share, 0.0017) - 0.0001).abs() < 1e-18);
        assert!((u(Quantity::EeogMean, 640.0) - 10.0).abs() < 1e-12);
        assert!((u(Quantity::EeogMean, 1000.0) - 100.0).abs() < 1e-9);
        assert_eq!(u(Quantity::EeogMedian, 393.0), 0.5);
        assert_eq!(u(Quantity::EeogMedian, 0.0), 0.5);
        assert_eq!(u(Quantity::Share, 0.0), 0.0);
    }
}
