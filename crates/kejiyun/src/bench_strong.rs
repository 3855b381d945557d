//! How far "strong" matches can be trusted: a strong match notifies both owners, so it should
//! be one that solves the need. On the realistic set, for every need's top 10 as served: how
//! many suggestions are strong and how many of those solve the need (grade 2) or help (grade
//! ≥ 1); then the same for the semantic rule alone (same category and int8 cosine ≥ t) over a
//! range of thresholds, which is how `kejiyun_search::matcher::STRONG_COSINE` was chosen.

use kejiyun_corpus::realistic::{K, RealisticSet};

use crate::bench_realistic::KejiyunDocRanker;

/// Cosine thresholds tried for the semantic rule.
const THRESHOLDS: [f32; 7] = [0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92];

/// One rule's flagged suggestions and their precision.
#[derive(Debug, Clone, PartialEq)]
pub struct StrongRow {
    pub rule: String,
    /// Suggestions flagged strong (in the needs' top 10).
    pub flagged: usize,
    /// Needs with at least one.
    pub needs: usize,
    /// Shares of the flagged ones with grade 2, and with grade ≥ 1.
    pub solves: f64,
    pub helps: f64,
}

#[derive(Default)]
struct Tally {
    flagged: usize,
    needs: usize,
    solves: usize,
    helps: usize,
}

impl Tally {
    fn add(&mut self, grades: &[u8]) {
        self.flagged += grades.len();
        self.needs += usize::from(!grades.is_empty());
        self.solves += grades.iter().filter(|g| **g >= 2).count();
        self.helps += grades.iter().filter(|g| **g >= 1).count();
    }

    fn row(&self, rule: String) -> StrongRow {
        let share = |n: usize| {
            if self.flagged == 0 {
                0.0
            } else {
                n as f64 / self.flagged as f64
            }
        };
        StrongRow {
            rule,
            flagged: self.flagged,
            needs: self.needs,
            solves: share(self.solves),
            helps: share(self.helps),
        }
    }
}

/// The rows for `served` (Kejiyun's matching with vectors) over `set`.
pub fn strong_table(
    set: &RealisticSet,
    served: &KejiyunDocRanker,
) -> anyhow::Result<Vec<StrongRow>> {
    let mut as_served = Tally::default();
    let mut words_alone = Tally::default();
    let mut by_threshold: Vec<Tally> = THRESHOLDS.iter().map(|_| Tally::default()).collect();
    for (n, need) in set.needs.iter().enumerate() {
        let found = served
            .matches(need, K)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let mut strong = Vec::new();
        let mut by_words = Vec::new();
        let mut candidates = Vec::new();
        for m in &found {
            let Some(doc) = usize::try_from(m.id).ok().and_then(|i| i.checked_sub(1)) else {
                continue;
            };
            let grade = set.grade(n, doc);
            let same_category = m.category.is_some() && m.category == need.category();
            let cos = served.cosine(need, doc);
            if m.strong {
                strong.push(grade);
                let by_meaning = same_category
                    && cos.is_some_and(|c| c >= kejiyun_search::matcher::STRONG_COSINE);
                if !by_meaning {
                    by_words.push(grade);
                }
            }
            if let (true, Some(cos)) = (same_category, cos) {
                candidates.push((cos, grade));
            }
        }
        as_served.add(&strong);
        words_alone.add(&by_words);
        for (t, tally) in THRESHOLDS.iter().zip(&mut by_threshold) {
            let grades: Vec<u8> = candidates
                .iter()
                .filter(|(cos, _)| cos >= t)
                .map(|(_, g)| *g)
                .collect();
            tally.add(&grades);
        }
    }
    let mut rows = vec![as_served.row(format!(
        "as served (words, or same category and cosine ≥ {:.2})",
        kejiyun_search::matcher::STRONG_COSINE
    ))];
    rows.push(words_alone.row("strong by the words rule alone (not by meaning)".into()));
    for (t, tally) in THRESHOLDS.iter().zip(&by_threshold) {
        rows.push(tally.row(format!("same category and cosine ≥ {t:.2}")));
    }
    Ok(rows)
}

/// The table, or nothing when the embedding rankers did not run.
pub fn markdown(rows: &[StrongRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "\nStrong matches (they notify both owners), in the needs' top 10 as served:\n\n\
         | rule | strong | needs with one | share grade 2 | share grade ≥ 1 |\n\
         | --- | ---: | ---: | ---: | ---: |\n",
    );
    for r in rows {
        s.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.3} |\n",
            r.rule, r.flagged, r.needs, r.solves, r.helps
        ));
    }
    s
}
