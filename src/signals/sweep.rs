//! Signal tables as of one date or many: customers' tallies advanced date by date.
//!
//! One date and a history share every step: each customer's [`Tally`] is advanced to the date,
//! the own signals and rate components are read off it, the population's priors are fitted to
//! the components, and the rate, questionnaire and on-demand signals are added. The differences:
//! where the tallies live (a single date uses one scratch tally per chunk of customers and
//! forgets it, a history keeps every customer's tally from one date to the next so that each
//! event is consumed once), and what a history's tables hold for the signals whose value is
//! `ln(1 + y)`: `y`, which ranks the same ([`SignalSweep::pending`]).

use super::context::{ChunkComponents, Context, TopicCurves};
use super::tally::{AsOf, Clock, Components, Decay, Shelf, Tally, is_own, takes_log};
use super::{SIGNALS, Signal, SignalParams, SignalTable, check_as_of, survey};
use crate::btyd::AliveModel;
use crate::normalize::Pending;
use crate::parallel::{CHUNK, map_each};
use crate::{Error, Population, Result};

/// Every customer's components as of a date, one [`ChunkComponents`] per chunk of [`CHUNK`]
/// customers: each chunk's thread allocates and first writes its own, so that fresh memory is
/// mapped in parallel rather than zeroed up front by one thread.
pub(crate) type ChunkedComponents = Vec<ChunkComponents>;

/// Where a chunk of customers writes its values as of a date: its slice of every own signal's
/// column and its components.
struct ChunkOut<'a> {
    /// One slice per own signal asked for, in the order asked.
    columns: Vec<&'a mut [f64]>,
    components: &'a mut ChunkComponents,
    /// Whether the signals whose value is `ln(1 + y)` are recorded as `y` ([`Pending::Ln1p`]).
    before_log: bool,
    /// The values of the last customers recorded, [`STAGED`] per own signal, not yet copied
    /// into the columns (see [`STAGED`]).
    staged: Vec<f64>,
}

/// How many customers' values a [`ChunkOut`] holds before it copies them into the columns.
///
/// Why: a pass of a score history records each customer as of up to eight dates, into a column
/// per own signal and date: some 70 columns written one value at a time, each at its own place,
/// and each written cache line first read from memory. Copied 2 KB at a time instead, the
/// columns are written in long runs (with `rep movsb`, which needs no such read), and the
/// values wait in a few kilobytes that stay in the fastest caches. Measured at 100,000
/// customers: the history's pass over the customers took 17% less time (64 customers: 9%,
/// 1,024: 15%). Seven in unit tests, so that a chunk of a small population is copied in many
/// runs and ends in a partial one.
const STAGED: usize = if cfg!(test) { 7 } else { 256 };

impl ChunkOut<'_> {
    /// Readies the outputs for the chunk's `len` customers: the components (no allocation
    /// when reused) and the staged values (a few kilobytes, allocated once per chunk and date).
    fn start(&mut self, len: usize) {
        self.components.start(len);
        self.staged.resize(self.columns.len() * STAGED, 0.0);
    }

    /// Records the values of the chunk's `i`-th customer, whose tally was advanced to the date.
    /// Every customer of the chunk, once, in order from the first (as the components are
    /// written, and the values staged).
    #[inline]
    fn record(&mut self, i: usize, own: &[Signal], tally: &Tally, date: &AsOf<'_>) {
        let slot = i % STAGED;
        for (staged, &signal) in self.staged.chunks_exact_mut(STAGED).zip(own) {
            let value = if self.before_log {
                tally.own_before_log(signal, &date.clock, date.curves)
            } else {
                tally.own_value(signal, &date.clock, date.curves)
            };
            staged[slot] = value.unwrap_or(0.0);
        }
        // Copied when the run is full, or at the chunk's last customer (each column is the
        // chunk's slice).
        let last = self
            .columns
            .first()
            .is_some_and(|column| i + 1 == column.len());
        if slot + 1 == STAGED || last {
            let first = i - slot;
            for (column, staged) in self
                .columns
                .iter_mut()
                .zip(self.staged.chunks_exact(STAGED))
            {
                column[first..=i].copy_from_slice(&staged[..=slot]);
            }
        }
        self.components.set(i, tally.components(&date.clock));
    }
}

