//! Test support shared by the market's unit tests: frequency checks with bounds derived from
//! the sample size.

/// Per-cell 5-sigma binomial bounds plus a chi-square bound at about 5 sigma
/// (df + 5 sqrt(2 df)) for observed counts against probabilities `p` over `total` draws.
pub(crate) fn assert_frequencies(observed: &[u64], p: &[f64], total: u64, what: &str) {
    let nt = total as f64;
    let mut chi2 = 0.0;
    let mut df = 0usize;
    for (j, (&o, &pj)) in observed.iter().zip(p).enumerate() {
        let e = nt * pj;
        if pj == 0.0 {
            assert_eq!(
                o, 0,
                "{what}: item {j} has probability 0 but was seen {o} times"
            );
            continue;
        }
        let sd = (nt * pj * (1.0 - pj)).sqrt();
        assert!(
            (o as f64 - e).abs() <= 5.0 * sd + 1.0,
            "{what}: item {j} seen {o} times, expected {e:.1} +- {sd:.1}"
        );
        chi2 += (o as f64 - e).powi(2) / e;
        df += 1;
    }
    let df = df.saturating_sub(1) as f64;
    assert!(
        chi2 <= df + 5.0 * (2.0 * df).sqrt() + 1.0,
        "{what}: chi-square {chi2:.1} with {df} degrees of freedom"
    );
}
