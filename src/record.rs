//! Shared plumbing for the record types: parsing their enum names.

/// A name that is not one of an enum's interchange-format names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownName {
    /// The accepted names, in words.
    pub expected: &'static str,
}

impl std::fmt::Display for UnknownName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected one of: {}", self.expected)
    }
}

impl std::error::Error for UnknownName {}

/// Defines a fieldless `u8` enum with lower_snake_case interchange names, `ALL`, `as_str`,
/// `FromStr`, `Display` and serde, from one list of variants.
macro_rules! named_enum {
    (
        $(#[$doc:meta])*
        pub enum $name:ident {
            $( $(#[$vdoc:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[repr(u8)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The lower_snake_case name used in the interchange format.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Every interchange name, separated by spaces (for error messages).
            #[allow(dead_code)] // not every enum is read from CSV
            pub(crate) const NAMES: &'static str = concat!($($text, " "),+);

            /// Parses the interchange name from bytes (the CSV reader's fast path).
            #[allow(dead_code)] // not every enum is read from CSV
            #[inline]
            pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
                match bytes {
                    $(b if b == $text.as_bytes() => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The variant's position in [`Self::ALL`], a dense index for per-variant tables.
            pub fn index(self) -> usize {
                self as usize
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::record::UnknownName;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::record::UnknownName {
                        expected: concat!($($text, " "),+),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;
