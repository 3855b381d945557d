//! The seeded, streaming corpus generator. One ChaCha8 stream per (seed): posting *n* depends
//! only on the seed and the postings before it, so a 50k corpus is a prefix of the 1M one.

use kejiyun_core::market::categories::{Category, Scope};
use kejiyun_core::regions::RegionCode;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::catalogue::{Catalogue, Piece, Slot, Template, catalogue};
use crate::{Kind, Labeled, Labels, Posting, PostingId};

/// 2023-01-01 as days since the Unix epoch; postings are spread over three years from it.
const FIRST_DAY: i32 = 19_358;
const DAYS: i32 = 3 * 365 + 1;
const MIN_BODY: usize = 50;
const MAX_BODY: usize = 400;
/// Realistic mix: needs and services dominate a marketplace (per mille).
const KIND_MIX: [(Kind, u32); 5] = [
    (Kind::Need, 350),
    (Kind::Service, 300),
    (Kind::Achievement, 140),
    (Kind::TechWorker, 130),
    (Kind::Org, 80),
];
/// County / city / province / national reach of services (per mille).
const SCOPE_MIX: [(Scope, u32); 4] = [
    (Scope::County, 350),
    (Scope::City, 300),
    (Scope::Province, 250),
    (Scope::National, 100),
];
/// Share of postings written with synonyms in place of the core words: what a synonym-aware
/// engine finds and a literal one misses.
const SYNONYM_ONLY: f64 = 0.15;
/// Share of `{syn}` slots in other postings that take a synonym rather than a core word.
const SYNONYM_SLOT: f64 = 0.3;
/// Share of postings (of subtopics that have near misses) carrying a distractor sentence.
const DISTRACTOR: f64 = 0.25;
/// Provider ids are drawn from a fixed range (not from the size) so that a smaller corpus stays
/// a prefix of a larger one.
const PROVIDERS: u32 = 200_000;
/// Fixed, so a provider keeps its record whatever the corpus size.
const DEALS_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

/// Streams `size` postings; the same (`size`, `seed`, `regions`) always yields the same corpus.
pub struct Generator {
    cat: &'static Catalogue,
    rng: ChaCha8Rng,
    next: u64,
    size: u64,
    regions: Vec<RegionCode>,
    region_cdf: Vec<f64>,
    subtopic_cdf: Vec<f64>,
    background_cdf: Vec<f64>,
    categories: Vec<Category>,
    subtopic_category: Vec<Category>,
}

/// Starts a corpus of `size` postings from `seed`, placed in `regions` (the caller lists
/// Sichuan's counties or prefectures; earlier entries get more postings, Zipf-like).
pub fn generate(size: u64, seed: u64, regions: &[RegionCode]) -> Result<Generator, String> {
    let cat = catalogue()?;
    if regions.is_empty() {
        return Err("no regions to place postings in".into());
    }
    let subtopic_category = cat
        .subtopics
        .iter()
        .map(|s| Category::parse(&s.cat).map_err(|e| format!("{}: {e}", s.id)))
        .collect::<Result<_, _>>()?;
    Ok(Generator {
        cat,
        rng: ChaCha8Rng::seed_from_u64(seed),
        next: 0,
        size,
        regions: regions.to_vec(),
        region_cdf: zipf_cdf(regions.len(), 0.5),
        subtopic_cdf: zipf_cdf(cat.subtopics.len(), 0.3),
        background_cdf: zipf_cdf(cat.background.len(), 1.0),
        categories: Category::all().collect(),
        subtopic_category,
    })
}

/// Cumulative weights 1/(rank+1)^s, normalised to end at 1.
fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = (0..n)
        .map(|r| {
            acc += 1.0 / ((r + 1) as f64).powf(s);
            acc
        })
        .collect();
    for c in &mut cdf {
        *c /= acc;
    }
    cdf
}

fn pick_cdf(rng: &mut ChaCha8Rng, cdf: &[f64]) -> usize {
    let u: f64 = rng.random();
    cdf.partition_point(|c| *c < u).min(cdf.len() - 1)
}

