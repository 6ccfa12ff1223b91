//! The population: building from records, validation errors, order independence.

use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::time::parse_timestamp;
use lead_customers::{
    Channel, CoDesignSession, Customer, Error, ErrorKind, Idea, IdeaStatus, Interaction,
    InteractionKind, Location, Participation, Population, PopulationBuilder, Problem, Records,
    Relationship, Table,
};
use proptest::prelude::*;

fn at(text: &str) -> jiff::Timestamp {
    parse_timestamp(text).unwrap()
}

fn question(customer: &str, when: &str) -> Interaction {
    Interaction::new(
        customer,
        at(when),
        Channel::Community,
        InteractionKind::Question,
    )
}

/// Asserts an error is a record error of `kind` at `location` about `field`.
fn assert_record_error(err: Error, kind: ErrorKind, location: Location, field: &str) {
    assert_eq!(err.kind(), kind, "{err}");
    match err {
        Error::Record {
            location: got,
            field: got_field,
            ..
        } => {
            assert_eq!(got, location);
            assert_eq!(got_field, field);
        }
        other => panic!("expected a record error, got {other}"),
    }
}

fn record(table: Table, index: usize) -> Location {
    Location::Record { table, index }
}

#[test]
fn unknown_customer_in_an_interaction_names_the_interaction() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_interaction(question("C1", "2024-01-01")).unwrap();
    b.add_interaction(question("C9", "2024-01-02")).unwrap();
    let err = b.build().unwrap_err();
    assert!(err.to_string().contains("\"C9\""), "{err}");
    assert_record_error(
        err,
        ErrorKind::UnknownCustomer,
        record(Table::Interactions, 1),
        "customer_id",
    );
}

#[test]
fn unknown_customer_in_an_idea_names_the_idea() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_idea(Idea::new("I1", "nobody", at("2024-01-01")))
        .unwrap();
    let err = b.build().unwrap_err();
    assert_record_error(
        err,
        ErrorKind::UnknownCustomer,
        record(Table::Ideas, 0),
        "customer_id",
    );
}

#[test]
fn unknown_customer_in_a_participation_names_it() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_session(CoDesignSession::new("S1", at("2024-01-01")))
        .unwrap();
    b.add_participation(Participation::invited("S1", "C2"))
        .unwrap();
    let err = b.build().unwrap_err();
    assert_record_error(
        err,
        ErrorKind::UnknownCustomer,
        record(Table::Participants, 0),
        "customer_id",
    );
}

#[test]
fn duplicate_customer_id_names_both_records() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_customer(Customer::new("C2")).unwrap();
    let err = b
        .add_customer(Customer::new("C1").with_name("again"))
        .unwrap_err();
    match &err {
        Error::Record {
            problem: Problem::DuplicateId { first },
            ..
        } => {
            assert_eq!(*first, record(Table::Customers, 0))
        }
        other => panic!("{other}"),
    }
    assert_record_error(
        err,
        ErrorKind::DuplicateId,
        record(Table::Customers, 2),
        "id",
    );
}

#[test]
fn duplicate_idea_id_names_the_second_idea() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_idea(Idea::new("I1", "C1", at("2024-01-01"))).unwrap();
    b.add_idea(Idea::new("I2", "C1", at("2024-01-01"))).unwrap();
    b.add_idea(Idea::new("I1", "C1", at("2024-02-01"))).unwrap();
    let err = b.build().unwrap_err();
    match &err {
        Error::Record {
            problem: Problem::DuplicateId { first },
            value,
            ..
        } => {
            assert_eq!(*first, record(Table::Ideas, 0));
            assert_eq!(value, "I1");
        }
        other => panic!("{other}"),
    }
    assert_record_error(err, ErrorKind::DuplicateId, record(Table::Ideas, 2), "id");
}

