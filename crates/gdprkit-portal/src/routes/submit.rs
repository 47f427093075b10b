//! Submitting a request (R1): the person picks the right, writes a message and gives their
//! address; the request is received when they confirm it from the link mailed there. The page
//! after submitting is the same whether or not the address is known. The mailed link shows a page
//! with a button (`GET /c/{code}`), and only the button confirms (`POST /c`), so that a mail
//! scanner that follows links confirms nothing; confirmed, the person lands on their request.

use axum::Form;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use gdprkit::{ErrorKind, NewSubmission, RequestKind};
use serde::Deserialize;

use super::{Shared, blocking, csrf, failed, limited};
use crate::Portal;
use crate::lang::Lang;

/// The rights a person can ask for, in the order the form lists them.
const KINDS: [RequestKind; 7] = [
    RequestKind::Access,
    RequestKind::Rectification,
    RequestKind::Erasure,
    RequestKind::Restriction,
    RequestKind::Portability,
    RequestKind::Objection,
    RequestKind::Anonymization,
];

/// The submission form's fields.
#[derive(Deserialize)]
pub struct SubmitForm {
    kind: String,
    email: String,
    #[serde(default)]
    message: String,
}

/// The confirmation form's field.
#[derive(Deserialize)]
pub struct ConfirmForm {
    code: String,
}

/// The form to submit a request.
pub async fn form(State(p): Shared, lang: Lang) -> Response {
    form_page(&p, lang, StatusCode::OK, None, "", "", "")
}

/// A submitted form: the same page for a known and an unknown address; the form again, with what
/// was typed, when the input is refused.
pub async fn post(State(p): Shared, lang: Lang, parts: Parts, Form(f): Form<SubmitForm>) -> Response {
    if let Err(refused) = csrf(&p, &parts, lang).and_then(|()| limited(&p, &p.submissions, &parts, lang)) {
        return refused;
    }
    let Some(kind) = KINDS.into_iter().find(|k| k.as_str() == f.kind) else {
        return form_page(&p, lang, StatusCode::UNPROCESSABLE_ENTITY, Some("kind"), "", &f.email, &f.message);
    };
    let new = NewSubmission { kind, email: f.email.clone(), message: f.message.clone(), language: lang.0 };
    match blocking(&p, move |g| g.submit_request(new)).await {
        Ok(_) => p.pages.page(StatusCode::OK, "submitted.html", lang, minijinja::context! {}),
        Err(e) if e.kind() == ErrorKind::InvalidInput => {
            let field = if e.field() == Some("message") { "message" } else { "email" };
            form_page(&p, lang, StatusCode::UNPROCESSABLE_ENTITY, Some(field), kind.as_str(), &f.email, &f.message)
        }
        Err(e) => failed(&p, lang, &e),
    }
}

/// The link mailed to confirm: a page with the button that confirms, or the one answer for a code
/// that is unknown, used or expired.
pub async fn link(State(p): Shared, lang: Lang, parts: Parts, code: Result<Path<String>, PathRejection>) -> Response {
    if let Err(refused) = limited(&p, &p.lookups, &parts, lang) {
        return refused;
    }
    let Ok(Path(code)) = code else { return invalid(&p, lang) };
    let looked_up = code.clone();
    match blocking(&p, move |g| g.pending_submission(&looked_up)).await {
        Ok(Some(pending)) => {
            let kind = pending.kind.as_str();
            p.pages.page(StatusCode::OK, "confirm.html", lang, minijinja::context! { code, kind })
        }
        Ok(None) => invalid(&p, lang),
        Err(e) => failed(&p, lang, &e),
    }
}

/// The button pressed: the request opens, and the person lands on it.
pub async fn confirm(State(p): Shared, lang: Lang, parts: Parts, Form(f): Form<ConfirmForm>) -> Response {
    if let Err(refused) = csrf(&p, &parts, lang).and_then(|()| limited(&p, &p.lookups, &parts, lang)) {
        return refused;
    }
    match blocking(&p, move |g| g.confirm_submission(&f.code)).await {
        Ok(Some(opened)) => {
            let mut r = (StatusCode::SEE_OTHER, [(LOCATION, format!("/request?lang={}", lang.code()))]).into_response();
            super::follow::set_cookie(&p, &mut r, &opened.token);
            r
        }
        Ok(None) => invalid(&p, lang),
        Err(e) => failed(&p, lang, &e),
    }
}

fn invalid(p: &Portal, lang: Lang) -> Response {
    p.pages.message(StatusCode::NOT_FOUND, lang, "confirm_invalid")
}

fn form_page(
    p: &Portal,
    lang: Lang,
    status: StatusCode,
    error: Option<&str>,
    kind: &str,
    email: &str,
    message: &str,
) -> Response {
    let kinds: Vec<&str> = KINDS.iter().map(|k| k.as_str()).collect();
    // Submissions are confirmed through the controller's portal address; without one, the page
    // says to write instead.
    let available = p.gdpr.controller().portal.is_some();
    let context = minijinja::context! { kinds, error, kind, email, message, available };
    p.pages.page(status, "submit.html", lang, context)
}
