//! A Helm repository index (`index.yaml`), loaded as source-controller loads it, and the chart version lookup
//! HelmChart uses.
//!
//! Loading (Flux's `IndexFromBytes`): JSON or YAML; empty input and a missing `apiVersion` are errors; entries
//! that fail Helm's metadata validation (no name, no version, a version that is no semver) are dropped rather
//! than failing the index; each chart's versions are sorted newest first. The artifact is the index again as
//! indented JSON, which is what consumers download.
//!
//! Lookup (Flux's `ChartRepository.GetChartVersion`): an exact version string wins; otherwise the highest
//! version in the range (Masterminds semantics, so `*` and ranges without prerelease parts skip prereleases),
//! equal versions ordered by their `created` time.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::controllers::semver_range::{RangeError, VersionRange, parse_version, parse_version_lenient};

/// Why bytes are not an index (Helm's wording where it has one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndexParseError {
    #[error("empty index.yaml file")]
    Empty,
    #[error("no API version specified")]
    NoApiVersion,
    #[error("{0}")]
    Syntax(String),
    #[error("the index is not a mapping of apiVersion, entries, ...")]
    NotAnIndex,
    #[error("entries.{chart} is not a list of chart versions")]
    BadEntry { chart: String },
}

/// Why no chart version was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartLookupError {
    /// Helm's `repo.ErrNoChartName`.
    #[error("no chart name found")]
    NoChartName,
    /// Helm's `repo.ErrNoChartVersion`: the chart is listed without any valid version.
    #[error("no chart version found")]
    NoChartVersion,
    #[error(transparent)]
    InvalidRange(#[from] RangeError),
    #[error("no '{name}' chart with version matching '{range}' found")]
    NoMatch { name: String, range: String },
}

/// One version of a chart in the index.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartVersion {
    pub name: String,
    pub version: String,
    /// Where the package is; relative URLs are relative to the repository URL.
    pub urls: Vec<String>,
    /// RFC 3339, when the index says.
    pub created: Option<String>,
    /// The package's sha256, when the index says.
    pub digest: Option<String>,
    /// The whole entry as the index holds it (chart metadata included), for the JSON artifact.
    pub raw: Map<String, Value>,
}

/// A loaded index.
#[derive(Debug, Clone, PartialEq)]
pub struct HelmIndex {
    pub api_version: String,
    /// Chart versions by chart name, newest first.
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    /// The top-level fields other than `apiVersion` and `entries` (`generated`, `publicKeys`, ...).
    pub extra: Map<String, Value>,
}

impl HelmIndex {
    /// Loads an index from its bytes, JSON or YAML.
    pub fn from_bytes(bytes: &[u8]) -> Result<HelmIndex, IndexParseError> {
        if bytes.is_empty() {
            return Err(IndexParseError::Empty);
        }
        let document = parse_document(bytes)?;
        let Value::Object(mut top) = document else {
            return Err(IndexParseError::NotAnIndex);
        };
        let api_version = match top.remove("apiVersion") {
            Some(Value::String(version)) if !version.is_empty() => version,
            Some(Value::Null) | None => return Err(IndexParseError::NoApiVersion),
            Some(Value::String(_)) => return Err(IndexParseError::NoApiVersion),
            Some(_) => return Err(IndexParseError::NotAnIndex),
        };
        let mut entries = BTreeMap::new();
        match top.remove("entries") {
            None | Some(Value::Null) => {}
            Some(Value::Object(charts)) => {
                for (chart, versions) in charts {
                    let versions = match versions {
                        Value::Array(versions) => versions,
                        Value::Null => Vec::new(),
                        _ => return Err(IndexParseError::BadEntry { chart }),
                    };
                    let mut valid: Vec<ChartVersion> = versions.into_iter().filter_map(chart_version).collect();
                    sort_newest_first(&mut valid);
                    entries.insert(chart, valid);
                }
            }
            Some(_) => return Err(IndexParseError::NotAnIndex),
        }
        Ok(HelmIndex { api_version, entries, extra: top })
    }

    /// The index as the artifact stores it: indented JSON, entries sorted by chart name and newest first.
    pub fn to_json(&self) -> Vec<u8> {
        let mut top = Map::new();
        top.insert("apiVersion".into(), Value::String(self.api_version.clone()));
        let entries = self
            .entries
            .iter()
            .map(|(name, versions)| {
                (name.clone(), Value::Array(versions.iter().map(|v| Value::Object(v.raw.clone())).collect()))
            })
            .collect();
        top.insert("entries".into(), Value::Object(entries));
        for (key, value) in &self.extra {
            top.insert(key.clone(), value.clone());
        }
        // Serialising a `Value` cannot fail: its map keys are strings and it holds no foreign types.
        serde_json::to_vec_pretty(&Value::Object(top)).expect("a JSON value always serialises")
    }

    /// The version of `name` Flux picks for `range` (empty or `*`: the latest stable version).
    pub fn chart_version(&self, name: &str, range: &str) -> Result<&ChartVersion, ChartLookupError> {
        let versions = self.entries.get(name).ok_or(ChartLookupError::NoChartName)?;
        if versions.is_empty() {
            return Err(ChartLookupError::NoChartVersion);
        }
        if !range.is_empty()
            && let Some(exact) = versions.iter().find(|version| version.version == range)
        {
            return Ok(exact);
        }
        let constraint = VersionRange::parse(if range.is_empty() { "*" } else { range })?;
        versions
            .iter()
            .filter_map(|chart| parse_version(&chart.version).map(|version| (version, chart)))
            .filter(|(version, _)| constraint.matches(version))
            .max_by(|(a, chart_a), (b, chart_b)| {
                a.cmp_precedence(b).then_with(|| created_order(chart_a).cmp(&created_order(chart_b)))
            })
            .map(|(_, chart)| chart)
            .ok_or_else(|| ChartLookupError::NoMatch { name: name.to_string(), range: range.to_string() })
    }
}

