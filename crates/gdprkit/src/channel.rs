//! Kinds of channel, which the rules for direct marketing tell apart (rule C4), and the custom
//! channels a tenant declares.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{Channel, truncate_for_message};

/// How a channel reaches a person, as the rules for direct marketing tell channels apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// Electronic mail, text messages, automated calls and the like (CPCE L.34-5, Directive
    /// 2002/58/EC Art. 13).
    Electronic,
    /// A person calling (C. consom. L.223-1).
    Phone,
    /// Letters and leaflets by post.
    Post,
}

impl ChannelKind {
    /// Every kind.
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Electronic, ChannelKind::Phone, ChannelKind::Post];

    /// The kind's name: `electronic`, `phone` or `post`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Electronic => "electronic",
            ChannelKind::Phone => "phone",
            ChannelKind::Post => "post",
        }
    }

    /// The kind of a built-in channel; `None` for a custom one, whose kind the tenant declares.
    pub fn of_builtin(channel: &Channel) -> Option<ChannelKind> {
        match channel {
            Channel::Email | Channel::Sms => Some(ChannelKind::Electronic),
            Channel::Phone => Some(ChannelKind::Phone),
            Channel::Post => Some(ChannelKind::Post),
            Channel::Custom(_) => None,
        }
    }
}

impl FromStr for ChannelKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            Error::invalid("kind", format!("{:?} is not one of electronic, phone, post", truncate_for_message(s)))
        })
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A custom channel the tenant declared, with its kind. A custom channel never declared is taken
/// as electronic, the kind whose rules allow least.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredChannel {
    /// The channel's name.
    pub name: Channel,
    /// Its kind.
    pub kind: ChannelKind,
}

impl DeclaredChannel {
    /// Checks that the channel is a custom one: the kinds of `email`, `sms`, `phone` and `post`
    /// are fixed.
    pub fn validate(&self) -> Result<()> {
        match &self.name {
            Channel::Custom(_) => Ok(()),
            builtin => Err(Error::invalid(
                "channel",
                format!("{builtin} is built in and its kind is fixed; declare only custom channels"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_channels_have_fixed_kinds_and_custom_ones_are_declared() {
        assert_eq!(ChannelKind::of_builtin(&Channel::Email), Some(ChannelKind::Electronic));
        assert_eq!(ChannelKind::of_builtin(&Channel::Sms), Some(ChannelKind::Electronic));
        assert_eq!(ChannelKind::of_builtin(&Channel::Phone), Some(ChannelKind::Phone));
        assert_eq!(ChannelKind::of_builtin(&Channel::Post), Some(ChannelKind::Post));
        assert_eq!(ChannelKind::of_builtin(&Channel::Custom("fax".into())), None);
        let email = DeclaredChannel { name: Channel::Email, kind: ChannelKind::Post };
        assert!(email.validate().unwrap_err().to_string().contains("built in"));
        for k in ChannelKind::ALL {
            assert_eq!(k.as_str().parse::<ChannelKind>().unwrap(), k);
        }
        assert!("letter".parse::<ChannelKind>().is_err());
    }
}
