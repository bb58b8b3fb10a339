//! A chart as a set of files: loaded from a directory (honouring `.helmignore`) or from a packaged `.tgz`,
//! patched (version, `values.yaml`), and written as the package `helm package` makes: a gzip'ed tar of
//! `<name>/<path>` entries. The package is deterministic (entries sorted with `Chart.yaml` first, fixed modes,
//! zero times, no owner), so the same chart always gives the same digest.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use super::helmignore::HelmIgnore;
use crate::controllers::semver_range::parse_version_lenient;

/// Helm's limit on one file of a chart (`MaxDecompressedFileSize`).
pub const MAX_CHART_FILE_SIZE: u64 = 5 << 20;
/// Helm's limit on a whole chart once unpacked (`MaxDecompressedChartSize`).
pub const MAX_UNPACKED_CHART_SIZE: u64 = 100 << 20;

/// What `Chart.yaml` says, as far as building needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartMetadata {
    pub name: String,
    pub version: String,
    /// `dependencies[].name` (with `requirements.yaml`'s for apiVersion v1 charts).
    pub dependencies: Vec<String>,
    /// The whole document, for patching.
    pub raw: Map<String, Value>,
}

impl ChartMetadata {
    /// Parses `Chart.yaml` (and a v1 chart's `requirements.yaml`) and applies Helm's validation of the name and
    /// version.
    pub fn parse(chart_yaml: &[u8], requirements_yaml: Option<&[u8]>) -> Result<ChartMetadata, String> {
        let raw = yaml_mapping(chart_yaml).map_err(|e| format!("cannot load 'Chart.yaml': {e}"))?;
        let text = |key: &str| raw.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let (name, version) = (text("name"), text("version"));
        if name.is_empty() {
            return Err("validation: chart.metadata.name is required".into());
        }
        if name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(format!("validation: chart.metadata.name {name:?} is invalid"));
        }
        if version.is_empty() {
            return Err("validation: chart.metadata.version is required".into());
        }
        if parse_version_lenient(&version).is_none() {
            return Err(format!("validation: chart.metadata.version {version:?} is invalid"));
        }
        let mut dependencies = dependency_names(&raw);
        if let Some(requirements) = requirements_yaml {
            let requirements =
                yaml_mapping(requirements).map_err(|e| format!("cannot load 'requirements.yaml': {e}"))?;
            dependencies.extend(dependency_names(&requirements));
        }
        Ok(ChartMetadata { name, version, dependencies, raw })
    }
}

fn dependency_names(document: &Map<String, Value>) -> Vec<String> {
    let Some(Value::Array(dependencies)) = document.get("dependencies") else { return Vec::new() };
    dependencies.iter().filter_map(|d| d.get("name").and_then(Value::as_str)).map(str::to_string).collect()
}

/// A YAML document that must be a mapping (an empty document is an empty mapping).
pub fn yaml_mapping(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match serde_saphyr::from_str::<Option<Value>>(text).map_err(|e| e.to_string())? {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err("the document is not a mapping".into()),
    }
}

