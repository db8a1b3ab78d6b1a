//! Downloading MovieLens-100K into a local cache (cargo feature `fetch`, on by default); the
//! authors' Figure-2 inputs are in [`zhu2023`].
//!
//! Sources, in order ([`FetchSource::Auto`]):
//! 1. GroupLens's own address, <https://files.grouplens.org/datasets/movielens/ml-100k.zip>
//!    (the `ml-100k/` folder: `u.data`, `u.user`, `u.item`, ...).
//! 2. The PyPI wheel `recbole==1.2.1`, which ships GroupLens's ratings unchanged as
//!    `recbole/dataset_example/ml-100k/ml-100k.inter` (a header line, then exactly `u.data`).
//!    The wheel's address and SHA-256 come from PyPI's JSON API, else from its simple index
//!    (PEP 503, what pip reads); the wheel is checked against that SHA-256. Its `ml-100k.user`
//!    is converted to `u.user`; it has no `u.item` in GroupLens's format.
//!
//! Either way `u.data` must hash to [`U_DATA_SHA256`]. Files are written atomically, `u.data`
//! last, so a folder with a verified `u.data` is complete; a later fetch then reuses it without
//! touching the network. Every request has a connect timeout (10 s by default) and an overall
//! timeout, so an unreachable host fails quickly and the next source is tried.
//!
//! HTTP is `ureq` (small, blocking, pure Rust, rustls TLS checked against the operating system's
//! certificate store) and the archives are read with `zip` (stored and deflated entries only).

#[cfg(test)]
mod test_server;
pub mod zhu2023;

use crate::movielens::{sha256_hex, U_DATA_SHA256};
use crate::DataError;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// GroupLens's address of MovieLens-100K.
pub const GROUPLENS_URL: &str = "https://files.grouplens.org/datasets/movielens/ml-100k.zip";
/// PyPI's JSON API entry of the wheel that carries the ratings.
pub const PYPI_JSON_URL: &str = "https://pypi.org/pypi/recbole/1.2.1/json";
/// PyPI's simple index page of the package (fallback when the JSON API is unavailable).
pub const PYPI_SIMPLE_URL: &str = "https://pypi.org/simple/recbole/";
/// File name of the wheel.
pub const WHEEL_NAME: &str = "recbole-1.2.1-py3-none-any.whl";
/// Path of the ratings inside the wheel.
pub const WHEEL_RATINGS: &str = "recbole/dataset_example/ml-100k/ml-100k.inter";
/// Path of the users inside the wheel.
pub const WHEEL_USERS: &str = "recbole/dataset_example/ml-100k/ml-100k.user";

/// Where to download from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchSource {
    /// GroupLens first, then the PyPI wheel.
    #[default]
    Auto,
    /// Only GroupLens.
    Grouplens,
    /// Only the PyPI wheel.
    Pypi,
}

/// Addresses and timeouts (the defaults are the real sources; tests point them elsewhere).
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// The GroupLens zip.
    pub grouplens_url: String,
    /// PyPI's JSON API entry for recbole 1.2.1.
    pub pypi_json_url: String,
    /// PyPI's simple index page for recbole.
    pub pypi_simple_url: String,
    /// The folder address the authors' Figure-2 inputs are downloaded from
    /// ([`zhu2023::ZHU2023_RAW_URL`]: their repository at the recorded commit).
    pub zhu2023_url: String,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one whole request, download included.
    pub timeout: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            grouplens_url: GROUPLENS_URL.into(),
            pypi_json_url: PYPI_JSON_URL.into(),
            pypi_simple_url: PYPI_SIMPLE_URL.into(),
            zhu2023_url: zhu2023::ZHU2023_RAW_URL.into(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(300),
        }
    }
}

