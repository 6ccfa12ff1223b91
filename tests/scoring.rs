//! Scoring: properties over synthetic bases, and behaviour on small hand-made populations.

use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::time::parse_timestamp;
use lead_customers::{
    Channel, CoDesignSession, Combination, Customer, ErrorKind, Idea, IdeaStatus, Interaction,
    InteractionKind, Participation, Population, PopulationBuilder, ScoringModel, Segment, Signal,
    WeightedSignal,
};
use proptest::prelude::*;

fn at(text: &str) -> jiff::Timestamp {
    parse_timestamp(text).unwrap()
}

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

/// A builder holding customers who each asked one question, at the time given with them.
fn asked_once<'a>(
    customers: impl IntoIterator<Item = (&'a str, jiff::Timestamp)>,
) -> PopulationBuilder {
    let mut b = Population::builder();
    for (id, time) in customers {
        b.add_customer(Customer::new(id)).unwrap();
        let asked = Interaction::new(id, time, Channel::Chat, InteractionKind::Question);
        b.add_interaction(asked).unwrap();
    }
    b
}

/// Every record of a population, added to a builder in a shuffled order, plus `extra` records.
fn rebuild(p: &Population, seed: u64, extra: impl FnOnce(&mut PopulationBuilder)) -> Population {
    use rand::{SeedableRng, seq::SliceRandom};
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    let mut r = p.records();
    r.customers.shuffle(&mut rng);
    r.interactions.shuffle(&mut rng);
    r.ideas.shuffle(&mut rng);
    r.sessions.shuffle(&mut rng);
    r.participations.shuffle(&mut rng);
    r.responses.shuffle(&mut rng);
    let mut b = Population::builder();
    r.add_to(&mut b).unwrap();
    extra(&mut b);
    b.build().unwrap()
}

