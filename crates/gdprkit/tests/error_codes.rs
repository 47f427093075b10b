//! `docs/errors.md` lists every error kind with its code, and nothing else.

use gdprkit::ErrorKind;

#[test]
fn docs_errors_lists_every_kind_and_only_those() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
        .expect("docs/errors.md is in the repository");
    let listed: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`').map(|(code, _)| code))
        .collect();
    let codes: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(listed, codes, "docs/errors.md lists the kinds of ErrorKind::ALL, in order");
}