/// The outcome of a successful fetch.
#[derive(Clone, Debug)]
pub struct Fetched {
    /// The `ml-100k` folder holding `u.data` (and `u.user`, `u.item` when the source has them).
    pub dir: PathBuf,
    /// SHA-256 of `u.data` (always [`U_DATA_SHA256`]).
    pub sha256: String,
    /// Where the files came from ("cache", or the address downloaded).
    pub source: String,
    /// Whether a verified copy was already in the cache (no download).
    pub cached: bool,
    /// Sources tried before the one that worked, with why they failed.
    pub failures: Vec<String>,
}

/// Makes sure a verified MovieLens-100K is in `cache_dir/ml-100k/` and returns that folder.
///
/// See the module documentation for the sources. When none works, the error says how to get the
/// data by hand ("download ml-100k.zip yourself and pass --data DIR").
pub fn fetch_movielens_100k(cache_dir: &Path, source: FetchSource) -> Result<PathBuf, DataError> {
    fetch_movielens_100k_with(cache_dir, source, &FetchOptions::default()).map(|f| f.dir)
}

/// [`fetch_movielens_100k`] with explicit addresses and timeouts, reporting what happened.
pub fn fetch_movielens_100k_with(
    cache_dir: &Path,
    source: FetchSource,
    opts: &FetchOptions,
) -> Result<Fetched, DataError> {
    let dir = cache_dir.join("ml-100k");
    let u_data = dir.join("u.data");
    if let Ok(bytes) = std::fs::read(&u_data) {
        let h = sha256_hex(&bytes);
        if h == U_DATA_SHA256 {
            return Ok(Fetched {
                dir,
                sha256: h,
                source: "cache".into(),
                cached: true,
                failures: Vec::new(),
            });
        }
    }
    let agent = agent(opts);
    let mut failures = Vec::new();
    let sources: &[FetchSource] = match source {
        FetchSource::Auto => &[FetchSource::Grouplens, FetchSource::Pypi],
        FetchSource::Grouplens => &[FetchSource::Grouplens],
        FetchSource::Pypi => &[FetchSource::Pypi],
    };
    for s in sources {
        let got = match s {
            FetchSource::Pypi => from_pypi(&agent, opts),
            _ => from_grouplens(&agent, opts),
        };
        match got {
            Ok((files, from)) => {
                write_files(&dir, &files, "u.data")?;
                return Ok(Fetched {
                    dir,
                    sha256: U_DATA_SHA256.into(),
                    source: from,
                    cached: false,
                    failures,
                });
            }
            Err(e) => failures.push(e),
        }
    }
    Err(DataError::Fetch(format!(
        "could not download MovieLens-100K:\n  - {}\nfix: download ml-100k.zip yourself from \
         {GROUPLENS_URL}, unzip it and pass --data DIR (the folder holding ml-100k/u.data), or \
         put ml-100k/ into {} and run again",
        failures.join("\n  - "),
        cache_dir.display()
    )))
}

