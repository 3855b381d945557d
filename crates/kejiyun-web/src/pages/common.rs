//! What every page shares: the layout data, rendering, error pages, redirects and query
//! parameters.

use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kejiyun_core::DomainError;
use kejiyun_core::app::Services;
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::orgs::OrgType;
use kejiyun_core::permissions::Actor;
use kejiyun_core::regions::{RegionCode, RegionLevel};

use crate::AppState;
use crate::error::status_of;
use crate::i18n::{Lang, t};
use crate::session::Ctx;

/// Where each administrator role's work is: a region or system admin's moderation queue
/// (工作台), the security administrator's list of administrators, the audit administrator's
/// log; empty for everyone else.
pub fn admin_home(actor: &Actor) -> &'static str {
    if actor.runs_regions() {
        "/admin"
    } else if actor.is_security_admin() {
        "/admin/admins"
    } else if actor.is_audit_admin() {
        "/admin/audit"
    } else {
        ""
    }
}

/// The data of the base template (header, navigation, footer, flash messages).
pub struct Layout {
    pub lang: Lang,
    pub elder: bool,
    pub csrf: String,
    pub logged_in: bool,
    /// Holds an administrator role: the header links to `admin_href`.
    pub is_admin: bool,
    /// Where the header's admin link leads: each administrator role to its own work.
    pub admin_href: &'static str,
    /// A region or system admin (the business tabs of the admin menu).
    pub runs_regions: bool,
    /// The security or audit administrator: the administrators' list (the security
    /// administrator also changes it).
    pub sees_admins: bool,
    /// Reads an audit trail: region and system admins theirs, the audit administrator all.
    pub reads_audit: bool,
    /// The security administrator (lockouts of any name).
    pub manages_security: bool,
    /// An administrator whose session has not passed the second factor the policy requires
    /// (acting as an ordinary user): the banner linking to /me/security.
    pub second_factor_missing: bool,
    /// The deployment's root region; empty where it is not known (the bare 404 page).
    pub root_name: String,
    pub title: String,
    /// Which navigation entry is current: home, regions, tech_workers, orgs, me, admin, login …
    pub section: &'static str,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The header badge: the visitor's unread notifications.
    pub unread: u64,
    /// The admin menu's badge: items waiting for moderation in the admin's regions.
    pub pending: u64,
    /// An administrator's expired password: the banner leading to the change form.
    pub password_expired: bool,
    /// The header's region switcher: the visitor's chosen region (or the root) and where to
    /// change it.
    pub region_name: String,
    pub region_href: String,
}

impl Layout {
    /// A static file's versioned URL (long-cached; see `assets`).
    pub fn asset(&self, path: &str) -> String {
        crate::assets::url(path)
    }

    pub fn from_ctx(ctx: &Ctx, root_name: String, title: String, section: &'static str) -> Self {
        let actor = ctx.actor();
        Self {
            lang: ctx.lang,
            elder: ctx.elder,
            csrf: ctx.csrf.clone(),
            logged_in: actor.is_some(),
            is_admin: actor.is_some_and(Actor::is_admin),
            admin_href: actor.map_or("", admin_home),
            runs_regions: actor.is_some_and(Actor::runs_regions),
            sees_admins: actor.is_some_and(|a| a.is_security_admin() || a.is_audit_admin()),
            reads_audit: actor.is_some_and(|a| a.runs_regions() || a.is_audit_admin()),
            manages_security: actor.is_some_and(Actor::is_security_admin),
            second_factor_missing: ctx
                .session
                .as_ref()
                .is_some_and(|s| s.token.needs_second_factor),
            title,
            section,
            notice: None,
            error: None,
            unread: ctx.unread_notifications,
            pending: ctx.pending_moderation,
            password_expired: ctx.password_expired,
            region_name: root_name.clone(),
            region_href: "/regions".to_owned(),
            root_name,
        }
    }

    /// A page text; in elder mode its plain wording where the locale has one.
    pub fn t(&self, key: &str) -> &'static str {
        if self.elder
            && let Some(plain) = crate::i18n::plain(self.lang, key)
        {
            return plain;
        }
        t(self.lang, key)
    }

    pub fn lang_code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_en(&self) -> bool {
        self.lang.is_en()
    }

    pub fn current(&self, section: &str) -> bool {
        self.section == section
    }
}

/// One page request: the application state and the caller's context.
pub struct Pg<'a> {
    pub state: &'a AppState,
    pub ctx: Ctx,
}

impl<'a> Pg<'a> {
    pub fn new(state: &'a AppState, ctx: Ctx) -> Self {
        Self { state, ctx }
    }

