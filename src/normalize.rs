//! Putting signals on a common scale across the population.
//!
//! Raw signals live on different scales (a decay weight, a log of a count, a rate, a rating) and
//! some are heavy-tailed. Before they are weighed together, each is normalized across the
//! population to [0, 1], in three optional steps, in this order:
//!
//! 1. `log1p`: `x -> ln(1 + x)`, diminishing returns for counts (negative values count as 0);
//! 2. winsorizing at a tail share `p`: values below the `p` quantile or above the `1 - p`
//!    quantile are clipped to them, so outliers cannot dominate;
//! 3. a [`Scale`]: the percentile rank (the default), a robust z-score mapped through the normal
//!    distribution function, or the value itself clamped to [0, 1].
//!
//! Every step is monotone: a higher raw value never gets a lower normalized value.

use serde::{Deserialize, Serialize};

use crate::error::check_fraction;
use crate::{Error, Result};

/// The last step of a [`Normalization`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// The percentile rank: a customer's mean rank among the customers with a value (1 =
    /// lowest, tied values sharing the mean of their ranks) divided by their number, in (0, 1].
    /// In scoring, those are the customers known at the as-of time, less any without a value of
    /// the signal (non-respondents, for the questionnaire's). The default: robust to any
    /// distribution, and tells "better than 80% of customers".
    #[default]
    Percentile,
    /// The robust z-score `z = (x - median) / (1.4826 MAD)`, mapped to (0, 1) by the standard
    /// normal distribution function `Φ(z)`. Keeps the distances between customers, unlike ranks,
    /// while the median and the median absolute deviation (MAD) ignore outliers. When the MAD is
    /// 0 (more than half the customers share one value), the mean absolute deviation from the
    /// median times 1.2533 stands in; when that is 0 too, every customer gets 0.5.
    RobustZ,
    /// The value itself, clamped to [0, 1]: for signals that already are a share or probability.
    Identity,
}

/// How one signal is put on the common [0, 1] scale: optionally `ln(1 + x)`, then optionally
/// winsorizing, then a [`Scale`], in that order. Every step is monotone: a higher raw value never
/// gets a lower normalized value.
///
/// ```
/// use lead_customers::{Normalization, Scale};
/// let n = Normalization { log1p: true, winsorize: Some(0.01), scale: Scale::RobustZ };
/// let json = serde_json::to_string(&n).unwrap();
/// assert_eq!(json, r#"{"log1p":true,"winsorize":0.01,"scale":"robust_z"}"#);
/// assert_eq!(n.apply(&[1.0, 2.0, 3.0]).unwrap()[1], 0.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Normalization {
    /// Apply `ln(1 + x)` first. Default `false` (the count signals already carry their log).
    pub log1p: bool,
    /// Clip each tail at this share of the population (from 0, below 0.5). Default `None`.
    pub winsorize: Option<f64>,
    /// The final scale. Default [`Scale::Percentile`].
    pub scale: Scale,
}

/// What a column handed to normalization holds: the values, or values before a last step.
///
/// Why: a score history ranks several columns of `ln(1 + y)` per customer at every date, and
/// the logarithms were about 7% of its time. Percentile ranks depend only on how values
/// compare, and `ln(1 + y)` keeps the order of `y` wherever two values differ by more than a
/// rounding error, so the history hands over `y` and the ranking takes logarithms only where two
/// values are close enough for them to matter (see [`percentile_ranks_into`]). The ranks are
/// exactly those of the logarithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    /// The column holds the values.
    Nothing,
    /// The column holds `y`; the values are [`ln_1p`]`(y)`.
    Ln1p,
}

impl Pending {
    /// The value a held `y` stands for.
    #[inline]
    pub(crate) fn apply(self, y: f64) -> f64 {
        match self {
            Pending::Nothing => y,
            Pending::Ln1p => ln_1p(y),
        }
    }

    /// The lowest `y` a column may hold to be ranked without the pending step taken first:
    /// logarithms are ranked lazily for values from 0 up only.
    fn lowest(self) -> f64 {
        match self {
            Pending::Nothing => -f64::MAX,
            Pending::Ln1p => 0.0,
        }
    }
}

/// `ln(1 + y)`, with 0 for 0 without a logarithm (most customers have none of most things).
#[inline]
pub(crate) fn ln_1p(y: f64) -> f64 {
    if y == 0.0 { 0.0 } else { y.ln_1p() }
}

impl Normalization {
    /// The percentile rank alone: the default.
    pub const PERCENTILE: Normalization = Normalization {
        log1p: false,
        winsorize: None,
        scale: Scale::Percentile,
    };

    /// Checks the settings: the winsorizing share is from 0 and below 0.5.
    pub fn check(&self) -> Result<()> {
        if let Some(p) = self.winsorize {
            check_fraction("winsorize", p)?;
            if p >= 0.5 {
                return Err(Error::parameter("winsorize", p, "must be below 0.5"));
            }
        }
        Ok(())
    }

    /// Normalizes a column across the population.
    ///
    /// Fails on an invalid setting, an empty column, or a value that is NaN or infinite.
    pub fn apply(&self, values: &[f64]) -> Result<Vec<f64>> {
        let mut out = Vec::new();
        self.apply_into(
            values,
            Pending::Nothing,
            &mut out,
            &mut RankScratch::default(),
        )?;
        Ok(out)
    }

    /// Like [`apply`](Self::apply), into `out`, with reusable scratch space: a score history
    /// normalizes every signal at every date, and fresh buffers each time cost more than the
    /// work. The column holds the values, or `y` for values `ln(1 + y)` ([`Pending`]).
    pub(crate) fn apply_into(
        &self,
        values: &[f64],
        pending: Pending,
        out: &mut Vec<f64>,
        scratch: &mut RankScratch,
    ) -> Result<()> {
        self.check()?;
        if values.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "normalization",
            });
        }
        // The percentile rank alone (the default) is ranked at once: the ranking checks the
        // values' range as it reads them, which saves a pass over every column.
        let plain = self.scale == Scale::Percentile && !self.log1p && self.winsorize.is_none();
        if plain && percentile_ranks_into(values, pending, out, scratch) {
            return Ok(());
        }
        if pending == Pending::Ln1p {
            // More than ranks asked for, values of `y` below 0, or values the ranking cannot
            // tell apart without their logarithms: the logarithms first.
            let mut applied = std::mem::take(&mut scratch.applied);
            applied.clear();
            applied.extend(values.iter().map(|&y| pending.apply(y)));
            let done = self.apply_into(&applied, Pending::Nothing, out, scratch);
            scratch.applied = applied;
            return done;
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::parameter(
                "signal value",
                bad,
                "must be finite to be normalized",
            ));
        }
        let mut pre = std::mem::take(&mut scratch.pre);
        let x: &[f64] = if !self.log1p && self.winsorize.is_none() {
            values
        } else {
            pre.clear();
            pre.extend(values.iter().map(|&v| self.pre(v)));
            if let Some(p) = self.winsorize {
                let (lo, hi) = tails(&pre, p);
                pre.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
            }
            &pre
        };
        out.clear();
        match self.scale {
            Scale::Percentile => {
                // Finite values (checked above; `ln(1 + max(v, 0))` and clipping keep them so)
                // are in range.
                let ranked = percentile_ranks_into(x, Pending::Nothing, out, scratch);
                debug_assert!(ranked);
            }
            Scale::RobustZ => {
                let robust = RobustZ::fit(x);
                out.extend(x.iter().map(|&v| robust.z(v)));
            }
            Scale::Identity => out.extend(x.iter().map(|v| v.clamp(0.0, 1.0))),
        }
        scratch.pre = pre;
        Ok(())
    }

    fn pre(&self, v: f64) -> f64 {
        if self.log1p { v.max(0.0).ln_1p() } else { v }
    }

    /// Fits the normalization to a population's column, to normalize single values later against
    /// it. For a value present in the column, [`Fitted::normalize`] gives exactly what
    /// [`apply`](Self::apply) gives that value.
    #[cfg(test)]
    pub(crate) fn fit(&self, values: &[f64]) -> Result<Fitted> {
        self.check()?;
        let mut x: Vec<f64> = values.iter().map(|&v| self.pre(v)).collect();
        if x.is_empty() {
            return Err(Error::EmptyPopulation {
                what: "normalization",
            });
        }
        let (lo, hi) = match self.winsorize {
            Some(p) => tails(&x, p),
            None => (f64::NEG_INFINITY, f64::INFINITY),
        };
        x.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
        x.sort_unstable_by(f64::total_cmp);
        let robust = RobustZ::fit(&x);
        Ok(Fitted {
            normalization: *self,
            sorted: x,
            lo,
            hi,
            robust,
        })
    }
}

