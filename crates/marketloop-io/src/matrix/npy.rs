//! NumPy `.npy` files: reading format versions 1.0, 2.0 and 3.0 (little-endian `f8`, `f4`, `i8`,
//! `i4`, C or Fortran order, up to two dimensions) and writing version 1.0 `'<f8'` C order with
//! NumPy's header layout.

use super::{check_finite, check_shape, invalid, Matrix};
use crate::atomic::write_atomic;
use crate::IoError;
use std::path::Path;

const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// The element types accepted in `.npy` files (all little-endian), converted to `f64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dtype {
    F8,
    F4,
    I8,
    I4,
}

impl Dtype {
    fn parse(descr: &str) -> Option<Self> {
        match descr {
            "<f8" => Some(Dtype::F8),
            "<f4" => Some(Dtype::F4),
            "<i8" => Some(Dtype::I8),
            "<i4" => Some(Dtype::I4),
            _ => None,
        }
    }
    fn size(self) -> usize {
        match self {
            Dtype::F8 | Dtype::I8 => 8,
            Dtype::F4 | Dtype::I4 => 4,
        }
    }
    fn decode(self, b: &[u8]) -> f64 {
        match self {
            Dtype::F8 => f64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
            Dtype::F4 => f64::from(f32::from_le_bytes(b.try_into().unwrap_or([0; 4]))),
            // i64 -> f64 rounds beyond 2^53, which is what NumPy's astype(float) does too.
            Dtype::I8 => i64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f64,
            Dtype::I4 => f64::from(i32::from_le_bytes(b.try_into().unwrap_or([0; 4]))),
        }
    }
}

/// Reads a `.npy` file (see [`parse_npy`]), streaming its payload straight into the matrix.
///
/// A little-endian float64 payload in C order is the matrix's own layout: it is read straight
/// into the matrix, then checked for finiteness in one pass. Other payloads are read in blocks
/// of 1 MiB, each decoded into its final place in the row-major matrix and checked in the same
/// pass. Either way the only full-size allocation is the matrix itself: peak memory is the
/// matrix plus at most one block, whatever the dtype or order. (A memory map — e.g. the
/// `memmap2` crate — is not used on purpose: the mapped pages count in the resident set until
/// unmapped, so mapping then copying peaks at twice the payload, and mapping needs `unsafe`,
/// which the workspace forbids.)
pub fn read_npy(path: &Path) -> Result<Matrix, IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let len = file.metadata().map_err(|e| IoError::os(path, e))?.len();
    read_from(file, len, path)
}

/// Parses the bytes of a `.npy` file; `path` is only used in error messages.
///
/// Accepts format versions 1.0, 2.0 and 3.0, dtypes `'<f8'`, `'<f4'`, `'<i8'`, `'<i4'`, C or
/// Fortran order, and shapes `()` (1 x 1), `(n,)` (1 x n) and `(r, c)`. Every entry must be
/// finite.
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<Matrix, IoError> {
    read_from(bytes, bytes.len() as u64, path)
}

/// Bytes decoded per block when streaming a payload (a multiple of every element size).
pub(super) const BLOCK: usize = 1 << 20;

/// Where an `.npy` payload starts and how to decode it.
#[derive(Debug)]
struct Layout {
    dtype: Dtype,
    descr: String,
    rows: usize,
    cols: usize,
    /// Column-major payload (Fortran order) with more than one row and column.
    transposed: bool,
}

/// Reads an `.npy` file of `len` bytes from `r`: preamble and header, then the payload in
/// blocks, each entry decoded into its row-major place.
fn read_from<R: std::io::Read>(r: R, len: u64, path: &Path) -> Result<Matrix, IoError> {
    let (rows, cols, data) = read_as::<f64, R>(r, len, path, None)?;
    Ok(Matrix { rows, cols, data })
}

/// What an `.npy` payload is read into: `f64`, or `f32` (each value rounded to nearest).
pub(super) trait Element: bytemuck::Pod + Default {
    /// The dtype whose little-endian bytes are this type's own (read without decoding).
    const OWN: Dtype;
    /// `x` in this type.
    fn narrow(x: f64) -> Self;
    /// The value as `f64` (exact).
    fn widen(self) -> f64;
    /// The value with its bytes reversed (big-endian hosts).
    fn swapped(self) -> Self;
}