    pub fn s(&self) -> &'a Services {
        &self.state.services
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.ctx.actor()
    }

    pub fn lang(&self) -> Lang {
        self.ctx.lang
    }

    pub fn t(&self, key: &str) -> &'static str {
        t(self.ctx.lang, key)
    }

    pub fn root_name(&self) -> String {
        self.s()
            .root_region()
            .map(|r| r.name.clone())
            .unwrap_or_default()
    }

    /// The layout of a page titled by the locale key `title_key`.
    pub fn layout(&self, title_key: &str, section: &'static str) -> Layout {
        self.layout_titled(self.t(title_key).to_owned(), section)
    }

    pub fn layout_titled(&self, title: String, section: &'static str) -> Layout {
        let mut layout = Layout::from_ctx(&self.ctx, self.root_name(), title, section);
        if let Some(code) = self.chosen_region() {
            layout.region_name = self.region_short_name(code);
            layout.region_href = format!("/regions/{code}");
        }
        layout
    }

    /// The region the visitor chose with the switcher, if it belongs to this deployment.
    pub fn chosen_region(&self) -> Option<RegionCode> {
        self.ctx
            .chosen_region
            .filter(|c| self.s().deployment_region(*c, "region").is_ok())
    }

    /// The logged-in caller, or a redirect to the login page that comes back here.
    pub fn require_login(&self) -> Result<&Actor, PageError> {
        self.actor()
            .ok_or_else(|| PageError::new(login_redirect(&self.ctx.path)))
    }

    /// A logged-in administrator of regions' business (a region or system admin), or the
    /// login redirect / the 403 page.
    pub fn require_admin(&self) -> Result<&Actor, PageError> {
        let actor = self.require_login()?;
        if actor.runs_regions() {
            Ok(actor)
        } else {
            Err(self.fail(DomainError::Forbidden(self.t("error.admins_only").into())))
        }
    }

    /// The page for a domain error that is not a form's validation message.
    pub fn fail(&self, e: DomainError) -> PageError {
        PageError::new(match e {
            DomainError::Unauthenticated => login_redirect(&self.ctx.path),
            other => {
                crate::error::log_cause(&other);
                let status = status_of(&other);
                let message = match &other {
                    DomainError::Internal(_) => None,
                    e => Some(e.to_string()),
                };
                crate::error::with_retry_after(
                    error_page(&self.ctx, Some(self.root_name()), status, message),
                    crate::error::retry_after_of(&other),
                )
            }
        })
    }

    pub fn region_name(&self, code: RegionCode) -> String {
        self.s().regions.full_name(code)
    }

    pub fn region_short_name(&self, code: RegionCode) -> String {
        self.s()
            .regions
            .get(code)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.to_string())
    }

    pub fn status_label(&self, s: ModerationStatus) -> &'static str {
        self.t(&format!("status.{}", s.as_str()))
    }

    pub fn org_type_label(&self, ty: OrgType) -> &'static str {
        if self.lang().is_en() {
            ty.label_en()
        } else {
            ty.label_zh()
        }
    }

    pub fn level_label(&self, level: RegionLevel) -> &'static str {
        self.t(&format!("level.{}", level.as_str()))
    }
}

/// A page that could not be shown as asked: an error page or a redirect.
pub struct PageError(Box<Response>);

