//! Reliability and construct scores of a lead-userness questionnaire.
//!
//! ```text
//! cargo run --release --example questionnaire -- RESPONSES.csv \
//!     --construct ahead_of_trend=at1,at2,at3,at4 --construct expected_benefit=heb1,heb2,heb3 \
//!     [--reverse at4] [--scale 7] [--min-answered 0.5] [--format table|json]
//! ```
//!
//! Without `--construct`, the default lead-user questionnaire (`ahead_of_trend=at1..at4`,
//! `expected_benefit=heb1..heb3`) is used. `--reverse` may be repeated or take a comma list.
//!
//! Prints each construct's item count, its Cronbach's alpha and the respondents it rests on
//! (those who answered all its items: `complete`, the JSON's `respondents`), the respondents
//! scored and those who answered any of its items (`answered`), then each respondent's construct
//! scores (the mean of the answered items, reverse-keyed items recoded; empty where too few items
//! were answered).
//! A responses file with no answers (a header only) is an error. `--format json` prints the
//! object documented on `QuestionnaireReport`:
//! `{"constructs": [{"name", "alpha", "items", "respondents"}], "scores": [{"customer_id", <construct>: score|null}]}`.

#[path = "support/args.rs"]
mod args;
#[path = "support/errors.rs"]
mod errors;
#[path = "support/output.rs"]
mod output;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use lead_customers::evidence::{Construct, QuestionnaireParams, QuestionnaireReport};

const USAGE: &str = "usage: questionnaire RESPONSES.csv [--construct NAME=ITEM,ITEM,...]... \
[--reverse ITEM[,ITEM...]]... [--scale POINTS] [--min-answered SHARE] [--format table|json]";

enum Format {
    Table,
    Json,
}

struct Args {
    responses: PathBuf,
    params: QuestionnaireParams,
    format: Format,
}

fn main() -> ExitCode {
    let args = match args::arguments().and_then(parse_args) {
        Ok(Some(args)) => args,
        Ok(None) => {
            // `args::help` never fails (a closed pipe is no reason to).
            let _ = args::help(USAGE);
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("questionnaire: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let report = match args
        .params
        .check()
        .and_then(|q| q.read_answers(&args.responses))
    {
        // A file with a header and no answers is most likely not the file meant.
        Ok(answers) if answers.respondents().is_empty() => {
            eprintln!(
                "questionnaire: {}: no answers, only a header",
                args.responses.display()
            );
            return ExitCode::FAILURE;
        }
        Ok(answers) => answers.report(),
        Err(err) => {
            eprintln!("questionnaire: {}", errors::message(&err));
            return ExitCode::FAILURE;
        }
    };
    let mut out = output::stdout();
    let written = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(out, "{json}")),
        Format::Table => print_table(&mut out, &report),
    };
    match output::finish(written, out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("questionnaire: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The arguments, or `None` when help was asked for.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut responses = None;
    let mut constructs = Vec::new();
    let mut reverse = Vec::new();
    let mut params = QuestionnaireParams::empty();
    let mut format = Format::Table;
    while let Some(arg) = args.next() {
        let mut value = |flag: &str| args.next().ok_or(format!("{flag} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--construct" => {
                let spec = value("--construct")?;
                constructs.push(spec.parse::<Construct>().map_err(|e| e.to_string())?);
            }
            "--reverse" => {
                let items = value("--reverse")?;
                if items.split(',').any(str::is_empty) {
                    return Err(format!("--reverse: an empty item name in {items:?}"));
                }
                reverse.extend(items.split(',').map(str::to_owned));
            }
            "--scale" => {
                let text = value("--scale")?;
                params.scale = text
                    .parse()
                    .map_err(|_| format!("--scale expects a number of points, got {text:?}"))?;
            }
            "--min-answered" => {
                let text = value("--min-answered")?;
                params.min_answered_share = text.parse().map_err(|_| {
                    format!("--min-answered expects a share from 0 to 1, got {text:?}")
                })?;
            }
            "--format" => {
                format = match value("--format")?.as_str() {
                    "table" => Format::Table,
                    "json" => Format::Json,
                    other => return Err(format!("--format is table or json, got {other:?}")),
                }
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            "" => return Err("the responses file is an empty string".to_owned()),
            path if responses.is_none() => responses = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra:?}")),
        }
    }
    let responses = responses.ok_or("the responses file is missing")?;
    params.constructs = if constructs.is_empty() {
        QuestionnaireParams::default().constructs
    } else {
        constructs
    };
    for item in &reverse {
        params = params.with_reverse_keyed(item).map_err(|e| e.to_string())?;
    }
    Ok(Some(Args {
        responses,
        params,
        format,
    }))
}

fn print_table(out: &mut impl Write, report: &QuestionnaireReport) -> std::io::Result<()> {
    let number =
        |x: Option<f64>, decimals: usize| x.map_or("-".to_owned(), |x| format!("{x:.decimals$}"));
    writeln!(
        out,
        "{:<24} {:>5} {:>7} {:>9} {:>7} {:>11}",
        "construct", "items", "alpha", "complete", "scored", "answered"
    )?;
    for r in &report.reliability {
        writeln!(
            out,
            "{:<24} {:>5} {:>7} {:>9} {:>7} {:>11}",
            r.construct,
            r.items,
            number(r.alpha, 3),
            r.complete_cases,
            r.scored,
            r.respondents
        )?;
        let dropped: Vec<String> = r
            .alpha_if_dropped
            .iter()
            .map(|d| format!("{} {}", d.item, number(d.alpha, 3)))
            .collect();
        writeln!(out, "{:<24} alpha if dropped: {}", "", dropped.join(", "))?;
    }
    writeln!(out)?;
    write!(out, "{:<16}", "customer_id")?;
    for r in &report.reliability {
        write!(out, " {:>18}", r.construct)?;
    }
    writeln!(out)?;
    for (i, customer) in report.respondents.iter().enumerate() {
        write!(out, "{:<16}", customer.as_str())?;
        for scores in &report.scores {
            write!(out, " {:>18}", number(scores[i], 2))?;
        }
        writeln!(out)?;
    }
    Ok(())
}
