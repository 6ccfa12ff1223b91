//! The crate's one error type.
//!
//! Every fallible operation returns [`Error`]. Errors about input data name the record they come
//! from ([`Location`]: a CSV file and line, or the position of a record handed to a builder), the
//! field and the offending value, so that a user can open the file and fix the line. Callers that
//! want to branch on the cause match on [`Error::kind`].

use std::fmt;
use std::path::PathBuf;

/// A specialized `Result` whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The tables of the interchange format: the kinds of record a [`Population`](crate::Population)
/// is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// `customers.csv`: one row per customer or prospect.
    Customers,
    /// `interactions.csv`: one row per interaction.
    Interactions,
    /// `ideas.csv`: one row per idea.
    Ideas,
    /// `sessions.csv`: one row per co-design session.
    Sessions,
    /// `participants.csv`: one row per (session, customer) participation.
    Participants,
    /// `responses.csv`: one row per questionnaire answer.
    Responses,
}

impl Table {
    /// The file name of this table in a CSV folder, for example `"ideas.csv"`.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Customers => "customers.csv",
            Table::Interactions => "interactions.csv",
            Table::Ideas => "ideas.csv",
            Table::Sessions => "sessions.csv",
            Table::Participants => "participants.csv",
            Table::Responses => "responses.csv",
        }
    }

    /// The singular noun for one record of this table, used in messages.
    pub fn record_noun(self) -> &'static str {
        match self {
            Table::Customers => "customer",
            Table::Interactions => "interaction",
            Table::Ideas => "idea",
            Table::Sessions => "session",
            Table::Participants => "participation",
            Table::Responses => "response",
        }
    }
}

/// Where a record came from: the place an error message points the user to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A line of a CSV file (1-based, the header being line 1).
    Csv {
        /// The file.
        file: PathBuf,
        /// The 1-based line number.
        line: u64,
    },
    /// A record handed to a builder through the API: its 0-based position among the records of
    /// its table, in the order they were added.
    Record {
        /// The table the record belongs to.
        table: Table,
        /// The 0-based position of the record in the order it was added.
        index: usize,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Csv { file, line } => write!(f, "{}:{line}", file.display()),
            Location::Record { table, index } => write!(f, "{} #{index}", table.record_noun()),
        }
    }
}

/// What is wrong with a record: the cause of an [`Error::Record`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The record refers to a customer id that no customer record defines.
    UnknownCustomer,
    /// The record refers to a co-design session id that no session record defines.
    UnknownSession,
    /// The id was already used by another record of the same table.
    DuplicateId {
        /// Where the first record with this id came from.
        first: Location,
    },
    /// A CSV header names a column the file reads twice (one of the two would go unread).
    DuplicateColumn,
    /// A CSV header names a column the file does not read, but whose name differs from one it
    /// reads only in case, in a space, hyphen or dot for an underscore, or in a trailing `s`
    /// (`Topic`, `decided at`, `vote`): its values would go unread, as column names are matched
    /// exactly.
    MisnamedColumn {
        /// The column the file reads.
        column: &'static str,
    },
    /// A facilitator rating outside 1.0 to 5.0.
    RatingOutOfRange,
    /// A participation marked attended but not invited.
    AttendedWithoutInvited,
    /// A number that is NaN or infinite.
    NonFinite,
    /// A count or amount below zero.
    Negative,
    /// A value out of the range the field allows (the message says which).
    OutOfRange {
        /// The allowed range, in words.
        allowed: String,
    },
    /// A value that cannot be parsed as the field's type.
    Unparsable {
        /// What the field expects, in words (for example "a date YYYY-MM-DD or RFC 3339").
        expected: String,
    },
    /// A required field is empty.
    Missing,
    /// A row with a different number of fields than the header.
    WrongFieldCount {
        /// Fields in the header.
        expected: usize,
    },
    /// A questionnaire answer names an item that no construct of the questionnaire has.
    UnknownItem,
    /// A second answer by the same customer to the same questionnaire item.
    DuplicateAnswer {
        /// Where the first answer came from.
        first: Location,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnknownCustomer => f.write_str("no customer has this id"),
            Problem::UnknownSession => f.write_str("no co-design session has this id"),
            Problem::DuplicateId { first } => write!(f, "duplicate id, first used at {first}"),
            Problem::DuplicateColumn => {
                f.write_str("the header names this column twice; one of the two would go unread")
            }
            Problem::MisnamedColumn { column } => write!(
                f,
                "not a column of this file, but close to `{column}`, which is: column names \
                 are matched exactly, so its values would go unread (rename it)"
            ),
            Problem::RatingOutOfRange => f.write_str("a facilitator rating must be 1.0 to 5.0"),
            Problem::AttendedWithoutInvited => f.write_str(
                "attended is true but invited is false: attending requires an invitation",
            ),
            Problem::NonFinite => f.write_str("not a finite number"),
            Problem::Negative => f.write_str("must not be negative"),
            Problem::OutOfRange { allowed } => write!(f, "out of range: {allowed}"),
            Problem::Unparsable { expected } => write!(f, "expected {expected}"),
            Problem::Missing => f.write_str("required value is empty"),
            Problem::WrongFieldCount { expected } => {
                write!(
                    f,
                    "the row has a different number of fields than the header ({expected})"
                )
            }
            Problem::UnknownItem => f.write_str("no construct of the questionnaire has this item"),
            Problem::DuplicateAnswer { first } => {
                write!(f, "this customer already answered this item at {first}")
            }
        }
    }
}

