//! Submitting a request on the portal and confirming it from the mailed link (R1, R7, R8).

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use chrono::TimeDelta;
use common::{code_in, get, mailed, now, portal_fixture as fixture, post, send};

#[tokio::test]
async fn the_form_lists_the_seven_rights_in_the_language_asked_for() {
    let f = fixture();
    let page = send(&f.app, get("/submit?lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    for kind in ["access", "rectification", "erasure", "restriction", "portability", "objection", "anonymization"] {
        assert!(page.body.contains(&format!("value=\"{kind}\"")), "{kind} is offered");
    }
    assert!(page.body.contains("Make a request about your data"));
    assert!(send(&f.app, get("/submit?lang=fr")).await.body.contains("Faire une demande sur vos données"));
}

/// R1: the page after submitting is the same for a known and an unknown address; mail goes only
/// to the known one.
#[tokio::test]
async fn a_known_and_an_unknown_address_get_the_same_page_and_only_the_known_one_mail() {
    let f = fixture();
    let known = send(&f.app, post("/submit?lang=en", "kind=erasure&email=jeanne%40example.org&message=")).await;
    let unknown = send(&f.app, post("/submit?lang=en", "kind=erasure&email=nobody%40example.org&message=")).await;
    assert_eq!((known.status, unknown.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(known.body, unknown.body, "one answer for both");
    assert!(known.body.contains("Check your mailbox"));
    let sent = mailed(&f.gdpr);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "jeanne@example.org");
}

/// R1, R7, R8: opening the mailed link confirms nothing; the button does, once, and the person
/// lands on their request, received at the confirmation.
#[tokio::test]
async fn the_link_shows_a_button_and_only_the_button_confirms_once() {
    let f = fixture();
    let form = "kind=access&email=Jeanne%40Example.org&message=Everything%20you%20hold%0D%0Aplease";
    send(&f.app, post("/submit?lang=en", form)).await;
    let code = code_in(&mailed(&f.gdpr)[0].1);
    f.clock.advance(TimeDelta::hours(3));

    let page = send(&f.app, get(&format!("/c/{code}?lang=en"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("I confirm my request") && page.body.contains("Access"), "{}", page.body);
    assert!(f.gdpr.requests().unwrap().is_empty(), "following the link confirms nothing");

    let confirmed = send(&f.app, post("/c?lang=en", &format!("code={code}"))).await;
    assert_eq!(confirmed.status, StatusCode::SEE_OTHER);
    assert_eq!(confirmed.headers[LOCATION], "/request?lang=en");
    let cookie = confirmed.headers[SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let requests = f.gdpr.requests().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].received_at, now() + TimeDelta::hours(3), "received when confirmed");
    assert_eq!(f.gdpr.request_message(&requests[0].id).unwrap().as_deref(), Some("Everything you hold\nplease"));
    let receipt = mailed(&f.gdpr).pop().unwrap().1;
    assert!(receipt.contains("https://privacy.example.com/r/"), "the receipt links to the request: {receipt}");

    let again = send(&f.app, post("/c?lang=en", &format!("code={code}"))).await;
    let unknown = send(&f.app, post("/c?lang=en", "code=0123456789abcdef")).await;
    assert_eq!((again.status, again.body.clone()), (unknown.status, unknown.body), "used and unknown alike");
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&f.app, get(&format!("/c/{code}"))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(f.gdpr.requests().unwrap().len(), 1);
}

/// R1: after 24 hours the link is answered as an unknown one.
#[tokio::test]
async fn an_expired_link_gets_the_answer_of_an_unknown_one() {
    let f = fixture();
    send(&f.app, post("/submit", "kind=erasure&email=jeanne%40example.org")).await;
    let code = code_in(&mailed(&f.gdpr)[0].1);
    f.clock.advance(TimeDelta::hours(24));
    let expired = send(&f.app, get(&format!("/c/{code}?lang=en"))).await;
    let unknown = send(&f.app, get("/c/00ff?lang=en")).await;
    assert_eq!((expired.status, &expired.body), (unknown.status, &unknown.body));
    let posted = send(&f.app, post("/c", &format!("code={code}"))).await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND);
    assert!(f.gdpr.requests().unwrap().is_empty());
}

#[tokio::test]
async fn a_bad_address_shows_the_form_again_with_what_was_typed() {
    let f = fixture();
    let page = send(&f.app, post("/submit?lang=en", "kind=rectification&email=not-an-address&message=My%20name")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("This e-mail address is not valid."));
    assert!(page.body.contains("aria-invalid=\"true\""));
    assert!(
        page.body.contains(">My name</textarea>") && page.body.contains("value=\"rectification\" required checked")
    );
    let page = send(&f.app, post("/submit?lang=en", "kind=everything&email=jeanne%40example.org")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mailed(&f.gdpr).is_empty());
}

#[tokio::test]
async fn submissions_are_refused_from_another_site_and_rate_limited() {
    let f = fixture();
    let mut forged = post("/submit", "kind=erasure&email=jeanne%40example.org");
    forged.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&f.app, forged).await.status, StatusCode::FORBIDDEN);
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(send(&f.app, post("/submit", "kind=erasure&email=nobody%40example.org")).await);
    }
    let codes: Vec<StatusCode> = statuses.iter().map(|a| a.status).collect();
    assert_eq!(codes, [StatusCode::OK, StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    assert_eq!(statuses[3].headers[RETRY_AFTER], "60");
    f.clock.advance(TimeDelta::minutes(1));
    assert_eq!(send(&f.app, post("/submit", "kind=erasure&email=nobody%40example.org")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn without_a_portal_address_the_form_says_to_write_instead() {
    let f = common::fixture();
    let page = send(&f.app, get("/submit?lang=en")).await;
    assert!(page.body.contains("Requests cannot be made on this site"));
    assert!(!page.body.contains("<form method=\"post\" action=\"/submit"));
}
