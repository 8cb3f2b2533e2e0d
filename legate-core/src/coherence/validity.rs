//! Which ranks hold the latest version of which bytes of one storage.
//!
//! Every rank keeps the same [`Validity`] for every storage and updates it from the
//! operation stream alone (never from a message), so all ranks agree on who holds
//! what and, therefore, on every transfer: the sender knows it must send exactly when
//! the receiver knows it must receive.
//!
//! The map covers the storage's bytes with segments, each with the set of ranks (a bit
//! mask) whose instances hold the segment's latest version. An empty set means nobody
//! wrote the bytes yet (a store created without a value): any rank's instance is as
//! good as another's, and nothing moves.

use super::ranges::Ranges;

/// A set of ranks (at most [`MAX_RANKS`]).
pub type Holders = u64;

/// The most ranks a replicated program can have (one bit each in [`Holders`]).
pub const MAX_RANKS: usize = 64;

pub fn only(rank: usize) -> Holders {
    1u64 << rank
}

pub fn all(ranks: usize) -> Holders {
    if ranks >= 64 {
        u64::MAX
    } else {
        (1u64 << ranks) - 1
    }
}

/// One planned transfer: `ranges` of the storage go from rank `from` to rank `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub from: usize,
    pub to: usize,
    pub ranges: Ranges,
}

#[derive(Clone, Debug)]
pub struct Validity {
    /// (start, end, holders), sorted, covering `0..total` without gaps.
    segs: Vec<(u64, u64, Holders)>,
    total: u64,
}

impl Validity {
    /// A storage of `total` bytes whose latest version `holders` hold.
    pub fn new(total: u64, holders: Holders) -> Validity {
        let segs = if total > 0 { vec![(0, total, holders)] } else { Vec::new() };
        Validity { segs, total }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// Splits segments so that `at` is a boundary.
    fn split_at(&mut self, at: u64) {
        if at == 0 || at >= self.total {
            return;
        }
        let i = self.segs.partition_point(|s| s.1 <= at);
        if let Some(&(lo, hi, h)) = self.segs.get(i) {
            if lo < at && at < hi {
                self.segs[i] = (lo, at, h);
                self.segs.insert(i + 1, (at, hi, h));
            }
        }
    }

    /// Applies `f` to the holders of every byte of `ranges`.
    fn update(&mut self, ranges: &Ranges, mut f: impl FnMut(Holders) -> Holders) {
        for &(lo, hi) in ranges.iter() {
            let (lo, hi) = (lo.min(self.total), hi.min(self.total));
            if lo >= hi {
                continue;
            }
            self.split_at(lo);
            self.split_at(hi);
            let first = self.segs.partition_point(|s| s.1 <= lo);
            for s in &mut self.segs[first..] {
                if s.0 >= hi {
                    break;
                }
                s.2 = f(s.2);
            }
        }
        self.coalesce();
    }

    fn coalesce(&mut self) {
        let mut out: Vec<(u64, u64, Holders)> = Vec::with_capacity(self.segs.len());
        for s in self.segs.drain(..) {
            match out.last_mut() {
                Some(last) if last.2 == s.2 && last.1 == s.0 => last.1 = s.1,
                _ => out.push(s),
            }
        }
        self.segs = out;
    }

    /// The transfers that bring `rank`'s instance up to date for `ranges`: every part
    /// whose latest version `rank` does not hold, from the lowest rank that holds it.
    /// Does not change the map (see [`Validity::add_holder`]).
    pub fn plan_need(&self, rank: usize, ranges: &Ranges) -> Vec<Transfer> {
        let mut by_source: Vec<Vec<(u64, u64)>> = Vec::new();
        for &(lo, hi) in ranges.iter() {
            let (lo, hi) = (lo.min(self.total), hi.min(self.total));
            let first = self.segs.partition_point(|s| s.1 <= lo);
            for &(a, b, h) in &self.segs[first..] {
                if a >= hi {
                    break;
                }
                if h == 0 || h & only(rank) != 0 {
                    continue;
                }
                let from = h.trailing_zeros() as usize;
                if by_source.len() <= from {
                    by_source.resize(from + 1, Vec::new());
                }
                by_source[from].push((a.max(lo), b.min(hi)));
            }
        }
        by_source
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(from, v)| Transfer { from, to: rank, ranges: Ranges::from_unsorted(v) })
            .collect()
    }

