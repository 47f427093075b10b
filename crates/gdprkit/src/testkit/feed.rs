//! The change feed's conformance check: every store pages through the ledger by cursor, and no
//! change carries a personal value.

use super::{Factory, erase, event, setup, sid};
use crate::changes::ChangeKind;
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::machine::RequestState;
use crate::request::service::NewRequest;
use crate::{Channel, ConsentAction, ErrorKind, NewSubject, Regime};

pub fn the_change_feed_pages_through_the_ledger_without_personal_values(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(super::t("2025-06-01T00:00:00Z"));
    let mut ines = NewSubject::new(sid("ines"), Regime::B2cOptIn);
    ines.email = Some("ines@example.org".into());
    g.add_subject(ines).unwrap();
    g.record_consent(event("ines", ConsentAction::OptIn, "promo", Channel::Email, "2025-05-01T00:00:00Z")).unwrap();
    let new = NewRequest {
        purposes: Vec::new(),
        subject: sid("ines"),
        kind: RequestKind::Access,
        via: ReceivedVia::Email,
        received_at: None,
    };
    let opened = g.open_request(new).unwrap();

    let page = g.changes_since(0, 100).unwrap();
    let kinds: Vec<&str> = page
        .changes
        .iter()
        .map(|c| match &c.what {
            ChangeKind::PurposeRegistered { .. } => "purpose",
            ChangeKind::SubjectRegistered => "subject",
            ChangeKind::Consent { .. } => "consent",
            ChangeKind::Request { .. } => "request",
            ChangeKind::Message { .. } => "message",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["purpose", "purpose", "subject", "subject", "subject", "subject", "consent", "request", "message"]
    );
    assert_eq!(page.next_cursor, 9);
    assert_eq!(page.changes.iter().map(|c| c.seq).collect::<Vec<_>>(), (1..=9).collect::<Vec<_>>());
    let consent = &page.changes[6];
    assert_eq!(consent.subject, Some(sid("ines")));
    assert_eq!(
        consent.what,
        ChangeKind::Consent {
            action: ConsentAction::OptIn,
            purpose: Some("promo".into()),
            channel: Some("email".into()),
            occurred_at: super::t("2025-05-01T00:00:00Z"),
        }
    );
    match &page.changes[7].what {
        ChangeKind::Request { request, action, state, kind, due } => {
            assert_eq!((request.as_str(), action.as_str()), (opened.request.id.as_str(), "open"));
            assert_eq!(
                (*state, *kind, *due),
                (Some(RequestState::Received), Some(RequestKind::Access), Some(opened.request.due))
            );
        }
        other => panic!("expected the request's opening, got {other:?}"),
    }
    let json = serde_json::to_string(&page).unwrap();
    for personal in ["ines@example.org", "192.0.2.7", &opened.token] {
        assert!(!json.contains(personal), "the feed carries {personal:?}: {json}");
    }

    // Paging: a cursor goes on where the last page ended, and a page past the end is empty.
    let first = g.changes_since(0, 4).unwrap();
    assert_eq!((first.changes.len(), first.next_cursor), (4, 4));
    let rest = g.changes_since(first.next_cursor, 100).unwrap();
    assert_eq!(rest.changes.first().map(|c| c.seq), Some(5));
    assert_eq!(rest.next_cursor, 9);
    let end = g.changes_since(9, 100).unwrap();
    assert_eq!((end.changes.len(), end.next_cursor), (0, 9), "nothing new: the cursor stays");
    let err = g.changes_since(0, 0).unwrap_err();
    assert_eq!((err.kind(), err.field()), (ErrorKind::InvalidInput, Some("limit")));

    // After an erasure, the feed tells it, and earlier changes no longer name the subject.
    erase(&g, "ines");
    let after = g.changes_since(9, 100).unwrap();
    assert_eq!(after.changes.len(), 1);
    assert_eq!((&after.changes[0].what, after.changes[0].subject.as_ref()), (&ChangeKind::Erasure, Some(&sid("ines"))));
    let again = g.changes_since(6, 1).unwrap();
    assert_eq!(again.changes[0].subject, None, "the consent no longer names who");
}

/// Section 4: an erasure lists the entries it erases; one written meanwhile by another writer
/// (missing from the list) makes the store refuse the erasure whole, so that no entry keeps its
/// values unnoticed, and erasing again succeeds.
pub fn an_erasure_missing_an_entry_written_meanwhile_is_refused_whole(factory: Factory<'_>) {
    use crate::raw::ledger::{EntryKind, NewEntry, PersonalValues};
    use crate::raw::{Append, Effect};
    let (g, clock) = setup(factory);
    clock.set(super::t("2025-06-01T00:00:00Z"));
    g.record_consent(event("b2c", ConsentAction::OptIn, "promo", Channel::Email, "2025-05-01T00:00:00Z")).unwrap();
    let before = g.verify_ledger().unwrap();
    // Listed: only the registration (entry 4); the opt-in (entry 6) came "meanwhile".
    let body = serde_json::json!({ "recorded_at": "2025-06-01T00:00:00Z", "entries": [4] }).to_string();
    let entry = NewEntry::about(EntryKind::Erasure, sid("b2c"), None, body, PersonalValues::new()).unwrap();
    let effect = Effect::EraseSubject { subject: sid("b2c"), entries: vec![4], suppress: Vec::new() };
    let err = g.store().append(g.tenant(), &[Append { entry, effect: Some(effect) }]).unwrap_err();
    assert!(matches!(err, crate::Error::SubjectChanged(_)), "{err}");
    assert!(err.is_retryable());
    assert_eq!(g.verify_ledger().unwrap(), before, "nothing was written");
    assert_eq!(g.history(&sid("b2c")).unwrap().len(), 1, "the opt-in keeps its values");
    erase(&g, "b2c");
    assert!(g.history(&sid("b2c")).unwrap().is_empty());
    assert!(g.verify_ledger().unwrap().is_intact());
}
