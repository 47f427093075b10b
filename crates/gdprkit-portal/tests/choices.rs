//! A person's contact choices from a message's signed reference (rules C3, C6; Art. 7).

#![allow(clippy::unwrap_used)]

mod common;

use axum::http::StatusCode;
use axum::http::header::LOCATION;
use common::{call, fixture, get, post, send};
use gdprkit::testkit::{pid, sid};
use gdprkit::{Channel, Collector, ConsentAction, Source};
use serde_json::json;

fn setup() -> (common::Fixture, String) {
    let f = fixture();
    call(
        &f.gdpr,
        "add_purpose",
        json!({"id": "news", "label": "News & offers", "legal_basis": "consent", "direct_marketing": true}),
    );
    call(&f.gdpr, "add_subject", json!({"id": "jeanne", "regime": "b2c_opt_in", "email": "jeanne@example.org"}));
    let reference = call(&f.gdpr, "unsubscribe_token", json!({"subject": "jeanne"})).as_str().unwrap().to_owned();
    (f, reference)
}

/// The value of the hidden field `name` in the form that follows `after` in `page`.
fn hidden(page: &str, after: &str, name: &str) -> String {
    let from = page.find(after).unwrap();
    let marker = format!("name=\"{name}\" value=\"");
    let start = page[from..].find(&marker).unwrap() + from + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// C3 (Art. 7(1)): the agreement given on the page is recorded with the wording shown, its
/// SHA-256 and version, the web form, the subject, the client's address and user agent.
#[tokio::test]
async fn an_agreement_on_the_page_is_recorded_with_the_wording_shown_and_the_client() {
    let (f, reference) = setup();
    let page = send(&f.app, get(&format!("/u/{reference}/choices?lang=en"))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h2>News &amp; offers</h2>"), "labels are escaped: {}", page.body);
    assert!(page.body.contains("We do not contact you"));
    let wording = "I agree that the data controller contacts me by e-mail for: News &amp; offers.";
    assert!(page.body.contains(wording), "{}", page.body);
    let sha = hidden(&page.body, wording, "wording_sha256");

    let mut agree = post(
        &format!("/u/{reference}/choices?lang=en"),
        &format!("purpose=news&channel=email&agree=yes&wording_sha256={sha}"),
    );
    agree.headers_mut().insert("user-agent", "Mozilla/5.0 (Test)".parse().unwrap());
    let done = send(&f.app, agree).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(done.headers[LOCATION].to_str().unwrap(), format!("/u/{reference}/choices?lang=en"));
    let event = f.gdpr.history(&sid("jeanne")).unwrap().pop().unwrap();
    assert_eq!((event.action, event.channel), (ConsentAction::OptIn, Some(Channel::Email)));
    let proof = event.proof;
    assert_eq!((proof.source, proof.collected_by), (Some(Source::WebForm), Some(Collector::Subject)));
    assert_eq!(proof.notice_sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(proof.notice_version.as_deref(), Some("gdprkit-preferences-1/en"));
    assert_eq!((proof.ip.as_deref(), proof.user_agent.as_deref()), (Some("203.0.113.9"), Some("Mozilla/5.0 (Test)")));
    assert!(f.gdpr.decide(&sid("jeanne"), &pid("news"), &Channel::Email, None).unwrap().allowed);

    let page = send(&f.app, get(&format!("/u/{reference}/choices?lang=en"))).await;
    let email = &page.body[page.body.find("<strong>E-mail</strong>").unwrap()..];
    let email = &email[..email.find("</li>").unwrap()];
    assert!(email.contains("We may contact you"), "{email}");
    assert!(email.contains("(your choice of <time datetime=\"2025-06-02T09:00:00Z\">2025-06-02</time>)"), "{email}");
    let withdraw = send(&f.app, post(&format!("/u/{reference}/choices"), "purpose=news&channel=email&agree=no")).await;
    assert_eq!(withdraw.status, StatusCode::SEE_OTHER);
    assert!(
        !f.gdpr.decide(&sid("jeanne"), &pid("news"), &Channel::Email, None).unwrap().allowed,
        "withdrawn as easily"
    );
}

#[tokio::test]
async fn a_forged_reference_a_stale_wording_and_another_site_are_refused() {
    let (f, reference) = setup();
    let forged = format!("{}00", &reference[..reference.len() - 2]);
    let page = send(&f.app, get(&format!("/u/{forged}/choices"))).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let stale = format!("purpose=news&channel=sms&agree=yes&wording_sha256={}", "0".repeat(64));
    assert_eq!(send(&f.app, post(&format!("/u/{reference}/choices"), &stale)).await.status, StatusCode::CONFLICT);
    let ghost = send(&f.app, post(&format!("/u/{reference}/choices"), "purpose=ghost&channel=email&agree=no")).await;
    assert_eq!(ghost.status, StatusCode::CONFLICT, "a purpose not offered is refused, not an error of ours");
    let odd = send(&f.app, post(&format!("/u/{reference}/choices"), "purpose=news&channel=email&agree=maybe")).await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    let mut cross = post(&format!("/u/{reference}/choices"), "purpose=news&channel=email&agree=no");
    cross.headers_mut().insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&f.app, cross).await.status, StatusCode::FORBIDDEN);
    assert!(f.gdpr.history(&sid("jeanne")).unwrap().is_empty(), "nothing recorded");
    let unsubscribe = send(&f.app, get(&format!("/u/{reference}?lang=en"))).await;
    assert!(unsubscribe.body.contains(&format!("/u/{reference}/choices?lang=en")), "linked from the unsubscribe page");
}