/// The error type of every fallible operation in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record is invalid or refers to something that does not exist.
    #[error("{location}: field `{field}` = {value:?}: {problem}")]
    Record {
        /// Where the record came from.
        location: Location,
        /// The field at fault.
        field: &'static str,
        /// The offending value as text.
        value: String,
        /// What is wrong.
        problem: Problem,
    },
    /// A required file of a CSV folder is missing.
    #[error("{}: required file is missing", path.display())]
    MissingFile {
        /// The missing file.
        path: PathBuf,
    },
    /// A required column is missing from a CSV file's header.
    #[error("{}: the header has no `{column}` column", path.display())]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column that is required.
        column: &'static str,
    },
    /// Reading or writing a file failed. The message names the file; why is the `source`
    /// (so that a report of the error's chain tells it once).
    #[error("{}: could not be read or written", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A CSV file could not be read (bad UTF-8, bad quoting).
    #[error("{location}: {message}")]
    Csv {
        /// Where reading failed.
        location: Location,
        /// What the CSV reader reported.
        message: String,
    },
    /// An operation that needs customers was given none.
    #[error("the population is empty: {what} needs at least one customer")]
    EmptyPopulation {
        /// The operation that was attempted.
        what: &'static str,
    },
    /// A population with customers but not one event (interaction, idea, session, dated answer)
    /// to score them by: empty for scoring, so its kind is [`ErrorKind::EmptyPopulation`].
    #[error(
        "{what} needs at least one event (an interaction, idea, session or dated answer), and \
         the population has customers but no event"
    )]
    NoEvents {
        /// The operation that was attempted.
        what: &'static str,
    },
    /// An as-of time earlier than every event: nothing was known yet.
    #[error("as-of time {as_of} is before all data (the earliest event is at {earliest})")]
    AsOfBeforeData {
        /// The requested as-of time.
        as_of: jiff::Timestamp,
        /// The earliest event in the population.
        earliest: jiff::Timestamp,
    },
    /// Dates that must increase (the dates of a score history) repeat or go back. They are
    /// refused rather than sorted: the history's columns follow the dates as given, and dates out
    /// of order are more often a mistake than a wish.
    #[error(
        "date #{index} ({date}) {} date #{} ({previous}): the dates must increase",
        if date == previous { "repeats" } else { "comes before" },
        index - 1
    )]
    UnorderedDates {
        /// The 0-based position of the date at fault (at least 1).
        index: usize,
        /// The date at fault.
        date: jiff::Timestamp,
        /// The date before it, which it does not follow.
        previous: jiff::Timestamp,
    },
    /// A configuration value (a weight, a half-life, a threshold) is not valid.
    #[error("invalid {parameter} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter, for example `"half_life_days"`.
        parameter: String,
        /// The offending value as text.
        value: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A computation was given no data at all.
    #[error("{what} needs at least one value, and the input is empty")]
    EmptyInput {
        /// The computation, for example `"AUC"`.
        what: &'static str,
    },
    /// Inputs that must line up (one value per customer, one label per score) have different
    /// lengths.
    #[error("{what}: expected {expected} values, found {found}")]
    LengthMismatch {
        /// Which input is the wrong length, for example `"labels for the scores"`.
        what: &'static str,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// A number handed to a computation (a score, a feature value) is NaN or infinite. Its kind
    /// is [`ErrorKind::NonFinite`], as for a record's non-finite field.
    #[error("{what}: value #{index} is {value}, not a finite number")]
    NonFiniteInput {
        /// The input, for example `"scores"`.
        what: &'static str,
        /// The 0-based position of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A computation needs at least one positive outcome and every label is negative.
    #[error("{what} needs at least one positive outcome, and every label is negative")]
    NoPositives {
        /// The computation, for example `"average precision"`.
        what: &'static str,
    },
    /// A computation needs at least one negative outcome and every label is positive.
    #[error("{what} needs at least one negative outcome, and every label is positive")]
    NoNegatives {
        /// The computation, for example `"AUC"`.
        what: &'static str,
    },
    /// A quantity is mathematically undefined for this data (a variance of zero, too few
    /// observations).
    #[error("{what} is undefined: {reason}")]
    Undefined {
        /// The quantity, for example `"Cronbach's alpha"`.
        what: &'static str,
        /// Why, in words.
        reason: String,
    },
    /// An iterative fit stopped before meeting its convergence criterion.
    #[error("{what} did not converge within {iterations} iterations{}", gradient_note(*gradient_norm))]
    NotConverged {
        /// The fit, for example `"BG/NBD"` or `"logistic regression"`.
        what: &'static str,
        /// Iterations done before stopping.
        iterations: usize,
        /// The largest absolute gradient component when it stopped, where the fit measures it.
        gradient_norm: Option<f64>,
    },
    /// The outcomes are (quasi-)perfectly separated by the features, so the unpenalized
    /// maximum-likelihood coefficients are infinite (and too weak a penalty cannot hold them).
    #[error(
        "{what}: the outcomes are perfectly separated by the features (fitted probabilities \
         reach 0 or 1), so the coefficients diverge; use a larger regularization strength \
         (lambda; 1 by default)"
    )]
    Separable {
        /// The fit, for example `"logistic regression"`.
        what: &'static str,
    },
    /// A matrix that must be inverted is singular (collinear or constant features).
    #[error("{what}: the matrix is singular or nearly so (collinear or constant features?)")]
    SingularMatrix {
        /// The matrix, for example `"logistic regression Hessian"`.
        what: &'static str,
    },
    /// The data cannot identify a model's parameters: the likelihood has no interior maximum
    /// (for example nobody repeats, so a purchase rate and a dropout rate cannot be told apart).
    #[error("the data cannot identify the {model} model: {reason}")]
    ModelNotIdentified {
        /// The model being fitted, for example `"BG/NBD"`.
        model: &'static str,
        /// What in the data leaves the model unidentified.
        reason: String,
    },
    /// A cohort request whose hard constraints cannot all be met: too few eligible people, or
    /// settings that contradict each other or the must-include list. The planner never returns
    /// a smaller cohort instead.
    ///
    /// The shortfall is `needed - available`. Both count people, and the detail says which:
    /// members for the size and the segment cap, prospects for the prospect minimum, customers
    /// (non-prospects) for the prospect maximum; when must-include customers break a constraint,
    /// the must-include list against those on it who meet the constraint (or the must-include
    /// members of one segment against the cap, or its prospects against the maximum).
    #[error(
        "the cohort cannot meet `{constraint}`: it needs {needed}, at most {available} possible: \
         {detail}"
    )]
    Infeasible {
        /// The constraint that failed.
        constraint: crate::cohort::Constraint,
        /// How many the constraint needs.
        needed: usize,
        /// How many are available under it.
        available: usize,
        /// What is short, in words (who, which segment, how many were screened out and why).
        detail: String,
    },
}

