//! What a person does with their own request, holding its tracking token (R8): withdraw it (R1),
//! or answer the identity or clarification question it waits on (R4). The portal calls these;
//! staff take steps with [`Gdpr::act`].

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::facade::Gdpr;
use crate::request::record::{PublicView, Request, constant_time_eq, token_hash};
use crate::request::service::{MAX_TOKEN_BYTES, Step};

/// The actor a step taken by the person is recorded under.
pub const SUBJECT_ACTOR: &str = "subject";

/// A step the person takes on their own request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum SubjectStep {
    /// Withdraw the request (R1): it closes as withdrawn.
    Withdraw,
    /// Answer the question the request waits on (R4): the deadline runs again, and the answer is
    /// kept with the request as a note (one paragraph: line breaks become spaces), which staff
    /// read and the person sees with their token. An answer to an identity question does not
    /// prove the identity: staff still judge it before they accept, and `identity_not_verified`
    /// stays open to them (R5).
    Answer {
        /// The answer, in the person's words.
        text: String,
    },
}

impl Gdpr {
    /// Takes `step` on the request that `token` tracks, as the person (actor `subject`), and
    /// returns its public view after the step; `None` for a token that matches no request (a
    /// wrong token and an unknown one get the same answer, as with [`Gdpr::track`]). A step that
    /// does not apply to the request's state fails as [`Gdpr::act`] does, and changes nothing.
    pub fn act_by_token(&self, token: &str, step: SubjectStep) -> Result<Option<PublicView>> {
        let Some(request) = self.request_tracked_by(token)? else { return Ok(None) };
        let outcome = match step {
            SubjectStep::Withdraw => self.act(&request.id, Step::Withdraw, SUBJECT_ACTOR)?,
            SubjectStep::Answer { text } => {
                // One paragraph, as every note is: line breaks and runs of spaces (a text area
                // sends CR LF) become single spaces.
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if text.is_empty() {
                    return Err(Error::invalid("text", "an answer must not be empty"));
                }
                self.act_noted(&request.id, Step::Resume, SUBJECT_ACTOR, Some(&text))?
            }
        };
        Ok(Some(self.public_view(&outcome.request)))
    }

    /// The request `token` tracks, its hash compared in constant time.
    pub(crate) fn request_tracked_by(&self, token: &str) -> Result<Option<Request>> {
        if token.len() > MAX_TOKEN_BYTES {
            return Ok(None);
        }
        let hash = token_hash(token);
        Ok(self
            .store()
            .request_by_token(self.tenant(), &hash)?
            .filter(|(_, stored)| constant_time_eq(stored, &hash))
            .map(|(request, _)| request))
    }
}
