//! Chinese text analysis: jieba segmentation (with the domain word list), lower-cased ASCII,
//! punctuation and stop words dropped. The same [`Analyzer`] tokenizes documents (search mode:
//! words and their dictionary sub-words) and queries (precise mode), so a query's terms are
//! always among the terms indexed for the same text.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

use jieba_rs::Jieba;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

const DOMAIN_WORDS: &str = include_str!("../data/domain_words.txt");

/// Words too common to say anything about a posting (they only slow long queries down).
const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "或", "是", "在", "有", "我", "我们", "你", "您", "他", "她",
    "它", "为", "对", "把", "被", "也", "都", "就", "而", "等", "个", "这", "那", "之", "以", "于",
    "其", "要", "需要", "能", "可以", "进行", "一个", "一些", "提供", "相关", "希望", "如何",
    "什么", "哪些", "以及", "通过", "并", "且", "将", "从", "到", "让", "请", "a", "an", "the",
    "of", "and", "or", "to", "in", "for", "on",
];

/// Shared, immutable segmentation state (the dictionary is large: one copy per process).
#[derive(Clone)]
pub struct Analyzer {
    jieba: Arc<Jieba>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    pub fn new() -> Self {
        let mut jieba = Jieba::new();
        for line in DOMAIN_WORDS.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            if let Some(word) = parts.next() {
                let freq = parts.next().and_then(|f| f.parse().ok());
                jieba.add_word(word, freq, None);
            }
        }
        Self {
            jieba: Arc::new(jieba),
        }
    }

    /// Index-time tokens: `(byte_from, byte_to, term)`, in search mode (long words also yield
    /// their dictionary sub-words, so a query for 猪瘟 finds 非洲猪瘟).
    pub fn index_tokens(&self, text: &str) -> Vec<(usize, usize, String)> {
        self.jieba
            .cut_for_search(text, true)
            .into_iter()
            .filter_map(|t| normalize(t.word).map(|w| (t.byte_start, t.byte_end, w)))
            .collect()
    }

    /// Query terms, precise mode, de-duplicated in order of first appearance.
    pub fn query_terms(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in self.jieba.cut(text, true) {
            if let Some(w) = normalize(t.word)
                && !out.contains(&w)
            {
                out.push(w);
            }
        }
        out
    }

    /// The tantivy tokenizer for text fields.
    pub fn tokenizer(&self) -> JiebaTokenizer {
        JiebaTokenizer {
            analyzer: self.clone(),
            tokens: Vec::new(),
        }
    }
}

/// Lower-cases a word, and drops whitespace, punctuation, symbols (emoji) and stop words.
fn normalize(word: &str) -> Option<String> {
    let w = word.trim();
    if w.is_empty() || !w.chars().any(char::is_alphanumeric) {
        return None;
    }
    let lower: String = w
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '+' | '#' | '.' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    if lower.is_empty() || STOP_WORDS.contains(&lower.as_str()) {
        return None;
    }
    Some(lower)
}

/// Whether a term is a single Chinese character (searched in the per-character title field).
pub fn is_single_han(term: &str) -> bool {
    let mut chars = term.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_han(c))
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}')
}

/// How many recently segmented texts each thread remembers (a record's title, tags and body).
const RECENT_TEXTS: usize = 8;

thread_local! {
    /// Each title and body is indexed in two fields (its role's and the search box's), which
    /// tantivy tokenizes one after the other: the second time is a copy, not a jieba pass.
    static RECENT: RefCell<VecDeque<(String, Vec<Token>)>> =
        RefCell::new(VecDeque::with_capacity(RECENT_TEXTS));
}

#[derive(Clone)]
pub struct JiebaTokenizer {
    analyzer: Analyzer,
    tokens: Vec<Token>,
}

pub struct VecTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
    /// Answered by `token()` before the first `advance()` (tantivy never asks, but must not panic).
    none: Token,
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        self.next
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .unwrap_or(&self.none)
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.none,
        }
    }
}

