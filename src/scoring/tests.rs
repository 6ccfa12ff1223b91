//! Properties of scoring that need the crate's insides: the scoring function against a fixed
//! population context.

use proptest::prelude::*;

use super::{INNOVATION, ScoringModel};
use crate::signals::Facts;
use crate::synthetic::{Generator, GeneratorConfig};
use crate::{CustomerIndex, Idea, IdeaStatus, Population};

fn rebuild_with(population: &Population, extra: Idea) -> Population {
    let mut records = population.records();
    records.ideas.push(extra);
    records.build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// With the population's context fixed (priors, topic curves, the distributions signals are
    /// ranked against), a customer's innovation score is a monotone function of their own
    /// record: one more shipped idea, whenever submitted and whatever its topic, never lowers it.
    #[test]
    fn one_more_shipped_idea_never_lowers_innovation(
        seed in 1u64..50,
        who in 0usize..150,
        submitted in 0.0f64..1.0,
        decided in 0.0f64..1.0,
        topic in proptest::option::of(0usize..24),
    ) {
        let base = Generator::new(GeneratorConfig { customers: 150, seed, ..Default::default() }).generate().unwrap();
        let p = &base.population;
        let model = ScoringModel::default();
        let scores = model.score_latest(p).unwrap();
        let context = &scores.table.context;
        let (start, end) = (p.earliest, context.t);
        let submitted_at = start + ((end - start) as f64 * submitted) as i64;
        let decided_at = submitted_at + ((end - submitted_at) as f64 * decided) as i64;
        let c = CustomerIndex(who as u32);
        let idea = Idea::new("extra-idea", p.customer_id(c).clone(), crate::population::timestamp(submitted_at))
            .with_status(IdeaStatus::Shipped, Some(crate::population::timestamp(decided_at)));
        let idea = match topic {
            Some(t) => idea.with_topic(p.topics()[t % p.topics().len()].clone()),
            None => idea,
        };
        let more = rebuild_with(p, idea);

        let dimension = model.dimension(INNOVATION).unwrap();
        let total: f64 = dimension.signals.iter().map(|s| s.weight).sum();
        let fitted: Vec<_> = dimension
            .signals
            .iter()
            .map(|s| s.normalization.fit(scores.signals().column(s.signal).unwrap()).unwrap())
            .collect();
        let innovation = |population: &Population| {
            let facts = Facts::gather(population, who, &model.signals, context);
            dimension
                .signals
                .iter()
                .zip(&fitted)
                .map(|(s, f)| s.weight * f.normalize(context.value(s.signal, &facts)) / total)
                .sum::<f64>()
        };
        let before = innovation(p);
        // Against its own population, the fixed-context score is the score.
        prop_assert!((before - scores.innovation(c)).abs() < 1e-12);
        let after = innovation(&more);
        prop_assert!(after >= before - 1e-12, "innovation fell from {} to {}", before, after);
    }
}

/// The table of the default model in [`ScoringModel`]'s documentation is the default model:
/// every row's dimension, signal and weight, in order, and nothing else (the weight of ideas was
/// once changed in the code and not in the table).
#[test]
fn the_documented_default_model_is_the_default_model() {
    let source = include_str!("model.rs");
    let documented: Vec<(String, String, f64)> = source
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .strip_prefix("/// |")?
                .split('|')
                .map(str::trim)
                .collect();
            let signal = cells.get(1)?.strip_prefix("[`")?.split('`').next()?;
            Some((
                cells[0].to_owned(),
                signal.to_owned(),
                cells.get(2)?.parse().ok()?,
            ))
        })
        .collect();
    let model = ScoringModel::default();
    let actual: Vec<(String, String, f64)> = model
        .dimensions
        .iter()
        .flat_map(|d| {
            d.signals
                .iter()
                .map(|s| (d.name.clone(), format!("{:?}", s.signal), s.weight))
        })
        .collect();
    assert_eq!(documented.len(), 13, "{documented:?}");
    assert_eq!(documented, actual);
}
