//! Lead-userness questionnaires: constructs, Likert items, reverse keying.
//!
//! Research on lead users measures "lead-userness" with Likert items grouped into *constructs*,
//! one per dimension (von Hippel 1986; Franke, von Hippel & Schreier 2006 measure being *ahead of
//! trend* and *high expected benefit* separately, because they predict different things). A
//! [`Construct`] names its items; some are *reverse-keyed* (worded so that agreeing means *less*
//! of the trait, "I am satisfied with the products available today" for dissatisfaction) and are
//! recoded `scale + 1 − value` before anything else, so that high always means more of the trait.
//!
//! [`QuestionnaireParams`] (serde, with defaults) is checked once into a [`Questionnaire`]; the
//! questionnaire then validates answers into [`Answers`](super::Answers).
//!
//! ```
//! use lead_customers::evidence::{Construct, QuestionnaireParams};
//! let questionnaire = QuestionnaireParams::default()
//!     .with_construct(Construct::dissatisfaction().reverse(["dis3"]))
//!     .check()?;
//! assert_eq!(questionnaire.scale(), 5);
//! assert_eq!(questionnaire.constructs().len(), 3);
//! assert_eq!(questionnaire.min_answered(0), 2); // 4 items: at least half
//! # Ok::<(), lead_customers::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::answers::Answers;
use super::responses::Response;
#[cfg(doc)]
use crate::error::Problem;
use crate::error::{Error, Location, Result, Table, check_fraction};

/// One construct of a questionnaire: a named trait measured by several Likert items.
///
/// A plain description, checked when its [`QuestionnaireParams`] are: a name (not empty, not
/// `customer_id`, which is the id column of score tables), at least one item, item names unique
/// across the whole questionnaire, and reverse-keyed items among the construct's items.
///
/// ```
/// use lead_customers::evidence::Construct;
/// let c: Construct = "ahead_of_trend=at1,at2,at3,at4".parse()?;
/// assert_eq!(c, Construct::ahead_of_trend());
/// let c = c.reverse(["at4"]);
/// assert_eq!(c.reverse_keyed, ["at4"]);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Construct {
    /// The construct's name, for example `ahead_of_trend`.
    pub name: String,
    /// Its items, in questionnaire order.
    pub items: Vec<String>,
    /// The items worded against the trait, recoded `scale + 1 − value`. Default none.
    #[serde(default)]
    pub reverse_keyed: Vec<String>,
}

impl Construct {
    /// A construct of the given items, none reverse-keyed.
    pub fn new<I: Into<String>>(
        name: impl Into<String>,
        items: impl IntoIterator<Item = I>,
    ) -> Self {
        Construct {
            name: name.into(),
            items: items.into_iter().map(Into::into).collect(),
            reverse_keyed: Vec::new(),
        }
    }

    /// Marks `items` as reverse-keyed (in addition to any already marked).
    pub fn reverse<I: Into<String>>(mut self, items: impl IntoIterator<Item = I>) -> Self {
        self.reverse_keyed.extend(items.into_iter().map(Into::into));
        self
    }

    /// Ahead of trend (`at1`..`at4`): the respondent meets needs months or years before the bulk
    /// of the market. The lead-user dimension that predicts whether an innovation will be
    /// *commercially attractive*.
    pub fn ahead_of_trend() -> Self {
        Construct::new("ahead_of_trend", ["at1", "at2", "at3", "at4"])
    }

    /// High expected benefit (`heb1`..`heb3`): the respondent expects to gain much from a
    /// solution. The lead-user dimension that predicts *whether* a user innovates at all.
    pub fn expected_benefit() -> Self {
        Construct::new("expected_benefit", ["heb1", "heb2", "heb3"])
    }

    /// Dissatisfaction with current solutions (`dis1`..`dis3`), an optional construct: unmet
    /// need, the reason a lead user builds their own solution.
    pub fn dissatisfaction() -> Self {
        Construct::new("dissatisfaction", ["dis1", "dis2", "dis3"])
    }

    /// Product knowledge (`pk1`..`pk3`), an optional construct: the expertise that lets a user
    /// turn a need into a solution.
    pub fn product_knowledge() -> Self {
        Construct::new("product_knowledge", ["pk1", "pk2", "pk3"])
    }
}

