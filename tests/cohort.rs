//! Co-design cohorts: each constraint honoured, each way a request can be infeasible, and
//! properties over synthetic bases and brute force.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use jiff::{SignedDuration, Timestamp};
use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::{
    Channel, CoDesignSession, Cohort, CohortRequest, Constraint, Customer, Error, ErrorKind, Idea,
    IdeaStatus, Interaction, InteractionKind, Participation, Population, PopulationBuilder,
    Relationship, Scores, ScoringModel, SignalParams, TopicRelevance, plan_cohort,
};
use proptest::prelude::*;

fn day(d: i64) -> Timestamp {
    lead_customers::time::parse_timestamp("2024-01-01").unwrap()
        + SignedDuration::from_hours(24 * d)
}

/// The as-of time of the hand-made populations.
const AS_OF: i64 = 365;

/// A hand-made population: people with a customer segment, a relationship and an amount of
/// lead-like activity (workarounds, answers, shipped ideas) on a topic.
struct World {
    b: PopulationBuilder,
}

impl World {
    fn new() -> World {
        World {
            b: Population::builder(),
        }
    }

    fn person(
        &mut self,
        id: &str,
        segment: Option<&str>,
        prospect: bool,
        activity: i64,
    ) -> &mut Self {
        self.person_on(id, segment, prospect, activity, "sync")
    }

    fn person_on(
        &mut self,
        id: &str,
        segment: Option<&str>,
        prospect: bool,
        activity: i64,
        topic: &str,
    ) -> &mut Self {
        let mut c = Customer::new(id);
        if let Some(s) = segment {
            c = c.with_segment(s);
        }
        if prospect {
            c = c.with_relationship(Relationship::Prospect);
        }
        self.b.add_customer(c).unwrap();
        let usage = Interaction::new(id, day(5), Channel::Product, InteractionKind::Usage);
        self.b.add_interaction(usage).unwrap();
        for i in 0..activity {
            let at = day(100 + 20 * i);
            let workaround =
                Interaction::new(id, at, Channel::Community, InteractionKind::Workaround)
                    .with_topic(topic);
            self.b.add_interaction(workaround).unwrap();
            let answer = Interaction::new(id, at, Channel::Community, InteractionKind::Answer);
            self.b.add_interaction(answer).unwrap();
            let idea = Idea::new(format!("I-{id}-{i}"), id, at)
                .with_topic(topic)
                .with_status(IdeaStatus::Shipped, Some(day(150 + 20 * i)));
            self.b.add_idea(idea).unwrap();
        }
        self
    }

    fn session(&mut self, id: &str, on: i64) -> &mut Self {
        self.b
            .add_session(CoDesignSession::new(id, day(on)).with_topic("sync"))
            .unwrap();
        self
    }

    fn attended(&mut self, session: &str, who: &str) -> &mut Self {
        self.b
            .add_participation(Participation::attended(session, who, 2))
            .unwrap();
        self
    }

    fn declined(&mut self, session: &str, who: &str) -> &mut Self {
        self.b
            .add_participation(Participation::invited(session, who))
            .unwrap();
        self
    }

    fn build(self) -> Population {
        self.b.build().unwrap()
    }
}

/// Eleven people in five customer segments and one without; two prospects with little activity.
fn standard() -> World {
    let mut w = World::new();
    w.person("A1", Some("A"), false, 10)
        .person("A2", Some("A"), false, 9)
        .person("A3", Some("A"), false, 8)
        .person("B1", Some("B"), false, 7)
        .person("B2", Some("B"), false, 6)
        .person("C1", Some("C"), false, 5)
        .person("C2", Some("C"), false, 4)
        .person("D1", Some("D"), false, 3)
        .person("P1", Some("D"), true, 2)
        .person("P2", Some("E"), true, 1)
        .person("Z1", None, false, 0);
    w
}

fn scores(p: &Population) -> Scores<'_> {
    ScoringModel::default().score(p, day(AS_OF)).unwrap()
}

fn ids(cohort: &Cohort) -> Vec<&str> {
    cohort
        .members
        .iter()
        .map(|m| m.customer_id.as_str())
        .collect()
}

fn request(size: usize) -> CohortRequest {
    CohortRequest::on_topic("sync", size)
}

/// The constraint, needed and available of an [`Error::Infeasible`].
fn infeasible(result: Result<Cohort, Error>) -> (Constraint, usize, usize, String) {
    match result {
        Err(Error::Infeasible {
            constraint,
            needed,
            available,
            detail,
        }) => (constraint, needed, available, detail),
        other => panic!("expected an infeasible cohort, got {other:?}"),
    }
}

