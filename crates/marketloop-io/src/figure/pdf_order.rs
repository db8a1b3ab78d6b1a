//! A PDF's resource dictionaries in one fixed order, so that the same figure always gives the
//! same bytes.
//!
//! svg2pdf (0.13) writes a page's or form's resources (`/XObject`, `/ExtGState`, `/Font`, ...)
//! from a `HashMap`, in an order that changes from one conversion to the next: the same figure
//! came out as different bytes (the same picture). This pass sorts the entries of each such
//! dictionary by name in natural order (`/gs2` before `/gs10`). The entries are lines of one
//! object, permuted in place: no byte moves out of its object, so the cross-reference offsets
//! stay exact. Stream contents are never touched: each stream is skipped by its direct
//! `/Length`, and a file where that does not work out is left as it is, as is a dictionary whose
//! lines are not one whole entry each.
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
/// per line, the dictionary closed by `>>` on a line of its own) in place. A dictionary whose
/// lines are not one whole entry each is left as it is; a file whose streams cannot be skipped
/// by their direct `/Length` (or do not end where it says) is left whole as it is.
pub(super) fn canonical_resource_order(pdf: &mut [u8]) {
    let Some(edits) = sorted_dictionaries(pdf) else {
        return;
    };
    for (at, bytes) in edits {
        pdf[at..at + bytes.len()].copy_from_slice(&bytes);
    }
}

/// The line starting at `at`: its end (before the line feed) and the next line's start.
fn line_at(pdf: &[u8], at: usize) -> (usize, usize) {
    match pdf[at..].iter().position(|&b| b == b'\n') {
        Some(i) => (at + i, at + i + 1),
        None => (pdf.len(), pdf.len()),
    }
}

/// Whether a trimmed line is one whole dictionary entry: a name, then a value with its
/// brackets closed on the line and no dictionary in it.
fn whole_entry(t: &[u8]) -> bool {
    let count = |c: u8| t.iter().filter(|&&b| b == c).count();
    t.first() == Some(&b'/')
        && count(b'<') == 0
        && count(b'>') == 0
        && count(b'[') == count(b']')
        && count(b'(') == count(b')')
}

/// Every resource dictionary's sorted entries as (offset, bytes of the same length), or None
/// when the streams cannot be skipped exactly.
fn sorted_dictionaries(pdf: &[u8]) -> Option<Vec<(usize, Vec<u8>)>> {
    let mut edits = Vec::new();
    // The current object's direct /Length, for its stream.
    let mut length: Option<usize> = None;
    let mut at = 0;
    while at < pdf.len() {
        let (end, next) = line_at(pdf, at);
        let t = pdf[at..end].trim_ascii();
        if t.ends_with(b" obj") {
            length = None;
        } else if let Some(n) = t.strip_prefix(b"/Length ") {
            length = std::str::from_utf8(n).ok().and_then(|n| n.parse().ok());
        }
        if t == b"stream" {
            // The data starts after the line feed and is followed by "endstream".
            let stop = next.checked_add(length.take()?)?;
            let tail = pdf.get(stop..)?;
            let skip = tail.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if !tail[skip..].starts_with(b"endstream") {
                return None;
            }
            at = stop + skip;
            continue;
        }
        if RESOURCE_KINDS.contains(&t) {
            // The entries up to the closing `>>`, each a whole entry on its line.
            let mut entries: Vec<Vec<u8>> = Vec::new();
            let mut from = next;
            let mut closed = false;
            while from < pdf.len() {
                let (e, n) = line_at(pdf, from);
                let line = pdf[from..e].trim_ascii();
                if line == b">>" {
                    closed = true;
                    break;
                }
                if !whole_entry(line) {
                    break;
                }
                entries.push(pdf[from..n].to_vec());
                from = n;
            }
            if closed && entries.len() > 1 {
                // Every entry ends with a line feed (the closing line follows), so lines
                // permute without changing the span's length.
                entries.sort_by_cached_key(|e| natural_key(e));
                edits.push((next, entries.concat()));
            }
            at = from;
            continue;
        }
        at = next;
    }
    Some(edits)
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
    fn entries_are_sorted_in_place_and_streams_are_skipped_by_their_length() {
        // The stream's data holds a resource-like dictionary and an "endstream" line: skipped
        // by its /Length, so left as it is.
        let data = "    /XObject <<\nendstream\n      /b 1\n      /a 2\n    >>";
        let pdf = format!(
            "1 0 obj\n<<\n  /Resources <<\n    /XObject <<\n      /xo10 28 0 R\n      /xo2 12 0 R\n      /xo0 8 0 R\n    >>\n    /Font <<\n      /fo0 1 0 R\n    >>\n  >>\n  /Length {}\n>>\nstream\n{data}\nendstream\nendobj\n",
            data.len()
        );
        let mut out = pdf.clone().into_bytes();
        canonical_resource_order(&mut out);
        let want = pdf.replace(
            "      /xo10 28 0 R\n      /xo2 12 0 R\n      /xo0 8 0 R\n",
            "      /xo0 8 0 R\n      /xo2 12 0 R\n      /xo10 28 0 R\n",
        );
        assert_eq!(String::from_utf8_lossy(&out), want);
    }

    #[test]
    fn other_layouts_are_left_as_they_are() {
        for odd in [
            // a nested dictionary, a missing close, an entry over two lines
            &b"    /Font <<\n      /b <<\n      >>\n      /a 1\n    >>\n"[..],
            &b"    /Font <<\n      /b 2\n      /a 1\n"[..],
            &b"    /Font <<\n      /b [1\n      /a]\n      /c 3\n    >>\n"[..],
            // a stream without a direct length, and one whose length is wrong
            &b"1 0 obj\n<<\n/Length 2 0 R\n>>\nstream\nxx\nendstream\n/Font <<\n/b 1\n/a 2\n>>\n"[..],
            &b"1 0 obj\n<<\n/Length 1\n>>\nstream\nxx\nendstream\n/Font <<\n/b 1\n/a 2\n>>\n"[..],
        ] {
            let mut out = odd.to_vec();
            canonical_resource_order(&mut out);
            assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(odd));
        }
    }
}
