//! The BG/NBD model on a population: summaries from interactions, the fitted model, at-risk leads.

use lead_customers::btyd::{
    ActivityParams, AliveModel, FitOptions, SummaryOptions, TimeUnit, leads_at_risk, summarize,
};
use lead_customers::synthetic::{Generator, GeneratorConfig, SyntheticBase};
use lead_customers::time::parse_timestamp;
use lead_customers::{
    Channel, Customer, ErrorKind, Interaction, InteractionKind, Population, ScoringModel,
};

fn at(text: &str) -> jiff::Timestamp {
    parse_timestamp(text).unwrap()
}

fn synthetic(customers: usize, seed: u64) -> SyntheticBase {
    Generator::new(GeneratorConfig {
        customers,
        seed,
        ..Default::default()
    })
    .generate()
    .unwrap()
}

#[test]
fn summaries_count_repeat_days_of_the_chosen_kinds_up_to_the_calibration_end() {
    let mut b = Population::builder();
    for id in ["A", "B", "P"] {
        b.add_customer(Customer::new(id)).unwrap();
    }
    let buy = |who: &str, when: &str| {
        Interaction::new(who, at(when), Channel::Sales, InteractionKind::Purchase)
    };
    for (who, when) in [
        ("A", "2024-01-01T09:00:00Z"),
        ("A", "2024-01-01T17:00:00Z"),
        ("A", "2024-01-08"),
        ("A", "2024-01-29"),
        ("A", "2024-03-01"),
        ("B", "2024-01-15"),
    ] {
        b.add_interaction(buy(who, when)).unwrap();
    }
    b.add_interaction(Interaction::new(
        "P",
        at("2024-01-02"),
        Channel::Community,
        InteractionKind::Answer,
    ))
    .unwrap();
    let p = b.build().unwrap();
    let days = ActivityParams {
        summary: SummaryOptions {
            period: TimeUnit::Days,
            unit: TimeUnit::Days,
        },
        ..Default::default()
    };
    let s = summarize(&p, at("2024-02-12"), &days).unwrap();
    let a = s[p.index_of("A").unwrap().get()].unwrap();
    // Days 0 (twice), 7 and 28 by the calibration end on day 42; the March purchase is later.
    assert_eq!((a.frequency(), a.recency(), a.t()), (2, 28.0, 42.0));
    let b = s[p.index_of("B").unwrap().get()].unwrap();
    assert_eq!((b.frequency(), b.recency(), b.t()), (0, 0.0, 28.0));
    assert!(
        s[p.index_of("P").unwrap().get()].is_none(),
        "a prospect without purchases has no summary"
    );
    // Counting every interaction the customer starts covers the prospect too.
    let all = summarize(&p, at("2024-02-12"), &ActivityParams::customer_initiated()).unwrap();
    assert!(all[p.index_of("P").unwrap().get()].is_some());
    let none = ActivityParams {
        kinds: vec![],
        ..Default::default()
    };
    assert_eq!(
        summarize(&p, at("2024-02-12"), &none).unwrap_err().kind(),
        ErrorKind::InvalidParameter
    );
}

