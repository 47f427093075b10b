//! The right to information (Arts. 13 and 14, rules I1 to I4): the notice a person is given
//! ([`notice`]), where their data came from and on which grounds they need not be told
//! ([`origin`]), when they must be told and whether they were ([`status`]), and giving it with
//! its proof ([`give`]).

pub mod document;
pub mod give;
mod notice;
pub mod origin;
pub mod status;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use document::{NoticeBlock, NoticeDocument};
pub use give::GivenInformation;
pub use notice::InformationNotice;
pub use origin::{DataSource, ExemptionGround, GivenNotice, InformedVia, NewExemption, Origin};
pub use status::{DueBy, Exemption, InformationState, InformationStatus, Informed};

/// What a message to a person not yet told must carry (Art. 14(3)(b); Art. 13(1) for data
/// collected from them with no notice recorded): the notice of this version, which
/// [`crate::Gdpr::inform`] then records as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeToCarry {
    /// The date by which the person must be told.
    pub due: NaiveDate,
    /// What set that date: collection (Art. 13(1)), one month, or a first communication or
    /// disclosure (Art. 14(3)).
    pub due_by: DueBy,
    /// Whether that date had passed at the instant decided for.
    pub overdue: bool,
    /// The notice's version ([`InformationNotice::version`]), named by [`crate::Gdpr::decide`].
    /// `None` in the decisions of a list or a campaign, which do not build one notice per person
    /// (build it with [`crate::Gdpr::information_notice`] for the message), and where this `Gdpr`
    /// has no data map or CRM to build it from: the message must carry the notice all the same.
    pub version: Option<String>,
    /// The SHA-256 of its text, with the version.
    pub sha256: Option<String>,
}
