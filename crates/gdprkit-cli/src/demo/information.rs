//! The demo's right to information (Arts. 13 and 14): prospects scanned at two trade fairs, half
//! of them told, the rest listed by due date.

use chrono::TimeDelta;
use gdprkit::information::{DataSource, InformedVia, Origin};
use gdprkit::{Channel, Gdpr, Language, NewSubject, PurposeId, Regime, SubjectId};
use serde::Serialize;

use super::Narrator;
use crate::context::CliResult;

/// Prospects imported from the fairs.
pub const PROSPECTS: usize = 200;

/// What the demo did, for `--json`.
#[derive(Serialize)]
pub struct Information {
    prospects: usize,
    informed: usize,
    due: usize,
    overdue: usize,
    decision_for: String,
    message_must_carry: Option<String>,
}

pub fn prospect(i: usize) -> SubjectId {
    SubjectId::new(format!("prospect-{i:04}")).unwrap_or_else(|_| unreachable!("a fixed pattern"))
}

/// Imports the prospects of two fairs, 45 and 10 days ago, informs the even ones by e-mail, and
/// lists who is still due.
pub fn walk(g: &Gdpr, say: &mut Narrator) -> CliResult<Information> {
    let now = g.now();
    let fairs = [("Salon Bâtir Lyon", now - TimeDelta::days(45)), ("Forum Industrie Lille", now - TimeDelta::days(10))];
    let prospects: Vec<NewSubject> = (0..PROSPECTS)
        .map(|i| {
            let (fair, day) = fairs[i * fairs.len() / PROSPECTS];
            let mut s = NewSubject::new(prospect(i), Regime::B2bOptOut);
            s.email = Some(format!("prospect-{i:04}@example.org"));
            s.language = Some(if i % 4 == 0 { Language::En } else { Language::Fr });
            s.origin = Some(Origin {
                reference: Some(fair.into()),
                obtained_at: Some(day),
                ..Origin::new(DataSource::TradeFair)
            });
            s
        })
        .collect();
    g.add_subjects(prospects)?;
    let mut informed = 0;
    for i in (0..PROSPECTS).step_by(2) {
        g.inform(&prospect(i), InformedVia::Email, None)?;
        informed += 1;
    }
    let due = g.information_due(false)?.len();
    let overdue = g.information_due(true)?.len();
    let uninformed = prospect(PROSPECTS - 1);
    let d = g.decide(&uninformed, &PurposeId::new("product-news")?, &Channel::Email, None)?;
    let carry = d.information.as_ref().and_then(|c| c.version.clone());
    say.line(&format!(
        "\nInformation (Arts. 13 and 14): imported {PROSPECTS} prospects scanned at two trade fairs, {} and {}. \
         Data from another source must be explained to the person within a month, or at the first message. \
         Mailed the notice to {informed} of them (each an `informed` ledger event with the notice's version and \
         SHA-256); {due} are still to be told, {overdue} of them past their due date (`gdprkit information due \
         --overdue`). Product news by e-mail to {uninformed}: {}{}.",
        fairs[0].0,
        fairs[1].0,
        if d.allowed { "allowed" } else { "not allowed" },
        carry.as_deref().map(|v| format!(", and the message must carry the notice {v}")).unwrap_or_default()
    ));
    Ok(Information {
        prospects: PROSPECTS,
        informed,
        due,
        overdue,
        decision_for: uninformed.to_string(),
        message_must_carry: carry,
    })
}