/// Splits full-length columns into the chunks' outputs, chunk `i` holding customers
/// `i * CHUNK..`; `components` has one [`ChunkComponents`] per chunk.
fn chunk_outputs<'a>(
    columns: &'a mut [Vec<f64>],
    components: &'a mut [ChunkComponents],
    before_log: bool,
) -> Vec<ChunkOut<'a>> {
    let mut splits: Vec<_> = columns.iter_mut().map(|c| c.chunks_mut(CHUNK)).collect();
    components
        .iter_mut()
        .map(|components| ChunkOut {
            columns: splits.iter_mut().filter_map(Iterator::next).collect(),
            components,
            before_log,
            staged: Vec::new(),
        })
        .collect()
}

/// Which signals a table needs, by [`Signal::index`].
pub(crate) type Wanted = [bool; SIGNALS];

/// Every signal except the on-demand ones, plus the on-demand ones in `extra`.
pub(crate) fn all_but_on_demand(extra: &[Signal]) -> Wanted {
    let mut wanted = [false; SIGNALS];
    for &s in Signal::ALL {
        wanted[s.index()] = !s.is_on_demand() || extra.contains(&s);
    }
    wanted
}

/// The questionnaire signals, computed together from the answers.
const SURVEY_SIGNALS: [Signal; 3] = [
    Signal::LeadUserness,
    Signal::SurveyAheadOfTrend,
    Signal::SurveyExpectedBenefit,
];

/// The signals in `signals`, and no other.
pub(crate) fn only(signals: &[Signal]) -> Wanted {
    let mut wanted = [false; SIGNALS];
    for &s in signals {
        wanted[s.index()] = true;
    }
    wanted
}

/// The own signals among the wanted ones, in [`Signal::ALL`] order.
fn own_signals(wanted: &Wanted) -> Vec<Signal> {
    Signal::ALL
        .iter()
        .copied()
        .filter(|&s| wanted[s.index()] && is_own(s))
        .collect()
}

/// The table as of one date, with fresh tallies (a history of one date).
pub(crate) fn one_date(
    population: &Population,
    as_of: jiff::Timestamp,
    params: &SignalParams,
    wanted: &Wanted,
) -> Result<SignalTable> {
    params.check()?;
    let t = check_as_of(population, as_of)?;
    let curves = TopicCurves::at(population, t, params);
    let clock = Clock::new(t, params);
    let date = AsOf {
        clock,
        decay: &Decay::new(clock.lambda),
        curves: &curves,
        horizon: &curves.mentions,
        latest: population.latest,
    };
    let own = own_signals(wanted);
    let n = population.len();
    let mut columns: Vec<Vec<f64>> = own.iter().map(|_| vec![0.0; n]).collect();
    let mut components: ChunkedComponents = vec![ChunkComponents::default(); n.div_ceil(CHUNK)];
    let outputs = chunk_outputs(&mut columns, &mut components, false);
    map_each(outputs.into_iter().enumerate().collect(), |(i, mut out)| {
        let customers = i * CHUNK..n.min((i + 1) * CHUNK);
        out.start(customers.len());
        let mut tally = Tally::default();
        for (j, c) in customers.enumerate() {
            tally.reset();
            tally.advance(population, c, &date);
            out.record(j, &own, &tally, &date);
        }
    });
    assemble(
        population,
        as_of,
        params,
        wanted,
        &own,
        columns,
        &components,
        curves,
        None,
        &mut Vec::new(),
    )
}

/// Signal tables as of increasing dates, each customer's events consumed once over all of them:
/// the state of a score history. Keeps one [`Tally`] per customer between dates.
///
/// The tables are for ranking only, and never leave the crate: the columns of the signals whose
/// value is `ln(1 + y)` hold `y` ([`SignalSweep::pending`]), which ranks the same without a
/// logarithm per customer and date.
pub(crate) struct SignalSweep<'p> {
    population: &'p Population,
    params: SignalParams,
    /// The weights of the parameters' decay rate.
    decay: Decay,
    wanted: Wanted,
    own: Vec<Signal>,
    /// The last date, and each topic's mentions by then.
    until: i64,
    horizon: Vec<u32>,
    /// One vector of tallies per chunk of [`CHUNK`] customers, filled by the chunk's thread on
    /// the first pass, and the shelf of their early topics and pending mentions.
    tallies: Vec<(Vec<Tally>, Shelf)>,
    /// The reference time of the tallies' running sums, once they have one.
    reference: Option<i64>,
    /// The last date advanced to.
    last: Option<i64>,
    /// Components of earlier dates, to be written over.
    spare_components: Vec<ChunkedComponents>,
    /// Columns of earlier tables, to be written over.
    spare: Vec<Vec<f64>>,
    /// When no questionnaire signal is wanted: the first time an answer off the questionnaire's
    /// scale is known. From then on a date fails as it does scored alone (see [`assemble`]).
    answers_fail_from: Option<i64>,
}

