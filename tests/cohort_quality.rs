//! How well cohorts on emerging topics recover the planted lead customers who raised them.

use lead_customers::synthetic::{Generator, GeneratorConfig, SyntheticBase};
use lead_customers::{CohortRequest, ScoringModel, plan_cohort};

/// Over every emerging topic of a base, with a 12-person cohort on each: the share of members
/// who are planted leads with the topic among their focus topics, and the share of planted
/// leads at all.
fn shares(base: &SyntheticBase, relevance_weight: f64) -> (f64, f64) {
    let p = &base.population;
    let scores = ScoringModel::default().score_latest(p).unwrap();
    let (mut on_topic, mut leads, mut total) = (0, 0, 0);
    for &(topic, _) in base.truth.emerging_topics() {
        let request = CohortRequest {
            relevance_weight,
            ..CohortRequest::on_topic(p.topic_name(topic), 12)
        };
        let cohort = plan_cohort(p, &scores, &request).unwrap();
        for m in &cohort.members {
            let lead = base.truth.is_planted_lead(m.customer);
            leads += usize::from(lead);
            on_topic += usize::from(lead && base.truth.focus_topics(m.customer).contains(&topic));
        }
        total += cohort.members.len();
    }
    (on_topic as f64 / total as f64, leads as f64 / total as f64)
}

/// With the default request, 92 to 96% of the members (seeds 1 to 3, 10,000 customers, six
/// emerging topics each) are planted leads who raised the cohort's topic, and every member is a
/// planted lead; the test keeps 90% and 95%. Ranking by lead score alone (relevance weight 0)
/// finds planted leads too, but only 22 to 31% of them on the topic.
#[test]
fn cohorts_on_emerging_topics_are_mostly_planted_leads_who_raised_the_topic() {
    for seed in 1..=3 {
        let base = Generator::new(GeneratorConfig {
            customers: 10_000,
            seed,
            ..Default::default()
        })
        .generate()
        .unwrap();
        let (on_topic, leads) = shares(&base, CohortRequest::default().relevance_weight);
        let (by_score_alone, _) = shares(&base, 0.0);
        eprintln!(
            "seed {seed}: {on_topic:.3} planted leads on the topic, {leads:.3} planted leads; \
             by lead score alone {by_score_alone:.3} on the topic"
        );
        assert!(on_topic >= 0.90, "seed {seed}: {on_topic:.3}");
        assert!(leads >= 0.95, "seed {seed}: {leads:.3}");
        assert!(on_topic > by_score_alone + 0.5, "seed {seed}");
    }
}
