//! Bytes → logical content lines.
//!
//! Real feeds arrive with byte-order marks, UTF-16, Latin-1, NUL padding, any of
//! the three line-ending conventions and folds that split multi-byte characters.
//! Everything here works on bytes first and decodes each *logical* (unfolded)
//! line last, so a fold inside a UTF-8 sequence heals instead of turning into
//! U+FFFD.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// One unfolded content line with the 1-based number of its first physical line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogicalLine<'a> {
    /// Physical line number where this logical line starts, for warnings.
    pub line: usize,
    /// The decoded, unfolded text (without the line ending).
    pub text: &'a str,
}

/// Turns a body in any supported charset into UTF-8 bytes (without BOM or NULs).
///
/// UTF-16 is recognised by its BOM (or a declared charset) and transcoded as a
/// whole, because its line endings are two bytes wide and byte-level unfolding
/// would not see them. Other declared single-byte charsets are transcoded too;
/// for UTF-8 (the default) the bytes are kept as they are so that unfolding can
/// still heal split sequences, and invalid lines fall back per line later.
pub(crate) fn to_utf8_bytes<'a>(bytes: &'a [u8], charset: Option<&str>) -> Cow<'a, [u8]> {
    let declared = charset
        .map(|label| label.trim().trim_matches('"'))
        .and_then(|label| Encoding::for_label(label.as_bytes()));
    let (encoding, body) = match Encoding::for_bom(bytes) {
        // A BOM is stronger evidence than a header a proxy may have rewritten.
        Some((encoding, bom_len)) => (encoding, bytes.get(bom_len..).unwrap_or_default()),
        None => (declared.unwrap_or(UTF_8), bytes),
    };
    // Servers often label UTF-8 bodies ISO-8859-1 (a default of their
    // framework). Text in a single-byte charset that happens to be valid UTF-8
    // with non-ASCII bytes is vanishingly rare, so such a body is read as UTF-8.
    let encoding = if encoding.is_single_byte()
        && body.iter().any(|b| *b >= 0x80)
        && std::str::from_utf8(body).is_ok()
    {
        UTF_8
    } else {
        encoding
    };
    let decoded: Cow<'a, [u8]> = if encoding == UTF_8 {
        Cow::Borrowed(body)
    } else {
        // UTF-16 (line endings two bytes wide) and legacy charsets are decoded
        // as a whole; folds cannot split their characters after transcoding.
        let (text, _) = encoding.decode_without_bom_handling(body);
        Cow::Owned(text.into_owned().into_bytes())
    };
    if decoded.contains(&0) {
        // NUL bytes (padding, C-string writers) carry no meaning in iCalendar.
        Cow::Owned(decoded.iter().copied().filter(|&b| b != 0).collect())
    } else {
        decoded
    }
}

/// Decodes one logical line: UTF-8 when valid (borrowed, no copy), otherwise
/// Windows-1252, which maps every byte to some character, so nothing is ever
/// rejected.
fn decode_line(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// Whether a physical line starts like a content line (`NAME;` or `NAME:`),
/// as opposed to a continuation that a broken writer forgot to indent.
fn looks_like_content_line(line: &[u8]) -> bool {
    let name_len = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
        .count();
    name_len > 0 && matches!(line.get(name_len), Some(b':') | Some(b';'))
}

/// Whether `line` continues `previous` although it is not indented: it must
/// not look like a content line, must contain white space (prose, not a stray
/// token such as `X` or `X-APPLE-RADIUS=49.9`), and `previous` must be a free
/// text property (DESCRIPTION, SUMMARY, ...), where writers that forget to
/// escape a line break produce exactly this. Anywhere else the line stays on
/// its own and is reported as malformed.
fn is_unindented_continuation(previous: &[u8], line: &[u8]) -> bool {
    const TEXT_PROPERTIES: [&[u8]; 7] = [
        b"DESCRIPTION",
        b"SUMMARY",
        b"LOCATION",
        b"COMMENT",
        b"CONTACT",
        b"RESOURCES",
        b"X-ALT-DESC",
    ];
    let name_len = previous
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
        .count();
    let name = previous.get(..name_len).unwrap_or_default();
    TEXT_PROPERTIES.iter().any(|p| p.eq_ignore_ascii_case(name))
        && !looks_like_content_line(line)
        && line.iter().any(|b| *b == b' ' || *b == b'\t')
}

/// Splits UTF-8 bytes into physical lines on CRLF, LF or a lone CR.
fn physical_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(end) => {
                let line = rest.get(..end).unwrap_or_default();
                let skip = if rest.get(end) == Some(&b'\r') && rest.get(end + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                rest = rest.get(end + skip..).unwrap_or_default();
                Some(line)
            }
            None => {
                let line = rest;
                rest = &[];
                Some(line)
            }
        }
    })
}

