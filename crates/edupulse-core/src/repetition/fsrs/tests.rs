//! Reference tables A–D of py-fsrs 6.3.2 (testdata/fsrs/reference_vectors.txt, a copy of
//! ../shared/data/fsrs/reference_vectors.txt).

use super::*;
use chrono::TimeZone;

const REF: &str = include_str!("../../../testdata/fsrs/reference_vectors.txt");

struct Row {
    seq: usize,
    rating: u8,
    elapsed: f64,
    r_before: Option<f64>,
    s: f64,
    d: f64,
    ivl: u32,
}

/// Rows of table `name` ("A", "B", "C"), grouped by sequence.
fn table(name: &str) -> Vec<Vec<Row>> {
    let mut out: Vec<Vec<Row>> = Vec::new();
    let mut inside = false;
    for line in REF.lines() {
        if line.starts_with("## ") {
            inside = line.starts_with(&format!("## {name}."));
            continue;
        }
        if !inside || line.trim_start().starts_with("seq") || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if cols.len() < 11 {
            continue;
        }
        if !cols[0].is_empty() {
            out.push(Vec::new());
        }
        let seq = out.len() - 1;
        out[seq].push(Row {
            seq,
            rating: cols[2].parse().unwrap(),
            elapsed: cols[3].parse().unwrap(),
            r_before: cols[4].parse().ok(),
            s: cols[5].parse().unwrap(),
            d: cols[6].parse().unwrap(),
            ivl: cols[7].parse().unwrap(),
        });
    }
    out
}

fn close(a: f64, b: f64, tol_rel: f64) -> bool {
    // The reference prints 5 decimals: allow the printed rounding as well.
    (a - b).abs() <= tol_rel * b.abs().max(1.0) + 5e-6
}

fn check_table(name: &str) {
    let f = Fsrs::default();
    let t = table(name);
    assert_eq!(t.len(), 4, "table {name} has 4 sequences");
    for seq in &t {
        let ratings: Vec<u8> = seq.iter().map(|r| r.rating).collect();
        let elapsed: Vec<f64> = seq.iter().map(|r| r.elapsed).collect();
        let got = f.replay(&ratings, &elapsed).unwrap();
        for (i, (g, r)) in got.iter().zip(seq).enumerate() {
            assert!(
                close(g.stability, r.s, 1e-5),
                "{name} seq {} #{i}: S {} vs {}",
                r.seq,
                g.stability,
                r.s
            );
            assert!(
                close(g.difficulty, r.d, 1e-5),
                "{name} seq {} #{i}: D {} vs {}",
                r.seq,
                g.difficulty,
                r.d
            );
            assert_eq!(g.interval, r.ivl, "{name} seq {} #{i}: interval", r.seq);
            match (g.retrievability, r.r_before) {
                (None, None) => {}
                (Some(a), Some(b)) => assert!(close(a, b, 1e-5), "{name} #{i}: R {a} vs {b}"),
                other => panic!("{name} #{i}: R {other:?}"),
            }
        }
    }
}

#[test]
fn table_a_scheduled_intervals() {
    check_table("A");
}

#[test]
fn table_b_fixed_elapsed_days() {
    check_table("B");
}

#[test]
fn table_c_same_day_reviews() {
    check_table("C");
}

