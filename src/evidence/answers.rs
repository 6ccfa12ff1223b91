//! Validated questionnaire answers: construct scores per respondent, and reliability per
//! construct.
//!
//! # Missing answers
//!
//! A respondent who skipped items still gets a construct score when they answered enough of the
//! construct's items ([`Questionnaire::min_answered`]): the score is the **mean of the answered
//! items** (after reverse keying), on the Likert scale itself. With fewer answers the score is
//! `None`, never zero: a skipped questionnaire says nothing about lead-userness. A customer who
//! answered nothing is not a respondent at all.
//!
//! # Reliability on complete cases
//!
//! Cronbach's alpha needs every item's value for every respondent it uses, so it is computed on
//! the **complete cases** of the construct: the respondents who answered every one of its items
//! (listwise deletion, as `pingouin.cronbach_alpha(nan_policy='listwise')` does). Alpha-if-dropped
//! uses the same respondents, so that the figures compare. [`Reliability`] says how many
//! respondents that left.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};

use super::questionnaire::Questionnaire;
use super::reliability::cronbach_alpha;
use super::responses::Response;
use crate::error::{Error, Location, Problem, Result};
use crate::ids::CustomerId;
use crate::population::builder::check_id;

/// The answers to a questionnaire, validated: every answer names a known item, holds a whole
/// number on the scale, and is the only answer of its customer to its item. Values are stored
/// reverse-keyed already.
///
/// Built by [`Questionnaire::answers`] (from records) or [`Questionnaire::read_answers`] (from
/// `responses.csv`).
///
/// ```
/// use lead_customers::evidence::{Questionnaire, Response};
/// let q = Questionnaire::default();
/// let answers = q.answers(&[
///     Response::new("C1", "at1", 4.0),
///     Response::new("C1", "at2", 5.0),
///     Response::new("C2", "heb1", 2.0),
/// ])?;
/// assert_eq!(answers.respondents().len(), 2);
/// // C1 answered 2 of 4 ahead-of-trend items (enough); C2 none.
/// assert_eq!(answers.scores("ahead_of_trend")?, [Some(4.5), None]);
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Answers {
    questionnaire: Questionnaire,
    /// Respondents in the order of their first answer.
    respondents: Vec<CustomerId>,
    /// One column per item (the questionnaire's numbering), one recoded value per respondent.
    values: Vec<Vec<Option<f64>>>,
}