fn fill(tokens: &mut Vec<Token>, parts: impl Iterator<Item = (usize, usize, String)>) {
    tokens.clear();
    for (position, (from, to, text)) in parts.enumerate() {
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text,
            position_length: 1,
        });
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        let copied = RECENT.with_borrow(|recent| {
            recent
                .iter()
                .find(|(t, _)| t == text)
                .map(|(_, tokens)| self.tokens.clone_from(tokens))
                .is_some()
        });
        if !copied {
            let parts = self.analyzer.index_tokens(text);
            fill(&mut self.tokens, parts.into_iter());
            RECENT.with_borrow_mut(|recent| {
                if recent.len() == RECENT_TEXTS {
                    recent.pop_front();
                }
                recent.push_back((text.to_owned(), self.tokens.clone()));
            });
        }
        VecTokenStream {
            tokens: &mut self.tokens,
            next: 0,
            none: Token::default(),
        }
    }
}

/// One token per Chinese character, and lower-cased runs of ASCII letters/digits: lets a
/// one-character query (果, 猪) find titles whose words contain it.
#[derive(Clone, Default)]
pub struct CharTokenizer {
    tokens: Vec<Token>,
}

pub fn char_tokens(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphanumeric() {
            run.get_or_insert(i);
            continue;
        }
        if let Some(start) = run.take() {
            out.push((start, i, text[start..i].to_ascii_lowercase()));
        }
        if is_han(c) {
            out.push((i, i + c.len_utf8(), c.to_string()));
        }
    }
    if let Some(start) = run {
        out.push((start, text.len(), text[start..].to_ascii_lowercase()));
    }
    out
}

impl Tokenizer for CharTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream<'a> {
        fill(&mut self.tokens, char_tokens(text).into_iter());
        VecTokenStream {
            tokens: &mut self.tokens,
            next: 0,
            none: Token::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_words_stay_whole() {
        let a = Analyzer::new();
        let terms = a.query_terms("柑橘黄龙病防治技术");
        assert!(terms.contains(&"黄龙病".to_owned()), "{terms:?}");
        assert!(terms.contains(&"柑橘".to_owned()), "{terms:?}");
    }

    #[test]
    fn mixed_ascii_is_lowercased_and_kept() {
        let a = Analyzer::new();
        let terms = a.query_terms("5G基站 GMP认证");
        assert!(terms.contains(&"5g".to_owned()), "{terms:?}");
        assert!(terms.contains(&"gmp".to_owned()), "{terms:?}");
    }

    #[test]
    fn punctuation_emoji_and_stop_words_are_dropped() {
        let a = Analyzer::new();
        assert!(a.query_terms("  \"（）！？😀😀 的 了").is_empty());
        assert!(a.query_terms("").is_empty());
    }

    #[test]
    fn query_terms_are_indexed_terms() {
        let a = Analyzer::new();
        let text = "需要非洲猪瘟防控技术指导，养殖场在邻水县";
        let indexed: Vec<String> = a.index_tokens(text).into_iter().map(|t| t.2).collect();
        for t in a.query_terms(text) {
            assert!(indexed.contains(&t), "{t} not indexed in {indexed:?}");
        }
        assert!(
            indexed.contains(&"猪瘟".to_owned()),
            "sub-words: {indexed:?}"
        );
    }

    #[test]
    fn offsets_are_byte_offsets() {
        let a = Analyzer::new();
        let text = "柑橘 GMP";
        for (from, to, _) in a.index_tokens(text) {
            assert!(text.get(from..to).is_some());
        }
        let chars = char_tokens("果树GMP认证5");
        let words: Vec<_> = chars.iter().map(|t| t.2.as_str()).collect();
        assert_eq!(words, ["果", "树", "gmp", "认", "证", "5"]);
        assert!(is_single_han("果") && !is_single_han("果树") && !is_single_han("g"));
    }

    #[test]
    fn long_and_hostile_input_is_fine() {
        let a = Analyzer::new();
        let long = "柑橘".repeat(5000);
        assert_eq!(a.query_terms(&long), ["柑橘"]);
        let weird = "\"unbalanced (( AND OR NOT *:? \u{0}\u{202e}";
        let _ = a.query_terms(weird);
    }
}
