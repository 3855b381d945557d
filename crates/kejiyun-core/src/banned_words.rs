//! The banned-word (敏感词) check applied to text before it is submitted for publication.

use crate::DomainError;

/// A default list shipped with the platform; deployments add their own in the config file.
const DEFAULT_WORDS: &str = include_str!("banned_words.txt");

#[derive(Debug, Clone)]
pub struct BannedWords {
    words: Vec<String>,
}

impl Default for BannedWords {
    fn default() -> Self {
        Self::new(std::iter::empty::<String>())
    }
}

impl BannedWords {
    /// The default list plus `extra` words (blank lines and `#` comments ignored).
    pub fn new(extra: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        let mut words: Vec<String> = DEFAULT_WORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect();
        words.extend(
            extra
                .into_iter()
                .map(|w| w.as_ref().trim().to_lowercase())
                .filter(|w| !w.is_empty()),
        );
        words.sort();
        words.dedup();
        Self { words }
    }

    /// The banned words found in `text` (case-insensitive, ignoring spaces between characters).
    pub fn find(&self, text: &str) -> Vec<String> {
        let squashed: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        self.words
            .iter()
            .filter(|w| squashed.contains(w.as_str()))
            .cloned()
            .collect()
    }

    /// Refuses text with banned words, naming them so the author can fix the text.
    pub fn check(&self, field: &'static str, texts: &[&str]) -> Result<(), DomainError> {
        let mut found: Vec<String> = texts.iter().flat_map(|t| self.find(t)).collect();
        found.sort();
        found.dedup();
        if found.is_empty() {
            Ok(())
        } else {
            Err(DomainError::invalid(
                field,
                format!("内容包含敏感词：{}，请修改后再提交", found.join("、")),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_despite_spaces_and_case() {
        let b = BannedWords::new(["TestBad"]);
        assert_eq!(b.find("提供代 开发票服务"), vec!["代开发票".to_owned()]);
        assert_eq!(b.find("this is testbad"), vec!["testbad".to_owned()]);
        assert!(b.find("柑橘黄龙病防治技术").is_empty());
        assert!(b.check("description", &["网络赌博推广"]).is_err());
        assert!(b.check("description", &["生猪养殖技术服务"]).is_ok());
    }
}
