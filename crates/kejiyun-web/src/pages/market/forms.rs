//! The posting forms: `/{kind}/new` and `/{kind}/{id}/edit` for services, needs (the guided
//! form with its completeness score) and achievements.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kejiyun_core::DomainError;
use kejiyun_core::ids::OrgId;
use kejiyun_core::ids::PostingId;
use kejiyun_core::market::categories::{
    ContactPref, Industry, IpType, Maturity, Scope, TransferMode,
};
use kejiyun_core::market::money::Price;
use kejiyun_core::market::postings::{AchievementDraft, NeedDraft, ServiceDraft};
use kejiyun_core::market::postings::{
    AchievementInput, Completeness, NeedInput, PostingKind, ServiceInput, need_completeness,
};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::permissions::Grant;
use serde::Deserialize;

use super::super::common::{
    Layout, OrPage, PageError, PageResult, Pg, bad_field, form_error, form_status, opt, parse_id,
    render, see_other,
};
use super::super::widgets::{Opt, RegionSelect, RegionSelectSpec};
use super::{
    category_options, kind_slug, opt_fen, opt_id, page_kind, posting_href, vocab, vocab_options,
    yuan_value,
};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

/// Every field of the three posting forms (each form sends its own).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostingForm {
    title: String,
    description: String,
    category: String,
    tags: String,
    region: String,
    scope: String,
    price_kind: String,
    price_yuan: String,
    contact: String,
    org_id: String,
    problem: String,
    current_practice: String,
    target: String,
    budget_yuan: String,
    deadline: String,
    industry: String,
    summary: String,
    maturity: String,
    ip_type: String,
    ip_number: String,
    holders: String,
    tm_transfer: String,
    tm_license: String,
    tm_equity: String,
    tm_co_develop: String,
    /// `check` (need: score only), `draft` or `submit`.
    action: String,
}

fn price_fen(f: &PostingForm) -> Result<Option<i64>, DomainError> {
    if f.price_kind == "amount" {
        opt_fen("price_yuan", &f.price_yuan)
    } else {
        Ok(None)
    }
}

impl PostingForm {
    fn service(&self) -> Result<ServiceInput, DomainError> {
        Ok(ServiceInput {
            title: self.title.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            tags: vec![self.tags.clone()],
            region: self.region.clone(),
            scope: self.scope.clone(),
            price_kind: self.price_kind.clone(),
            price_fen: price_fen(self)?,
            contact: self.contact.clone(),
            org_id: opt_id("org_id", &self.org_id)?,
        })
    }

    /// The need as typed (an unreadable budget counts as none for the score).
    fn need_lenient(&self) -> NeedInput {
        NeedInput {
            title: self.title.clone(),
            problem: self.problem.clone(),
            current_practice: opt(&self.current_practice),
            target: opt(&self.target),
            budget_fen: opt_fen("budget_yuan", &self.budget_yuan).ok().flatten(),
            deadline: opt(&self.deadline),
            industry: self.industry.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
        }
    }

    fn need(&self) -> Result<NeedInput, DomainError> {
        Ok(NeedInput {
            budget_fen: opt_fen("budget_yuan", &self.budget_yuan)?,
            ..self.need_lenient()
        })
    }

    fn achievement(&self) -> Result<AchievementInput, DomainError> {
        let modes: Vec<String> = [
            (&self.tm_transfer, TransferMode::Transfer),
            (&self.tm_license, TransferMode::License),
            (&self.tm_equity, TransferMode::Equity),
            (&self.tm_co_develop, TransferMode::CoDevelop),
        ]
        .into_iter()
        .filter(|(v, _)| !v.is_empty())
        .map(|(_, m)| m.code().to_owned())
        .collect();
        Ok(AchievementInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            category: self.category.clone(),
            maturity: self.maturity.clone(),
            ip_type: self.ip_type.clone(),
            ip_number: opt(&self.ip_number),
            holders: self.holders.clone(),
            transfer_modes: modes,
            price_kind: self.price_kind.clone(),
            price_fen: price_fen(self)?,
            region: self.region.clone(),
            org_id: opt_id("org_id", &self.org_id)?,
        })
    }

    fn set_price(&mut self, p: Price) {
        self.price_kind = p.kind().to_owned();
        self.price_yuan = p.amount().map(yuan_value).unwrap_or_default();
    }
}

pub struct ModeBox {
    pub name: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "market/form.html", whitespace = "minimize")]
struct FormTpl {
    base: Layout,
    kind: &'static str,
    heading: &'static str,
    action: String,
    cancel: String,
    form: PostingForm,
    categories: Vec<Opt>,
    region_select: RegionSelect,
    scopes: Vec<Opt>,
    price_kinds: Vec<Opt>,
    contacts: Vec<Opt>,
    orgs: Vec<Opt>,
    industries: Vec<Opt>,
    maturities: Vec<Opt>,
    ip_types: Vec<Opt>,
    modes: Vec<ModeBox>,
    completeness: Option<Completeness>,
    /// Editing a published posting sends it back to review.
    rereview: bool,
    field: &'static str,
}