pub(crate) fn agent(opts: &FetchOptions) -> ureq::Agent {
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    ureq::Agent::config_builder()
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_global(Some(opts.timeout))
        .tls_config(tls)
        .user_agent(concat!("marketloop/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Largest download accepted (the wheel is about 2 MB, the GroupLens zip about 5 MB).
const MAX_DOWNLOAD: u64 = 64 << 20;
/// Largest archive entry accepted.
const MAX_ENTRY: u64 = 64 << 20;

pub(crate) fn get(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, String> {
    let mut resp = agent.get(url).call().map_err(|e| format!("{url}: {e}"))?;
    resp.body_mut()
        .with_config()
        .limit(MAX_DOWNLOAD)
        .read_to_vec()
        .map_err(|e| format!("{url}: {e}"))
}

/// Named file contents, in memory until they are verified and written.
pub(crate) type Files = Vec<(String, Vec<u8>)>;

fn open_zip(
    bytes: Vec<u8>,
    what: &str,
) -> Result<zip::ZipArchive<std::io::Cursor<Vec<u8>>>, String> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("{what}: not a readable zip archive ({e})"))
}

fn read_entry<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
    what: &str,
) -> Result<Vec<u8>, String> {
    let mut f = zip
        .by_name(name)
        .map_err(|e| format!("{what}: no {name} inside ({e})"))?;
    if f.size() > MAX_ENTRY {
        return Err(format!(
            "{what}: {name} is {} bytes, more than expected",
            f.size()
        ));
    }
    let mut out = Vec::with_capacity(usize::try_from(f.size()).unwrap_or(0));
    f.read_to_end(&mut out)
        .map_err(|e| format!("{what}: cannot decompress {name} ({e})"))?;
    Ok(out)
}

fn check_u_data(bytes: &[u8], what: &str) -> Result<(), String> {
    let h = sha256_hex(bytes);
    if h == U_DATA_SHA256 {
        Ok(())
    } else {
        Err(format!(
            "{what}: u.data has SHA-256 {h}, expected {U_DATA_SHA256} (corrupt or changed download)"
        ))
    }
}

fn from_grouplens(agent: &ureq::Agent, opts: &FetchOptions) -> Result<(Files, String), String> {
    let url = &opts.grouplens_url;
    let bytes = get(agent, url)?;
    let mut zip = open_zip(bytes, url)?;
    let mut files = Vec::new();
    for k in 0..zip.len() {
        let name = match zip.by_index(k) {
            Ok(f) if f.is_file() => match f.name() {
                Ok(n) => n.to_string(),
                Err(_) => continue, // a name that is not valid text cannot be one of ours
            },
            Ok(_) => continue,
            Err(e) => return Err(format!("{url}: entry {k} unreadable ({e})")),
        };
        let Some(base) = name.strip_prefix("ml-100k/") else {
            continue;
        };
        // Only plain file names directly in ml-100k/ (no subfolders, no path tricks).
        if base.is_empty() || base.contains(['/', '\\']) || base.starts_with('.') {
            continue;
        }
        let base = base.to_string();
        let data = read_entry(&mut zip, &name, url)?;
        files.push((base, data));
    }
    let u_data = files
        .iter()
        .find(|(n, _)| n == "u.data")
        .ok_or_else(|| format!("{url}: the archive has no ml-100k/u.data"))?;
    check_u_data(&u_data.1, url)?;
    Ok((files, url.clone()))
}

/// The wheel's address and SHA-256 from PyPI: the JSON API, else the simple index.
fn wheel_location(agent: &ureq::Agent, opts: &FetchOptions) -> Result<(String, String), String> {
    let json_err = match get(agent, &opts.pypi_json_url)
        .and_then(|b| wheel_from_json(&b, &opts.pypi_json_url))
    {
        Ok(found) => return Ok(found),
        Err(e) => e,
    };
    match get(agent, &opts.pypi_simple_url)
        .and_then(|b| wheel_from_simple_index(&String::from_utf8_lossy(&b), &opts.pypi_simple_url))
    {
        Ok(found) => Ok(found),
        Err(e) => Err(format!("{json_err}; and {e}")),
    }
}

/// Finds the wheel in PyPI's JSON API answer: `urls[*]` with `filename`, `url`, `digests.sha256`.
pub fn wheel_from_json(bytes: &[u8], url: &str) -> Result<(String, String), String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("{url}: not JSON ({e})"))?;
    let entries = v["urls"]
        .as_array()
        .ok_or_else(|| format!("{url}: no 'urls' list in the answer"))?;
    for e in entries {
        if e["filename"].as_str() == Some(WHEEL_NAME) {
            let (Some(u), Some(h)) = (e["url"].as_str(), e["digests"]["sha256"].as_str()) else {
                return Err(format!("{url}: {WHEEL_NAME} has no url or sha256"));
            };
            return Ok((u.to_string(), h.to_ascii_lowercase()));
        }
    }
    Err(format!("{url}: {WHEEL_NAME} is not listed"))
}