/// The cause of an [`Error`], without its details: what callers match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Problem::UnknownCustomer`].
    UnknownCustomer,
    /// See [`Problem::UnknownSession`].
    UnknownSession,
    /// See [`Problem::DuplicateId`].
    DuplicateId,
    /// See [`Problem::DuplicateColumn`].
    DuplicateColumn,
    /// See [`Problem::MisnamedColumn`].
    MisnamedColumn,
    /// See [`Problem::RatingOutOfRange`].
    RatingOutOfRange,
    /// See [`Problem::AttendedWithoutInvited`].
    AttendedWithoutInvited,
    /// See [`Problem::NonFinite`].
    NonFinite,
    /// See [`Problem::Negative`].
    Negative,
    /// See [`Problem::OutOfRange`].
    OutOfRange,
    /// See [`Problem::Unparsable`].
    Unparsable,
    /// See [`Problem::Missing`].
    Missing,
    /// See [`Problem::WrongFieldCount`].
    WrongFieldCount,
    /// See [`Error::MissingFile`].
    MissingFile,
    /// See [`Error::MissingColumn`].
    MissingColumn,
    /// See [`Error::Io`].
    Io,
    /// See [`Error::Csv`].
    Csv,
    /// See [`Error::EmptyPopulation`] and [`Error::NoEvents`].
    EmptyPopulation,
    /// See [`Error::AsOfBeforeData`].
    AsOfBeforeData,
    /// See [`Error::UnorderedDates`].
    UnorderedDates,
    /// See [`Error::InvalidParameter`].
    InvalidParameter,
    /// See [`Problem::UnknownItem`].
    UnknownItem,
    /// See [`Problem::DuplicateAnswer`].
    DuplicateAnswer,
    /// See [`Error::EmptyInput`].
    EmptyInput,
    /// See [`Error::LengthMismatch`].
    LengthMismatch,
    /// See [`Error::NoPositives`].
    NoPositives,
    /// See [`Error::NoNegatives`].
    NoNegatives,
    /// See [`Error::Undefined`].
    Undefined,
    /// See [`Error::NotConverged`].
    NotConverged,
    /// See [`Error::Separable`].
    Separable,
    /// See [`Error::SingularMatrix`].
    SingularMatrix,
    /// See [`Error::ModelNotIdentified`].
    ModelNotIdentified,
    /// See [`Error::Infeasible`].
    Infeasible,
}