/// The default model with the on-demand BG/NBD signals added to engagement.
fn model_with_alive() -> ScoringModel {
    let mut model = ScoringModel::default();
    let engagement = &mut model.dimensions[0].signals;
    engagement.push(WeightedSignal::new(Signal::ProbabilityAlive, 1.0));
    engagement.push(WeightedSignal::new(Signal::ExpectedActivity, 0.5));
    model
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn scores_are_finite_and_within_zero_and_one(seed in 1u64..1000, days_back in 0i64..700) {
        let p = base(200, seed);
        let as_of = p.latest().unwrap() - jiff::SignedDuration::from_hours(24 * days_back);
        let scores = ScoringModel::default().score(&p, as_of.max(p.earliest().unwrap())).unwrap();
        for c in p.customers() {
            let s = scores.lead(c);
            prop_assert!(s.is_finite() && (0.0..=1.0).contains(&s), "lead {}", s);
            for d in [scores.engagement(c), scores.innovation(c)] {
                prop_assert!(d.is_finite() && (0.0..=1.0).contains(&d));
            }
        }
        for &signal in Signal::ALL.iter().filter(|s| !s.is_on_demand()) {
            prop_assert!(scores.signals().column(signal).unwrap().iter().all(|v| v.is_finite()), "{}", signal);
        }
    }

    #[test]
    fn input_order_changes_no_score(seed in 1u64..1000, shuffle in 0u64..1000) {
        let p = base(150, seed);
        let shuffled = rebuild(&p, shuffle, |_| {});
        let model = ScoringModel::default();
        let a = model.score_latest(&p).unwrap();
        let b = model.score_latest(&shuffled).unwrap();
        prop_assert_eq!(a.lead_scores(), b.lead_scores());
        prop_assert_eq!(a.ranking(), b.ranking());
    }

    #[test]
    fn an_event_after_the_as_of_time_changes_nothing(seed in 1u64..1000, who in 0usize..150, days in 1i64..300, kind in 0usize..16) {
        let p = base(150, seed);
        let as_of = p.latest().unwrap() - jiff::SignedDuration::from_hours(24 * 200);
        let later = as_of + jiff::SignedDuration::from_hours(24 * days);
        let customer = p.customer_id(p.customer_at(who).unwrap()).clone();
        let kind = InteractionKind::ALL[kind];
        let topic = p.topics()[who % p.topics().len()].clone();
        let more = rebuild(&p, seed, |b| {
            b.add_interaction(Interaction::new(customer.clone(), later, Channel::Community, kind).with_topic(topic.clone())).unwrap();
            let idea = Idea::new("late-idea", customer.clone(), later).with_topic(topic.clone())
                .with_status(IdeaStatus::Shipped, Some(later));
            b.add_idea(idea).unwrap();
            b.add_session(CoDesignSession::new("late-session", later).with_topic(topic)).unwrap();
            b.add_participation(Participation::attended("late-session", customer, 9).with_rating(5.0)).unwrap();
        });
        let model = ScoringModel::default();
        let a = model.score(&p, as_of).unwrap();
        let b = model.score(&more, as_of).unwrap();
        prop_assert_eq!(a.lead_scores(), b.lead_scores());
        for &signal in Signal::ALL.iter().filter(|s| !s.is_on_demand()) {
            prop_assert_eq!(a.signals().column(signal).unwrap(), b.signals().column(signal).unwrap(), "{}", signal);
        }
    }

    /// A customer the company first knew after T (a later `since`, and every record later) is
    /// not part of the population scored as of T: nobody else's scores move, and they have no
    /// signal value, no dimension score and a lead score of 0. (They were counted before, with
    /// nothing done, and moved everyone's percentile ranks.) Bit for bit here, as the base fits
    /// in one chunk of customers: beyond 4,096, the population's sums behind the priors are
    /// added chunk by chunk, and a customer more moves the chunks' bounds, so the sums may
    /// differ in their last bits.
    #[test]
    fn a_customer_first_known_after_the_as_of_time_changes_nobody_elses_scores(seed in 1u64..1000, days_back in 30i64..500, days in 1i64..300, with_since in any::<bool>()) {
        let p = base(150, seed);
        let as_of = p.latest().unwrap() - jiff::SignedDuration::from_hours(24 * days_back);
        let later = as_of + jiff::SignedDuration::from_hours(24 * days);
        let topic = p.topics()[seed as usize % p.topics().len()].clone();
        let mut newcomer = Customer::new("ZZ-newcomer");
        if with_since {
            newcomer = newcomer.with_since(jiff::tz::Offset::UTC.to_datetime(later).date());
        }
        let more = rebuild(&p, seed, |b| {
            b.add_customer(newcomer).unwrap();
            b.add_interaction(Interaction::new("ZZ-newcomer", later, Channel::Community, InteractionKind::Workaround).with_topic(topic.clone())).unwrap();
            b.add_idea(Idea::new("late-idea", "ZZ-newcomer", later).with_topic(topic.clone())).unwrap();
            b.add_session(CoDesignSession::new("late-session", later).with_topic(topic)).unwrap();
            b.add_participation(Participation::attended("late-session", "ZZ-newcomer", 3).with_rating(4.0)).unwrap();
        });
        let newcomer = more.index_of("ZZ-newcomer").unwrap();
        prop_assert!(!more.known_at(newcomer, as_of));
        prop_assert!(more.known_at(newcomer, later));
        let model = ScoringModel::default();
        let a = model.score(&p, as_of).unwrap();
        let b = model.score(&more, as_of).unwrap();
        for c in p.customers() {
            let d = more.index_of(p.customer_id(c).as_str()).unwrap();
            prop_assert_eq!(a.lead(c).to_bits(), b.lead(d).to_bits(), "{}", p.customer_id(c));
            prop_assert_eq!(a.segment(c), b.segment(d));
        }
        let explained = b.score(newcomer);
        prop_assert_eq!(explained.lead, 0.0);
        prop_assert!(explained.dimensions.iter().all(|d| d.score.is_none()));
        prop_assert!(explained.signals.iter().all(|s| s.raw.is_none() && s.normalized.is_none()));
        // Not ranked, not counted in a segment or a share.
        prop_assert!(b.ranking().iter().all(|r| r.customer != newcomer));
        let known = p.customers().filter(|&c| p.known_at(c, as_of)).count();
        prop_assert_eq!(b.ranking().len(), known);
        prop_assert_eq!((a.ranked_count(), b.ranked_count()), (known, known));
        prop_assert_eq!(a.segment_counts(), b.segment_counts());
        prop_assert_eq!(a.top_share(0.1).unwrap().len(), b.top_share(0.1).unwrap().len());
    }

    #[test]
    fn scaling_all_weights_changes_no_ranking(seed in 1u64..1000, factor in 0.01f64..100.0, arithmetic in any::<bool>()) {
        let p = base(200, seed);
        let mut model = ScoringModel::default();
        if arithmetic {
            model.combination = Combination::ArithmeticMean;
        }
        let mut scaled = model.clone();
        for d in &mut scaled.dimensions {
            d.weight *= factor;
            for s in &mut d.signals {
                s.weight *= factor;
            }
        }
        let a = model.score_latest(&p).unwrap();
        let b = scaled.score_latest(&p).unwrap();
        // Equal up to floating-point rounding...
        for (x, y) in a.lead_scores().iter().zip(b.lead_scores()) {
            prop_assert!((x - y).abs() <= 1e-12, "{} vs {}", x, y);
        }
        // ...so the rankings agree except between customers whose scores differ by rounding only.
        let (ra, rb) = (a.ranking(), b.ranking());
        for (x, y) in ra.iter().zip(&rb) {
            if x.customer != y.customer {
                prop_assert!((a.lead(x.customer) - a.lead(y.customer)).abs() <= 1e-12,
                    "rank {}: {:?} vs {:?}", x.rank, x, y);
            }
        }
    }
}

/// A population where `C1` has 1 of 1 decided ideas shipped and `C2` 8 of 10, among customers
/// whose ideas mostly fail.
fn idea_track_records() -> Population {
    let mut b = Population::builder();
    let mut idea = 0;
    let mut add = |b: &mut PopulationBuilder, who: &str, shipped: usize, declined: usize| {
        b.add_customer(Customer::new(who)).unwrap();
        b.add_interaction(Interaction::new(
            who,
            at("2024-01-01"),
            Channel::Email,
            InteractionKind::Question,
        ))
        .unwrap();
        for k in 0..shipped + declined {
            idea += 1;
            let status = if k < shipped {
                IdeaStatus::Shipped
            } else {
                IdeaStatus::Declined
            };
            b.add_idea(
                Idea::new(format!("I{idea}"), who, at("2024-02-01"))
                    .with_status(status, Some(at("2024-03-01"))),
            )
            .unwrap();
        }
    };
    add(&mut b, "C1", 1, 0);
    add(&mut b, "C2", 8, 2);
    for k in 0..30 {
        add(&mut b, &format!("X{k:02}"), k % 3 / 2, 3);
    }
    b.build().unwrap()
}

