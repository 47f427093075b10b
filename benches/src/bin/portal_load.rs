//! A bounded load test of the portal on loopback: `portal-load [CLIENTS] [SECONDS]` serves the
//! portal over a fresh SQLite store in this process, behind a "proxy" (loopback, trusted) so that
//! each of CLIENTS concurrent clients (200 by default) has an address of its own, and has them, for
//! SECONDS (30), in turn look up a tracking token that follows a request, look up an unknown one,
//! and submit a request (for a known address, then an unknown one), each on a new connection.
//! Prints one JSON line: the answers by route and status, connection errors, and the latency
//! percentiles of every answer and of those not refused by the rate limits (429).

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let clients: usize = args.next().map_or(200, |a| a.parse().unwrap());
    let seconds: u64 = args.next().map_or(30, |a| a.parse().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let config = serde_json::json!({
        "store": dir.path().join("gdprkit.db"),
        "pdf": false,
        "controller": {"name": "Acme", "portal": "https://privacy.example.com"},
    });
    let gdpr = gdprkit_setup::open(&gdprkit::Config::from_json(&config.to_string()).unwrap()).unwrap();
    let subject = serde_json::json!({"id": "jeanne", "regime": "b2c_opt_in", "email": "jeanne@example.org"});
    gdprkit::json_api::call(&gdpr, "add_subject", subject).unwrap();
    let opened = serde_json::json!({"subject": "jeanne", "kind": "access", "via": "web"});
    let token = gdprkit::json_api::call(&gdpr, "open_request", opened).unwrap()["token"].as_str().unwrap().to_owned();

    let mut settings = gdprkit_portal::PortalSettings::new("Acme");
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = gdprkit_portal::router(gdpr, settings).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(gdprkit_portal::serve(listener, app, async {
        let _ = stopped.await;
    }));

    let token = Arc::new(token);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            let ip = format!("198.51.{}.{}", client / 250, client % 250 + 1);
            let mut seen = Vec::new();
            let mut i = 0u64;
            while Instant::now() < deadline {
                let (path, form) = match i % 4 {
                    0 => ("/follow", format!("token={token}")),
                    1 => ("/follow", "token=0000".to_owned()),
                    2 => ("/submit", "kind=access&email=jeanne%40example.org&message=All%20of%20it".to_owned()),
                    _ => ("/submit", "kind=erasure&email=nobody%40example.org".to_owned()),
                };
                i += 1;
                let started = Instant::now();
                let status = post(addr, &ip, path, &form).await;
                seen.push((path, status, started.elapsed()));
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let _ = stop.send(());
    server.await.unwrap().unwrap();

    let mut by_status = std::collections::BTreeMap::<String, usize>::new();
    for (path, status, _) in &all {
        let status = status.map_or("connection error".to_owned(), |s| s.to_string());
        *by_status.entry(format!("{path} {status}")).or_default() += 1;
    }
    let ms = |mut v: Vec<Duration>| {
        v.sort();
        let at = |q: f64| v.get(((v.len() as f64 - 1.0) * q).round() as usize).map_or(0.0, |d| d.as_secs_f64() * 1e3);
        serde_json::json!({ "n": v.len(), "p50_ms": at(0.5), "p90_ms": at(0.9), "p99_ms": at(0.99), "max_ms": at(1.0) })
    };
    let served: Vec<Duration> = all.iter().filter(|(_, s, _)| *s != Some(429)).map(|(_, _, d)| *d).collect();
    let report = serde_json::json!({
        "clients": clients,
        "seconds": seconds,
        "requests": all.len(),
        "by_status": by_status,
        "latency_all": ms(all.iter().map(|(_, _, d)| *d).collect()),
        "latency_not_429": ms(served),
    });
    println!("{report}");
}

/// One form posted to `path` on a new connection, as the proxy forwards it for `ip`; the status,
/// or None when the connection failed.
async fn post(addr: SocketAddr, ip: &str, path: &str, form: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: portal\r\nX-Forwarded-For: {ip}\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.ok()?;
    std::str::from_utf8(answer.get(9..12)?).ok()?.parse().ok()
}
