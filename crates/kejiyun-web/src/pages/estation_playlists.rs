//! The 科普e站 playlist form: a screen's own or a region's playlist — name, daily windows, and
//! repeated resource/seconds rows in playing order (blank rows ignored) — created, edited and
//! deleted from pages. The rest of the e-station pages are `estations.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post};
use kejiyun_core::DomainError;
use kejiyun_core::estations::{PlaylistInput, PlaylistItemInput, PlaylistTarget, windows_text};
use kejiyun_core::ids::{EstationId, PlaylistId};
use kejiyun_core::regions::RegionCode;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, opt, parse_id, render, see_other,
};
use super::resource_choice::{newest_published, with_chosen};
use super::widgets::Opt;
use crate::AppState;
use crate::session::{CsrfForm, Ctx, EmptyForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/estations/playlists/new", get(new_playlist))
        .route("/estations/playlists", post(create_playlist))
        .route(
            "/estations/playlists/{id}",
            get(edit_playlist).post(update_playlist),
        )
        .route("/estations/playlists/{id}/delete", post(delete_playlist))
}

/// One row of the playlist form.
pub struct ItemRow {
    pub resources: Vec<Opt>,
    pub seconds: String,
}

#[derive(Template)]
#[template(path = "estations/playlist.html", whitespace = "minimize")]
struct PlaylistTpl {
    base: Layout,
    /// 0 for a new playlist.
    id: i64,
    /// Where the form goes back to.
    back: String,
    target_label: String,
    /// `estation` or `region`, with its id or code (a new playlist's hidden fields).
    target_kind: &'static str,
    target_value: String,
    name: String,
    windows: String,
    rows: Vec<ItemRow>,
    field: &'static str,
}

/// The playlist form as sent: repeated `resource` / `seconds` pairs, in order.
struct PlaylistForm {
    target_kind: String,
    target_value: String,
    name: String,
    windows: String,
    items: Vec<(String, String)>,
}

