//! Durability: an append-only log of every committed write, fsynced before the write is
//! acknowledged, replayed on start and compacted so it stays proportional to the live objects.

use super::StoreError;
use crate::registry::GroupResource;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

const LOG_FILE: &str = "objects.log";

/// One line of the log. A flat struct rather than a tagged enum: serde cannot hand a borrowed
/// `RawValue` through the buffering an internally tagged enum needs.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Record<'a> {
    /// `header` (first line of a compacted log: the counter at compaction time, so it never goes
    /// back even when the newest writes were deletes), `put` or `delete`.
    pub op: &'a str,
    pub rv: u64,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub group: &'a str,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub resource: &'a str,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub namespace: &'a str,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    #[serde(borrow, default, skip_serializing_if = "Option::is_none")]
    pub object: Option<&'a RawValue>,
}

impl<'a> Record<'a> {
    pub fn header(rv: u64) -> Self {
        Record { op: "header", rv, ..Default::default() }
    }
    pub fn put(gr: &'a GroupResource, rv: u64, object: &'a RawValue) -> Self {
        Record { op: "put", rv, group: &gr.group, resource: &gr.resource, object: Some(object), ..Default::default() }
    }
    pub fn delete(gr: &'a GroupResource, rv: u64, namespace: &'a str, name: &'a str) -> Self {
        Record { op: "delete", rv, group: &gr.group, resource: &gr.resource, namespace, name, object: None }
    }
}

/// What replaying the log found.
pub struct Replayed {
    pub resource_version: u64,
    /// In log order; later entries win.
    pub entries: Vec<ReplayedEntry>,
    pub lines: usize,
}

pub enum ReplayedEntry {
    Put { gr: GroupResource, rv: u64, object: Vec<u8> },
    Delete { gr: GroupResource, namespace: String, name: String },
}

pub struct Wal {
    dir: PathBuf,
    writer: BufWriter<File>,
    /// Lines in the current log, to decide when compaction pays off.
    pub lines: usize,
}

impl Wal {
    /// Reads the existing log (ignoring a torn last line from a crash mid-write).
    pub fn replay(dir: &Path) -> Result<Replayed, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        let path = dir.join(LOG_FILE);
        let mut replayed = Replayed { resource_version: 0, entries: Vec::new(), lines: 0 };
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(replayed),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        for line in BufReader::new(file).split(b'\n') {
            let line = line.map_err(|e| StoreError::io(&path, e))?;
            if line.is_empty() {
                continue;
            }
            // Only the last line can be torn (appends are sequential and each is fsynced before
            // the next write is acknowledged), so a line that does not parse ends the replay.
            let Ok(record) = serde_json::from_slice::<Record>(&line) else {
                tracing::warn!(path = %path.display(), "ignoring a torn record at the end of the log");
                break;
            };
            replayed.lines += 1;
            replayed.resource_version = replayed.resource_version.max(record.rv);
            let gr = GroupResource::new(record.group, record.resource);
            match (record.op, record.object) {
                ("put", Some(object)) => {
                    let object = object.get().as_bytes().to_vec();
                    replayed.entries.push(ReplayedEntry::Put { gr, rv: record.rv, object });
                }
                ("delete", _) => replayed.entries.push(ReplayedEntry::Delete {
                    gr,
                    namespace: record.namespace.to_string(),
                    name: record.name.to_string(),
                }),
                _ => {}
            }
        }
        Ok(replayed)
    }

    /// Writes a fresh log holding only `live` objects, atomically replacing the old one.
    pub fn compact<'a>(
        dir: &Path,
        resource_version: u64,
        live: impl Iterator<Item = (&'a GroupResource, u64, &'a [u8])>,
    ) -> Result<Wal, StoreError> {
        let path = dir.join(LOG_FILE);
        let tmp = dir.join(format!("{LOG_FILE}.tmp"));
        let mut lines = 0;
        {
            let file = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
            let mut out = BufWriter::new(file);
            write_record(&mut out, &Record::header(resource_version)).map_err(|e| StoreError::io(&tmp, e))?;
            lines += 1;
            for (gr, rv, object) in live {
                let object: &RawValue =
                    serde_json::from_slice(object).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                write_record(&mut out, &Record::put(gr, rv, object)).map_err(|e| StoreError::io(&tmp, e))?;
                lines += 1;
            }
            let file = out.into_inner().map_err(|e| StoreError::io(&tmp, e.into_error()))?;
            file.sync_all().map_err(|e| StoreError::io(&tmp, e))?;
        }
        std::fs::rename(&tmp, &path).map_err(|e| StoreError::io(&path, e))?;
        // The rename is durable only once the directory entry is.
        File::open(dir).and_then(|d| d.sync_all()).map_err(|e| StoreError::io(dir, e))?;
        let file = OpenOptions::new().append(true).open(&path).map_err(|e| StoreError::io(&path, e))?;
        Ok(Wal { dir: dir.to_path_buf(), writer: BufWriter::new(file), lines })
    }

    pub fn append(&mut self, record: &Record) -> Result<(), StoreError> {
        self.lines += 1;
        write_record(&mut self.writer, record).map_err(|e| StoreError::io(&self.dir, e))
    }

    /// Makes every appended record durable; called once per transaction, before it is acknowledged.
    pub fn sync(&mut self) -> Result<(), StoreError> {
        self.writer.flush().map_err(|e| StoreError::io(&self.dir, e))?;
        self.writer.get_ref().sync_data().map_err(|e| StoreError::io(&self.dir, e))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn write_record(out: &mut impl Write, record: &Record) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")
}
