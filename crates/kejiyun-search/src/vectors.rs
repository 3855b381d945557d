//! [`VectorIndex`]: the sentence embedding of every indexed record that has one, int8 (a
//! quarter of f32's memory, an integer dot product), with the facts matching filters on
//! (kind, region, scope, owner), so that the nearest neighbours are found by one pass over
//! contiguous memory that skips what the filters refuse before scoring it. Exact (brute
//! force): at a county's or a province's size a pass costs less than building and keeping a
//! graph (docs/decisions/0005-hybrid-matching.md). The vectors come from the database
//! (`SearchFeed::stored_vectors`) or from the embedding worker ([`crate::semantic`]).

use std::collections::{BinaryHeap, HashMap};
use std::sync::{PoisonError, RwLock};

use kejiyun_core::search_ports::{DocKind, EMBEDDING_DIM, StoredVector};

use crate::columns::HitFacts;

/// One record's vector: where its components are, their scale, and what it was computed from.
#[derive(Debug, Clone, Copy)]
struct Entry {
    facts: HitFacts,
    text_hash: u64,
    scale: f32,
}

#[derive(Default)]
struct Inner {
    slots: HashMap<(DocKind, i64), usize>,
    /// `None`: a free slot (its record was removed), reused by the next insert.
    entries: Vec<Option<Entry>>,
    /// `entries.len() × EMBEDDING_DIM` components, slot after slot.
    values: Vec<i8>,
    free: Vec<usize>,
}

/// The embeddings of the indexed records. Readers (matching) and the writers (the index writer
/// and the embedding worker) share it behind a read–write lock; a search holds the read lock
/// for one pass.
#[derive(Default)]
pub struct VectorIndex {
    inner: RwLock<Inner>,
}

/// A neighbour found by [`VectorIndex::nearest`]: its facts and its cosine with the query.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Neighbour {
    pub facts: HitFacts,
    pub cosine: f32,
}

/// Orders a min-heap of the best `k` by cosine (worst on top), ties by key for repeatable runs.
struct Scored(f32, DocKind, i64, usize);

impl PartialEq for Scored {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scored {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        // Reversed: the heap's top is the worst kept.
        o.0.total_cmp(&self.0)
            .then((self.1, self.2).cmp(&(o.1, o.2)))
    }
}

