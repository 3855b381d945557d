//! The audit log's hash chain (等保 level 3, 安全审计 c): every entry carries a sequence
//! number, the hash of the entry before it and its own hash, so an entry altered, removed or cut
//! off the end is found by recomputing the chain. The writer (the store, in the transaction of
//! the audited change), the migration that chained the entries written before, and the
//! verifier all hash through [`entry_hash`], so they cannot disagree.
//!
//! # The encoding hashed
//!
//! `hash = hex(SHA-256(bytes))`, lower case, where `bytes` is the ASCII tag
//! `kejiyun.audit.v1` followed by these fields in this order:
//!
//! | field         | as                                                            |
//! |---------------|---------------------------------------------------------------|
//! | `seq`         | integer                                                        |
//! | `prev_hash`   | text (the predecessor's `hash`; [`GENESIS`] before the first)  |
//! | `actor`       | optional integer (the user id; absent: the operator's CLI)    |
//! | `at`          | integer (microseconds since the Unix epoch, UTC)               |
//! | `action`      | text                                                           |
//! | `target_kind` | text                                                           |
//! | `target_id`   | text                                                           |
//! | `region`      | optional text (the six-digit region code)                      |
//! | `before`      | optional text (the JSON exactly as stored)                     |
//! | `after`       | optional text (the JSON exactly as stored)                     |
//!
//! An integer is the byte `0x01` then its 8 bytes big-endian (two's complement); a text is
//! `0x01`, its UTF-8 length as 8 bytes big-endian, then its bytes; an absent optional value is
//! the single byte `0x00`. Lengths and presence bytes make the encoding unambiguous (no two
//! field lists give the same bytes). The JSON is hashed as the text stored, not re-serialised,
//! so a verifier needs no JSON library that orders keys the same way.
//!
//! The chain is ordered by `seq` (1, 2, 3 … kept in the one-row `audit_head`), not by the
//! table's auto-increment id, which is only known after the insert and may skip numbers.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::audit::AuditRecord;
use crate::audit::ports::AuditChainStore;
use crate::ports::StoreResult;

/// The `prev_hash` of the first entry ever written.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Tag that starts every hashed encoding (a later encoding would change the version).
const TAG: &[u8] = b"kejiyun.audit.v1";

/// The hashed fields of one entry, borrowed from wherever they are (a record being written, a
/// row read back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainFields<'a> {
    pub seq: i64,
    pub actor: Option<i64>,
    pub at: i64,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: &'a str,
    pub region: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The entry's hash: SHA-256 over the encoding described in the module documentation.
pub fn entry_hash(prev: &str, f: &ChainFields<'_>) -> String {
    let mut h = Sha256::new();
    h.update(TAG);
    int(&mut h, f.seq);
    text(&mut h, Some(prev));
    opt_int(&mut h, f.actor);
    int(&mut h, f.at);
    text(&mut h, Some(f.action));
    text(&mut h, Some(f.target_kind));
    text(&mut h, Some(f.target_id));
    text(&mut h, f.region);
    text(&mut h, f.before);
    text(&mut h, f.after);
    hex::encode(h.finalize())
}

fn int(h: &mut Sha256, v: i64) {
    h.update([1u8]);
    h.update(v.to_be_bytes());
}

fn opt_int(h: &mut Sha256, v: Option<i64>) {
    match v {
        Some(v) => int(h, v),
        None => h.update([0u8]),
    }
}

fn text(h: &mut Sha256, v: Option<&str>) {
    match v {
        Some(s) => {
            h.update([1u8]);
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        }
        None => h.update([0u8]),
    }
}

