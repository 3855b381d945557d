//! Ranking metrics over graded relevance. Gains are 2^grade − 1, discounts log2(rank + 1).

/// DCG of grades in ranked order.
pub fn dcg(grades: &[u8]) -> f64 {
    grades
        .iter()
        .enumerate()
        .map(|(i, &g)| (f64::from(1u32 << g) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// nDCG@k: `ranked` are the grades of the returned results in order, `ideal` the grades of
/// the best possible results (any order; the best k are used). 0 when nothing is relevant.
pub fn ndcg_at(k: usize, ranked: &[u8], ideal: &[u8]) -> f64 {
    let mut best: Vec<u8> = ideal.to_vec();
    best.sort_unstable_by(|a, b| b.cmp(a));
    best.truncate(k);
    let idcg = dcg(&best);
    if idcg == 0.0 {
        return 0.0;
    }
    dcg(&ranked[..ranked.len().min(k)]) / idcg
}

/// recall@k: relevant results (grade ≥ `threshold`) in the top k over min(k, all relevant),
/// so that a perfect top k scores 1 even when thousands of postings are relevant.
pub fn recall_at(k: usize, ranked: &[u8], total_relevant: usize, threshold: u8) -> f64 {
    let denom = k.min(total_relevant);
    if denom == 0 {
        return 0.0;
    }
    hits(k, ranked, threshold) as f64 / denom as f64
}

/// P@k: relevant results in the top k over k (missing results count as irrelevant).
pub fn precision_at(k: usize, ranked: &[u8], threshold: u8) -> f64 {
    if k == 0 {
        return 0.0;
    }
    hits(k, ranked, threshold) as f64 / k as f64
}

fn hits(k: usize, ranked: &[u8], threshold: u8) -> usize {
    ranked.iter().take(k).filter(|&&g| g >= threshold).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn dcg_by_hand() {
        // (2^3-1)/log2(2) + (2^0-1)/log2(3) + (2^1-1)/log2(4) = 7 + 0 + 0.5
        close(dcg(&[3, 0, 1]), 7.5);
    }

    #[test]
    fn ndcg_by_hand() {
        // ranked [1, 3]: 1/1 + 7/log2(3); ideal [3, 1]: 7/1 + 1/log2(3)
        let l3 = 3f64.log2();
        close(
            ndcg_at(10, &[1, 3], &[3, 1, 0]),
            (1.0 + 7.0 / l3) / (7.0 + 1.0 / l3),
        );
        close(ndcg_at(10, &[3, 1], &[1, 3]), 1.0);
        // Only the top k of the ideal count: a perfect top 1.
        close(ndcg_at(1, &[3, 0], &[3, 3, 3]), 1.0);
        close(ndcg_at(10, &[], &[3]), 0.0);
        close(ndcg_at(10, &[0, 0], &[0]), 0.0);
    }

    #[test]
    fn recall_and_precision_by_hand() {
        let ranked = [3, 0, 2, 1, 3, 0, 0, 0, 0, 0, 3];
        // Top 10 hold three grades ≥ 2; 4 relevant exist → 3/4.
        close(recall_at(10, &ranked, 4, 2), 0.75);
        // 500 relevant exist: the denominator is capped at 10.
        close(recall_at(10, &ranked, 500, 2), 0.3);
        close(recall_at(10, &ranked, 0, 2), 0.0);
        // Top 5 hold 3, 2, 3 → 3/5; grade 1 is not relevant.
        close(precision_at(5, &ranked, 2), 0.6);
        // Fewer than k results: missing ones count as misses.
        close(precision_at(5, &[3, 3], 2), 0.4);
    }
}
