//! The right to information on every store (rules I2 to I4): a subject's source read back from
//! its first entry, the notices and exemptions from the rest, and an erased subject forgotten.

use chrono::NaiveDate;

use super::{Factory, erase, pid, setup, sid, t};
use crate::information::{DataSource, InformationState, InformedVia, NewExemption, Origin};
use crate::{Channel, NewSubject, Regime};

fn prospect(g: &crate::Gdpr, id: &str, source: DataSource) {
    let mut n = NewSubject::new(sid(id), Regime::B2bOptOut);
    n.origin = Some(Origin { obtained_at: Some(t("2025-01-31T10:00:00Z")), ..Origin::new(source) });
    g.add_subject(n).unwrap();
}

pub fn information_is_read_from_the_subjects_entries(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-02-10T09:00:00Z"));
    prospect(&g, "p1", DataSource::TradeFair);
    prospect(&g, "p2", DataSource::PurchasedList);
    prospect(&g, "p3", DataSource::PublicDirectory);
    let mut first = Vec::new();
    g.store()
        .first_subject_entry(g.tenant(), &sid("p1"), &mut |e| {
            first.push(e.kind.to_owned());
            Ok(())
        })
        .unwrap();
    assert_eq!(first, ["subject"], "the registration is the subject's first entry");
    let due = NaiveDate::from_ymd_opt(2025, 2, 28);
    let status = g.information_status(&sid("p1")).unwrap();
    assert_eq!((status.state, status.due), (InformationState::Due, due), "Art. 14(3)(a), one month as in R2");
    let d = g.decide(&sid("p1"), &pid("promo"), &Channel::Email, None).unwrap();
    assert_eq!(d.information.map(|i| i.due), due, "Art. 14(3)(b): the message must carry the notice");
    assert!(g.decide(&sid("b2b"), &pid("promo"), &Channel::Email, None).unwrap().information.is_none());

    let no_map = g.inform(&sid("p1"), InformedVia::Post, Some(t("2025-02-09T09:00:00Z"))).unwrap_err();
    assert_eq!(no_map.kind(), crate::ErrorKind::Config, "the notice is built from the data map: {no_map}");
    let exemption = NewExemption {
        ground: crate::information::ExemptionGround::RequiredByLaw,
        reason: "a register the law makes public".into(),
        public_notice: None,
    };
    g.exempt_from_information(&sid("p2"), &exemption).unwrap();
    assert_eq!(g.information_status(&sid("p2")).unwrap().state, InformationState::Exempt);
    g.record_communication(&sid("p3"), Some(t("2025-02-05T09:00:00Z"))).unwrap();
    let listed: Vec<(String, InformationState)> =
        g.information_due(false).unwrap().into_iter().map(|s| (s.subject.to_string(), s.state)).collect();
    assert_eq!(
        listed,
        [("p3".to_owned(), InformationState::Overdue), ("p1".to_owned(), InformationState::Due)],
        "by due date: the communication on the 5th came first"
    );
    erase(&g, "p3");
    assert_eq!(g.information_status(&sid("p3")).unwrap().state, InformationState::Unknown, "erased: nothing left");
    assert_eq!(g.information_due(true).unwrap().len(), 0);
    assert!(g.verify_ledger().unwrap().is_intact());
}