/// Parses `name=item1,item2,...`, the form the `questionnaire` example takes on its command line.
/// Only the shape is checked here; the rest when the questionnaire is.
impl FromStr for Construct {
    type Err = Error;

    fn from_str(spec: &str) -> Result<Self> {
        let bad = |reason: &str| Error::parameter("construct", spec, reason);
        let (name, items) = spec
            .split_once('=')
            .ok_or_else(|| bad("expected NAME=ITEM,ITEM,..."))?;
        let items: Vec<&str> = items.split(',').map(str::trim).collect();
        if items.iter().any(|i| i.is_empty()) {
            return Err(bad("an item name is empty"));
        }
        Ok(Construct::new(name.trim(), items))
    }
}

/// The settings of a questionnaire, checked into a [`Questionnaire`] by [`check`](Self::check).
///
/// Defaults: a 5-point scale, a score for a construct when at least half its items (rounded up)
/// are answered, and the two lead-user constructs [`Construct::ahead_of_trend`] and
/// [`Construct::expected_benefit`], none reverse-keyed (which items are reverse-keyed depends on
/// the wording, which is the user's).
///
/// ```
/// use lead_customers::evidence::QuestionnaireParams;
/// let params: QuestionnaireParams = serde_json::from_str(r#"{"scale": 7}"#).unwrap();
/// assert_eq!(params.min_answered_share, 0.5);
/// assert_eq!(params.constructs.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuestionnaireParams {
    /// Points of the Likert scale: answers are whole numbers from 1 to `scale`. Default 5; 7 is
    /// the other common choice; 2 to 11 are accepted.
    pub scale: u8,
    /// The share of a construct's items a respondent must answer to get a score for it: at least
    /// `max(1, ⌈share · items⌉)`. Default 0.5 (half, rounded up); 1 requires every item, 0 any
    /// one. A mean over fewer items would rest on too little to compare with full answers.
    pub min_answered_share: f64,
    /// The constructs. Default: ahead of trend and expected benefit.
    pub constructs: Vec<Construct>,
}

impl Default for QuestionnaireParams {
    fn default() -> Self {
        QuestionnaireParams {
            scale: 5,
            min_answered_share: 0.5,
            constructs: vec![Construct::ahead_of_trend(), Construct::expected_benefit()],
        }
    }
}

/// Item names are unique across a questionnaire, so that an answer belongs to one construct.
const ID_COLUMN: &str = "customer_id";

impl QuestionnaireParams {
    /// These settings with no constructs yet, to add them with [`with_construct`](Self::with_construct).
    ///
    /// ```
    /// use lead_customers::evidence::{Construct, QuestionnaireParams};
    /// let q = QuestionnaireParams::empty().with_construct(Construct::new("x", ["x1", "x2"])).check()?;
    /// assert_eq!(q.constructs()[0].name, "x");
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn empty() -> Self {
        QuestionnaireParams {
            constructs: Vec::new(),
            ..QuestionnaireParams::default()
        }
    }

    /// Adds a construct.
    #[must_use = "it returns the value with the change, which is lost if unused"]
    pub fn with_construct(mut self, construct: Construct) -> Self {
        self.constructs.push(construct);
        self
    }

    /// Marks `item` as reverse-keyed in whichever construct has it.
    ///
    /// Errors: [`Error::InvalidParameter`] when no construct has the item.
    ///
    /// ```
    /// use lead_customers::evidence::QuestionnaireParams;
    /// let params = QuestionnaireParams::default().with_reverse_keyed("heb2")?;
    /// assert_eq!(params.constructs[1].reverse_keyed, ["heb2"]);
    /// assert!(QuestionnaireParams::default().with_reverse_keyed("zz9").is_err());
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn with_reverse_keyed(mut self, item: &str) -> Result<Self> {
        let construct = self
            .constructs
            .iter_mut()
            .find(|c| c.items.iter().any(|i| i == item))
            .ok_or_else(|| {
                Error::parameter("reverse-keyed item", item, "no construct has this item")
            })?;
        construct.reverse_keyed.push(item.to_owned());
        Ok(self)
    }