#[test]
fn one_of_one_does_not_beat_eight_of_ten() {
    let p = idea_track_records();
    let scores = ScoringModel::default().score(&p, at("2024-06-01")).unwrap();
    let quality = scores.signals().column(Signal::IdeaQuality).unwrap();
    let (c1, c2) = (
        p.index_of("C1").unwrap().get(),
        p.index_of("C2").unwrap().get(),
    );
    assert!(
        quality[c1] < quality[c2],
        "1 of 1: {}, 8 of 10: {}",
        quality[c1],
        quality[c2]
    );
    let prior = scores.signals().prior(Signal::IdeaQuality).unwrap();
    assert!(
        quality[c1] > prior.mean(),
        "one success still lifts above the population rate"
    );
}

/// Who is known as of T does not depend on how far the data runs after T: a customer with no
/// date at all is known from the start, not from the last event (which a later newcomer moves).
#[test]
fn a_customer_without_any_date_is_known_whatever_comes_later() {
    let mut b = Population::builder();
    for (id, days) in [("W", vec![1]), ("X", vec![10, 60]), ("Y", vec![30, 60])] {
        b.add_customer(Customer::new(id)).unwrap();
        for d in days {
            let on = at("2024-01-01") + jiff::SignedDuration::from_hours(24 * d);
            b.add_interaction(Interaction::new(
                id,
                on,
                Channel::Community,
                InteractionKind::Answer,
            ))
            .unwrap();
        }
    }
    b.add_customer(Customer::new("Z")).unwrap();
    let p = b.build().unwrap();
    let t = p.latest().unwrap();
    let mut records = p.records();
    records.customers.push(Customer::new("N"));
    let later = t + jiff::SignedDuration::from_hours(24 * 30);
    records.interactions.push(Interaction::new(
        "N",
        later,
        Channel::Email,
        InteractionKind::Question,
    ));
    let more = records.build().unwrap();
    for population in [&p, &more] {
        assert!(population.known_at(population.index_of("Z").unwrap(), p.earliest().unwrap()));
    }
    let (a, b) = (
        ScoringModel::default().score(&p, t).unwrap(),
        ScoringModel::default().score(&more, t).unwrap(),
    );
    for c in p.customers() {
        let d = more.index_of(p.customer_id(c).as_str()).unwrap();
        assert_eq!(
            a.lead(c).to_bits(),
            b.lead(d).to_bits(),
            "{}",
            p.customer_id(c)
        );
    }
}

#[test]
fn decisions_after_the_as_of_time_are_not_known() {
    let p = idea_track_records();
    // On 2024-02-15 the ideas are submitted but not decided.
    let scores = ScoringModel::default().score(&p, at("2024-02-15")).unwrap();
    let quality = scores.signals().column(Signal::IdeaQuality).unwrap();
    assert!(
        quality.iter().all(|&q| q == quality[0]),
        "nobody has a decided idea yet"
    );
    let best = scores.score(p.index_of("C2").unwrap());
    assert!(
        best.reasons()
            .iter()
            .all(|r| r.signal != Signal::IdeaQuality)
    );
    let later = ScoringModel::default().score(&p, at("2024-06-01")).unwrap();
    let reasons: Vec<String> = later
        .score(p.index_of("C2").unwrap())
        .reasons()
        .iter()
        .map(|r| r.text.clone())
        .collect();
    assert!(
        reasons.contains(&"8 of 10 decided ideas shipped".to_string()),
        "{reasons:?}"
    );
}

#[test]
fn an_as_of_time_before_all_data_is_an_error() {
    let p = idea_track_records();
    let err = ScoringModel::default()
        .score(&p, at("2023-01-01"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AsOfBeforeData);
}

#[test]
fn a_population_without_events_cannot_be_scored() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    let p = b.build().unwrap();
    let err = ScoringModel::default().score_latest(&p).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EmptyPopulation);
    // Not "the population is empty": it has a customer, and no event.
    assert!(
        err.to_string().contains("has customers but no event"),
        "{err}"
    );
}

#[test]
fn invalid_models_are_refused() {
    type Spoil = Box<dyn Fn(&mut ScoringModel)>;
    let cases: Vec<(&str, Spoil)> = vec![
        (
            "negative weight",
            Box::new(|m| m.dimensions[0].signals[0].weight = -1.0),
        ),
        (
            "NaN weight",
            Box::new(|m| m.dimensions[1].signals[0].weight = f64::NAN),
        ),
        (
            "infinite dimension weight",
            Box::new(|m| m.dimensions[0].weight = f64::INFINITY),
        ),
        (
            "all zero in a dimension",
            Box::new(|m| {
                m.dimensions[0]
                    .signals
                    .iter_mut()
                    .for_each(|s| s.weight = 0.0)
            }),
        ),
        (
            "all dimensions zero",
            Box::new(|m| m.dimensions.iter_mut().for_each(|d| d.weight = 0.0)),
        ),
        (
            "no innovation dimension",
            Box::new(|m| m.dimensions[1].name = "ideas".into()),
        ),
        (
            "duplicate dimension",
            Box::new(|m| m.dimensions[1].name = "engagement".into()),
        ),
        (
            "signal twice",
            Box::new(|m| {
                let s = m.dimensions[0].signals[0].clone();
                m.dimensions[0].signals.push(s)
            }),
        ),
        (
            "zero half-life",
            Box::new(|m| m.signals.half_life_days = 0.0),
        ),
        (
            "signal weights adding up past the largest number",
            Box::new(|m| {
                m.dimensions[0].signals[0].weight = f64::MAX;
                m.dimensions[0].signals[1].weight = f64::MAX;
            }),
        ),
        (
            "dimension weights adding up past the largest number",
            Box::new(|m| {
                m.dimensions[0].weight = 1e300;
                m.dimensions[1].weight = f64::MAX;
            }),
        ),
        (
            "a prior strength beyond a trillion sessions",
            Box::new(|m| m.signals.rating_prior_strength = f64::MAX),
        ),
        (
            "a subnormal weight",
            Box::new(|m| m.dimensions[0].signals[0].weight = 1e-320),
        ),
        (
            "a half-life too short for a finite decay rate",
            Box::new(|m| m.signals.half_life_days = 5e-324),
        ),
        (
            "a half-life too long for a decay rate that keeps its precision",
            Box::new(|m| m.signals.half_life_days = 1e308),
        ),
        (
            "a growth window shorter than a second",
            Box::new(|m| m.signals.growth_window_days = 0.5 / 86_400.0),
        ),
        (
            "a horizon of expected activity beyond a century",
            Box::new(|m| m.signals.alive.horizon_days = 36_526.0),
        ),
        (
            "a horizon of expected activity of 1e300 days",
            Box::new(|m| m.signals.alive.horizon_days = 1e300),
        ),
        (
            "an infinite prior strength",
            Box::new(|m| m.signals.contributions_prior_strength = f64::INFINITY),
        ),
    ];
    for (what, spoil) in cases {
        let mut model = ScoringModel::default();
        spoil(&mut model);
        let err = model.check().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidParameter, "{what}");
    }
}

