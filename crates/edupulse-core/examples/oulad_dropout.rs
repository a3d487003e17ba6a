//! Dropout on OULAD, temporally honest: the churn risk model of the daily job, fed by the OULAD
//! importer (no special path), trained on the 2013 presentations and scored on 2014.
//!
//! For each cut-off day D (0, 30, 60, 90 of the presentation) the students still registered
//! (registered before day D, not withdrawn before it) are scored with what was known before day
//! D (`as_of` = start + D days − 1 s): `churn::risk::labelled_with` computes the risk model's
//! features from `students` / `activity` / `student_attributes` / `assessment_schedule` (the
//! extra columns fixed from the 2013 tables only) and the label over the rest of the
//! presentation.
//!
//! `riskmodel` is `RiskModel::fit_table` with the daily job's default parameters
//! (`classifier.model = "auto"`): the two 2013 presentations are its two training dates, the
//! later one (2013J) is the holdout that chooses logistic regression or trees, then the choice
//! is refitted on both. `logistic`, `trees`, `ensemble` are the shared `TabularClassifier`
//! fixed to each family. No parameter tuned (nothing is tuned on 2014; nothing at all here).
//!
//! Writes `OUT/features_<label>_d<D>_{train,test}.csv` (the same feature table, for the
//! scikit-learn side of scripts/oulad_eval.py; `OUT/columns.json` lists the categorical ones),
//! `OUT/predictions_<label>_d<D>.csv` (each 2014 row's enrolment id, label and every edupulse
//! model's probability, for the paired bootstrap by student) and `OUT/edupulse.json` (AUC per
//! label, day and model, and what `auto` chose on its 2013B → 2013J holdout).
//! `cargo run --release -p edupulse-core --example oulad_dropout -- OULAD_DIR OUT [--holdout-only]`
//!
//! `--holdout-only`: only the 2013-internal comparison (fitted on 2013B, judged on 2013J: the
//! evidence `auto` decides on), nothing scored on 2014 — to look at when deciding a rule.

use chrono::Duration;
use edupulse_core::churn::risk::{labelled_with, DropoutLabel, RiskModel, RiskParams};
use edupulse_core::churn::risk_inputs::FeatureSpec;
use edupulse_core::import::{import_files, oulad::presentation_start, ImportOptions, Source};
use edupulse_core::learn::{
    roc_auc, ClassifierParams, ColumnData, ModelKind, TabularClassifier, TabularData,
};
use edupulse_core::model::Tables;
use std::collections::BTreeMap;
use std::path::PathBuf;

const DAYS: [i64; 4] = [0, 30, 60, 90];

