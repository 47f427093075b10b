//! The person-facing pages of gdprkit: a person follows their request with its tracking token,
//! and leaves a mailing list in one click (RFC 8058). Server-rendered HTML that works without
//! JavaScript, in French and English, as an axum [`Router`] a Rust CRM mounts
//! ([`router`]), or that `gdprkit serve` runs behind the integrator's reverse proxy.
//!
//! The portal calls the facade ([`gdprkit::Gdpr`]) only; it holds no GDPR logic. It adds what a
//! page on the open web needs: strict security headers, a CSRF check on every form, rate limits
//! per client, tokens kept out of URLs that stay in a history and out of every log line.
//!
//! ```no_run
//! # async fn run(gdpr: gdprkit::Gdpr) -> Result<(), Box<dyn std::error::Error>> {
//! let app = gdprkit_portal::router(gdpr, gdprkit_portal::PortalSettings::new("Acme"))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! gdprkit_portal::serve(listener, app, std::future::pending()).await?;
//! # Ok(())
//! # }
//! ```

mod client;
mod lang;
mod limit;
mod log;
mod pages;
mod routes;
mod security;
mod settings;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use gdprkit::Gdpr;

pub use lang::Lang;
pub use security::CSP;
pub use settings::{Colours, PortalSettings, RateLimit};

/// The largest request body read, in bytes: the portal's forms are small.
pub const BODY_LIMIT: usize = 16 * 1024;

/// What every handler shares.
pub(crate) struct Portal {
    pub gdpr: Gdpr,
    pub settings: PortalSettings,
    pub pages: pages::Pages,
    pub css: String,
    pub lookups: limit::Limiter,
    pub submissions: limit::Limiter,
}

/// The portal's routes over `gdpr`, as `settings` say. Mount it at the root of its own origin
/// (a subdomain such as `privacy.example.com`): its cookies and CSRF check assume so. Fails
/// when a setting is wrong or an overriding template does not compile.
pub fn router(gdpr: Gdpr, settings: PortalSettings) -> gdprkit::Result<Router> {
    for (field, colour) in [
        ("colours.accent", &settings.colours.accent),
        ("colours.text", &settings.colours.text),
        ("colours.background", &settings.colours.background),
    ] {
        if !is_hex_colour(colour) {
            return Err(gdprkit::Error::config(field, format!("{colour:?} is not a colour as #rgb or #rrggbb")));
        }
    }
    let pages = pages::Pages::new(&settings)?;
    let css =
        pages.css(&settings).map_err(|e| gdprkit::Error::config("templates_dir", format!("portal.css: {e:#}")))?;
    let lookups = limit::Limiter::new(settings.lookups);
    let submissions = limit::Limiter::new(settings.submissions);
    let portal = Arc::new(Portal { gdpr, settings, pages, css, lookups, submissions });
    Ok(Router::new()
        .route("/", get(routes::home))
        .route("/static/portal.css", get(routes::css))
        .route("/follow", get(routes::follow::form).post(routes::follow::lookup))
        .route("/r/{token}", get(routes::follow::link))
        .route("/submit", get(routes::submit::form).post(routes::submit::post))
        .route("/c/{code}", get(routes::submit::link))
        .route("/c", post(routes::submit::confirm))
        .route("/request", get(routes::follow::view))
        .route("/request/withdraw", post(routes::follow::withdraw))
        .route("/request/answer", post(routes::follow::answer))
        .route("/request/{file}", get(routes::follow::download))
        .route("/u/{reference}", get(routes::unsubscribe::page).post(routes::unsubscribe::post))
        .route("/u/{reference}/choices", get(routes::choices::page).post(routes::choices::post))
        .fallback(routes::not_found)
        // Innermost first: a body refused for its size is answered with the headers, and logged.
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn(log::requests))
        .with_state(portal))
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the requests in flight finish.
/// Each request knows its client's address (for the rate limits).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

fn is_hex_colour(c: &str) -> bool {
    c.strip_prefix('#').is_some_and(|h| matches!(h.len(), 3 | 6) && h.bytes().all(|b| b.is_ascii_hexdigit()))
}