impl Answers {
    /// Validates `responses` against `questionnaire`; `locate(i)` says where response `i` came
    /// from, for error messages.
    pub(crate) fn collect<'a>(
        questionnaire: &Questionnaire,
        responses: impl IntoIterator<Item = &'a Response>,
        locate: impl Fn(usize) -> Location,
    ) -> Result<Self> {
        let mut respondent_of: HashMap<&CustomerId, usize> = HashMap::new();
        let mut respondents = Vec::new();
        // Per item and respondent: the recoded value and the response it came from.
        let mut cells: Vec<Vec<Option<(f64, usize)>>> =
            vec![Vec::new(); questionnaire.item_count()];
        for (index, response) in responses.into_iter().enumerate() {
            let bad = |field: &'static str, value: String, problem: Problem| Error::Record {
                location: locate(index),
                field,
                value,
                problem,
            };
            // The rule for a population's ids: `" C1"` next to `"C1"` would be two respondents.
            check_id(response.customer.as_str(), "customer_id", || locate(index))?;
            let item = questionnaire
                .item_number(&response.item)
                .ok_or_else(|| bad("item", response.item.clone(), Problem::UnknownItem))?;
            let value = questionnaire.recode(item, response.value).ok_or_else(|| {
                let problem = if response.value.is_finite() {
                    Problem::OutOfRange {
                        allowed: format!("a whole number from 1 to {}", questionnaire.scale()),
                    }
                } else {
                    Problem::NonFinite
                };
                bad("value", response.value.to_string(), problem)
            })?;
            let respondent = match respondent_of.entry(&response.customer) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => {
                    respondents.push(response.customer.clone());
                    cells.iter_mut().for_each(|column| column.push(None));
                    *e.insert(respondents.len() - 1)
                }
            };
            let cell = &mut cells[item][respondent];
            if let Some((_, first)) = cell {
                return Err(bad(
                    "customer_id,item",
                    format!("{},{}", response.customer, response.item),
                    Problem::DuplicateAnswer {
                        first: locate(*first),
                    },
                ));
            }
            *cell = Some((value, index));
        }
        let values = cells
            .into_iter()
            .map(|column| column.into_iter().map(|c| c.map(|(v, _)| v)).collect())
            .collect();
        Ok(Answers {
            questionnaire: questionnaire.clone(),
            respondents,
            values,
        })
    }

    /// The questionnaire the answers were validated against.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }

    /// The respondents (customers with at least one answer), in the order of their first answer.
    /// Every per-respondent vector of [`Answers`] follows this order.
    pub fn respondents(&self) -> &[CustomerId] {
        &self.respondents
    }

    /// The recoded answer of respondent `respondent` (a position in
    /// [`respondents`](Self::respondents)) to `item`, `None` if unanswered or unknown.
    ///
    /// ```
    /// use lead_customers::evidence::{QuestionnaireParams, Response};
    /// let q = QuestionnaireParams::default().with_reverse_keyed("at4")?.check()?;
    /// let answers = q.answers(&[Response::new("C1", "at4", 2.0)])?;
    /// assert_eq!(answers.value(0, "at4"), Some(4.0)); // 5 + 1 − 2
    /// assert_eq!(answers.value(0, "at1"), None);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn value(&self, respondent: usize, item: &str) -> Option<f64> {
        let item = self.questionnaire.item_number(item)?;
        self.values[item].get(respondent).copied().flatten()
    }

    fn construct(&self, name: &str) -> Result<usize> {
        self.questionnaire.construct_index(name).ok_or_else(|| {
            Error::parameter("construct", name, "the questionnaire has no such construct")
        })
    }

    /// The construct's item columns.
    fn columns(&self, construct: usize) -> &[Vec<Option<f64>>] {
        &self.values[self.questionnaire.span(construct)]
    }

    /// Each respondent's score on construct `name`: the mean of their answered items (recoded),
    /// or `None` when they answered fewer than [`Questionnaire::min_answered`] of them.
    ///
    /// Errors: [`Error::InvalidParameter`] for a construct the questionnaire does not have.
    pub fn scores(&self, name: &str) -> Result<Vec<Option<f64>>> {
        Ok(self.scores_at(self.construct(name)?))
    }

    fn scores_at(&self, construct: usize) -> Vec<Option<f64>> {
        let columns = self.columns(construct);
        let needed = self.questionnaire.min_answered(construct);
        (0..self.respondents.len())
            .map(|r| {
                let (sum, answered) = columns
                    .iter()
                    .filter_map(|c| c[r])
                    .fold((0.0, 0usize), |(sum, n), v| (sum + v, n + 1));
                (answered >= needed).then(|| sum / answered as f64)
            })
            .collect()
    }

    /// The reliability of construct `name`: Cronbach's alpha on its complete cases, and alpha if
    /// each item were dropped (on the same respondents).
    ///
    /// Errors: [`Error::InvalidParameter`] for a construct the questionnaire does not have.
    /// Where alpha is undefined (fewer than 2 items or 2 complete cases, a total score without
    /// variance) it is `None`; [`cronbach_alpha`] on the same columns says why.
    ///
    /// ```
    /// use lead_customers::evidence::{Questionnaire, Response};
    /// let rows = [("C1", [4.0, 5.0, 4.0]), ("C2", [2.0, 2.0, 3.0]), ("C3", [3.0, 4.0, 3.0])];
    /// let responses: Vec<Response> = rows
    ///     .iter()
    ///     .flat_map(|(c, v)| (0..3).map(move |j| Response::new(*c, format!("heb{}", j + 1), v[j])))
    ///     .collect();
    /// let reliability = Questionnaire::default().answers(&responses)?.reliability("expected_benefit")?;
    /// assert_eq!(reliability.complete_cases, 3);
    /// // Item variances 1, 7/3, 1/3; totals 13, 7, 10 with variance 9: 3/2 · (1 − (11/3)/9) = 8/9.
    /// assert!((reliability.alpha.unwrap() - 8.0 / 9.0).abs() < 1e-12);
    /// assert_eq!(reliability.alpha_if_dropped.len(), 3);
    /// # Ok::<(), lead_customers::Error>(())
    /// ```
    pub fn reliability(&self, name: &str) -> Result<Reliability> {
        let construct = self.construct(name)?;
        Ok(self.reliability_at(construct, &self.scores_at(construct)))
    }

    /// The reliability of construct `construct`, whose scores are `scores`.
    fn reliability_at(&self, construct: usize, scores: &[Option<f64>]) -> Reliability {
        let spec = &self.questionnaire.constructs()[construct];
        let columns = self.columns(construct);
        let rows = 0..self.respondents.len();
        let complete: Vec<usize> = rows
            .clone()
            .filter(|&r| columns.iter().all(|c| c[r].is_some()))
            .collect();
        let complete_columns: Vec<Vec<f64>> = columns
            .iter()
            .map(|c| complete.iter().filter_map(|&r| c[r]).collect())
            .collect();
        let alpha_without = |dropped: usize| {
            let kept: Vec<&Vec<f64>> = complete_columns
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != dropped)
                .map(|(_, c)| c)
                .collect();
            cronbach_alpha(&kept).ok()
        };
        Reliability {
            construct: spec.name.clone(),
            items: spec.items.len(),
            respondents: rows
                .clone()
                .filter(|&r| columns.iter().any(|c| c[r].is_some()))
                .count(),
            scored: scores.iter().flatten().count(),
            complete_cases: complete.len(),
            alpha: cronbach_alpha(&complete_columns).ok(),
            alpha_if_dropped: spec
                .items
                .iter()
                .enumerate()
                .map(|(j, item)| ItemDropped {
                    item: item.clone(),
                    alpha: alpha_without(j),
                })
                .collect(),
        }
    }

    /// Reliability and scores of every construct: what the `questionnaire` example prints.
    pub fn report(&self) -> QuestionnaireReport {
        let constructs = 0..self.questionnaire.constructs().len();
        let scores: Vec<Vec<Option<f64>>> = constructs.clone().map(|c| self.scores_at(c)).collect();
        QuestionnaireReport {
            reliability: constructs
                .map(|c| self.reliability_at(c, &scores[c]))
                .collect(),
            respondents: self.respondents.clone(),
            scores,
        }
    }
}