impl Element for f64 {
    const OWN: Dtype = Dtype::F8;
    fn narrow(x: f64) -> Self {
        x
    }
    fn widen(self) -> f64 {
        self
    }
    fn swapped(self) -> Self {
        f64::from_bits(self.to_bits().swap_bytes())
    }
}

impl Element for f32 {
    const OWN: Dtype = Dtype::F4;
    fn narrow(x: f64) -> Self {
        x as f32
    }
    fn widen(self) -> f64 {
        f64::from(self)
    }
    fn swapped(self) -> Self {
        f32::from_bits(self.to_bits().swap_bytes())
    }
}

/// A check of each value as read, before any rounding: `(allowed, the allowed range in words)`.
pub(super) type Guard<'a> = Option<(&'a dyn Fn(f64) -> bool, &'a str)>;

/// Reads an `.npy` file (see [`parse_npy`]) straight into `f32`: a float32 payload in C order
/// is read as is; any other (float64 included) is decoded in blocks of 1 MiB, each value checked
/// (finite, and `guard` if given, before rounding) and rounded into its final place. Peak
/// memory is the `f32` matrix plus one block: no `f64` copy of the matrix is ever made.
/// Returns (rows, cols, row-major values).
pub fn read_npy_f32(path: &Path, guard: Guard<'_>) -> Result<(usize, usize, Vec<f32>), IoError> {
    let file = std::fs::File::open(path).map_err(|e| IoError::os(path, e))?;
    let len = file.metadata().map_err(|e| IoError::os(path, e))?.len();
    read_as::<f32, _>(file, len, path, guard)
}

/// [`read_from`] into elements of type `T`; `guard` checks each value as decoded (the values
/// of a payload already of type `T` are not rounded and are left to the caller's checks).
pub(super) fn read_as<T: Element, R: std::io::Read>(
    mut r: R,
    len: u64,
    path: &Path,
    guard: Guard<'_>,
) -> Result<(usize, usize, Vec<T>), IoError> {
    let mut read = |buf: &mut [u8]| r.read_exact(buf).map_err(|e| IoError::os(path, e));
    let (layout, payload) = read_layout(&mut read, len, path)?;
    let (rows, cols) = (layout.rows, layout.cols);
    let count = rows
        .checked_mul(cols)
        .ok_or_else(|| invalid(path, format!(".npy shape ({rows}, {cols}) is too large")))?;
    let size = layout.dtype.size();
    let need = count
        .checked_mul(size)
        .ok_or_else(|| invalid(path, format!(".npy shape ({rows}, {cols}) is too large")))?;
    let need64 = need as u64;
    if payload != need64 {
        let (what, extra) = if payload < need64 {
            ("truncated", String::new())
        } else {
            ("corrupt", format!(" ({} trailing)", payload - need64))
        };
        return Err(invalid(
            path,
            format!(
                "{what} .npy file: shape ({rows}, {cols}) of '{}' needs {need} data bytes, \
                 found {payload}{extra}",
                layout.descr
            ),
        ));
    }
    let mut data: Vec<T> = vec![T::default(); count];
    let bad = |at: usize, x: f64| {
        let (i, j) = (at / cols.max(1), at % cols.max(1));
        let why = match guard {
            Some((_, range)) if x.is_finite() => format!("every entry must lie in {range}"),
            _ => "every entry must be finite".to_string(),
        };
        Err(invalid(
            path,
            format!("entry (row {i}, column {j}) (0-based) is {x}; {why}"),
        ))
    };
    if layout.dtype == T::OWN && !layout.transposed {
        // The payload is the matrix's own layout: read the bytes straight into it (no block
        // buffer, no decoding pass), then check it in one pass.
        read(bytemuck::cast_slice_mut(&mut data))?;
        if cfg!(target_endian = "big") {
            for x in &mut data {
                *x = x.swapped();
            }
        }
        if let Some(at) = data.iter().position(|x| !x.widen().is_finite()) {
            return bad(at, data[at].widen());
        }
        return Ok((rows, cols, data));
    }
    let allowed = |x: f64| x.is_finite() && guard.is_none_or(|(ok, _)| ok(x));
    let mut buf = vec![0u8; BLOCK.min(need)];
    // The first entry not allowed in row-major order (the payload order differs for Fortran).
    let mut first_bad: Option<(usize, f64)> = None;
    let mut k = 0;
    while k < count {
        let n = (count - k).min(BLOCK / size);
        let block = &mut buf[..n * size];
        read(block)?;
        for (e, b) in block.chunks_exact(size).enumerate() {
            let x = layout.dtype.decode(b);
            let at = if layout.transposed {
                let f = k + e;
                (f % rows) * cols + f / rows
            } else {
                k + e
            };
            data[at] = T::narrow(x);
            if !allowed(x) && first_bad.is_none_or(|(p, _)| at < p) {
                first_bad = Some((at, x));
            }
        }
        // Entries arrive in row-major order: the first bad one is final.
        if first_bad.is_some() && !layout.transposed {
            break;
        }
        k += n;
    }
    match first_bad {
        Some((at, x)) => bad(at, x),
        None => Ok((rows, cols, data)),
    }
}

