//! [`UploadStore`]: uploaded files in `<data-dir>/uploads/ab/<id>.<ext>` and their rows in
//! `uploads`; the photo links of questions and answers.
//!
//! Consistency without a transaction spanning disk and database: the file is written first
//! (a temporary name in the same directory, fsync, rename, fsync of the directory), the row
//! after. A row therefore never names a missing file; a crash or failed insert leaves at most
//! an orphan file, which nothing refers to (it can be swept by comparing the directory with
//! the table).

use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use kejiyun_core::ids::{QuestionId, UserId};
use kejiyun_core::ports::{StoreError, StoreResult, Unavailable};
use kejiyun_core::time::Timestamp;
use kejiyun_core::uploads::ports::{NewUpload, PhotoTarget, UploadStore};
use kejiyun_core::uploads::{Upload, UploadId, UploadKind, relative_path};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::{SeaStore, begin_write, corrupt, db_err};
use crate::entities::{answer_photos, question_photos, uploads};

/// The upload store: the database of a [`SeaStore`] and the data directory.
#[derive(Clone)]
pub struct FileStore {
    db: DatabaseConnection,
    root: PathBuf,
}

impl SeaStore {
    /// The upload store over this database, keeping files below `data_dir`.
    pub fn files(&self, data_dir: &Path) -> FileStore {
        FileStore {
            db: self.db.clone(),
            root: data_dir.to_path_buf(),
        }
    }
}

fn io_err(e: &std::io::Error) -> StoreError {
    // A full disk is a state the client may retry after (as a full database is).
    if e.raw_os_error() == Some(28) {
        StoreError::Unavailable {
            kind: Unavailable::StorageFull,
            cause: format!("upload file: {e}"),
        }
    } else {
        StoreError::Backend(format!("upload file: {e}"))
    }
}