/// The constraint, needed and available of an [`Error::Infeasible`].
fn short(result: Result<Cohort, Error>) -> (Constraint, usize, usize) {
    let (constraint, needed, available, _) = infeasible(result);
    (constraint, needed, available)
}

fn plan(p: &Population, r: &CohortRequest) -> Result<Cohort, Error> {
    plan_cohort(p, &scores(p), r)
}

#[test]
fn a_cohort_has_exactly_the_requested_size_in_merit_order() {
    let p = standard().build();
    let cohort = plan(
        &p,
        &CohortRequest {
            diversity_weight: 0.0,
            ..request(4)
        },
    )
    .unwrap();
    assert_eq!(cohort.members.len(), 4);
    assert!(cohort.members.windows(2).all(|w| w[0].merit >= w[1].merit));
    assert_eq!(cohort.summary.size, 4);
    assert_eq!(cohort.topic.as_deref(), Some("sync"));
    assert_eq!(cohort.as_of, day(AS_OF));
}

#[test]
fn the_segment_cap_is_honoured() {
    let p = standard().build();
    let uncapped = plan(
        &p,
        &CohortRequest {
            diversity_weight: 0.0,
            ..request(6)
        },
    )
    .unwrap();
    assert!(uncapped.summary.customer_segments["A"] > 1, "precondition");
    let capped = plan(
        &p,
        &CohortRequest {
            max_per_segment: Some(1),
            ..request(6)
        },
    )
    .unwrap();
    assert_eq!(capped.members.len(), 6);
    assert!(capped.summary.customer_segments.values().all(|&n| n == 1));
    // The people without a segment are one group, under the cap too, counted apart.
    assert_eq!(capped.summary.without_customer_segment, 1);
    assert_eq!(capped.summary.customer_segments.values().sum::<usize>(), 5);
}

#[test]
fn no_segment_name_stands_for_the_customers_without_one() {
    // A segment that happens to be called "(none)", and two people without a segment: two
    // groups under a cap of one each, counted apart.
    let mut w = World::new();
    w.person("N1", Some("(none)"), false, 9)
        .person("N2", Some("(none)"), false, 8)
        .person("Z1", None, false, 7)
        .person("Z2", None, false, 6);
    let p = w.build();
    let cohort = plan(
        &p,
        &CohortRequest {
            max_per_segment: Some(1),
            ..request(2)
        },
    )
    .unwrap();
    assert_eq!(ids(&cohort), ["N1", "Z1"]);
    assert_eq!(cohort.summary.customer_segments["(none)"], 1);
    assert_eq!(cohort.summary.customer_segments.len(), 1);
    assert_eq!(cohort.summary.without_customer_segment, 1);
    // Two must-include members without a segment break the cap of their group, named as such.
    let (constraint, needed, available, detail) = infeasible(plan(
        &p,
        &CohortRequest {
            max_per_segment: Some(1),
            include: vec!["Z1".into(), "Z2".into()],
            ..request(2)
        },
    ));
    assert_eq!(
        (constraint, needed, available),
        (Constraint::MaxPerSegment, 2, 1)
    );
    assert!(
        detail.contains("in the group without a segment"),
        "{detail}"
    );
}

#[test]
fn the_diversity_term_spreads_the_cohort_over_segments() {
    let p = standard().build();
    let mixed = plan(
        &p,
        &CohortRequest {
            diversity_weight: 1.0,
            ..request(4)
        },
    )
    .unwrap();
    assert_eq!(mixed.summary.customer_segments.len(), 4);
}

#[test]
fn the_prospect_minimum_is_met_even_when_prospects_rank_low() {
    let p = standard().build();
    let free = plan(&p, &request(3)).unwrap();
    assert_eq!(free.summary.prospects, 0, "precondition");
    let cohort = plan(
        &p,
        &CohortRequest {
            min_prospects: 2,
            ..request(3)
        },
    )
    .unwrap();
    assert_eq!(cohort.summary.prospects, 2);
    assert_eq!(cohort.members.len(), 3);
    let forced = cohort
        .members
        .iter()
        .find(|m| m.relationship == Relationship::Prospect)
        .unwrap();
    assert!(
        forced
            .reasons
            .iter()
            .any(|r| r.contains("to respect the minimum of 2 prospects")),
        "{:?}",
        forced.reasons
    );
}