/// Reads the preamble and header (through `read`, from a file of `len` bytes) and returns the
/// payload's layout and its length in bytes.
fn read_layout(
    read: &mut impl FnMut(&mut [u8]) -> Result<(), IoError>,
    len: u64,
    path: &Path,
) -> Result<(Layout, u64), IoError> {
    let mut pre = [0u8; 12];
    if len < 8 {
        return Err(not_npy(path));
    }
    read(&mut pre[..8])?;
    if &pre[..6] != NPY_MAGIC {
        return Err(not_npy(path));
    }
    let (major, minor) = (pre[6], pre[7]);
    let header_start: u64 = match major {
        1 => 10,
        2 | 3 => 12,
        _ => {
            return Err(invalid(
                path,
                format!(
                    ".npy format version {major}.{minor} is not supported; versions 1, 2 and 3 are"
                ),
            ))
        }
    };
    if len < header_start {
        return Err(invalid(
            path,
            "truncated .npy file: header length is missing",
        ));
    }
    read(&mut pre[8..header_start as usize])?;
    let header_len = if major == 1 {
        u64::from(u16::from_le_bytes([pre[8], pre[9]]))
    } else {
        u64::from(u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]]))
    };
    let after = len - header_start;
    if header_len > after {
        return Err(invalid(
            path,
            format!(
                "truncated .npy file: the header claims {header_len} bytes but the file has \
                 only {after} bytes after the preamble"
            ),
        ));
    }
    // header_len <= the file's length, so this allocation is bounded by what exists.
    let mut header = vec![0u8; header_len as usize];
    read(&mut header)?;
    let header = String::from_utf8_lossy(&header);
    let h = parse_header(&header).map_err(|m| invalid(path, format!(".npy header: {m}")))?;
    let dtype = Dtype::parse(&h.descr).ok_or_else(|| {
        invalid(
            path,
            format!(
                ".npy dtype '{}' is not supported; supported are '<f8', '<f4', '<i8', '<i4' \
                 (convert with arr.astype('<f8'))",
                h.descr
            ),
        )
    })?;
    let (rows, cols) = match h.shape.as_slice() {
        [] => (1, 1),
        [n] => (1, *n),
        [r, c] => (*r, *c),
        s => {
            return Err(invalid(
                path,
                format!(
                    ".npy shape {s:?} has {} dimensions; only 1 or 2 are supported",
                    s.len()
                ),
            ))
        }
    };
    let layout = Layout {
        dtype,
        descr: h.descr,
        rows,
        cols,
        transposed: h.fortran_order && rows > 1 && cols > 1,
    };
    Ok((layout, after - header_len))
}

fn not_npy(path: &Path) -> IoError {
    invalid(
        path,
        "not a NumPy .npy file: it does not start with the magic string \\x93NUMPY",
    )
}

