//! The handlers, one module per thing a person does; what they share.

pub mod choices;
pub mod follow;
pub mod submit;
pub mod unsubscribe;

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gdprkit::Gdpr;

use crate::Portal;
use crate::lang::Lang;

/// The portal's state, as handlers take it.
pub type Shared = State<Arc<Portal>>;

/// The home page.
pub async fn home(State(p): Shared, lang: Lang) -> Response {
    p.pages.page(StatusCode::OK, "home.html", lang, minijinja::context! {})
}

/// The stylesheet, with the integrator's colours.
pub async fn css(State(p): Shared) -> Response {
    ([(CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"))], p.css.clone()).into_response()
}

/// Any other path.
pub async fn not_found(State(p): Shared, lang: Lang) -> Response {
    p.pages.message(StatusCode::NOT_FOUND, lang, "page_not_found")
}

/// Runs a facade call on the blocking pool (the stores block), as of the portal's clock.
pub async fn blocking<T: Send + 'static>(
    p: &Portal,
    call: impl FnOnce(&Gdpr) -> gdprkit::Result<T> + Send + 'static,
) -> gdprkit::Result<T> {
    let gdpr = p.gdpr.clone();
    tokio::task::spawn_blocking(move || call(&gdpr))
        .await
        .map_err(|e| gdprkit::Error::internal("a portal call stopped", e))?
}

/// The page for an error of ours: logged by its code only (its message may name a person).
pub fn failed(p: &Portal, lang: Lang, e: &gdprkit::Error) -> Response {
    tracing::error!(target: "gdprkit_portal", code = e.code(), "a call failed");
    p.pages.message(StatusCode::INTERNAL_SERVER_ERROR, lang, "error")
}

/// Takes one request of the client from its rate limit `limiter`, or answers 429 with
/// `Retry-After`.
pub fn limited(
    p: &Portal,
    limiter: &crate::limit::Limiter,
    parts: &axum::http::request::Parts,
    lang: Lang,
) -> Result<(), Response> {
    let client = crate::client::address(parts, &p.settings.trusted_proxies);
    limiter.take(client, p.gdpr.now()).map_err(|wait| {
        let mut r = p.pages.message(StatusCode::TOO_MANY_REQUESTS, lang, "too_many");
        r.headers_mut().insert(RETRY_AFTER, HeaderValue::from(wait));
        r
    })
}

/// Refuses a form posted from another site.
pub fn csrf(p: &Portal, parts: &axum::http::request::Parts, lang: Lang) -> Result<(), Response> {
    if crate::security::same_origin(&parts.headers, p.settings.public_origin.as_deref()) {
        Ok(())
    } else {
        Err(p.pages.message(StatusCode::FORBIDDEN, lang, "forbidden"))
    }
}