    /// `rank` now holds the latest version of `ranges` too (after receiving it).
    /// Bytes nobody wrote stay unwritten.
    pub fn add_holder(&mut self, rank: usize, ranges: &Ranges) {
        self.update(ranges, |h| if h == 0 { 0 } else { h | only(rank) });
    }

    /// `rank` wrote `ranges`: it alone holds their latest version.
    pub fn set_writer(&mut self, rank: usize, ranges: &Ranges) {
        self.update(ranges, |_| only(rank));
    }

    /// `holders` hold the latest version of `ranges` (e.g. a value every rank computed).
    pub fn set_holders(&mut self, holders: Holders, ranges: &Ranges) {
        self.update(ranges, |_| holders);
    }

    /// The holders of each segment overlapping `ranges` (tests and diagnostics).
    pub fn segments(&self) -> &[(u64, u64, Holders)] {
        &self.segs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A simulated world: each rank's copy of the storage, one byte per element value,
    /// against the sequential truth. Random writes and reads on random ranks; every
    /// read first applies the planned transfers and must then see the truth.
    fn run(ops: &[(bool, usize, u64, u64)], ranks: usize, total: u64) -> Result<(), TestCaseError> {
        let mut copies = vec![vec![0u8; total as usize]; ranks];
        let mut truth = vec![0u8; total as usize];
        let mut v = Validity::new(total, all(ranks));
        for (step, &(write, rank, a, b)) in ops.iter().enumerate() {
            let (lo, hi) = (a.min(b) % total, (a.max(b) % total) + 1);
            let r = Ranges::one(lo, hi);
            if write {
                let value = (step % 250) as u8 + 1;
                for i in lo..hi {
                    copies[rank][i as usize] = value;
                    truth[i as usize] = value;
                }
                v.set_writer(rank, &r);
            } else {
                for t in v.plan_need(rank, &r) {
                    prop_assert_eq!(t.to, rank);
                    prop_assert!(t.from != rank);
                    for &(x, y) in t.ranges.iter() {
                        for i in x..y {
                            copies[rank][i as usize] = copies[t.from][i as usize];
                        }
                    }
                    v.add_holder(rank, &t.ranges);
                }
                prop_assert_eq!(&copies[rank][lo as usize..hi as usize], &truth[lo as usize..hi as usize]);
                prop_assert!(v.plan_need(rank, &r).is_empty());
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn reads_after_transfers_see_the_latest_writes(
            ops in proptest::collection::vec((any::<bool>(), 0usize..4, 0u64..64, 0u64..64), 1..60)
        ) {
            run(&ops, 4, 64)?;
        }
    }

    #[test]
    fn unwritten_bytes_never_move() {
        let v = Validity::new(100, 0);
        assert!(v.plan_need(1, &Ranges::one(0, 100)).is_empty());
    }

    #[test]
    fn transfers_come_from_the_lowest_holder_and_merge() {
        let mut v = Validity::new(100, 0);
        v.set_writer(2, &Ranges::one(0, 50));
        v.set_writer(1, &Ranges::one(50, 100));
        v.add_holder(3, &Ranges::one(0, 100));
        let t = v.plan_need(0, &Ranges::one(10, 90));
        assert_eq!(t.len(), 2);
        assert_eq!(t[0], Transfer { from: 1, to: 0, ranges: Ranges::one(50, 90) });
        assert_eq!(t[1], Transfer { from: 2, to: 0, ranges: Ranges::one(10, 50) });
    }
}
