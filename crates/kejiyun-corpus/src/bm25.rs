//! The plain BM25 baseline: an in-memory inverted index over jieba `cut_for_search` tokens of
//! title + body. k1 = 1.2, b = 0.75; no field boosts, no synonyms, no region or scope filters.
//! Matching a need is the same query over title + body, restricted to the kinds a need is
//! matched with.

use std::collections::HashMap;

use jieba_rs::Jieba;

use crate::eval::{Ranker, RankerError};
use crate::relevance::NeedQuery;
use crate::{Kind, Posting, PostingId};

const K1: f32 = 1.2;
const B: f32 = 0.75;

#[derive(Default)]
struct TermPostings {
    docs: Vec<u32>,
    tfs: Vec<u16>,
}

pub struct Bm25 {
    jieba: Jieba,
    terms: HashMap<String, u32>,
    postings: Vec<TermPostings>,
    ids: Vec<PostingId>,
    kinds: Vec<Kind>,
    lens: Vec<u32>,
    total_len: u64,
}

impl Default for Bm25 {
    fn default() -> Self {
        Self::new()
    }
}

impl Bm25 {
    pub fn new() -> Self {
        Self {
            jieba: Jieba::new(),
            terms: HashMap::new(),
            postings: Vec::new(),
            ids: Vec::new(),
            kinds: Vec::new(),
            lens: Vec::new(),
            total_len: 0,
        }
    }

    /// Tokens as indexed and queried: jieba's search-mode cut, ASCII lower-cased, tokens
    /// without a letter or digit (spaces, punctuation) dropped.
    fn tokens(&self, text: &str, mut each: impl FnMut(&str)) {
        for t in self.jieba.cut_for_search(text, true) {
            if !t.word.chars().any(char::is_alphanumeric) {
                continue;
            }
            if t.word.bytes().any(|b| b.is_ascii_uppercase()) {
                each(&t.word.to_ascii_lowercase());
            } else {
                each(t.word);
            }
        }
    }

    fn query_terms(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        self.tokens(text, |w| {
            if let Some(&id) = self.terms.get(w) {
                ids.push(id);
            }
        });
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    fn top(&self, text: &str, k: usize, keep: impl Fn(Kind) -> bool) -> Vec<PostingId> {
        let n = self.ids.len();
        if n == 0 || k == 0 {
            return Vec::new();
        }
        let avgdl = self.total_len as f32 / n as f32;
        let mut scores = vec![0f32; n];
        let mut touched = Vec::new();
        for term in self.query_terms(text) {
            let p = &self.postings[term as usize];
            let df = p.docs.len() as f32;
            let idf = (1.0 + (n as f32 - df + 0.5) / (df + 0.5)).ln();
            for (&d, &tf) in p.docs.iter().zip(&p.tfs) {
                let d = d as usize;
                let tf = f32::from(tf);
                let norm = K1 * (1.0 - B + B * self.lens[d] as f32 / avgdl);
                if scores[d] == 0.0 {
                    touched.push(d);
                }
                scores[d] += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        touched.retain(|&d| keep(self.kinds[d]));
        // Highest score first; ties by id so runs are repeatable.
        let order = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
        if touched.len() > k {
            touched.select_nth_unstable_by(k - 1, order);
            touched.truncate(k);
        }
        touched.sort_unstable_by(order);
        touched.into_iter().map(|d| self.ids[d]).collect()
    }
}

impl Ranker for Bm25 {
    fn name(&self) -> &str {
        "BM25 baseline"
    }

    fn index(&mut self, postings: &[Posting]) -> Result<(), RankerError> {
        let mut doc_terms: Vec<u32> = Vec::new();
        for p in postings {
            let doc = u32::try_from(self.ids.len())?;
            doc_terms.clear();
            let mut text = String::with_capacity(p.title.len() + p.body.len() + 1);
            text.push_str(&p.title);
            text.push('\n');
            text.push_str(&p.body);
            let mut words = Vec::new();
            self.tokens(&text, |w| words.push(w.to_owned()));
            for w in words {
                let next = u32::try_from(self.terms.len())?;
                let id = *self.terms.entry(w).or_insert(next);
                if id == next {
                    self.postings.push(TermPostings::default());
                }
                doc_terms.push(id);
            }
            self.lens.push(u32::try_from(doc_terms.len())?);
            self.total_len += doc_terms.len() as u64;
            doc_terms.sort_unstable();
            for run in doc_terms.chunk_by(|a, b| a == b) {
                let tp = &mut self.postings[run[0] as usize];
                tp.docs.push(doc);
                tp.tfs.push(u16::try_from(run.len()).unwrap_or(u16::MAX));
            }
            self.ids.push(p.id);
            self.kinds.push(p.kind);
        }
        Ok(())
    }

    fn search(&self, query: &str, k: usize) -> Result<Vec<PostingId>, RankerError> {
        Ok(self.top(query, k, |_| true))
    }

    fn match_need(&self, need: &NeedQuery, k: usize) -> Result<Vec<PostingId>, RankerError> {
        let text = format!("{}\n{}", need.title, need.body);
        Ok(self.top(&text, k, Kind::matches_needs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate;
    use crate::test_support::sichuan_counties;

    #[test]
    fn exact_title_query_ranks_its_posting_first() {
        let mut corpus: Vec<_> = generate(2_000, 21, &sichuan_counties())
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|l| l.posting)
            .collect();
        // Generated titles repeat by design; a hand-made one is unique.
        let mut own = corpus[0].clone();
        own.id = PostingId(2_001);
        own.title = "柑橘黄龙病快速检测试剂盒 HLB-Kit 2024".into();
        corpus.push(own);
        let mut bm25 = Bm25::new();
        bm25.index(&corpus).unwrap_or_else(|e| panic!("{e}"));
        bm25.commit().unwrap_or_else(|e| panic!("{e}"));
        let top = bm25
            .search("柑橘黄龙病快速检测试剂盒 HLB-Kit 2024", 10)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(top.first(), Some(&PostingId(2_001)));
        assert_eq!(top.len(), 10);
        // Lower-cased like the index.
        let top = bm25.search("hlb-kit", 3).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(top.first(), Some(&PostingId(2_001)));
        let need = NeedQuery {
            title: corpus[0].title.clone(),
            body: corpus[0].body.clone(),
            region: corpus[0].region,
            category: corpus[0].category,
        };
        let matches = bm25.match_need(&need, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(matches.len(), 10);
        for id in matches {
            let kind = corpus[usize::try_from(id.0 - 1).unwrap_or(0)].kind;
            assert!(kind.matches_needs(), "{kind:?}");
        }
        assert!(
            bm25.search("", 10)
                .unwrap_or_else(|e| panic!("{e}"))
                .is_empty()
        );
        assert!(
            bm25.search("。，！", 10)
                .unwrap_or_else(|e| panic!("{e}"))
                .is_empty()
        );
    }
}
