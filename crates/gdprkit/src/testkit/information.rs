//! The right to information on every store (rules I2 to I4): a subject's source, notices,
//! exemptions, communications and disclosures read back from their entries and from the facts
//! decisions read, and an erased subject forgotten.

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
    // The facts a decision reads say who must still be told, at the instant asked about.
    let scopes = crate::decision::Scope::covering(&g.purpose(&pid("promo")).unwrap(), &Channel::Email);
    let ids = [sid("p1"), sid("b2b")];
    let facts = g.store().decision_facts(g.tenant(), &ids, &scopes, t("2025-02-10T09:00:00Z")).unwrap();
    let pending = facts[0].as_ref().and_then(|f| f.information).expect("p1 must still be told");
    assert_eq!((pending.collected, pending.obtained_at), (false, t("2025-01-31T10:00:00Z")));
    assert!(facts[1].as_ref().is_some_and(|f| f.information.is_none()), "no source recorded: nothing said");
    let before = g.store().decision_facts(g.tenant(), &ids, &scopes, t("2025-01-31T09:00:00Z")).unwrap();
    assert!(before[0].as_ref().is_some_and(|f| f.information.is_none()), "not yet obtained at that instant");
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
    let facts =
        g.store().decision_facts(g.tenant(), &[sid("p2"), sid("p3")], &scopes, t("2025-02-10T09:00:00Z")).unwrap();
    assert!(facts[0].as_ref().is_some_and(|f| f.information.is_none()), "exempted: nothing due");
    let p3 = facts[1].as_ref().and_then(|f| f.information).expect("p3 must still be told");
    assert_eq!(p3.first_contact, Some(t("2025-02-05T09:00:00Z")), "Art. 14(3)(b)");
    let listed: Vec<(String, InformationState)> =
        g.information_due(false).unwrap().into_iter().map(|s| (s.subject.to_string(), s.state)).collect();
    assert_eq!(
        listed,
        [("p3".to_owned(), InformationState::Overdue), ("p1".to_owned(), InformationState::Due)],
        "by due date: the communication on the 5th came first"
    );
    // A campaign reads the same facts for a whole tenant (stores scan ranges for long lists).
    let fair: Vec<NewSubject> = (0..100)
        .map(|i| {
            let mut n = NewSubject::new(sid(&format!("f{i:03}")), Regime::B2bOptOut);
            n.origin =
                Some(Origin { obtained_at: Some(t("2025-01-31T10:00:00Z")), ..Origin::new(DataSource::TradeFair) });
            n
        })
        .collect();
    g.add_subjects(fair).unwrap();
    for i in (0..100).step_by(2) {
        g.exempt_from_information(&sid(&format!("f{i:03}")), &exemption).unwrap();
    }
    let mut carried = std::collections::BTreeMap::new();
    g.campaign(&pid("promo"), &Channel::Email, None, 500, &mut |page| {
        carried.extend(page.iter().map(|d| (d.subject.to_string(), d.information.as_ref().map(|i| i.due))));
        Ok(())
    })
    .unwrap();
    for i in 0..100 {
        let want = if i % 2 == 0 { None } else { due };
        assert_eq!(carried[&format!("f{i:03}")], want, "f{i:03}: Art. 14(3)(b), unless exempted (Art. 14(5))");
    }
    assert_eq!((carried["p1"], carried["p2"], carried["b2b"]), (due, None, None));

    erase(&g, "p3");
    assert_eq!(g.information_status(&sid("p3")).unwrap().state, InformationState::Unknown, "erased: nothing left");
    assert_eq!(g.information_due(true).unwrap().len(), 0);
    let facts = g.store().decision_facts(g.tenant(), &[sid("p3")], &scopes, t("2025-02-10T09:00:00Z")).unwrap();
    assert!(facts[0].as_ref().is_none_or(|f| f.information.is_none()), "erased: no notice due");
    assert!(g.verify_ledger().unwrap().is_intact());
}
