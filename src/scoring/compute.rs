//! From a signal table to dimension and lead scores: the arithmetic that one date's [`Scores`]
//! and every date of a [`ScoreHistory`](super::ScoreHistory) share.

use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use super::{Combination, Direction, ScoringModel, WeightedSignal};
#[cfg(doc)]
use crate::Scores;
use crate::normalize::{Pending, RankScratch};
use crate::parallel::{CHUNK, map_each};
use crate::signals::{SIGNALS, SignalTable};
use crate::{Error, Normalization, Result};

/// A model's scores as of the table's date.
pub(crate) struct Scored {
    /// Per dimension, every customer's score (0 without one).
    pub dimensions: Vec<Vec<f64>>,
    /// Per dimension: which customers have a score on it (`None`: everyone). A customer has none
    /// when they lack a value of every signal of the dimension.
    pub dimension_known: Vec<Option<Vec<bool>>>,
    pub lead: Vec<f64>,
}

/// The normalized columns of the last table scored, and scratch space, kept between dates.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Normalized values, one column per (dimension, signal) of the model, in model order.
    pub normalized: Vec<Vec<f64>>,
    /// Ranking scratch, one per signal being normalized at the same time (not one per signal:
    /// at a million customers each holds tens of megabytes).
    scratch: Mutex<Vec<RankScratch>>,
}

