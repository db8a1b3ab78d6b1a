//! The MovieLens-100K data set (GroupLens; Harper and Konstan 2015): loading a local copy of
//! the `ml-100k/` folder (`u.data` required, `u.user` and `u.item` optional) into a sparse
//! [`RatingMatrix`], with errors that name the file, the line and the field.
//!
//! Downloading it lives in [`crate::fetch`] (cargo feature `fetch`). MovieLens may be used for
//! research; it must not be redistributed, so it is never stored in the repository.

use crate::DataError;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// SHA-256 of GroupLens's `ml-100k/u.data` (100,000 lines, tab-separated).
pub const U_DATA_SHA256: &str = "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490";
/// Users in MovieLens-100K.
pub const ML100K_USERS: usize = 943;
/// Movies in MovieLens-100K.
pub const ML100K_ITEMS: usize = 1682;
/// Ratings in MovieLens-100K.
pub const ML100K_RATINGS: usize = 100_000;

/// One observed rating: user and item are 0-based indices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rating {
    /// User index (0-based).
    pub user: u32,
    /// Item index (0-based).
    pub item: u32,
    /// The rating.
    pub value: f64,
}

/// A sparse users x items matrix of ratings, each (user, item) pair at most once.
#[derive(Clone, Debug, PartialEq)]
pub struct RatingMatrix {
    n_users: usize,
    n_items: usize,
    ratings: Vec<Rating>,
}

impl RatingMatrix {
    /// A rating matrix of `n_users` x `n_items` holding `ratings` (in the given order, which
    /// is the order SGD visits them by default).
    ///
    /// Errors on an index out of range, a non-finite value or a repeated (user, item) pair.
    pub fn new(n_users: usize, n_items: usize, ratings: Vec<Rating>) -> Result<Self, DataError> {
        let mut seen = HashSet::with_capacity(ratings.len());
        for (k, r) in ratings.iter().enumerate() {
            if r.user as usize >= n_users {
                return Err(DataError::Parameter(format!(
                    "rating {k}: user index {} must lie in [0, {n_users})",
                    r.user
                )));
            }
            if r.item as usize >= n_items {
                return Err(DataError::Parameter(format!(
                    "rating {k}: item index {} must lie in [0, {n_items})",
                    r.item
                )));
            }
            if !r.value.is_finite() {
                return Err(DataError::Parameter(format!(
                    "rating {k} (user {}, item {}): value {} must be finite",
                    r.user, r.item, r.value
                )));
            }
            if !seen.insert((r.user, r.item)) {
                return Err(DataError::Parameter(format!(
                    "rating {k}: user {} rated item {} more than once",
                    r.user, r.item
                )));
            }
        }
        Ok(Self {
            n_users,
            n_items,
            ratings,
        })
    }

    /// Number of users (rows).
    pub fn n_users(&self) -> usize {
        self.n_users
    }

    /// Number of items (columns).
    pub fn n_items(&self) -> usize {
        self.n_items
    }

    /// The ratings, in their stored order.
    pub fn ratings(&self) -> &[Rating] {
        &self.ratings
    }

    /// The same users and items with another set of ratings (e.g. a training split).
    pub fn with_ratings(&self, ratings: Vec<Rating>) -> Result<Self, DataError> {
        Self::new(self.n_users, self.n_items, ratings)
    }

    /// Row-major users x items mask: `true` where a rating is observed.
    pub fn observed_mask(&self) -> Vec<bool> {
        let mut m = vec![false; self.n_users * self.n_items];
        for r in &self.ratings {
            m[r.user as usize * self.n_items + r.item as usize] = true;
        }
        m
    }
}

/// A user of MovieLens-100K (`u.user`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// Age in years.
    pub age: u32,
    /// "M" or "F".
    pub gender: String,
    /// Occupation.
    pub occupation: String,
    /// Zip code (not always numeric).
    pub zip_code: String,
}

