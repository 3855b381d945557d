//! 科普e站 pages: `/estations` for the admins and operators who run screens (status of each
//! screen, registration with the token shown once, emergency overrides, region playlists), a
//! screen's page (token, its own playlists, proof of play), and the player
//! itself: `/estation/player` (full screen, no login, opened with the token after `#`) and its
//! service worker `/estation/sw.js`, whose scope is `/estation/`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::estations::{EmergencyInput, Estation, EstationInput, Playlist, windows_text};
use kejiyun_core::ids::{EmergencyId, EstationId};
use kejiyun_core::moderation::ModerationStatus;
use kejiyun_core::orgs::OrgType;
use kejiyun_core::permissions::{Grant, RegionScope};
use kejiyun_core::regions::RegionCode;
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, opt, parse_id, render,
    see_other,
};
use super::resource_choice::{newest_published, with_chosen};
use super::widgets::{Opt, RegionSelect, RegionSelectSpec};
use crate::AppState;
use crate::api::estations::{player_url, plays_range};
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/estations", get(list).post(register))
        .route("/estations/{id}", get(page))
        .route("/estations/{id}/token", post(reissue))
        .route("/estations/{id}/revoke", post(revoke))
        .route("/estations/emergencies", post(start_emergency))
        .route("/estations/emergencies/{id}/cancel", post(cancel_emergency))
        .route("/estation/player", get(player))
        .route("/estation/sw.js", get(service_worker))
}

/// A screen as the status table shows it.
pub struct ScreenRow {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub region: String,
    pub operator: String,
    pub online: bool,
    pub last_seen: String,
    pub now_playing: String,
    pub has_token: bool,
}

fn screen_row(pg: &Pg<'_>, e: Estation) -> ScreenRow {
    ScreenRow {
        id: e.id.0,
        online: e.is_online(pg.s().now()),
        region: pg.region_name(e.region),
        operator: e.operator_name.unwrap_or_default(),
        last_seen: e
            .last_seen_at
            .map(|t| t.to_shanghai_display())
            .unwrap_or_default(),
        now_playing: e.now_playing_title.unwrap_or_default(),
        has_token: e.has_token,
        name: e.name,
        place: e.place,
    }
}

/// A playlist as the lists show it.
pub struct PlaylistRow {
    pub id: i64,
    pub name: String,
    pub windows: String,
    pub items: usize,
}

fn playlist_row(p: Playlist) -> PlaylistRow {
    PlaylistRow {
        id: p.id.0,
        windows: windows_text(&p.draft.windows),
        items: p.draft.items.len(),
        name: p.draft.name,
    }
}

/// A region's playlists, for an admin of it.
pub struct RegionPlaylists {
    pub code: String,
    pub name: String,
    pub playlists: Vec<PlaylistRow>,
}

pub struct EmergencyRow {
    pub id: i64,
    pub region: String,
    pub title: String,
    pub starts: String,
    pub until: String,
    pub active: bool,
}

/// The registration form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScreenForm {
    name: String,
    place: String,
    region: String,
    operator: String,
}

/// The emergency form's fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EmergencyForm {
    region: String,
    resource: String,
    until: String,
}

#[derive(Template)]
#[template(path = "estations/list.html", whitespace = "minimize")]
struct ListTpl {
    base: Layout,
    screens: Vec<ScreenRow>,
    region_select: RegionSelect,
    emergency_region: RegionSelect,
    operators: Vec<Opt>,
    form: ScreenForm,
    emergency: EmergencyForm,
    resources: Vec<Opt>,
    emergencies: Vec<EmergencyRow>,
    regions: Vec<RegionPlaylists>,
    is_admin: bool,
    field: &'static str,
}

/// The regions whose playlists an admin sets: their grants' regions (the root for a system
/// admin).
fn admin_regions(pg: &Pg<'_>) -> Vec<RegionCode> {
    match pg.actor().map(|a| a.admin_scope()) {
        Some(RegionScope::All) => vec![pg.s().root],
        Some(RegionScope::Within(v)) => v,
        None => Vec::new(),
    }
}

