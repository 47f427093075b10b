//! What the portal's tests share: gdprkit in memory on a clock the tests move, the portal's router
//! over it as one client (203.0.113.9) reaches it, and requests sent through it.

#![allow(clippy::unwrap_used, dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use chrono::{DateTime, Utc};
use gdprkit::{Controller, FixedClock, Gdpr, HmacKey, MemoryStore};
use gdprkit_portal::{PortalSettings, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub struct Fixture {
    pub gdpr: Gdpr,
    pub clock: Arc<FixedClock>,
    pub app: Router,
}

pub fn now() -> DateTime<Utc> {
    "2025-06-02T09:00:00Z".parse().unwrap()
}

pub fn fixture_with(settings: PortalSettings) -> Fixture {
    let clock = Arc::new(FixedClock::new(now()));
    let gdpr = Gdpr::builder(Arc::new(MemoryStore::new()))
        .clock(clock.clone())
        .hmac_key(HmacKey::new(b"a key of thirty-two bytes or more, for tests".to_vec()).unwrap())
        .build()
        .unwrap();
    let app =
        router(gdpr.clone(), settings).unwrap().layer(MockConnectInfo(SocketAddr::from(([203, 0, 113, 9], 4000))));
    Fixture { gdpr, clock, app }
}

pub fn fixture() -> Fixture {
    fixture_with(PortalSettings::new("Acme"))
}

/// A controller whose portal is `https://privacy.example.com`, so that requests can be submitted,
/// with the subject `jeanne` (jeanne@example.org) and no mailer: messages wait in the outbox.
pub fn portal_fixture() -> Fixture {
    let clock = Arc::new(FixedClock::new(now()));
    let controller =
        Controller { name: "Acme".into(), portal: Some("https://privacy.example.com".into()), ..Controller::default() };
    let gdpr = Gdpr::builder(Arc::new(MemoryStore::new())).clock(clock.clone()).controller(controller).build().unwrap();
    call(&gdpr, "add_subject", json!({"id": "jeanne", "regime": "b2c_opt_in", "email": "jeanne@example.org"}));
    let app = router(gdpr.clone(), PortalSettings::new("Acme"))
        .unwrap()
        .layer(MockConnectInfo(SocketAddr::from(([203, 0, 113, 9], 4000))));
    Fixture { gdpr, clock, app }
}

/// The messages waiting in the outbox, as (to, body).
pub fn mailed(g: &Gdpr) -> Vec<(String, String)> {
    g.store().due_messages(g.tenant(), g.now(), 100).unwrap().into_iter().map(|(_, m)| (m.to, m.body)).collect()
}

/// The confirmation code of the link in a mailed body.
pub fn code_in(body: &str) -> String {
    let link = body.split_whitespace().find(|w| w.starts_with("https://privacy.example.com/c/")).unwrap();
    link.rsplit('/').next().unwrap().to_owned()
}

pub fn call(g: &Gdpr, method: &str, args: Value) -> Value {
    gdprkit::json_api::call(g, method, args).unwrap()
}

/// A subject with an open erasure request; returns its tracking token.
pub fn opened(f: &Fixture) -> String {
    call(&f.gdpr, "add_subject", json!({"id": "jeanne", "regime": "b2c_opt_in", "email": "jeanne@example.org"}));
    let opened = call(&f.gdpr, "open_request", json!({"subject": "jeanne", "kind": "erasure", "via": "email"}));
    opened["token"].as_str().unwrap().to_owned()
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

pub async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    Answer { status, headers, body }
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// A form posted from the portal's own page.
pub fn post(uri: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form.to_owned()))
        .unwrap()
}