/// A movie of MovieLens-100K (`u.item`, latin-1 encoded).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemInfo {
    /// Title with the year, e.g. "Toy Story (1995)".
    pub title: String,
    /// Release date as written (e.g. "01-Jan-1995"; may be empty).
    pub release_date: String,
    /// IMDb address (may be empty).
    pub imdb_url: String,
    /// The 19 genre flags, in the order of `u.genre` (unknown, Action, ..., Western).
    pub genres: [bool; 19],
}

/// MovieLens-100K as loaded from a folder.
#[derive(Clone, Debug)]
pub struct MovieLens {
    /// The folder the files came from.
    pub dir: PathBuf,
    /// The ratings (users and items 0-based: GroupLens id minus 1), in file order.
    pub ratings: RatingMatrix,
    /// Unix timestamps of the ratings, in the same order.
    pub timestamps: Vec<u64>,
    /// Users, indexed by user index, when `u.user` is present.
    pub users: Option<Vec<UserInfo>>,
    /// Movies, indexed by item index, when `u.item` is present.
    pub items: Option<Vec<ItemInfo>>,
    /// SHA-256 (hex) of `u.data` as read.
    pub u_data_sha256: String,
}

impl MovieLens {
    /// Whether `u.data` is byte-for-byte GroupLens's MovieLens-100K.
    pub fn is_verified(&self) -> bool {
        self.u_data_sha256 == U_DATA_SHA256
    }
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The folder holding `u.data`: `dir` itself, or `dir/ml-100k`.
pub fn locate(dir: &Path) -> Result<PathBuf, DataError> {
    for cand in [dir.to_path_buf(), dir.join("ml-100k")] {
        if cand.join("u.data").is_file() {
            return Ok(cand);
        }
    }
    Err(DataError::Missing {
        path: dir.join("u.data"),
        message: "no MovieLens-100K ratings here (looked for u.data and ml-100k/u.data); pass \
                  the ml-100k folder of GroupLens's ml-100k.zip, or run `marketloop data fetch \
                  movielens-100k`"
            .into(),
    })
}

fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|e| DataError::io(path, e))
}

/// Loads MovieLens-100K from `dir` (the `ml-100k` folder, or a folder that contains it).
///
/// `u.data` is required; `u.user` and `u.item` are read when present. The matrix has as many
/// users as the largest user id (and at least as many as `u.user` lists), likewise for items,
/// so a user's own subset of the data loads too. Whether the ratings are GroupLens's exact file
/// is recorded in [`MovieLens::u_data_sha256`] (see [`MovieLens::is_verified`]).
pub fn load_dir(dir: &Path) -> Result<MovieLens, DataError> {
    let dir = locate(dir)?;
    let data_path = dir.join("u.data");
    let bytes = read(&data_path)?;
    let hash = sha256_hex(&bytes);
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        DataError::Parse {
            path: data_path.clone(),
            line,
            message: "not valid text (u.data holds only ASCII digits, tabs and newlines)".into(),
        }
    })?;
    let raw = parse_u_data(text, &data_path)?;
    let users = match dir.join("u.user") {
        p if p.is_file() => Some(parse_u_user(&latin1(&read(&p)?), &p)?),
        _ => None,
    };
    let items = match dir.join("u.item") {
        p if p.is_file() => Some(parse_u_item(&latin1(&read(&p)?), &p)?),
        _ => None,
    };
    let n_users = raw
        .iter()
        .map(|r| r.user as usize + 1)
        .max()
        .unwrap_or(0)
        .max(users.as_ref().map_or(0, Vec::len));
    let n_items = raw
        .iter()
        .map(|r| r.item as usize + 1)
        .max()
        .unwrap_or(0)
        .max(items.as_ref().map_or(0, Vec::len));
    let timestamps = raw.iter().map(|r| r.timestamp).collect();
    let ratings = raw
        .iter()
        .map(|r| Rating {
            user: r.user,
            item: r.item,
            value: f64::from(r.rating),
        })
        .collect();
    if (n_users as u64).saturating_mul(n_items as u64) > MAX_DENSE {
        return Err(DataError::Parameter(format!(
            "{}: {n_users} users x {n_items} items = {} entries, above the maximum {MAX_DENSE} of \
             a dense rating matrix (ids are used as matrix indices)",
            data_path.display(),
            n_users as u64 * n_items as u64
        )));
    }
    let ratings = RatingMatrix::new(n_users, n_items, ratings)?;
    Ok(MovieLens {
        dir,
        ratings,
        timestamps,
        users,
        items,
        u_data_sha256: hash,
    })
}