/// Finds the wheel in a PEP 503 simple index page: `<a href="URL#sha256=HEX">NAME</a>`.
pub fn wheel_from_simple_index(html: &str, index_url: &str) -> Result<(String, String), String> {
    for piece in html.split("href=\"").skip(1) {
        let Some(end) = piece.find('"') else { continue };
        let href = piece[..end].replace("&amp;", "&");
        let (link, fragment) = href.split_once('#').unwrap_or((href.as_str(), ""));
        if !link.ends_with(&format!("/{WHEEL_NAME}")) && link != WHEEL_NAME {
            continue;
        }
        let Some(hash) = fragment.strip_prefix("sha256=") else {
            return Err(format!(
                "{index_url}: {WHEEL_NAME} is listed without a sha256"
            ));
        };
        let full = if link.starts_with("http://") || link.starts_with("https://") {
            link.to_string()
        } else {
            join_url(index_url, link)
        };
        return Ok((full, hash.to_ascii_lowercase()));
    }
    Err(format!("{index_url}: {WHEEL_NAME} is not listed"))
}

/// Resolves a relative link against a page address (enough for PEP 503 indexes).
fn join_url(base: &str, link: &str) -> String {
    if let Some(rest) = link.strip_prefix('/') {
        // Absolute path: keep scheme://host of the base.
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[after_scheme..]
            .find('/')
            .map_or(base.len(), |i| after_scheme + i);
        format!("{}/{rest}", &base[..host_end])
    } else {
        let dir_end = base.rfind('/').map_or(base.len(), |i| i + 1);
        let mut out = base[..dir_end].to_string();
        let mut rest = link;
        while let Some(r) = rest.strip_prefix("../") {
            rest = r;
            let trimmed = out.trim_end_matches('/');
            if let Some(i) = trimmed.rfind('/') {
                out.truncate(i + 1);
            }
        }
        out.push_str(rest);
        out
    }
}

fn from_pypi(agent: &ureq::Agent, opts: &FetchOptions) -> Result<(Files, String), String> {
    let (url, wheel_hash) = wheel_location(agent, opts)?;
    let bytes = get(agent, &url)?;
    let h = sha256_hex(&bytes);
    if h != wheel_hash {
        return Err(format!(
            "{url}: wheel SHA-256 {h} differs from PyPI's {wheel_hash} (corrupt download)"
        ));
    }
    let mut zip = open_zip(bytes, &url)?;
    let inter = read_entry(&mut zip, WHEEL_RATINGS, &url)?;
    let u_data = match inter.iter().position(|&b| b == b'\n') {
        Some(i) => inter[i + 1..].to_vec(),
        None => return Err(format!("{url}: {WHEEL_RATINGS} has no header line")),
    };
    check_u_data(
        &u_data,
        &format!("{url} ({WHEEL_RATINGS} without its header)"),
    )?;
    let mut files = Vec::new();
    // The users table: RecBole's header line, then GroupLens's u.user with tabs for '|'.
    if let Ok(users) = read_entry(&mut zip, WHEEL_USERS, &url) {
        if let Some(i) = users.iter().position(|&b| b == b'\n') {
            let body: Vec<u8> = users[i + 1..]
                .iter()
                .map(|&b| if b == b'\t' { b'|' } else { b })
                .collect();
            files.push(("u.user".to_string(), body));
        }
    }
    files.push(("u.data".to_string(), u_data));
    Ok((files, url))
}