impl<'p> SignalSweep<'p> {
    /// A sweep over dates up to `last`, computing the `wanted` signals.
    pub(crate) fn new(
        population: &'p Population,
        params: &SignalParams,
        wanted: Wanted,
        last: jiff::Timestamp,
    ) -> Result<SignalSweep<'p>> {
        params.check()?;
        let t_last = check_as_of(population, last)?;
        let survey_wanted = SURVEY_SIGNALS.iter().any(|s| wanted[s.index()]);
        let answers_fail_from = if survey_wanted {
            None
        } else {
            survey::first_off_scale(population, &params.questionnaire.check()?)
        };
        Ok(SignalSweep {
            population,
            until: t_last,
            horizon: TopicCurves::at(population, t_last, params).mentions,
            params: params.clone(),
            decay: Decay::new(params.decay_rate()),
            own: own_signals(&wanted),
            wanted,
            tallies: vec![(Vec::new(), Shelf::default()); population.len().div_ceil(CHUNK)],
            reference: None,
            last: None,
            spare_components: Vec::new(),
            spare: Vec::new(),
            answers_fail_from,
        })
    }

    /// The tables as of each of `dates`, in one pass over the customers: each customer's tally
    /// is advanced from date to date while it is at hand. The dates must increase, from no
    /// earlier than the previous call's, and not past the sweep's last date.
    pub(crate) fn tables(&mut self, dates: &[jiff::Timestamp]) -> Result<Vec<SignalTable>> {
        let population = self.population;
        let n = population.len();
        // Per date: its clock, topic curves, and whether the tallies start over (a new
        // reference time: running sums against another cannot be carried over).
        let mut steps = Vec::with_capacity(dates.len());
        for &as_of in dates {
            let t = check_as_of(population, as_of)?;
            if self.last.is_some_and(|last| t < last) || t > self.until {
                return Err(Error::parameter(
                    "as-of time of a sweep",
                    as_of,
                    "must not be before the previous one, nor after the last one",
                ));
            }
            self.last = Some(t);
            let clock = Clock::new(t, &self.params);
            let restart = self.reference.is_some_and(|r| r != clock.reference);
            self.reference = Some(clock.reference);
            steps.push((clock, TopicCurves::at(population, t, &self.params), restart));
        }
        let own = &self.own;
        let mut columns: Vec<Vec<Vec<f64>>> = steps
            .iter()
            .map(|_| {
                own.iter()
                    .map(|_| column_from(&mut self.spare, n))
                    .collect()
            })
            .collect();
        let mut components: Vec<ChunkedComponents> = steps
            .iter()
            .map(|_| {
                let mut c = self.spare_components.pop().unwrap_or_default();
                c.resize_with(self.tallies.len(), ChunkComponents::default);
                c
            })
            .collect();
        {
            let as_of: Vec<AsOf<'_>> = steps
                .iter()
                .map(|(clock, curves, _)| AsOf {
                    clock: *clock,
                    decay: &self.decay,
                    curves,
                    horizon: &self.horizon,
                    latest: population.latest,
                })
                .collect();
            // Per date, its chunk outputs; then per chunk, its outputs at every date.
            let mut per_date: Vec<std::vec::IntoIter<ChunkOut<'_>>> = columns
                .iter_mut()
                .zip(&mut components)
                .map(|(columns, components)| chunk_outputs(columns, components, true).into_iter())
                .collect();
            let jobs: Vec<_> = self
                .tallies
                .iter_mut()
                .enumerate()
                .map(|(i, tallies)| {
                    let outs: Vec<ChunkOut<'_>> =
                        per_date.iter_mut().filter_map(Iterator::next).collect();
                    (i * CHUNK, tallies, outs)
                })
                .collect();
            map_each(jobs, |(start, (tallies, shelf), mut outs)| {
                let len = n.min(start + CHUNK) - start;
                tallies.resize(len, Tally::default());
                for out in &mut outs {
                    out.start(len);
                }
                shelf.each(tallies, |j, tally| {
                    for ((date, out), (_, _, restart)) in as_of.iter().zip(&mut outs).zip(&steps) {
                        if *restart {
                            tally.reset();
                        }
                        tally.advance(population, start + j, date);
                        out.record(j, own, tally, date);
                    }
                });
            });
        }
        let mut tables = Vec::with_capacity(dates.len());
        for (((&as_of, (_, curves, _)), columns), components) in
            dates.iter().zip(steps).zip(columns).zip(components)
        {
            tables.push(assemble(
                population,
                as_of,
                &self.params,
                &self.wanted,
                own,
                columns,
                &components,
                curves,
                self.answers_fail_from,
                &mut self.spare,
            )?);
            self.spare_components.push(components);
        }
        Ok(tables)
    }

    /// The most memory one date's table takes while a pass holds it: a column per signal wanted
    /// and the rate components.
    pub(crate) fn bytes_per_date(&self) -> usize {
        let p = self.population;
        let columns = self.wanted.iter().filter(|&&wanted| wanted).count();
        p.len() * size_of::<f64>() * columns
            + ChunkComponents::most_bytes(
                p.len(),
                p.ideas.groups.non_empty(),
                p.participations.groups.non_empty(),
            )
    }

    /// What is left to do to each signal's column of the tables: [`Pending::Ln1p`] for the
    /// signals whose value is `ln(1 + y)` ([`takes_log`]), held as `y`.
    pub(crate) fn pending(&self) -> [Pending; SIGNALS] {
        let mut pending = [Pending::Nothing; SIGNALS];
        for &signal in &self.own {
            if takes_log(signal) {
                pending[signal.index()] = Pending::Ln1p;
            }
        }
        pending
    }

    /// Takes back a table's columns, to write the next tables' values over them.
    pub(crate) fn recycle(&mut self, table: SignalTable) {
        self.spare.extend(table.columns.into_iter().flatten());
    }
}

