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

/// Applies `f` to each group of a slice cut at `offsets` (group `g` is
/// `items[offsets[g]..offsets[g + 1]]`), groups in parallel with the `parallel` feature.
pub(crate) fn for_each_group_mut<T, F>(items: &mut [T], offsets: &[usize], f: F)
where
    T: Send,
    F: Fn(&mut [T]) + Sync + Send,
{
    // Cut the slice into pieces of whole groups of about `CHUNK * 16` items each.
    let mut pieces: Vec<(&mut [T], &[usize])> = Vec::new();
    let (mut rest, mut base, mut first) = (items, 0usize, 0usize);
    let groups = offsets.len().saturating_sub(1);
    while first < groups {
        let mut last = first + 1;
        while last < groups && offsets[last] - offsets[first] < CHUNK * 16 {
            last += 1;
        }
        let (piece, tail) = rest.split_at_mut(offsets[last] - base);
        pieces.push((piece, &offsets[first..=last]));
        rest = tail;
        base = offsets[last];
        first = last;
    }
    let run = |(piece, bounds): (&mut [T], &[usize])| {
        let start = bounds[0];
        for pair in bounds.windows(2) {
            f(&mut piece[pair[0] - start..pair[1] - start]);
        }
    };
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        pieces.into_par_iter().for_each(run);
    }
    #[cfg(not(feature = "parallel"))]
    {
        pieces.into_iter().for_each(run);
    }
}

/// Applies `f` to consecutive pieces of `chunk` items of a slice (the last may be shorter), in
/// parallel with the `parallel` feature.
pub(crate) fn for_each_chunk_mut<T, F>(items: &mut [T], chunk: usize, f: F)
where
    T: Send,
    F: Fn(&mut [T]) + Sync + Send,
{
    let chunk = chunk.max(1);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_chunks_mut(chunk).for_each(f);
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.chunks_mut(chunk).for_each(f);
    }
}

/// `f` of each item, in order: in parallel with the `parallel` feature, each result written
/// straight into its place in the returned vector.
pub(crate) fn map_slice<I, T, F>(items: &[I], f: F) -> Vec<T>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter().with_min_len(1 << 14).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().map(f).collect()
    }
}

/// Runs two closures, at once with the `parallel` feature, one after the other without.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}

/// Applies `f` to each item with its position, in parallel with the `parallel` feature, and
/// returns the results in order.
pub(crate) fn for_each_mut<T, R, F>(items: &mut [T], f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, &mut T) -> R + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items
            .par_iter_mut()
            .enumerate()
            .map(|(i, item)| f(i, item))
            .collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items
            .iter_mut()
            .enumerate()
            .map(|(i, item)| f(i, item))
            .collect()
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
