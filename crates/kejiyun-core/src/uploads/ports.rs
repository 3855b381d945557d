//! The storage port of uploads: the file (in the data directory) and its row (in the
//! database), and the photos linked to a question or an answer.

use std::path::PathBuf;

use async_trait::async_trait;

use super::{Upload, UploadId};
use crate::ids::{AnswerId, QuestionId};
use crate::ports::StoreResult;

/// A new upload: its row, and the bytes to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUpload {
    pub upload: Upload,
    pub bytes: Vec<u8>,
    pub thumb: Option<Vec<u8>>,
}

/// What photos are attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PhotoTarget {
    Question(QuestionId),
    Answer(AnswerId),
}

#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Writes the file(s) first (temporary name, fsync, rename), then the row: a row never
    /// names a missing file; a failure leaves at most an orphan file, which is harmless.
    async fn save_upload(&self, new: NewUpload) -> StoreResult<()>;
    /// The uploads among `ids` that exist (any order).
    async fn uploads(&self, ids: &[UploadId]) -> StoreResult<Vec<Upload>>;
    /// Links `ids` (in this order) to `target`, in one transaction.
    async fn attach_photos(&self, target: PhotoTarget, ids: &[UploadId]) -> StoreResult<()>;
    /// The photos of each of `targets`, in their order.
    async fn photos(&self, targets: &[PhotoTarget]) -> StoreResult<Vec<(PhotoTarget, Upload)>>;
    /// The file of an upload (or its thumbnail) on disk, for serving.
    fn file_path(&self, upload: &Upload, thumb: bool) -> PathBuf;
}
