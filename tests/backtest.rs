//! Back-tests and calibration on the synthetic base: point-in-time correctness, the default
//! model against the naive rankings, and a calibrated model judged on outcomes it never saw.

use jiff::Timestamp;
use lead_customers::evidence::{
    BacktestParams, BacktestReport, BootstrapConfig, CalibrationParams, Metric, NaiveRanking,
    OutcomeRules, Outcomes, RankingReport, SignalFate, backtest, bootstrap_metric_difference,
};
use lead_customers::synthetic::{Generator, GeneratorConfig, SyntheticBase};
use lead_customers::time::parse_timestamp;
use lead_customers::{
    Dimension, Population, ScoringModel, Signal, SignalParams, SignalTable, WeightedSignal,
};

fn day(text: &str) -> Timestamp {
    parse_timestamp(text).unwrap()
}

fn base(customers: usize, seed: u64) -> SyntheticBase {
    Generator::new(GeneratorConfig {
        customers,
        seed,
        ..GeneratorConfig::default()
    })
    .generate()
    .unwrap()
}

/// The back-test window of the issue: a calendar year, the last of the three years of data.
fn window() -> (Timestamp, Timestamp) {
    (day("2024-01-01"), day("2024-12-31"))
}

#[test]
fn the_rankings_judged_are_the_scores_and_signals_as_of_t1() {
    let base = base(2_000, 4);
    let p = &base.population;
    let (t1, t2) = window();
    let model = ScoringModel::default();
    let report = backtest(p, &model, t1, t2).unwrap();
    let outcomes = Outcomes::observe(p, t1, t2, &OutcomeRules::default()).unwrap();
    let labels = outcomes.judged_labels();
    let expected = |scores: &[f64]| {
        RankingReport::new(&outcomes.select(scores).unwrap(), &labels, report.k).unwrap()
    };
    let scores = model.score(p, t1).unwrap();
    assert_eq!(
        report.ranking("model").unwrap().metrics,
        expected(scores.lead_scores())
    );
    let table = SignalTable::compute(p, t1, &SignalParams::default()).unwrap();
    assert_eq!(
        report.ranking("most_active").unwrap().metrics,
        expected(table.column(Signal::MessageVolume).unwrap())
    );
    assert_eq!(
        report.ranking("biggest_buyer").unwrap().metrics,
        expected(table.column(Signal::PurchaseVolume).unwrap())
    );
    let ideas: Vec<f64> = p
        .customers()
        .map(|c| p.ideas(c).iter().filter(|i| i.submitted_at <= t1).count() as f64)
        .collect();
    assert_eq!(
        report.ranking("most_ideas").unwrap().metrics,
        expected(&ideas)
    );
}

/// The population as known at `t1`, plus only the outcomes of (t1, t2]: every later
/// interaction, every later idea that is not a success of the window and every later
/// participation that is not a top rating of the window is gone.
fn known_at_t1_plus_outcomes(p: &Population, t1: Timestamp, t2: Timestamp) -> Population {
    let inside = |t: Timestamp| t1 < t && t <= t2;
    let mut b = Population::builder();
    for c in p.customer_records() {
        b.add_customer(c).unwrap();
    }
    for i in p.interaction_records().filter(|i| i.at <= t1) {
        b.add_interaction(i).unwrap();
    }
    for idea in p.idea_records() {
        let outcome = idea.status.is_success() && idea.decided_at.is_some_and(inside);
        if idea.submitted_at <= t1 || outcome {
            b.add_idea(idea).unwrap();
        }
    }
    let held: Vec<Timestamp> = p.session_records().map(|s| s.held_at).collect();
    for s in p.session_records() {
        b.add_session(s).unwrap();
    }
    let sessions: Vec<_> = p.session_records().map(|s| s.id).collect();
    for part in p.participation_records() {
        let at = held[sessions.iter().position(|s| *s == part.session).unwrap()];
        let outcome = inside(at) && part.rating.is_some_and(|r| r >= 4.5);
        if at <= t1 || outcome {
            b.add_participation(part).unwrap();
        }
    }
    b.build().unwrap()
}

#[test]
fn nothing_after_t1_but_the_outcomes_changes_the_backtest() {
    let base = base(2_000, 5);
    let (t1, t2) = window();
    let full = &base.population;
    let cut = known_at_t1_plus_outcomes(full, t1, t2);
    // The cut removed a lot: a leak of any of it into the rankings would show.
    assert!(cut.interaction_count() < full.interaction_count() * 3 / 4);
    assert!(cut.idea_count() < full.idea_count());
    let model = ScoringModel::default();
    let params = BacktestParams {
        bootstrap: Some(BootstrapConfig {
            replicates: 50,
            ..BootstrapConfig::default()
        }),
        ..BacktestParams::default()
    };
    let a = params.run(full, &[("default", &model)], t1, t2).unwrap();
    let b = params.run(&cut, &[("default", &model)], t1, t2).unwrap();
    assert_eq!(a, b);
}

