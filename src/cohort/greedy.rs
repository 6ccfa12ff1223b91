//! Greedy selection under hard limits: the segment cap and the prospect bounds.
//!
//! Candidates fall into lists, one per (customer segment, customer or prospect), each sorted by
//! merit. Whether a partial cohort can still be completed depends only on how many eligible
//! people each list has left, not on who they are, and it has a closed form (see
//! [`Counts::shortfall`]); so each step takes the best head of a list whose addition keeps the
//! completion possible, and the greedy never paints itself into a corner.

use super::Constraint;

/// No limit, for the cap and the prospect maximum.
pub(crate) const UNLIMITED: usize = usize::MAX;

/// The hard limits of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub size: usize,
    /// Members per customer segment ([`UNLIMITED`] when there is no cap).
    pub cap: usize,
    pub min_prospects: usize,
    /// [`UNLIMITED`] when there is no maximum.
    pub max_prospects: usize,
}

/// A list: the people of one customer segment and one relationship.
pub(crate) fn list_of(group: usize, prospect: bool) -> usize {
    group * 2 + usize::from(prospect)
}

/// How many eligible people each list has left, how many members each group has, and the sums
/// that decide whether a cohort can still be completed.
#[derive(Debug, Clone)]
pub(crate) struct Counts {
    limits: Limits,
    /// Per list: eligible people not chosen yet.
    left: Vec<usize>,
    /// Per group: members chosen.
    chosen: Vec<usize>,
    pub members: usize,
    pub prospects: usize,
    sums: Sums,
}

/// Over groups `g` with room `c_g` (the cap minus the members of `g`) and `P_g` prospects and
/// `Q_g` customers left: `Σ min(P_g, c_g)`, `Σ min(Q_g, c_g)`, `Σ min(P_g + Q_g, c_g)`,
/// `Σ (P_g + Q_g)` and `Σ P_g`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub prospects: usize,
    pub customers: usize,
    pub total: usize,
    pub eligible: usize,
    pub eligible_prospects: usize,
}

impl Sums {
    fn terms(prospects: usize, customers: usize, room: usize) -> Sums {
        Sums {
            prospects: prospects.min(room),
            customers: customers.min(room),
            total: (prospects + customers).min(room),
            eligible: prospects + customers,
            eligible_prospects: prospects,
        }
    }

    fn add(self, o: Sums) -> Sums {
        Sums {
            prospects: self.prospects + o.prospects,
            customers: self.customers + o.customers,
            total: self.total + o.total,
            eligible: self.eligible + o.eligible,
            eligible_prospects: self.eligible_prospects + o.eligible_prospects,
        }
    }

    fn sub(self, o: Sums) -> Sums {
        Sums {
            prospects: self.prospects - o.prospects,
            customers: self.customers - o.customers,
            total: self.total - o.total,
            eligible: self.eligible - o.eligible,
            eligible_prospects: self.eligible_prospects - o.eligible_prospects,
        }
    }
}

/// Why a partial cohort cannot be completed: the constraint, and the requested and available
/// numbers for the whole cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shortfall {
    pub constraint: Constraint,
    pub needed: usize,
    pub available: usize,
}

impl Counts {
    /// `left[l]` eligible people per list, `chosen[g]` members per group already (the
    /// must-include members), `prospects` of them prospects.
    pub(crate) fn new(
        limits: Limits,
        left: Vec<usize>,
        chosen: Vec<usize>,
        prospects: usize,
    ) -> Counts {
        let members = chosen.iter().sum();
        let mut counts = Counts {
            limits,
            left,
            chosen,
            members,
            prospects,
            sums: Sums::default(),
        };
        counts.sums = (0..counts.chosen.len())
            .map(|g| counts.group_terms(g))
            .fold(Sums::default(), Sums::add);
        counts
    }

    fn room(&self, g: usize) -> usize {
        self.limits.cap.saturating_sub(self.chosen[g])
    }

    fn group_terms(&self, g: usize) -> Sums {
        Sums::terms(
            self.left[list_of(g, true)],
            self.left[list_of(g, false)],
            self.room(g),
        )
    }

    /// The members of a group.
    pub(crate) fn chosen_in(&self, g: usize) -> usize {
        self.chosen[g]
    }

    /// Whether the group is at the cap.
    pub(crate) fn full(&self, g: usize) -> bool {
        self.room(g) == 0
    }

    pub(crate) fn sums(&self) -> Sums {
        self.sums
    }