const PRICE_KINDS: [&str; 3] = ["free", "negotiable", "amount"];

async fn form_page(
    pg: &Pg<'_>,
    kind: PostingKind,
    editing: Option<(i64, ModerationStatus)>,
    form: PostingForm,
    err: Option<DomainError>,
    checked: bool,
) -> PageResult {
    let slug = kind_slug(kind);
    let code = kind.code();
    let (heading, action, cancel) = match editing {
        Some((id, _)) => (
            format!("mk.{code}.edit"),
            format!("/{slug}/{id}/edit"),
            posting_href(kind, id),
        ),
        None => (
            format!("mk.{code}.new"),
            format!("/{slug}/new"),
            format!("/{slug}"),
        ),
    };
    let status = err.as_ref().map_or(StatusCode::OK, form_status);
    let field = match bad_field(err.as_ref()) {
        "price_fen" => "price_yuan",
        "budget_fen" => "budget_yuan",
        f => f,
    };
    let mut base = pg.layout(&heading, slug);
    base.error = err.map(|e| e.to_string());
    if checked && base.error.is_none() {
        base.notice = Some(pg.t("mk.need.checked").into());
    }
    let mut orgs = Vec::new();
    if let Some(a) = pg.actor() {
        for g in &a.grants {
            if let Grant::OrgAdmin(id) = g
                && let Ok(o) = pg.s().orgs().get(Some(a), OrgId(id.0)).await
            {
                orgs.push(Opt {
                    value: id.0.to_string(),
                    label: o.profile.name,
                    selected: form.org_id == id.0.to_string(),
                });
            }
        }
    }
    let price_kinds = PRICE_KINDS
        .iter()
        .map(|k| Opt {
            value: (*k).to_owned(),
            label: vocab(pg, "price", k).to_owned(),
            selected: form.price_kind == *k,
        })
        .collect();
    let modes = [
        ("tm_transfer", TransferMode::Transfer, &form.tm_transfer),
        ("tm_license", TransferMode::License, &form.tm_license),
        ("tm_equity", TransferMode::Equity, &form.tm_equity),
        (
            "tm_co_develop",
            TransferMode::CoDevelop,
            &form.tm_co_develop,
        ),
    ]
    .into_iter()
    .map(|(name, m, v)| ModeBox {
        name,
        label: vocab(pg, "transfer", m.code()),
        checked: !v.is_empty(),
    })
    .collect();
    let page = FormTpl {
        kind: code,
        heading: pg.t(&heading),
        action,
        cancel,
        categories: category_options(pg, &form.category),
        region_select: RegionSelectSpec::required("region", "mk.region").build(pg, &form.region),
        scopes: vocab_options(pg, "scope", Scope::ALL, Scope::code, &form.scope),
        price_kinds,
        contacts: vocab_options(
            pg,
            "contact",
            ContactPref::ALL,
            ContactPref::code,
            &form.contact,
        ),
        orgs,
        industries: vocab_options(
            pg,
            "industry",
            Industry::ALL,
            Industry::code,
            &form.industry,
        ),
        maturities: vocab_options(
            pg,
            "maturity",
            Maturity::ALL,
            Maturity::code,
            &form.maturity,
        ),
        ip_types: vocab_options(pg, "ip", IpType::ALL, IpType::code, &form.ip_type),
        modes,
        completeness: (kind == PostingKind::Need).then(|| need_completeness(&form.need_lenient())),
        rereview: editing.is_some_and(|(_, s)| s == ModerationStatus::Published),
        form,
        field,
        base,
    };
    Ok(render(status, &page))
}

pub async fn new_form(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    // A posting is usually about where its author lives: the region given at registration
    // starts the form (the author may change it).
    let home = pg.s().accounts().me(actor).await.or_page(&pg)?.region;
    let form = PostingForm {
        scope: "county".into(),
        price_kind: "negotiable".into(),
        contact: "message".into(),
        region: home.map(|r| r.to_string()).unwrap_or_default(),
        ..PostingForm::default()
    };
    form_page(&pg, kind, None, form, None, false).await
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<PostingForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    if form.action == "check" {
        return form_page(&pg, kind, None, form, None, true).await;
    }
    let submit = form.action == "submit";
    let s = pg.s();
    let r = match kind {
        PostingKind::Service => match form.service() {
            Ok(i) => s.postings().create(actor, &i, submit).await.map(|id| id.0),
            Err(e) => Err(e),
        },
        PostingKind::Need => match form.need() {
            Ok(i) => s.postings().create(actor, &i, submit).await.map(|id| id.0),
            Err(e) => Err(e),
        },
        PostingKind::Achievement => match form.achievement() {
            Ok(i) => s.postings().create(actor, &i, submit).await.map(|id| id.0),
            Err(e) => Err(e),
        },
        // Questions have their own pages (`pages/questions.rs`).
        PostingKind::Question | PostingKind::Resource => {
            return Err(pg.fail(DomainError::NotFound(pg.t("error.not_found").into())));
        }
    };
    match r {
        Ok(id) => {
            let done = if submit { "submitted" } else { "created" };
            Ok(see_other(&format!(
                "{}?done={done}",
                posting_href(kind, id)
            )))
        }
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, kind, None, form, Some(e), false).await
        }
    }
}

