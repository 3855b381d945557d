//! Uploads: one file checked by its content, images re-encoded, stored under a generated id;
//! and the check of photo ids a question or an answer refers to.

use sha2::{Digest, Sha256};

use crate::ids::UserId;
use crate::permissions::Actor;
use crate::uploads::ports::NewUpload;
use crate::uploads::{
    MAX_PHOTOS, Upload, UploadId, UploadKind, display_name, images, too_many_photos,
};
use crate::{DomainError, DomainResult};

use_cases!(Uploads, uploads, "Safe uploads and photo references");

fn no_upload() -> DomainError {
    DomainError::NotFound("文件不存在".into())
}

impl Uploads<'_> {
    /// Checks one file (its kind from its content, one of `allowed`, within its limit),
    /// re-encodes an image and makes its thumbnail; stores nothing (a form with several files
    /// prepares them all before storing any).
    pub fn prepare(
        &self,
        owner: UserId,
        file_name: &str,
        bytes: &[u8],
        allowed: &[UploadKind],
    ) -> DomainResult<NewUpload> {
        let policy = &self.upload_policy;
        let format = policy.check(bytes, allowed)?;
        let kind = format.kind();
        let (bytes, thumb, mime, width, height) = if kind == UploadKind::Image {
            let p = images::process(bytes, format, policy)?;
            (
                p.bytes,
                Some(p.thumb),
                p.mime,
                Some(p.width),
                Some(p.height),
            )
        } else {
            (bytes.to_vec(), None, format.mime(), None, None)
        };
        let upload = Upload {
            id: UploadId::random(),
            owner,
            kind,
            mime: mime.to_owned(),
            size: bytes.len() as u64,
            width,
            height,
            sha256: hex::encode(Sha256::digest(&bytes)),
            original_name: display_name(file_name),
            has_thumb: thumb.is_some(),
            created_at: self.now(),
        };
        Ok(NewUpload {
            upload,
            bytes,
            thumb,
        })
    }

    /// Stores a prepared upload (file first, then its row).
    pub async fn store(&self, new: NewUpload) -> DomainResult<Upload> {
        let upload = new.upload.clone();
        self.files.save_upload(new).await?;
        Ok(upload)
    }

    /// Photos sent with a page form (name, bytes): at most [`MAX_PHOTOS`], all checked and
    /// re-encoded before the first is stored, so one bad file stores none. Returns their ids.
    pub async fn store_photos(
        &self,
        actor: &Actor,
        files: &[(&str, &[u8])],
    ) -> DomainResult<Vec<UploadId>> {
        if files.len() > MAX_PHOTOS {
            return Err(too_many_photos());
        }
        let mut prepared = Vec::with_capacity(files.len());
        for (name, bytes) in files {
            let new = self
                .prepare(actor.user_id, name, bytes, &[UploadKind::Image])
                .map_err(|e| match e {
                    DomainError::Invalid { message, .. } => {
                        DomainError::invalid("photos", format!("{}：{message}", display_name(name)))
                    }
                    other => other,
                })?;
            prepared.push(new);
        }
        let mut ids = Vec::with_capacity(prepared.len());
        for new in prepared {
            ids.push(self.store(new).await?.id);
        }
        Ok(ids)
    }

    /// A logged-in user uploads one file of one of `allowed` kinds.
    pub async fn upload(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
        allowed: &[UploadKind],
    ) -> DomainResult<Upload> {
        let new = self.prepare(actor.user_id, file_name, bytes, allowed)?;
        self.store(new).await
    }

    /// An upload, to serve (ids are unguessable: whoever has the link may see the file, as
    /// with the question it is shown on).
    pub async fn get(&self, id: &UploadId) -> DomainResult<Upload> {
        self.files
            .uploads(std::slice::from_ref(id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(no_upload)
    }

    /// Photo ids a question or an answer refers to: at most [`MAX_PHOTOS`], each an image the
    /// actor uploaded (someone else's, or an unknown id, is refused without saying which
    /// exists).
    pub async fn own_photos(&self, actor: &Actor, ids: &[UploadId]) -> DomainResult<()> {
        if ids.len() > MAX_PHOTOS {
            return Err(too_many_photos());
        }
        if ids.is_empty() {
            return Ok(());
        }
        let found = self.files.uploads(ids).await?;
        for id in ids {
            let ok = found
                .iter()
                .any(|u| &u.id == id && u.owner == actor.user_id && u.kind == UploadKind::Image);
            if !ok {
                return Err(DomainError::invalid(
                    "photo_ids",
                    format!("图片 {id} 不存在或不是您上传的图片"),
                ));
            }
        }
        Ok(())
    }
}