/// The integer dot product of two int8 vectors of [`EMBEDDING_DIM`] components.
fn dot_i8(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

impl VectorIndex {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // Nothing is left half-written under the lock (a slot is filled before it is listed).
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records with a vector.
    pub fn len(&self) -> usize {
        self.read().slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The hash of the text a record's vector was computed from, if it has one.
    pub fn text_hash(&self, kind: DocKind, id: i64) -> Option<u64> {
        let inner = self.read();
        let slot = *inner.slots.get(&(kind, id))?;
        inner.entries.get(slot)?.map(|e| e.text_hash)
    }

    /// A record's vector and scale.
    pub fn vector(&self, kind: DocKind, id: i64) -> Option<(Vec<i8>, f32)> {
        let inner = self.read();
        let slot = *inner.slots.get(&(kind, id))?;
        let e = inner.entries.get(slot)?.as_ref()?;
        let at = slot * EMBEDDING_DIM;
        Some((inner.values.get(at..at + EMBEDDING_DIM)?.to_vec(), e.scale))
    }

    /// Sets a record's vector (replacing the one it had). A vector of another length is
    /// refused (a corrupt row or another model): the record is then matched by words only.
    pub(crate) fn put(&self, facts: HitFacts, vector: &StoredVector) -> bool {
        if vector.values.len() != EMBEDDING_DIM {
            return false;
        }
        let mut inner = self.write();
        let key = (facts.kind, facts.id);
        let slot = match inner.slots.get(&key) {
            Some(&s) => s,
            None => match inner.free.pop() {
                Some(s) => s,
                None => {
                    let s = inner.entries.len();
                    inner.entries.push(None);
                    inner.values.resize((s + 1) * EMBEDDING_DIM, 0);
                    s
                }
            },
        };
        let at = slot * EMBEDDING_DIM;
        inner.values[at..at + EMBEDDING_DIM].copy_from_slice(&vector.values);
        inner.entries[slot] = Some(Entry {
            facts,
            text_hash: vector.text_hash,
            scale: vector.scale,
        });
        inner.slots.insert(key, slot);
        true
    }

    /// Updates the facts of a record that has a vector (its region, scope or record changed);
    /// whether it has one.
    pub(crate) fn refresh(&self, facts: HitFacts) -> bool {
        let mut inner = self.write();
        let Some(&slot) = inner.slots.get(&(facts.kind, facts.id)) else {
            return false;
        };
        match inner.entries.get_mut(slot) {
            Some(Some(e)) => {
                e.facts = facts;
                true
            }
            _ => false,
        }
    }

    pub fn remove(&self, kind: DocKind, id: i64) {
        let mut inner = self.write();
        if let Some(slot) = inner.slots.remove(&(kind, id)) {
            if let Some(e) = inner.entries.get_mut(slot) {
                *e = None;
            }
            inner.free.push(slot);
        }
    }

    /// Keeps only the records `keep` says yes to (after a rebuild of the index).
    pub(crate) fn retain(&self, keep: impl Fn(DocKind, i64) -> bool) {
        let gone: Vec<(DocKind, i64)> = self
            .read()
            .slots
            .keys()
            .filter(|(k, id)| !keep(*k, *id))
            .copied()
            .collect();
        for (k, id) in gone {
            self.remove(k, id);
        }
    }

    /// The `k` records nearest to `query` (by cosine, best first) among those `keep` accepts.
    pub(crate) fn nearest(
        &self,
        query: &[i8],
        query_scale: f32,
        k: usize,
        keep: impl Fn(&HitFacts) -> bool,
    ) -> Vec<Neighbour> {
        if query.len() != EMBEDDING_DIM || k == 0 {
            return Vec::new();
        }
        let inner = self.read();
        let mut best: BinaryHeap<Scored> = BinaryHeap::with_capacity(k + 1);
        for (slot, (entry, values)) in inner
            .entries
            .iter()
            .zip(inner.values.chunks_exact(EMBEDDING_DIM))
            .enumerate()
        {
            let Some(e) = entry else { continue };
            if !keep(&e.facts) {
                continue;
            }
            let cosine = dot_i8(query, values) as f32 * query_scale * e.scale;
            if best.len() == k && best.peek().is_some_and(|w| w.0 >= cosine) {
                continue;
            }
            best.push(Scored(cosine, e.facts.kind, e.facts.id, slot));
            if best.len() > k {
                best.pop();
            }
        }
        let mut found: Vec<Neighbour> = best
            .into_iter()
            .filter_map(|Scored(cosine, _, _, slot)| {
                let facts = inner.entries.get(slot)?.as_ref()?.facts;
                Some(Neighbour { facts, cosine })
            })
            .collect();
        found.sort_by(|a, b| {
            b.cosine
                .total_cmp(&a.cosine)
                .then((a.facts.kind, a.facts.id).cmp(&(b.facts.kind, b.facts.id)))
        });
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kejiyun_core::regions::RegionCode;
    use kejiyun_core::time::Timestamp;

    fn facts(kind: DocKind, id: i64) -> HitFacts {
        HitFacts {
            kind,
            id,
            region: RegionCode::parse("511623").unwrap_or_else(|e| panic!("{e}")),
            category: None,
            scope: None,
            owner: Some(id),
            owner_deals: 0,
            published_at: Timestamp(0),
        }
    }

    /// A vector pointing mostly along axis `axis`.
    fn along(axis: usize, hash: u64) -> StoredVector {
        let mut values = vec![1i8; EMBEDDING_DIM];
        values[axis] = 127;
        StoredVector {
            text_hash: hash,
            scale: 1.0 / 127.0,
            values,
        }
    }

    #[test]
    fn nearest_ranks_by_cosine_and_filters_before_scoring() {
        let v = VectorIndex::default();
        for id in 1..=5 {
            assert!(v.put(facts(DocKind::Service, id), &along(id as usize, 7)));
        }
        v.put(facts(DocKind::Need, 3), &along(3, 7));
        let (q, s) = v
            .vector(DocKind::Service, 3)
            .unwrap_or_else(|| panic!("stored"));
        let found = v.nearest(&q, s, 2, |f| f.kind == DocKind::Service);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].facts.kind, found[0].facts.id),
            (DocKind::Service, 3)
        );
        assert!(found[0].cosine > found[1].cosine);
        // The filter decides before the score: the need, as close as can be, is not listed.
        assert!(found.iter().all(|n| n.facts.kind == DocKind::Service));
        let none = v.nearest(&q, s, 3, |f| f.id > 100);
        assert!(none.is_empty());
    }

    #[test]
    fn removed_slots_are_reused_and_replacements_keep_one_entry() {
        let v = VectorIndex::default();
        v.put(facts(DocKind::Service, 1), &along(1, 1));
        v.put(facts(DocKind::Service, 2), &along(2, 1));
        v.remove(DocKind::Service, 1);
        assert_eq!(v.len(), 1);
        assert_eq!(v.text_hash(DocKind::Service, 1), None);
        v.put(facts(DocKind::Service, 9), &along(9, 3));
        v.put(facts(DocKind::Service, 9), &along(10, 4));
        assert_eq!(v.len(), 2);
        assert_eq!(v.text_hash(DocKind::Service, 9), Some(4));
        assert_eq!(v.read().entries.len(), 2, "the freed slot was reused");
        v.retain(|_, id| id == 9);
        assert_eq!(v.len(), 1);
    }

    #[test]
    fn a_vector_of_another_length_is_refused() {
        let v = VectorIndex::default();
        let short = StoredVector {
            text_hash: 1,
            scale: 1.0,
            values: vec![1; 10],
        };
        assert!(!v.put(facts(DocKind::Service, 1), &short));
        assert!(v.is_empty());
    }

    #[test]
    fn refresh_changes_the_facts_filters_see() {
        let v = VectorIndex::default();
        v.put(facts(DocKind::Service, 1), &along(1, 1));
        let mut moved = facts(DocKind::Service, 1);
        moved.owner = Some(42);
        assert!(v.refresh(moved));
        assert!(!v.refresh(facts(DocKind::Service, 2)));
        let (q, s) = v
            .vector(DocKind::Service, 1)
            .unwrap_or_else(|| panic!("stored"));
        assert_eq!(v.nearest(&q, s, 1, |f| f.owner == Some(42)).len(), 1);
    }
}
