//! Command-line pieces shared by the examples: a time, the one folder, and `--help`.
// Not every example uses every piece.
#![allow(dead_code)]

use std::io::Write;

use jiff::Timestamp;

/// Answers `--help`: the usage on standard output, and success (asked for, it is no error).
pub fn help(usage: &str) -> Result<(), String> {
    // A closed pipe (`| head -c 0`) is no reason to fail.
    let _ = writeln!(std::io::stdout(), "{usage}");
    Ok(())
}

/// A date or time given to `flag`, with the range jiff can hold named when the text is out of it.
pub fn time(flag: &str, text: &str) -> Result<Timestamp, String> {
    lead_customers::time::parse_timestamp(text).ok_or(format!(
        "{flag}: {text:?} is not a date YYYY-MM-DD or an RFC 3339 time with offset within \
         jiff's range (-009999-01-02T01:59:59Z to 9999-12-30T22:00:00Z)"
    ))
}

/// Takes `path` as the folder, refusing a second one (the first would be ignored silently).
pub fn folder(dir: &mut Option<String>, path: &str, usage: &str) -> Result<(), String> {
    match dir {
        Some(first) => Err(format!(
            "one folder only, got {first:?} and {path:?}\n{usage}"
        )),
        None => {
            *dir = Some(path.to_owned());
            Ok(())
        }
    }
}