#[test]
fn the_prospect_maximum_is_honoured() {
    let p = standard().build();
    let cohort = plan(
        &p,
        &CohortRequest {
            max_prospects: Some(1),
            ..request(10)
        },
    )
    .unwrap();
    assert_eq!(cohort.members.len(), 10);
    assert_eq!(cohort.summary.prospects, 1);
    let none = plan(
        &p,
        &CohortRequest {
            max_prospects: Some(0),
            ..request(9)
        },
    )
    .unwrap();
    assert_eq!(none.summary.prospects, 0);
}

#[test]
fn nobody_who_attended_a_session_within_the_cooldown_is_chosen() {
    let mut w = standard();
    w.session("S1", AS_OF - 65).attended("S1", "A1");
    let p = w.build();
    let cohort = plan(&p, &request(3)).unwrap();
    assert!(!ids(&cohort).contains(&"A1"));
    assert_eq!(cohort.summary.screening.in_cooldown, 1);
    let shorter = plan(
        &p,
        &CohortRequest {
            cooldown_days: 60,
            ..request(3)
        },
    )
    .unwrap();
    assert!(ids(&shorter).contains(&"A1"));
}

#[test]
fn the_cooldown_ends_exactly_cooldown_days_after_the_session() {
    let mut w = standard();
    w.session("S1", AS_OF - 90).attended("S1", "A1");
    w.session("S2", AS_OF - 89).attended("S2", "A2");
    let p = w.build();
    let cohort = plan(&p, &request(3)).unwrap();
    assert!(ids(&cohort).contains(&"A1"));
    assert!(!ids(&cohort).contains(&"A2"));
    let off = plan(
        &p,
        &CohortRequest {
            cooldown_days: 0,
            ..request(3)
        },
    )
    .unwrap();
    assert_eq!(off.summary.screening.in_cooldown, 0);
}

#[test]
fn sessions_after_the_as_of_time_are_not_known_yet() {
    let mut w = standard();
    w.session("S9", AS_OF + 10).attended("S9", "A1");
    let p = w.build();
    let cohort = plan(&p, &request(3)).unwrap();
    assert!(ids(&cohort).contains(&"A1"));
    assert_eq!(cohort.summary.screening.in_cooldown, 0);
}

#[test]
fn relevance_reads_nothing_after_the_as_of_time() {
    let p = standard().build();
    let mut w = standard();
    w.session("S9", AS_OF + 10).attended("S9", "Z1");
    let later = w.build();
    let topic = p.topic_id("sync").unwrap();
    let params = SignalParams::default();
    let a = TopicRelevance::compute(&p, topic, day(AS_OF), &params).unwrap();
    let b = TopicRelevance::compute(&later, topic, day(AS_OF), &params).unwrap();
    assert_eq!(a, b);
    let c = TopicRelevance::compute(&later, topic, day(AS_OF + 20), &params).unwrap();
    assert!(c.raw(later.index_of("Z1").unwrap()) > 0.0);
}

#[test]
fn people_who_declined_their_last_invitations_are_left_out() {
    let mut w = standard();
    w.session("S1", 100).session("S2", 150).session("S3", 200);
    w.declined("S1", "A1").declined("S2", "A1");
    // An attendance in between resets the run of declines.
    w.declined("S1", "A2")
        .attended("S2", "A2")
        .declined("S3", "A2");
    let p = w.build();
    let cohort = plan(&p, &request(3)).unwrap();
    assert!(!ids(&cohort).contains(&"A1"));
    assert!(ids(&cohort).contains(&"A2"));
    assert_eq!(cohort.summary.screening.declined, 1);
    for limit in [Some(3), None] {
        let r = CohortRequest {
            decline_limit: limit,
            ..request(3)
        };
        assert!(ids(&plan(&p, &r).unwrap()).contains(&"A1"));
    }
}

#[test]
fn excluded_people_are_never_chosen() {
    let p = standard().build();
    let r = CohortRequest {
        exclude: vec!["A1".into(), "not-in-this-data".into()],
        ..request(10)
    };
    let cohort = plan(&p, &r).unwrap();
    assert!(!ids(&cohort).contains(&"A1"));
    assert!(
        !cohort
            .alternates
            .iter()
            .any(|m| m.customer_id.as_str() == "A1")
    );
    assert_eq!(cohort.summary.screening.excluded, 1);
}