/// Normalizes each of the model's signals across the population (in parallel, one signal a
/// task), then averages them into dimension scores `d = Σ w_j v_j / Σ w_j` over the signals the
/// customer has a value of (column by column where every customer has every signal of the
/// dimension), and combines the dimensions into the lead score ([`Combination`]). The model
/// must be checked. `pending` tells, per signal, whether its column holds the values or `y`
/// for values `ln(1 + y)` (a score history's tables). The normalized columns are left in the
/// workspace.
pub(crate) fn score_table(
    model: &ScoringModel,
    table: &SignalTable,
    pending: &[Pending; SIGNALS],
    workspace: &mut Workspace,
) -> Result<Scored> {
    let n = table.len();
    let signals: Vec<_> = model
        .dimensions
        .iter()
        .flat_map(|d| d.signals.iter())
        .collect();
    workspace.normalized.resize_with(signals.len(), Vec::new);
    let pool = &workspace.scratch;
    let jobs: Vec<_> = signals.iter().zip(&mut workspace.normalized).collect();
    map_each(jobs, |(s, v)| {
        let lock = || pool.lock().unwrap_or_else(PoisonError::into_inner);
        let mut scratch = lock().pop().unwrap_or_default();
        let done = normalize_signal(s, table, pending[s.signal.index()], v, &mut scratch);
        lock().push(scratch);
        done
    })
    .into_iter()
    .collect::<Result<()>>()?;
    let normalized = &workspace.normalized;

    let dimensions = model.dimensions.len();
    // The customers not known yet at the table's date have no value of any signal: they are
    // left out of the normalization above, and given no score below, after the others' scores
    // are worked out as if they were not there. So the masks read here are the signals' own.
    let present = table.known_customers();
    let known: Vec<Option<&[bool]>> = signals.iter().map(|s| table.own_known(s.signal)).collect();
    // Per dimension: its signals, by their place among the model's, and `Σ w` when every
    // customer has every one of them (then every customer has a score on it: no column says
    // who has one).
    let mut first = 0;
    let spans: Vec<Range<usize>> = model
        .dimensions
        .iter()
        .map(|d| {
            first += d.signals.len();
            first - d.signals.len()..first
        })
        .collect();
    let everyone: Vec<Option<f64>> = model
        .dimensions
        .iter()
        .zip(&spans)
        .map(|(d, span)| {
            let weight = d.signals.iter().fold(0.0, |total, s| total + s.weight);
            (span.clone().all(|j| known[j].is_none()) && weight > 0.0).then_some(weight)
        })
        .collect();
    let mut scores: Vec<Vec<f64>> = (0..dimensions).map(|_| vec![0.0; n]).collect();
    let mut has: Vec<Option<Vec<bool>>> = everyone
        .iter()
        .map(|weight| weight.is_none().then(|| vec![false; n]))
        .collect();
    // When every customer has every dimension, each weighted dimension's share `w / Σ w` of the
    // lead score is the same for all (`None` when some have none: it is found per customer).
    let shares: Option<Vec<(usize, f64)>> = everyone.iter().all(Option::is_some).then(|| {
        let weighted = || {
            model
                .dimensions
                .iter()
                .enumerate()
                .filter(|(_, d)| d.weight > 0.0)
        };
        let total: f64 = weighted().map(|(_, d)| d.weight).sum();
        weighted().map(|(k, d)| (k, d.weight / total)).collect()
    });
    let mut lead = vec![0.0; n];
    let mut score_parts: Vec<_> = scores.iter_mut().map(|c| c.chunks_mut(CHUNK)).collect();
    let mut has_parts: Vec<_> = has
        .iter_mut()
        .map(|c| c.as_mut().map(|c| c.chunks_mut(CHUNK)))
        .collect();
    let jobs: Vec<_> = lead
        .chunks_mut(CHUNK)
        .enumerate()
        .map(|(i, lead)| {
            let scores: Vec<_> = score_parts.iter_mut().filter_map(Iterator::next).collect();
            let has: Vec<_> = has_parts
                .iter_mut()
                .map(|part| part.as_mut().and_then(Iterator::next))
                .collect();
            (i * CHUNK, lead, scores, has)
        })
        .collect();
    map_each(jobs, |(start, lead, mut scores, mut has)| {
        let customers = start..start + lead.len();
        for (k, d) in model.dimensions.iter().enumerate() {
            let scores = &mut *scores[k];
            if let Some(weight) = everyone[k] {
                // `Σ w v` column by column (the same additions in the same order as customer by
                // customer, `0 + w₁v₁ + w₂v₂ + …`, in loops the compiler vectorizes), then
                // divided by `Σ w`. The first signal's terms are written, not added: the column is
                // fresh zeroed memory, and reading it before writing would fault every page
                // twice (the second time with a TLB flush on every core).
                for (s, j) in d.signals.iter().zip(spans[k].clone()) {
                    let terms = scores.iter_mut().zip(&normalized[j][customers.clone()]);
                    if j == spans[k].start {
                        terms.for_each(|(score, v)| *score = 0.0 + s.weight * v);
                    } else {
                        terms.for_each(|(score, v)| *score += s.weight * v);
                    }
                }
                scores.iter_mut().for_each(|score| *score /= weight);
            } else if let Some(has) = has[k].as_deref_mut() {
                for ((score, has), c) in scores.iter_mut().zip(has).zip(customers.clone()) {
                    // Σ w v and Σ w over the signals the customer has a value of.
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for (s, j) in d.signals.iter().zip(spans[k].clone()) {
                        if known[j].is_none_or(|known| known[c]) {
                            sum += s.weight * normalized[j][c];
                            weight += s.weight;
                        }
                    }
                    *score = if weight > 0.0 { sum / weight } else { 0.0 };
                    *has = weight > 0.0;
                }
            }
        }
        if let Some(shares) = &shares {
            // Everyone has every dimension: the same terms as `combine`, with each dimension's
            // share of the weight worked out once.
            for (i, lead) in lead.iter_mut().enumerate() {
                let terms = shares.iter().map(|&(k, share)| (share, scores[k][i]));
                *lead = combine_shares(model.combination, terms);
            }
        } else {
            let (mut own_scores, mut own_has) = (vec![0.0; dimensions], vec![false; dimensions]);
            for (i, lead) in lead.iter_mut().enumerate() {
                for k in 0..dimensions {
                    own_scores[k] = scores[k][i];
                    own_has[k] = has[k].as_ref().is_none_or(|has| has[i]);
                }
                *lead = combine(model, &own_scores, &own_has);
            }
        }
    });
    if let Some(present) = present {
        for (c, _) in present.iter().enumerate().filter(|(_, p)| !**p) {
            lead[c] = 0.0;
            scores.iter_mut().for_each(|scores| scores[c] = 0.0);
        }
        for has in &mut has {
            match has {
                Some(has) => has.iter_mut().zip(present).for_each(|(h, &p)| *h &= p),
                None => *has = Some(present.to_vec()),
            }
        }
    }
    let dimension_known = has
        .into_iter()
        .map(|has| has.filter(|has| !has.iter().all(|&h| h)))
        .collect();
    Ok(Scored {
        dimensions: scores,
        dimension_known,
        lead,
    })
}