/// How reliably a construct's items measure one trait.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reliability {
    /// The construct's name.
    pub construct: String,
    /// Its number of items, `k`.
    pub items: usize,
    /// Respondents who answered at least one of its items.
    pub respondents: usize,
    /// Respondents with a score (enough items answered).
    pub scored: usize,
    /// Respondents who answered every item: the `n` alpha is computed on.
    pub complete_cases: usize,
    /// Cronbach's alpha on the complete cases; `None` where undefined.
    pub alpha: Option<f64>,
    /// Alpha of the other items, on the same complete cases, for each item dropped in turn: an
    /// item whose removal *raises* alpha measures something else (or was not reverse-keyed).
    pub alpha_if_dropped: Vec<ItemDropped>,
}

/// Alpha of a construct without one of its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDropped {
    /// The item left out.
    pub item: String,
    /// Alpha of the remaining items; `None` where undefined (for example one item left).
    pub alpha: Option<f64>,
}

/// Every construct's reliability and every respondent's scores.
///
/// It serializes to the JSON of the `questionnaire` example, an object with
/// - `constructs`: an array of `{"name", "alpha", "items", "respondents"}`, where `items` is the
///   number of items, `respondents` the number of complete cases alpha rests on, and `alpha` is
///   `null` where undefined;
/// - `scores`: an array with one object per respondent: `customer_id` and one field per construct,
///   named as the construct, `null` where too few items were answered.
///
/// ```
/// use lead_customers::evidence::{Questionnaire, Response};
/// let answers = Questionnaire::default().answers(&[Response::new("C1", "heb1", 3.0)])?;
/// let json = serde_json::to_value(answers.report()).unwrap();
/// assert_eq!(json["constructs"][1]["name"], "expected_benefit");
/// assert_eq!(json["constructs"][1]["items"], 3);
/// assert_eq!(json["scores"][0]["customer_id"], "C1");
/// assert!(json["scores"][0]["expected_benefit"].is_null()); // 1 of 3 items: too few
/// # Ok::<(), lead_customers::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionnaireReport {
    /// Per construct, in questionnaire order.
    pub reliability: Vec<Reliability>,
    /// The respondents, in the order of their first answer.
    pub respondents: Vec<CustomerId>,
    /// Per construct (questionnaire order), per respondent: the construct score.
    pub scores: Vec<Vec<Option<f64>>>,
}