/// How a record's `before`/`after` value is stored (and therefore hashed).
pub fn json_text(v: &Option<Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

/// A record's stored texts, ready to be hashed and inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTexts {
    pub region: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl StoredTexts {
    pub fn of(r: &AuditRecord) -> Self {
        Self {
            region: r.region.map(|c| c.to_string()),
            before: json_text(&r.before),
            after: json_text(&r.after),
        }
    }

    /// The fields of `r` at position `seq`, with these texts.
    pub fn fields<'a>(&'a self, r: &'a AuditRecord, seq: i64) -> ChainFields<'a> {
        ChainFields {
            seq,
            actor: r.actor.map(|a| a.0),
            at: r.at.micros(),
            action: &r.action,
            target_kind: &r.target_kind,
            target_id: &r.target_id,
            region: self.region.as_deref(),
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }
}

/// One chained row as read back for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainRow {
    /// The table's id (to name the row to an operator; not hashed).
    pub id: i64,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    pub actor: Option<i64>,
    pub at: i64,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub region: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl ChainRow {
    pub fn fields(&self) -> ChainFields<'_> {
        ChainFields {
            seq: self.seq,
            actor: self.actor,
            at: self.at,
            action: &self.action,
            target_kind: &self.target_kind,
            target_id: &self.target_id,
            region: self.region.as_deref(),
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }
}

/// The one-row `audit_head`: the chain's end, and its start after pruning (the last entry
/// deleted, whose hash the first kept entry names as `prev_hash`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub last_seq: i64,
    pub last_hash: String,
    /// 0 and [`GENESIS`] before any pruning.
    pub pruned_seq: i64,
    pub pruned_hash: String,
}

/// The first fault found, in chain order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// Rows without a sequence number: written past the store (directly in SQL).
    Unchained { rows: u64 },
    /// The entry's content (or its own hash) was changed: its hash no longer matches.
    Altered { seq: i64, id: i64 },
    /// The entry does not name its predecessor's hash (a row changed, or put in the place of
    /// one removed).
    Relinked { seq: i64, id: i64 },
    /// No entry with this sequence number: removed.
    Missing { seq: i64 },
    /// The head names an entry after the last one found: the last entries were removed.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The last entry is where the head says, but its hash is not the head's.
    HeadMismatch { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unchained { rows } => {
                write!(f, "有 {rows} 条审计记录没有链序号（未经系统写入）")
            }
            Self::Altered { seq, id } => {
                write!(f, "第 {seq} 条审计记录（id {id}）的内容被改动：哈希不符")
            }
            Self::Relinked { seq, id } => write!(
                f,
                "第 {seq} 条审计记录（id {id}）未指向前一条记录的哈希：记录被改动或替换"
            ),
            Self::Missing { seq } => write!(f, "缺少第 {seq} 条审计记录：记录被删除"),
            Self::Truncated { head_seq, last_seq } => write!(
                f,
                "审计链头记到第 {head_seq} 条，但最后一条只到第 {last_seq} 条：末尾的记录被删除"
            ),
            Self::HeadMismatch { seq } => {
                write!(f, "第 {seq} 条审计记录与审计链头记录的哈希不符")
            }
        }
    }
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries whose hash was recomputed.
    pub checked: u64,
    /// The chain's start: entries up to this one were pruned.
    pub pruned_seq: i64,
    /// The head verified against (later entries, written during the check, are left out).
    pub head: ChainHead,
    /// `None`: the chain is whole.
    pub broken: Option<ChainBreak>,
}

/// Walks the chain in `seq` order one row at a time, so it can be fed page by page.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
    checked: u64,
}

impl ChainVerifier {
    /// Starts after the pruned entries.
    pub fn new(head: &ChainHead) -> Self {
        Self {
            next_seq: head.pruned_seq + 1,
            prev_hash: head.pruned_hash.clone(),
            checked: 0,
        }
    }

    pub fn checked(&self) -> u64 {
        self.checked
    }

    /// The next row in `seq` order (rows at or before the pruned horizon are skipped: a
    /// verification that overlaps a prune may still read them).
    pub fn check(&mut self, row: &ChainRow) -> Result<(), ChainBreak> {
        if row.seq < self.next_seq {
            return Ok(());
        }
        if row.seq > self.next_seq {
            return Err(ChainBreak::Missing { seq: self.next_seq });
        }
        self.checked += 1;
        if entry_hash(&row.prev_hash, &row.fields()) != row.hash {
            return Err(ChainBreak::Altered {
                seq: row.seq,
                id: row.id,
            });
        }
        if row.prev_hash != self.prev_hash {
            return Err(ChainBreak::Relinked {
                seq: row.seq,
                id: row.id,
            });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&row.hash);
        Ok(())
    }

    /// After the last row up to the head's `last_seq`: the chain must end where the head says.
    pub fn finish(&self, head: &ChainHead) -> Result<(), ChainBreak> {
        let last_seq = self.next_seq - 1;
        if last_seq < head.last_seq {
            return Err(ChainBreak::Truncated {
                head_seq: head.last_seq,
                last_seq,
            });
        }
        if self.prev_hash != head.last_hash {
            return Err(ChainBreak::HeadMismatch { seq: last_seq });
        }
        Ok(())
    }
}

/// Rows read per page while verifying: a province's log has millions, never all in memory.
pub const PAGE_ROWS: u64 = 1_000;

