//! The trial-offer market's preference matrices from a completed preference matrix Γ, its
//! observed mask and a grouping of the users into m types (paper Section 5):
//!
//! - visibility `v̂_ij` = mean of group i's *observed* preferences γ_kj (eq. 18);
//! - quality `q_ij` = mean of group i's *unobserved* (estimated) preferences (eq. 19 as
//!   corrected in the spec: the text and the authors' code use the unobserved set);
//! - weights `w_i = |U_i| / (number of users)`.
//!
//! Where a group has no entry of the needed kind, the [`FillRule`] decides: the all-users mean of
//! the same kind (the authors' choice, [`FillRule::AllUsers`]), zero, or an error.
//!
//! [`Variant::Unseen`] (Appendix E): users only choose movies they have not seen, so where every
//! member of group i has rated item j, `v̂_ij = q_ij = 0` (the item is never tried by that type).

use crate::DataError;
use serde::{Deserialize, Serialize};

/// What to put where a group has no preference of the needed kind for an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FillRule {
    /// The mean over all users of the same kind (observed for v̂, unobserved for q): the
    /// authors' rule. An error if no user at all has such an entry for the item.
    #[default]
    AllUsers,
    /// Zero.
    Zero,
    /// An error naming the group and the item.
    Error,
}

/// Which items a user type may choose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Every item (paper Section 5, Figure 2).
    #[default]
    All,
    /// Only items not seen by every member of the group (Appendix E, Figure 5).
    Unseen,
}

/// Settings of [`group_preferences`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PreferenceConfig {
    /// The fill rule for missing group entries.
    pub fill: FillRule,
    /// All items, or unseen items only.
    pub variant: Variant,
}

/// Preference matrices of m user types over n items, row-major (type i, item j at i * n + j).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    /// Number of user types m.
    pub n_types: usize,
    /// Number of items n.
    pub n_items: usize,
    /// Population weight of each type (sums to 1).
    pub weights: Vec<f64>,
    /// v̂, m x n.
    pub visibility: Vec<f64>,
    /// q, m x n.
    pub quality: Vec<f64>,
    /// Cells of v̂ set by the fill rule.
    pub filled_visibility: usize,
    /// Cells of q set by the fill rule.
    pub filled_quality: usize,
    /// Cells zeroed by [`Variant::Unseen`].
    pub masked: usize,
}

impl Preferences {
    /// Mean of each item's column of a row-major m x n matrix (e.g. `self.visibility`).
    pub fn column_means(&self, values: &[f64]) -> Vec<f64> {
        let (m, n) = (self.n_types, self.n_items);
        (0..n)
            .map(|j| (0..m).map(|i| values[i * n + j]).sum::<f64>() / m.max(1) as f64)
            .collect()
    }
}