    /// Adds a member from list `l`.
    pub(crate) fn add(&mut self, l: usize) {
        let g = l / 2;
        let before = self.group_terms(g);
        self.left[l] -= 1;
        self.chosen[g] += 1;
        self.members += 1;
        self.prospects += l % 2;
        self.sums = self.sums.sub(before).add(self.group_terms(g));
    }

    /// Whether the cohort could still be completed after adding a member from list `l`, and if
    /// not, why.
    pub(crate) fn shortfall_after(&mut self, l: usize) -> Option<Shortfall> {
        // The member must fit the limits themselves; the sums only speak for the rest.
        if self.full(l / 2) {
            return Some(Shortfall {
                constraint: Constraint::MaxPerSegment,
                needed: self.chosen[l / 2] + 1,
                available: self.limits.cap,
            });
        }
        if l % 2 == 1 && self.prospects >= self.limits.max_prospects {
            return Some(Shortfall {
                constraint: Constraint::MaxProspects,
                needed: self.prospects + 1,
                available: self.limits.max_prospects,
            });
        }
        let saved = (self.sums, self.members, self.prospects);
        self.add(l);
        let why = self.shortfall();
        let g = l / 2;
        self.left[l] += 1;
        self.chosen[g] -= 1;
        (self.sums, self.members, self.prospects) = saved;
        why
    }

    /// Whether the remaining `r = size - members` places can be filled, and if not, which
    /// constraint fails first.
    ///
    /// The ways to fill them form a polymatroid: in each group `g`, `p_g ≤ P_g` prospects and
    /// `q_g ≤ Q_g` customers with `p_g + q_g ≤ c_g`; summed over groups, the reachable
    /// (prospects `p`, customers `q`) are exactly the integer points with `p ≤ Σ min(P_g, c_g)`,
    /// `q ≤ Σ min(Q_g, c_g)`, `p + q ≤ Σ min(P_g + Q_g, c_g)` (a sum of polymatroids is the
    /// polymatroid of the summed rank functions, with the integer decomposition property). A
    /// completion needs `p + q = r` with `p` between the prospects still needed and the room
    /// left under the maximum, so it exists if and only if every check below passes.
    pub(crate) fn shortfall(&self) -> Option<Shortfall> {
        let l = self.limits;
        let r = l.size - self.members;
        let s = self.sums;
        let customers = self.members - self.prospects;
        if s.eligible < r {
            return Some(Shortfall {
                constraint: Constraint::Size,
                needed: l.size,
                available: self.members + s.eligible,
            });
        }
        if s.total < r {
            return Some(Shortfall {
                constraint: Constraint::MaxPerSegment,
                needed: l.size,
                available: self.members + s.total,
            });
        }
        let needed_prospects = l.min_prospects.saturating_sub(self.prospects);
        if needed_prospects > s.prospects.min(r) {
            return Some(Shortfall {
                constraint: Constraint::MinProspects,
                needed: l.min_prospects,
                available: self.prospects + s.prospects.min(r),
            });
        }
        let prospect_room = l.max_prospects.saturating_sub(self.prospects);
        if r.saturating_sub(s.customers) > prospect_room {
            return Some(Shortfall {
                constraint: Constraint::MaxProspects,
                needed: l.size.saturating_sub(l.max_prospects),
                available: customers + s.customers,
            });
        }
        None
    }
}

/// Sorted candidate lists, truncated to the people the greedy can reach.
#[derive(Debug, Clone)]
pub(crate) struct Lists {
    offsets: Vec<usize>,
    lens: Vec<usize>,
    entries: Vec<u32>,
    next: Vec<usize>,
}

impl Lists {
    /// Buckets `candidates` by `list_of_candidate` (a counting sort, `O(n)`), keeps the best
    /// `keep` of each list by merit (`O(n)` selection) and sorts those: best merit first, ties
    /// by customer index, which is the id order.
    pub(crate) fn new(
        lists: usize,
        candidates: &[u32],
        list_of_candidate: impl Fn(u32) -> usize,
        merit: &[f64],
        keep: usize,
    ) -> Lists {
        let mut offsets = vec![0; lists + 1];
        for &c in candidates {
            offsets[list_of_candidate(c) + 1] += 1;
        }
        for l in 0..lists {
            offsets[l + 1] += offsets[l];
        }
        let mut fill = offsets.clone();
        let mut entries = vec![0; candidates.len()];
        for &c in candidates {
            let l = list_of_candidate(c);
            entries[fill[l]] = c;
            fill[l] += 1;
        }
        let better = |a: &u32, b: &u32| {
            merit[*b as usize]
                .total_cmp(&merit[*a as usize])
                .then(a.cmp(b))
        };
        let mut lens = Vec::with_capacity(lists);
        for l in 0..lists {
            let list = &mut entries[offsets[l]..offsets[l + 1]];
            let len = list.len().min(keep);
            if len == 0 {
                lens.push(0);
                continue;
            }
            if len < list.len() {
                list.select_nth_unstable_by(len - 1, better);
            }
            list[..len].sort_unstable_by(better);
            lens.push(len);
        }
        Lists {
            offsets,
            lens,
            entries,
            next: vec![0; lists],
        }
    }

