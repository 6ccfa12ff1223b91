//! Per-customer passes in chunks: in parallel with the `parallel` feature, in order without.
//!
//! Each chunk is computed independently and the results come back in chunk order, so the output
//! is identical with and without the feature.

use std::ops::Range;

/// Customers per chunk: large enough to amortize scheduling, small enough to balance two cores.
pub(crate) const CHUNK: usize = 4096;

/// Applies `f` to consecutive ranges of `0..n` of `chunk` items, returning results in order.
pub(crate) fn map_chunks<T, F>(n: usize, chunk: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Range<usize>) -> T + Sync + Send,
{
    let chunk = chunk.max(1);
    let range = move |i: usize| i * chunk..((i + 1) * chunk).min(n);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|i| f(range(i)))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        (0..n.div_ceil(chunk)).map(|i| f(range(i))).collect()
    }
}

/// Applies `f` to each item, returning the results in order: for a few large independent tasks,
/// such as normalizing each signal of a model.
pub(crate) fn map_each<I, T, F>(items: Vec<I>, f: F) -> Vec<T>
where
    I: Send,
    T: Send,
    F: Fn(I) -> T + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().with_max_len(1).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.into_iter().map(f).collect()
    }
}
