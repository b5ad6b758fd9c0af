//! Model choices spelled once: every enum that a scenario key, a CLI flag or a JSON field names
//! declares its words here, with [`choices!`], next to its definition.
//!
//! The one table of `(variant, word)` pairs feeds the key table (`KeyKind::Choice(T::NAMES)`),
//! the scenario resolver (`T::from_name`), clap (`cli`'s value parser over `T::NAMES`), serde
//! (the word is the JSON string) and `Display`. The generated `name` is an exhaustive `match`, so a
//! new variant without a word does not compile, and nothing maps an unknown word to a fallback
//! variant: an unknown word is an error that lists the allowed ones.

/// An enum whose variants each have one word in files, flags and JSON.
pub trait Choice: Copy + PartialEq + Sized + 'static {
    /// The words, in documentation order (the first is listed first in errors and `explain`).
    const NAMES: &'static [&'static str];
    /// The variants, in the order of [`Choice::NAMES`].
    const VARIANTS: &'static [Self];

    /// The variant's word.
    fn name(self) -> &'static str;

    /// The variant spelled `word`, if any (exact match: words are case-sensitive).
    fn from_name(word: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == word)
            .map(|i| Self::VARIANTS[i])
    }

    /// The allowed words joined for an error message: `"a" | "b" | "c"`.
    fn allowed() -> String {
        Self::NAMES
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(" | ")
    }
}

/// A clap value parser over `T`'s words: `#[arg(value_parser = choice::value_parser::<T>())]`.
/// clap lists the words in `--help` and rejects any other word before `T::from_name` sees it.
pub fn value_parser<T: Choice + Send + Sync>() -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(T::NAMES.iter().copied())
        .map(|word: String| T::from_name(&word).expect("clap admits only T::NAMES"))
}

/// Implements [`Choice`], `Display`, `serde::Serialize` and `serde::Deserialize` for an enum
/// from one list of `Variant => "word"` pairs.
///
/// ```ignore
/// crate::choices!(EcLevel { EcLevel::L => "L", EcLevel::M => "M" });
/// ```
///
/// `choices!(words T { … })` implements only [`Choice`] and `Display`, for an enum whose JSON
/// spelling is older than its file words and must not change (`lifetime::Criterion`).
#[macro_export]
macro_rules! choices {
    (words $t:ty { $($v:path => $word:literal),+ $(,)? }) => {
        impl $crate::choice::Choice for $t {
            const NAMES: &'static [&'static str] = &[$($word),+];
            const VARIANTS: &'static [Self] = &[$($v),+];
            fn name(self) -> &'static str {
                match self {
                    $($v => $word),+
                }
            }
        }
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::choice::Choice::name(*self))
            }
        }
    };
    ($t:ty { $($v:path => $word:literal),+ $(,)? }) => {
        $crate::choices!(words $t { $($v => $word),+ });
        impl ::serde::Serialize for $t {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::choice::Choice::name(*self))
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $t {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let word = <::std::string::String as ::serde::Deserialize>::deserialize(d)?;
                <$t as $crate::choice::Choice>::from_name(&word).ok_or_else(|| {
                    <D::Error as ::serde::de::Error>::custom(format!(
                        "unknown word \"{word}\": expected one of {}",
                        <$t as $crate::choice::Choice>::allowed()
                    ))
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Choice;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Pet {
        Cat,
        Dog,
    }
    crate::choices!(Pet { Pet::Cat => "cat", Pet::Dog => "dog-like" });

    #[test]
    fn words_round_trip_through_name_serde_and_display() {
        for &p in Pet::VARIANTS {
            assert_eq!(Pet::from_name(p.name()), Some(p));
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{p}\""));
            assert_eq!(serde_json::from_str::<Pet>(&json).unwrap(), p);
        }
        assert_eq!(Pet::NAMES, &["cat", "dog-like"]);
    }

    #[test]
    fn the_clap_parser_takes_the_words() {
        use clap::Parser;
        #[derive(Parser)]
        struct Args {
            #[arg(long, value_parser = super::value_parser::<Pet>())]
            pet: Pet,
        }
        let a = Args::try_parse_from(["x", "--pet", "dog-like"]).unwrap();
        assert_eq!(a.pet, Pet::Dog);
        assert!(Args::try_parse_from(["x", "--pet", "cow"]).is_err());
    }

    #[test]
    fn an_unknown_word_is_an_error_listing_the_words() {
        assert_eq!(Pet::from_name("Cat"), None);
        let e = serde_json::from_str::<Pet>("\"cow\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"cat\" | \"dog-like\""), "{e}");
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
    #[serde(rename_all = "snake_case")]
    enum Old {
        FirstWord,
    }
    crate::choices!(words Old { Old::FirstWord => "first" });

    #[test]
    fn words_only_keeps_the_serde_spelling() {
        assert_eq!(Old::from_name("first"), Some(Old::FirstWord));
        assert_eq!(Old::FirstWord.to_string(), "first");
        assert_eq!(
            serde_json::to_string(&Old::FirstWord).unwrap(),
            "\"first_word\""
        );
    }
}