    /// The number of lists.
    pub(crate) fn len(&self) -> usize {
        self.lens.len()
    }

    /// The best person of list `l` not taken yet.
    pub(crate) fn head(&self, l: usize) -> Option<u32> {
        (self.next[l] < self.lens[l]).then(|| self.entries[self.offsets[l] + self.next[l]])
    }

    /// Takes the head of list `l`.
    pub(crate) fn take(&mut self, l: usize) {
        self.next[l] += 1;
    }
}

/// A member chosen by the greedy, and who they were chosen ahead of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pick {
    pub customer: u32,
    pub list: usize,
    /// The better candidate (by gain) skipped because taking them would make the cohort
    /// impossible to complete, and the constraint they would break.
    pub ahead_of_blocked: Option<(u32, Constraint)>,
    /// The candidate with a higher merit passed over for the segment mix (the diversity term),
    /// and how many members their segment had then.
    pub ahead_of_for_mix: Option<(u32, usize)>,
}

/// The greedy: until the cohort is full, take the list head with the highest gain
/// `merit - δ · (members already in its segment)` among those whose addition keeps the cohort
/// completable (ties by customer index). Returns `None` only if the state it starts from cannot
/// be completed, which the caller checks first.
pub(crate) fn select(
    lists: &mut Lists,
    counts: &mut Counts,
    merit: &[f64],
    diversity: f64,
) -> Option<Vec<Pick>> {
    let mut picks = Vec::new();
    let mut heads: Vec<(f64, u32, usize)> = Vec::with_capacity(lists.len());
    while counts.members < counts.limits.size {
        heads.clear();
        for l in 0..lists.len() {
            if let Some(c) = lists.head(l) {
                let gain = merit[c as usize] - diversity * counts.chosen_in(l / 2) as f64;
                heads.push((gain, c, l));
            }
        }
        heads.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut blocked = None;
        let mut chosen = None;
        for &(_, c, l) in &heads {
            match counts.shortfall_after(l) {
                None => {
                    chosen = Some((c, l));
                    break;
                }
                Some(why) => {
                    blocked.get_or_insert((c, why.constraint));
                }
            }
        }
        let (c, l) = chosen?;
        // The best merit among the heads that were open to choose, if the diversity term passed
        // it over.
        let for_mix = heads
            .iter()
            .filter(|&&(_, h, hl)| {
                h != c
                    && merit[h as usize] > merit[c as usize]
                    && counts.shortfall_after(hl).is_none()
            })
            .max_by(|a, b| {
                merit[a.1 as usize]
                    .total_cmp(&merit[b.1 as usize])
                    .then(b.1.cmp(&a.1))
            })
            .map(|&(_, h, hl)| (h, counts.chosen_in(hl / 2)));
        counts.add(l);
        lists.take(l);
        picks.push(Pick {
            customer: c,
            list: l,
            ahead_of_blocked: blocked,
            ahead_of_for_mix: for_mix,
        });
    }
    Some(picks)
}

