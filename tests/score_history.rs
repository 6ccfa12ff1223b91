//! Score history: many dates in one call, each equal to scoring that date alone.

use lead_customers::evidence::Response;
use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::time::{monthly_dates, parse_timestamp};
use lead_customers::{
    Channel, Combination, Dimension, Direction, Error, ErrorKind, Idea, IdeaStatus, Interaction,
    InteractionKind, Normalization, Population, Rising, Scale, ScoreHistory, ScoringModel, Signal,
    WeightedSignal,
};
use proptest::prelude::*;

fn base(customers: usize, seed: u64) -> Population {
    Generator::new(GeneratorConfig {
        customers,
        seed,
        ..Default::default()
    })
    .generate()
    .unwrap()
    .population
}

fn days(n: i64) -> jiff::SignedDuration {
    jiff::SignedDuration::from_hours(24 * n)
}

/// `a` and `b` agree to 1e-9, relative to the larger (absolute below 1e-300).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-300)
}

/// Checks every date of `history` against scoring it alone: every customer's lead score and
/// every dimension score, to 1e-9 relative. Returns how many values were compared and how many
/// of them were bit-for-bit equal.
fn check_each_date(
    model: &ScoringModel,
    population: &Population,
    history: &ScoreHistory<'_>,
) -> (usize, usize) {
    let (mut compared, mut identical) = (0, 0);
    for (i, &date) in history.dates().iter().enumerate() {
        let alone = model.score(population, date).unwrap();
        let mut pairs: Vec<(&[f64], &[f64])> =
            vec![(history.lead_scores(i).unwrap(), alone.lead_scores())];
        for d in &model.dimensions {
            pairs.push((
                history.dimension_scores(i, &d.name).unwrap(),
                alone.dimension_scores(&d.name).unwrap(),
            ));
        }
        for (what, (got, expected)) in pairs.into_iter().enumerate() {
            assert_eq!(got.len(), expected.len());
            for (c, (x, y)) in got.iter().zip(expected).enumerate() {
                assert!(
                    close(*x, *y),
                    "date {date}, score #{what}, customer {c}: {x} vs {y}"
                );
                compared += 1;
                identical += usize::from(x.to_bits() == y.to_bits());
            }
        }
        for c in population.customers() {
            let over_time = history.customer(c);
            for d in &over_time.dimensions {
                assert_eq!(d.scores[i], alone.dimension_score(&d.name, c));
            }
        }
    }
    (compared, identical)
}

/// A model that exercises every path of scoring: arithmetic combination, robust z-scores with
/// log1p and winsorizing, a signal that counts against, and a need dimension of questionnaire
/// signals that customers who did not answer have no value of.
fn varied_model() -> ScoringModel {
    let mut model = ScoringModel {
        combination: Combination::ArithmeticMean,
        ..ScoringModel::default()
    };
    let engagement = &mut model.dimensions[0].signals;
    engagement[1].normalization = Normalization {
        log1p: true,
        winsorize: Some(0.05),
        scale: Scale::RobustZ,
    };
    engagement.push(WeightedSignal {
        direction: Direction::LowerIsBetter,
        ..WeightedSignal::new(Signal::Complaints, 0.5)
    });
    model.dimensions.push(Dimension {
        name: "need".into(),
        weight: 0.3,
        signals: vec![
            WeightedSignal::new(Signal::LeadUserness, 1.0),
            WeightedSignal::new(Signal::UsageIntensity, 0.5),
        ],
    });
    model.dimensions[2].signals[1].weight = 0.0;
    model
}

#[test]
fn every_date_of_a_monthly_history_scores_as_that_date_alone() {
    let p = base(2_000, 7);
    let model = ScoringModel::default();
    let dates = monthly_dates(p.latest().unwrap(), 24).unwrap();
    let history = model.score_history(&p, &dates).unwrap();
    assert_eq!(history.dates(), dates.as_slice());
    let (compared, identical) = check_each_date(&model, &p, &history);
    assert_eq!(compared, 24 * 3 * 2_000);
    // By design (decay against a fixed reference time), not merely within 1e-9.
    assert_eq!(identical, compared);
}