impl Error {
    /// The cause of this error, for matching.
    ///
    /// ```
    /// use lead_customers::{Error, ErrorKind};
    /// let err = Error::EmptyPopulation { what: "scoring" };
    /// assert_eq!(err.kind(), ErrorKind::EmptyPopulation);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Record { problem, .. } => match problem {
                Problem::UnknownCustomer => ErrorKind::UnknownCustomer,
                Problem::UnknownSession => ErrorKind::UnknownSession,
                Problem::DuplicateId { .. } => ErrorKind::DuplicateId,
                Problem::DuplicateColumn => ErrorKind::DuplicateColumn,
                Problem::MisnamedColumn { .. } => ErrorKind::MisnamedColumn,
                Problem::RatingOutOfRange => ErrorKind::RatingOutOfRange,
                Problem::AttendedWithoutInvited => ErrorKind::AttendedWithoutInvited,
                Problem::NonFinite => ErrorKind::NonFinite,
                Problem::Negative => ErrorKind::Negative,
                Problem::OutOfRange { .. } => ErrorKind::OutOfRange,
                Problem::Unparsable { .. } => ErrorKind::Unparsable,
                Problem::Missing => ErrorKind::Missing,
                Problem::WrongFieldCount { .. } => ErrorKind::WrongFieldCount,
                Problem::UnknownItem => ErrorKind::UnknownItem,
                Problem::DuplicateAnswer { .. } => ErrorKind::DuplicateAnswer,
            },
            Error::MissingFile { .. } => ErrorKind::MissingFile,
            Error::MissingColumn { .. } => ErrorKind::MissingColumn,
            Error::Io { .. } => ErrorKind::Io,
            Error::Csv { .. } => ErrorKind::Csv,
            Error::EmptyPopulation { .. } => ErrorKind::EmptyPopulation,
            Error::NoEvents { .. } => ErrorKind::EmptyPopulation,
            Error::AsOfBeforeData { .. } => ErrorKind::AsOfBeforeData,
            Error::UnorderedDates { .. } => ErrorKind::UnorderedDates,
            Error::InvalidParameter { .. } => ErrorKind::InvalidParameter,
            Error::EmptyInput { .. } => ErrorKind::EmptyInput,
            Error::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            // A non-finite number is the same cause whether it came from a record or a slice.
            Error::NonFiniteInput { .. } => ErrorKind::NonFinite,
            Error::NoPositives { .. } => ErrorKind::NoPositives,
            Error::NoNegatives { .. } => ErrorKind::NoNegatives,
            Error::Undefined { .. } => ErrorKind::Undefined,
            Error::NotConverged { .. } => ErrorKind::NotConverged,
            Error::Separable { .. } => ErrorKind::Separable,
            Error::SingularMatrix { .. } => ErrorKind::SingularMatrix,
            Error::ModelNotIdentified { .. } => ErrorKind::ModelNotIdentified,
            Error::Infeasible { .. } => ErrorKind::Infeasible,
        }
    }

    /// The location of the record at fault, for errors about a record.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Record { location, .. } | Error::Csv { location, .. } => Some(location),
            _ => None,
        }
    }

    /// An [`Error::InvalidParameter`] for a configuration value.
    pub(crate) fn parameter(
        parameter: impl Into<String>,
        value: impl Shown,
        reason: impl Into<String>,
    ) -> Error {
        Error::InvalidParameter {
            parameter: parameter.into(),
            value: value.shown(),
            reason: reason.into(),
        }
    }
}

