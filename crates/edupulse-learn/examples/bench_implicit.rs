//! The edupulse side of `scripts/bench_community.py` (`make bench-community`): fit one
//! implicit-feedback model on a `user,item,weight` CSV of 0-based indices, recommend the top `k`
//! unseen items for every user, write them as `user,rank,item,score` and print one JSON line
//! with the timings.
//!
//! ```text
//! bench_implicit TRAIN.csv N_USERS N_ITEMS MODEL OUT.csv [factors reg alpha iterations k neighbours seed cg_steps reg_exponent neg_exponent]
//! ```
//! MODEL: `als`, `item_knn` (cosine), `bm25` or `popular`.

use edupulse_learn::implicit::{
    popularity, top_k, Als, AlsParams, Csr, ItemKnn, ItemKnnParams, Weighting,
};
use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 6 {
        return Err("usage: bench_implicit TRAIN.csv N_USERS N_ITEMS MODEL OUT.csv [factors reg alpha iterations k neighbours seed cg_steps reg_exponent neg_exponent]".into());
    }
    let n_users: usize = a[2].parse()?;
    let n_items: usize = a[3].parse()?;
    let model = a[4].as_str();
    let arg = |i: usize, d: &str| a.get(i).cloned().unwrap_or_else(|| d.to_string());
    let factors: usize = arg(6, "64").parse()?;
    let reg: f32 = arg(7, "0.05").parse()?;
    let alpha: f32 = arg(8, "1.0").parse()?;
    let iterations: usize = arg(9, "15").parse()?;
    let k: usize = arg(10, "10").parse()?;
    let neighbours: usize = arg(11, "20").parse()?;
    let random_state: u64 = arg(12, "0").parse()?;
    let cg_steps: usize = arg(13, "3").parse()?;
    let regularization_exponent: f32 = arg(14, "0").parse()?;
    let negative_weight_exponent: f32 = arg(15, "0").parse()?;

    let t0 = Instant::now();
    let (mut r, mut c, mut w) = (Vec::new(), Vec::new(), Vec::new());
    for line in std::io::BufReader::new(std::fs::File::open(&a[1])?)
        .lines()
        .skip(1)
    {
        let line = line?;
        let mut f = line.split(',');
        let (Some(u), Some(i), Some(x)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        r.push(u.parse::<u32>()?);
        c.push(i.parse::<u32>()?);
        w.push(x.parse::<f32>()?);
    }
    let m = Csr::from_triplets(n_users, n_items, &r, &c, &w)?;
    let load = t0.elapsed().as_secs_f64();
    let users: Vec<u32> = (0..n_users as u32).collect();

    let t1 = Instant::now();
    enum Fitted {
        Als(Als),
        Knn(ItemKnn),
        Pop(Vec<f32>),
    }
    let fitted = match model {
        "als" => Fitted::Als(Als::fit(
            &m,
            &AlsParams {
                factors,
                regularization: reg,
                alpha,
                iterations,
                cg_steps,
                random_state,
                regularization_exponent,
                negative_weight_exponent,
            },
        )?),
        "item_knn" | "bm25" => Fitted::Knn(ItemKnn::fit(
            &m,
            &ItemKnnParams {
                neighbours,
                weighting: if model == "bm25" {
                    Weighting::Bm25 { k1: 100.0, b: 0.8 }
                } else {
                    Weighting::Cosine
                },
            },
        )?),
        "popular" => Fitted::Pop(popularity(&m)),
        other => return Err(format!("unknown model {other}").into()),
    };
    let fit = t1.elapsed().as_secs_f64();
    // EDUPULSE_DUMP_FACTORS=PREFIX writes PREFIX.users.f32 / PREFIX.items.f32 (raw little-endian
    // row-major factors) so the bench can compare training losses with `implicit`'s.
    if let (Fitted::Als(m2), Ok(prefix)) = (&fitted, std::env::var("EDUPULSE_DUMP_FACTORS")) {
        for (suffix, v) in [("users", m2.user_factors()), ("items", m2.item_factors())] {
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            std::fs::write(format!("{prefix}.{suffix}.f32"), bytes)?;
        }
    }

    let t2 = Instant::now();
    let recs = match &fitted {
        Fitted::Als(m2) => m2.recommend_many(&m, &users, k, true, None),
        Fitted::Knn(m2) => m2.recommend_many(&m, &users, k, true, None),
        Fitted::Pop(p) => users
            .iter()
            .map(|&u| {
                let seen = m.row(u as usize).0;
                top_k(p, k, |j| seen.binary_search(&(j as u32)).is_ok())
            })
            .collect(),
    };
    let recommend = t2.elapsed().as_secs_f64();

    let mut out = BufWriter::new(std::fs::File::create(&a[5])?);
    writeln!(out, "user,rank,item,score")?;
    for (u, list) in recs.iter().enumerate() {
        for (rank, (i, s)) in list.iter().enumerate() {
            writeln!(out, "{u},{},{i},{s}", rank + 1)?;
        }
    }
    println!(
        "{{\"model\":\"{model}\",\"load_s\":{load:.4},\"fit_s\":{fit:.4},\"recommend_s\":{recommend:.4},\"threads\":{}}}",
        edupulse_learn::parallel::num_threads()
    );
    Ok(())
}
