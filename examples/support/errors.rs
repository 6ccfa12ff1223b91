//! Telling an error to a person: its message, then each cause's, the way `anyhow` prints a chain
//! (the library's errors say what failed, and carry why as their source).

/// `error: cause: cause of the cause`.
pub fn message(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        text.push_str(": ");
        text.push_str(&e.to_string());
        cause = e.source();
    }
    text
}
