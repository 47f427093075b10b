//! No token, reference or personal data in the portal's log lines: one line per request, naming
//! the route as declared. A test binary of its own, so that the log subscriber is in place before
//! any request is logged.

#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::Request;
use gdprkit::{FixedClock, Gdpr, HmacKey, MemoryStore};
use gdprkit_portal::{PortalSettings, router};
use serde_json::{Value, json};
use tower::ServiceExt;

fn call(g: &Gdpr, method: &str, args: Value) -> Value {
    gdprkit::json_api::call(g, method, args).unwrap()
}

async fn send(app: &Router, request: Request<Body>) {
    app.clone().oneshot(request).await.unwrap();
}

fn post(uri: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(form.to_owned()))
        .unwrap()
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// A writer that keeps what the log subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Fixture {
    app: Router,
}

#[tokio::test]
async fn no_token_reaches_a_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let clock = Arc::new(FixedClock::new("2025-06-02T09:00:00Z".parse().unwrap()));
    let gdpr = Gdpr::builder(Arc::new(MemoryStore::new()))
        .clock(clock)
        .hmac_key(HmacKey::new(b"a key of thirty-two bytes or more, for tests".to_vec()).unwrap())
        .build()
        .unwrap();
    let app = router(gdpr.clone(), PortalSettings::new("Acme")).unwrap();
    let app = app.layer(MockConnectInfo(SocketAddr::from(([203, 0, 113, 9], 4000))));
    call(&gdpr, "add_subject", json!({"id": "jeanne", "regime": "b2c_opt_in", "email": "jeanne@example.org"}));
    let opened = call(&gdpr, "open_request", json!({"subject": "jeanne", "kind": "erasure", "via": "email"}));
    let token = opened["token"].as_str().unwrap().to_owned();
    let reference = call(&gdpr, "unsubscribe_token", json!({"subject": "jeanne"}));
    let reference = reference.as_str().unwrap().to_owned();
    let f = Fixture { app };
    send(&f.app, post("/follow", &format!("token={token}"))).await;
    send(&f.app, get(&format!("/r/{token}"))).await;
    send(
        &f.app,
        Request::get("/request").header("cookie", format!("gdprkit_request={token}")).body(Body::empty()).unwrap(),
    )
    .await;
    send(&f.app, get(&format!("/u/{reference}"))).await;
    send(&f.app, post(&format!("/u/{reference}"), "confirm=yes")).await;
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.lines().count(), 5, "one line per request: {log}");
    assert!(log.contains("route=\"/r/{token}\"") && log.contains("route=\"/u/{reference}\""), "{log}");
    for secret in [&token, &reference] {
        assert!(!log.contains(secret.as_str()), "a token in the log: {log}");
    }
    assert!(!log.contains("jeanne") && !log.contains("203.0.113.9"), "no personal data: {log}");
}