#[test]
fn the_fitted_model_gives_probabilities_and_at_risk_leads() {
    let base = synthetic(3_000, 2);
    let p = &base.population;
    let end = at("2024-09-30");
    let model =
        AliveModel::fit(p, end, &ActivityParams::default(), &FitOptions::default()).unwrap();
    assert!(model.fit.converged);
    assert_eq!(
        model.fit.customers,
        p.customers()
            .filter(|&c| model.summary(c).is_some())
            .count()
    );
    let column = model.probability_alive_column();
    assert!(column.iter().all(|x| (0.0..=1.0).contains(x)));
    for c in p.customers().take(50) {
        assert_eq!(model.probability_alive(c), column[c.get()]);
        if model.summary(c).is_none() {
            assert_eq!(model.probability_alive(c), 0.0);
            assert_eq!(model.expected_activity(c, 13.0).unwrap(), 0.0);
        }
    }
    // Lapsed leads (quiet for a year or more) are less likely alive than active leads.
    let mean = |wanted: lead_customers::synthetic::Archetype| {
        let v: Vec<f64> = p
            .customers()
            .filter(|&c| base.truth.archetype(c) == wanted && model.summary(c).is_some())
            .map(|c| model.probability_alive(c))
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    use lead_customers::synthetic::Archetype;
    assert!(
        mean(Archetype::LapsedLead) < mean(Archetype::Lead) - 0.2,
        "{} vs {}",
        mean(Archetype::LapsedLead),
        mean(Archetype::Lead)
    );

    let scores = ScoringModel::default().score(p, end).unwrap();
    let at_risk = leads_at_risk(&scores, &model, 100).unwrap();
    assert!(!at_risk.is_empty() && at_risk.iter().all(|r| r.rank <= 100));
    assert!(
        at_risk
            .windows(2)
            .all(|w| w[0].probability_alive <= w[1].probability_alive)
    );
    assert!(at_risk.iter().all(|r| {
        model
            .summary(p.index_of(r.customer_id.as_str()).unwrap())
            .is_some()
    }));
}

#[test]
fn scores_and_a_model_of_different_populations_are_refused() {
    let make = |customers, seed| synthetic(customers, seed).population;
    // Fewer customers in the model's population: an index beyond it, or another customer.
    let (big, small) = (make(2_000, 1), make(500, 7));
    let end = at("2024-09-30");
    let fit = |p| AliveModel::fit(p, end, &ActivityParams::default(), &FitOptions::default());
    let scores = ScoringModel::default().score(&big, end).unwrap();
    let err = leads_at_risk(&scores, &fit(&small).unwrap(), 2_000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    let small_scores = ScoringModel::default().score(&small, end).unwrap();
    let err = leads_at_risk(&small_scores, &fit(&big).unwrap(), 10).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    // The same customers, but a model fitted a month later than the scores: it knows more.
    let later = AliveModel::fit(
        &big,
        at("2024-10-31"),
        &ActivityParams::default(),
        &FitOptions::default(),
    )
    .unwrap();
    assert_eq!(later.calibration_end(), at("2024-10-31"));
    let err = leads_at_risk(&scores, &later, 100).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert!(err.to_string().contains("calibration end"), "{err}");
    // The same customers in the same order (a clone, or another export of them: the generator
    // names customers by their place) are the same population.
    for same in [big.clone(), make(2_000, 9)] {
        let model = AliveModel::fit(
            &same,
            end,
            &ActivityParams::default(),
            &FitOptions::default(),
        )
        .unwrap();
        assert_eq!(model.population().customer_ids(), big.customer_ids());
        assert!(!leads_at_risk(&scores, &model, 100).unwrap().is_empty());
    }
}

/// Nobody has activity of the counted kinds yet: the error says so, rather than that the
/// population (which has customers) is empty.
#[test]
fn a_model_with_nobody_to_fit_says_so() {
    let mut b = Population::builder();
    for id in ["A", "B"] {
        b.add_customer(Customer::new(id)).unwrap();
    }
    let event = |who, when, kind| Interaction::new(who, at(when), Channel::Chat, kind);
    b.add_interaction(event("A", "2024-01-01", InteractionKind::Question))
        .unwrap();
    b.add_interaction(event("B", "2024-02-01", InteractionKind::Purchase))
        .unwrap();
    let p = b.build().unwrap();
    let fit = |end| {
        AliveModel::fit(
            &p,
            at(end),
            &ActivityParams::default(),
            &FitOptions::default(),
        )
    };
    let err = fit("2024-01-15").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert!(err.to_string().contains("nobody to fit"), "{err}");
    assert!(!err.to_string().contains("empty"), "{err}");
}