/// A chart's files, by path relative to the chart root (`/`-separated).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartFiles {
    pub metadata: ChartMetadata,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl ChartFiles {
    /// Loads the chart in `dir`, skipping what its `.helmignore` ignores. Symlinks are followed only when they
    /// stay inside `root` (the source artifact), so a chart cannot pull files from elsewhere on the machine.
    pub fn load_directory(root: &Path, dir: &Path) -> Result<ChartFiles, String> {
        let root = root.canonicalize().map_err(|e| format!("{}: {e}", root.display()))?;
        let ignore = match fs::read(dir.join(".helmignore")) {
            Ok(text) => HelmIgnore::parse(&String::from_utf8_lossy(&text)).map_err(|e| e.to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HelmIgnore::parse("").map_err(|e| e.to_string())?,
            Err(e) => return Err(format!("cannot read .helmignore: {e}")),
        };
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        walk(&root, dir, "", &ignore, &mut files, &mut total, 0)?;
        let chart_yaml = files.get("Chart.yaml").ok_or("Chart.yaml file is missing")?;
        let metadata = ChartMetadata::parse(chart_yaml, files.get("requirements.yaml").map(Vec::as_slice))?;
        Ok(ChartFiles { metadata, files })
    }

    /// Loads a packaged chart: every entry under one top directory, regular files only, within Helm's limits.
    pub fn load_archive(bytes: &[u8]) -> Result<ChartFiles, String> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let mut files = BTreeMap::new();
        let mut total = 0u64;
        for entry in archive.entries().map_err(|e| format!("not a chart archive: {e}"))? {
            let mut entry = entry.map_err(|e| format!("corrupt chart archive: {e}"))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let path = entry.path().map_err(|e| format!("corrupt chart archive: {e}"))?.into_owned();
            let mut parts = Vec::new();
            for component in path.components() {
                match component {
                    Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
                    Component::CurDir => {}
                    _ => return Err(format!("chart illegally contains content outside the base directory: {path:?}")),
                }
            }
            if parts.len() < 2 {
                continue;
            }
            let size = entry.header().size().unwrap_or(u64::MAX);
            total = total.saturating_add(size);
            if size > MAX_CHART_FILE_SIZE || total > MAX_UNPACKED_CHART_SIZE {
                return Err(format!("chart file {path:?} makes the chart larger than Helm accepts"));
            }
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| format!("corrupt chart archive: {e}"))?;
            files.insert(parts[1..].join("/"), data);
        }
        let chart_yaml = files.get("Chart.yaml").ok_or("Chart.yaml file is missing")?;
        let metadata = ChartMetadata::parse(chart_yaml, files.get("requirements.yaml").map(Vec::as_slice))?;
        Ok(ChartFiles { metadata, files })
    }

    /// Sets the version in the metadata and in `Chart.yaml` (re-serialised only when it changes).
    pub fn set_version(&mut self, version: &str) -> Result<(), String> {
        if self.metadata.version == version {
            return Ok(());
        }
        self.metadata.version = version.to_string();
        self.metadata.raw.insert("version".into(), Value::String(version.to_string()));
        let text = serde_saphyr::to_string(&self.metadata.raw).map_err(|e| format!("cannot write Chart.yaml: {e}"))?;
        self.files.insert("Chart.yaml".into(), text.into_bytes());
        Ok(())
    }

    /// The names of the charts in `charts/` (directories and archives), as Helm loads them.
    pub fn subchart_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (path, data) in &self.files {
            let Some(rest) = path.strip_prefix("charts/") else { continue };
            let metadata = match rest.split_once('/') {
                Some((_, "Chart.yaml")) => ChartMetadata::parse(data, None).ok(),
                None if rest.ends_with(".tgz") || rest.ends_with(".tar.gz") => {
                    ChartFiles::load_archive(data).ok().map(|chart| chart.metadata)
                }
                _ => None,
            };
            names.extend(metadata.map(|metadata| metadata.name));
        }
        names
    }

    /// `Chart.yaml` dependencies that `charts/` does not hold (Helm's `CheckDependencies`).
    pub fn missing_dependencies(&self) -> Vec<String> {
        let present = self.subchart_names();
        self.metadata.dependencies.iter().filter(|name| !present.contains(name)).cloned().collect()
    }

    /// Writes the package: `<name>/<path>` entries, `Chart.yaml` first, mode 0644, zero times, no owner.
    pub fn write_package(&self, out: impl Write) -> std::io::Result<()> {
        let gzip = flate2::GzBuilder::new().mtime(0).write(out, flate2::Compression::default());
        let mut builder = tar::Builder::new(gzip);
        let chart_yaml = self.files.get_key_value("Chart.yaml");
        for (path, data) in chart_yaml.into_iter().chain(self.files.iter().filter(|(path, _)| *path != "Chart.yaml")) {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Regular);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            header.set_size(data.len() as u64);
            builder.append_data(&mut header, format!("{}/{path}", self.metadata.name), data.as_slice())?;
        }
        builder.into_inner()?.finish()?.flush()
    }

    /// `<name>-<version>.tgz`, the name `helm package` and source-controller give the package.
    pub fn package_file_name(&self) -> String {
        format!("{}-{}.tgz", self.metadata.name, self.metadata.version)
    }
}

