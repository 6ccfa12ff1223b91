//! Ranks the customers of a CSV folder by lead score, with reasons.
//!
//! ```text
//! cargo run --release --example rank -- DIR [--as-of DATE] [--top N] [--format table|json|csv]
//! ```
//!
//! `--as-of` defaults to the latest event in the data. `--top` limits the output (default: 20 in
//! a table, every customer known at the as-of time in JSON and CSV). JSON is an array, best
//! first, of objects with `customer_id`, `rank`, `score`, `engagement`, `innovation`,
//! `segment`, `reasons`.

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

use lead_customers::{RankedScore, ScoringModel};

const USAGE: &str = "usage: rank DIR [--as-of DATE] [--top N] [--format table|json|csv]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rank: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = args::arguments()?;
    let (mut dir, mut as_of, mut top, mut format) = (None, None, None, "table".to_owned());
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--as-of" => {
                let text = value("--as-of")?;
                as_of = Some(args::time("--as-of", &text)?);
            }
            "--top" => {
                let text = value("--top")?;
                top = Some(
                    text.parse::<usize>()
                        .ok()
                        .filter(|&n| n > 0)
                        .ok_or(format!("--top: {text:?} is not a count of at least 1"))?,
                );
            }
            "--format" => format = value("--format")?,
            "-h" | "--help" => return args::help(USAGE),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            path => args::folder(&mut dir, path, USAGE)?,
        }
    }
    let dir = dir.ok_or(USAGE)?;
    if !["table", "json", "csv"].contains(&format.as_str()) {
        return Err(format!("--format: {format:?} is not table, json or csv"));
    }
    let population = support::load(&dir).map_err(|e| errors::message(&e))?;
    let model = ScoringModel::default();
    let scores = match as_of {
        Some(t) => model.score(&population, t),
        None => model.score_latest(&population),
    }
    .map_err(|e| e.to_string())?;
    let default_top = if format == "table" { 20 } else { scores.len() };
    let report = scores.report(top.unwrap_or(default_top));
    let mut out = output::stdout();
    let written = match format.as_str() {
        "json" => print_json(&mut out, &report),
        "csv" => print_csv(&mut out, &report),
        _ => print_table(&mut out, &report, &scores),
    };
    output::finish(written, out)
}

fn print_json(mut out: impl Write, report: &[RankedScore]) -> std::io::Result<()> {
    serde_json::to_writer(&mut out, report)?;
    writeln!(out)
}

/// The I/O error inside a CSV writer's error, so that a closed pipe is still one.
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

fn print_csv(out: impl Write, report: &[RankedScore]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "customer_id",
        "rank",
        "score",
        "engagement",
        "innovation",
        "segment",
        "reasons",
    ])
    .map_err(csv_io)?;
    for r in report {
        w.write_record([
            r.customer_id.as_str(),
            &r.rank.to_string(),
            &format!("{:.6}", r.score),
            &format!("{:.6}", r.engagement),
            &format!("{:.6}", r.innovation),
            r.segment.as_str(),
            &r.reasons.join("; "),
        ])
        .map_err(csv_io)?;
    }
    w.flush()
}

fn print_table(
    mut out: impl Write,
    report: &[RankedScore],
    scores: &lead_customers::Scores,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Lead customers as of {} ({} customers scored)",
        scores.as_of(),
        scores.ranked_count()
    )?;
    writeln!(
        out,
        "{:>5}  {:<14} {:>6} {:>6} {:>6}  {:<17} reasons",
        "rank", "customer", "score", "engage", "innov", "segment"
    )?;
    for r in report {
        writeln!(
            out,
            "{:>5}  {:<14} {:>6.3} {:>6.3} {:>6.3}  {:<17} {}",
            r.rank,
            r.customer_id,
            r.score,
            r.engagement,
            r.innovation,
            r.segment.as_str(),
            r.reasons.join("; ")
        )?;
    }
    Ok(())
}
