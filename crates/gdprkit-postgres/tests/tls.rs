//! PostgreSQL over TLS, against the machine's server with a certificate made for the test by an
//! authority made for the test (`./scripts/test-all.sh` makes both, turns TLS on and refuses
//! unencrypted connections of the test role): `GDPRKIT_TEST_POSTGRES_CA` names that authority's
//! PEM file and `GDPRKIT_TEST_POSTGRES_OTHER_CA` another's.

#![allow(clippy::unwrap_used)]

mod common;

use gdprkit_postgres::{PostgresStore, Target, TlsMode};

/// The test database's URL without its parameters, the test authority, another authority.
fn setup(test: &str) -> Option<(String, String, String)> {
    let (Ok(url), Ok(ca), Ok(other)) = (
        std::env::var(common::URL_VAR),
        std::env::var("GDPRKIT_TEST_POSTGRES_CA"),
        std::env::var("GDPRKIT_TEST_POSTGRES_OTHER_CA"),
    ) else {
        assert!(
            std::env::var_os("GDPRKIT_REQUIRE_POSTGRES").is_none(),
            "{test}: GDPRKIT_REQUIRE_POSTGRES is set, and the TLS test setup is missing"
        );
        eprintln!("{test}: skipped: GDPRKIT_TEST_POSTGRES_CA is not set (./scripts/test-all.sh sets it)");
        return None;
    };
    let base = url.split_once('?').map_or(url.as_str(), |(b, _)| b).to_owned();
    Some((base, ca, other))
}

/// `base` (postgres://user:pw@127.0.0.1:5432/db) reached as `host` on the same address.
fn as_host(base: &str, host: &str) -> String {
    let (head, rest) = base.split_once('@').unwrap();
    let (_, path) = rest.split_once('/').unwrap();
    format!("{head}@{host}:5432/{path}?hostaddr=127.0.0.1")
}

fn with(url: &str, params: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{params}")
}

fn one_line_error(url: &str) -> String {
    let e = Target::parse(url).unwrap().client().err().unwrap().to_string();
    assert!(!e.contains('\n'), "one line: {e}");
    e
}

#[test]
fn require_and_verify_full_with_the_test_authority_connect() {
    let Some((base, ca, _)) = setup("require_and_verify_full_with_the_test_authority_connect") else { return };
    for mode in ["sslmode=require".to_owned(), format!("sslmode=verify-full&sslrootcert={ca}")] {
        let url = with(&base, &mode);
        let mut client = Target::parse(&url).unwrap().client().unwrap();
        let ssl: bool =
            client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).unwrap().get(0);
        assert!(ssl, "{mode}: the connection is encrypted");
    }
    let url = with(&base, &format!("sslmode=verify-full&sslrootcert={ca}"));
    assert_eq!(Target::parse(&url).unwrap().mode(), TlsMode::VerifyFull);
    let store = PostgresStore::connect_in_schema(&url, Some(&common::fresh_schema()), 2).unwrap();
    drop(store);
    // localhost is a name the certificate was made for, as is 127.0.0.1.
    Target::parse(&with(&as_host(&base, "localhost"), &format!("sslmode=verify-full&sslrootcert={ca}")))
        .unwrap()
        .client()
        .unwrap();
}

#[test]
fn verify_full_refuses_another_host_or_another_authority_in_one_line() {
    let Some((base, ca, other)) = setup("verify_full_refuses_another_host_or_another_authority_in_one_line") else {
        return;
    };
    let wrong_host = with(&as_host(&base, "db.example.org"), &format!("sslmode=verify-full&sslrootcert={ca}"));
    let e = one_line_error(&wrong_host);
    assert!(e.contains("not valid for the host db.example.org") && e.contains("sslmode=verify-ca"), "{e}");
    // verify-ca checks who signed it, not the name.
    Target::parse(&wrong_host.replace("verify-full", "verify-ca")).unwrap().client().unwrap();

    let e = one_line_error(&with(&base, &format!("sslmode=verify-full&sslrootcert={other}")));
    assert!(e.contains("not signed by an authority trusted here") && e.contains("sslrootcert"), "{e}");
    let e = one_line_error(&with(&base, &format!("sslmode=verify-ca&sslrootcert={other}")));
    assert!(e.contains("not signed by an authority trusted here"), "{e}");
    // As libpq: require with a root certificate file checks who signed the certificate.
    let e = one_line_error(&with(&base, &format!("sslmode=require&sslrootcert={other}")));
    assert!(e.contains("not signed by an authority trusted here"), "{e}");
}

#[test]
fn disable_against_a_server_that_demands_tls_fails_clearly() {
    let Some((base, _, _)) = setup("disable_against_a_server_that_demands_tls_fails_clearly") else { return };
    let e = one_line_error(&with(&base, "sslmode=disable"));
    assert!(e.contains("accepts only encrypted connections") && e.contains("sslmode=require"), "{e}");
    let err = PostgresStore::connect(&with(&base, "sslmode=disable"), 1).unwrap_err();
    assert!(err.to_string().contains("accepts only encrypted connections"), "the store says it too: {err}");
}

#[test]
fn bad_tls_settings_are_refused_before_connecting() {
    for (url, says) in [
        ("postgres://u@127.0.0.1/db?sslmode=allow", "allow is not supported"),
        ("postgres://u@127.0.0.1/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt", "could not be read"),
        ("postgres://u@127.0.0.1/db?sslmode=bogus", "is not one of"),
    ] {
        let e = Target::parse(url).unwrap_err().to_string();
        assert!(e.contains(says), "{url}: {e}");
    }
    let target = Target::parse("postgres://u:secret@127.0.0.1/db?sslmode=verify-ca&sslrootcert=%2Fnonexistent").err();
    assert!(target.unwrap().to_string().contains("/nonexistent"), "the path is percent-decoded");
    let shown = format!("{:?}", Target::parse("postgres://u:secret@127.0.0.1/db?sslmode=require").unwrap());
    assert!(!shown.contains("secret"), "no password in Debug: {shown}");
    assert_eq!(Target::parse("postgres://u@127.0.0.1/db").unwrap().mode(), TlsMode::Prefer, "libpq's default");
    assert_eq!(Target::parse("host=127.0.0.1 user=u sslmode=disable").unwrap().mode(), TlsMode::Disable);
    assert_eq!(Target::parse("host=127.0.0.1 user=u sslmode='require'").unwrap().mode(), TlsMode::Require);
    let e = Target::parse("host=127.0.0.1 user=u sslmode = require").unwrap_err().to_string();
    assert!(e.contains("sslmode"), "refused, not read silently as prefer: {e}");
    let e = Target::parse("host=127.0.0.1 user=u sslrootcert='/etc/my ca.pem'").unwrap_err().to_string();
    assert!(e.starts_with("invalid url"), "a quoted value with a space is refused: {e}");
    // verify-ca against the system's public authorities would accept any certificate they signed.
    let e = Target::parse("postgres://u@127.0.0.1/db?sslmode=verify-ca").unwrap_err().to_string();
    assert!(e.contains("sslrootcert"), "{e}");
}
