//! The questionnaire signals: what customers say about themselves, as of `T`.

use super::Signal;
use crate::evidence::Questionnaire;
use crate::population::UNDATED;
use crate::{Error, Population, Result};

/// The construct behind [`Signal::SurveyAheadOfTrend`].
pub(crate) const AHEAD_OF_TREND: &str = "ahead_of_trend";
/// The construct behind [`Signal::SurveyExpectedBenefit`].
pub(crate) const EXPECTED_BENEFIT: &str = "expected_benefit";

/// A column with gaps: the value, and whether the customer has one.
pub(crate) struct Gapped {
    pub values: Vec<f64>,
    pub known: Vec<bool>,
}

/// When the first answer off the questionnaire's scale becomes known (an undated answer at the
/// end of the data); `None` when every answer to one of its items is on the scale.
///
/// Why: from then on [`survey_columns`] fails, and so does scoring a single date, which always
/// computes the questionnaire signals. A score history computes only the signals its model uses,
/// and asks this to fail from the same date with the same error.
pub(crate) fn first_off_scale(
    population: &Population,
    questionnaire: &Questionnaire,
) -> Option<i64> {
    let item_numbers = item_numbers(population, questionnaire);
    let rows = &population.responses;
    (0..rows.value.len())
        .filter(|&r| {
            item_numbers[rows.item[r] as usize]
                .is_some_and(|item| questionnaire.recode(item, rows.value[r]).is_none())
        })
        .map(|r| known_at(population, r))
        .min()
}

/// The questionnaire's number of each item answered in the population, if it has the item.
fn item_numbers(population: &Population, questionnaire: &Questionnaire) -> Vec<Option<usize>> {
    population
        .items
        .iter()
        .map(|name| questionnaire.item_number(name))
        .collect()
}

/// When answer row `r` becomes known: when it was given, or the end of the data if undated.
fn known_at(population: &Population, r: usize) -> i64 {
    match population.responses.answered_at[r] {
        UNDATED => population.latest,
        at => at,
    }
}

/// The three questionnaire signals for every customer as of `t`, from the answers given by then
/// (an undated answer counts as given at the end of the data).
///
/// A construct score is the mean of the customer's recoded answers to its items, when they
/// answered at least the questionnaire's minimum; it is put on [0, 1] as
/// `(score - 1) / (scale - 1)`. Lead-userness is the mean of the two lead-user constructs the
/// customer has a score for (of all constructs, if the questionnaire has neither).
pub(crate) fn survey_columns(
    population: &Population,
    t: i64,
    questionnaire: &Questionnaire,
) -> Result<[(Signal, Gapped); 3]> {
    let n = population.len();
    let scale = f64::from(questionnaire.scale());
    let constructs = questionnaire.constructs();
    let ahead = questionnaire.construct_index(AHEAD_OF_TREND);
    let benefit = questionnaire.construct_index(EXPECTED_BENEFIT);
    let lead_user: Vec<usize> = match (ahead, benefit) {
        (None, None) => (0..constructs.len()).collect(),
        (a, b) => a.into_iter().chain(b).collect(),
    };
    let item_numbers = item_numbers(population, questionnaire);
    let construct_of: Vec<usize> = {
        let mut of = vec![0; questionnaire.item_count()];
        for k in 0..constructs.len() {
            for item in questionnaire.span(k) {
                of[item] = k;
            }
        }
        of
    };

    let gapped = || Gapped {
        values: vec![0.0; n],
        known: vec![false; n],
    };
    let (mut lead_userness, mut ahead_column, mut benefit_column) = (gapped(), gapped(), gapped());
    let rows = &population.responses;
    let mut sums = vec![(0.0, 0usize); constructs.len()];
    for c in 0..n {
        sums.iter_mut().for_each(|s| *s = (0.0, 0));
        for r in rows.groups.range(c) {
            let Some(item) = item_numbers[rows.item[r] as usize] else {
                continue;
            };
            if known_at(population, r) > t {
                continue;
            }
            let value = questionnaire.recode(item, rows.value[r]).ok_or_else(|| {
                Error::parameter(
                    format!(
                        "answer of {} to {}",
                        population.ids[c], population.items[rows.item[r] as usize]
                    ),
                    rows.value[r],
                    format!(
                        "must be a whole number from 1 to {} (the questionnaire's scale)",
                        questionnaire.scale()
                    ),
                )
            })?;
            let sum = &mut sums[construct_of[item]];
            *sum = (sum.0 + value, sum.1 + 1);
        }
        let score = |k: usize| {
            let (sum, answered) = sums[k];
            (answered >= questionnaire.min_answered(k) && answered > 0)
                .then(|| (sum / answered as f64 - 1.0) / (scale - 1.0))
        };
        let set = |column: &mut Gapped, value: Option<f64>| {
            if let Some(v) = value {
                column.values[c] = v;
                column.known[c] = true;
            }
        };
        set(&mut ahead_column, ahead.and_then(score));
        set(&mut benefit_column, benefit.and_then(score));
        let known: Vec<f64> = lead_user.iter().filter_map(|&k| score(k)).collect();
        set(
            &mut lead_userness,
            (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64),
        );
    }
    Ok([
        (Signal::LeadUserness, lead_userness),
        (Signal::SurveyAheadOfTrend, ahead_column),
        (Signal::SurveyExpectedBenefit, benefit_column),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{QuestionnaireParams, Response};
    use crate::time::parse_timestamp;
    use crate::{Channel, Customer, Interaction, InteractionKind};

    fn day(text: &str) -> jiff::Timestamp {
        parse_timestamp(text).unwrap()
    }

    /// A's answers: `at1` = 4 on 2024-02-01, `zz` (no item of the questionnaire) = 9 on
    /// 2024-01-15, and `heb1` = `undated`, undated; the data ends on 2024-06-01.
    fn answered(undated: f64) -> Population {
        let mut b = Population::builder();
        b.add_customer(Customer::new("A")).unwrap();
        for at in ["2024-01-01", "2024-06-01"] {
            let asked = Interaction::new("A", day(at), Channel::Email, InteractionKind::Question);
            b.add_interaction(asked).unwrap();
        }
        let answer = Response::new("A", "at1", 4.0).with_answered_at(day("2024-02-01"));
        b.add_response(answer).unwrap();
        let other = Response::new("A", "zz", 9.0).with_answered_at(day("2024-01-15"));
        b.add_response(other).unwrap();
        b.add_response(Response::new("A", "heb1", undated)).unwrap();
        b.build().unwrap()
    }

    #[test]
    fn the_first_answer_off_the_scale_is_known_when_it_was_given_or_at_the_end_of_the_data() {
        let five = QuestionnaireParams::default().check().unwrap();
        let three = QuestionnaireParams {
            scale: 3,
            ..Default::default()
        }
        .check()
        .unwrap();
        // On a 5-point scale only the undated 6 is off it; the item outside the questionnaire
        // never counts.
        let (on, off) = (answered(5.0), answered(6.0));
        assert_eq!(first_off_scale(&on, &five), None);
        assert_eq!(
            first_off_scale(&off, &five),
            Some(day("2024-06-01").as_second())
        );
        // On a 3-point scale the dated 4 is off it first.
        assert_eq!(
            first_off_scale(&on, &three),
            Some(day("2024-02-01").as_second())
        );
        // And that is when computing the questionnaire signals starts to fail.
        let before = day("2024-01-31").as_second();
        assert!(survey_columns(&on, before, &three).is_ok());
        assert!(survey_columns(&on, day("2024-02-01").as_second(), &three).is_err());
    }
}