#[test]
fn the_largest_weights_and_priors_allowed_give_scores_in_range() {
    // Weights near the largest that can be added up, and the strongest priors: every score is
    // still a number from 0 to 1, and the ranking is the one of the same weights scaled down.
    let p = base(120, 7);
    let as_of = p.latest().unwrap();
    let mut huge = ScoringModel::default();
    let signals: usize = huge.dimensions.iter().map(|d| d.signals.len()).sum();
    let scale = f64::MAX / (2 * signals) as f64;
    for d in &mut huge.dimensions {
        d.weight *= scale;
        d.signals.iter_mut().for_each(|s| s.weight *= scale);
    }
    huge.signals.rating_prior_strength = lead_customers::MAX_PRIOR_STRENGTH;
    huge.signals.contributions_prior_strength = lead_customers::MAX_PRIOR_STRENGTH;
    huge.check().unwrap();
    let scores = huge.score(&p, as_of).unwrap();
    assert!(scores.lead_scores().iter().all(|s| (0.0..=1.0).contains(s)));
    let mut plain = huge.clone();
    plain.dimensions = ScoringModel::default().dimensions;
    let plain = plain.score(&p, as_of).unwrap();
    let order =
        |s: &lead_customers::Scores| -> Vec<_> { s.top(120).iter().map(|r| r.customer).collect() };
    assert_eq!(order(&scores), order(&plain));
}

#[test]
fn a_missing_dimension_pulls_the_geometric_mean_down_but_not_the_arithmetic_one() {
    let p = base(300, 4);
    let geometric = ScoringModel::default().score_latest(&p).unwrap();
    let model = ScoringModel {
        combination: Combination::ArithmeticMean,
        ..Default::default()
    };
    let arithmetic = model.score_latest(&p).unwrap();
    // The customer with the widest gap between dimensions.
    let c = p
        .customers()
        .max_by(|&a, &b| {
            let gap = |c| (geometric.engagement(c) - geometric.innovation(c)).abs();
            gap(a).total_cmp(&gap(b))
        })
        .unwrap();
    assert!(geometric.lead(c) < arithmetic.lead(c));
    let (e, i) = (geometric.engagement(c), geometric.innovation(c));
    assert!((geometric.lead(c) - e.powf(0.4) * i.powf(0.6)).abs() < 1e-12);
    assert!((arithmetic.lead(c) - (0.4 * e + 0.6 * i)).abs() < 1e-12);
}

#[test]
fn ranking_is_deterministic_and_ties_go_to_the_smaller_id() {
    let mut b = Population::builder();
    for id in ["B", "A", "C"] {
        b.add_customer(Customer::new(id)).unwrap();
        b.add_interaction(Interaction::new(
            id,
            at("2024-01-01"),
            Channel::Chat,
            InteractionKind::Question,
        ))
        .unwrap();
    }
    let p = b.build().unwrap();
    let scores = ScoringModel::default().score_latest(&p).unwrap();
    let ids: Vec<&str> = scores
        .ranking()
        .iter()
        .map(|r| p.customer_id(r.customer).as_str())
        .collect();
    assert_eq!(ids, ["A", "B", "C"]);
    // In JSON the position is `customer_index`, never `customer` (which is an id elsewhere).
    let json = serde_json::to_value(scores.ranking()[1]).unwrap();
    assert_eq!(
        json["customer_index"],
        p.index_of("B").unwrap().get(),
        "{json}"
    );
    assert_eq!(json["rank"], 2);
    assert!(json.get("customer").is_none(), "{json}");
    assert_eq!(scores.top(2).len(), 2);
    assert_eq!(scores.top_share(0.34).unwrap().len(), 2);
    assert!(scores.top_share(1.5).is_err());
}

