//! One logical line → name, parameters and raw value (RFC 5545 §3.1).
//!
//! Parameters may be quoted (and then contain `:`, `;` and `,`), may carry
//! several comma-separated values and RFC 6868 caret escapes. A line that
//! cannot be split is reported as an error string; the caller turns it into a
//! warning and skips just that line.

use std::borrow::Cow;

use serde::Serialize;

/// A parameter of a content line, e.g. `TZID=Europe/Berlin` or `MEMBER="a","b"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    /// Upper-cased parameter name.
    pub name: String,
    /// The values, unquoted and with RFC 6868 caret escapes decoded.
    pub values: Vec<String>,
}

/// A parsed content line (property) of a component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Property {
    /// Upper-cased property name.
    pub name: String,
    /// Parameters in source order.
    pub params: Vec<Param>,
    /// The raw value after the first unquoted colon (TEXT escapes still in place).
    pub value: String,
    /// Physical line number where the property starts.
    pub line: usize,
}

impl Property {
    /// The first value of the named parameter (names are compared case-insensitively).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.values.first())
            .map(String::as_str)
    }
}

/// A borrowed parameter: most parameters have one value, kept in `first`
/// so the common case allocates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamRef<'a> {
    /// Parameter name as written.
    pub name: &'a str,
    /// First value, unquoted, caret escapes decoded.
    pub first: Cow<'a, str>,
    /// Further comma-separated values.
    pub more: Vec<Cow<'a, str>>,
}

/// A content line borrowed from the input line (no copies on the hot path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PropRef<'a> {
    /// Property name as written (compare with `eq_ignore_ascii_case`).
    pub name: &'a str,
    /// Parameters in source order.
    pub params: Vec<ParamRef<'a>>,
    /// Raw value after the first unquoted colon.
    pub value: &'a str,
    /// Physical line number.
    pub line: usize,
}

impl PropRef<'_> {
    /// First value of the named parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.first.as_ref())
    }

    /// An owned copy (for components kept in the tree).
    pub fn to_property(&self) -> Property {
        Property {
            name: self.name.to_ascii_uppercase(),
            params: self
                .params
                .iter()
                .map(|p| Param {
                    name: p.name.to_ascii_uppercase(),
                    values: std::iter::once(&p.first)
                        .chain(&p.more)
                        .map(|v| v.clone().into_owned())
                        .collect(),
                })
                .collect(),
            value: self.value.to_owned(),
            line: self.line,
        }
    }
}

