//! `marketloop spec KIND`: prints an annotated example spec of an experiment kind (every field
//! with its allowed values), ready to edit: `marketloop spec market > m.toml`.

use crate::common::print_stdout;

/// The kinds `marketloop spec` knows, with their annotated example.
pub const SPECS: [(&str, &str); 5] = [
    ("market", include_str!("specs/market.toml")),
    ("compete", include_str!("specs/compete.toml")),
    ("arena", include_str!("specs/arena.toml")),
    ("bayes", include_str!("specs/bayes.toml")),
    ("sweep", include_str!("specs/sweep.toml")),
];

/// Arguments of `marketloop spec`.
#[derive(clap::Args, Debug)]
pub struct SpecArgs {
    /// market (also for market equilibrium and dynamics), compete, arena, bayes or sweep.
    #[arg(value_parser = ["market", "compete", "arena", "bayes", "sweep"])]
    pub kind: String,
}

/// Prints the example.
pub fn run(a: SpecArgs) -> anyhow::Result<()> {
    let text = SPECS
        .iter()
        .find(|(k, _)| *k == a.kind)
        .map(|(_, t)| *t)
        .ok_or_else(|| anyhow::anyhow!("spec kind {:?} is not known", a.kind))?;
    print_stdout(text)
}

#[cfg(test)]
mod tests {
    use super::SPECS;
    use marketloop_io::compete_spec::CompeteSpec;
    use marketloop_io::market_spec::ResolvedMarket;
    use marketloop_io::spec::{ArenaSpec, BayesSpec};
    use marketloop_io::sweep::SweepFile;
    use std::path::Path;

    #[test]
    fn every_example_spec_is_valid() {
        let p = Path::new("example.toml");
        for (kind, text) in SPECS {
            match kind {
                "market" => drop(ResolvedMarket::parse(text, p, Path::new(".")).unwrap()),
                "compete" => drop(CompeteSpec::from_toml(text, p).unwrap()),
                "arena" => {
                    let a = ArenaSpec::from_toml(text, p)
                        .and_then(|s| s.resolve(Path::new(".")))
                        .unwrap();
                    assert_eq!(a.arena.platform_names().len(), 3);
                }
                "bayes" => {
                    let b = BayesSpec::from_toml(text, p).unwrap();
                    assert_eq!(b.prior.prior().unwrap().k(), 3);
                }
                "sweep" => {
                    let f = SweepFile::parse(text, p).unwrap();
                    assert_eq!(f.sweep.cells().unwrap().len(), 2);
                }
                other => panic!("no check for {other}"),
            }
        }
    }
}
