//! The headers every response carries, and the check that a form was posted from the portal's
//! own pages (CSRF).

use axum::body::Body;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;

/// No script at all, styles and images from this origin (and images over HTTPS, for a logo),
/// forms posted only here, never framed.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' https:; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response; pages are never stored by a cache (they show a
/// person's request), the stylesheet may be.
pub async fn headers(request: Request<Body>, next: Next) -> Response {
    let is_static = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let cache = if is_static { "public, max-age=3600" } else { "no-store" };
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether a form post comes from the portal's own pages: `Sec-Fetch-Site` says `same-origin`
/// (or `none`, typed by the person); browsers without it are judged by `Origin`, which must be
/// `public_origin` or the request's own host. A post with neither header is refused.
pub fn same_origin(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else { return false };
    match public_origin {
        Some(expected) => origin.eq_ignore_ascii_case(expected.trim_end_matches('/')),
        None => {
            let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
            let bare = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://"));
            !host.is_empty() && bare.is_some_and(|b| b.eq_ignore_ascii_case(host))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn sec_fetch_site_decides_when_present() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")]), None));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")]), None));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://a")]), None));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")]), None));
    }

    #[test]
    fn origin_is_the_fallback() {
        let ours = headers(&[("origin", "https://privacy.example.com"), ("host", "privacy.example.com")]);
        assert!(same_origin(&ours, None));
        assert!(same_origin(&ours, Some("https://privacy.example.com/")));
        assert!(!same_origin(&ours, Some("https://other.example.com")));
        let theirs = headers(&[("origin", "https://evil.example"), ("host", "privacy.example.com")]);
        assert!(!same_origin(&theirs, None));
        assert!(!same_origin(&headers(&[("host", "privacy.example.com")]), None), "neither header: refused");
    }
}