/// Builds the preference matrices.
///
/// `gamma` and `observed` are users x items row-major (`n_users` x `n_items`); `labels[u]` is the
/// type of user u, in `0..n_types`. Errors when the sizes disagree, a label is out of range, a
/// type has no user, a preference is not finite, or the fill rule cannot fill a cell.
pub fn group_preferences(
    gamma: &[f64],
    observed: &[bool],
    n_users: usize,
    n_items: usize,
    labels: &[usize],
    n_types: usize,
    config: PreferenceConfig,
) -> Result<Preferences, DataError> {
    let bad = |m: String| Err(DataError::Parameter(m));
    let cells = n_users.checked_mul(n_items);
    if cells != Some(gamma.len()) || cells != Some(observed.len()) {
        return bad(format!(
            "preferences: Γ has {} entries and the mask {}, not {n_users} users x {n_items} items",
            gamma.len(),
            observed.len()
        ));
    }
    if labels.len() != n_users {
        return bad(format!(
            "preferences: {} group labels for {n_users} users",
            labels.len()
        ));
    }
    if n_types == 0 || n_users == 0 || n_items == 0 {
        return bad(format!(
            "preferences: {n_types} types, {n_users} users, {n_items} items: each must be at least 1"
        ));
    }
    if let Some((u, &l)) = labels.iter().enumerate().find(|(_, &l)| l >= n_types) {
        return bad(format!(
            "preferences: user {u} has type {l}, which must lie in [0, {n_types})"
        ));
    }
    if let Some(k) = gamma.iter().position(|x| !x.is_finite()) {
        return bad(format!(
            "preferences: γ for user {} item {} = {} must be finite",
            k / n_items,
            k % n_items,
            gamma[k]
        ));
    }
    let mut size = vec![0usize; n_types];
    for &l in labels {
        size[l] += 1;
    }
    if let Some(g) = size.iter().position(|&s| s == 0) {
        return bad(format!(
            "preferences: type {g} has no user; every one of the {n_types} types needs at least one"
        ));
    }
    // Sums and counts of observed and unobserved preferences, per type and over all users.
    let (m, n) = (n_types, n_items);
    let mut s_obs = vec![0.0; m * n];
    let mut c_obs = vec![0u32; m * n];
    let mut s_un = vec![0.0; m * n];
    let mut c_un = vec![0u32; m * n];
    for u in 0..n_users {
        let g = labels[u];
        let row = &gamma[u * n..(u + 1) * n];
        let mask = &observed[u * n..(u + 1) * n];
        for j in 0..n {
            let k = g * n + j;
            if mask[j] {
                s_obs[k] += row[j];
                c_obs[k] += 1;
            } else {
                s_un[k] += row[j];
                c_un[k] += 1;
            }
        }
    }
    let all = |s: &[f64], c: &[u32], j: usize| -> Option<f64> {
        let (mut sum, mut cnt) = (0.0, 0u64);
        for g in 0..m {
            sum += s[g * n + j];
            cnt += u64::from(c[g * n + j]);
        }
        (cnt > 0).then(|| sum / cnt as f64)
    };
    let all_obs: Vec<Option<f64>> = (0..n).map(|j| all(&s_obs, &c_obs, j)).collect();
    let all_un: Vec<Option<f64>> = (0..n).map(|j| all(&s_un, &c_un, j)).collect();
    let mut out = Preferences {
        n_types: m,
        n_items: n,
        weights: size.iter().map(|&s| s as f64 / n_users as f64).collect(),
        visibility: vec![0.0; m * n],
        quality: vec![0.0; m * n],
        filled_visibility: 0,
        filled_quality: 0,
        masked: 0,
    };
    let fill = |kind: &str, g: usize, j: usize, all: Option<f64>| -> Result<f64, DataError> {
        match config.fill {
            FillRule::Zero => Ok(0.0),
            FillRule::AllUsers => all.ok_or_else(|| {
                DataError::Parameter(format!(
                    "preferences: item {j} has no {kind} preference among all users, so the \
                     all-users fill for type {g} is undefined; use the zero fill rule"
                ))
            }),
            FillRule::Error => Err(DataError::Parameter(format!(
                "preferences: type {g} has no {kind} preference for item {j} (fill rule: error)"
            ))),
        }
    };
    for g in 0..m {
        for j in 0..n {
            let k = g * n + j;
            if config.variant == Variant::Unseen && c_un[k] == 0 {
                // Every member has seen the item: this type never tries it.
                out.masked += 1;
                continue;
            }
            out.visibility[k] = if c_obs[k] > 0 {
                s_obs[k] / f64::from(c_obs[k])
            } else {
                out.filled_visibility += 1;
                fill("observed", g, j, all_obs[j])?
            };
            out.quality[k] = if c_un[k] > 0 {
                s_un[k] / f64::from(c_un[k])
            } else {
                out.filled_quality += 1;
                fill("unobserved", g, j, all_un[j])?
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 4 users x 3 items; users 0, 1 form type 0 and users 2, 3 type 1.
    //            item 0     item 1     item 2
    // user 0   0.2 obs    0.4 est    0.6 obs
    // user 1   0.4 obs    0.8 est    1.0 obs
    // user 2   0.6 est    1.0 obs    0.8 obs
    // user 3   1.0 est    0.6 est    0.4 est
    fn toy() -> (Vec<f64>, Vec<bool>) {
        let g = vec![0.2, 0.4, 0.6, 0.4, 0.8, 1.0, 0.6, 1.0, 0.8, 1.0, 0.6, 0.4];
        let o = vec![
            true, false, true, true, false, true, false, true, true, false, false, false,
        ];
        (g, o)
    }

    fn cfg(fill: FillRule, variant: Variant) -> PreferenceConfig {
        PreferenceConfig { fill, variant }
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    fn run(labels: &[usize], m: usize, c: PreferenceConfig) -> Result<Preferences, DataError> {
        let (g, o) = toy();
        group_preferences(&g, &o, 4, 3, labels, m, c)
    }

    #[test]
    fn group_means_with_the_all_users_fill() {
        let p = run(&[0, 0, 1, 1], 2, PreferenceConfig::default()).unwrap();
        assert_eq!(p.weights, vec![0.5, 0.5]);
        // Type 0 never observed item 1: v̂ takes the all-users observed mean 1.0; it has no
        // unobserved entry for items 0 and 2: q takes the all-users unobserved means 0.8, 0.4.
        assert!(
            close(&p.visibility, &[0.3, 1.0, 0.8, 0.3, 1.0, 0.8]),
            "{:?}",
            p.visibility
        );
        assert!(
            close(&p.quality, &[0.8, 0.6, 0.4, 0.8, 0.6, 0.4]),
            "{:?}",
            p.quality
        );
        assert_eq!((p.filled_visibility, p.filled_quality, p.masked), (2, 2, 0));
        assert!(close(&p.column_means(&p.visibility), &[0.3, 1.0, 0.8]));
    }

    #[test]
    fn zero_and_error_fill_rules() {
        let p = run(&[0, 0, 1, 1], 2, cfg(FillRule::Zero, Variant::All)).unwrap();
        assert!(close(&p.visibility, &[0.3, 0.0, 0.8, 0.0, 1.0, 0.8]));
        assert!(close(&p.quality, &[0.0, 0.6, 0.0, 0.8, 0.6, 0.4]));
        let e = run(&[0, 0, 1, 1], 2, cfg(FillRule::Error, Variant::All))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("type 0 has no unobserved preference for item 0"),
            "{e}"
        );
        // No user at all has an unobserved entry for item 2: the all-users fill is undefined.
        let (g, mut o) = toy();
        o[11] = true;
        let e = group_preferences(&g, &o, 4, 3, &[0, 0, 1, 1], 2, PreferenceConfig::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("item 2 has no unobserved preference among all users"),
            "{e}"
        );
    }

    #[test]
    fn unseen_variant_masks_items_every_member_rated() {
        let p = run(&[0, 0, 1, 1], 2, cfg(FillRule::AllUsers, Variant::Unseen)).unwrap();
        // Both members of type 0 rated items 0 and 2: never tried by type 0.
        assert!(
            close(&p.visibility, &[0.0, 1.0, 0.0, 0.3, 1.0, 0.8]),
            "{:?}",
            p.visibility
        );
        assert!(
            close(&p.quality, &[0.0, 0.6, 0.0, 0.8, 0.6, 0.4]),
            "{:?}",
            p.quality
        );
        assert_eq!((p.filled_visibility, p.filled_quality, p.masked), (2, 0, 2));
        // With the error rule, masked cells need no fill; the visibility fill still errors.
        let e = run(&[0, 0, 1, 1], 2, cfg(FillRule::Error, Variant::Unseen))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("type 0 has no observed preference for item 1"),
            "{e}"
        );
    }

    #[test]
    fn homogeneous_market_is_the_all_users_means() {
        let p = run(&[0, 0, 0, 0], 1, PreferenceConfig::default()).unwrap();
        assert_eq!(p.weights, vec![1.0]);
        assert!(close(&p.visibility, &[0.3, 1.0, 0.8]));
        assert!(close(&p.quality, &[0.8, 0.6, 0.4]));
        let p = run(&[0, 0, 0, 1], 2, PreferenceConfig::default()).unwrap();
        assert_eq!(p.weights, vec![0.75, 0.25]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let e = run(&[0, 0, 2, 2], 3, PreferenceConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("type 1 has no user"), "{e}");
        let e = run(&[0, 0, 5, 1], 2, PreferenceConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("user 2 has type 5"), "{e}");
        assert!(run(&[0, 0, 1], 2, PreferenceConfig::default()).is_err());
        let (mut g, o) = toy();
        g[4] = f64::NAN;
        let e = group_preferences(&g, &o, 4, 3, &[0; 4], 1, PreferenceConfig::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("user 1 item 1 = NaN"), "{e}");
        assert!(
            group_preferences(&g[..6], &o, 4, 3, &[0; 4], 1, PreferenceConfig::default()).is_err()
        );
    }
}
