//! Back-tests the lead score on a CSV folder: scores as of T1 from the data up to T1, and
//! judges the ranking against the outcomes of (T1, T2].
//!
//! ```text
//! cargo run --release --example backtest -- DIR --as-of T1 --until T2 [--format table|json]
//! ```
//!
//! A customer's outcome is positive when an idea of theirs was accepted or shipped in the
//! window, or a facilitator rated them 4.5 or more in a session held in it. Three kinds of
//! ranking are judged, each at k = a shortlist of 5% of the customers judged:
//!
//! - `default`: the default scoring model;
//! - `calibrated`: the default model's weights learned from the window of the same length just
//!   before T1 (scores as of T1 − (T2 − T1), outcomes up to T1), so it never sees the outcomes it
//!   is judged on; left out, with a note on stderr, when that window cannot be fitted (before the
//!   data, or without outcomes);
//! - the naive rankings `most_active`, `biggest_buyer` and `most_ideas`.
//!
//! JSON is an object with `k`, `positives` and `rankings`, an array of objects with `name`, `auc`,
//! `precision_at_k`, `average_precision` and `lift_at_k` (over a random ranking).

#[path = "support/args.rs"]
mod args;
#[path = "support/errors.rs"]
mod errors;
#[path = "support/output.rs"]
mod output;
#[path = "support/load.rs"]
mod support;

use std::io::Write;
use std::process::ExitCode;

use lead_customers::ScoringModel;
use lead_customers::evidence::{BacktestParams, BacktestReport, Calibration, CalibrationParams};

const USAGE: &str = "usage: backtest DIR --as-of T1 --until T2 [--format table|json]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("backtest: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = args::arguments()?;
    let (mut dir, mut as_of, mut until, mut format) = (None, None, None, "table".to_owned());
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--as-of" => as_of = Some(args::time("--as-of", &value("--as-of")?)?),
            "--until" => until = Some(args::time("--until", &value("--until")?)?),
            "--format" => format = value("--format")?,
            "-h" | "--help" => return args::help(USAGE),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            path => args::folder(&mut dir, path, USAGE)?,
        }
    }
    let dir = dir.ok_or(USAGE)?;
    let as_of = as_of.ok_or(format!("--as-of is required\n{USAGE}"))?;
    let until = until.ok_or(format!("--until is required\n{USAGE}"))?;
    if !["table", "json"].contains(&format.as_str()) {
        return Err(format!("--format: {format:?} is not table or json"));
    }
    if until <= as_of {
        return Err(format!("--until {until} must be after --as-of {as_of}"));
    }
    let population = support::load(&dir).map_err(|e| errors::message(&e))?;
    let default = ScoringModel::default();
    let fitted = CalibrationParams::default().fit_preceding(&population, &default, as_of, until);
    let calibration = fitted.as_ref().ok();
    let mut models = vec![("default", &default)];
    if let Some(c) = calibration {
        models.push(("calibrated", &c.model));
    }
    let report = BacktestParams::default()
        .run(&population, &models, as_of, until)
        .map_err(|e| e.to_string())?;
    // Why there is no calibrated model, once the back-test itself has run (when it fails, its
    // own error is the one to read).
    if let Err(e) = &fitted {
        eprintln!("backtest: no calibrated model: {e}");
    }
    let mut out = output::stdout();
    let written = match format.as_str() {
        "json" => print_json(&mut out, &report),
        _ => print_table(&mut out, &report, calibration),
    };
    output::finish(written, out)
}

fn print_json(mut out: impl Write, report: &BacktestReport) -> std::io::Result<()> {
    let rankings: Vec<serde_json::Value> = report
        .rankings
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "auc": r.metrics.auc,
                "precision_at_k": r.metrics.precision_at_k,
                "average_precision": r.metrics.average_precision,
                "lift_at_k": r.metrics.lift_at_k,
            })
        })
        .collect();
    let json = serde_json::json!({
        "k": report.k,
        "positives": report.positives,
        "rankings": rankings,
    });
    serde_json::to_writer(&mut out, &json)?;
    writeln!(out)
}

fn print_table(
    mut out: impl Write,
    report: &BacktestReport,
    calibration: Option<&Calibration>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Back-test: scored as of {}, outcomes in ({}, {}]",
        report.as_of, report.as_of, report.until
    )?;
    writeln!(
        out,
        "{} customers judged, {} positive ({} with an idea accepted or shipped, {} with a top \
         rating); k = {}",
        report.customers,
        report.positives,
        report.positives_by_idea,
        report.positives_by_rating,
        report.k
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<14} {:>6} {:>8} {:>8} {:>6} {:>7} {:>12}",
        "ranking", "AUC", "prec@k", "recall@k", "AP", "lift@k", "vs active@k"
    )?;
    for r in &report.rankings {
        let m = &r.metrics;
        let versus = r
            .lift_over_most_active
            .map_or("undefined".to_owned(), |l| format!("{l:.2}"));
        writeln!(
            out,
            "{:<14} {:>6.3} {:>8.3} {:>8.3} {:>6.3} {:>7.2} {:>12}",
            r.name,
            m.auc,
            m.precision_at_k,
            m.recall_at_k,
            m.average_precision,
            m.lift_at_k,
            versus
        )?;
    }
    if let Some(c) = calibration {
        writeln!(out)?;
        writeln!(
            out,
            "Calibrated weights: fitted on {} customers ({} positive) of the preceding window, \
             penalty {:.3} chosen by cross-validation, {} fit(s)",
            c.observations, c.positives, c.lambda, c.rounds
        )?;
        writeln!(
            out,
            "{:<11} {:<22} {:>8} {:>7} {:>6}  fate",
            "dimension", "signal", "coef", "s.e.", "share"
        )?;
        for s in &c.coefficients {
            let se = s
                .standard_error
                .map_or("-".to_owned(), |se| format!("{se:.3}"));
            writeln!(
                out,
                "{:<11} {:<22} {:>8.3} {:>7} {:>6.3}  {:?}",
                s.dimension,
                s.signal.as_str(),
                s.coefficient,
                se,
                s.share,
                s.fate
            )?;
        }
    }
    Ok(())
}
