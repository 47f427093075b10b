//! Following a request with its tracking token (R8): typed into a form, or carried by the link
//! mailed with the receipt. Either way the token goes into a short-lived, HttpOnly,
//! SameSite=Strict cookie and the request is shown at `/request`, so that it stays in no URL of
//! the history, no log and no `Referer`. An unknown, wrong or expired token gets one answer.

use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use gdprkit::{CopyFormat, ErrorKind, SubjectStep};
use serde::Deserialize;

use super::{Shared, blocking, csrf, failed, limited};
use crate::Portal;
use crate::lang::Lang;

/// The cookie that carries the token from the form or the link to the request's page; with the
/// `__Secure-` prefix when cookies are Secure, so that no page of a sibling subdomain over plain
/// HTTP can plant one of its own.
fn cookie_name(p: &Portal) -> &'static str {
    if p.settings.secure_cookies { "__Secure-gdprkit_request" } else { "gdprkit_request" }
}
/// How long the cookie lasts, in seconds: long enough to read the page.
const COOKIE_SECONDS: u32 = 15 * 60;

/// The form's fields.
#[derive(Deserialize)]
pub struct TokenForm {
    token: String,
}

/// The form to type a token into.
pub async fn form(State(p): Shared, lang: Lang) -> Response {
    p.pages.page(StatusCode::OK, "follow.html", lang, minijinja::context! {})
}

/// A token typed into the form: the request's page, or the one answer for every token that
/// matches none.
pub async fn lookup(State(p): Shared, lang: Lang, parts: Parts, Form(f): Form<TokenForm>) -> Response {
    if let Err(refused) = csrf(&p, &parts, lang).and_then(|()| limited(&p, &p.lookups, &parts, lang)) {
        return refused;
    }
    match known(&p, f.token.trim()).await {
        Ok(Some(token)) => {
            let mut r = (StatusCode::SEE_OTHER, [(LOCATION, format!("/request?lang={}", lang.code()))]).into_response();
            set_cookie(&p, &mut r, &token);
            r
        }
        Ok(None) => no_such_request(&p, lang),
        Err(e) => failed(&p, lang, &e),
    }
}

/// The link mailed with the receipt: sets the cookie and moves on to `/request` by a page of its
/// own (a redirect would not carry a SameSite=Strict cookie set by a link from a mail client).
pub async fn link(State(p): Shared, lang: Lang, parts: Parts, token: Result<Path<String>, PathRejection>) -> Response {
    if let Err(refused) = limited(&p, &p.lookups, &parts, lang) {
        return refused;
    }
    // A path that does not decode is a token that matches nothing, and answered as one.
    let Ok(Path(token)) = token else { return no_such_request(&p, lang) };
    match known(&p, &token).await {
        Ok(Some(token)) => {
            let mut r = p.pages.page(StatusCode::OK, "opening.html", lang, minijinja::context! {});
            set_cookie(&p, &mut r, &token);
            r
        }
        Ok(None) => no_such_request(&p, lang),
        Err(e) => failed(&p, lang, &e),
    }
}

/// The request the cookie's token follows.
pub async fn view(State(p): Shared, lang: Lang, parts: Parts) -> Response {
    let Some(token) = cookie(&p, &parts) else { return to_form(lang) };
    match blocking(&p, move |g| g.track(&token)).await {
        Ok(Some(view)) => {
            let view = minijinja::Value::from(minijinja::value::Serde(view));
            p.pages.page(StatusCode::OK, "request.html", lang, minijinja::context! { view })
        }
        // The token expired with its request, or was never right: back to the form.
        Ok(None) => to_form(lang),
        Err(e) => failed(&p, lang, &e),
    }
}

