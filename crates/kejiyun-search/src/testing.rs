//! Helpers for tests that damage an index on disk (this crate's and the integration tests';
//! feature `testing`).

use std::path::Path;

/// Flips bytes in each file of `dir` whose name ends in `.{ext}`, in place and without
/// changing its size (the footer with the checksum stays as written); returns the files
/// changed.
pub fn damage_in_place(dir: &Path, ext: &str) -> usize {
    use std::io::{Seek, SeekFrom, Write};
    let mut changed = 0;
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(ext) {
            continue;
        }
        let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let size = bytes.len();
        // tantivy's footer — a JSON with the checksum, its length and a magic number, 4 bytes
        // each — stays as written: only the data changes.
        let footer = bytes
            .get(size.saturating_sub(8)..size.saturating_sub(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u32::from_le_bytes(b) as usize)
            + 8;
        for b in bytes
            .iter_mut()
            .take(size.saturating_sub(footer))
            .step_by(7)
        {
            *b ^= 0xA5;
        }
        // Written into the same file (an mmap of it sees the change), not a new one.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("{e}"));
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.write_all(&bytes))
            .unwrap_or_else(|e| panic!("{e}"));
        drop(file);
        let after = std::fs::metadata(&path).map_or(0, |m| m.len());
        assert_eq!(
            usize::try_from(after).unwrap_or_default(),
            size,
            "size kept"
        );
        changed += 1;
    }
    changed
}