fn print(seed: u64, report: &BacktestReport) {
    for r in &report.rankings {
        let m = &r.metrics;
        eprintln!(
            "seed {seed} k {}: {:<13} AUC {:.3}  P@k {:.3}  AP {:.3}  lift {:.2}  vs active {:?}",
            report.k,
            r.name,
            m.auc,
            m.precision_at_k,
            m.average_precision,
            m.lift_at_k,
            r.lift_over_most_active.map(|l| (l * 100.0).round() / 100.0)
        );
    }
}

/// On the synthetic base (10,000 customers, seeds 1 to 3; T1 = 2024-01-01, T2 = 2024-12-31,
/// about 630 of 9,000 judged customers positive; k = the default shortlist of 5%, about 450), the
/// default model beats every naive ranking at the top of the list: precision at k 0.59 to 0.64
/// against 0.48 to 0.52 for "most ideas" and under 0.04 for "most active" and "biggest buyer";
/// average precision 0.46 to 0.47 against 0.37 to 0.40, 0.11 and 0.08. Over the whole ranking
/// "most ideas" keeps a higher AUC (0.86 to 0.88 against 0.82 to 0.83): the default outcome
/// counts any accepted idea, so every idea is a lottery ticket and idea volume orders the long
/// tail of the base; the model is built to prefer quality and to find lead customers, which the
/// shortlist is for. The figures are in the issue note and the README.
#[test]
fn the_default_model_beats_the_naive_rankings_on_the_synthetic_base() {
    let (t1, t2) = window();
    let model = ScoringModel::default();
    for seed in 1..=3 {
        let base = base(10_000, seed);
        let p = &base.population;
        let report = backtest(p, &model, t1, t2).unwrap();
        print(seed, &report);
        assert_eq!(report.k, (report.customers as f64 * 0.05).ceil() as usize);
        assert!(report.positives > 500, "seed {seed}: {}", report.positives);
        let ours = report.ranking("model").unwrap();
        for naive in NaiveRanking::ALL {
            let theirs = &report.ranking(naive.name()).unwrap().metrics;
            assert!(
                ours.metrics.precision_at_k > theirs.precision_at_k + 0.05,
                "seed {seed}: {naive:?}"
            );
            assert!(
                ours.metrics.average_precision > theirs.average_precision + 0.03,
                "seed {seed}: {naive:?}"
            );
            assert!(
                ours.metrics.lift_at_k > theirs.lift_at_k,
                "seed {seed}: {naive:?}"
            );
        }
        for naive in [NaiveRanking::MostActive, NaiveRanking::BiggestBuyer] {
            let theirs = &report.ranking(naive.name()).unwrap().metrics;
            assert!(
                ours.metrics.auc > theirs.auc + 0.05,
                "seed {seed}: {naive:?}"
            );
            assert!(
                ours.metrics.precision_at_k > 3.0 * theirs.precision_at_k,
                "seed {seed}: {naive:?}"
            );
        }
        assert!(ours.lift_over_most_active.unwrap() > 3.0);
    }
}

/// A calibrated model fitted on 2023 (scores as of 2023-01-01, outcomes of 2023) and judged on
/// 2024 against the default model: the paired bootstrap interval of the difference
/// (calibrated − default) of each metric must reach above zero, so calibration is never worse
/// than the default by more than the 95% noise of the comparison. (It is in fact clearly better
/// on AUC and average precision, see the note: it learns that this outcome rewards idea volume.)
#[test]
fn calibration_on_an_earlier_window_ranks_held_out_outcomes_no_worse_than_the_default() {
    let (t1, t2) = window();
    let base = base(10_000, 1);
    let p = &base.population;
    let default = ScoringModel::default();
    let calibration = CalibrationParams::default()
        .fit_preceding(p, &default, t1, t2)
        .unwrap();
    for c in &calibration.coefficients {
        eprintln!(
            "{:<11} {:<22} {:>7.3} ± {:.3} {:?} share {:.3}",
            c.dimension,
            c.signal.as_str(),
            c.coefficient,
            c.standard_error.unwrap_or(f64::NAN),
            c.fate,
            c.share
        );
    }
    eprintln!(
        "lambda {} rounds {}",
        calibration.lambda, calibration.rounds
    );
    // Fitted on the customers known at 2023-01-01 with the outcomes of 2023.
    let earlier = Outcomes::observe(p, day("2023-01-01"), t1, &OutcomeRules::default()).unwrap();
    assert_eq!(calibration.observations, earlier.customers());
    assert_eq!(calibration.positives, earlier.positives());

    let outcomes = Outcomes::observe(p, t1, t2, &OutcomeRules::default()).unwrap();
    let labels = outcomes.judged_labels();
    let judged = |model: &ScoringModel| {
        outcomes
            .select(model.score(p, t1).unwrap().lead_scores())
            .unwrap()
    };
    let (calibrated, default) = (judged(&calibration.model), judged(&default));
    let k = outcomes.positives();
    let config = BootstrapConfig::default();
    for metric in [
        Metric::Auc,
        Metric::AveragePrecision,
        Metric::PrecisionAtK { k },
    ] {
        let ci =
            bootstrap_metric_difference(&calibrated, &default, &labels, metric, &config).unwrap();
        eprintln!(
            "calibrated − default {metric}: {:.3} [{:.3}, {:.3}]",
            ci.estimate, ci.lower, ci.upper
        );
        assert!(ci.upper > 0.0, "{metric}: {ci:?}");
    }
}