    /// Checks the settings and builds the questionnaire.
    ///
    /// Errors ([`Error::InvalidParameter`]): a scale outside 2 to 11; a share outside 0 to 1; no
    /// constructs; an empty or repeated construct name, one named `customer_id` or with
    /// whitespace at either end; a construct without items; an item name that is empty or has
    /// whitespace at either end; an item in two
    /// places; a reverse-keyed item that is not one of its construct's items.
    pub fn check(&self) -> Result<Questionnaire> {
        if !(2..=11).contains(&self.scale) {
            return Err(Error::parameter(
                "scale",
                self.scale,
                "must be 2 to 11 points (usually 5 or 7)",
            ));
        }
        check_fraction("min_answered_share", self.min_answered_share)?;
        if self.constructs.is_empty() {
            return Err(Error::parameter(
                "constructs",
                "[]",
                "a questionnaire needs at least one construct",
            ));
        }
        let mut names = HashSet::new();
        let mut items = HashSet::new();
        for c in &self.constructs {
            if c.name.is_empty() || c.name == ID_COLUMN {
                return Err(Error::parameter(
                    "construct name",
                    &c.name,
                    "must not be empty nor `customer_id` (the id column of score tables)",
                ));
            }
            if c.name.trim_ascii() != c.name {
                // It names a column of score tables, where `" a "` next to `"a"` is a mistake.
                return Err(Error::parameter(
                    "construct name",
                    &c.name,
                    "has whitespace at either end",
                ));
            }
            if !names.insert(c.name.as_str()) {
                return Err(Error::parameter("construct name", &c.name, "used twice"));
            }
            if c.items.is_empty() {
                return Err(Error::parameter("construct", &c.name, "has no items"));
            }
            for item in &c.items {
                if item.is_empty() {
                    return Err(Error::parameter(
                        "item",
                        &c.name,
                        "an item name of this construct is empty",
                    ));
                }
                if item.trim_ascii() != item {
                    // No answer could name it: answers' item names are refused (through the API)
                    // or trimmed (in a CSV file) when they have whitespace around them.
                    return Err(Error::parameter(
                        "item",
                        item,
                        "has whitespace at either end",
                    ));
                }
                if !items.insert(item.as_str()) {
                    return Err(Error::parameter(
                        "item",
                        item,
                        "appears twice in the questionnaire: an item belongs to one construct",
                    ));
                }
            }
            if let Some(stray) = c.reverse_keyed.iter().find(|r| !c.items.contains(r)) {
                return Err(Error::parameter(
                    "reverse-keyed item",
                    stray,
                    format!("is not an item of construct `{}`", c.name),
                ));
            }
        }
        Ok(Questionnaire::from_checked(self.clone()))
    }
}

/// A checked questionnaire: its constructs and items, laid out for validating answers.
///
/// Items are numbered across the whole questionnaire, construct after construct, in the order
/// the constructs list them; [`Answers`](super::Answers) keeps one column per item in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    params: QuestionnaireParams,
    /// Item number by name.
    item_numbers: HashMap<String, usize>,
    /// Per item: is it reverse-keyed.
    reversed: Vec<bool>,
    /// Per construct: its items' numbers.
    spans: Vec<Range<usize>>,
    /// Per construct: the answered items needed for a score.
    min_answered: Vec<usize>,
}

impl Default for Questionnaire {
    /// The lead-user questionnaire of [`QuestionnaireParams::default`].
    fn default() -> Self {
        Questionnaire::from_checked(QuestionnaireParams::default())
    }
}

impl Questionnaire {
    /// Lays out settings that [`QuestionnaireParams::check`] accepted (or the defaults).
    fn from_checked(params: QuestionnaireParams) -> Self {
        let mut item_numbers = HashMap::new();
        let mut reversed = Vec::new();
        let mut spans = Vec::new();
        let mut min_answered = Vec::new();
        for c in &params.constructs {
            let start = reversed.len();
            for item in &c.items {
                item_numbers.insert(item.clone(), reversed.len());
                reversed.push(c.reverse_keyed.contains(item));
            }
            spans.push(start..reversed.len());
            min_answered.push(min_answered_count(params.min_answered_share, c.items.len()));
        }
        Questionnaire {
            params,
            item_numbers,
            reversed,
            spans,
            min_answered,
        }
    }

    /// The settings this questionnaire was built from.
    pub fn params(&self) -> &QuestionnaireParams {
        &self.params
    }

