//! The calls `benches/python/same_calls.py` times from Python, made from Rust on the same store:
//! `same-calls campaign STORE N` decides for subjects `s-0` to `s-{N-1}` in one call and lists
//! those who may be contacted;
//! `same-calls consents STORE N` records N opt-ins, one call each. Opening is not timed, as in
//! the Python script. Prints the seconds the calls took.

#![allow(clippy::unwrap_used)]

use std::time::Instant;

use gdprkit::{Channel, ConsentAction, NewConsent, PurposeId, SubjectId};

fn main() {
    let mut args = std::env::args().skip(1);
    let (what, store, n) = (args.next().unwrap(), args.next().unwrap(), args.next().unwrap());
    let n: usize = n.parse().unwrap();
    let config = serde_json::json!({ "store": store, "pdf": false, "now": "2025-06-01T12:00:00Z" });
    let g = gdprkit_setup::open(&gdprkit::Config::from_json(&config.to_string()).unwrap()).unwrap();
    let newsletter: PurposeId = "newsletter".parse().unwrap();
    // The caller's own ids, as Python's are str: made into `SubjectId`s inside the timed call.
    let ids: Vec<String> = (0..n).map(|i| format!("s-{i}")).collect();
    let start = Instant::now();
    let subjects: Vec<SubjectId> = ids.into_iter().map(|i| SubjectId::new(i).unwrap()).collect();
    match what.as_str() {
        "campaign" => {
            let decisions = g.decide_many(&subjects, &newsletter, &Channel::Email, None).unwrap();
            let allowed: Vec<&str> = decisions.iter().filter(|d| d.allowed).map(|d| d.subject.as_str()).collect();
            assert!(allowed.len() <= n);
        }
        "consents" => {
            for s in &subjects {
                let mut c = NewConsent::new(s.clone(), ConsentAction::OptIn, newsletter.clone(), Channel::Email);
                c.occurred_at = Some("2025-05-01T09:00:00Z".parse().unwrap());
                c.proof = proof();
                g.record_consent(c).unwrap();
            }
        }
        other => panic!("{other}: campaign or consents"),
    }
    println!("{}", start.elapsed().as_secs_f64());
}

/// The proof the Python script gives: a web form the subject filled in.
fn proof() -> gdprkit::Proof {
    serde_json::from_value(serde_json::json!({
        "source": "web_form", "collected_by": { "by": "subject" }, "notice_version": "v3",
        "notice_sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    }))
    .unwrap()
}