#[test]
fn must_include_members_come_first_in_the_order_given() {
    let p = standard().build();
    let r = CohortRequest {
        include: vec!["Z1".into(), "P2".into()],
        ..request(4)
    };
    let cohort = plan(&p, &r).unwrap();
    assert_eq!(&ids(&cohort)[..2], &["Z1", "P2"]);
    assert_eq!(cohort.members[0].reasons[0], "on the must-include list");
    assert_eq!(cohort.members.len(), 4);
}

#[test]
fn no_member_is_below_the_minimum_lead_score() {
    let p = standard().build();
    let s = scores(&p);
    let mut leads: Vec<f64> = s.lead_scores().to_vec();
    leads.sort_by(f64::total_cmp);
    let median = leads[leads.len() / 2];
    let r = CohortRequest {
        min_lead_score: median,
        relevance_weight: 1.0,
        ..request(5)
    };
    let cohort = plan_cohort(&p, &s, &r).unwrap();
    assert!(cohort.members.iter().all(|m| m.score >= median));
    assert!(cohort.alternates.iter().all(|m| m.score >= median));
}

#[test]
fn the_relevance_weight_trades_lead_score_for_topic_knowledge() {
    let mut w = World::new();
    w.person_on("EXPERT", Some("A"), false, 4, "sync")
        .person_on("LEADER", Some("B"), false, 8, "billing");
    for i in 0..6 {
        w.person_on(&format!("X{i}"), Some("C"), false, i, "billing");
    }
    let p = w.build();
    let s = scores(&p);
    let (expert, leader) = (p.index_of("EXPERT").unwrap(), p.index_of("LEADER").unwrap());
    assert!(s.lead(leader) > s.lead(expert), "precondition");
    let first = |beta: f64| {
        let r = CohortRequest {
            relevance_weight: beta,
            ..request(1)
        };
        plan_cohort(&p, &s, &r).unwrap().members[0]
            .customer_id
            .clone()
    };
    assert_eq!(first(0.0).as_str(), "LEADER");
    assert_eq!(first(1.0).as_str(), "EXPERT");
    let cohort = plan_cohort(
        &p,
        &s,
        &CohortRequest {
            relevance_weight: 1.0,
            ..request(1)
        },
    )
    .unwrap();
    let member = &cohort.members[0];
    assert_eq!(member.relevance, 1.0);
    assert!(
        member
            .reasons
            .iter()
            .any(|r| r.starts_with("raised sync 8 times (4 ideas, 4 interactions)")),
        "{:?}",
        member.reasons
    );
}

#[test]
fn without_a_topic_the_cohort_follows_the_lead_score() {
    let p = standard().build();
    let s = scores(&p);
    let r = CohortRequest {
        diversity_weight: 0.0,
        ..CohortRequest {
            size: 5,
            ..CohortRequest::default()
        }
    };
    let cohort = plan_cohort(&p, &s, &r).unwrap();
    let top: Vec<String> = s
        .top(5)
        .iter()
        .map(|x| p.customer_id(x.customer).to_string())
        .collect();
    assert_eq!(
        ids(&cohort),
        top.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        cohort
            .members
            .iter()
            .all(|m| m.relevance == 0.0 && m.merit == m.score)
    );
}

#[test]
fn alternates_are_the_next_best_eligible_people_in_order() {
    let p = standard().build();
    let cohort = plan(
        &p,
        &CohortRequest {
            alternates: 3,
            ..request(4)
        },
    )
    .unwrap();
    assert_eq!(cohort.alternates.len(), 3);
    let members: BTreeSet<_> = ids(&cohort).into_iter().collect();
    assert!(
        cohort
            .alternates
            .iter()
            .all(|a| !members.contains(a.customer_id.as_str()))
    );
    assert_eq!(cohort.alternates[0].reasons[0], "alternate 1 for a no-show");
    // There are only 11 people: 7 are left for alternates.
    let all = plan(
        &p,
        &CohortRequest {
            alternates: 20,
            ..request(4)
        },
    )
    .unwrap();
    assert_eq!(all.alternates.len(), 7);
}

#[test]
fn an_alternate_says_whom_it_can_replace() {
    let p = standard().build();
    let r = CohortRequest {
        max_per_segment: Some(1),
        max_prospects: Some(1),
        ..request(6)
    };
    let cohort = plan(&p, &r).unwrap();
    assert!(cohort.alternates.iter().all(|a| {
        a.reasons
            .iter()
            .any(|r| r.starts_with("can replace only a member from"))
    }));
}