/// Decodes RFC 6868 caret escapes: `^n` newline, `^'` double quote, `^^` caret.
/// Any other caret is kept literally, as the RFC asks.
fn decode_caret(value: &str) -> Cow<'_, str> {
    if !value.contains('^') {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '^' {
            match chars.peek() {
                Some('n') | Some('N') => {
                    out.push('\n');
                    chars.next();
                }
                Some('\'') => {
                    out.push('"');
                    chars.next();
                }
                Some('^') => {
                    out.push('^');
                    chars.next();
                }
                _ => out.push('^'),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn name_len(text: &str) -> usize {
    text.bytes().take_while(|b| is_name_byte(*b)).count()
}

/// Parses one logical line into a borrowed view. Errors are short
/// human-readable reasons.
pub(crate) fn parse_content_line(text: &str, line: usize) -> Result<PropRef<'_>, String> {
    let name_end = name_len(text);
    let name = text.get(..name_end).unwrap_or_default();
    if name.is_empty() {
        return Err("line does not start with a property name".to_owned());
    }
    let mut params = Vec::new();
    let mut rest = text.get(name_end..).unwrap_or_default();
    loop {
        match rest.as_bytes().first() {
            None => return Err(format!("property {name} has no ':' before its value")),
            Some(b':') => {
                return Ok(PropRef {
                    name,
                    params,
                    value: rest.get(1..).unwrap_or_default(),
                    line,
                });
            }
            Some(b';') => {
                let (param, after) = parse_param(rest.get(1..).unwrap_or_default(), name)?;
                if let Some(param) = param {
                    params.push(param);
                }
                rest = after;
            }
            Some(_) => {
                let other = rest.chars().next().unwrap_or_default();
                return Err(format!(
                    "unexpected character {other:?} after property name {name}"
                ));
            }
        }
    }
}

/// Parses `NAME=value[,value]` and returns the rest starting at `;` or `:`.
/// A parameter without `=` is dropped (Ok(None)) rather than failing the line.
fn parse_param<'a>(text: &'a str, prop: &str) -> Result<(Option<ParamRef<'a>>, &'a str), String> {
    let name_end = name_len(text);
    let name = text.get(..name_end).unwrap_or_default();
    let mut rest = text.get(name_end..).unwrap_or_default();
    if !rest.starts_with('=') {
        // e.g. `ATTENDEE;RSVP:mailto:x` — keep the property, lose the parameter.
        if rest.starts_with(';') || rest.starts_with(':') {
            return Ok((None, rest));
        }
        return Err(format!("malformed parameter {name:?} in {prop}"));
    }
    if name.is_empty() {
        return Err(format!("parameter without a name in {prop}"));
    }
    rest = rest.get(1..).unwrap_or_default();
    let mut first: Option<Cow<'a, str>> = None;
    let mut more: Vec<Cow<'a, str>> = Vec::new();
    let mut add = |value: Cow<'a, str>| match first {
        None => first = Some(value),
        Some(_) => more.push(value),
    };
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let Some(close) = quoted.find('"') else {
                return Err(format!(
                    "unterminated quoted value of parameter {name} in {prop}"
                ));
            };
            add(decode_caret(quoted.get(..close).unwrap_or_default()));
            rest = quoted.get(close + 1..).unwrap_or_default();
            // Tolerate junk between the closing quote and the next delimiter.
            let junk = rest.find([',', ';', ':']).unwrap_or(rest.len());
            rest = rest.get(junk..).unwrap_or_default();
        } else {
            let end = rest.find([',', ';', ':', '"']).unwrap_or(rest.len());
            if rest.get(end..end + 1) == Some("\"") {
                return Err(format!("stray quote in parameter {name} of {prop}"));
            }
            add(decode_caret(rest.get(..end).unwrap_or_default()));
            rest = rest.get(end..).unwrap_or_default();
        }
        match rest.as_bytes().first() {
            Some(b',') => rest = rest.get(1..).unwrap_or_default(),
            Some(b';') | Some(b':') => break,
            _ => return Err(format!("property {prop} has no ':' before its value")),
        }
    }
    Ok((
        Some(ParamRef {
            name,
            first: first.unwrap_or_default(),
            more,
        }),
        rest,
    ))
}

/// Decodes TEXT escapes: `\\`, `\;`, `\,`, `\n`/`\N`; an unknown escape keeps
/// the escaped character (so `\:` and `\"` become `:` and `"`).
pub fn unescape_text(value: &str) -> String {
    if !value.contains('\\') {
        return value.to_owned();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_parameters_may_contain_colons_semicolons_and_commas() {
        let p = parse_content_line(
            "ATTENDEE;CN=\"Doe; John: the, one\";ROLE=CHAIR:mailto:j@x.org",
            1,
        )
        .unwrap();
        assert_eq!(p.param("cn"), Some("Doe; John: the, one"));
        assert_eq!(p.param("ROLE"), Some("CHAIR"));
        assert_eq!(p.value, "mailto:j@x.org");
    }

    #[test]
    fn multi_valued_parameters_are_split() {
        let p = parse_content_line("X;MEMBER=\"a:b\",c:v", 1).unwrap();
        assert_eq!(p.to_property().params[0].values, ["a:b", "c"]);
    }

    #[test]
    fn rfc6868_caret_escapes_are_decoded() {
        let p = parse_content_line("X;A=^^^n^'x^y:v", 1).unwrap();
        assert_eq!(p.param("A"), Some("^\n\"x^y"));
    }

    #[test]
    fn a_line_without_a_colon_is_an_error() {
        assert!(parse_content_line("DESCRIPTION;This is a description", 3).is_err());
        assert!(parse_content_line("NAME;P=\"unterminated:v", 3).is_err());
        assert!(parse_content_line(":value", 3).is_err());
    }

    #[test]
    fn a_parameter_without_a_value_is_dropped_but_the_property_kept() {
        let p = parse_content_line("ATTENDEE;RSVP:mailto:a@b", 1).unwrap();
        assert!(p.params.is_empty());
        assert_eq!(p.value, "mailto:a@b");
    }

    #[test]
    fn text_escapes_are_decoded() {
        assert_eq!(unescape_text(r"a\, b\; c\\d\ne\Nf\:"), "a, b; c\\d\ne\nf:");
    }
}