/// A column of `n` values to write over: a spare one if there is one.
fn column_from(spare: &mut Vec<Vec<f64>>, n: usize) -> Vec<f64> {
    match spare.pop() {
        Some(mut column) => {
            column.resize(n, 0.0);
            column
        }
        // Zeroed by the system (calloc): the pages are mapped where first written, by the
        // chunks' threads, rather than zeroed here first.
        None => vec![0.0; n],
    }
}

/// Finishes a date's table from every chunk's own signals and components: fits the population's
/// priors, shrinks the rate signals, adds the on-demand and questionnaire signals wanted.
///
/// The questionnaire signals are also computed, only to fail as a single date does, from
/// `answers_fail_from` on: a single date computes them whatever the model uses (they are not
/// on demand), and an answer off the questionnaire's scale then fails it, so that a score
/// history, which computes only what its model uses, must fail from the same date.
#[allow(clippy::too_many_arguments)]
fn assemble(
    population: &Population,
    as_of: jiff::Timestamp,
    params: &SignalParams,
    wanted: &Wanted,
    own: &[Signal],
    own_columns: Vec<Vec<f64>>,
    components: &[ChunkComponents],
    curves: TopicCurves,
    answers_fail_from: Option<i64>,
    spare: &mut Vec<Vec<f64>>,
) -> Result<SignalTable> {
    let n = population.len();
    let t = crate::time::as_of_second(as_of);
    // Settings first: a bad one is reported as such, not as a failure of a fit it led to.
    let questionnaire = params.questionnaire.check()?;
    let mut columns: Vec<Option<Vec<f64>>> = vec![None; SIGNALS];
    for (signal, column) in own.iter().zip(own_columns) {
        columns[signal.index()] = Some(column);
    }
    let context = Context::fit(components, curves, params, t);
    let shrunk: Vec<Signal> = Signal::ALL
        .iter()
        .copied()
        .filter(|&s| wanted[s.index()] && context.shrunk(s, &Components::default()).is_some())
        .collect();
    let mut shrunk_columns: Vec<Vec<f64>> = shrunk.iter().map(|_| column_from(spare, n)).collect();
    let mut parts: Vec<_> = shrunk_columns
        .iter_mut()
        .map(|c| c.chunks_mut(CHUNK))
        .collect();
    let jobs: Vec<_> = components
        .iter()
        .map(|components| {
            let columns: Vec<_> = parts.iter_mut().filter_map(Iterator::next).collect();
            (components, columns)
        })
        .collect();
    map_each(jobs, |(components, mut columns)| {
        for (column, &signal) in columns.iter_mut().zip(&shrunk) {
            components.shrunk_into(&context, signal, column);
        }
    });
    for (signal, column) in shrunk.iter().zip(shrunk_columns) {
        columns[signal.index()] = Some(column);
    }
    let on_demand = |s: Signal| wanted[s.index()] && s.is_on_demand();
    if Signal::ALL.iter().any(|&s| on_demand(s)) {
        let alive = AliveModel::fit(population, as_of, &params.alive.activity, &params.alive.fit)?;
        if on_demand(Signal::ProbabilityAlive) {
            columns[Signal::ProbabilityAlive.index()] = Some(alive.probability_alive_column());
        }
        if on_demand(Signal::ExpectedActivity) {
            let unit_days = params.alive.activity.summary.unit.days() as f64;
            let expected = alive.expected_activity_column(params.alive.horizon_days / unit_days)?;
            columns[Signal::ExpectedActivity.index()] =
                Some(expected.into_iter().map(f64::ln_1p).collect());
        }
    }
    let mut known = vec![None; SIGNALS];
    if SURVEY_SIGNALS.iter().any(|s| wanted[s.index()])
        || answers_fail_from.is_some_and(|from| from <= t)
    {
        for (signal, column) in survey::survey_columns(population, t, &questionnaire)? {
            if wanted[signal.index()] {
                columns[signal.index()] = Some(column.values);
                known[signal.index()] = Some(column.known);
            }
        }
    }
    // A customer the company did not know yet has no value of any signal, their answers'
    // included (an undated answer counts from the end of the data, and its customer may be
    // known only later, by a `since` day): they take no part in the normalization.
    let present = population.known_mask(t);
    if let Some(present) = &present {
        for own in known.iter_mut().flatten() {
            own.iter_mut().zip(present).for_each(|(k, &p)| *k &= p);
        }
    }
    Ok(SignalTable {
        as_of,
        customers: population.ids.clone(),
        columns,
        known,
        present,
        context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic::{Generator, GeneratorConfig};
    use crate::time::{SECONDS_PER_DAY, monthly_dates};

    /// Each own signal's value for each customer, from a tally of its own advanced to `t`.
    fn by_customer(
        p: &Population,
        t: i64,
        params: &SignalParams,
        before_log: bool,
    ) -> Vec<Vec<f64>> {
        let curves = TopicCurves::at(p, t, params);
        let clock = Clock::new(t, params);
        let date = AsOf {
            clock,
            decay: &Decay::new(clock.lambda),
            curves: &curves,
            horizon: &curves.mentions,
            latest: p.latest,
        };
        let own = own_signals(&all_but_on_demand(&[]));
        (0..p.len())
            .map(|c| {
                let mut tally = Tally::default();
                tally.advance(p, c, &date);
                own.iter()
                    .map(|&s| {
                        let value = if before_log {
                            tally.own_before_log(s, &date.clock, date.curves)
                        } else {
                            tally.own_value(s, &date.clock, date.curves)
                        };
                        value.unwrap_or(0.0)
                    })
                    .collect()
            })
            .collect()
    }

    /// The columns of the own signals, customer by customer.
    fn rows(table: &SignalTable) -> Vec<Vec<f64>> {
        let own = own_signals(&all_but_on_demand(&[]));
        (0..table.len())
            .map(|c| own.iter().map(|&s| table.column(s).unwrap()[c]).collect())
            .collect()
    }

    #[test]
    fn staged_values_reach_every_customers_place_in_every_column() {
        // 101 customers: staged seven at a time, fourteen full runs and a partial one of three.
        let base = Generator::new(GeneratorConfig {
            customers: 101,
            seed: 5,
            ..Default::default()
        })
        .generate()
        .unwrap();
        let p = &base.population;
        let params = SignalParams::default();
        let wanted = all_but_on_demand(&[]);
        let t = p.latest;
        let as_of = jiff::Timestamp::from_second(t).unwrap();
        let alone = one_date(p, as_of, &params, &wanted).unwrap();
        assert_eq!(rows(&alone), by_customer(p, t, &params, false));
        // A history's passes hold `y` for the values `ln(1 + y)`, several dates a pass, and
        // write over the columns of the tables given back.
        let dates = monthly_dates(as_of, 5).unwrap();
        let mut sweep = SignalSweep::new(p, &params, wanted, as_of).unwrap();
        for pass in dates.chunks(2) {
            for table in sweep.tables(pass).unwrap() {
                let t = crate::time::as_of_second(table.as_of());
                assert_eq!(rows(&table), by_customer(p, t, &params, true), "as of {t}");
                sweep.recycle(table);
            }
        }
        assert!(dates[0].as_second() < t - 100 * SECONDS_PER_DAY);
    }
}
