//! A campaign's walk over every subject, page by page, on every store (rule C4, streamed), and
//! the store's page of subjects with their facts that it reads.

use super::{Factory, erase, event, open, pid, setup, sid, t};
use crate::decision::Scope;
use crate::information::{DataSource, Origin};
use crate::request::kind::RequestKind;
use crate::request::service::Step;
use crate::{Channel, ConsentAction, Error, NewSubject, Regime, SubjectId};

/// A campaign walks every subject once, page by page, deciding as `decide_many` does; a page out
/// of range is refused and an error from the caller stops the walk (rule C4, streamed).
pub fn a_campaign_walks_every_subject_page_by_page(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    let n: usize = 250;
    let ids: Vec<SubjectId> = (0..n).map(|i| sid(&format!("p{:03}", (i * 37) % n))).collect();
    g.add_subjects(
        ids.iter()
            .enumerate()
            .map(|(i, id)| NewSubject::new(id.clone(), if i % 2 == 0 { Regime::B2cOptIn } else { Regime::B2bOptOut }))
            .collect(),
    )
    .unwrap();
    clock.set(t("2025-06-01T00:00:00Z"));
    let events = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, id)| {
            let action = if i % 2 == 0 { ConsentAction::OptIn } else { ConsentAction::OptOut };
            event(id.as_str(), action, "promo", Channel::Email, "2025-02-01T00:00:00Z")
        })
        .collect();
    g.record_consents(events).unwrap();
    // Every subject, the setup's three included.
    let everyone: Vec<SubjectId> = g.store().subjects(g.tenant()).unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(everyone.len(), n + 3);
    let expected = g.decide_many(&everyone, &pid("promo"), &Channel::Email, None).unwrap();

    let mut seen: Vec<crate::Decision> = Vec::new();
    let mut pages = 0;
    let report = g
        .campaign(&pid("promo"), &Channel::Email, None, 7, &mut |page| {
            assert!(!page.is_empty() && page.len() <= 7, "a page holds at most 7: {}", page.len());
            pages += 1;
            seen.extend_from_slice(page);
            Ok(())
        })
        .unwrap();
    assert_eq!(pages, (n + 3).div_ceil(7));
    assert_eq!(report.subjects, (n + 3) as u64);
    assert_eq!(report.allowed, expected.iter().filter(|d| d.allowed).count() as u64);
    seen.sort_by(|a, b| a.subject.as_str().cmp(b.subject.as_str()));
    let mut expected = expected;
    expected.sort_by(|a, b| a.subject.as_str().cmp(b.subject.as_str()));
    assert_eq!(seen, expected, "every subject once, decided as decide_many decides");

    // Pages of 100 are dense in their range of ids: a store may read each by one range scan, which
    // must see the events of its own subjects only.
    let mut seen: Vec<crate::Decision> = Vec::new();
    g.campaign(&pid("promo"), &Channel::Email, None, 100, &mut |page| {
        seen.extend_from_slice(page);
        Ok(())
    })
    .unwrap();
    seen.sort_by(|a, b| a.subject.as_str().cmp(b.subject.as_str()));
    assert_eq!(seen, expected, "pages of 100 decide alike");

    let mut calls = 0;
    let err = g.campaign(&pid("promo"), &Channel::Email, None, 10, &mut |_| {
        calls += 1;
        if calls == 2 { Err(Error::invalid("stop", "enough")) } else { Ok(()) }
    });
    assert!(err.as_ref().is_err_and(|e| e.field() == Some("stop")) && calls == 2, "{err:?}");
    for page in [0, crate::MAX_CAMPAIGN_PAGE + 1] {
        let err = g.campaign(&pid("promo"), &Channel::Email, None, page, &mut |_| Ok(())).unwrap_err();
        assert_eq!(err.field(), Some("page"), "{err}");
    }
}