#[test]
fn duplicate_session_id_is_refused() {
    let mut b = Population::builder();
    b.add_session(CoDesignSession::new("S1", at("2024-01-01")))
        .unwrap();
    let err = b
        .add_session(CoDesignSession::new("S1", at("2024-02-01")))
        .unwrap_err();
    assert_record_error(
        err,
        ErrorKind::DuplicateId,
        record(Table::Sessions, 1),
        "id",
    );
}

#[test]
fn the_same_customer_twice_in_one_session_is_refused() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_session(CoDesignSession::new("S1", at("2024-01-01")))
        .unwrap();
    b.add_participation(Participation::invited("S1", "C1"))
        .unwrap();
    b.add_participation(Participation::attended("S1", "C1", 2))
        .unwrap();
    let err = b.build().unwrap_err();
    assert_record_error(
        err,
        ErrorKind::DuplicateId,
        record(Table::Participants, 1),
        "session_id",
    );
}

#[test]
fn participation_in_an_unknown_session_names_it() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_participation(Participation::invited("S404", "C1"))
        .unwrap();
    let err = b.build().unwrap_err();
    assert!(err.to_string().contains("S404"));
    assert_record_error(
        err,
        ErrorKind::UnknownSession,
        record(Table::Participants, 0),
        "session_id",
    );
}

#[test]
fn rating_out_of_range_is_refused() {
    for bad in [0.5, 5.5, -1.0, 1e300] {
        let mut b = Population::builder();
        let err = b
            .add_participation(Participation::attended("S1", "C1", 1).with_rating(bad))
            .unwrap_err();
        // The value as written, in scientific notation when far from 1 (not 301 digits).
        let message = err.to_string();
        let shown = if bad == 1e300 {
            "1e300".into()
        } else {
            bad.to_string()
        };
        assert!(
            message.contains(&format!("`rating` = \"{shown}\"")),
            "{message}"
        );
        assert_record_error(
            err,
            ErrorKind::RatingOutOfRange,
            record(Table::Participants, 0),
            "rating",
        );
    }
}

#[test]
fn non_finite_rating_is_refused() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut b = Population::builder();
        let err = b
            .add_participation(Participation::attended("S1", "C1", 1).with_rating(bad))
            .unwrap_err();
        assert_record_error(
            err,
            ErrorKind::NonFinite,
            record(Table::Participants, 0),
            "rating",
        );
    }
}

#[test]
fn attended_without_invitation_is_refused() {
    let mut b = Population::builder();
    let p = Participation {
        invited: false,
        ..Participation::attended("S1", "C1", 0)
    };
    let err = b.add_participation(p).unwrap_err();
    assert_record_error(
        err,
        ErrorKind::AttendedWithoutInvited,
        record(Table::Participants, 0),
        "attended",
    );
}

#[test]
fn contributions_or_a_rating_without_attendance_are_refused() {
    let mut b = Population::builder();
    let p = Participation {
        contributions: 3,
        ..Participation::invited("S1", "C1")
    };
    let err = b.add_participation(p).unwrap_err();
    assert_record_error(
        err,
        ErrorKind::OutOfRange,
        record(Table::Participants, 0),
        "contributions",
    );
    let p = Participation {
        rating: Some(4.0),
        ..Participation::invited("S1", "C1")
    };
    let err = b.add_participation(p).unwrap_err();
    assert_record_error(
        err,
        ErrorKind::OutOfRange,
        record(Table::Participants, 1),
        "rating",
    );
}

#[test]
fn an_idea_decided_before_it_was_submitted_is_refused() {
    let mut b = Population::builder();
    let idea = Idea::new("I1", "C1", at("2024-03-01"))
        .with_status(IdeaStatus::Shipped, Some(at("2024-02-01")));
    let err = b.add_idea(idea).unwrap_err();
    assert_record_error(
        err,
        ErrorKind::OutOfRange,
        record(Table::Ideas, 0),
        "decided_at",
    );
}

#[test]
fn an_empty_population_is_refused() {
    let err = PopulationBuilder::new().build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::EmptyPopulation);
}

