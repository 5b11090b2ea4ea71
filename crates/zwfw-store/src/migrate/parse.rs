//! Reading a migration's text: splitting it into statements, its normal
//! form, and the lexer both stand on.

use crate::Backend;

/// One statement of a migration.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Statement {
    /// The backend it runs on, from its `/*sqlite*/` or `/*postgres*/`
    /// prefix; `None`: both.
    pub(super) only: Option<Backend>,
    /// Its text, without the prefix, the `;`, `--` comments and the
    /// whitespace around.
    pub(super) text: String,
}

/// The statements of `sql`, empty ones left out.
pub(super) fn split(sql: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut text = String::new();
    // The statement's words so far outside quotes and comments, up to the
    // fourth (enough to know a CREATE … TRIGGER | FUNCTION | PROCEDURE).
    let mut head: Vec<String> = Vec::new();
    // Open BEGIN and CASE in the body of such a statement.
    let mut depth = 0usize;
    let mut after_dot = false;
    for t in lex(sql) {
        match t.kind {
            Kind::Semicolon if depth == 0 => {
                push_statement(&mut out, &text);
                text.clear();
                head.clear();
                after_dot = false;
                continue;
            }
            Kind::LineComment => {
                // The spaces before it go too; the line's end stays.
                let kept = text.trim_end_matches([' ', '\t']).len();
                text.truncate(kept);
                continue;
            }
            Kind::Word if !after_dot => {
                let word = t.text.to_ascii_uppercase();
                if head.len() < 4 {
                    head.push(word.clone());
                }
                if has_body(&head) {
                    match word.as_str() {
                        "BEGIN" | "CASE" => depth += 1,
                        "END" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        if !matches!(t.kind, Kind::Space | Kind::BlockComment) {
            after_dot = t.kind == Kind::Punct && t.text == ".";
        }
        text.push_str(t.text);
    }
    push_statement(&mut out, &text);
    out
}

/// Whether a statement starting with the words `head` has a body whose
/// statements end in `;`: `CREATE [OR REPLACE] [TEMP | TEMPORARY] TRIGGER`,
/// and `CREATE [OR REPLACE] FUNCTION | PROCEDURE` (PostgreSQL's
/// `BEGIN ATOMIC … END`; a dollar-quoted body is one token).
fn has_body(head: &[String]) -> bool {
    let mut words = head.iter().map(String::as_str);
    if words.next() != Some("CREATE") {
        return false;
    }
    let mut next = words.next();
    if next == Some("OR") {
        if words.next() != Some("REPLACE") {
            return false;
        }
        next = words.next();
    }
    if matches!(next, Some("TEMP" | "TEMPORARY")) {
        next = words.next();
    }
    matches!(next, Some("TRIGGER" | "FUNCTION" | "PROCEDURE"))
}

fn push_statement(out: &mut Vec<Statement>, text: &str) {
    let text = text.trim();
    let (only, text) = if let Some(rest) = text.strip_prefix("/*sqlite*/") {
        (Some(Backend::Sqlite), rest.trim())
    } else if let Some(rest) = text.strip_prefix("/*postgres*/") {
        (Some(Backend::Postgres), rest.trim())
    } else {
        (None, text)
    };
    if !text.is_empty() {
        out.push(Statement { only, text: text.to_string() });
    }
}

/// The tokens of `sql` joined by one space: no whitespace run of the text
/// and no comment counts, only what is inside a string. A dollar-quoted body
/// is normalized as code.
pub(super) fn normalize(sql: &str) -> String {
    let mut out = String::new();
    for t in lex(sql) {
        let text = match t.kind {
            Kind::Space | Kind::LineComment | Kind::BlockComment => continue,
            Kind::Dollar => {
                let tag_len = t.text[1..].find('$').map_or(t.text.len(), |i| i + 2);
                let tag = &t.text[..tag_len];
                let body = t.text[tag_len..].strip_suffix(tag).unwrap_or(&t.text[tag_len..]);
                let body = normalize(body);
                if body.is_empty() {
                    format!("{tag} {tag}")
                } else {
                    format!("{tag} {body} {tag}")
                }
            }
            _ => t.text.to_string(),
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Space,
    /// `-- …` up to the end of the line (the line end is a [`Kind::Space`]).
    LineComment,
    /// `/* … */`.
    BlockComment,
    /// `'…'` (also `E'…'`), `"…"` or `` `…` ``.
    Quoted,
    /// `$$ … $$` or `$tag$ … $tag$`, delimiters included.
    Dollar,
    /// A keyword, a name or a parameter (`$1`).
    Word,
    Number,
    /// A run of operator characters.
    Operator,
    /// `(`, `)`, `,`, `.`, `[`, `]`, `{`, `}`.
    Punct,
    Semicolon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
    /// False for a string, comment or dollar quote the text ends in.
    pub(super) closed: bool,
}

/// A name's characters after the first: every byte of a multi-byte UTF-8
/// character (all at or above 0x80) counts as a letter, so a token always
/// ends on a character boundary.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_operator_byte(b: u8) -> bool {
    b"+-*/<>=~!@#%^&|?:\\".contains(&b)
}

/// The tokens of `sql`, which together are the whole text.
pub(super) fn lex(sql: &str) -> Vec<Token<'_>> {
    let b = sql.as_bytes();
    let n = b.len();
    // The end of a quote opened at `start` by `q` (the byte after it), and
    // whether it is closed; `backslash`: `\` escapes the next byte (E'…').
    let quoted = |start: usize, q: u8, backslash: bool| -> (usize, bool) {
        let mut i = start + 1;
        while i < n {
            if backslash && b[i] == b'\\' {
                i += 2;
            } else if b[i] == q {
                if b.get(i + 1) == Some(&q) {
                    i += 2;
                } else {
                    return (i + 1, true);
                }
            } else {
                i += 1;
            }
        }
        (n, false)
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < n {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let (kind, end, closed) = if c.is_ascii_whitespace() {
            let end = (i..n).find(|&j| !b[j].is_ascii_whitespace()).unwrap_or(n);
            (Kind::Space, end, true)
        } else if c == b'-' && next == Some(b'-') {
            (Kind::LineComment, (i..n).find(|&j| b[j] == b'\n').unwrap_or(n), true)
        } else if c == b'/' && next == Some(b'*') {
            match sql[i + 2..].find("*/") {
                Some(j) => (Kind::BlockComment, i + 2 + j + 2, true),
                None => (Kind::BlockComment, n, false),
            }
        } else if c == b'\'' || c == b'"' || c == b'`' {
            let (end, closed) = quoted(i, c, false);
            (Kind::Quoted, end, closed)
        } else if (c == b'E' || c == b'e') && next == Some(b'\'') {
            let (end, closed) = quoted(i + 1, b'\'', true);
            (Kind::Quoted, end, closed)
        } else if c == b'$' {
            // `$$`, `$tag$` (a tag is a name without `$`), or `$1`.
            let tag_end = if next.is_some_and(is_word_start) {
                (i + 1..n).find(|&j| !(is_word_byte(b[j]) && b[j] != b'$')).filter(|&j| b[j] == b'$')
            } else if next == Some(b'$') {
                Some(i + 1)
            } else {
                None
            };
            match tag_end {
                Some(t) => {
                    let tag = &sql[i..=t];
                    match sql[t + 1..].find(tag) {
                        Some(j) => (Kind::Dollar, t + 1 + j + tag.len(), true),
                        None => (Kind::Dollar, n, false),
                    }
                }
                None if next.is_some_and(|d| d.is_ascii_digit()) => {
                    (Kind::Word, (i + 1..n).find(|&j| !b[j].is_ascii_digit()).unwrap_or(n), true)
                }
                None => (Kind::Operator, i + 1, true),
            }
        } else if is_word_start(c) {
            (Kind::Word, (i..n).find(|&j| !is_word_byte(b[j])).unwrap_or(n), true)
        } else if c.is_ascii_digit() || (c == b'.' && next.is_some_and(|d| d.is_ascii_digit())) {
            (Kind::Number, number_end(b, i), true)
        } else if c == b';' {
            (Kind::Semicolon, i + 1, true)
        } else if b"(),.[]{}".contains(&c) {
            (Kind::Punct, i + 1, true)
        } else if is_operator_byte(c) {
            // A run of operator bytes, up to a comment's start.
            let mut end = i + 1;
            while end < n && is_operator_byte(b[end]) && !matches!(&b[end..], [b'-', b'-', ..] | [b'/', b'*', ..]) {
                end += 1;
            }
            (Kind::Operator, end, true)
        } else {
            // Any other character, whole.
            let len = sql[i..].chars().next().map_or(1, char::len_utf8);
            (Kind::Operator, i + len, true)
        };
        tokens.push(Token { kind, text: &sql[i..end], closed });
        i = end;
    }
    tokens
}

/// The end of the number starting at `i`: digits, a fraction (not `..`, a
/// range in PL/pgSQL) and an exponent.
fn number_end(b: &[u8], i: usize) -> usize {
    let digits = |mut j: usize| {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut j = digits(i);
    if b.get(j) == Some(&b'.') && b.get(j + 1) != Some(&b'.') {
        j = digits(j + 1);
    }
    if matches!(b.get(j), Some(b'e' | b'E')) {
        let k = if matches!(b.get(j + 1), Some(b'+' | b'-')) { j + 2 } else { j + 1 };
        if b.get(k).is_some_and(u8::is_ascii_digit) {
            j = digits(k);
        }
    }
    j
}