/// The next best people after the cohort, in order of gain against the final cohort (the
/// diversity term counts the cohort's members of their segment); ties by customer index.
pub(crate) fn alternates(
    lists: &mut Lists,
    counts: &Counts,
    merit: &[f64],
    diversity: f64,
    wanted: usize,
) -> Vec<(u32, usize)> {
    // No more than there are people in the lists (`wanted` may be any number).
    let mut out = Vec::with_capacity(wanted.min(merit.len()));
    while out.len() < wanted {
        let best = (0..lists.len())
            .filter_map(|l| {
                lists.head(l).map(|c| {
                    let gain = merit[c as usize] - diversity * counts.chosen_in(l / 2) as f64;
                    (gain, c, l)
                })
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((_, c, l)) = best else { break };
        lists.take(l);
        out.push((c, l));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(size: usize, cap: usize, min_prospects: usize, max_prospects: usize) -> Limits {
        Limits {
            size,
            cap,
            min_prospects,
            max_prospects,
        }
    }

    /// Two groups; `left` per list in the order (g0 customers, g0 prospects, g1 customers, ...).
    fn counts(l: Limits, left: [usize; 4]) -> Counts {
        Counts::new(l, left.to_vec(), vec![0, 0], 0)
    }

    #[test]
    fn a_cohort_needs_enough_eligible_people() {
        let c = counts(limits(5, UNLIMITED, 0, UNLIMITED), [2, 0, 2, 0]);
        let s = c.shortfall().unwrap();
        assert_eq!(
            (s.constraint, s.needed, s.available),
            (Constraint::Size, 5, 4)
        );
    }

    #[test]
    fn the_cap_limits_what_each_segment_can_give() {
        let c = counts(limits(4, 1, 0, UNLIMITED), [3, 1, 3, 1]);
        let s = c.shortfall().unwrap();
        assert_eq!(
            (s.constraint, s.needed, s.available),
            (Constraint::MaxPerSegment, 4, 2)
        );
        assert!(
            counts(limits(2, 1, 0, UNLIMITED), [3, 1, 3, 1])
                .shortfall()
                .is_none()
        );
    }

    #[test]
    fn prospects_under_the_cap_count_toward_the_minimum() {
        // Two prospects in group 0, but the cap lets only one of them in.
        let c = counts(limits(3, 1, 2, UNLIMITED), [1, 2, 0, 0]);
        assert_eq!(c.shortfall().unwrap().constraint, Constraint::MaxPerSegment);
        let c = counts(limits(2, 1, 2, UNLIMITED), [5, 2, 5, 0]);
        let s = c.shortfall().unwrap();
        assert_eq!(
            (s.constraint, s.needed, s.available),
            (Constraint::MinProspects, 2, 1)
        );
    }

    #[test]
    fn the_prospect_maximum_needs_enough_customers() {
        let c = counts(limits(4, UNLIMITED, 0, 1), [1, 5, 1, 5]);
        let s = c.shortfall().unwrap();
        assert_eq!(
            (s.constraint, s.needed, s.available),
            (Constraint::MaxProspects, 3, 2)
        );
    }

    #[test]
    fn the_greedy_keeps_the_prospect_minimum_reachable_under_the_cap() {
        // Group 0: customer 0 (best) and prospect 1; group 1: customer 2. Cap 1, one prospect:
        // taking customer 0 first would shut the only prospect out.
        let merit = [0.9, 0.5, 0.8];
        let group = [0usize, 0, 1];
        let prospect = [false, true, false];
        let list = |c: u32| list_of(group[c as usize], prospect[c as usize]);
        let mut lists = Lists::new(4, &[0, 1, 2], list, &merit, 10);
        let mut c = Counts::new(limits(2, 1, 1, UNLIMITED), vec![1, 1, 1, 0], vec![0, 0], 0);
        assert!(c.shortfall().is_none());
        let picks = select(&mut lists, &mut c, &merit, 0.0).unwrap();
        let chosen: Vec<u32> = picks.iter().map(|p| p.customer).collect();
        assert_eq!(chosen, vec![2, 1]);
        assert_eq!(
            picks[1].ahead_of_blocked,
            Some((0, Constraint::MinProspects))
        );
    }

    #[test]
    fn a_member_from_a_full_segment_or_beyond_the_prospect_maximum_is_refused() {
        let mut c = counts(limits(2, 1, 0, 0), [5, 5, 5, 5]);
        c.add(list_of(0, false));
        let full = c.shortfall_after(list_of(0, false)).unwrap();
        assert_eq!(full.constraint, Constraint::MaxPerSegment);
        let prospect = c.shortfall_after(list_of(1, true)).unwrap();
        assert_eq!(prospect.constraint, Constraint::MaxProspects);
        assert!(c.shortfall_after(list_of(1, false)).is_none());
    }

    #[test]
    fn the_diversity_term_prefers_a_new_segment_over_a_slightly_better_repeat() {
        let merit = [0.9, 0.85, 0.83];
        let group = [0usize, 0, 1];
        let list = |c: u32| list_of(group[c as usize], false);
        let mut lists = Lists::new(4, &[0, 1, 2], list, &merit, 10);
        let mut c = Counts::new(
            limits(2, UNLIMITED, 0, UNLIMITED),
            vec![2, 0, 1, 0],
            vec![0, 0],
            0,
        );
        let picks = select(&mut lists, &mut c, &merit, 0.05).unwrap();
        assert_eq!(picks[1].customer, 2);
        assert_eq!(picks[1].ahead_of_for_mix, Some((1, 1)));
        let alternates = alternates(&mut lists, &c, &merit, 0.05, 5);
        assert_eq!(alternates, vec![(1, 0)]);
    }
}