#[test]
fn planning_is_deterministic() {
    let p = standard().build();
    let r = CohortRequest {
        max_per_segment: Some(2),
        min_prospects: 1,
        ..request(6)
    };
    assert_eq!(plan(&p, &r).unwrap(), plan(&p, &r).unwrap());
}

// Each way a request can be infeasible.

#[test]
fn too_few_eligible_people_is_infeasible_and_says_who_was_left_out() {
    let mut w = standard();
    w.session("S1", AS_OF - 10)
        .attended("S1", "A1")
        .attended("S1", "B1");
    let p = w.build();
    let (constraint, needed, available, detail) = infeasible(plan(&p, &request(10)));
    assert_eq!((constraint, needed, available), (Constraint::Size, 10, 9));
    assert!(
        detail.contains("2 attended a session within the 90-day cooldown"),
        "{detail}"
    );
}

#[test]
fn a_cap_too_tight_for_the_size_is_infeasible() {
    let p = standard().build();
    let r = CohortRequest {
        max_per_segment: Some(1),
        ..request(7)
    };
    assert_eq!(short(plan(&p, &r)), (Constraint::MaxPerSegment, 7, 6));
}

#[test]
fn too_few_prospects_is_infeasible() {
    let p = standard().build();
    let r = CohortRequest {
        min_prospects: 3,
        ..request(5)
    };
    let (constraint, needed, available, _) = infeasible(plan(&p, &r));
    assert_eq!(
        (constraint, needed, available),
        (Constraint::MinProspects, 3, 2)
    );
    // Prospects left out by the screen do not count.
    let r = CohortRequest {
        min_prospects: 2,
        exclude: vec!["P2".into()],
        ..request(5)
    };
    let (constraint, needed, available, _) = infeasible(plan(&p, &r));
    assert_eq!(
        (constraint, needed, available),
        (Constraint::MinProspects, 2, 1)
    );
}

#[test]
fn too_few_customers_under_the_prospect_maximum_is_infeasible() {
    let p = standard().build();
    let r = CohortRequest {
        max_prospects: Some(0),
        ..request(10)
    };
    let (constraint, needed, available, _) = infeasible(plan(&p, &r));
    assert_eq!(
        (constraint, needed, available),
        (Constraint::MaxProspects, 10, 9)
    );
}

#[test]
fn must_include_members_who_break_a_constraint_are_infeasible() {
    let mut w = standard();
    w.session("S1", AS_OF - 10).attended("S1", "A1");
    w.session("S2", 100).session("S3", 150);
    w.declined("S2", "B1").declined("S3", "B1");
    let p = w.build();
    let s = scores(&p);
    let with = |include: &[&str], r: CohortRequest| CohortRequest {
        include: include.iter().map(|&i| i.into()).collect(),
        ..r
    };
    let run = |r: CohortRequest| short(plan_cohort(&p, &s, &r));

    let (c, n, a, detail) = infeasible(plan_cohort(&p, &s, &with(&["C1", "A1"], request(4))));
    assert_eq!((c, n, a), (Constraint::Cooldown, 2, 1));
    assert!(
        detail.contains("must-include A1 attended a session on 2024-12-21, 10 days before"),
        "{detail}"
    );
    assert_eq!(run(with(&["B1"], request(4))), (Constraint::Declines, 1, 0));
    let min = s.lead(p.index_of("Z1").unwrap()) + 0.01;
    let r = CohortRequest {
        min_lead_score: min,
        ..request(4)
    };
    assert_eq!(run(with(&["Z1"], r)), (Constraint::MinLeadScore, 1, 0));
    let r = CohortRequest {
        max_per_segment: Some(1),
        ..request(4)
    };
    assert_eq!(
        run(with(&["A2", "A3"], r)),
        (Constraint::MaxPerSegment, 2, 1)
    );
    let r = CohortRequest {
        max_prospects: Some(1),
        ..request(4)
    };
    assert_eq!(
        run(with(&["P1", "P2"], r)),
        (Constraint::MaxProspects, 2, 1)
    );
    // The must-include list takes the places the prospects need.
    let r = CohortRequest {
        min_prospects: 2,
        ..request(3)
    };
    assert_eq!(
        run(with(&["A2", "A3"], r)),
        (Constraint::MinProspects, 2, 1)
    );
}