#[test]
fn forgetting_curve_and_initial_states() {
    let f = Fsrs::default();
    let mut n = 0;
    for line in REF.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("S=") {
            let mut parts = rest.split_whitespace();
            let s: f64 = parts.next().unwrap().parse().unwrap();
            for p in parts {
                let (t, r) = p.trim_start_matches("t=").split_once(':').unwrap();
                let (t, r): (f64, f64) = (t.parse().unwrap(), r.parse().unwrap());
                let got = f.retrievability(s, t).unwrap();
                assert!(close(got, r, 1e-5), "R({t},{s}) {got} vs {r}");
                n += 1;
            }
        }
        let list = |l: &str| -> Vec<f64> {
            let inner = l.split('[').nth(1).unwrap().trim_end_matches(']');
            inner
                .split(',')
                .map(|x| x.trim().parse().unwrap())
                .collect()
        };
        if l.starts_with("initial S") {
            for (g, want) in list(l).into_iter().enumerate() {
                let st = f.initial_state(Rating::from_u8(g as u8 + 1).unwrap());
                assert!(close(st.stability, want, 1e-5));
                n += 1;
            }
        }
        if l.starts_with("initial D") {
            for (g, want) in list(l).into_iter().enumerate() {
                let st = f.initial_state(Rating::from_u8(g as u8 + 1).unwrap());
                assert!(
                    close(st.difficulty, want, 1e-5),
                    "{} vs {want}",
                    st.difficulty
                );
                n += 1;
            }
        }
        if l.starts_with("interval(S)") {
            // "at DR=0.8 factor: 3.31596 ; at DR=0.95: 0.40256"
            let nums: Vec<f64> = l
                .split(':')
                .skip(1)
                .map(|x| x.split(';').next().unwrap().trim().parse().unwrap())
                .collect();
            assert!(close(
                f.interval_for_retention(1.0, 0.8).unwrap(),
                nums[0],
                1e-5
            ));
            assert!(close(
                f.interval_for_retention(1.0, 0.95).unwrap(),
                nums[1],
                1e-5
            ));
            assert!(close(
                f.interval_for_retention(7.0, 0.9).unwrap(),
                7.0,
                1e-12
            ));
            n += 3;
        }
    }
    assert_eq!(n, 18 + 8 + 3);
    assert!(close(f.factor(), 0.9803464944, 1e-9));
}

/// "0:10:00", "2 days, 0:00:00", "0:05:30" → seconds.
fn parse_td(s: &str) -> i64 {
    let (days, hms) = match s.split_once(", ") {
        Some((d, rest)) => (
            d.split_whitespace().next().unwrap().parse::<i64>().unwrap(),
            rest,
        ),
        None => (0, s),
    };
    let p: Vec<i64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    days * 86400 + p[0] * 3600 + p[1] * 60 + p[2]
}

#[test]
fn table_d_state_machine() {
    let sched = Scheduler::new(FsrsParams::default()).unwrap();
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
    let mut inside = false;
    let mut card = Card::new(start);
    let mut rows = 0;
    for line in REF.lines() {
        if line.starts_with("## ") {
            inside = line.starts_with("## D.");
            continue;
        }
        let l = line.trim();
        if !inside || l.is_empty() {
            continue;
        }
        if l.starts_with('[') {
            card = Card::new(start);
        }
        let hash = l.find('#').unwrap();
        let rest = &l[hash..];
        let field = |k: &str| -> &str {
            let i = rest.find(k).unwrap() + k.len();
            let tail = &rest[i..];
            if k == "next_in=" {
                tail.trim()
            } else {
                tail.split_whitespace().next().unwrap()
            }
        };
        let rating: u8 = field("rating=").parse().unwrap();
        let at = card.due;
        let next = sched
            .review_card(&card, Rating::from_u8(rating).unwrap(), at)
            .unwrap();
        let want_state = match field("state=") {
            "Learning" => CardState::Learning,
            "Review" => CardState::Review,
            "Relearning" => CardState::Relearning,
            s => panic!("{s}"),
        };
        assert_eq!(next.state, want_state, "{l}");
        let want_step: Option<usize> = field("step=").parse().ok();
        assert_eq!(next.step, want_step, "{l}");
        let m = next.memory.unwrap();
        let s: f64 = field("S=").parse().unwrap();
        let d: f64 = field("D=").parse().unwrap();
        assert!(close(m.stability, s, 1e-5), "{l}: S {}", m.stability);
        assert!(close(m.difficulty, d, 1e-5), "{l}: D {}", m.difficulty);
        assert_eq!(
            (next.due - at).num_seconds(),
            parse_td(field("next_in=")),
            "{l}"
        );
        card = next;
        rows += 1;
    }
    assert_eq!(rows, 14);
}