/// One line of `u.data`, ids already 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawRating {
    /// User index (id - 1).
    pub user: u32,
    /// Item index (id - 1).
    pub item: u32,
    /// Rating 1..=5.
    pub rating: u8,
    /// Unix timestamp.
    pub timestamp: u64,
}

/// The largest user or item id a ratings file may hold (dense matrices are sized by the
/// largest id; MovieLens-100K's are 943 and 1682, MovieLens-25M's about 163,000).
pub const MAX_ID: u32 = 1_000_000;

/// The most entries (users x items) of the dense rating matrices a data set may need.
pub const MAX_DENSE: u64 = 1 << 31;

/// Parses `u.data`: `user id \t item id \t rating \t timestamp` per line, ids from 1, ratings
/// 1..=5. Errors name the file, the line and the field; a repeated (user, item) pair is an error.
pub fn parse_u_data(text: &str, path: &Path) -> Result<Vec<RawRating>, DataError> {
    let mut out = Vec::with_capacity(text.len() / 20);
    let mut seen: HashSet<(u32, u32)> = HashSet::with_capacity(text.len() / 20);
    let err = |line: usize, message: String| DataError::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    for (k, line) in text.lines().enumerate() {
        let lineno = k + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != 4 {
            return Err(err(
                lineno,
                format!(
                    "expected 4 tab-separated fields (user id, item id, rating, timestamp), \
                     found {}: '{}'",
                    fields.len(),
                    line.chars().take(80).collect::<String>()
                ),
            ));
        }
        let id = |j: usize, name: &str| -> Result<u32, DataError> {
            let f = fields[j].trim();
            match f.parse::<u32>() {
                Ok(v) if (1..=MAX_ID).contains(&v) => Ok(v - 1),
                _ => Err(err(
                    lineno,
                    format!(
                        "field {} ({name}) = '{f}' must be an integer in [1, {MAX_ID}]",
                        j + 1
                    ),
                )),
            }
        };
        let user = id(0, "user id")?;
        let item = id(1, "item id")?;
        let f = fields[2].trim();
        let rating = match f.parse::<u8>() {
            Ok(v) if (1..=5).contains(&v) => v,
            _ => {
                return Err(err(
                    lineno,
                    format!("field 3 (rating) = '{f}' must be an integer in 1..=5"),
                ))
            }
        };
        let f = fields[3].trim();
        let timestamp = f.parse::<u64>().map_err(|_| {
            err(
                lineno,
                format!("field 4 (timestamp) = '{f}' must be a non-negative integer"),
            )
        })?;
        if !seen.insert((user, item)) {
            return Err(err(
                lineno,
                format!(
                    "user id {} rated item id {} a second time",
                    user + 1,
                    item + 1
                ),
            ));
        }
        out.push(RawRating {
            user,
            item,
            rating,
            timestamp,
        });
    }
    if out.is_empty() {
        return Err(DataError::Parse {
            path: path.to_path_buf(),
            line: 1,
            message: "no ratings in the file".into(),
        });
    }
    Ok(out)
}

