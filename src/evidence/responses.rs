//! Questionnaire answers as records, and `responses.csv`, the table of the CSV interchange format
//! that holds them.
//!
//! `responses.csv` has a header row with the columns `customer_id`, `item` and `value`, in any
//! order; other columns are ignored (a survey tool's export can be used as it is). One row is one
//! answer: the customer, the item's name as the questionnaire knows it, and the Likert value as
//! answered (before any reverse keying). An unanswered item has no row. Fields are trimmed of
//! surrounding whitespace. A malformed row is an error naming the file and line, never skipped.

#[cfg(feature = "csv")]
use std::path::Path;

use serde::{Deserialize, Serialize};

#[cfg(feature = "csv")]
use crate::error::{Error, Location, Problem, Result};
use crate::ids::CustomerId;

/// One answer of one customer to one questionnaire item.
///
/// ```
/// use lead_customers::evidence::Response;
/// let r = Response::new("C-1", "at1", 4.0);
/// assert_eq!(r.customer.as_str(), "C-1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Who answered.
    pub customer: CustomerId,
    /// The item's name, for example `at1`.
    pub item: String,
    /// The value as answered: a whole number from 1 to the questionnaire's scale.
    pub value: f64,
}

impl Response {
    /// An answer.
    pub fn new(customer: impl Into<CustomerId>, item: impl Into<String>, value: f64) -> Self {
        Response {
            customer: customer.into(),
            item: item.into(),
            value,
        }
    }
}

/// Reads a `responses.csv` file into answers, checking the shape of every row (the columns, a
/// non-empty customer id and item, a finite number as value) but not yet the questionnaire:
/// [`Questionnaire::read_answers`](super::Questionnaire::read_answers) does both, with errors that
/// point at the file's lines.
///
/// Errors: [`Error::MissingFile`], [`Error::Io`], [`Error::MissingColumn`]; [`Error::Record`]
/// with the file and line for a row with the wrong number of fields
/// ([`Problem::WrongFieldCount`]), an empty field ([`Problem::Missing`]), a value that is not a
/// number ([`Problem::Unparsable`]) or not finite ([`Problem::NonFinite`]); [`Error::Csv`] for
/// text the CSV reader cannot read (bad UTF-8, say).
///
/// ```
/// # let dir = std::env::temp_dir().join("lead-customers-doc-read-responses");
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("responses.csv");
/// std::fs::write(&path, "item,value,customer_id,source\nat1,4,C-1,web\nat2, 5 ,C-1,web\n").unwrap();
/// let responses = lead_customers::evidence::read_responses(&path)?;
/// assert_eq!(responses.len(), 2);
/// assert_eq!(responses[1].value, 5.0);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[cfg(feature = "csv")]
pub fn read_responses(path: impl AsRef<Path>) -> Result<Vec<Response>> {
    Ok(read_lines(path.as_ref())?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

/// Reads `responses.csv` into answers with the line each came from.
///
/// Line numbers are counted from the bytes rather than taken from the CSV reader, which does not
/// count the blank lines it skips.
#[cfg(feature = "csv")]
pub(crate) fn read_lines(path: &Path) -> Result<Vec<(u64, Response)>> {
    let bytes = std::fs::read(path).map_err(|source| io_error(path, source))?;
    let mut lines = LineCounter::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let header = reader
        .headers()
        .map_err(|e| csv_error(path, &mut lines, e))?
        .clone();
    let column = |name: &'static str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                path: path.to_owned(),
                column: name,
            })
    };
    let (customer_at, item_at, value_at) =
        (column("customer_id")?, column("item")?, column("value")?);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, &mut lines, e))?;
        let line = lines.line_at(record.position().map_or(0, csv::Position::byte));
        let bad = |field: &'static str, value: &str, problem: Problem| Error::Record {
            location: Location::Csv {
                file: path.to_owned(),
                line,
            },
            field,
            value: value.to_owned(),
            problem,
        };
        let field = |at: usize, name: &'static str| match record.get(at) {
            Some(text) if !text.is_empty() => Ok(text),
            other => Err(bad(name, other.unwrap_or(""), Problem::Missing)),
        };
        let customer = field(customer_at, "customer_id")?;
        let item = field(item_at, "item")?;
        let text = field(value_at, "value")?;
        let value: f64 = text.parse().map_err(|_| {
            bad(
                "value",
                text,
                Problem::Unparsable {
                    expected: "a number (a Likert answer such as 4)".to_owned(),
                },
            )
        })?;
        if !value.is_finite() {
            return Err(bad("value", text, Problem::NonFinite));
        }
        rows.push((line, Response::new(customer, item, value)));
    }
    Ok(rows)
}