/// A normalization fitted to a population: normalizes single values against it.
#[cfg(test)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fitted {
    normalization: Normalization,
    sorted: Vec<f64>,
    lo: f64,
    hi: f64,
    robust: RobustZ,
}

#[cfg(test)]
impl Fitted {
    /// The normalized value of `v` against the fitted population. Monotone in `v`.
    pub(crate) fn normalize(&self, v: f64) -> f64 {
        let x = self.normalization.pre(v).clamp(self.lo, self.hi);
        match self.normalization.scale {
            Scale::Percentile => {
                let below = self.sorted.partition_point(|&s| s < x);
                let equal = self.sorted[below..].partition_point(|&s| s <= x);
                (below as f64 + (equal as f64 + 1.0) / 2.0) / self.sorted.len() as f64
            }
            Scale::RobustZ => self.robust.z(x),
            Scale::Identity => x.clamp(0.0, 1.0),
        }
    }
}

/// The `p` and `1 - p` quantiles (nearest rank) of the values.
fn tails(x: &[f64], p: f64) -> (f64, f64) {
    let mut sorted = x.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let k = ((p * n as f64).floor() as usize).min(n - 1);
    (sorted[k], sorted[n - 1 - k])
}

/// Buffers for ranking a column, kept between columns.
#[derive(Debug, Default)]
pub(crate) struct RankScratch {
    /// Per value to sort: its key, then the bits kept of its key above its index.
    packed: Vec<u64>,
    packed_spare: Vec<u64>,
    /// The indices of the values to sort, before they are packed.
    indices: Vec<u32>,
    pre: Vec<f64>,
    /// A column with its pending step applied, when the ranking cannot do without.
    applied: Vec<f64>,
    /// Ranking few distinct values: the table of the values seen, and each value's slot in it.
    few: FewValues,
    slots: Vec<u16>,
    /// A column's values of the customers who have one, and their normalized values, when some
    /// have none (see `scoring::compute`).
    pub(crate) gathered: Vec<f64>,
    pub(crate) normalized: Vec<f64>,
    /// Never counts few distinct values: to check the two ways against each other.
    #[cfg(test)]
    sort_only: bool,
}

/// Percentile ranks: the mean rank of each value's tie group divided by `n`, checked as
/// [`ranked_both_ways`] does.
#[cfg(test)]
pub(crate) fn percentile_ranks(x: &[f64]) -> Vec<f64> {
    ranked_both_ways(x.len(), |out, scratch| {
        percentile_ranks_into(x, Pending::Nothing, out, scratch)
    })
}

/// Percentile ranks of `ln(1 + y)` over a column of `y` from 0 up, the logarithm pending;
/// checked as [`ranked_both_ways`] does.
#[cfg(test)]
pub(crate) fn percentile_ranks_of_ln_1p(y: &[f64]) -> Vec<f64> {
    ranked_both_ways(y.len(), |out, scratch| {
        Normalization::PERCENTILE
            .apply_into(y, Pending::Ln1p, out, scratch)
            .is_ok()
    })
}

/// The ranks `rank` writes into its output (asserting it succeeds), checked against the same
/// ranking by sorting alone, so that every test of the ranking covers both ways whichever one
/// the column takes; the second time into a column of the right length (`n`) holding stale
/// values, as a score history's are, of which every place must be written.
#[cfg(test)]
fn ranked_both_ways(n: usize, rank: impl Fn(&mut Vec<f64>, &mut RankScratch) -> bool) -> Vec<f64> {
    let mut out = Vec::new();
    for sort_only in [false, true] {
        let mut scratch = RankScratch {
            sort_only,
            ..RankScratch::default()
        };
        let mut ranks = if sort_only {
            vec![f64::NAN; n]
        } else {
            Vec::new()
        };
        assert!(rank(&mut ranks, &mut scratch));
        assert!(
            !sort_only || ranks == out,
            "counted and sorted ranks differ"
        );
        out = ranks;
    }
    out
}

/// Percentile ranks into `out`.
///
/// The ranks depend on the values alone, so the way they are found is free, and scoring many dates
/// ranks every signal at every date, so this is where a score history spends much of its time. A
/// value shared by many customers (the 0 of everyone without an idea) is counted rather than
/// sorted. The others are sorted by their key (the value's bits in an order-preserving form) in two
/// steps. The key minus the smallest key, cut to as many of its top bits as the value's index
/// leaves room for (44 at a million values), is packed above the index in one `u64`. First these
/// are radix-sorted by a **prefix** of those bits (22 bits for up to 4,096 values to sort, 33
/// beyond) in two or three passes. Keys grow with the logarithm of a value, so a prefix that short
/// tells apart almost all values that differ, whatever their scale. (Measured on the 13 columns of
/// the default model at a million customers: ranked in 10% less time than by a radix sort on all
/// the 44 bits, and in half the time 22 bits take.) Then each run of values sharing the prefix is
/// put in order by the bits kept below it, read from the packed values themselves; only values
/// that share every bit kept (exact ties, or values too close for the bits kept) are sorted by
/// their whole key, read from the column, unless they are all equal or are the copies of the
/// smallest value (counted while packing). (Reading the values at their scattered indices was a
/// third of the time at a million customers, when the second step took every run of the prefix
/// there: ranking the 13 columns took 10–15% less time without it.)
/// When the bits kept hold every bit of the keys' range (counts, and any values with few distinct
/// keys close together), equal bits are equal values, and the column is not read again.
///
/// Returns `false`, leaving `out` to be written over, when a value is not finite or, with
/// [`Pending::Ln1p`], below 0, or when the logarithms must be taken first (see below).
///
/// With [`Pending::Ln1p`], `x` holds values `y ≥ 0` and the ranks are those of `ln(1 + y)`.
/// After the sort by `y`, runs of values each within [`CLOSE`] (`2^-30` of the larger) of the
/// next, and not all equal, are ranked again by their logarithms, which may tie them
/// ([`settle_ln_1p`]); runs are found by the bits kept, reading the column only where those are
/// close. Any two values `a < b` in different runs are more than `2^-31` apart relative to the
/// larger, so their logarithms are at least `(b - a) / (1 + b)` apart, which is more than
/// `2^-31 / (1 + ln(1 + b))` times `ln(1 + b)`: `2^-32` of it up to `b = 1`, `2^-41` at the
/// largest `f64`, so thousands of units in the last place. `ln_1p` rounds to about one unit, so
/// it keeps their order and tells them apart: the ranks are exactly those of the logarithms. If
/// the common value has a neighbour that close, the answer is `false`: the caller ranks the
/// logarithms, as it does for any column it cannot hand over with its logarithm pending.
///
/// A column of at least [`FEW_FROM`] values that a sample suggests holds few distinct values
/// ([`looks_few`]) is first read for them: when there are at most [`FEW`], they are ranked by
/// counting ([`ranks_of_few_values`]), and the column is not sorted at all.
fn percentile_ranks_into(
    x: &[f64],
    pending: Pending,
    out: &mut Vec<f64>,
    scratch: &mut RankScratch,
) -> bool {
    #[cfg(test)]
    if scratch.sort_only {
        return percentile_ranks_by_sorting(x, pending, out, scratch);
    }
    let counted = if x.len() >= FEW_FROM && looks_few(x) {
        ranks_of_few_values(x, pending, out, scratch)
    } else {
        None
    };
    counted.unwrap_or_else(|| percentile_ranks_by_sorting(x, pending, out, scratch))
}

