//! Words that name the same thing (`data/equivalents.txt`): dialect and common names (红苕 =
//! 红薯, 海椒 = 辣椒, 洋芋 = 马铃薯), variant and traditional spellings (柑桔 = 柑橘, 農藥 =
//! 农药). Matching adds a subject's equivalents to its terms, so a need written in the
//! farmer's words reaches services written in the trade's. Only the query side changes: the
//! index is built as before.

const EQUIVALENTS: &str = include_str!("../data/equivalents.txt");

/// The groups of equivalent words.
#[derive(Debug, Clone)]
pub struct Equivalents {
    groups: Vec<Vec<String>>,
}

impl Default for Equivalents {
    fn default() -> Self {
        Self::parse(EQUIVALENTS)
    }
}

impl Equivalents {
    /// One group per line (words separated by white space); `#` starts a comment; a line of
    /// fewer than two words says nothing and is skipped.
    pub fn parse(text: &str) -> Self {
        let groups = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default())
            .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .filter(|g| g.len() >= 2)
            .collect();
        Self { groups }
    }

    /// The words equivalent to those `text` mentions, each with the group's other words, in
    /// the order of the list. A word of two or more characters is found anywhere in the text
    /// (jieba may cut a dialect word apart); a single character only as one of `tokens`, since
    /// inside other words it usually means something else (羊 in 羊肚菌).
    pub fn expand(&self, text: &str, tokens: &[String]) -> Vec<&str> {
        self.expand_pairs(text, tokens)
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }

    /// [`Equivalents::expand`] with, beside each equivalent, the word of `text` it stands for
    /// (for the reason shown beside a suggestion: 红苕≈红薯).
    pub fn expand_pairs(&self, text: &str, tokens: &[String]) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = Vec::new();
        for group in &self.groups {
            let Some(mentioned) = group.iter().find(|w| {
                if w.chars().count() >= 2 {
                    text.contains(w.as_str())
                } else {
                    tokens.iter().any(|t| t == *w)
                }
            }) else {
                continue;
            };
            for w in group {
                if !text.contains(w.as_str()) && !out.iter().any(|(_, o)| *o == w.as_str()) {
                    out.push((mentioned.as_str(), w.as_str()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_parses_and_every_group_has_two_words() {
        let e = Equivalents::default();
        assert!(e.groups.len() > 50, "{} groups", e.groups.len());
        assert!(e.groups.iter().all(|g| g.len() >= 2));
    }

    #[test]
    fn dialect_and_variant_words_expand_to_the_common_ones() {
        let e = Equivalents::default();
        let got = e.expand("红苕叶子发黄咋个办", &[]);
        assert!(got.contains(&"红薯"), "{got:?}");
        let got = e.expand("柑桔树叶子黄了", &[]);
        assert!(got.contains(&"柑橘"), "{got:?}");
        let got = e.expand("打了好多農藥", &[]);
        assert!(got.contains(&"农药"), "{got:?}");
        // Words already in the text are not added again.
        assert!(!e.expand("红薯和红苕", &[]).contains(&"红苕"));
        let pairs = e.expand_pairs("红苕叶子发黄咋个办", &[]);
        assert!(pairs.contains(&("红苕", "红薯")), "{pairs:?}");
    }

    #[test]
    fn a_single_character_counts_only_as_a_word_of_its_own() {
        let e = Equivalents::parse("山羊 羊 黑山羊\n");
        assert!(e.expand("羊肚菌栽培技术", &["羊肚菌".into()]).is_empty());
        let got = e.expand("养了几只羊", &["养".into(), "羊".into()]);
        assert!(got.contains(&"山羊"), "{got:?}");
    }
}