#[test]
fn top_selection_agrees_with_the_full_ranking() {
    let p = base(2_000, 7);
    let scores = ScoringModel::default().score_latest(&p).unwrap();
    let all = scores.ranking();
    for k in [1, 10, 80, 1999, 2000, 5000] {
        assert_eq!(scores.top(k), all[..k.min(all.len())].to_vec(), "k = {k}");
    }
    assert!(all.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn segments_cover_everyone_and_lead_customers_are_a_small_share() {
    let p = base(5_000, 2);
    let scores = ScoringModel::default().score_latest(&p).unwrap();
    let counts = scores.segment_counts();
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<usize>(), 5_000);
    let leads = counts
        .iter()
        .find(|(s, _)| *s == Segment::LeadCustomer)
        .unwrap()
        .1;
    assert!((100..=500).contains(&leads), "{leads} lead customers");
    for c in p.customers().take(100) {
        let s = scores.segment(c);
        assert_eq!(
            s == Segment::LeadCustomer || s == Segment::LatentInnovator,
            scores.innovation(c) >= {
                let mut v = scores.dimension_scores("innovation").unwrap().to_vec();
                v.sort_by(|a, b| b.total_cmp(a));
                v[499]
            }
        );
    }
}

#[test]
fn a_score_explains_itself() {
    let p = base(1_000, 3);
    let scores = ScoringModel::default().score_latest(&p).unwrap();
    let best = scores.top(1)[0].customer;
    let score = scores.score(best);
    assert_eq!(score.lead, scores.lead(best));
    for d in &score.dimensions {
        let sum: f64 = score
            .signals
            .iter()
            .filter(|s| s.dimension == d.name)
            .map(|s| s.contribution)
            .sum();
        let dimension = d.score.unwrap();
        assert!(
            (sum - dimension).abs() < 1e-12,
            "{}: contributions {sum} vs score {dimension}",
            d.name,
        );
    }
    assert!(!score.reasons().is_empty() && score.reasons().len() <= 3);
    assert!(
        score
            .reasons()
            .windows(2)
            .all(|w| w[0].impact >= w[1].impact)
    );
    assert_eq!(score.reported.len(), 4);
    let text = score.to_string();
    assert!(text.contains(score.customer.as_str()));
}

/// The on-demand BG/NBD signals: in range, known only from data up to the as-of time, and
/// recorded in the scores when a model asks for them.
#[test]
fn the_buy_till_you_die_signals_are_point_in_time_and_in_range() {
    let p = base(2_000, 5);
    let as_of = p.latest().unwrap() - jiff::SignedDuration::from_hours(24 * 120);
    let customer = p.customer_id(p.customer_at(17).unwrap()).clone();
    let later = as_of + jiff::SignedDuration::from_hours(24 * 30);
    let more = rebuild(&p, 1, |b| {
        for k in 0..20 {
            let t = later + jiff::SignedDuration::from_hours(24 * k);
            b.add_interaction(Interaction::new(
                customer.clone(),
                t,
                Channel::Product,
                InteractionKind::Usage,
            ))
            .unwrap();
        }
    });
    let model = model_with_alive();
    let a = model.score(&p, as_of).unwrap();
    let b = model.score(&more, as_of).unwrap();
    for signal in [Signal::ProbabilityAlive, Signal::ExpectedActivity] {
        let column = a.signals().column(signal).unwrap();
        assert!(
            column.iter().all(|v| v.is_finite() && *v >= 0.0),
            "{signal}"
        );
        assert_eq!(Some(column), b.signals().column(signal), "{signal}");
    }
    assert!(
        a.signals()
            .column(Signal::ProbabilityAlive)
            .unwrap()
            .iter()
            .all(|p| *p <= 1.0)
    );
    assert_eq!(a.lead_scores(), b.lead_scores());
    // Without the signals in the model they are not computed.
    let plain = ScoringModel::default().score(&p, as_of).unwrap();
    assert!(plain.signals().column(Signal::ProbabilityAlive).is_none());
}

/// A population where three customers answered the lead-user questionnaire (one too little to
/// count) and one did not answer at all.
fn surveyed() -> Population {
    use lead_customers::evidence::Response;
    let mut b = Population::builder();
    for id in ["A", "B", "C", "D"] {
        b.add_customer(Customer::new(id)).unwrap();
        b.add_interaction(Interaction::new(
            id,
            at("2024-01-01"),
            Channel::Email,
            InteractionKind::Question,
        ))
        .unwrap();
    }
    let answer = |who: &str, item: &str, value: f64| {
        Response::new(who, item, value).with_answered_at(at("2024-02-01"))
    };
    for (item, value) in [("at1", 5.0), ("at2", 5.0), ("heb1", 4.0), ("heb2", 5.0)] {
        b.add_response(answer("A", item, value)).unwrap();
    }
    for (item, value) in [("at1", 2.0), ("at2", 1.0), ("heb1", 2.0), ("heb2", 2.0)] {
        b.add_response(answer("B", item, value)).unwrap();
    }
    // C answered one of four ahead-of-trend items (below the minimum of two) and nothing else.
    b.add_response(answer("C", "at1", 5.0)).unwrap();
    // Answers given after the as-of time used below.
    b.add_response(answer("D", "at1", 5.0).with_answered_at(at("2024-06-01")))
        .unwrap();
    b.add_response(answer("D", "at2", 5.0).with_answered_at(at("2024-06-01")))
        .unwrap();
    // Undated answers: known only at the end of the data (2024-06-01).
    b.add_customer(Customer::new("E")).unwrap();
    b.add_response(Response::new("E", "heb1", 3.0)).unwrap();
    b.add_response(Response::new("E", "heb2", 3.0)).unwrap();
    b.build().unwrap()
}

#[test]
fn questionnaire_signals_are_missing_not_zero_for_customers_without_enough_answers() {
    let p = surveyed();
    let table =
        lead_customers::SignalTable::compute(&p, at("2024-03-01"), &Default::default()).unwrap();
    let c = |id: &str| p.index_of(id).unwrap();
    let lead_userness = |id: &str| table.value(Signal::LeadUserness, c(id));
    // A: ahead of trend 5/5 -> 1, benefit 4.5 -> 0.875; lead-userness their mean.
    assert_eq!(table.value(Signal::SurveyAheadOfTrend, c("A")), Some(1.0));
    assert_eq!(
        table.value(Signal::SurveyExpectedBenefit, c("A")),
        Some(0.875)
    );
    assert_eq!(lead_userness("A"), Some(0.9375));
    assert!(lead_userness("B").unwrap() < 0.25);
    assert_eq!(lead_userness("C"), None, "one answer of four is too few");
    assert_eq!(
        lead_userness("D"),
        None,
        "answers given after the as-of time are not known"
    );
    assert_eq!(
        lead_userness("E"),
        None,
        "undated answers are known only at the end of the data"
    );
    assert_eq!(
        table.known(Signal::LeadUserness).unwrap(),
        [true, true, false, false, false]
    );
    // E, with undated answers only, has nothing that tells when they came: known from the
    // start of the data, whatever comes after the as-of time.
    assert!(table.known_customers().is_none());
    assert!(table.known(Signal::Recency).is_none());
    // The undated answers count once the data ends, the dated ones once given.
    let later =
        lead_customers::SignalTable::compute(&p, at("2024-06-01"), &Default::default()).unwrap();
    assert_eq!(later.value(Signal::LeadUserness, c("D")), Some(1.0));
    assert_eq!(later.value(Signal::LeadUserness, c("E")), Some(0.5));
    assert!(later.known_customers().is_none());
}

#[test]
fn a_missing_questionnaire_signal_leaves_the_dimension_to_the_other_signals() {
    let p = surveyed();
    let mut model = ScoringModel::default();
    model.dimensions.push(lead_customers::Dimension {
        name: "need".into(),
        weight: 0.3,
        signals: vec![WeightedSignal::new(Signal::LeadUserness, 1.0)],
    });
    model.dimensions[1]
        .signals
        .push(WeightedSignal::new(Signal::SurveyAheadOfTrend, 1.0));
    let scores = model.score(&p, at("2024-03-01")).unwrap();
    let c = |id: &str| p.index_of(id).unwrap();
    assert!(
        scores.dimension_score("need", c("A")).unwrap()
            > scores.dimension_score("need", c("B")).unwrap()
    );
    assert_eq!(scores.dimension_score("need", c("C")), None);
    // C's lead score combines engagement and innovation only, renormalized: 0.4 and 0.6 of 1.0.
    let (e, i) = (scores.engagement(c("C")), scores.innovation(c("C")));
    assert!((scores.lead(c("C")) - e.powf(0.4) * i.powf(0.6)).abs() < 1e-12);
    let explained = scores.score(c("C"));
    let survey = explained
        .signals
        .iter()
        .find(|s| s.signal == Signal::SurveyAheadOfTrend)
        .unwrap();
    assert_eq!(
        (survey.raw, survey.normalized, survey.contribution),
        (None, None, 0.0)
    );
    let innovation: f64 = explained
        .signals
        .iter()
        .filter(|s| s.dimension == "innovation")
        .map(|s| s.contribution)
        .sum();
    assert!(
        (innovation - i).abs() < 1e-12,
        "the other innovation signals carry the dimension"
    );
    assert_eq!(explained.dimension("need"), None);
}

#[test]
fn answers_off_the_questionnaire_scale_are_an_error_when_scored() {
    use lead_customers::evidence::Response;
    let mut b = Population::builder();
    b.add_customer(Customer::new("A")).unwrap();
    b.add_interaction(Interaction::new(
        "A",
        at("2024-01-01"),
        Channel::Email,
        InteractionKind::Question,
    ))
    .unwrap();
    b.add_response(Response::new("A", "at1", 9.0)).unwrap();
    let p = b.build().unwrap();
    let err = ScoringModel::default().score_latest(&p).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert!(err.to_string().contains("at1"), "{err}");
    let mut b = Population::builder();
    b.add_customer(Customer::new("A")).unwrap();
    let err = b
        .add_response(Response::new("A", "at1", f64::NAN))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NonFinite);
}