/// Decodes latin-1 (ISO-8859-1) bytes: every byte is the code point of the same value.
pub fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Splits `|`-separated lines that must start with ids 1, 2, 3, ... in order.
fn id_lines<'a>(
    text: &'a str,
    path: &'a Path,
    n_fields: usize,
    what: &'a str,
) -> impl Iterator<Item = Result<(usize, Vec<&'a str>), DataError>> + 'a {
    let mut expected = 1usize;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(move |(k, line)| {
            let lineno = k + 1;
            let fields: Vec<&str> = line.trim_end_matches('\r').split('|').collect();
            let err = |message: String| DataError::Parse {
                path: path.to_path_buf(),
                line: lineno,
                message,
            };
            if fields.len() != n_fields {
                return Err(err(format!(
                    "expected {n_fields} '|'-separated fields, found {}",
                    fields.len()
                )));
            }
            match fields[0].trim().parse::<usize>() {
                Ok(id) if id == expected => {}
                _ => {
                    return Err(err(format!(
                    "field 1 ({what} id) = '{}' must be {expected} (ids are consecutive from 1)",
                    fields[0]
                )))
                }
            }
            expected += 1;
            Ok((lineno, fields))
        })
}

/// Parses `u.user`: `user id | age | gender | occupation | zip code`.
pub fn parse_u_user(text: &str, path: &Path) -> Result<Vec<UserInfo>, DataError> {
    let mut out = Vec::new();
    for row in id_lines(text, path, 5, "user") {
        let (lineno, f) = row?;
        let age = f[1].trim().parse::<u32>().map_err(|_| DataError::Parse {
            path: path.to_path_buf(),
            line: lineno,
            message: format!("field 2 (age) = '{}' must be a non-negative integer", f[1]),
        })?;
        out.push(UserInfo {
            age,
            gender: f[2].trim().to_string(),
            occupation: f[3].trim().to_string(),
            zip_code: f[4].trim().to_string(),
        });
    }
    Ok(out)
}

/// Parses `u.item` (already decoded from latin-1): `movie id | title | release date | video
/// release date | IMDb URL | 19 genre flags (0 or 1)`.
pub fn parse_u_item(text: &str, path: &Path) -> Result<Vec<ItemInfo>, DataError> {
    let mut out = Vec::new();
    for row in id_lines(text, path, 24, "movie") {
        let (lineno, f) = row?;
        let mut genres = [false; 19];
        for (g, flag) in genres.iter_mut().enumerate() {
            *flag = match f[5 + g].trim() {
                "0" => false,
                "1" => true,
                other => {
                    return Err(DataError::Parse {
                        path: path.to_path_buf(),
                        line: lineno,
                        message: format!(
                            "field {} (genre flag {g}) = '{other}' must be 0 or 1",
                            6 + g
                        ),
                    })
                }
            };
        }
        out.push(ItemInfo {
            title: f[1].to_string(),
            release_date: f[2].to_string(),
            imdb_url: f[4].to_string(),
            genres,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ml-movielens-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn loads_a_small_folder_with_all_three_files() {
        let dir = tmp("ok");
        let ml = dir.join("ml-100k");
        std::fs::create_dir_all(&ml).unwrap();
        std::fs::write(
            ml.join("u.data"),
            "1\t2\t5\t881250949\n3\t1\t1\t891717742\n",
        )
        .unwrap();
        std::fs::write(
            ml.join("u.user"),
            "1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n",
        )
        .unwrap();
        let mut item =
            b"1|Toy Story (1995)|01-Jan-1995||http://x|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
                .to_vec();
        item.extend_from_slice(
            b"2|Caf\xe9 (1995)|01-Jan-1995||http://y|0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n",
        );
        std::fs::write(ml.join("u.item"), item).unwrap();
        let m = load_dir(&dir).unwrap();
        assert_eq!(m.ratings.n_users(), 3);
        assert_eq!(m.ratings.n_items(), 2);
        assert_eq!(
            m.ratings.ratings()[0],
            Rating {
                user: 0,
                item: 1,
                value: 5.0
            }
        );
        assert_eq!(m.timestamps, vec![881250949, 891717742]);
        assert_eq!(m.users.as_ref().unwrap()[1].occupation, "other");
        assert!(!m.is_verified());
        let items = m.items.unwrap();
        assert_eq!(items[1].title, "Caf\u{e9} (1995)");
        assert!(items[0].genres[3] && !items[0].genres[0]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn perr(text: &str) -> String {
        parse_u_data(text, Path::new("u.data"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn malformed_u_data_lines_name_line_and_field() {
        let e = perr("1\t2\t3\t4\n1\t2\t3\n");
        assert!(
            e.starts_with("u.data:2:") && e.contains("4 tab-separated fields"),
            "{e}"
        );
        let e = perr("1\t2\t6\t4\n");
        assert!(
            e.contains("u.data:1:") && e.contains("field 3 (rating) = '6'"),
            "{e}"
        );
        let e = perr("1\t0\t3\t4\n");
        assert!(e.contains("field 2 (item id) = '0'"), "{e}");
        let e = perr("x\t1\t3\t4\n");
        assert!(e.contains("field 1 (user id) = 'x'"), "{e}");
        let e = perr("1\t1\t3\t-4\n");
        assert!(e.contains("field 4 (timestamp)"), "{e}");
        let e = perr("1\t1\t3\t4\n2\t1\t3\t4\n1\t1\t4\t5\n");
        assert!(e.contains("u.data:3:") && e.contains("second time"), "{e}");
        assert!(perr("\n\n").contains("no ratings"));
    }

    #[test]
    fn malformed_user_and_item_lines() {
        let p = Path::new("u.user");
        let e = parse_u_user("1|24|M|x|1\n3|2|F|y|2\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("u.user:2:") && e.contains("must be 2"), "{e}");
        let e = parse_u_user("1|old|M|x|1\n", p).unwrap_err().to_string();
        assert!(e.contains("field 2 (age) = 'old'"), "{e}");
        let e = parse_u_item("1|a|b|c|d|0\n", Path::new("u.item"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("u.item:1:") && e.contains("24"), "{e}");
    }

    #[test]
    fn missing_folder_says_what_to_do() {
        let dir = tmp("missing");
        let e = load_dir(&dir).unwrap_err().to_string();
        assert!(
            e.contains("u.data") && e.contains("data fetch movielens-100k"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rating_matrix_validates() {
        let r = |u, i, v| Rating {
            user: u,
            item: i,
            value: v,
        };
        assert!(RatingMatrix::new(2, 2, vec![r(0, 0, 1.0), r(1, 1, 2.0)]).is_ok());
        assert!(RatingMatrix::new(2, 2, vec![r(2, 0, 1.0)]).is_err());
        assert!(RatingMatrix::new(2, 2, vec![r(0, 2, 1.0)]).is_err());
        assert!(RatingMatrix::new(2, 2, vec![r(0, 0, f64::NAN)]).is_err());
        assert!(RatingMatrix::new(2, 2, vec![r(0, 0, 1.0), r(0, 0, 2.0)]).is_err());
        let m = RatingMatrix::new(2, 3, vec![r(1, 2, 1.0)]).unwrap();
        assert_eq!(
            m.observed_mask(),
            vec![false, false, false, false, false, true]
        );
    }

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// Needs the real data: set MARKETLOOP_ML100K to the ml-100k folder, or have it fetched in
    /// the default cache.
    #[test]
    #[ignore = "needs MovieLens-100K (marketloop data fetch movielens-100k)"]
    fn real_movielens_has_the_published_shape() {
        let dir = crate::real_data_dir().expect("MovieLens-100K not found");
        let m = load_dir(&dir).unwrap();
        assert!(m.is_verified());
        assert_eq!(m.ratings.n_users(), ML100K_USERS);
        assert_eq!(m.ratings.n_items(), ML100K_ITEMS);
        assert_eq!(m.ratings.ratings().len(), ML100K_RATINGS);
    }
}
