//! Summary statistics over replicates, shared by every experiment's tables.

/// The `p`-quantile of sorted finite values by linear interpolation between order statistics
/// (NumPy's default method). `sorted` must be non-empty and sorted ascending; `p` in [0, 1].
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The 25%, 50% and 75% quantiles of `values` (sorted in place first). `values` must be
/// non-empty and finite.
pub fn quartiles(values: &mut [f64]) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (
        quantile(values, 0.25),
        quantile(values, 0.5),
        quantile(values, 0.75),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.quantile([1, 2, 4, 8], [0, .25, .5, .75, 1]) = [1, 1.75, 3, 5, 8]
        let x = [1.0, 2.0, 4.0, 8.0];
        let got: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&p| quantile(&x, p))
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 3.0, 5.0, 8.0]);
        assert_eq!(quantile(&[3.5], 0.3), 3.5);
        let mut v = vec![8.0, 1.0, 4.0, 2.0];
        assert_eq!(quartiles(&mut v), (1.75, 3.0, 5.0));
    }
}
