//! `named_enum!`: the one way gdprkit declares an enum whose values have stable names (stored,
//! hashed, printed and parsed).

/// Declares a fieldless enum whose values each have a `snake_case` name, with `ALL`, `as_str`,
/// `from_name`, `FromStr` (accepting `-` for `_`, with an error naming the field and the accepted
/// values), `Display` and serde under the same names.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal, { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's name, as stored and printed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The value named exactly `name`, without allocating; for stores reading their own
            /// rows.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::Error;
            /// Accepts the name with `_` or `-`.
            fn from_str(s: &str) -> $crate::Result<Self> {
                Self::from_name(&s.replace('-', "_")).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    $crate::Error::invalid(
                        $field,
                        format!("{:?} is not one of {}", $crate::ids::truncate_for_message(s), names.join(", ")),
                    )
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;