#[derive(Debug, PartialEq)]
struct NpyHeader {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// Parses the Python dict literal of an `.npy` header, e.g.
/// `{'descr': '<f8', 'fortran_order': False, 'shape': (100, 1682), }`.
fn parse_header(h: &str) -> Result<NpyHeader, String> {
    let mut p = Lexer {
        s: h.trim_end_matches(['\n', ' ', '\0']).as_bytes(),
        i: 0,
    };
    p.expect(b'{')?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    loop {
        p.ws();
        if p.eat(b'}') {
            break;
        }
        let key = p.string()?;
        p.ws();
        p.expect(b':')?;
        p.ws();
        match key.as_str() {
            "descr" => descr = Some(p.string()?),
            "fortran_order" => fortran = Some(p.boolean()?),
            "shape" => shape = Some(p.tuple()?),
            other => return Err(format!("unknown key '{other}'")),
        }
        p.ws();
        if !p.eat(b',') {
            p.ws();
            p.expect(b'}')?;
            break;
        }
    }
    p.ws();
    if p.i != p.s.len() {
        return Err(format!(
            "unexpected text after the dictionary at byte {}",
            p.i
        ));
    }
    Ok(NpyHeader {
        descr: descr.ok_or("missing key 'descr'")?,
        fortran_order: fortran.ok_or("missing key 'fortran_order'")?,
        shape: shape.ok_or("missing key 'shape'")?,
    })
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl Lexer<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected '{}' at byte {}, found {}",
                c as char,
                self.i,
                self.s
                    .get(self.i)
                    .map_or("the end".to_string(), |&b| format!("'{}'", b as char))
            ))
        }
    }
    fn string(&mut self) -> Result<String, String> {
        let q = match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Err(format!("expected a quoted string at byte {}", self.i)),
        };
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != q {
            self.i += 1;
        }
        if self.i == self.s.len() {
            return Err("unterminated string".into());
        }
        let out = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        self.i += 1;
        Ok(out)
    }
    fn boolean(&mut self) -> Result<bool, String> {
        let rest = &self.s[self.i..];
        if rest.starts_with(b"True") {
            self.i += 4;
            Ok(true)
        } else if rest.starts_with(b"False") {
            self.i += 5;
            Ok(false)
        } else {
            Err(format!("expected True or False at byte {}", self.i))
        }
    }
    fn tuple(&mut self) -> Result<Vec<usize>, String> {
        self.expect(b'(')?;
        let mut out = Vec::new();
        loop {
            self.ws();
            if self.eat(b')') {
                return Ok(out);
            }
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                self.i += 1;
            }
            let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
            // Python 2 era files may write long integers as `100L`.
            self.eat(b'L');
            let n: usize = digits
                .parse()
                .map_err(|_| format!("expected a dimension (integer) at byte {start}"))?;
            out.push(n);
            self.ws();
            if !self.eat(b',') {
                self.ws();
                self.expect(b')')?;
                return Ok(out);
            }
        }
    }
}

/// The bytes of `m` as a `.npy` file: format 1.0, dtype `'<f8'`, C order, shape `(rows, cols)`.
pub fn npy_bytes(m: &Matrix) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}",
        m.rows, m.cols
    );
    // Preamble (10 bytes) + header + '\n' padded with spaces to a multiple of 64.
    let unpadded = 10 + dict.len() + 1;
    let pad = (64 - unpadded % 64) % 64;
    let header_len = dict.len() + pad + 1;
    let mut out = Vec::with_capacity(10 + header_len + 8 * m.data.len());
    out.extend_from_slice(NPY_MAGIC);
    out.extend_from_slice(&[1, 0]);
    // A header for two dimensions is far below u16::MAX bytes.
    out.extend_from_slice(&u16::try_from(header_len).unwrap_or(u16::MAX).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    for x in &m.data {
        out.extend_from_slice(&x.to_le_bytes());
    }
    out
}

/// Writes `m` to `path` as `.npy` (format 1.0, `'<f8'`, C order), atomically.
///
/// Errors when an entry is not finite or the dimensions do not match the data.
pub fn write_npy(path: &Path, m: &Matrix) -> Result<(), IoError> {
    check_shape(path, m)?;
    check_finite(path, m)?;
    write_atomic(path, &npy_bytes(m))
}