/// Calls `sink` with every logical line of `bytes` (already UTF-8, BOM-free).
///
/// Unfolding happens on the raw bytes: a line starting with a space or tab
/// continues the previous one (the first white-space octet is dropped). A line
/// that does not start like `NAME:`/`NAME;` continues the previous line too,
/// joined with a newline, because writers that forget to fold usually emitted
/// an unescaped line break inside a text value.
pub(crate) fn for_each_logical_line(bytes: &[u8], mut sink: impl FnMut(LogicalLine<'_>)) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // The common case, an unfolded line, is passed on without copying; only
    // folded lines are assembled in `joined`.
    let mut joined: Vec<u8> = Vec::with_capacity(256);
    let mut single: Option<&[u8]> = None;
    let mut current_line = 0usize;
    let mut have_current = false;
    let mut emit = |single: Option<&[u8]>, joined: &[u8], line: usize| {
        let text = decode_line(single.unwrap_or(joined));
        sink(LogicalLine { line, text: &text });
    };
    for (index, line) in physical_lines(bytes).enumerate() {
        let number = index + 1;
        let continuation = match line.first() {
            None => continue, // blank lines separate nothing in iCalendar
            Some(b' ') | Some(b'\t') if have_current => Some(line.get(1..).unwrap_or_default()),
            Some(_) if have_current => {
                let previous = single.unwrap_or(&joined);
                if is_unindented_continuation(previous, line) {
                    Some(line)
                } else {
                    None
                }
            }
            Some(_) => None,
        };
        match continuation {
            Some(rest) => {
                if let Some(first) = single.take() {
                    joined.clear();
                    joined.extend_from_slice(first);
                }
                if line.first().is_some_and(|b| *b != b' ' && *b != b'\t') {
                    joined.push(b'\n');
                }
                joined.extend_from_slice(rest);
            }
            None => {
                if have_current {
                    emit(single, &joined, current_line);
                }
                single = Some(line);
                current_line = number;
                have_current = true;
            }
        }
    }
    if have_current {
        emit(single, &joined, current_line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<(usize, String)> {
        let utf8 = to_utf8_bytes(bytes, None);
        let mut out = Vec::new();
        for_each_logical_line(&utf8, |l| out.push((l.line, l.text.to_owned())));
        out
    }

    #[test]
    fn a_fold_inside_a_multi_byte_character_is_healed() {
        let out = lines("SUMMARY:Caf\u{e9}".as_bytes().split_at(12).0);
        assert_eq!(out.len(), 1);
        let mut bytes = b"SUMMARY:Caf\xC3\r\n \xA9 ok\r\n".to_vec();
        bytes.extend_from_slice(b"UID:1\n");
        let out = lines(&bytes);
        assert_eq!(out[0].1, "SUMMARY:Caf\u{e9} ok");
        assert_eq!(out[1], (3, "UID:1".to_owned()));
    }

    #[test]
    fn crlf_lf_and_lone_cr_all_end_lines() {
        let out = lines(b"A:1\r\nB:2\nC:3\rD:4");
        let names: Vec<_> = out.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(names, ["A:1", "B:2", "C:3", "D:4"]);
    }

    #[test]
    fn a_utf8_bom_and_nul_bytes_are_ignored() {
        let out = lines(b"\xEF\xBB\xBFA:\x001\r\n");
        assert_eq!(out, [(1, "A:1".to_owned())]);
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "A:\u{e9}\r\n".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(lines(&bytes), [(1, "A:\u{e9}".to_owned())]);
    }

    #[test]
    fn a_declared_latin1_charset_is_honoured() {
        let utf8 = to_utf8_bytes(b"A:caf\xE9", Some("ISO-8859-1"));
        assert_eq!(&*utf8, "A:caf\u{e9}".as_bytes());
    }

    #[test]
    fn a_utf8_body_mislabelled_as_latin1_is_read_as_utf8() {
        let utf8 = to_utf8_bytes("A:caf\u{e9}".as_bytes(), Some("ISO-8859-1"));
        assert_eq!(&*utf8, "A:caf\u{e9}".as_bytes());
    }

    #[test]
    fn invalid_utf8_falls_back_to_a_single_byte_charset() {
        assert_eq!(lines(b"A:caf\xE9"), [(1, "A:caf\u{e9}".to_owned())]);
    }

    #[test]
    fn an_unindented_continuation_line_is_joined_with_a_newline() {
        let out = lines(b"DESCRIPTION:first line\r\nsecond line\r\nUID:x\r\n");
        assert_eq!(out[0].1, "DESCRIPTION:first line\nsecond line");
        assert_eq!(out[1].1, "UID:x");
    }

    #[test]
    fn a_stray_token_line_is_not_a_continuation() {
        let out = lines(b"END:VEVENT\r\nX\r\nUID:1\r\nX-APPLE-RADIUS=49.9\r\n");
        let texts: Vec<_> = out.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["END:VEVENT", "X", "UID:1", "X-APPLE-RADIUS=49.9"]);
    }
}