#[test]
fn bad_input_is_a_named_error() {
    let f = Fsrs::default();
    let name = |e: CoreError| match e {
        CoreError::InvalidParameter { name, .. } => name,
        e => panic!("{e}"),
    };
    assert_eq!(name(Rating::from_u8(5).unwrap_err()), "rating");
    assert_eq!(name(f.retrievability(0.0, 1.0).unwrap_err()), "stability");
    assert_eq!(
        name(f.retrievability(1.0, -1.0).unwrap_err()),
        "elapsed_days"
    );
    assert_eq!(name(f.replay(&[3, 0], &[0.0, 1.0]).unwrap_err()), "rating");
    assert_eq!(
        name(f.replay(&[3, 3], &[0.0, -1.0]).unwrap_err()),
        "elapsed_days"
    );
    assert_eq!(
        name(Fsrs::with_parameters(&[0.5; 20]).unwrap_err()),
        "parameters"
    );
    let mut w = DEFAULT_PARAMETERS.to_vec();
    w[7] = 0.9;
    assert_eq!(
        name(Fsrs::with_parameters(&w).unwrap_err()),
        "parameters[7]"
    );
    w[7] = f64::NAN;
    assert_eq!(
        name(Fsrs::with_parameters(&w).unwrap_err()),
        "parameters[7]"
    );
    let st = MemoryState {
        stability: 1.0,
        difficulty: 11.0,
    };
    assert_eq!(
        name(f.next_state(Some(st), 1.0, Rating::Good).unwrap_err()),
        "difficulty"
    );
}

#[test]
fn fuzz_stays_in_range_and_is_seeded() {
    let f = Fsrs::default();
    for days in [1u32, 2, 3, 5, 10, 30, 100, 1000] {
        let (lo, hi) = fuzz_range(days, 36500);
        for k in 0..50 {
            let x = f.fuzz_interval(days, k as f64 / 50.0);
            assert!(x >= lo && x <= hi, "{days}: {x} not in {lo}..{hi}");
        }
    }
    // py-fsrs: 10 days → delta = 1 + 0.15·4.5 + 0.1·3 = 1.975 → [8, 12]
    assert_eq!(fuzz_range(10, 36500), (8, 12));
    let p = FsrsParams {
        enable_fuzz: true,
        ..FsrsParams::default()
    };
    let s = Scheduler::new(p).unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let c = s.review_card(&Card::new(t0), Rating::Easy, t0).unwrap();
    let c2 = s.review_card(&Card::new(t0), Rating::Easy, t0).unwrap();
    assert_eq!(c, c2);
    let ivl = (c.due - t0).num_days() as u32;
    let (lo, hi) = fuzz_range(8, 36500);
    assert!(ivl >= lo && ivl <= hi);
}

#[test]
fn fast_path_equals_reference_formulas() {
    let mut w = DEFAULT_PARAMETERS;
    w[20] = 0.4;
    for f in [Fsrs::default(), Fsrs::with_parameters(&w).unwrap()] {
        let mut x = 1u64;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = |k: u32| ((x >> k) & 0xffff) as f64 / 65536.0;
            let st = MemoryState {
                stability: 0.001 + 500.0 * u(0) * u(16),
                difficulty: 1.0 + 9.0 * u(32),
            };
            let t = (3.0 * st.stability * u(48)).floor();
            let all = f.next_states_all(st, t);
            for g in 1..=4u8 {
                let a = f.next_state_unchecked(st, t, g);
                let b = f.next_state_reference(st, t, g);
                for (p, q) in [(a.stability, b.stability), (a.difficulty, b.difficulty)] {
                    assert!(
                        (p - q).abs() <= 1e-12 * q.abs(),
                        "{st:?} t={t} g={g}: {p} vs {q}"
                    );
                }
                assert_eq!(all[g as usize - 1], a);
            }
        }
    }
}

#[test]
fn fsrs_serialises_as_its_params() {
    let f = Fsrs::default();
    let json = serde_json::to_string(&f).unwrap();
    let back: Fsrs = serde_json::from_str(&json).unwrap();
    assert_eq!(back, f);
    assert!(serde_json::from_str::<Fsrs>(&json.replace("0.9,", "1.5,")).is_err());
}
