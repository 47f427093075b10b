//! Kinds of channel, which the rules for direct marketing tell apart (rule C4), and the custom
//! channels a tenant declares.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::Channel;

crate::named_enum::named_enum!(
    /// How a channel reaches a person, as the rules for direct marketing tell channels apart.
    ChannelKind, "kind", {
        /// Electronic mail, text messages, automated calls and the like (CPCE L.34-5, Directive
        /// 2002/58/EC Art. 13).
        Electronic => "electronic",
        /// A person calling (C. consom. L.223-1).
        Phone => "phone",
        /// Letters and leaflets by post.
        Post => "post",
    }
);

impl ChannelKind {
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

/// A custom channel the tenant declared, with its kind. A custom channel never declared is taken
/// as electronic, the kind whose rules allow least.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
        for &k in ChannelKind::ALL {
            assert_eq!(k.as_str().parse::<ChannelKind>().unwrap(), k);
        }
        assert!("letter".parse::<ChannelKind>().is_err());
    }
}
