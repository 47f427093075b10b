//! What a request asks for and how it arrived.

use crate::named_enum::named_enum;

named_enum!(
    /// The right a request exercises.
    RequestKind, "kind", {
        /// Art. 15: a copy of the data and information on its processing.
        Access => "access",
        /// Art. 16: correction of inaccurate data.
        Rectification => "rectification",
        /// Art. 17: erasure.
        Erasure => "erasure",
        /// Art. 18: restriction of processing.
        Restriction => "restriction",
        /// Art. 20: the data in a portable format.
        Portability => "portability",
        /// Art. 21: objection to processing.
        Objection => "objection",
        /// Erasure carried out by irreversible anonymization.
        Anonymization => "anonymization",
    }
);

impl RequestKind {
    /// Whether the request is answered with a copy of the data, which must reach the subject
    /// before it is completed (E3): access and portability.
    pub fn carries_a_copy(self) -> bool {
        matches!(self, RequestKind::Access | RequestKind::Portability)
    }
}

named_enum!(
    /// How a request reached the controller. Any channel is valid (Art. 12).
    ReceivedVia, "via", {
        /// E-mail.
        Email => "email",
        /// Telephone.
        Phone => "phone",
        /// Post.
        Post => "post",
        /// A web form.
        Web => "web",
        /// In person.
        InPerson => "in_person",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_channels_read_their_names() {
        assert_eq!("in-person".parse::<ReceivedVia>().unwrap(), ReceivedVia::InPerson);
        assert_eq!("erasure".parse::<RequestKind>().unwrap(), RequestKind::Erasure);
        let err = "deletion".parse::<RequestKind>().unwrap_err().to_string();
        assert!(err.contains("access, rectification, erasure"), "{err}");
        for k in RequestKind::ALL {
            assert_eq!(k.as_str().parse::<RequestKind>().unwrap(), *k);
        }
    }
}