#[test]
fn zero_weight_dimensions_give_no_nan_in_explanations() {
    let p = base(300, 6);
    let mut model = ScoringModel::default();
    model.dimensions.iter_mut().for_each(|d| d.weight = 0.0);
    model.dimensions.push(lead_customers::Dimension {
        name: "survey".into(),
        weight: 1.0,
        signals: vec![WeightedSignal::new(Signal::LeadUserness, 1.0)],
    });
    let scores = model.score_latest(&p).unwrap();
    for c in p.customers() {
        let s = scores.score(c);
        assert!(
            s.signals
                .iter()
                .all(|x| x.impact.is_finite() && x.contribution.is_finite())
        );
        assert!(s.lead.is_finite());
    }
}

#[test]
fn enormous_windows_on_old_data_do_not_overflow() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("A")).unwrap();
    b.add_interaction(
        Interaction::new(
            "A",
            at("1960-01-01"),
            Channel::Email,
            InteractionKind::Question,
        )
        .with_topic("x"),
    )
    .unwrap();
    let p = b.build().unwrap();
    let mut model = ScoringModel::default();
    model.signals.growth_window_days = 1e15;
    model.signals.half_life_days = 1e15;
    let scores = model.score_latest(&p).unwrap();
    let c = p.index_of("A").unwrap();
    assert!(scores.lead(c).is_finite());
    assert!(!scores.score(c).customer.as_str().is_empty());
}

