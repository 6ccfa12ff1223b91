//! Command-line pieces shared by the examples: a time, the one folder, and `--help`.
// Not every example uses every piece.
#![allow(dead_code)]

use std::io::Write;

use jiff::Timestamp;

/// The command line's arguments after the program's name, each valid UTF-8: an error naming the
/// first one that is not (`std::env::args` would panic on it).
pub fn arguments() -> Result<std::vec::IntoIter<String>, String> {
    std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string().map_err(|arg| {
                format!("argument {arg:?} is not valid UTF-8 (folders and values must be)")
            })
        })
        .collect::<Result<Vec<String>, String>>()
        .map(Vec::into_iter)
}

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

/// Takes `path` as the folder, refusing a second one (the first would be ignored silently) and
/// an empty one (which would be the current directory).
pub fn folder(dir: &mut Option<String>, path: &str, usage: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err(format!("the folder is an empty string\n{usage}"));
    }
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
