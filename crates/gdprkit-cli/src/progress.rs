//! Progress bars for long commands (a sweep, a verification), drawn on stderr only when it is a
//! terminal: nothing reaches a pipe, a file or a log shipper.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `total` steps, labelled.
pub fn bar(total: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{prefix:<16} [{bar:30}] {pos}/{len} ({eta})") {
        bar.set_style(style.progress_chars("#>."));
    }
    bar.set_prefix(label.to_owned());
    bar
}

/// A counter with no known end, labelled.
pub fn counter(label: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{prefix} {spinner} {human_pos} ({per_sec})") {
        bar.set_style(style);
    }
    bar.set_prefix(label.to_owned());
    bar
}