/// The posting as a form, if the caller owns it (else the 403 / 404 page).
async fn editable(
    pg: &Pg<'_>,
    kind: PostingKind,
    id: i64,
) -> Result<(PostingForm, ModerationStatus), PageError> {
    let actor = pg.require_login()?;
    let s = pg.s();
    let mut f = PostingForm::default();
    let meta = match kind {
        PostingKind::Service => {
            let x = s
                .postings()
                .get::<ServiceDraft>(Some(actor), PostingId::new(id))
                .await
                .or_page(pg)?;
            let d = x.draft;
            f.title = d.title;
            f.description = d.description;
            f.category = d.category.code().into();
            f.tags = d.tags.join("，");
            f.region = d.region.to_string();
            f.scope = d.scope.code().into();
            f.set_price(d.price);
            f.contact = d.contact.code().into();
            f.org_id = d.org.map(|o| o.0.to_string()).unwrap_or_default();
            x.meta
        }
        PostingKind::Need => {
            let x = s
                .postings()
                .get::<NeedDraft>(Some(actor), PostingId::new(id))
                .await
                .or_page(pg)?;
            let d = x.draft;
            f.title = d.title;
            f.problem = d.problem;
            f.current_practice = d.current_practice.unwrap_or_default();
            f.target = d.target.unwrap_or_default();
            f.budget_yuan = d.budget.map(yuan_value).unwrap_or_default();
            f.deadline = d.deadline.map(|d| d.to_string()).unwrap_or_default();
            f.industry = d.industry.code().into();
            f.category = d.category.code().into();
            f.region = d.region.to_string();
            x.meta
        }
        PostingKind::Achievement => {
            let x = s
                .postings()
                .get::<AchievementDraft>(Some(actor), PostingId::new(id))
                .await
                .or_page(pg)?;
            let d = x.draft;
            f.title = d.title;
            f.summary = d.summary;
            f.category = d.category.code().into();
            f.maturity = d.maturity.code().into();
            f.ip_type = d.ip_type.code().into();
            f.ip_number = d.ip_number.unwrap_or_default();
            f.holders = d.holders;
            for m in d.transfer_modes {
                let on = "1".to_owned();
                match m {
                    TransferMode::Transfer => f.tm_transfer = on,
                    TransferMode::License => f.tm_license = on,
                    TransferMode::Equity => f.tm_equity = on,
                    TransferMode::CoDevelop => f.tm_co_develop = on,
                }
            }
            f.set_price(d.price);
            f.region = d.region.to_string();
            f.org_id = d.org.map(|o| o.0.to_string()).unwrap_or_default();
            x.meta
        }
        PostingKind::Question | PostingKind::Resource => {
            return Err(pg.fail(DomainError::NotFound(pg.t("error.not_found").into())));
        }
    };
    if meta.owner != actor.user_id {
        return Err(pg.fail(DomainError::Forbidden(pg.t("mk.not_owner").into())));
    }
    Ok((f, meta.status))
}

pub async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    let (form, status) = editable(&pg, kind, id).await?;
    form_page(&pg, kind, Some((id, status)), form, None, false).await
}

pub async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<PostingForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let kind = page_kind(&pg)?;
    let id = parse_id(&pg, &raw)?;
    let (_, status) = editable(&pg, kind, id).await?;
    if form.action == "check" {
        return form_page(&pg, kind, Some((id, status)), form, None, true).await;
    }
    let s = pg.s();
    let mut r = match kind {
        PostingKind::Service => match form.service() {
            Ok(i) => s.postings().edit(actor, PostingId::new(id), &i).await,
            Err(e) => Err(e),
        },
        PostingKind::Need => match form.need() {
            Ok(i) => s.postings().edit(actor, PostingId::new(id), &i).await,
            Err(e) => Err(e),
        },
        PostingKind::Achievement => match form.achievement() {
            Ok(i) => s.postings().edit(actor, PostingId::new(id), &i).await,
            Err(e) => Err(e),
        },
        PostingKind::Question | PostingKind::Resource => {
            return Err(pg.fail(DomainError::NotFound(pg.t("error.not_found").into())));
        }
    };
    let submit = form.action == "submit" && status == ModerationStatus::Draft;
    if r.is_ok() && submit {
        r = s
            .postings()
            .submit_posting(actor, kind, id)
            .await
            .map(|_| ());
    }
    match r {
        Ok(()) => {
            let done = if submit || status != ModerationStatus::Draft {
                "submitted"
            } else {
                "saved"
            };
            Ok(see_other(&format!(
                "{}?done={done}",
                posting_href(kind, id)
            )))
        }
        Err(e) => {
            let e = form_error(&pg, e)?;
            form_page(&pg, kind, Some((id, status)), form, Some(e), false).await
        }
    }
}