impl PlaylistForm {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let field = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let resources = pairs.iter().filter(|(k, _)| k == "resource").map(|p| &p.1);
        let seconds = pairs.iter().filter(|(k, _)| k == "seconds").map(|p| &p.1);
        Self {
            target_kind: field("target_kind"),
            target_value: field("target_value"),
            name: field("name"),
            windows: field("windows"),
            items: resources.cloned().zip(seconds.cloned()).collect(),
        }
    }

    fn input(&self) -> Result<PlaylistInput, DomainError> {
        let mut items = Vec::new();
        for (resource, seconds) in &self.items {
            let Some(resource) = opt(resource) else {
                continue;
            };
            let resource = resource
                .parse::<i64>()
                .map_err(|_| DomainError::invalid("items", "请从列表中选择科普资源"))?;
            let seconds = match opt(seconds) {
                None => None,
                Some(s) => Some(
                    s.parse::<u32>()
                        .map_err(|_| DomainError::invalid("items", "播放时长应为整数秒"))?,
                ),
            };
            items.push(PlaylistItemInput { resource, seconds });
        }
        Ok(PlaylistInput {
            name: self.name.clone(),
            windows: self.windows.clone(),
            items,
        })
    }

    fn target(&self) -> Result<PlaylistTarget, DomainError> {
        let bad = || DomainError::invalid("target", "播放列表的对象不正确");
        match self.target_kind.as_str() {
            "estation" => self
                .target_value
                .parse::<i64>()
                .map(|i| PlaylistTarget::Estation(EstationId(i)))
                .map_err(|_| bad()),
            "region" => RegionCode::parse(&self.target_value)
                .map(PlaylistTarget::Region)
                .map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

async fn playlist_page(
    pg: &Pg<'_>,
    id: Option<PlaylistId>,
    target: PlaylistTarget,
    form: PlaylistForm,
    outcome: Outcome,
) -> PageResult {
    let actor = pg.require_login()?;
    let es = pg.s().estations();
    let (back, target_label, target_kind, target_value) = match target {
        PlaylistTarget::Estation(e) => {
            let screen = es.get(actor, e).await.or_page(pg)?;
            (
                format!("/estations/{e}"),
                screen.name,
                "estation",
                e.to_string(),
            )
        }
        PlaylistTarget::Region(r) => {
            es.region_playlists(actor, r).await.or_page(pg)?;
            (
                "/estations".to_owned(),
                pg.region_name(r),
                "region",
                r.to_string(),
            )
        }
    };
    let mut chosen: Vec<(String, String)> = form.items.clone();
    // Room for three more items under the chosen ones.
    chosen.extend(std::iter::repeat_n((String::new(), String::new()), 3));
    let options = newest_published(pg).await.or_page(pg)?;
    let rows = chosen
        .into_iter()
        .map(|(resource, seconds)| ItemRow {
            resources: with_chosen(&options, &resource),
            seconds,
        })
        .collect();
    let title = if id.is_some() {
        pg.t("es.edit_playlist")
    } else {
        pg.t("es.new_playlist")
    };
    let mut base = pg.layout_titled(format!("{title} · {target_label}"), "estations");
    let (status, field) = outcome.apply(&mut base);
    let page = PlaylistTpl {
        id: id.map_or(0, |i| i.0),
        back,
        target_label,
        target_kind,
        target_value,
        name: form.name,
        windows: form.windows,
        rows,
        field,
        base,
    };
    Ok(render(status, &page))
}

pub async fn new_playlist(
    State(state): State<AppState>,
    ctx: Ctx,
    RawQuery(q): RawQuery,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let params = Params::parse(q.as_deref());
    let form = PlaylistForm {
        target_kind: if params.get("region").is_some() {
            "region".into()
        } else {
            "estation".into()
        },
        target_value: params
            .get("region")
            .or(params.get("estation"))
            .unwrap_or_default()
            .to_owned(),
        name: String::new(),
        windows: String::new(),
        items: Vec::new(),
    };
    let target = form.target().or_page(&pg)?;
    playlist_page(&pg, None, target, form, Outcome::Fresh).await
}

pub async fn edit_playlist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = PlaylistId(parse_id(&pg, &raw)?);
    let p = pg.s().estations().playlist(actor, id).await.or_page(&pg)?;
    let form = PlaylistForm {
        target_kind: String::new(),
        target_value: String::new(),
        windows: windows_text(&p.draft.windows),
        items: p
            .draft
            .items
            .iter()
            .map(|i| {
                (
                    i.resource.0.to_string(),
                    i.seconds.map(|s| s.to_string()).unwrap_or_default(),
                )
            })
            .collect(),
        name: p.draft.name,
    };
    playlist_page(&pg, Some(id), p.target, form, Outcome::Fresh).await
}

fn after_save(target: PlaylistTarget) -> String {
    match target {
        PlaylistTarget::Estation(e) => format!("/estations/{e}?done=saved"),
        PlaylistTarget::Region(_) => "/estations?done=saved".into(),
    }
}

pub async fn create_playlist(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let form = PlaylistForm::read(pairs);
    let target = form.target().or_page(&pg)?;
    let r = match form.input() {
        Ok(input) => {
            pg.s()
                .estations()
                .create_playlist(actor, target, &input)
                .await
        }
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&after_save(target))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            playlist_page(&pg, None, target, form, Outcome::Failed(e)).await
        }
    }
}

pub async fn update_playlist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = PlaylistId(parse_id(&pg, &raw)?);
    let es = pg.s().estations();
    let target = es.playlist(actor, id).await.or_page(&pg)?.target;
    let form = PlaylistForm::read(pairs);
    let r = match form.input() {
        Ok(input) => es.update_playlist(actor, id, &input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(_) => Ok(see_other(&after_save(target))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            playlist_page(&pg, Some(id), target, form, Outcome::Failed(e)).await
        }
    }
}

pub async fn delete_playlist(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = PlaylistId(parse_id(&pg, &raw)?);
    let es = pg.s().estations();
    let target = es.playlist(actor, id).await.or_page(&pg)?.target;
    es.delete_playlist(actor, id).await.or_page(&pg)?;
    Ok(see_other(&match target {
        PlaylistTarget::Estation(e) => format!("/estations/{e}?done=saved"),
        PlaylistTarget::Region(_) => "/estations?done=deleted".into(),
    }))
}
