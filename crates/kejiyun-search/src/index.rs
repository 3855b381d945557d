//! [`SearchIndex`]: the tantivy index, its one writer and its reader. Changes arrive as
//! [`Change`]s together with the outbox position they bring the index to; both are committed
//! together (the position is the commit payload), so after a crash the index resumes exactly
//! where its last commit ended. Damage is looked for by the files' checksums at open and after
//! any failed search or write; the index's [`Health`] says whether searches may run meanwhile.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use kejiyun_core::search_ports::{DocKind, SearchDocument, SearchError};
use serde::{Deserialize, Serialize};
use tantivy::directory::{Directory, MmapDirectory};
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::schema::Schema;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analyzer::{Analyzer, CharTokenizer};
use crate::schema::{self, CHARS, Fields, JIEBA, SCHEMA_VERSION};

/// Tries at merging while a merge the writer started by itself may hold the same segments.
const MERGE_ATTEMPTS: usize = 100;

/// Memory the writer may buffer before it flushes a segment.
const WRITER_HEAP_BYTES: usize = 40 * 1024 * 1024;

/// One change to apply: the record's current searchable form, or its removal.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Upsert(SearchDocument),
    Delete(DocKind, i64),
}

/// What the index has applied, stored in each commit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub version: u32,
    /// Every outbox row with an id ≤ `cursor` is applied.
    pub cursor: i64,
}

/// Whether searches can trust the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Health {
    /// Searches run.
    Sound = 0,
    /// A search or a write failed: searches still run, and the writer checks the files'
    /// checksums at its next round.
    Suspect = 1,
    /// Found damaged: searches answer [`SearchError::Rebuilding`] until the writer has rebuilt
    /// the index from the database.
    Rebuilding = 2,
}

impl Health {
    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Sound,
            1 => Self::Suspect,
            _ => Self::Rebuilding,
        }
    }
}

pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    /// `None` after a failed write: the next write opens a new writer at the last commit.
    writer: Mutex<Option<IndexWriter>>,
    pub(crate) fields: Fields,
    pub(crate) analyzer: Analyzer,
    /// Dialect, common and variant names of the same things, for matching.
    pub(crate) equivalents: crate::equivalents::Equivalents,
    dir: Option<PathBuf>,
    /// See [`crate::query::EXACT_COUNT_LIMIT`].
    pub(crate) exact_count_limit: u64,
    pub(crate) columns: crate::columns::ColumnCache,
    /// Held while the index is open (on disk only).
    lock: Option<std::fs::File>,
    /// A [`Health`].
    health: AtomicU8,
    /// The records' sentence embeddings (empty without a model: matching is then by words).
    pub vectors: crate::vectors::VectorIndex,
}

/// Takes the lock file of an index directory, or refuses (another process has it).
fn lock_dir(dir: &Path) -> Result<std::fs::File, SearchError> {
    let path = dir.with_extension("lock");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(err(format!(
            "another process is using the search index {}; give each server its own data_dir",
            dir.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(err(e)),
    }
}

/// The index's one writer (one indexing thread: the indexer is the only writer anyway).
fn new_writer(index: &Index) -> Result<IndexWriter, SearchError> {
    index
        .writer_with_num_threads(1, WRITER_HEAP_BYTES)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(tantivy::directory::error::LockError::LockBusy, _) => err(
                "another process is using this search index directory; give each server its own data_dir",
            ),
            e => err(e),
        })
}

pub(crate) fn err(e: impl std::fmt::Display) -> SearchError {
    SearchError::Index(e.to_string())
}