    /// Points of the Likert scale.
    pub fn scale(&self) -> u8 {
        self.params.scale
    }

    /// The constructs, in order.
    pub fn constructs(&self) -> &[Construct] {
        &self.params.constructs
    }

    /// The position of the construct named `name`.
    ///
    /// ```
    /// let q = lead_customers::evidence::Questionnaire::default();
    /// assert_eq!(q.construct_index("expected_benefit"), Some(1));
    /// assert_eq!(q.construct_index("nope"), None);
    /// ```
    pub fn construct_index(&self, name: &str) -> Option<usize> {
        self.params.constructs.iter().position(|c| c.name == name)
    }

    /// The number of answered items construct `construct` (a position) needs for a score:
    /// `max(1, ⌈min_answered_share · items⌉)` (0 for a position past the last construct).
    pub fn min_answered(&self, construct: usize) -> usize {
        self.min_answered.get(construct).copied().unwrap_or(0)
    }

    /// Validates answers given as records: every item known, every value a whole number from 1
    /// to the scale, one answer per customer and item. Reverse-keyed items are recoded here.
    ///
    /// Errors: [`Error::Record`] at [`Location::Record`] (table [`Table::Responses`], the
    /// response's position) with [`Problem::UnknownItem`], [`Problem::OutOfRange`],
    /// [`Problem::NonFinite`], [`Problem::Missing`] (empty customer id),
    /// [`Problem::Unparsable`] (a customer id with whitespace at either end) or
    /// [`Problem::DuplicateAnswer`] (naming the first answer).
    ///
    /// ```
    /// use lead_customers::{ErrorKind, evidence::{Questionnaire, Response}};
    /// let q = Questionnaire::default();
    /// let err = q.answers(&[Response::new("C1", "at1", 6.0)]).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::OutOfRange);
    /// assert_eq!(err.to_string(), "response #0: field `value` = \"6\": out of range: a whole number from 1 to 5");
    /// ```
    pub fn answers(&self, responses: &[Response]) -> Result<Answers> {
        Answers::collect(self, responses, |index| Location::Record {
            table: Table::Responses,
            index,
        })
    }

    /// Reads and validates a `responses.csv` file (see [`read_responses`](super::read_responses)
    /// for the format): the checks of [`answers`](Self::answers), with errors that name the
    /// file and line.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("lead-customers-doc-read-answers-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("responses.csv");
    /// std::fs::write(&path, "customer_id,item,value\nC1,at1,4\nC1,at1,5\n").unwrap();
    /// let err = lead_customers::evidence::Questionnaire::default().read_answers(&path).unwrap_err();
    /// # std::fs::remove_dir_all(&dir).ok();
    /// assert!(err.to_string().ends_with("responses.csv:2"), "{err}"); // the first answer's line
    /// ```
    #[cfg(feature = "csv")]
    pub fn read_answers(&self, path: impl AsRef<std::path::Path>) -> Result<Answers> {
        let path = path.as_ref();
        let rows = crate::csv_folder::response_rows(path)?;
        Answers::collect(self, rows.iter().map(|(_, r)| r), |i| Location::Csv {
            file: path.to_owned(),
            line: rows
                .get(i)
                .map_or(0, |(offset, _)| crate::csv_folder::line_at(path, *offset)),
        })
    }

    /// The number of items across all constructs.
    pub(crate) fn item_count(&self) -> usize {
        self.reversed.len()
    }

    /// The number of an item, by name.
    pub(crate) fn item_number(&self, item: &str) -> Option<usize> {
        self.item_numbers.get(item).copied()
    }

    /// The item numbers of construct `construct`.
    pub(crate) fn span(&self, construct: usize) -> Range<usize> {
        self.spans.get(construct).cloned().unwrap_or(0..0)
    }

    /// An answer as analysed: the raw Likert value, recoded `scale + 1 − value` for a
    /// reverse-keyed item. `None` when the value is not a whole number from 1 to the scale.
    pub(crate) fn recode(&self, item: usize, value: f64) -> Option<f64> {
        let scale = f64::from(self.params.scale);
        if value.fract() != 0.0 || !(1.0..=scale).contains(&value) {
            return None;
        }
        Some(if self.reversed[item] {
            scale + 1.0 - value
        } else {
            value
        })
    }
}