/// Writes `bytes` at `path` atomically and durably: a temporary file beside it, fsync, rename
/// over, fsync of the directory (so the rename itself survives a power cut).
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("upload path without a directory"))?;
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| std::io::Error::other("upload path without a name"))?;
    let tmp = dir.join(format!(".{name}.{}.tmp", rand::random::<u32>()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn to_upload(m: uploads::Model) -> StoreResult<Upload> {
    let dim = |v: Option<i32>| v.and_then(|x| u32::try_from(x).ok());
    Ok(Upload {
        id: UploadId::parse(&m.id).ok_or_else(|| corrupt("upload id", &m.id))?,
        owner: UserId(m.owner_id),
        kind: UploadKind::parse(&m.kind).ok_or_else(|| corrupt("upload kind", &m.kind))?,
        mime: m.mime,
        size: u64::try_from(m.byte_size).unwrap_or(0),
        width: dim(m.width),
        height: dim(m.height),
        sha256: m.sha256,
        original_name: m.original_name,
        has_thumb: m.has_thumb,
        created_at: Timestamp(m.created_at),
    })
}

async fn insert_row(db: &DatabaseConnection, u: &Upload) -> StoreResult<()> {
    let dim = |v: Option<u32>| v.and_then(|x| i32::try_from(x).ok());
    let row = uploads::ActiveModel {
        id: Set(u.id.to_string()),
        owner_id: Set(u.owner.0),
        kind: Set(u.kind.as_str().to_owned()),
        mime: Set(u.mime.clone()),
        byte_size: Set(i64::try_from(u.size).unwrap_or(i64::MAX)),
        width: Set(dim(u.width)),
        height: Set(dim(u.height)),
        sha256: Set(u.sha256.clone()),
        original_name: Set(u.original_name.clone()),
        has_thumb: Set(u.has_thumb),
        created_at: Set(u.created_at.micros()),
    };
    let txn = begin_write(db).await?;
    uploads::Entity::insert(row)
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
    txn.commit().await.map_err(db_err)
}

async fn attach(db: &DatabaseConnection, target: PhotoTarget, ids: &[UploadId]) -> StoreResult<()> {
    let txn = begin_write(db).await?;
    for (i, id) in ids.iter().enumerate() {
        let position = i16::try_from(i).unwrap_or(i16::MAX);
        let upload_id = id.to_string();
        match target {
            PhotoTarget::Question(q) => {
                question_photos::Entity::insert(question_photos::ActiveModel {
                    question_id: Set(q.0),
                    position: Set(position),
                    upload_id: Set(upload_id),
                })
                .exec_without_returning(&txn)
                .await
            }
            PhotoTarget::Answer(a) => {
                answer_photos::Entity::insert(answer_photos::ActiveModel {
                    answer_id: Set(a.0),
                    position: Set(position),
                    upload_id: Set(upload_id),
                })
                .exec_without_returning(&txn)
                .await
            }
        }
        .map_err(db_err)?;
    }
    txn.commit().await.map_err(db_err)
}

/// (target, position, upload id) of the photos of `targets`.
async fn links(
    db: &DatabaseConnection,
    targets: &[PhotoTarget],
) -> StoreResult<Vec<(PhotoTarget, i16, String)>> {
    let mut questions = Vec::new();
    let mut answers = Vec::new();
    for t in targets {
        match t {
            PhotoTarget::Question(q) => questions.push(q.0),
            PhotoTarget::Answer(a) => answers.push(a.0),
        }
    }
    let mut out = Vec::new();
    if !questions.is_empty() {
        for r in question_photos::Entity::find()
            .filter(question_photos::Column::QuestionId.is_in(questions))
            .order_by_asc(question_photos::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?
        {
            let target = PhotoTarget::Question(QuestionId::new(r.question_id));
            out.push((target, r.position, r.upload_id));
        }
    }
    if !answers.is_empty() {
        for r in answer_photos::Entity::find()
            .filter(answer_photos::Column::AnswerId.is_in(answers))
            .order_by_asc(answer_photos::Column::Position)
            .all(db)
            .await
            .map_err(db_err)?
        {
            out.push((
                PhotoTarget::Answer(r.answer_id.into()),
                r.position,
                r.upload_id,
            ));
        }
    }
    Ok(out)
}

async fn rows(db: &DatabaseConnection, ids: Vec<String>) -> StoreResult<Vec<Upload>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    uploads::Entity::find()
        .filter(uploads::Column::Id.is_in(ids))
        .all(db)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(to_upload)
        .collect()
}

#[async_trait]
impl UploadStore for FileStore {
    async fn save_upload(&self, new: NewUpload) -> StoreResult<()> {
        let u = &new.upload;
        let main = self.root.join(relative_path(&u.id, &u.mime, false));
        let thumb = self.root.join(relative_path(&u.id, &u.mime, true));
        let (bytes, thumb_bytes) = (new.bytes, new.thumb);
        tokio::task::spawn_blocking(move || {
            if let Some(t) = thumb_bytes {
                write_durably(&thumb, &t)?;
            }
            write_durably(&main, &bytes)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("upload writer: {e}")))?
        .map_err(|e| io_err(&e))?;
        retry!(insert_row(&self.db, u))
    }

    async fn uploads(&self, ids: &[UploadId]) -> StoreResult<Vec<Upload>> {
        rows(&self.db, ids.iter().map(ToString::to_string).collect()).await
    }

    async fn attach_photos(&self, target: PhotoTarget, ids: &[UploadId]) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        retry!(attach(&self.db, target, ids))
    }

    async fn photos(&self, targets: &[PhotoTarget]) -> StoreResult<Vec<(PhotoTarget, Upload)>> {
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let mut links = links(&self.db, targets).await?;
        links.sort_by_key(|(_, position, _)| *position);
        let ids = links.iter().map(|(_, _, id)| id.clone()).collect();
        let found = rows(&self.db, ids).await?;
        Ok(links
            .into_iter()
            .filter_map(|(t, _, id)| {
                found
                    .iter()
                    .find(|u| u.id.as_str() == id)
                    .map(|u| (t, u.clone()))
            })
            .collect())
    }

    fn file_path(&self, upload: &Upload, thumb: bool) -> PathBuf {
        self.root.join(relative_path(
            &upload.id,
            &upload.mime,
            thumb && upload.has_thumb,
        ))
    }
}