/// Normalizes one signal of the model into `v` (after its direction).
fn normalize_signal(
    s: &WeightedSignal,
    table: &SignalTable,
    pending: Pending,
    v: &mut Vec<f64>,
    scratch: &mut RankScratch,
) -> Result<()> {
    let column = table.column(s.signal).ok_or_else(|| {
        Error::parameter(
            "signal table",
            s.signal,
            "was computed without this signal of the model",
        )
    })?;
    let known = table.known(s.signal);
    normalize_known(&s.normalization, column, pending, known, v, scratch)?;
    if s.direction == Direction::LowerIsBetter {
        for (c, x) in v.iter_mut().enumerate() {
            if known.is_none_or(|k| k[c]) {
                *x = 1.0 - *x;
            }
        }
    }
    Ok(())
}

/// Combines one customer's dimension scores into the lead score, over the dimensions the
/// customer has a score on (their weights renormalized); 0 when they have none.
fn combine(model: &ScoringModel, scores: &[f64], has: &[bool]) -> f64 {
    let present = || {
        model
            .dimensions
            .iter()
            .zip(scores.iter().zip(has))
            .filter(|(d, (_, has))| d.weight > 0.0 && **has)
            .map(|(d, (score, _))| (d.weight, *score))
    };
    let total: f64 = present().map(|(weight, _)| weight).sum();
    combine_shares(
        model.combination,
        present().map(|(weight, score)| (weight / total, score)),
    )
}

/// The lead score from each present dimension's share of the weight `e = w / Σ w` and score
/// `d`: `Π d^e` or `Σ e d`, within [0, 1]; 0 without a dimension.
fn combine_shares(
    combination: Combination,
    terms: impl Iterator<Item = (f64, f64)> + Clone,
) -> f64 {
    if terms.clone().next().is_none() {
        return 0.0;
    }
    let score = match combination {
        // `Π d^e = exp(Σ e ln d)`: one exponential instead of a power per dimension.
        Combination::GeometricMean => terms
            .map(|(share, score)| share * score.ln())
            .sum::<f64>()
            .exp(),
        Combination::ArithmeticMean => terms.map(|(share, score)| share * score).sum(),
    };
    score.clamp(0.0, 1.0)
}

/// Normalizes a column into `out` over the customers who have a value; the others get 0.
///
/// Their values are gathered with the pending step still pending, normalized together as a
/// whole column would be, and put back in place.
fn normalize_known(
    normalization: &Normalization,
    column: &[f64],
    pending: Pending,
    known: Option<&[bool]>,
    out: &mut Vec<f64>,
    scratch: &mut RankScratch,
) -> Result<()> {
    let Some(known) = known else {
        return normalization.apply_into(column, pending, out, scratch);
    };
    let mut gathered = std::mem::take(&mut scratch.gathered);
    let mut normalized = std::mem::take(&mut scratch.normalized);
    // Without a branch on who has a value (it changes from customer to customer at random):
    // every value is written at `m`, and kept by moving on.
    gathered.clear();
    gathered.resize(column.len(), 0.0);
    let mut m = 0;
    for (&v, &k) in column.iter().zip(known) {
        gathered[m] = v;
        m += usize::from(k);
    }
    gathered.truncate(m);
    let done = if gathered.is_empty() {
        normalized.clear();
        Ok(())
    } else {
        normalization.apply_into(&gathered, pending, &mut normalized, scratch)
    };
    out.clear();
    out.resize(column.len(), 0.0);
    if normalized.len() == gathered.len() {
        normalized.push(0.0); // read (and not kept) after the last value
        let mut m = 0;
        for (o, &k) in out.iter_mut().zip(known) {
            *o = if k { normalized[m] } else { 0.0 };
            m += usize::from(k);
        }
    }
    scratch.gathered = gathered;
    scratch.normalized = normalized;
    done
}