/// `max(1, ⌈share · items⌉)`, with a little slack so that a share such as 0.3 of 10 items (which is
/// 3.0000000000000004 in floating point) asks for 3, not 4.
fn min_answered_count(share: f64, items: usize) -> usize {
    let needed = (share * items as f64 - 1e-9).ceil().max(1.0) as usize;
    needed.min(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn the_default_questionnaire_has_the_two_lead_user_constructs() {
        let q = Questionnaire::default();
        let names: Vec<&str> = q.constructs().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ahead_of_trend", "expected_benefit"]);
        assert_eq!(q.item_count(), 7);
        assert_eq!(q.item_number("heb1"), Some(4));
        assert_eq!(q.span(1), 4..7);
        assert_eq!(q, QuestionnaireParams::default().check().unwrap());
    }

    #[test]
    fn the_minimum_is_half_the_items_rounded_up_and_at_least_one() {
        assert_eq!(min_answered_count(0.5, 4), 2);
        assert_eq!(min_answered_count(0.5, 3), 2);
        assert_eq!(min_answered_count(0.5, 1), 1);
        assert_eq!(min_answered_count(0.0, 5), 1);
        assert_eq!(min_answered_count(1.0, 5), 5);
        assert_eq!(min_answered_count(0.3, 10), 3);
    }

    #[test]
    fn reverse_keyed_items_are_recoded_and_out_of_scale_values_refused() {
        let q = QuestionnaireParams::default()
            .with_reverse_keyed("at4")
            .unwrap()
            .check()
            .unwrap();
        assert_eq!(q.recode(3, 1.0), Some(5.0));
        assert_eq!(q.recode(3, 4.0), Some(2.0));
        assert_eq!(q.recode(0, 4.0), Some(4.0));
        for bad in [0.0, 6.0, 2.5, -1.0, f64::NAN, f64::INFINITY] {
            assert_eq!(q.recode(0, bad), None, "{bad}");
        }
        let seven = QuestionnaireParams {
            scale: 7,
            ..QuestionnaireParams::default()
        }
        .with_reverse_keyed("at4")
        .unwrap()
        .check()
        .unwrap();
        assert_eq!(seven.recode(3, 7.0), Some(1.0));
        assert_eq!(seven.recode(0, 7.0), Some(7.0));
    }

    #[test]
    fn construct_specs_parse_from_the_command_line_form() {
        let c: Construct = "expected_benefit = heb1, heb2,heb3".parse().unwrap();
        assert_eq!(c, Construct::expected_benefit());
        for bad in ["no_items", "x=", "x=a,,b"] {
            let err = bad.parse::<Construct>().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{bad}");
        }
    }

    #[test]
    fn invalid_settings_are_refused_at_check() {
        let base = QuestionnaireParams::default;
        let cases = [
            QuestionnaireParams { scale: 1, ..base() },
            QuestionnaireParams {
                scale: 12,
                ..base()
            },
            QuestionnaireParams {
                min_answered_share: 1.5,
                ..base()
            },
            QuestionnaireParams {
                min_answered_share: f64::NAN,
                ..base()
            },
            QuestionnaireParams::empty(),
            base().with_construct(Construct::new("", ["x1"])),
            base().with_construct(Construct::new("customer_id", ["x1"])),
            base().with_construct(Construct::new(" x ", ["x1"])),
            base().with_construct(Construct::new("ahead_of_trend", ["x1"])),
            base().with_construct(Construct::new("x", Vec::<String>::new())),
            base().with_construct(Construct::new("x", ["x1", ""])),
            base().with_construct(Construct::new("x", ["x1", " x2"])),
            base().with_construct(Construct::new("x", ["x1", "at1"])),
            base().with_construct(Construct::new("x", ["x1", "x1"])),
            base().with_construct(Construct::new("x", ["x1"]).reverse(["at1"])),
        ];
        for params in cases {
            let err = params.check().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{params:?}");
        }
    }

    #[test]
    fn params_round_trip_through_json() {
        let params = QuestionnaireParams::default()
            .with_construct(Construct::product_knowledge())
            .with_reverse_keyed("pk2")
            .unwrap();
        let json = serde_json::to_string(&params).unwrap();
        let back: QuestionnaireParams = serde_json::from_str(&json).unwrap();
        assert_eq!(back, params);
    }
}
