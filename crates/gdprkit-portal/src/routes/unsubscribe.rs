//! Unsubscribe references (rule C6, RFC 8058): the link in a message's `List-Unsubscribe`
//! header. A mail provider posts `List-Unsubscribe=One-Click` to it from its own servers
//! (URL-encoded or, as RFC 8058 recommends, `multipart/form-data`), which records the opt-out and
//! answers 200 with no page; that post is authenticated by the signed reference itself, so it is
//! the one post the CSRF check does not apply to, and only the ones that fail count against the
//! rate limit (a provider posts many from few addresses). A person who opens the link sees a page
//! that asks them to confirm (a `GET` never changes anything).

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::{Shared, blocking, csrf, failed, limited};
use crate::Portal;
use crate::lang::Lang;

/// The longest reference looked at, in characters: no reference gdprkit makes is longer.
const MAX_REFERENCE_CHARS: usize = 2 * (16 + 16 + 512);

/// The page that asks the person to confirm.
pub async fn page(
    State(p): Shared,
    lang: Lang,
    parts: Parts,
    reference: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(refused) = limited(&p, &p.lookups, &parts, lang) {
        return refused;
    }
    // Only a reference's own characters go back into the page's form, so nothing else can change
    // where the form posts.
    let Some(reference) = well_formed(reference) else { return invalid(&p, lang, false) };
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
    let one_click = is_one_click(&parts, &body);
    if !one_click && let Err(refused) = csrf(&p, &parts, lang).and_then(|()| limited(&p, &p.lookups, &parts, lang)) {
        return refused;
    }
    let Some(reference) = well_formed(reference) else { return refused_reference(&p, &parts, lang, one_click) };
    match (blocking(&p, move |g| g.unsubscribe(&reference)).await, one_click) {
        (Ok(_), true) => StatusCode::OK.into_response(),
        (Ok(_), false) => p.pages.page(StatusCode::OK, "unsubscribed.html", lang, minijinja::context! {}),
        // Forged, altered, truncated or another tenant's: one answer for all.
        (Err(e), _) if e.code() == "invalid_input" => refused_reference(&p, &parts, lang, one_click),
        (Err(e), _) => failed(&p, lang, &e),
    }
}

/// A reference gdprkit did not make: counted against a one-click poster's rate limit (a valid
/// one-click post is not), and answered alike whatever was wrong with it.
fn refused_reference(p: &Portal, parts: &Parts, lang: Lang, one_click: bool) -> Response {
    if one_click && let Err(refused) = limited(p, &p.lookups, parts, lang) {
        return refused;
    }
    invalid(p, lang, one_click)
}

fn invalid(p: &Portal, lang: Lang, one_click: bool) -> Response {
    if one_click {
        StatusCode::NOT_FOUND.into_response()
    } else {
        p.pages.message(StatusCode::NOT_FOUND, lang, "invalid_link")
    }
}

/// The reference, when it has the form of one gdprkit makes: hexadecimal, not too long.
pub(crate) fn well_formed(reference: Result<Path<String>, PathRejection>) -> Option<String> {
    let Ok(Path(r)) = reference else { return None };
    (!r.is_empty() && r.len() <= MAX_REFERENCE_CHARS && r.bytes().all(|b| b.is_ascii_hexdigit())).then_some(r)
}

/// Whether the body is RFC 8058's one-click post: the field `List-Unsubscribe` with the value
/// `One-Click`, URL-encoded or as `multipart/form-data`.
fn is_one_click(parts: &Parts, body: &[u8]) -> bool {
    let content_type = parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/form-data") {
        let Ok(text) = std::str::from_utf8(body) else { return false };
        // Each part: headers naming the field, a blank line, the value.
        return text.split("\r\n\r\n").zip(text.split("\r\n\r\n").skip(1)).any(|(head, rest)| {
            head.contains("name=\"List-Unsubscribe\"") && rest.split("\r\n").next() == Some("One-Click")
        });
    }
    body.split(|&b| b == b'&').any(|pair| pair == b"List-Unsubscribe=One-Click")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(content_type: &str) -> Parts {
        Request::post("/u/ab").header(CONTENT_TYPE, content_type).body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_one_click_post_is_read_as_rfc_8058_writes_it() {
        let form = parts("application/x-www-form-urlencoded");
        assert!(is_one_click(&form, b"List-Unsubscribe=One-Click"));
        assert!(is_one_click(&form, b"x=1&List-Unsubscribe=One-Click"));
        assert!(!is_one_click(&form, b"confirm=yes"));
        assert!(!is_one_click(&form, b"List-Unsubscribe=One-Clickety"));
        let multipart = parts("multipart/form-data; boundary=XyZ");
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(is_one_click(&multipart, body.as_bytes()));
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"confirm\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(!is_one_click(&multipart, other.as_bytes()));
    }

    #[test]
    fn only_a_hexadecimal_reference_is_looked_at() {
        let path = |s: &str| Ok(Path(s.to_owned()));
        assert_eq!(well_formed(path("00ff")), Some("00ff".into()));
        assert_eq!(well_formed(path("../request/withdraw")), None);
        assert_eq!(well_formed(path("")), None);
        assert_eq!(well_formed(path(&"a".repeat(MAX_REFERENCE_CHARS + 1))), None);
    }
}
