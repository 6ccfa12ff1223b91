//! One CSV row and its fields: parsing each field type, and errors that name file, line, field
//! and value.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::population::NO_TOPIC;
use crate::population::builder::{CustomerLookups, LocalNames};
use crate::time::{EXPECTED_TIME, parse_seconds};
use crate::{Error, Location, Problem, Result};

/// A row's fields: cut from the file's bytes directly, or read by the CSV reader.
#[derive(Clone, Copy)]
pub(super) enum Fields<'a> {
    Cut(&'a [&'a [u8]]),
    Record(&'a csv::ByteRecord),
}

impl<'a> Fields<'a> {
    pub fn len(&self) -> usize {
        match self {
            Fields::Cut(fields) => fields.len(),
            Fields::Record(record) => record.len(),
        }
    }

    /// The first field, if any.
    pub fn first(&self) -> Option<&'a [u8]> {
        self.get(0)
    }

    fn get(&self, i: usize) -> Option<&'a [u8]> {
        match self {
            Fields::Cut(fields) => fields.get(i).copied(),
            Fields::Record(record) => record.get(i),
        }
    }
}

/// A data row of a CSV file: its fields, and where it starts (for error messages).
pub(super) struct Row<'a> {
    pub fields: Fields<'a>,
    pub path: &'a Path,
    /// The byte offset of the row in the file (or of the blank lines before it).
    pub offset: u64,
}

impl Row<'_> {
    /// The row's byte offset in the file: its position for the builder.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The row's file and line (the line is counted from the file: only for errors).
    pub fn location(&self) -> Location {
        Location::Csv {
            file: self.path.to_path_buf(),
            line: line_at(self.path, self.offset()),
        }
    }

    pub fn error(&self, field: &'static str, value: &[u8], problem: Problem) -> Error {
        Error::Record {
            location: self.location(),
            field,
            value: String::from_utf8_lossy(value).into_owned(),
            problem,
        }
    }

    /// The bytes of an optional cell, spaces trimmed: `None` when the column is absent or the
    /// cell empty.
    #[inline]
    pub fn bytes(&self, column: Option<usize>) -> Option<&[u8]> {
        column
            .and_then(|c| self.fields.get(c))
            .map(<[u8]>::trim_ascii)
            .filter(|b| !b.is_empty())
    }

    /// The lookup of the customer id in a required cell, to be resolved with the batch's rows
    /// (see [`CustomerLookups`]).
    pub fn customer_lookup(&self, column: usize, lookups: &mut CustomerLookups) -> Result<u32> {
        let id = self
            .bytes(Some(column))
            .ok_or_else(|| self.error("customer_id", b"", Problem::Missing))?;
        Ok(lookups.of(id, self.offset()))
    }

    /// The batch's id of the topic in an optional cell ([`NO_TOPIC`] when empty).
    pub fn topic(&self, column: Option<usize>, topics: &mut LocalNames) -> Result<u32> {
        self.interned(column, "topic", topics)
    }

    /// The batch's id of the name in an optional cell ([`NO_TOPIC`] when empty), interned in
    /// `names`.
    pub fn interned(
        &self,
        column: Option<usize>,
        field: &'static str,
        names: &mut LocalNames,
    ) -> Result<u32> {
        match self.bytes(column) {
            None => Ok(NO_TOPIC),
            Some(name) => names
                .intern(name)
                .ok_or_else(|| self.error(field, name, unparsable("UTF-8 text"))),
        }
    }

    /// The text of an optional cell.
    pub fn text(&self, column: Option<usize>, field: &'static str) -> Result<Option<&str>> {
        let Some(bytes) = self.bytes(column) else {
            return Ok(None);
        };
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|_| self.error(field, bytes, unparsable("UTF-8 text")))
    }

    /// The text of a required cell.
    pub fn required_text(&self, column: usize, field: &'static str) -> Result<&str> {
        self.text(Some(column), field)?
            .ok_or_else(|| self.error(field, b"", Problem::Missing))
    }

    /// A time in seconds since the epoch.
    pub fn time(&self, column: Option<usize>, field: &'static str) -> Result<Option<i64>> {
        match self.bytes(column) {
            None => Ok(None),
            Some(bytes) => parse_seconds(bytes)
                .map(Some)
                .ok_or_else(|| self.error(field, bytes, unparsable(EXPECTED_TIME))),
        }
    }

    pub fn required_time(&self, column: usize, field: &'static str) -> Result<i64> {
        self.time(Some(column), field)?
            .ok_or_else(|| self.error(field, b"", Problem::Missing))
    }

    /// One of an enum's interchange names.
    #[inline]
    pub fn named<T>(
        &self,
        column: Option<usize>,
        field: &'static str,
        parse: impl Fn(&[u8]) -> Option<T>,
        expected: &str,
    ) -> Result<Option<T>> {
        match self.bytes(column) {
            None => Ok(None),
            Some(bytes) => parse(bytes).map(Some).ok_or_else(|| {
                self.error(
                    field,
                    bytes,
                    unparsable(&format!("one of: {}", crate::record::listed(expected))),
                )
            }),
        }
    }

    #[inline]
    pub fn required_named<T>(
        &self,
        column: usize,
        field: &'static str,
        parse: impl Fn(&[u8]) -> Option<T>,
        expected: &str,
    ) -> Result<T> {
        self.named(Some(column), field, parse, expected)?
            .ok_or_else(|| self.error(field, b"", Problem::Missing))
    }

    /// A count: a whole number, 0 when empty.
    pub fn count(&self, column: Option<usize>, field: &'static str) -> Result<u32> {
        let Some(text) = self.text(column, field)? else {
            return Ok(0);
        };
        let bad = |problem| self.error(field, text.as_bytes(), problem);
        match text.parse::<i64>() {
            Ok(n) if n < 0 => Err(bad(Problem::Negative)),
            Ok(n) => u32::try_from(n).map_err(|_| {
                bad(Problem::OutOfRange {
                    allowed: "at most 4294967295".into(),
                })
            }),
            Err(_) => match text.parse::<f64>() {
                Ok(x) if !x.is_finite() => Err(bad(Problem::NonFinite)),
                Ok(x) if x < 0.0 => Err(bad(Problem::Negative)),
                _ => Err(bad(unparsable("a whole number"))),
            },
        }
    }

    /// A number (may be NaN or infinite: callers that must refuse those do).
    pub fn number(&self, column: Option<usize>, field: &'static str) -> Result<Option<f64>> {
        match self.text(column, field)? {
            None => Ok(None),
            Some(text) => text
                .parse::<f64>()
                .map(Some)
                .map_err(|_| self.error(field, text.as_bytes(), unparsable("a number"))),
        }
    }

    /// `true`/`false`, `1`/`0` or `yes`/`no`.
    pub fn boolean(&self, column: usize, field: &'static str) -> Result<bool> {
        let text = self.required_text(column, field)?;
        let is = |word: &str| text.eq_ignore_ascii_case(word);
        if is("true") || is("1") || is("yes") {
            Ok(true)
        } else if is("false") || is("0") || is("no") {
            Ok(false)
        } else {
            Err(self.error(
                field,
                text.as_bytes(),
                unparsable("true/false, 1/0 or yes/no"),
            ))
        }
    }
}

