//! Writing an example's report to standard output, the way command-line tools do: buffered, and
//! quiet when the reader stops reading (`| head` closes the pipe), where `println!` would panic.

use std::io::{self, BufWriter, StdoutLock, Write};

/// Buffered standard output.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(io::stdout().lock())
}

/// Flushes `out` and turns the outcome of writing a report into the example's: a closed pipe is
/// not an error.
pub fn finish(written: io::Result<()>, mut out: impl Write) -> Result<(), String> {
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}
