//! Shared plumbing for the record types: parsing their enum names.

/// A name that is not one of an enum's interchange-format names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownName {
    /// The accepted names, separated by spaces.
    pub expected: &'static str,
}

impl std::fmt::Display for UnknownName {
    /// `expected one of: a, b, c`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected one of: {}", listed(self.expected))
    }
}

/// Names separated by spaces, as a list for a message: `a, b, c`.
pub(crate) fn listed(names: &str) -> String {
    names.split_whitespace().collect::<Vec<_>>().join(", ")
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
        #[repr(u8)]
        pub enum $name {
            // The same names in JSON as in text (serde's own renaming would derive them from
            // the variants, which need not match).
            $( $(#[$vdoc])* #[serde(rename = $text)] $variant, )+
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

            /// Parses the interchange name from bytes (the CSV reader's fast path): the name's
            /// length and first, second and last bytes pick the one variant it can be (see
            /// [`NameTable`](crate::record::NameTable)), which is then compared whole.
            #[allow(dead_code)] // not every enum is read from CSV
            #[inline]
            pub(crate) fn from_bytes(bytes: &[u8]) -> Option<Self> {
                const TABLE: $crate::record::NameTable =
                    $crate::record::NameTable::new(&[$($text),+]);
                let variant = *Self::ALL.get(TABLE.lookup(bytes)?)?;
                (variant.as_str().as_bytes() == bytes).then_some(variant)
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
                f.pad(self.as_str())
            }
        }
    };
}

pub(crate) use named_enum;

/// A perfect hash of an enum's names, worked out at compile time: each name's length and first,
/// second and last bytes, hashed, find the name's position in a table of 64 with no two names in one
/// place. Parsing a name then reads one entry and compares one name, instead of trying the names
/// in turn: in a CSV file the names change from row to row at random, and the processor guessed
/// wrong at most of the tries.
pub(crate) struct NameTable {
    multiplier: u32,
    /// Per hash, the position of the name there, or [`NameTable::EMPTY`].
    slots: [u8; 64],
}

impl NameTable {
    const EMPTY: u8 = u8::MAX;

    /// The table of `names` (at most 64, no two the same, none empty). A set of names that no
    /// multiplier tried separates fails to compile.
    // Evaluated at compile time (for the `const` in `named_enum!`, its only use), where a panic
    // is a compile error.
    #[allow(clippy::panic)]
    pub(crate) const fn new(names: &[&str]) -> NameTable {
        if names.len() > 64 {
            panic!("more names than a name table holds (64)");
        }
        let mut multiplier: u32 = 0x9E37_79B1;
        let mut tries = 0;
        while tries < 10_000 {
            let mut slots = [Self::EMPTY; 64];
            let mut i = 0;
            let mut separated = true;
            while i < names.len() {
                let bytes = names[i].as_bytes();
                let second = if bytes.len() > 1 { bytes[1] } else { 0 };
                let last = bytes[bytes.len() - 1];
                let hash = Self::hash(multiplier, bytes.len(), [bytes[0], second, last]);
                if slots[hash] != Self::EMPTY {
                    separated = false;
                    break;
                }
                slots[hash] = i as u8;
                i += 1;
            }
            if separated {
                return NameTable { multiplier, slots };
            }
            multiplier = multiplier.wrapping_add(2);
            tries += 1;
        }
        panic!("no multiplier separates these names")
    }

    const fn hash(multiplier: u32, len: usize, [first, second, last]: [u8; 3]) -> usize {
        let key =
            (len as u32 & 0xff) | (first as u32) << 8 | (second as u32) << 16 | (last as u32) << 24;
        (key.wrapping_mul(multiplier) >> 26) as usize
    }

    /// The position of the only name that `bytes` can be, if any.
    #[inline]
    pub(crate) fn lookup(&self, bytes: &[u8]) -> Option<usize> {
        let (&first, &last) = (bytes.first()?, bytes.last()?);
        let second = bytes.get(1).copied().unwrap_or(0);
        let slot = self.slots[Self::hash(self.multiplier, bytes.len(), [first, second, last])];
        (slot != Self::EMPTY).then_some(usize::from(slot))
    }
}

#[cfg(test)]
mod tests {
    use crate::{Channel, Constraint, IdeaStatus, InteractionKind, Signal};
    use proptest::prelude::*;

    /// The names of a variant, and bytes that are close to them.
    fn near_misses(name: &str) -> Vec<Vec<u8>> {
        let bytes = name.as_bytes();
        let mut misses = vec![
            bytes[..bytes.len() - 1].to_vec(),
            [bytes, b"s"].concat(),
            [b" ", bytes].concat(),
            name.to_uppercase().into_bytes(),
        ];
        // The same length and first, second and last bytes, another byte between.
        for at in 2..bytes.len().saturating_sub(1) {
            let mut changed = bytes.to_vec();
            changed[at] ^= 1;
            misses.push(changed);
        }
        misses
    }

    /// Parsing bytes agrees with parsing the text (the plain comparison of every name) on every
    /// name and on bytes close to the names.
    macro_rules! check_names {
        ($($enum:ty),+) => {$(
            for &variant in <$enum>::ALL {
                let name = variant.as_str();
                assert_eq!(<$enum>::from_bytes(name.as_bytes()), Some(variant), "{name}");
                for miss in near_misses(name) {
                    let expected = std::str::from_utf8(&miss).ok().and_then(|s| s.parse().ok());
                    assert_eq!(<$enum>::from_bytes(&miss), expected, "{miss:?}");
                }
            }
            assert_eq!(<$enum>::from_bytes(b""), None);
        )+};
    }

    #[test]
    fn every_name_parses_from_bytes_and_nothing_close_to_one_does() {
        check_names!(Channel, InteractionKind, IdeaStatus, Constraint, Signal);
        // Two names that differ in their second byte only.
        assert_eq!(
            Constraint::from_bytes(b"min_prospects"),
            Some(Constraint::MinProspects)
        );
        assert_eq!(
            Constraint::from_bytes(b"max_prospects"),
            Some(Constraint::MaxProspects)
        );
    }

    /// JSON names a variant as text does, so that the name in an error (`cooldown_days`) reads
    /// back as a setting (serde's own renaming gave `cooldown`).
    macro_rules! check_json_names {
        ($($enum:ty),+) => {$(
            for &variant in <$enum>::ALL {
                let name = variant.as_str();
                assert_eq!(serde_json::to_string(&variant).unwrap(), format!("\"{name}\""));
                let back: $enum = serde_json::from_str(&format!("\"{name}\"")).unwrap();
                assert_eq!(back, variant);
            }
        )+};
    }

    #[test]
    fn json_and_text_name_every_variant_alike() {
        check_json_names!(Channel, InteractionKind, IdeaStatus, Constraint, Signal);
        assert_eq!(
            serde_json::to_string(&Constraint::Cooldown).unwrap(),
            "\"cooldown_days\""
        );
        // JSON saved before still reads.
        let old: Vec<Constraint> = serde_json::from_str(r#"["cooldown", "declines"]"#).unwrap();
        assert_eq!(old, [Constraint::Cooldown, Constraint::Declines]);
    }

    #[test]
    fn an_unknown_name_lists_the_names_with_commas() {
        let err = "snail".parse::<Channel>().unwrap_err().to_string();
        assert!(
            err.starts_with("expected one of: support, email, "),
            "{err}"
        );
        assert!(err.ends_with(", other"), "{err}");
        let err = "lead".parse::<crate::Relationship>().unwrap_err();
        assert_eq!(err.to_string(), "expected one of: customer, prospect");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// On any bytes, parsing bytes agrees with parsing the text.
        #[test]
        fn bytes_parse_as_text_does(bytes in proptest::collection::vec(any::<u8>(), 0..20)) {
            let text = std::str::from_utf8(&bytes).ok();
            let channel = text.and_then(|s| s.parse::<Channel>().ok());
            prop_assert_eq!(Channel::from_bytes(&bytes), channel);
            let kind = text.and_then(|s| s.parse::<InteractionKind>().ok());
            prop_assert_eq!(InteractionKind::from_bytes(&bytes), kind);
        }
    }
}