pub(super) fn unparsable(expected: &str) -> Problem {
    Problem::Unparsable {
        expected: expected.to_owned(),
    }
}

/// The 1-based line of the record starting at a byte offset, counted from the file itself: the
/// CSV reader counts neither the blank lines it skips nor the bytes they take, so the blank lines
/// right after the offset are counted too. Line ends are counted as the CSV reader reads them:
/// `\r\n` is one, and a bare `\r` or `\n` is one. Only called to report an error.
pub(crate) fn line_at(path: &Path, offset: u64) -> u64 {
    let Ok(file) = File::open(path) else { return 0 };
    let mut reader = BufReader::new(file);
    let mut buffer = vec![0u8; 1 << 16];
    let (mut line_ends, mut read, mut in_record, mut after_cr) = (0, 0u64, false, false);
    while let Ok(n @ 1..) = reader.read(&mut buffer) {
        for &byte in &buffer[..n] {
            if read >= offset && byte != b'\n' && byte != b'\r' {
                in_record = true;
                break;
            }
            // A `\n` right after a `\r` ends the line the `\r` already counted.
            line_ends += u64::from(byte == b'\r' || (byte == b'\n' && !after_cr));
            after_cr = byte == b'\r';
            read += 1;
        }
        if in_record {
            break;
        }
    }
    line_ends + 1
}

/// A failure to read a file: [`Error::MissingFile`] when it does not exist.
pub(super) fn io_error(path: &Path, source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::NotFound {
        Error::MissingFile {
            path: path.to_path_buf(),
        }
    } else {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The CSV reader's error, at the position it reports.
pub(super) fn csv_error(path: &Path, error: &csv::Error) -> Error {
    csv_error_at(path, error, error.position().map_or(0, |p| p.byte()))
}

/// The CSV reader's error, at a byte offset of the file.
pub(super) fn csv_error_at(path: &Path, error: &csv::Error, offset: u64) -> Error {
    let location = Location::Csv {
        file: path.to_path_buf(),
        line: line_at(path, offset),
    };
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, .. } => Error::Record {
            location,
            field: "(row)",
            value: String::new(),
            problem: Problem::WrongFieldCount {
                expected: *expected_len as usize,
            },
        },
        csv::ErrorKind::Io(e) => Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(e.kind(), e.to_string()),
        },
        _ => Error::Csv {
            location,
            message: error.to_string(),
        },
    }
}