#[test]
fn events_are_grouped_per_customer_and_sorted_by_time() {
    let mut b = Population::builder();
    b.add_interaction(question("B", "2024-03-01")).unwrap();
    b.add_interaction(question("A", "2024-02-01")).unwrap();
    b.add_interaction(question("B", "2024-01-01")).unwrap();
    b.add_customer(Customer::new("B")).unwrap();
    b.add_customer(Customer::new("A")).unwrap();
    let p = b.build().unwrap();
    let a = p.index_of("A").unwrap();
    let bee = p.index_of("B").unwrap();
    assert_eq!((a.get(), bee.get()), (0, 1), "indices follow the id order");
    let times: Vec<_> = p.interactions(bee).iter().map(|i| i.at).collect();
    assert_eq!(times, vec![at("2024-01-01"), at("2024-03-01")]);
    assert_eq!(p.interactions(a).len(), 1);
    assert_eq!(p.earliest(), Some(at("2024-01-01")));
    assert_eq!(p.latest(), Some(at("2024-03-01")));
}

#[test]
fn a_population_without_events_has_no_time_span() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("A")).unwrap();
    let p = b.build().unwrap();
    assert_eq!(p.latest(), None);
    assert_eq!(p.summary().interactions, 0);
}

#[test]
fn topics_are_interned_in_name_order_and_empty_topics_are_absent() {
    let mut b = Population::builder();
    b.add_customer(Customer::new("A")).unwrap();
    b.add_interaction(question("A", "2024-01-01").with_topic("sso"))
        .unwrap();
    b.add_interaction(question("A", "2024-01-02").with_topic("api"))
        .unwrap();
    b.add_interaction(question("A", "2024-01-03").with_topic(""))
        .unwrap();
    let p = b.build().unwrap();
    assert_eq!(p.topics(), ["api".to_string(), "sso".to_string()]);
    let topics: Vec<_> = p
        .interactions(p.index_of("A").unwrap())
        .iter()
        .map(|i| i.topic)
        .collect();
    assert_eq!(topics, vec![p.topic_id("sso"), p.topic_id("api"), None]);
}

fn small_base(seed: u64) -> Population {
    Generator::new(GeneratorConfig {
        customers: 120,
        seed,
        ..Default::default()
    })
    .generate()
    .unwrap()
    .population
}