/// Sparse data, as at the start of a history: 19 of 20 customers alike at the bottom of
/// innovation. The top 10% on innovation is the one customer with an idea, not all 20. All 20
/// alike on engagement: nobody stands out as engaged (before, everyone was). And with no survey
/// answers at all, nobody is engaged on a survey-only engagement dimension.
#[test]
fn customers_alike_at_the_bottom_are_not_in_a_top_share() {
    let ids: Vec<String> = (0..20).map(|i| format!("C{i:02}")).collect();
    let mut b = asked_once(ids.iter().map(|id| (id.as_str(), at("2024-03-01"))));
    let idea = Idea::new("I1", "C00", at("2024-02-01"))
        .with_status(IdeaStatus::Shipped, Some(at("2024-02-20")));
    b.add_idea(idea).unwrap();
    let p = b.build().unwrap();
    let scores = ScoringModel::default().score(&p, at("2024-04-01")).unwrap();
    let innovator = p.index_of("C00").unwrap();
    for c in p.customers() {
        let expected = if c == innovator {
            Segment::LatentInnovator
        } else {
            Segment::Dormant
        };
        assert_eq!(scores.segment(c), expected, "{c:?}");
    }

    let survey_only: ScoringModel = serde_json::from_str(
        r#"{"dimensions": [
            {"name": "engagement", "weight": 1, "signals": [{"signal": "lead_userness", "weight": 1}]},
            {"name": "innovation", "weight": 1, "signals": [{"signal": "ideas", "weight": 1}]}]}"#,
    )
    .unwrap();
    let scores = survey_only.score(&p, at("2024-04-01")).unwrap();
    let not_engaged = |scores: &lead_customers::Scores<'_>| {
        p.customers().all(|c| {
            matches!(
                scores.segment(c),
                Segment::Dormant | Segment::LatentInnovator
            )
        })
    };
    assert!(not_engaged(&scores), "{:?}", scores.segment_counts());
    // Even where every score counts as high: nobody has survey answers to be engaged by.
    let mut everyone_high = survey_only;
    everyone_high.segments.engagement = lead_customers::Cutoff::AtLeast(0.0);
    let scores = everyone_high.score(&p, at("2024-04-01")).unwrap();
    assert!(not_engaged(&scores), "{:?}", scores.segment_counts());
}

