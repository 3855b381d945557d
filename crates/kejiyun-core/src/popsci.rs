//! Popular science (科普): resources (科普资源) are a moderated posting kind — the posting
//! engine gives them drafts, review, editing back to review, withdrawal, the queue and the
//! owner's notices — with their own content: a kind (article, video, image, audio, document),
//! a summary, an article's sanitized rich text or an uploaded media file, a cover image, tags.
//! `views` counts their views in memory and flushes them in batches; `article` is the
//! allow-list sanitizer of articles.

pub mod article;
pub mod ports;
pub mod views;

use crate::DomainError;
use crate::ids::OrgId;
use crate::market::categories::Category;
use crate::market::ports::PostingStore;
use crate::market::postings::{Posting, PostingContent, PostingInput, PostingKind, tags};
use crate::ports::Store;
use crate::regions::RegionCode;
use crate::text;
use crate::uploads::{UploadId, UploadKind};

/// What a resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// Rich text written on the site.
    Article,
    Video,
    Image,
    Audio,
    /// A PDF.
    Document,
}

impl ResourceKind {
    pub const ALL: [Self; 5] = [
        Self::Article,
        Self::Video,
        Self::Image,
        Self::Audio,
        Self::Document,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Video => "video",
            Self::Image => "image",
            Self::Audio => "audio",
            Self::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == s)
            .ok_or_else(|| {
                DomainError::invalid("kind", "请选择资源类型（文章、视频、图片、音频、文档）")
            })
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Article => "图文",
            Self::Video => "视频",
            Self::Image => "图片",
            Self::Audio => "音频",
            Self::Document => "文档",
        }
    }

    /// The upload kind of its media file (an article has none: its text is the content).
    pub fn media_kind(self) -> Option<UploadKind> {
        match self {
            Self::Article => None,
            Self::Video => Some(UploadKind::Video),
            Self::Image => Some(UploadKind::Image),
            Self::Audio => Some(UploadKind::Audio),
            Self::Document => Some(UploadKind::Pdf),
        }
    }
}

/// What the form or the API sends.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    pub kind: String,
    pub title: String,
    pub summary: String,
    /// An article's text (HTML from the editor, or plain text); ignored for other kinds.
    pub body: String,
    pub category: String,
    pub tags: Vec<String>,
    pub region: String,
    /// Published in the name of this organization (its admin publishes).
    pub org: Option<i64>,
    /// An image uploaded by the publisher.
    pub cover: Option<String>,
    /// The media file (video, image, audio, PDF) uploaded by the publisher.
    pub media: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDraft {
    pub kind: ResourceKind,
    pub title: String,
    pub summary: String,
    /// An article's sanitized HTML; empty for other kinds.
    pub body: String,
    /// The article's visible text (what search and the banned-word check read; markup could
    /// split a word).
    pub body_text: String,
    pub category: Category,
    pub tags: Vec<String>,
    pub region: RegionCode,
    pub org: Option<OrgId>,
    pub cover: Option<UploadId>,
    pub media: Option<UploadId>,
}

pub type Resource = Posting<ResourceDraft>;

fn upload_id(field: &'static str, raw: Option<&str>) -> Result<Option<UploadId>, DomainError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => UploadId::parse(s)
            .map(Some)
            .ok_or_else(|| DomainError::invalid(field, "文件编号格式不正确，请重新上传")),
    }
}

impl ResourceDraft {
    pub fn parse(i: &ResourceInput) -> Result<Self, DomainError> {
        let kind = ResourceKind::parse(i.kind.trim())?;
        let body = if kind == ResourceKind::Article {
            article::sanitize_article(&i.body)?.html
        } else {
            String::new()
        };
        let body_text = Self::text_of(&body);
        let media = upload_id("media", i.media.as_deref())?;
        if kind == ResourceKind::Article {
            // An article's content is its text; a file sent with it would be shown nowhere.
            if media.is_some() {
                return Err(DomainError::invalid(
                    "media",
                    "图文资源不需要上传媒体文件，请把内容写在正文里",
                ));
            }
        } else if media.is_none() {
            return Err(DomainError::invalid(
                "media",
                format!("请上传{}文件", kind.label_zh()),
            ));
        }
        Ok(Self {
            kind,
            title: text::bounded("title", "资源标题", &i.title, 4, 60, false)?,
            summary: text::bounded("summary", "内容简介", &i.summary, 10, 300, true)?,
            body,
            body_text,
            category: Category::parse(&i.category)?,
            tags: tags(&i.tags)?,
            region: RegionCode::parse(&i.region)
                .map_err(|_| DomainError::invalid("region", "请选择有效的地区"))?,
            org: i.org.map(OrgId),
            cover: upload_id("cover", i.cover.as_deref())?,
            media,
        })
    }

