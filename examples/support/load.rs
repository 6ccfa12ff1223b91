//! Loading a CSV folder in the examples: a progress bar on stderr when stderr is a terminal,
//! nothing otherwise (so piped JSON stays clean).

use std::io::IsTerminal;

use lead_customers::{Population, Result};

/// Reads the CSV folder `dir`, showing progress when a person is watching.
pub fn load(dir: &str) -> Result<Population> {
    if !std::io::stderr().is_terminal() {
        return lead_customers::read_csv_folder(dir);
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "loading {bar:40} {bytes}/{total_bytes} ({bytes_per_sec})",
    ) {
        bar.set_style(style);
    }
    let population = lead_customers::read_csv_folder_with_progress(dir, |p| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_read);
    });
    bar.finish_and_clear();
    population
}