/// Stack feature tables with the same columns.
fn stack(parts: &[TabularData]) -> Result<TabularData, Box<dyn std::error::Error>> {
    let mut out = TabularData::new();
    let Some(first) = parts.first() else {
        return Ok(out);
    };
    for (j, name) in first.names().iter().enumerate() {
        let col = match &first.columns()[j] {
            ColumnData::Numeric(_) => ColumnData::Numeric(
                parts
                    .iter()
                    .flat_map(|p| match &p.columns()[j] {
                        ColumnData::Numeric(v) => v.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
            ),
            _ => ColumnData::Categorical(
                parts
                    .iter()
                    .flat_map(|p| match &p.columns()[j] {
                        ColumnData::Categorical(v) => v.clone(),
                        _ => Vec::new(),
                    })
                    .collect(),
            ),
        };
        out.push(name, col)?;
    }
    Ok(out)
}

fn write_csv(path: &PathBuf, data: &TabularData, y: &[bool]) -> std::io::Result<()> {
    let mut w = String::new();
    w.push_str(&data.names().join(","));
    w.push_str(",label\n");
    for i in 0..data.n_rows() {
        for c in data.columns() {
            match c {
                ColumnData::Numeric(v) => w.push_str(&format!("{}", v[i])),
                ColumnData::Categorical(v) => w.push_str(&format!("\"{}\"", v[i])),
                _ => {}
            }
            w.push(',');
        }
        w.push_str(if y[i] { "1\n" } else { "0\n" });
    }
    std::fs::write(path, w)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map_or("../shared/data/oulad", |s| s.as_str()));
    let out = PathBuf::from(args.get(2).map_or("target/oulad-eval", |s| s.as_str()));
    let holdout_only = args.iter().any(|a| a == "--holdout-only");
    std::fs::create_dir_all(&out)?;
    let all = import_files(Source::Oulad, &[dir], &ImportOptions::default())?;
    // One batch per presentation (the enrolment id is `<module>-<presentation>-<student>`).
    let mut by_pres: BTreeMap<String, Tables> = BTreeMap::new();
    let pres_of = |id: &str| id.split('-').nth(1).unwrap_or_default().to_string();
    for s in &all.students {
        by_pres
            .entry(pres_of(&s.student_id))
            .or_default()
            .students
            .push(s.clone());
    }
    for a in &all.activity {
        if let Some(t) = by_pres.get_mut(&pres_of(&a.student_id)) {
            t.activity.push(a.clone());
        }
    }
    for a in &all.student_attributes {
        if let Some(t) = by_pres.get_mut(&pres_of(&a.student_id)) {
            t.student_attributes.push(a.clone());
        }
    }
    for a in &all.assessment_schedule {
        if let Some(t) = by_pres.get_mut(&pres_of(&a.course_id)) {
            t.assessment_schedule.push(a.clone());
        }
    }
    // The extra columns (attribute levels, schedule) from the training years only.
    let mut train_tables = Tables::default();
    for (pres, t) in &by_pres {
        if pres.starts_with("2013") {
            train_tables.extend(t.clone());
        }
    }
    let spec = FeatureSpec::from_tables(&train_tables, RiskParams::default().max_attribute_levels)?;
    let categorical: Vec<String> = ["industry", "role", "company_size"]
        .iter()
        .map(|s| s.to_string())
        .chain(spec.categorical_attributes.iter().map(|c| c.0.clone()))
        .collect();
    std::fs::write(
        out.join("columns.json"),
        serde_json::to_string(&serde_json::json!({ "categorical": categorical }))?,
    )?;
    let labels = [
        DropoutLabel::Withdrawal,
        DropoutLabel::NotCompleting,
        DropoutLabel::Inactivity,
    ];
    let kinds = [ModelKind::Logistic, ModelKind::Trees, ModelKind::Ensemble];
    let mut report = serde_json::Map::new();
    for label in labels {
        let params = RiskParams {
            label,
            // Withdrawal / completion: until the end of the presentation (≤ 269 days);
            // inactivity: no submission, registration or certificate in the next 60 days.
            horizon_days: if label == DropoutLabel::Inactivity {
                60
            } else {
                400
            },
            active_window_days: 100_000,
            ..RiskParams::default()
        };
        let mut per_day = serde_json::Map::new();
        for d in DAYS {
            let (mut tr, mut te, mut ytr, mut yte) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            // Training rows of the later 2013 presentation (J, October): the `auto` holdout.
            let (mut fit_rows, mut holdout) = (Vec::new(), Vec::new());
            let (mut train_ids, mut test_ids): (Vec<String>, Vec<String>) =
                (Vec::new(), Vec::new());
            for (pres, tables) in &by_pres {
                let Some(start) = presentation_start(pres) else {
                    continue;
                };
                let as_of = start + Duration::days(d) - Duration::seconds(1);
                let (ids, x, y) = labelled_with(tables, as_of, &params, &spec)?;
                if pres.starts_with("2013") {
                    train_ids.extend(ids);
                    let rows = ytr.len()..ytr.len() + y.len();
                    if pres.ends_with('J') {
                        holdout.extend(rows);
                    } else {
                        fit_rows.extend(rows);
                    }
                    tr.push(x);
                    ytr.extend(y);
                } else {
                    test_ids.extend(ids);
                    te.push(x);
                    yte.extend(y);
                }
            }
            let (train, test) = (stack(&tr)?, stack(&te)?);
            let tag = format!("{}_d{d}", label.as_str());
            write_csv(&out.join(format!("features_{tag}_train.csv")), &train, &ytr)?;
            std::fs::write(
                out.join(format!("ids_{tag}_train.txt")),
                train_ids.join("\n") + "\n",
            )?;
            if holdout_only {
                let rm =
                    RiskModel::fit_table(spec.clone(), &train, &ytr, &fit_rows, &holdout, &params)?;
                if let Some(s) = rm.classifier.selection {
                    let f = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.4}"));
                    println!(
                        "{:>14} d{d:<2} 2013B→2013J AUC logistic {} trees {} (±{}) ensemble {} (±{}) → {}",
                        label.as_str(),
                        f(s.logistic_auc),
                        f(s.trees_auc),
                        f(s.difference_se),
                        f(s.ensemble_auc),
                        f(s.ensemble_se),
                        s.chosen.as_str()
                    );
                }
                continue;
            }
            write_csv(&out.join(format!("features_{tag}_test.csv")), &test, &yte)?;
            let mut row = serde_json::Map::new();
            row.insert("n_train".into(), ytr.len().into());
            row.insert("n_test".into(), yte.len().into());
            let rate = yte.iter().filter(|v| **v).count() as f64 / yte.len().max(1) as f64;
            row.insert("test_positive_rate".into(), rate.into());
            let t0 = std::time::Instant::now();
            let rm =
                RiskModel::fit_table(spec.clone(), &train, &ytr, &fit_rows, &holdout, &params)?;
            let p_rm = rm.predict_proba(&test)?;
            let auc = roc_auc(&p_rm, &yte)?;
            let mut preds = vec![("riskmodel".to_string(), p_rm)];
            let sel = rm.classifier.selection.clone();
            eprintln!(
                "{:>14} day {d:>2}: riskmodel AUC {auc:.4} ({:.1}s) auto chose {:?}",
                label.as_str(),
                t0.elapsed().as_secs_f64(),
                sel
            );
            row.insert("riskmodel".into(), auc.into());
            if let Some(sel) = sel {
                row.insert("auto_chose".into(), sel.chosen.as_str().into());
                row.insert("auto_holdout_logistic".into(), sel.logistic_auc.into());
                row.insert("auto_holdout_trees".into(), sel.trees_auc.into());
                row.insert("auto_holdout_se".into(), sel.difference_se.into());
                row.insert("auto_holdout_ensemble".into(), sel.ensemble_auc.into());
                row.insert("auto_holdout_ensemble_se".into(), sel.ensemble_se.into());
            }
            for kind in kinds {
                let cp = ClassifierParams {
                    model: kind,
                    ..params.classifier.clone()
                };
                let t0 = std::time::Instant::now();
                let m = TabularClassifier::fit(&train, &ytr, &cp)?;
                let p = m.predict_proba(&test)?;
                let auc = roc_auc(&p, &yte)?;
                let name = format!("{kind:?}").to_lowercase();
                preds.push((name.clone(), p));
                eprintln!(
                    "{:>14} day {d:>2}: {name:>8} AUC {auc:.4} (train {}, test {}, {:.1}s)",
                    label.as_str(),
                    ytr.len(),
                    yte.len(),
                    t0.elapsed().as_secs_f64()
                );
                row.insert(name, auc.into());
            }
            let mut csv = String::from("id,label");
            for (name, _) in &preds {
                csv.push(',');
                csv.push_str(name);
            }
            csv.push('\n');
            for (i, id) in test_ids.iter().enumerate() {
                csv.push_str(&format!("{id},{}", u8::from(yte[i])));
                for (_, p) in &preds {
                    csv.push_str(&format!(",{}", p[i]));
                }
                csv.push('\n');
            }
            std::fs::write(out.join(format!("predictions_{tag}.csv")), csv)?;
            per_day.insert(d.to_string(), row.into());
        }
        report.insert(label.as_str().into(), per_day.into());
    }
    if holdout_only {
        return Ok(());
    }
    std::fs::write(
        out.join("edupulse.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(())
}
