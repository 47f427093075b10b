//! Every route of the portal and every security property it promises, through the router as a
//! CRM mounts it: headers, CSRF, rate limits, identical answers, cookies, languages, one-click
//! unsubscribe (RFC 8058), body limits and template overrides (the log lines: tests/log.rs).

#![allow(clippy::unwrap_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::TimeDelta;
use common::{call, fixture, fixture_with, get, opened, post, send};
use gdprkit_portal::{PortalSettings, router};
use serde_json::json;

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let f = fixture();
    for uri in [
        "/",
        "/submit",
        "/c/00",
        "/follow",
        "/request",
        "/request/copy.pdf",
        "/u/00",
        "/u/00/choices",
        "/nowhere",
        "/r/00",
    ] {
        let a = send(&f.app, get(uri)).await;
        let csp = a.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{uri}: no script at all");
        assert_eq!(a.headers["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(a.headers["referrer-policy"], "no-referrer", "{uri}");
        assert_eq!(a.headers["cache-control"], "no-store", "{uri}: personal pages are never cached");
    }
    let css = send(&f.app, get("/static/portal.css")).await;
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    assert!(css.body.contains("--accent: #1d4ed8"));
    assert_eq!(send(&f.app, get("/nowhere")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pages_speak_the_language_asked_for() {
    let f = fixture();
    let english =
        Request::get("/follow").header("accept-language", "en-GB,en;q=0.9,fr;q=0.8").body(Body::empty()).unwrap();
    let a = send(&f.app, english).await;
    assert!(a.body.contains("<html lang=\"en\">") && a.body.contains("Tracking reference"), "{}", a.body);
    let switched = Request::get("/follow?lang=fr").header("accept-language", "en").body(Body::empty()).unwrap();
    let a = send(&f.app, switched).await;
    assert!(a.body.contains("<html lang=\"fr\">") && a.body.contains("Référence de suivi"));
    assert!(a.body.contains("<label for=\"token\">"), "the field has its label");
    let a = send(&f.app, get("/")).await;
    assert!(a.body.contains("lang=\"fr\""), "French when nothing is asked");
}

#[tokio::test]
async fn a_token_typed_in_the_form_opens_the_request_through_a_cookie() {
    // R8: the person follows their request with the token, which stays out of every URL.
    let f = fixture();
    let token = opened(&f);
    let a = send(&f.app, post("/follow?lang=en", &format!("token={token}"))).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers["location"], "/request?lang=en");
    let cookie = a.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("__Secure-gdprkit_request="), "a Secure cookie's name says so: {cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/request", "Max-Age=900"] {
        assert!(cookie.contains(part), "{cookie}: {part}");
    }
    assert!(!a.headers["location"].to_str().unwrap().contains(&token));
    let page = Request::get("/request?lang=en")
        .header("cookie", format!("__Secure-gdprkit_request={token}"))
        .body(Body::empty())
        .unwrap();
    let a = send(&f.app, page).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("Erasure") && a.body.contains("Received"), "{}", a.body);
    assert!(a.body.contains("2025-06-02") && a.body.contains("2025-07-02"), "received, and due a month later (R2)");
    assert!(!a.body.contains(&token), "the token is not written into the page");
    let none = send(&f.app, get("/request")).await;
    assert_eq!((none.status, none.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/follow?lang=fr"));
}

#[tokio::test]
async fn unknown_wrong_and_malformed_tokens_get_one_identical_answer() {
    let f = fixture();
    let token = opened(&f);
    let mut wrong = token.clone();
    wrong.replace_range(0..1, if wrong.starts_with('a') { "b" } else { "a" });
    let answers = [
        send(&f.app, post("/follow", "token=0000")).await,
        send(&f.app, post("/follow", &format!("token={wrong}"))).await,
        send(&f.app, post("/follow", &format!("token={}", "f".repeat(500)))).await,
        send(&f.app, get(&format!("/r/{wrong}"))).await,
        send(&f.app, get("/r/%00%FF")).await,
    ];
    for a in &answers {
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert_eq!(a.body, answers[0].body);
        assert!(!a.headers.contains_key("set-cookie"));
    }
}

#[tokio::test]
async fn the_mailed_link_sets_the_cookie_and_moves_on_by_a_page_of_its_own() {
    let f = fixture();
    let token = opened(&f);
    let a = send(&f.app, get(&format!("/r/{token}?lang=en"))).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.headers["set-cookie"].to_str().unwrap().starts_with(&format!("__Secure-gdprkit_request={token};")));
    assert!(a.body.contains("http-equiv=\"refresh\" content=\"0;url=/request?lang=en\""));
    assert!(a.body.contains("href=\"/request?lang=en\""), "and a link, for browsers that do not refresh");
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let f = fixture();
    let token = opened(&f);
    let cross = Request::post("/follow")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .body(Body::from(format!("token={token}")))
        .unwrap();
    assert_eq!(send(&f.app, cross).await.status, StatusCode::FORBIDDEN);
    let bare = Request::post("/follow")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("token={token}")))
        .unwrap();
    assert_eq!(send(&f.app, bare).await.status, StatusCode::FORBIDDEN, "neither Sec-Fetch-Site nor Origin");
    let old_browser = Request::post("/follow")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "privacy.acme.example")
        .header("origin", "https://privacy.acme.example")
        .body(Body::from(format!("token={token}")))
        .unwrap();
    assert_eq!(send(&f.app, old_browser).await.status, StatusCode::SEE_OTHER, "Origin of our own host");
}