async fn list_page(
    pg: &Pg<'_>,
    form: ScreenForm,
    emergency: EmergencyForm,
    outcome: Outcome,
) -> PageResult {
    let actor = pg.require_login()?;
    let es = pg.s().estations();
    let screens = es.list(actor).await.or_page(pg)?;
    let emergencies = es.emergencies(actor).await.or_page(pg)?;
    let now = pg.s().now();
    let mut regions = Vec::new();
    for code in admin_regions(pg) {
        let playlists = es.region_playlists(actor, code).await.or_page(pg)?;
        regions.push(RegionPlaylists {
            code: code.to_string(),
            name: pg.region_name(code),
            playlists: playlists.into_iter().map(playlist_row).collect(),
        });
    }
    let mut operators = Vec::new();
    for g in &actor.grants {
        if let Grant::OrgAdmin(org) = g {
            let Ok(o) = pg.s().orgs().get(Some(actor), *org).await else {
                continue;
            };
            // Only a verified e-station operator runs screens.
            if o.profile.org_type != OrgType::Estation || o.status != ModerationStatus::Published {
                continue;
            }
            let value = org.0.to_string();
            operators.push(Opt {
                selected: form.operator == value,
                label: o.profile.name,
                value,
            });
        }
    }
    let resources = with_chosen(
        &newest_published(pg).await.or_page(pg)?,
        &emergency.resource,
    );
    let mut base = pg.layout("es.title", "estations");
    let (status, field) = outcome.apply(&mut base);
    let page = ListTpl {
        screens: screens.into_iter().map(|e| screen_row(pg, e)).collect(),
        region_select: RegionSelectSpec::required("region", "es.region").build(pg, &form.region),
        emergency_region: RegionSelectSpec {
            id: "emergency-region",
            ..RegionSelectSpec::required("region", "es.emergency_region")
        }
        .build(pg, &emergency.region),
        operators,
        emergencies: emergencies
            .into_iter()
            .map(|e| EmergencyRow {
                id: e.id.0,
                active: e.is_active(now),
                region: pg.region_name(e.region),
                starts: e.starts_at.to_shanghai_display(),
                until: e.until.map(|t| t.to_shanghai_display()).unwrap_or_default(),
                title: e.resource_title,
            })
            .collect(),
        is_admin: actor.runs_regions(),
        regions,
        resources,
        form,
        emergency,
        field,
        base,
    };
    Ok(render(status, &page))
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let outcome = match Params::parse(q.as_deref()).get("done") {
        Some("emergency") => Outcome::Saved(pg.t("es.done.emergency").into()),
        Some("ended") => Outcome::Saved(pg.t("es.done.ended").into()),
        Some("deleted") => Outcome::Saved(pg.t("es.done.deleted").into()),
        _ => Outcome::Fresh,
    };
    list_page(
        &pg,
        ScreenForm::default(),
        EmergencyForm::default(),
        outcome,
    )
    .await
}

#[derive(Template)]
#[template(path = "estations/token.html", whitespace = "minimize")]
struct TokenTpl {
    base: Layout,
    id: i64,
    name: String,
    token: String,
    player_url: String,
}

fn token_page(pg: &Pg<'_>, id: EstationId, name: String, token: &str) -> PageResult {
    let mut base = pg.layout("es.token_title", "estations");
    base.notice = Some(pg.t("es.token_once").into());
    ok(&TokenTpl {
        id: id.0,
        name,
        token: token.to_owned(),
        player_url: player_url(token),
        base,
    })
}

pub async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ScreenForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let operator = match opt(&form.operator).map(|o| o.parse::<i64>()) {
        None => Ok(None),
        Some(Ok(o)) => Ok(Some(o)),
        Some(Err(_)) => Err(DomainError::invalid("operator", "运营单位编号应为整数")),
    };
    let r = match operator {
        Ok(operator) => {
            let input = EstationInput {
                name: form.name.clone(),
                place: form.place.clone(),
                region: form.region.clone(),
                operator,
            };
            pg.s().estations().register(actor, &input).await
        }
        Err(e) => Err(e),
    };
    match r {
        // The token is on this answer only: it is never stored, so it cannot be shown again.
        Ok((id, token)) => token_page(&pg, id, form.name.trim().to_owned(), &token),
        Err(e) => {
            let e = form_error(&pg, e)?;
            list_page(&pg, form, EmergencyForm::default(), Outcome::Failed(e)).await
        }
    }
}

pub struct PlayRow {
    pub day: String,
    pub title: String,
    pub plays: i64,
    pub minutes: String,
}

#[derive(Template)]
#[template(path = "estations/page.html", whitespace = "minimize")]
struct PageTpl {
    base: Layout,
    screen: ScreenRow,
    playlists: Vec<PlaylistRow>,
    plays: Vec<PlayRow>,
    total_plays: i64,
    from: String,
    to: String,
}