#[test]
fn contradictory_settings_are_infeasible_before_any_data_is_read() {
    let check = |r: CohortRequest| match r.check() {
        Err(Error::Infeasible {
            constraint,
            needed,
            available,
            ..
        }) => (constraint, needed, available),
        other => panic!("{other:?}"),
    };
    let r = CohortRequest {
        min_prospects: 3,
        max_prospects: Some(2),
        ..request(6)
    };
    assert_eq!(check(r), (Constraint::MinProspects, 3, 2));
    let r = CohortRequest {
        min_prospects: 7,
        ..request(6)
    };
    assert_eq!(check(r), (Constraint::MinProspects, 7, 6));
    let r = CohortRequest {
        include: vec!["A1".into(), "A2".into()],
        ..request(1)
    };
    assert_eq!(check(r), (Constraint::Include, 2, 1));
    let r = CohortRequest {
        include: vec!["A1".into(), "A2".into()],
        exclude: vec!["A2".into()],
        ..request(4)
    };
    assert_eq!(check(r), (Constraint::Exclude, 2, 1));
}

#[test]
fn invalid_requests_are_refused_with_the_parameter_named() {
    let p = standard().build();
    let s = scores(&p);
    let parameter = |r: CohortRequest| match plan_cohort(&p, &s, &r) {
        Err(Error::InvalidParameter { parameter, .. }) => parameter,
        other => panic!("{other:?}"),
    };
    assert_eq!(parameter(request(0)), "size");
    assert_eq!(
        parameter(CohortRequest {
            relevance_weight: 1.5,
            ..request(3)
        }),
        "relevance_weight"
    );
    assert_eq!(
        parameter(CohortRequest {
            diversity_weight: f64::NAN,
            ..request(3)
        }),
        "diversity_weight"
    );
    assert_eq!(
        parameter(CohortRequest {
            min_lead_score: -0.1,
            ..request(3)
        }),
        "min_lead_score"
    );
    assert_eq!(
        parameter(CohortRequest {
            max_per_segment: Some(0),
            ..request(3)
        }),
        "max_per_segment"
    );
    assert_eq!(
        parameter(CohortRequest {
            decline_limit: Some(0),
            ..request(3)
        }),
        "decline_limit"
    );
    assert_eq!(
        parameter(CohortRequest::on_topic("teleportation", 3)),
        "topic"
    );
    assert_eq!(
        parameter(CohortRequest {
            include: vec!["ghost".into()],
            ..request(3)
        }),
        "include"
    );
    let twice = CohortRequest {
        include: vec!["A1".into(), "A1".into()],
        ..request(3)
    };
    assert_eq!(parameter(twice), "include");
    let r = CohortRequest {
        as_of: Some(day(AS_OF - 1)),
        ..request(3)
    };
    assert_eq!(parameter(r), "as_of");
    assert!(
        plan_cohort(
            &p,
            &s,
            &CohortRequest {
                as_of: Some(day(AS_OF)),
                ..request(3)
            }
        )
        .is_ok()
    );
    let mut w = World::new();
    w.person("Q", None, false, 1);
    let other = w.build();
    assert_eq!(
        plan_cohort(&other, &s, &request(1)).unwrap_err().kind(),
        ErrorKind::InvalidParameter
    );
}

#[test]
fn infeasible_errors_say_which_constraint_and_by_how_much() {
    let p = standard().build();
    let err = plan(&p, &request(12)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Infeasible);
    assert_eq!(
        err.to_string(),
        "the cohort cannot meet `size`: it needs 12, at most 11 possible: 11 eligible out of 11"
    );
}

/// Someone whose first record comes after the as-of time was not known then: they have no
/// score, are not considered (nor counted: that would tell of the time after), and cannot be a
/// must-include member.
#[test]
fn someone_not_known_yet_at_the_as_of_time_is_screened_out() {
    let mut w = standard();
    w.b.add_customer(Customer::new("N1")).unwrap();
    let late = Interaction::new(
        "N1",
        day(AS_OF + 10),
        Channel::Community,
        InteractionKind::Workaround,
    );
    w.b.add_interaction(late.with_topic("sync")).unwrap();
    let p = w.build();
    assert!(!p.known_at(p.index_of("N1").unwrap(), day(AS_OF)));
    let cohort = plan(&p, &request(3)).unwrap();
    let screening = cohort.summary.screening;
    assert_eq!((screening.considered, screening.eligible), (11, 11));
    let everyone = cohort.members.iter().chain(&cohort.alternates);
    assert!(everyone.into_iter().all(|m| m.customer_id.as_str() != "N1"));
    let (constraint, _, _, detail) = infeasible(plan(
        &p,
        &CohortRequest {
            include: vec!["N1".into()],
            ..request(3)
        },
    ));
    assert_eq!(constraint, Constraint::Include);
    assert!(detail.contains("N1 was not known yet"), "{detail}");
    let (_, _, _, detail) = infeasible(plan(&p, &request(12)));
    assert_eq!(detail, "11 eligible out of 11");
}

