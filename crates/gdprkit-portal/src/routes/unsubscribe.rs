//! Unsubscribe references (rule C6, RFC 8058): the link in a message's `List-Unsubscribe`
//! header. A mail provider posts `List-Unsubscribe=One-Click` to it from its own servers, which
//! records the opt-out and answers 200 with no page; that post is authenticated by the signed
//! reference itself, so it is the one post the CSRF check does not apply to. A person who opens
//! the link sees a page that asks them to confirm (a `GET` never changes anything).

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::{Shared, blocking, csrf, failed, limited};
use crate::lang::Lang;

/// The body a one-click unsubscribe posts (RFC 8058, section 3.1).
const ONE_CLICK: &[u8] = b"List-Unsubscribe=One-Click";

/// The page that asks the person to confirm.
pub async fn page(
    State(p): Shared,
    lang: Lang,
    parts: Parts,
    reference: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(refused) = limited(&p, &parts, lang) {
        return refused;
    }
    let Ok(Path(reference)) = reference else { return p.pages.message(StatusCode::NOT_FOUND, lang, "invalid_link") };
    let reference = minijinja::Value::from(reference);
    p.pages.page(StatusCode::OK, "unsubscribe.html", lang, minijinja::context! { reference })
}

/// A one-click post from a mail provider, or the person's confirmation from the page.
pub async fn post(
    State(p): Shared,
    lang: Lang,
    parts: Parts,
    reference: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let one_click = body.as_ref() == ONE_CLICK;
    let checked = if one_click { Ok(()) } else { csrf(&p, &parts, lang) };
    if let Err(refused) = checked.and_then(|()| limited(&p, &parts, lang)) {
        return refused;
    }
    // A path that does not decode is a reference gdprkit never made, and answered as one.
    let reference = reference.map(|Path(r)| r).unwrap_or_default();
    let done = blocking(&p, move |g| g.unsubscribe(&reference)).await;
    match (done, one_click) {
        (Ok(_), true) => StatusCode::OK.into_response(),
        (Ok(_), false) => p.pages.page(StatusCode::OK, "unsubscribed.html", lang, minijinja::context! {}),
        // Forged, altered, truncated or another tenant's: one answer for all.
        (Err(e), true) if e.code() == "invalid_input" => StatusCode::NOT_FOUND.into_response(),
        (Err(e), false) if e.code() == "invalid_input" => p.pages.message(StatusCode::NOT_FOUND, lang, "invalid_link"),
        (Err(e), _) => failed(&p, lang, &e),
    }
}