impl Serialize for QuestionnaireReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Summary<'a> {
            name: &'a str,
            alpha: Option<f64>,
            items: usize,
            respondents: usize,
        }
        struct Row<'a>(&'a QuestionnaireReport, usize);
        impl Serialize for Row<'_> {
            fn serialize<S: Serializer>(
                &self,
                serializer: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                let Row(report, r) = *self;
                let mut map = serializer.serialize_map(Some(1 + report.reliability.len()))?;
                map.serialize_entry("customer_id", &report.respondents[r])?;
                for (construct, scores) in report.reliability.iter().zip(&report.scores) {
                    map.serialize_entry(&construct.construct, &scores[r])?;
                }
                map.end()
            }
        }
        let summaries: Vec<Summary<'_>> = self
            .reliability
            .iter()
            .map(|c| Summary {
                name: &c.construct,
                alpha: c.alpha,
                items: c.items,
                respondents: c.complete_cases,
            })
            .collect();
        let rows: Vec<Row<'_>> = (0..self.respondents.len()).map(|r| Row(self, r)).collect();
        let mut report = serializer.serialize_struct("QuestionnaireReport", 2)?;
        report.serialize_field("constructs", &summaries)?;
        report.serialize_field("scores", &rows)?;
        report.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::evidence::{Construct, QuestionnaireParams};

    /// Responses of respondents `C1`, `C2`, ... to `items`, one row per respondent; NaN marks an
    /// unanswered item (no response).
    fn responses(items: &[&str], rows: &[&[f64]]) -> Vec<Response> {
        rows.iter()
            .enumerate()
            .flat_map(|(r, row)| {
                items
                    .iter()
                    .zip(row.iter())
                    .filter(|(_, v)| !v.is_nan())
                    .map(move |(item, &v)| Response::new(format!("C{}", r + 1), *item, v))
            })
            .collect()
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    const NA: f64 = f64::NAN;

    // Reference values: pingouin 0.7.0, `pingouin.cronbach_alpha(df, nan_policy="listwise")` on
    // the same data with reverse-keyed items recoded (scale + 1 − value) beforehand; alpha if
    // dropped is pingouin on the complete cases without that column.

    #[test]
    fn alpha_with_a_reverse_keyed_item_matches_pingouin() {
        let items = ["at1", "at2", "at3", "at4"];
        let rows: [&[f64]; 8] = [
            &[4.0, 5.0, 4.0, 2.0],
            &[2.0, 2.0, 3.0, 4.0],
            &[5.0, 4.0, 5.0, 1.0],
            &[3.0, 3.0, 2.0, 3.0],
            &[1.0, 2.0, 1.0, 5.0],
            &[4.0, 4.0, 5.0, 2.0],
            &[3.0, 2.0, 3.0, 3.0],
            &[5.0, 5.0, 4.0, 1.0],
        ];
        let q = QuestionnaireParams::default()
            .with_reverse_keyed("at4")
            .unwrap()
            .check()
            .unwrap();
        let answers = q.answers(&responses(&items, &rows)).unwrap();
        let r = answers.reliability("ahead_of_trend").unwrap();
        assert_eq!(
            (r.items, r.respondents, r.scored, r.complete_cases),
            (4, 8, 8, 8)
        );
        assert!(close(r.alpha, 0.9578947368421051), "{:?}", r.alpha);
        let dropped = [
            0.922235722964763,
            0.9657754010695186,
            0.9639233370913189,
            0.922235722964763,
        ];
        for (d, expected) in r.alpha_if_dropped.iter().zip(dropped) {
            assert!(close(d.alpha, expected), "{d:?}");
        }
        let scores = answers.scores("ahead_of_trend").unwrap();
        let expected = [4.25, 2.25, 4.75, 2.75, 1.25, 4.25, 2.75, 4.75];
        assert!(
            scores.iter().zip(expected).all(|(s, e)| close(*s, e)),
            "{scores:?}"
        );

        // Without declaring at4 reverse-keyed, the items disagree: pingouin gives -0.306513409961686.
        let unrecoded = Questionnaire::default()
            .answers(&responses(&items, &rows))
            .unwrap();
        let alpha = unrecoded.reliability("ahead_of_trend").unwrap().alpha;
        assert!(close(alpha, -0.306513409961686), "{alpha:?}");
    }

    #[test]
    fn alpha_with_missing_answers_uses_complete_cases_like_pingouin_listwise() {
        let items = ["heb1", "heb2", "heb3"];
        let rows: [&[f64]; 7] = [
            &[4.0, 5.0, NA],
            &[2.0, 2.0, 3.0],
            &[5.0, NA, 4.0],
            &[3.0, 3.0, 2.0],
            &[1.0, 2.0, 2.0],
            &[4.0, 4.0, 5.0],
            &[NA, NA, 3.0],
        ];
        let answers = Questionnaire::default()
            .answers(&responses(&items, &rows))
            .unwrap();
        let r = answers.reliability("expected_benefit").unwrap();
        assert_eq!((r.respondents, r.scored, r.complete_cases), (7, 6, 4));
        // By hand on C2, C4, C5, C6: item variances 5/3, 11/12, 2; totals 7, 8, 5, 13 with
        // variance 139/12; alpha = 3/2 · (1 − 55/139) = 126/139.
        assert!(close(r.alpha, 126.0 / 139.0));
        assert!(close(r.alpha, 0.9064748201438849));
        let dropped = [0.8135593220338981, 0.8421052631578947, 0.9491525423728813];
        for (d, expected) in r.alpha_if_dropped.iter().zip(dropped) {
            assert!(close(d.alpha, expected), "{d:?}");
        }
        // Two of three items are needed: C7 answered one.
        let scores = answers.scores("expected_benefit").unwrap();
        let expected = [
            Some(4.5),
            Some(7.0 / 3.0),
            Some(4.5),
            Some(8.0 / 3.0),
            Some(5.0 / 3.0),
            Some(13.0 / 3.0),
            None,
        ];
        for (s, e) in scores.iter().zip(expected) {
            assert_eq!(s.is_some(), e.is_some());
            assert!(
                s.zip(e).is_none_or(|(s, e)| (s - e).abs() < 1e-12),
                "{s:?} vs {e:?}"
            );
        }
    }

    #[test]
    fn a_seven_point_scale_with_reverse_keying_and_missing_answers_matches_pingouin() {
        let items = ["dis1", "dis2", "dis3"];
        let rows: [&[f64]; 8] = [
            &[6.0, 7.0, 2.0],
            &[2.0, 3.0, 6.0],
            &[5.0, NA, 3.0],
            &[7.0, 6.0, 1.0],
            &[3.0, 3.0, 5.0],
            &[4.0, 5.0, 4.0],
            &[1.0, 2.0, 7.0],
            &[6.0, NA, NA],
        ];
        let q = QuestionnaireParams {
            scale: 7,
            ..QuestionnaireParams::empty()
        }
        .with_construct(Construct::dissatisfaction().reverse(["dis3"]))
        .check()
        .unwrap();
        let answers = q.answers(&responses(&items, &rows)).unwrap();
        let r = answers.reliability("dissatisfaction").unwrap();
        assert_eq!((r.respondents, r.scored, r.complete_cases), (8, 7, 6));
        assert!(close(r.alpha, 0.9834905660377359), "{:?}", r.alpha);
        let dropped = [0.9606003752345214, 1.0, 0.9606003752345214];
        for (d, expected) in r.alpha_if_dropped.iter().zip(dropped) {
            assert!(close(d.alpha, expected), "{d:?}");
        }
        let scores = answers.scores("dissatisfaction").unwrap();
        assert!(close(scores[0], 19.0 / 3.0)); // 6, 7, 8 − 2
        assert!(close(scores[2], 5.0)); // 5 and 8 − 3
        assert_eq!(scores[7], None); // one of three
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Scores stay on the scale, and neither they nor alpha depend on the order in which the
        /// answers arrive.
        #[test]
        fn scores_are_on_the_scale_and_ignore_the_order_of_answers(
            rows in proptest::collection::vec(proptest::collection::vec(0u8..=7, 4), 1..10),
        ) {
            // 0 marks an unanswered item.
            let rows: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|&v| if v == 0 { NA } else { f64::from(v) }).collect()).collect();
            let row_refs: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
            let q = QuestionnaireParams { scale: 7, ..QuestionnaireParams::default() }
                .with_reverse_keyed("at2")
                .unwrap()
                .check()
                .unwrap();
            let mut given = responses(&["at1", "at2", "at3", "at4"], &row_refs);
            if given.is_empty() {
                return Ok(());
            }
            let forward = q.answers(&given).unwrap();
            given.reverse();
            let backward = q.answers(&given).unwrap();
            let by_customer = |a: &Answers| {
                let scores = a.scores("ahead_of_trend").unwrap();
                let mut pairs: Vec<(String, Option<f64>)> = a.respondents().iter().map(|c| c.to_string()).zip(scores).collect();
                pairs.sort_by(|x, y| x.0.cmp(&y.0));
                pairs
            };
            let scores = by_customer(&forward);
            proptest::prop_assert_eq!(&scores, &by_customer(&backward));
            proptest::prop_assert!(scores.iter().filter_map(|(_, s)| *s).all(|s| (1.0..=7.0).contains(&s)));
            let alpha = |a: &Answers| a.reliability("ahead_of_trend").unwrap().alpha;
            match (alpha(&forward), alpha(&backward)) {
                (Some(x), Some(y)) => proptest::prop_assert!((x - y).abs() < 1e-9),
                (x, y) => proptest::prop_assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn the_minimum_of_answered_items_is_configurable() {
        let items = ["at1", "at2", "at3", "at4"];
        let rows: [&[f64]; 2] = [&[4.0, NA, NA, NA], &[4.0, 2.0, 3.0, NA]];
        let all = QuestionnaireParams {
            min_answered_share: 1.0,
            ..QuestionnaireParams::default()
        }
        .check()
        .unwrap();
        let any = QuestionnaireParams {
            min_answered_share: 0.0,
            ..QuestionnaireParams::default()
        }
        .check()
        .unwrap();
        assert_eq!(
            all.answers(&responses(&items, &rows))
                .unwrap()
                .scores("ahead_of_trend")
                .unwrap(),
            [None, None]
        );
        assert_eq!(
            any.answers(&responses(&items, &rows))
                .unwrap()
                .scores("ahead_of_trend")
                .unwrap(),
            [Some(4.0), Some(3.0)]
        );
    }

    #[test]
    fn undefined_alpha_is_none_not_a_number() {
        // Two complete cases with the same total; and a construct of one item.
        let items = ["heb1", "heb2", "heb3"];
        let rows: [&[f64]; 2] = [&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]];
        let r = Questionnaire::default()
            .answers(&responses(&items, &rows))
            .unwrap()
            .reliability("expected_benefit")
            .unwrap();
        assert_eq!(r.alpha, None);
        let single = QuestionnaireParams::empty()
            .with_construct(Construct::new("one", ["x"]))
            .check()
            .unwrap();
        let r = single
            .answers(&responses(&["x"], &[&[1.0], &[2.0], &[4.0]]))
            .unwrap()
            .reliability("one")
            .unwrap();
        assert_eq!((r.alpha, r.complete_cases), (None, 3));
        assert_eq!(
            r.alpha_if_dropped,
            [ItemDropped {
                item: "x".into(),
                alpha: None
            }]
        );
    }

    #[test]
    fn bad_answers_name_the_record() {
        let q = Questionnaire::default();
        let cases = [
            (
                vec![
                    Response::new("C1", "at1", 3.0),
                    Response::new("C1", "zz", 3.0),
                ],
                ErrorKind::UnknownItem,
                1,
            ),
            (
                vec![Response::new("C1", "at1", 3.5)],
                ErrorKind::OutOfRange,
                0,
            ),
            (
                vec![Response::new("C1", "at1", 0.0)],
                ErrorKind::OutOfRange,
                0,
            ),
            (
                vec![Response::new("C1", "at1", f64::NAN)],
                ErrorKind::NonFinite,
                0,
            ),
            (vec![Response::new("", "at1", 3.0)], ErrorKind::Missing, 0),
            (
                vec![
                    Response::new("C1", "at1", 3.0),
                    Response::new(" C1", "at2", 3.0),
                ],
                ErrorKind::Unparsable,
                1,
            ),
        ];
        for (responses, kind, index) in cases {
            let err = q.answers(&responses).unwrap_err();
            assert_eq!(err.kind(), kind, "{err}");
            assert_eq!(
                err.location(),
                Some(&Location::Record {
                    table: crate::Table::Responses,
                    index
                }),
                "{err}"
            );
        }
    }

    #[test]
    fn a_second_answer_to_the_same_item_names_the_first() {
        let q = Questionnaire::default();
        let responses = [
            Response::new("C1", "at1", 3.0),
            Response::new("C2", "at1", 3.0),
            Response::new("C1", "at1", 4.0),
        ];
        let err = q.answers(&responses).unwrap_err();
        let first = Location::Record {
            table: crate::Table::Responses,
            index: 0,
        };
        assert!(
            matches!(&err, Error::Record { problem: Problem::DuplicateAnswer { first: f }, .. } if *f == first),
            "{err}"
        );
        assert_eq!(
            err.location(),
            Some(&Location::Record {
                table: crate::Table::Responses,
                index: 2
            })
        );
        assert!(err.to_string().contains("C1,at1"), "{err}");
    }

    #[cfg(feature = "csv")]
    #[test]
    fn csv_answers_are_validated_with_file_and_line() {
        let path = crate::test_files::TestFile::new(
            "responses.csv",
            "customer_id,item,value\nC1,at1,3\nC1,at2,4\n\nC2,at9,2\n",
        );
        let err = Questionnaire::default().read_answers(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownItem);
        assert_eq!(
            err.location(),
            Some(&Location::Csv {
                file: path.to_path_buf(),
                line: 5
            })
        );
        std::fs::write(
            &path,
            "customer_id,item,value\nC1,at1,3\nC1,at2,4\nC1,at1,2\n",
        )
        .unwrap();
        let err = Questionnaire::default().read_answers(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{0}:4: field `customer_id,item` = \"C1,at1\": this customer already answered this item at {0}:2",
                path.display()
            )
        );
    }

    #[test]
    fn the_report_serializes_to_the_documented_json() {
        let q = QuestionnaireParams::default()
            .with_reverse_keyed("at4")
            .unwrap()
            .check()
            .unwrap();
        let answers = q
            .answers(&responses(
                &["at1", "at2", "at3", "at4", "heb1"],
                &[&[4.0, 5.0, 4.0, 2.0, 5.0], &[2.0, 2.0, 3.0, 4.0, NA]],
            ))
            .unwrap();
        let json = serde_json::to_value(answers.report()).unwrap();
        let expected = serde_json::json!({
            "constructs": [
                {"name": "ahead_of_trend", "alpha": json["constructs"][0]["alpha"], "items": 4, "respondents": 2},
                {"name": "expected_benefit", "alpha": null, "items": 3, "respondents": 0},
            ],
            "scores": [
                {"customer_id": "C1", "ahead_of_trend": 4.25, "expected_benefit": null},
                {"customer_id": "C2", "ahead_of_trend": 2.25, "expected_benefit": null},
            ],
        });
        assert_eq!(json, expected);
        assert!(json["constructs"][0]["alpha"].as_f64().is_some());
    }
}