/// A value as an error message writes it.
///
/// Why not `Display`: it writes a number far from 1 out in full (`1e-320` as 322 characters,
/// `1e300` as 301), and such numbers are what bad input often holds. Numbers whose `Display`
/// text is longer than [`SHORT`] characters are written in scientific notation instead
/// (`1e-320`, `1.5e300`); everything else as `Display` writes it.
pub(crate) trait Shown {
    /// The text of the value in an error message.
    fn shown(&self) -> String;
}

/// The longest `Display` text of a number kept as it is in an error message.
const SHORT: usize = 24;

impl Shown for f64 {
    fn shown(&self) -> String {
        let text = self.to_string();
        if text.len() > SHORT {
            format!("{self:e}")
        } else {
            text
        }
    }
}

impl Shown for f32 {
    fn shown(&self) -> String {
        f64::from(*self).shown()
    }
}

impl<T: Shown + ?Sized> Shown for &T {
    fn shown(&self) -> String {
        (**self).shown()
    }
}

/// Values whose `Display` text is short, or is the text itself.
macro_rules! shown_as_displayed {
    ($($t:ty),+) => {
        $(impl Shown for $t {
            fn shown(&self) -> String {
                self.to_string()
            }
        })+
    };
}

shown_as_displayed!(
    u8,
    u16,
    u32,
    u64,
    usize,
    i32,
    i64,
    str,
    String,
    jiff::Timestamp,
    jiff::civil::Date,
    bool,
    std::borrow::Cow<'_, str>,
    crate::CustomerId,
    crate::Signal
);

/// The gradient part of a [`Error::NotConverged`] message.
fn gradient_note(gradient_norm: Option<f64>) -> String {
    gradient_norm
        .map(|g| format!(" (gradient norm {g:.3e})"))
        .unwrap_or_default()
}

/// Checks that a configuration number is finite and positive.
pub(crate) fn check_positive(parameter: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::parameter(
            parameter,
            value,
            "must be a finite number above zero",
        ))
    }
}

/// Checks that a configuration number is finite and not negative.
pub(crate) fn check_non_negative(parameter: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::parameter(
            parameter,
            value,
            "must be a finite number, zero or above",
        ))
    }
}

/// Checks that a setting is at most its bound `max`. The bounds keep a configuration within
/// what the library can compute (a count that fits in memory, a number within the range of the
/// functions it goes through); `reason`, written out only when the check fails, says which.
pub(crate) fn check_at_most<T: PartialOrd + Shown>(
    parameter: &str,
    value: T,
    max: T,
    reason: impl FnOnce() -> String,
) -> Result<T> {
    if value > max {
        Err(Error::parameter(parameter, value, reason()))
    } else {
        Ok(value)
    }
}

/// Checks that a configuration number is a finite fraction in [0, 1].
pub(crate) fn check_fraction(parameter: &str, value: f64) -> Result<f64> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::parameter(
            parameter,
            value,
            "must be a number from 0 to 1",
        ))
    }
}

/// Checks that every value is finite, naming the first that is not.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFiniteInput {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_far_from_one_are_shown_in_scientific_notation() {
        assert_eq!(0.5.shown(), "0.5");
        assert_eq!(4.0.shown(), "4");
        assert_eq!((-2.25f64).shown(), "-2.25");
        assert_eq!(1e20.shown(), "100000000000000000000");
        // Longer than 24 characters when written out.
        assert_eq!(1e-320.shown(), "1e-320");
        assert_eq!(1.5e300.shown(), "1.5e300");
        assert_eq!(f64::MAX.shown(), "1.7976931348623157e308");
        assert_eq!((-1e25f64).shown(), "-1e25");
        assert_eq!(1e-30f32.shown(), format!("{:e}", f64::from(1e-30f32)));
        assert_eq!(f64::NAN.shown(), "NaN");
        assert_eq!(f64::NEG_INFINITY.shown(), "-inf");
        // Text and whole numbers as they are, however long.
        let long = "1".repeat(40);
        assert_eq!(long.as_str().shown(), long);
        assert_eq!(u64::MAX.shown(), "18446744073709551615");
    }

    #[test]
    fn an_extreme_number_keeps_an_error_message_short() {
        let err = Error::parameter("half_life_days", 1e300, "must be at most 1e6");
        let message = err.to_string();
        assert!(message.contains("1e300"), "{message}");
        assert!(message.len() < 80, "{message}");
    }
}