#[cfg(test)]
mod tests {
    use super::super::read_matrix;
    use super::super::tests::{err_text, sample, tmp};
    use super::*;

    /// An .npy file by hand, with any version, descr, order and payload.
    fn npy(version: u8, dict: &str, payload: &[u8]) -> Vec<u8> {
        let mut out = NPY_MAGIC.to_vec();
        out.extend_from_slice(&[version, 0]);
        let pre = if version == 1 { 10 } else { 12 };
        let pad = (64 - (pre + dict.len() + 1) % 64) % 64;
        let hl = dict.len() + pad + 1;
        if version == 1 {
            out.extend_from_slice(&(hl as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(hl as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.extend(std::iter::repeat_n(b' ', pad));
        out.push(b'\n');
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn npy_round_trip_is_exact_and_aligned() {
        let dir = tmp("rt");
        let p = dir.join("m.npy");
        write_npy(&p, &sample()).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        let hl = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + hl) % 64, 0, "data must start 64-byte aligned");
        assert_eq!(read_matrix(&p).unwrap(), sample());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn npy_versions_dtypes_and_orders() {
        let p = Path::new("x.npy");
        let f8: Vec<u8> = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        for v in [1, 2, 3] {
            let b = npy(
                v,
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
                &f8,
            );
            let m = parse_npy(&b, p).unwrap();
            assert_eq!((m.rows, m.cols), (2, 3));
            assert_eq!(m.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        }
        // Fortran order: the payload is column-major.
        let b = npy(
            1,
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
            &f8,
        );
        let m = parse_npy(&b, p).unwrap();
        assert_eq!(m.data, vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
        // Other dtypes.
        let f4: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let b = npy(
            1,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
            &f4,
        );
        let m = parse_npy(&b, p).unwrap();
        assert_eq!((m.rows, m.cols, m.data.clone()), (1, 2, vec![1.5, -2.0]));
        let i8: Vec<u8> = [7i64, -9].iter().flat_map(|x| x.to_le_bytes()).collect();
        let b = npy(
            1,
            "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 1), }",
            &i8,
        );
        assert_eq!(parse_npy(&b, p).unwrap().data, vec![7.0, -9.0]);
        let i4: Vec<u8> = [3i32].iter().flat_map(|x| x.to_le_bytes()).collect();
        let b = npy(
            1,
            "{'descr': '<i4', 'fortran_order': False, 'shape': (), }",
            &i4,
        );
        let m = parse_npy(&b, p).unwrap();
        assert_eq!((m.rows, m.cols, m.data.clone()), (1, 1, vec![3.0]));
        // Key order and quoting as other writers produce them.
        let b = npy(
            1,
            "{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"<i4\"}",
            &[1, 0, 0, 0, 2, 0, 0, 0],
        );
        assert_eq!(parse_npy(&b, p).unwrap().data, vec![1.0, 2.0]);
    }

    #[test]
    fn npy_errors_name_the_file_and_the_problem() {
        let p = Path::new("bad.npy");
        let good = npy_bytes(&sample());
        let e = err_text(parse_npy(b"PK\x03\x04 not numpy at all", p));
        assert!(e.contains("bad.npy") && e.contains("magic"), "{e}");
        let e = err_text(parse_npy(&good[..good.len() - 3], p));
        assert!(
            e.contains("truncated") && e.contains("48 data bytes, found 45"),
            "{e}"
        );
        let e = err_text(parse_npy(&good[..40], p));
        assert!(e.contains("truncated"), "{e}");
        let e = err_text(parse_npy(&good[..9], p));
        assert!(e.contains("truncated"), "{e}");
        let mut long = good.clone();
        long.push(0);
        let e = err_text(parse_npy(&long, p));
        assert!(e.contains("trailing"), "{e}");
        let mut v9 = good.clone();
        v9[6] = 9;
        let e = err_text(parse_npy(&v9, p));
        assert!(e.contains("version 9.0"), "{e}");
        let b = npy(
            1,
            "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
            &[0; 8],
        );
        let e = err_text(parse_npy(&b, p));
        assert!(e.contains("dtype '>f8' is not supported"), "{e}");
        let b = npy(
            1,
            "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }",
            &[0; 12],
        );
        assert!(err_text(parse_npy(&b, p)).contains("'<U3'"));
        let b = npy(
            1,
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }",
            &[0; 8],
        );
        assert!(err_text(parse_npy(&b, p)).contains("3 dimensions"));
        let b = npy(1, "{'descr': '<f8', 'shape': (1,), }", &[0; 8]);
        assert!(err_text(parse_npy(&b, p)).contains("fortran_order"));
        let b = npy(
            1,
            "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }",
            &[0; 8],
        );
        assert!(err_text(parse_npy(&b, p)).contains("True or False"));
        let nan: Vec<u8> = [1.0, f64::NAN, 2.0, 3.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let b = npy(
            1,
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }",
            &nan,
        );
        let e = err_text(parse_npy(&b, p));
        assert!(e.contains("row 0, column 1") && e.contains("NaN"), "{e}");
    }
}

#[cfg(test)]
mod streaming_tests {
    use super::super::read_matrix;
    use super::super::tests::{err_text, tmp};
    use super::*;

    /// A `rows x cols` matrix of distinct values, its `.npy` bytes in C order and in Fortran
    /// order (payload column-major).
    fn both_orders(rows: usize, cols: usize) -> (Matrix, Vec<u8>, Vec<u8>) {
        let data: Vec<f64> = (0..rows * cols).map(|k| k as f64 * 0.5 - 7.0).collect();
        let m = Matrix::new(rows, cols, data).unwrap();
        let c = npy_bytes(&m);
        let dict =
            format!("{{'descr': '<f8', 'fortran_order': True, 'shape': ({rows}, {cols}), }}");
        let pad = (64 - (10 + dict.len() + 1) % 64) % 64;
        let mut f = NPY_MAGIC.to_vec();
        f.extend_from_slice(&[1, 0]);
        f.extend_from_slice(&((dict.len() + pad + 1) as u16).to_le_bytes());
        f.extend_from_slice(dict.as_bytes());
        f.extend(std::iter::repeat_n(b' ', pad));
        f.push(b'\n');
        for j in 0..cols {
            for i in 0..rows {
                f.extend_from_slice(&m.get(i, j).to_le_bytes());
            }
        }
        (m, c, f)
    }

    #[test]
    fn streamed_reading_of_several_blocks_equals_the_matrix_in_both_orders() {
        // 300 x 700 f8 = 1.68 MB: two blocks, the second one partial.
        let (m, c, f) = both_orders(300, 700);
        assert!(c.len() > BLOCK + 8);
        let dir = tmp("stream");
        for (name, bytes) in [("c.npy", &c), ("f.npy", &f)] {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            assert_eq!(read_matrix(&p).unwrap(), m, "{name}");
            assert_eq!(parse_npy(bytes, &p).unwrap(), m, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_first_non_finite_entry_is_reported_in_row_major_order_from_any_block() {
        let (rows, cols) = (300, 700);
        let (_, mut c, mut f) = both_orders(rows, cols);
        // C order: (250, 600) lies in the second block, before (260, 1). Fortran order: (1, 650)
        // comes after (299, 5) in the payload but before it in row-major order.
        let put = |bytes: &mut Vec<u8>, order_index: usize, x: f64| {
            let start = bytes.len() - 8 * rows * cols + 8 * order_index;
            bytes[start..start + 8].copy_from_slice(&x.to_le_bytes());
        };
        put(&mut c, 250 * cols + 600, f64::NAN);
        put(&mut c, 260 * cols + 1, f64::INFINITY);
        let e = err_text(parse_npy(&c, Path::new("c.npy")));
        assert!(
            e.contains("row 250, column 600") && e.contains("NaN"),
            "{e}"
        );
        put(&mut f, 650 * rows + 1, f64::NAN);
        put(&mut f, 5 * rows + 299, f64::NEG_INFINITY);
        let e = err_text(parse_npy(&f, Path::new("f.npy")));
        assert!(e.contains("row 1, column 650") && e.contains("NaN"), "{e}");
    }
}
