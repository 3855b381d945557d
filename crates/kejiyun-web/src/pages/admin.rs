//! `/admin`: the moderation queue and the audit log (the administrators: `admin_accounts.rs`).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::app::{Decision, Workbench};
use kejiyun_core::moderation::ModerationKind;
use kejiyun_core::paging::{DEFAULT_PER_PAGE, Page};
use serde::Deserialize;

use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, ok, parse_id, render, see_other,
};
use super::widgets::{ModerateForms, Opt, Pager};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub struct QueueRow {
    pub kind: &'static str,
    pub id: i64,
    pub kind_label: &'static str,
    pub title: String,
    pub href: String,
    pub region: String,
    pub submitted_at: String,
    pub forms: ModerateForms,
}

/// One count of the 工作台, opening the list it counts where there is one.
pub struct Tile {
    pub id: String,
    pub label: &'static str,
    pub count: u64,
    pub href: Option<String>,
}

fn workbench_tiles(pg: &Pg<'_>, wb: &Workbench) -> Vec<Tile> {
    let mut tiles: Vec<Tile> = wb
        .pending
        .iter()
        .map(|(kind, n)| Tile {
            id: format!("wb-pending-{}", kind.as_str()),
            label: pg.t(&format!("wb.pending.{}", kind.as_str())),
            count: *n,
            href: Some(format!("/admin?kind={}#queue", kind.as_str())),
        })
        .collect();
    tiles.push(Tile {
        id: "wb-tickets".into(),
        label: pg.t("wb.open_tickets"),
        count: wb.open_tickets,
        href: Some("/admin/tickets?status=open".into()),
    });
    tiles.extend(wb.expiring.iter().map(|(kind, n)| Tile {
        id: format!("wb-expiring-{}", kind.code()),
        label: pg.t(&format!("wb.expiring.{}", kind.code())),
        count: *n,
        href: None,
    }));
    tiles
}

#[derive(Template)]
#[template(path = "admin_queue.html", whitespace = "minimize")]
struct QueueTpl {
    base: Layout,
    tiles: Vec<Tile>,
    pending_total: u64,
    items: Vec<QueueRow>,
    kinds: Vec<Opt>,
    pager: Pager,
}

pub(super) fn list_page(p: &Params) -> Page {
    Page {
        page: p.page(),
        per_page: DEFAULT_PER_PAGE,
    }
}

async fn queue_page(pg: &Pg<'_>, p: &Params, outcome: Outcome) -> PageResult {
    let actor = pg.require_admin()?;
    let kind_raw = p.get("kind").unwrap_or_default();
    let kind = ModerationKind::parse(kind_raw).ok();
    let paged = pg
        .s()
        .moderation()
        .moderation_queue(actor, kind, None, list_page(p))
        .await
        .or_page(pg)?;
    let kind_str = kind.map(ModerationKind::as_str).unwrap_or_default();
    let pager = Pager::new(pg, "/admin", &[("kind", kind_str)], &paged);
    let items = paged
        .items
        .into_iter()
        .map(|q| {
            let kind = q.kind.as_str();
            QueueRow {
                kind,
                id: q.item_id,
                kind_label: pg.t(&format!("kind.{kind}")),
                href: match q.kind {
                    ModerationKind::TechWorker => format!("/tech-workers/{}", q.item_id),
                    ModerationKind::Org => format!("/orgs/{}", q.item_id),
                    ModerationKind::Service => format!("/services/{}", q.item_id),
                    ModerationKind::Need => format!("/needs/{}", q.item_id),
                    ModerationKind::Achievement => format!("/achievements/{}", q.item_id),
                    ModerationKind::Question => format!("/questions/{}", q.item_id),
                    ModerationKind::Resource => format!("/resources/{}", q.item_id),
                },
                title: q.title,
                region: pg.region_name(q.region),
                submitted_at: q.submitted_at.to_shanghai_display(),
                forms: ModerateForms::new(pg, kind, q.item_id),
            }
        })
        .collect();
    let kinds = ModerationKind::ALL
        .into_iter()
        .map(|k| Opt {
            value: k.as_str().to_owned(),
            label: pg.t(&format!("kind.{}", k.as_str())).to_owned(),
            selected: Some(k) == kind,
        })
        .collect();
    let workbench = pg.s().moderation().workbench(actor).await.or_page(pg)?;
    let mut base = pg.layout("admin.queue", "admin");
    let (status, _) = outcome.apply(&mut base);
    Ok(render(
        status,
        &QueueTpl {
            base,
            tiles: workbench_tiles(pg, &workbench),
            pending_total: workbench.pending_total(),
            items,
            kinds,
            pager,
        },
    ))
}