/// A store's page of subjects with their facts (what a campaign reads) holds what its list of ids
/// and its facts for that list hold, page after page, with restrictions, wider scopes, erased
/// subjects and a notice still due among them (rules C4, I4, Art. 18).
pub fn a_decision_page_answers_as_its_two_reads(factory: Factory<'_>) {
    let (g, clock) = setup(factory);
    clock.set(t("2025-01-10T10:00:00Z"));
    let ids: Vec<SubjectId> = (0..40).map(|i| sid(&format!("s{i:02}"))).collect();
    let subject = |(i, id): (usize, &SubjectId)| {
        let mut n = NewSubject::new(id.clone(), if i % 3 == 0 { Regime::B2bOptOut } else { Regime::B2cOptIn });
        if i % 5 == 3 {
            // Data from another source: the person must still be told (Art. 14).
            n.origin =
                Some(Origin { obtained_at: Some(t("2025-01-08T10:00:00Z")), ..Origin::new(DataSource::PurchasedList) });
        }
        n
    };
    g.add_subjects(ids.iter().enumerate().map(subject).collect()).unwrap();
    let mut events = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        match i % 4 {
            0 => events.push(event(id.as_str(), ConsentAction::OptIn, "promo", Channel::Email, "2025-01-02T00:00:00Z")),
            1 => events.push(event(id.as_str(), ConsentAction::OptIn, "promo", Channel::Sms, "2025-01-02T00:00:00Z")),
            2 => {
                events.push(event(id.as_str(), ConsentAction::OptIn, "promo", Channel::Email, "2025-01-02T00:00:00Z"));
                events.push(event(id.as_str(), ConsentAction::OptOut, "promo", Channel::Email, "2025-01-05T00:00:00Z"));
            }
            _ => {}
        }
    }
    g.record_consents(events).unwrap();
    let restriction = open(&g, "s05", RequestKind::Restriction, "2025-01-10T09:00:00Z").request.id;
    g.act(&restriction, Step::Accept, "Marie").unwrap();
    erase(&g, "s09");
    erase(&g, "s30");

    let promo = g.purpose(&pid("promo")).unwrap();
    let store = g.store();
    for channel in [Channel::Email, Channel::Sms] {
        let scopes = Scope::covering(&promo, &channel);
        for at in [t("2025-01-03T00:00:00Z"), t("2025-01-11T00:00:00Z")] {
            for limit in [1, 4, 7, 64, 1000] {
                let (mut after, mut walked) = (None::<SubjectId>, 0);
                loop {
                    let page = store.decision_page(g.tenant(), after.as_ref(), limit, &scopes, at).unwrap();
                    let listed = store.subject_ids(g.tenant(), after.as_ref(), limit).unwrap();
                    let facts = store.decision_facts(g.tenant(), &listed, &scopes, at).unwrap();
                    let expected: Vec<_> = listed.into_iter().zip(facts).collect();
                    assert_eq!(page, expected, "a page of {limit} after {after:?} on {channel} at {at}");
                    walked += page.len();
                    let Some((last, _)) = page.last().filter(|_| page.len() == limit) else { break };
                    after = Some(last.clone());
                }
                assert_eq!(walked, 3 + 40, "every subject once");
            }
        }
    }
    let at = t("2025-01-11T00:00:00Z");
    let scopes = Scope::covering(&promo, &Channel::Email);
    let page = store.decision_page(g.tenant(), Some(&sid("s04")), 2, &scopes, at).unwrap();
    let restricted = page.first().and_then(|(id, f)| f.as_ref().map(|f| (id.as_str(), f.deciding.clone())));
    assert!(
        matches!(restricted, Some(("s05", crate::decision::DecidingFacts::Restricted { .. }))),
        "Art. 18: the restriction is in the page: {restricted:?}"
    );
    let due = page.get(1).and_then(|(id, f)| f.as_ref().map(|f| (id.as_str(), f.information.is_some())));
    assert_eq!(due, Some(("s06", false)), "nothing to tell a person whose data came from them");
    let page = store.decision_page(g.tenant(), Some(&sid("s07")), 1, &scopes, at).unwrap();
    assert!(page[0].1.as_ref().is_some_and(|f| f.information.is_some()), "Art. 14(3): s08 must still be told");
}
