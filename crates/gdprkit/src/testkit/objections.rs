//! Objections under Art. 21(1) (rule R11), through the facade, on every store: the request's
//! scope is kept by the store, and decisions read it back.

use super::{Factory, pid, setup, sid, t};
use crate::request::kind::{ReceivedVia, RequestKind};
use crate::request::service::{NewRequest, Step};
use crate::{Channel, DecidedBy, LegalBasis, Purpose, RefusalCode};

/// Art. 21(1), 18(1)(d): an objection to a purpose on legitimate interests restricts it for one
/// subject while it is assessed, in a single decision and in a campaign; upheld, it stops it;
/// refused with compelling legitimate grounds, it lifts the restriction.
pub fn an_objection_on_grounds_of_the_persons_situation_restricts_then_decides(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-03-05T10:00:00Z"));
    g.add_purpose(Purpose::new(pid("scoring"), LegalBasis::LegitimateInterests, false)).unwrap();
    let open = |subject: &str| {
        g.open_request(NewRequest {
            subject: sid(subject),
            kind: RequestKind::Objection,
            via: ReceivedVia::Web,
            received_at: None,
            purposes: vec![pid("scoring")],
        })
        .unwrap()
        .request
    };
    let upheld = open("b2c");
    let refused = open("b2b");
    let read = g.request(&upheld.id).unwrap();
    assert_eq!(read.objection.unwrap().particular_situation, [pid("scoring")], "the store keeps the scope");
    let subjects = [sid("b2c"), sid("b2b"), sid("soft")];
    let decide = || g.decide_many(&subjects, &pid("scoring"), &Channel::Email, None).unwrap();
    let while_open = decide();
    assert_eq!(while_open.iter().map(|d| d.allowed).collect::<Vec<_>>(), [false, false, true]);
    assert!(matches!(&while_open[0].decided_by, DecidedBy::PendingObjection(p) if p.request == upheld.id));

    clock.set(t("2025-03-06T10:00:00Z"));
    g.act(&upheld.id, Step::Accept, "Marie").unwrap();
    g.act(&upheld.id, Step::Complete, "Marie").unwrap();
    let grounds = "Fraud checks on this account outweigh it.".to_owned();
    g.act(&refused.id, Step::Refuse { code: RefusalCode::CompellingLegitimateGrounds, reason: grounds }, "Marie")
        .unwrap();
    let after = decide();
    assert_eq!(after.iter().map(|d| d.allowed).collect::<Vec<_>>(), [false, true, true]);
    assert!(matches!(&after[0].decided_by, DecidedBy::Event(e) if e.purpose == Some(pid("scoring"))));
}
