//! A person's choices of contact per purpose and channel, from the signed reference of a message
//! (`/u/{reference}/choices`): what they agreed to and when, and a button per choice to agree or
//! withdraw. An agreement is recorded with the wording the page showed (its version and SHA-256),
//! the client's address and user agent (rule C3); a withdrawal as easily (Art. 7(3)).

use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{LOCATION, USER_AGENT};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use gdprkit::{Channel, ErrorKind, PreferenceChange, PurposeId};
use serde::Deserialize;

use super::unsubscribe::well_formed;
use super::{Shared, blocking, csrf, failed, limited};
use crate::Portal;
use crate::lang::Lang;

/// The longest user agent kept with a choice, in bytes.
const MAX_USER_AGENT_BYTES: usize = 512;

/// A choice posted from the page.
#[derive(Deserialize)]
pub struct ChoiceForm {
    purpose: String,
    channel: String,
    agree: String,
    #[serde(default)]
    wording_sha256: Option<String>,
}

/// The person's choices.
pub async fn page(
    State(p): Shared,
    lang: Lang,
    parts: Parts,
    reference: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(refused) = limited(&p, &p.lookups, &parts, lang) {
        return refused;
    }
    let Some(reference) = well_formed(reference) else { return invalid(&p, lang) };
    let looked_up = reference.clone();
    match blocking(&p, move |g| g.preferences(&looked_up, lang.0)).await {
        Ok(Some(preferences)) => {
            let choices = minijinja::Value::from(minijinja::value::Serde(preferences.choices));
            p.pages.page(StatusCode::OK, "choices.html", lang, minijinja::context! { reference, choices })
        }
        Ok(None) => invalid(&p, lang),
        Err(e) => failed(&p, lang, &e),
    }
}

/// A choice made on the page: recorded, then the page again.
pub async fn post(
    State(p): Shared,
    lang: Lang,
    parts: Parts,
    reference: Result<Path<String>, PathRejection>,
    Form(f): Form<ChoiceForm>,
) -> Response {
    if let Err(refused) = csrf(&p, &parts, lang).and_then(|()| limited(&p, &p.lookups, &parts, lang)) {
        return refused;
    }
    let Some(reference) = well_formed(reference) else { return invalid(&p, lang) };
    let agree = match f.agree.as_str() {
        "yes" => true,
        "no" => false,
        _ => return p.pages.message(StatusCode::BAD_REQUEST, lang, "choice_invalid"),
    };
    let (Ok(purpose), Ok(channel)) = (f.purpose.parse::<PurposeId>(), f.channel.parse::<Channel>()) else {
        return p.pages.message(StatusCode::BAD_REQUEST, lang, "choice_invalid");
    };
    let client = crate::client::address(&parts, &p.settings.trusted_proxies);
    let user_agent =
        parts.headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| truncate(ua, MAX_USER_AGENT_BYTES));
    let change = PreferenceChange {
        purpose,
        channel,
        agree,
        wording_sha256: f.wording_sha256,
        ip: Some(client.to_string()),
        user_agent: user_agent.filter(|ua| !ua.trim().is_empty()),
    };
    let back = format!("/u/{reference}/choices?lang={}", lang.code());
    match blocking(&p, move |g| g.change_preference(&reference, change, lang.0)).await {
        Ok(Some(_)) => (StatusCode::SEE_OTHER, [(LOCATION, back)]).into_response(),
        Ok(None) => invalid(&p, lang),
        // A stale page (the wording changed) or a choice the page does not offer.
        Err(e) if e.kind() == ErrorKind::InvalidInput => p.pages.message(StatusCode::CONFLICT, lang, "choice_invalid"),
        Err(e) => failed(&p, lang, &e),
    }
}

fn invalid(p: &Portal, lang: Lang) -> Response {
    p.pages.message(StatusCode::NOT_FOUND, lang, "invalid_link")
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncate(s: &str, max: usize) -> String {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_owned()
}