/// [`percentile_ranks_into`] without the counting of few distinct values: by sorting.
fn percentile_ranks_by_sorting(
    x: &[f64],
    pending: Pending,
    out: &mut Vec<f64>,
    scratch: &mut RankScratch,
) -> bool {
    let n = x.len();
    if u32::try_from(n).is_err() {
        return percentile_ranks_by_comparison(x, pending, out);
    }
    // The low `shift` bits of a packed value hold the index.
    let shift = usize::BITS - n.leading_zeros();
    let low = (1u64 << shift) - 1;
    let (common, sampled) = frequent_value(x).unzip();
    // One pass over the values: count the common value and the other values below it (its tie
    // group sits after them), and gather the others' keys and indices and the range of their
    // keys.
    let (common_value, common_key) = (common.unwrap_or(f64::NAN), common.map_or(0, order_key));
    let (packed, indices) = (&mut scratch.packed, &mut scratch.indices);
    let (mut m, mut split) = (0, 0);
    let (mut smallest, mut max_key) = (Smallest::NONE, 0);
    if sampled.is_some_and(|share| share >= RARELY_OTHER) {
        // Nearly all values are common: a branch on it is almost always right.
        packed.clear();
        indices.clear();
        for (i, &v) in x.iter().enumerate() {
            if v != common_value {
                let key = order_key(v);
                packed.push(key);
                indices.push(i as u32);
                split += usize::from(key < common_key);
                smallest.see(key);
                max_key = max_key.max(key);
            }
        }
        m = packed.len();
    } else {
        // Otherwise which values are common is unpredictable: no branch on it. Every value is
        // written at `m`, and kept by moving on.
        packed.resize(n, 0);
        indices.resize(n, 0);
        for (i, &v) in x.iter().enumerate() {
            let kept = v != common_value;
            let key = order_key(v);
            packed[m] = key;
            indices[m] = i as u32;
            m += usize::from(kept);
            split += usize::from(kept & (key < common_key));
            // A value not kept is seen as the largest key, which no kept value is (see
            // `Smallest`).
            smallest.see(if kept { key } else { u64::MAX });
            max_key = max_key.max(if kept { key } else { 0 });
        }
        packed.truncate(m);
    }
    let Smallest {
        key: min_key,
        count: min_count,
    } = smallest;
    // Values out of range (not finite, or below 0 for logarithms to come) are left to the
    // caller, who was spared a pass over the column to look for them.
    let lowest = order_key(pending.lowest());
    let in_range = |key: u64| (lowest..=order_key(f64::MAX)).contains(&key);
    if common.is_some_and(|c| !in_range(order_key(c)))
        || m > 0 && !(in_range(min_key) && in_range(max_key))
    {
        return false;
    }
    let places = Places {
        split,
        common_count: n - m,
        n,
    };
    // Every value starts with the common value's rank; the others are written over it.
    out.clear();
    out.resize(n, places.rank_from(split, places.common_count));
    if m == 0 {
        return true;
    }
    // Kept above the index: the top `kept` bits of `key - min_key` (as many as fit), those below
    // `drop` dropped. Sorted by: the top `width` of those, the `below` others left to the second
    // step, which then reads them here rather than the values at scattered indices.
    let range_bits = u64::BITS - (max_key - min_key).leading_zeros();
    let wanted = if m <= 1 << 12 { 2 * DIGIT } else { 3 * DIGIT };
    let kept = range_bits.min(u64::BITS - shift);
    let drop = range_bits - kept;
    let width = kept.min(wanted);
    let below = kept - width;
    // Packed, and the radix digits counted on the way (none when few enough to sort by
    // comparison).
    let sort_shift = shift + below;
    let digits = if m < RADIX_FROM {
        0
    } else {
        width.div_ceil(DIGIT) as usize
    };
    let mut counts = vec![[0u32; 1 << DIGIT]; digits];
    for (p, &i) in packed.iter_mut().zip(indices.iter()) {
        *p = (((*p - min_key) >> drop) << shift) | u64::from(i);
        for (d, count) in counts.iter_mut().enumerate() {
            count[digit(*p, sort_shift, d)] += 1;
        }
    }
    sort_by_prefix(packed, sort_shift, &counts, &mut scratch.packed_spare);
    let index = |p: u64| (p & low) as usize;
    let key_of = |p: u64| order_key(x[index(p)]);
    // A group of equal values, starting at `position` among the values sorted, shares the mean
    // of its ranks.
    let mut ties = |position: usize, group: &[u64]| {
        let rank = places.rank(position, group.len());
        for &p in group {
            out[index(p)] = rank;
        }
    };
    // How many of the first values sorted are known to be equal without reading them.
    let mut equal_first = 0;
    let mut position = 0;
    for run in packed.chunk_by_mut(|&a, &b| a >> shift >> below == b >> shift >> below) {
        if let [single] = run {
            // Most values, when they are spread out: alone with their prefix.
            ties(position, &[*single]);
            position += 1;
            continue;
        }
        // Values sharing the prefix the radix sort ordered: by the bits kept below it.
        if below > 0 && !run.is_sorted_by_key(|&p| p >> shift) {
            run.sort_unstable_by_key(|&p| p >> shift);
        }
        for same in run.chunk_by_mut(|&a, &b| a >> shift == b >> shift) {
            if same.len() == 1 || drop == 0 {
                // One value, or values equal in all their bits.
                ties(position, same);
            } else if position == 0 && same.len() == min_count {
                // The first values sorted hold every copy of the smallest (which share every bit
                // kept with it), and no more: all equal, without reading them again at their
                // scattered places. (Customers with nothing to count, all 0, too few to be the
                // common value: 6% of a million took a tenth of ranking activity.)
                ties(position, same);
                equal_first = same.len();
            } else {
                // Values sharing every bit kept: by the whole key, unless they are all equal (as
                // the ties of a column of dates are, hundreds of customers a day).
                let first = key_of(same[0]);
                if same.iter().all(|&p| key_of(p) == first) {
                    ties(position, same);
                } else {
                    same.sort_unstable_by_key(|&p| key_of(p));
                    let mut at = position;
                    for equal in same.chunk_by(|&a, &b| key_of(a) == key_of(b)) {
                        ties(at, equal);
                        at += equal.len();
                    }
                }
            }
            position += same.len();
        }
    }
    pending == Pending::Nothing || {
        let common = common.filter(|_| places.common_count > 0);
        settle_ln_1p(x, packed, shift, drop, equal_first, &places, common, out)
    }
}

/// Columns with fewer values than this are sorted (see [`percentile_ranks_into`]).
const FEW_FROM: usize = 4096;

/// The most distinct values [`ranks_of_few_values`] ranks by counting.
const FEW: usize = 1024;

/// Slots of [`FewValues`]' table: twice [`FEW`], so that it is at most half full.
const FEW_SLOTS: usize = 2 * FEW;

/// The distinct values of a column, by their [`order_key`], in an open-addressing table, and
/// how many times each was seen (0: the slot is free).
#[derive(Debug, Default)]
struct FewValues {
    keys: Vec<u64>,
    counts: Vec<u32>,
    /// Per slot, the rank of its value.
    ranks: Vec<f64>,
    /// The distinct values (their pending step applied) and their slots, in order.
    order: Vec<(f64, usize)>,
}

