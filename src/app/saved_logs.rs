//! Saving a logs view's lines to a file: run by the event loop on the blocking pool, never by the update step.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::update::logs::saved_text;
use crate::model::logs::LogLine;

/// Writes `lines` to a new file under the user's state directory (`saved-logs/`), named after the time and what
/// the view showed, and returns its path.
pub fn save_log_lines(label: &str, lines: &[Arc<LogLine>]) -> Result<PathBuf, String> {
    let base = crate::logging::state_dir().map_err(|err| format!("cannot save the logs: {err}"))?;
    let directory = base.join("saved-logs");
    std::fs::create_dir_all(&directory)
        .map_err(|err| format!("cannot save the logs: cannot create {}: {err}", directory.display()))?;
    let slug: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S%.3f");
    let path = directory.join(format!("{stamp}-{}.log", slug.chars().take(40).collect::<String>()));
    std::fs::write(&path, saved_text(lines))
        .map_err(|err| format!("cannot save the logs to {}: {err}", path.display()))?;
    Ok(path)
}