fn rebuild(r: lead_customers::Records, interleave: &[u8]) -> Population {
    // Add the tables interleaved in an arbitrary order, not table by table.
    let mut its = (
        r.customers.into_iter(),
        r.interactions.into_iter(),
        r.ideas.into_iter(),
        r.sessions.into_iter(),
        r.participations.into_iter(),
        r.responses.into_iter(),
    );
    let mut b = Population::builder();
    let mut step = 0usize;
    loop {
        let mut progressed = false;
        for k in 0..6 {
            let table = (k + interleave
                .get(step % interleave.len().max(1))
                .copied()
                .unwrap_or(0) as usize)
                % 6;
            step += 1;
            let added = match table {
                0 => its.0.next().map(|c| b.add_customer(c).map(|_| ())),
                1 => its.1.next().map(|i| b.add_interaction(i).map(|_| ())),
                2 => its.2.next().map(|i| b.add_idea(i).map(|_| ())),
                3 => its.3.next().map(|s| b.add_session(s).map(|_| ())),
                4 => its.4.next().map(|p| b.add_participation(p).map(|_| ())),
                _ => its.5.next().map(|r| b.add_response(r).map(|_| ())),
            };
            if let Some(result) = added {
                if let Err(e) = result {
                    panic!("{e}")
                }
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    // A round may have picked only exhausted tables: add whatever is left.
    its.0.for_each(|c| {
        b.add_customer(c).unwrap();
    });
    its.1.for_each(|i| {
        b.add_interaction(i).unwrap();
    });
    its.2.for_each(|i| {
        b.add_idea(i).unwrap();
    });
    its.3.for_each(|s| {
        b.add_session(s).unwrap();
    });
    its.4.for_each(|p| {
        b.add_participation(p).unwrap();
    });
    its.5.for_each(|r| {
        b.add_response(r).unwrap();
    });
    b.build().unwrap()
}

#[test]
fn records_rebuild_the_same_population() {
    let p = small_base(5);
    assert_eq!(rebuild(p.records(), &[0]), p);
}

fn shuffle<T>(items: &mut [T], seed: u64) {
    use rand::{SeedableRng, seq::SliceRandom};
    items.shuffle(&mut rand_pcg::Pcg64Mcg::seed_from_u64(seed));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn shuffling_the_records_gives_an_identical_population(seed in 0u64..1_000, base in 1u64..4, interleave in proptest::collection::vec(0u8..6, 1..7)) {
        let p = small_base(base);
        let mut r = p.records();
        shuffle(&mut r.customers, seed);
        shuffle(&mut r.interactions, seed + 1);
        shuffle(&mut r.ideas, seed + 2);
        shuffle(&mut r.sessions, seed + 3);
        shuffle(&mut r.participations, seed + 4);
        shuffle(&mut r.responses, seed + 5);
        prop_assert_eq!(rebuild(r, &interleave), p);
    }
}

#[test]
fn a_second_answer_to_the_same_item_names_both() {
    use lead_customers::evidence::Response;
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_response(Response::new("C1", "at1", 4.0)).unwrap();
    b.add_response(Response::new("C1", "at2", 4.0)).unwrap();
    b.add_response(Response::new("C1", "at1", 2.0)).unwrap();
    let err = b.build().unwrap_err();
    match &err {
        Error::Record {
            problem: Problem::DuplicateAnswer { first },
            ..
        } => assert_eq!(*first, record(Table::Responses, 0)),
        other => panic!("{other}"),
    }
    assert_record_error(
        err,
        ErrorKind::DuplicateAnswer,
        record(Table::Responses, 2),
        "item",
    );
}

#[test]
fn an_answer_from_an_unknown_customer_names_it() {
    use lead_customers::evidence::Response;
    let mut b = Population::builder();
    b.add_customer(Customer::new("C1")).unwrap();
    b.add_response(Response::new("C2", "at1", 4.0)).unwrap();
    let err = b.build().unwrap_err();
    assert_record_error(
        err,
        ErrorKind::UnknownCustomer,
        record(Table::Responses, 0),
        "customer_id",
    );
}

/// An id defined with whitespace at either end is refused (a CSV file could not carry it: its cells
/// are trimmed), and so is an empty one; free text is kept without the spaces at its ends, as a
/// CSV round trip would keep it.
#[test]
fn ids_with_spaces_around_them_are_refused_and_text_is_trimmed() {
    let mut b = Population::builder();
    let err = b.add_customer(Customer::new(" C1")).unwrap_err();
    assert!(matches!(
        &err,
        Error::Record {
            problem: Problem::Unparsable { .. },
            ..
        }
    ));
    assert_record_error(
        err,
        ErrorKind::Unparsable,
        record(Table::Customers, 0),
        "id",
    );
    let err = b.add_customer(Customer::new("")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Missing, "{err}");
    // Nor can an id start with a byte-order mark: first in a CSV row, it reads as a stray one.
    let err = b.add_customer(Customer::new("\u{feff}C1")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unparsable, "{err}");
    assert!(err.to_string().contains("byte-order mark"), "{err}");
    let err = b
        .add_session(CoDesignSession::new("S1\t", at("2024-01-01")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unparsable, "{err}");
    let err = b
        .add_idea(Idea::new("I1 ", "C1", at("2024-01-01")))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unparsable, "{err}");

    b.add_customer(
        Customer::new("C1")
            .with_name("  Acme  ")
            .with_segment(" retail "),
    )
    .unwrap();
    b.add_customer(Customer::new("C2").with_name("   ").with_segment("retail"))
        .unwrap();
    b.add_interaction(question("C1", "2024-01-01").with_topic(" offline sync "))
        .unwrap();
    b.add_interaction(question("C2", "2024-01-02").with_topic("offline sync"))
        .unwrap();
    let p = b.build().unwrap();
    let (c1, c2) = (p.index_of("C1").unwrap(), p.index_of("C2").unwrap());
    assert_eq!(p.name(c1), Some("Acme"));
    assert_eq!(p.name(c2), None, "only spaces is no name");
    assert_eq!(p.segment(c1), Some("retail"));
    assert_eq!(p.segments(), ["retail"]);
    assert_eq!(p.topics(), ["offline sync"]);
}

/// Records round-trip through JSON, and JSON written by hand reads as the CSV format does: the
/// CSV columns' names for the ids (`customer_id`, `session_id`) and the same defaults for the
/// columns the CSV format lets out (relationship, votes, contributions); a misspelt table is an
/// error, not an empty table.
#[test]
fn records_round_trip_through_json_and_read_the_csv_format_s_names() {
    let population = small_base(1);
    let records = population.records();
    let json = serde_json::to_string(&records).unwrap();
    let back: Records = serde_json::from_str(&json).unwrap();
    assert_eq!(back, records);
    assert_eq!(back.build().unwrap(), population);

    let by_hand = r#"{
        "customers": [{"id": "C1"}, {"id": "C2", "relationship": "prospect"}],
        "interactions": [{"customer_id": "C1", "at": "2024-01-05T00:00:00Z", "channel": "chat", "kind": "question"}],
        "ideas": [{"id": "I1", "customer_id": "C1", "submitted_at": "2024-01-06T00:00:00Z", "status": "open"}],
        "sessions": [{"id": "S1", "held_at": "2024-02-01T00:00:00Z"}],
        "participations": [{"session_id": "S1", "customer_id": "C2", "invited": true, "attended": false}]
    }"#;
    let records: Records = serde_json::from_str(by_hand).unwrap();
    assert_eq!(records.customers[0].relationship, Relationship::Customer);
    assert_eq!(records.ideas[0].votes, 0);
    assert_eq!(records.participations[0].contributions, 0);
    assert_eq!(records.participations[0].customer.as_str(), "C2");
    let p = records.build().unwrap();
    assert_eq!((p.len(), p.interaction_count(), p.idea_count()), (2, 1, 1));

    let misspelt = serde_json::from_str::<Records>(r#"{"customer": []}"#).unwrap_err();
    // Named as the unknown field (every message would mention the `customers` it expects).
    assert!(
        misspelt.to_string().contains("unknown field `customer`"),
        "{misspelt}"
    );
}

/// A customer's views iterate in `for` loops, know their length, and run backwards.
#[test]
fn a_customer_s_views_iterate_both_ways_with_their_length() {
    let p = &small_base(1);
    let mut seen = [0usize; 3];
    for c in p.customers() {
        let interactions = p.interactions(c);
        let mut count = 0;
        for i in &interactions {
            assert!(i.at <= p.latest().unwrap());
            count += 1;
        }
        assert_eq!(
            (count, interactions.iter().len()),
            (interactions.len(), interactions.len())
        );
        let mut backwards: Vec<_> = interactions.iter().rev().collect();
        backwards.reverse();
        assert_eq!(backwards, interactions.iter().collect::<Vec<_>>());
        let ideas = p.ideas(c);
        assert_eq!(ideas.iter().len(), ideas.len());
        assert_eq!(ideas.iter().rev().count(), ideas.len());
        let participations = p.participations(c);
        assert_eq!(participations.into_iter().len(), p.participations(c).len());
        seen[0] += interactions.len();
        seen[1] += ideas.len();
        seen[2] += p.participations(c).len();
    }
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    assert_eq!(seen[0], p.interaction_count());
}
