//! Archives as the tests build them for the artifacts they push or unpack.

/// A tar.gz of `files` (path, content), regular files with mode 0644.
pub fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, content.as_bytes()).expect("append to an in-memory tar");
    }
    builder.into_inner().and_then(|gz| gz.finish()).expect("finish an in-memory tar.gz")
}