fn estation_id(pg: &Pg<'_>, raw: &str) -> Result<EstationId, super::common::PageError> {
    Ok(EstationId(parse_id(pg, raw)?))
}

async fn screen_page(pg: &Pg<'_>, id: EstationId, params: &Params, outcome: Outcome) -> PageResult {
    let actor = pg.require_login()?;
    let es = pg.s().estations();
    let screen = es.get(actor, id).await.or_page(pg)?;
    let playlists = es.estation_playlists(actor, id).await.or_page(pg)?;
    let (from, to) = match plays_range(pg.s(), params.get("from"), params.get("to")) {
        Ok(r) => r,
        Err(_) => plays_range(pg.s(), None, None)
            .map_err(|_| pg.fail(DomainError::Internal("the default date range".into())))?,
    };
    let days = es.play_days(actor, id, from, to).await.or_page(pg)?;
    let mut base = pg.layout_titled(screen.name.clone(), "estations");
    let (status, _) = outcome.apply(&mut base);
    let page = PageTpl {
        total_plays: days.iter().map(|d| d.plays).sum(),
        plays: days
            .into_iter()
            .map(|d| PlayRow {
                day: d.day.to_string(),
                minutes: format!("{:.1}", d.seconds as f64 / 60.0),
                title: d.title,
                plays: d.plays,
            })
            .collect(),
        screen: screen_row(pg, screen),
        playlists: playlists.into_iter().map(playlist_row).collect(),
        from: from.to_string(),
        to: to.to_string(),
        base,
    };
    Ok(render(status, &page))
}

pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let id = estation_id(&pg, &raw)?;
    let params = Params::parse(q.as_deref());
    let outcome = match params.get("done") {
        Some("revoked") => Outcome::Saved(pg.t("es.done.revoked").into()),
        Some("saved") => Outcome::Saved(pg.t("form.saved").into()),
        _ => Outcome::Fresh,
    };
    screen_page(&pg, id, &params, outcome).await
}

pub async fn reissue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = estation_id(&pg, &raw)?;
    let es = pg.s().estations();
    let token = es.reissue_token(actor, id).await.or_page(&pg)?;
    let name = es.get(actor, id).await.or_page(&pg)?.name;
    token_page(&pg, id, name, &token)
}

pub async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = estation_id(&pg, &raw)?;
    pg.s()
        .estations()
        .revoke_token(actor, id)
        .await
        .or_page(&pg)?;
    Ok(see_other(&format!("/estations/{id}?done=revoked")))
}

pub async fn start_emergency(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<EmergencyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let r = match form.resource.trim().parse::<i64>() {
        Ok(resource) => {
            let input = EmergencyInput {
                region: form.region.clone(),
                resource,
                until: opt(&form.until),
            };
            pg.s().estations().start_emergency(actor, &input).await
        }
        Err(_) => Err(DomainError::invalid("resource", "请选择要插播的科普资源")),
    };
    match r {
        Ok(_) => Ok(see_other("/estations?done=emergency")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            list_page(&pg, ScreenForm::default(), form, Outcome::Failed(e)).await
        }
    }
}

pub async fn cancel_emergency(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = EmergencyId(parse_id(&pg, &raw)?);
    match pg.s().estations().cancel_emergency(actor, id).await {
        Ok(()) => Ok(see_other("/estations?done=ended")),
        Err(e) => {
            let e = form_error(&pg, e)?;
            list_page(
                &pg,
                ScreenForm::default(),
                EmergencyForm::default(),
                Outcome::Failed(e),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "estations/player.html", whitespace = "minimize")]
struct PlayerTpl {
    base: Layout,
}

/// The player page: the same for every screen (the token is in the fragment, read by the
/// script), so the service worker can keep it and start it again without the network.
pub async fn player(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    let pg = Pg::new(&state, ctx);
    ok(&PlayerTpl {
        base: pg.layout("es.player", "estations"),
    })
}

/// The service worker, at `/estation/sw.js` so that its scope covers the player.
pub async fn service_worker() -> impl IntoResponse {
    match crate::assets::content("estation/sw.js") {
        Some(body) => (
            StatusCode::OK,
            [
                (CONTENT_TYPE, "text/javascript; charset=utf-8"),
                // The browser checks for a new worker on each start; never a stale one.
                (CACHE_CONTROL, "no-cache"),
            ],
            body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