pub async fn queue(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let p = Params::parse(q.as_deref());
    let outcome = match p.get("done") {
        Some("approved") => Outcome::Saved(pg.t("admin.done_approved").into()),
        Some("rejected") => Outcome::Saved(pg.t("admin.done_rejected").into()),
        _ => Outcome::Fresh,
    };
    queue_page(&pg, &p, outcome).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReasonForm {
    reason: String,
}

pub async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((kind, id, decision)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<ReasonForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_admin()?;
    let kind = ModerationKind::parse(&kind).or_page(&pg)?;
    let id = parse_id(&pg, &id)?;
    let (decision, done) = match decision.as_str() {
        "approve" => (Decision::Approve, "approved"),
        "reject" => (
            Decision::Reject {
                reason: form.reason,
            },
            "rejected",
        ),
        _ => return Err(pg.fail(DomainError::NotFound(pg.t("error.not_found").into()))),
    };
    match pg
        .s()
        .moderation()
        .moderate(actor, kind, id, decision)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin?done={done}"))),
        Err(e) => {
            let e = form_error(&pg, e)?;
            queue_page(&pg, &Params::default(), Outcome::Failed(e)).await
        }
    }
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub region: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html", whitespace = "minimize")]
struct AuditTpl {
    base: Layout,
    rows: Vec<AuditRow>,
    pager: Pager,
    /// The audit administrator: the chain check's button.
    can_verify: bool,
}

fn json_text(v: Option<&serde_json::Value>) -> String {
    v.map(|v| serde_json::to_string(v).unwrap_or_default())
        .unwrap_or_else(|| "—".to_owned())
}

pub async fn audit(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    // Region admins see their regions' entries, the audit administrator all (audit_log).
    let actor = pg.require_login()?;
    let p = Params::parse(q.as_deref());
    let paged = pg
        .s()
        .moderation()
        .audit_log(actor, list_page(&p))
        .await
        .or_page(&pg)?;
    let pager = Pager::new(&pg, "/admin/audit", &[], &paged);
    let rows = paged
        .items
        .into_iter()
        .map(|e| {
            let r = e.record;
            AuditRow {
                at: r.at.to_shanghai_display(),
                actor: match (e.actor_name, r.actor) {
                    (Some(n), Some(id)) => format!("{n} (#{id})"),
                    (None, Some(id)) => format!("#{id}"),
                    (_, None) => pg.t("audit.operator").to_owned(),
                },
                action: r.action,
                target: format!("{} #{}", r.target_kind, r.target_id),
                region: r
                    .region
                    .map(|c| pg.region_name(c))
                    .unwrap_or_else(|| "—".into()),
                before: json_text(r.before.as_ref()),
                after: json_text(r.after.as_ref()),
            }
        })
        .collect();
    let mut base = pg.layout("admin.audit", "admin");
    let can_verify = actor.is_audit_admin();
    if can_verify && p.get("verify").is_some() {
        // The chain check (`kejiyun audit verify`), for the audit administrator on the page.
        let report = pg.s().audit_chain().verify_as(actor).await.or_page(&pg)?;
        match report.broken {
            None => {
                base.notice = Some(
                    pg.t("audit.chain_whole")
                        .replace("{checked}", &report.checked.to_string())
                        .replace("{head}", &report.head.last_seq.to_string()),
                );
            }
            Some(b) => base.error = Some(format!("{}{b}", pg.t("audit.chain_broken"))),
        }
    }
    ok(&AuditTpl {
        base,
        rows,
        pager,
        can_verify,
    })
}
