//! Stuck episodes: when a learner–card pair, a learner or a concept is stuck, and when it recovers.
//!
//! From each pair's review history (time, rating) it decides the pair's stuck intervals: a pair is
//! stuck while it has at least `stuck_min_lapses` lapses (Again after the first review) within the
//! last `stuck_window_days`, and recovers when those lapses age out of the window or after
//! `stuck_recover_successes` reviews in a row rated Hard or better (which also clears its lapses:
//! being stuck again takes `stuck_min_lapses` new ones). A learner (a concept) is stuck while
//! enough of its cards (learners) are stuck; the runs of that condition over time are its
//! episodes, each named by the time it started, so the outbox alerts once per episode and again
//! on a new one, and an ended episode is recorded as "unstuck" in `review_stuck_episodes`.

use chrono::{DateTime, Duration, Utc};

/// One stuck interval: `[start, end)`, `end` `None` while it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Interval {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// The rules of a pair's stuck intervals.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairRule {
    pub min_lapses: u32,
    pub window: Duration,
    pub recover_successes: u32,
}

/// The stuck intervals of one pair from its reviews in time order (up to `as_of`).
pub(crate) fn pair_intervals(
    reviews: &[(DateTime<Utc>, u8)],
    as_of: DateTime<Utc>,
    rule: PairRule,
) -> Vec<Interval> {
    let l = rule.min_lapses.max(1) as usize;
    let mut out = Vec::new();
    let mut lapses: std::collections::VecDeque<DateTime<Utc>> = Default::default();
    let mut successes = 0u32;
    let mut cur: Option<DateTime<Utc>> = None;
    // Close the open interval if the window has aged its lapses below the threshold by `t`.
    let age = |t: DateTime<Utc>,
               lapses: &mut std::collections::VecDeque<DateTime<Utc>>,
               cur: &mut Option<DateTime<Utc>>,
               out: &mut Vec<Interval>| {
        if let Some(start) = *cur {
            let n = lapses.len();
            let end = if n >= l {
                lapses[n - l] + rule.window
            } else {
                start
            };
            if end <= t {
                out.push(Interval {
                    start,
                    end: Some(end.max(start)),
                });
                *cur = None;
            }
        }
        while lapses.front().is_some_and(|&x| x + rule.window <= t) {
            lapses.pop_front();
        }
    };
    for (i, &(t, g)) in reviews.iter().enumerate() {
        age(t, &mut lapses, &mut cur, &mut out);
        if i > 0 && g == 1 {
            lapses.push_back(t);
            successes = 0;
        } else if i > 0 {
            successes += 1;
        }
        if let Some(start) = cur {
            if successes >= rule.recover_successes {
                out.push(Interval {
                    start,
                    end: Some(t),
                });
                cur = None;
                lapses.clear();
            }
        }
        if cur.is_none() && lapses.len() >= l {
            cur = Some(t);
        }
    }
    age(as_of, &mut lapses, &mut cur, &mut out);
    if let Some(start) = cur {
        out.push(Interval { start, end: None });
    }
    out
}

/// When a group (a learner's cards, a concept's learners) counts as stuck.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupRule {
    /// Fewest members before the group can be stuck.
    pub min_members: usize,
    /// Fewest stuck members.
    pub min_stuck: usize,
    /// Share of the members that must be stuck.
    pub share: f64,
}

impl GroupRule {
    fn holds(&self, members: usize, stuck: usize) -> bool {
        members >= self.min_members
            && stuck >= self.min_stuck.max(1)
            && stuck as f64 >= self.share * members as f64
    }
}

/// The episodes of a group: members are `(first review, stuck intervals)`; the group is stuck
/// while [`GroupRule::holds`] on the members seen so far and those stuck.
pub(crate) fn group_episodes(
    members: &[(DateTime<Utc>, &[Interval])],
    rule: GroupRule,
) -> Vec<Interval> {
    // (time, Δmembers, Δstuck)
    let mut ev: Vec<(DateTime<Utc>, i64, i64)> = Vec::new();
    for (first, ivs) in members {
        ev.push((*first, 1, 0));
        for iv in ivs.iter() {
            ev.push((iv.start, 0, 1));
            if let Some(e) = iv.end {
                ev.push((e, 0, -1));
            }
        }
    }
    ev.sort_by_key(|e| e.0);
    let (mut n, mut k) = (0i64, 0i64);
    let mut out = Vec::new();
    let mut cur: Option<DateTime<Utc>> = None;
    let mut i = 0;
    while i < ev.len() {
        let t = ev[i].0;
        while i < ev.len() && ev[i].0 == t {
            n += ev[i].1;
            k += ev[i].2;
            i += 1;
        }
        let stuck = rule.holds(n.max(0) as usize, k.max(0) as usize);
        match (cur, stuck) {
            (None, true) => cur = Some(t),
            (Some(start), false) => {
                out.push(Interval {
                    start,
                    end: Some(t),
                });
                cur = None;
            }
            _ => {}
        }
    }
    if let Some(start) = cur {
        out.push(Interval { start, end: None });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(d: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap() + Duration::days(d)
    }

    const RULE: PairRule = PairRule {
        min_lapses: 3,
        window: Duration::days(30),
        recover_successes: 2,
    };

    #[test]
    fn lapses_outside_the_window_do_not_count() {
        // Three lapses spread over 90 days: never three within 30 days.
        let r = [(day(0), 3), (day(1), 1), (day(40), 1), (day(80), 1)];
        assert!(pair_intervals(&r, day(81), RULE).is_empty());
        // Three within a week: stuck from the third, and the window ages them out 30 days after
        // the first of the three.
        let r = [(day(0), 3), (day(1), 1), (day(2), 1), (day(3), 1)];
        let iv = pair_intervals(&r, day(10), RULE);
        assert_eq!(
            iv,
            vec![Interval {
                start: day(3),
                end: None
            }]
        );
        let iv = pair_intervals(&r, day(60), RULE);
        assert_eq!(
            iv,
            vec![Interval {
                start: day(3),
                end: Some(day(31))
            }]
        );
    }

    #[test]
    fn recover_then_stuck_again_is_two_episodes() {
        let r = [
            (day(0), 3),
            (day(1), 1),
            (day(2), 1),
            (day(3), 1), // stuck
            (day(4), 3),
            (day(5), 3), // recovered (two passes in a row)
            (day(6), 1),
            (day(7), 1), // two new lapses: not yet
            (day(8), 1), // third new lapse: stuck again
        ];
        let iv = pair_intervals(&r, day(9), RULE);
        assert_eq!(
            iv,
            vec![
                Interval {
                    start: day(3),
                    end: Some(day(5))
                },
                Interval {
                    start: day(8),
                    end: None
                }
            ]
        );
        // A learner with this one card: the same two episodes.
        let g = group_episodes(
            &[(day(0), &iv[..])],
            GroupRule {
                min_members: 1,
                min_stuck: 1,
                share: 0.2,
            },
        );
        assert_eq!(g, iv);
    }

    #[test]
    fn a_group_is_stuck_while_enough_members_are() {
        let a = [Interval {
            start: day(3),
            end: Some(day(10)),
        }];
        let b = [Interval {
            start: day(5),
            end: Some(day(12)),
        }];
        let c: [Interval; 0] = [];
        let rule = GroupRule {
            min_members: 1,
            min_stuck: 2,
            share: 0.5,
        };
        let g = group_episodes(
            &[(day(0), &a[..]), (day(0), &b[..]), (day(1), &c[..])],
            rule,
        );
        assert_eq!(
            g,
            vec![Interval {
                start: day(5),
                end: Some(day(10))
            }]
        );
    }
}
