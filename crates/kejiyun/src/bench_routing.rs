//! `kejiyun bench routing` (issue 22): how well a published question reaches the right
//! experts. The routing set (`kejiyun_corpus::questions`: generated tech workers, all in one
//! county, and colloquial questions, with hidden subtopic labels) is ranked two ways:
//!
//! - **Kejiyun's routing**: the experts in the server's `SearchIndex` (as profiles are
//!   served: no category; by words, without the embedding model), the question matched as
//!   `Questions::route` does (a `DocKind::Question` subject against its counterpart kinds, the
//!   top `MAX_MATCHES`), then `questions::invitees` of the first circle with the default
//!   number of invitations: the experts it would invite, in order;
//! - **BM25**: the plain baseline over the experts' text, the question's title and body as
//!   the query, top 5.
//!
//! Both are scored with nDCG@5 over the corpus's subject rubric (3 / 1 / 0), P@5 and
//! recall@5 (grade 3). Results: docs/benchmarks.md.

use std::time::{Duration, Instant};

use kejiyun_core::ids::UserId;
use kejiyun_core::matching::counterpart_kinds;
use kejiyun_core::questions::{QaPolicy, invitees};
use kejiyun_core::search_ports::{DocKind, MAX_MATCHES, MatchQuery, SearchDocument};
use kejiyun_corpus::metrics::{ndcg_at, precision_at, recall_at};
use kejiyun_corpus::questions::{Question, RoutingSet, routing_set};
use kejiyun_corpus::{Bm25, Posting, PostingId, Ranker};

use crate::bench_ranker::KejiyunRanker;

/// Results each question is scored on: the invitations of one circle.
pub const K: usize = 5;
/// Grade of an expert of the question's own subtopic; P@5 and recall@5 count these.
const TARGET: u8 = 3;
/// The asker's user id: no expert has it (experts' owners are their provider + 1 ≥ 2).
const ASKER: i64 = 0;
/// The first circle (the question's county), where every expert of the set is.
const FIRST_ROUND: u8 = 1;

pub struct RoutingOptions {
    pub experts: usize,
    pub questions: usize,
    pub seed: u64,
}

/// One ranking's scores, averaged over the questions scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub name: &'static str,
    pub ndcg5: f64,
    pub p5: f64,
    pub recall5: f64,
    /// Questions for which fewer than 5 experts were returned (the missing count as 0).
    pub short_lists: usize,
    /// Loading the experts (index and commit).
    pub build: Duration,
    /// Ranking every question, total.
    pub rank: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoutingReport {
    pub experts: usize,
    pub questions: usize,
    pub seed: u64,
    /// Questions scored: those with at least one expert of their subtopic.
    pub scored: usize,
    pub kejiyun: Scores,
    pub bm25: Scores,
    /// Generation, both rankings and scoring.
    pub elapsed: Duration,
}

/// A ranking of the set's experts for a question: expert indexes, best first, at most `K`.
trait Route {
    fn route(&self, q: &Question) -> anyhow::Result<Vec<usize>>;
}

fn expert_index(id: i64) -> Option<usize> {
    usize::try_from(id).ok()?.checked_sub(1)
}

struct KejiyunRouting(KejiyunRanker);

impl Route for KejiyunRouting {
    fn route(&self, q: &Question) -> anyhow::Result<Vec<usize>> {
        let now = self.0.now();
        // The question's searchable document, as the search feed builds it (`question_doc`).
        let subject = SearchDocument {
            kind: DocKind::Question,
            // Not in the index: nothing to exclude.
            id: -1,
            title: q.title.clone(),
            body: q.body.clone(),
            tags: Vec::new(),
            category: Some(q.category),
            region: q.region,
            scope: None,
            owner: Some(ASKER),
            owner_deals: 0,
            published_at: now,
        };
        let ranked = self
            .0
            .matches(&MatchQuery {
                kinds: counterpart_kinds(DocKind::Question),
                subject,
                limit: MAX_MATCHES,
                now,
            })
            .map_err(|e| anyhow::anyhow!("matching question {}: {e}", q.id))?;
        let invited = invitees(
            q.region,
            UserId(ASKER),
            FIRST_ROUND,
            &ranked,
            &[],
            QaPolicy::default().invitations,
        );
        Ok(invited
            .iter()
            .filter_map(|i| expert_index(i.tech_worker.0))
            .collect())
    }
}

struct Bm25Routing(Bm25);

impl Route for Bm25Routing {
    fn route(&self, q: &Question) -> anyhow::Result<Vec<usize>> {
        let found = self
            .0
            .search(&format!("{}\n{}", q.title, q.body), K)
            .map_err(|e| anyhow::anyhow!("BM25, question {}: {e}", q.id))?;
        Ok(found
            .into_iter()
            .filter_map(|PostingId(id)| expert_index(i64::try_from(id).ok()?))
            .collect())
    }
}