/// A misspelt setting is an error, not a default used silently: every configuration type
/// refuses fields it does not know.
#[test]
fn misspelt_settings_are_refused() {
    use lead_customers::btyd::{ActivityParams, FitOptions, SummaryOptions};
    use lead_customers::synthetic::GeneratorConfig;
    use lead_customers::{Dimension, Normalization, Rising, SegmentRules, SignalParams};
    fn refused<T: serde::de::DeserializeOwned>(json: &str) -> bool {
        serde_json::from_str::<T>(json).is_err_and(|e| e.to_string().contains("unknown field"))
    }
    let signal = r#"{"signal": "ideas", "weight": 1}"#;
    let dimension = format!(r#"{{"name": "innovation", "weight": 1, "signals": [{signal}]}}"#);
    assert!(
        serde_json::from_str::<ScoringModel>(&format!(r#"{{"dimensions": [{dimension}]}}"#))
            .is_ok()
    );
    assert!(refused::<ScoringModel>(&format!(
        r#"{{"dimensions": [{dimension}], "combinaton": "arithmetic_mean"}}"#
    )));
    assert!(refused::<Dimension>(
        r#"{"name": "e", "weight": 1, "signals": [], "wieght": 2}"#
    ));
    assert!(refused::<WeightedSignal>(
        r#"{"signal": "ideas", "weight": 1, "direction ": "lower_is_better"}"#
    ));
    assert!(refused::<SignalParams>(r#"{"half_life_dayz": 30}"#));
    assert!(refused::<SignalParams>(r#"{"alive": {"horizon": 30}}"#));
    assert!(refused::<Normalization>(r#"{"scael": "log1p"}"#));
    assert!(refused::<SegmentRules>(
        r#"{"innovatoin": {"top_share": 0.05}}"#
    ));
    assert!(refused::<Rising>(r#"{"windows": 3}"#));
    assert!(refused::<GeneratorConfig>(r#"{"customer": 10}"#));
    assert!(refused::<FitOptions>(r#"{"max_iteration": 10}"#));
    assert!(refused::<SummaryOptions>(r#"{"units": "days"}"#));
    assert!(refused::<ActivityParams>(r#"{"kind": ["purchase"]}"#));
}

/// Times are whole seconds inside a population, rounded so that scoring as of `T` reads nothing
/// after `T`: an event later in `T`'s second is not counted; one earlier in it waits for the
/// next second; one on the second counts. (A customer whose only event is not counted is not
/// known yet either: they have no value.)
#[test]
fn nothing_later_in_the_as_of_second_is_counted() {
    use lead_customers::SignalTable;
    let activity = |p: &Population, as_of: &str, id: &str| {
        let table = SignalTable::compute(p, at(as_of), &Default::default()).unwrap();
        let c = p.index_of(id).unwrap();
        assert_eq!(
            p.known_at(c, at(as_of)),
            table.value(Signal::Activity, c).is_some()
        );
        table.value(Signal::Activity, c).unwrap_or(0.0)
    };
    let p = asked_once([
        ("A", at("2024-03-05T10:00:00Z")),
        ("B", at("2024-03-05T10:00:00.9Z")),
        ("C", at("2024-03-05T10:00:00.2Z")),
    ])
    .build()
    .unwrap();
    let half = "2024-03-05T10:00:00.5Z";
    assert!(activity(&p, half, "A") > 0.0);
    assert_eq!(activity(&p, half, "B"), 0.0);
    assert_eq!(activity(&p, half, "C"), 0.0);
    assert!(activity(&p, "2024-03-05T10:00:01Z", "B") > 0.0);
    assert!(activity(&p, "2024-03-05T10:00:01Z", "C") > 0.0);

    // Before 1970 too, where cutting a time toward 1970 would round the as-of time up (to 0
    // here) and count B.
    let p = asked_once([
        ("A", at("1969-12-31T23:59:59Z")),
        ("B", at("1969-12-31T23:59:59.9Z")),
    ])
    .build()
    .unwrap();
    let half = "1969-12-31T23:59:59.5Z";
    assert!(activity(&p, half, "A") > 0.0);
    assert_eq!(activity(&p, half, "B"), 0.0);
    assert!(activity(&p, "1970-01-01T00:00:00Z", "B") > 0.0);
}

/// A bad questionnaire setting is reported as such, even where the BG/NBD fit it would have
/// waited on fails too (nobody has purchased yet).
#[test]
fn settings_are_checked_before_a_fit_fails() {
    let p = asked_once([("A", at("2024-01-01"))]).build().unwrap();
    let mut model = ScoringModel::default();
    model.dimensions[0]
        .signals
        .push(WeightedSignal::new(Signal::ProbabilityAlive, 1.0));
    let fit_fails = model.score(&p, at("2024-02-01")).unwrap_err().to_string();
    assert!(fit_fails.contains("BG/NBD"), "{fit_fails}");
    model.signals.questionnaire.scale = 0;
    let err = model.score(&p, at("2024-02-01")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    assert!(err.to_string().contains("scale"), "{err}");
}

/// A signal table is read only beside the customers it was computed from: a table of another
/// population of the same size is refused, a clone's table is taken.
#[test]
fn a_table_of_other_customers_is_refused() {
    use lead_customers::evidence::NaiveRanking;
    use lead_customers::{SignalParams, SignalTable};
    let make = |ids: [&str; 2]| {
        asked_once(ids.map(|id| (id, at("2024-01-01"))))
            .build()
            .unwrap()
    };
    let (a, b) = (make(["A1", "A2"]), make(["B1", "B2"]));
    let table = |p: &Population| {
        SignalTable::compute(p, at("2024-02-01"), &SignalParams::default()).unwrap()
    };
    let model = ScoringModel::default();
    let err = lead_customers::Scores::new(&a, model.clone(), table(&b)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    let err = NaiveRanking::MostIdeas.scores(&a, &table(&b)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    // The same customers: a clone, or the same records built again.
    for same in [a.clone(), make(["A1", "A2"])] {
        assert!(lead_customers::Scores::new(&a, model.clone(), table(&same)).is_ok());
        assert!(NaiveRanking::MostIdeas.scores(&a, &table(&same)).is_ok());
    }
}

/// The median mention of a topic counts as early (with a credit near 0), but it is not "before
/// most customers": no reason says so of the customer who made it, while the first to raise
/// the topic is told how far ahead they were, and a customer who also raised another topic
/// before its median, for less credit, is told of that one.
#[test]
fn the_median_mention_of_a_topic_is_not_told_as_before_most_customers() {
    // Eleven customers raise "x" a day apart: the sixth (C05) is the median.
    let day = |i: i64| at("2024-03-01") + jiff::SignedDuration::from_hours(24 * i);
    let mut raised: Vec<(String, &str, jiff::Timestamp)> =
        (0..11).map(|i| (format!("C{i:02}"), "x", day(i))).collect();
    // Forty-one raise "y" an hour apart, the 20th of them (rank 19, just before the median) C05
    // again: its credit there, 1 - 38/41, is below its credit on "x", 1/11.
    let hour = |i: i64| at("2024-03-02") + jiff::SignedDuration::from_hours(i);
    raised.extend((0..41).map(|i| {
        let id = if i == 19 {
            "C05".to_owned()
        } else {
            format!("Y{i:02}")
        };
        (id, "y", hour(i))
    }));
    let mut b = Population::builder();
    let ids: std::collections::BTreeSet<&String> = raised.iter().map(|(id, _, _)| id).collect();
    for id in ids {
        b.add_customer(Customer::new(id.as_str())).unwrap();
    }
    for (id, topic, time) in &raised {
        let kind = InteractionKind::Feedback;
        let feedback = Interaction::new(id.as_str(), *time, Channel::Community, kind);
        b.add_interaction(feedback.with_topic(*topic)).unwrap();
    }
    let p = b.build().unwrap();
    // Only ahead of trend weighs in the lead score, so that its reason is the one told.
    let mut model = ScoringModel::default();
    model.dimensions[0].weight = 0.0;
    for s in &mut model.dimensions[1].signals {
        s.weight = if s.signal == Signal::AheadOfTrend {
            1.0
        } else {
            0.0
        };
    }
    let scores = model.score_latest(&p).unwrap();
    let said = |id: &str| -> Vec<String> {
        let score = scores.score(p.index_of(id).unwrap());
        score.reasons().iter().map(|r| r.text.clone()).collect()
    };
    assert_eq!(said("C00"), ["raised 'x' 5 days before most customers"]);
    // C05 made the median mention of "x", and raised "y" an hour before most customers.
    assert_eq!(
        said("C05"),
        ["raised 'y' less than a day before most customers"]
    );
    // C10 made the last mention of "x": no credit, no reason of the kind.
    assert!(said("C10").iter().all(|r| !r.contains("before most")));
}