fn pick_mix<T: Copy>(rng: &mut ChaCha8Rng, mix: &[(T, u32)]) -> T {
    let total: u32 = mix.iter().map(|m| m.1).sum();
    let mut u = rng.random_range(0..total);
    for &(v, w) in mix {
        if u < w {
            return v;
        }
        u -= w;
    }
    mix[mix.len() - 1].0
}

fn pick<'a>(rng: &mut ChaCha8Rng, words: &'a [String]) -> &'a str {
    &words[rng.random_range(0..words.len())]
}

/// The provider's confirmed deals: a fixed property of the provider, mostly zero.
fn deals_of(provider: u32, seed_mix: u64) -> u32 {
    const LADDER: [u32; 12] = [0, 0, 0, 0, 0, 1, 1, 2, 3, 5, 8, 13];
    // SplitMix64 finaliser: a cheap, well-spread hash.
    let mut z = u64::from(provider) ^ seed_mix;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    LADDER[(z % LADDER.len() as u64) as usize]
}

/// What one posting is written with.
struct Writing {
    sub: usize,
    synonym_only: bool,
}

/// How a body is written: its sentences, length in characters, the share of texts carrying a
/// near-miss sentence, the chance of background words after each sentence. Postings use
/// [`POSTING_BODY`]'s numbers; other texts (the routing set's questions) their own.
pub(crate) struct Style<'a> {
    pub sentences: &'a [Template],
    pub chars: (usize, usize),
    pub distractor: f64,
    pub filler: f64,
}

/// Postings' numbers (with the kind's sentences).
const POSTING_BODY: (usize, usize, f64, f64) = (MIN_BODY, MAX_BODY, DISTRACTOR, 0.7);

impl Generator {
    fn fill(&mut self, out: &mut String, template: &Template, w: &Writing) {
        let s = &self.cat.subtopics[w.sub];
        let mut rel_used = usize::MAX;
        for piece in template {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slot(slot) => {
                    let word = match slot {
                        Slot::Core if w.synonym_only => pick(&mut self.rng, &s.syn),
                        Slot::Core => pick(&mut self.rng, &s.core),
                        Slot::Syn if w.synonym_only || self.rng.random_bool(SYNONYM_SLOT) => {
                            pick(&mut self.rng, &s.syn)
                        }
                        Slot::Syn => pick(&mut self.rng, &s.core),
                        Slot::Rel | Slot::Rel2 => {
                            let mut i = self.rng.random_range(0..s.rel.len());
                            if i == rel_used {
                                i = (i + 1) % s.rel.len();
                            }
                            rel_used = i;
                            &s.rel[i]
                        }
                        Slot::Mix if s.mix.is_empty() => pick(&mut self.rng, &s.rel),
                        Slot::Mix => pick(&mut self.rng, &s.mix),
                        Slot::Near => {
                            let near = &self.cat.near[w.sub];
                            if near.is_empty() {
                                pick(&mut self.rng, &s.rel)
                            } else {
                                let o =
                                    &self.cat.subtopics[near[self.rng.random_range(0..near.len())]];
                                if self.rng.random_bool(0.5) {
                                    pick(&mut self.rng, &o.core)
                                } else {
                                    pick(&mut self.rng, &o.rel)
                                }
                            }
                        }
                        Slot::Number => {
                            let n: u32 = self.rng.random_range(2..=50);
                            out.push_str(&n.to_string());
                            continue;
                        }
                    };
                    out.push_str(word);
                }
            }
        }
    }

    /// A run of background words ending in a comma or full stop; returns characters written.
    fn filler(&mut self, out: &mut String) -> usize {
        let words = self.rng.random_range(2..=8);
        let mut chars = 1;
        for _ in 0..words {
            let w = &self.cat.background[pick_cdf(&mut self.rng, &self.background_cdf)];
            chars += w.chars().count();
            out.push_str(w);
        }
        out.push(if self.rng.random_bool(0.6) {
            '，'
        } else {
            '。'
        });
        chars
    }

    fn body(&mut self, style: &Style<'_>, w: &Writing) -> String {
        let cat = self.cat;
        let (min, max) = style.chars;
        let target = self.rng.random_range(min..=max);
        let mut distractor = !cat.near[w.sub].is_empty() && self.rng.random_bool(style.distractor);
        let mut out = String::with_capacity(target * 3 + 64);
        let mut chars = 0;
        while chars < target {
            let before = out.len();
            if distractor && chars > 0 && self.rng.random_bool(0.5) {
                let t = &cat.distractors[self.rng.random_range(0..cat.distractors.len())];
                self.fill(&mut out, t, w);
                distractor = false;
            } else {
                let t = &style.sentences[self.rng.random_range(0..style.sentences.len())];
                self.fill(&mut out, t, w);
            }
            chars += out[before..].chars().count();
            if self.rng.random_bool(style.filler) {
                chars += self.filler(&mut out);
            }
        }
        if chars > max {
            let cut = out
                .char_indices()
                .nth(max - 1)
                .map_or(out.len(), |(i, _)| i);
            out.truncate(cut);
            out.push('。');
        }
        out
    }

    /// The next subtopic, drawn as postings' are (mildly Zipf-skewed).
    pub(crate) fn pick_subtopic(&mut self) -> usize {
        pick_cdf(&mut self.rng, &self.subtopic_cdf)
    }

    /// The category of subtopic `sub`.
    pub(crate) fn category_of(&self, sub: usize) -> Category {
        self.subtopic_category[sub]
    }

    /// A title (one of `titles`) and a body (`style`) about subtopic `sub`, some written with
    /// synonyms only, exactly as a posting's are.
    pub(crate) fn write(
        &mut self,
        sub: usize,
        titles: &[Template],
        style: &Style<'_>,
    ) -> (String, String) {
        let w = Writing {
            sub,
            synonym_only: self.rng.random_bool(SYNONYM_ONLY),
        };
        let mut title = String::new();
        let t = &titles[self.rng.random_range(0..titles.len())];
        self.fill(&mut title, t, &w);
        let body = self.body(style, &w);
        (title, body)
    }
}

