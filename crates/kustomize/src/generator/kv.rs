//! Key-value sources of a generator, read as kustomize's `kv` loader reads them: env files first, then literals,
//! then files, each in the order written. Keys are not validated (kustomize v5.5 accepts `a b=1`); a repeated key
//! is an error.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::GeneratorArgs;
use crate::error::Error;
use crate::options::BuildOptions;

/// Where file and env sources are read from: a kustomization's root and its file (for errors).
pub struct Root<'a> {
    pub dir: &'a Path,
    pub file: &'a Path,
    pub options: &'a BuildOptions,
}

impl Root<'_> {
    fn error(&self, message: String) -> Error {
        Error::Generator { path: self.file.to_path_buf(), message }
    }

    /// A file in or below the root (`LoadRestrictionsRootOnly`), as bytes.
    fn load(&self, entry: &str) -> Result<Vec<u8>, Error> {
        let target = self.dir.join(entry);
        let target = target
            .canonicalize()
            .map_err(|e| self.error(format!("cannot read `{entry}` ({}): {e}", target.display())))?;
        if self.options.root_only() && !target.starts_with(self.dir) {
            return Err(Error::OutsideRoot { path: self.file.to_path_buf(), file: target });
        }
        std::fs::read(&target).map_err(|e| Error::io(&target, e))
    }
}

/// A key and its value as raw bytes (a file may hold anything).
pub type Pair = (String, Vec<u8>);

/// Every pair of `args`, in kustomize's order, repeated keys refused. `what` names the object in errors
/// (`configmap a`).
pub fn pairs(root: &Root, args: &GeneratorArgs, what: &str) -> Result<Vec<Pair>, Error> {
    let mut out: Vec<Pair> = Vec::new();
    let envs = args.envs.iter().chain(args.env.iter().filter(|e| !e.is_empty()));
    for env in envs {
        let content = root.load(env)?;
        out.extend(env_pairs(&content).map_err(|m| root.error(format!("env file `{env}`: {m}")))?);
    }
    for literal in &args.literals {
        let (key, value) = parse_literal(literal).map_err(|m| root.error(format!("literal sources: {m}")))?;
        out.push((key, value.into_bytes()));
    }
    for source in &args.files {
        let (key, path) = parse_file_source(source).map_err(|m| root.error(format!("file sources: {m}")))?;
        out.push((key, root.load(&path)?));
    }
    for (i, (key, _)) in out.iter().enumerate() {
        if out[..i].iter().any(|(k, _)| k == key) {
            return Err(root.error(format!("{what} illegally repeats the key `{key}`")));
        }
    }
    Ok(out)
}

/// `key=value`, the value's surrounding quotes removed when both ends carry the same one.
pub fn parse_literal(source: &str) -> Result<(String, String), String> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), remove_quotes(value).to_string())),
        _ => Err(format!("invalid literal source {source}, expected key=value")),
    }
}

fn remove_quotes(s: &str) -> &str {
    let bytes = s.as_bytes();
    if bytes.len() >= 2 && bytes[0] == bytes[bytes.len() - 1] && matches!(bytes[0], b'"' | b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// `path` (the key is the file's base name) or `key=path`.
pub fn parse_file_source(source: &str) -> Result<(String, String), String> {
    match source.matches('=').count() {
        0 => {
            let base = source.trim_end_matches('/').rsplit('/').next().unwrap_or(source);
            Ok((base.to_string(), source.to_string()))
        }
        1 if source.starts_with('=') => Err(format!("key name for file path {} missing", &source[1..])),
        1 if source.ends_with('=') => Err(format!("file path for key name {} missing", &source[..source.len() - 1])),
        1 => {
            let (key, path) = source.split_once('=').unwrap_or_default();
            Ok((key.to_string(), path.to_string()))
        }
        _ => Err(format!("source \"{source}\" key name or file path contains '='")),
    }
}

/// The pairs of an env file: one `KEY=value` a line (a line without `=` gives an empty value), leading
/// whitespace trimmed, blank lines and `#` comments skipped, a BOM on the first line dropped, CRLF accepted.
pub fn env_pairs(content: &[u8]) -> Result<Vec<Pair>, String> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = content.split(|b| *b == b'\n').collect();
    if content.ends_with(b"\n") {
        lines.pop();
    }
    for (number, line) in lines.into_iter().enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Ok(mut line) = std::str::from_utf8(line) else {
            return Err(format!("line {} has invalid utf8 bytes", number + 1));
        };
        if number == 0 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if !key.is_empty() {
            out.push((key.to_string(), value.as_bytes().to_vec()));
        }
    }
    Ok(out)
}

/// kustomize's base64 for generated data: standard encoding, and when it is 70 characters or longer, cut in lines
/// of 70, each ending with a line break.
pub fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = STANDARD.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        // Base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}