#[test]
fn requests_round_trip_through_json_with_documented_defaults() {
    let r: CohortRequest = serde_json::from_str("{}").unwrap();
    assert_eq!(r, CohortRequest::default());
    assert_eq!(
        (r.size, r.cooldown_days, r.decline_limit, r.alternates),
        (12, 90, Some(2), 6)
    );
    let full = CohortRequest {
        max_per_segment: Some(2),
        include: vec!["A1".into()],
        as_of: Some(day(3)),
        ..request(8)
    };
    let json = serde_json::to_string(&full).unwrap();
    assert_eq!(serde_json::from_str::<CohortRequest>(&json).unwrap(), full);
    assert!(serde_json::from_str::<CohortRequest>(r#"{"cooldown": 30}"#).is_err());
}

#[test]
fn a_cohort_serializes_with_the_example_contract_fields() {
    let p = standard().build();
    let cohort = plan(&p, &request(3)).unwrap();
    let json = serde_json::to_value(&cohort).unwrap();
    let member = &json["members"][0];
    for field in ["customer_id", "score", "relevance", "segment", "reasons"] {
        assert!(member.get(field).is_some(), "{field}");
    }
    assert!(member["segment"].is_string());
    assert!(json["alternates"].is_array());
}

// Properties.

fn synthetic() -> &'static Population {
    static BASE: OnceLock<Population> = OnceLock::new();
    BASE.get_or_init(|| {
        Generator::new(GeneratorConfig {
            customers: 400,
            seed: 5,
            ..Default::default()
        })
        .generate()
        .unwrap()
        .population
    })
}

/// The screen, rewritten from the public API: attended within the cooldown, or declined the
/// last `limit` invitations by the as-of time.
fn screened_out(
    p: &Population,
    c: lead_customers::CustomerIndex,
    as_of: Timestamp,
    r: &CohortRequest,
) -> bool {
    let cooldown = SignedDuration::from_hours(24 * i64::from(r.cooldown_days));
    let known: Vec<_> = p
        .participations(c)
        .iter()
        .filter(|x| x.held_at <= as_of)
        .collect();
    let recent = known
        .iter()
        .any(|x| x.attended && x.held_at > as_of - cooldown);
    let run = known
        .iter()
        .rev()
        .filter(|x| x.invited)
        .take_while(|x| !x.attended)
        .count();
    recent || r.decline_limit.is_some_and(|k| run >= k as usize)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_member_breaks_a_constraint_and_the_size_is_exact(
        size in 1usize..25,
        cap in proptest::option::of(1usize..4),
        min_prospects in 0usize..4,
        max_prospects in proptest::option::of(0usize..6),
        cooldown_days in 0u32..400,
        decline_limit in proptest::option::of(1u32..3),
        min_lead_score in 0.0f64..0.4,
        relevance_weight in 0.0f64..=1.0,
        diversity_weight in 0.0f64..0.3,
        topic in proptest::option::of(0usize..24),
        exclude in proptest::collection::vec(0usize..400, 0..20),
        include in proptest::collection::vec(0usize..400, 0..2),
    ) {
        let p = synthetic();
        let s = ScoringModel::default().score_latest(p).unwrap();
        let id = |i: usize| p.customer_ids()[i].clone();
        let mut include: Vec<_> = include.into_iter().map(id).collect();
        include.dedup();
        let r = CohortRequest {
            topic: topic.map(|t| p.topics()[t % p.topics().len()].clone()),
            size, max_per_segment: cap, min_prospects, max_prospects, cooldown_days,
            decline_limit, min_lead_score, relevance_weight, diversity_weight,
            exclude: exclude.into_iter().map(id).collect(),
            include,
            ..CohortRequest::default()
        };
        match plan_cohort(p, &s, &r) {
            Ok(cohort) => {
                prop_assert_eq!(cohort.members.len(), size);
                let distinct: BTreeSet<_> = cohort.members.iter().chain(&cohort.alternates).map(|m| m.customer).collect();
                prop_assert_eq!(distinct.len(), cohort.members.len() + cohort.alternates.len());
                for (k, id) in r.include.iter().enumerate() {
                    prop_assert_eq!(&cohort.members[k].customer_id, id);
                }
                for m in cohort.members.iter().chain(&cohort.alternates) {
                    prop_assert!(!r.exclude.contains(&m.customer_id));
                    prop_assert!(m.score >= min_lead_score);
                    prop_assert!(!screened_out(p, m.customer, s.as_of(), &r), "{} screened out", m.customer_id);
                    prop_assert!((0.0..=1.0).contains(&m.relevance));
                }
                let prospects = cohort.members.iter().filter(|m| m.relationship == Relationship::Prospect).count();
                prop_assert_eq!(prospects, cohort.summary.prospects);
                prop_assert!(prospects >= min_prospects);
                prop_assert!(max_prospects.is_none_or(|max| prospects <= max));
                if let Some(cap) = cap {
                    prop_assert!(cohort.summary.customer_segments.values().all(|&n| n <= cap));
                    prop_assert!(cohort.summary.without_customer_segment <= cap);
                }
                prop_assert_eq!(plan_cohort(p, &s, &r).unwrap(), cohort);
            }
            Err(Error::Infeasible { needed, available, .. }) => prop_assert!(needed > available),
            Err(other) => prop_assert!(false, "unexpected error {}", other),
        }
    }

    /// On tiny populations, a brute-force search over every subset agrees with the planner on
    /// whether the cap and the prospect bounds can be met.
    #[test]
    fn the_planner_fails_exactly_when_no_cohort_exists(
        people in proptest::collection::vec((proptest::option::of(0u8..3), any::<bool>()), 4..12),
        size in 1usize..7,
        cap in proptest::option::of(1usize..4),
        min_prospects in 0usize..4,
        max_prospects in proptest::option::of(0usize..5),
    ) {
        let mut w = World::new();
        for (i, (segment, prospect)) in people.iter().enumerate() {
            let name = segment.map(|s| ["x", "y", "z"][s as usize]);
            w.person(&format!("C{i:02}"), name, *prospect, (i % 3) as i64);
        }
        let p = w.build();
        let r = CohortRequest {
            size, max_per_segment: cap, min_prospects, max_prospects,
            ..CohortRequest::default()
        };
        let n = people.len();
        let exists = (0u32..1 << n).any(|mask| {
            let chosen: Vec<usize> = (0..n).filter(|&i| mask >> i & 1 == 1).collect();
            let prospects = chosen.iter().filter(|&&i| people[i].1).count();
            chosen.len() == size
                && prospects >= min_prospects
                && max_prospects.is_none_or(|m| prospects <= m)
                && (0..4).all(|g| {
                    let in_g = chosen.iter().filter(|&&i| people[i].0.map_or(3, |s| s as usize) == g).count();
                    cap.is_none_or(|c| in_g <= c)
                })
        });
        let result = plan_cohort(&p, &ScoringModel::default().score_latest(&p).unwrap(), &r);
        match result {
            Ok(cohort) => {
                prop_assert!(exists, "planned a cohort where none exists");
                prop_assert_eq!(cohort.members.len(), size);
                prop_assert!(cohort.summary.prospects >= min_prospects);
                prop_assert!(max_prospects.is_none_or(|m| cohort.summary.prospects <= m));
                prop_assert!(cohort.summary.customer_segments.values().all(|&k| cap.is_none_or(|c| k <= c)));
                prop_assert!(cap.is_none_or(|c| cohort.summary.without_customer_segment <= c));
            }
            Err(e) => {
                prop_assert!(!exists, "no cohort planned where one exists: {}", e);
                prop_assert_eq!(e.kind(), ErrorKind::Infeasible);
            }
        }
    }
}

/// Asking for more alternates than there are people (even `usize::MAX`) gives every eligible
/// person left, with no overflow in counting how many each group may offer.
#[test]
fn asking_for_every_alternate_there_is_gives_everyone_left() {
    let p = standard().build();
    let some = plan(
        &p,
        &CohortRequest {
            alternates: 3,
            ..request(4)
        },
    )
    .unwrap();
    let all = plan(
        &p,
        &CohortRequest {
            alternates: usize::MAX,
            ..request(4)
        },
    )
    .unwrap();
    assert_eq!(ids(&all), ids(&some));
    assert!(all.alternates.len() > some.alternates.len());
    assert_eq!(all.alternates[..3], some.alternates[..]);
}
