//! `gdprkit serve`: the portal served on loopback as an integrator runs it, answering a person
//! who follows their request, logging without the token, and stopping cleanly on SIGTERM.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use common::{Db, NOW};

/// Sends one HTTP/1.1 request and returns the whole answer, headers and body.
fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn serve_answers_a_person_following_their_request_and_stops_on_sigterm() {
    let db = Db::with_sample();
    let token = db.json(&["request", "open", "--subject", "jean", "--kind", "access", "--via", "email"])["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut server = Command::new(env!("CARGO_BIN_EXE_gdprkit"))
        .arg("--db")
        .arg(&db.path)
        .args(["--now", NOW, "serve", "--listen", "127.0.0.1:0", "--name", "Acme", "--insecure-cookies"])
        .env_remove("GDPRKIT_HMAC_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.trim().strip_prefix("gdprkit portal listening on http://").unwrap().to_owned();

    let home = http(&addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(home.starts_with("HTTP/1.1 200"), "{home}");
    assert!(home.contains("content-security-policy: default-src 'none'"));
    let form = format!("token={token}");
    let followed = http(
        &addr,
        &format!(
            "POST /follow?lang=en HTTP/1.1\r\nHost: x\r\nSec-Fetch-Site: same-origin\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert!(followed.starts_with("HTTP/1.1 303"), "{followed}");
    assert!(followed.contains("set-cookie: gdprkit_request=") && !followed.contains("; Secure"));
    let page = http(
        &addr,
        &format!(
            "GET /request?lang=en HTTP/1.1\r\nHost: x\r\nCookie: gdprkit_request={token}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(page.contains("Access") && page.contains("Received"), "{page}");

    let stopped = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(stopped.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "a clean stop on SIGTERM: {status}");
    let mut log = String::new();
    server.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert_eq!(log.lines().filter(|l| l.contains("request")).count(), 3, "one line per request: {log}");
    assert!(log.contains("route=\"/follow\"") && !log.contains(&token), "{log}");
}