impl SearchIndex {
    /// An index in memory (tests, benchmarks): it starts empty and catches up from position 0.
    pub fn in_memory(analyzer: Analyzer) -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema)
            .settings(schema::settings())
            .create_in_ram()
            .map_err(err)?;
        Self::from_index(index, fields, analyzer, None)
    }

    /// Opens the index in `dir`, or creates it. An index that cannot be opened (corrupt, or
    /// of another schema version) is deleted and created empty: the database is the source
    /// of truth, and the caller rebuilds it from there (`position()` is then 0).
    ///
    /// The directory belongs to one process: a lock file beside it (`<dir>.lock`, outside the
    /// directory so a rebuild cannot delete it) is taken first, and a second process is
    /// refused before it can touch the files.
    pub fn open(dir: &Path, analyzer: Analyzer) -> Result<Self, SearchError> {
        let lock = lock_dir(dir)?;
        let mut index = match Self::try_open(dir, analyzer.clone()) {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "search index unusable; rebuilding it from the database");
                std::fs::remove_dir_all(dir).map_err(err)?;
                Self::try_open(dir, analyzer)?
            }
        };
        index.lock = Some(lock);
        Ok(index)
    }

    fn try_open(dir: &Path, analyzer: Analyzer) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir).map_err(err)?;
        let mmap = MmapDirectory::open(dir).map_err(err)?;
        // tantivy may panic on a damaged file rather than fail: unusable all the same.
        catch_unwind(AssertUnwindSafe(|| {
            Self::open_directory(Box::new(mmap), analyzer, Some(dir.to_path_buf()))
        }))
        .unwrap_or_else(|panic| Err(err(panic_message(panic.as_ref()))))
    }

    /// Opens or creates the index in `directory` (tests wrap the real one to make it fail).
    pub(crate) fn open_directory(
        directory: Box<dyn Directory>,
        analyzer: Analyzer,
        dir: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        let (schema, fields) = schema::build();
        let index = Index::builder()
            .schema(schema.clone())
            .settings(schema::settings())
            .open_or_create(directory)
            .map_err(err)?;
        if !same_schema(&index.schema(), &schema) {
            return Err(err("the index has another schema"));
        }
        // Every file against its checksum before anything reads it: bytes changed in place
        // leave sizes and metadata as they were, and would otherwise surface as a search
        // that panics.
        damage(&index, dir.as_deref()).map_err(err)?;
        let me = Self::from_index(index, fields, analyzer, dir)?;
        let pos = me.position()?;
        if pos.version != SCHEMA_VERSION && pos.cursor != 0 {
            return Err(err(format!("index schema version {}", pos.version)));
        }
        // Reading every segment once proves the files are whole before the server trusts them.
        me.reader
            .searcher()
            .segment_readers()
            .iter()
            .try_for_each(|s| s.get_store_reader(1).map(|_| ()).map_err(err))?;
        Ok(me)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        analyzer: Analyzer,
        dir: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        index
            .tokenizers()
            .register(JIEBA, TextAnalyzer::from(analyzer.tokenizer()));
        index
            .tokenizers()
            .register(CHARS, TextAnalyzer::from(CharTokenizer::default()));
        let writer = new_writer(&index)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(err)?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(Some(writer)),
            fields,
            analyzer,
            equivalents: crate::equivalents::Equivalents::default(),
            dir,
            exact_count_limit: crate::query::EXACT_COUNT_LIMIT,
            columns: crate::columns::ColumnCache::default(),
            lock: None,
            health: AtomicU8::new(Health::Sound as u8),
            vectors: crate::vectors::VectorIndex::default(),
        })
    }

    pub fn health(&self) -> Health {
        Health::from_u8(self.health.load(Ordering::SeqCst))
    }

    /// Moves the health from `from` to `to`; false if it was not `from` (a search failing
    /// meanwhile keeps its say).
    pub(crate) fn change_health(&self, from: Health, to: Health) -> bool {
        self.health
            .compare_exchange(from as u8, to as u8, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }

    pub(crate) fn set_health(&self, to: Health) {
        self.health.store(to as u8, Ordering::SeqCst);
    }

    /// After a failed search or write: a sound index becomes suspect (the writer checks its
    /// files); one already suspect or being rebuilt stays so. True if it was sound.
    pub(crate) fn suspect(&self) -> bool {
        self.change_health(Health::Sound, Health::Suspect)
    }

    /// Checks the committed segments' files against their checksums; `Err` says what is
    /// damaged (or could not be read).
    pub fn verify(&self) -> Result<(), String> {
        catch_unwind(AssertUnwindSafe(|| {
            damage(&self.index, self.dir.as_deref())
        }))
        .unwrap_or_else(|panic| Err(panic_message(panic.as_ref())))
    }

    /// Runs one search or match. Refused while the index is rebuilt; a failure or a panic
    /// (tantivy does either on a damaged file) makes the index suspect and is answered as
    /// "rebuilding", so nothing shared is left poisoned and no 500 goes out.
    pub(crate) fn guarded<T>(
        &self,
        what: &str,
        run: impl FnOnce() -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        if self.health() == Health::Rebuilding {
            return Err(SearchError::Rebuilding);
        }
        let cause = match catch_unwind(AssertUnwindSafe(run)) {
            Ok(Ok(found)) => return Ok(found),
            Ok(Err(e)) => e.to_string(),
            Err(panic) => format!("panic: {}", panic_message(panic.as_ref())),
        };
        if self.suspect() {
            tracing::error!(
                what,
                cause,
                "a search failed; checking the search index files"
            );
        } else {
            tracing::debug!(what, cause, "a search failed");
        }
        Err(SearchError::Rebuilding)
    }

    /// Up to how many postings a search counts its matches exactly (tests lower it).
    pub fn set_exact_count_limit(&mut self, limit: u64) {
        self.exact_count_limit = limit;
    }

    pub fn directory(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The outbox position of the last commit (0 for a new index).
    pub fn position(&self) -> Result<Position, SearchError> {
        let meta = self.index.load_metas().map_err(err)?;
        Ok(meta
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok())
            .unwrap_or_default())
    }

    /// Applies `changes` and records `cursor`, in one commit; searches see them on return.
    /// On failure nothing of it is kept: the index stays at its last commit.
    pub fn apply(&self, changes: &[Change], cursor: i64) -> Result<(), SearchError> {
        self.write(|writer| {
            for change in changes {
                let (kind, id) = match change {
                    Change::Upsert(d) => (d.kind, d.id),
                    Change::Delete(k, id) => (*k, *id),
                };
                writer.delete_term(Term::from_field_text(
                    self.fields.key,
                    &schema::doc_key(kind, id),
                ));
                if let Change::Upsert(d) = change {
                    writer
                        .add_document(schema::to_doc(&self.fields, &self.analyzer, d))
                        .map_err(err)?;
                }
            }
            Self::commit(writer, cursor)
        })?;
        self.reader.reload().map_err(err)
    }

    /// Replaces the whole content with `docs` (reindex), recording `cursor`.
    pub fn replace_all(
        &self,
        docs: impl IntoIterator<Item = SearchDocument>,
        cursor: i64,
    ) -> Result<u64, SearchError> {
        self.recreate_if_lost()?;
        let n = self.write(|writer| {
            writer.delete_all_documents().map_err(err)?;
            let mut n = 0;
            for d in docs {
                writer
                    .add_document(schema::to_doc(&self.fields, &self.analyzer, &d))
                    .map_err(err)?;
                n += 1;
            }
            Self::commit(writer, cursor)?;
            Ok(n)
        })?;
        self.reader.reload().map_err(err)?;
        Ok(n)
    }

    /// A directory removed under the running server (its open files still answer searches)
    /// is created again, empty, so that a rebuild has somewhere to write.
    fn recreate_if_lost(&self) -> Result<(), SearchError> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        if dir.join("meta.json").exists() {
            return Ok(());
        }
        tracing::warn!(dir = %dir.display(), "the search index directory is gone; creating it again");
        std::fs::create_dir_all(dir).map_err(err)?;
        let (schema, _) = schema::build();
        Index::builder()
            .schema(schema)
            .settings(schema::settings())
            .create_in_dir(dir)
            .map_err(err)?;
        Ok(())
    }

    /// Adds documents without committing (bulk loads); `commit_bulk` publishes them.
    pub fn add_bulk(
        &self,
        docs: impl IntoIterator<Item = SearchDocument>,
    ) -> Result<(), SearchError> {
        self.write(|writer| {
            for d in docs {
                writer
                    .add_document(schema::to_doc(&self.fields, &self.analyzer, &d))
                    .map_err(err)?;
            }
            Ok(())
        })
    }

    pub fn commit_bulk(&self, cursor: i64) -> Result<(), SearchError> {
        self.write(|writer| Self::commit(writer, cursor))?;
        self.reader.reload().map_err(err)
    }

    /// Runs `f` with the writer. A writer that failed is dropped, with everything it had not
    /// committed: tantivy's writer may have lost its indexing thread on an I/O error, and one
    /// kept would then drop every later document while its commits still record positions.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut IndexWriter) -> Result<T, SearchError>,
    ) -> Result<T, SearchError> {
        let mut slot = self.writer.lock().unwrap_or_else(|poisoned| {
            // A panic mid-write: what the writer holds is unknown, so it goes too.
            self.writer.clear_poison();
            let mut slot = poisoned.into_inner();
            *slot = None;
            slot
        });
        let writer = match slot.as_mut() {
            Some(w) => w,
            None => slot.insert(new_writer(&self.index)?),
        };
        let result = f(writer);
        if result.is_err() {
            *slot = None;
        }
        result
    }

    fn commit(writer: &mut IndexWriter, cursor: i64) -> Result<(), SearchError> {
        let payload = serde_json::to_string(&Position {
            version: SCHEMA_VERSION,
            cursor,
        })
        .map_err(err)?;
        let mut prepared = writer.prepare_commit().map_err(err)?;
        prepared.set_payload(&payload);
        prepared.commit().map_err(err)?;
        Ok(())
    }

    /// Merges the segments into as many as a search walks at once (two on a machine with a
    /// spare core, see [`crate::top`]; else one), of about equal sizes: after a bulk load or
    /// a reindex, fewer segments mean fewer dictionary look-ups per query. The commit
    /// payload is kept.
    pub fn optimize(&self) -> Result<(), SearchError> {
        let groups = crate::top::search_segments();
        self.write(|writer| {
            // No merge of the writer's own starts meanwhile; one already running may still
            // take segments from under ours, which then fails and is planned again once it
            // ends.
            writer.set_merge_policy(Box::new(NoMergePolicy));
            let mut merged = Ok(());
            for attempt in 0..MERGE_ATTEMPTS {
                merged = Self::merge_into(writer, &self.index, groups);
                if merged.is_ok() {
                    break;
                }
                if attempt + 1 < MERGE_ATTEMPTS {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
            // Back to the policy the writer was opened with (tantivy's default).
            writer.set_merge_policy(Box::new(LogMergePolicy::default()));
            merged?;
            // The reader lets go of the merged-away segments first, so their files go now,
            // not at the next commit.
            self.reader.reload().map_err(err)?;
            writer.garbage_collect_files().wait().map_err(err)?;
            Ok(())
        })
    }

    /// One try at merging the committed segments into `groups` of about equal sizes.
    fn merge_into(
        writer: &mut IndexWriter,
        index: &Index,
        groups: usize,
    ) -> Result<(), SearchError> {
        let metas = index.searchable_segment_metas().map_err(err)?;
        if metas.len() <= groups {
            return Ok(());
        }
        let merges = balanced_groups(&metas, groups);
        // A `SegmentMeta` keeps its files from the garbage collection after the merge.
        drop(metas);
        for group in merges {
            if group.len() > 1 {
                writer.merge(&group).wait().map_err(err)?;
            }
        }
        Ok(())
    }

    /// Searchable segments (a merge reduces them).
    pub fn segments(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Documents in the index (all kinds).
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Bytes the index occupies on disk (0 in memory).
    pub fn size_bytes(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            std::fs::read_dir(p).map_or(0, |rd| {
                rd.flatten()
                    .map(|e| match e.metadata() {
                        Ok(m) if m.is_dir() => walk(&e.path()),
                        Ok(m) => m.len(),
                        Err(_) => 0,
                    })
                    .sum()
            })
        }
        self.dir.as_deref().map_or(0, walk)
    }

    /// A stored document, for display.
    pub(crate) fn stored(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<TantivyDocument, SearchError> {
        searcher.doc(addr).map_err(err)
    }
}

/// `Err` naming the damaged files of the committed segments (or why they could not be read).
fn damage(index: &Index, dir: Option<&Path>) -> Result<(), String> {
    let mut damaged: Vec<String> = index
        .validate_checksum()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    // tantivy checks the files `.managed.json` lists; should that list be lost, every file of
    // a committed segment on disk is checked all the same.
    if let Some(dir) = dir {
        let live: Vec<String> = index
            .searchable_segment_metas()
            .map_err(|e| e.to_string())?
            .iter()
            .map(|m| m.id().uuid_string())
            .collect();
        for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
            let name = entry.map_err(|e| e.to_string())?.file_name();
            let name = name.to_string_lossy();
            if live.iter().any(|id| name.starts_with(id.as_str()))
                && !index
                    .directory()
                    .validate_checksum(Path::new(name.as_ref()))
                    .map_err(|e| e.to_string())?
                && !damaged.iter().any(|d| *d == name)
            {
                damaged.push(name.into_owned());
            }
        }
    }
    if damaged.is_empty() {
        return Ok(());
    }
    damaged.sort_unstable();
    Err(format!("checksum mismatch in {}", damaged.join(", ")))
}

/// What a caught panic said.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

fn same_schema(a: &Schema, b: &Schema) -> bool {
    let names = |s: &Schema| -> Vec<String> {
        s.fields()
            .map(|(_, e)| format!("{}:{:?}", e.name(), e.field_type().value_type()))
            .collect()
    };
    names(a) == names(b)
}

/// The segments' ids in `n` groups of about equal document counts (largest first, each to
/// the lightest group).
fn balanced_groups(
    metas: &[tantivy::SegmentMeta],
    n: usize,
) -> Vec<Vec<tantivy::index::SegmentId>> {
    let mut sorted: Vec<&tantivy::SegmentMeta> = metas.iter().collect();
    sorted.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
    let mut groups: Vec<(u64, Vec<tantivy::index::SegmentId>)> = vec![(0, Vec::new()); n.max(1)];
    for m in sorted {
        if let Some(lightest) = groups.iter_mut().min_by_key(|(docs, _)| *docs) {
            lightest.0 += u64::from(m.num_docs());
            lightest.1.push(m.id());
        }
    }
    groups.into_iter().map(|(_, ids)| ids).collect()
}