/// Loads the experts into `ranker` (timed), then scores it as a router (`as_route`).
fn measure<R: Ranker, W: Route>(
    name: &'static str,
    mut ranker: R,
    as_route: fn(R) -> W,
    (set, experts, scored): (&RoutingSet, &[Posting], &[usize]),
) -> anyhow::Result<Scores> {
    let t = Instant::now();
    ranker
        .index(experts)
        .and_then(|()| ranker.commit())
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let build = t.elapsed();
    score(name, &as_route(ranker), set, scored, build)
}

/// Ranks every scored question with `r` and averages the metrics.
fn score(
    name: &'static str,
    r: &dyn Route,
    set: &RoutingSet,
    scored: &[usize],
    build: Duration,
) -> anyhow::Result<Scores> {
    let t = Instant::now();
    let mut ranked = Vec::with_capacity(scored.len());
    for &q in scored {
        ranked.push(r.route(&set.questions[q])?);
    }
    let rank = t.elapsed();
    let (mut ndcg, mut p, mut recall, mut short_lists) = (0.0, 0.0, 0.0, 0);
    for (&q, experts) in scored.iter().zip(&ranked) {
        let ideal = set.grades(q);
        let grades: Vec<u8> = experts.iter().take(K).map(|&e| ideal[e]).collect();
        let targets = ideal.iter().filter(|&&g| g >= TARGET).count();
        ndcg += ndcg_at(K, &grades, &ideal);
        p += precision_at(K, &grades, TARGET);
        recall += recall_at(K, &grades, targets, TARGET);
        short_lists += usize::from(grades.len() < K);
    }
    let n = scored.len().max(1) as f64;
    Ok(Scores {
        name,
        ndcg5: ndcg / n,
        p5: p / n,
        recall5: recall / n,
        short_lists,
        build,
        rank,
    })
}

pub fn run(opts: &RoutingOptions) -> anyhow::Result<RoutingReport> {
    let t = Instant::now();
    let county = *crate::bench_corpus::sichuan_counties()?
        .first()
        .ok_or_else(|| anyhow::anyhow!("no Sichuan county"))?;
    let set =
        routing_set(opts.experts, opts.questions, opts.seed, county).map_err(anyhow::Error::msg)?;
    let experts: Vec<Posting> = set.experts.iter().map(|l| l.posting.clone()).collect();
    // A question no expert can answer well says nothing about the ranking.
    let scored: Vec<usize> = (0..set.questions.len())
        .filter(|&q| set.grades(q).contains(&TARGET))
        .collect();

    let mut kejiyun = KejiyunRanker::in_memory().map_err(|e| anyhow::anyhow!("{e}"))?;
    // Routing never sees an expert's category: the server indexes profiles without one.
    kejiyun.profiles_as_served = true;
    let kejiyun = measure(
        "Kejiyun routing (matcher + invitees)",
        kejiyun,
        KejiyunRouting,
        (&set, &experts, &scored),
    )?;
    let bm25 = measure(
        "BM25 baseline (experts' text)",
        Bm25::new(),
        Bm25Routing,
        (&set, &experts, &scored),
    )?;
    Ok(RoutingReport {
        experts: set.experts.len(),
        questions: set.questions.len(),
        seed: opts.seed,
        scored: scored.len(),
        kejiyun,
        bm25,
        elapsed: t.elapsed(),
    })
}

impl RoutingReport {
    /// The Markdown `bench routing` prints.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "Routing set: {} experts (tech workers, one county), {} questions ({} scored: \
             with an expert of their subtopic), seed {}; {:.1} s in all.\n\
             Grades: 3 = expert of the question's subtopic, 1 = same topic, 0 otherwise; \
             P@5 and recall@5 count grade 3.\n\n",
            self.experts,
            self.questions,
            self.scored,
            self.seed,
            self.elapsed.as_secs_f64()
        );
        s.push_str(
            "| ranking | nDCG@5 | P@5 | recall@5 | < 5 returned | build s | ms / question |\n",
        );
        s.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for r in [&self.kejiyun, &self.bm25] {
            s.push_str(&format!(
                "| {} | {:.3} | {:.3} | {:.3} | {} | {:.2} | {:.2} |\n",
                r.name,
                r.ndcg5,
                r.p5,
                r.recall5,
                r.short_lists,
                r.build.as_secs_f64(),
                r.rank.as_secs_f64() * 1000.0 / self.scored.max(1) as f64
            ));
        }
        s
    }
}
