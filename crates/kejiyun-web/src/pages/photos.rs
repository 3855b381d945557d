//! Photos on page forms (a question, an answer): the multipart form they come in, read with
//! its CSRF check within the image limit of the upload engine, and the thumbnails shown.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use kejiyun_core::uploads::ports::PhotoTarget;
use kejiyun_core::uploads::{MAX_PHOTOS, Upload};

use super::common::Pg;
use super::multipart::{self, CsrfMultipart};
use crate::AppState;
use crate::api::uploads::file_url;
use crate::pages::status_page;
use crate::session::{Ctx, FormRejection};

/// A `multipart/form-data` form with up to [`MAX_PHOTOS`] photos (each at most the image
/// limit; the route lifts the global body limit, this is the limit).
pub struct PhotoForm(pub CsrfMultipart);

impl FromRequest<AppState> for PhotoForm {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        // Only a logged-in visitor may send photos: a visitor's body is refused unread.
        if let Some(ctx) = req.extensions().get::<Ctx>()
            && ctx.session.is_none()
        {
            let page = status_page(
                state,
                ctx,
                StatusCode::UNAUTHORIZED,
                Some("请先登录".into()),
            );
            return Err(FormRejection(page));
        }
        let per_file = state.services.upload_policy.image_max_bytes;
        // One file more than allowed still fits, so that the count is refused with its own
        // message rather than as an oversize body.
        let all = per_file.saturating_mul(MAX_PHOTOS + 1);
        multipart::read(req, state, per_file, all).await.map(Self)
    }
}

impl PhotoForm {
    /// The first value of a text part ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name)
    }

    /// The files sent (name, bytes), in order.
    pub fn files(&self) -> Vec<(&str, &[u8])> {
        self.0
            .files
            .iter()
            .map(|f| (f.file_name.as_str(), f.bytes.as_slice()))
            .collect()
    }
}

/// A thumbnail linking to the full image.
pub struct PhotoView {
    pub href: String,
    pub thumb: String,
}

/// The photo field's hint: how many, of what, how large.
pub fn photos_hint(pg: &Pg<'_>) -> String {
    let mb = pg.s().upload_policy.image_max_bytes / (1024 * 1024);
    pg.t("qa.photos_hint")
        .replace("{n}", &MAX_PHOTOS.to_string())
        .replace("{mb}", &mb.to_string())
}

/// The photos of `target` among a thread's.
pub fn views(photos: &[(PhotoTarget, Upload)], target: PhotoTarget) -> Vec<PhotoView> {
    photos
        .iter()
        .filter(|(t, _)| *t == target)
        .map(|(_, u)| PhotoView {
            href: file_url(&u.id, false),
            thumb: file_url(&u.id, u.has_thumb),
        })
        .collect()
}
