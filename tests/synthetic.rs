//! The synthetic generator: configurations it cannot honour are refused with a typed error.

use lead_customers::ErrorKind;
use lead_customers::synthetic::{
    Generator, GeneratorConfig, MAX_CUSTOMERS, MAX_MONTHS, MAX_TOPICS,
};

fn small() -> GeneratorConfig {
    GeneratorConfig {
        customers: 20,
        ..GeneratorConfig::default()
    }
}

#[test]
fn configurations_it_cannot_honour_are_refused() {
    let cases = [
        (
            "no customers",
            GeneratorConfig {
                customers: 0,
                ..small()
            },
        ),
        (
            "more customers than rows a population addresses",
            GeneratorConfig {
                customers: MAX_CUSTOMERS + 1,
                ..small()
            },
        ),
        (
            "every topic there is",
            GeneratorConfig {
                topics: usize::MAX,
                ..small()
            },
        ),
        (
            "more topics than the most",
            GeneratorConfig {
                topics: MAX_TOPICS + 1,
                ..small()
            },
        ),
        (
            "more emerging topics than topics",
            GeneratorConfig {
                topics: 3,
                emerging_topics: 4,
                ..small()
            },
        ),
        (
            "five months",
            GeneratorConfig {
                months: 5,
                ..small()
            },
        ),
        (
            "the longest window and a month",
            GeneratorConfig {
                months: MAX_MONTHS + 1,
                ..small()
            },
        ),
        (
            "every month there is",
            GeneratorConfig {
                months: u32::MAX,
                ..small()
            },
        ),
        (
            "a window past 9999-12-31",
            GeneratorConfig {
                start: jiff::civil::date(9999, 1, 1),
                ..small()
            },
        ),
        (
            "a lead share of a half",
            GeneratorConfig {
                lead_share: 0.5,
                ..small()
            },
        ),
    ];
    for (what, config) in cases {
        let err = Generator::new(config).generate().err();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(ErrorKind::InvalidParameter),
            "{what}"
        );
    }
}

/// A start before year 1 is a date like another (it was re-read as text, in a shape the date
/// reader refused), and no topics at all is an error that names `topics`.
#[test]
fn a_start_before_year_one_is_made_and_no_topics_is_named() {
    let base = Generator::new(GeneratorConfig {
        start: jiff::civil::date(-1, 1, 1),
        ..small()
    })
    .generate()
    .unwrap();
    let earliest = base.population.earliest().unwrap();
    assert!(earliest.to_string().starts_with("-000001-"), "{earliest}");
    let err = Generator::new(GeneratorConfig {
        topics: 0,
        emerging_topics: 0,
        ..small()
    })
    .generate()
    .unwrap_err();
    assert!(err.to_string().contains("topics = 0"), "{err}");
}

#[test]
fn a_window_ending_just_before_the_last_year_runs_out_is_made() {
    let base = Generator::new(GeneratorConfig {
        start: jiff::civil::date(9996, 1, 1),
        ..small()
    })
    .generate()
    .unwrap();
    let p = &base.population;
    let (earliest, latest) = (p.earliest().unwrap(), p.latest().unwrap());
    assert!(earliest.to_string().starts_with("9996-"), "{earliest}");
    assert!(
        earliest <= latest && latest.to_string().starts_with("9998-"),
        "{latest}"
    );
}
