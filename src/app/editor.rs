//! The user's editor on a temporary file, as `kubectl edit` runs it: `$VISUAL`, then `$EDITOR`, then `vi`, run
//! through `sh -c` so that editors given with arguments (`code --wait`) work. The event loop suspends the terminal
//! (and stops reading input) around [`edit_text`], so the editor owns the terminal alone.
//!
//! Text that does not parse reopens in the editor with the error as comments at the top; saving it unchanged
//! then cancels. The file is kept until the caller removes it, so an edit that cannot be applied is not lost.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// How an editing session ended.
#[derive(Debug)]
pub enum EditorOutcome {
    /// Saved without a change (or the editor was left without saving).
    Unchanged { path: PathBuf },
    /// Left unchanged after an error was shown: the user gave up.
    Abandoned { path: PathBuf, error: String },
    /// Changed text that parsed, and the file holding it.
    Edited { value: Value, path: PathBuf },
    /// The editor could not run, or exited with an error.
    Failed(String),
}

/// The command that opens the editor: `$VISUAL`, `$EDITOR`, or `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string())
}

/// Writes `text` to a new file named after `stem` in the temporary directory, with `header` comment lines on top,
/// and lets the user edit it until it parses with `parse`, they leave it unchanged, or the editor fails.
pub async fn edit_text(
    text: &str,
    stem: &str,
    header: &str,
    parse: impl Fn(&str) -> Result<Value, String>,
) -> EditorOutcome {
    let path = match create_file(stem) {
        Ok(path) => path,
        Err(err) => return EditorOutcome::Failed(format!("cannot create a temporary file to edit: {err}")),
    };
    let original = format!("{}{text}", comment(header));
    let mut shown = original.clone();
    let mut last_error: Option<String> = None;
    loop {
        if let Err(err) = std::fs::write(&path, &shown) {
            return EditorOutcome::Failed(format!("cannot write {}: {err}", path.display()));
        }
        if let Err(message) = run_editor(&path).await {
            return EditorOutcome::Failed(format!("{message}; your text is in {}", path.display()));
        }
        let edited = match std::fs::read_to_string(&path) {
            Ok(edited) => edited,
            Err(err) => return EditorOutcome::Failed(format!("cannot read {}: {err}", path.display())),
        };
        if edited == shown {
            return match last_error {
                None => EditorOutcome::Unchanged { path },
                Some(error) => EditorOutcome::Abandoned { path, error },
            };
        }
        let body = strip_error_comment(&edited);
        if body == original {
            return EditorOutcome::Unchanged { path };
        }
        match parse(&body) {
            Ok(value) => return EditorOutcome::Edited { value, path },
            Err(error) => {
                // As kubectl edit: the error on top, the user's text kept below it.
                shown = format!("{}{body}", comment(&format!("{ERROR_MARK}\n{error}\n{ERROR_END}\n")));
                last_error = Some(error);
            }
        }
    }
}

/// The first line of the error block written on top of the text, so the next round can take it off again.
const ERROR_MARK: &str = "fluxtui could not use this text (fix it, or save it unchanged to cancel):";

/// The last line of the error block.
const ERROR_END: &str = "---- end of the error; your text follows ----";

fn comment(text: &str) -> String {
    text.lines().map(|line| if line.is_empty() { "#\n".to_string() } else { format!("# {line}\n") }).collect()
}

/// Takes off an error block written by an earlier round (from its first line to its last).
fn strip_error_comment(text: &str) -> String {
    let (mark, end) = (format!("# {ERROR_MARK}\n"), format!("# {ERROR_END}\n"));
    if !text.starts_with(&mark) {
        return text.to_string();
    }
    match text.find(&end) {
        Some(position) => text[position + end.len()..].to_string(),
        None => text.to_string(),
    }
}

fn create_file(stem: &str) -> std::io::Result<PathBuf> {
    let safe: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    let directory = std::env::temp_dir();
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    for attempt in 0..100u32 {
        let path = directory.join(format!("fluxtui-edit-{safe}-{}-{nanos}-{attempt}.yaml", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                file.flush()?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

/// Runs the editor on `path` and waits for it; the terminal belongs to it meanwhile.
async fn run_editor(path: &Path) -> Result<(), String> {
    let editor = editor_command();
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("fluxtui-editor")
        .arg(path)
        .status()
        .await
        .map_err(|err| format!("cannot run the editor {editor:?}: {err}"))?;
    if status.success() { Ok(()) } else { Err(format!("the editor {editor:?} exited with {status}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_block_is_taken_off_before_parsing_again() {
        let shown = format!("{}# header\nspec: 1\n", comment(&format!("{ERROR_MARK}\ninvalid YAML: x\n{ERROR_END}\n")));
        assert_eq!(strip_error_comment(&shown), "# header\nspec: 1\n");
        assert_eq!(strip_error_comment("# a user's comment\nspec: 1\n"), "# a user's comment\nspec: 1\n");
    }
}
