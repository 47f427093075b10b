//! The copy of an access or portability request downloaded from the request's page (E3).

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::http::{Request, StatusCode};
use chrono::TimeDelta;
use common::{call, now, send};
use gdprkit::export::model::Export;
use gdprkit::testkit::memory_crm::MemoryCrm;
use gdprkit::{FixedClock, Gdpr, MemoryStore, Renderer, RequestId, RequestState};
use gdprkit_portal::{PortalSettings, router};
use serde_json::json;

struct FakePdf;

impl Renderer for FakePdf {
    fn render_pdf(&self, export: &Export) -> gdprkit::Result<Vec<u8>> {
        Ok(format!("%PDF for {}", export.subject.id).into_bytes())
    }
}

fn with_cookie(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri).header("cookie", format!("__Secure-gdprkit_request={token}")).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_person_downloads_the_copy_offered_and_the_first_download_completes_the_request() {
    let clock = Arc::new(FixedClock::new(now()));
    let gdpr = Gdpr::builder(Arc::new(MemoryStore::new()))
        .controller(gdprkit::Controller { name: "Acme SAS".into(), ..gdprkit::Controller::default() })
        .clock(clock.clone())
        .crm(Arc::new(MemoryCrm::new()))
        .data_map(gdprkit::sample::data_map().unwrap())
        .renderer(Arc::new(FakePdf))
        .build()
        .unwrap();
    for purpose in ["newsletter", "events", "billing", "lead-scoring", "product-news"] {
        call(
            &gdpr,
            "add_purpose",
            json!({"id": purpose, "label": purpose, "legal_basis": "legitimate_interests", "direct_marketing": true}),
        );
    }
    call(&gdpr, "add_subject", json!({"id": "jeanne", "regime": "b2c_opt_in", "email": "jeanne@example.org"}));
    let opened = call(&gdpr, "open_request", json!({"subject": "jeanne", "kind": "access", "via": "web"}));
    let (token, id) = (opened["token"].as_str().unwrap(), opened["request"]["id"].as_str().unwrap());
    let id = RequestId::new(id).unwrap();
    let app = router(gdpr.clone(), PortalSettings::new("Acme"))
        .unwrap()
        .layer(MockConnectInfo(SocketAddr::from(([203, 0, 113, 9], 4000))));

    let before = send(&app, with_cookie("/request/copy.pdf", token)).await;
    assert_eq!(before.status, StatusCode::SEE_OTHER, "nothing offered yet");
    assert!(!send(&app, with_cookie("/request?lang=en", token)).await.body.contains("copy.pdf"));

    gdpr.act(&id, gdprkit::Step::Accept, "Marie").unwrap();
    gdpr.act(&id, gdprkit::Step::Start, "Marie").unwrap();
    gdpr.offer_download(&id, "Marie").unwrap();
    let page = send(&app, with_cookie("/request?lang=en", token)).await;
    assert!(page.body.contains("href=\"/request/copy.pdf\"") && page.body.contains("href=\"/request/copy.json\""));
    assert!(page.body.contains("until <time datetime=\"2025-06-09T09:00:00"), "{}", page.body);

    let pdf = send(&app, with_cookie("/request/copy.pdf", token)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[CONTENT_TYPE], "application/pdf");
    assert_eq!(pdf.headers[CONTENT_DISPOSITION], "attachment; filename=\"personal-data-2025-06-02.pdf\"");
    assert_eq!(pdf.headers["cache-control"], "no-store");
    assert_eq!(pdf.body, "%PDF for jeanne");
    assert_eq!(gdpr.request(&id).unwrap().state, RequestState::Completed, "the download is the delivery");
    let json = send(&app, with_cookie("/request/copy.json", token)).await;
    assert_eq!(json.headers[CONTENT_TYPE], "application/json");
    assert!(json.body.contains("\"jeanne\""));

    assert_eq!(send(&app, with_cookie("/request/copy.pdf", "wrong")).await.status, StatusCode::SEE_OTHER);
    let other = send(&app, with_cookie("/request/copy.exe", token)).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    clock.advance(TimeDelta::days(7));
    let late = send(&app, with_cookie("/request/copy.pdf", token)).await;
    assert_eq!((late.status, late.headers[LOCATION].to_str().unwrap()), (StatusCode::SEE_OTHER, "/follow?lang=fr"));
}