/// JSON when it is valid JSON (as Flux decides), YAML otherwise.
fn parse_document(bytes: &[u8]) -> Result<Value, IndexParseError> {
    if let Ok(value) = serde_json::from_slice::<Value>(bytes) {
        return Ok(value);
    }
    let text =
        std::str::from_utf8(bytes).map_err(|e| IndexParseError::Syntax(format!("the index is not UTF-8: {e}")))?;
    // A large index has far more nodes than serde-saphyr's default budget (sized for configuration files); every
    // node takes at least one byte, so the input size bounds them while the other limits stay in force.
    let size = bytes.len().max(1_000_000);
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = size;
    budget.max_nodes = size;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| IndexParseError::Syntax(e.to_string()))
}

/// An entry that passes Helm's validation, or `None` (dropped, as Flux drops it).
fn chart_version(entry: Value) -> Option<ChartVersion> {
    let Value::Object(raw) = entry else { return None };
    let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_string);
    let name = text("name").filter(|name| !name.is_empty() && !name.contains(['/', '\\']))?;
    let version = text("version").filter(|version| parse_version_lenient(version).is_some())?;
    let urls = match raw.get("urls") {
        Some(Value::Array(urls)) => urls.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    Some(ChartVersion { name, version, urls, created: text("created"), digest: text("digest"), raw })
}

/// Helm's `SortEntries`: newest version first.
fn sort_newest_first(versions: &mut [ChartVersion]) {
    // Every version here parsed when it was validated; the fallback only keeps the comparison total.
    let key = |chart: &ChartVersion| parse_version_lenient(&chart.version).unwrap_or(semver::Version::new(0, 0, 0));
    versions.sort_by(|a, b| key(b).cmp_precedence(&key(a)));
}

/// Orders equal versions by creation time (unknown first), as Flux does for versions that differ only in build
/// metadata.
fn created_order(chart: &ChartVersion) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chart.created.as_deref().and_then(|created| chrono::DateTime::parse_from_rfc3339(created).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"apiVersion: v1
entries:
  podinfo:
  - name: podinfo
    version: 6.0.0
    urls: [podinfo-6.0.0.tgz]
    created: "2024-01-01T00:00:00Z"
  - name: podinfo
    version: 6.2.0-rc.1
    urls: [podinfo-6.2.0-rc.1.tgz]
  - name: podinfo
    version: 6.1.0
    urls: [https://cdn.example.com/podinfo-6.1.0.tgz]
  - name: podinfo
    version: not-semver
  - version: 7.0.0
  empty: []
generated: "2024-01-02T00:00:00Z"
"#;

    fn pick(range: &str) -> Result<String, ChartLookupError> {
        let index = HelmIndex::from_bytes(INDEX.as_bytes()).unwrap();
        index.chart_version("podinfo", range).map(|chart| chart.version.clone())
    }

    #[test]
    fn loads_validates_and_sorts() {
        let index = HelmIndex::from_bytes(INDEX.as_bytes()).unwrap();
        let versions: Vec<&str> = index.entries["podinfo"].iter().map(|v| v.version.as_str()).collect();
        assert_eq!(versions, ["6.2.0-rc.1", "6.1.0", "6.0.0"], "invalid entries dropped, newest first");
        assert_eq!(index.extra["generated"], "2024-01-02T00:00:00Z");
        let again = HelmIndex::from_bytes(&index.to_json()).unwrap();
        assert_eq!(again, index, "the JSON artifact loads back to the same index");
    }

    #[test]
    fn bad_indexes_are_refused() {
        assert_eq!(HelmIndex::from_bytes(b"").unwrap_err(), IndexParseError::Empty);
        assert_eq!(HelmIndex::from_bytes(b"entries: {}\n").unwrap_err(), IndexParseError::NoApiVersion);
        assert_eq!(HelmIndex::from_bytes(b"- a\n- b\n").unwrap_err(), IndexParseError::NotAnIndex);
        assert!(matches!(
            HelmIndex::from_bytes(b"apiVersion: v1\nentries: [\n").unwrap_err(),
            IndexParseError::Syntax(_)
        ));
        assert!(matches!(
            HelmIndex::from_bytes(b"apiVersion: v1\nentries:\n  x: 3\n").unwrap_err(),
            IndexParseError::BadEntry { .. }
        ));
    }

    #[test]
    fn lookup_follows_flux() {
        assert_eq!(pick("").unwrap(), "6.1.0");
        assert_eq!(pick("*").unwrap(), "6.1.0", "* skips prereleases");
        assert_eq!(pick(">=6.0.0 <6.1.0").unwrap(), "6.0.0");
        assert_eq!(pick("6.x").unwrap(), "6.1.0");
        assert_eq!(pick(">=6.2.0-0").unwrap(), "6.2.0-rc.1");
        assert_eq!(pick("6.2.0-rc.1").unwrap(), "6.2.0-rc.1", "an exact version wins");
        assert_eq!(pick(">=7").unwrap_err().to_string(), "no 'podinfo' chart with version matching '>=7' found");
        assert_eq!(pick("bogus").unwrap_err().to_string(), "improper constraint: bogus");
        let index = HelmIndex::from_bytes(INDEX.as_bytes()).unwrap();
        assert_eq!(index.chart_version("nginx", "*").unwrap_err(), ChartLookupError::NoChartName);
        assert_eq!(index.chart_version("empty", "*").unwrap_err(), ChartLookupError::NoChartVersion);
    }
}
