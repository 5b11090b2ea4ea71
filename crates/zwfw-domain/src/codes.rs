//! Code lists: the closed lists of codes the platform stores and speaks
//! (states, kinds, levels, the national code lists), each written once as
//! an enum with [`code_list!`], and the sets of them that rules name (which
//! states are open, which severities ask for a reply…) written once beside
//! it as `&[Self]` consts.
//!
//! The store's SQL asks the same sets: [`sql_list!`] gives a set as the
//! text of an SQL list (`'submitted', 'in_progress'`) and [`const_concat!`]
//! joins it into a statement, both at compile time, so that a statement is
//! a `&'static str` with no text built when it runs:
//!
//! ```
//! use zwfw_domain::cases::CaseState;
//! const OPEN_IDS: &str = zwfw_domain::const_concat!(
//!     "SELECT id FROM cases WHERE state IN (",
//!     zwfw_domain::sql_list!(CaseState, CaseState::OPEN),
//!     ")"
//! );
//! assert_eq!(OPEN_IDS, "SELECT id FROM cases WHERE state IN ('submitted', 'supplementing', 'in_progress', 'deciding')");
//! ```
//!
//! A code is lower-case ASCII letters, digits and `_` (or the digits and
//! capitals of a national list): it never needs quoting inside `'…'`, and
//! a code with a quote fails the build where it is put into SQL.

/// A closed list of codes.
pub trait CodeList: Copy + Eq + 'static {
    /// Every value, in the order of the list.
    const ALL: &'static [Self];
    /// The stored code.
    fn code(self) -> &'static str;
    /// The value of a code (surrounding blanks ignored).
    fn parse(code: &str) -> Option<Self> {
        let code = code.trim();
        Self::ALL.iter().copied().find(|v| v.code() == code)
    }
}

/// The codes of a set, in its order.
pub fn codes<C: CodeList>(set: &[C]) -> Vec<&'static str> {
    set.iter().map(|c| c.code()).collect()
}

/// A set as the text of an SQL list, `'a', 'b'`: what [`sql_list!`] gives
/// at compile time, for a set known only when the program runs.
pub fn sql_list<C: CodeList>(set: &[C]) -> String {
    let quoted: Vec<String> = set.iter().map(|c| sql_quoted(c.code())).collect();
    quoted.join(", ")
}

fn sql_quoted(code: &str) -> String {
    assert!(!code.contains('\''), "a code never holds a quote: {code:?}");
    format!("'{code}'")
}

/// The values of a list that are not in `set`, in the list's order.
pub fn complement<C: CodeList>(set: &[C]) -> Vec<C> {
    C::ALL.iter().copied().filter(|c| !set.contains(c)).collect()
}