/// Percentile ranks of a column holding at most [`FEW`] distinct values (as the rate signals
/// shrunk toward a prior do: a few hundred kinds of record among millions of customers), by
/// counting; `None`, leaving `out` to be written over, for a column with more distinct values
/// or fewer than [`FEW_FROM`] values. As [`percentile_ranks_into`] otherwise, and the same
/// ranks to the bit.
///
/// Why: sorting such a column sorts mostly ties, and checks each group of ties by reading the
/// values again at their scattered places. The idea-quality column (214 distinct values at
/// 100,000 customers, 61% of them one) took 9.3 ns a value to sort at a million customers, and
/// takes 2.3 ns counted (in a history, sorting it took 13 ms a date, sharing the memory with
/// another date's ranking). Counted, each value costs one look into a table of 16 KB, and the
/// ranks are written in order. With [`Pending::Ln1p`], the logarithms of the distinct values are
/// compared directly, so a common value with a close neighbour needs no fallback (sorting hands
/// such a column back to have its logarithms taken first; the ranks are the same).
///
/// How: one pass finds each value's slot in the table (a multiplicative hash of its key, the
/// next slot on a collision), counts it there and notes the slot. It gives up when a value
/// would be the table's `FEW + 1`-th: on a column of many distinct values, within its first few
/// thousand. Then the distinct values are sorted (by `ln(1 + y)` when [`Pending::Ln1p`], where
/// values whose logarithms are equal tie), each group's rank is found from the counts, and each
/// value takes the rank of its slot.
fn ranks_of_few_values(
    x: &[f64],
    pending: Pending,
    out: &mut Vec<f64>,
    scratch: &mut RankScratch,
) -> Option<bool> {
    let n = x.len();
    if n < FEW_FROM || u32::try_from(n).is_err() {
        return None;
    }
    let (few, slots) = (&mut scratch.few, &mut scratch.slots);
    few.keys.clear();
    few.keys.resize(FEW_SLOTS, 0);
    few.counts.clear();
    few.counts.resize(FEW_SLOTS, 0);
    slots.clear();
    slots.reserve(n);
    let (mut distinct, mut min_key, mut max_key) = (0, u64::MAX, 0);
    const MASK: usize = FEW_SLOTS - 1;
    for &v in x {
        let key = order_key(v);
        // The top bits of the key times a constant close to 2^64 / φ (Fibonacci hashing).
        let mut slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            >> (u64::BITS - FEW_SLOTS.trailing_zeros())) as usize;
        loop {
            if few.counts[slot] == 0 {
                if distinct == FEW {
                    return None;
                }
                distinct += 1;
                few.keys[slot] = key;
                (min_key, max_key) = (min_key.min(key), max_key.max(key));
                break;
            }
            if few.keys[slot] == key {
                break;
            }
            slot = (slot + 1) & MASK;
        }
        few.counts[slot] += 1;
        slots.push(slot as u16);
    }
    // Out of range (not finite, or below 0 for logarithms to come): left to the caller, as
    // when sorting.
    let range = order_key(pending.lowest())..=order_key(f64::MAX);
    if !(range.contains(&min_key) && range.contains(&max_key)) {
        return Some(false);
    }
    let order = &mut few.order;
    order.clear();
    order.extend(
        (0..FEW_SLOTS)
            .filter(|&slot| few.counts[slot] > 0)
            .map(|slot| (pending.apply(from_order_key(few.keys[slot])), slot)),
    );
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    few.ranks.clear();
    few.ranks.resize(FEW_SLOTS, 0.0);
    let places = Places {
        split: 0,
        common_count: 0,
        n,
    };
    let mut first = 0;
    for equal in order.chunk_by(|a, b| a.0 == b.0) {
        let count = equal
            .iter()
            .map(|&(_, slot)| few.counts[slot] as usize)
            .sum();
        let rank = places.rank_from(first, count);
        for &(_, slot) in equal {
            few.ranks[slot] = rank;
        }
        first += count;
    }
    out.clear();
    out.extend(slots.iter().map(|&slot| few.ranks[usize::from(slot)]));
    Some(true)
}

/// Whether a sample of a column suggests that counting its distinct values pays
/// ([`ranks_of_few_values`]): of 256 values spread over the column, those other than the most
/// frequent one repeat one another at least once in eight, and there are at least 16 of them.
///
/// Why: counting gives up only after [`FEW`] distinct values, and the first pass that far is
/// wasted on a column of many distinct values (2 to 9% of the ranking at 100,000 values, when
/// most values are 0). And a column nearly all of one value, which the sort counts rather than
/// sorts, is ranked faster by the sort. Drawing `k` values from `D` equally frequent ones
/// repeats about `k² / 2D` of them: some twenty of a hundred for `D` = 200, none for
/// thousands.
fn looks_few(x: &[f64]) -> bool {
    const SAMPLE: usize = 256;
    let step = x.len() / SAMPLE;
    if step == 0 {
        return false;
    }
    let mut keys = [0u64; SAMPLE];
    for (i, key) in keys.iter_mut().enumerate() {
        *key = order_key(x[i * step]);
    }
    keys.sort_unstable();
    // The most frequent value's count, and how many distinct values there are.
    let (most, distinct) = keys
        .chunk_by(|a, b| a == b)
        .fold((0, 0), |(most, distinct), run| {
            (run.len().max(most), distinct + 1)
        });
    let others = SAMPLE - most;
    let repeats = others - (distinct - 1);
    others >= 16 && 8 * repeats >= others
}

/// The smallest key seen so far, and how many times it was seen. A run of `u64::MAX` (values
/// not kept, before the first that is) counts as seen until a kept value resets the count; a
/// finite value's key is below it.
#[derive(Clone, Copy)]
struct Smallest {
    key: u64,
    count: usize,
}

impl Smallest {
    /// Nothing seen yet.
    const NONE: Smallest = Smallest {
        key: u64::MAX,
        count: 0,
    };

    #[inline]
    fn see(&mut self, key: u64) {
        self.count = if key < self.key {
            1
        } else {
            self.count + usize::from(key == self.key)
        };
        self.key = self.key.min(key);
    }
}

/// Where the sorted values (all but the common value's) sit among all `n` values.
struct Places {
    /// How many sorted values are below the common value.
    split: usize,
    common_count: usize,
    n: usize,
}

impl Places {
    /// The percentile rank of `count` tied values from the `first`-th (0-based) of all values:
    /// the mean of their ranks over `n`.
    fn rank_from(&self, first: usize, count: usize) -> f64 {
        (first + 1 + first + count) as f64 / 2.0 / self.n as f64
    }

    /// The percentile rank of `count` tied values from the `position`-th value sorted.
    fn rank(&self, position: usize, count: usize) -> f64 {
        let first = if position < self.split {
            position
        } else {
            position + self.common_count
        };
        self.rank_from(first, count)
    }
}

/// Relative gap below which two values of `y` are ranked by their logarithms (see
/// [`percentile_ranks_into`]): `2^-30`.
const CLOSE: f64 = 1.0 / (1u64 << 30) as f64;

/// With [`Pending::Ln1p`], after `packed` was sorted by `y` and ranked: ranks again, by `ln(1 +
/// y)`, every run of sorted values each within [`CLOSE`] of the next and not all equal.
/// Returns `false`, leaving `out` to be written over, when the common value has a neighbour
/// that close (the caller then ranks the logarithms). The first `equal_first` values sorted are
/// known to be equal (the copies of the smallest value), and are not read again.
#[allow(clippy::too_many_arguments)]
fn settle_ln_1p(
    x: &[f64],
    packed: &mut [u64],
    shift: u32,
    drop: u32,
    equal_first: usize,
    places: &Places,
    common: Option<f64>,
    out: &mut [f64],
) -> bool {
    let low = (1u64 << shift) - 1;
    let index = |p: u64| (p & low) as usize;
    let y = |p: u64| x[index(p)];
    let close = |a: f64, b: f64| b - a <= b * CLOSE;
    if let Some(c) = common {
        let split = places.split;
        let below = split.checked_sub(1).map(|i| y(packed[i]));
        let above = packed.get(split).map(|&p| y(p));
        if below.is_some_and(|a| close(a, c)) || above.is_some_and(|b| close(c, b)) {
            return false;
        }
    }
    // Kept bits more than `far` apart are more than 2^23 keys apart: then `b - a` is more than
    // 2^23 units in the last place of `a`, more than `2^-30 a` and so than `2^-31 b`: far
    // enough for the logarithms (see `percentile_ranks_into`).
    let far = if drop < 23 { 1u64 << (23 - drop) } else { 1 };
    let (mut start, mut near) = (0, false);
    // The first `equal_first` values are known to be equal (and so joined): not read again.
    for i in equal_first.max(1)..=packed.len() {
        let joined = packed.get(i).is_some_and(|&b| {
            let a = packed[i - 1];
            let apart = (b >> shift) - (a >> shift);
            if apart > far {
                return false;
            }
            if apart == 0 && drop == 0 {
                return true; // equal keys
            }
            let (ya, yb) = (y(a), y(b));
            let is_near = ya != yb && close(ya, yb);
            near |= is_near;
            ya == yb || is_near
        });
        if joined {
            continue;
        }
        if near {
            let run = &mut packed[start..i];
            run.sort_by(|&a, &b| ln_1p(y(a)).total_cmp(&ln_1p(y(b))));
            let mut at = start;
            for equal in run.chunk_by(|&a, &b| ln_1p(y(a)) == ln_1p(y(b))) {
                let rank = places.rank(at, equal.len());
                for &p in equal {
                    out[index(p)] = rank;
                }
                at += equal.len();
            }
        }
        (start, near) = (i, false);
    }
    true
}

/// Bits per radix digit: 2,048 counters, 8 KB, in the fastest cache.
const DIGIT: u32 = 11;

