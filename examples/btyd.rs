//! Fits the BG/NBD "buy till you die" model to a CSV folder's activity and lists the top lead
//! customers most likely to have left.
//!
//! ```text
//! cargo run --release --example btyd -- DIR --calibration-end DATE [--unit days|weeks]
//!     [--kinds purchase[,usage,...]] [--format table|json]
//! ```
//!
//! DIR is a CSV folder like any other (`customers.csv` and `interactions.csv` required): the
//! activity is read from its interactions of the kinds given, and the lead scores that pick the
//! leads at risk from the whole folder.
//!
//! JSON: an object with `r`, `alpha`, `a`, `b`, `log_likelihood`, `customers` (the number of
//! customers fitted), `iterations`, `converged`, and `at_risk` (the 10 least likely alive among
//! the 50 best lead customers as of the calibration end: `customer_id`, `rank`, `score`,
//! `probability_alive`).

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

use lead_customers::btyd::{
    ActivityParams, AliveModel, FitOptions, SummaryOptions, TimeUnit, leads_at_risk,
};
use lead_customers::{InteractionKind, ScoringModel};

const USAGE: &str = "usage: btyd DIR --calibration-end DATE [--unit days|weeks] [--kinds purchase,...] [--format table|json]";
/// Lead customers looked at, and how many of them are listed.
const TOP_LEADS: usize = 50;
const LISTED: usize = 10;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("btyd: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = args::arguments()?;
    let (mut dir, mut end, mut format) = (None, None, "table".to_owned());
    let mut activity = ActivityParams::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--calibration-end" => {
                let text = value("--calibration-end")?;
                end = Some(args::time("--calibration-end", &text)?);
            }
            "--unit" => {
                activity.summary = match value("--unit")?.as_str() {
                    "days" => SummaryOptions {
                        period: TimeUnit::Days,
                        unit: TimeUnit::Days,
                    },
                    "weeks" => SummaryOptions {
                        period: TimeUnit::Days,
                        unit: TimeUnit::Weeks,
                    },
                    other => return Err(format!("--unit: {other:?} is not days or weeks")),
                }
            }
            "--kinds" => {
                activity.kinds = value("--kinds")?
                    .split(',')
                    .map(|k| {
                        k.trim()
                            .parse::<InteractionKind>()
                            .map_err(|e| format!("--kinds: {k:?}: {e}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--format" => format = value("--format")?,
            "-h" | "--help" => return args::help(USAGE),
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag}\n{USAGE}"));
            }
            path => args::folder(&mut dir, path, USAGE)?,
        }
    }
    let (dir, end) = (
        dir.ok_or(USAGE)?,
        end.ok_or(format!("--calibration-end is required\n{USAGE}"))?,
    );
    if format != "table" && format != "json" {
        return Err(format!("--format: {format:?} is not table or json"));
    }
    let population = support::load(&dir).map_err(|e| errors::message(&e))?;
    let alive = AliveModel::fit(&population, end, &activity, &FitOptions::default())
        .map_err(|e| e.to_string())?;
    let scores = ScoringModel::default()
        .score(&population, end)
        .map_err(|e| e.to_string())?;
    let mut at_risk = leads_at_risk(&scores, &alive, TOP_LEADS).map_err(|e| e.to_string())?;
    at_risk.truncate(LISTED);
    let mut out = output::stdout();
    let written = print_report(&mut out, &format, &alive, &at_risk, end);
    output::finish(written, out)
}

/// The fit and the customers at risk, as a table or JSON.
fn print_report(
    out: &mut impl Write,
    format: &str,
    alive: &AliveModel,
    at_risk: &[lead_customers::btyd::AtRisk],
    end: jiff::Timestamp,
) -> std::io::Result<()> {
    let fit = &alive.fit;
    if format == "json" {
        let json = serde_json::json!({
            "r": fit.params.r(),
            "alpha": fit.params.alpha(),
            "a": fit.params.a(),
            "b": fit.params.b(),
            "log_likelihood": fit.log_likelihood,
            "customers": fit.customers,
            "iterations": fit.iterations,
            "converged": fit.converged,
            "at_risk": at_risk,
        });
        writeln!(out, "{json}")?;
        return Ok(());
    }
    writeln!(
        out,
        "BG/NBD fit to {} customers' activity up to {end} ({} iterations)",
        fit.customers, fit.iterations
    )?;
    writeln!(
        out,
        "  r = {:.4}  alpha = {:.4}  a = {:.4}  b = {:.4}",
        fit.params.r(),
        fit.params.alpha(),
        fit.params.a(),
        fit.params.b()
    )?;
    writeln!(out, "  log-likelihood = {:.2}", fit.log_likelihood)?;
    writeln!(
        out,
        "\nOf the {TOP_LEADS} best lead customers, the {LISTED} most likely to have left:"
    )?;
    writeln!(
        out,
        "{:>5}  {:<14} {:>6} {:>8}",
        "rank", "customer", "score", "P(alive)"
    )?;
    for r in at_risk {
        writeln!(
            out,
            "{:>5}  {:<14} {:>6.3} {:>8.3}",
            r.rank, r.customer_id, r.score, r.probability_alive
        )?;
    }
    Ok(())
}