impl PageError {
    pub fn new(r: Response) -> Self {
        Self(Box::new(r))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

pub type PageResult = Result<Response, PageError>;

/// `result.or_page(&pg)?`: a domain error becomes its page.
pub trait OrPage<T> {
    fn or_page(self, pg: &Pg<'_>) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, DomainError> {
    fn or_page(self, pg: &Pg<'_>) -> Result<T, PageError> {
        self.map_err(|e| pg.fail(e))
    }
}

/// Renders a template with a status; a template error is logged and answered with a 500.
pub fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (
            status,
            [
                (
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (CACHE_CONTROL, HeaderValue::from_static("private, no-cache")),
            ],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误").into_response()
        }
    }
}

pub fn ok<T: Template>(page: &T) -> PageResult {
    Ok(render(StatusCode::OK, page))
}

/// A 303 See Other to a local path.
pub fn see_other(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

pub fn login_redirect(back_to: &str) -> Response {
    let next = serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default();
    see_other(&format!("/login?{next}"))
}

#[derive(Template)]
#[template(path = "error.html", whitespace = "minimize")]
struct ErrorTpl {
    base: Layout,
    code: u16,
    heading: &'static str,
    message: String,
}

/// The 403 / 404 / 4xx / 500 page.
pub fn error_page(
    ctx: &Ctx,
    root_name: Option<String>,
    status: StatusCode,
    message: Option<String>,
) -> Response {
    let key = match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::TOO_MANY_REQUESTS => "error.too_many_requests",
        s if s.is_server_error() => "error.internal",
        _ => "error.bad_request",
    };
    let heading = t(ctx.lang, key);
    let message = message.unwrap_or_else(|| t(ctx.lang, &format!("{key}_hint")).to_owned());
    let page = ErrorTpl {
        base: Layout::from_ctx(
            ctx,
            root_name.unwrap_or_default(),
            heading.to_owned(),
            "error",
        ),
        code: status.as_u16(),
        heading,
        message,
    };
    render(status, &page)
}

/// Only a local path (`/…`, not `//…` nor `/\…`) is an acceptable place to go after logging in.
pub fn safe_next(raw: Option<&str>) -> Option<String> {
    let s = raw?.trim();
    let ok = s.starts_with('/')
        && !s.starts_with("//")
        && !s.starts_with("/\\")
        && s.len() <= 500
        && !s.chars().any(|c| c.is_control() || c == '\\');
    ok.then(|| s.to_owned())
}

/// A page's query string, read leniently: a malformed or repeated parameter never fails the page.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            raw.and_then(|q| serde_urlencoded::from_str(q).ok())
                .unwrap_or_default(),
        )
    }

    /// The first non-empty value of `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    }

    /// `page=`, 1 when absent or not a sane number.
    pub fn page(&self) -> u32 {
        self.get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .filter(|p| (1..=100_000).contains(p))
            .unwrap_or(1)
    }
}

/// A path id (`/orgs/{id}`): anything but a positive integer is simply not found.
pub fn parse_id(pg: &Pg<'_>, raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| pg.fail(DomainError::NotFound(pg.t("error.not_found").into())))
}

/// An optional form value: blank means absent.
pub fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// How a form page is shown: fresh, after a successful save, or with a validation error.
pub enum Outcome {
    Fresh,
    Saved(String),
    Failed(DomainError),
}

impl Outcome {
    pub fn from_saved(pg: &Pg<'_>, saved: bool) -> Self {
        if saved {
            Self::Saved(pg.t("form.saved").to_owned())
        } else {
            Self::Fresh
        }
    }

    /// Puts the message on the layout; the page's status and the field at fault.
    pub fn apply(self, base: &mut Layout) -> (StatusCode, &'static str) {
        match self {
            Self::Fresh => (StatusCode::OK, ""),
            Self::Saved(m) => {
                base.notice = Some(m);
                (StatusCode::OK, "")
            }
            Self::Failed(e) => {
                let r = (form_status(&e), bad_field(Some(&e)));
                base.error = Some(e.to_string());
                r
            }
        }
    }
}

/// Validation problems and conflicts go back to the form; anything else is its error page.
pub fn form_error(pg: &Pg<'_>, e: DomainError) -> Result<DomainError, PageError> {
    match e {
        DomainError::Invalid { .. } | DomainError::Conflict(_) => Ok(e),
        other => Err(pg.fail(other)),
    }
}

/// The offending field of a validation error ("" otherwise), to mark its input.
pub fn bad_field(e: Option<&DomainError>) -> &'static str {
    match e {
        Some(DomainError::Invalid { field, .. }) => field,
        _ => "",
    }
}

/// The status of a form that failed validation.
pub fn form_status(e: &DomainError) -> StatusCode {
    status_of(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_accepts_only_local_paths() {
        assert_eq!(safe_next(Some("/me")), Some("/me".into()));
        assert_eq!(
            safe_next(Some("/orgs/3/edit?x=1")),
            Some("/orgs/3/edit?x=1".into())
        );
        for bad in [
            "//evil.example",
            "https://evil.example/",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
            "me",
            "/a\r\nSet-Cookie: x=1",
            "/a\\b",
        ] {
            assert_eq!(safe_next(Some(bad)), None, "{bad:?}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn params_are_lenient() {
        let p = Params::parse(Some("q=%E6%9F%91&page=abc&region=&region=511623"));
        assert_eq!(p.get("q"), Some("柑"));
        assert_eq!(p.page(), 1);
        assert_eq!(p.get("region"), Some("511623"));
        assert_eq!(Params::parse(Some("page=0")).page(), 1);
        assert_eq!(Params::parse(Some("page=3")).page(), 3);
        assert_eq!(Params::parse(Some("%%%")).get("x"), None);
    }
}
