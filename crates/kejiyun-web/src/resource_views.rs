//! Who views a resource, for view counting (浏览量): the signed-in user, else the client's
//! address and user agent, hashed with a deployment-wide salt (neither is kept). The resource
//! page and `GET /api/v1/resources/{id}` both count through [`Visitor`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use kejiyun_core::popsci::Resource;
use kejiyun_core::popsci::views::VisitorKey;

use crate::AppState;
use crate::session::Ctx;
use crate::throttle::client_ip;

/// The visitor of this request.
#[derive(Debug, Clone, Copy)]
pub struct Visitor(pub VisitorKey);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.config.count_views {
            // Counting is off: no key is derived (the keyed hash is part of what counting
            // costs), and `count` ignores this placeholder.
            return Ok(Self(VisitorKey::from_bytes([0; 16])));
        }
        let user = parts
            .extensions
            .get::<Ctx>()
            .and_then(|c| c.actor())
            .map(|a| a.user_id.0);
        // Without connect info (a router served without it, as in some tests) every
        // anonymous client shares one address; the user agent still tells them apart.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        let ip = client_ip(
            peer,
            &parts.headers,
            state.throttle.config().trust_forwarded_for,
        );
        let agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(Self(state.services.resources().visitor(
            user,
            &ip.to_string(),
            agent,
        )))
    }
}

impl Visitor {
    /// Counts this visitor's view of `resource` (published ones; once per 30 minutes), unless
    /// counting is off (`count_views = false`).
    pub fn count(self, state: &AppState, resource: &Resource) -> bool {
        state.config.count_views && state.services.resources().count_view(self.0, resource)
    }
}