#[test]
fn a_history_over_several_chunks_and_passes_scores_each_date_as_alone() {
    // More customers than one chunk of a parallel pass (4,096), and more dates than one pass
    // holds and than are scored at once: every way the work is split must add up the same.
    let p = base(9_000, 3);
    let model = ScoringModel::default();
    let dates = monthly_dates(p.latest().unwrap(), 11).unwrap();
    let history = model.score_history(&p, &dates).unwrap();
    let (compared, identical) = check_each_date(&model, &p, &history);
    assert_eq!(compared, 11 * 3 * 9_000);
    assert_eq!(identical, compared);
}

/// Without questionnaire signals every customer has every dimension, so each dimension's share
/// of the lead score is worked out once for all: the same scores as each date alone, under the
/// varied model's normalizations, direction and arithmetic combination, with a signal and a
/// dimension that weigh nothing (and the dimension changes no lead score).
#[test]
fn every_date_scores_as_alone_under_a_varied_model_without_the_questionnaire() {
    let p = base(700, 13);
    let mut model = varied_model();
    model.dimensions[2] = Dimension {
        name: "silent".into(),
        weight: 0.0,
        signals: vec![
            WeightedSignal::new(Signal::UsageIntensity, 1.0),
            WeightedSignal::new(Signal::PurchaseVolume, 0.0),
        ],
    };
    model.check().unwrap();
    let dates = monthly_dates(p.latest().unwrap(), 7).unwrap();
    let history = model.score_history(&p, &dates).unwrap();
    let (compared, identical) = check_each_date(&model, &p, &history);
    assert_eq!(compared, 7 * 4 * 700);
    assert_eq!(identical, compared);
    let mut without = model.clone();
    without.dimensions.pop();
    let alone = without.score(&p, dates[3]).unwrap();
    assert_eq!(history.lead_scores(3), Some(alone.lead_scores()));
}

#[test]
fn every_date_scores_as_alone_under_a_varied_model() {
    let p = base(600, 11);
    let model = varied_model();
    model.check().unwrap();
    let dates = monthly_dates(p.latest().unwrap(), 9).unwrap();
    let history = model.score_history(&p, &dates).unwrap();
    let (compared, identical) = check_each_date(&model, &p, &history);
    assert_eq!(identical, compared);
    // Some customers have no need score at some date: the gaps are kept.
    let gaps = p
        .customers()
        .filter(|&c| history.customer(c).dimensions[2].scores.contains(&None))
        .count();
    assert!(gaps > 0);
}

#[test]
fn a_history_with_a_half_life_of_a_day_starts_its_tallies_over_and_still_agrees() {
    // Reference times are 512 half-lives apart: about 1.4 years here, so 24 months cross one.
    let p = base(400, 3);
    let model = ScoringModel::default().with_half_life_days(1.0);
    let dates = monthly_dates(p.latest().unwrap(), 24).unwrap();
    let history = model.score_history(&p, &dates).unwrap();
    let (compared, identical) = check_each_date(&model, &p, &history);
    assert_eq!(identical, compared);
}

#[test]
fn the_on_demand_signals_are_fitted_per_date() {
    let p = base(300, 5);
    let mut model = ScoringModel::default();
    let engagement = &mut model.dimensions[0].signals;
    engagement.push(WeightedSignal::new(Signal::ProbabilityAlive, 1.0));
    engagement.push(WeightedSignal::new(Signal::ExpectedActivity, 0.5));
    let dates = monthly_dates(p.latest().unwrap(), 3).unwrap();
    let history = model.score_history(&p, &dates).unwrap();
    let (compared, identical) = check_each_date(&model, &p, &history);
    assert_eq!(identical, compared);
}