/// Columns with fewer values than this to sort are sorted by comparison.
const RADIX_FROM: usize = 2048;

/// The `d`-th [`DIGIT`]-bit radix digit of `p` above its lowest `shift` bits.
#[inline]
fn digit(p: u64, shift: u32, d: usize) -> usize {
    ((p >> shift >> (DIGIT as usize * d)) & ((1 << DIGIT) - 1)) as usize
}

/// Sorts `packed` by its bits above the lowest `shift` whose digits `counts` counts (in no
/// particular order within equal prefixes): a least-significant-digit radix sort on
/// [`DIGIT`]-bit digits, skipping the digits that every value shares; by comparison when there
/// are no counts.
fn sort_by_prefix(
    packed: &mut Vec<u64>,
    shift: u32,
    counts: &[[u32; 1 << DIGIT]],
    spare: &mut Vec<u64>,
) {
    let m = packed.len();
    if counts.is_empty() {
        packed.sort_unstable_by_key(|&p| p >> shift);
        return;
    }
    spare.clear();
    spare.resize(m, 0);
    for (d, count) in counts.iter().enumerate() {
        if count.iter().any(|&c| c as usize == m) {
            continue; // every value has the same digit here
        }
        let mut next = [0u32; 1 << DIGIT];
        let mut total = 0;
        for (slot, &c) in next.iter_mut().zip(count) {
            *slot = total;
            total += c;
        }
        for &p in packed.iter() {
            let slot = &mut next[digit(p, shift, d)];
            spare[*slot as usize] = p;
            *slot += 1;
        }
        std::mem::swap(packed, spare);
    }
}

/// Percentile ranks by sorting indices: for columns too long to index with 32 bits. `false`,
/// as [`percentile_ranks_into`], for values out of range.
#[cold]
fn percentile_ranks_by_comparison(x: &[f64], pending: Pending, out: &mut Vec<f64>) -> bool {
    if !x.iter().all(|v| (pending.lowest()..=f64::MAX).contains(v)) {
        return false;
    }
    if pending == Pending::Ln1p {
        let applied: Vec<f64> = x.iter().map(|&y| pending.apply(y)).collect();
        return percentile_ranks_by_comparison(&applied, Pending::Nothing, out);
    }
    let n = x.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| order_key(x[i]));
    out.clear();
    out.resize(n, 0.0);
    let mut start = 0;
    while start < n {
        let key = order_key(x[order[start]]);
        let mut end = start + 1;
        while end < n && order_key(x[order[end]]) == key {
            end += 1;
        }
        let rank = (start + 1 + end) as f64 / 2.0 / n as f64;
        for &i in &order[start..end] {
            out[i] = rank;
        }
        start = end;
    }
    true
}

/// Of the values sampled by [`frequent_value`] (32), how many must be the common one for the
/// ranking to expect nearly every value to be it.
const RARELY_OTHER: usize = 31;

/// A value that a sample suggests at least an eighth of the values share, if any, and how many
/// of the 32 values sampled it is.
fn frequent_value(x: &[f64]) -> Option<(f64, usize)> {
    const SAMPLE: usize = 32;
    if x.len() < 4 * SAMPLE {
        return None;
    }
    let step = x.len() / SAMPLE;
    let sample: Vec<f64> = (0..SAMPLE).map(|i| x[i * step]).collect();
    let (count, value) = sample
        .iter()
        .map(|&v| (sample.iter().filter(|&&s| s == v).count(), v))
        .max_by(|a, b| a.0.cmp(&b.0))?;
    (count >= SAMPLE / 8).then_some((value, count))
}

/// The bits of a finite value, mapped so that unsigned order is numeric order (`-0.0` and `0.0`
/// share a key, as they compare equal).
fn order_key(v: f64) -> u64 {
    const SIGN: u64 = 1 << 63;
    let bits = (v + 0.0).to_bits();
    if bits & SIGN != 0 { !bits } else { bits | SIGN }
}

/// The value of a key of [`order_key`] (`0.0` for the key of `-0.0`).
fn from_order_key(key: u64) -> f64 {
    const SIGN: u64 = 1 << 63;
    f64::from_bits(if key & SIGN != 0 { key ^ SIGN } else { !key })
}

/// A column's robust z-score: its median and robust spread (1.4826 MAD, or 1.2533 times the
/// mean absolute deviation when the MAD is 0), of the values times `scale`.
///
/// Why the scale: with values beyond a quarter of `f64::MAX`, the median of two of them, or a
/// deviation from the median, overflows to infinity, and the scores came out NaN. Such columns
/// are scaled by 1/4 first (a power of two: exact for all but subnormal values), which changes
/// no z-score: the center and spread scale with the values.
#[derive(Debug, Clone, Copy, PartialEq)]
struct RobustZ {
    scale: f64,
    center: f64,
    spread: f64,
}