/// The copy of the request the cookie's token follows, while it is offered (E3): the first
/// download completes the request. Anything else gets the request's page back.
pub async fn download(State(p): Shared, lang: Lang, parts: Parts, Path(file): Path<String>) -> Response {
    let format = match file.as_str() {
        "copy.pdf" => CopyFormat::Pdf,
        "copy.json" => CopyFormat::Json,
        _ => return p.pages.message(StatusCode::NOT_FOUND, lang, "page_not_found"),
    };
    // Building a copy takes time: downloads count against the client's lookups.
    if let Err(refused) = limited(&p, &p.lookups, &parts, lang) {
        return refused;
    }
    let Some(token) = cookie(&p, &parts) else { return to_form(lang) };
    match blocking(&p, move |g| g.download_copy(&token, format)).await {
        Ok(Some(copy)) => {
            let disposition = format!("attachment; filename=\"{}\"", copy.filename);
            let mut r = copy.bytes.into_response();
            let headers = r.headers_mut();
            if let (Ok(kind), Ok(disposition)) =
                (HeaderValue::from_str(&copy.content_type), HeaderValue::from_str(&disposition))
            {
                headers.insert(CONTENT_TYPE, kind);
                headers.insert(CONTENT_DISPOSITION, disposition);
            }
            r
        }
        Ok(None) => to_form(lang),
        Err(e) => failed(&p, lang, &e),
    }
}

/// The person's answer to the question their request waits on (R4).
#[derive(Deserialize)]
pub struct AnswerForm {
    text: String,
}

/// Withdraws the request the cookie's token follows (R1).
pub async fn withdraw(State(p): Shared, lang: Lang, parts: Parts) -> Response {
    step(&p, lang, &parts, SubjectStep::Withdraw).await
}

/// Answers the question the request waits on (R4).
pub async fn answer(State(p): Shared, lang: Lang, parts: Parts, Form(f): Form<AnswerForm>) -> Response {
    step(&p, lang, &parts, SubjectStep::Answer { text: f.text }).await
}

/// Takes the person's step and shows the request again; a step its state no longer allows (the
/// page was old) says so.
async fn step(p: &Portal, lang: Lang, parts: &Parts, step: SubjectStep) -> Response {
    if let Err(refused) = csrf(p, parts, lang) {
        return refused;
    }
    let Some(token) = cookie(p, parts) else { return to_form(lang) };
    match blocking(p, move |g| g.act_by_token(&token, step)).await {
        Ok(Some(_)) => (StatusCode::SEE_OTHER, [(LOCATION, format!("/request?lang={}", lang.code()))]).into_response(),
        Ok(None) => to_form(lang),
        Err(e) if e.kind() == ErrorKind::InvalidState => p.pages.message(StatusCode::CONFLICT, lang, "no_longer"),
        Err(e) if e.kind() == ErrorKind::InvalidInput => {
            p.pages.message(StatusCode::BAD_REQUEST, lang, "answer_invalid")
        }
        Err(e) => failed(p, lang, &e),
    }
}

/// The token, when it follows a request.
async fn known(p: &Portal, token: &str) -> gdprkit::Result<Option<String>> {
    let token = token.to_owned();
    blocking(p, move |g| Ok(g.track(&token)?.map(|_| token))).await
}

fn no_such_request(p: &Portal, lang: Lang) -> Response {
    p.pages.page(StatusCode::NOT_FOUND, "follow.html", lang, minijinja::context! { not_found => true })
}

fn to_form(lang: Lang) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, format!("/follow?lang={}", lang.code()))]).into_response()
}

pub(crate) fn set_cookie(p: &Portal, response: &mut Response, token: &str) {
    let secure = if p.settings.secure_cookies { "; Secure" } else { "" };
    let name = cookie_name(p);
    let value = format!("{name}={token}; Path=/request; Max-Age={COOKIE_SECONDS}; HttpOnly; SameSite=Strict{secure}");
    // A token that reached here was found by `track`, so it is a valid header value; one that is
    // not is simply not set.
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(SET_COOKIE, v);
    }
}

fn cookie(p: &Portal, parts: &Parts) -> Option<String> {
    let name = cookie_name(p);
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
}
