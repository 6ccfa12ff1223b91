//! Planning a 12-person co-design cohort from a million scored customers.
//!
//! The synthetic base (1,000,000 customers, seed 1) is generated and scored once, outside the
//! timed loop; each iteration plans a cohort on an emerging topic with a segment cap and a
//! prospect minimum: one pass over the customers (screen, and relevance for that topic), then
//! the greedy over the best candidates of each customer segment.
//!
//! Run: `cargo bench --bench cohort -- --sample-size 10`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use lead_customers::synthetic::{Generator, GeneratorConfig};
use lead_customers::{CohortRequest, ScoringModel, plan_cohort};

const CUSTOMERS: usize = 1_000_000;

fn plan_from_a_million(c: &mut Criterion) {
    let started = Instant::now();
    let base = Generator::new(GeneratorConfig {
        customers: CUSTOMERS,
        seed: 1,
        ..Default::default()
    })
    .generate()
    .unwrap();
    let generated = started.elapsed();
    let p = &base.population;
    let scores = ScoringModel::default().score_latest(p).unwrap();
    let (topic, _) = base.truth.emerging_topics()[0];
    let request = CohortRequest {
        max_per_segment: Some(2),
        min_prospects: 2,
        ..CohortRequest::on_topic(p.topic_name(topic), 12)
    };
    let cohort = plan_cohort(p, &scores, &request).unwrap();
    let on_topic = cohort
        .members
        .iter()
        .filter(|m| {
            base.truth.is_planted_lead(m.customer)
                && base.truth.focus_topics(m.customer).contains(&topic)
        })
        .count();
    eprintln!(
        "{} customers, {} interactions: generated in {:.1} s, scored in {:.1} s; cohort on {:?}: \
         {} members, {} prospects, {} eligible, {on_topic} planted leads on the topic",
        p.len(),
        p.interaction_count(),
        generated.as_secs_f64(),
        (started.elapsed() - generated).as_secs_f64(),
        p.topic_name(topic),
        cohort.members.len(),
        cohort.summary.prospects,
        cohort.summary.screening.eligible,
    );
    c.bench_function("cohort_12_of_1m_customers", |b| {
        b.iter(|| plan_cohort(black_box(p), black_box(&scores), black_box(&request)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = plan_from_a_million
}
criterion_main!(benches);