impl RobustZ {
    fn fit(x: &[f64]) -> RobustZ {
        let largest = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if largest > f64::MAX / 4.0 { 0.25 } else { 1.0 };
        let median = |v: &mut Vec<f64>| {
            v.sort_unstable_by(f64::total_cmp);
            let n = v.len();
            if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            }
        };
        let center = median(&mut x.iter().map(|v| v * scale).collect());
        let mut deviations: Vec<f64> = x.iter().map(|v| (v * scale - center).abs()).collect();
        let mad = median(&mut deviations);
        let spread = if mad > 0.0 {
            1.4826 * mad
        } else {
            let n = deviations.len() as f64;
            let sum: f64 = deviations.iter().sum();
            // Many deviations near the largest f64 add up past it: then each is divided first.
            let mean = if sum.is_finite() {
                sum / n
            } else {
                deviations.iter().map(|d| d / n).sum()
            };
            1.2533 * mean
        };
        RobustZ {
            scale,
            center,
            spread,
        }
    }

    fn z(&self, x: f64) -> f64 {
        if self.spread > 0.0 {
            let z = (x * self.scale - self.center) / self.spread;
            0.5 * (1.0 + statrs::function::erf::erf(z / std::f64::consts::SQRT_2))
        } else {
            0.5
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_ranks_share_the_mean_rank_of_ties() {
        let p = percentile_ranks(&[3.0, 1.0, 3.0, 2.0]);
        // Ranks: 1.0 -> 1, 2.0 -> 2, the two 3.0 -> 3 and 4, sharing 3.5.
        assert_eq!(p, vec![3.5 / 4.0, 0.25, 3.5 / 4.0, 0.5]);
    }

    /// The ranks by definition: sort, then give each run of equal values its mean rank.
    fn ranks_by_definition(x: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut out = vec![0.0; x.len()];
        let mut start = 0;
        while start < x.len() {
            let mut end = start + 1;
            while end < x.len() && x[order[end]] == x[order[start]] {
                end += 1;
            }
            for &i in &order[start..end] {
                out[i] = (start + 1 + end) as f64 / 2.0 / x.len() as f64;
            }
            start = end;
        }
        out
    }

    #[test]
    fn percentile_ranks_count_a_frequent_value_as_sorting_would_rank_it() {
        // Mostly zeros (some of them -0.0), with values on both sides and ties among them; long
        // enough to be radix-sorted.
        let x: Vec<f64> = (0..5000)
            .map(|i| match i % 7 {
                0 => (i % 13) as f64,
                1 => -((i % 5) as f64),
                2 => -0.0,
                _ => 0.0,
            })
            .collect();
        assert_eq!(percentile_ranks(&x), ranks_by_definition(&x));
        // Without a frequent value, long and short.
        for n in [5000, 300] {
            let y: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1009) as f64 / 3.0 - 100.0)
                .collect();
            assert_eq!(percentile_ranks(&y), ranks_by_definition(&y));
        }
    }

    #[test]
    fn percentile_ranks_of_a_column_nearly_all_one_value() {
        // One value in a hundred differs (sampled as common at every point): the others on both
        // sides of it, with ties; and a column of that value alone.
        let x: Vec<f64> = (0..20_000)
            .map(|i| match (i % 100, i % 3) {
                (7, 0) => -2.5,
                (7, _) => (i % 11) as f64 + 0.25,
                _ => 0.75,
            })
            .collect();
        assert_eq!(percentile_ranks(&x), ranks_by_definition(&x));
        let same = vec![0.75; 5000];
        assert_eq!(percentile_ranks(&same), vec![2500.5 / 5000.0; 5000]);
    }

    #[test]
    fn percentile_ranks_separate_values_that_share_their_prefix() {
        // Values a few units in the last place apart share their prefix (the range of the keys
        // spans almost every bit) and are told apart in the second step; exact ties among them
        // share their rank. Negative and positive, long enough to be radix-sorted, scrambled.
        let x: Vec<f64> = (0..6000u64)
            .map(|i| {
                let j = (i * 2_654_435_761) % 6000;
                let base: f64 = [1.0, -3.5, 1e-300, 7e12][(j % 4) as usize];
                f64::from_bits(base.to_bits() + j % 37)
            })
            .collect();
        assert_eq!(percentile_ranks(&x), ranks_by_definition(&x));
        let mut out = Vec::new();
        assert!(percentile_ranks_by_comparison(
            &x,
            Pending::Nothing,
            &mut out
        ));
        assert_eq!(out, ranks_by_definition(&x));
        assert!(!percentile_ranks_by_comparison(&x, Pending::Ln1p, &mut out));
        let y: Vec<f64> = x.iter().map(|v| v.abs() * 1e5).collect();
        let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
        assert!(percentile_ranks_by_comparison(&y, Pending::Ln1p, &mut out));
        assert_eq!(out, ranks_by_definition(&logs));
    }

    #[test]
    fn percentile_ranks_order_values_told_apart_below_the_sorted_prefix() {
        // Values from 1.0 up, 4,096 units in the last place apart and scrambled, a fifth of them
        // tied; a zero and a huge value widen the range, so that the radix sort covers only the
        // top bits of the prefix kept: the run it leaves is put in order by the bits kept below.
        let mut x: Vec<f64> = (0..5000u64)
            .map(|i| f64::from_bits(1.0f64.to_bits() + (((i * 2_654_435_761) % 4000) << 12)))
            .collect();
        x.extend([0.0, 1e300]);
        assert_eq!(percentile_ranks(&x), ranks_by_definition(&x));
    }

    #[test]
    fn percentile_ranks_of_many_copies_of_the_smallest_value() {
        // The smallest value, 0, at one place in twenty (never where the common value is looked
        // for), among values spread so widely that bits of every key are dropped: the copies of
        // the smallest are ranked together without being read again. With values 1 and 2 units
        // in the last place above it, sharing every bit kept, they are not all equal: they must
        // be told apart.
        let spread = |i: u64| (((i * 2_654_435_761) % 10_007) as f64 - 5000.0) * 1e296;
        let base: Vec<f64> = (0..5000u64)
            .map(|i| {
                if i % 20 == 3 {
                    0.0
                } else {
                    spread(i).abs() + 1.0
                }
            })
            .collect();
        let mut near = base.clone();
        for i in (7..5000).step_by(40) {
            near[i] = f64::from_bits(1 + (i as u64 / 40) % 2);
        }
        // Nearly every value the common one, sampled as such: the others, many copies of the
        // smallest among them, are found by a branch.
        let rare: Vec<f64> = (0..20_000u64)
            .map(|i| match (i % 50, i % 3) {
                (11, 0) => 0.0,
                (11, _) => spread(i).abs() + 1.0,
                _ => 0.75,
            })
            .collect();
        // Half the values the common one, the first among them, so that the packing without
        // branches meets values it does not keep before the smallest.
        let half: Vec<f64> = (0..6000u64)
            .map(|i| match i % 10 {
                0..5 => 0.75,
                5 => 0.0,
                _ => spread(i).abs() + 1.0,
            })
            .collect();
        // Within one binade, so that only one bit is dropped: copies of the smallest, and values
        // two units in the last place above it, in the next group, whose logarithms tie with
        // its own (the ranking of the logarithms must join them to the copies).
        let low = (1u64 << 57) as f64;
        let binade: Vec<f64> = (0..5000u64)
            .map(|i| match (i % 20, i % 40) {
                (3, _) => low,
                (_, 7) => f64::from_bits(low.to_bits() + 2),
                _ => low * (1.0 + ((i * 7919) % 9973 + 1) as f64 / 10_000.0),
            })
            .collect();
        assert_eq!(ln_1p(low), ln_1p(binade[7]));
        let cases = [
            ("base", &base),
            ("near", &near),
            ("rare", &rare),
            ("half", &half),
            ("binade", &binade),
        ];
        for (name, x) in cases {
            let (ranks, expected) = (percentile_ranks(x), ranks_by_definition(x));
            let wrong = (0..x.len()).find(|&i| ranks[i] != expected[i]);
            assert_eq!(wrong, None, "{name}: the first value ranked wrong");
            // The same with the logarithms pending.
            let logs: Vec<f64> = x.iter().map(|&v| ln_1p(v)).collect();
            let (ranks, expected) = (percentile_ranks_of_ln_1p(x), ranks_by_definition(&logs));
            let wrong = (0..x.len()).find(|&i| ranks[i] != expected[i]);
            assert_eq!(wrong, None, "{name}: the first logarithm ranked wrong");
        }
    }

    #[test]
    fn winsorizing_clips_both_tails() {
        let n = Normalization {
            winsorize: Some(0.1),
            scale: Scale::Identity,
            ..Default::default()
        };
        let x: Vec<f64> = (0..10).map(|i| i as f64 / 10.0).collect();
        let out = n.apply(&x).unwrap();
        assert_eq!(out[0], 0.1);
        assert_eq!(out[9], 0.8);
        assert_eq!(out[5], 0.5);
    }

    #[test]
    fn robust_z_maps_the_median_to_one_half_and_is_monotone() {
        let n = Normalization {
            scale: Scale::RobustZ,
            ..Default::default()
        };
        let out = n.apply(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        assert_eq!(out[2], 0.5);
        assert!(out.windows(2).all(|w| w[0] < w[1]));
        // The outlier does not move the others: 2 and 4 sit symmetrically around the median.
        assert!((out[1] + out[3] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn robust_z_of_values_near_the_largest_f64_is_a_number() {
        let z = Normalization {
            log1p: false,
            winsorize: None,
            scale: Scale::RobustZ,
        };
        // The median of two, or a deviation from it, overflowed: the scores were NaN.
        assert_eq!(z.apply(&[1e308; 4]).unwrap(), vec![0.5; 4]);
        assert_eq!(z.apply(&[f64::MAX, f64::MAX]).unwrap(), vec![0.5; 2]);
        let mixed = z.apply(&[-1.7e308, -1.7e308, 1.7e308]).unwrap();
        assert_eq!(&mixed[..2], &[0.5, 0.5]);
        assert!(mixed[2] > 0.5 && mixed[2] <= 1.0, "{mixed:?}");
        // Most deviations 0, the rest near the largest f64: their sum overflowed too.
        let mut column = vec![-f64::MAX; 5];
        column.extend([f64::MAX; 4]);
        let scores = z.apply(&column).unwrap();
        assert!(scores.iter().all(|v| (0.0..=1.0).contains(v)), "{scores:?}");
        assert!(scores[0] < scores[8], "{scores:?}");
        // Scaling changes no score: the same column a millionth as large.
        let small: Vec<f64> = column.iter().map(|v| v / 1e6).collect();
        let same = z.apply(&small).unwrap();
        for (a, b) in scores.iter().zip(&same) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }

    #[test]
    fn robust_z_falls_back_when_most_values_are_equal() {
        let n = Normalization {
            scale: Scale::RobustZ,
            ..Default::default()
        };
        let out = n.apply(&[0.0, 0.0, 0.0, 0.0, 5.0]).unwrap();
        assert_eq!(out[0], 0.5);
        assert!(out[4] > 0.9);
        assert_eq!(n.apply(&[2.0, 2.0]).unwrap(), vec![0.5, 0.5]);
    }

    #[test]
    fn log1p_changes_robust_z_but_not_ranks() {
        let x = [0.0, 1.0, 10.0, 100.0, 1000.0];
        let plain = Normalization::PERCENTILE.apply(&x).unwrap();
        let logged = Normalization {
            log1p: true,
            ..Default::default()
        }
        .apply(&x)
        .unwrap();
        assert_eq!(plain, logged);
        let z = Normalization {
            scale: Scale::RobustZ,
            ..Default::default()
        };
        let zl = Normalization { log1p: true, ..z };
        assert_ne!(z.apply(&x).unwrap(), zl.apply(&x).unwrap());
    }

    #[test]
    fn fitted_normalization_agrees_with_the_column() {
        let x = [0.0, 0.0, 1.5, 2.0, 2.0, 7.0, 0.3];
        for n in [
            Normalization::PERCENTILE,
            Normalization {
                log1p: true,
                winsorize: Some(0.2),
                scale: Scale::RobustZ,
            },
            Normalization {
                winsorize: Some(0.2),
                ..Default::default()
            },
        ] {
            let column = n.apply(&x).unwrap();
            let fitted = n.fit(&x).unwrap();
            for (v, expected) in x.iter().zip(&column) {
                assert!((fitted.normalize(*v) - expected).abs() < 1e-12, "{n:?} {v}");
            }
        }
    }

    #[test]
    fn bad_input_is_refused() {
        assert!(Normalization::PERCENTILE.apply(&[]).is_err());
        assert!(Normalization::PERCENTILE.apply(&[1.0, f64::NAN]).is_err());
        // Long columns, which the ranking checks as it reads them: a value that is not finite
        // among others, or as the common value.
        let spread = || (0..3000).map(|i| f64::from(i) - 1500.5);
        for bad in [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let one: Vec<f64> = spread().chain([bad]).chain(spread()).collect();
            let err = Normalization::PERCENTILE.apply(&one).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidParameter, "{bad}");
            let common: Vec<f64> = spread().chain(std::iter::repeat_n(bad, 3000)).collect();
            assert!(Normalization::PERCENTILE.apply(&common).is_err(), "{bad}");
        }
        let n = Normalization {
            winsorize: Some(0.5),
            ..Default::default()
        };
        assert!(n.apply(&[1.0]).is_err());
    }

    #[test]
    fn few_distinct_values_are_counted_up_to_the_limit() {
        let rank = |x: &[f64], pending| {
            let mut out = Vec::new();
            let counted = ranks_of_few_values(x, pending, &mut out, &mut RankScratch::default());
            (counted, out)
        };
        // `FEW` distinct values (scrambled, with ties, both signs): counted, as defined.
        let x: Vec<f64> = (0..5000u64)
            .map(|i| ((i * 2_654_435_761) % FEW as u64) as f64 - 300.5)
            .collect();
        assert_eq!(
            rank(&x, Pending::Nothing),
            (Some(true), ranks_by_definition(&x))
        );
        // One more, as the column's last value: sorted. Fewer values than `FEW_FROM`: sorted.
        let more: Vec<f64> = x.iter().copied().chain([1e9]).collect();
        assert_eq!(rank(&more, Pending::Nothing).0, None);
        assert_eq!(rank(&x[..FEW_FROM - 1], Pending::Nothing).0, None);
        assert_eq!(rank(&x[..FEW_FROM], Pending::Nothing).0, Some(true));
        // Logarithms pending: `y` that differ but whose logarithms are equal tie (`2^57` and two
        // units in the last place above it), as do 0 and -0.0.
        let low = (1u64 << 57) as f64;
        let close = f64::from_bits(low.to_bits() + 2);
        assert_eq!(ln_1p(low), ln_1p(close));
        let y: Vec<f64> = (0..4500)
            .map(|i| [low, 3.0, close, 0.0, -0.0, 1e-300, 7.5][i % 7])
            .collect();
        let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
        assert_eq!(
            rank(&y, Pending::Ln1p),
            (Some(true), ranks_by_definition(&logs))
        );
        assert_eq!(percentile_ranks_of_ln_1p(&y), ranks_by_definition(&logs));
        // Out of range: not counted, and left to the caller, who takes the logarithms first
        // (of a `y` below 0) or refuses the column (a value that is not finite).
        let mut negative = y.clone();
        negative[4000] = -0.5;
        assert_eq!(rank(&negative, Pending::Ln1p).0, Some(false));
        let logs: Vec<f64> = negative.iter().map(|&v| ln_1p(v)).collect();
        let mut out = Vec::new();
        let ranked = Normalization::PERCENTILE.apply_into(
            &negative,
            Pending::Ln1p,
            &mut out,
            &mut RankScratch::default(),
        );
        assert!(ranked.is_ok());
        assert_eq!(out, ranks_by_definition(&logs));
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut column = y.clone();
            column[4321] = bad;
            assert_eq!(rank(&column, Pending::Nothing).0, Some(false), "{bad}");
            let err = Normalization::PERCENTILE.apply(&column).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidParameter, "{bad}");
        }
    }

    #[test]
    fn a_sample_tells_few_distinct_values_from_many() {
        let column = |n: u64, value: &dyn Fn(u64) -> f64| (0..n).map(value).collect::<Vec<f64>>();
        let scrambled = |i: u64| (i * 2_654_435_761) % 1_000_003;
        // Three in five one value, the others among 200: counted.
        let quality = column(100_000, &|i| match scrambled(i) % 5 {
            0 | 1 => (scrambled(i) % 200) as f64 / 200.0,
            _ => 0.5,
        });
        assert!(looks_few(&quality));
        // Mostly 0, the others all different; nearly all one value; all different; too short
        // to sample: sorted.
        let workarounds = column(100_000, &|i| if i % 9 == 4 { i as f64 } else { 0.0 });
        let nearly_one = column(100_000, &|i| if i % 50 == 7 { (i % 3) as f64 } else { 0.5 });
        let distinct = column(100_000, &|i| scrambled(i) as f64);
        for (name, x) in [
            ("workarounds", &workarounds),
            ("nearly one value", &nearly_one),
            ("distinct", &distinct),
            ("short", &quality[..255].to_vec()),
        ] {
            assert!(!looks_few(x), "{name}");
        }
    }

    /// `count` values from `base` up, `step` units in the last place apart.
    fn neighbours(base: f64, count: u64, step: u64) -> impl Iterator<Item = f64> {
        (0..count).map(move |k| f64::from_bits(base.to_bits() + k * step))
    }

    /// Ranks `y` as `ln(1 + y)` both ways, and checks that the column has values that differ
    /// while their logarithms tie (else the test would not test the ties).
    fn assert_ranks_of_logarithms(y: &[f64]) {
        let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
        let mut pairs: Vec<(f64, f64)> = y.iter().copied().zip(logs.iter().copied()).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(
            pairs
                .windows(2)
                .any(|w| w[0].0 != w[1].0 && w[0].1 == w[1].1)
        );
        assert_eq!(percentile_ranks_of_ln_1p(y), ranks_by_definition(&logs));
    }

    #[test]
    fn ranks_of_logarithms_tie_values_whose_logarithms_tie() {
        // Neighbours in the last place where the logarithm cannot tell them apart (large
        // values), where it can (small ones), exact ties, spread values, and zeros most common.
        let mut y: Vec<f64> = neighbours(1e17, 50, 3)
            .chain(neighbours(3.5e200, 50, 1))
            .chain(neighbours(7.25, 50, 1))
            .chain(neighbours(1e-300, 50, 1))
            .chain(neighbours(2e9, 20, 1 << 20))
            .chain((0..3000).map(|i| (f64::from(i) * 0.013).exp() - 1.0))
            .chain(std::iter::repeat_n(1e17, 30))
            .collect();
        y.extend(std::iter::repeat_n(0.0, 4000));
        assert_ranks_of_logarithms(&y);
        // The same without a common value, in another order.
        y.retain(|&v| v != 0.0);
        y.reverse();
        assert_ranks_of_logarithms(&y);
        // Neighbours alone: few enough keys for the bits kept to hold them all.
        let narrow: Vec<f64> = neighbours(1e17, 3000, 1)
            .chain(neighbours(1e17, 300, 7))
            .collect();
        assert_ranks_of_logarithms(&narrow);
    }

    #[test]
    fn ranks_of_logarithms_where_the_common_value_has_close_neighbours() {
        // 1e17 is the common value, its neighbours share its logarithm.
        let mut y: Vec<f64> = std::iter::repeat_n(1e17, 5000).collect();
        y.extend(neighbours(1e17, 40, 1));
        y.extend(neighbours(f64::from_bits(1e17f64.to_bits() - 40), 40, 1));
        y.extend((0..2000).map(f64::from));
        assert_ranks_of_logarithms(&y);
    }

    #[test]
    fn a_pending_logarithm_is_taken_first_when_more_than_ranks_are_asked_for() {
        let y: Vec<f64> = (0..3000)
            .map(|i| f64::from(i % 97) * 1.7 - 0.4)
            .chain([0.0, -0.0])
            .collect();
        let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
        let normalizations = [
            Normalization::PERCENTILE, // with values below 0
            Normalization {
                log1p: true,
                ..Default::default()
            },
            Normalization {
                winsorize: Some(0.1),
                ..Default::default()
            },
            Normalization {
                scale: Scale::RobustZ,
                ..Default::default()
            },
        ];
        for n in normalizations {
            let mut out = Vec::new();
            let mut scratch = RankScratch::default();
            n.apply_into(&y, Pending::Ln1p, &mut out, &mut scratch)
                .unwrap();
            assert_eq!(out, n.apply(&logs).unwrap(), "{n:?}");
        }
        // A common value below 0: the logarithms first too.
        let below: Vec<f64> = std::iter::repeat_n(-0.5, 3000).chain(y.clone()).collect();
        let logs_below: Vec<f64> = below.iter().map(|&v| ln_1p(v)).collect();
        let mut out = Vec::new();
        Normalization::PERCENTILE
            .apply_into(&below, Pending::Ln1p, &mut out, &mut RankScratch::default())
            .unwrap();
        assert_eq!(out, ranks_by_definition(&logs_below));
        // `ln(1 + y)` of `y ≤ -1` is not a number: refused, as the logarithms are.
        let bad = [1.0, -2.0];
        let mut out = Vec::new();
        let pending = Normalization::PERCENTILE.apply_into(
            &bad,
            Pending::Ln1p,
            &mut out,
            &mut RankScratch::default(),
        );
        assert!(pending.is_err());
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Ranks equal the definition on columns long enough to be radix-sorted, mixing exact
        /// ties, a frequent value, near-ties a few units in the last place apart, and values of
        /// every size and sign.
        #[test]
        fn percentile_ranks_follow_the_definition(
            values in prop::collection::vec(
                prop_oneof![
                    Just(0.0),
                    (0u8..5).prop_map(f64::from),
                    (0u64..8).prop_map(|k| f64::from_bits(1.5f64.to_bits() + k)),
                    -1e300..1e300f64,
                    -1.0..1.0f64,
                ],
                2048..5000,
            )
        ) {
            prop_assert_eq!(percentile_ranks(&values), ranks_by_definition(&values));
        }

        /// Ranks of `ln(1 + y)` taken lazily equal the ranks of the logarithms, with values
        /// whose logarithms tie while they differ, near-ties the logarithm tells apart, a
        /// frequent value, and values of every size from 0 up.
        #[test]
        fn ranks_of_logarithms_follow_the_definition(
            y in prop::collection::vec(
                prop_oneof![
                    Just(0.0),
                    (0u8..5).prop_map(f64::from),
                    (0u64..64).prop_map(|k| f64::from_bits(1e17f64.to_bits() + k)),
                    (0u64..8).prop_map(|k| f64::from_bits(1.5f64.to_bits() + k)),
                    0.0..1e300f64,
                    0.0..1.0f64,
                ],
                2048..5000,
            )
        ) {
            let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
            prop_assert_eq!(percentile_ranks_of_ln_1p(&y), ranks_by_definition(&logs));
        }
    }

    proptest! {
        // Each case takes well under a millisecond: many, to meet the rare shapes.
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Both rankings equal the definition on columns built around one value from 0 up,
        /// shaped for the ranking's branches: many copies of the smallest value (up to all of
        /// them), values a few units in the last place above others, groups that share the
        /// top 21 to 40 bits of their keys and differ below (where the packed values drop
        /// bits), keys spanning from 1 to 44 bits (so that the bits left to the second step of
        /// the sort vary), 0 and -0.0 together, subnormals, days of seconds with hundreds of
        /// ties, and lengths on both sides of 4,096 values to sort. Mutations of the ranking
        /// that the two tests above miss, and this one catches: the copies of the smallest
        /// value taken for a group of as many or more, or for a group of as many further on;
        /// a run of the prefix left unsorted by a single bit below it.
        #[test]
        fn rankings_follow_the_definition_around_one_value(y in column_around_one_value()) {
            prop_assert_eq!(percentile_ranks(&y), ranks_by_definition(&y));
            let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
            prop_assert_eq!(percentile_ranks_of_ln_1p(&y), ranks_by_definition(&logs));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Columns of up to a few hundred distinct values, long enough to be counted: ranks as
        /// defined, of the values and of their logarithms (the helpers check sorting agrees).
        #[test]
        fn few_distinct_values_rank_as_defined(
            pool in prop::collection::vec(
                prop_oneof![
                    Just(0.0),
                    Just(-0.0),
                    (0u8..5).prop_map(f64::from),
                    (0u64..64).prop_map(|k| f64::from_bits(1e17f64.to_bits() + k)),
                    (0u64..8).prop_map(|k| f64::from_bits(1.5f64.to_bits() + k)),
                    0.0..1e300f64,
                    0.0..1.0f64,
                ],
                1..100,
            ),
            picks in prop::collection::vec(any::<prop::sample::Index>(), FEW_FROM..6000),
        ) {
            let y: Vec<f64> = picks.iter().map(|i| *i.get(&pool)).collect();
            prop_assert_eq!(percentile_ranks(&y), ranks_by_definition(&y));
            let logs: Vec<f64> = y.iter().map(|&v| ln_1p(v)).collect();
            prop_assert_eq!(percentile_ranks_of_ln_1p(&y), ranks_by_definition(&logs));
            let negated: Vec<f64> = y.iter().map(|&v| -v).collect();
            prop_assert_eq!(percentile_ranks(&negated), ranks_by_definition(&negated));
        }
    }

    /// A column of values from 0 up around one base value (see the test above). A share of the
    /// values, from none to all, are copies of the base (some of them -0.0 when it is 0). The
    /// others take the column's steps in turn: a step of `k` units in the last place puts the
    /// value 0, 1 or 2 times `k` units above the base (by its place, so that values `k` and `2k`
    /// apart meet, and a third of these are copies of the base too); in half the columns a step
    /// of days puts it that many days of seconds above the base, in the others it counts as
    /// that many units in the last place.
    fn column_around_one_value() -> impl Strategy<Value = Vec<f64>> {
        let base = prop::sample::select(vec![
            0.0,
            5e-324,
            f64::MIN_POSITIVE,
            1e-300,
            0.25,
            1.0,
            1.7e9,
            1e17,
            9_007_199_254_740_992.0,
        ]);
        // Offsets in units in the last place: a few, or about 2^t for the bits the packed
        // values keep or drop, or anything up to 2^32.
        let ulps = prop_oneof![
            0u64..4,
            (
                prop::sample::select(vec![10u32, 21, 22, 23, 32, 33, 34, 40]),
                0u64..3
            )
                .prop_map(|(t, d)| (1u64 << t) - 1 + d),
            any::<u32>().prop_map(u64::from),
        ];
        let step = prop_oneof![
            ulps.prop_map(|k| (false, k)),
            (0u64..1_000).prop_map(|days| (true, days)),
        ];
        let len = prop_oneof![1usize..300, 300usize..9_000, 4_090usize..4_110];
        let steps = prop::collection::vec(step, 1..64);
        // In some columns, offsets are cut to their low `span` bits: the keys then span about
        // that many bits, so that the bits the radix sort leaves to the second step vary.
        let span = prop::option::of(1u32..=44);
        (base, len, steps, 0u32..=1_000, any::<bool>(), span).prop_map(
            |(base, len, steps, base_share, days_apart, span)| {
                let cut = span.map_or(u64::MAX, |bits| (1u64 << bits) - 1);
                (0..len)
                    .map(|i| {
                        // A share of `base_share` per mille are the base; the others take the
                        // steps in turn.
                        if (i as u64 * 2_654_435_761) % 1_000 < u64::from(base_share) {
                            return if base == 0.0 && i % 3 == 0 {
                                -0.0
                            } else {
                                base
                            };
                        }
                        match steps[i % steps.len()] {
                            (true, days) if days_apart => base + 86_400.0 * days as f64,
                            (_, k) => f64::from_bits(base.to_bits() + ((k * (i as u64 % 3)) & cut)),
                        }
                    })
                    .collect()
            },
        )
    }
}
