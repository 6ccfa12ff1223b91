//! Plans a co-design cohort on a topic from a CSV folder: the members with the reasons they were
//! chosen, the alternates for no-shows, and the mix.
//!
//! ```text
//! cargo run --release --example cohort -- DIR --topic T --size N [--max-per-segment K]
//!     [--prospects MIN] [--cooldown-days D] [--as-of DATE] [--format table|json]
//! ```
//!
//! `--as-of` defaults to the latest event in the data, as in `rank`; `--cooldown-days` to 90.
//! JSON is an object with `members` and `alternates` (arrays of objects with `customer_id`,
//! `score`, `relevance`, `segment` (the score segment, as in `rank`), `customer_segment`,
//! `relationship`, `merit`, `reasons`), and `topic`, `as_of` and `summary`.

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

use lead_customers::{Cohort, CohortRequest, Member, ScoringModel};

const USAGE: &str = "usage: cohort DIR --topic T --size N [--max-per-segment K] [--prospects MIN] \
                     [--cooldown-days D] [--as-of DATE] [--format table|json]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cohort: {message}");
            ExitCode::FAILURE
        }
    }
}

fn count<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{name}: {text:?} is not a whole number"))
}

fn run() -> Result<(), String> {
    let mut args = args::arguments()?;
    let (mut dir, mut as_of, mut format) = (None, None, "table".to_owned());
    let (mut topic, mut size) = (None, None);
    let mut request = CohortRequest::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--topic" => topic = Some(value("--topic")?),
            "--size" => size = Some(count("--size", &value("--size")?)?),
            "--max-per-segment" => {
                request.max_per_segment =
                    Some(count("--max-per-segment", &value("--max-per-segment")?)?)
            }
            "--prospects" => request.min_prospects = count("--prospects", &value("--prospects")?)?,
            "--cooldown-days" => {
                request.cooldown_days = count("--cooldown-days", &value("--cooldown-days")?)?
            }
            "--as-of" => {
                let text = value("--as-of")?;
                as_of = Some(args::time("--as-of", &text)?);
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
    request.topic = Some(topic.ok_or(format!("--topic is required\n{USAGE}"))?);
    request.size = size.ok_or(format!("--size is required\n{USAGE}"))?;
    if !["table", "json"].contains(&format.as_str()) {
        return Err(format!("--format: {format:?} is not table or json"));
    }
    // Check the request before the (slower) loading and scoring.
    let planner = request.check().map_err(|e| e.to_string())?;
    let population = support::load(&dir).map_err(|e| errors::message(&e))?;
    let model = ScoringModel::default();
    let scores = match as_of {
        Some(t) => model.score(&population, t),
        None => model.score_latest(&population),
    }
    .map_err(|e| e.to_string())?;
    let cohort = planner
        .plan(&population, &scores)
        .map_err(|e| e.to_string())?;
    let mut out = output::stdout();
    let written = match format.as_str() {
        "json" => print_json(&mut out, &cohort),
        _ => print_table(&mut out, &cohort),
    };
    output::finish(written, out)
}

fn print_json(mut out: impl Write, cohort: &Cohort) -> std::io::Result<()> {
    serde_json::to_writer(&mut out, cohort)?;
    writeln!(out)
}

fn print_members(out: &mut impl Write, members: &[Member]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>3}  {:<14} {:>6} {:>6}  {:<17} {:<22} {:<8}  reasons",
        "#", "customer", "score", "relev", "segment", "customer segment", "relation"
    )?;
    for (k, m) in members.iter().enumerate() {
        writeln!(
            out,
            "{:>3}  {:<14} {:>6.3} {:>6.3}  {:<17} {:<22} {:<8}  {}",
            k + 1,
            m.customer_id,
            m.score,
            m.relevance,
            m.segment.as_str(),
            m.customer_segment.as_deref().unwrap_or("-"),
            m.relationship.as_str(),
            m.reasons.join("; ")
        )?;
    }
    Ok(())
}

fn print_table(mut out: impl Write, cohort: &Cohort) -> std::io::Result<()> {
    let s = &cohort.summary;
    writeln!(
        out,
        "Cohort on {} as of {}: {} members ({} prospects), mean score {:.3}, mean relevance {:.3}",
        cohort.topic.as_deref().unwrap_or("(no topic)"),
        cohort.as_of,
        s.size,
        s.prospects,
        s.mean_score,
        s.mean_relevance
    )?;
    let sc = &s.screening;
    writeln!(
        out,
        "{} of {} eligible ({} excluded, {} in cooldown, {} declined repeatedly, {} below the minimum score)\n",
        sc.eligible, sc.considered, sc.excluded, sc.in_cooldown, sc.declined, sc.below_min_score
    )?;
    print_members(&mut out, &cohort.members)?;
    writeln!(out, "\nAlternates, in order:")?;
    print_members(&mut out, &cohort.alternates)?;
    let mix = |counts: Vec<(String, usize)>| {
        counts
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut segments: Vec<(String, usize)> = s.customer_segments.clone().into_iter().collect();
    if s.without_customer_segment > 0 {
        segments.push(("without a segment".to_owned(), s.without_customer_segment));
    }
    writeln!(out, "\nCustomer segments: {}", mix(segments))?;
    writeln!(
        out,
        "Score segments: {}",
        mix(s
            .score_segments
            .iter()
            .map(|(k, &n)| (k.as_str().to_owned(), n))
            .collect())
    )
}
