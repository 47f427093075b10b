//! No token, reference or personal data in the portal's log lines: one line per request, naming
//! the route as declared. A test binary of its own, so that the log subscriber is in place before
//! any request is logged.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::Request;
use common::{call, code_in, fixture, get, mailed, opened, portal_fixture, post, send};
use serde_json::json;

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

#[tokio::test]
async fn no_token_reaches_a_log_line() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let f = fixture();
    let token = opened(&f);
    let reference = call(&f.gdpr, "unsubscribe_token", json!({"subject": "jeanne"}));
    let reference = reference.as_str().unwrap().to_owned();
    send(&f.app, post("/follow", &format!("token={token}"))).await;
    send(&f.app, get(&format!("/r/{token}"))).await;
    send(
        &f.app,
        Request::get("/request")
            .header("cookie", format!("__Secure-gdprkit_request={token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    send(&f.app, get(&format!("/u/{reference}"))).await;
    send(&f.app, post(&format!("/u/{reference}"), "confirm=yes")).await;
    let p = portal_fixture();
    send(&p.app, post("/submit", "kind=erasure&email=jeanne%40example.org&message=My%20secret")).await;
    let code = code_in(&mailed(&p.gdpr)[0].1);
    send(&p.app, get(&format!("/c/{code}"))).await;
    send(&p.app, post("/c", &format!("code={code}"))).await;
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // gdprkit's own events (a request opened) come too; the portal writes one line per request.
    assert_eq!(log.lines().filter(|l| l.contains("gdprkit_portal")).count(), 8, "one line per request: {log}");
    assert!(log.contains("route=\"/r/{token}\"") && log.contains("route=\"/u/{reference}\""), "{log}");
    assert!(log.contains("route=\"/c/{code}\""), "{log}");
    assert!(!log.contains("My secret") && !log.contains("example.org"), "no message, no address: {log}");
    for secret in [&token, &reference, &code] {
        assert!(!log.contains(secret.as_str()), "a token in the log: {log}");
    }
    assert!(!log.contains("jeanne") && !log.contains("203.0.113.9"), "no personal data: {log}");
}