/// The 1-based line of a byte offset, counting forward from the previous offset asked about
/// (records come in order, so the whole file is counted once).
#[cfg(feature = "csv")]
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

#[cfg(feature = "csv")]
impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter {
            bytes,
            offset: 0,
            line: 1,
        }
    }

    /// The line of the record the CSV reader places at `byte`. The reader places a record where
    /// it started reading, before the blank lines it skipped, and a record never starts with a
    /// line break, so those are stepped over first.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        while self
            .bytes
            .get(byte)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            byte += 1;
        }
        if byte < self.offset {
            *self = LineCounter::new(self.bytes);
        }
        let newlines = self.bytes[self.offset..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += newlines as u64;
        self.offset = byte;
        self.line
    }
}

/// A failure to read the file: [`Error::MissingFile`] when it does not exist.
#[cfg(feature = "csv")]
fn io_error(path: &Path, source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::NotFound {
        Error::MissingFile {
            path: path.to_owned(),
        }
    } else {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Turns a CSV reader's error into the crate's, keeping the file and line.
#[cfg(feature = "csv")]
fn csv_error(path: &Path, lines: &mut LineCounter<'_>, err: csv::Error) -> Error {
    let location = Location::Csv {
        file: path.to_owned(),
        line: lines.line_at(err.position().map_or(0, csv::Position::byte)),
    };
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(source) => io_error(path, source),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::Record {
            location,
            field: "row",
            value: format!("{len} fields"),
            problem: Problem::WrongFieldCount {
                expected: expected_len as usize,
            },
        },
        _ => Error::Csv { location, message },
    }
}

#[cfg(all(test, feature = "csv"))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::path::PathBuf;

    /// Writes `text` to a fresh `responses.csv` in a directory of its own for test `name`.
    pub(crate) fn write_csv(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "lead-customers-responses-{name}-{}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("responses.csv");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn line_of(err: &Error) -> u64 {
        match err.location() {
            Some(Location::Csv { line, .. }) => *line,
            other => panic!("expected a CSV location, got {other:?}"),
        }
    }

    #[test]
    fn columns_may_come_in_any_order_with_extras_ignored() {
        let path = write_csv(
            "order",
            "note,value,item,customer_id\nhi,3,at1,C1\n,4, at2 ,C2\n",
        );
        let rows = read_lines(&path).unwrap();
        assert_eq!(
            rows,
            vec![
                (2, Response::new("C1", "at1", 3.0)),
                (3, Response::new("C2", "at2", 4.0))
            ]
        );
    }

    #[test]
    fn malformed_rows_are_errors_with_their_line() {
        let cases = [
            (
                "customer_id,item,value\nC1,at1,3\nC1,at2\n",
                ErrorKind::WrongFieldCount,
                3,
            ),
            (
                "customer_id,item,value\nC1,at1,3\n,at2,4\n",
                ErrorKind::Missing,
                3,
            ),
            ("customer_id,item,value\nC1,,3\n", ErrorKind::Missing, 2),
            ("customer_id,item,value\nC1,at1,\n", ErrorKind::Missing, 2),
            (
                "customer_id,item,value\nC1,at1,3\n\nC1,at2,four\n",
                ErrorKind::Unparsable,
                4,
            ),
            (
                "customer_id,item,value\nC1,at1,NaN\n",
                ErrorKind::NonFinite,
                2,
            ),
            (
                "customer_id,item,value\nC1,at1,inf\n",
                ErrorKind::NonFinite,
                2,
            ),
        ];
        for (i, (text, kind, line)) in cases.into_iter().enumerate() {
            let path = write_csv(&format!("bad{i}"), text);
            let err = read_responses(&path).unwrap_err();
            assert_eq!(err.kind(), kind, "{text:?}: {err}");
            assert_eq!(line_of(&err), line, "{text:?}: {err}");
            assert!(err.to_string().contains("responses.csv"), "{err}");
        }
    }

    #[test]
    fn a_missing_column_or_file_is_named() {
        let path = write_csv("nocol", "customer_id,question,value\nC1,at1,3\n");
        let err = read_responses(&path).unwrap_err();
        assert!(
            matches!(err, Error::MissingColumn { column: "item", .. }),
            "{err}"
        );
        let err = read_responses(path.with_file_name("absent.csv")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingFile);
    }

    #[test]
    fn bad_utf8_is_a_csv_error_with_its_line() {
        let dir = write_csv("utf8", "");
        std::fs::write(&dir, b"customer_id,item,value\nC1,at1,3\nC\xff,at2,4\n").unwrap();
        let err = read_responses(&dir).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Csv);
        assert_eq!(line_of(&err), 3);
    }
}