/// Recomputes the chain from the pruned horizon to the head, [`PAGE_ROWS`] rows at a time, and
/// reports the first fault; then counts rows written past the store. Entries written meanwhile
/// (after the head read at the start) are left for the next run. A prune that overlaps moves
/// the horizon past rows about to be read: the check starts again once from the new horizon
/// rather than report them missing.
pub async fn verify<S: AuditChainStore + ?Sized>(store: &S) -> StoreResult<ChainReport> {
    let report = verify_once(store).await?;
    if let Some(ChainBreak::Missing { seq }) = report.broken
        && store.audit_chain_head().await?.pruned_seq >= seq
    {
        return verify_once(store).await;
    }
    Ok(report)
}

async fn verify_once<S: AuditChainStore + ?Sized>(store: &S) -> StoreResult<ChainReport> {
    let head = store.audit_chain_head().await?;
    let mut verifier = ChainVerifier::new(&head);
    let mut after = head.pruned_seq;
    let mut broken = None;
    'pages: loop {
        let rows = store
            .audit_chain_page(after, head.last_seq, PAGE_ROWS)
            .await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            if let Err(b) = verifier.check(row) {
                broken = Some(b);
                break 'pages;
            }
        }
    }
    if broken.is_none() {
        broken = verifier.finish(&head).err();
    }
    if broken.is_none() {
        let rows = store.audit_unchained().await?;
        if rows > 0 {
            broken = Some(ChainBreak::Unchained { rows });
        }
    }
    Ok(ChainReport {
        checked: verifier.checked(),
        pruned_seq: head.pruned_seq,
        head,
        broken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::regions::RegionCode;
    use crate::time::Timestamp;

    fn record(action: &str) -> AuditRecord {
        AuditRecord {
            actor: Some(UserId(7)),
            at: Timestamp::from_micros(1_765_000_000_000_000),
            action: action.into(),
            target_kind: "tech_worker".into(),
            target_id: "42".into(),
            region: RegionCode::parse("511623").ok(),
            before: Some(serde_json::json!({"status": "pending"})),
            after: Some(serde_json::json!({"status": "verified"})),
        }
    }

    /// A chain of `n` rows as the store writes them.
    fn chain(n: i64) -> (Vec<ChainRow>, ChainHead) {
        let mut prev = GENESIS.to_owned();
        let mut rows = Vec::new();
        for seq in 1..=n {
            let r = record(&format!("act.{seq}"));
            let t = StoredTexts::of(&r);
            let hash = entry_hash(&prev, &t.fields(&r, seq));
            rows.push(ChainRow {
                id: seq + 100,
                seq,
                prev_hash: prev.clone(),
                hash: hash.clone(),
                actor: r.actor.map(|a| a.0),
                at: r.at.micros(),
                action: r.action.clone(),
                target_kind: r.target_kind.clone(),
                target_id: r.target_id.clone(),
                region: t.region.clone(),
                before: t.before.clone(),
                after: t.after.clone(),
            });
            prev = hash;
        }
        let head = ChainHead {
            last_seq: n,
            last_hash: prev,
            pruned_seq: 0,
            pruned_hash: GENESIS.into(),
        };
        (rows, head)
    }

    fn verify(rows: &[ChainRow], head: &ChainHead) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::new(head);
        for r in rows {
            v.check(r)?;
        }
        v.finish(head)?;
        Ok(v.checked())
    }

    #[test]
    fn audit_hash_is_stable_and_hex() {
        let r = record("tech_worker.approve");
        let t = StoredTexts::of(&r);
        let h = entry_hash(GENESIS, &t.fields(&r, 1));
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(h, entry_hash(GENESIS, &t.fields(&r, 1)));
        // The documented encoding, spelled out byte by byte.
        let mut bytes = b"kejiyun.audit.v1".to_vec();
        let int = |b: &mut Vec<u8>, v: i64| {
            b.push(1);
            b.extend(v.to_be_bytes());
        };
        let txt = |b: &mut Vec<u8>, s: &str| {
            b.push(1);
            b.extend((s.len() as u64).to_be_bytes());
            b.extend(s.as_bytes());
        };
        int(&mut bytes, 1);
        txt(&mut bytes, GENESIS);
        int(&mut bytes, 7);
        int(&mut bytes, 1_765_000_000_000_000);
        txt(&mut bytes, "tech_worker.approve");
        txt(&mut bytes, "tech_worker");
        txt(&mut bytes, "42");
        txt(&mut bytes, "511623");
        txt(&mut bytes, r#"{"status":"pending"}"#);
        txt(&mut bytes, r#"{"status":"verified"}"#);
        assert_eq!(h, hex::encode(Sha256::digest(&bytes)));
    }

    #[test]
    fn audit_hash_covers_every_field() {
        let r = record("org.approve");
        let t = StoredTexts::of(&r);
        let base = t.fields(&r, 3);
        let h = entry_hash(GENESIS, &base);
        let variants = [
            ChainFields { seq: 4, ..base },
            ChainFields {
                actor: None,
                ..base
            },
            ChainFields {
                at: base.at + 1,
                ..base
            },
            ChainFields {
                action: "org.reject",
                ..base
            },
            ChainFields {
                target_kind: "orgs",
                ..base
            },
            ChainFields {
                target_id: "43",
                ..base
            },
            ChainFields {
                region: None,
                ..base
            },
            ChainFields {
                before: None,
                ..base
            },
            ChainFields {
                after: None,
                ..base
            },
        ];
        for v in variants {
            assert_ne!(entry_hash(GENESIS, &v), h, "{v:?}");
        }
        assert_ne!(entry_hash(&"1".repeat(64), &base), h, "prev_hash");
        // Lengths keep field boundaries: moving text between fields changes the hash.
        let a = ChainFields {
            target_kind: "ab",
            target_id: "c",
            ..base
        };
        let b = ChainFields {
            target_kind: "a",
            target_id: "bc",
            ..base
        };
        assert_ne!(entry_hash(GENESIS, &a), entry_hash(GENESIS, &b));
        // An absent value differs from an empty one.
        let empty = ChainFields {
            region: Some(""),
            ..base
        };
        let none = ChainFields {
            region: None,
            ..base
        };
        assert_ne!(entry_hash(GENESIS, &empty), entry_hash(GENESIS, &none));
    }

    #[test]
    fn audit_chain_whole_verifies() {
        let (rows, head) = chain(5);
        assert_eq!(verify(&rows, &head), Ok(5));
        let empty = ChainHead {
            last_seq: 0,
            last_hash: GENESIS.into(),
            pruned_seq: 0,
            pruned_hash: GENESIS.into(),
        };
        assert_eq!(verify(&[], &empty), Ok(0));
    }

    #[test]
    fn audit_chain_names_the_first_fault() {
        let (rows, head) = chain(5);
        let mut altered = rows.clone();
        altered[2].action = "tampered".into();
        assert_eq!(
            verify(&altered, &head),
            Err(ChainBreak::Altered { seq: 3, id: 103 })
        );
        let mut gap = rows.clone();
        gap.remove(1);
        assert_eq!(verify(&gap, &head), Err(ChainBreak::Missing { seq: 2 }));
        let mut cut = rows.clone();
        cut.pop();
        assert_eq!(
            verify(&cut, &head),
            Err(ChainBreak::Truncated {
                head_seq: 5,
                last_seq: 4
            })
        );
        // A row rehashed after its change still fails: its successor names the old hash.
        let mut rehashed = rows.clone();
        rehashed[1].action = "tampered".into();
        rehashed[1].hash = entry_hash(&rehashed[1].prev_hash, &rehashed[1].fields());
        assert_eq!(
            verify(&rehashed, &head),
            Err(ChainBreak::Relinked { seq: 3, id: 103 })
        );
        let mut last = rows.clone();
        last[4].action = "tampered".into();
        last[4].hash = entry_hash(&last[4].prev_hash, &last[4].fields());
        assert_eq!(
            verify(&last, &head),
            Err(ChainBreak::HeadMismatch { seq: 5 })
        );
    }

    #[test]
    fn audit_chain_starts_after_the_pruned_horizon() {
        let (rows, head) = chain(6);
        let pruned = ChainHead {
            pruned_seq: 2,
            pruned_hash: rows[1].hash.clone(),
            ..head.clone()
        };
        assert_eq!(verify(&rows[2..], &pruned), Ok(4));
        // Rows at or before the horizon (a prune running meanwhile) are skipped.
        assert_eq!(verify(&rows, &pruned), Ok(4));
        assert_eq!(
            verify(&rows[3..], &pruned),
            Err(ChainBreak::Missing { seq: 3 })
        );
        // Everything pruned: the horizon is the head.
        let all = ChainHead {
            pruned_seq: 6,
            pruned_hash: head.last_hash.clone(),
            ..head
        };
        assert_eq!(verify(&[], &all), Ok(0));
    }
}
