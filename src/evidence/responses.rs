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
use crate::error::Result;
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
    /// Who answered. JSON also takes the CSV column's name, `customer_id`.
    #[serde(alias = "customer_id")]
    pub customer: CustomerId,
    /// The item's name, for example `at1`.
    pub item: String,
    /// The value as answered: a whole number from 1 to the questionnaire's scale.
    pub value: f64,
    /// When the answer was given. Scoring as of an earlier time does not see it; when absent,
    /// the answer is assumed known only at the end of the data (as for undated idea decisions),
    /// so that it never leaks into the past.
    #[serde(default)]
    pub answered_at: Option<jiff::Timestamp>,
}

impl Response {
    /// An answer.
    pub fn new(customer: impl Into<CustomerId>, item: impl Into<String>, value: f64) -> Self {
        Response {
            customer: customer.into(),
            item: item.into(),
            value,
            answered_at: None,
        }
    }

    /// Sets when the answer was given.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_answered_at(mut self, at: jiff::Timestamp) -> Self {
        self.answered_at = Some(at);
        self
    }
}

/// Reads a `responses.csv` file into answers, checking the shape of every row (the columns, a
/// non-empty customer id and item, a finite number as value) but not yet the questionnaire:
/// [`Questionnaire::read_answers`](super::Questionnaire::read_answers) does both, with errors that
/// point at the file's lines.
///
/// Errors: [`Error::MissingFile`](crate::Error::MissingFile), [`Error::Io`](crate::Error::Io), [`Error::MissingColumn`](crate::Error::MissingColumn); [`Error::Record`](crate::Error::Record)
/// with the file and line for a row with the wrong number of fields
/// ([`Problem::WrongFieldCount`](crate::Problem::WrongFieldCount)), an empty field ([`Problem::Missing`](crate::Problem::Missing)), a value that is not a
/// number or not UTF-8 ([`Problem::Unparsable`](crate::Problem::Unparsable)) or not finite ([`Problem::NonFinite`](crate::Problem::NonFinite)); [`Error::Csv`](crate::Error::Csv) for
/// text the CSV reader cannot read (bad quoting).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("lead-customers-doc-read-responses-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("responses.csv");
/// std::fs::write(&path, "item,value,customer_id,source\nat1,4,C-1,web\nat2, 5 ,C-1,web\n").unwrap();
/// let responses = lead_customers::evidence::read_responses(&path)?;
/// assert_eq!(responses.len(), 2);
/// assert_eq!(responses[1].value, 5.0);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[cfg(feature = "csv")]
pub fn read_responses(path: impl AsRef<Path>) -> Result<Vec<Response>> {
    Ok(crate::csv_folder::response_rows(path.as_ref())?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

#[cfg(all(test, feature = "csv"))]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::{Error, Location};

    /// Writes `text` to a fresh `responses.csv` in a directory of its own (removed when the
    /// file is dropped).
    pub(crate) fn write_csv(text: &str) -> crate::test_files::TestFile {
        crate::test_files::TestFile::new("responses.csv", text)
    }

    fn line_of(err: &Error) -> u64 {
        match err.location() {
            Some(Location::Csv { line, .. }) => *line,
            other => panic!("expected a CSV location, got {other:?}"),
        }
    }

    #[test]
    fn columns_may_come_in_any_order_with_extras_ignored() {
        let path = write_csv("note,value,item,customer_id\nhi,3,at1,C1\n,4, at2 ,C2\n");
        let rows = read_responses(&path).unwrap();
        assert_eq!(
            rows,
            vec![
                Response::new("C1", "at1", 3.0),
                Response::new("C2", "at2", 4.0)
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
        for (text, kind, line) in cases {
            let path = write_csv(text);
            let err = read_responses(&path).unwrap_err();
            assert_eq!(err.kind(), kind, "{text:?}: {err}");
            assert_eq!(line_of(&err), line, "{text:?}: {err}");
            assert!(err.to_string().contains("responses.csv"), "{err}");
        }
    }

    #[test]
    fn a_missing_column_or_file_is_named() {
        let path = write_csv("customer_id,question,value\nC1,at1,3\n");
        let err = read_responses(&path).unwrap_err();
        assert!(
            matches!(err, Error::MissingColumn { column: "item", .. }),
            "{err}"
        );
        let err = read_responses(path.with_file_name("absent.csv")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MissingFile);
    }

    #[test]
    fn bad_utf8_is_an_error_with_its_line_and_field() {
        let path = write_csv("");
        std::fs::write(&path, b"customer_id,item,value\nC1,at1,3\nC\xff,at2,4\n").unwrap();
        let err = read_responses(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unparsable);
        assert_eq!(line_of(&err), 3);
        assert!(err.to_string().contains("customer_id"), "{err}");
    }
}