    /// The visible text of stored article HTML (empty for other kinds).
    pub fn text_of(body: &str) -> String {
        if body.is_empty() {
            String::new()
        } else {
            article::plain_text(body)
        }
    }
}

impl PostingInput for ResourceInput {
    type Draft = ResourceDraft;
}

impl PostingContent for ResourceDraft {
    const KIND: PostingKind = PostingKind::Resource;
    const PROVIDED: bool = true;
    const ADMINS_PUBLISH: bool = true;
    type Input = ResourceInput;

    fn parse(input: &ResourceInput) -> Result<Self, DomainError> {
        Self::parse(input)
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn region(&self) -> RegionCode {
        self.region
    }
    fn org(&self) -> Option<OrgId> {
        self.org
    }
    fn public_text(&self) -> Vec<&str> {
        let mut out = vec![
            self.title.as_str(),
            self.summary.as_str(),
            self.body_text.as_str(),
        ];
        out.extend(self.tags.iter().map(String::as_str));
        out
    }
    fn rows(store: &dyn Store) -> &dyn PostingStore<Self> {
        store
    }
}

/// How a resource list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResourceOrder {
    /// Most recently published (updated) first.
    #[default]
    Newest,
    /// Most counted views first.
    MostViewed,
}

impl ResourceOrder {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "" | "newest" => Ok(Self::Newest),
            "views" | "most_viewed" => Ok(Self::MostViewed),
            _ => Err(DomainError::invalid(
                "sort",
                "排序方式只能是 newest 或 views",
            )),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Newest => "newest",
            Self::MostViewed => "views",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> ResourceInput {
        ResourceInput {
            kind: kind.into(),
            title: "柑橘冬季修剪要点".into(),
            summary: "冬季修剪时间、方法和注意事项，适合果农阅读。".into(),
            body: "<p>修剪在采果后到春芽萌动前进行，先剪病虫枝、枯枝，再疏密。</p>".into(),
            category: "fruit".into(),
            tags: vec!["柑橘,修剪".into()],
            region: "511623".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_article_keeps_sanitized_text_and_refuses_a_media_file() {
        let mut i = input("article");
        i.body.push_str("<script>alert(1)</script>");
        let d = ResourceDraft::parse(&i).expect("valid");
        assert!(!d.body.contains("script"));
        assert_eq!(d.tags, vec!["柑橘", "修剪"]);
        assert!(d.body_text.contains("病虫枝"));
        i.media = Some("0123456789abcdef0123456789abcdef".into());
        assert!(ResourceDraft::parse(&i).is_err());
    }

    #[test]
    fn other_kinds_need_their_file_and_keep_no_body() {
        let mut i = input("video");
        assert!(matches!(
            ResourceDraft::parse(&i),
            Err(DomainError::Invalid { field: "media", .. })
        ));
        i.media = Some("0123456789abcdef0123456789abcdef".into());
        let d = ResourceDraft::parse(&i).expect("valid");
        assert_eq!(d.body, "");
        assert_eq!(d.kind.media_kind(), Some(UploadKind::Video));
        i.media = Some("../../etc/passwd".into());
        assert!(ResourceDraft::parse(&i).is_err());
        i.kind = "flash".into();
        assert!(ResourceDraft::parse(&i).is_err());
    }

    #[test]
    fn orders_parse() {
        assert_eq!(ResourceOrder::parse("views"), Ok(ResourceOrder::MostViewed));
        assert_eq!(ResourceOrder::parse(""), Ok(ResourceOrder::Newest));
        assert!(ResourceOrder::parse("random").is_err());
    }
}