/// The default model, and the default model with a need dimension of the two questionnaire
/// signals (which only respondents have) and usage intensity.
fn models_to_calibrate() -> [ScoringModel; 2] {
    let mut with_need = ScoringModel::default();
    with_need.dimensions.push(Dimension {
        name: "need".into(),
        weight: 0.3,
        signals: vec![
            WeightedSignal::new(Signal::SurveyAheadOfTrend, 1.0),
            WeightedSignal::new(Signal::SurveyExpectedBenefit, 1.0),
            WeightedSignal::new(Signal::UsageIntensity, 1.0),
        ],
    });
    [ScoringModel::default(), with_need]
}

#[test]
fn the_calibrated_lead_score_is_a_linear_function_of_the_fitted_log_odds() {
    let base = base(2_000, 6);
    let p = &base.population;
    let (start, end) = (day("2023-01-01"), day("2024-01-01"));
    for model in models_to_calibrate() {
        let calibration = CalibrationParams::default()
            .fit_window(p, &model, start, end)
            .unwrap();
        // The questionnaire signals (most customers did not answer) are left out of the fit.
        for c in &calibration.coefficients {
            let survey = matches!(
                c.signal,
                Signal::SurveyAheadOfTrend | Signal::SurveyExpectedBenefit
            );
            assert_eq!(c.fate == SignalFate::Incomplete, survey, "{c:?}");
        }
        let scores = calibration.model.score(p, start).unwrap();
        let weighted: Vec<_> = calibration
            .coefficients
            .iter()
            .filter(|c| c.fate == SignalFate::Weighted)
            .collect();
        assert!(!weighted.is_empty());
        // For every customer, whether they answered the questionnaire or not.
        for c in p.customers() {
            let eta = calibration.intercept
                + weighted
                    .iter()
                    .map(|w| {
                        let normalized = scores.normalized(&w.dimension, w.signal).unwrap();
                        w.coefficient * normalized[c.get()]
                    })
                    .sum::<f64>();
            let lead = scores.lead(c);
            assert!((calibration.log_odds(lead) - eta).abs() < 1e-9, "{c:?}");
        }
        // Its fitted probabilities average close to the base rate of the window fitted, as a
        // logistic fit with an unpenalized intercept makes them on the customers fitted.
        let outcomes = Outcomes::observe(p, start, end, &OutcomeRules::default()).unwrap();
        let leads = outcomes.select(scores.lead_scores()).unwrap();
        let mean = leads
            .iter()
            .map(|&l| calibration.probability(l))
            .sum::<f64>()
            / leads.len() as f64;
        let rate = outcomes.positives() as f64 / outcomes.customers() as f64;
        assert!((mean - rate).abs() < 1e-6, "{mean} vs {rate}");
    }
}

#[test]
fn a_calibration_window_before_the_data_is_refused() {
    let base = base(500, 7);
    let err = CalibrationParams::default()
        .fit_preceding(
            &base.population,
            &ScoringModel::default(),
            day("2022-06-01"),
            day("2023-06-01"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), lead_customers::ErrorKind::AsOfBeforeData);
    let err = CalibrationParams::default()
        .fit_preceding(
            &base.population,
            &ScoringModel::default(),
            day("2024-06-01"),
            day("2024-06-01"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), lead_customers::ErrorKind::InvalidParameter);
}

#[test]
fn fitting_scores_and_labels_equals_fitting_the_window_when_everyone_is_judged() {
    let base = base(1_500, 8);
    let p = &base.population;
    let (start, end) = (day("2023-01-01"), day("2024-01-01"));
    let params = CalibrationParams {
        outcomes: OutcomeRules {
            known_customers_only: false,
            ..OutcomeRules::default()
        },
        ..CalibrationParams::default()
    };
    let model = ScoringModel::default();
    let window = params.fit_window(p, &model, start, end).unwrap();
    let outcomes = Outcomes::observe(p, start, end, &params.outcomes).unwrap();
    let scores = model.score(p, start).unwrap();
    let direct = params.fit(&scores, outcomes.labels()).unwrap();
    assert_eq!(window, direct);
    // Everyone judged, but only the customers known at the start have signals to fit.
    let known = p.customers().filter(|&c| p.known_at(c, start)).count();
    assert!(
        known < p.len(),
        "some customers first appear after the start"
    );
    assert_eq!(direct.observations, known);
    let err = params.fit(&scores, &outcomes.labels()[1..]).unwrap_err();
    assert_eq!(err.kind(), lead_customers::ErrorKind::LengthMismatch);
}
