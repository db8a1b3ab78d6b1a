//! A PDF's resource dictionaries in one fixed order, so that the same figure always gives the
//! same bytes.
//!
//! svg2pdf (0.13) writes a page's or form's resources (`/XObject`, `/ExtGState`, `/Font`, ...)
//! from a `HashMap`, in an order that changes from one conversion to the next: the same figure
//! came out as different bytes (the same picture). This pass sorts the entries of each such
//! dictionary by name in natural order (`/gs2` before `/gs10`). The entries are lines of one
//! object, permuted in place: no byte moves out of its object, so the cross-reference offsets
//! stay exact. Stream contents are never touched.
//!
//! Hand-written: svg2pdf has no option for a deterministic order, and no PDF crate in the tree
//! rewrites a dictionary without re-serialising the whole file.

/// The dictionaries whose entries are sorted.
const RESOURCE_KINDS: [&[u8]; 6] = [
    b"/XObject <<",
    b"/ExtGState <<",
    b"/Font <<",
    b"/ColorSpace <<",
    b"/Pattern <<",
    b"/Shading <<",
];

/// Sorts the entries of every resource dictionary of `pdf` (as svg2pdf lays them out: one entry
/// per line, the dictionary closed by `>>` on a line of its own) in place; leaves any other
/// layout as it is.
pub(super) fn canonical_resource_order(pdf: &mut [u8]) {
    // Line starts (every line ends with \n, the last one maybe not).
    let mut starts = vec![0];
    starts.extend(
        pdf.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let line = |pdf: &[u8], i: usize| -> std::ops::Range<usize> {
        let end = starts.get(i + 1).map_or(pdf.len(), |&e| e - 1);
        starts[i]..end.max(starts[i])
    };
    let n = starts.len();
    let mut in_stream = false;
    let mut i = 0;
    while i < n {
        let text = &pdf[line(pdf, i)];
        let trimmed = text.trim_ascii();
        if in_stream {
            in_stream = trimmed != b"endstream";
            i += 1;
            continue;
        }
        if trimmed == b"stream" {
            in_stream = true;
            i += 1;
            continue;
        }
        if !RESOURCE_KINDS.contains(&trimmed) {
            i += 1;
            continue;
        }
        // The entries up to the closing `>>`; one that opens a dictionary of its own (or a
        // missing close) leaves this dictionary as it is.
        let first = i + 1;
        let mut last = first;
        while last < n {
            let t = pdf[line(pdf, last)].trim_ascii();
            if t == b">>" || t.ends_with(b"<<") || t == b"stream" {
                break;
            }
            last += 1;
        }
        if last < n && pdf[line(pdf, last)].trim_ascii() == b">>" && last > first + 1 {
            let span = starts[first]..starts[last];
            let mut entries: Vec<Vec<u8>> = (first..last)
                .map(|j| {
                    let mut e = pdf[line(pdf, j)].to_vec();
                    e.push(b'\n');
                    e
                })
                .collect();
            entries.sort_by_cached_key(|e| natural_key(e));
            let sorted: Vec<u8> = entries.concat();
            pdf[span].copy_from_slice(&sorted);
        }
        i = last.max(i + 1);
    }
}

/// An entry's sort key: its name's letters, then the number its name ends with, then the
/// whole line (`/xo2 12 0 R` before `/xo10 28 0 R`).
fn natural_key(entry: &[u8]) -> (Vec<u8>, u64, Vec<u8>) {
    let t = entry.trim_ascii();
    let name_end = t.iter().position(|&b| b == b' ').unwrap_or(t.len());
    let name = &t[..name_end];
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (letters, number) = name.split_at(name.len() - digits);
    let number = std::str::from_utf8(number)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (letters.to_vec(), number, t.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_sorted_in_place_and_streams_are_left_alone() {
        let pdf = b"1 0 obj\n<<\n  /Resources <<\n    /XObject <<\n      /xo10 28 0 R\n      /xo2 12 0 R\n      /xo0 8 0 R\n    >>\n    /Font <<\n      /fo0 1 0 R\n    >>\n  >>\n>>\nstream\n    /XObject <<\n      /b 1\n      /a 2\n    >>\nendstream\nendobj\n";
        let mut out = pdf.to_vec();
        canonical_resource_order(&mut out);
        let want = b"1 0 obj\n<<\n  /Resources <<\n    /XObject <<\n      /xo0 8 0 R\n      /xo2 12 0 R\n      /xo10 28 0 R\n    >>\n    /Font <<\n      /fo0 1 0 R\n    >>\n  >>\n>>\nstream\n    /XObject <<\n      /b 1\n      /a 2\n    >>\nendstream\nendobj\n";
        assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(want));
        // A nested dictionary or a missing close leaves the bytes as they are.
        for odd in [
            &b"    /Font <<\n      /b <<\n      >>\n      /a 1\n    >>\n"[..],
            &b"    /Font <<\n      /b 2\n      /a 1\n"[..],
        ] {
            let mut out = odd.to_vec();
            canonical_resource_order(&mut out);
            assert_eq!(out, odd);
        }
    }
}