/// Writes the files atomically into `dir`, the one named `last` last (so that its presence
/// means the others are complete).
pub(crate) fn write_files(dir: &Path, files: &Files, last: &str) -> Result<(), DataError> {
    std::fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
    let mut order: Vec<&(String, Vec<u8>)> = files.iter().filter(|(n, _)| n != last).collect();
    order.extend(files.iter().filter(|(n, _)| n == last));
    for (name, bytes) in order {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let res = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            std::io::Write::write_all(&mut f, bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            return Err(DataError::io(&path, e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::test_server::serve_with;
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;
    use std::sync::atomic::Ordering;

    #[test]
    fn finds_the_wheel_in_json_and_simple_index() {
        let json = format!(
            r#"{{"urls": [{{"filename": "recbole-1.2.1.tar.gz", "url": "https://x/a.tar.gz", "digests": {{"sha256": "00"}}}},
                          {{"filename": "{WHEEL_NAME}", "url": "https://x/{WHEEL_NAME}", "digests": {{"sha256": "ABCD"}}}}]}}"#
        );
        let (u, h) = wheel_from_json(json.as_bytes(), "j").unwrap();
        assert_eq!(
            (u.as_str(), h.as_str()),
            (format!("https://x/{WHEEL_NAME}").as_str(), "abcd")
        );
        assert!(wheel_from_json(b"{\"urls\": []}", "j")
            .unwrap_err()
            .contains("not listed"));
        assert!(wheel_from_json(b"<html>", "j")
            .unwrap_err()
            .contains("not JSON"));

        let html = format!(
            "<a href=\"https://h/p/recbole-1.2.0-py3-none-any.whl#sha256=11\">x</a>\n\
             <a href=\"../../packages/ab/{WHEEL_NAME}#sha256=ff00\">{WHEEL_NAME}</a>"
        );
        let (u, h) =
            wheel_from_simple_index(&html, "https://pypi.example/simple/recbole/").unwrap();
        assert_eq!(u, format!("https://pypi.example/packages/ab/{WHEEL_NAME}"));
        assert_eq!(h, "ff00");
        let html = format!("<a href=\"/files/{WHEEL_NAME}#sha256=aa\">w</a>");
        let (u, _) = wheel_from_simple_index(&html, "http://127.0.0.1:9/simple/recbole/").unwrap();
        assert_eq!(u, format!("http://127.0.0.1:9/files/{WHEEL_NAME}"));
        let html = format!("<a href=\"/files/{WHEEL_NAME}\">w</a>");
        assert!(wheel_from_simple_index(&html, "x")
            .unwrap_err()
            .contains("without a sha256"));
    }

    /// A wheel-like zip holding `inter` as the ratings file (stored, uncompressed).
    fn fake_wheel(inter: &[u8]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            z.start_file(WHEEL_RATINGS, o).unwrap();
            z.write_all(inter).unwrap();
            z.start_file(WHEEL_USERS, o).unwrap();
            z.write_all(b"user_id:token\tage:token\n1\t24\tM\ttechnician\t85711\n")
                .unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    fn opts(grouplens: String, json: String, simple: String) -> FetchOptions {
        FetchOptions {
            grouplens_url: grouplens,
            pypi_json_url: json,
            pypi_simple_url: simple,
            zhu2023_url: String::new(),
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(3),
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ml-fetch-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    /// A port on loopback that refuses connections.
    fn closed_port() -> String {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        format!("http://{a}/ml-100k.zip")
    }

    #[test]
    fn falls_back_to_the_simple_index_and_rejects_a_wrong_hash() {
        // Ratings that are not GroupLens's: everything up to the u.data hash check must work.
        let inter = b"user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t1\t5\t9\n";
        let wheel = fake_wheel(inter);
        let wheel_hash = sha256_hex(&wheel);
        let index = format!("<a href=\"/files/{WHEEL_NAME}#sha256={wheel_hash}\">w</a>");
        let (addr, hits) = serve_with(
            |_| {
                vec![
                    ("/simple/recbole/".into(), 200, index.into_bytes()),
                    (format!("/files/{WHEEL_NAME}"), 200, wheel),
                ]
            },
            8,
        );
        let o = opts(
            closed_port(),
            format!("{addr}/pypi/json"),
            format!("{addr}/simple/recbole/"),
        );
        let dir = tmp("fallback");
        let t0 = std::time::Instant::now();
        let e = fetch_movielens_100k_with(&dir, FetchSource::Auto, &o)
            .unwrap_err()
            .to_string();
        assert!(t0.elapsed() < Duration::from_secs(20));
        // GroupLens refused, the JSON API 404'd, the simple index and the wheel were read, and
        // the ratings inside failed the u.data hash.
        assert!(e.contains("ml-100k.zip"), "{e}");
        assert!(
            e.contains("without its header") && e.contains(U_DATA_SHA256),
            "{e}"
        );
        assert!(e.contains("pass --data DIR"), "{e}");
        assert_eq!(hits.load(Ordering::SeqCst), 3, "json, simple index, wheel");
        assert!(!dir.join("ml-100k").join("u.data").exists());
    }

    #[test]
    fn a_wheel_that_does_not_match_pypis_hash_is_refused() {
        let wheel = fake_wheel(b"h\n1\t1\t5\t9\n");
        let json = format!(
            r#"{{"urls": [{{"filename": "{WHEEL_NAME}", "url": "WHEEL", "digests": {{"sha256": "{}"}}}}]}}"#,
            "0".repeat(64)
        );
        let (addr, _) = serve_with(
            |a| {
                vec![
                    (
                        "/json".to_string(),
                        200,
                        json.replace("WHEEL", &format!("{a}/w.whl")).into_bytes(),
                    ),
                    ("/w.whl".to_string(), 200, wheel),
                ]
            },
            4,
        );
        let o = opts(
            closed_port(),
            format!("{addr}/json"),
            format!("{addr}/simple"),
        );
        let dir = tmp("badwheel");
        let e = fetch_movielens_100k_with(&dir, FetchSource::Pypi, &o)
            .unwrap_err()
            .to_string();
        assert!(e.contains("differs from PyPI's"), "{e}");
        assert!(!e.contains("ml-100k.zip:"), "only PyPI was asked: {e}");
    }

    #[test]
    fn a_server_that_never_answers_times_out() {
        let (addr, _) = serve_with(|_| Vec::new(), 2);
        let mut o = opts(
            format!("{addr}/hang"),
            format!("{addr}/hang"),
            format!("{addr}/hang"),
        );
        o.timeout = Duration::from_secs(1);
        let dir = tmp("hang");
        let t0 = std::time::Instant::now();
        let e = fetch_movielens_100k_with(&dir, FetchSource::Grouplens, &o)
            .unwrap_err()
            .to_string();
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "took {:?}",
            t0.elapsed()
        );
        assert!(e.contains("/hang") && e.contains("pass --data DIR"), "{e}");
    }

    #[test]
    fn a_verified_cache_is_used_without_network() {
        let dir = tmp("cache");
        // A bogus cached u.data is not trusted: with no reachable source this is an error.
        std::fs::create_dir_all(dir.join("ml-100k")).unwrap();
        std::fs::write(dir.join("ml-100k").join("u.data"), b"1\t1\t1\t1\n").unwrap();
        let o = opts(closed_port(), closed_port(), closed_port());
        assert!(fetch_movielens_100k_with(&dir, FetchSource::Auto, &o).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    #[ignore = "needs the network (PyPI)"]
    fn fetches_the_real_data_through_pypi() {
        let dir = tmp("real");
        let f =
            fetch_movielens_100k_with(&dir, FetchSource::Pypi, &FetchOptions::default()).unwrap();
        assert_eq!(f.sha256, U_DATA_SHA256);
        let again =
            fetch_movielens_100k_with(&dir, FetchSource::Pypi, &FetchOptions::default()).unwrap();
        assert!(again.cached);
        let ml = crate::movielens::load_dir(&f.dir).unwrap();
        assert!(ml.is_verified());
        assert_eq!(ml.users.as_ref().map(Vec::len), Some(943));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
