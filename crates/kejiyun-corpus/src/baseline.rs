//! The committed scores (`data/baseline.toml`) the CI smoke run must not fall below.

use serde::Deserialize;

const BUILTIN: &str = include_str!("../data/baseline.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Corpus the scores were measured on.
    pub size: u64,
    pub seed: u64,
    /// How far below a committed score a run may fall before the smoke test fails.
    pub tolerance: f64,
    pub ranker: Vec<RankerScores>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RankerScores {
    /// As `Ranker::name` reports it.
    pub name: String,
    pub ndcg10: f64,
    pub recall10: f64,
}

impl Baseline {
    pub fn builtin() -> Result<Self, String> {
        toml::from_str(BUILTIN).map_err(|e| format!("baseline.toml: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_parses() {
        let b = Baseline::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(b.tolerance > 0.0 && b.tolerance < 0.05);
        assert!(b.ranker.iter().any(|r| r.name == "BM25 baseline"));
    }
}