impl Iterator for Generator {
    type Item = Labeled;

    fn next(&mut self) -> Option<Labeled> {
        if self.next >= self.size {
            return None;
        }
        self.next += 1;
        let cat = self.cat;
        let sub = self.pick_subtopic();
        let kind = pick_mix(&mut self.rng, &KIND_MIX);
        let text = cat.kind_text(kind);
        let (min, max, distractor, filler) = POSTING_BODY;
        let style = Style {
            sentences: &text.sentences,
            chars: (min, max),
            distractor,
            filler,
        };
        let (title, body) = self.write(sub, &text.titles, &style);
        // Posters sometimes file under a neighbouring category.
        let category = if self.rng.random_bool(0.92) {
            self.subtopic_category[sub]
        } else {
            self.categories[self.rng.random_range(0..self.categories.len())]
        };
        let region = self.regions[pick_cdf(&mut self.rng, &self.region_cdf)];
        let scope = (kind == Kind::Service).then(|| pick_mix(&mut self.rng, &SCOPE_MIX));
        let provider = self.rng.random_range(1..=PROVIDERS);
        let published_day = FIRST_DAY + self.rng.random_range(0..DAYS);
        let s = &cat.subtopics[sub];
        Some(Labeled {
            posting: Posting {
                id: PostingId(self.next),
                kind,
                title,
                body,
                category,
                region,
                scope,
                provider,
                confirmed_deals: deals_of(provider, DEALS_SALT),
                published_day,
            },
            labels: Labels {
                topic: &s.topic,
                subtopic: &s.id,
            },
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.size - self.next).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::test_support::sichuan_counties;

    fn corpus(size: u64, seed: u64) -> Vec<Labeled> {
        generate(size, seed, &sichuan_counties())
            .unwrap_or_else(|e| panic!("{e}"))
            .collect()
    }

    #[test]
    fn same_seed_same_corpus_other_seed_other_corpus() {
        let a = corpus(500, 7);
        // assert!, not assert_eq!: a failure would print 500 postings.
        assert!(a == corpus(500, 7), "same seed, same corpus");
        assert!(a != corpus(500, 8), "other seed, other corpus");
        assert!(
            corpus(100, 7)[..] == a[..100],
            "a smaller corpus is a prefix"
        );
        let ids: Vec<u64> = a.iter().map(|l| l.posting.id.0).collect();
        assert_eq!(ids, (1..=500).collect::<Vec<_>>());
    }

    #[test]
    fn postings_are_well_formed() {
        let counties = sichuan_counties();
        let dir = kejiyun_db::regions::directory();
        for l in corpus(3_000, 1) {
            let p = &l.posting;
            let chars = p.body.chars().count();
            assert!(
                (MIN_BODY..=MAX_BODY).contains(&chars),
                "{chars}: {}",
                p.body
            );
            assert!(!p.title.is_empty() && !p.title.contains('{'), "{}", p.title);
            assert!(!p.body.contains('{'), "{}", p.body);
            assert!(counties.contains(&p.region), "{}", p.region);
            assert!(dir.full_name(p.region).starts_with("四川省"));
            assert_eq!(p.scope.is_some(), p.kind == Kind::Service);
            assert!(
                FIRST_DAY <= p.published_day && p.published_day < FIRST_DAY + DAYS,
                "{}",
                p.published_day
            );
        }
    }

    #[test]
    fn labels_and_kinds_are_spread() {
        let all = corpus(20_000, 3);
        let mut kinds: HashMap<Kind, usize> = HashMap::new();
        let mut subs: HashMap<&str, usize> = HashMap::new();
        let mut topics: HashMap<&str, usize> = HashMap::new();
        for l in &all {
            *kinds.entry(l.posting.kind).or_default() += 1;
            *subs.entry(l.labels.subtopic).or_default() += 1;
            *topics.entry(l.labels.topic).or_default() += 1;
        }
        let share = |k: Kind| kinds.get(&k).copied().unwrap_or(0) as f64 / all.len() as f64;
        assert!((0.32..0.38).contains(&share(Kind::Need)), "{kinds:?}");
        assert!((0.27..0.33).contains(&share(Kind::Service)), "{kinds:?}");
        assert!(share(Kind::Org) > 0.05, "{kinds:?}");
        let cat = catalogue().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(subs.len(), cat.subtopics.len(), "every subtopic occurs");
        assert_eq!(topics.len(), 6);
        // Mild skew: the rarest subtopic still has a fair share.
        let min = subs.values().min().copied().unwrap_or(0);
        assert!(min > 100, "{subs:?}");
    }

    #[test]
    fn synonyms_and_distractors_occur() {
        let all = corpus(5_000, 11);
        let hlb: Vec<_> = all
            .iter()
            .filter(|l| l.labels.subtopic == "citrus_hlb")
            .collect();
        let without_core = hlb
            .iter()
            .filter(|l| {
                let text = format!("{}{}", l.posting.title, l.posting.body);
                !text.contains("黄龙病")
            })
            .count();
        assert!(without_core > 0, "some HLB postings only use synonyms");
        let distracted = all
            .iter()
            .filter(|l| l.labels.subtopic == "citrus_sales" && l.posting.body.contains("病"))
            .count();
        assert!(
            distracted > 0,
            "some citrus sales postings mention diseases"
        );
    }

    #[test]
    fn jsonl_keeps_hidden_labels_apart() {
        let l = corpus(1, 5).remove(0);
        let mut out = Vec::new();
        l.write_jsonl(&mut out).unwrap_or_else(|e| panic!("{e}"));
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["id"], 1);
        assert_eq!(v["hidden_subtopic"], l.labels.subtopic);
        assert_eq!(v["region"], l.posting.region.to_string());
        assert!(out.ends_with(b"\n"));
    }
}