#[tokio::test]
async fn lookups_are_rate_limited_per_client_with_retry_after() {
    let f = fixture();
    for _ in 0..10 {
        assert_eq!(send(&f.app, post("/follow", "token=0000")).await.status, StatusCode::NOT_FOUND);
    }
    let a = send(&f.app, post("/follow", "token=0000")).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.headers["retry-after"], "6", "10 a minute: one every 6 s");
    assert_eq!(send(&f.app, get("/r/0000")).await.status, StatusCode::TOO_MANY_REQUESTS, "links count too");
    f.clock.advance(TimeDelta::seconds(6));
    assert_eq!(send(&f.app, post("/follow", "token=0000")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let mut settings = PortalSettings::new("Acme");
    settings.trusted_proxies = vec!["203.0.113.9".parse().unwrap()];
    let f = fixture_with(settings);
    let from = |ip: &str| {
        let mut r = post("/follow", "token=0000");
        r.headers_mut().insert("x-forwarded-for", ip.parse().unwrap());
        r
    };
    for _ in 0..10 {
        send(&f.app, from("198.51.100.1")).await;
    }
    assert_eq!(send(&f.app, from("198.51.100.1")).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(send(&f.app, from("198.51.100.2")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_click_unsubscribe_records_the_opt_out_and_answers_with_no_page() {
    // Rule C6 and RFC 8058: a mail provider posts from its own servers, with no Sec-Fetch-Site.
    let f = fixture();
    call(
        &f.gdpr,
        "add_purpose",
        json!({"id": "news", "label": "News", "legal_basis": "legitimate_interests", "direct_marketing": true}),
    );
    call(&f.gdpr, "add_subject", json!({"id": "acme-buyer", "regime": "b2b_opt_out", "email": "buyer@acme.example"}));
    let decide = || {
        call(&f.gdpr, "decide", json!({"subject": "acme-buyer", "purpose": "news", "channel": "email"}))["allowed"]
            .clone()
    };
    assert_eq!(decide(), json!(true));
    let reference =
        call(&f.gdpr, "unsubscribe_token", json!({"subject": "acme-buyer", "purpose": "news", "channel": "email"}));
    let reference = reference.as_str().unwrap();
    let page = send(&f.app, get(&format!("/u/{reference}?lang=en"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Unsubscribe me") && page.body.contains("method=\"post\""));
    assert_eq!(decide(), json!(true), "opening the page changes nothing");
    let one_click = Request::post(format!("/u/{reference}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("List-Unsubscribe=One-Click"))
        .unwrap();
    let a = send(&f.app, one_click).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::OK, ""));
    assert_eq!(decide(), json!(false));
    let forged =
        Request::post(format!("/u/{}", "ab".repeat(40))).body(Body::from("List-Unsubscribe=One-Click")).unwrap();
    let a = send(&f.app, forged).await;
    assert_eq!((a.status, a.body.as_str()), (StatusCode::NOT_FOUND, ""));
    // A provider posts many from few addresses: valid posts never meet the rate limit.
    for _ in 0..15 {
        let again = Request::post(format!("/u/{reference}"))
            .header("content-type", "multipart/form-data; boundary=XyZ")
            .body(Body::from(
                "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n",
            ))
            .unwrap();
        assert_eq!(send(&f.app, again).await.status, StatusCode::OK, "multipart, as RFC 8058 recommends");
    }
}

#[tokio::test]
async fn a_crafted_reference_cannot_point_the_confirmation_form_elsewhere() {
    // `/u/..%2Frequest%2Fwithdraw` would make the form post to /request/withdraw.
    let f = fixture();
    let a = send(&f.app, get("/u/..%2Frequest%2Fwithdraw?lang=en")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.body.contains("This link is not valid.") && !a.body.contains("<form"), "{}", a.body);
}

#[tokio::test]
async fn the_confirmation_page_posts_a_checked_form() {
    let f = fixture();
    call(
        &f.gdpr,
        "add_purpose",
        json!({"id": "news", "label": "News", "legal_basis": "legitimate_interests", "direct_marketing": true}),
    );
    call(&f.gdpr, "add_subject", json!({"id": "acme-buyer", "regime": "b2b_opt_out"}));
    let reference = call(&f.gdpr, "unsubscribe_token", json!({"subject": "acme-buyer"}));
    let uri = format!("/u/{}?lang=en", reference.as_str().unwrap());
    let cross = Request::post(&uri).header("sec-fetch-site", "cross-site").body(Body::from("confirm=yes")).unwrap();
    assert_eq!(send(&f.app, cross).await.status, StatusCode::FORBIDDEN);
    let a = send(&f.app, post(&uri, "confirm=yes")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.body.contains("You are unsubscribed"));
    let history = call(&f.gdpr, "history", json!({"subject": "acme-buyer"}));
    assert_eq!(history[0]["action"], "object", "no scope: an objection to all direct marketing (Art. 21(2))");
    let invalid = send(&f.app, post("/u/0000?lang=en", "confirm=yes")).await;
    assert_eq!(invalid.status, StatusCode::NOT_FOUND);
    assert!(invalid.body.contains("This link is not valid."));
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused() {
    let f = fixture();
    let big = format!("token={}", "a".repeat(gdprkit_portal::BODY_LIMIT + 1));
    let a = send(&f.app, post("/follow", &big)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.headers.contains_key("content-security-policy"), "refused with the headers too");
}

#[tokio::test]
async fn templates_and_colours_come_from_the_integrator() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("home.html"),
        "{% extends \"base.html\" %}{% block main %}<p>Bienvenue chez {{ site.name }}</p>{% endblock %}",
    )
    .unwrap();
    let mut settings = PortalSettings::new("Acme <Privacy>");
    settings.templates_dir = Some(dir.path().to_owned());
    settings.colours.accent = "#0a7".into();
    let f = fixture_with(settings.clone());
    let a = send(&f.app, get("/")).await;
    assert!(a.body.contains("Bienvenue chez Acme &lt;Privacy&gt;"), "overridden, and escaped: {}", a.body);
    assert!(send(&f.app, get("/static/portal.css")).await.body.contains("--accent: #0a7"));

    std::fs::write(dir.path().join("follow.html"), "{% block main %}").unwrap();
    let e = router(f.gdpr.clone(), settings.clone()).unwrap_err();
    assert_eq!((e.code(), e.field()), ("config", Some("templates_dir")), "a broken template fails at start");
    let mut bad = PortalSettings::new("Acme");
    bad.colours.text = "red; } body { background: url(//evil)".into();
    assert_eq!(router(f.gdpr.clone(), bad).unwrap_err().field(), Some("colours.text"));
}

fn with_cookie(mut r: Request<Body>, token: &str) -> Request<Body> {
    r.headers_mut().insert("cookie", format!("__Secure-gdprkit_request={token}").parse().unwrap());
    r
}

#[tokio::test]
async fn the_person_answers_the_question_and_withdraws_from_the_page() {
    // R4: the answer restarts the deadline; R1: the person may withdraw an open request.
    let f = fixture();
    let token = opened(&f);
    let id = call(&f.gdpr, "requests", json!({}))[0]["id"].as_str().unwrap().to_owned();
    let ask = json!({"request": id, "step": {"action": "await_subject", "kind": "clarification", "reason": "Which account?"}, "actor": "Marie"});
    call(&f.gdpr, "act", ask);
    let page = send(&f.app, with_cookie(get("/request?lang=en"), &token)).await;
    assert!(
        page.body.contains("Waiting for your answer") && page.body.contains("<label for=\"answer\">"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Which account?"), "the question is shown with the form");
    let answered =
        send(&f.app, with_cookie(post("/request/answer?lang=en", "text=The+one+ending%0D%0Ain+42"), &token)).await;
    assert_eq!(
        (answered.status, answered.headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/request?lang=en")
    );
    let page = send(&f.app, with_cookie(get("/request?lang=en"), &token)).await;
    assert!(page.body.contains("The one ending in 42") && !page.body.contains("id=\"answer\""), "{}", page.body);
    let empty = send(&f.app, with_cookie(post("/request/answer?lang=en", "text=+"), &token)).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("Your answer could not be recorded: it is empty or too long."));
    let late = send(&f.app, with_cookie(post("/request/answer?lang=en", "text=Again"), &token)).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "no question waits any more");

    let cross = Request::post("/request/withdraw").header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap();
    assert_eq!(send(&f.app, with_cookie(cross, &token)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&f.gdpr, "request", json!({"request": id}))["state"],
        "received",
        "a cross-site post changes nothing"
    );
    let withdrawn = send(&f.app, with_cookie(post("/request/withdraw?lang=en", ""), &token)).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let page = send(&f.app, with_cookie(get("/request?lang=en"), &token)).await;
    assert!(page.body.contains("Withdrawn") && !page.body.contains("Withdraw my request"), "{}", page.body);
    let history = page.body.split("<ol class=\"history\">").nth(1).unwrap().split("</ol>").next().unwrap();
    let states: Vec<&str> = history.split("</time> ").skip(1).map(|s| s.split('<').next().unwrap()).collect();
    assert_eq!(states, ["Received", "Waiting for your answer", "Received", "Withdrawn"], "{history}");
    let again = send(&f.app, with_cookie(post("/request/withdraw?lang=en", ""), &token)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "an old page: the step no longer applies");
    let history = call(&f.gdpr, "request", json!({"request": id}));
    assert_eq!(history["state"], "withdrawn");
    let no_cookie = send(&f.app, post("/request/withdraw", "")).await;
    assert_eq!(no_cookie.status, StatusCode::SEE_OTHER, "no token: back to the form");
}