/// Walks `dir` into `files`, `prefix` being its path relative to the chart root.
fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    ignore: &HelmIgnore,
    files: &mut BTreeMap<String, Vec<u8>>,
    total: &mut u64,
    depth: usize,
) -> Result<(), String> {
    // Symlinked directories could loop; real charts are nowhere near this deep.
    if depth > 64 {
        return Err(format!("{}: directories nested too deep (a symlink loop?)", dir.display()));
    }
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let path = entry.path();
        let target = resolve_inside(root, &path)?;
        let metadata = fs::metadata(&target).map_err(|e| format!("{relative}: {e}"))?;
        if ignore.is_ignored(&relative, metadata.is_dir()) {
            continue;
        }
        if metadata.is_dir() {
            walk(root, &target, &relative, ignore, files, total, depth + 1)?;
        } else if metadata.is_file() {
            *total += metadata.len();
            if metadata.len() > MAX_CHART_FILE_SIZE || *total > MAX_UNPACKED_CHART_SIZE {
                return Err(format!("{relative}: the chart is larger than Helm accepts"));
            }
            let data = fs::read(&target).map_err(|e| format!("{relative}: {e}"))?;
            // Helm strips a UTF-8 byte order mark from every file it loads.
            let data = data.strip_prefix(b"\xef\xbb\xbf").map(<[u8]>::to_vec).unwrap_or(data);
            files.insert(relative, data);
        } else {
            return Err(format!("cannot load irregular file {relative} as it has file mode type bits set"));
        }
    }
    Ok(())
}

/// The real path of `path`, which must lie inside `root` (already canonical).
fn resolve_inside(root: &Path, path: &Path) -> Result<PathBuf, String> {
    let real = path.canonicalize().map_err(|e| format!("{}: {e}", path.display()))?;
    if !real.starts_with(root) {
        return Err(format!("{}: the symlink points outside the source", path.display()));
    }
    Ok(real)
}

/// Joins a user path (`spec.chart`, a values file) to `root` lexically, as Flux's securejoin does: `..` never
/// climbs above the root.
pub fn secure_join(root: &Path, user_path: &str) -> PathBuf {
    let mut parts: Vec<&str> = Vec::new();
    for part in user_path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.iter().fold(root.to_path_buf(), |path, part| path.join(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_validated_like_helm() {
        let ok =
            ChartMetadata::parse(b"apiVersion: v2\nname: app\nversion: 1.2.3\ndependencies:\n- name: redis\n", None);
        assert_eq!(ok.unwrap().dependencies, ["redis"]);
        let v1 = ChartMetadata::parse(b"name: app\nversion: 1.0.0\n", Some(b"dependencies:\n- name: db\n")).unwrap();
        assert_eq!(v1.dependencies, ["db"]);
        assert_eq!(
            ChartMetadata::parse(b"version: 1.0.0\n", None).unwrap_err(),
            "validation: chart.metadata.name is required"
        );
        assert_eq!(
            ChartMetadata::parse(b"name: a\n", None).unwrap_err(),
            "validation: chart.metadata.version is required"
        );
        assert!(ChartMetadata::parse(b"name: a\nversion: one\n", None).unwrap_err().contains("is invalid"));
        assert!(ChartMetadata::parse(b"- a\n", None).unwrap_err().starts_with("cannot load 'Chart.yaml'"));
    }

    #[test]
    fn packages_round_trip_and_are_deterministic() {
        let metadata = ChartMetadata::parse(b"name: app\nversion: 1.0.0\n", None).unwrap();
        let files = BTreeMap::from([
            ("Chart.yaml".to_string(), b"name: app\nversion: 1.0.0\n".to_vec()),
            ("values.yaml".to_string(), b"a: 1\n".to_vec()),
            ("templates/cm.yaml".to_string(), b"kind: ConfigMap\n".to_vec()),
        ]);
        let mut chart = ChartFiles { metadata, files };
        chart.set_version("1.0.0+3").unwrap();
        let (mut first, mut second) = (Vec::new(), Vec::new());
        chart.write_package(&mut first).unwrap();
        chart.write_package(&mut second).unwrap();
        assert_eq!(first, second);
        let loaded = ChartFiles::load_archive(&first).unwrap();
        assert_eq!(loaded, chart);
        assert_eq!(loaded.package_file_name(), "app-1.0.0+3.tgz");
    }

    #[test]
    fn user_paths_stay_inside_the_root() {
        let root = Path::new("/src");
        assert_eq!(secure_join(root, "./charts/app"), Path::new("/src/charts/app"));
        assert_eq!(secure_join(root, "../../etc/passwd"), Path::new("/src/etc/passwd"));
        assert_eq!(secure_join(root, "/abs/x"), Path::new("/src/abs/x"));
    }
}
