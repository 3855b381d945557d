//! The 科普资源 publish / edit form as the browser sends it, read by the pages' one multipart
//! reader ([`multipart::read_with`]) under the resource's own file rules (see
//! [`ResourceParts`]).

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use kejiyun_core::popsci::{ResourceKind, article};

use super::multipart::{self, CsrfMultipart, FileRules, SentFile};
use super::resources::MEDIA_KINDS;
use crate::AppState;
use crate::session::{Ctx, FormRejection};

/// The publish / edit form: at most one `media` file (within the policy's limit of the chosen
/// kind, or of the largest media kind when the kind comes after it) and one `cover` image, from
/// a logged-in visitor only.
pub struct ResourceParts {
    form: CsrfMultipart,
    pub(super) media: Option<SentFile>,
    pub(super) cover: Option<SentFile>,
}

impl FromRequest<AppState> for ResourceParts {
    type Rejection = FormRejection;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = req.extensions().get::<Ctx>().cloned();
        let policy = &state.services.upload_policy;
        let per_file = |field: &str, sent: &CsrfMultipart| match field {
            "media" => Some(
                match ResourceKind::parse(sent.get("kind").trim())
                    .ok()
                    .and_then(ResourceKind::media_kind)
                {
                    Some(k) => (policy.max_bytes(k), k.label_zh()),
                    None => (policy.largest(&MEDIA_KINDS), "文件"),
                },
            ),
            "cover" => Some((policy.image_max_bytes, "封面图片")),
            _ => None,
        };
        let rules = FileRules {
            // Both files and an article's longest raw text (a text part).
            all_files: policy
                .largest(&MEDIA_KINDS)
                .saturating_add(policy.image_max_bytes)
                .saturating_add(article::RAW_MAX_BYTES),
            per_file: &per_file,
            logged_in_only: true,
        };
        let mut form = multipart::read_with(req, state, &rules).await?;
        let take = |field: &str| {
            let mut sent = form.files.iter().filter(|f| f.field == field);
            match (sent.next(), sent.next()) {
                (first, None) => Ok(first.cloned()),
                _ => Err(()),
            }
        };
        match (take("media"), take("cover")) {
            (Ok(media), Ok(cover)) => {
                form.files.clear();
                form.file = None;
                Ok(Self { form, media, cover })
            }
            _ => {
                let message = "表单内容无法解析".to_owned();
                Err(FormRejection(match &ctx {
                    Some(ctx) => {
                        super::status_page(state, ctx, StatusCode::BAD_REQUEST, Some(message))
                    }
                    None => {
                        crate::error::ApiError::new(StatusCode::BAD_REQUEST, "bad_form", message)
                            .into_response()
                    }
                }))
            }
        }
    }
}

impl ResourceParts {
    /// The first value of a text part ("" when absent).
    pub(super) fn get(&self, name: &str) -> &str {
        self.form.get(name)
    }
}