/// Defines a code list: an enum whose values are stored and (de)serialized
/// as their codes, with `ALL`, `code()` (a `const fn`), `parse()`, and,
/// when every value has one after its code, `label()` (the standard's
/// Chinese name).
///
/// ```ignore
/// code_list!(
///     /// The state of …
///     State {
///         /// Waiting for …
///         Open = "open",
///         Answered = "answered",
///     }
/// );
/// ```
macro_rules! code_list {
    ($(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $variant:ident = $code:literal : $label:literal),* $(,)?
    }) => {
        $crate::codes::code_list!(@list $(#[$m])* $name { $($(#[$vm])* $variant = $code),* });
        impl $name {
            /// The standard's Chinese name.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
        }
    };
    ($(#[$m:meta])* $name:ident {
        $($(#[$vm:meta])* $variant:ident = $code:literal),* $(,)?
    }) => {
        $crate::codes::code_list!(@list $(#[$m])* $name { $($(#[$vm])* $variant = $code),* });
    };
    (@list $(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $variant),*
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The stored code.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
            /// The value of a code (surrounding blanks ignored).
            pub fn parse(code: &str) -> Option<$name> {
                match code.trim() { $($code => Some($name::$variant),)* _ => None }
            }
        }
        // The schema is written here: the codes, as serde writes them.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($code),*]))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
        impl $crate::codes::CodeList for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn code(self) -> &'static str {
                $name::code(self)
            }
        }
    };
}
pub(crate) use code_list;

/// Joins `&str` constants into one `&'static str` at compile time.
///
/// `const_concat!("SELECT ", COLS, " FROM t")`: every part is a constant
/// expression (a literal, a `const`, a `const fn` call on constants, or
/// [`sql_list!`]), so that the text is built once by the compiler.
#[macro_export]
macro_rules! const_concat {
    ($($part:expr),+ $(,)?) => {{
        const PARTS: &[&str] = &[$($part),+];
        const BYTES: [u8; $crate::codes::__len(PARTS)] = $crate::codes::__concat(PARTS);
        const TEXT: &str = $crate::codes::__text(&BYTES);
        TEXT
    }};
}

/// A set of codes as the text of an SQL list, at compile time:
/// `sql_list!(CaseState, CaseState::OPEN)` is
/// `"'submitted', 'supplementing', 'in_progress', 'deciding'"`. `$set` is a
/// constant `&[$ty]`; `$ty` has a `const fn code(self) -> &'static str`
/// (every [`code_list!`] does). An empty set fails the build (`IN ()` is
/// not SQL), and so does a code holding a quote.
#[macro_export]
macro_rules! sql_list {
    ($ty:ty, $set:expr) => {{
        const SET: &[$ty] = $set;
        const CODES: [&str; SET.len()] = {
            let mut codes = [""; SET.len()];
            let mut i = 0;
            while i < SET.len() {
                codes[i] = SET[i].code();
                i += 1;
            }
            codes
        };
        const BYTES: [u8; $crate::codes::__sql_list_len(&CODES)] = $crate::codes::__sql_list(&CODES);
        const TEXT: &str = $crate::codes::__text(&BYTES);
        TEXT
    }};
}

/// One code as an SQL literal at compile time: `sql_code!(CaseState::Draft)`
/// is `"'draft'"`.
#[macro_export]
macro_rules! sql_code {
    ($value:expr) => {
        $crate::const_concat!("'", $crate::codes::__unquoted($value.code()), "'")
    };
}

#[doc(hidden)]
pub const fn __len(parts: &[&str]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < parts.len() {
        n += parts[i].len();
        i += 1;
    }
    n
}

#[doc(hidden)]
pub const fn __concat<const N: usize>(parts: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut k = 0;
    let mut i = 0;
    while i < parts.len() {
        let b = parts[i].as_bytes();
        let mut j = 0;
        while j < b.len() {
            out[k] = b[j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    assert!(k == N);
    out
}

#[doc(hidden)]
pub const fn __text(bytes: &'static [u8]) -> &'static str {
    match core::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("the parts of an SQL text are UTF-8"),
    }
}

#[doc(hidden)]
pub const fn __unquoted(code: &str) -> &str {
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        assert!(b[i] != b'\'', "a code never holds a quote");
        i += 1;
    }
    code
}

/// `'a', 'b'`: each code and its two quotes, and `, ` between.
#[doc(hidden)]
pub const fn __sql_list_len(codes: &[&str]) -> usize {
    assert!(!codes.is_empty(), "an SQL list has at least one code");
    __len(codes) + 2 * codes.len() + 2 * (codes.len() - 1)
}

#[doc(hidden)]
pub const fn __sql_list<const N: usize>(codes: &[&str]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut k = 0;
    let mut i = 0;
    while i < codes.len() {
        if i > 0 {
            out[k] = b',';
            out[k + 1] = b' ';
            k += 2;
        }
        out[k] = b'\'';
        k += 1;
        let b = __unquoted(codes[i]).as_bytes();
        let mut j = 0;
        while j < b.len() {
            out[k] = b[j];
            k += 1;
            j += 1;
        }
        out[k] = b'\'';
        k += 1;
        i += 1;
    }
    assert!(k == N);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    code_list!(
        /// A list for the tests.
        Light {
            /// Go.
            Green = "green",
            Amber = "amber",
            Red = "red",
        }
    );

    impl Light {
        const STOP: &'static [Light] = &[Light::Amber, Light::Red];
    }

    #[test]
    fn codes_round_trip_and_serialize_as_codes() {
        for l in Light::ALL {
            assert_eq!(Light::parse(l.code()), Some(*l));
            assert_eq!(<Light as CodeList>::parse(l.code()), Some(*l));
            assert_eq!(serde_json::to_string(l).unwrap(), format!("\"{}\"", l.code()));
        }
        assert_eq!(Light::parse(" red "), Some(Light::Red));
        assert_eq!(Light::parse("blue"), None);
        assert_eq!(serde_json::from_str::<Light>("\"amber\"").unwrap(), Light::Amber);
    }

    #[test]
    fn sets_as_sql_text_at_compile_time_and_at_run_time() {
        const STOP: &str = crate::sql_list!(Light, Light::STOP);
        assert_eq!(STOP, "'amber', 'red'");
        assert_eq!(sql_list(Light::STOP), STOP);
        assert_eq!(crate::sql_list!(Light, &[Light::Green]), "'green'");
        assert_eq!(crate::sql_code!(Light::Red), "'red'");
        const Q: &str =
            crate::const_concat!("SELECT 1 WHERE light IN (", STOP, ") AND light <> ", crate::sql_code!(Light::Green));
        assert_eq!(Q, "SELECT 1 WHERE light IN ('amber', 'red') AND light <> 'green'");
        assert_eq!(crate::const_concat!("一", "二"), "一二");
        assert_eq!(codes(Light::STOP), ["amber", "red"]);
        assert_eq!(complement(Light::STOP), [Light::Green]);
    }
}
