//! `/me/tokens`: the caller's API tokens.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use kejiyun_core::DomainError;
use kejiyun_core::ids::TokenId;
use serde::Deserialize;

use super::auth::NoFields;
use super::common::{
    Layout, OrPage, Outcome, PageResult, Params, Pg, form_error, parse_id, render, see_other,
};
use crate::AppState;
use crate::session::{CsrfForm, Ctx};

pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    name: String,
    days: String,
}

#[derive(Template)]
#[template(path = "tokens.html", whitespace = "minimize")]
struct TokensTpl {
    base: Layout,
    tokens: Vec<TokenRow>,
    secret: Option<String>,
    form: TokenForm,
    field: &'static str,
}

async fn tokens_page(
    pg: &Pg<'_>,
    secret: Option<String>,
    form: TokenForm,
    outcome: Outcome,
) -> PageResult {
    let actor = pg.require_login()?;
    let tokens = pg
        .s()
        .tokens()
        .list_api_tokens(actor)
        .await
        .or_page(pg)?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.0,
            name: t.name,
            created_at: t.created_at.to_shanghai_display(),
            expires_at: t.expires_at.map(|e| e.to_shanghai_display()),
            last_used_at: t.last_used_at.map(|e| e.to_shanghai_display()),
        })
        .collect();
    let mut base = pg.layout("tokens.title", "me");
    let (status, field) = outcome.apply(&mut base);
    Ok(render(
        status,
        &TokensTpl {
            base,
            tokens,
            secret,
            form,
            field,
        },
    ))
}

pub async fn list(State(state): State<AppState>, ctx: Ctx, RawQuery(q): RawQuery) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let outcome = if Params::parse(q.as_deref()).get("revoked").is_some() {
        Outcome::Saved(pg.t("tokens.revoked").to_owned())
    } else {
        Outcome::Fresh
    };
    tokens_page(&pg, None, TokenForm::default(), outcome).await
}

fn days(pg: &Pg<'_>, raw: &str) -> Result<Option<u32>, DomainError> {
    match raw.trim() {
        "" => Ok(None),
        d => d
            .parse::<u32>()
            .map(Some)
            .map_err(|_| DomainError::invalid("expires_in_days", pg.t("tokens.days_invalid"))),
    }
}

pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let result = match days(&pg, &form.days) {
        Ok(d) => pg.s().tokens().create_api_token(actor, &form.name, d).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((secret, _)) => {
            let notice = Outcome::Saved(pg.t("tokens.created").to_owned());
            tokens_page(&pg, Some(secret), TokenForm::default(), notice).await
        }
        Err(e) => {
            let e = form_error(&pg, e)?;
            tokens_page(&pg, None, form, Outcome::Failed(e)).await
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(raw): Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let pg = Pg::new(&state, ctx);
    let actor = pg.require_login()?;
    let id = parse_id(&pg, &raw)?;
    pg.s()
        .tokens()
        .revoke_api_token(actor, TokenId(id))
        .await
        .or_page(&pg)?;
    Ok(see_other("/me/tokens?revoked=1"))
}
