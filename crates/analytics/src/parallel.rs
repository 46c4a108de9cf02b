//! How many threads a phase may use. The heavy phases (parsing, locating
//! incidents in cells, the density surface) split their input into one chunk
//! per core with `std::thread::scope`; below a size where spawning costs more
//! than it saves they stay on the calling thread.

use std::num::NonZeroUsize;

/// Never more threads than this, whatever the machine reports: the phases are
/// memory-bound well before then and each thread keeps its own caches.
const MAX_THREADS: usize = 8;

/// The number of chunks to split `items` units of work into, when one chunk
/// should hold at least `min_per_thread` units.
pub(crate) fn chunk_count(items: usize, min_per_thread: usize) -> usize {
    let cores = std::thread::available_parallelism().map(NonZeroUsize::get).unwrap_or(1).min(MAX_THREADS);
    (items / min_per_thread.max(1)).clamp(1, cores)
}

/// Splits `items` into `parts` contiguous ranges of nearly equal length.
pub(crate) fn split_ranges(items: usize, parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.max(1);
    (0..parts).map(|k| (items * k / parts)..(items * (k + 1) / parts)).collect()
}

/// Maps `f` over contiguous chunks of `0..items` — one chunk per core when
/// there are at least `min_per_thread` items per chunk — and concatenates
/// the results in order.
pub(crate) fn map_ranges<R, F>(items: usize, min_per_thread: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(std::ops::Range<usize>) -> Vec<R> + Sync,
{
    let parts = chunk_count(items, min_per_thread);
    if parts == 1 {
        return f(0..items);
    }
    let f = &f;
    let pieces: Vec<Vec<R>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            split_ranges(items, parts).into_iter().map(|range| scope.spawn(move || f(range))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    let mut out = Vec::with_capacity(items);
    for piece in pieces {
        out.extend(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_everything_once() {
        for items in [0, 1, 7, 100] {
            for parts in 1..5 {
                let ranges = split_ranges(items, parts);
                assert_eq!(ranges.len(), parts);
                assert_eq!(ranges[0].start, 0);
                assert_eq!(ranges[parts - 1].end, items);
                for w in ranges.windows(2) {
                    assert_eq!(w[0].end, w[1].start);
                }
            }
        }
        assert_eq!(chunk_count(10, 100), 1);
        let squares = map_ranges(1000, 10, |r| r.map(|i| i * i).collect());
        assert_eq!(squares, (0..1000).map(|i| i * i).collect::<Vec<_>>());
        assert!(chunk_count(10_000, 1) >= 1);
    }
}
