//! NumPy's argsort, emulated: the tie order of `np.argsort` (introsort with a heapsort fallback,
//! as in NumPy before its SIMD sorts), which the `numpy-argsort-*` popularity tie rules
//! reproduce for comparisons with Python code. A deterministic scramble of tied items that
//! changes whenever a count changes; only the partitions that reach the first k places are
//! sorted, so the top k cost O(n + k log k).

/// Which NumPy expression for "items by descending count" to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NumpyArgsort {
    /// `np.argsort(-x)`.
    Negated,
    /// `np.argsort(x)[::-1]`.
    Reversed,
}

/// The first `k` items by descending key (purchase counts, or qualities for the quality
/// ranking), best first, in the order `how` gives, written to `out`; `scratch` is the argsort
/// buffer. Sorts only the partitions that reach the first k places. Keys compare with `<` as
/// NumPy's do (no NaN reaches here: markets reject them).
pub(super) fn numpy_best_first<T: PartialOrd>(
    how: NumpyArgsort,
    counts: &[T],
    k: usize,
    scratch: &mut Vec<u32>,
    out: &mut Vec<u32>,
) {
    let n = counts.len();
    scratch.clear();
    scratch.extend(0..n as u32);
    out.clear();
    if how == NumpyArgsort::Negated {
        // ascending in -count == descending in count, numpy's tie order
        numpy_aquicksort(scratch, 0..k, |a, b| counts[a] > counts[b]);
        out.extend_from_slice(&scratch[..k]);
    } else {
        numpy_aquicksort(scratch, n - k..n, |a, b| counts[a] < counts[b]);
        out.extend(scratch.iter().rev().take(k));
    }
}

/// numpy's `aquicksort` (introsort for argsort, `npysort/quicksort.cpp` before the SIMD
/// dispatch), on an index array that starts as `0..n`: median-of-three quicksort down to
/// partitions of 16, insertion sort below, heapsort when the depth limit 2 floor(log2 n) runs
/// out. `less(a, b)` compares the keys of items `a` and `b`. Reproduces numpy's tie order.
///
/// Only the slots in `keep` are guaranteed to end in numpy's order: a partition lying wholly
/// outside `keep` is left unsorted, which changes nothing inside `keep` (sorting a segment only
/// permutes that segment). With `keep` the top 50 this costs O(n + 50 log 50) per call, not
/// O(n log n).
fn numpy_aquicksort(
    tosort: &mut [u32],
    keep: std::ops::Range<usize>,
    less: impl Fn(usize, usize) -> bool,
) {
    const SMALL_QUICKSORT: usize = 16;
    let num = tosort.len();
    if num < 2 || keep.is_empty() {
        return;
    }
    // whether the segment [l, r] holds a kept slot
    let wanted = |l: usize, r: usize| l < keep.end && r >= keep.start;
    let lt = |t: &[u32], i: usize, j: usize| less(t[i] as usize, t[j] as usize);
    let mut stack: Vec<(usize, usize, i64)> = Vec::new();
    let (mut pl, mut pr) = (0usize, num - 1);
    let mut cdepth: i64 = 2 * i64::from(usize::BITS - 1 - num.leading_zeros());
    loop {
        if !wanted(pl, pr) {
            // nothing to do here
        } else if cdepth < 0 {
            numpy_aheapsort(&mut tosort[pl..=pr], &less);
        } else {
            while pr - pl > SMALL_QUICKSORT {
                let pm = pl + ((pr - pl) >> 1);
                if lt(tosort, pm, pl) {
                    tosort.swap(pm, pl);
                }
                if lt(tosort, pr, pm) {
                    tosort.swap(pr, pm);
                }
                if lt(tosort, pm, pl) {
                    tosort.swap(pm, pl);
                }
                let vp = tosort[pm] as usize;
                let mut pi = pl;
                let mut pj = pr - 1;
                tosort.swap(pm, pj);
                loop {
                    pi += 1;
                    while less(tosort[pi] as usize, vp) {
                        pi += 1;
                    }
                    pj -= 1;
                    while less(vp, tosort[pj] as usize) {
                        pj -= 1;
                    }
                    if pi >= pj {
                        break;
                    }
                    tosort.swap(pi, pj);
                }
                let pk = pr - 1;
                tosort.swap(pi, pk);
                // push the larger partition, iterate on the smaller
                cdepth -= 1;
                if pi - pl < pr - pi {
                    stack.push((pi + 1, pr, cdepth));
                    pr = pi - 1;
                } else {
                    stack.push((pl, pi - 1, cdepth));
                    pl = pi + 1;
                }
                if !wanted(pl, pr) {
                    break;
                }
            }
            if !wanted(pl, pr) {
                // the segment numpy would insertion-sort now lies outside `keep`
                pr = pl;
            }
            // insertion sort
            for pi in pl + 1..=pr {
                let vi = tosort[pi];
                let mut pj = pi;
                while pj > pl && less(vi as usize, tosort[pj - 1] as usize) {
                    tosort[pj] = tosort[pj - 1];
                    pj -= 1;
                }
                tosort[pj] = vi;
            }
        }
        match stack.pop() {
            Some((l, r, d)) => {
                pl = l;
                pr = r;
                cdepth = d;
            }
            None => break,
        }
    }
}

/// numpy's `aheapsort` (the introsort fallback), on a 1-based heap over `a`.
fn numpy_aheapsort(a: &mut [u32], less: &impl Fn(usize, usize) -> bool) {
    // Sift `tmp` down from 1-based slot `i` of the heap a[..n].
    let sift = |a: &mut [u32], tmp: u32, mut i: usize, n: usize| {
        let mut j = 2 * i;
        while j <= n {
            if j < n && less(a[j - 1] as usize, a[j] as usize) {
                j += 1;
            }
            if !less(tmp as usize, a[j - 1] as usize) {
                break;
            }
            a[i - 1] = a[j - 1];
            i = j;
            j += j;
        }
        a[i - 1] = tmp;
    };
    let mut n = a.len();
    for l in (1..=n >> 1).rev() {
        sift(a, a[l - 1], l, n);
    }
    while n > 1 {
        let tmp = a[n - 1];
        a[n - 1] = a[0];
        n -= 1;
        sift(a, tmp, 1, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{SeedSequence, Source};
    use rand::Rng;

    #[test]
    fn numpy_sorts_sort() {
        let mut rng = SeedSequence::new(2).stream(0, Source::Ranking);
        for n in [0usize, 1, 2, 17, 18, 100, 1000] {
            let keys: Vec<u64> = (0..n).map(|_| rng.random_range(0..5)).collect();
            let mut idx: Vec<u32> = (0..n as u32).collect();
            numpy_aquicksort(&mut idx, 0..n, |a, b| keys[a] < keys[b]);
            assert!(idx
                .windows(2)
                .all(|w| keys[w[0] as usize] <= keys[w[1] as usize]));
            // a partial sort leaves the kept slots exactly as the full sort does
            for keep in [0..n.min(5), n / 3..n / 2, n.saturating_sub(50)..n] {
                let mut part: Vec<u32> = (0..n as u32).collect();
                numpy_aquicksort(&mut part, keep.clone(), |a, b| keys[a] < keys[b]);
                assert_eq!(part[keep.clone()], idx[keep], "n = {n}");
            }
            let mut heap: Vec<u32> = (0..n as u32).collect();
            numpy_aheapsort(&mut heap, &|a, b| keys[a] < keys[b]);
            assert!(heap
                .windows(2)
                .all(|w| keys[w[0] as usize] <= keys[w[1] as usize]));
            let mut seen = idx.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
        }
    }
}
