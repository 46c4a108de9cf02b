//! The enumerations of the operations modules (propaganda, cases, seizures) all have the
//! same shape: a stored name, a Vietnamese and an English label, a list in display order,
//! and parsing from the stored name. This one declarative macro writes that shape, so
//! the modules only list their values; the generated code is plain `match`es.

/// Declares an enum with `ALL`, `as_str`, `label_vi`, `label_en`, `Display` and `FromStr`
/// (the error is [`crate::site::UnknownSiteValue`], naming what was parsed).
macro_rules! labelled_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal, [
            $( $(#[$vmeta:meta])* $variant:ident = $stored:literal, $vi:literal, $en:literal; )+
        ]
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$( $name::$variant, )+];

            /// The stored, CSV and API form.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $stored, )+ }
            }

            /// The Vietnamese label.
            pub fn label_vi(self) -> &'static str {
                match self { $( $name::$variant => $vi, )+ }
            }

            /// The English label.
            pub fn label_en(self) -> &'static str {
                match self { $( $name::$variant => $en, )+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::site::UnknownSiteValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                crate::site::parse_stored(Self::ALL, Self::as_str, $what, s)
            }
        }
    };
}

pub(crate) use labelled_enum;