/// One signal's settings drawn for [`a_history_agrees_with_each_date_alone_under_any_model`]:
/// scale, `ln(1 + x)` first, winsorizing, direction and weight.
fn signal_settings() -> impl Strategy<Value = (Scale, bool, Option<f64>, Direction, f64)> {
    (
        prop_oneof![
            Just(Scale::Percentile),
            Just(Scale::RobustZ),
            Just(Scale::Identity)
        ],
        any::<bool>(),
        prop_oneof![Just(None), Just(Some(0.05))],
        prop_oneof![
            Just(Direction::HigherIsBetter),
            Just(Direction::LowerIsBetter)
        ],
        prop_oneof![Just(0.0), Just(0.5), Just(1.0), Just(2.0)],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Under settings drawn for every signal of the default model, with an on-demand signal and
    /// maybe a questionnaire signal added, either combination, a questionnaire scale that may put
    /// answers off it: a history gives each date's scores exactly as scoring it alone, or fails with the
    /// error of the first date that fails alone.
    #[test]
    fn a_history_agrees_with_each_date_alone_under_any_model(
        seed in 1u64..1000,
        settings in proptest::collection::vec(signal_settings(), 16),
        arithmetic in any::<bool>(),
        survey in any::<bool>(),
        scale in 3u8..=7,
        half_life in prop_oneof![Just(1.0), Just(180.0), 5.0f64..400.0],
        back in 0i64..600,
    ) {
        let p = base(150, seed);
        let mut model = ScoringModel::default().with_half_life_days(half_life);
        if arithmetic {
            model.combination = Combination::ArithmeticMean;
        }
        model.signals.questionnaire.scale = scale;
        model.dimensions[0].signals.push(WeightedSignal::new(Signal::ProbabilityAlive, 1.0));
        if survey {
            model.dimensions[1].signals.push(WeightedSignal::new(Signal::LeadUserness, 1.0));
        }
        model.dimensions[1].signals.push(WeightedSignal::new(Signal::Complaints, 1.0));
        let signals = model.dimensions.iter_mut().flat_map(|d| d.signals.iter_mut());
        for (s, &(scale, log1p, winsorize, direction, weight)) in signals.zip(&settings) {
            s.normalization = Normalization { log1p, winsorize, scale };
            s.direction = direction;
            s.weight = weight;
        }
        prop_assume!(model.check().is_ok());
        let dates = monthly_dates(p.latest().unwrap() - days(back), 4).unwrap();
        let dates: Vec<_> = dates.into_iter().filter(|&d| d >= p.earliest().unwrap()).collect();
        prop_assume!(!dates.is_empty());
        let alone: Vec<_> = dates.iter().map(|&d| model.score(&p, d)).collect();
        match (model.score_history(&p, &dates), alone.iter().position(Result::is_err)) {
            (Ok(history), None) => {
                for (i, scores) in alone.iter().enumerate() {
                    let scores = scores.as_ref().unwrap();
                    prop_assert_eq!(history.lead_scores(i), Some(scores.lead_scores()));
                    for d in &model.dimensions {
                        let got = history.dimension_scores(i, &d.name);
                        prop_assert_eq!(got, scores.dimension_scores(&d.name));
                    }
                }
            }
            (Err(err), Some(first)) => {
                let expected = alone[first].as_ref().err().unwrap();
                prop_assert_eq!(err.to_string(), expected.to_string());
            }
            (history, first) => prop_assert!(
                false,
                "the history {} but the first date failing alone is {:?}",
                if history.is_ok() { "succeeded" } else { "failed" },
                first
            ),
        }
    }

    #[test]
    fn any_increasing_dates_score_as_each_date_alone(
        seed in 1u64..1000,
        customers in 60usize..250,
        gaps in proptest::collection::vec(1i64..120, 1..7),
        back in 0i64..400,
        half_life in prop_oneof![Just(1.0), Just(30.0), Just(180.0), 2.0f64..700.0],
    ) {
        let p = base(customers, seed);
        let model = ScoringModel::default().with_half_life_days(half_life);
        let mut date = p.latest().unwrap() - days(back);
        let mut dates = vec![date];
        for gap in gaps {
            date -= days(gap);
            dates.push(date);
        }
        dates.retain(|&d| d >= p.earliest().unwrap());
        dates.reverse();
        prop_assume!(!dates.is_empty());
        let history = model.score_history(&p, &dates).unwrap();
        for (i, &date) in dates.iter().enumerate() {
            let alone = model.score(&p, date).unwrap();
            for (x, y) in history.lead_scores(i).unwrap().iter().zip(alone.lead_scores()) {
                prop_assert!(close(*x, *y), "{} {} vs {}", date, x, y);
            }
            for name in ["engagement", "innovation"] {
                let got = history.dimension_scores(i, name).unwrap();
                for (x, y) in got.iter().zip(alone.dimension_scores(name).unwrap()) {
                    prop_assert!(close(*x, *y), "{} {} {} vs {}", date, name, x, y);
                }
            }
        }
    }

    #[test]
    fn an_event_after_the_last_date_changes_no_score_of_the_history(
        seed in 1u64..1000,
        who in 0usize..120,
        later in 1i64..200,
        kind in 0usize..16,
    ) {
        let p = base(120, seed);
        let last = p.latest().unwrap() - days(200);
        let dates = monthly_dates(last, 4).unwrap();
        let customer = p.customer_id(p.customer_at(who).unwrap()).clone();
        let topic = p.topics()[who % p.topics().len()].clone();
        let mut records = p.records();
        let at = last + days(later);
        records.interactions.push(
            Interaction::new(customer.clone(), at, Channel::Community, InteractionKind::ALL[kind])
                .with_topic(topic.clone()),
        );
        records.ideas.push(
            Idea::new("late-idea", customer, at)
                .with_topic(topic)
                .with_status(IdeaStatus::Shipped, Some(at)),
        );
        let more = records.build().unwrap();
        let model = ScoringModel::default();
        let a = model.score_history(&p, &dates).unwrap();
        let b = model.score_history(&more, &dates).unwrap();
        for i in 0..dates.len() {
            prop_assert_eq!(a.lead_scores(i), b.lead_scores(i));
        }
    }
}

#[test]
fn a_history_of_one_date_is_that_date_scored() {
    let p = base(300, 2);
    let model = ScoringModel::default();
    let latest = p.latest().unwrap();
    let history = model.score_history(&p, &[latest]).unwrap();
    let alone = model.score(&p, latest).unwrap();
    assert_eq!(history.lead_scores(0), Some(alone.lead_scores()));
    assert_eq!(history.lead_scores(1), None);
    assert_eq!(history.dimension_scores(0, "reach"), None);
    // Nobody climbs over a single date.
    assert!(history.rising(&Rising::default()).unwrap().is_empty());
    let c = alone.top(1)[0].customer;
    assert_eq!(history.climb(c, 6), 0.0);
}

#[test]
fn dates_out_of_order_repeated_before_the_data_or_missing_are_typed_errors() {
    let p = base(100, 1);
    let model = ScoringModel::default();
    let latest = p.latest().unwrap();
    let (a, b) = (latest - days(60), latest - days(30));

    let err = model.score_history(&p, &[a, latest, b]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnorderedDates);
    match &err {
        Error::UnorderedDates {
            index,
            date,
            previous,
        } => assert_eq!((*index, *date, *previous), (2, b, latest)),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("comes before"), "{err}");

    let err = model.score_history(&p, &[a, b, b]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnorderedDates);
    assert!(err.to_string().contains("repeats"), "{err}");

    let before = p.earliest().unwrap() - days(1);
    let err = model.score_history(&p, &[before, latest]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AsOfBeforeData);

    let err = model.score_history(&p, &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EmptyInput);

    let mut bad = model.clone();
    bad.dimensions[0].weight = f64::NAN;
    let err = bad.score_history(&p, &[latest]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
}

#[test]
fn monthly_dates_end_at_the_end_a_calendar_month_apart() {
    let end = parse_timestamp("2024-05-31T12:00:00Z").unwrap();
    let dates = monthly_dates(end, 24).unwrap();
    assert_eq!(dates.len(), 24);
    assert_eq!(dates[23], end);
    assert!(dates.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(dates[0].to_string(), "2022-06-30T12:00:00Z");
    // February clamps to its last day, and the months after it do not drift.
    assert_eq!(dates[20].to_string(), "2024-02-29T12:00:00Z");
    assert_eq!(dates[21].to_string(), "2024-03-31T12:00:00Z");
    assert!(monthly_dates(end, 0).unwrap().is_empty());
}

/// A dormant customer of a synthetic base who turns into a lead user in the last three months.
fn base_with_a_late_riser() -> (
    Population,
    lead_customers::CustomerIndex,
    Vec<jiff::Timestamp>,
) {
    let p = base(300, 9);
    let latest = p.latest().unwrap();
    let dates = monthly_dates(latest, 12).unwrap();
    let scores = ScoringModel::default().score(&p, dates[5]).unwrap();
    // The lowest-scored of the customers known then (the others have no score to climb from).
    let riser = p
        .customers()
        .filter(|&c| p.known_at(c, dates[5]))
        .min_by(|&a, &b| scores.lead(a).total_cmp(&scores.lead(b)))
        .unwrap();
    let id = p.customer_id(riser).clone();
    let mut records = p.records();
    for k in 0..60 {
        let at = latest - days(85) + days(k * 85 / 60);
        let kind = [
            InteractionKind::Workaround,
            InteractionKind::BetaJoin,
            InteractionKind::Answer,
            InteractionKind::Feedback,
            InteractionKind::Response,
        ][k as usize % 5];
        records.interactions.push(Interaction::new(
            id.clone(),
            at,
            Channel::ALL[k as usize % 11],
            kind,
        ));
    }
    for k in 0..4 {
        let at = latest - days(80 - 15 * k);
        records.ideas.push(
            Idea::new(format!("riser-{k}"), id.clone(), at)
                .with_status(IdeaStatus::Shipped, Some(at + days(3))),
        );
    }
    let p = records.build().unwrap();
    let riser = p.index_of(id.as_str()).unwrap();
    (p, riser, dates)
}

#[test]
fn a_customer_who_turns_into_a_lead_user_is_rising() {
    let (p, riser, dates) = base_with_a_late_riser();
    let history = ScoringModel::default().score_history(&p, &dates).unwrap();
    let rule = Rising::default();
    let rising = history.rising(&rule).unwrap();
    let found = rising.iter().find(|r| r.customer == riser).unwrap();
    assert_eq!(found.rank, 1);
    let lead = history.lead(riser);
    assert_eq!(found.to, lead[11]);
    assert_eq!(found.from, lead[11 - rule.window]);
    assert_eq!(found.climb, history.climb(riser, rule.window));
    assert!(found.climb > 0.3, "{found:?}");
    // In JSON the position is `customer_index`, as in a ranking.
    let json = serde_json::to_value(found).unwrap();
    assert_eq!(json["customer_index"], riser.get(), "{json}");
    assert!(json.get("customer").is_none(), "{json}");
}

#[test]
fn rising_takes_the_steepest_climbs_above_the_minimum_within_the_share() {
    let p = base(500, 4);
    let dates = monthly_dates(p.latest().unwrap(), 8).unwrap();
    let history = ScoringModel::default().score_history(&p, &dates).unwrap();
    for rule in [
        Rising::default(),
        Rising {
            window: 3,
            share: 0.2,
            min_climb: 0.0,
        },
        Rising {
            window: 20,
            share: 1.0,
            min_climb: 0.1,
        },
    ] {
        let rising = history.rising(&rule).unwrap();
        // A share of the customers known at the last date.
        let known = p.customers().filter(|&c| p.known_at(c, dates[7])).count();
        let most = (rule.share * known as f64).ceil() as usize;
        assert!(rising.len() <= most);
        assert!(rising.iter().enumerate().all(|(i, r)| r.rank == i + 1));
        assert!(
            rising
                .iter()
                .all(|r| r.climb > 0.0 && r.climb >= rule.min_climb)
        );
        assert!(rising.windows(2).all(|w| w[0].climb >= w[1].climb));
        let flagged: Vec<_> = rising.iter().map(|r| r.customer).collect();
        let lowest = rising.last().map_or(f64::INFINITY, |r| r.climb);
        let start = dates[(dates.len() - 1).saturating_sub(rule.window)];
        assert!(flagged.iter().all(|&c| p.known_at(c, start)));
        for c in p.customers().filter(|c| !flagged.contains(c)) {
            let climb = history.climb(c, rule.window);
            // Left out: below the minimum, not known at the window's start (a newcomer), or no
            // steeper than the last one in (the share is full).
            assert!(
                climb <= 0.0
                    || climb < rule.min_climb
                    || !p.known_at(c, start)
                    || (climb <= lowest && rising.len() == most),
                "{c:?} climbed {climb}"
            );
        }
    }
    let bad = Rising {
        share: 1.5,
        ..Rising::default()
    };
    assert_eq!(
        history.rising(&bad).unwrap_err().kind(),
        ErrorKind::InvalidParameter
    );
}

/// A single date computes the questionnaire signals whatever the model uses, and fails once an
/// answer off the questionnaire's scale is known; a history, which computes only the signals its
/// model uses, must fail from the same date with the same error, and agree before it.
#[test]
fn an_answer_off_the_scale_fails_a_history_from_the_date_it_fails_alone() {
    let p = base(300, 2);
    let model = ScoringModel::default();
    assert!(
        model
            .dimensions
            .iter()
            .all(|d| d.signals.iter().all(|s| !matches!(
                s.signal,
                Signal::LeadUserness | Signal::SurveyAheadOfTrend | Signal::SurveyExpectedBenefit
            )))
    );
    let dates = monthly_dates(p.latest().unwrap(), 24).unwrap();
    // One answer of 9 to an item of the default 5-point questionnaire, a second after the 13th
    // date, by a customer who answered nothing else.
    let mut records = p.records();
    let quiet = records
        .customers
        .iter()
        .map(|c| c.id.clone())
        .find(|id| records.responses.iter().all(|r| &r.customer != id))
        .expect("someone answered nothing");
    let mut off = Response::new(quiet, "at1", 9.0);
    off.answered_at = Some(dates[12] + jiff::SignedDuration::from_secs(1));
    records.responses.push(off);
    let p = records.build().unwrap();

    let alone: Vec<_> = dates.iter().map(|&d| model.score(&p, d).err()).collect();
    assert!(alone[..13].iter().all(Option::is_none));
    let expected = alone[13].as_ref().expect("the 14th date fails alone");
    assert_eq!(expected.kind(), ErrorKind::InvalidParameter);
    assert!(
        expected.to_string().contains("questionnaire's scale"),
        "{expected}"
    );

    for from in [0, 12, 13] {
        let err = model.score_history(&p, &dates[from..]).err();
        let err = err.expect("a history through the 14th date fails");
        assert_eq!(err.to_string(), expected.to_string());
    }
    let history = model.score_history(&p, &dates[..13]).unwrap();
    let (compared, _) = check_each_date(&model, &p, &history);
    assert_eq!(compared, 13 * 300 * 3);
}
